/*
 * sq_retention.c: the SQLite implementation of store_retention.h: legal
 * holds in case_holds, the audit horizon, and the purge, which opens the
 * purge permit (retention_permit) for the length of one call inside the
 * caller's transaction. The statements run rarely (a hold is placed by
 * hand, the purge runs once a day), so they are prepared per call rather
 * than cached in the connection's table.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/log.h"
#include "store/sqlite/sqlite_int.h"

#define HOLD_COLS                                                \
    "id, case_kind, case_id, placed_by, placed_role, placed_at," \
    " reason, released_by, released_role, released_at, release_reason"

/* The condition, on `h`, that a hold in force covers case (?kind, ?id) of
 * a subpoena unit: ?S the subpoena id, ?E its enforcement's (or NULL). */
#define HELD_UNIT                                                    \
    "EXISTS (SELECT 1 FROM case_holds h WHERE h.released_at IS NULL" \
    " AND ((h.case_kind = 'subpoena' AND h.case_id = s.id)"          \
    " OR (h.case_kind = 'enforcement' AND h.case_id = e.id)))"

/* Prepare `sql` into b (b->st NULL, logged, on failure). */
static void
prepare(struct sqlite_store *ss, struct sq_binder *b, const char *sql)
{
    int rc;

    b->st = NULL;
    b->i = 0;
    b->rc = SQLITE_OK;
    rc = sqlite3_prepare_v2(ss->db, sql, -1, &b->st, NULL);
    if (rc != SQLITE_OK) {
        (void)sq_rc_from(ss, rc, "prepare");
        sqlite3_finalize(b->st);
        b->st = NULL;
    }
}

/* Run a bound write and finalize it; *changes (may be NULL) = rows it
 * changed itself. STORE_ONE_RESULT / STORE_NO_RESULTS or an error. */
static enum store_rc
run_write(struct sqlite_store *ss,
          struct sq_binder *b,
          const char *what,
          int64_t *changes)
{
    enum store_rc rc = sq_run_write(ss, b, what);

    if (rc >= 0 && changes)
        *changes += sqlite3_changes64(ss->db);
    sqlite3_finalize(b->st);
    b->st = NULL;
    return rc;
}

static enum store_rc
exec_fixed(struct sqlite_store *ss, const char *sql)
{
    struct sq_binder b;

    prepare(ss, &b, sql);
    return run_write(ss, &b, sql, NULL);
}

static enum store_rc
sq_hold_place(struct store *s, const struct store_hold *h)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b;

    prepare(ss, &b,
            "INSERT INTO case_holds (id, case_kind, case_id, placed_by,"
            " placed_role, placed_at, reason) VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT DO NOTHING");
    sq_bind_id(&b, h->id);
    sq_bind_text(&b, h->case_kind);
    sq_bind_id(&b, h->case_id);
    sq_bind_id(&b, h->placed_by);
    sq_bind_text(&b, h->placed_role);
    sq_bind_int(&b, h->placed_at);
    sq_bind_text(&b, h->reason);
    return run_write(ss, &b, "hold_place", NULL);
}

static enum store_rc
sq_hold_release(struct store *s,
                const char *case_kind,
                const char *case_id,
                const char *by,
                const char *role,
                int64_t at,
                const char *reason)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b;

    prepare(ss, &b,
            "UPDATE case_holds SET released_by = ?3, released_role = ?4,"
            " released_at = ?5, release_reason = ?6"
            " WHERE case_kind = ?1 AND case_id = ?2 AND released_at IS NULL");
    sq_bind_text(&b, case_kind);
    sq_bind_text(&b, case_id);
    sq_bind_id(&b, by);
    sq_bind_text(&b, role);
    sq_bind_int(&b, at);
    sq_bind_text(&b, reason);
    return run_write(ss, &b, "hold_release", NULL);
}

struct hold_list {
    store_hold_cb cb;
    void *cls;
};

static void
hold_row(sqlite3_stmt *st, void *ctx)
{
    struct hold_list *l = ctx;
    struct sq_cols c = {st, 0};
    struct store_hold h;

    memset(&h, 0, sizeof h);
    sq_col_id(&c, h.id, sizeof h.id);
    h.case_kind = sq_col_text(&c);
    sq_col_id(&c, h.case_id, sizeof h.case_id);
    sq_col_id(&c, h.placed_by, sizeof h.placed_by);
    h.placed_role = sq_col_text(&c);
    h.placed_at = sq_col_int(&c);
    h.reason = sq_col_text(&c);
    sq_col_id(&c, h.released_by, sizeof h.released_by);
    h.released_role = sq_col_text(&c);
    h.released_at = sq_col_int(&c);
    h.release_reason = sq_col_text(&c);
    l->cb(l->cls, &h);
    store_hold_release_row(&h);
}

