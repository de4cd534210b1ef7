/*
 * test_rows.c: round trips of every entity through the store, unique
 * keys, optimistic versions, case numbers and the audit chain.
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

static void
test_open_refusals(void **state)
{
    struct store *s = NULL;
    const char *why = NULL;
    char url[512];

    (void)state;
    assert_int_equal(
        store_open("mysql://x", STORE_OPEN_MODE_EXISTING, &s, &why),
        CM_ERR_USAGE);
    assert_non_null(why);
    assert_null(s);
    why = NULL;
    /* No server there (the tests start theirs on a random port): refused
     * with a reason. */
    assert_int_not_equal(store_open("postgresql://127.0.0.1:1/compel",
                                    STORE_OPEN_MODE_EXISTING, &s, &why),
                         CM_ERR_OK);
    assert_non_null(why);
    assert_null(s);
    why = NULL;
    store_close(NULL); /* accepted */
    if (!fx_fresh_url(url, sizeof url))
        skip();
    /* A missing database is never created by an ordinary open. */
    assert_int_equal(store_open(url, STORE_OPEN_MODE_EXISTING, &s, &why),
                     CM_ERR_NOT_FOUND);
    assert_null(s);
    assert_int_equal(store_open(url, STORE_OPEN_MODE_CREATE, &s, &why),
                     CM_ERR_OK);
    assert_string_equal(store_backend_name(s), "sqlite");
    store_close(s);
    s = NULL;
    /* An existing one is never created again. */
    assert_int_equal(store_open(url, STORE_OPEN_MODE_CREATE, &s, &why),
                     CM_ERR_ALREADY_EXISTS);
    assert_null(s);
    assert_int_equal(store_open(url, STORE_OPEN_MODE_EXISTING, &s, &why),
                     CM_ERR_OK);
    store_close(s);
    fx_remove(url);
}

static void
test_migrate_idempotent(void **state)
{
    struct fx *f = *state;
    int applied = -1, pending = -1, version = -1;
    struct store *s2 = NULL;

    /* fx_setup migrated once; again applies nothing. */
    assert_int_equal(store_migrate(f->s, FX_T0, &applied), STORE_ONE_RESULT);
    assert_int_equal(applied, 0);
    assert_int_equal(store_migrations_pending(f->s, &pending),
                     STORE_ONE_RESULT);
    assert_int_equal(pending, 0);
    assert_int_equal(store_schema_version(f->s, &version), STORE_ONE_RESULT);
    assert_true(version >= 1);
    /* A second connection sees the same schema and applies nothing. */
    assert_int_equal(
        store_open_partial(f->url, STORE_OPEN_MODE_EXISTING, &s2, NULL),
        CM_ERR_OK);
    applied = -1;
    assert_int_equal(store_migrate(s2, FX_T0, &applied), STORE_ONE_RESULT);
    assert_int_equal(applied, 0);
    store_close(s2);
}

static void
test_migrate_fresh_counts(void **state)
{
    struct store *s = NULL;
    int applied = -1, pending = -1, version = -1;
    char url[512];

    (void)state;
    if (!fx_fresh_url(url, sizeof url))
        skip();
    assert_int_equal(store_open(url, STORE_OPEN_MODE_CREATE, &s, NULL),
                     CM_ERR_OK);
    assert_int_equal(store_schema_version(s, &version), STORE_ONE_RESULT);
    assert_int_equal(version, 0);
    assert_int_equal(store_migrations_pending(s, &pending), STORE_ONE_RESULT);
    assert_true(pending >= 1);
    assert_int_equal(store_migrate(s, FX_T0, &applied), STORE_ONE_RESULT);
    assert_int_equal(applied, pending);
    assert_int_equal(store_migrations_pending(s, &pending), STORE_ONE_RESULT);
    assert_int_equal(pending, 0);
    store_close(s);
    fx_remove(url);
}

static void
test_meta(void **state)
{
    struct fx *f = *state;
    char *v = NULL;

    assert_int_equal(store_meta_get(f->s, "instance", &v), STORE_NO_RESULTS);
    assert_null(v);
    assert_int_equal(store_meta_set(f->s, "instance", "a"), STORE_ONE_RESULT);
    assert_int_equal(store_meta_get(f->s, "instance", &v), STORE_ONE_RESULT);
    assert_string_equal(v, "a");
    cm_free(v);
    assert_int_equal(store_meta_set(f->s, "instance", "b"), STORE_ONE_RESULT);
    assert_int_equal(store_meta_get(f->s, "instance", &v), STORE_ONE_RESULT);
    assert_string_equal(v, "b");
    cm_free(v);
}

