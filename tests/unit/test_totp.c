/*
 * test_totp.c: TOTP and HOTP against the RFC test vectors (RFC 6238
 * Appendix B, SHA1 rows; RFC 4226 Appendix D), base32 against RFC 4648
 * section 10, the otpauth:// URI, and verification: window edges, replay
 * rejection and malformed codes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "auth/password.h"
#include "auth/totp.h"

/* The 20-byte ASCII secret of both RFCs' test vectors. */
static const unsigned char rfc_secret[] = "12345678901234567890";
#define RFC_SECRET_LEN 20

static int
setup(void **state)
{
    (void)state;
    return password_lib_init() == CM_ERR_OK ? 0 : -1;
}

/* RFC 6238 Appendix B, the SHA1 column: the RFC prints 8-digit codes. */
static void
test_totp_rfc6238_eight_digits(void **state)
{
    static const struct {
        int64_t t;
        uint32_t code;
    } v[] = {
        {59, 94287082u},         {1111111109, 7081804u},
        {1111111111, 14050471u}, {1234567890, 89005924u},
        {2000000000, 69279037u}, {INT64_C(20000000000), 65353130u},
    };

    (void)state;
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        uint64_t step = (uint64_t)(v[i].t / 30);

        assert_int_equal(totp_hotp(rfc_secret, RFC_SECRET_LEN, step, 8),
                         v[i].code);
    }
}

/* The same rows as 6-digit codes: the last six digits of the RFC's values
 * (the value mod 10^6), printed zero-padded. */
static void
test_totp_rfc6238_six_digits(void **state)
{
    static const struct {
        int64_t t;
        const char *code;
    } v[] = {
        {59, "287082"},         {1111111109, "081804"},
        {1111111111, "050471"}, {1234567890, "005924"},
        {2000000000, "279037"}, {INT64_C(20000000000), "353130"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char s[TOTP_DIGITS + 1];

        totp_code_string(rfc_secret, RFC_SECRET_LEN, v[i].t, s);
        assert_string_equal(s, v[i].code);
    }
    assert_int_equal(totp_code(rfc_secret, RFC_SECRET_LEN, 1234567890), 5924u);
}

/* RFC 4226 Appendix D: HOTP values for counters 0 to 9. */
static void
test_hotp_rfc4226(void **state)
{
    static const uint32_t want[10] = {755224u, 287082u, 359152u, 969429u,
                                      338314u, 254676u, 287922u, 162583u,
                                      399871u, 520489u};

    (void)state;
    for (uint64_t c = 0; c < 10; c++)
        assert_int_equal(totp_hotp(rfc_secret, RFC_SECRET_LEN, c, 6), want[c]);
}

/* RFC 4648 section 10, without the '=' padding on encode. */
static const struct {
    const char *plain;
    const char *padded;
    const char *bare;
} b32[] = {
    {"", "", ""},
    {"f", "MY======", "MY"},
    {"fo", "MZXQ====", "MZXQ"},
    {"foo", "MZXW6===", "MZXW6"},
    {"foob", "MZXW6YQ=", "MZXW6YQ"},
    {"fooba", "MZXW6YTB", "MZXW6YTB"},
    {"foobar", "MZXW6YTBOI======", "MZXW6YTBOI"},
};

static void
test_base32_encode_rfc4648(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof b32 / sizeof b32[0]; i++) {
        struct buf out = BUF_INIT;

        totp_base32_encode((const unsigned char *)b32[i].plain,
                           strlen(b32[i].plain), &out);
        assert_string_equal(buf_str(&out), b32[i].bare);
        buf_release(&out);
    }
}

static void
check_decode(const char *text, const char *want)
{
    struct buf out = BUF_INIT;

    assert_int_equal(totp_base32_decode(text, strlen(text), &out), CM_ERR_OK);
    assert_int_equal(out.len, strlen(want));
    if (out.len > 0)
        assert_memory_equal(out.data, want, out.len);
    buf_release(&out);
}

static void
test_base32_decode_rfc4648(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof b32 / sizeof b32[0]; i++) {
        check_decode(b32[i].padded, b32[i].plain);
        check_decode(b32[i].bare, b32[i].plain);
    }
    /* People type secrets in lower case. */
    check_decode("mzxw6ytboi", "foobar");
}

static void
test_base32_decode_rejects(void **state)
{
    static const char *bad[] = {
        "M",         /* 1 character cannot end a byte */
        "MZX",       /* nor 3 */
        "MZXW6Y",    /* nor 6 */
        "MZ",        /* "f" is MY: the unused bits must be zero */
        "MY=",       /* padding that does not complete the group */
        "MY=======", /* too much padding */
        "MZXW6=YQ",  /* padding in the middle */
        "MZXW1YTB",  /* '1' is not in the alphabet */
        "MZXW8YTB",  /* nor '8' */
        "MZXW 6YTB", /* nor a space */
        "========",  /* padding alone */
    };

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct buf out = BUF_INIT;

        assert_int_equal(totp_base32_decode(bad[i], strlen(bad[i]), &out),
                         CM_ERR_VALIDATION_FAILED);
        assert_int_equal(out.len, 0);
        buf_release(&out);
    }
}

