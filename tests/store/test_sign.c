/*
 * test_sign.c: the contract of store_sign.h: an office's signing key is
 * stored and read back byte for byte, an office has at most one key in use
 * (a second insert changes nothing), keys are found by id; a subpoena's
 * signature is stored once, found by its code and by its subpoena, a code
 * is never given twice, and a signature is never edited.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "contract.h"
#include "core/alloc.h"
#include "core/rand.h"

static const unsigned char sealed_bytes[] = {1, 2, 3, 4, 5, 6, 7, 8, 9};

static void
key_of(const struct fx *f, const char *key_id, struct store_signing_key *k)
{
    memset(k, 0, sizeof *k);
    (void)snprintf(k->key_id, sizeof k->key_id, "%s", key_id);
    memcpy(k->org_id, f->agency, sizeof k->org_id);
    k->created_at = FX_T0;
    memset(k->public_key, 0x5a, sizeof k->public_key);
    k->sealed_secret.data = (unsigned char *)sealed_bytes;
    k->sealed_secret.len = sizeof sealed_bytes;
}

static void
test_keys(void **state)
{
    struct fx *f = *state;
    struct store_signing_key k, got;

    assert_int_equal(store_signing_key_get_current(f->s, f->agency, &got),
                     STORE_NO_RESULTS);
    key_of(f, "0123456789abcdef", &k);
    assert_int_equal(store_signing_key_insert(f->s, &k), STORE_ONE_RESULT);
    assert_int_equal(store_signing_key_get_current(f->s, f->agency, &got),
                     STORE_ONE_RESULT);
    assert_string_equal(got.key_id, "0123456789abcdef");
    assert_string_equal(got.org_id, f->agency);
    assert_int_equal(got.created_at, FX_T0);
    assert_memory_equal(got.public_key, k.public_key, sizeof k.public_key);
    assert_int_equal(got.sealed_secret.len, sizeof sealed_bytes);
    assert_memory_equal(got.sealed_secret.data, sealed_bytes,
                        sizeof sealed_bytes);
    assert_int_equal(got.retired_at, 0);
    store_signing_key_release(&got);

    /* A second key for the same office, or the same key id again: nothing
     * changes. */
    key_of(f, "fedcba9876543210", &k);
    memset(k.public_key, 0x77, sizeof k.public_key);
    assert_int_equal(store_signing_key_insert(f->s, &k), STORE_NO_RESULTS);
    key_of(f, "0123456789abcdef", &k);
    memcpy(k.org_id, f->county, sizeof k.org_id);
    assert_int_equal(store_signing_key_insert(f->s, &k), STORE_NO_RESULTS);
    assert_int_equal(store_signing_key_get(f->s, "fedcba9876543210", &got),
                     STORE_NO_RESULTS);
    assert_int_equal(store_signing_key_get(f->s, "0123456789abcdef", &got),
                     STORE_ONE_RESULT);
    assert_string_equal(got.org_id, f->agency);
    assert_int_equal(got.public_key[0], 0x5a);
    store_signing_key_release(&got);

    /* Another office has its own. */
    assert_int_equal(store_signing_key_get_current(f->s, f->county, &got),
                     STORE_NO_RESULTS);
    key_of(f, "1111111111111111", &k);
    memcpy(k.org_id, f->county, sizeof k.org_id);
    assert_int_equal(store_signing_key_insert(f->s, &k), STORE_ONE_RESULT);
    assert_int_equal(store_signing_key_get_current(f->s, f->county, &got),
                     STORE_ONE_RESULT);
    assert_string_equal(got.key_id, "1111111111111111");
    store_signing_key_release(&got);
}

/* A signed subpoena of f->agency to f->county; its id into `id`. */
static void
add_signed(struct fx *f, int n, char id[STORE_ID_SIZE])
{
    struct store_subpoena sp = {0};

    cm_id_new(sp.id);
    (void)snprintf(sp.number, sizeof sp.number, "SUB-2026-%06d", n);
    sp.created_at = FX_T0;
    sp.updated_at = FX_T0;
    memcpy(sp.agency_org_id, f->agency, sizeof sp.agency_org_id);
    memcpy(sp.recipient_org_id, f->county, sizeof sp.recipient_org_id);
    sp.purpose = "records";
    sp.state = "signed";
    memcpy(sp.drafted_by, f->officer, sizeof sp.drafted_by);
    assert_int_equal(store_subpoena_insert(f->s, &sp), STORE_ONE_RESULT);
    memcpy(id, sp.id, STORE_ID_SIZE);
}

