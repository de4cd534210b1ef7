/*
 * test_cases.c: the contract of store_cases.h: what each scope may see of
 * detainers, subpoenas and enforcement cases (a jurisdiction never sees a
 * draft or a signed-but-unserved subpoena, nor another jurisdiction's
 * detainers), filters and counts (the queue helpers), cursor paging
 * without duplicates or gaps, enforcement versions, item outcomes,
 * extensions, deadlines, and a referral transaction failed at every call
 * in turn leaving nothing behind; and, with several connections racing
 * as several servers do, one winner per enforcement version and one
 * deadline per (case, kind).
 */
#include <pthread.h>
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

/* A second jurisdiction with its own jail, a DOJ office, and a signer
 * (signed_by must differ from drafted_by). */
struct world {
    struct fx *f;
    char county2[STORE_ID_SIZE];
    char jail2[STORE_ID_SIZE];
    char doj[STORE_ID_SIZE];
    char signer[STORE_ID_SIZE];
    int numbers;
};

static void
world_init(struct world *w, struct fx *f)
{
    struct store_org county2 = {.created_at = FX_T0 + 2,
                                .updated_at = FX_T0 + 2,
                                .kind = "jurisdiction",
                                .name = "Boulder County",
                                .state = "CO",
                                .timezone = "America/Denver"};
    struct store_org doj = {.created_at = FX_T0 + 3,
                            .updated_at = FX_T0 + 3,
                            .kind = "doj_office",
                            .name = "U.S. Attorney, District of Colorado",
                            .state = "CO",
                            .timezone = "America/Denver"};
    struct store_facility jail2 = {.created_at = FX_T0,
                                   .updated_at = FX_T0,
                                   .name = "Boulder County Jail",
                                   .timezone = "America/Denver"};
    struct store_user signer = {.created_at = FX_T0,
                                .updated_at = FX_T0,
                                .email = "signer@agency.example",
                                .name = "Signer",
                                .roles = 2u};

    memset(w, 0, sizeof *w);
    w->f = f;
    cm_id_new(county2.id);
    cm_id_new(doj.id);
    cm_id_new(jail2.id);
    cm_id_new(signer.id);
    memcpy(jail2.org_id, county2.id, sizeof jail2.org_id);
    memcpy(signer.org_id, f->agency, sizeof signer.org_id);
    assert_int_equal(store_org_insert(f->s, &county2), STORE_ONE_RESULT);
    assert_int_equal(store_org_insert(f->s, &doj), STORE_ONE_RESULT);
    assert_int_equal(store_facility_insert(f->s, &jail2), STORE_ONE_RESULT);
    assert_int_equal(store_user_insert(f->s, &signer), STORE_ONE_RESULT);
    memcpy(w->county2, county2.id, sizeof w->county2);
    memcpy(w->doj, doj.id, sizeof w->doj);
    memcpy(w->jail2, jail2.id, sizeof w->jail2);
    memcpy(w->signer, signer.id, sizeof w->signer);
}

/* Insert a subpoena of the agency to `recipient` in `state`; served when
 * served_at is nonzero. Its id goes to `id`. */
static void
add_subpoena(struct world *w,
             const char *recipient,
             const char *state,
             int64_t created_at,
             int64_t served_at,
             const char *return_date,
             char id[STORE_ID_SIZE])
{
    struct store_subpoena_item items[1] = {{.category = "home_address"}};
    struct store_subpoena sp = {0};

    cm_id_new(sp.id);
    cm_id_new(items[0].id);
    (void)snprintf(sp.number, sizeof sp.number, "SUB-2026-%06d", ++w->numbers);
    sp.created_at = created_at;
    sp.updated_at = created_at;
    memcpy(sp.agency_org_id, w->f->agency, sizeof sp.agency_org_id);
    (void)snprintf(sp.recipient_org_id, sizeof sp.recipient_org_id, "%s",
                   recipient);
    memcpy(sp.person_id, w->f->person, sizeof sp.person_id);
    sp.purpose = "records of the released person";
    sp.state = (char *)state;
    memcpy(sp.drafted_by, w->f->officer, sizeof sp.drafted_by);
    if (served_at) {
        memcpy(sp.signed_by, w->signer, sizeof sp.signed_by);
        sp.signed_at = served_at - 1;
        sp.served_at = served_at;
        sp.service_method = "personal";
        sp.return_date = (char *)return_date;
        sp.original_return_date = (char *)return_date;
    }
    sp.items = items;
    sp.n_items = 1;
    assert_int_equal(store_subpoena_insert(w->f->s, &sp), STORE_ONE_RESULT);
    memcpy(id, sp.id, STORE_ID_SIZE);
}

static void
add_detainer(struct world *w, const char *facility, char id[STORE_ID_SIZE])
{
    static int n;
    struct store_detainer d = {.created_at = FX_T0 + 100,
                               .updated_at = FX_T0 + 100,
                               .form = "I-247A",
                               .basis = "final_order",
                               .hold_rule = "48h-clock",
                               .state = "lodged",
                               .notice_given = -1};

    cm_id_new(d.id);
    (void)snprintf(d.number, sizeof d.number, "DET-2026-%06d", ++n);
    memcpy(d.person_id, w->f->person, sizeof d.person_id);
    (void)snprintf(d.facility_id, sizeof d.facility_id, "%s", facility);
    memcpy(d.agency_org_id, w->f->agency, sizeof d.agency_org_id);
    memcpy(d.lodged_by, w->f->officer, sizeof d.lodged_by);
    assert_int_equal(store_detainer_insert(w->f->s, &d), STORE_ONE_RESULT);
    memcpy(id, d.id, STORE_ID_SIZE);
}

static void
make_enforcement(struct world *w,
                 const char *subpoena_id,
                 const char *respondent,
                 const char *doj,
                 struct store_enforcement *e)
{
    static int n;

    memset(e, 0, sizeof *e);
    cm_id_new(e->id);
    (void)snprintf(e->number, sizeof e->number, "ENF-2026-%06d", ++n);
    e->created_at = FX_T0 + 1000;
    e->updated_at = FX_T0 + 1000;
    (void)snprintf(e->subpoena_id, sizeof e->subpoena_id, "%s", subpoena_id);
    memcpy(e->agency_org_id, w->f->agency, sizeof e->agency_org_id);
    (void)snprintf(e->respondent_org_id, sizeof e->respondent_org_id, "%s",
                   respondent);
    (void)snprintf(e->doj_org_id, sizeof e->doj_org_id, "%s", doj);
    e->state = "referred";
    e->per_day_cents = -1;
    e->fixed_cents = -1;
}

/* Ids seen by a list, in order. */
struct seen {
    int n;
    char ids[64][STORE_ID_SIZE];
    int64_t created[64];
};

static void
see(struct seen *s, const char *id, int64_t created_at)
{
    if (s->n < 64) {
        (void)snprintf(s->ids[s->n], STORE_ID_SIZE, "%s", id);
        s->created[s->n] = created_at;
    }
    s->n++;
}

static bool
has(const struct seen *s, const char *id)
{
    for (int i = 0; i < s->n && i < 64; i++)
        if (strcmp(s->ids[i], id) == 0)
            return true;
    return false;
}

