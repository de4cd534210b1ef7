/*
 * test_checkpoint.c: signed audit checkpoints: the exact text, round
 * trips, every one-byte change of a checkpoint rejected, another signer's
 * key rejected, truncated and extended files rejected, and the public key
 * as hex.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "audit/checkpoint.h"
#include "auth/password.h"

static unsigned char master[CHECKPOINT_MASTER_BYTES];
static unsigned char master2[CHECKPOINT_MASTER_BYTES];
static unsigned char head[AUDIT_HASH_BYTES];

/* 2026-11-28T10:00:00Z is 1795860000 s after the epoch (20785 days of
 * 86400 s to 2026-11-28, plus 10 hours), so this is .123456 s later. */
#define AT_US INT64_C(1795860000123456)

static int
setup(void **state)
{
    (void)state;
    for (unsigned i = 0; i < sizeof master; i++) {
        master[i] = (unsigned char)(i + 1);
        master2[i] = (unsigned char)(200 - i);
    }
    /* A head hash whose base64 is easy to check: bytes 0, 1, ..., 31. */
    for (unsigned i = 0; i < sizeof head; i++)
        head[i] = (unsigned char)i;
    return password_lib_init() == CM_ERR_OK ? 0 : -1;
}

static void
sign(const unsigned char *m,
     const char *origin,
     int64_t size,
     int64_t at_us,
     struct buf *out)
{
    assert_int_equal(checkpoint_sign(m, origin, size, head, at_us, out),
                     CM_ERR_OK);
}

static void
test_text_format(void **state)
{
    struct buf t = BUF_INIT;
    const char *want_body =
        "compel-audit-checkpoint/v1\n"
        "compel.example.gov/audit\n"
        "42\n"
        /* base64 of the bytes 0x00..0x1f (RFC 4648 alphabet, padded) */
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n"
        "2026-11-28T10:00:00.123456Z\n"
        "\n";
    const char *sig;

    (void)state;
    sign(master, "compel.example.gov/audit", 42, AT_US, &t);
    assert_true(t.len > strlen(want_body));
    assert_memory_equal(t.data, want_body, strlen(want_body));
    sig = t.data + strlen(want_body);
    /* "— compel " (U+2014 EM DASH), 92 base64 characters of 68 bytes, and
     * the final newline. */
    assert_memory_equal(sig, "\xe2\x80\x94 compel ", 11);
    assert_int_equal(strlen(sig), 11 + 92 + 1);
    assert_int_equal(sig[11 + 92], '\n');
    /* Ed25519 is deterministic: the same checkpoint, the same text. */
    {
        struct buf again = BUF_INIT;

        sign(master, "compel.example.gov/audit", 42, AT_US, &again);
        assert_int_equal(again.len, t.len);
        assert_memory_equal(again.data, t.data, t.len);
        buf_release(&again);
    }
    buf_release(&t);
}

static void
check_round_trip(const char *origin,
                 int64_t size,
                 int64_t at_us,
                 const char *want_time)
{
    unsigned char pk[CHECKPOINT_PUBLIC_BYTES];
    struct buf t = BUF_INIT;
    struct checkpoint cp;

    assert_int_equal(checkpoint_public_key(master, pk), CM_ERR_OK);
    sign(master, origin, size, at_us, &t);
    assert_non_null(strstr(buf_str(&t), want_time));
    memset(&cp, 0, sizeof cp);
    assert_int_equal(checkpoint_parse_verify(pk, t.data, t.len, &cp),
                     CM_ERR_OK);
    assert_string_equal(cp.origin, origin);
    assert_int_equal(cp.size, size);
    assert_memory_equal(cp.head, head, sizeof head);
    assert_int_equal(cp.at_us, at_us);
    buf_release(&t);
}

static void
test_round_trip(void **state)
{
    (void)state;
    check_round_trip("compel.example.gov/audit", 42, AT_US,
                     "\n2026-11-28T10:00:00.123456Z\n");
    /* The epoch, and an empty chain. */
    check_round_trip("x", 0, 0, "\n0\n");
    check_round_trip("x", 0, 0, "\n1970-01-01T00:00:00.000000Z\n");
    /* 2024-01-01T00:00:00Z is 1704067200 s; 2024 is a leap year, so
     * February 29 is 31 + 28 = 59 days later: 1709164800 s, and its last
     * microsecond is 86399.999999 s after that. */
    check_round_trip("x", 7, INT64_C(1709251199999999),
                     "\n2024-02-29T23:59:59.999999Z\n");
    /* The largest size and the latest time. */
    check_round_trip("x", INT64_MAX, CHECKPOINT_AT_US_MAX,
                     "\n9999-12-31T23:59:59.999999Z\n");
    check_round_trip("x", INT64_MAX, CHECKPOINT_AT_US_MAX,
                     "\n9223372036854775807\n");
}

