/*
 * pg_bulk.c: the PostgreSQL implementation of store_bulk.h: lookups by
 * natural key for bulk import and export, people and detainers inserted
 * with the importing office's record id (external_ref), and case numbers
 * raised past an imported one.
 *
 * Lookups use the natural-key indexes of 0001-init.sql
 * (organizations_natural, facilities (org_id, name), the partial
 * people_external_ref and detainers_external_ref). Inserts are those of
 * postgres_store.c with external_ref added, written with ON CONFLICT DO
 * NOTHING: a taken id, number or (office, external_ref) gives
 * STORE_NO_RESULTS, also when two importers insert the same row at once
 * (the second waits for the first's commit, then does nothing). Raising a
 * case counter is one INSERT ... ON CONFLICT DO UPDATE with greatest(),
 * atomic against a concurrent store_case_number_next. Staged detainers
 * are kept as rows of COPY's text format, sent with one COPY into a
 * temporary table at the end and inserted from it with one INSERT ...
 * SELECT (a round trip per chunk instead of one per detainer). The batch
 * hint has
 * nothing to size here: the cache is the server's shared buffers, not
 * the connection's. The row readers repeat postgres_store.c's, which are
 * private to that file.
 */
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"

#include "store/postgres/pg_int.h"

enum {
    PG_BULK_ORG_FIND = PG_STMT_BASE_BULK,
    PG_BULK_ORG_FIND_NO_STATE,
    PG_BULK_FACILITY_FIND,
    PG_BULK_PERSON_FIND_REF,
    PG_BULK_PERSON_INSERT_REF,
    PG_BULK_DETAINER_FIND_REF,
    PG_BULK_DETAINER_FIND_NUMBER,
    PG_BULK_DETAINER_INSERT_REF,
    PG_BULK_PERSON_REF_GET,
    PG_BULK_DETAINER_REF_GET,
    PG_BULK_CASE_NUMBER_RAISE,
    PG_BULK_STAGE_INSERT,
    PG_BULK_STAGE_CONFLICTS,
    PG_BULK__END
};

_Static_assert((int)PG_BULK__END <= (int)PG_STMT_BASE_DOCS,
               "the bulk statements overrun the next group's base");

#define ORG_COLS                                                        \
    "id, version, created_at, updated_at, kind, name, state, timezone," \
    " requires_counsel_review"

#define FACILITY_COLS \
    "id, version, created_at, updated_at, org_id, name, timezone"

#define PERSON_COLS                                                     \
    "id, version, created_at, updated_at, family_name, given_names,"    \
    " date_of_birth, identifiers, aliases, family_name_bidx, dob_bidx," \
    " a_number_bidx, org_id"

#define DETAINER_COLS                                                      \
    "id, version, created_at, updated_at, number, person_id, facility_id," \
    " agency_org_id, lodged_by, form, basis, hold_rule, state,"            \
    " outcome_source, decline_policy_id, reason, otherwise_release_at,"    \
    " max_hold_until, released_at, transferred_at, notice_given,"          \
    " acknowledged_at, decided_at, cancel_reason"

/* ---- row readers -------------------------------------------------------*/

static void
read_org_row(const PGresult *r, int row, void *ctx)
{
    struct pg_cols c = {r, row, 0};
    struct store_org *o = ctx;

    memset(o, 0, sizeof *o);
    pg_col_id(&c, o->id, sizeof o->id);
    o->version = pg_col_int(&c);
    o->created_at = pg_col_int(&c);
    o->updated_at = pg_col_int(&c);
    o->kind = pg_col_text(&c);
    o->name = pg_col_text(&c);
    o->state = pg_col_text(&c);
    o->timezone = pg_col_text(&c);
    o->requires_counsel_review = pg_col_int(&c) != 0;
}

static void
read_facility_row(const PGresult *r, int row, void *ctx)
{
    struct pg_cols c = {r, row, 0};
    struct store_facility *f = ctx;

    memset(f, 0, sizeof *f);
    pg_col_id(&c, f->id, sizeof f->id);
    f->version = pg_col_int(&c);
    f->created_at = pg_col_int(&c);
    f->updated_at = pg_col_int(&c);
    pg_col_id(&c, f->org_id, sizeof f->org_id);
    f->name = pg_col_text(&c);
    f->timezone = pg_col_text(&c);
}

