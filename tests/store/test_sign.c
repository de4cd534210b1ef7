/*
 * test_sign.c: the contract of store_sign.h: an office's signing key is
 * stored and read back byte for byte, an office has at most one key in use
 * (a second insert changes nothing), keys are found by id; a subpoena's
 * signature is stored once, found by its code and by its subpoena, a code
 * is never given twice, and a signature is never edited.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
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

/* ---- races between two connections ------------------------------------*/

#define RACE_ROUNDS 8

/* One of two connections (its own struct store on the fixture's
 * database) running `op` in a transaction of its own, round after round,
 * each round started with the other at a barrier. */
struct racer {
    char url[512];
    pthread_barrier_t *start;
    int who; /* 0 or 1 */
    enum store_rc (*op)(struct store *s, int round, int who, void *arg);
    void *arg;
    int rc[RACE_ROUNDS]; /* what store_tx_run returned */
    bool opened;
};

struct race_call {
    struct racer *r;
    int round;
};

static enum store_rc
race_body(struct store *s, void *ctx)
{
    struct race_call *c = ctx;

    return c->r->op(s, c->round, c->r->who, c->r->arg);
}

static void *
racer_main(void *arg)
{
    struct racer *r = arg;
    struct store *s = NULL;

    r->opened = store_open_partial(r->url, STORE_OPEN_MODE_EXISTING, &s,
                                   NULL) == CM_ERR_OK;
    for (int i = 0; i < RACE_ROUNDS; i++) {
        struct race_call c = {r, i};

        /* Wait even when the open failed, or the other one waits forever. */
        (void)pthread_barrier_wait(r->start);
        r->rc[i] = r->opened ? store_tx_run(s, "race", race_body, &c)
                             : STORE_HARD_ERROR;
    }
    store_close(s);
    return NULL;
}

/* Run `op` on two connections at once, RACE_ROUNDS times; each round's
 * results into r[0].rc and r[1].rc. */
static void
race(const struct fx *f,
     enum store_rc (*op)(struct store *s, int round, int who, void *arg),
     void *arg,
     struct racer r[2])
{
    pthread_barrier_t start;
    pthread_t t[2];

    assert_int_equal(pthread_barrier_init(&start, NULL, 2), 0);
    for (int i = 0; i < 2; i++) {
        memset(&r[i], 0, sizeof r[i]);
        (void)snprintf(r[i].url, sizeof r[i].url, "%s", f->url);
        r[i].start = &start;
        r[i].who = i;
        r[i].op = op;
        r[i].arg = arg;
        assert_int_equal(pthread_create(&t[i], NULL, racer_main, &r[i]), 0);
    }
    for (int i = 0; i < 2; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        assert_true(r[i].opened);
    }
    (void)pthread_barrier_destroy(&start);
}

/* Which of the two won round `i`: exactly one inserted, the other was
 * told STORE_NO_RESULTS. */
static int
race_winner(const struct racer r[2], int i)
{
    assert_true(
        (r[0].rc[i] == STORE_ONE_RESULT && r[1].rc[i] == STORE_NO_RESULTS) ||
        (r[0].rc[i] == STORE_NO_RESULTS && r[1].rc[i] == STORE_ONE_RESULT));
    return r[0].rc[i] == STORE_ONE_RESULT ? 0 : 1;
}

/* A key id (16 lowercase hex digits) per round and racer. */
static void
race_key_id(int round, int who, char out[STORE_SIGN_KEY_ID_SIZE])
{
    (void)snprintf(out, STORE_SIGN_KEY_ID_SIZE, "%016x",
                   (unsigned)(0xa000 + round * 2 + who));
}

struct key_race {
    const struct fx *f;
    char orgs[RACE_ROUNDS][STORE_ID_SIZE];
};

static enum store_rc
insert_key(struct store *s, int round, int who, void *arg)
{
    struct key_race *kr = arg;
    struct store_signing_key k;
    char key_id[STORE_SIGN_KEY_ID_SIZE];

    race_key_id(round, who, key_id);
    key_of(kr->f, key_id, &k);
    memcpy(k.org_id, kr->orgs[round], sizeof k.org_id);
    memset(k.public_key, who ? 0x22 : 0x11, sizeof k.public_key);
    return store_signing_key_insert(s, &k);
}

/* Two servers making the first key of one office at once: one key wins,
 * and it is the office's key in use. */