static int
sq_hold_list(struct store *s,
             const char *case_kind,
             const char *case_id,
             store_hold_cb cb,
             void *cls)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct hold_list l = {cb, cls};
    struct sq_binder b;
    int n;

    prepare(ss, &b,
            "SELECT " HOLD_COLS " FROM case_holds"
            " WHERE case_kind = ? AND case_id = ? ORDER BY placed_at, id");
    sq_bind_text(&b, case_kind);
    sq_bind_text(&b, case_id);
    n = sq_run_list(ss, &b, "hold_list", hold_row, &l);
    sqlite3_finalize(b.st);
    return n;
}

static enum store_rc
sq_held(struct store *s, const char *case_kind, const char *case_id, bool *out)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b;
    enum store_rc rc;

    prepare(ss, &b,
            "SELECT EXISTS (SELECT 1 FROM case_holds h"
            " WHERE h.released_at IS NULL AND ("
            " (h.case_kind = ?1 AND h.case_id = ?2)"
            " OR (?1 = 'subpoena' AND h.case_kind = 'enforcement'"
            "     AND h.case_id IN (SELECT id FROM enforcements"
            "                       WHERE subpoena_id = ?2))"
            " OR (?1 = 'enforcement' AND h.case_kind = 'subpoena'"
            "     AND h.case_id IN (SELECT subpoena_id FROM enforcements"
            "                       WHERE id = ?2))))");
    sq_bind_text(&b, case_kind);
    sq_bind_text(&b, case_id);
    rc = sq_run_read(ss, &b, "case_held");
    if (rc == STORE_ONE_RESULT) {
        struct sq_cols c = {b.st, 0};

        *out = sq_col_int(&c) != 0;
    }
    sqlite3_finalize(b.st);
    return rc == STORE_NO_RESULTS ? STORE_HARD_ERROR : rc;
}

static enum store_rc
sq_audit_horizon(struct store *s,
                 int64_t *seq,
                 unsigned char hash[STORE_HASH_SIZE])
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b;
    enum store_rc rc;

    prepare(ss, &b, "SELECT seq, hash FROM audit_horizon WHERE id = 1");
    rc = sq_run_read(ss, &b, "audit_horizon");
    if (rc == STORE_ONE_RESULT) {
        struct sq_cols c = {b.st, 0};

        *seq = sq_col_int(&c);
        sq_col_hash(&c, hash);
    }
    sqlite3_finalize(b.st);
    return rc;
}

/* ---- the purge ---------------------------------------------------------*/

/* A case chosen for the purge: a subpoena with its enforcement ("" for
 * none), or a detainer (sub_id only). */
struct unit {
    char id[STORE_ID_SIZE];
    char enf_id[STORE_ID_SIZE];
};

struct units {
    struct unit *u;
    size_t n;
};

static void
unit_row(sqlite3_stmt *st, void *ctx)
{
    struct units *l = ctx;
    struct sq_cols c = {st, 0};
    struct unit *u;

    l->u = cm_realloc(l->u, (l->n + 1) * sizeof *l->u);
    u = &l->u[l->n++];
    memset(u, 0, sizeof *u);
    sq_col_id(&c, u->id, sizeof u->id);
    sq_col_id(&c, u->enf_id, sizeof u->enf_id);
}

/* Delete with `sql`, bound to ?1 = a and, when it has a second
 * parameter, ?2 = b2 ("" as NULL), adding the rows to *n. */
static enum store_rc
delete2(struct sqlite_store *ss,
        const char *sql,
        const char *a,
        const char *b2,
        int64_t *n)
{
    struct sq_binder b;

    prepare(ss, &b, sql);
    if (b.st == NULL)
        return STORE_HARD_ERROR;
    sq_bind_id(&b, a);
    if (sqlite3_bind_parameter_count(b.st) >= 2)
        sq_bind_id(&b, b2);
    return run_write(ss, &b, "purge", n);
}

/* The rows every case kind has: documents, timeline, deadlines, of case
 * (kind1, ?1) and (kind2, ?2). */
static enum store_rc
delete_case_rows(struct sqlite_store *ss,
                 const char *kind1,
                 const char *kind2,
                 const struct unit *u,
                 struct store_purge_counts *out)
{
    static const char *const tables[] = {"documents", "events", "deadlines"};
    enum store_rc rc = STORE_ONE_RESULT;

    for (size_t i = 0; i < 3 && rc >= 0; i++) {
        char sql[256];
        int64_t *n = i == 0   ? &out->documents
                     : i == 1 ? &out->events
                              : &out->deadlines;

        (void)snprintf(sql, sizeof sql,
                       "DELETE FROM %s WHERE (case_kind = '%s' AND"
                       " case_id = ?1) OR (case_kind = '%s' AND"
                       " case_id = ?2)",
                       tables[i], kind1, kind2);
        rc = delete2(ss, sql, u->id, u->enf_id, n);
    }
    return rc;
}

