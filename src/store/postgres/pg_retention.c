/*
 * pg_retention.c: the PostgreSQL implementation of store_retention.h:
 * legal holds in case_holds, the audit horizon, and the purge, which
 * opens the purge permit (retention_permit) for the length of one call
 * inside the caller's transaction. The SQL mirrors sq_retention.c; a
 * subpoena and its enforcement case, which name each other, go in one
 * statement, after which PostgreSQL checks both foreign keys.
 */
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "store/postgres/pg_int.h"

/* This file's statements, from a base no group of pg_int.h uses (the
 * report group, at 900, uses five). */
enum {
    PG_RET_HOLD_PLACE = 970,
    PG_RET_HOLD_RELEASE,
    PG_RET_HOLD_LIST,
    PG_RET_HELD,
    PG_RET_HORIZON,
    PG_RET_PERMIT_OPEN,
    PG_RET_PERMIT_CLOSE,
    PG_RET_SELECT_SUBPOENAS,
    PG_RET_SELECT_DETAINERS,
    PG_RET_DOCUMENTS,
    PG_RET_EVENTS,
    PG_RET_DEADLINES,
    PG_RET_KEPT_ITEMS,
    PG_RET_EXTENSIONS,
    PG_RET_SIGNATURES,
    PG_RET_DISCLOSURES,
    PG_RET_CASE_PAIR,
    PG_RET_DETAINER,
    PG_RET_DET_DOCUMENTS,
    PG_RET_DET_EVENTS,
    PG_RET_DET_DEADLINES,
    PG_RET_AUDIT_PREFIX,
    PG_RET_AUDIT_HORIZON_SET,
    PG_RET_AUDIT_DELETE,
    PG_RET__END
};

_Static_assert((int)PG_RET__END <= (int)PG_STMT_MAX,
               "the retention statements overrun the statement ids");

#define HOLD_COLS                                                \
    "id, case_kind, case_id, placed_by, placed_role, placed_at," \
    " reason, released_by, released_role, released_at, release_reason"

static enum store_rc
pg_hold_place(struct store *s, const struct store_hold *h)
{
    struct pg_params p = {0};

    pg_bind_id(&p, h->id);
    pg_bind_text(&p, h->case_kind);
    pg_bind_id(&p, h->case_id);
    pg_bind_id(&p, h->placed_by);
    pg_bind_text(&p, h->placed_role);
    pg_bind_int(&p, h->placed_at);
    pg_bind_text(&p, h->reason);
    return pg_run_write(pg_to_pg(s), PG_RET_HOLD_PLACE,
                        "INSERT INTO case_holds (id, case_kind, case_id,"
                        " placed_by, placed_role, placed_at, reason)"
                        " VALUES ($1, $2, $3, $4, $5, $6, $7)"
                        " ON CONFLICT DO NOTHING",
                        &p, "hold_place");
}

static enum store_rc
pg_hold_release(struct store *s,
                const char *case_kind,
                const char *case_id,
                const char *by,
                const char *role,
                int64_t at,
                const char *reason)
{
    struct pg_params p = {0};

    pg_bind_text(&p, case_kind);
    pg_bind_text(&p, case_id);
    pg_bind_id(&p, by);
    pg_bind_text(&p, role);
    pg_bind_int(&p, at);
    pg_bind_text(&p, reason);
    return pg_run_write(pg_to_pg(s), PG_RET_HOLD_RELEASE,
                        "UPDATE case_holds SET released_by = $3,"
                        " released_role = $4, released_at = $5,"
                        " release_reason = $6"
                        " WHERE case_kind = $1 AND case_id = $2"
                        " AND released_at IS NULL",
                        &p, "hold_release");
}

struct hold_list {
    store_hold_cb cb;
    void *cls;
};

static void
hold_row(const PGresult *r, int row, void *ctx)
{
    struct hold_list *l = ctx;
    struct pg_cols c = {r, row, 0};
    struct store_hold h;

    memset(&h, 0, sizeof h);
    pg_col_id(&c, h.id, sizeof h.id);
    h.case_kind = pg_col_text(&c);
    pg_col_id(&c, h.case_id, sizeof h.case_id);
    pg_col_id(&c, h.placed_by, sizeof h.placed_by);
    h.placed_role = pg_col_text(&c);
    h.placed_at = pg_col_int(&c);
    h.reason = pg_col_text(&c);
    pg_col_id(&c, h.released_by, sizeof h.released_by);
    h.released_role = pg_col_text(&c);
    h.released_at = pg_col_int(&c);
    h.release_reason = pg_col_text(&c);
    l->cb(l->cls, &h);
    store_hold_release_row(&h);
}