static void
read_person_row(const PGresult *r, int row, void *ctx)
{
    struct pg_cols c = {r, row, 0};
    struct store_person *p = ctx;

    memset(p, 0, sizeof *p);
    pg_col_id(&c, p->id, sizeof p->id);
    p->version = pg_col_int(&c);
    p->created_at = pg_col_int(&c);
    p->updated_at = pg_col_int(&c);
    p->family_name = pg_col_blob(&c);
    p->given_names = pg_col_blob(&c);
    p->date_of_birth = pg_col_blob(&c);
    p->identifiers = pg_col_blob(&c);
    p->aliases = pg_col_blob(&c);
    p->family_name_bidx = pg_col_blob(&c);
    p->dob_bidx = pg_col_blob(&c);
    p->a_number_bidx = pg_col_blob(&c);
    pg_col_id(&c, p->org_id, sizeof p->org_id);
}

static void
read_detainer_row(const PGresult *r, int row, void *ctx)
{
    struct pg_cols c = {r, row, 0};
    struct store_detainer *d = ctx;
    bool is_notice_null;

    memset(d, 0, sizeof *d);
    pg_col_id(&c, d->id, sizeof d->id);
    d->version = pg_col_int(&c);
    d->created_at = pg_col_int(&c);
    d->updated_at = pg_col_int(&c);
    pg_col_id(&c, d->number, sizeof d->number);
    pg_col_id(&c, d->person_id, sizeof d->person_id);
    pg_col_id(&c, d->facility_id, sizeof d->facility_id);
    pg_col_id(&c, d->agency_org_id, sizeof d->agency_org_id);
    pg_col_id(&c, d->lodged_by, sizeof d->lodged_by);
    d->form = pg_col_text(&c);
    d->basis = pg_col_text(&c);
    d->hold_rule = pg_col_text(&c);
    d->state = pg_col_text(&c);
    d->outcome_source = pg_col_text(&c);
    pg_col_id(&c, d->decline_policy_id, sizeof d->decline_policy_id);
    d->reason = pg_col_text(&c);
    d->otherwise_release_at = pg_col_int(&c);
    d->max_hold_until = pg_col_int(&c);
    d->released_at = pg_col_int(&c);
    d->transferred_at = pg_col_int(&c);
    is_notice_null = pg_col_is_null(&c);
    d->notice_given = (int)pg_col_int(&c);
    if (is_notice_null)
        d->notice_given = -1;
    d->acknowledged_at = pg_col_int(&c);
    d->decided_at = pg_col_int(&c);
    d->cancel_reason = pg_col_text(&c);
}

/* An external_ref of "" is none (SQL NULL), as on SQLite. */
static const char *
ref_or_null(const char *external_ref)
{
    return external_ref && *external_ref ? external_ref : NULL;
}

/* ---- operations --------------------------------------------------------*/

static enum store_rc
pg_batch_hint(struct store *s, bool large)
{
    (void)s;
    (void)large;
    return STORE_ONE_RESULT;
}

static enum store_rc
pg_org_find(struct store *s,
            const char *kind,
            const char *state,
            const char *name,
            struct store_org *out)
{
    struct pg_params p = {0};

    /* SQLite's "state IS ?" in two statements: "IS NOT DISTINCT FROM"
     * would not use the organizations_natural index. */
    pg_bind_text(&p, kind);
    pg_bind_text(&p, name);
    if (state && *state) {
        pg_bind_text(&p, state);
        return pg_run_read(pg_to_pg(s), PG_BULK_ORG_FIND,
                           "SELECT " ORG_COLS " FROM organizations"
                           " WHERE kind = $1 AND state = $3 AND name = $2",
                           &p, "org_find", read_org_row, out);
    }
    return pg_run_read(pg_to_pg(s), PG_BULK_ORG_FIND_NO_STATE,
                       "SELECT " ORG_COLS " FROM organizations"
                       " WHERE kind = $1 AND state IS NULL AND name = $2",
                       &p, "org_find", read_org_row, out);
}

static enum store_rc
pg_facility_find(struct store *s,
                 const char *org_id,
                 const char *name,
                 struct store_facility *out)
{
    struct pg_params p = {0};

