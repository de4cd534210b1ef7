/*
 * audit.c: the audit trail over the store: append an entry chained to the
 * head inside the caller's transaction, verify the whole chain in pages
 * (optionally against a signed checkpoint), and sign checkpoints of the
 * head. The hashing itself is audit/chain.c; the signing is
 * audit/checkpoint.c; this file ties them to the rows of the store.
 */
#include "audit/audit.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "core/log.h"
#include "core/rand.h"

_Static_assert(STORE_HASH_SIZE == AUDIT_HASH_BYTES,
               "the store keeps audit hashes of the chain's size");

const char *
audit_verify_failure_name(enum audit_verify_failure f)
{
    switch (f) {
    case AUDIT_VERIFY_FAILURE_NONE:
        return "ok";
    case AUDIT_VERIFY_FAILURE_HASH_MISMATCH:
        return "hash_mismatch";
    case AUDIT_VERIFY_FAILURE_GAP:
        return "gap";
    case AUDIT_VERIFY_FAILURE_TRUNCATED:
        return "truncated";
    case AUDIT_VERIFY_FAILURE_CHECKPOINT_MISMATCH:
        return "checkpoint_mismatch";
    case AUDIT_VERIFY_FAILURE_ORIGIN_MISMATCH:
        return "origin_mismatch";
    case AUDIT_VERIFY_FAILURE_CHECKPOINT_PURGED:
        return "checkpoint_purged";
    case AUDIT_VERIFY_FAILURE_HORIZON_UNAUDITED:
        return "horizon_unaudited";
    }
    return "unknown";
}

/* ---- appending ---------------------------------------------------------*/

enum store_rc
audit_append(struct store *s, struct audit_entry *e, int64_t *seq_out)
{
    struct audit_entry c = *e;
    struct store_audit a = {0};
    int64_t head = 0, seq = 0;
    enum store_rc rc;

    if (c.action == NULL || c.outcome == NULL)
        return STORE_HARD_ERROR;
    rc = store_audit_head(s, &head, a.prev_hash);
    if (rc < 0)
        return rc;
    if (rc == STORE_NO_RESULTS) {
        head = 0;
        memset(a.prev_hash, 0, sizeof a.prev_hash);
    }
    if (head < 0 || head == INT64_MAX)
        return STORE_HARD_ERROR;
    c.seq = head + 1;
    if (audit_chain_hash(a.prev_hash, &c, a.hash) != CM_ERR_OK)
        return STORE_HARD_ERROR;
    /* The store row borrows the entry's strings; it never writes them. */
    a.at = c.at_us;
    a.actor_id = (char *)c.actor_id;
    a.org_id = (char *)c.org_id;
    a.role = (char *)c.role;
    a.session_hash = (char *)c.session_hash;
    a.client_addr = (char *)c.client_addr;
    a.action = (char *)c.action;
    a.object_kind = (char *)c.object_kind;
    a.object_id = (char *)c.object_id;
    a.outcome = (char *)c.outcome;
    a.detail = (char *)c.detail;
    rc = store_audit_append(s, &a, &seq);
    if (rc < 0)
        return rc;
    if (rc != STORE_ONE_RESULT || seq != c.seq) {
        LOG_ERROR("audit_append: the store numbered entry %lld as %lld",
                  (long long)c.seq, (long long)seq);
        return STORE_HARD_ERROR;
    }
    e->seq = seq;
    if (seq_out)
        *seq_out = seq;
    return STORE_ONE_RESULT;
}

/* ---- verifying ---------------------------------------------------------*/

/* The state of a walk along the chain, carried from row to row. */
struct walk {
    const struct checkpoint *cp;          /* or NULL */
    int64_t next_seq;                     /* the seq the next row must have */
    unsigned char prev[AUDIT_HASH_BYTES]; /* hash of entry next_seq - 1 */
    int64_t checked;
    /* "horizon=SEQ:HEX", the token a purge entry names the horizon by;
     * "" without a horizon. */
    char horizon_token[96];
    bool is_horizon_named;
    bool failed;
    int64_t bad_seq;
    enum audit_verify_failure reason;
};

static void
walk_fail(struct walk *w, int64_t seq, enum audit_verify_failure reason)
{
    w->failed = true;
    w->bad_seq = seq;
    w->reason = reason;
}

/* The row as the chain encodes it (borrowing its strings). */
static struct audit_entry
entry_of_row(const struct store_audit *a)
{
    struct audit_entry e = {
        .seq = a->seq,
        .at_us = a->at,
        .actor_id = a->actor_id,
        .org_id = a->org_id,
        .role = a->role,
        .session_hash = a->session_hash,
        .client_addr = a->client_addr,
        .action = a->action,
        .object_kind = a->object_kind,
        .object_id = a->object_id,
        .outcome = a->outcome,
        .detail = a->detail,
    };

    return e;
}

