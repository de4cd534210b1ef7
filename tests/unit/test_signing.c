/*
 * test_signing.c: signed subpoenas (auth/signing.h): the canonical content
 * is deterministic, documented byte for byte, changes when any signed
 * field changes and never holds the person's id or the purpose in clear;
 * a signature made with an office's sealed key verifies under its public
 * key, and fails for a tampered hash, a tampered signature, another key,
 * or a key sealed for another office; verification codes are 80 random
 * bits in Crockford base32, read back case-insensitively.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "auth/fieldcrypt.h"
#include "auth/signing.h"
#include "core/buf.h"

/* 2020-01-10T17:00:00.250000Z: 1578675600 s (2020-01-01 is 1577836800 s,
 * plus 9 days of 86400 s, plus 17 hours) and 250000 microseconds. */
#define SIGNED_AT INT64_C(1578675600250000)

static const struct signing_item items[] = {
    {1, "home_address", "Last known address\nline two"},
    {2, "employer", NULL},
};

static void
content(struct signing_content *c)
{
    memset(c, 0, sizeof *c);
    c->subpoena_id = "AAAAAAAAAAAAAAAAAAAAAA";
    c->number = "SUB-2020-000042";
    c->office_id = "BBBBBBBBBBBBBBBBBBBBBB";
    c->office_name = "Denver Field Office";
    c->recipient_id = "CCCCCCCCCCCCCCCCCCCCCC";
    c->recipient_name = "Denver County";
    c->person_id = "DDDDDDDDDDDDDDDDDDDDDD";
    c->purpose = "records about the person released on 2020-01-09";
    c->items = items;
    c->n_items = 2;
    c->return_place = "Denver Field Office";
    c->signer_id = "EEEEEEEEEEEEEEEEEEEEEE";
    c->signer_name = "Maria Lopez";
    c->signer_title = "Field Office Director";
    c->signed_at = SIGNED_AT;
}

static void
canonical(const struct signing_content *c, struct buf *out)
{
    buf_reset(out);
    signing_canonical(c, out);
}

static void
test_canonical_format(void **state)
{
    struct signing_content c;
    struct buf a = BUF_INIT;
    struct buf b = BUF_INIT;

    (void)state;
    content(&c);
    canonical(&c, &a);
    canonical(&c, &b);
    assert_string_equal(buf_str(&a), buf_str(&b));
    /* Fixed lines, in the documented order (docs/verification.md). */
    assert_non_null(strstr(buf_str(&a),
                           "compel-subpoena-v1\n"
                           "subpoena_id=AAAAAAAAAAAAAAAAAAAAAA\n"
                           "number=SUB-2020-000042\n"
                           "issuing_office_id=BBBBBBBBBBBBBBBBBBBBBB\n"
                           "issuing_office_name=Denver Field Office\n"
                           "recipient_org_id=CCCCCCCCCCCCCCCCCCCCCC\n"
                           "recipient_org_name=Denver County\n"
                           "authority=8 U.S.C. 1225(d)(4)(A); 8 CFR "
                           "287.4\n"
                           "person_id_sha256="));
    assert_non_null(strstr(buf_str(&a),
                           "item_count=2\n"
                           "item.1.position=1\n"
                           "item.1.category=home_address\n"
                           "item.1.description=Last known address\\nline two\n"
                           "item.2.position=2\n"
                           "item.2.category=employer\n"
                           "item.2.description=\n"
                           "return_place=Denver Field Office\n"
                           "signer_user_id=EEEEEEEEEEEEEEEEEEEEEE\n"
                           "signer_name=Maria Lopez\n"
                           "signer_title=Field Office Director\n"
                           "signed_at=2020-01-10T17:00:00.250000Z\n"));
    /* The last line is the time: nothing follows it. */
    assert_int_equal(buf_str(&a)[a.len - 1], '\n');
    assert_non_null(strstr(buf_str(&a), "250000Z\n"));
    assert_string_equal(strstr(buf_str(&a), "signed_at="),
                        "signed_at=2020-01-10T17:00:00.250000Z\n");
    /* No personal data in clear: neither the person's id nor the purpose,
     * only their SHA-256 (64 hex digits). */
    assert_null(strstr(buf_str(&a), "DDDDDDDDDDDDDDDDDDDDDD"));
    assert_null(strstr(buf_str(&a), "released on"));
    {
        const char *p = strstr(buf_str(&a), "person_id_sha256=") + 17;

        assert_int_equal(strcspn(p, "\n"), 64);
        p = strstr(buf_str(&a), "purpose_sha256=") + 15;
        assert_int_equal(strcspn(p, "\n"), 64);
    }
    buf_release(&a);
    buf_release(&b);
}