static enum store_rc
take_number_then_fail(struct store *s, void *ctx)
{
    char *out = ctx;
    enum store_rc rc = store_case_number_next(s, "DET", 2026, out);

    return rc < 0 ? rc : STORE_HARD_ERROR;
}

static void
test_case_numbers(void **state)
{
    struct fx *f = *state;
    char n[STORE_NUMBER_SIZE];

    assert_int_equal(store_case_number_next(f->s, "DET", 2026, n),
                     STORE_ONE_RESULT);
    assert_string_equal(n, "DET-2026-000001");
    assert_int_equal(store_case_number_next(f->s, "DET", 2026, n),
                     STORE_ONE_RESULT);
    assert_string_equal(n, "DET-2026-000002");
    /* Each kind and each year counts on its own. */
    assert_int_equal(store_case_number_next(f->s, "SUB", 2026, n),
                     STORE_ONE_RESULT);
    assert_string_equal(n, "SUB-2026-000001");
    assert_int_equal(store_case_number_next(f->s, "DET", 2027, n),
                     STORE_ONE_RESULT);
    assert_string_equal(n, "DET-2027-000001");
    /* A number taken in a rolled-back transaction is not used up. */
    assert_int_equal(store_tx_run(f->s, "t", take_number_then_fail, n),
                     STORE_HARD_ERROR);
    assert_int_equal(store_case_number_next(f->s, "DET", 2026, n),
                     STORE_ONE_RESULT);
    assert_string_equal(n, "DET-2026-000003");
}

struct org_names {
    int n;
    char names[8][64];
    char last_id[STORE_ID_SIZE];
};

static void
collect_org(void *cls, const struct store_org *o)
{
    struct org_names *c = cls;

    if (c->n < 8)
        (void)snprintf(c->names[c->n], sizeof c->names[0], "%s", o->name);
    memcpy(c->last_id, o->id, sizeof c->last_id);
    c->n++;
}

static void
test_org(void **state)
{
    struct fx *f = *state;
    struct store_org o = {.created_at = FX_T0 + 10,
                          .updated_at = FX_T0 + 11,
                          .kind = "doj_office",
                          .name = "USAO District of Colorado",
                          .state = "CO",
                          .timezone = "America/Denver",
                          .requires_counsel_review = true};
    struct store_org got;
    struct store_org dup;
    struct org_names c = {0};
    int n;

    cm_id_new(o.id);
    assert_int_equal(store_org_insert(f->s, &o), STORE_ONE_RESULT);
    assert_int_equal(store_org_get(f->s, o.id, &got), STORE_ONE_RESULT);
    assert_string_equal(got.id, o.id);
    assert_int_equal(got.version, 1);
    assert_int_equal(got.created_at, FX_T0 + 10);
    assert_int_equal(got.updated_at, FX_T0 + 11);
    assert_string_equal(got.kind, "doj_office");
    assert_string_equal(got.name, "USAO District of Colorado");
    assert_string_equal(got.state, "CO");
    assert_string_equal(got.timezone, "America/Denver");
    assert_true(got.requires_counsel_review);
    store_org_release(&got);
    /* Same id, or same kind and name: nothing inserted. */
    assert_int_equal(store_org_insert(f->s, &o), STORE_NO_RESULTS);
    dup = o;
    cm_id_new(dup.id);
    assert_int_equal(store_org_insert(f->s, &dup), STORE_NO_RESULTS);
    assert_int_equal(store_org_get(f->s, dup.id, &got), STORE_NO_RESULTS);
    /* The same name in another state is another organization. */
    dup.state = "WA";
    assert_int_equal(store_org_insert(f->s, &dup), STORE_ONE_RESULT);
    cm_id_new(dup.id);
    dup.state = "CO";
    /* A bad kind is the caller's bug: a hard error. */
    dup.kind = "embassy";
    dup.name = "Elsewhere";
    assert_int_equal(store_org_insert(f->s, &dup), STORE_HARD_ERROR);
    /* Lists in creation order, two at a time. */
    n = store_org_list(f->s, NULL, 2, collect_org, &c);
    assert_int_equal(n, 2);
    assert_string_equal(c.names[0], "Denver Field Office");
    assert_string_equal(c.names[1], "Denver County");
    n = store_org_list(f->s, c.last_id, 2, collect_org, &c);
    assert_int_equal(n, 2);
    assert_string_equal(c.names[2], "USAO District of Colorado");
    assert_string_equal(c.names[3], "USAO District of Colorado");
    n = store_org_list(f->s, c.last_id, 2, collect_org, &c);
    assert_int_equal(n, 0);
}

struct facility_names {
    int n;
    char first[64];
};