static void
signature_of(const char *subpoena_id,
             const char *code,
             struct store_signature *sig)
{
    memset(sig, 0, sizeof *sig);
    (void)snprintf(sig->subpoena_id, sizeof sig->subpoena_id, "%s",
                   subpoena_id);
    (void)snprintf(sig->code, sizeof sig->code, "%s", code);
    (void)snprintf(sig->key_id, sizeof sig->key_id, "0123456789abcdef");
    sig->content = "compel-subpoena-v1\nnumber=SUB-2026-000001\n";
    memset(sig->content_sha256, 0xc3, sizeof sig->content_sha256);
    for (size_t i = 0; i < sizeof sig->signature; i++)
        sig->signature[i] = (unsigned char)i;
    sig->signed_at = FX_T0 + 5;
}

static void
test_signatures(void **state)
{
    struct fx *f = *state;
    struct store_signing_key k;
    struct store_signature sig, got;
    char a[STORE_ID_SIZE];
    char b[STORE_ID_SIZE];

    key_of(f, "0123456789abcdef", &k);
    assert_int_equal(store_signing_key_insert(f->s, &k), STORE_ONE_RESULT);
    add_signed(f, 1, a);
    add_signed(f, 2, b);
    assert_int_equal(store_signature_get_by_subpoena(f->s, a, &got),
                     STORE_NO_RESULTS);
    signature_of(a, "7K3MQ9XD2B4THV8C", &sig);
    assert_int_equal(store_signature_insert(f->s, &sig), STORE_ONE_RESULT);

    assert_int_equal(
        store_signature_get_by_code(f->s, "7K3MQ9XD2B4THV8C", &got),
        STORE_ONE_RESULT);
    assert_string_equal(got.subpoena_id, a);
    assert_string_equal(got.code, "7K3MQ9XD2B4THV8C");
    assert_string_equal(got.key_id, "0123456789abcdef");
    assert_string_equal(got.content, sig.content);
    assert_memory_equal(got.content_sha256, sig.content_sha256,
                        sizeof sig.content_sha256);
    assert_memory_equal(got.signature, sig.signature, sizeof sig.signature);
    assert_int_equal(got.signed_at, FX_T0 + 5);
    store_signature_release(&got);
    assert_int_equal(store_signature_get_by_subpoena(f->s, a, &got),
                     STORE_ONE_RESULT);
    assert_string_equal(got.code, "7K3MQ9XD2B4THV8C");
    store_signature_release(&got);

    /* Codes are exact: another code, or the code in lower case, is not it
     * (callers normalize first). */
    assert_int_equal(
        store_signature_get_by_code(f->s, "7K3MQ9XD2B4THV8D", &got),
        STORE_NO_RESULTS);
    assert_int_equal(
        store_signature_get_by_code(f->s, "7k3mq9xd2b4thv8c", &got),
        STORE_NO_RESULTS);

    /* The same code for another subpoena, or a second signature of the
     * first: nothing written. */
    signature_of(b, "7K3MQ9XD2B4THV8C", &sig);
    assert_int_equal(store_signature_insert(f->s, &sig), STORE_NO_RESULTS);
    assert_int_equal(store_signature_get_by_subpoena(f->s, b, &got),
                     STORE_NO_RESULTS);
    signature_of(a, "0000000000000000", &sig);
    assert_int_equal(store_signature_insert(f->s, &sig), STORE_NO_RESULTS);
    assert_int_equal(
        store_signature_get_by_code(f->s, "0000000000000000", &got),
        STORE_NO_RESULTS);
    /* A new code for the second subpoena is taken. */
    signature_of(b, "0000000000000000", &sig);
    assert_int_equal(store_signature_insert(f->s, &sig), STORE_ONE_RESULT);
    assert_int_equal(
        store_signature_get_by_code(f->s, "0000000000000000", &got),
        STORE_ONE_RESULT);
    assert_string_equal(got.subpoena_id, b);
    store_signature_release(&got);
}

int
contract_run_sign(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_keys, fx_setup_world, fx_teardown),
        cmocka_unit_test_setup_teardown(test_signatures, fx_setup_world,
                                        fx_teardown),
    };

    return cmocka_run_group_tests_name("store sign", tests, NULL, NULL);
}
