/*
 * test_reports.c: the contract of store_reports.h: the jurisdiction
 * report's numbers (docs/reports.md) as the aggregates keep them while
 * cases are written through the store's operations.
 *
 * - A small world in two time zones (Denver, UTC-7 in winter, and Guam,
 *   UTC+10), with facts near midnight so that the local date differs from
 *   the UTC date: detainers lodged, honored and declined with every
 *   outcome_source (one honored, then released with another source),
 *   subpoenas served (one service corrected), answered with every
 *   disposition on time and late (one only after an extension), refused,
 *   withdrawn, left open (one extended), referred, enforcement orders of
 *   every result and contempt of both kinds. The report is checked for
 *   one day, one month, a set of periods, all time and one organization,
 *   with open and overdue as of `now`; every expected number is reasoned
 *   out below from the world and the definitions. Ranges whose periods
 *   are partly taken away (stats_periods) give what their days give one
 *   by one.
 * - Bulk writes: detainers (then subpoenas) inserted with the triggers
 *   deferred and caught up count exactly as the same cases inserted one
 *   by one; a rebuild changes nothing; deferring twice, catching up
 *   without a deferral and committing a deferral never caught up are
 *   refused.
 * - Two connections answering subpoenas of one jurisdiction at once keep
 *   exact counts and the right median.
 *
 * Local dates come from the application's time zone code on SQLite
 * (reports_local_date, as compel sets it at start) and from PostgreSQL's
 * own on PostgreSQL: the same tz database, so the same days.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "contract.h"
#include "core/alloc.h"
#include "core/rand.h"
#include "domain/date.h"
#include "domain/stats.h"
#include "http/reports.h"

/* ---- time -------------------------------------------------------------*/

/* Days since 1970-01-01 of a civil date (H. Hinnant's days_from_civil). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Microseconds of the UTC instant y-m-d h:mi. */
static int64_t
utc(int y, int m, int d, int h, int mi)
{
    return ((days_from_civil(y, m, d) * 86400) + h * 3600 + mi * 60) *
           INT64_C(1000000);
}

/* ---- the world ----------------------------------------------------------*/

struct world {
    struct fx *f;
    char signer[STORE_ID_SIZE];
    char denver[STORE_ID_SIZE]; /* f->county: Denver County, CO */
    char denver_jail[STORE_ID_SIZE];
    char guam[STORE_ID_SIZE]; /* Guam, GU, Pacific/Guam */
    char guam_jail[STORE_ID_SIZE];
    char wash_none[STORE_ID_SIZE]; /* Washington County, no state */
    char wash_or[STORE_ID_SIZE];   /* Washington County, OR */
    int numbers;
};

static void
add_jurisdiction(struct fx *f,
                 const char *name,
                 const char *state,
                 const char *tz,
                 char id[STORE_ID_SIZE],
                 char jail[STORE_ID_SIZE])
{
    struct store_org o = {.created_at = FX_T0 + 5,
                          .updated_at = FX_T0 + 5,
                          .kind = "jurisdiction",
                          .name = (char *)name,
                          .state = (char *)state,
                          .timezone = (char *)tz};
    struct store_facility j = {.created_at = FX_T0 + 5,
                               .updated_at = FX_T0 + 5,
                               .name = "County Jail",
                               .timezone = (char *)tz};

    cm_id_new(o.id);
    assert_int_equal(store_org_insert(f->s, &o), STORE_ONE_RESULT);
    memcpy(id, o.id, STORE_ID_SIZE);
    if (jail) {
        cm_id_new(j.id);
        memcpy(j.org_id, o.id, sizeof j.org_id);
        assert_int_equal(store_facility_insert(f->s, &j), STORE_ONE_RESULT);
        memcpy(jail, j.id, STORE_ID_SIZE);
    }
}

static void
world_init(struct world *w, struct fx *f)
{
    struct store_user signer = {.created_at = FX_T0,
                                .updated_at = FX_T0,
                                .email = "signer@agency.example",
                                .name = "Signer",
                                .roles = 2u,
                                .password_hash = "$argon2id$fake"};

    memset(w, 0, sizeof *w);
    w->f = f;
    cm_id_new(signer.id);
    memcpy(signer.org_id, f->agency, sizeof signer.org_id);
    assert_int_equal(store_user_insert(f->s, &signer), STORE_ONE_RESULT);
    memcpy(w->signer, signer.id, sizeof w->signer);
    memcpy(w->denver, f->county, sizeof w->denver);
    memcpy(w->denver_jail, f->facility, sizeof w->denver_jail);
    add_jurisdiction(f, "Guam", "GU", "Pacific/Guam", w->guam, w->guam_jail);
    add_jurisdiction(f, "Washington County", NULL, "America/Los_Angeles",
                     w->wash_none, NULL);
    add_jurisdiction(f, "Washington County", "OR", "America/Los_Angeles",
                     w->wash_or, NULL);
}

/* A detainer lodged at `jail` at `created_at`, stored as `state` (with
 * decided_at, outcome_source and reason when given: an import). */
static void
add_detainer_as(struct world *w,
                const char *jail,
                int64_t created_at,
                const char *state,
                int64_t decided_at,
                const char *source,
                const char *reason,
                char id[STORE_ID_SIZE])
{
    struct store_detainer d = {.created_at = created_at,
                               .updated_at = created_at,
                               .form = "I-247A",
                               .basis = "final_order",
                               .hold_rule = "48h-clock",
                               .state = (char *)state,
                               .outcome_source = (char *)source,
                               .reason = (char *)reason,
                               .decided_at = decided_at,
                               .notice_given = -1};

    cm_id_new(d.id);
    (void)snprintf(d.number, sizeof d.number, "DET-2026-%06d", ++w->numbers);
    memcpy(d.person_id, w->f->person, sizeof d.person_id);
    (void)snprintf(d.facility_id, sizeof d.facility_id, "%s", jail);
    memcpy(d.agency_org_id, w->f->agency, sizeof d.agency_org_id);
    memcpy(d.lodged_by, w->f->officer, sizeof d.lodged_by);
    assert_int_equal(store_detainer_insert(w->f->s, &d), STORE_ONE_RESULT);
    if (id)
        memcpy(id, d.id, STORE_ID_SIZE);
}

static void
add_detainer(struct world *w,
             const char *jail,
             int64_t created_at,
             char id[STORE_ID_SIZE])
{
    add_detainer_as(w, jail, created_at, "lodged", 0, NULL, NULL, id);
}

/* An action on detainer `id`: its new state, the source of the outcome
 * and the instant (decided_at for honored/declined, else released_at). */
static void
act_detainer(struct world *w,
             const char *id,
             const char *state,
             const char *source,
             int64_t at)
{
    struct store_detainer d;

    assert_int_equal(store_detainer_get(w->f->s, id, &d), STORE_ONE_RESULT);
    cm_free(d.state);
    d.state = cm_strdup(state);
    cm_free(d.outcome_source);
    d.outcome_source = cm_strdup(source);
    if (strcmp(state, "declined") == 0) {
        cm_free(d.reason);
        d.reason = cm_strdup("local policy");
    }
    if (strcmp(state, "released") == 0)
        d.released_at = at;
    else
        d.decided_at = at;
    d.updated_at = at;
    assert_int_equal(store_detainer_update(w->f->s, &d), STORE_ONE_RESULT);
    store_detainer_release(&d);
}

/* A subpoena of the agency to `recipient`, served at `served_at` with
 * return date `ret` (0: a draft), in `state`, with n_items items. */
static void
add_subpoena(struct world *w,
             const char *recipient,
             const char *state,
             int64_t served_at,
             const char *ret,
             size_t n_items,
             char id[STORE_ID_SIZE])
{
    struct store_subpoena_item items[4];
    struct store_subpoena sp = {0};

    assert_true(n_items <= 4);
    memset(items, 0, sizeof items);
    for (size_t i = 0; i < n_items; i++) {
        cm_id_new(items[i].id);
        items[i].category = "home_address";
    }
    cm_id_new(sp.id);
    (void)snprintf(sp.number, sizeof sp.number, "SUB-2026-%06d", ++w->numbers);
    sp.created_at = served_at ? served_at - 100 : FX_T0 + 10;
    sp.updated_at = sp.created_at;
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
        sp.return_date = (char *)ret;
        sp.original_return_date = (char *)ret;
    }
    sp.items = items;
    sp.n_items = n_items;
    assert_int_equal(store_subpoena_insert(w->f->s, &sp), STORE_ONE_RESULT);
    memcpy(id, sp.id, STORE_ID_SIZE);
}

