/*
 * totp.h: time-based one-time passwords (RFC 6238) for the second factor,
 * in the form every authenticator app accepts: HMAC-SHA1, 6 digits, a
 * 30-second step counted from the Unix epoch (T0 = 0), a 20-byte secret
 * shown as base32 (RFC 4648 section 6, no padding) in an otpauth:// URI.
 *
 * HOTP (RFC 4226) is exposed too, because TOTP is HOTP over the step
 * number and the RFC test vectors are given for both.
 *
 * A verified code's step must be stored by the caller and passed back as
 * `last_used_step` next time: a code is accepted at most once (RFC 6238
 * section 5.2).
 */
#ifndef CM_AUTH_TOTP_H
#define CM_AUTH_TOTP_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/errors.h"

#define TOTP_SECRET_BYTES 20
#define TOTP_DIGITS       6
#define TOTP_PERIOD       30

/* The widest verification window accepted, in steps either side. */
#define TOTP_WINDOW_MAX 10

/* The step number of `unix_time`: floor(unix_time / 30); times before the
 * epoch give step 0. */
int64_t totp_step(int64_t unix_time);

/* Fill `out` with a new random secret from the system CSPRNG. */
void totp_secret_new(unsigned char out[TOTP_SECRET_BYTES]);

/* Append the base32 (RFC 4648 section 6 alphabet, upper case, no '='
 * padding) of `n` bytes of `in` to `out`. */
void totp_base32_encode(const unsigned char *in, size_t n, struct buf *out);

/* Decode the base32 text `s` of `len` bytes, appending the bytes to `out`
 * (only on success). Accepts upper or lower case and correct trailing '='
 * padding; rejects any other character, an impossible length or non-zero
 * unused bits with CM_ERR_VALIDATION_FAILED. */
enum cm_err totp_base32_decode(const char *s, size_t len, struct buf *out);

/* Append the key URI an authenticator app reads from a QR code:
 * otpauth://totp/<issuer>:<account>?secret=<base32>&issuer=<issuer>
 * &algorithm=SHA1&digits=6&period=30, with issuer and account
 * percent-encoded (every byte but RFC 3986 unreserved characters). */
void totp_uri(const char *issuer,
              const char *account,
              const unsigned char *secret,
              size_t secret_len,
              struct buf *out);

/* RFC 4226 HOTP: the `digits`-digit value (6 to 9) for `counter` under
 * `secret`, as a number below 10^digits (print it zero-padded). */
uint32_t totp_hotp(const unsigned char *secret,
                   size_t secret_len,
                   uint64_t counter,
                   unsigned digits);

/* The 6-digit TOTP value at `unix_time` (HOTP of totp_step(unix_time)). */
uint32_t
totp_code(const unsigned char *secret, size_t secret_len, int64_t unix_time);

/* The same as a string of exactly 6 digits and a NUL, into `out`. */
void totp_code_string(const unsigned char *secret,
                      size_t secret_len,
                      int64_t unix_time,
                      char out[TOTP_DIGITS + 1]);

/* Check the user's `code` at `unix_time`, allowing `window` steps of clock
 * skew either side (1 is usual; more than TOTP_WINDOW_MAX counts as
 * TOTP_WINDOW_MAX). Candidates are compared in constant time. A code is
 * accepted only if its step is greater than `last_used_step` (pass -1
 * when none was used yet), so a code can never be replayed, nor an older
 * one used after a newer one.
 *
 * Returns CM_ERR_OK and writes the matched step into *matched_step, which
 * the caller stores as the new last_used_step; CM_ERR_VALIDATION_FAILED
 * when `code` is not exactly 6 ASCII digits; CM_ERR_BAD_CREDENTIALS when
 * it is wrong, out of the window, or replayed. */
enum cm_err totp_verify(const unsigned char *secret,
                        size_t secret_len,
                        const char *code,
                        int64_t unix_time,
                        unsigned window,
                        int64_t last_used_step,
                        int64_t *matched_step);

#endif
