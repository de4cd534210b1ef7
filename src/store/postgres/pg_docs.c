/*
 * pg_docs.c: the PostgreSQL implementation of store_docs.h: documents with
 * their bytes in documents.content (BYTEA; one INSERT writes row and bytes,
 * in the caller's transaction), read with or without the bytes, listed per
 * case or, for documents of no case, per kind; and which case table holds
 * an id. The statements are those of sq_docs.c in PostgreSQL's dialect.
 *
 * Documents are never changed, so nothing here reads and then writes:
 * of two servers inserting the same id at once, the second waits for the
 * first's transaction on the primary key, then does nothing
 * (ON CONFLICT DO NOTHING) and answers STORE_NO_RESULTS, as in SQLite.
 */
#include <string.h>

#include "store/postgres/pg_int.h"

enum {
    PG_DOCUMENT_INSERT = PG_STMT_BASE_DOCS,
    PG_DOCUMENT_GET,
    PG_DOCUMENT_GET_CONTENT,
    PG_DOCUMENT_LIST,
    PG_DOCUMENT_LIST_CASELESS,
    PG_CASE_KIND_OF,
    PG_DOCS__END
};

_Static_assert((int)PG_DOCS__END <= (int)PG_STMT_BASE_SIGN,
               "the docs statements overrun the next group's base");

#define DOCUMENT_COLS                                                \
    "id, version, created_at, updated_at, case_kind, case_id, kind," \
    " filename, content_type, sha256, size, uploaded_by, item_ids"

/* Fill `d` (zeroed) from row `row` of DOCUMENT_COLS, plus the content in
 * the next column when `with_content`. */
static void
read_document(const PGresult *r,
              int row,
              bool with_content,
              struct store_document *d)
{
    struct pg_cols c = {r, row, 0};
    struct store_blob hash;

    memset(d, 0, sizeof *d);
    pg_col_id(&c, d->id, sizeof d->id);
    d->version = pg_col_int(&c);
    d->created_at = pg_col_int(&c);
    d->updated_at = pg_col_int(&c);
    d->case_kind = pg_col_text(&c);
    pg_col_id(&c, d->case_id, sizeof d->case_id);
    d->kind = pg_col_text(&c);
    d->filename = pg_col_text(&c);
    d->content_type = pg_col_text(&c);
    hash = pg_col_blob(&c);
    if (hash.data && hash.len == STORE_SHA256_SIZE)
        memcpy(d->sha256, hash.data, STORE_SHA256_SIZE);
    store_blob_release(&hash);
    d->size = pg_col_int(&c);
    pg_col_id(&c, d->uploaded_by, sizeof d->uploaded_by);
    d->item_ids = pg_col_text(&c);
    /* An empty file reads back as a zero-length blob ("\x"), never NULL
     * data, as SQLite's empty blob does. */
    if (with_content)
        d->content = pg_col_blob(&c);
}

static void
read_document_meta(const PGresult *r, int row, void *ctx)
{
    read_document(r, row, false, ctx);
}

static void
read_document_full(const PGresult *r, int row, void *ctx)
{
    read_document(r, row, true, ctx);
}

static enum store_rc
pg_document_insert(struct store *s, const struct store_document *d)
{
    static const unsigned char empty[1] = {0};
    struct pg_params p = {0};

    pg_bind_id(&p, d->id);
    pg_bind_int(&p, d->created_at);
    pg_bind_int(&p, d->updated_at ? d->updated_at : d->created_at);
    pg_bind_text(&p, d->case_kind);
    pg_bind_id(&p, d->case_id);
    pg_bind_text(&p, d->kind);
    pg_bind_text(&p, d->filename);
    pg_bind_text(&p, d->content_type);
    pg_bind_bytes(&p, d->sha256, STORE_SHA256_SIZE);
    pg_bind_int(&p, d->size);
    pg_bind_id(&p, d->uploaded_by);
    pg_bind_text(&p, d->item_ids);
    /* An empty file is still a file: zero bytes, never NULL (libpq sends
     * a NULL pointer as SQL NULL, whatever the length). */
    pg_bind_bytes(&p, d->content.data ? d->content.data : empty,
                  d->content.len);
    return pg_run_write(pg_to_pg(s), PG_DOCUMENT_INSERT,
                        "INSERT INTO documents (" DOCUMENT_COLS ", content)"
                        " VALUES ($1, 1, $2, $3, $4, $5, $6, $7, $8, $9, $10,"
                        " $11, $12, $13)"
                        " ON CONFLICT DO NOTHING",
                        &p, "document_insert");
}

