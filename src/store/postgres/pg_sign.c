/*
 * pg_sign.c: the PostgreSQL implementation of store_sign.h: office signing
 * keys and subpoena signatures, with the statements of sq_sign.c in
 * PostgreSQL's dialect.
 *
 * Uniqueness (one key in use per office, one signature per subpoena,
 * unique codes) is the schema's (0001-init.sql: signing_keys' primary key
 * and partial unique index signing_keys_current, subpoena_signatures'
 * primary key and UNIQUE code), and every insert says ON CONFLICT DO
 * NOTHING without a target, which covers all of them: an insert that
 * would break one does nothing and answers STORE_NO_RESULTS, without an
 * error that would abort the caller's transaction. Of two servers making
 * an office's first key (or signing one subpoena, or drawing one code) at
 * once, the second's insert waits on the unique index for the first's
 * transaction: if it commits, the second does nothing (STORE_NO_RESULTS;
 * it reads the winner with store_signing_key_get_current); if it rolls
 * back, the second goes in. Keys and signatures are never edited (the
 * schema's triggers refuse it), so nothing here reads and then writes.
 */
#include <string.h>

#include "store/postgres/pg_int.h"

enum {
    PG_SIGNING_KEY_INSERT = PG_STMT_BASE_SIGN,
    PG_SIGNING_KEY_GET_CURRENT,
    PG_SIGNING_KEY_GET,
    PG_SIGNATURE_INSERT,
    PG_SIGNATURE_GET_BY_CODE,
    PG_SIGNATURE_GET_BY_SUBPOENA,
    PG_SIGN__END
};

_Static_assert((int)PG_SIGN__END <= (int)PG_STMT_BASE_REPORTS,
               "the sign statements overrun the next group's base");

#define KEY_COLS \
    "key_id, org_id, created_at, public_key, sealed_secret, retired_at"

#define SIGNATURE_COLS                                               \
    "subpoena_id, code, key_id, content, content_sha256, signature," \
    " signed_at"

static void
read_key(const PGresult *r, int row, void *ctx)
{
    struct pg_cols c = {r, row, 0};
    struct store_signing_key *k = ctx;

    memset(k, 0, sizeof *k);
    pg_col_id(&c, k->key_id, sizeof k->key_id);
    pg_col_id(&c, k->org_id, sizeof k->org_id);
    k->created_at = pg_col_int(&c);
    pg_col_hash(&c, k->public_key);
    k->sealed_secret = pg_col_blob(&c);
    k->retired_at = pg_col_int(&c);
}

static void
read_signature(const PGresult *r, int row, void *ctx)
{
    struct pg_cols c = {r, row, 0};
    struct store_signature *sig = ctx;
    struct store_blob b;

    memset(sig, 0, sizeof *sig);
    pg_col_id(&c, sig->subpoena_id, sizeof sig->subpoena_id);
    pg_col_id(&c, sig->code, sizeof sig->code);
    pg_col_id(&c, sig->key_id, sizeof sig->key_id);
    sig->content = pg_col_text(&c);
    pg_col_hash(&c, sig->content_sha256);
    b = pg_col_blob(&c);
    if (b.data && b.len == sizeof sig->signature)
        memcpy(sig->signature, b.data, b.len);
    store_blob_release(&b);
    sig->signed_at = pg_col_int(&c);
}

static enum store_rc
pg_key_insert(struct store *s, const struct store_signing_key *k)
{
    struct pg_params p = {0};

    pg_bind_text(&p, k->key_id);
    pg_bind_id(&p, k->org_id);
    pg_bind_int(&p, k->created_at);
    pg_bind_bytes(&p, k->public_key, sizeof k->public_key);
    pg_bind_blob(&p, &k->sealed_secret);
    return pg_run_write(pg_to_pg(s), PG_SIGNING_KEY_INSERT,
                        "INSERT INTO signing_keys (" KEY_COLS ")"
                        " VALUES ($1, $2, $3, $4, $5, NULL)"
                        " ON CONFLICT DO NOTHING",
                        &p, "signing_key_insert");
}