static void
on_subpoena(void *cls, const struct store_subpoena *sp)
{
    assert_int_equal(sp->n_items, 0);
    see(cls, sp->id, sp->created_at);
}

static void
on_detainer(void *cls, const struct store_detainer *d)
{
    see(cls, d->id, d->created_at);
}

static void
on_enforcement(void *cls, const struct store_enforcement *e)
{
    see(cls, e->id, e->created_at);
}

static struct store_scope
scope_of(const char *agency, const char *jurisdiction, const char *doj)
{
    struct store_scope sc = {0};

    (void)snprintf(sc.agency_org_id, sizeof sc.agency_org_id, "%s",
                   agency ? agency : "");
    (void)snprintf(sc.jurisdiction_org_id, sizeof sc.jurisdiction_org_id, "%s",
                   jurisdiction ? jurisdiction : "");
    (void)snprintf(sc.doj_org_id, sizeof sc.doj_org_id, "%s", doj ? doj : "");
    return sc;
}

static int
count_subpoenas(struct fx *f,
                const struct store_scope *sc,
                const struct store_case_filter *flt,
                struct seen *out)
{
    int64_t n = -1;
    int rc;

    memset(out, 0, sizeof *out);
    rc = store_subpoena_list(f->s, sc, flt, NULL, 100, on_subpoena, out);
    assert_true(rc >= 0);
    /* The count agrees with the list. */
    assert_int_equal(store_subpoena_count(f->s, sc, flt, &n), STORE_ONE_RESULT);
    assert_true(n == rc);
    return rc;
}

static void
test_subpoena_scopes_and_queues(void **state)
{
    struct fx *f = *state;
    struct world w;
    char draft[STORE_ID_SIZE], review[STORE_ID_SIZE], signd[STORE_ID_SIZE],
        served[STORE_ID_SIZE], withdrawn[STORE_ID_SIZE], other[STORE_ID_SIZE],
        referred[STORE_ID_SIZE];
    struct store_scope sc;
    struct store_case_filter flt = {0};
    struct store_enforcement e;
    struct seen s;

    world_init(&w, f);
    add_subpoena(&w, f->county, "draft", FX_T0 + 10, 0, NULL, draft);
    add_subpoena(&w, f->county, "in_review", FX_T0 + 11, 0, NULL, review);
    add_subpoena(&w, f->county, "signed", FX_T0 + 12, 0, NULL, signd);
    add_subpoena(&w, f->county, "served", FX_T0 + 13, FX_T0 + 20, "2026-01-20",
                 served);
    add_subpoena(&w, f->county, "withdrawn", FX_T0 + 14, FX_T0 + 21,
                 "2026-01-22", withdrawn);
    add_subpoena(&w, w.county2, "served", FX_T0 + 15, FX_T0 + 22, "2026-01-10",
                 other);
    add_subpoena(&w, f->county, "referred", FX_T0 + 16, FX_T0 + 23,
                 "2026-01-05", referred);
    make_enforcement(&w, referred, f->county, w.doj, &e);
    assert_int_equal(store_enforcement_insert(f->s, &e), STORE_ONE_RESULT);

    /* The agency sees all seven; an auditor too; nobody sees nothing. */
    sc = scope_of(f->agency, NULL, NULL);
    assert_int_equal(count_subpoenas(f, &sc, NULL, &s), 7);
    sc = scope_of(NULL, NULL, NULL);
    sc.all = true;
    assert_int_equal(count_subpoenas(f, &sc, NULL, &s), 7);
    sc = scope_of(NULL, NULL, NULL);
    assert_int_equal(count_subpoenas(f, &sc, NULL, &s), 0);

    /* The county sees only what was served to it: not the draft, the
     * review, the signed-but-unserved one, nor Boulder's. */
    sc = scope_of(NULL, f->county, NULL);
    assert_int_equal(count_subpoenas(f, &sc, NULL, &s), 3);
    assert_true(has(&s, served) && has(&s, withdrawn) && has(&s, referred));
    assert_false(has(&s, draft) || has(&s, review) || has(&s, signd));
    assert_false(has(&s, other));
    sc = scope_of(NULL, w.county2, NULL);
    assert_int_equal(count_subpoenas(f, &sc, NULL, &s), 1);
    assert_true(has(&s, other));
    /* DOJ sees only the subpoena whose enforcement was referred to it. */
    sc = scope_of(NULL, NULL, w.doj);
    assert_int_equal(count_subpoenas(f, &sc, NULL, &s), 1);
    assert_true(has(&s, referred));

    /* Queue helpers for the agency: ready to sign (none), drafts and
     * reviews (two), served and unanswered (two), overdue on 2026-01-21
     * (the served ones due 2026-01-20 and, at Boulder, 2026-01-10). */
    sc = scope_of(f->agency, NULL, NULL);
    flt.state = "ready_to_sign";
    assert_int_equal(count_subpoenas(f, &sc, &flt, &s), 0);
    flt.state = "draft,in_review";
    assert_int_equal(count_subpoenas(f, &sc, &flt, &s), 2);
    assert_true(has(&s, draft) && has(&s, review));
    flt.state = "served";
    assert_int_equal(count_subpoenas(f, &sc, &flt, &s), 2);
    flt.state = NULL;
    flt.overdue_before = "2026-01-21";
    assert_int_equal(count_subpoenas(f, &sc, &flt, &s), 2);
    /* On its return date itself it is not yet overdue. */
    flt.overdue_before = "2026-01-20";
    assert_int_equal(count_subpoenas(f, &sc, &flt, &s), 1);
    assert_true(has(&s, other));
    /* The county's own queue: served to it, unanswered. */
    sc = scope_of(NULL, f->county, NULL);
    flt.overdue_before = NULL;
    flt.state = "served";
    assert_int_equal(count_subpoenas(f, &sc, &flt, &s), 1);
    assert_true(has(&s, served));
    /* Filters by recipient and by number. */
    sc = scope_of(f->agency, NULL, NULL);
    memset(&flt, 0, sizeof flt);
    flt.recipient_org_id = w.county2;
    assert_int_equal(count_subpoenas(f, &sc, &flt, &s), 1);
    memset(&flt, 0, sizeof flt);
    flt.number = "SUB-2026-000004";
    assert_int_equal(count_subpoenas(f, &sc, &flt, &s), 1);
    assert_true(has(&s, served));
}

