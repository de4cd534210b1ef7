/*
 * test_digest.c: SHA-256 against the FIPS 180-2 examples.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sodium.h>

#include "auth/digest.h"

static void
hex_of(const char *text, size_t len, char out[DIGEST_SHA256_HEX_SIZE])
{
    unsigned char h[DIGEST_SHA256_SIZE];

    digest_sha256(text, len, h);
    digest_sha256_hex(h, out);
}

static void
test_known_digests(void **state)
{
    char hex[DIGEST_SHA256_HEX_SIZE];

    (void)state;
    assert_int_not_equal(sodium_init(), -1);
    /* FIPS 180-2, appendix B.1: "abc". */
    hex_of("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223"
                             "b00361a396177a9cb410ff61f20015ad");
    /* The empty message (no bytes, no pointer). */
    hex_of(NULL, 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb924"
                             "27ae41e4649b934ca495991b7852b855");
    /* FIPS 180-2, appendix B.2: the 448-bit message. */
    hex_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex);
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039"
                             "a33ce45964ff2167f6ecedd419db06c1");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_digests),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
