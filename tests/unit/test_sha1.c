/*
 * test_sha1.c: SHA-1 against the FIPS 180 examples ("abc", the 448-bit
 * two-block message, one million 'a') and HMAC-SHA1 against all seven test
 * cases of RFC 2202 section 3. Expected digests are the published ones.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "auth/hmac_sha1.h"
#include "auth/sha1.h"

static void
to_hex(const unsigned char *b, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[b[i] >> 4];
        out[2 * i + 1] = hex[b[i] & 15];
    }
    out[2 * n] = '\0';
}

static void
check_sha1(const void *data, size_t n, const char *want)
{
    unsigned char d[SHA1_DIGEST_BYTES];
    char hex[2 * SHA1_DIGEST_BYTES + 1];

    sha1_digest(data, n, d);
    to_hex(d, sizeof d, hex);
    assert_string_equal(hex, want);
}

/* FIPS 180-2 Appendix A.1: one block. */
static void
test_sha1_abc(void **state)
{
    (void)state;
    check_sha1("abc", 3, "a9993e364706816aba3e25717850c26c9cd0d89d");
}

/* The empty message (the well-known SHA-1 of ""). */
static void
test_sha1_empty(void **state)
{
    (void)state;
    check_sha1("", 0, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
}

/* FIPS 180-2 Appendix A.2: 448 bits, so the padding needs a second block. */
static void
test_sha1_448_bits(void **state)
{
    static const char msg[] =
        "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

    (void)state;
    assert_int_equal(strlen(msg) * 8, 448);
    check_sha1(msg, strlen(msg), "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
}

/* FIPS 180-2 Appendix A.3: one million 'a', fed in uneven pieces so the
 * partial-block paths of sha1_update are exercised. */
static void
test_sha1_million_a(void **state)
{
    static char chunk[1000];
    struct sha1_ctx ctx;
    unsigned char d[SHA1_DIGEST_BYTES];
    char hex[2 * SHA1_DIGEST_BYTES + 1];
    size_t left = 1000000;
    size_t step = 1;

    (void)state;
    memset(chunk, 'a', sizeof chunk);
    sha1_init(&ctx);
    while (left > 0) {
        size_t take = step < left ? step : left;

        sha1_update(&ctx, chunk, take);
        left -= take;
        step = step % 977 + 13; /* at most 989 */
    }
    sha1_final(&ctx, d);
    to_hex(d, sizeof d, hex);
    assert_string_equal(hex, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

/* Lengths around the 55/56/64-byte padding boundary hash the same whole
 * or byte by byte. */
static void
test_sha1_incremental_matches_one_shot(void **state)
{
    unsigned char msg[130];

    (void)state;
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (unsigned char)(i * 7 + 1);
    for (size_t n = 0; n <= sizeof msg; n++) {
        unsigned char a[SHA1_DIGEST_BYTES];
        unsigned char b[SHA1_DIGEST_BYTES];
        struct sha1_ctx ctx;

        sha1_digest(msg, n, a);
        sha1_init(&ctx);
        for (size_t i = 0; i < n; i++)
            sha1_update(&ctx, msg + i, 1);
        sha1_final(&ctx, b);
        assert_memory_equal(a, b, sizeof a);
    }
}

static void
check_hmac(const void *key,
           size_t key_len,
           const void *data,
           size_t n,
           const char *want)
{
    unsigned char d[HMAC_SHA1_BYTES];
    char hex[2 * HMAC_SHA1_BYTES + 1];

    hmac_sha1(key, key_len, data, n, d);
    to_hex(d, sizeof d, hex);
    assert_string_equal(hex, want);
}

/* RFC 2202 section 3, test cases 1 to 7. */
static void
test_hmac_sha1_rfc2202(void **state)
{
    unsigned char key[80];
    unsigned char data[50];

    (void)state;
    memset(key, 0x0b, 20);
    check_hmac(key, 20, "Hi There", 8,
               "b617318655057264e28bc0b6fb378c8ef146be00");
    check_hmac("Jefe", 4, "what do ya want for nothing?", 28,
               "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
    memset(key, 0xaa, 20);
    memset(data, 0xdd, 50);
    check_hmac(key, 20, data, 50, "125d7342b9ac11cd91a39af48aa17b4f63f175d3");
    for (unsigned i = 0; i < 25; i++)
        key[i] = (unsigned char)(i + 1);
    memset(data, 0xcd, 50);
    check_hmac(key, 25, data, 50, "4c9007f4026250c6bc8414f9bf50c86c2d7235da");
    memset(key, 0x0c, 20);
    check_hmac(key, 20, "Test With Truncation", 20,
               "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04");
    /* Keys longer than the 64-byte block are hashed first. */
    memset(key, 0xaa, 80);
    check_hmac(key, 80,
               "Test Using Larger Than Block-Size Key - Hash Key First", 54,
               "aa4ae5e15272d00e95705637ce8a3b55ed402112");
    check_hmac(key, 80,
               "Test Using Larger Than Block-Size Key and Larger Than One "
               "Block-Size Data",
               73, "e8e99d0f45237d786d6bbaa7965c7808bbff1a91");
}

/* The streaming interface gives the one-shot result. */
static void
test_hmac_sha1_incremental(void **state)
{
    struct hmac_sha1_ctx ctx;
    unsigned char a[HMAC_SHA1_BYTES];
    unsigned char b[HMAC_SHA1_BYTES];

    (void)state;
    hmac_sha1("Jefe", 4, "what do ya want for nothing?", 28, a);
    hmac_sha1_init(&ctx, "Jefe", 4);
    hmac_sha1_update(&ctx, "what do ya ", 11);
    hmac_sha1_update(&ctx, "want for nothing?", 17);
    hmac_sha1_final(&ctx, b);
    assert_memory_equal(a, b, sizeof a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha1_abc),
        cmocka_unit_test(test_sha1_empty),
        cmocka_unit_test(test_sha1_448_bits),
        cmocka_unit_test(test_sha1_million_a),
        cmocka_unit_test(test_sha1_incremental_matches_one_shot),
        cmocka_unit_test(test_hmac_sha1_rfc2202),
        cmocka_unit_test(test_hmac_sha1_incremental),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