static void
test_secret_new(void **state)
{
    unsigned char a[TOTP_SECRET_BYTES];
    unsigned char b[TOTP_SECRET_BYTES];
    struct buf text = BUF_INIT;
    struct buf back = BUF_INIT;

    (void)state;
    totp_secret_new(a);
    totp_secret_new(b);
    assert_memory_not_equal(a, b, sizeof a);
    /* 160 bits are exactly 32 base32 characters and decode back. */
    totp_base32_encode(a, sizeof a, &text);
    assert_int_equal(text.len, 32);
    assert_int_equal(totp_base32_decode(text.data, text.len, &back), CM_ERR_OK);
    assert_int_equal(back.len, sizeof a);
    assert_memory_equal(back.data, a, sizeof a);
    buf_release(&text);
    buf_release(&back);
}

static void
test_uri(void **state)
{
    struct buf out = BUF_INIT;

    (void)state;
    /* base32("12345678901234567890") is the secret Google Authenticator's
     * documentation pairs with the RFC 6238 vectors. */
    totp_uri("Compel Agency", "alice@example.gov", rfc_secret, RFC_SECRET_LEN,
             &out);
    assert_string_equal(
        buf_str(&out),
        "otpauth://totp/Compel%20Agency:alice%40example.gov"
        "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Compel%20Agency"
        "&algorithm=SHA1&digits=6&period=30");
    buf_release(&out);

    /* ':', '&', '?', '/' and non-ASCII are encoded so they cannot end the
     * label or a parameter early. */
    out = (struct buf)BUF_INIT;
    totp_uri("A&B", "x:y/z?\xc3\xa9", rfc_secret, 1, &out);
    assert_string_equal(buf_str(&out), "otpauth://totp/A%26B:x%3Ay%2Fz%3F%C3%A9"
                                       "?secret=GE&issuer=A%26B"
                                       "&algorithm=SHA1&digits=6&period=30");
    buf_release(&out);
}

/*
 * Window edges, with codes from the RFC 6238 table: at t = 1111111109 the
 * step is floor(1111111109 / 30) = 37037036 and the code "081804"; at
 * t = 1111111111 the step is 37037037 and the code "050471". Adjacent
 * steps, so each is the other's neighbour.
 */
#define STEP_A INT64_C(37037036)
#define CODE_A "081804"
#define STEP_B INT64_C(37037037)
#define CODE_B "050471"
#define T_IN_B INT64_C(1111111111)
#define T_IN_A INT64_C(1111111109)

static void
test_verify_current_step(void **state)
{
    int64_t matched = -1;

    (void)state;
    assert_int_equal(totp_verify(rfc_secret, RFC_SECRET_LEN, CODE_B, T_IN_B, 1,
                                 -1, &matched),
                     CM_ERR_OK);
    assert_int_equal(matched, STEP_B);
    /* Window 0: only the current step. */
    matched = -1;
    assert_int_equal(totp_verify(rfc_secret, RFC_SECRET_LEN, CODE_B, T_IN_B, 0,
                                 -1, &matched),
                     CM_ERR_OK);
    assert_int_equal(matched, STEP_B);
    assert_int_equal(totp_verify(rfc_secret, RFC_SECRET_LEN, CODE_A, T_IN_B, 0,
                                 -1, &matched),
                     CM_ERR_BAD_CREDENTIALS);
    /* A wrong code. */
    assert_int_equal(totp_verify(rfc_secret, RFC_SECRET_LEN, "123456", T_IN_B,
                                 1, -1, &matched),
                     CM_ERR_BAD_CREDENTIALS);
    assert_int_equal(matched, STEP_B);
}