static void
collect_facility(void *cls, const struct store_facility *fa)
{
    struct facility_names *c = cls;

    if (c->n++ == 0)
        (void)snprintf(c->first, sizeof c->first, "%s", fa->name);
}

static void
test_facility(void **state)
{
    struct fx *f = *state;
    struct store_facility fa = {.created_at = FX_T0 + 5,
                                .updated_at = FX_T0 + 5,
                                .name = "North Jail",
                                .timezone = "America/Denver"};
    struct store_facility got;
    struct facility_names c = {0};

    cm_id_new(fa.id);
    memcpy(fa.org_id, f->county, sizeof fa.org_id);
    assert_int_equal(store_facility_insert(f->s, &fa), STORE_ONE_RESULT);
    assert_int_equal(store_facility_get(f->s, fa.id, &got), STORE_ONE_RESULT);
    assert_string_equal(got.org_id, f->county);
    assert_string_equal(got.name, "North Jail");
    assert_string_equal(got.timezone, "America/Denver");
    assert_int_equal(got.version, 1);
    store_facility_release(&got);
    /* Same name in the same org. */
    cm_id_new(fa.id);
    assert_int_equal(store_facility_insert(f->s, &fa), STORE_NO_RESULTS);
    /* An unknown org breaks a foreign key: hard. */
    cm_id_new(fa.org_id);
    assert_int_equal(store_facility_insert(f->s, &fa), STORE_HARD_ERROR);
    assert_int_equal(
        store_facility_list_by_org(f->s, f->county, collect_facility, &c), 2);
    assert_string_equal(c.first, "Downtown Detention Center");
    c.n = 0;
    assert_int_equal(
        store_facility_list_by_org(f->s, f->agency, collect_facility, &c), 0);
}

static void
test_user(void **state)
{
    struct fx *f = *state;
    unsigned char secret[] = {0xde, 0xad, 0xbe, 0xef, 0x00, 0x01};
    struct store_user u = {.created_at = FX_T0,
                           .updated_at = FX_T0,
                           .email = "Signer@Agency.example",
                           .name = "Sam Signer",
                           .roles = (1u << 1) | (1u << 2),
                           .title = "Field Office Director",
                           .password_hash = "$argon2id$v=19$x",
                           .failed_logins = 2,
                           .first_failed_at = FX_T0 + 3,
                           .totp_secret = {secret, sizeof secret},
                           .totp_last_step = 59000000};
    struct store_user got;
    struct store_user dup;

    cm_id_new(u.id);
    memcpy(u.org_id, f->agency, sizeof u.org_id);
    assert_int_equal(store_user_insert(f->s, &u), STORE_ONE_RESULT);
    assert_int_equal(store_user_get(f->s, u.id, &got), STORE_ONE_RESULT);
    assert_string_equal(got.email, "Signer@Agency.example");
    assert_string_equal(got.name, "Sam Signer");
    assert_string_equal(got.org_id, f->agency);
    assert_int_equal(got.roles, (1u << 1) | (1u << 2));
    assert_string_equal(got.title, "Field Office Director");
    assert_string_equal(got.password_hash, "$argon2id$v=19$x");
    assert_false(got.disabled);
    assert_int_equal(got.failed_logins, 2);
    assert_int_equal(got.first_failed_at, FX_T0 + 3);
    assert_int_equal(got.locked_at, 0);
    assert_int_equal(got.totp_secret.len, sizeof secret);
    assert_memory_equal(got.totp_secret.data, secret, sizeof secret);
    assert_int_equal(got.totp_last_step, 59000000);
    store_user_release(&got);
    /* Email lookup ignores case. */
    assert_int_equal(
        store_user_get_by_email(f->s, "signer@agency.EXAMPLE", &got),
        STORE_ONE_RESULT);
    assert_string_equal(got.id, u.id);
    store_user_release(&got);
    assert_int_equal(store_user_get_by_email(f->s, "nobody@x.example", &got),
                     STORE_NO_RESULTS);
    /* The same email in another case is a duplicate: STORE_NO_RESULTS,
     * the documented "already exists" answer. */
    dup = u;
    cm_id_new(dup.id);
    dup.email = "SIGNER@agency.example";
    dup.totp_secret = (struct store_blob){NULL, 0};
    assert_int_equal(store_user_insert(f->s, &dup), STORE_NO_RESULTS);
    assert_int_equal(store_user_get(f->s, dup.id, &got), STORE_NO_RESULTS);
    /* A user without the optional fields reads back NULLs. */
    dup.email = "plain@agency.example";
    dup.title = NULL;
    dup.first_failed_at = 0;
    assert_int_equal(store_user_insert(f->s, &dup), STORE_ONE_RESULT);
    assert_int_equal(store_user_get(f->s, dup.id, &got), STORE_ONE_RESULT);
    assert_null(got.title);
    assert_null(got.totp_secret.data);
    assert_int_equal(got.first_failed_at, 0);
    store_user_release(&got);
}

