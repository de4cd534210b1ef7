/*
 * sq_bulk.c: the SQLite implementation of store_bulk.h. Lookups use the
 * natural-key indexes (organizations_natural, facilities (org_id, name),
 * the partial external_ref indexes of 0008-natural-keys.sql); inserts are
 * the plain ones of sqlite_store.c with the external_ref column added.
 *
 * An import's new detainers are staged in a temporary table (no index,
 * no constraint, no trigger) and copied into `detainers` by one INSERT ...
 * SELECT at the end: inserted one statement at a time, each detainer
 * opened and closed its cursors on eight B-trees and copied every page it
 * touched into a statement journal, about half of an import's time
 * (docs/performance.md).
 */
#include <string.h>

#include "core/alloc.h"
#include "store/sqlite/sqlite_int.h"

/* The page cache while a large batch runs (negative: KiB), and after; the
 * latter is what sqlite_store.c sets when it opens a connection. */
#define BULK_CACHE_LARGE "PRAGMA cache_size = -65536"
#define BULK_CACHE_SMALL "PRAGMA cache_size = -1024"

#define PERSON_COLS                                                     \
    "id, version, created_at, updated_at, family_name, given_names,"    \
    " date_of_birth, identifiers, aliases, family_name_bidx, dob_bidx," \
    " a_number_bidx, org_id"

static enum store_rc
sq_batch_hint(struct store *s, bool large)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    const char *sql = large ? BULK_CACHE_LARGE : BULK_CACHE_SMALL;
    int rc = sqlite3_exec(ss->db, sql, NULL, NULL, NULL);

    if (rc != SQLITE_OK)
        return sq_rc_from(ss, rc, "bulk_batch_hint");
    return STORE_ONE_RESULT;
}

static enum store_rc
sq_org_find(struct store *s,
            const char *kind,
            const char *state,
            const char *name,
            struct store_org *out)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {sq_stmt_get(ss, STMT_ID_BULK_ORG_FIND,
                                      "SELECT " ORG_COLS " FROM organizations"
                                      " WHERE kind = ? AND state IS ?"
                                      " AND name = ?"),
                          0, SQLITE_OK};
    enum store_rc rc;

    sq_bind_text(&b, kind);
    sq_bind_text(&b, state && *state ? state : NULL);
    sq_bind_text(&b, name);
    rc = sq_run_read(ss, &b, "org_find");
    if (rc == STORE_ONE_RESULT) {
        sq_read_org(b.st, out);
        sq_stmt_done(b.st);
    }
    return rc;
}

static enum store_rc
sq_facility_find(struct store *s,
                 const char *org_id,
                 const char *name,
                 struct store_facility *out)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {sq_stmt_get(ss, STMT_ID_BULK_FACILITY_FIND,
                                      "SELECT " FACILITY_COLS " FROM facilities"
                                      " WHERE org_id = ? AND name = ?"),
                          0, SQLITE_OK};
    enum store_rc rc;

    sq_bind_text(&b, org_id);
    sq_bind_text(&b, name);
    rc = sq_run_read(ss, &b, "facility_find");
    if (rc == STORE_ONE_RESULT) {
        sq_read_facility(b.st, out);
        sq_stmt_done(b.st);
    }
    return rc;
}

static void
read_person(sqlite3_stmt *st, struct store_person *p)
{
    struct sq_cols c = {st, 0};

    memset(p, 0, sizeof *p);
    sq_col_id(&c, p->id, sizeof p->id);
    p->version = sq_col_int(&c);
    p->created_at = sq_col_int(&c);
    p->updated_at = sq_col_int(&c);
    p->family_name = sq_col_blob(&c);
    p->given_names = sq_col_blob(&c);
    p->date_of_birth = sq_col_blob(&c);
    p->identifiers = sq_col_blob(&c);
    p->aliases = sq_col_blob(&c);
    p->family_name_bidx = sq_col_blob(&c);
    p->dob_bidx = sq_col_blob(&c);
    p->a_number_bidx = sq_col_blob(&c);
    sq_col_id(&c, p->org_id, sizeof p->org_id);
}

static enum store_rc
sq_person_find_ref(struct store *s,
                   const char *org_id,
                   const char *external_ref,
                   struct store_person *out)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {sq_stmt_get(ss, STMT_ID_BULK_PERSON_FIND_REF,
                                      "SELECT " PERSON_COLS " FROM people"
                                      " WHERE org_id = ? AND external_ref = ?"),
                          0, SQLITE_OK};
    enum store_rc rc;

    sq_bind_text(&b, org_id);
    sq_bind_text(&b, external_ref);
    rc = sq_run_read(ss, &b, "person_find_ref");
    if (rc == STORE_ONE_RESULT) {
        read_person(b.st, out);
        sq_stmt_done(b.st);
    }
    return rc;
}