static void
test_verify_window_edges(void **state)
{
    int64_t matched = -1;

    (void)state;
    /* One step behind the clock: accepted with window 1. */
    assert_int_equal(totp_verify(rfc_secret, RFC_SECRET_LEN, CODE_A, T_IN_B, 1,
                                 -1, &matched),
                     CM_ERR_OK);
    assert_int_equal(matched, STEP_A);
    /* Two steps behind (clock at step 37037038): rejected with window 1,
     * accepted with window 2. */
    matched = -1;
    assert_int_equal(totp_verify(rfc_secret, RFC_SECRET_LEN, CODE_A,
                                 T_IN_B + 30, 1, -1, &matched),
                     CM_ERR_BAD_CREDENTIALS);
    assert_int_equal(matched, -1);
    assert_int_equal(totp_verify(rfc_secret, RFC_SECRET_LEN, CODE_A,
                                 T_IN_B + 30, 2, -1, &matched),
                     CM_ERR_OK);
    assert_int_equal(matched, STEP_A);
    /* One step ahead of the clock: accepted with window 1. */
    assert_int_equal(totp_verify(rfc_secret, RFC_SECRET_LEN, CODE_B, T_IN_A, 1,
                                 -1, &matched),
                     CM_ERR_OK);
    assert_int_equal(matched, STEP_B);
    /* Two steps ahead (clock at step 37037035): rejected. */
    matched = -1;
    assert_int_equal(totp_verify(rfc_secret, RFC_SECRET_LEN, CODE_B,
                                 T_IN_A - 30, 1, -1, &matched),
                     CM_ERR_BAD_CREDENTIALS);
    assert_int_equal(matched, -1);
    /* The last second of step A (37037036 * 30 + 29 = 1111111109) and the
     * first of step B (37037037 * 30 = 1111111110). */
    assert_int_equal(totp_step(1111111109), STEP_A);
    assert_int_equal(totp_step(1111111110), STEP_B);
    assert_int_equal(totp_verify(rfc_secret, RFC_SECRET_LEN, CODE_B, 1111111110,
                                 0, -1, &matched),
                     CM_ERR_OK);
}

static void
test_verify_rejects_replay(void **state)
{
    int64_t matched = -1;
    int64_t last;

    (void)state;
    assert_int_equal(totp_verify(rfc_secret, RFC_SECRET_LEN, CODE_B, T_IN_B, 1,
                                 -1, &matched),
                     CM_ERR_OK);
    last = matched;
    /* The same code again, a second later: refused. */
    matched = -1;
    assert_int_equal(totp_verify(rfc_secret, RFC_SECRET_LEN, CODE_B, T_IN_B + 1,
                                 1, last, &matched),
                     CM_ERR_BAD_CREDENTIALS);
    assert_int_equal(matched, -1);
    /* An older code (still inside the window) after a newer one: refused. */
    assert_int_equal(totp_verify(rfc_secret, RFC_SECRET_LEN, CODE_A, T_IN_B, 1,
                                 last, &matched),
                     CM_ERR_BAD_CREDENTIALS);
    /* When only step A was used, step B's code is still good. */
    assert_int_equal(totp_verify(rfc_secret, RFC_SECRET_LEN, CODE_B, T_IN_B, 1,
                                 STEP_A, &matched),
                     CM_ERR_OK);
    assert_int_equal(matched, STEP_B);
}

static void
test_verify_rejects_malformed(void **state)
{
    static const char *bad[] = {
        "12345",   "abcdef",
        "1234567", "",
        " 50471",  "050471 ",
        "05047a",  "+50471",
        "-50471",  "0504\xd9\xa1" /* Arabic-Indic 1 */,
    };
    int64_t matched = -1;

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(totp_verify(rfc_secret, RFC_SECRET_LEN, bad[i], T_IN_B,
                                     1, -1, &matched),
                         CM_ERR_VALIDATION_FAILED);
    assert_int_equal(
        totp_verify(rfc_secret, RFC_SECRET_LEN, NULL, T_IN_B, 1, -1, &matched),
        CM_ERR_VALIDATION_FAILED);
    assert_int_equal(matched, -1);
}

/* A code made now by a fresh secret verifies, as an app would make it. */
static void
test_verify_fresh_secret(void **state)
{
    unsigned char secret[TOTP_SECRET_BYTES];
    char code[TOTP_DIGITS + 1];
    int64_t matched = -1;
    const int64_t now = INT64_C(1790000000);

    (void)state;
    totp_secret_new(secret);
    totp_code_string(secret, sizeof secret, now, code);
    assert_int_equal(
        totp_verify(secret, sizeof secret, code, now, 1, -1, &matched),
        CM_ERR_OK);
    assert_int_equal(matched, now / 30);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_totp_rfc6238_eight_digits),
        cmocka_unit_test(test_totp_rfc6238_six_digits),
        cmocka_unit_test(test_hotp_rfc4226),
        cmocka_unit_test(test_base32_encode_rfc4648),
        cmocka_unit_test(test_base32_decode_rfc4648),
        cmocka_unit_test(test_base32_decode_rejects),
        cmocka_unit_test(test_secret_new),
        cmocka_unit_test(test_uri),
        cmocka_unit_test(test_verify_current_step),
        cmocka_unit_test(test_verify_window_edges),
        cmocka_unit_test(test_verify_rejects_replay),
        cmocka_unit_test(test_verify_rejects_malformed),
        cmocka_unit_test(test_verify_fresh_secret),
    };

    return cmocka_run_group_tests(tests, setup, NULL);
}