static void
test_detainer_and_enforcement_scopes(void **state)
{
    struct fx *f = *state;
    struct world w;
    char d1[STORE_ID_SIZE], d2[STORE_ID_SIZE], sp1[STORE_ID_SIZE],
        sp2[STORE_ID_SIZE];
    struct store_enforcement e1, e2;
    struct store_scope sc;
    struct store_case_filter flt = {0};
    struct seen s = {0};
    int64_t n = -1;

    world_init(&w, f);
    add_detainer(&w, f->facility, d1);
    add_detainer(&w, w.jail2, d2);
    sc = scope_of(NULL, f->county, NULL);
    assert_int_equal(
        store_detainer_list(f->s, &sc, NULL, NULL, 10, on_detainer, &s), 1);
    assert_true(has(&s, d1) && !has(&s, d2));
    memset(&s, 0, sizeof s);
    sc = scope_of(NULL, w.county2, NULL);
    assert_int_equal(
        store_detainer_list(f->s, &sc, NULL, NULL, 10, on_detainer, &s), 1);
    assert_true(has(&s, d2));
    sc = scope_of(NULL, NULL, w.doj);
    assert_int_equal(store_detainer_count(f->s, &sc, NULL, &n),
                     STORE_ONE_RESULT);
    assert_true(n == 0);
    sc = scope_of(f->agency, NULL, NULL);
    assert_int_equal(store_detainer_count(f->s, &sc, NULL, &n),
                     STORE_ONE_RESULT);
    assert_true(n == 2);
    flt.facility_id = w.jail2;
    assert_int_equal(store_detainer_count(f->s, &sc, &flt, &n),
                     STORE_ONE_RESULT);
    assert_true(n == 1);
    flt.facility_id = NULL;
    flt.state = "honored";
    assert_int_equal(store_detainer_count(f->s, &sc, &flt, &n),
                     STORE_ONE_RESULT);
    assert_true(n == 0);

    /* Enforcements: against the county (referred to DOJ) and against
     * Boulder (no DOJ office yet). */
    add_subpoena(&w, f->county, "referred", FX_T0 + 10, FX_T0 + 20,
                 "2026-01-20", sp1);
    add_subpoena(&w, w.county2, "referred", FX_T0 + 11, FX_T0 + 21,
                 "2026-01-20", sp2);
    make_enforcement(&w, sp1, f->county, w.doj, &e1);
    make_enforcement(&w, sp2, w.county2, "", &e2);
    assert_int_equal(store_enforcement_insert(f->s, &e1), STORE_ONE_RESULT);
    assert_int_equal(store_enforcement_insert(f->s, &e2), STORE_ONE_RESULT);
    /* One enforcement case per subpoena. */
    cm_id_new(e2.id);
    (void)snprintf(e2.number, sizeof e2.number, "ENF-2026-000099");
    assert_int_equal(store_enforcement_insert(f->s, &e2), STORE_NO_RESULTS);
    memset(&s, 0, sizeof s);
    sc = scope_of(NULL, NULL, w.doj);
    assert_int_equal(
        store_enforcement_list(f->s, &sc, NULL, NULL, 10, on_enforcement, &s),
        1);
    assert_true(has(&s, e1.id));
    memset(&s, 0, sizeof s);
    sc = scope_of(NULL, w.county2, NULL);
    assert_int_equal(
        store_enforcement_list(f->s, &sc, NULL, NULL, 10, on_enforcement, &s),
        1);
    assert_false(has(&s, e1.id));
    sc = scope_of(f->agency, NULL, NULL);
    assert_int_equal(store_enforcement_count(f->s, &sc, NULL, &n),
                     STORE_ONE_RESULT);
    assert_true(n == 2);
}

static void
test_cursor_paging(void **state)
{
    struct fx *f = *state;
    struct world w;
    struct store_scope sc;
    struct store_cursor cur = {0};
    struct seen all = {0};
    char id[STORE_ID_SIZE];
    int rc;

    world_init(&w, f);
    /* 25 subpoenas; groups of three share a created_at, so the id breaks
     * ties. */
    for (int i = 0; i < 25; i++)
        add_subpoena(&w, f->county, "draft", FX_T0 + (i / 3), 0, NULL, id);
    sc = scope_of(f->agency, NULL, NULL);
    do {
        struct seen page = {0};

        rc = store_subpoena_list(f->s, &sc, NULL, all.n ? &cur : NULL, 7,
                                 on_subpoena, &page);
        assert_true(rc >= 0 && rc <= 7);
        for (int i = 0; i < rc; i++) {
            assert_false(has(&all, page.ids[i])); /* no duplicate */
            see(&all, page.ids[i], page.created[i]);
        }
        if (rc > 0)
            cur = store_cursor_after(page.created[rc - 1], page.ids[rc - 1]);
    } while (rc == 7);
    assert_int_equal(all.n, 25); /* no gap */
    /* Newest first by (created_at, id). */
    for (int i = 1; i < all.n; i++)
        assert_true(all.created[i - 1] > all.created[i] ||
                    (all.created[i - 1] == all.created[i] &&
                     strcmp(all.ids[i - 1], all.ids[i]) > 0));
}

/* Every page of `state`'s subpoenas in scope `sc` (pages of 4), in order. */
static void
page_all(struct fx *f,
         const struct store_scope *sc,
         const struct store_case_filter *flt,
         struct seen *all)
{
    struct store_cursor cur = {0};
    int rc;

    memset(all, 0, sizeof *all);
    do {
        struct seen page = {0};

        rc = store_subpoena_list(f->s, sc, flt, all->n ? &cur : NULL, 4,
                                 on_subpoena, &page);
        assert_true(rc >= 0 && rc <= 4);
        for (int i = 0; i < rc; i++)
            see(all, page.ids[i], page.created[i]);
        if (rc > 0)
            cur = store_cursor_after(page.created[rc - 1], page.ids[rc - 1]);
    } while (rc == 4);
}

/* One state of one organization's subpoenas (the queue's question) is
 * answered through the (organization, state) index
 * (store_subpoena_list_is_keyed): the same rows, in the same order, page
 * by page, as the general list gives for the same question asked as
 * "state,state" (which is not keyed), with and without the overdue
 * filter, for the agency's side and each county's. */
static void
test_keyed_lists_match_general(void **state)
{
    static const char *const states[] = {"draft", "signed", "served",
                                         "responded", "withdrawn"};
    struct fx *f = *state;
    struct world w;
    char id[STORE_ID_SIZE];
    const char *scopes[3][2];
    int checked = 0;

    world_init(&w, f);
    for (int i = 0; i < 30; i++) {
        const char *st = states[i % 5];
        bool served = strcmp(st, "draft") != 0 && strcmp(st, "signed") != 0;
        char ret[11];

        (void)snprintf(ret, sizeof ret, "2026-01-%02d", 5 + i % 20);
        add_subpoena(&w, i % 3 ? f->county : w.county2, st, FX_T0 + i / 3,
                     served ? FX_T0 + 100 + i : 0, served ? ret : NULL, id);
    }
    scopes[0][0] = f->agency;
    scopes[0][1] = NULL;
    scopes[1][0] = NULL;
    scopes[1][1] = f->county;
    scopes[2][0] = NULL;
    scopes[2][1] = w.county2;
    for (int k = 0; k < 3; k++) {
        struct store_scope sc = scope_of(scopes[k][0], scopes[k][1], NULL);

        for (size_t j = 0; j < sizeof states / sizeof *states; j++) {
            for (int o = 0; o < 2; o++) {
                struct store_case_filter keyed = {0}, general = {0};
                struct seen a, b;
                char twice[64];
                const char *org = NULL;
                bool as_recipient = false;

                (void)snprintf(twice, sizeof twice, "%s,%s", states[j],
                               states[j]);
                keyed.state = states[j];
                general.state = twice;
                keyed.overdue_before = general.overdue_before =
                    o ? "2026-01-15" : NULL;
                assert_true(store_subpoena_list_is_keyed(&sc, &keyed, &org,
                                                         &as_recipient));
                assert_int_equal(as_recipient, scopes[k][1] != NULL);
                assert_false(store_subpoena_list_is_keyed(&sc, &general, &org,
                                                          &as_recipient));
                page_all(f, &sc, &keyed, &a);
                page_all(f, &sc, &general, &b);
                assert_int_equal(a.n, b.n);
                for (int i = 0; i < a.n; i++)
                    assert_string_equal(a.ids[i], b.ids[i]);
                checked += a.n;
            }
        }
    }
    /* Every subpoena was seen by the agency's lists, and the served ones
     * again by their county's. */
    assert_true(checked >= 30 + 18);
}