/* Change subpoena `id` with `fn`, bumping its version. */
static void
change_subpoena(struct world *w,
                const char *id,
                void (*fn)(struct store_subpoena *sp, const void *arg),
                const void *arg)
{
    struct store_subpoena sp;

    assert_int_equal(store_subpoena_get(w->f->s, id, &sp), STORE_ONE_RESULT);
    fn(&sp, arg);
    assert_int_equal(store_subpoena_update(w->f->s, &sp), STORE_ONE_RESULT);
    store_subpoena_release(&sp);
}

static void
set_served(struct store_subpoena *sp, const void *arg)
{
    sp->served_at = *(const int64_t *)arg;
    sp->updated_at = sp->served_at;
}

static void
set_return(struct store_subpoena *sp, const void *arg)
{
    cm_free(sp->return_date);
    sp->return_date = cm_strdup(arg);
}

struct answer {
    int64_t at;
    const char *disposition;
};

static void
set_answer(struct store_subpoena *sp, const void *arg)
{
    const struct answer *a = arg;

    sp->responded_at = a->at;
    sp->updated_at = a->at;
    cm_free(sp->disposition);
    sp->disposition = cm_strdup(a->disposition);
    cm_free(sp->state);
    sp->state = cm_strdup("responded");
}

static void
set_referred(struct store_subpoena *sp, const void *arg)
{
    cm_free(sp->state);
    sp->state = cm_strdup("referred");
    (void)snprintf(sp->enforcement_id, sizeof sp->enforcement_id, "%s",
                   (const char *)arg);
}

/* The outcomes of the items of subpoena `id`, in position order (NULL
 * leaves an item unanswered). */
static void
answer_items(struct world *w, const char *id, const char *const *outcomes)
{
    struct store_subpoena sp;

    assert_int_equal(store_subpoena_get(w->f->s, id, &sp), STORE_ONE_RESULT);
    for (size_t i = 0; i < sp.n_items; i++) {
        struct store_subpoena_item *it = &sp.items[i];
        unsigned char v[] = {7, 7};

        if (!outcomes[i])
            continue;
        cm_free(it->outcome);
        it->outcome = cm_strdup(outcomes[i]);
        store_blob_release(&it->value);
        if (strcmp(outcomes[i], "produced") == 0)
            it->value = store_blob_dup(v, sizeof v);
        it->updated_at = sp.updated_at + 1;
        assert_int_equal(store_subpoena_item_update(w->f->s, id, it),
                         STORE_ONE_RESULT);
    }
    store_subpoena_release(&sp);
}

/* Answer subpoena `id` at `at` with `disposition`: the items first or
 * the subpoena first, as `items_first` says. */
static void
answer(struct world *w,
       const char *id,
       int64_t at,
       const char *disposition,
       const char *const *outcomes,
       bool items_first)
{
    struct answer a = {at, disposition};

    if (items_first)
        answer_items(w, id, outcomes);
    change_subpoena(w, id, set_answer, &a);
    if (!items_first)
        answer_items(w, id, outcomes);
}

/* An extension of subpoena `id` to `to` (the original date stays). */
static void
extend(struct world *w, const char *id, const char *from, const char *to)
{
    struct store_extension x = {.old_return_date = (char *)from,
                                .new_return_date = (char *)to,
                                .reason = "asked for more time",
                                .at = FX_T0 + 50};

    cm_id_new(x.id);
    (void)snprintf(x.subpoena_id, sizeof x.subpoena_id, "%s", id);
    memcpy(x.by_user, w->f->officer, sizeof x.by_user);
    assert_int_equal(store_extension_insert(w->f->s, &x), STORE_ONE_RESULT);
    change_subpoena(w, id, set_return, to);
}

/* Refer subpoena `sp_id` (served on `respondent`) at `at`: the
 * enforcement case, id into `id`. */
static void
refer(struct world *w,
      const char *sp_id,
      const char *respondent,
      int64_t at,
      char id[STORE_ID_SIZE])
{
    struct store_enforcement e;

    memset(&e, 0, sizeof e);
    cm_id_new(e.id);
    (void)snprintf(e.number, sizeof e.number, "ENF-2026-%06d", ++w->numbers);
    e.created_at = at;
    e.updated_at = at;
    (void)snprintf(e.subpoena_id, sizeof e.subpoena_id, "%s", sp_id);
    memcpy(e.agency_org_id, w->f->agency, sizeof e.agency_org_id);
    (void)snprintf(e.respondent_org_id, sizeof e.respondent_org_id, "%s",
                   respondent);
    e.state = "referred";
    e.per_day_cents = -1;
    e.fixed_cents = -1;
    assert_int_equal(store_enforcement_insert(w->f->s, &e), STORE_ONE_RESULT);
    change_subpoena(w, sp_id, set_referred, e.id);
    memcpy(id, e.id, STORE_ID_SIZE);
}

/* An order on enforcement `id` (result, entered_on), then, when
 * contempt is not NULL, a holding in contempt from `starts_on`. */
static void
order(struct world *w,
      const char *id,
      const char *result,
      const char *entered_on,
      const char *contempt,
      const char *starts_on)
{
    struct store_enforcement e;

    assert_int_equal(store_enforcement_get(w->f->s, id, &e), STORE_ONE_RESULT);
    cm_free(e.state);
    e.state = cm_strdup("order_entered");
    cm_free(e.result);
    e.result = cm_strdup(result);
    cm_free(e.entered_on);
    e.entered_on = cm_strdup(entered_on);
    e.updated_at++;
    assert_int_equal(store_enforcement_update(w->f->s, &e), STORE_ONE_RESULT);
    store_enforcement_release(&e);
    if (!contempt)
        return;
    assert_int_equal(store_enforcement_get(w->f->s, id, &e), STORE_ONE_RESULT);
    cm_free(e.state);
    e.state = cm_strdup("in_contempt");
    cm_free(e.contempt_kind);
    e.contempt_kind = cm_strdup(contempt);
    cm_free(e.starts_on);
    e.starts_on = cm_strdup(starts_on);
    e.updated_at++;
    assert_int_equal(store_enforcement_update(w->f->s, &e), STORE_ONE_RESULT);
    store_enforcement_release(&e);
}

/* ---- reading the report -------------------------------------------------*/

#define MAX_ROWS 8
#define MAX_BARS 8

struct got_row {
    char org_id[STORE_ID_SIZE];
    char name[64];
    char state[4]; /* "" for NULL */
    bool has_state;
    int64_t counts[STORE_REPORT_MEASURE__COUNT];
    int64_t open, overdue;
    bool has_median;
    int64_t median;
    size_t n_days;
    struct store_report_bar bars[MAX_BARS];
};

struct got {
    int n;
    struct got_row rows[MAX_ROWS];
};

static void
on_row(void *cls, const struct store_report_row *r)
{
    struct got *g = cls;
    struct got_row *o;

    assert_true(g->n < MAX_ROWS);
    o = &g->rows[g->n++];
    memset(o, 0, sizeof *o);
    memcpy(o->org_id, r->org_id, sizeof o->org_id);
    (void)snprintf(o->name, sizeof o->name, "%s", r->name);
    o->has_state = r->state != NULL;
    (void)snprintf(o->state, sizeof o->state, "%s", r->state ? r->state : "");
    memcpy(o->counts, r->counts, sizeof o->counts);
    o->open = r->open;
    o->overdue = r->overdue;
    o->has_median = r->has_median;
    o->median = r->has_median ? r->median_days : -1;
    assert_true(r->n_days <= MAX_BARS);
    assert_true(r->n_days == 0 || r->days != NULL);
    o->n_days = r->n_days;
    if (r->n_days)
        memcpy(o->bars, r->days, r->n_days * sizeof *r->days);
}

/* The report over the NULL-terminated `periods` (all organizations when
 * org is NULL) as of `now`. */
static struct got
report(struct fx *f, const char *const *periods, const char *org, int64_t now)
{
    struct got g;
    size_t n = 0;
    int rows;

    memset(&g, 0, sizeof g);
    while (periods[n])
        n++;
    rows = store_report_jurisdictions(f->s, periods, NULL, n, org, now, on_row,
                                      &g);
    assert_int_equal(rows, g.n);
    return g;
}