static enum store_rc
sq_person_insert_ref(struct store *s,
                     const struct store_person *p,
                     const char *external_ref)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_BULK_PERSON_INSERT_REF,
                    "INSERT INTO people (" PERSON_COLS ", external_ref)"
                    " VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT DO NOTHING"),
        0, SQLITE_OK};

    sq_bind_id(&b, p->id);
    sq_bind_int(&b, p->created_at);
    sq_bind_int(&b, p->updated_at);
    sq_bind_blob(&b, &p->family_name);
    sq_bind_blob(&b, &p->given_names);
    sq_bind_blob(&b, &p->date_of_birth);
    sq_bind_blob(&b, &p->identifiers);
    sq_bind_blob(&b, &p->aliases);
    sq_bind_blob(&b, &p->family_name_bidx);
    sq_bind_blob(&b, &p->dob_bidx);
    sq_bind_blob(&b, &p->a_number_bidx);
    sq_bind_id(&b, p->org_id);
    sq_bind_text(&b, external_ref && *external_ref ? external_ref : NULL);
    return sq_run_write(ss, &b, "person_insert_ref");
}

static enum store_rc
sq_detainer_find_ref(struct store *s,
                     const char *agency_org_id,
                     const char *external_ref,
                     struct store_detainer *out)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_BULK_DETAINER_FIND_REF,
                    "SELECT " DETAINER_COLS " FROM detainers"
                    " WHERE agency_org_id = ? AND external_ref = ?"),
        0, SQLITE_OK};
    enum store_rc rc;

    sq_bind_text(&b, agency_org_id);
    sq_bind_text(&b, external_ref);
    rc = sq_run_read(ss, &b, "detainer_find_ref");
    if (rc == STORE_ONE_RESULT) {
        sq_read_detainer(b.st, out);
        sq_stmt_done(b.st);
    }
    return rc;
}

static enum store_rc
sq_detainer_find_number(struct store *s,
                        const char *number,
                        struct store_detainer *out)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {sq_stmt_get(ss, STMT_ID_BULK_DETAINER_FIND_NUMBER,
                                      "SELECT " DETAINER_COLS
                                      " FROM detainers WHERE number = ?"),
                          0, SQLITE_OK};
    enum store_rc rc;

    sq_bind_text(&b, number);
    rc = sq_run_read(ss, &b, "detainer_find_number");
    if (rc == STORE_ONE_RESULT) {
        sq_read_detainer(b.st, out);
        sq_stmt_done(b.st);
    }
    return rc;
}

static enum store_rc
sq_detainer_insert_ref(struct store *s,
                       const struct store_detainer *d,
                       const char *external_ref)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_BULK_DETAINER_INSERT_REF,
                    "INSERT INTO detainers (" DETAINER_COLS ", external_ref)"
                    " VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                    " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT DO NOTHING"),
        0, SQLITE_OK};

    sq_bind_detainer(&b, d);
    sq_bind_text(&b, external_ref && *external_ref ? external_ref : NULL);
    return sq_run_write(ss, &b, "detainer_insert_ref");
}

#define STAGE_TABLE "temp.compel_detainer_stage"

static enum store_rc
sq_exec(struct sqlite_store *ss, const char *sql, const char *what)
{
    int rc = sqlite3_exec(ss->db, sql, NULL, NULL, NULL);

    return rc == SQLITE_OK ? STORE_ONE_RESULT : sq_rc_from(ss, rc, what);
}

static enum store_rc
sq_detainers_stage_begin(struct store *s)
{
    struct sqlite_store *ss = sq_to_sqlite(s);

    /* Created inside the caller's transaction, so a rollback takes it
     * away too; emptied in case an earlier import left rows. */
    return sq_exec(ss,
                   "CREATE TEMP TABLE IF NOT EXISTS compel_detainer_stage AS"
                   " SELECT " DETAINER_COLS ", external_ref, 0 AS line"
                   " FROM main.detainers WHERE 0;"
                   " DELETE FROM " STAGE_TABLE,
                   "detainers_stage_begin");
}

static enum store_rc
sq_detainer_stage(struct store *s,
                  const struct store_detainer *d,
                  const char *external_ref,
                  long line)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_BULK_DETAINER_STAGE,
                    "INSERT INTO " STAGE_TABLE " (" DETAINER_COLS
                    ", external_ref, line)"
                    " VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                    " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
        0, SQLITE_OK};
    enum store_rc rc;

    sq_bind_detainer(&b, d);
    sq_bind_text(&b, external_ref && *external_ref ? external_ref : NULL);
    sq_bind_int(&b, line);
    rc = sq_run_write(ss, &b, "detainer_stage");
    return rc < 0 ? rc : STORE_ONE_RESULT;
}