static int
pg_hold_list(struct store *s,
             const char *case_kind,
             const char *case_id,
             store_hold_cb cb,
             void *cls)
{
    struct pg_params p = {0};
    struct hold_list l = {cb, cls};

    pg_bind_text(&p, case_kind);
    pg_bind_text(&p, case_id);
    return pg_run_list(pg_to_pg(s), PG_RET_HOLD_LIST,
                       "SELECT " HOLD_COLS " FROM case_holds"
                       " WHERE case_kind = $1 AND case_id = $2"
                       " ORDER BY placed_at, id",
                       &p, "hold_list", hold_row, &l);
}

static void
read_bool(const PGresult *r, int row, void *ctx)
{
    const char *v = PQgetvalue(r, row, 0);

    *(bool *)ctx = v && v[0] == 't';
}

static enum store_rc
pg_held(struct store *s, const char *case_kind, const char *case_id, bool *out)
{
    struct pg_params p = {0};
    bool held = false;
    enum store_rc rc;

    pg_bind_text(&p, case_kind);
    pg_bind_text(&p, case_id);
    rc =
        pg_run_read(pg_to_pg(s), PG_RET_HELD, "SELECT compel_case_held($1, $2)",
                    &p, "case_held", read_bool, &held);
    if (rc == STORE_ONE_RESULT)
        *out = held;
    return rc == STORE_NO_RESULTS ? STORE_HARD_ERROR : rc;
}

struct horizon {
    int64_t seq;
    unsigned char hash[STORE_HASH_SIZE];
};

static void
horizon_row(const PGresult *r, int row, void *ctx)
{
    struct horizon *h = ctx;
    struct pg_cols c = {r, row, 0};

    h->seq = pg_col_int(&c);
    pg_col_hash(&c, h->hash);
}

static enum store_rc
pg_audit_horizon(struct store *s,
                 int64_t *seq,
                 unsigned char hash[STORE_HASH_SIZE])
{
    struct horizon h = {0};
    enum store_rc rc;

    rc = pg_run_read(pg_to_pg(s), PG_RET_HORIZON,
                     "SELECT seq, hash FROM audit_horizon WHERE id = 1", NULL,
                     "audit_horizon", horizon_row, &h);
    if (rc == STORE_ONE_RESULT) {
        *seq = h.seq;
        memcpy(hash, h.hash, STORE_HASH_SIZE);
    }
    return rc;
}

/* ---- the purge ---------------------------------------------------------*/

struct unit {
    char id[STORE_ID_SIZE];
    char enf_id[STORE_ID_SIZE]; /* "" for none (and for detainers) */
};

struct units {
    struct unit *u;
    size_t n;
};

static void
unit_row(const PGresult *r, int row, void *ctx)
{
    struct units *l = ctx;
    struct pg_cols c = {r, row, 0};
    struct unit *u;

    l->u = cm_realloc(l->u, (l->n + 1) * sizeof *l->u);
    u = &l->u[l->n++];
    memset(u, 0, sizeof *u);
    pg_col_id(&c, u->id, sizeof u->id);
    pg_col_id(&c, u->enf_id, sizeof u->enf_id);
}

/* Run statement `id` with $1 = a and, when b2 is not NULL, $2 = b2 ("" as
 * NULL), adding the rows it deleted to *n (may be NULL). */
static enum store_rc
delete_rows(struct pg_store *ps,
            int id,
            const char *sql,
            const char *a,
            const char *b2,
            int64_t *n)
{
    struct pg_params p = {0};
    enum store_rc rc;
    PGresult *r;

    pg_bind_id(&p, a);
    if (b2)
        pg_bind_id(&p, b2);
    r = pg_exec(ps, id, sql, &p, "purge", 0, &rc);
    if (r && n)
        *n += strtoll(PQcmdTuples(r), NULL, 10);
    PQclear(r);
    return rc;
}

/* Documents, timeline and deadlines of cases (kind1, $1), (kind2, $2). */
static enum store_rc
delete_case_rows(struct pg_store *ps,
                 bool detainer,
                 const struct unit *u,
                 struct store_purge_counts *out)
{
    enum store_rc rc;