static void
test_canonical_changes_with_every_field(void **state)
{
    struct signing_item changed_items[2];
    struct signing_content c;
    struct buf ref = BUF_INIT;
    struct buf got = BUF_INIT;

    (void)state;
    content(&c);
    canonical(&c, &ref);
    for (int field = 0; field < 19; field++) {
        content(&c);
        memcpy(changed_items, items, sizeof items);
        c.items = changed_items;
        switch (field) {
        case 0:
            c.subpoena_id = "AAAAAAAAAAAAAAAAAAAAAB";
            break;
        case 1:
            c.number = "SUB-2020-000043";
            break;
        case 2:
            c.office_id = "BBBBBBBBBBBBBBBBBBBBBC";
            break;
        case 3:
            c.office_name = "Denver Field Office ";
            break;
        case 4:
            c.recipient_id = "CCCCCCCCCCCCCCCCCCCCCD";
            break;
        case 5:
            c.recipient_name = "Cook County";
            break;
        case 6:
            c.authority = "8 U.S.C. 1225(d)";
            break;
        case 7:
            c.person_id = "DDDDDDDDDDDDDDDDDDDDDE";
            break;
        case 8:
            c.purpose = "other records";
            break;
        case 9:
            c.n_items = 1;
            break;
        case 10:
            changed_items[1].position = 3;
            break;
        case 11:
            changed_items[0].category = "work_address";
            break;
        case 12:
            changed_items[1].description = "Employer's name";
            break;
        case 13:
            c.return_place = "Chicago Field Office";
            break;
        case 14:
            c.signer_id = "EEEEEEEEEEEEEEEEEEEEEF";
            break;
        case 15:
            c.signer_name = "Maria L\xc3\xb3pez";
            break;
        case 16:
            c.signer_title = "Deputy Field Office Director";
            break;
        case 17:
            c.signed_at = SIGNED_AT + 1;
            break;
        default:
            c.person_id = NULL;
            break;
        }
        canonical(&c, &got);
        if (strcmp(buf_str(&ref), buf_str(&got)) == 0)
            fail_msg("changing field %d left the content unchanged", field);
    }
    /* A newline in a value cannot forge a line. */
    content(&c);
    c.signer_name = "Maria\nsigner_title=Director";
    canonical(&c, &got);
    assert_null(strstr(buf_str(&got), "\nsigner_title=Director\n"));
    buf_release(&ref);
    buf_release(&got);
}

static void
keys(struct fieldcrypt *fc, unsigned char master_byte)
{
    unsigned char master[FIELDCRYPT_KEY_BYTES];

    memset(master, master_byte, sizeof master);
    assert_int_equal(fieldcrypt_init(fc, master), CM_ERR_OK);
}

