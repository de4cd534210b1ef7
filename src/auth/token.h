/*
 * token.h: bearer secrets (session cookies, CSRF tokens, API tokens, feed
 * tokens) and the hashes under which the store keeps them.
 *
 * A token is 32 random bytes written as 43 characters of base64url. The
 * store never sees a token, only its BLAKE2b-256 hash; audit records carry
 * the hash's first 16 hex digits, never the token.
 */
#ifndef CM_AUTH_TOKEN_H
#define CM_AUTH_TOKEN_H

#include <stdbool.h>
#include <stddef.h>

/* Characters of a token, not counting the NUL. */
#define TOKEN_LEN 43

/* Bytes of a token's hash. */
#define TOKEN_HASH_SIZE 32

/* Characters of the short hex form used in audit records, plus NUL. */
#define TOKEN_HASH_HEX_SIZE 17

/* Write a new random token into `token` and its hash into `hash`. */
void token_new(char token[TOKEN_LEN + 1], unsigned char hash[TOKEN_HASH_SIZE]);

/* Hash `token` into `hash`. False (hash untouched) when `token` is not the
 * shape of a token (43 base64url characters), so garbage never reaches the
 * store. */
bool token_hash(const char *token, unsigned char hash[TOKEN_HASH_SIZE]);

/* The first 8 bytes of `hash` as 16 lowercase hex digits and a NUL. */
void token_hash_hex(const unsigned char hash[TOKEN_HASH_SIZE],
                    char out[TOKEN_HASH_HEX_SIZE]);

/* Constant-time equality of two hashes. */
bool token_hash_equal(const unsigned char a[TOKEN_HASH_SIZE],
                      const unsigned char b[TOKEN_HASH_SIZE]);

/* BLAKE2b-256 of `n` bytes of `data` (request fingerprints for
 * Idempotency-Key). */
void
token_digest(const void *data, size_t n, unsigned char out[TOKEN_HASH_SIZE]);

#endif