struct person_ids {
    int n;
    char ids[4][STORE_ID_SIZE];
};

static void
collect_person(void *cls, const struct store_person *p)
{
    struct person_ids *c = cls;

    if (c->n < 4)
        memcpy(c->ids[c->n], p->id, STORE_ID_SIZE);
    c->n++;
}

static void
test_person(void **state)
{
    struct fx *f = *state;
    unsigned char fam[] = "ciphertext-family", giv[] = "ciphertext-given";
    unsigned char dob[] = "ciphertext-dob", ids[] = "ciphertext-ids";
    unsigned char fb[] = {1, 1, 1, 1}, db[] = {2, 2, 2, 2};
    unsigned char ab[] = {3, 3, 3, 3}, other[] = {4, 4, 4, 4};
    struct store_person p = {.created_at = FX_T0 + 1,
                             .updated_at = FX_T0 + 1,
                             .family_name = {fam, sizeof fam},
                             .given_names = {giv, sizeof giv},
                             .date_of_birth = {dob, sizeof dob},
                             .identifiers = {ids, sizeof ids},
                             .family_name_bidx = {fb, sizeof fb},
                             .dob_bidx = {db, sizeof db},
                             .a_number_bidx = {ab, sizeof ab}};
    struct store_person got;
    struct store_person p2 = p;
    struct store_blob key = {fb, sizeof fb};
    struct person_ids c = {0};

    cm_id_new(p.id);
    assert_int_equal(store_person_insert(f->s, &p), STORE_ONE_RESULT);
    assert_int_equal(store_person_insert(f->s, &p), STORE_NO_RESULTS);
    assert_int_equal(store_person_get(f->s, p.id, &got), STORE_ONE_RESULT);
    assert_int_equal(got.family_name.len, sizeof fam);
    assert_memory_equal(got.family_name.data, fam, sizeof fam);
    assert_memory_equal(got.given_names.data, giv, sizeof giv);
    assert_memory_equal(got.date_of_birth.data, dob, sizeof dob);
    assert_memory_equal(got.identifiers.data, ids, sizeof ids);
    assert_null(got.aliases.data);
    assert_memory_equal(got.a_number_bidx.data, ab, sizeof ab);
    store_person_release(&got);
    /* A second person with the same family name, another A-number. */
    cm_id_new(p2.id);
    p2.created_at = FX_T0 + 2;
    p2.a_number_bidx = (struct store_blob){other, sizeof other};
    assert_int_equal(store_person_insert(f->s, &p2), STORE_ONE_RESULT);
    assert_int_equal(store_person_find(f->s, STORE_PERSON_INDEX_FAMILY_NAME,
                                       &key, collect_person, &c),
                     2);
    assert_string_equal(c.ids[0], p.id);
    assert_string_equal(c.ids[1], p2.id);
    c.n = 0;
    key = (struct store_blob){ab, sizeof ab};
    assert_int_equal(store_person_find(f->s, STORE_PERSON_INDEX_A_NUMBER, &key,
                                       collect_person, &c),
                     1);
    assert_string_equal(c.ids[0], p.id);
    c.n = 0;
    key = (struct store_blob){db, sizeof db};
    assert_int_equal(store_person_find(f->s, STORE_PERSON_INDEX_DATE_OF_BIRTH,
                                       &key, collect_person, &c),
                     2);
    c.n = 0;
    key = (struct store_blob){db, 3}; /* a prefix is not a match */
    assert_int_equal(store_person_find(f->s, STORE_PERSON_INDEX_DATE_OF_BIRTH,
                                       &key, collect_person, &c),
                     0);
}

static void
fill_detainer(struct fx *f, struct store_detainer *d, const char *number)
{
    memset(d, 0, sizeof *d);
    cm_id_new(d->id);
    d->created_at = FX_T0;
    d->updated_at = FX_T0;
    (void)snprintf(d->number, sizeof d->number, "%s", number);
    memcpy(d->person_id, f->person, STORE_ID_SIZE);
    memcpy(d->facility_id, f->facility, STORE_ID_SIZE);
    memcpy(d->agency_org_id, f->agency, STORE_ID_SIZE);
    memcpy(d->lodged_by, f->officer, STORE_ID_SIZE);
    d->form = "I-247A";
    d->basis = "final_order";
    d->hold_rule = "48h-clock";
    d->state = "lodged";
    d->notice_given = -1;
}