    pg_bind_text(&p, org_id);
    pg_bind_text(&p, name);
    return pg_run_read(pg_to_pg(s), PG_BULK_FACILITY_FIND,
                       "SELECT " FACILITY_COLS " FROM facilities"
                       " WHERE org_id = $1 AND name = $2",
                       &p, "facility_find", read_facility_row, out);
}

static enum store_rc
pg_person_find_ref(struct store *s,
                   const char *org_id,
                   const char *external_ref,
                   struct store_person *out)
{
    struct pg_params p = {0};

    pg_bind_text(&p, org_id);
    pg_bind_text(&p, external_ref);
    return pg_run_read(pg_to_pg(s), PG_BULK_PERSON_FIND_REF,
                       "SELECT " PERSON_COLS " FROM people"
                       " WHERE org_id = $1 AND external_ref = $2",
                       &p, "person_find_ref", read_person_row, out);
}

static enum store_rc
pg_person_insert_ref(struct store *s,
                     const struct store_person *p,
                     const char *external_ref)
{
    struct pg_params q = {0};

    pg_bind_id(&q, p->id);
    pg_bind_int(&q, p->created_at);
    pg_bind_int(&q, p->updated_at);
    pg_bind_blob(&q, &p->family_name);
    pg_bind_blob(&q, &p->given_names);
    pg_bind_blob(&q, &p->date_of_birth);
    pg_bind_blob(&q, &p->identifiers);
    pg_bind_blob(&q, &p->aliases);
    pg_bind_blob(&q, &p->family_name_bidx);
    pg_bind_blob(&q, &p->dob_bidx);
    pg_bind_blob(&q, &p->a_number_bidx);
    pg_bind_id(&q, p->org_id);
    pg_bind_text(&q, ref_or_null(external_ref));
    /* No conflict target: the primary key and the partial unique index
     * people_external_ref are both arbiters. */
    return pg_run_write(pg_to_pg(s), PG_BULK_PERSON_INSERT_REF,
                        "INSERT INTO people (" PERSON_COLS ", external_ref)"
                        " VALUES ($1, 1, $2, $3, $4, $5, $6, $7, $8, $9, $10,"
                        " $11, $12, $13)"
                        " ON CONFLICT DO NOTHING",
                        &q, "person_insert_ref");
}

static enum store_rc
pg_detainer_find_ref(struct store *s,
                     const char *agency_org_id,
                     const char *external_ref,
                     struct store_detainer *out)
{
    struct pg_params p = {0};

    pg_bind_text(&p, agency_org_id);
    pg_bind_text(&p, external_ref);
    return pg_run_read(pg_to_pg(s), PG_BULK_DETAINER_FIND_REF,
                       "SELECT " DETAINER_COLS " FROM detainers"
                       " WHERE agency_org_id = $1 AND external_ref = $2",
                       &p, "detainer_find_ref", read_detainer_row, out);
}

static enum store_rc
pg_detainer_find_number(struct store *s,
                        const char *number,
                        struct store_detainer *out)
{
    struct pg_params p = {0};

    pg_bind_text(&p, number);
    return pg_run_read(pg_to_pg(s), PG_BULK_DETAINER_FIND_NUMBER,
                       "SELECT " DETAINER_COLS " FROM detainers"
                       " WHERE number = $1",
                       &p, "detainer_find_number", read_detainer_row, out);
}

/* Bind d's columns but version, then external_ref (NULL or "": none). */
static void
bind_detainer(struct pg_params *p,
              const struct store_detainer *d,
              const char *external_ref)
{
    pg_bind_id(p, d->id);
    pg_bind_int(p, d->created_at);
    pg_bind_int(p, d->updated_at);
    pg_bind_id(p, d->number);
    pg_bind_id(p, d->person_id);
    pg_bind_id(p, d->facility_id);
    pg_bind_id(p, d->agency_org_id);
    pg_bind_id(p, d->lodged_by);
    pg_bind_text(p, d->form);
    pg_bind_text(p, d->basis);
    pg_bind_text(p, d->hold_rule);
    pg_bind_text(p, d->state);
    pg_bind_text(p, d->outcome_source);
    pg_bind_id(p, d->decline_policy_id);
    pg_bind_text(p, d->reason);
    pg_bind_time(p, d->otherwise_release_at);
    pg_bind_time(p, d->max_hold_until);
    pg_bind_time(p, d->released_at);
    pg_bind_time(p, d->transferred_at);
    pg_bind_notice(p, d->notice_given);
    pg_bind_time(p, d->acknowledged_at);
    pg_bind_time(p, d->decided_at);
    pg_bind_text(p, d->cancel_reason);
    pg_bind_text(p, ref_or_null(external_ref));
}