    if (detainer) {
        rc = delete_rows(ps, PG_RET_DET_DOCUMENTS,
                         "DELETE FROM documents WHERE case_kind = 'detainer'"
                         " AND case_id = $1",
                         u->id, NULL, &out->documents);
        if (rc >= 0)
            rc = delete_rows(ps, PG_RET_DET_EVENTS,
                             "DELETE FROM events WHERE case_kind = 'detainer'"
                             " AND case_id = $1",
                             u->id, NULL, &out->events);
        if (rc >= 0)
            rc = delete_rows(ps, PG_RET_DET_DEADLINES,
                             "DELETE FROM deadlines"
                             " WHERE case_kind = 'detainer' AND case_id = $1",
                             u->id, NULL, &out->deadlines);
        return rc;
    }
    rc = delete_rows(ps, PG_RET_DOCUMENTS,
                     "DELETE FROM documents WHERE (case_kind = 'subpoena'"
                     " AND case_id = $1) OR (case_kind = 'enforcement'"
                     " AND case_id = $2)",
                     u->id, u->enf_id, &out->documents);
    if (rc >= 0)
        rc = delete_rows(ps, PG_RET_EVENTS,
                         "DELETE FROM events WHERE (case_kind = 'subpoena'"
                         " AND case_id = $1) OR (case_kind = 'enforcement'"
                         " AND case_id = $2)",
                         u->id, u->enf_id, &out->events);
    if (rc >= 0)
        rc = delete_rows(ps, PG_RET_DEADLINES,
                         "DELETE FROM deadlines WHERE (case_kind = 'subpoena'"
                         " AND case_id = $1) OR (case_kind = 'enforcement'"
                         " AND case_id = $2)",
                         u->id, u->enf_id, &out->deadlines);
    return rc;
}

static enum store_rc
select_units(struct pg_store *ps,
             bool detainers,
             const struct store_purge_limits *lim,
             struct units *l)
{
    struct pg_params p = {0};
    int n;

    pg_bind_int(&p, lim->case_before);
    if (detainers) {
        pg_bind_int(&p, lim->max_cases);
        n = pg_run_list(
            ps, PG_RET_SELECT_DETAINERS,
            "SELECT d.id, NULL FROM detainers d"
            " WHERE d.state IN ('released', 'transferred', 'cancelled')"
            " AND d.updated_at <= $1"
            " AND NOT EXISTS (SELECT 1 FROM events v WHERE v.at > $1 AND"
            "   v.case_kind = 'detainer' AND v.case_id = d.id)"
            " AND NOT EXISTS (SELECT 1 FROM documents x WHERE"
            "   x.created_at > $1 AND x.case_kind = 'detainer' AND"
            "   x.case_id = d.id)"
            " AND NOT EXISTS (SELECT 1 FROM subpoenas s"
            "   WHERE s.detainer_id = d.id)"
            " AND NOT EXISTS (SELECT 1 FROM case_holds h"
            "   WHERE h.released_at IS NULL AND h.case_kind = 'detainer'"
            "   AND h.case_id = d.id)"
            " ORDER BY d.updated_at, d.id LIMIT $2",
            &p, "purge_select", unit_row, l);
    } else {
        pg_bind_int(&p, lim->disclosure_before);
        pg_bind_int(&p, lim->max_cases);
        n = pg_run_list(
            ps, PG_RET_SELECT_SUBPOENAS,
            "SELECT s.id, e.id FROM subpoenas s"
            " LEFT JOIN enforcements e ON e.subpoena_id = s.id"
            " WHERE (s.state IN ('closed', 'withdrawn')"
            "        OR (s.state = 'referred' AND e.state = 'closed'))"
            " AND (e.id IS NULL OR e.state = 'closed')"
            " AND s.updated_at <= $1"
            " AND (e.id IS NULL OR e.updated_at <= $1)"
            " AND NOT EXISTS (SELECT 1 FROM events v WHERE v.at > $1 AND"
            "   ((v.case_kind = 'subpoena' AND v.case_id = s.id) OR"
            "    (v.case_kind = 'enforcement' AND v.case_id = e.id)))"
            " AND NOT EXISTS (SELECT 1 FROM documents d"
            "   WHERE d.created_at > $1"
            "   AND ((d.case_kind = 'subpoena' AND d.case_id = s.id) OR"
            "    (d.case_kind = 'enforcement' AND d.case_id = e.id)))"
            " AND NOT EXISTS (SELECT 1 FROM disclosures x"
            "   WHERE x.subpoena_id = s.id AND x.disclosed_at > $2)"
            " AND NOT EXISTS (SELECT 1 FROM case_holds h"
            "   WHERE h.released_at IS NULL"
            "   AND ((h.case_kind = 'subpoena' AND h.case_id = s.id)"
            "   OR (h.case_kind = 'enforcement' AND h.case_id = e.id)))"
            " ORDER BY s.updated_at, s.id LIMIT $3",
            &p, "purge_select", unit_row, l);
    }
    return n < 0 ? (enum store_rc)n : STORE_ONE_RESULT;
}

