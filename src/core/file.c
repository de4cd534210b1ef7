/*
 * file.c: whole-file reads and exclusive, durable writes.
 */
#include "core/file.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

enum cm_err
file_read_all(const char *path, size_t max, struct buf *out)
{
    struct buf b = BUF_INIT;
    char chunk[8192];
    enum cm_err err = CM_ERR_OK;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return CM_ERR_IO;
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            err = CM_ERR_IO;
            goto out_close;
        }
        if (n == 0)
            break;
        if (b.len + (size_t)n > max) {
            err = CM_ERR_IO;
            goto out_close;
        }
        buf_add(&b, chunk, (size_t)n);
    }
    if (!b.data) {
        buf_grow(&b, 0); /* an empty file: still a string, "" */
        b.data[0] = '\0';
    }
    (void)close(fd);
    *out = b;
    return CM_ERR_OK;
out_close:
    (void)close(fd);
    buf_release(&b);
    return err;
}

enum cm_err
file_write_new(const char *path, const void *data, size_t n, unsigned mode)
{
    const char *p = data;
    size_t off = 0;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, (mode_t)mode);

    if (fd < 0)
        return errno == EEXIST ? CM_ERR_ALREADY_EXISTS : CM_ERR_IO;
    while (off < n) {
        ssize_t w = write(fd, p + off, n - off);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            goto out_unlink;
        off += (size_t)w;
    }
    if (fsync(fd) != 0)
        goto out_unlink;
    if (close(fd) != 0) {
        fd = -1;
        goto out_unlink;
    }
    return CM_ERR_OK;
out_unlink:
    if (fd >= 0)
        (void)close(fd);
    (void)unlink(path);
    return CM_ERR_IO;
}

bool
file_exists(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0;
}