static enum store_rc
pg_document_get(struct store *s,
                const char *id,
                bool with_content,
                struct store_document *out)
{
    struct pg_params p = {0};
    struct store_document d;
    enum store_rc rc;

    pg_bind_text(&p, id);
    if (with_content)
        rc = pg_run_read(pg_to_pg(s), PG_DOCUMENT_GET_CONTENT,
                         "SELECT " DOCUMENT_COLS ", content"
                         " FROM documents WHERE id = $1",
                         &p, "document_get", read_document_full, &d);
    else
        rc =
            pg_run_read(pg_to_pg(s), PG_DOCUMENT_GET,
                        "SELECT " DOCUMENT_COLS " FROM documents WHERE id = $1",
                        &p, "document_get", read_document_meta, &d);
    if (rc == STORE_ONE_RESULT)
        *out = d;
    return rc;
}

struct document_list {
    store_document_cb cb;
    void *cls;
};

static void
document_row(const PGresult *r, int row, void *ctx)
{
    struct document_list *l = ctx;
    struct store_document d;

    read_document(r, row, false, &d);
    l->cb(l->cls, &d);
    store_document_release(&d);
}

static int
pg_document_list(struct store *s,
                 const char *case_kind,
                 const char *case_id,
                 const char *kind,
                 store_document_cb cb,
                 void *cls)
{
    struct pg_params p = {0};
    struct document_list l = {cb, cls};

    /* `$n::text IS NULL`: the optional kind filter; the cast gives the
     * parameter its type before `kind = $n` uses it. ORDER BY on TEXT ids
     * is byte order (the cluster's C collation), as in SQLite. */
    if (case_kind) {
        pg_bind_text(&p, case_kind);
        pg_bind_text(&p, case_id);
        pg_bind_text(&p, kind);
        return pg_run_list(pg_to_pg(s), PG_DOCUMENT_LIST,
                           "SELECT " DOCUMENT_COLS " FROM documents"
                           " WHERE case_kind = $1 AND case_id = $2"
                           " AND ($3::text IS NULL OR kind = $3)"
                           " ORDER BY created_at, id",
                           &p, "document_list", document_row, &l);
    }
    pg_bind_text(&p, kind);
    return pg_run_list(pg_to_pg(s), PG_DOCUMENT_LIST_CASELESS,
                       "SELECT " DOCUMENT_COLS " FROM documents"
                       " WHERE case_id IS NULL"
                       " AND ($1::text IS NULL OR kind = $1)"
                       " ORDER BY created_at, id",
                       &p, "document_list", document_row, &l);
}

static void
read_kind_index(const PGresult *r, int row, void *ctx)
{
    struct pg_cols c = {r, row, 0};

    *(int64_t *)ctx = pg_col_int(&c);
}

static enum store_rc
pg_case_kind_of(struct store *s, const char *id, const char **out)
{
    static const char *const kinds[] = {"detainer", "subpoena", "enforcement"};
    struct pg_params p = {0};
    int64_t k = -1;
    enum store_rc rc;

    pg_bind_text(&p, id);
    rc = pg_run_read(pg_to_pg(s), PG_CASE_KIND_OF,
                     "SELECT 0 FROM detainers WHERE id = $1"
                     " UNION ALL SELECT 1 FROM subpoenas WHERE id = $1"
                     " UNION ALL SELECT 2 FROM enforcements WHERE id = $1"
                     " LIMIT 1",
                     &p, "case_kind_of", read_kind_index, &k);
    if (rc == STORE_ONE_RESULT) {
        if (k < 0 || k > 2)
            return STORE_HARD_ERROR;
        *out = kinds[k];
    }
    return rc;
}

const struct store_docs_ops pg_docs_ops = {
    .document_insert = pg_document_insert,
    .document_get = pg_document_get,
    .document_list = pg_document_list,
    .case_kind_of = pg_case_kind_of,
};