static void
test_enforcement_update_version(void **state)
{
    struct fx *f = *state;
    struct world w;
    struct store_enforcement e, got;
    char sp[STORE_ID_SIZE];

    world_init(&w, f);
    add_subpoena(&w, f->county, "referred", FX_T0 + 10, FX_T0 + 20,
                 "2026-01-20", sp);
    make_enforcement(&w, sp, f->county, w.doj, &e);
    assert_int_equal(store_enforcement_insert(f->s, &e), STORE_ONE_RESULT);
    assert_int_equal(store_enforcement_get(f->s, e.id, &got), STORE_ONE_RESULT);
    assert_true(got.version == 1);
    assert_true(got.per_day_cents == -1 && got.fixed_cents == -1);
    assert_null(got.court);
    /* The order of the court, as in ICE v. Gomez (D. Colo. 2020):
     * enforced in part, with items kept. */
    cm_free(got.state);
    got.state = cm_strdup("order_entered");
    got.court = cm_strdup("U.S. District Court for the District of Colorado");
    got.district = cm_strdup("D. Colo.");
    got.docket_number = cm_strdup("1:20-mc-00001");
    got.filed_on = cm_strdup("2026-02-02");
    got.result = cm_strdup("enforced_in_part");
    got.entered_on = cm_strdup("2026-03-02");
    got.compliance_due = cm_strdup("2026-03-16");
    got.items_kept = cm_strdup("[\"item-a\"]");
    got.contempt_kind = cm_strdup("civil");
    got.per_day_cents = 50000;
    got.fixed_cents = 0;
    got.closed_at = FX_T0 + 77;
    got.updated_at = FX_T0 + 2000;
    assert_int_equal(store_enforcement_update(f->s, &got), STORE_ONE_RESULT);
    /* The version it was read at is now stale. */
    assert_int_equal(store_enforcement_update(f->s, &got), STORE_NO_RESULTS);
    store_enforcement_release(&got);
    assert_int_equal(store_enforcement_get(f->s, e.id, &got), STORE_ONE_RESULT);
    assert_true(got.version == 2);
    assert_string_equal(got.state, "order_entered");
    assert_string_equal(got.docket_number, "1:20-mc-00001");
    assert_string_equal(got.items_kept, "[\"item-a\"]");
    assert_string_equal(got.compliance_due, "2026-03-16");
    assert_true(got.per_day_cents == 50000 && got.fixed_cents == 0);
    assert_true(got.closed_at == FX_T0 + 77);
    assert_string_equal(got.doj_org_id, w.doj);
    store_enforcement_release(&got);
    store_enforcement_release(NULL);
    assert_int_equal(
        store_enforcement_get(f->s, "AAAAAAAAAAAAAAAAAAAAAA", &got),
        STORE_NO_RESULTS);
}

/* Records each extension's old return date in ids[]. */
static void
on_extension(void *cls, const struct store_extension *x)
{
    assert_int_equal(strlen(x->old_return_date), 10);
    see(cls, x->old_return_date, x->at);
}

static void
test_items_and_extensions(void **state)
{
    struct fx *f = *state;
    struct world w;
    char a[STORE_ID_SIZE], b[STORE_ID_SIZE];
    struct store_subpoena sa, sb;
    struct store_subpoena_item it = {0};
    unsigned char value[] = {0xee, 0x01};
    struct store_extension x = {0};
    struct seen s = {0};

    world_init(&w, f);
    add_subpoena(&w, f->county, "served", FX_T0 + 10, FX_T0 + 20, "2026-01-20",
                 a);
    add_subpoena(&w, f->county, "served", FX_T0 + 11, FX_T0 + 21, "2026-01-20",
                 b);
    assert_int_equal(store_subpoena_get(f->s, a, &sa), STORE_ONE_RESULT);
    assert_int_equal(store_subpoena_get(f->s, b, &sb), STORE_ONE_RESULT);
    memcpy(it.id, sb.items[0].id, sizeof it.id);
    it.outcome = "produced";
    it.value = (struct store_blob){value, sizeof value};
    it.updated_at = FX_T0 + 30;
    /* An item of subpoena b is not an item of a. */
    assert_int_equal(store_subpoena_item_update(f->s, a, &it),
                     STORE_NO_RESULTS);
    assert_int_equal(store_subpoena_item_update(f->s, b, &it),
                     STORE_ONE_RESULT);
    store_subpoena_release(&sb);
    assert_int_equal(store_subpoena_get(f->s, b, &sb), STORE_ONE_RESULT);
    assert_string_equal(sb.items[0].outcome, "produced");
    assert_int_equal(sb.items[0].value.len, sizeof value);
    assert_memory_equal(sb.items[0].value.data, value, sizeof value);
    assert_true(sb.items[0].version == 2);
    store_subpoena_release(&sb);
    /* Subpoena a's item is untouched. */
    assert_null(sa.items[0].outcome);
    store_subpoena_release(&sa);

    /* Two extensions of a: 2026-01-20 to 2026-02-03 to 2026-02-17. */
    cm_id_new(x.id);
    memcpy(x.subpoena_id, a, sizeof x.subpoena_id);
    x.old_return_date = "2026-01-20";
    x.new_return_date = "2026-02-03";
    x.reason = "custodian requested time";
    memcpy(x.by_user, f->officer, sizeof x.by_user);
    x.at = FX_T0 + 40;
    assert_int_equal(store_extension_insert(f->s, &x), STORE_ONE_RESULT);
    assert_int_equal(store_extension_insert(f->s, &x), STORE_NO_RESULTS);
    cm_id_new(x.id);
    x.old_return_date = "2026-02-03";
    x.new_return_date = "2026-02-17";
    x.at = FX_T0 + 50;
    assert_int_equal(store_extension_insert(f->s, &x), STORE_ONE_RESULT);
    assert_int_equal(store_extension_list(f->s, a, on_extension, &s), 2);
    /* Oldest first: the first change keeps the original date. */
    assert_string_equal(s.ids[0], "2026-01-20");
    assert_string_equal(s.ids[1], "2026-02-03");
    memset(&s, 0, sizeof s);
    assert_int_equal(store_extension_list(f->s, b, on_extension, &s), 0);
}


/* Refer a served subpoena: number, enforcement case, subpoena update,
 * deadline, timeline event: five store calls in one transaction. */
struct refer_tx {
    struct fx *f;
    const char *subpoena_id;
    const char *doj;
    struct store_enforcement e;
};