struct pair_counts {
    int64_t enforcements;
    int64_t subpoenas;
};

static void
pair_row(const PGresult *r, int row, void *ctx)
{
    struct pair_counts *pc = ctx;
    struct pg_cols c = {r, row, 0};

    pc->enforcements = pg_col_int(&c);
    pc->subpoenas = pg_col_int(&c);
}

static enum store_rc
purge_subpoenas(struct pg_store *ps,
                const struct store_purge_limits *lim,
                struct store_purge_counts *out)
{
    struct units l = {NULL, 0};
    enum store_rc rc = select_units(ps, false, lim, &l);

    for (size_t i = 0; i < l.n && rc >= 0; i++) {
        const struct unit *u = &l.u[i];
        struct pg_params p = {0};
        struct pair_counts pc = {0, 0};

        rc = delete_case_rows(ps, false, u, out);
        if (rc >= 0)
            rc = delete_rows(ps, PG_RET_KEPT_ITEMS,
                             "DELETE FROM enforcement_kept_items"
                             " WHERE enforcement_id = $1",
                             u->enf_id, NULL, NULL);
        if (rc >= 0)
            rc = delete_rows(ps, PG_RET_EXTENSIONS,
                             "DELETE FROM extensions WHERE subpoena_id = $1",
                             u->id, NULL, NULL);
        if (rc >= 0)
            rc = delete_rows(ps, PG_RET_SIGNATURES,
                             "DELETE FROM subpoena_signatures"
                             " WHERE subpoena_id = $1",
                             u->id, NULL, NULL);
        if (rc >= 0)
            rc = delete_rows(ps, PG_RET_DISCLOSURES,
                             "DELETE FROM disclosures WHERE subpoena_id = $1",
                             u->id, NULL, &out->disclosures);
        if (rc < 0)
            break;
        /* One statement: the foreign keys between the two are checked
         * when both are gone. */
        pg_bind_id(&p, u->id);
        pg_bind_id(&p, u->enf_id);
        rc = pg_run_read(ps, PG_RET_CASE_PAIR,
                         "WITH e AS (DELETE FROM enforcements WHERE id = $2"
                         " RETURNING 1), s AS (DELETE FROM subpoenas"
                         " WHERE id = $1 RETURNING 1)"
                         " SELECT (SELECT count(*) FROM e),"
                         " (SELECT count(*) FROM s)",
                         &p, "purge_case", pair_row, &pc);
        out->enforcements += pc.enforcements;
        out->subpoenas += pc.subpoenas;
    }
    cm_free(l.u);
    return rc;
}

static enum store_rc
purge_detainers(struct pg_store *ps,
                const struct store_purge_limits *lim,
                struct store_purge_counts *out)
{
    struct units l = {NULL, 0};
    enum store_rc rc = select_units(ps, true, lim, &l);

    for (size_t i = 0; i < l.n && rc >= 0; i++) {
        rc = delete_case_rows(ps, true, &l.u[i], out);
        if (rc >= 0)
            rc = delete_rows(ps, PG_RET_DETAINER,
                             "DELETE FROM detainers WHERE id = $1", l.u[i].id,
                             NULL, &out->detainers);
    }
    cm_free(l.u);
    return rc;
}

struct prefix {
    int64_t first;
    int64_t end;
};

static void
prefix_row(const PGresult *r, int row, void *ctx)
{
    struct prefix *x = ctx;
    struct pg_cols c = {r, row, 0};

    x->first = pg_col_int(&c);
    x->end = pg_col_int(&c);
}

static enum store_rc
purge_audit(struct pg_store *ps,
            const struct store_purge_limits *lim,
            struct store_purge_counts *out)
{
    struct prefix x = {0, 0};
    int64_t last = 0;
    enum store_rc rc = STORE_ONE_RESULT;