static enum store_rc
pg_key_get_current(struct store *s,
                   const char *org_id,
                   struct store_signing_key *out)
{
    struct pg_params p = {0};
    struct store_signing_key k;
    enum store_rc rc;

    pg_bind_text(&p, org_id);
    rc = pg_run_read(pg_to_pg(s), PG_SIGNING_KEY_GET_CURRENT,
                     "SELECT " KEY_COLS " FROM signing_keys"
                     " WHERE org_id = $1 AND retired_at IS NULL",
                     &p, "signing_key_get_current", read_key, &k);
    if (rc == STORE_ONE_RESULT)
        *out = k;
    return rc;
}

static enum store_rc
pg_key_get(struct store *s, const char *key_id, struct store_signing_key *out)
{
    struct pg_params p = {0};
    struct store_signing_key k;
    enum store_rc rc;

    pg_bind_text(&p, key_id);
    rc = pg_run_read(pg_to_pg(s), PG_SIGNING_KEY_GET,
                     "SELECT " KEY_COLS " FROM signing_keys WHERE key_id = $1",
                     &p, "signing_key_get", read_key, &k);
    if (rc == STORE_ONE_RESULT)
        *out = k;
    return rc;
}

static enum store_rc
pg_signature_insert(struct store *s, const struct store_signature *sig)
{
    struct pg_params p = {0};

    pg_bind_id(&p, sig->subpoena_id);
    pg_bind_text(&p, sig->code);
    pg_bind_text(&p, sig->key_id);
    pg_bind_text(&p, sig->content);
    pg_bind_bytes(&p, sig->content_sha256, sizeof sig->content_sha256);
    pg_bind_bytes(&p, sig->signature, sizeof sig->signature);
    pg_bind_int(&p, sig->signed_at);
    return pg_run_write(pg_to_pg(s), PG_SIGNATURE_INSERT,
                        "INSERT INTO subpoena_signatures (" SIGNATURE_COLS ")"
                        " VALUES ($1, $2, $3, $4, $5, $6, $7)"
                        " ON CONFLICT DO NOTHING",
                        &p, "signature_insert");
}

static enum store_rc
pg_signature_get_by_code(struct store *s,
                         const char *code,
                         struct store_signature *out)
{
    struct pg_params p = {0};
    struct store_signature sig;
    enum store_rc rc;

    pg_bind_text(&p, code);
    rc = pg_run_read(pg_to_pg(s), PG_SIGNATURE_GET_BY_CODE,
                     "SELECT " SIGNATURE_COLS " FROM subpoena_signatures"
                     " WHERE code = $1",
                     &p, "signature_get_by_code", read_signature, &sig);
    if (rc == STORE_ONE_RESULT)
        *out = sig;
    return rc;
}

static enum store_rc
pg_signature_get_by_subpoena(struct store *s,
                             const char *subpoena_id,
                             struct store_signature *out)
{
    struct pg_params p = {0};
    struct store_signature sig;
    enum store_rc rc;

    pg_bind_text(&p, subpoena_id);
    rc = pg_run_read(pg_to_pg(s), PG_SIGNATURE_GET_BY_SUBPOENA,
                     "SELECT " SIGNATURE_COLS " FROM subpoena_signatures"
                     " WHERE subpoena_id = $1",
                     &p, "signature_get_by_subpoena", read_signature, &sig);
    if (rc == STORE_ONE_RESULT)
        *out = sig;
    return rc;
}

const struct store_sign_ops pg_sign_ops = {
    .key_insert = pg_key_insert,
    .key_get_current = pg_key_get_current,
    .key_get = pg_key_get,
    .signature_insert = pg_signature_insert,
    .signature_get_by_code = pg_signature_get_by_code,
    .signature_get_by_subpoena = pg_signature_get_by_subpoena,
};