static const struct got_row *
row_of(const struct got *g, const char *org_id)
{
    for (int i = 0; i < g->n; i++)
        if (strcmp(g->rows[i].org_id, org_id) == 0)
            return &g->rows[i];
    fail_msg("no row for %s", org_id);
    return NULL;
}

/* Measures in enum order, for expectations written as one line. */
struct want {
    int64_t lodged, hr, ho, hi, dr, dobs, di;
    int64_t served, resolved, complied, partial, no_records, objected, refused;
    int64_t oto, ote, items_req, items_prod;
    int64_t referred, enforced, in_part, denied, civil, criminal;
};

static void
check_counts(const struct got_row *r, struct want w)
{
    const int64_t want[STORE_REPORT_MEASURE__COUNT] = {
        w.lodged,  w.hr,         w.ho,         w.hi,       w.dr,
        w.dobs,    w.di,         w.served,     w.resolved, w.complied,
        w.partial, w.no_records, w.objected,   w.refused,  w.oto,
        w.ote,     w.items_req,  w.items_prod, w.referred, w.enforced,
        w.in_part, w.denied,     w.civil,      w.criminal};

    for (int i = 0; i < STORE_REPORT_MEASURE__COUNT; i++)
        if (r->counts[i] != want[i])
            fail_msg("%s (%s): measure %d is %lld, expected %lld", r->name,
                     r->state, i, (long long)r->counts[i], (long long)want[i]);
}

static void
check_zero(const struct got_row *r)
{
    check_counts(r, (struct want){0});
    assert_false(r->has_median);
    assert_int_equal(r->n_days, 0);
    assert_int_equal(r->open, 0);
    assert_int_equal(r->overdue, 0);
}

/* Give the store the application's local dates for this group only (the
 * other groups keep UTC, as they were written for). */
static int
group_setup(void **state)
{
    (void)state;
    store_reports_set_local_date(reports_local_date);
    return 0;
}

static int
group_teardown(void **state)
{
    (void)state;
    store_reports_set_local_date(NULL);
    return 0;
}

/* ---- the world of the report ------------------------------------------*/

/*
 * Denver County (America/Denver, MST = UTC-7 in January and February) and
 * Guam (Pacific/Guam, UTC+10). Each fact with its local day; "UTC ..."
 * where the UTC date differs.
 *
 * Denver detainers:
 *   D1 lodged 01-10 18:00Z = Jan 10; honored, reported, at 01-11 06:30Z =
 *      Jan 10 23:30 local (UTC Jan 11); then released, observed, Feb 1:
 *      stays honored_reported.
 *   D2 lodged 01-11 03:00Z = Jan 10 20:00 local (UTC Jan 11); declined,
 *      observed, 01-12 17:00Z = Jan 12.
 *   D3 lodged 01-15 12:00Z = Jan 15; honored, inferred, 01-16 12:00Z.
 *   D4 lodged 02-03 16:00Z = Feb 3; declined, reported, 02-04 06:59Z =
 *      Feb 3 23:59 local (UTC Feb 4).
 *   D5 lodged 02-05 16:00Z = Feb 5, undecided.
 * Guam detainers:
 *   D6 lodged 01-31 15:00Z = Feb 1 01:00 local (UTC Jan 31); declined,
 *      inferred, 01-31 20:00Z = Feb 1.
 *   D7 lodged 01-20 00:00Z = Jan 20; honored, observed, 01-21 00:00Z =
 *      Jan 21.
 * Denver subpoenas (served -> answered, days between the local dates):
 *   S1  served 01-05 17:00Z = Jan 5, return Jan 20; complied 01-16
 *       18:00Z = Jan 16 (11 days, on time), items 2/2 produced (items
 *       answered before the subpoena).
 *   S2  served 01-06 05:00Z = Jan 5 22:00 local (UTC Jan 6), return Jan
 *       20 extended to Jan 30; partially complied 01-27 16:00Z = Jan 27
 *       (22 days, late for the original date, on time for the extended
 *       one), items 3: produced, not_held, withheld.
 *   S3  served 01-07 16:00Z = Jan 7, return Jan 21; no records 01-22
 *       06:30Z = Jan 21 23:30 local (UTC Jan 22): 14 days, on time both;
 *       1 item not_held.
 *   S4  served 01-08 16:00Z = Jan 8, return Jan 22; refused 02-02 17:00Z
 *       = Feb 2 (25 days, late), 2 items never answered; referred (E1)
 *       02-03 06:00Z = Feb 2 23:00 local (UTC Feb 3); order enforced on
 *       2026-02-06, civil contempt from 2026-02-09.
 *   S5  first recorded served 01-19 16:00Z, corrected to 01-09 16:00Z =
 *       Jan 9, return Jan 23; objected 02-01 06:00Z = Jan 31 23:00 local
 *       (UTC Feb 1): 22 days, late; 1 item objected.
 *   S6  served 01-25 16:00Z = Jan 25, return Feb 9: open.
 *   S7  served 01-26 16:00Z = Jan 26, return Feb 5 extended to Feb 16:
 *       open.
 *   S8  served 01-27 16:00Z = Jan 27, then withdrawn: served, not open.
 *   S9  a draft: nothing.
 *   S10 served 01-02 16:00Z = Jan 2, return Jan 16, never answered;
 *       referred (E2) 01-20 16:00Z = Jan 20; order enforced in part on
 *       2026-02-04, criminal contempt from 2026-02-08.
 * Guam subpoenas:
 *   S11 served 01-04 20:00Z = Jan 5 06:00 local (UTC Jan 4), return Jan
 *       19; complied 01-18 14:30Z = Jan 19 00:30 local (UTC Jan 18): 14
 *       days, on time; 1 item produced.
 *   S12 served 01-10 00:00Z = Jan 10, return Jan 24; refused 01-24 13:00Z
 *       = Jan 24 23:00 local: 14 days, on time; 1 item; referred (E3)
 *       01-31 14:00Z = Feb 1 00:00 local (UTC Jan 31); order denied on
 *       2026-02-05.
 *   S13 served 01-26 00:00Z = Jan 26, return Jan 27: open, overdue.
 *   S14 served 01-28 00:00Z = Jan 28, return Feb 10: open.
 * now = 02-10 06:30Z: Denver's today is Feb 9 (23:30 local), Guam's Feb
 * 10 (16:30 local).
 */
