/*
 * keyfile.c: create, load and atomically rewrite the master key file
 * (format in keyfile.h).
 */
#include "auth/keyfile.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/fieldcrypt.h"
#include "core/buf.h"
#include "core/file.h"

#define TAG_V1       "compel-key-v1 "
#define TAG_V2       "compel-key-v2 "
#define TAG_RETIRING "compel-key-retiring "
#define HEX_LEN      (2 * KEYFILE_KEY_BYTES)

/* Longest file accepted: two lines of at most 20 + 4 + 64 + 1 bytes. */
#define KEYFILE_MAX 4096

/* Append "<hex>" of `key` to `out`. */
static void
add_hex(struct buf *out, const unsigned char key[KEYFILE_KEY_BYTES])
{
    char hex[HEX_LEN + 1];

    (void)sodium_bin2hex(hex, sizeof hex, key, KEYFILE_KEY_BYTES);
    buf_add(out, hex, HEX_LEN);
    sodium_memzero(hex, sizeof hex);
}

static bool
is_valid_id(unsigned id)
{
    return id >= 1 && id <= KEYFILE_ID_MAX;
}

/* The text of `ring` into `out`. */
static void
format_ring(const struct keyring *ring, struct buf *out)
{
    if (ring->current_id == 1) {
        buf_adds(out, TAG_V1);
    } else {
        buf_adds(out, TAG_V2);
        buf_addf(out, "%u ", ring->current_id);
    }
    add_hex(out, ring->current);
    buf_addch(out, '\n');
    if (ring->has_retiring) {
        buf_adds(out, TAG_RETIRING);
        buf_addf(out, "%u ", ring->retiring_id);
        add_hex(out, ring->retiring);
        buf_addch(out, '\n');
    }
}

enum cm_err
keyfile_create(const char *path)
{
    struct keyring ring = {.current_id = 1};
    struct buf text = BUF_INIT;
    enum cm_err err;

    randombytes_buf(ring.current, sizeof ring.current);
    format_ring(&ring, &text);
    err = file_write_new(path, text.data, text.len, 0600);
    sodium_memzero(text.data, text.len);
    buf_release(&text);
    keyring_release(&ring);
    return err;
}

/* Parse a key id at *p (1 to 3 digits, no leading zero, 1 ... 255)
 * followed by a space; advances *p past the space. */
static bool
parse_id(const char **p, const char *end, unsigned *out)
{
    const char *s = *p;
    unsigned v = 0;
    size_t n = 0;

    while (s + n < end && n < 4 && s[n] >= '0' && s[n] <= '9') {
        v = v * 10u + (unsigned)(s[n] - '0');
        n++;
    }
    if (n == 0 || n > 3 || s[0] == '0' || s + n >= end || s[n] != ' ' ||
        !is_valid_id(v))
        return false;
    *p = s + n + 1;
    *out = v;
    return true;
}

/* Parse exactly HEX_LEN hex digits then "\n" at *p into `key`; advances
 * *p past the newline. */
