/*
 * sq_sign.c: the SQLite implementation of store_sign.h: office signing
 * keys and subpoena signatures. Uniqueness (one key in use per office, one
 * signature per subpoena, unique codes) is the schema's (0005-signing.sql):
 * an insert that would break it does nothing (ON CONFLICT DO NOTHING) and
 * answers STORE_NO_RESULTS.
 */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "store/sqlite/sqlite_int.h"

#define KEY_COLS \
    "key_id, org_id, created_at, public_key, sealed_secret, retired_at"

#define SIGNATURE_COLS                                               \
    "subpoena_id, code, key_id, content, content_sha256, signature," \
    " signed_at"

static void
read_key(sqlite3_stmt *st, struct store_signing_key *k)
{
    struct sq_cols c = {st, 0};
    char *key_id;

    memset(k, 0, sizeof *k);
    key_id = sq_col_text(&c);
    (void)snprintf(k->key_id, sizeof k->key_id, "%s", key_id ? key_id : "");
    cm_free(key_id);
    sq_col_id(&c, k->org_id, sizeof k->org_id);
    k->created_at = sq_col_int(&c);
    sq_col_hash(&c, k->public_key);
    k->sealed_secret = sq_col_blob(&c);
    k->retired_at = sq_col_int(&c);
}

static void
read_signature(sqlite3_stmt *st, struct store_signature *sig)
{
    struct sq_cols c = {st, 0};
    struct store_blob b;
    char *text;

    memset(sig, 0, sizeof *sig);
    sq_col_id(&c, sig->subpoena_id, sizeof sig->subpoena_id);
    text = sq_col_text(&c);
    (void)snprintf(sig->code, sizeof sig->code, "%s", text ? text : "");
    cm_free(text);
    text = sq_col_text(&c);
    (void)snprintf(sig->key_id, sizeof sig->key_id, "%s", text ? text : "");
    cm_free(text);
    sig->content = sq_col_text(&c);
    sq_col_hash(&c, sig->content_sha256);
    b = sq_col_blob(&c);
    if (b.data && b.len == sizeof sig->signature)
        memcpy(sig->signature, b.data, b.len);
    cm_free(b.data);
    sig->signed_at = sq_col_int(&c);
}

static enum store_rc
sq_key_insert(struct store *s, const struct store_signing_key *k)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {sq_stmt_get(ss, STMT_ID_SIGNING_KEY_INSERT,
                                      "INSERT INTO signing_keys (" KEY_COLS ")"
                                      " VALUES (?, ?, ?, ?, ?, NULL)"
                                      " ON CONFLICT DO NOTHING"),
                          0, SQLITE_OK};

    sq_bind_text(&b, k->key_id);
    sq_bind_id(&b, k->org_id);
    sq_bind_int(&b, k->created_at);
    sq_bind_bytes(&b, k->public_key, sizeof k->public_key);
    sq_bind_blob(&b, &k->sealed_secret);
    return sq_run_write(ss, &b, "signing_key_insert");
}

static enum store_rc
key_read_one(struct sqlite_store *ss,
             struct sq_binder *b,
             const char *what,
             struct store_signing_key *out)
{
    enum store_rc rc = sq_run_read(ss, b, what);

    if (rc == STORE_ONE_RESULT) {
        read_key(b->st, out);
        sq_stmt_done(b->st);
    }
    return rc;
}

static enum store_rc
sq_key_get_current(struct store *s,
                   const char *org_id,
                   struct store_signing_key *out)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {sq_stmt_get(ss, STMT_ID_SIGNING_KEY_GET_CURRENT,
                                      "SELECT " KEY_COLS " FROM signing_keys"
                                      " WHERE org_id = ?"
                                      " AND retired_at IS NULL"),
                          0, SQLITE_OK};

    sq_bind_text(&b, org_id);
    return key_read_one(ss, &b, "signing_key_get_current", out);
}

static enum store_rc
sq_key_get(struct store *s, const char *key_id, struct store_signing_key *out)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {sq_stmt_get(ss, STMT_ID_SIGNING_KEY_GET,
                                      "SELECT " KEY_COLS " FROM signing_keys"
                                      " WHERE key_id = ?"),
                          0, SQLITE_OK};

    sq_bind_text(&b, key_id);
    return key_read_one(ss, &b, "signing_key_get", out);
}

static enum store_rc
sq_signature_insert(struct store *s, const struct store_signature *sig)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {
        sq_stmt_get(ss, STMT_ID_SIGNATURE_INSERT,
                    "INSERT INTO subpoena_signatures (" SIGNATURE_COLS ")"
                    " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"),
        0, SQLITE_OK};

    sq_bind_id(&b, sig->subpoena_id);
    sq_bind_text(&b, sig->code);
    sq_bind_text(&b, sig->key_id);
    sq_bind_text(&b, sig->content);
    sq_bind_bytes(&b, sig->content_sha256, sizeof sig->content_sha256);
    sq_bind_bytes(&b, sig->signature, sizeof sig->signature);
    sq_bind_int(&b, sig->signed_at);
    return sq_run_write(ss, &b, "signature_insert");
}

static enum store_rc
signature_read_one(struct sqlite_store *ss,
                   struct sq_binder *b,
                   const char *what,
                   struct store_signature *out)
{
    enum store_rc rc = sq_run_read(ss, b, what);

    if (rc == STORE_ONE_RESULT) {
        read_signature(b->st, out);
        sq_stmt_done(b->st);
    }
    return rc;
}

static enum store_rc
sq_signature_get_by_code(struct store *s,
                         const char *code,
                         struct store_signature *out)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {sq_stmt_get(ss, STMT_ID_SIGNATURE_GET_BY_CODE,
                                      "SELECT " SIGNATURE_COLS
                                      " FROM subpoena_signatures"
                                      " WHERE code = ?"),
                          0, SQLITE_OK};

    sq_bind_text(&b, code);
    return signature_read_one(ss, &b, "signature_get_by_code", out);
}

static enum store_rc
sq_signature_get_by_subpoena(struct store *s,
                             const char *subpoena_id,
                             struct store_signature *out)
{
    struct sqlite_store *ss = sq_to_sqlite(s);
    struct sq_binder b = {sq_stmt_get(ss, STMT_ID_SIGNATURE_GET_BY_SUBPOENA,
                                      "SELECT " SIGNATURE_COLS
                                      " FROM subpoena_signatures"
                                      " WHERE subpoena_id = ?"),
                          0, SQLITE_OK};

    sq_bind_text(&b, subpoena_id);
    return signature_read_one(ss, &b, "signature_get_by_subpoena", out);
}

const struct store_sign_ops sq_sign_ops = {
    .key_insert = sq_key_insert,
    .key_get_current = sq_key_get_current,
    .key_get = sq_key_get,
    .signature_insert = sq_signature_insert,
    .signature_get_by_code = sq_signature_get_by_code,
    .signature_get_by_subpoena = sq_signature_get_by_subpoena,
};