static void
build_world(struct world *w)
{
    char d[8][STORE_ID_SIZE], s[15][STORE_ID_SIZE], e[4][STORE_ID_SIZE];
    const char *const two_produced[] = {"produced", "produced"};
    const char *const mixed[] = {"produced", "not_held", "withheld"};
    const char *const not_held[] = {"not_held"};
    const char *const none[] = {NULL, NULL};
    const char *const objected[] = {"objected"};
    const char *const produced[] = {"produced"};
    const char *const one_none[] = {NULL};
    int64_t t;

    /* detainers */
    add_detainer(w, w->denver_jail, utc(2026, 1, 10, 18, 0), d[1]);
    act_detainer(w, d[1], "honored", "reported", utc(2026, 1, 11, 6, 30));
    act_detainer(w, d[1], "released", "observed", utc(2026, 2, 1, 12, 0));
    add_detainer(w, w->denver_jail, utc(2026, 1, 11, 3, 0), d[2]);
    act_detainer(w, d[2], "declined", "observed", utc(2026, 1, 12, 17, 0));
    add_detainer(w, w->denver_jail, utc(2026, 1, 15, 12, 0), d[3]);
    act_detainer(w, d[3], "honored", "inferred", utc(2026, 1, 16, 12, 0));
    add_detainer(w, w->denver_jail, utc(2026, 2, 3, 16, 0), d[4]);
    act_detainer(w, d[4], "declined", "reported", utc(2026, 2, 4, 6, 59));
    add_detainer(w, w->denver_jail, utc(2026, 2, 5, 16, 0), d[5]);
    add_detainer(w, w->guam_jail, utc(2026, 1, 31, 15, 0), d[6]);
    act_detainer(w, d[6], "declined", "inferred", utc(2026, 1, 31, 20, 0));
    add_detainer(w, w->guam_jail, utc(2026, 1, 20, 0, 0), d[7]);
    act_detainer(w, d[7], "honored", "observed", utc(2026, 1, 21, 0, 0));

    /* Denver subpoenas */
    add_subpoena(w, w->denver, "served", utc(2026, 1, 5, 17, 0), "2026-01-20",
                 2, s[1]);
    answer(w, s[1], utc(2026, 1, 16, 18, 0), "complied", two_produced, true);
    add_subpoena(w, w->denver, "served", utc(2026, 1, 6, 5, 0), "2026-01-20", 3,
                 s[2]);
    extend(w, s[2], "2026-01-20", "2026-01-30");
    answer(w, s[2], utc(2026, 1, 27, 16, 0), "partially_complied", mixed,
           false);
    add_subpoena(w, w->denver, "served", utc(2026, 1, 7, 16, 0), "2026-01-21",
                 1, s[3]);
    answer(w, s[3], utc(2026, 1, 22, 6, 30), "no_records", not_held, false);
    add_subpoena(w, w->denver, "served", utc(2026, 1, 8, 16, 0), "2026-01-22",
                 2, s[4]);
    answer(w, s[4], utc(2026, 2, 2, 17, 0), "refused", none, false);
    refer(w, s[4], w->denver, utc(2026, 2, 3, 6, 0), e[1]);
    order(w, e[1], "enforced", "2026-02-06", "civil", "2026-02-09");
    add_subpoena(w, w->denver, "served", utc(2026, 1, 19, 16, 0), "2026-01-23",
                 1, s[5]);
    t = utc(2026, 1, 9, 16, 0);
    change_subpoena(w, s[5], set_served, &t);
    answer(w, s[5], utc(2026, 2, 1, 6, 0), "objected", objected, false);
    add_subpoena(w, w->denver, "served", utc(2026, 1, 25, 16, 0), "2026-02-09",
                 1, s[6]);
    add_subpoena(w, w->denver, "served", utc(2026, 1, 26, 16, 0), "2026-02-05",
                 1, s[7]);
    extend(w, s[7], "2026-02-05", "2026-02-16");
    add_subpoena(w, w->denver, "withdrawn", utc(2026, 1, 27, 16, 0),
                 "2026-02-17", 1, s[8]);
    add_subpoena(w, w->denver, "draft", 0, NULL, 1, s[9]);
    add_subpoena(w, w->denver, "served", utc(2026, 1, 2, 16, 0), "2026-01-16",
                 1, s[10]);
    refer(w, s[10], w->denver, utc(2026, 1, 20, 16, 0), e[2]);
    order(w, e[2], "enforced_in_part", "2026-02-04", "criminal", "2026-02-08");

    /* Guam subpoenas */
    add_subpoena(w, w->guam, "served", utc(2026, 1, 4, 20, 0), "2026-01-19", 1,
                 s[11]);
    answer(w, s[11], utc(2026, 1, 18, 14, 30), "complied", produced, false);
    add_subpoena(w, w->guam, "served", utc(2026, 1, 10, 0, 0), "2026-01-24", 1,
                 s[12]);
    answer(w, s[12], utc(2026, 1, 24, 13, 0), "refused", one_none, false);
    refer(w, s[12], w->guam, utc(2026, 1, 31, 14, 0), e[3]);
    order(w, e[3], "denied", "2026-02-05", NULL, NULL);
    add_subpoena(w, w->guam, "served", utc(2026, 1, 26, 0, 0), "2026-01-27", 1,
                 s[13]);
    add_subpoena(w, w->guam, "served", utc(2026, 1, 28, 0, 0), "2026-02-10", 1,
                 s[14]);
}

#define NOW utc(2026, 2, 10, 6, 30)

/* Open and overdue are the same whatever the periods: Denver has S6
 * (due Feb 9) and S7 (due Feb 16 after its extension) open, neither due
 * before its today, Feb 9 (S6 would be overdue on the UTC date, Feb 10,
 * and S7 without its extension); Guam has S13 (due Jan 27, overdue) and
 * S14 (due Feb 10: its today, so not overdue). */
static void
check_open(const struct world *w, const struct got *g)
{
    const struct got_row *r = row_of(g, w->denver);

    assert_int_equal(r->open, 2);
    assert_int_equal(r->overdue, 0);
    r = row_of(g, w->guam);
    assert_int_equal(r->open, 2);
    assert_int_equal(r->overdue, 1);
}

/* Every jurisdiction, by name then state (no state first), zeros for
 * those without a case. */
static void
test_report_order_and_all_time(void **state)
{
    struct fx *f = *state;
    struct world w;
    const char *const all[] = {"*", NULL};
    struct got g;

    world_init(&w, f);
    build_world(&w);
    g = report(f, all, NULL, NOW);
    assert_int_equal(g.n, 4);
    assert_string_equal(g.rows[0].org_id, w.denver);
    assert_string_equal(g.rows[0].name, "Denver County");
    assert_string_equal(g.rows[0].state, "CO");
    assert_string_equal(g.rows[1].org_id, w.guam);
    assert_string_equal(g.rows[2].org_id, w.wash_none);
    assert_false(g.rows[2].has_state);
    assert_string_equal(g.rows[3].org_id, w.wash_or);
    assert_string_equal(g.rows[3].state, "OR");
    /* Denver, all time: lodged D1-D5 = 5; decisions D1 honored reported
     * (the later release does not change it), D3 honored inferred, D4
     * declined reported, D2 declined observed. Served S1-S8 and S10 = 9
     * (S8 withdrawn still counts, S9 never served). Resolved S1-S5 = 5,
     * one of each disposition. On time for the original date: S1, S3 (S2
     * only after its extension) = 2; for the date in force: S1, S2, S3 =
     * 3. Items requested 2+3+1+2+1 = 9, produced 2 (S1) + 1 (S2) = 3.
     * Referred E1, E2 = 2; orders enforced (E1) and in part (E2); civil
     * (E1) and criminal (E2) contempt. Days to response 11, 22, 14, 25,
     * 22: sorted 11 14 22 22 25, lower median the third, 22. */
    check_counts(row_of(&g, w.denver), (struct want){.lodged = 5,
                                                     .hr = 1,
                                                     .hi = 1,
                                                     .dr = 1,
                                                     .dobs = 1,
                                                     .served = 9,
                                                     .resolved = 5,
                                                     .complied = 1,
                                                     .partial = 1,
                                                     .no_records = 1,
                                                     .objected = 1,
                                                     .refused = 1,
                                                     .oto = 2,
                                                     .ote = 3,
                                                     .items_req = 9,
                                                     .items_prod = 3,
                                                     .referred = 2,
                                                     .enforced = 1,
                                                     .in_part = 1,
                                                     .civil = 1,
                                                     .criminal = 1});
    assert_true(row_of(&g, w.denver)->has_median);
    assert_int_equal(row_of(&g, w.denver)->median, 22);
    assert_int_equal(row_of(&g, w.denver)->n_days, 0);
    /* Guam, all time: lodged D6, D7; D7 honored observed, D6 declined
     * inferred; served S11-S14 = 4; resolved S11 (complied) and S12
     * (refused), both on or before their return dates (a refusal on time
     * is on time); items 2, produced 1; referred E3, order denied; days
     * 14 and 14: median 14. */
    check_counts(row_of(&g, w.guam), (struct want){.lodged = 2,
                                                   .ho = 1,
                                                   .di = 1,
                                                   .served = 4,
                                                   .resolved = 2,
                                                   .complied = 1,
                                                   .refused = 1,
                                                   .oto = 2,
                                                   .ote = 2,
                                                   .items_req = 2,
                                                   .items_prod = 1,
                                                   .referred = 1,
                                                   .denied = 1});
    assert_true(row_of(&g, w.guam)->has_median);
    assert_int_equal(row_of(&g, w.guam)->median, 14);
    check_open(&w, &g);
    check_zero(row_of(&g, w.wash_none));
    check_zero(row_of(&g, w.wash_or));
}