static void
test_detainer(void **state)
{
    struct fx *f = *state;
    struct store_detainer d, got, dup;

    fill_detainer(f, &d, "DET-2026-000001");
    assert_int_equal(store_detainer_insert(f->s, &d), STORE_ONE_RESULT);
    assert_int_equal(store_detainer_get(f->s, d.id, &got), STORE_ONE_RESULT);
    assert_int_equal(got.version, 1);
    assert_string_equal(got.number, "DET-2026-000001");
    assert_string_equal(got.person_id, f->person);
    assert_string_equal(got.facility_id, f->facility);
    assert_string_equal(got.form, "I-247A");
    assert_string_equal(got.basis, "final_order");
    assert_string_equal(got.hold_rule, "48h-clock");
    assert_string_equal(got.state, "lodged");
    assert_null(got.outcome_source);
    assert_string_equal(got.decline_policy_id, "");
    assert_int_equal(got.otherwise_release_at, 0);
    assert_int_equal(got.notice_given, -1);
    /* Same number: nothing inserted. */
    fill_detainer(f, &dup, "DET-2026-000001");
    assert_int_equal(store_detainer_insert(f->s, &dup), STORE_NO_RESULTS);
    /* An update at the version read succeeds and bumps it. */
    cm_free(got.state);
    got.state = cm_strdup("honored");
    got.outcome_source = cm_strdup("reported");
    got.otherwise_release_at = FX_T0 + 3600000000;
    got.max_hold_until = FX_T0 + 3600000000 + INT64_C(48) * 3600000000;
    got.updated_at = FX_T0 + 99;
    assert_int_equal(store_detainer_update(f->s, &got), STORE_ONE_RESULT);
    /* The same stale version again changes nothing. */
    cm_free(got.state);
    got.state = cm_strdup("cancelled");
    assert_int_equal(store_detainer_update(f->s, &got), STORE_NO_RESULTS);
    store_detainer_release(&got);
    assert_int_equal(store_detainer_get(f->s, d.id, &got), STORE_ONE_RESULT);
    assert_int_equal(got.version, 2);
    assert_string_equal(got.state, "honored");
    assert_string_equal(got.outcome_source, "reported");
    assert_int_equal(got.otherwise_release_at, FX_T0 + 3600000000);
    assert_int_equal(got.updated_at, FX_T0 + 99);
    assert_int_equal(got.created_at, FX_T0);
    /* Release with notice. */
    cm_free(got.state);
    got.state = cm_strdup("released");
    got.released_at = FX_T0 + 7200000000;
    got.notice_given = 1;
    assert_int_equal(store_detainer_update(f->s, &got), STORE_ONE_RESULT);
    store_detainer_release(&got);
    assert_int_equal(store_detainer_get(f->s, d.id, &got), STORE_ONE_RESULT);
    assert_int_equal(got.version, 3);
    assert_int_equal(got.notice_given, 1);
    assert_int_equal(got.released_at, FX_T0 + 7200000000);
    store_detainer_release(&got);
    /* An unknown id: nothing to update. */
    fill_detainer(f, &dup, "DET-2026-000009");
    dup.version = 1;
    assert_int_equal(store_detainer_update(f->s, &dup), STORE_NO_RESULTS);
    assert_int_equal(store_detainer_get(f->s, dup.id, &got), STORE_NO_RESULTS);
}

static const char *const categories[] = {"home_address", "employer", "vehicle"};

/* A draft subpoena with three items; owned strings are literals, so do
 * not release it (free sp->items with cm_free). */
static void
fill_subpoena(struct fx *f, struct store_subpoena *sp, const char *number)
{
    memset(sp, 0, sizeof *sp);
    cm_id_new(sp->id);
    sp->created_at = FX_T0;
    sp->updated_at = FX_T0;
    (void)snprintf(sp->number, sizeof sp->number, "%s", number);
    memcpy(sp->agency_org_id, f->agency, STORE_ID_SIZE);
    memcpy(sp->recipient_org_id, f->county, STORE_ID_SIZE);
    memcpy(sp->person_id, f->person, STORE_ID_SIZE);
    memcpy(sp->drafted_by, f->officer, STORE_ID_SIZE);
    sp->purpose = "records of a released person";
    sp->state = "draft";
    sp->n_items = 3;
    sp->items = cm_calloc(3, sizeof *sp->items);
    for (size_t i = 0; i < 3; i++) {
        cm_id_new(sp->items[i].id);
        sp->items[i].category = (char *)categories[i];
    }
    sp->items[1].description = "current employer and address";
}