static void
test_key_race(void **state)
{
    struct fx *f = *state;
    struct key_race kr = {.f = f};
    struct racer r[2];

    for (int i = 0; i < RACE_ROUNDS; i++) {
        char name[32];
        struct store_org o = {.created_at = FX_T0,
                              .updated_at = FX_T0,
                              .kind = "agency_office",
                              .name = name,
                              .state = "CO",
                              .timezone = "America/Denver"};

        /* Office names are unique. */
        (void)snprintf(name, sizeof name, "Race Field Office %d", i);
        cm_id_new(o.id);
        assert_int_equal(store_org_insert(f->s, &o), STORE_ONE_RESULT);
        memcpy(kr.orgs[i], o.id, STORE_ID_SIZE);
    }
    race(f, insert_key, &kr, r);
    for (int i = 0; i < RACE_ROUNDS; i++) {
        int w = race_winner(r, i);
        char won[STORE_SIGN_KEY_ID_SIZE], lost[STORE_SIGN_KEY_ID_SIZE];
        struct store_signing_key got;

        race_key_id(i, w, won);
        race_key_id(i, 1 - w, lost);
        assert_int_equal(store_signing_key_get_current(f->s, kr.orgs[i], &got),
                         STORE_ONE_RESULT);
        assert_string_equal(got.key_id, won);
        assert_int_equal(got.public_key[0], w ? 0x22 : 0x11);
        store_signing_key_release(&got);
        assert_int_equal(store_signing_key_get(f->s, lost, &got),
                         STORE_NO_RESULTS);
    }
}

/* A code (16 Crockford digits) per round and racer. */
static void
race_code(int round, int who, char out[STORE_SIGN_CODE_SIZE])
{
    (void)snprintf(out, STORE_SIGN_CODE_SIZE, "R%015d", round * 2 + who);
}

struct signature_race {
    char a[RACE_ROUNDS][STORE_ID_SIZE];    /* signed by both racers */
    char b[RACE_ROUNDS][2][STORE_ID_SIZE]; /* one each, with one code */
};

/* Both racers sign subpoena a[round], each with a code of its own. */
static enum store_rc
sign_same_subpoena(struct store *s, int round, int who, void *arg)
{
    struct signature_race *sr = arg;
    struct store_signature sig;
    char code[STORE_SIGN_CODE_SIZE];

    race_code(round, who, code);
    signature_of(sr->a[round], code, &sig);
    return store_signature_insert(s, &sig);
}

/* Each racer signs a subpoena of its own, both drawing the same code. */
static enum store_rc
sign_same_code(struct store *s, int round, int who, void *arg)
{
    struct signature_race *sr = arg;
    struct store_signature sig;
    char code[STORE_SIGN_CODE_SIZE];

    race_code(round, 0, code);
    code[0] = 'S';
    signature_of(sr->b[round][who], code, &sig);
    return store_signature_insert(s, &sig);
}

/* Two servers signing one subpoena at once, or two subpoenas with one
 * code: one signature wins, the other leaves nothing behind. */
static void
test_signature_race(void **state)
{
    struct fx *f = *state;
    struct store_signing_key k;
    struct signature_race sr;
    struct racer r[2];
    int n = 100;

    key_of(f, "0123456789abcdef", &k);
    assert_int_equal(store_signing_key_insert(f->s, &k), STORE_ONE_RESULT);
    for (int i = 0; i < RACE_ROUNDS; i++) {
        add_signed(f, n++, sr.a[i]);
        add_signed(f, n++, sr.b[i][0]);
        add_signed(f, n++, sr.b[i][1]);
    }

    race(f, sign_same_subpoena, &sr, r);
    for (int i = 0; i < RACE_ROUNDS; i++) {
        int w = race_winner(r, i);
        char won[STORE_SIGN_CODE_SIZE], lost[STORE_SIGN_CODE_SIZE];
        struct store_signature got;

        race_code(i, w, won);
        race_code(i, 1 - w, lost);
        assert_int_equal(store_signature_get_by_subpoena(f->s, sr.a[i], &got),
                         STORE_ONE_RESULT);
        assert_string_equal(got.code, won);
        store_signature_release(&got);
        assert_int_equal(store_signature_get_by_code(f->s, lost, &got),
                         STORE_NO_RESULTS);
    }

    race(f, sign_same_code, &sr, r);
    for (int i = 0; i < RACE_ROUNDS; i++) {
        int w = race_winner(r, i);
        char code[STORE_SIGN_CODE_SIZE];
        struct store_signature got;

        race_code(i, 0, code);
        code[0] = 'S';
        assert_int_equal(store_signature_get_by_code(f->s, code, &got),
                         STORE_ONE_RESULT);
        assert_string_equal(got.subpoena_id, sr.b[i][w]);
        store_signature_release(&got);
        assert_int_equal(
            store_signature_get_by_subpoena(f->s, sr.b[i][1 - w], &got),
            STORE_NO_RESULTS);
    }
}

