/*
 * hmac_sha256.h: HMAC-SHA256 (RFC 2104 over FIPS 180-4 SHA-256) through
 * libsodium, for signing webhook deliveries: the receiver recomputes the
 * MAC of the body with the shared secret and compares.
 */
#ifndef CM_AUTH_HMAC_SHA256_H
#define CM_AUTH_HMAC_SHA256_H

#include <stddef.h>

/* Bytes of a MAC, and characters of its lowercase hex form plus NUL. */
#define HMAC_SHA256_SIZE     32
#define HMAC_SHA256_HEX_SIZE 65

/* out = HMAC-SHA256(key, msg). Any key length (a key longer than the
 * block is hashed first, as RFC 2104 says). */
void hmac_sha256(const void *key,
                 size_t key_len,
                 const void *msg,
                 size_t msg_len,
                 unsigned char out[HMAC_SHA256_SIZE]);

/* The same, written as 64 lowercase hex digits and a NUL. */
void hmac_sha256_hex(const void *key,
                     size_t key_len,
                     const void *msg,
                     size_t msg_len,
                     char out[HMAC_SHA256_HEX_SIZE]);

#endif