static enum store_rc
pg_detainer_insert_ref(struct store *s,
                       const struct store_detainer *d,
                       const char *external_ref)
{
    struct pg_params p = {0};

    bind_detainer(&p, d, external_ref);
    /* Arbiters: the primary key, number's UNIQUE and the partial unique
     * index detainers_external_ref. */
    return pg_run_write(pg_to_pg(s), PG_BULK_DETAINER_INSERT_REF,
                        "INSERT INTO detainers (" DETAINER_COLS
                        ", external_ref)"
                        " VALUES ($1, 1, $2, $3, $4, $5, $6, $7, $8, $9, $10,"
                        " $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,"
                        " $21, $22, $23, $24)"
                        " ON CONFLICT DO NOTHING",
                        &p, "detainer_insert_ref");
}

/* ---- staging (store_detainers_stage_begin ... _end) --------------------*/

/* The stage's columns: the detainer's but version, then external_ref and
 * the file's line. */
#define STAGE_COLS                                                      \
    "id, created_at, updated_at, number, person_id, facility_id,"       \
    " agency_org_id, lodged_by, form, basis, hold_rule, state,"         \
    " outcome_source, decline_policy_id, reason, otherwise_release_at," \
    " max_hold_until, released_at, transferred_at, notice_given,"       \
    " acknowledged_at, decided_at, cancel_reason, external_ref, line"

static enum store_rc
pg_detainers_stage_begin(struct store *s)
{
    struct pg_store *ps = pg_to_pg(s);

    buf_reset(&ps->stage);
    ps->n_staged = 0;
    /* In the caller's transaction, so a rollback takes it away; dropped
     * at commit; emptied in case a chunk of the same import used it. */
    return pg_run_fixed(ps, "CREATE TEMP TABLE IF NOT EXISTS"
                            " compel_detainer_stage ON COMMIT DROP AS"
                            " SELECT " STAGE_COLS " FROM (SELECT *, 0::bigint"
                            " AS line FROM detainers) AS d WITH NO DATA;"
                            " TRUNCATE compel_detainer_stage");
}

static enum store_rc
pg_detainer_stage(struct store *s,
                  const struct store_detainer *d,
                  const char *external_ref,
                  long line)
{
    struct pg_store *ps = pg_to_pg(s);
    struct pg_params p = {0};
    size_t mark = ps->stage.len;

    bind_detainer(&p, d, external_ref);
    pg_bind_int(&p, line);
    for (int i = 0; i < p.n; i++) {
        if (i)
            buf_addch(&ps->stage, '\t');
        if (!p.values[i]) {
            buf_adds(&ps->stage, "\\N");
        } else if (!pg_copy_add_text(&ps->stage, p.values[i],
                                     strlen(p.values[i]))) {
            ps->stage.len = mark; /* not reached: bound text ends at NUL */
            return STORE_HARD_ERROR;
        }
    }
    buf_addch(&ps->stage, '\n');
    ps->n_staged++;
    return STORE_ONE_RESULT;
}

struct stage_conflicts {
    store_stage_conflict_fn fn;
    void *cls;
};

static void
stage_conflict_row(const PGresult *r, int row, void *ctx)
{
    struct stage_conflicts *c = ctx;
    struct pg_cols col = {r, row, 0};
    long line = (long)pg_col_int(&col);
    char *number = pg_col_text(&col);

    c->fn(c->cls, line, number ? number : "");
    cm_free(number);
}