static enum store_rc
purge_subpoenas(struct sqlite_store *ss,
                const struct store_purge_limits *lim,
                struct store_purge_counts *out)
{
    struct units l = {NULL, 0};
    struct sq_binder b;
    enum store_rc rc = STORE_ONE_RESULT;
    int n;

    prepare(ss, &b,
            "SELECT s.id, e.id FROM subpoenas s"
            " LEFT JOIN enforcements e ON e.subpoena_id = s.id"
            " WHERE (s.state IN ('closed', 'withdrawn')"
            "        OR (s.state = 'referred' AND e.state = 'closed'))"
            " AND (e.id IS NULL OR e.state = 'closed')"
            " AND s.updated_at <= ?1 AND (e.id IS NULL OR e.updated_at <= ?1)"
            " AND NOT EXISTS (SELECT 1 FROM events v WHERE v.at > ?1 AND"
            "   ((v.case_kind = 'subpoena' AND v.case_id = s.id) OR"
            "    (v.case_kind = 'enforcement' AND v.case_id = e.id)))"
            " AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.created_at > ?1"
            "   AND ((d.case_kind = 'subpoena' AND d.case_id = s.id) OR"
            "    (d.case_kind = 'enforcement' AND d.case_id = e.id)))"
            " AND NOT EXISTS (SELECT 1 FROM disclosures x"
            "   WHERE x.subpoena_id = s.id AND x.disclosed_at > ?2)"
            " AND NOT " HELD_UNIT " ORDER BY s.updated_at, s.id LIMIT ?3");
    sq_bind_int(&b, lim->case_before);
    sq_bind_int(&b, lim->disclosure_before);
    sq_bind_int(&b, lim->max_cases);
    n = sq_run_list(ss, &b, "purge_select", unit_row, &l);
    sqlite3_finalize(b.st);
    if (n < 0) {
        rc = (enum store_rc)n;
        goto out;
    }
    for (size_t i = 0; i < l.n && rc >= 0; i++) {
        const struct unit *u = &l.u[i];

        rc = delete_case_rows(ss, "subpoena", "enforcement", u, out);
        if (rc >= 0)
            rc = delete2(ss,
                         "DELETE FROM enforcement_kept_items"
                         " WHERE enforcement_id = ?1",
                         u->enf_id, "", NULL);
        if (rc >= 0)
            rc = delete2(ss, "DELETE FROM extensions WHERE subpoena_id = ?1",
                         u->id, "", NULL);
        if (rc >= 0)
            rc = delete2(ss,
                         "DELETE FROM subpoena_signatures"
                         " WHERE subpoena_id = ?1",
                         u->id, "", NULL);
        if (rc >= 0)
            rc = delete2(ss, "DELETE FROM disclosures WHERE subpoena_id = ?1",
                         u->id, "", &out->disclosures);
        /* The subpoena and its enforcement name each other: their foreign
         * keys are checked at commit. */
        if (rc >= 0)
            rc = exec_fixed(ss, "PRAGMA defer_foreign_keys = ON");
        if (rc >= 0 && u->enf_id[0])
            rc = delete2(ss, "DELETE FROM enforcements WHERE id = ?1",
                         u->enf_id, "", &out->enforcements);
        if (rc >= 0)
            rc = delete2(ss, "DELETE FROM subpoenas WHERE id = ?1", u->id, "",
                         &out->subpoenas);
    }
out:
    cm_free(l.u);
    return rc;
}

static enum store_rc
purge_detainers(struct sqlite_store *ss,
                const struct store_purge_limits *lim,
                struct store_purge_counts *out)
{
    struct units l = {NULL, 0};
    struct sq_binder b;
    enum store_rc rc = STORE_ONE_RESULT;
    int n;

    prepare(ss, &b,
            "SELECT d.id, NULL FROM detainers d"
            " WHERE d.state IN ('released', 'transferred', 'cancelled')"
            " AND d.updated_at <= ?1"
            " AND NOT EXISTS (SELECT 1 FROM events v WHERE v.at > ?1 AND"
            "   v.case_kind = 'detainer' AND v.case_id = d.id)"
            " AND NOT EXISTS (SELECT 1 FROM documents x WHERE"
            "   x.created_at > ?1 AND x.case_kind = 'detainer' AND"
            "   x.case_id = d.id)"
            " AND NOT EXISTS (SELECT 1 FROM subpoenas s"
            "   WHERE s.detainer_id = d.id)"
            " AND NOT EXISTS (SELECT 1 FROM case_holds h"
            "   WHERE h.released_at IS NULL AND h.case_kind = 'detainer'"
            "   AND h.case_id = d.id)"
            " ORDER BY d.updated_at, d.id LIMIT ?2");
    sq_bind_int(&b, lim->case_before);
    sq_bind_int(&b, lim->max_cases);
    n = sq_run_list(ss, &b, "purge_select", unit_row, &l);
    sqlite3_finalize(b.st);
    if (n < 0) {
        rc = (enum store_rc)n;
        goto out;
    }
    for (size_t i = 0; i < l.n && rc >= 0; i++) {
        const struct unit *u = &l.u[i];

        rc = delete_case_rows(ss, "detainer", "detainer", u, out);
        if (rc >= 0)
            rc = delete2(ss, "DELETE FROM detainers WHERE id = ?1", u->id, "",
                         &out->detainers);
    }
out:
    cm_free(l.u);
    return rc;
}