/* One day, on local dates. */
static void
test_report_one_day(void **state)
{
    struct fx *f = *state;
    struct world w;
    const char *const jan10[] = {"2026-01-10", NULL};
    const char *const jan21[] = {"2026-01-21", NULL};
    const char *const feb02[] = {"2026-02-02", NULL};
    struct got g;

    world_init(&w, f);
    build_world(&w);
    /* Jan 10 in Denver: D1 lodged and honored (reported) late that
     * evening, D2 lodged at 20:00 local (Jan 11 in UTC, like D1's
     * decision). In Guam: S12 served. No answer: no median. */
    g = report(f, jan10, NULL, NOW);
    assert_int_equal(g.n, 4);
    check_counts(row_of(&g, w.denver), (struct want){.lodged = 2, .hr = 1});
    assert_false(row_of(&g, w.denver)->has_median);
    check_counts(row_of(&g, w.guam), (struct want){.served = 1});
    check_open(&w, &g);
    check_zero(row_of(&g, w.wash_or)); /* open is 0 there too */
    /* Jan 21 in Denver: S3 answered (no records, on time, 1 item, 14
     * days) at 23:30 local: the day's median is 14. In Guam: D7 honored
     * (observed). */
    g = report(f, jan21, NULL, NOW);
    check_counts(row_of(&g, w.denver), (struct want){.resolved = 1,
                                                     .no_records = 1,
                                                     .oto = 1,
                                                     .ote = 1,
                                                     .items_req = 1});
    assert_true(row_of(&g, w.denver)->has_median);
    assert_int_equal(row_of(&g, w.denver)->median, 14);
    check_counts(row_of(&g, w.guam), (struct want){.ho = 1});
    /* Feb 2 in Denver: S4 refused (25 days, late, 2 items not produced)
     * and referred (E1 at 23:00 local, Feb 3 in UTC). */
    g = report(f, feb02, NULL, NOW);
    check_counts(row_of(&g, w.denver), (struct want){.resolved = 1,
                                                     .refused = 1,
                                                     .items_req = 2,
                                                     .referred = 1});
    assert_int_equal(row_of(&g, w.denver)->median, 25);
    check_zero(row_of(&g, w.wash_none));
}

/* One month: January 2026. */
static void
test_report_one_month(void **state)
{
    struct fx *f = *state;
    struct world w;
    const char *const jan[] = {"2026-01", NULL};
    struct got g;

    world_init(&w, f);
    build_world(&w);
    g = report(f, jan, NULL, NOW);
    /* Denver in January: lodged D1-D3 = 3 (D4, D5 in February); D1
     * honored reported, D2 declined observed, D3 honored inferred (D4's
     * decision is Feb 3 local). Served: all 9. Answered: S1 (Jan 16), S2
     * (Jan 27), S3 (Jan 21), S5 (Jan 31 local; Feb 1 in UTC) = 4: not S4
     * (Feb 2). On time original S1, S3; extended S1, S2, S3. Items
     * 2+3+1+1 = 7, produced 3. Referred: E2 (Jan 20); E1 is in February.
     * No order or contempt in January. Days 11, 22, 14, 22: sorted 11 14
     * 22 22, lower median the second (N = 4: (4 - 1) / 2 = 1): 14. */
    check_counts(row_of(&g, w.denver), (struct want){.lodged = 3,
                                                     .hr = 1,
                                                     .hi = 1,
                                                     .dobs = 1,
                                                     .served = 9,
                                                     .resolved = 4,
                                                     .complied = 1,
                                                     .partial = 1,
                                                     .no_records = 1,
                                                     .objected = 1,
                                                     .oto = 2,
                                                     .ote = 3,
                                                     .items_req = 7,
                                                     .items_prod = 3,
                                                     .referred = 1});
    assert_true(row_of(&g, w.denver)->has_median);
    assert_int_equal(row_of(&g, w.denver)->median, 14);
    /* Guam in January: lodged D7 (D6 is Feb 1 local); D7 honored
     * observed (D6's decision Feb 1); served 4; answered S11 (Jan 19
     * local) and S12; items 2/1; E3 was made Feb 1 local. Median 14. */
    check_counts(row_of(&g, w.guam), (struct want){.lodged = 1,
                                                   .ho = 1,
                                                   .served = 4,
                                                   .resolved = 2,
                                                   .complied = 1,
                                                   .refused = 1,
                                                   .oto = 2,
                                                   .ote = 2,
                                                   .items_req = 2,
                                                   .items_prod = 1});
    assert_int_equal(row_of(&g, w.guam)->median, 14);
    check_open(&w, &g);
}

/* Several periods: 2025-01-01..2026-02-02 is the year 2025, January 2026,
 * Feb 1 and Feb 2: summed, with the histogram of days instead of a
 * median. */
static void
test_report_periods(void **state)
{
    struct fx *f = *state;
    struct world w;
    const char *const range[] = {"2025", "2026-01", "2026-02-01", "2026-02-02",
                                 NULL};
    const struct got_row *r;
    struct got g;

    world_init(&w, f);
    build_world(&w);
    g = report(f, range, NULL, NOW);
    assert_int_equal(g.n, 4);
    /* Denver: January as above, plus Feb 2: S4 refused (items 2) and E1
     * referred (Feb 2 23:00 local). Nothing on Feb 1 local (S5's answer
     * at 06:00Z Feb 1 was Jan 31 local) and nothing in 2025. */
    r = row_of(&g, w.denver);
    check_counts(r, (struct want){.lodged = 3,
                                  .hr = 1,
                                  .hi = 1,
                                  .dobs = 1,
                                  .served = 9,
                                  .resolved = 5,
                                  .complied = 1,
                                  .partial = 1,
                                  .no_records = 1,
                                  .objected = 1,
                                  .refused = 1,
                                  .oto = 2,
                                  .ote = 3,
                                  .items_req = 9,
                                  .items_prod = 3,
                                  .referred = 2});
    /* days 11, 14, 22, 22 (January) and 25 (Feb 2), ascending */
    assert_false(r->has_median);
    assert_int_equal(r->n_days, 4);
    assert_int_equal(r->bars[0].days, 11);
    assert_int_equal(r->bars[0].count, 1);
    assert_int_equal(r->bars[1].days, 14);
    assert_int_equal(r->bars[1].count, 1);
    assert_int_equal(r->bars[2].days, 22);
    assert_int_equal(r->bars[2].count, 2);
    assert_int_equal(r->bars[3].days, 25);
    assert_int_equal(r->bars[3].count, 1);
    /* Guam: January plus Feb 1 local: D6 lodged and declined (inferred),
     * E3 referred. Days 14 twice. */
    r = row_of(&g, w.guam);
    check_counts(r, (struct want){.lodged = 2,
                                  .ho = 1,
                                  .di = 1,
                                  .served = 4,
                                  .resolved = 2,
                                  .complied = 1,
                                  .refused = 1,
                                  .oto = 2,
                                  .ote = 2,
                                  .items_req = 2,
                                  .items_prod = 1,
                                  .referred = 1});
    assert_false(r->has_median);
    assert_int_equal(r->n_days, 1);
    assert_int_equal(r->bars[0].days, 14);
    assert_int_equal(r->bars[0].count, 2);
    check_open(&w, &g);
    check_zero(row_of(&g, w.wash_none));
    /* February alone (a month) holds the orders and contempt: Denver E2
     * in part (Feb 4), E1 enforced (Feb 6), criminal (Feb 8), civil (Feb
     * 9); Guam E3 denied (Feb 5). */
    {
        const char *const feb[] = {"2026-02", NULL};

        g = report(f, feb, NULL, NOW);
        check_counts(row_of(&g, w.denver), (struct want){.lodged = 2,
                                                         .dr = 1,
                                                         .resolved = 1,
                                                         .refused = 1,
                                                         .items_req = 2,
                                                         .referred = 1,
                                                         .enforced = 1,
                                                         .in_part = 1,
                                                         .civil = 1,
                                                         .criminal = 1});
        check_counts(
            row_of(&g, w.guam),
            (struct want){.lodged = 1, .di = 1, .referred = 1, .denied = 1});
    }
}

/* Period keys with weights, as stats_periods gives them. */
struct wkeys {
    char v[800][DATE_STR_SIZE];
    int w[800];
    size_t n;
};

static void
add_wkey(void *cls, const char *key, int weight)
{
    struct wkeys *k = cls;

    assert_true(k->n < sizeof k->v / sizeof k->v[0]);
    (void)snprintf(k->v[k->n], sizeof k->v[k->n], "%s", key);
    k->w[k->n++] = weight;
}

