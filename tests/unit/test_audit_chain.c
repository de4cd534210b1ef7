/*
 * test_audit_chain.c: the audit hash chain: determinism, every field
 * feeding the hash, an unambiguous encoding (NULL vs "" vs a shifted field
 * boundary), the genesis link, and step verification catching edits,
 * reordering and gaps.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "audit/chain.h"
#include "auth/password.h"

static const unsigned char genesis[AUDIT_HASH_BYTES] = {0};

static int
setup(void **state)
{
    (void)state;
    return password_lib_init() == CM_ERR_OK ? 0 : -1;
}

static struct audit_entry
sample(void)
{
    struct audit_entry e = {
        .seq = 1,
        /* 2026-11-28T10:00:00Z = 1795860000 s since the epoch. */
        .at_us = INT64_C(1795860000000000),
        .actor_id = "u_8J2kq0mN3xYbVtRz7LpQ1a",
        .org_id = "o_Hq9wX2cV5bN8mK1jL4pZ7t",
        .role = "officer",
        .session_hash = "9f86d081884c7d659a2feaa0c55ad015",
        .client_addr = "192.0.2.10",
        .action = "subpoena.serve",
        .object_kind = "subpoena",
        .object_id = "s_Yt6rE3wQ9aZ2xC5vB8nM1k",
        .outcome = "ok",
        .detail = "served by certified mail",
    };
    return e;
}

static void
hash_of(const struct audit_entry *e, unsigned char out[AUDIT_HASH_BYTES])
{
    assert_int_equal(audit_chain_hash(genesis, e, out), CM_ERR_OK);
}

static void
test_deterministic(void **state)
{
    struct audit_entry e = sample();
    unsigned char a[AUDIT_HASH_BYTES];
    unsigned char b[AUDIT_HASH_BYTES];
    char hex[2 * AUDIT_HASH_BYTES + 1];

    (void)state;
    hash_of(&e, a);
    hash_of(&e, b);
    assert_memory_equal(a, b, sizeof a);
    /* Not the all-zero genesis value. */
    assert_memory_not_equal(a, genesis, sizeof a);
    audit_hash_hex(a, hex);
    assert_int_equal(strlen(hex), 64);
    assert_int_equal(strspn(hex, "0123456789abcdef"), 64);
}

/*
 * Known answers, computed outside compel by an independent implementation
 * of the format documented in chain.h (Python's hashlib.blake2b with
 * digest_size=32 over the tag, its NUL, the previous hash and the encoding
 * written out by hand with struct.pack). A change here is a format change.
 */
static void
test_known_answer(void **state)
{
    struct audit_entry e = sample();
    struct audit_entry z = {0};
    unsigned char h1[AUDIT_HASH_BYTES];
    unsigned char h2[AUDIT_HASH_BYTES];
    char hex[2 * AUDIT_HASH_BYTES + 1];

    (void)state;
    hash_of(&e, h1);
    audit_hash_hex(h1, hex);
    assert_string_equal(
        hex,
        "fd090ebb042274908f8f3376c126f8c43e599017e8659518fe0ac432e8531d4a");
    /* Seq 2 with every string NULL, one microsecond later, after h1. */
    z.seq = 2;
    z.at_us = e.at_us + 1;
    assert_int_equal(audit_chain_hash(h1, &z, h2), CM_ERR_OK);
    audit_hash_hex(h2, hex);
    assert_string_equal(
        hex,
        "868740b314bc25c9b6c272b0ffe059227dd042b5d9e1654a0eaec679de648866");
    assert_int_equal(audit_chain_verify_step(h1, 1, &z, h2), CM_ERR_OK);
}

/* Changing any one field, or the previous hash, changes the hash. */
static void
test_each_field_matters(void **state)
{
    struct audit_entry base = sample();
    unsigned char h0[AUDIT_HASH_BYTES];
    unsigned char h[AUDIT_HASH_BYTES];
    unsigned char prev[AUDIT_HASH_BYTES] = {0};

    (void)state;
    hash_of(&base, h0);
    for (int f = 0; f < 12; f++) {
        struct audit_entry e = base;

        switch (f) {
        case 0:
            e.seq = 2;
            break;
        case 1:
            e.at_us += 1;
            break;
        case 2:
            e.actor_id = "u_other";
            break;
        case 3:
            e.org_id = "o_other";
            break;
        case 4:
            e.role = "signer";
            break;
        case 5:
            e.session_hash = "00";
            break;
        case 6:
            e.client_addr = "192.0.2.11";
            break;
        case 7:
            e.action = "subpoena.view";
            break;
        case 8:
            e.object_kind = "detainer";
            break;
        case 9:
            e.object_id = "s_other";
            break;
        case 10:
            e.outcome = "forbidden";
            break;
        default:
            e.detail = "served in person";
            break;
        }
        hash_of(&e, h);
        assert_memory_not_equal(h, h0, sizeof h);
    }
    prev[31] = 1;
    assert_int_equal(audit_chain_hash(prev, &base, h), CM_ERR_OK);
    assert_memory_not_equal(h, h0, sizeof h);
}