static void
test_subpoena(void **state)
{
    struct fx *f = *state;
    struct store_subpoena sp, got, dup;

    fill_subpoena(f, &sp, "SUB-2026-000001");
    assert_int_equal(store_subpoena_insert(f->s, &sp), STORE_ONE_RESULT);
    assert_int_equal(store_subpoena_get(f->s, sp.id, &got), STORE_ONE_RESULT);
    assert_int_equal(got.version, 1);
    assert_string_equal(got.number, "SUB-2026-000001");
    assert_string_equal(got.recipient_org_id, f->county);
    assert_string_equal(got.person_id, f->person);
    assert_string_equal(got.detainer_id, "");
    assert_string_equal(got.state, "draft");
    assert_null(got.return_date);
    assert_int_equal(got.n_items, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_string_equal(got.items[i].id, sp.items[i].id);
        assert_int_equal(got.items[i].position, (int64_t)i + 1);
        assert_string_equal(got.items[i].category, categories[i]);
        assert_null(got.items[i].outcome);
    }
    assert_string_equal(got.items[1].description,
                        "current employer and address");
    /* State change at the version read; then the stale version fails. */
    assert_int_equal(
        store_subpoena_update_state(f->s, sp.id, 1, "ready_to_sign", FX_T0 + 1),
        STORE_ONE_RESULT);
    assert_int_equal(
        store_subpoena_update_state(f->s, sp.id, 1, "withdrawn", FX_T0 + 2),
        STORE_NO_RESULTS);
    store_subpoena_release(&got);
    assert_int_equal(store_subpoena_get(f->s, sp.id, &got), STORE_ONE_RESULT);
    assert_int_equal(got.version, 2);
    assert_string_equal(got.state, "ready_to_sign");
    assert_int_equal(got.updated_at, FX_T0 + 1);
    /* Serve it: a full update of the scalar fields. */
    cm_free(got.state);
    got.state = cm_strdup("served");
    got.served_at = FX_T0 + 86400000000;
    got.service_method = cm_strdup("certified_mail");
    got.served_to = cm_strdup("County Attorney");
    got.return_date = cm_strdup("2026-01-16");
    got.original_return_date = cm_strdup("2026-01-16");
    got.updated_at = FX_T0 + 86400000000;
    assert_int_equal(store_subpoena_update(f->s, &got), STORE_ONE_RESULT);
    assert_int_equal(store_subpoena_update(f->s, &got), STORE_NO_RESULTS);
    store_subpoena_release(&got);
    assert_int_equal(store_subpoena_get(f->s, sp.id, &got), STORE_ONE_RESULT);
    assert_int_equal(got.version, 3);
    assert_string_equal(got.state, "served");
    assert_string_equal(got.service_method, "certified_mail");
    assert_string_equal(got.return_date, "2026-01-16");
    assert_int_equal(got.n_items, 3);
    store_subpoena_release(&got);
    /* A duplicate number writes nothing, not even the new items. */
    fill_subpoena(f, &dup, "SUB-2026-000001");
    assert_int_equal(store_subpoena_insert(f->s, &dup), STORE_NO_RESULTS);
    assert_int_equal(store_subpoena_get(f->s, dup.id, &got), STORE_NO_RESULTS);
    /* A taken item id in the last item rolls back the subpoena too. */
    (void)snprintf(dup.number, sizeof dup.number, "SUB-2026-000002");
    memcpy(dup.items[2].id, sp.items[0].id, STORE_ID_SIZE);
    assert_int_equal(store_subpoena_insert(f->s, &dup), STORE_NO_RESULTS);
    assert_int_equal(store_subpoena_get(f->s, dup.id, &got), STORE_NO_RESULTS);
    /* A bad category is a hard error and also leaves nothing. */
    cm_id_new(dup.items[2].id);
    dup.items[2].category = "dna_sample";
    assert_int_equal(store_subpoena_insert(f->s, &dup), STORE_HARD_ERROR);
    assert_int_equal(store_subpoena_get(f->s, dup.id, &got), STORE_NO_RESULTS);
    cm_free(dup.items);
    cm_free(sp.items);
}

/* store_subpoena_items_replace: a draft's items replaced all at once;
 * a taken id changes nothing. */