/* The report over `k` (weights as given, or all +1 when plain). */
static struct got
report_keys(struct fx *f, const struct wkeys *k, bool plain)
{
    const char *keys[800];
    struct got g;
    int rows;

    for (size_t i = 0; i < k->n; i++)
        keys[i] = k->v[i];
    memset(&g, 0, sizeof g);
    rows = store_report_jurisdictions(f->s, keys, plain ? NULL : k->w, k->n,
                                      NULL, NOW, on_row, &g);
    assert_int_equal(rows, g.n);
    return g;
}

/* The median a row gives: stored, or the lower median of its bars. */
static bool
median_of(const struct got_row *r, int64_t *m)
{
    struct stats_bar bars[MAX_BARS];

    if (r->has_median) {
        *m = r->median;
        return true;
    }
    for (size_t i = 0; i < r->n_days; i++) {
        assert_true(r->bars[i].count > 0);
        bars[i] = (struct stats_bar){r->bars[i].days, r->bars[i].count};
    }
    return stats_median(bars, r->n_days, m);
}

/* A range whose periods are partly taken away reports what its days,
 * each its own period, report: every measure, open, overdue and the
 * median, for every jurisdiction, on both sides of the world's dates
 * and on ranges that take away days with responses. */
static void
test_report_signed_periods(void **state)
{
    static const char *const ranges[][2] = {
        {"2026-01-02", "2026-12-31"}, /* 2026 less 1 January */
        {"2026-02-02", "2026-02-28"}, /* February less 1 February */
        {"2026-01-01", "2026-02-27"}, /* ... less 28 February */
        {"2025-12-20", "2026-02-08"}, {"2026-01-10", "2026-01-31"},
        {"2026-01-17", "2026-11-30"}, {"2025-01-01", "2026-02-05"},
        {"2026-01-21", "2026-01-21"},
    };
    struct fx *f = *state;
    struct world w;
    struct wkeys *signed_keys = cm_calloc(1, sizeof *signed_keys);
    struct wkeys *day_keys = cm_calloc(1, sizeof *day_keys);
    size_t negatives = 0;

    world_init(&w, f);
    build_world(&w);
    for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++) {
        int32_t from = 0, to = 0;
        struct got a, b;

        assert_int_equal(date_parse(ranges[i][0], &from), CM_ERR_OK);
        assert_int_equal(date_parse(ranges[i][1], &to), CM_ERR_OK);
        signed_keys->n = 0;
        day_keys->n = 0;
        stats_periods(from, to, add_wkey, signed_keys);
        for (int32_t d = from; d <= to; d++) {
            date_format(d, day_keys->v[day_keys->n]);
            day_keys->w[day_keys->n++] = 1;
        }
        for (size_t k = 0; k < signed_keys->n; k++)
            negatives += signed_keys->w[k] < 0;
        a = report_keys(f, signed_keys, false);
        b = report_keys(f, day_keys, true);
        assert_int_equal(a.n, b.n);
        for (int r = 0; r < a.n; r++) {
            const struct got_row *x = &a.rows[r], *y = &b.rows[r];
            int64_t mx = -1, my = -1;

            assert_string_equal(x->org_id, y->org_id);
            for (int m = 0; m < STORE_REPORT_MEASURE__COUNT; m++)
                if (x->counts[m] != y->counts[m])
                    fail_msg("%s..%s, %s, measure %d: %lld by periods,"
                             " %lld by days",
                             ranges[i][0], ranges[i][1], x->name, m,
                             (long long)x->counts[m], (long long)y->counts[m]);
            assert_int_equal(x->open, y->open);
            assert_int_equal(x->overdue, y->overdue);
            assert_int_equal(median_of(x, &mx), median_of(y, &my));
            assert_int_equal(mx, my);
        }
    }
    /* the first three ranges alone take away four periods */
    assert_true(negatives >= 4);
    cm_free(signed_keys);
    cm_free(day_keys);
}

/* One organization only; an unknown one has no row. */
static void
test_report_one_org(void **state)
{
    struct fx *f = *state;
    struct world w;
    const char *const all[] = {"*", NULL};
    const char *const range[] = {"2026-01", "2026-02", NULL};
    char unknown[STORE_ID_SIZE];
    struct got g;

    world_init(&w, f);
    build_world(&w);
    g = report(f, all, w.guam, NOW);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.rows[0].org_id, w.guam);
    check_counts(&g.rows[0], (struct want){.lodged = 2,
                                           .ho = 1,
                                           .di = 1,
                                           .served = 4,
                                           .resolved = 2,
                                           .complied = 1,
                                           .refused = 1,
                                           .oto = 2,
                                           .ote = 2,
                                           .items_req = 2,
                                           .items_prod = 1,
                                           .referred = 1,
                                           .denied = 1});
    assert_int_equal(g.rows[0].median, 14);
    assert_int_equal(g.rows[0].open, 2);
    assert_int_equal(g.rows[0].overdue, 1);
    /* the histogram of one organization over two periods */
    g = report(f, range, w.denver, NOW);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.rows[0].n_days, 4);
    assert_int_equal(g.rows[0].counts[STORE_REPORT_MEASURE_RESOLVED], 5);
    /* an agency office is no jurisdiction; an unknown id has no row */
    g = report(f, all, f->agency, NOW);
    assert_int_equal(g.n, 0);
    cm_id_new(unknown);
    g = report(f, all, unknown, NOW);
    assert_int_equal(g.n, 0);
    /* no period at all: zeros, open and overdue still as of now */
    {
        const char *const none[] = {NULL};

        g = report(f, none, w.denver, NOW);
        assert_int_equal(g.n, 1);
        check_counts(&g.rows[0], (struct want){0});
        assert_int_equal(g.rows[0].open, 2);
    }
}

/* ---- bulk writes --------------------------------------------------------*/

/* The batch: detainers stored already decided (an import) at `jail`, in
 * two months, near local midnight. */
static void
detainer_batch(struct world *w, const char *jail)
{
    /* lodged only, Jan 3 18:00 local */
    add_detainer_as(w, jail, utc(2026, 1, 4, 1, 0), "lodged", 0, NULL, NULL,
                    NULL);
    /* honored, reported; decided 23:30 local on Jan 3 (UTC Jan 4) */
    add_detainer_as(w, jail, utc(2026, 1, 3, 20, 0), "honored",
                    utc(2026, 1, 4, 6, 30), "reported", NULL, NULL);
    /* declined with a reason, observed */
    add_detainer_as(w, jail, utc(2026, 1, 5, 20, 0), "declined",
                    utc(2026, 1, 6, 20, 0), "observed", "policy", NULL);
    /* transferred: honored, inferred */
    add_detainer_as(w, jail, utc(2026, 1, 31, 23, 0), "transferred",
                    utc(2026, 2, 1, 8, 0), "inferred", NULL, NULL);
    /* released with a decline reason: declined, reported */
    add_detainer_as(w, jail, utc(2026, 2, 2, 20, 0), "released",
                    utc(2026, 2, 3, 6, 0), "reported", "policy", NULL);
    /* cancelled, decided without a reason: honored, no source */
    add_detainer_as(w, jail, utc(2026, 2, 2, 21, 0), "cancelled",
                    utc(2026, 2, 3, 21, 0), NULL, NULL, NULL);
}