static void
encode(const struct audit_entry *e, struct buf *out)
{
    buf_reset(out);
    assert_int_equal(audit_entry_encode(e, out), CM_ERR_OK);
}

static bool
same(const struct buf *a, const struct buf *b)
{
    return a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}

/* NULL, "" and a moved boundary between neighbouring fields all encode
 * (and so hash) differently. */
static void
test_encoding_unambiguous(void **state)
{
    struct audit_entry e = sample();
    struct buf a = BUF_INIT;
    struct buf b = BUF_INIT;
    unsigned char ha[AUDIT_HASH_BYTES];
    unsigned char hb[AUDIT_HASH_BYTES];

    (void)state;
    e.detail = NULL;
    encode(&e, &a);
    hash_of(&e, ha);
    e.detail = "";
    encode(&e, &b);
    hash_of(&e, hb);
    assert_false(same(&a, &b));
    assert_memory_not_equal(ha, hb, sizeof ha);

    /* ("ab", "c") against ("a", "bc") in action / object_kind. */
    e.action = "ab";
    e.object_kind = "c";
    encode(&e, &a);
    hash_of(&e, ha);
    e.action = "a";
    e.object_kind = "bc";
    encode(&e, &b);
    hash_of(&e, hb);
    assert_false(same(&a, &b));
    assert_memory_not_equal(ha, hb, sizeof ha);

    /* A NULL then "x" against "x" then NULL. */
    e.action = NULL;
    e.object_kind = "x";
    encode(&e, &a);
    e.action = "x";
    e.object_kind = NULL;
    encode(&e, &b);
    assert_false(same(&a, &b));

    /* An all-NULL entry encodes: version, two 8-byte numbers and ten
     * absent-field bytes. */
    {
        struct audit_entry z = {0};

        encode(&z, &a);
        assert_int_equal(a.len, 1 + 8 + 8 + 10);
        assert_int_equal((unsigned char)a.data[0], AUDIT_ENCODING_VERSION);
    }
    buf_release(&a);
    buf_release(&b);
}

/* A chain of three entries verifies link by link; an edit, a swap or a
 * gap is caught at the right step. */
static void
test_verify_steps(void **state)
{
    struct audit_entry e[3];
    unsigned char h[3][AUDIT_HASH_BYTES];
    const unsigned char *prev = genesis;

    (void)state;
    for (int i = 0; i < 3; i++) {
        e[i] = sample();
        e[i].seq = i + 1;
        e[i].at_us += i;
        assert_int_equal(audit_chain_hash(prev, &e[i], h[i]), CM_ERR_OK);
        prev = h[i];
    }
    assert_int_equal(audit_chain_verify_step(genesis, 0, &e[0], h[0]),
                     CM_ERR_OK);
    assert_int_equal(audit_chain_verify_step(h[0], 1, &e[1], h[1]), CM_ERR_OK);
    assert_int_equal(audit_chain_verify_step(h[1], 2, &e[2], h[2]), CM_ERR_OK);

    /* An edited entry no longer matches its stored hash. */
    e[1].outcome = "forbidden";
    assert_int_equal(audit_chain_verify_step(h[0], 1, &e[1], h[1]),
                     CM_ERR_VALIDATION_FAILED);
    e[1].outcome = "ok";
    /* Entry 3 after entry 1 (entry 2 removed): a gap in seq. */
    assert_int_equal(audit_chain_verify_step(h[0], 1, &e[2], h[2]),
                     CM_ERR_VALIDATION_FAILED);
    /* Entry 2 with the wrong predecessor hash. */
    assert_int_equal(audit_chain_verify_step(h[1], 1, &e[1], h[1]),
                     CM_ERR_VALIDATION_FAILED);
    /* The first entry must be seq 1 after the zero hash. */
    assert_int_equal(audit_chain_verify_step(genesis, 0, &e[1], h[1]),
                     CM_ERR_VALIDATION_FAILED);
    assert_int_equal(audit_chain_verify_step(genesis, -1, &e[0], h[0]),
                     CM_ERR_VALIDATION_FAILED);
    /* A stored hash with one bit flipped. */
    h[2][5] ^= 0x10;
    assert_int_equal(audit_chain_verify_step(h[1], 2, &e[2], h[2]),
                     CM_ERR_VALIDATION_FAILED);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_known_answer),
        cmocka_unit_test(test_each_field_matters),
        cmocka_unit_test(test_encoding_unambiguous),
        cmocka_unit_test(test_verify_steps),
    };

    return cmocka_run_group_tests(tests, setup, NULL);
}