static void
test_subpoena_items_replace(void **state)
{
    struct fx *f = *state;
    struct store_subpoena sp, got, repl;
    struct store_subpoena_item fresh[2] = {0};

    fill_subpoena(f, &sp, "SUB-2026-000010");
    assert_int_equal(store_subpoena_insert(f->s, &sp), STORE_ONE_RESULT);
    repl = sp;
    repl.updated_at = FX_T0 + 5;
    repl.items = fresh;
    repl.n_items = 2;
    cm_id_new(fresh[0].id);
    fresh[0].category = "vehicle";
    fresh[0].description = "plates";
    /* The second new item takes the id of an old one that is not being
     * deleted: another subpoena's. Nothing changes. */
    {
        struct store_subpoena other;

        fill_subpoena(f, &other, "SUB-2026-000011");
        assert_int_equal(store_subpoena_insert(f->s, &other), STORE_ONE_RESULT);
        memcpy(fresh[1].id, other.items[0].id, STORE_ID_SIZE);
        fresh[1].category = "phone";
        assert_int_equal(store_subpoena_items_replace(f->s, &repl),
                         STORE_NO_RESULTS);
        cm_free(other.items);
    }
    assert_int_equal(store_subpoena_get(f->s, sp.id, &got), STORE_ONE_RESULT);
    assert_int_equal(got.n_items, 3);
    assert_string_equal(got.items[0].id, sp.items[0].id);
    store_subpoena_release(&got);
    /* With fresh ids: exactly the new items, positions 1 and 2. */
    cm_id_new(fresh[1].id);
    assert_int_equal(store_subpoena_items_replace(f->s, &repl),
                     STORE_ONE_RESULT);
    assert_int_equal(store_subpoena_get(f->s, sp.id, &got), STORE_ONE_RESULT);
    assert_int_equal(got.n_items, 2);
    assert_string_equal(got.items[0].id, fresh[0].id);
    assert_int_equal(got.items[0].position, 1);
    assert_string_equal(got.items[0].category, "vehicle");
    assert_string_equal(got.items[0].description, "plates");
    assert_int_equal(got.items[0].created_at, FX_T0 + 5);
    assert_string_equal(got.items[1].id, fresh[1].id);
    assert_int_equal(got.items[1].position, 2);
    assert_string_equal(got.items[1].category, "phone");
    store_subpoena_release(&got);
    cm_free(sp.items);
}

struct event_log {
    int n;
    int64_t seqs[8];
    char actions[8][32];
    char details[8][64];
};

static void
collect_event(void *cls, const struct store_event *ev)
{
    struct event_log *c = cls;

    if (c->n < 8) {
        c->seqs[c->n] = ev->seq;
        (void)snprintf(c->actions[c->n], 32, "%s", ev->action);
        (void)snprintf(c->details[c->n], 64, "%s",
                       ev->details ? ev->details : "(null)");
    }
    c->n++;
}

static void
test_events(void **state)
{
    struct fx *f = *state;
    struct store_event ev = {.case_kind = "subpoena",
                             .action = "create",
                             .role = "officer",
                             .at = FX_T0,
                             .details = "{\"items\":3}"};
    struct event_log c = {0};
    char other[STORE_ID_SIZE];
    int64_t seq = 0;

    cm_id_new(ev.case_id);
    cm_id_new(other);
    memcpy(ev.actor_id, f->officer, STORE_ID_SIZE);
    assert_int_equal(store_event_append(f->s, &ev, &seq), STORE_ONE_RESULT);
    assert_int_equal(seq, 1);
    ev.action = "submit";
    ev.details = NULL;
    ev.at = FX_T0 + 1;
    assert_int_equal(store_event_append(f->s, &ev, &seq), STORE_ONE_RESULT);
    assert_int_equal(seq, 2);
    /* Another case numbers its own events from 1. */
    memcpy(ev.case_id, other, STORE_ID_SIZE);
    assert_int_equal(store_event_append(f->s, &ev, &seq), STORE_ONE_RESULT);
    assert_int_equal(seq, 1);
    /* Details must be JSON. */
    ev.details = "{not json";
    assert_int_equal(store_event_append(f->s, &ev, &seq), STORE_HARD_ERROR);
    assert_int_equal(
        store_event_list(f->s, "subpoena", other, collect_event, &c), 1);
    c.n = 0;
    memset(ev.case_id, 0, sizeof ev.case_id);
    assert_int_equal(
        store_event_list(f->s, "detainer", other, collect_event, &c), 0);
}

static void
test_events_order(void **state)
{
    struct fx *f = *state;
    struct store_event ev = {.case_kind = "detainer",
                             .action = "create",
                             .at = FX_T0,
                             .details = "{\"a\":1}"};
    struct event_log c = {0};
    static const char *const actions[] = {"create", "acknowledge", "honor"};
    int64_t seq = 0;

    cm_id_new(ev.case_id);
    for (int i = 0; i < 3; i++) {
        ev.action = (char *)actions[i];
        ev.at = FX_T0 + i;
        assert_int_equal(store_event_append(f->s, &ev, &seq), STORE_ONE_RESULT);
        assert_int_equal(seq, i + 1);
    }
    assert_int_equal(
        store_event_list(f->s, "detainer", ev.case_id, collect_event, &c), 3);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(c.seqs[i], i + 1);
        assert_string_equal(c.actions[i], actions[i]);
        assert_string_equal(c.details[i], "{\"a\":1}");
    }
}

