/*
 * sq_docs.c: the SQLite implementation of store_docs.h: documents with
 * their bytes in documents.content (one INSERT writes row and bytes, in
 * the caller's transaction), read with or without the bytes, listed per
 * case or, for documents of no case, per kind; and which case table holds
 * an id.
 */
#include <string.h>

#include "core/alloc.h"
#include "store/sqlite/sqlite_int.h"

#define DOCUMENT_COLS                                                \
    "id, version, created_at, updated_at, case_kind, case_id, kind," \
    " filename, content_type, sha256, size, uploaded_by, item_ids"

/* Fill `d` (zeroed) from a row of DOCUMENT_COLS, plus the content in the
 * next column when `with_content`. */
static void
read_document(sqlite3_stmt *st, bool with_content, struct store_document *d)
{
    struct sq_cols c = {st, 0};
    struct store_blob hash;

    memset(d, 0, sizeof *d);
    sq_col_id(&c, d->id, sizeof d->id);
    d->version = sq_col_int(&c);
    d->created_at = sq_col_int(&c);
    d->updated_at = sq_col_int(&c);
    d->case_kind = sq_col_text(&c);
    sq_col_id(&c, d->case_id, sizeof d->case_id);
    d->kind = sq_col_text(&c);
    d->filename = sq_col_text(&c);
    d->content_type = sq_col_text(&c);
    hash = sq_col_blob(&c);
    if (hash.data && hash.len == STORE_SHA256_SIZE)
        memcpy(d->sha256, hash.data, STORE_SHA256_SIZE);
    store_blob_release(&hash);
    d->size = sq_col_int(&c);
    sq_col_id(&c, d->uploaded_by, sizeof d->uploaded_by);
    d->item_ids = sq_col_text(&c);
    if (with_content)
        d->content = sq_col_blob(&c);
}

static enum store_rc
sq_document_insert(struct store *s, const struct store_document *d)
{
    static const unsigned char empty[1] = {0};
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_DOCUMENT_INSERT,
                    "INSERT INTO documents (" DOCUMENT_COLS ", content)"
                    " VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT DO NOTHING"),
        0, SQLITE_OK};

    sq_bind_id(&b, d->id);
    sq_bind_int(&b, d->created_at);
    sq_bind_int(&b, d->updated_at ? d->updated_at : d->created_at);
    sq_bind_text(&b, d->case_kind);
    sq_bind_id(&b, d->case_id);
    sq_bind_text(&b, d->kind);
    sq_bind_text(&b, d->filename);
    sq_bind_text(&b, d->content_type);
    sq_bind_bytes(&b, d->sha256, STORE_SHA256_SIZE);
    sq_bind_int(&b, d->size);
    sq_bind_id(&b, d->uploaded_by);
    sq_bind_text(&b, d->item_ids);
    /* An empty file is still a file: a zero-length blob, never NULL. */
    sq_bind_bytes(&b, d->content.data ? d->content.data : empty,
                  d->content.len);
    return sq_run_write(ss, &b, "document_insert");
}

static enum store_rc
sq_document_get(struct store *s,
                const char *id,
                bool with_content,
                struct store_document *out)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {with_content
                              ? sq_stmt_get(ss, STMT_ID_DOCUMENT_GET_CONTENT,
                                            "SELECT " DOCUMENT_COLS ", content"
                                            " FROM documents WHERE id = ?")
                              : sq_stmt_get(ss, STMT_ID_DOCUMENT_GET,
                                            "SELECT " DOCUMENT_COLS
                                            " FROM documents WHERE id = ?"),
                          0, SQLITE_OK};
    enum store_rc rc;

    sq_bind_text(&b, id);
    rc = sq_run_read(ss, &b, "document_get");
    if (rc == STORE_ONE_RESULT) {
        struct store_document d;

        read_document(b.st, with_content, &d);
        sq_stmt_done(b.st);
        *out = d;
    }
    return rc;
}

struct document_list {
    store_document_cb cb;
    void *cls;
};

static void
document_row(sqlite3_stmt *st, void *ctx)
{
    struct document_list *l = ctx;
    struct store_document d;

    read_document(st, false, &d);
    l->cb(l->cls, &d);
    store_document_release(&d);
}

static int
sq_document_list(struct store *s,
                 const char *case_kind,
                 const char *case_id,
                 const char *kind,
                 store_document_cb cb,
                 void *cls)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct document_list l = {cb, cls};
    struct sq_binder b;

    if (case_kind) {
        b = (struct sq_binder){
            sq_stmt_get(ss, STMT_ID_DOCUMENT_LIST,
                        "SELECT " DOCUMENT_COLS " FROM documents"
                        " WHERE case_kind = ?1 AND case_id = ?2"
                        " AND (?3 IS NULL OR kind = ?3)"
                        " ORDER BY created_at, id"),
            0, SQLITE_OK};
        sq_bind_text(&b, case_kind);
        sq_bind_text(&b, case_id);
    } else {
        b = (struct sq_binder){sq_stmt_get(ss, STMT_ID_DOCUMENT_LIST_CASELESS,
                                           "SELECT " DOCUMENT_COLS
                                           " FROM documents"
                                           " WHERE case_id IS NULL"
                                           " AND (?1 IS NULL OR kind = ?1)"
                                           " ORDER BY created_at, id"),
                               0, SQLITE_OK};
    }
    if (b.st == NULL)
        return STORE_HARD_ERROR;
    sq_bind_text(&b, kind);
    return sq_run_list(ss, &b, "document_list", document_row, &l);
}

static enum store_rc
sq_case_kind_of(struct store *s, const char *id, const char **out)
{
    static const char *const kinds[] = {"detainer", "subpoena", "enforcement"};
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_CASE_KIND_OF,
                    "SELECT 0 FROM detainers WHERE id = ?1"
                    " UNION ALL SELECT 1 FROM subpoenas WHERE id = ?1"
                    " UNION ALL SELECT 2 FROM enforcements WHERE id = ?1"
                    " LIMIT 1"),
        0, SQLITE_OK};
    enum store_rc rc;

    sq_bind_text(&b, id);
    rc = sq_run_read(ss, &b, "case_kind_of");
    if (rc == STORE_ONE_RESULT) {
        struct sq_cols c = {b.st, 0};
        int64_t k = sq_col_int(&c);

        sq_stmt_done(b.st);
        if (k < 0 || k > 2)
            return STORE_HARD_ERROR;
        *out = kinds[k];
    }
    return rc;
}

const struct store_docs_ops sq_docs_ops = {
    .document_insert = sq_document_insert,
    .document_get = sq_document_get,
    .document_list = sq_document_list,
    .case_kind_of = sq_case_kind_of,
};
