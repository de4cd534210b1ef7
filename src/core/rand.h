/*
 * rand.h: random bytes from the kernel's CSPRNG, and opaque random ids.
 */
#ifndef CM_CORE_RAND_H
#define CM_CORE_RAND_H

#include <stddef.h>

/* Fill `out` with `n` bytes from getrandom(2); aborts if the kernel cannot
 * supply them (there is no safe fallback). */
void cm_random_bytes(void *out, size_t n);

/* Length of an id string, not counting the NUL. */
#define CM_ID_LEN 22

/* Write a new opaque id (16 random bytes, base64url without padding, 22
 * characters) and a NUL into `out`. */
void cm_id_new(char out[CM_ID_LEN + 1]);

/* base64url without padding of `n` bytes into `out`, which must hold
 * 4 * ((n + 2) / 3) + 1 bytes; returns the length written. */
size_t cm_base64url(const unsigned char *in, size_t n, char *out);

#endif
