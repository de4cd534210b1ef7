/*
 * fuzz_keyfile.c: the master key file (auth/keyfile.h), read by every
 * program that opens the database: keyfile_load_ring and
 * keyfile_load_fieldcrypt read the input through a memory file of mode
 * 0600 (its /proc/self/fd path), so the whole load path runs: the mode
 * check, the size limit, the "compel-key-v1/v2" line, the optional
 * "compel-key-retiring" line, and the field encryption set up from what
 * parsed. A ring that loads has ids from 1 to 255, two different ids when
 * it has a retiring key, and the same current key by both functions.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/fieldcrypt.h"
#include "auth/keyfile.h"
#include "auth/password.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    struct keyring ring;
    struct fieldcrypt fc;
    unsigned char master[KEYFILE_KEY_BYTES];
    char path[64];
    enum cm_err err;
    int fd;

    if (!ready) {
        if (password_lib_init() != CM_ERR_OK)
            abort();
        ready = 1;
    }
    if (size > 8192)
        return 0;
    fd = memfd_create("fuzz_keyfile", 0);
    if (fd < 0)
        return 0;
    if (fchmod(fd, 0600) != 0 ||
        (size > 0 && write(fd, data, size) != (ssize_t)size)) {
        (void)close(fd);
        return 0;
    }
    (void)snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    err = keyfile_load_ring(path, &ring);
    if (err == CM_ERR_OK) {
        if (ring.current_id < 1 || ring.current_id > KEYFILE_ID_MAX ||
            (ring.has_retiring &&
             (ring.retiring_id < 1 || ring.retiring_id > KEYFILE_ID_MAX ||
              ring.retiring_id == ring.current_id)))
            abort();
        if (keyfile_load_fieldcrypt(path, &fc, master) != CM_ERR_OK ||
            memcmp(master, ring.current, sizeof master) != 0)
            abort();
        fieldcrypt_release(&fc);
        keyring_release(&ring);
    } else if (err != CM_ERR_VALIDATION_FAILED && err != CM_ERR_IO) {
        abort();
    }
    (void)close(fd);
    return 0;
}