static enum store_rc
refer(struct store *s, void *cls)
{
    struct refer_tx *t = cls;
    struct store_subpoena sp;
    struct store_deadline d = {0};
    struct store_event ev = {0};
    int64_t seq = 0;
    enum store_rc rc;

    rc = store_case_number_next(s, "ENF", 2026, t->e.number);
    if (rc < 0)
        return rc;
    rc = store_enforcement_insert(s, &t->e);
    if (rc != STORE_ONE_RESULT)
        return rc < 0 ? rc : STORE_HARD_ERROR;
    rc = store_subpoena_get(s, t->subpoena_id, &sp);
    if (rc != STORE_ONE_RESULT)
        return rc < 0 ? rc : STORE_HARD_ERROR;
    cm_free(sp.state);
    sp.state = cm_strdup("referred");
    memcpy(sp.enforcement_id, t->e.id, sizeof sp.enforcement_id);
    sp.updated_at = FX_T0 + 5000;
    rc = store_subpoena_update(s, &sp);
    store_subpoena_release(&sp);
    if (rc != STORE_ONE_RESULT)
        return rc < 0 ? rc : STORE_HARD_ERROR;
    cm_id_new(d.id);
    d.case_kind = "enforcement";
    memcpy(d.case_id, t->e.id, sizeof d.case_id);
    d.kind = "petition";
    d.due = "2026-02-17";
    d.rule_id = "frcp6-days";
    d.computed_at = FX_T0 + 5000;
    rc = store_deadline_upsert(s, &d);
    if (rc < 0)
        return rc;
    ev.case_kind = "enforcement";
    memcpy(ev.case_id, t->e.id, sizeof ev.case_id);
    ev.action = "refer";
    memcpy(ev.actor_id, t->f->officer, sizeof ev.actor_id);
    ev.at = FX_T0 + 5000;
    rc = store_event_append(s, &ev, &seq);
    return rc < 0 ? rc : STORE_ONE_RESULT;
}

static void
count_row(void *cls, const struct store_event *ev)
{
    (void)ev;
    (*(int *)cls)++;
}

static void
count_deadline(void *cls, const struct store_deadline *d)
{
    (void)d;
    (*(int *)cls)++;
}

/* Whether the referral is there in full (true) or not at all (false);
 * anything in between fails the test. */
static bool
is_referred(struct fx *f, const char *subpoena_id, const char *enf_id)
{
    struct store_enforcement e;
    struct store_subpoena sp;
    int events = 0, deadlines = 0;
    bool has_enf, has_update;

    has_enf = store_enforcement_get(f->s, enf_id, &e) == STORE_ONE_RESULT;
    if (has_enf)
        store_enforcement_release(&e);
    assert_int_equal(store_subpoena_get(f->s, subpoena_id, &sp),
                     STORE_ONE_RESULT);
    has_update = sp.version == 2 && strcmp(sp.state, "referred") == 0 &&
                 strcmp(sp.enforcement_id, enf_id) == 0;
    if (!has_update) {
        assert_true(sp.version == 1);
        assert_string_equal(sp.state, "served");
        assert_string_equal(sp.enforcement_id, "");
    }
    store_subpoena_release(&sp);
    assert_true(
        store_event_list(f->s, "enforcement", enf_id, count_row, &events) >= 0);
    assert_true(store_deadline_list_for_case(f->s, "enforcement", enf_id,
                                             count_deadline, &deadlines) >= 0);
    assert_true(has_enf == has_update);
    assert_int_equal(events, has_enf ? 1 : 0);
    assert_int_equal(deadlines, has_enf ? 1 : 0);
    return has_enf;
}

static void
test_fault_every_call_of_a_referral(void **state)
{
    struct fx *f = *state;
    struct world w;
    struct refer_tx t;
    char sp[STORE_ID_SIZE];
    struct store_enforcement got;
    unsigned long n;
    int rc;

    world_init(&w, f);
    add_subpoena(&w, f->county, "served", FX_T0 + 10, FX_T0 + 20, "2026-01-20",
                 sp);
    for (n = 1;; n++) {
        memset(&t, 0, sizeof t);
        t.f = f;
        t.subpoena_id = sp;
        make_enforcement(&w, sp, f->county, w.doj, &t.e);
        store_fault_set(f->s, n, STORE_FAULT_HARD_ONCE);
        rc = store_tx_run(f->s, "refer", refer, &t);
        store_fault_clear(f->s);
        if (rc >= 0)
            break;
        assert_int_equal(rc, STORE_HARD_ERROR);
        assert_false(is_referred(f, sp, t.e.id));
        assert_true(n < 50);
    }
    /* begin, number, enforcement, subpoena get, update, deadline, event,
     * commit: 8 calls, so the 9th attempt is the first to commit. */
    assert_int_equal(n, 9);
    assert_true(is_referred(f, sp, t.e.id));
    /* Each failed attempt rolled its number back. */
    assert_int_equal(store_enforcement_get(f->s, t.e.id, &got),
                     STORE_ONE_RESULT);
    assert_string_equal(got.number, "ENF-2026-000001");
    store_enforcement_release(&got);
}

static void
test_new_case_columns(void **state)
{
    struct fx *f = *state;
    struct world w;
    char did[STORE_ID_SIZE], sid[STORE_ID_SIZE];
    struct store_detainer d;
    struct store_subpoena sp;

    world_init(&w, f);
    add_detainer(&w, f->facility, did);
    assert_int_equal(store_detainer_get(f->s, did, &d), STORE_ONE_RESULT);
    assert_true(d.acknowledged_at == 0 && d.decided_at == 0);
    assert_null(d.cancel_reason);
    cm_free(d.state);
    d.state = cm_strdup("cancelled");
    cm_free(d.hold_rule);
    d.hold_rule = cm_strdup("48h-excluding-weekends-holidays");
    d.acknowledged_at = FX_T0 + 200;
    d.decided_at = FX_T0 + 300;
    d.cancel_reason = cm_strdup("lodged in error");
    d.updated_at = FX_T0 + 300;
    assert_int_equal(store_detainer_update(f->s, &d), STORE_ONE_RESULT);
    store_detainer_release(&d);
    assert_int_equal(store_detainer_get(f->s, did, &d), STORE_ONE_RESULT);
    assert_string_equal(d.hold_rule, "48h-excluding-weekends-holidays");
    assert_true(d.acknowledged_at == FX_T0 + 200);
    assert_true(d.decided_at == FX_T0 + 300);
    assert_string_equal(d.cancel_reason, "lodged in error");
    assert_null(d.reason);
    store_detainer_release(&d);

    add_subpoena(&w, f->county, "served", FX_T0 + 10, FX_T0 + 20, "2026-01-20",
                 sid);
    assert_int_equal(store_subpoena_get(f->s, sid, &sp), STORE_ONE_RESULT);
    sp.acknowledged_at = FX_T0 + 25;
    sp.updated_at = FX_T0 + 25;
    assert_int_equal(store_subpoena_update(f->s, &sp), STORE_ONE_RESULT);
    store_subpoena_release(&sp);
    assert_int_equal(store_subpoena_get(f->s, sid, &sp), STORE_ONE_RESULT);
    assert_true(sp.acknowledged_at == FX_T0 + 25);
    assert_true(sp.version == 2);
    store_subpoena_release(&sp);
}

/* Extensions made at the same instant are listed in the order they were
 * made, whatever their ids. */