static bool
parse_key(const char **p, const char *end, unsigned char key[KEYFILE_KEY_BYTES])
{
    size_t got = 0;

    if (end - *p < HEX_LEN + 1 || (*p)[HEX_LEN] != '\n')
        return false;
    for (size_t i = 0; i < HEX_LEN; i++) {
        char c = (*p)[i];

        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    if (sodium_hex2bin(key, KEYFILE_KEY_BYTES, *p, HEX_LEN, NULL, &got, NULL) !=
            0 ||
        got != KEYFILE_KEY_BYTES)
        return false;
    *p += HEX_LEN + 1;
    return true;
}

static bool
has_prefix(const char *p, const char *end, const char *tag)
{
    size_t n = strlen(tag);

    return (size_t)(end - p) >= n && memcmp(p, tag, n) == 0;
}

static bool
parse_ring(const char *p, const char *end, struct keyring *r)
{
    if (has_prefix(p, end, TAG_V1)) {
        p += strlen(TAG_V1);
        r->current_id = 1;
    } else if (has_prefix(p, end, TAG_V2)) {
        p += strlen(TAG_V2);
        /* Id 1 is always written as v1. */
        if (!parse_id(&p, end, &r->current_id) || r->current_id == 1)
            return false;
    } else {
        return false;
    }
    if (!parse_key(&p, end, r->current))
        return false;
    if (p == end)
        return true;
    if (!has_prefix(p, end, TAG_RETIRING))
        return false;
    p += strlen(TAG_RETIRING);
    if (!parse_id(&p, end, &r->retiring_id) ||
        r->retiring_id == r->current_id || !parse_key(&p, end, r->retiring))
        return false;
    r->has_retiring = true;
    return p == end;
}

enum cm_err
keyfile_load_ring(const char *path, struct keyring *ring)
{
    struct keyring r = {0};
    struct buf b = BUF_INIT;
    struct stat st;
    enum cm_err err = CM_ERR_VALIDATION_FAILED;

    if (stat(path, &st) != 0)
        return CM_ERR_IO;
    if ((st.st_mode & 077) != 0)
        return CM_ERR_VALIDATION_FAILED;
    if (file_read_all(path, KEYFILE_MAX, &b) != CM_ERR_OK)
        return CM_ERR_IO;
    if (b.len > 0 && parse_ring(b.data, b.data + b.len, &r)) {
        *ring = r;
        err = CM_ERR_OK;
    }
    keyring_release(&r);
    if (b.data)
        sodium_memzero(b.data, b.len);
    buf_release(&b);
    return err;
}

enum cm_err
keyfile_load(const char *path, unsigned char key[KEYFILE_KEY_BYTES])
{
    struct keyring r;
    enum cm_err err = keyfile_load_ring(path, &r);

    if (err == CM_ERR_OK)
        memcpy(key, r.current, sizeof r.current);
    keyring_release(&r);
    return err;
}

enum cm_err
keyfile_load_fieldcrypt(const char *path,
                        struct fieldcrypt *fc,
                        unsigned char master[KEYFILE_KEY_BYTES])
{
    struct keyring r;
    struct fieldcrypt k;
    enum cm_err err = keyfile_load_ring(path, &r);

    if (err != CM_ERR_OK)
        return err;
    err = fieldcrypt_init_key(&k, r.current, r.current_id);
    if (err == CM_ERR_OK && r.has_retiring)
        err = fieldcrypt_add_retiring(&k, r.retiring, r.retiring_id);
    if (err == CM_ERR_OK) {
        *fc = k;
        if (master)
            memcpy(master, r.current, sizeof r.current);
    } else {
        err = CM_ERR_INTERNAL;
    }
    fieldcrypt_release(&k);
    keyring_release(&r);
    return err;
}

/* Write all of `data` to `fd`; false on failure. */
static bool
write_all(int fd, const void *data, size_t n)
{
    const char *p = data;

    while (n > 0) {
        ssize_t w = write(fd, p, n);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

/* fsync the directory holding `path`. */
static bool
sync_dir_of(const char *path)
{
    struct buf dir = BUF_INIT;
    const char *slash = strrchr(path, '/');
    bool ok;
    int fd;

    if (slash == NULL)
        buf_adds(&dir, ".");
    else if (slash == path)
        buf_adds(&dir, "/");
    else
        buf_add(&dir, path, (size_t)(slash - path));
    fd = open(buf_str(&dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    buf_release(&dir);
    if (fd < 0)
        return false;
    ok = fsync(fd) == 0;
    (void)close(fd);
    return ok;
}

/* Overwrite the whole file open at `fd` with zeros and fsync it. */
static void
wipe_fd(int fd)
{
    static const char zeros[256];
    struct stat st;
    off_t left;

    if (fstat(fd, &st) != 0 || lseek(fd, 0, SEEK_SET) != 0)
        return;
    left = st.st_size;
    while (left > 0) {
        size_t n = left < (off_t)sizeof zeros ? (size_t)left : sizeof zeros;

        if (!write_all(fd, zeros, n))
            return;
        left -= (off_t)n;
    }
    (void)fsync(fd);
}

enum cm_err
keyfile_write_ring(const char *path, const struct keyring *ring)
{
    struct buf text = BUF_INIT;
    struct buf tmp = BUF_INIT;
    enum cm_err err = CM_ERR_IO;
    int old = -1;
    int fd = -1;

    if (!is_valid_id(ring->current_id) ||
        (ring->has_retiring && (!is_valid_id(ring->retiring_id) ||
                                ring->retiring_id == ring->current_id)))
        return CM_ERR_USAGE;
    format_ring(ring, &text);
    buf_addf(&tmp, "%s.tmp", path);
    /* A PATH.tmp left by a crash is half a key file at most: replace it. */
    (void)unlink(buf_str(&tmp));
    fd = open(buf_str(&tmp), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        goto out_release;
    if (!write_all(fd, text.data, text.len) || fsync(fd) != 0)
        goto out_unlink;
    if (close(fd) != 0) {
        fd = -1;
        goto out_unlink;
    }
    fd = -1;
    old = open(path, O_WRONLY | O_CLOEXEC);
    if (rename(buf_str(&tmp), path) != 0)
        goto out_unlink;
    if (!sync_dir_of(path))
        goto out_close_old;
    if (old >= 0)
        wipe_fd(old);
    err = CM_ERR_OK;
    goto out_close_old;
out_unlink:
    if (fd >= 0)
        (void)close(fd);
    (void)unlink(buf_str(&tmp));
out_close_old:
    if (old >= 0)
        (void)close(old);
out_release:
    sodium_memzero(text.data, text.len);
    buf_release(&text);
    buf_release(&tmp);
    return err;
}

void
keyring_release(struct keyring *ring)
{
    if (ring != NULL)
        sodium_memzero(ring, sizeof *ring);
}