static enum store_rc
sq_detainers_stage_end(struct store *s,
                       store_stage_conflict_fn conflict,
                       void *cls)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    sqlite3_stmt *st = NULL;
    int64_t staged = 0;
    int64_t inserted;
    enum store_rc rc;
    int src;

    src = sqlite3_prepare_v2(ss->db, "SELECT count(*) FROM " STAGE_TABLE, -1,
                             &st, NULL);
    if (src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
        staged = sqlite3_column_int64(st, 0);
        src = SQLITE_OK;
    }
    (void)sqlite3_finalize(st);
    if (src != SQLITE_OK)
        return sq_rc_from(ss, src, "detainers_stage_end");
    /* WHERE true: without it "ON CONFLICT" would parse as a join's ON. */
    rc = sq_exec(ss,
                 "INSERT INTO main.detainers (" DETAINER_COLS ", external_ref)"
                 " SELECT " DETAINER_COLS ", external_ref FROM " STAGE_TABLE
                 " WHERE true ORDER BY rowid ON CONFLICT DO NOTHING",
                 "detainers_stage_end");
    if (rc < 0)
        return rc;
    inserted = sqlite3_changes64(ss->db);
    if (inserted != staged) {
        st = NULL;
        src = sqlite3_prepare_v2(
            ss->db,
            "SELECT s.line, s.number FROM " STAGE_TABLE " AS s"
            " WHERE NOT EXISTS (SELECT 1 FROM main.detainers AS d"
            " WHERE d.id = s.id AND d.number = s.number)"
            " ORDER BY s.rowid",
            -1, &st, NULL);
        while (src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
            conflict(cls, (long)sqlite3_column_int64(st, 0),
                     (const char *)sqlite3_column_text(st, 1));
            src = SQLITE_OK;
        }
        (void)sqlite3_finalize(st);
        if (src != SQLITE_DONE)
            return sq_rc_from(ss, src, "detainers_stage_end");
    }
    return sq_exec(ss, "DROP TABLE " STAGE_TABLE, "detainers_stage_end");
}

static enum store_rc
sq_external_ref_get(struct store *s,
                    enum store_ref_kind kind,
                    const char *id,
                    char **out)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b;
    enum store_rc rc;

    if (kind == STORE_REF_KIND_PERSON)
        b.st = sq_stmt_get(ss, STMT_ID_BULK_PERSON_REF_GET,
                           "SELECT external_ref FROM people WHERE id = ?");
    else
        b.st = sq_stmt_get(ss, STMT_ID_BULK_DETAINER_REF_GET,
                           "SELECT external_ref FROM detainers WHERE id = ?");
    b.i = 0;
    b.rc = SQLITE_OK;
    sq_bind_text(&b, id);
    rc = sq_run_read(ss, &b, "external_ref_get");
    if (rc == STORE_ONE_RESULT) {
        struct sq_cols c = {b.st, 0};

        *out = sq_col_text(&c);
        sq_stmt_done(b.st);
    }
    return rc;
}

static enum store_rc
sq_case_number_raise(struct store *s,
                     const char *prefix,
                     int year,
                     int64_t last)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_BULK_CASE_NUMBER_RAISE,
                    "INSERT INTO case_counters (kind, year, last)"
                    " VALUES (?, ?, ?)"
                    " ON CONFLICT (kind, year) DO UPDATE"
                    " SET last = max(last, excluded.last)"),
        0, SQLITE_OK};
    enum store_rc rc;

    sq_bind_text(&b, prefix);
    sq_bind_int(&b, year);
    sq_bind_int(&b, last);
    rc = sq_run_write(ss, &b, "case_number_raise");
    return rc < 0 ? rc : STORE_ONE_RESULT;
}

const struct store_bulk_ops sq_bulk_ops = {
    .batch_hint = sq_batch_hint,
    .org_find = sq_org_find,
    .facility_find = sq_facility_find,
    .person_find_ref = sq_person_find_ref,
    .person_insert_ref = sq_person_insert_ref,
    .detainer_find_ref = sq_detainer_find_ref,
    .detainer_find_number = sq_detainer_find_number,
    .detainer_insert_ref = sq_detainer_insert_ref,
    .detainers_stage_begin = sq_detainers_stage_begin,
    .detainer_stage = sq_detainer_stage,
    .detainers_stage_end = sq_detainers_stage_end,
    .external_ref_get = sq_external_ref_get,
    .case_number_raise = sq_case_number_raise,
};