/* Served, answered and open subpoenas of the batch, to `org`. */
static void
subpoena_batch(struct world *w, const char *org)
{
    struct store_subpoena_item items[2];
    struct store_subpoena sp;
    /* served Jan 5 10:00 local, complied Jan 16 (11 days, on time);
     * served Jan 5 22:00 local (UTC Jan 6), partially complied Jan 27
     * after an extension to Jan 30 (22 days); served Jan 7, open, due Feb
     * 9 (extended from Feb 1); served Jan 8, refused Feb 2 23:00 local
     * (UTC Feb 3; 25 days, late) */
    const struct {
        int64_t served, responded;
        const char *ret, *orig, *disp, *state;
    } rows[] = {
        {utc(2026, 1, 5, 17, 0), utc(2026, 1, 16, 18, 0), "2026-01-20",
         "2026-01-20", "complied", "responded"},
        {utc(2026, 1, 6, 5, 0), utc(2026, 1, 27, 16, 0), "2026-01-30",
         "2026-01-20", "partially_complied", "responded"},
        {utc(2026, 1, 7, 16, 0), 0, "2026-02-09", "2026-02-01", NULL, "served"},
        {utc(2026, 1, 8, 16, 0), utc(2026, 2, 3, 6, 0), "2026-01-22",
         "2026-01-22", "refused", "responded"},
    };

    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        memset(&sp, 0, sizeof sp);
        memset(items, 0, sizeof items);
        cm_id_new(sp.id);
        (void)snprintf(sp.number, sizeof sp.number, "SUB-2026-%06d",
                       ++w->numbers);
        sp.created_at = rows[i].served - 100;
        sp.updated_at = sp.created_at;
        memcpy(sp.agency_org_id, w->f->agency, sizeof sp.agency_org_id);
        (void)snprintf(sp.recipient_org_id, sizeof sp.recipient_org_id, "%s",
                       org);
        sp.purpose = "records";
        sp.state = (char *)rows[i].state;
        memcpy(sp.drafted_by, w->f->officer, sizeof sp.drafted_by);
        memcpy(sp.signed_by, w->signer, sizeof sp.signed_by);
        sp.signed_at = rows[i].served - 1;
        sp.served_at = rows[i].served;
        sp.service_method = "courier";
        sp.return_date = (char *)rows[i].ret;
        sp.original_return_date = (char *)rows[i].orig;
        sp.responded_at = rows[i].responded;
        sp.disposition = (char *)rows[i].disp;
        for (int k = 0; k < 2; k++) {
            cm_id_new(items[k].id);
            items[k].category = "phone";
            items[k].outcome = rows[i].responded && k == 0 &&
                                       strcmp(rows[i].disp, "refused") != 0
                                   ? "produced"
                                   : NULL;
        }
        sp.items = items;
        sp.n_items = 2;
        assert_int_equal(store_subpoena_insert(w->f->s, &sp), STORE_ONE_RESULT);
    }
}

struct bulk_ctx {
    struct world *w;
    const char *jail;
    const char *org; /* subpoenas too when not NULL */
    bool defer, catch_up;
    enum store_rc defer_again, catch_up_rc;
};

static int
bulk_tx(struct store *s, void *ctx)
{
    struct bulk_ctx *c = ctx;

    (void)s;
    if (c->defer) {
        if (store_reports_defer(s) != STORE_ONE_RESULT)
            return STORE_HARD_ERROR;
        c->defer_again = store_reports_defer(s);
    }
    detainer_batch(c->w, c->jail);
    if (c->org)
        subpoena_batch(c->w, c->org);
    if (c->catch_up) {
        c->catch_up_rc = store_reports_catch_up(s);
        if (c->catch_up_rc < 0)
            return c->catch_up_rc;
    }
    return STORE_ONE_RESULT;
}

/* The rows of `a` and `b` in `g` hold the same numbers. */
static void
check_same(const struct got *g, const char *a, const char *b)
{
    const struct got_row *x = row_of(g, a), *y = row_of(g, b);

    for (int i = 0; i < STORE_REPORT_MEASURE__COUNT; i++)
        if (x->counts[i] != y->counts[i])
            fail_msg("measure %d: %lld one by one, %lld deferred", i,
                     (long long)x->counts[i], (long long)y->counts[i]);
    assert_int_equal(x->has_median, y->has_median);
    assert_int_equal(x->median, y->median);
    assert_int_equal(x->open, y->open);
    assert_int_equal(x->overdue, y->overdue);
    assert_int_equal(x->n_days, y->n_days);
    for (size_t i = 0; i < x->n_days; i++) {
        assert_int_equal(x->bars[i].days, y->bars[i].days);
        assert_int_equal(x->bars[i].count, y->bars[i].count);
    }
}

/* Every period the batches touch, each alone and together. */
static void
check_same_everywhere(struct fx *f, const char *a, const char *b)
{
    static const char *const sets[][6] = {
        {"*", NULL},
        {"2026", NULL},
        {"2026-01", NULL},
        {"2026-02", NULL},
        {"2026-01-03", NULL},
        {"2026-01-04", NULL},
        {"2026-01-05", NULL},
        {"2026-01-16", NULL},
        {"2026-02-03", NULL},
        {"2026-01", "2026-02-01", "2026-02-02", "2026-02-03", NULL},
    };

    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++) {
        struct got g = report(f, sets[i], NULL, NOW);

        check_same(&g, a, b);
    }
}

/* Two Denver jurisdictions: the same cases go one by one to one of them
 * and deferred to the other; the report cannot tell them apart. */
static void
test_bulk_defer_catch_up(void **state)
{
    struct fx *f = *state;
    struct world w;
    char twin[STORE_ID_SIZE], twin_jail[STORE_ID_SIZE];
    const char *const all[] = {"*", NULL};
    struct bulk_ctx c;
    struct got g;

    world_init(&w, f);
    add_jurisdiction(f, "Denver County Twin", "CO", "America/Denver", twin,
                     twin_jail);
    /* detainers only: the new detainers are added alone */
    c = (struct bulk_ctx){&w, w.denver_jail, NULL, false, false, 0, 0};
    assert_int_equal(store_tx_run(f->s, "one by one", bulk_tx, &c),
                     STORE_ONE_RESULT);
    c = (struct bulk_ctx){&w, twin_jail, NULL, true, true, 0, 0};
    assert_int_equal(store_tx_run(f->s, "deferred", bulk_tx, &c),
                     STORE_ONE_RESULT);
    assert_int_equal(c.defer_again, STORE_HARD_ERROR);
    assert_int_equal(c.catch_up_rc, STORE_ONE_RESULT);
    check_same_everywhere(f, w.denver, twin);
    /* by hand, all time: 6 lodged; honored reported (Jan 3 local) and
     * transferred-inferred and cancelled-without-source honored: hr 1,
     * hi 1 (the cancelled one counts in no source); declined observed
     * and released-with-reason declined reported */
    g = report(f, all, twin, NOW);
    check_counts(
        &g.rows[0],
        (struct want){.lodged = 6, .hr = 1, .hi = 1, .dr = 1, .dobs = 1});
    {
        /* the decision of Jan 4 06:30Z is on Jan 3 local; the lodging of
         * Jan 4 01:00Z too */
        const char *const jan3[] = {"2026-01-03", NULL};

        g = report(f, jan3, twin, NOW);
        check_counts(&g.rows[0], (struct want){.lodged = 2, .hr = 1});
    }
    /* detainers and subpoenas: catch_up rebuilds; still the same */
    c = (struct bulk_ctx){&w, w.denver_jail, w.denver, false, false, 0, 0};
    assert_int_equal(store_tx_run(f->s, "one by one", bulk_tx, &c),
                     STORE_ONE_RESULT);
    c = (struct bulk_ctx){&w, twin_jail, twin, true, true, 0, 0};
    assert_int_equal(store_tx_run(f->s, "deferred", bulk_tx, &c),
                     STORE_ONE_RESULT);
    assert_int_equal(c.catch_up_rc, STORE_ONE_RESULT);
    check_same_everywhere(f, w.denver, twin);
    g = report(f, all, twin, NOW);
    /* 4 served, 3 answered (1 complied, 1 partially, 1 refused), 1 open
     * (due Feb 9, Denver's today: not overdue) */
    assert_int_equal(g.rows[0].counts[STORE_REPORT_MEASURE_SERVED], 4);
    assert_int_equal(g.rows[0].counts[STORE_REPORT_MEASURE_RESOLVED], 3);
    assert_int_equal(g.rows[0].counts[STORE_REPORT_MEASURE_ITEMS_PRODUCED], 2);
    assert_int_equal(g.rows[0].open, 1);
    assert_int_equal(g.rows[0].overdue, 0);
    assert_true(g.rows[0].has_median);
}

static int
rebuild_tx(struct store *s, void *ctx)
{
    (void)ctx;
    return store_reports_rebuild(s);
}

static int
catch_up_tx(struct store *s, void *ctx)
{
    *(enum store_rc *)ctx = store_reports_catch_up(s);
    return STORE_ONE_RESULT;
}

