/*
 * digest.h: SHA-256 of bytes, and its lower-case hex text.
 *
 * The one place outside the key and token code where a hash is taken of
 * outside bytes (document contents, production manifests), so that
 * libsodium stays behind src/auth.
 */
#ifndef CM_AUTH_DIGEST_H
#define CM_AUTH_DIGEST_H

#include <stddef.h>

/* Bytes of a SHA-256 digest, and of its hex text with the NUL. */
#define DIGEST_SHA256_SIZE     32
#define DIGEST_SHA256_HEX_SIZE (2 * DIGEST_SHA256_SIZE + 1)

/* The SHA-256 of `len` bytes at `data` (NULL allowed when len is 0). */
void digest_sha256(const void *data,
                   size_t len,
                   unsigned char out[DIGEST_SHA256_SIZE]);

/* `h` as 64 lower-case hex characters and a NUL. */
void digest_sha256_hex(const unsigned char h[DIGEST_SHA256_SIZE],
                       char out[DIGEST_SHA256_HEX_SIZE]);

#endif