    if (lim->audit_before > 0 && lim->max_audit > 0) {
        struct pg_params p = {0};

        pg_bind_int(&p, lim->audit_before);
        /* Walks the trail in seq order from its start to the first record
         * that must stay. */
        rc = pg_run_read(
            ps, PG_RET_AUDIT_PREFIX,
            "SELECT (SELECT min(seq) FROM audit), a.seq - 1 FROM audit a"
            " WHERE a.at > $1 OR a.seq = (SELECT max(seq) FROM audit)"
            " OR EXISTS (SELECT 1 FROM case_holds h"
            "   WHERE h.released_at IS NULL AND h.case_kind = a.object_kind"
            "   AND h.case_id = a.object_id)"
            " OR (a.object_kind = 'document' AND EXISTS ("
            "   SELECT 1 FROM documents d JOIN case_holds h"
            "   ON h.case_kind = d.case_kind AND h.case_id = d.case_id"
            "   WHERE d.id = a.object_id AND h.released_at IS NULL))"
            " OR (a.object_kind = 'enforcement' AND EXISTS ("
            "   SELECT 1 FROM enforcements e JOIN case_holds h"
            "   ON h.case_kind = 'subpoena' AND h.case_id = e.subpoena_id"
            "   WHERE e.id = a.object_id AND h.released_at IS NULL))"
            " OR (a.object_kind = 'subpoena' AND EXISTS ("
            "   SELECT 1 FROM enforcements e JOIN case_holds h"
            "   ON h.case_kind = 'enforcement' AND h.case_id = e.id"
            "   WHERE e.subpoena_id = a.object_id AND h.released_at IS NULL))"
            " ORDER BY a.seq LIMIT 1",
            &p, "purge_audit_prefix", prefix_row, &x);
        if (rc >= 0 && x.first > 0 && x.end >= x.first)
            last = x.end - x.first + 1 > lim->max_audit
                       ? x.first + lim->max_audit - 1
                       : x.end;
    }
    if (rc >= 0 && last > 0) {
        struct pg_params p = {0};

        pg_bind_int(&p, last);
        rc = pg_run_write(ps, PG_RET_AUDIT_HORIZON_SET,
                          "INSERT INTO audit_horizon (id, seq, hash, at)"
                          " SELECT 1, seq, hash, at FROM audit WHERE seq = $1"
                          " ON CONFLICT (id) DO UPDATE SET seq = excluded.seq,"
                          " hash = excluded.hash, at = excluded.at",
                          &p, "purge_horizon");
        if (rc == STORE_NO_RESULTS)
            rc = STORE_HARD_ERROR;
        if (rc >= 0) {
            PGresult *r = pg_exec(ps, PG_RET_AUDIT_DELETE,
                                  "DELETE FROM audit WHERE seq <= $1", &p,
                                  "purge_audit", 0, &rc);

            if (r)
                out->audit += strtoll(PQcmdTuples(r), NULL, 10);
            PQclear(r);
        }
    }
    if (rc >= 0) {
        struct horizon h = {0};

        rc = pg_run_read(ps, PG_RET_HORIZON,
                         "SELECT seq, hash FROM audit_horizon WHERE id = 1",
                         NULL, "audit_horizon", horizon_row, &h);
        if (rc == STORE_ONE_RESULT) {
            out->horizon_seq = h.seq;
            memcpy(out->horizon_hash, h.hash, STORE_HASH_SIZE);
        }
    }
    return rc < 0 ? rc : STORE_ONE_RESULT;
}

static enum store_rc
pg_purge(struct store *s,
         const struct store_purge_limits *lim,
         struct store_purge_counts *out)
{
    struct pg_store *ps = pg_to_pg(s);
    enum store_rc rc;

    rc = pg_run_write(ps, PG_RET_PERMIT_OPEN,
                      "INSERT INTO retention_permit (id) VALUES (1)", NULL,
                      "purge_permit");
    if (rc >= 0 && lim->case_before > 0 && lim->max_cases > 0)
        rc = purge_subpoenas(ps, lim, out);
    if (rc >= 0 && lim->case_before > 0 && lim->max_cases > 0)
        rc = purge_detainers(ps, lim, out);
    if (rc >= 0)
        rc = purge_audit(ps, lim, out);
    if (rc >= 0)
        rc = pg_run_write(ps, PG_RET_PERMIT_CLOSE,
                          "DELETE FROM retention_permit", NULL, "purge_permit");
    return rc < 0 ? rc : STORE_ONE_RESULT;
}

const struct store_retention_ops pg_retention_ops = {
    .hold_place = pg_hold_place,
    .hold_release = pg_hold_release,
    .hold_list = pg_hold_list,
    .held = pg_held,
    .audit_horizon = pg_audit_horizon,
    .purge = pg_purge,
};