/* A rebuild gives what the triggers gave for cases never corrected. */
static void
test_bulk_rebuild(void **state)
{
    struct fx *f = *state;
    struct world w;
    char twin[STORE_ID_SIZE], twin_jail[STORE_ID_SIZE];
    const char *const sets[][3] = {
        {"*", NULL}, {"2026-01", NULL}, {"2026-01-16", "2026-01-27", NULL}};
    struct got before[3], after;
    struct bulk_ctx c;
    enum store_rc rc = STORE_HARD_ERROR;

    world_init(&w, f);
    add_jurisdiction(f, "Denver County Twin", "CO", "America/Denver", twin,
                     twin_jail);
    c = (struct bulk_ctx){&w, w.denver_jail, w.denver, false, false, 0, 0};
    assert_int_equal(store_tx_run(f->s, "one by one", bulk_tx, &c),
                     STORE_ONE_RESULT);
    c = (struct bulk_ctx){&w, twin_jail, twin, false, false, 0, 0};
    assert_int_equal(store_tx_run(f->s, "one by one", bulk_tx, &c),
                     STORE_ONE_RESULT);
    for (int i = 0; i < 3; i++)
        before[i] = report(f, sets[i], NULL, NOW);
    assert_int_equal(store_tx_run(f->s, "rebuild", rebuild_tx, NULL),
                     STORE_ONE_RESULT);
    for (int i = 0; i < 3; i++) {
        after = report(f, sets[i], NULL, NOW);
        assert_int_equal(after.n, before[i].n);
        for (int k = 0; k < after.n; k++) {
            struct got pair = {2, {before[i].rows[k], after.rows[k]}};

            /* compare the old row with the new one under two ids */
            (void)snprintf(pair.rows[1].org_id, STORE_ID_SIZE, "%s", "new");
            check_same(&pair, before[i].rows[k].org_id, "new");
        }
    }
    assert_int_equal(before[0].rows[0].counts[STORE_REPORT_MEASURE_SERVED], 4);
    /* nothing deferred: catch_up has nothing to do */
    assert_int_equal(store_tx_run(f->s, "catch up", catch_up_tx, &rc),
                     STORE_ONE_RESULT);
    assert_int_equal(rc, STORE_NO_RESULTS);
}

/* A transaction that defers and forgets to catch up cannot commit, and
 * leaves nothing behind. */
static void
test_bulk_defer_without_catch_up(void **state)
{
    struct fx *f = *state;
    struct world w;
    const char *const all[] = {"*", NULL};
    struct bulk_ctx c;
    struct got g;
    struct store_case_filter flt = {0};
    struct store_scope sc = {0};
    int64_t n = -1;

    world_init(&w, f);
    c = (struct bulk_ctx){&w, w.denver_jail, NULL, true, false, 0, 0};
    assert_int_equal(store_tx_run(f->s, "forgot", bulk_tx, &c),
                     STORE_HARD_ERROR);
    g = report(f, all, w.denver, NOW);
    check_counts(&g.rows[0], (struct want){0});
    sc.all = true;
    assert_int_equal(store_detainer_count(f->s, &sc, &flt, &n),
                     STORE_ONE_RESULT);
    assert_int_equal(n, 0);
    /* and the next transaction counts as usual */
    c = (struct bulk_ctx){&w, w.denver_jail, NULL, false, false, 0, 0};
    assert_int_equal(store_tx_run(f->s, "one by one", bulk_tx, &c),
                     STORE_ONE_RESULT);
    g = report(f, all, w.denver, NOW);
    assert_int_equal(g.rows[0].counts[STORE_REPORT_MEASURE_DETAINERS_LODGED],
                     6);
}

/* ---- two writers ----------------------------------------------------------*/

#define RACE_PER_THREAD 12

struct racer {
    const char *url;
    struct world *w; /* ids only: each racer has its own store */
    int index;
    int failed;
};

struct race_tx {
    struct racer *r;
    int i;
};

/* One served and answered subpoena of Denver with one produced item:
 * served Jan 5 local, answered (i % 4) days later. */
static int
race_body(struct store *s, void *ctx)
{
    struct race_tx *t = ctx;
    struct store_subpoena_item item = {.category = "phone",
                                       .outcome = "produced"};
    struct store_subpoena sp = {0};
    int64_t served = utc(2026, 1, 5, 17, 0) + t->r->index * 1000 + t->i;

    cm_id_new(sp.id);
    cm_id_new(item.id);
    (void)snprintf(sp.number, sizeof sp.number, "SUB-2027-%03d%03d",
                   t->r->index, t->i);
    sp.created_at = served;
    sp.updated_at = served;
    memcpy(sp.agency_org_id, t->r->w->f->agency, sizeof sp.agency_org_id);
    memcpy(sp.recipient_org_id, t->r->w->denver, sizeof sp.recipient_org_id);
    sp.purpose = "records";
    sp.state = "responded";
    memcpy(sp.drafted_by, t->r->w->f->officer, sizeof sp.drafted_by);
    memcpy(sp.signed_by, t->r->w->signer, sizeof sp.signed_by);
    sp.served_at = served;
    sp.service_method = "email";
    sp.return_date = "2026-01-20";
    sp.original_return_date = "2026-01-20";
    sp.responded_at = served + (int64_t)(t->i % 4) * 86400 * 1000000;
    sp.disposition = "complied";
    sp.items = &item;
    sp.n_items = 1;
    return store_subpoena_insert(s, &sp);
}

static void *
racer_main(void *arg)
{
    struct racer *r = arg;
    struct store *s = NULL;

    if (store_open_partial(r->url, STORE_OPEN_MODE_EXISTING, &s, NULL) !=
        CM_ERR_OK) {
        r->failed = -1;
        return NULL;
    }
    for (int i = 0; i < RACE_PER_THREAD; i++) {
        struct race_tx t = {r, i};

        if (store_tx_run(s, "race", race_body, &t) != STORE_ONE_RESULT)
            r->failed++;
    }
    store_close(s);
    return NULL;
}

static void
test_two_writers(void **state)
{
    struct fx *f = *state;
    struct world w;
    struct racer r[2];
    pthread_t th[2];
    const char *const all[] = {"*", NULL};
    const char *const two[] = {"2026-01-05", "2026-01-06", "2026-01-07",
                               "2026-01-08", NULL};
    struct got g;
    const struct got_row *row;

    world_init(&w, f);
    for (int i = 0; i < 2; i++) {
        r[i] = (struct racer){f->url, &w, i, 0};
        assert_int_equal(pthread_create(&th[i], NULL, racer_main, &r[i]), 0);
    }
    for (int i = 0; i < 2; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_int_equal(r[i].failed, 0);
    }
    /* 24 subpoenas, all served Jan 5 and answered 0, 1, 2 or 3 days
     * later, 6 of each: sorted, the lower median is the 12th value
     * ((24 - 1) / 2 = 11 from 0): 1. */
    g = report(f, all, w.denver, NOW);
    row = &g.rows[0];
    assert_int_equal(row->counts[STORE_REPORT_MEASURE_SERVED],
                     2 * RACE_PER_THREAD);
    assert_int_equal(row->counts[STORE_REPORT_MEASURE_RESOLVED],
                     2 * RACE_PER_THREAD);
    assert_int_equal(row->counts[STORE_REPORT_MEASURE_COMPLIED],
                     2 * RACE_PER_THREAD);
    assert_int_equal(row->counts[STORE_REPORT_MEASURE_ITEMS_PRODUCED],
                     2 * RACE_PER_THREAD);
    assert_true(row->has_median);
    assert_int_equal(row->median, 1);
    g = report(f, two, w.denver, NOW);
    row = &g.rows[0];
    assert_int_equal(row->n_days, 4);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(row->bars[i].days, i);
        assert_int_equal(row->bars[i].count, 2 * RACE_PER_THREAD / 4);
    }
}

int
contract_run_reports(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_report_order_and_all_time,
                                        fx_setup_world, fx_teardown),
        cmocka_unit_test_setup_teardown(test_report_one_day, fx_setup_world,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_report_one_month, fx_setup_world,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_report_periods, fx_setup_world,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_report_signed_periods,
                                        fx_setup_world, fx_teardown),
        cmocka_unit_test_setup_teardown(test_report_one_org, fx_setup_world,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_bulk_defer_catch_up,
                                        fx_setup_world, fx_teardown),
        cmocka_unit_test_setup_teardown(test_bulk_rebuild, fx_setup_world,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_bulk_defer_without_catch_up,
                                        fx_setup_world, fx_teardown),
        cmocka_unit_test_setup_teardown(test_two_writers, fx_setup_world,
                                        fx_teardown),
    };

    return cmocka_run_group_tests_name("store contract: reports", tests,
                                       group_setup, group_teardown);
}