/* The longest prefix of the trail to remove: *last = its last seq (0 for
 * none). Stops before the first record after the cut-off, the first that
 * names a case on hold or a document of one, and the head. */
static enum store_rc
audit_prefix(struct sqlite_store *ss,
             const struct store_purge_limits *lim,
             int64_t *last)
{
    struct sq_binder b;
    enum store_rc rc;

    /* Walks the trail in seq order from its start to the first record
     * that must stay: as long as what goes. */
    prepare(ss, &b,
            "SELECT (SELECT min(seq) FROM audit), seq - 1 FROM audit a"
            " WHERE a.at > ?1 OR a.seq = (SELECT max(seq) FROM audit)"
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
            " ORDER BY seq LIMIT 1");
    sq_bind_int(&b, lim->audit_before);
    rc = sq_run_read(ss, &b, "purge_audit_prefix");
    *last = 0;
    if (rc == STORE_ONE_RESULT) {
        struct sq_cols c = {b.st, 0};
        int64_t first = sq_col_int(&c);
        int64_t end = sq_col_int(&c);

        if (first > 0 && end >= first)
            *last = end - first + 1 > lim->max_audit
                        ? first + lim->max_audit - 1
                        : end;
    }
    sqlite3_finalize(b.st);
    return rc < 0 ? rc : STORE_ONE_RESULT;
}

static enum store_rc
purge_audit(struct sqlite_store *ss,
            const struct store_purge_limits *lim,
            struct store_purge_counts *out)
{
    struct sq_binder b;
    int64_t last = 0;
    enum store_rc rc = STORE_ONE_RESULT;

    if (lim->audit_before > 0 && lim->max_audit > 0)
        rc = audit_prefix(ss, lim, &last);
    if (rc >= 0 && last > 0) {
        prepare(ss, &b,
                "INSERT INTO audit_horizon (id, seq, hash, at)"
                " SELECT 1, seq, hash, at FROM audit WHERE seq = ?1"
                " ON CONFLICT (id) DO UPDATE SET seq = excluded.seq,"
                " hash = excluded.hash, at = excluded.at");
        sq_bind_int(&b, last);
        rc = run_write(ss, &b, "purge_horizon", NULL);
        if (rc == STORE_NO_RESULTS)
            rc = STORE_HARD_ERROR;
        if (rc >= 0) {
            prepare(ss, &b, "DELETE FROM audit WHERE seq <= ?1");
            sq_bind_int(&b, last);
            rc = run_write(ss, &b, "purge_audit", &out->audit);
        }
    }
    if (rc >= 0) {
        unsigned char hash[STORE_HASH_SIZE];
        int64_t seq = 0;

        rc = sq_audit_horizon(&ss->base, &seq, hash);
        if (rc == STORE_ONE_RESULT) {
            out->horizon_seq = seq;
            memcpy(out->horizon_hash, hash, sizeof hash);
        }
    }
    return rc < 0 ? rc : STORE_ONE_RESULT;
}

static enum store_rc
sq_purge(struct store *s,
         const struct store_purge_limits *lim,
         struct store_purge_counts *out)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    enum store_rc rc;

    rc = exec_fixed(ss, "INSERT INTO retention_permit (id) VALUES (1)");
    if (rc >= 0 && lim->case_before > 0 && lim->max_cases > 0)
        rc = purge_subpoenas(ss, lim, out);
    if (rc >= 0 && lim->case_before > 0 && lim->max_cases > 0)
        rc = purge_detainers(ss, lim, out);
    if (rc >= 0)
        rc = purge_audit(ss, lim, out);
    if (rc >= 0)
        rc = exec_fixed(ss, "DELETE FROM retention_permit");
    return rc < 0 ? rc : STORE_ONE_RESULT;
}

const struct store_retention_ops sq_retention_ops = {
    .hold_place = sq_hold_place,
    .hold_release = sq_hold_release,
    .hold_list = sq_hold_list,
    .held = sq_held,
    .audit_horizon = sq_audit_horizon,
    .purge = sq_purge,
};