/* Every single-byte change of a checkpoint file (all 255 other values at
 * every position) is rejected, or parses to exactly the same values. */
static void
test_every_byte_change(void **state)
{
    unsigned char pk[CHECKPOINT_PUBLIC_BYTES];
    struct buf t = BUF_INIT;
    struct checkpoint ref;
    size_t accepted_same = 0;

    (void)state;
    assert_int_equal(checkpoint_public_key(master, pk), CM_ERR_OK);
    sign(master, "compel.example.gov/audit", 1234, AT_US, &t);
    assert_int_equal(checkpoint_parse_verify(pk, t.data, t.len, &ref),
                     CM_ERR_OK);
    for (size_t i = 0; i < t.len; i++) {
        char orig = t.data[i];

        for (unsigned v = 0; v < 256; v++) {
            struct checkpoint cp;
            enum cm_err err;

            if ((char)v == orig)
                continue;
            t.data[i] = (char)v;
            err = checkpoint_parse_verify(pk, t.data, t.len, &cp);
            if (err == CM_ERR_OK) {
                assert_string_equal(cp.origin, ref.origin);
                assert_int_equal(cp.size, ref.size);
                assert_memory_equal(cp.head, ref.head, sizeof ref.head);
                assert_int_equal(cp.at_us, ref.at_us);
                accepted_same++;
            } else {
                assert_int_equal(err, CM_ERR_VALIDATION_FAILED);
            }
        }
        t.data[i] = orig;
    }
    /* Canonical base64 and decimal leave no equivalent spelling. */
    assert_int_equal(accepted_same, 0);
    buf_release(&t);
}

static void
test_other_key_rejected(void **state)
{
    unsigned char pk[CHECKPOINT_PUBLIC_BYTES];
    unsigned char pk2[CHECKPOINT_PUBLIC_BYTES];
    struct buf t = BUF_INIT;
    struct checkpoint cp;

    (void)state;
    assert_int_equal(checkpoint_public_key(master, pk), CM_ERR_OK);
    assert_int_equal(checkpoint_public_key(master2, pk2), CM_ERR_OK);
    assert_memory_not_equal(pk, pk2, sizeof pk);
    sign(master2, "compel.example.gov/audit", 5, AT_US, &t);
    assert_int_equal(checkpoint_parse_verify(pk2, t.data, t.len, &cp),
                     CM_ERR_OK);
    cp.size = -1;
    assert_int_equal(checkpoint_parse_verify(pk, t.data, t.len, &cp),
                     CM_ERR_VALIDATION_FAILED);
    /* Written only on success. */
    assert_int_equal(cp.size, -1);
    buf_release(&t);
}

static void
test_truncated_and_extended(void **state)
{
    unsigned char pk[CHECKPOINT_PUBLIC_BYTES];
    struct buf t = BUF_INIT;
    struct buf x = BUF_INIT;
    struct checkpoint cp;

    (void)state;
    assert_int_equal(checkpoint_public_key(master, pk), CM_ERR_OK);
    sign(master, "compel.example.gov/audit", 99, AT_US, &t);
    for (size_t n = 0; n < t.len; n++)
        assert_int_equal(checkpoint_parse_verify(pk, t.data, n, &cp),
                         CM_ERR_VALIDATION_FAILED);
    assert_int_equal(checkpoint_parse_verify(pk, NULL, 0, &cp),
                     CM_ERR_VALIDATION_FAILED);
    /* Anything after the signature line: a byte, a newline, a second
     * signature line. */
    buf_add(&x, t.data, t.len);
    buf_addch(&x, 'x');
    assert_int_equal(checkpoint_parse_verify(pk, x.data, x.len, &cp),
                     CM_ERR_VALIDATION_FAILED);
    buf_reset(&x);
    buf_add(&x, t.data, t.len);
    buf_addch(&x, '\n');
    assert_int_equal(checkpoint_parse_verify(pk, x.data, x.len, &cp),
                     CM_ERR_VALIDATION_FAILED);
    buf_reset(&x);
    buf_add(&x, t.data, t.len);
    buf_add(&x, t.data + t.len - 104, 104);
    assert_int_equal(checkpoint_parse_verify(pk, x.data, x.len, &cp),
                     CM_ERR_VALIDATION_FAILED);
    /* CRLF line ends (a file through a Windows editor). */
    buf_reset(&x);
    for (size_t i = 0; i < t.len; i++) {
        if (t.data[i] == '\n')
            buf_addch(&x, '\r');
        buf_addch(&x, t.data[i]);
    }
    assert_int_equal(checkpoint_parse_verify(pk, x.data, x.len, &cp),
                     CM_ERR_VALIDATION_FAILED);
    /* A huge input is refused before parsing. */
    buf_reset(&x);
    for (int i = 0; i < 10; i++)
        buf_add(&x, t.data, t.len);
    assert_int_equal(checkpoint_parse_verify(pk, x.data, x.len, &cp),
                     CM_ERR_VALIDATION_FAILED);
    buf_release(&x);
    buf_release(&t);
}

