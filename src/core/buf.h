/*
 * buf.h: a growable byte buffer that is always NUL-terminated.
 *
 * Lifecycle (git's strbuf names): `struct buf b = BUF_INIT;` then append,
 * then `buf_release(&b)` to free, or `buf_detach(&b)` to take the bytes.
 */
#ifndef CM_CORE_BUF_H
#define CM_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
    char *data; /* NUL-terminated when cap > 0; NULL when empty */
    size_t len;
    size_t cap;
};

#define BUF_INIT   \
    {              \
        NULL, 0, 0 \
    }

/* Make room for `extra` more bytes plus the NUL. */
void buf_grow(struct buf *b, size_t extra);

/* Append `n` bytes of `p`. */
void buf_add(struct buf *b, const void *p, size_t n);

/* Append the NUL-terminated string `s`. */
void buf_adds(struct buf *b, const char *s);

/* Append one byte. */
void buf_addch(struct buf *b, char c);

/* Append printf-formatted text. */
void buf_addf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void buf_vaddf(struct buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* Empty the buffer, keeping its memory. */
void buf_reset(struct buf *b);

/* The contents as a C string ("" when empty); borrowed from `b`. */
const char *buf_str(const struct buf *b);

/* Take the bytes (caller frees with cm_free); `b` is left empty. Never
 * returns NULL. */
char *buf_detach(struct buf *b, size_t *len);

/* Free the memory; accepts a buffer that was never grown. */
void buf_release(struct buf *b);

#endif