static enum store_rc
pg_detainers_stage_end(struct store *s,
                       store_stage_conflict_fn conflict,
                       void *cls)
{
    struct pg_store *ps = pg_to_pg(s);
    struct stage_conflicts c = {conflict, cls};
    enum store_rc rc = STORE_ONE_RESULT;
    PGresult *r;
    int64_t inserted;

    if (ps->n_staged > 0)
        rc = pg_copy_in(
            ps, "COPY compel_detainer_stage (" STAGE_COLS ") FROM STDIN",
            ps->stage.data, ps->stage.len, "detainers_stage_end");
    buf_reset(&ps->stage);
    if (rc < 0 || ps->n_staged == 0)
        return rc;
    r = pg_exec(ps, PG_BULK_STAGE_INSERT,
                "INSERT INTO detainers (" DETAINER_COLS ", external_ref)"
                " SELECT id, 1, created_at, updated_at, number, person_id,"
                " facility_id, agency_org_id, lodged_by, form, basis,"
                " hold_rule, state, outcome_source, decline_policy_id, reason,"
                " otherwise_release_at, max_hold_until, released_at,"
                " transferred_at, notice_given, acknowledged_at, decided_at,"
                " cancel_reason, external_ref"
                " FROM compel_detainer_stage ORDER BY line"
                " ON CONFLICT DO NOTHING",
                NULL, "detainers_stage_end", 0, &rc);
    if (!r)
        return rc;
    inserted = strtoll(PQcmdTuples(r), NULL, 10);
    PQclear(r);
    if (inserted != ps->n_staged) {
        int n =
            pg_run_list(ps, PG_BULK_STAGE_CONFLICTS,
                        "SELECT s.line, s.number"
                        " FROM compel_detainer_stage AS s"
                        " WHERE NOT EXISTS (SELECT 1 FROM detainers AS d"
                        " WHERE d.id = s.id AND d.number = s.number)"
                        " ORDER BY s.line",
                        NULL, "detainers_stage_end", stage_conflict_row, &c);

        if (n < 0)
            return (enum store_rc)n;
    }
    ps->n_staged = 0;
    return pg_run_fixed(ps, "TRUNCATE compel_detainer_stage");
}

static void
read_ref_row(const PGresult *r, int row, void *ctx)
{
    struct pg_cols c = {r, row, 0};

    *(char **)ctx = pg_col_text(&c);
}

static enum store_rc
pg_external_ref_get(struct store *s,
                    enum store_ref_kind kind,
                    const char *id,
                    char **out)
{
    struct pg_params p = {0};
    char *ref = NULL;
    enum store_rc rc;

    pg_bind_text(&p, id);
    if (kind == STORE_REF_KIND_PERSON)
        rc = pg_run_read(pg_to_pg(s), PG_BULK_PERSON_REF_GET,
                         "SELECT external_ref FROM people WHERE id = $1", &p,
                         "external_ref_get", read_ref_row, &ref);
    else
        rc = pg_run_read(pg_to_pg(s), PG_BULK_DETAINER_REF_GET,
                         "SELECT external_ref FROM detainers WHERE id = $1", &p,
                         "external_ref_get", read_ref_row, &ref);
    if (rc == STORE_ONE_RESULT)
        *out = ref;
    return rc;
}

static enum store_rc
pg_case_number_raise(struct store *s,
                     const char *prefix,
                     int year,
                     int64_t last)
{
    struct pg_params p = {0};
    enum store_rc rc;

    pg_bind_text(&p, prefix);
    pg_bind_int(&p, year);
    pg_bind_int(&p, last);
    rc = pg_run_write(pg_to_pg(s), PG_BULK_CASE_NUMBER_RAISE,
                      "INSERT INTO case_counters AS c (kind, year, last)"
                      " VALUES ($1, $2, $3)"
                      " ON CONFLICT (kind, year) DO UPDATE"
                      " SET last = greatest(c.last, excluded.last)",
                      &p, "case_number_raise");
    return rc < 0 ? rc : STORE_ONE_RESULT;
}

const struct store_bulk_ops pg_bulk_ops = {
    .batch_hint = pg_batch_hint,
    .org_find = pg_org_find,
    .facility_find = pg_facility_find,
    .person_find_ref = pg_person_find_ref,
    .person_insert_ref = pg_person_insert_ref,
    .detainer_find_ref = pg_detainer_find_ref,
    .detainer_find_number = pg_detainer_find_number,
    .detainer_insert_ref = pg_detainer_insert_ref,
    .detainers_stage_begin = pg_detainers_stage_begin,
    .detainer_stage = pg_detainer_stage,
    .detainers_stage_end = pg_detainers_stage_end,
    .external_ref_get = pg_external_ref_get,
    .case_number_raise = pg_case_number_raise,
};