/* ---- key rotation's sealed values (store_keys.h) -----------------------*/

struct sealed_seen {
    int n;
    struct store_sealed_row first;
};

static void
sealed_seen_cb(void *cls, const struct store_sealed_row *r)
{
    struct sealed_seen *seen = cls;

    if (seen->n++ == 0)
        store_sealed_row_copy(&seen->first, r);
}

static int
sealed_list(struct fx *f,
            enum store_sealed_kind kind,
            unsigned key_id,
            const char *after,
            struct sealed_seen *seen)
{
    store_sealed_row_release(&seen->first);
    seen->n = 0;
    return store_sealed_list_stale(f->s, kind, key_id, after, 10,
                                   sealed_seen_cb, seen);
}

static void
ignore_person(void *cls, const struct store_person *p)
{
    (void)cls;
    (void)p;
}

static int
count_found(struct fx *f,
            enum store_person_index index,
            const void *k,
            size_t n)
{
    struct store_blob key = {(unsigned char *)k, n};

    return store_person_find(f->s, index, &key, ignore_person, NULL);
}

struct sealed_tx {
    enum store_sealed_kind kind;
    const struct store_sealed_row *old;
    const struct store_sealed_row *now;
};

static enum store_rc
sealed_update_fn(struct store *s, void *ctx)
{
    struct sealed_tx *t = ctx;

    return store_sealed_update(s, t->kind, t->old, t->now);
}

static int
sealed_update_tx(struct fx *f,
                 enum store_sealed_kind kind,
                 const struct store_sealed_row *old,
                 const struct store_sealed_row *now)
{
    struct sealed_tx t = {kind, old, now};

    return store_tx_run(f->s, "test sealed update", sealed_update_fn, &t);
}