/* Whether `detail` holds `token` as a whole space-separated word. */
static bool
detail_names(const char *detail, const char *token)
{
    size_t n = strlen(token);

    for (const char *p = strstr(detail, token); p; p = strstr(p + 1, token))
        if ((p == detail || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
            return true;
    return false;
}

/* Check one row; called by store_audit_range in seq order. */
static void
walk_row(void *cls, const struct store_audit *a)
{
    struct walk *w = cls;
    struct audit_entry e;
    unsigned char h[AUDIT_HASH_BYTES];

    if (w->failed)
        return;
    if (a->seq != w->next_seq) {
        /* Rows come in seq order, so a larger seq means next_seq and
         * perhaps more are missing. */
        walk_fail(w, w->next_seq, AUDIT_VERIFY_FAILURE_GAP);
        return;
    }
    e = entry_of_row(a);
    /* A row that cannot be encoded cannot be one audit_append wrote. */
    if (audit_chain_hash(w->prev, &e, h) != CM_ERR_OK ||
        memcmp(h, a->hash, sizeof h) != 0 ||
        memcmp(w->prev, a->prev_hash, sizeof w->prev) != 0) {
        walk_fail(w, a->seq, AUDIT_VERIFY_FAILURE_HASH_MISMATCH);
        return;
    }
    if (w->cp && a->seq == w->cp->size &&
        memcmp(h, w->cp->head, sizeof h) != 0) {
        walk_fail(w, a->seq, AUDIT_VERIFY_FAILURE_CHECKPOINT_MISMATCH);
        return;
    }
    if (w->horizon_token[0] && !w->is_horizon_named && a->action &&
        strcmp(a->action, "retention.purge") == 0 && a->detail &&
        detail_names(a->detail, w->horizon_token))
        w->is_horizon_named = true;
    memcpy(w->prev, h, sizeof w->prev);
    w->next_seq++;
    w->checked++;
}

/* Whether the checkpoint names this database: its origin is the instance
 * id kept in meta. *matches is written on CM_ERR_OK. */
static enum cm_err
check_origin(struct store *s, const struct checkpoint *cp, bool *matches)
{
    char *id = NULL;
    enum store_rc rc = store_meta_get(s, AUDIT_META_INSTANCE_ID, &id);

    if (rc < 0)
        return CM_ERR_STORE_FAILURE;
    *matches = rc == STORE_ONE_RESULT && strcmp(id, cp->origin) == 0;
    cm_free(id);
    return CM_ERR_OK;
}

/* Start the walk after the audit horizon, when the purge left one: its
 * seq and hash stand for the entries removed. */
static enum store_rc
start_after_horizon(struct store *s, struct walk *w)
{
    unsigned char hash[AUDIT_HASH_BYTES];
    int64_t seq = 0;
    enum store_rc rc = store_audit_horizon(s, &seq, hash);
    size_t n;

    if (rc != STORE_ONE_RESULT)
        return rc;
    if (seq < 1 || seq == INT64_MAX)
        return STORE_HARD_ERROR;
    w->next_seq = seq + 1;
    memcpy(w->prev, hash, sizeof w->prev);
    n = (size_t)snprintf(w->horizon_token, sizeof w->horizon_token,
                         "horizon=%lld:", (long long)seq);
    for (size_t i = 0; i < sizeof hash && n + 2 < sizeof w->horizon_token;
         i++, n += 2)
        (void)snprintf(w->horizon_token + n, 3, "%02x", hash[i]);
    return STORE_ONE_RESULT;
}

/* One pass of audit_verify; *soft set when the store failed softly (a
 * lost connection, a busy database): worth another pass. */
static enum cm_err
verify_once(struct store *s,
            const unsigned char *pk,
            const struct checkpoint *cp,
            struct audit_verify_result *out,
            bool *soft)
{
    struct audit_verify_result r = {0};
    struct walk w = {.cp = cp, .next_seq = 1};
    unsigned char head_hash[AUDIT_HASH_BYTES];
    int64_t head = 0, from, to;
    bool matches = false;
    enum store_rc rc = STORE_ONE_RESULT;
    enum cm_err err = CM_ERR_USAGE;

    if (cp && pk == NULL)
        goto out;
    if (cp) {
        checkpoint_fingerprint(pk, r.key_fingerprint);
        err = check_origin(s, cp, &matches);
        if (err != CM_ERR_OK)
            goto out;
        if (!matches) {
            walk_fail(&w, 0, AUDIT_VERIFY_FAILURE_ORIGIN_MISMATCH);
            goto out_result;
        }
    }
    err = CM_ERR_STORE_FAILURE;
    rc = store_audit_head(s, &head, head_hash);
    if (rc < 0)
        goto out;
    if (rc == STORE_NO_RESULTS)
        head = 0;
    rc = start_after_horizon(s, &w);
    if (rc < 0)
        goto out;
    r.horizon_seq = w.next_seq - 1;
    if (!w.failed && cp && w.next_seq > 1 && cp->size < w.next_seq - 1)
        walk_fail(&w, cp->size, AUDIT_VERIFY_FAILURE_CHECKPOINT_PURGED);
    else if (!w.failed && cp && w.next_seq > 1 && cp->size == w.next_seq - 1 &&
             memcmp(w.prev, cp->head, sizeof w.prev) != 0)
        walk_fail(&w, cp->size, AUDIT_VERIFY_FAILURE_CHECKPOINT_MISMATCH);
    /* Pages [from, to] up to the head read above; later appends are for
     * the next verification. */
    for (from = w.next_seq; from <= head && !w.failed; from = to + 1) {
        to = head - from >= AUDIT_VERIFY_PAGE - 1 ? from + AUDIT_VERIFY_PAGE - 1
                                                  : head;
        int n = store_audit_range(s, from, to, walk_row, &w);

        if (n < 0) {
            rc = (enum store_rc)n;
            goto out;
        }
        /* The head row exists, so a page that stops short of `to` lacks
         * the entries after the last one it held. */
        if (!w.failed && w.next_seq - 1 != to)
            walk_fail(&w, w.next_seq, AUDIT_VERIFY_FAILURE_GAP);
        if (to == head)
            break;
    }
    if (!w.failed && cp && head < cp->size)
        walk_fail(&w, head + 1, AUDIT_VERIFY_FAILURE_TRUNCATED);
    if (!w.failed && w.horizon_token[0] && !w.is_horizon_named)
        walk_fail(&w, r.horizon_seq, AUDIT_VERIFY_FAILURE_HORIZON_UNAUDITED);
out_result:
    r.ok = !w.failed;
    r.checked = w.checked;
    r.first_bad_seq = w.failed ? w.bad_seq : 0;
    r.reason = w.failed ? w.reason : AUDIT_VERIFY_FAILURE_NONE;
    *out = r;
    err = CM_ERR_OK;
out:
    *soft = err == CM_ERR_STORE_FAILURE && rc == STORE_SOFT_ERROR;
    return err;
}

enum cm_err
audit_verify(struct store *s,
             const unsigned char *pk,
             const struct checkpoint *cp,
             struct audit_verify_result *out)
{
    enum cm_err err = CM_ERR_STORE_FAILURE;
    bool soft = true;

    /* The passes only read: after a soft failure (say the connection was
     * lost to a database restart, and is opened again on next use) the
     * walk starts over, as a transaction would be run again. */
    for (int attempt = 0; attempt < STORE_TX_MAX_ATTEMPTS && soft; attempt++) {
        if (attempt > 0) {
            struct timespec ts = {0, 50L * 1000000L * attempt};

            (void)nanosleep(&ts, NULL);
        }
        err = verify_once(s, pk, cp, out, &soft);
    }
    return soft ? CM_ERR_UNAVAILABLE : err;
}

/* ---- checkpoints -------------------------------------------------------*/

/* What the checkpoint transaction reads (and creates). */
struct checkpoint_tx {
    char origin[CHECKPOINT_ORIGIN_MAX + 1];
    int64_t size;
    unsigned char head[AUDIT_HASH_BYTES];
    bool is_bad_origin;
};

static enum store_rc
read_head(struct store *s, void *cls)
{
    struct checkpoint_tx *t = cls;
    char *id = NULL;
    enum store_rc rc;

    memset(t, 0, sizeof *t);
    rc = store_meta_get(s, AUDIT_META_INSTANCE_ID, &id);
    if (rc < 0)
        return rc;
    if (rc == STORE_ONE_RESULT) {
        size_t n = strlen(id);

        if (n == 0 || n > CHECKPOINT_ORIGIN_MAX)
            t->is_bad_origin = true;
        else
            memcpy(t->origin, id, n + 1);
        cm_free(id);
    } else {
        char fresh[CM_ID_LEN + 1];

        cm_id_new(fresh);
        rc = store_meta_set(s, AUDIT_META_INSTANCE_ID, fresh);
        if (rc < 0)
            return rc;
        memcpy(t->origin, fresh, sizeof fresh);
    }
    rc = store_audit_head(s, &t->size, t->head);
    if (rc < 0)
        return rc;
    if (rc == STORE_NO_RESULTS) {
        t->size = 0;
        memset(t->head, 0, sizeof t->head);
    }
    return STORE_ONE_RESULT;
}

enum cm_err
audit_checkpoint(struct store *s,
                 const unsigned char master[CHECKPOINT_MASTER_BYTES],
                 int64_t now_us,
                 struct buf *out)
{
    struct checkpoint_tx t;

    if (store_tx_run(s, "audit_checkpoint", read_head, &t) < 0)
        return CM_ERR_STORE_FAILURE;
    if (t.is_bad_origin)
        return CM_ERR_VALIDATION_FAILED;
    return checkpoint_sign(master, t.origin, t.size, t.head, now_us, out);
}