static void
test_extensions_same_instant(void **state)
{
    static const char *const ids[] = {"CCCCCCCCCCCCCCCCCCCCCC",
                                      "AAAAAAAAAAAAAAAAAAAAAA",
                                      "BBBBBBBBBBBBBBBBBBBBBB"};
    static const char *const dates[] = {"2026-01-20", "2026-02-03",
                                        "2026-02-17", "2026-03-03"};
    struct fx *f = *state;
    struct world w;
    char a[STORE_ID_SIZE];
    struct seen s = {0};

    world_init(&w, f);
    add_subpoena(&w, f->county, "served", FX_T0 + 10, FX_T0 + 20, "2026-01-20",
                 a);
    for (int i = 0; i < 3; i++) {
        struct store_extension x = {0};

        (void)snprintf(x.id, sizeof x.id, "%s", ids[i]);
        memcpy(x.subpoena_id, a, sizeof x.subpoena_id);
        x.old_return_date = (char *)dates[i];
        x.new_return_date = (char *)dates[i + 1];
        x.reason = "custodian requested time";
        memcpy(x.by_user, f->officer, sizeof x.by_user);
        x.at = FX_T0 + 40;
        assert_int_equal(store_extension_insert(f->s, &x), STORE_ONE_RESULT);
    }
    assert_int_equal(store_extension_list(f->s, a, on_extension, &s), 3);
    for (int i = 0; i < 3; i++)
        assert_string_equal(s.ids[i], dates[i]);
}

/* Several servers at once: each thread has its own connection. */
#define RACERS 4
#define ROUNDS 5

struct racer {
    const char *url;
    pthread_barrier_t *go;
    const char *enf_id;  /* the enforcement case all update */
    const char *case_id; /* the subpoena whose deadlines all upsert */
    int index;
    int rc[ROUNDS];                  /* what each round's call answered */
    char ids[ROUNDS][STORE_ID_SIZE]; /* the deadline ids each one offered */
    bool failed;                     /* a call that cannot fail did */
};

struct update_ctx {
    struct store_enforcement *e;
};

static enum store_rc
update_enforcement(struct store *s, void *ctx)
{
    struct update_ctx *u = ctx;

    return store_enforcement_update(s, u->e);
}

/* Each round: read the case, wait for the others to have read it too,
 * then update it from that version; wait for every update to end. */
static void *
enforcement_racer(void *arg)
{
    struct racer *r = arg;
    struct store *s = NULL;

    if (store_open_partial(r->url, STORE_OPEN_MODE_EXISTING, &s, NULL) !=
        CM_ERR_OK)
        r->failed = true;
    for (int i = 0; i < ROUNDS; i++) {
        struct store_enforcement e;
        struct update_ctx u = {&e};
        bool is_read =
            s && store_enforcement_get(s, r->enf_id, &e) == STORE_ONE_RESULT;

        if (!is_read)
            r->failed = true;
        (void)pthread_barrier_wait(r->go);
        if (is_read) {
            cm_free(e.court);
            e.court = cm_strdup("U.S. District Court for the District of"
                                " Colorado");
            e.updated_at = FX_T0 + 2000 + i;
            r->rc[i] = store_tx_run(s, "update", update_enforcement, &u);
            store_enforcement_release(&e);
        }
        (void)pthread_barrier_wait(r->go);
    }
    store_close(s);
    return NULL;
}

