/*
 * totp.c: RFC 4226 HOTP and RFC 6238 TOTP over HMAC-SHA1, base32 (RFC 4648)
 * and the otpauth:// key URI of Google Authenticator's Key-Uri-Format that
 * authenticator apps share.
 */
#include "auth/totp.h"

#include <sodium.h>
#include <string.h>

#include "auth/hmac_sha1.h"

static const char b32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

int64_t
totp_step(int64_t unix_time)
{
    return unix_time < 0 ? 0 : unix_time / TOTP_PERIOD;
}

void
totp_secret_new(unsigned char out[TOTP_SECRET_BYTES])
{
    randombytes_buf(out, TOTP_SECRET_BYTES);
}

void
totp_base32_encode(const unsigned char *in, size_t n, struct buf *out)
{
    uint32_t acc = 0;
    unsigned bits = 0;

    for (size_t i = 0; i < n; i++) {
        acc = (acc << 8) | in[i];
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            buf_addch(out, b32_alphabet[(acc >> bits) & 31u]);
        }
    }
    if (bits > 0)
        buf_addch(out, b32_alphabet[(acc << (5 - bits)) & 31u]);
}

static int
b32_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a';
    if (c >= '2' && c <= '7')
        return c - '2' + 26;
    return -1;
}

enum cm_err
totp_base32_decode(const char *s, size_t len, struct buf *out)
{
    struct buf tmp = BUF_INIT;
    enum cm_err err = CM_ERR_VALIDATION_FAILED;
    uint32_t acc = 0;
    unsigned bits = 0;
    size_t chars = len;
    size_t rem;

    /* Padding, when present, completes the last 8-character group. */
    while (chars > 0 && s[chars - 1] == '=')
        chars--;
    if (chars < len && (len % 8 != 0 || len - chars > 6))
        goto out_release;
    /* A final group of 1, 3 or 6 characters cannot come from whole
     * bytes (RFC 4648 section 6, cases 1 to 5). */
    rem = chars % 8;
    if (rem == 1 || rem == 3 || rem == 6)
        goto out_release;
    if (chars < len && (len - chars) != (8 - rem) % 8)
        goto out_release;
    for (size_t i = 0; i < chars; i++) {
        int v = b32_value(s[i]);

        if (v < 0)
            goto out_release;
        acc = (acc << 5) | (uint32_t)v;
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            buf_addch(&tmp, (char)(unsigned char)(acc >> bits));
        }
    }
    /* Left-over bits are padding and must be zero (canonical input). */
    if ((acc & ((1u << bits) - 1u)) != 0)
        goto out_release;
    if (tmp.len > 0)
        buf_add(out, tmp.data, tmp.len);
    err = CM_ERR_OK;
out_release:
    if (tmp.data != NULL)
        sodium_memzero(tmp.data, tmp.len);
    buf_release(&tmp);
    return err;
}

static void
add_percent_encoded(struct buf *out, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";

    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        unsigned char c = *p;

        /* RFC 3986 section 2.3 unreserved characters pass through. */
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
            c == '~') {
            buf_addch(out, (char)c);
        } else {
            buf_addch(out, '%');
            buf_addch(out, hex[c >> 4]);
            buf_addch(out, hex[c & 15u]);
        }
    }
}

void
totp_uri(const char *issuer,
         const char *account,
         const unsigned char *secret,
         size_t secret_len,
         struct buf *out)
{
    buf_adds(out, "otpauth://totp/");
    add_percent_encoded(out, issuer);
    buf_addch(out, ':');
    add_percent_encoded(out, account);
    buf_adds(out, "?secret=");
    totp_base32_encode(secret, secret_len, out);
    buf_adds(out, "&issuer=");
    add_percent_encoded(out, issuer);
    buf_adds(out, "&algorithm=SHA1&digits=6&period=30");
}

uint32_t
totp_hotp(const unsigned char *secret,
          size_t secret_len,
          uint64_t counter,
          unsigned digits)
{
    unsigned char msg[8];
    unsigned char mac[HMAC_SHA1_BYTES];
    uint32_t mod = 1;
    uint32_t bin;
    unsigned offset;

    if (digits < 6)
        digits = 6;
    if (digits > 9)
        digits = 9;
    for (unsigned i = 0; i < digits; i++)
        mod *= 10u;
    /* RFC 4226 section 5.3: the counter as 8 big-endian bytes, then
     * dynamic truncation of the HMAC to 31 bits. */
    for (unsigned i = 0; i < 8; i++)
        msg[i] = (unsigned char)(counter >> (56 - 8 * i));
    hmac_sha1(secret, secret_len, msg, sizeof msg, mac);
    offset = mac[HMAC_SHA1_BYTES - 1] & 0x0fu;
    bin = (uint32_t)(mac[offset] & 0x7fu) << 24 |
          (uint32_t)mac[offset + 1] << 16 | (uint32_t)mac[offset + 2] << 8 |
          (uint32_t)mac[offset + 3];
    sodium_memzero(mac, sizeof mac);
    return bin % mod;
}

uint32_t
totp_code(const unsigned char *secret, size_t secret_len, int64_t unix_time)
{
    return totp_hotp(secret, secret_len, (uint64_t)totp_step(unix_time),
                     TOTP_DIGITS);
}

static void
format_code(uint32_t v, char out[TOTP_DIGITS + 1])
{
    for (int i = TOTP_DIGITS - 1; i >= 0; i--) {
        out[i] = (char)('0' + v % 10u);
        v /= 10u;
    }
    out[TOTP_DIGITS] = '\0';
}

void
totp_code_string(const unsigned char *secret,
                 size_t secret_len,
                 int64_t unix_time,
                 char out[TOTP_DIGITS + 1])
{
    format_code(totp_code(secret, secret_len, unix_time), out);
}

enum cm_err
totp_verify(const unsigned char *secret,
            size_t secret_len,
            const char *code,
            int64_t unix_time,
            unsigned window,
            int64_t last_used_step,
            int64_t *matched_step)
{
    int64_t now = totp_step(unix_time);
    int64_t found = -1;
    int64_t w;

    if (code == NULL || strnlen(code, TOTP_DIGITS + 1) != TOTP_DIGITS)
        return CM_ERR_VALIDATION_FAILED;
    for (size_t i = 0; i < TOTP_DIGITS; i++) {
        if (code[i] < '0' || code[i] > '9')
            return CM_ERR_VALIDATION_FAILED;
    }
    if (window > TOTP_WINDOW_MAX)
        window = TOTP_WINDOW_MAX;
    w = (int64_t)window;
    /* Every candidate is computed and compared, so the time taken does not
     * say which step (if any) matched. The earliest usable match wins. */
    for (int64_t s = now - w; s <= now + w; s++) {
        char want[TOTP_DIGITS + 1];
        int same;

        if (s < 0)
            continue;
        format_code(totp_hotp(secret, secret_len, (uint64_t)s, TOTP_DIGITS),
                    want);
        same = sodium_memcmp(want, code, TOTP_DIGITS) == 0;
        sodium_memzero(want, sizeof want);
        if (same && s > last_used_step && found < 0)
            found = s;
    }
    if (found < 0)
        return CM_ERR_BAD_CREDENTIALS;
    *matched_step = found;
    return CM_ERR_OK;
}