static void
test_sealed_values(void **state)
{
    static const unsigned char fam2[] = {1, 3, 5, 5}, bidx2[] = {8, 8, 8};
    static const unsigned char anum[] = {7, 7};
    static unsigned char seed3[] = {1, 3, 9, 9, 9, 9, 9, 9};
    struct fx *f = *state;
    struct store_signing_key k, got;
    struct store_sealed_row now, old_key;
    struct sealed_seen seen = {0};
    struct store_person p;
    int64_t by_id[256];

    key_of(f, "0123456789abcdef", &k);
    assert_int_equal(store_signing_key_insert(f->s, &k), STORE_ONE_RESULT);

    /* Every kind's statements run on this backend; the fixture's person
     * and the key are "under key 2" (their second byte). */
    for (int kind = 0; kind < STORE_SEALED__COUNT; kind++) {
        bool has =
            kind == STORE_SEALED_PEOPLE || kind == STORE_SEALED_SIGNING_KEY;

        assert_int_equal(store_sealed_count(f->s, kind, by_id),
                         STORE_ONE_RESULT);
        assert_int_equal(by_id[2], has ? 1 : 0);
        assert_int_equal(sealed_list(f, kind, 2, "", &seen), 0);
        assert_int_equal(sealed_list(f, kind, 3, "", &seen), has ? 1 : 0);
        assert_int_equal(sealed_list(f, kind, 0, "", &seen), has ? 1 : 0);
    }

    /* The person's row as listed: key, binding, values and indexes. */
    assert_int_equal(sealed_list(f, STORE_SEALED_PEOPLE, 3, "", &seen), 1);
    assert_string_equal(seen.first.key, f->person);
    assert_string_equal(seen.first.record_id, f->person);
    assert_int_equal(seen.first.values[0].len, 3);
    assert_int_equal(seen.first.values[0].data[1], 2);
    assert_null(seen.first.values[1].data);
    assert_int_equal(seen.first.indexes[0].len, 3);
    assert_null(seen.first.indexes[2].data);

    /* Re-sealed with new indexes: the search finds it by the new ones
     * only, and it is no longer stale for key 3. */
    store_sealed_row_copy(&now, &seen.first);
    store_blob_release(&now.values[0]);
    now.values[0] = store_blob_dup(fam2, sizeof fam2);
    store_blob_release(&now.indexes[0]);
    now.indexes[0] = store_blob_dup(bidx2, sizeof bidx2);
    now.indexes[2] = store_blob_dup(anum, sizeof anum);
    assert_int_equal(
        sealed_update_tx(f, STORE_SEALED_PEOPLE, &seen.first, &now),
        STORE_ONE_RESULT);
    assert_int_equal(count_found(f, STORE_PERSON_INDEX_FAMILY_NAME, bidx2, 3),
                     1);
    assert_int_equal(
        count_found(f, STORE_PERSON_INDEX_FAMILY_NAME, "\x09\x09\x09", 3), 0);
    assert_int_equal(count_found(f, STORE_PERSON_INDEX_A_NUMBER, anum, 2), 1);
    assert_int_equal(store_person_get(f->s, f->person, &p), STORE_ONE_RESULT);
    assert_int_equal(p.family_name.len, sizeof fam2);
    assert_memory_equal(p.family_name.data, fam2, sizeof fam2);
    assert_int_equal(p.version, 1);
    store_person_release(&p);
    assert_int_equal(sealed_list(f, STORE_SEALED_PEOPLE, 3, "", &seen), 0);
    assert_int_equal(sealed_list(f, STORE_SEALED_PEOPLE, 0, "", &seen), 1);
    assert_int_equal(sealed_list(f, STORE_SEALED_PEOPLE, 0, f->person, &seen),
                     0);

    /* A row whose values changed since they were read is not written. */
    assert_int_equal(sealed_update_tx(f, STORE_SEALED_PEOPLE, &now, &now),
                     STORE_ONE_RESULT);
    memset(&old_key, 0, sizeof old_key);
    memcpy(old_key.key, f->person, sizeof old_key.key);
    old_key.values[0] = store_blob_dup("\x01\x02\x03", 3);
    assert_int_equal(sealed_update_tx(f, STORE_SEALED_PEOPLE, &old_key, &now),
                     STORE_NO_RESULTS);
    store_sealed_row_release(&old_key);
    store_sealed_row_release(&now);

    /* A signing key's sealed seed, which nothing else may edit, is
     * re-sealed twice in a row (the guard is put back each time). */
    for (int round = 0; round < 2; round++) {
        assert_int_equal(sealed_list(f, STORE_SEALED_SIGNING_KEY, 0, "", &seen),
                         1);
        assert_string_equal(seen.first.key, "0123456789abcdef");
        assert_string_equal(seen.first.record_id, f->agency);
        store_sealed_row_copy(&now, &seen.first);
        store_blob_release(&now.values[0]);
        seed3[7] = (unsigned char)round;
        now.values[0] = store_blob_dup(seed3, sizeof seed3);
        assert_int_equal(
            sealed_update_tx(f, STORE_SEALED_SIGNING_KEY, &seen.first, &now),
            STORE_ONE_RESULT);
        store_sealed_row_release(&now);
        assert_int_equal(store_signing_key_get(f->s, k.key_id, &got),
                         STORE_ONE_RESULT);
        assert_memory_equal(got.sealed_secret.data, seed3, sizeof seed3);
        assert_memory_equal(got.public_key, k.public_key, sizeof k.public_key);
        store_signing_key_release(&got);
    }
    assert_int_equal(store_sealed_count(f->s, STORE_SEALED_SIGNING_KEY, by_id),
                     STORE_ONE_RESULT);
    assert_int_equal(by_id[3], 1);
    assert_int_equal(by_id[2], 0);
    assert_int_equal(store_sealed_count(f->s, STORE_SEALED_PEOPLE, by_id),
                     STORE_ONE_RESULT);
    assert_int_equal(by_id[3], 1);
    store_sealed_row_release(&seen.first);
}

int
contract_run_sign(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_keys, fx_setup_world, fx_teardown),
        cmocka_unit_test_setup_teardown(test_signatures, fx_setup_world,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_key_race, fx_setup_world,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_signature_race, fx_setup_world,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_sealed_values, fx_setup_world,
                                        fx_teardown),
    };

    return cmocka_run_group_tests_name("store sign", tests, NULL, NULL);
}