static void
test_sign_rejects_bad_values(void **state)
{
    struct buf t = BUF_INIT;
    char long_origin[CHECKPOINT_ORIGIN_MAX + 2];

    (void)state;
    memset(long_origin, 'o', sizeof long_origin - 1);
    long_origin[sizeof long_origin - 1] = '\0';
    assert_int_equal(checkpoint_sign(master, "", 1, head, AT_US, &t),
                     CM_ERR_VALIDATION_FAILED);
    assert_int_equal(checkpoint_sign(master, "has space", 1, head, AT_US, &t),
                     CM_ERR_VALIDATION_FAILED);
    assert_int_equal(checkpoint_sign(master, "two\nlines", 1, head, AT_US, &t),
                     CM_ERR_VALIDATION_FAILED);
    assert_int_equal(checkpoint_sign(master, long_origin, 1, head, AT_US, &t),
                     CM_ERR_VALIDATION_FAILED);
    long_origin[CHECKPOINT_ORIGIN_MAX] = '\0';
    assert_int_equal(checkpoint_sign(master, long_origin, 1, head, AT_US, &t),
                     CM_ERR_OK);
    buf_reset(&t);
    assert_int_equal(checkpoint_sign(master, "x", -1, head, AT_US, &t),
                     CM_ERR_VALIDATION_FAILED);
    assert_int_equal(checkpoint_sign(master, "x", 1, head, -1, &t),
                     CM_ERR_VALIDATION_FAILED);
    assert_int_equal(
        checkpoint_sign(master, "x", 1, head, CHECKPOINT_AT_US_MAX + 1, &t),
        CM_ERR_VALIDATION_FAILED);
    assert_int_equal(t.len, 0);
    buf_release(&t);
}

static void
test_public_key_hex(void **state)
{
    unsigned char pk[CHECKPOINT_PUBLIC_BYTES];
    unsigned char back[CHECKPOINT_PUBLIC_BYTES];
    char hex[2 * CHECKPOINT_PUBLIC_BYTES + 1];
    char fp[CHECKPOINT_FINGERPRINT_LEN + 1];
    char fp2[CHECKPOINT_FINGERPRINT_LEN + 1];
    struct buf t = BUF_INIT;
    struct checkpoint cp;

    (void)state;
    assert_int_equal(checkpoint_public_key(master, pk), CM_ERR_OK);
    checkpoint_public_key_hex(pk, hex);
    assert_int_equal(strlen(hex), 64);
    assert_int_equal(strspn(hex, "0123456789abcdef"), 64);
    /* A verifier holding only the hex verifies a checkpoint. */
    assert_int_equal(checkpoint_public_key_from_hex(hex, back), CM_ERR_OK);
    assert_memory_equal(back, pk, sizeof pk);
    sign(master, "x", 3, AT_US, &t);
    assert_int_equal(checkpoint_parse_verify(back, t.data, t.len, &cp),
                     CM_ERR_OK);
    hex[63] = '\0';
    assert_int_equal(checkpoint_public_key_from_hex(hex, back),
                     CM_ERR_VALIDATION_FAILED);
    hex[63] = 'g';
    assert_int_equal(checkpoint_public_key_from_hex(hex, back),
                     CM_ERR_VALIDATION_FAILED);
    checkpoint_fingerprint(pk, fp);
    assert_int_equal(strlen(fp), CHECKPOINT_FINGERPRINT_LEN);
    assert_int_equal(strspn(fp, "0123456789abcdef"), 16);
    assert_int_equal(checkpoint_public_key(master2, back), CM_ERR_OK);
    checkpoint_fingerprint(back, fp2);
    assert_string_not_equal(fp, fp2);
    buf_release(&t);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_format),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_every_byte_change),
        cmocka_unit_test(test_other_key_rejected),
        cmocka_unit_test(test_truncated_and_extended),
        cmocka_unit_test(test_sign_rejects_bad_values),
        cmocka_unit_test(test_public_key_hex),
    };

    return cmocka_run_group_tests(tests, setup, NULL);
}
