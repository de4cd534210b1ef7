/*
 * keyfile.c: create and load the master key file.
 */
#include "auth/keyfile.h"

#include <sodium.h>
#include <string.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "core/file.h"

#define KEYFILE_TAG "compel-key-v1 "

enum cm_err
keyfile_create(const char *path)
{
    unsigned char key[KEYFILE_KEY_BYTES];
    char line[sizeof KEYFILE_TAG + 2 * KEYFILE_KEY_BYTES + 2];
    size_t tag = strlen(KEYFILE_TAG);
    enum cm_err err;

    randombytes_buf(key, sizeof key);
    memcpy(line, KEYFILE_TAG, tag);
    (void)sodium_bin2hex(line + tag, 2 * KEYFILE_KEY_BYTES + 1, key,
                         sizeof key);
    line[tag + 2 * KEYFILE_KEY_BYTES] = '\n';
    err = file_write_new(path, line, tag + 2 * KEYFILE_KEY_BYTES + 1, 0600);
    sodium_memzero(key, sizeof key);
    sodium_memzero(line, sizeof line);
    return err;
}

enum cm_err
keyfile_load(const char *path, unsigned char key[KEYFILE_KEY_BYTES])
{
    unsigned char k[KEYFILE_KEY_BYTES];
    struct buf b = BUF_INIT;
    struct stat st;
    size_t tag = strlen(KEYFILE_TAG);
    size_t got = 0;
    enum cm_err err = CM_ERR_VALIDATION_FAILED;

    if (stat(path, &st) != 0)
        return CM_ERR_IO;
    if ((st.st_mode & 077) != 0)
        return CM_ERR_VALIDATION_FAILED;
    if (file_read_all(path, 4096, &b) != CM_ERR_OK)
        return CM_ERR_IO;
    if (b.len != tag + 2 * KEYFILE_KEY_BYTES + 1 ||
        memcmp(b.data, KEYFILE_TAG, tag) != 0 || b.data[b.len - 1] != '\n')
        goto out_release;
    if (sodium_hex2bin(k, sizeof k, b.data + tag, 2 * KEYFILE_KEY_BYTES, NULL,
                       &got, NULL) != 0 ||
        got != sizeof k)
        goto out_release;
    memcpy(key, k, sizeof k);
    err = CM_ERR_OK;
out_release:
    sodium_memzero(k, sizeof k);
    sodium_memzero(b.data, b.len);
    buf_release(&b);
    return err;
}