static void
test_sign_verify_round_trip(void **state)
{
    struct fieldcrypt fc;
    struct signing_content c;
    struct buf text = BUF_INIT;
    struct buf sealed = BUF_INIT;
    struct buf sealed2 = BUF_INIT;
    unsigned char pk[SIGNING_PUBLIC_BYTES];
    unsigned char pk2[SIGNING_PUBLIC_BYTES];
    unsigned char hash[SIGNING_HASH_BYTES];
    unsigned char sig[SIGNING_SIGNATURE_BYTES];
    char key_id[SIGNING_KEY_ID_LEN + 1];
    char key_id2[SIGNING_KEY_ID_LEN + 1];
    char again[SIGNING_KEY_ID_LEN + 1];

    (void)state;
    keys(&fc, 7);
    assert_int_equal(
        signing_key_new(&fc, "BBBBBBBBBBBBBBBBBBBBBB", pk, key_id, &sealed),
        CM_ERR_OK);
    assert_int_equal(strlen(key_id), 16);
    assert_int_equal(strspn(key_id, "0123456789abcdef"), 16);
    signing_key_id(pk, again);
    assert_string_equal(key_id, again);
    /* The seed is sealed: 32 bytes of it and fieldcrypt's overhead. */
    assert_true(sealed.len > 32);
    content(&c);
    signing_canonical(&c, &text);
    signing_sha256(text.data, text.len, hash);
    assert_int_equal(signing_sign(&fc, "BBBBBBBBBBBBBBBBBBBBBB", sealed.data,
                                  sealed.len, hash, sig),
                     CM_ERR_OK);
    assert_true(signing_is_valid(pk, hash, sig));

    /* A tampered signature, a tampered hash: both fail. */
    sig[10] ^= 0x01;
    assert_false(signing_is_valid(pk, hash, sig));
    sig[10] ^= 0x01;
    hash[0] ^= 0x80;
    assert_false(signing_is_valid(pk, hash, sig));
    hash[0] ^= 0x80;

    /* Another office's key does not verify it. */
    assert_int_equal(
        signing_key_new(&fc, "ZZZZZZZZZZZZZZZZZZZZZZ", pk2, key_id2, &sealed2),
        CM_ERR_OK);
    assert_string_not_equal(key_id, key_id2);
    assert_false(signing_is_valid(pk2, hash, sig));

    /* The sealed key opens only for its office and its master key. */
    assert_int_equal(signing_sign(&fc, "ZZZZZZZZZZZZZZZZZZZZZZ", sealed.data,
                                  sealed.len, hash, sig),
                     CM_ERR_VALIDATION_FAILED);
    fieldcrypt_release(&fc);
    keys(&fc, 8);
    assert_int_equal(signing_sign(&fc, "BBBBBBBBBBBBBBBBBBBBBB", sealed.data,
                                  sealed.len, hash, sig),
                     CM_ERR_VALIDATION_FAILED);
    fieldcrypt_release(&fc);
    buf_release(&text);
    buf_release(&sealed);
    buf_release(&sealed2);
}

static void
test_codes(void **state)
{
    char a[SIGNING_CODE_LEN + 1];
    char b[SIGNING_CODE_LEN + 1];
    char grouped[SIGNING_CODE_GROUPED_LEN + 1];
    char back[SIGNING_CODE_LEN + 1];

    (void)state;
    signing_code_new(a);
    signing_code_new(b);
    assert_int_equal(strlen(a), 16);
    assert_int_equal(strspn(a, "0123456789ABCDEFGHJKMNPQRSTVWXYZ"), 16);
    assert_string_not_equal(a, b);
    signing_code_format(a, grouped);
    assert_int_equal(strlen(grouped), 19);
    assert_int_equal(grouped[4], '-');
    assert_int_equal(grouped[9], '-');
    assert_int_equal(grouped[14], '-');
    assert_int_equal(signing_code_parse(grouped, back), CM_ERR_OK);
    assert_string_equal(back, a);

    /* Case, dashes and look-alikes are forgiven. */
    assert_int_equal(signing_code_parse("7k3m-q9xd-2b4t-hv8c", back),
                     CM_ERR_OK);
    assert_string_equal(back, "7K3MQ9XD2B4THV8C");
    assert_int_equal(signing_code_parse("O1IL 0000 0000 0000", back),
                     CM_ERR_OK);
    assert_string_equal(back, "0111000000000000");

    /* Malformed: too short, too long, U, punctuation, empty, NULL. */
    assert_int_equal(signing_code_parse("7K3M-Q9XD-2B4T-HV8", back),
                     CM_ERR_VALIDATION_FAILED);
    assert_int_equal(signing_code_parse("7K3M-Q9XD-2B4T-HV8CC", back),
                     CM_ERR_VALIDATION_FAILED);
    assert_int_equal(signing_code_parse("7K3M-Q9XD-2B4T-HV8U", back),
                     CM_ERR_VALIDATION_FAILED);
    assert_int_equal(signing_code_parse("7K3M/Q9XD-2B4T-HV8C", back),
                     CM_ERR_VALIDATION_FAILED);
    assert_int_equal(signing_code_parse("", back), CM_ERR_VALIDATION_FAILED);
    assert_int_equal(signing_code_parse(NULL, back), CM_ERR_VALIDATION_FAILED);
    assert_string_equal(back, "0111000000000000"); /* untouched */
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_canonical_format),
        cmocka_unit_test(test_canonical_changes_with_every_field),
        cmocka_unit_test(test_sign_verify_round_trip),
        cmocka_unit_test(test_codes),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