struct audit_walk {
    int n;
    int64_t seqs[8];
    unsigned char prev[8][STORE_HASH_SIZE];
};

static void
collect_audit(void *cls, const struct store_audit *a)
{
    struct audit_walk *w = cls;

    if (w->n < 8) {
        w->seqs[w->n] = a->seq;
        memcpy(w->prev[w->n], a->prev_hash, STORE_HASH_SIZE);
    }
    w->n++;
}

static void
test_audit_chain(void **state)
{
    struct fx *f = *state;
    struct store_audit a = {.at = FX_T0,
                            .actor_id = f->officer,
                            .org_id = f->agency,
                            .role = "officer",
                            .session_hash = "5a5a5a5a",
                            .client_addr = "192.0.2.7",
                            .action = "subpoena.create",
                            .object_kind = "subpoena",
                            .outcome = "success",
                            .detail = "3 items"};
    struct store_audit got;
    struct audit_walk w = {0};
    unsigned char head_hash[STORE_HASH_SIZE];
    int64_t head = -1, seq = 0;

    assert_int_equal(store_audit_head(f->s, &head, head_hash),
                     STORE_NO_RESULTS);
    assert_int_equal(head, -1);
    /* Three entries, each pointing at the previous hash. */
    memset(a.prev_hash, 0, STORE_HASH_SIZE);
    for (int i = 1; i <= 3; i++) {
        memset(a.hash, i, STORE_HASH_SIZE);
        a.at = FX_T0 + i;
        assert_int_equal(store_audit_append(f->s, &a, &seq), STORE_ONE_RESULT);
        assert_int_equal(seq, i);
        assert_int_equal(store_audit_head(f->s, &head, head_hash),
                         STORE_ONE_RESULT);
        assert_int_equal(head, i);
        assert_memory_equal(head_hash, a.hash, STORE_HASH_SIZE);
        memcpy(a.prev_hash, a.hash, STORE_HASH_SIZE);
    }
    assert_int_equal(store_audit_get(f->s, 2, &got), STORE_ONE_RESULT);
    assert_int_equal(got.seq, 2);
    assert_int_equal(got.at, FX_T0 + 2);
    assert_string_equal(got.actor_id, f->officer);
    assert_string_equal(got.org_id, f->agency);
    assert_string_equal(got.role, "officer");
    assert_string_equal(got.session_hash, "5a5a5a5a");
    assert_string_equal(got.client_addr, "192.0.2.7");
    assert_string_equal(got.action, "subpoena.create");
    assert_string_equal(got.object_kind, "subpoena");
    assert_null(got.object_id);
    assert_string_equal(got.outcome, "success");
    assert_string_equal(got.detail, "3 items");
    for (int i = 0; i < STORE_HASH_SIZE; i++) {
        assert_int_equal(got.prev_hash[i], 1);
        assert_int_equal(got.hash[i], 2);
    }
    store_audit_release(&got);
    assert_int_equal(store_audit_get(f->s, 4, &got), STORE_NO_RESULTS);
    /* The same hash twice would fork the chain: refused. */
    assert_int_equal(store_audit_append(f->s, &a, &seq), STORE_HARD_ERROR);
    assert_int_equal(store_audit_range(f->s, 2, 3, collect_audit, &w), 2);
    assert_int_equal(w.seqs[0], 2);
    assert_int_equal(w.seqs[1], 3);
    assert_int_equal(w.prev[1][0], 2);
    w.n = 0;
    assert_int_equal(store_audit_range(f->s, 1, 100, collect_audit, &w), 3);
    w.n = 0;
    assert_int_equal(store_audit_range(f->s, 5, 9, collect_audit, &w), 0);
}

int
contract_run_rows(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_refusals),
        cmocka_unit_test(test_migrate_fresh_counts),
        cmocka_unit_test_setup_teardown(test_migrate_idempotent, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_meta, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_case_numbers, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_org, fx_setup_world, fx_teardown),
        cmocka_unit_test_setup_teardown(test_facility, fx_setup_world,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_user, fx_setup_world, fx_teardown),
        cmocka_unit_test_setup_teardown(test_person, fx_setup_world,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_detainer, fx_setup_world,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_subpoena, fx_setup_world,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_subpoena_items_replace,
                                        fx_setup_world, fx_teardown),
        cmocka_unit_test_setup_teardown(test_events, fx_setup_world,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_events_order, fx_setup_world,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_audit_chain, fx_setup_world,
                                        fx_teardown),
    };

    return cmocka_run_group_tests_name("store rows", tests, NULL, NULL);
}