static void
test_enforcement_update_race(void **state)
{
    struct fx *f = *state;
    struct world w;
    struct store_enforcement e, got;
    struct racer r[RACERS];
    pthread_t t[RACERS];
    pthread_barrier_t go;
    char sp[STORE_ID_SIZE];

    world_init(&w, f);
    add_subpoena(&w, f->county, "referred", FX_T0 + 10, FX_T0 + 20,
                 "2026-01-20", sp);
    make_enforcement(&w, sp, f->county, w.doj, &e);
    assert_int_equal(store_enforcement_insert(f->s, &e), STORE_ONE_RESULT);
    assert_int_equal(pthread_barrier_init(&go, NULL, RACERS), 0);
    for (int i = 0; i < RACERS; i++) {
        memset(&r[i], 0, sizeof r[i]);
        r[i].url = f->url;
        r[i].go = &go;
        r[i].enf_id = e.id;
        r[i].index = i;
        assert_int_equal(pthread_create(&t[i], NULL, enforcement_racer, &r[i]),
                         0);
    }
    for (int i = 0; i < RACERS; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    (void)pthread_barrier_destroy(&go);
    /* In every round exactly one of the updates from the same version won;
     * the others changed nothing. */
    for (int round = 0; round < ROUNDS; round++) {
        int won = 0;

        for (int i = 0; i < RACERS; i++) {
            assert_false(r[i].failed);
            assert_true(r[i].rc[round] == STORE_ONE_RESULT ||
                        r[i].rc[round] == STORE_NO_RESULTS);
            won += r[i].rc[round] == STORE_ONE_RESULT;
        }
        assert_int_equal(won, 1);
    }
    assert_int_equal(store_enforcement_get(f->s, e.id, &got), STORE_ONE_RESULT);
    assert_true(got.version == 1 + ROUNDS);
    assert_true(got.updated_at == FX_T0 + 2000 + ROUNDS - 1);
    store_enforcement_release(&got);
}

static const char *const race_kinds[ROUNDS] = {
    "return", "objection", "reminder", "hold_max", "petition"};

struct upsert_ctx {
    struct store_deadline *d;
};

static enum store_rc
upsert_deadline(struct store *s, void *ctx)
{
    struct upsert_ctx *u = ctx;

    return store_deadline_upsert(s, u->d);
}

/* Each round: upsert a deadline of a kind the case does not have yet, all
 * at once, each with an id and a date of its own. */
static void *
deadline_racer(void *arg)
{
    struct racer *r = arg;
    struct store *s = NULL;
    char due[16];

    if (store_open_partial(r->url, STORE_OPEN_MODE_EXISTING, &s, NULL) !=
        CM_ERR_OK)
        r->failed = true;
    (void)snprintf(due, sizeof due, "2026-02-1%d", r->index);
    for (int i = 0; i < ROUNDS; i++) {
        struct store_deadline d = {0};
        struct upsert_ctx u = {&d};

        cm_id_new(d.id);
        memcpy(r->ids[i], d.id, STORE_ID_SIZE);
        d.case_kind = "subpoena";
        (void)snprintf(d.case_id, sizeof d.case_id, "%s", r->case_id);
        d.kind = (char *)race_kinds[i];
        d.due = due;
        d.rule_id = "frcp6-days";
        d.computed_at = FX_T0 + 100 + i;
        (void)pthread_barrier_wait(r->go);
        if (s)
            r->rc[i] = store_tx_run(s, "upsert", upsert_deadline, &u);
    }
    store_close(s);
    return NULL;
}

struct race_deadlines {
    int n;
    char ids[16][STORE_ID_SIZE];
    char kinds[16][16];
};

static void
on_race_deadline(void *cls, const struct store_deadline *d)
{
    struct race_deadlines *rd = cls;

    if (rd->n < 16) {
        memcpy(rd->ids[rd->n], d->id, STORE_ID_SIZE);
        (void)snprintf(rd->kinds[rd->n], sizeof rd->kinds[0], "%s", d->kind);
    }
    rd->n++;
}

/* A deadline `kind` of case (case_kind, id) due on `due`. */
static void
put_due(struct fx *f,
        const char *case_kind,
        const char *id,
        const char *kind,
        const char *due)
{
    struct store_deadline d = {0};

    cm_id_new(d.id);
    d.case_kind = (char *)case_kind;
    (void)snprintf(d.case_id, sizeof d.case_id, "%s", id);
    d.kind = (char *)kind;
    d.due = (char *)due;
    d.rule_id = (char *)"test-rule";
    d.trigger = (char *)"test";
    d.explanation = (char *)"for the test";
    d.computed_at = FX_T0 + 30;
    assert_int_equal(store_deadline_upsert(f->s, &d), STORE_ONE_RESULT);
}

static void
on_due_case(void *cls, const struct store_deadline *d)
{
    struct seen *s = cls;

    if (s->n < 64)
        (void)snprintf(s->ids[s->n], sizeof s->ids[0], "%s", d->case_id);
    s->n++;
}

/* A DOJ office's deadlines due in a window (its queue) are those of its
 * enforcement cases and of their subpoenas, found by key: another
 * office's, the county's own and an unreferred subpoena's never show, and
 * the window's ends and the limit hold. */
static void
test_deadlines_of_a_doj_office(void **state)
{
    struct fx *f = *state;
    struct world w;
    struct store_org doj2 = {.created_at = FX_T0 + 3,
                             .updated_at = FX_T0 + 3,
                             .kind = "doj_office",
                             .name = "USAO Northern Illinois",
                             .state = "IL",
                             .timezone = "America/Chicago"};
    char ref1[STORE_ID_SIZE], ref2[STORE_ID_SIZE], plain[STORE_ID_SIZE];
    struct store_enforcement e1, e2;
    struct store_scope sc;
    struct seen s;

    world_init(&w, f);
    cm_id_new(doj2.id);
    assert_int_equal(store_org_insert(f->s, &doj2), STORE_ONE_RESULT);
    add_subpoena(&w, f->county, "referred", FX_T0 + 10, FX_T0 + 11,
                 "2026-02-02", ref1);
    add_subpoena(&w, f->county, "referred", FX_T0 + 12, FX_T0 + 13,
                 "2026-02-03", ref2);
    add_subpoena(&w, f->county, "served", FX_T0 + 14, FX_T0 + 15, "2026-02-04",
                 plain);
    make_enforcement(&w, ref1, f->county, w.doj, &e1);
    assert_int_equal(store_enforcement_insert(f->s, &e1), STORE_ONE_RESULT);
    make_enforcement(&w, ref2, f->county, doj2.id, &e2);
    assert_int_equal(store_enforcement_insert(f->s, &e2), STORE_ONE_RESULT);
    put_due(f, "subpoena", ref1, "return", "2026-02-02");
    put_due(f, "enforcement", e1.id, "compliance", "2026-02-05");
    put_due(f, "enforcement", e1.id, "appeal", "2026-04-06"); /* outside */
    put_due(f, "subpoena", ref2, "return", "2026-02-03");
    put_due(f, "enforcement", e2.id, "compliance", "2026-02-03");
    put_due(f, "subpoena", plain, "return", "2026-02-04");

    sc = scope_of(NULL, NULL, w.doj);
    memset(&s, 0, sizeof s);
    assert_int_equal(store_deadline_list_due(f->s, &sc, "2026-02-01",
                                             "2026-02-08", 50, on_due_case, &s),
                     2);
    assert_string_equal(s.ids[0], ref1);
    assert_string_equal(s.ids[1], e1.id);
    memset(&s, 0, sizeof s);
    assert_int_equal(store_deadline_list_due(f->s, &sc, "2026-02-01",
                                             "2026-02-08", 1, on_due_case, &s),
                     1);
    assert_string_equal(s.ids[0], ref1);
    memset(&s, 0, sizeof s);
    assert_int_equal(store_deadline_list_due(f->s, &sc, "2026-02-03",
                                             "2026-02-05", 50, on_due_case, &s),
                     1);
    assert_string_equal(s.ids[0], e1.id);
    /* The other office: its two, in case order on the same day. */
    sc = scope_of(NULL, NULL, doj2.id);
    memset(&s, 0, sizeof s);
    assert_int_equal(store_deadline_list_due(f->s, &sc, "2026-02-01",
                                             "2026-02-08", 50, on_due_case, &s),
                     2);
    assert_true(strcmp(s.ids[0], e2.id) == 0 || strcmp(s.ids[1], e2.id) == 0);
    assert_true(strcmp(s.ids[0], ref2) == 0 || strcmp(s.ids[1], ref2) == 0);
    /* The agency (the general path) sees the five in the window. */
    sc = scope_of(f->agency, NULL, NULL);
    memset(&s, 0, sizeof s);
    assert_int_equal(store_deadline_list_due(f->s, &sc, "2026-02-01",
                                             "2026-02-08", 50, on_due_case, &s),
                     5);
}

static void
test_deadline_upsert_race(void **state)
{
    struct fx *f = *state;
    struct world w;
    struct racer r[RACERS];
    pthread_t t[RACERS];
    pthread_barrier_t go;
    struct race_deadlines rd = {0};
    char sp[STORE_ID_SIZE];

    world_init(&w, f);
    add_subpoena(&w, f->county, "served", FX_T0 + 10, FX_T0 + 20, "2026-01-20",
                 sp);
    assert_int_equal(pthread_barrier_init(&go, NULL, RACERS), 0);
    for (int i = 0; i < RACERS; i++) {
        memset(&r[i], 0, sizeof r[i]);
        r[i].url = f->url;
        r[i].go = &go;
        r[i].case_id = sp;
        r[i].index = i;
        assert_int_equal(pthread_create(&t[i], NULL, deadline_racer, &r[i]), 0);
    }
    for (int i = 0; i < RACERS; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    (void)pthread_barrier_destroy(&go);
    /* Every upsert succeeded (the losers of the insert replaced the
     * winner's row), and each kind has one row, with one racer's id. */
    for (int i = 0; i < RACERS; i++) {
        assert_false(r[i].failed);
        for (int round = 0; round < ROUNDS; round++)
            assert_int_equal(r[i].rc[round], STORE_ONE_RESULT);
    }
    assert_int_equal(store_deadline_list_for_case(f->s, "subpoena", sp,
                                                  on_race_deadline, &rd),
                     ROUNDS);
    for (int k = 0; k < ROUNDS; k++) {
        int kind = -1, owners = 0;

        for (int round = 0; round < ROUNDS; round++)
            if (strcmp(rd.kinds[k], race_kinds[round]) == 0)
                kind = round;
        assert_true(kind >= 0);
        for (int i = 0; i < RACERS; i++)
            owners += strcmp(r[i].ids[kind], rd.ids[k]) == 0;
        assert_int_equal(owners, 1);
    }
}

/* ---- accounting of disclosures ----------------------------------------*/

struct disc_seen {
    int n;
    char ids[8][STORE_ID_SIZE];
    char sources[8][STORE_ID_SIZE];
    int64_t at[8];
    char nature[8][64];
    char purpose[8][64];
    char recipient[8][STORE_ID_SIZE];
    char subpoena[8][STORE_ID_SIZE];
    char by[8][STORE_ID_SIZE];
};

static void
on_disclosure(void *cls, const struct store_disclosure *d)
{
    struct disc_seen *s = cls;

    assert_true(s->n < 8);
    memcpy(s->ids[s->n], d->id, STORE_ID_SIZE);
    memcpy(s->sources[s->n], d->source_org_id, STORE_ID_SIZE);
    memcpy(s->recipient[s->n], d->recipient_org_id, STORE_ID_SIZE);
    memcpy(s->subpoena[s->n], d->subpoena_id, STORE_ID_SIZE);
    memcpy(s->by[s->n], d->disclosed_by, STORE_ID_SIZE);
    s->at[s->n] = d->disclosed_at;
    (void)snprintf(s->nature[s->n], sizeof s->nature[s->n], "%s", d->nature);
    (void)snprintf(s->purpose[s->n], sizeof s->purpose[s->n], "%s", d->purpose);
    s->n++;
}

/* Disclosures: one per subpoena, listed per person newest first by
 * (disclosed_at, id), filtered by the disclosing organization, paged by
 * cursor without duplicates or gaps. */
static void
test_disclosures(void **state)
{
    struct fx *f = *state;
    struct world w;
    char subs[3][STORE_ID_SIZE];
    char ids[3][STORE_ID_SIZE];
    const int64_t at[3] = {FX_T0 + 10, FX_T0 + 20, FX_T0 + 20};
    struct store_disclosure d = {0};
    struct disc_seen all = {0}, mine = {0}, none = {0};
    struct store_cursor cur;
    char other[STORE_ID_SIZE];
    int newest_same = 0;

    world_init(&w, f);
    add_subpoena(&w, f->county, "responded", FX_T0, FX_T0 + 1, "2026-02-03",
                 subs[0]);
    add_subpoena(&w, w.county2, "responded", FX_T0, FX_T0 + 1, "2026-02-03",
                 subs[1]);
    add_subpoena(&w, f->county, "responded", FX_T0, FX_T0 + 1, "2026-02-03",
                 subs[2]);
    for (int i = 0; i < 3; i++) {
        cm_id_new(d.id);
        memcpy(ids[i], d.id, sizeof ids[i]);
        memcpy(d.person_id, f->person, sizeof d.person_id);
        memcpy(d.subpoena_id, subs[i], sizeof d.subpoena_id);
        (void)snprintf(d.source_org_id, sizeof d.source_org_id, "%s",
                       i == 1 ? w.county2 : f->county);
        memcpy(d.recipient_org_id, f->agency, sizeof d.recipient_org_id);
        memcpy(d.disclosed_by, f->officer, sizeof d.disclosed_by);
        d.disclosed_at = at[i];
        d.nature = i == 0 ? "[\"home_address\",\"phone\"]" : "[\"employer\"]";
        d.purpose = "records of the released person";
        assert_int_equal(store_disclosure_insert(f->s, &d), STORE_ONE_RESULT);
    }
    /* A second entry for one subpoena, and a taken id, are refused. */
    cm_id_new(d.id);
    assert_int_equal(store_disclosure_insert(f->s, &d), STORE_NO_RESULTS);
    memcpy(d.id, ids[0], sizeof d.id);
    cm_id_new(other);
    assert_int_equal(store_disclosure_insert(f->s, &d), STORE_NO_RESULTS);

    /* All of the person's, newest first; equal times by id, descending. */
    assert_int_equal(store_disclosure_list(f->s, f->person, NULL, NULL, 10,
                                           on_disclosure, &all),
                     3);
    newest_same = strcmp(ids[1], ids[2]) > 0 ? 1 : 2;
    assert_string_equal(all.ids[0], ids[newest_same]);
    assert_string_equal(all.ids[1], ids[3 - newest_same]);
    assert_string_equal(all.ids[2], ids[0]);
    assert_true(all.at[0] == FX_T0 + 20 && all.at[2] == FX_T0 + 10);
    assert_string_equal(all.nature[2], "[\"home_address\",\"phone\"]");
    assert_string_equal(all.purpose[2], "records of the released person");
    assert_string_equal(all.recipient[2], f->agency);
    assert_string_equal(all.subpoena[2], subs[0]);
    assert_string_equal(all.by[2], f->officer);
    assert_string_equal(all.sources[2], f->county);

    /* Only those one jurisdiction made. */
    assert_int_equal(store_disclosure_list(f->s, f->person, f->county, NULL, 10,
                                           on_disclosure, &mine),
                     2);
    assert_string_equal(mine.sources[0], f->county);
    assert_string_equal(mine.sources[1], f->county);
    assert_string_equal(mine.ids[1], ids[0]);

    /* Pages of one: the same rows in the same order, then nothing. */
    cur = store_cursor_after(0, NULL);
    for (int i = 0; i < 3; i++) {
        struct disc_seen page = {0};

        assert_int_equal(store_disclosure_list(f->s, f->person, NULL,
                                               i ? &cur : NULL, 1,
                                               on_disclosure, &page),
                         1);
        assert_string_equal(page.ids[0], all.ids[i]);
        cur = store_cursor_after(page.at[0], page.ids[0]);
    }
    assert_int_equal(store_disclosure_list(f->s, f->person, NULL, &cur, 1,
                                           on_disclosure, &none),
                     0);
    /* Nobody else's. */
    assert_int_equal(store_disclosure_list(f->s, other, NULL, NULL, 10,
                                           on_disclosure, &none),
                     0);
    assert_int_equal(none.n, 0);
}

int
contract_run_cases(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_subpoena_scopes_and_queues,
                                        fx_setup_world, fx_teardown),
        cmocka_unit_test_setup_teardown(test_detainer_and_enforcement_scopes,
                                        fx_setup_world, fx_teardown),
        cmocka_unit_test_setup_teardown(test_cursor_paging, fx_setup_world,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_keyed_lists_match_general,
                                        fx_setup_world, fx_teardown),
        cmocka_unit_test_setup_teardown(test_enforcement_update_version,
                                        fx_setup_world, fx_teardown),
        cmocka_unit_test_setup_teardown(test_items_and_extensions,
                                        fx_setup_world, fx_teardown),
        cmocka_unit_test_setup_teardown(test_fault_every_call_of_a_referral,
                                        fx_setup_world, fx_teardown),
        cmocka_unit_test_setup_teardown(test_new_case_columns, fx_setup_world,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_extensions_same_instant,
                                        fx_setup_world, fx_teardown),
        cmocka_unit_test_setup_teardown(test_enforcement_update_race,
                                        fx_setup_world, fx_teardown),
        cmocka_unit_test_setup_teardown(test_deadlines_of_a_doj_office,
                                        fx_setup_world, fx_teardown),
        cmocka_unit_test_setup_teardown(test_deadline_upsert_race,
                                        fx_setup_world, fx_teardown),
        cmocka_unit_test_setup_teardown(test_disclosures, fx_setup_world,
                                        fx_teardown),
    };

    return cmocka_run_group_tests_name("store cases", tests, NULL, NULL);
}
