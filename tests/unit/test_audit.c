/*
 * test_audit.c: the audit trail over a real SQLite store: entries
 * appended in transactions are numbered and chained, a rolled-back
 * transaction leaves no entry, a soft error is retried without a double
 * entry; then the database file is tampered with directly through
 * SQLite's C API, as someone with access to the file could (dropping the
 * append-only triggers first), and audit_verify must name the entry:
 * one changed byte in any column, a deleted entry (also at page
 * boundaries), a cut-off tail (caught only with a checkpoint), a chain
 * rewritten consistently by someone without the key (caught only with a
 * checkpoint), a checkpoint signed with another key or taken of another
 * database.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "audit/audit.h"
#include "auth/password.h"
#include "core/alloc.h"

/* 2026-11-28T10:00:00Z is 1795860000 s after the epoch (checked with
 * `date -u -d @1795860000`: Sat Nov 28 10:00:00 UTC 2026); entries are one
 * second apart from there. */
#define T0_US INT64_C(1795860000000000)

/* The number of entries most tests start with. */
#define N_ENTRIES 50

struct fx {
    char dir[64];
    char path[128];
    char url[140];
    struct store *s;
    unsigned char master[CHECKPOINT_MASTER_BYTES];
    unsigned char pk[CHECKPOINT_PUBLIC_BYTES];
};

/* The strings of test entry i, kept alive for the whole append. */
struct entry_text {
    char actor[32];
    char object[32];
    char detail[64];
};

static struct audit_entry
make_entry(int64_t i, struct entry_text *t)
{
    static const char *const actions[] = {"subpoena.read", "subpoena.serve",
                                          "detainer.lodge", "person.read"};
    struct audit_entry e = {0};

    (void)snprintf(t->actor, sizeof t->actor, "actor-%03lld", (long long)i);
    (void)snprintf(t->object, sizeof t->object, "object-%03lld", (long long)i);
    (void)snprintf(t->detail, sizeof t->detail, "test entry %lld",
                   (long long)i);
    e.at_us = T0_US + i * 1000000;
    e.actor_id = t->actor;
    e.org_id = "org-agency-office-0001";
    e.role = "officer";
    e.session_hash = "5e55104a";
    e.client_addr = "192.0.2.10";
    e.action = actions[i % 4];
    e.object_kind = "subpoena";
    e.object_id = t->object;
    e.outcome = "ok";
    e.detail = t->detail;
    return e;
}

/* A transaction appending entries first..last (one or many). */
struct append_tx {
    int64_t first, last;
    int64_t last_seq;
    bool abort_after; /* roll back after appending */
};

static enum store_rc
append_some(struct store *s, void *cls)
{
    struct append_tx *t = cls;
    enum store_rc rc = STORE_ONE_RESULT;

    t->last_seq = 0;
    for (int64_t i = t->first; i <= t->last; i++) {
        struct entry_text text;
        struct audit_entry e = make_entry(i, &text);

        rc = audit_append(s, &e, &t->last_seq);
        if (rc < 0)
            return rc;
        if (e.seq != t->last_seq)
            return STORE_HARD_ERROR;
    }
    return t->abort_after ? STORE_HARD_ERROR : rc;
}

/* Append entries first..last, each in its own transaction. */
static void
append_each(struct fx *f, int64_t first, int64_t last)
{
    for (int64_t i = first; i <= last; i++) {
        struct append_tx t = {.first = i, .last = i};

        assert_int_equal(store_tx_run(f->s, "test", append_some, &t),
                         STORE_ONE_RESULT);
        assert_int_equal(t.last_seq, i);
    }
}

/* Append entries first..last in one transaction. */
static void
append_bulk(struct fx *f, int64_t first, int64_t last)
{
    struct append_tx t = {.first = first, .last = last};

    assert_int_equal(store_tx_run(f->s, "test", append_some, &t),
                     STORE_ONE_RESULT);
    assert_int_equal(t.last_seq, last);
}

static void
open_store(struct fx *f)
{
    const char *why = NULL;

    assert_int_equal(store_open(f->url, STORE_OPEN_MODE_EXISTING, &f->s, &why),
                     CM_ERR_OK);
}

static int
setup_empty(void **state)
{
    struct fx *f = cm_calloc(1, sizeof *f);
    const char *why = NULL;
    int applied = 0;

    (void)snprintf(f->dir, sizeof f->dir, "/tmp/test_audit-XXXXXX");
    if (mkdtemp(f->dir) == NULL)
        return -1;
    (void)snprintf(f->path, sizeof f->path, "%s/a.db", f->dir);
    (void)snprintf(f->url, sizeof f->url, "sqlite:%s", f->path);
    if (store_open(f->url, STORE_OPEN_MODE_CREATE, &f->s, &why) != CM_ERR_OK)
        return -1;
    if (store_migrate(f->s, T0_US, &applied) != STORE_ONE_RESULT)
        return -1;
    for (unsigned i = 0; i < sizeof f->master; i++)
        f->master[i] = (unsigned char)(7 * i + 3);
    if (password_lib_init() != CM_ERR_OK ||
        checkpoint_public_key(f->master, f->pk) != CM_ERR_OK)
        return -1;
    *state = f;
    return 0;
}

static int
setup_50(void **state)
{
    if (setup_empty(state) != 0)
        return -1;
    append_each(*state, 1, N_ENTRIES);
    return 0;
}

static void
remove_db(const char *path)
{
    char p[160];

    (void)unlink(path);
    (void)snprintf(p, sizeof p, "%s-wal", path);
    (void)unlink(p);
    (void)snprintf(p, sizeof p, "%s-shm", path);
    (void)unlink(p);
}

static int
teardown(void **state)
{
    struct fx *f = *state;

    store_close(f->s);
    remove_db(f->path);
    (void)rmdir(f->dir);
    cm_free(f);
    return 0;
}

/* ---- tampering with the file, as an intruder would ---------------------*/

/* Open the database file directly and drop the append-only triggers. The
 * store connection is closed meanwhile (reopen with open_store). */
static sqlite3 *
tamper_open(struct fx *f)
{
    sqlite3 *db = NULL;

    store_close(f->s);
    f->s = NULL;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "DROP TRIGGER IF EXISTS audit_never_edited;"
                                  "DROP TRIGGER IF EXISTS audit_never_deleted;",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    return db;
}

static void
tamper_exec(struct fx *f, const char *sql)
{
    sqlite3 *db = tamper_open(f);

    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_close(db), SQLITE_OK);
    open_store(f);
}

/* Change one byte of column `col` of entry `seq` (flip the low bit of the
 * first byte of a text or blob, of an integer's value). The original value
 * is returned, to be put back with tamper_restore. */
static sqlite3_value *
tamper_byte(struct fx *f, int64_t seq, const char *col)
{
    sqlite3 *db = tamper_open(f);
    sqlite3_stmt *st = NULL;
    sqlite3_value *orig;
    char sql[128];
    unsigned char *bytes;
    int n, type;

    (void)snprintf(sql, sizeof sql, "SELECT %s FROM audit WHERE seq = ?", col);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_bind_int64(st, 1, seq), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    orig = sqlite3_value_dup(sqlite3_column_value(st, 0));
    assert_non_null(orig);
    type = sqlite3_value_type(orig);
    n = sqlite3_value_bytes(orig);
    assert_int_not_equal(type, SQLITE_NULL); /* every test field is set */
    bytes = cm_malloc((size_t)n + 1);
    if (n > 0)
        memcpy(bytes, sqlite3_value_blob(orig), (size_t)n);
    assert_int_equal(sqlite3_finalize(st), SQLITE_OK);

    (void)snprintf(sql, sizeof sql, "UPDATE audit SET %s = ? WHERE seq = ?",
                   col);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    if (type == SQLITE_INTEGER) {
        assert_int_equal(
            sqlite3_bind_int64(st, 1, sqlite3_value_int64(orig) ^ 1),
            SQLITE_OK);
    } else {
        assert_true(n > 0);
        bytes[0] ^= 1;
        if (type == SQLITE_TEXT)
            assert_int_equal(sqlite3_bind_text(st, 1, (const char *)bytes, n,
                                               SQLITE_TRANSIENT),
                             SQLITE_OK);
        else
            assert_int_equal(
                sqlite3_bind_blob(st, 1, bytes, n, SQLITE_TRANSIENT),
                SQLITE_OK);
    }
    assert_int_equal(sqlite3_bind_int64(st, 2, seq), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    assert_int_equal(sqlite3_changes(db), 1);
    assert_int_equal(sqlite3_finalize(st), SQLITE_OK);
    assert_int_equal(sqlite3_close(db), SQLITE_OK);
    cm_free(bytes);
    open_store(f);
    return orig;
}

static void
tamper_restore(struct fx *f, int64_t seq, const char *col, sqlite3_value *v)
{
    sqlite3 *db = tamper_open(f);
    sqlite3_stmt *st = NULL;
    char sql[128];

    (void)snprintf(sql, sizeof sql, "UPDATE audit SET %s = ? WHERE seq = ?",
                   col);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_bind_value(st, 1, v), SQLITE_OK);
    assert_int_equal(sqlite3_bind_int64(st, 2, seq), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    assert_int_equal(sqlite3_finalize(st), SQLITE_OK);
    assert_int_equal(sqlite3_close(db), SQLITE_OK);
    sqlite3_value_free(v);
    open_store(f);
}

/* ---- helpers -----------------------------------------------------------*/

static struct audit_verify_result
verify(struct fx *f, const struct checkpoint *cp)
{
    struct audit_verify_result r;

    memset(&r, 0xa5, sizeof r);
    assert_int_equal(audit_verify(f->s, cp ? f->pk : NULL, cp, &r), CM_ERR_OK);
    return r;
}

static void
assert_ok(struct audit_verify_result r, int64_t n)
{
    assert_true(r.ok);
    assert_int_equal(r.checked, n);
    assert_int_equal(r.first_bad_seq, 0);
    assert_int_equal(r.reason, AUDIT_VERIFY_FAILURE_NONE);
}

static void
assert_bad(struct audit_verify_result r,
           int64_t seq,
           enum audit_verify_failure reason)
{
    assert_false(r.ok);
    assert_int_equal(r.first_bad_seq, seq);
    assert_string_equal(audit_verify_failure_name(r.reason),
                        audit_verify_failure_name(reason));
}

/* Take a checkpoint of the head now, signed with `master`, and parse it
 * back with that key's public key. */
static struct checkpoint
take_checkpoint(struct fx *f, const unsigned char *master)
{
    unsigned char pk[CHECKPOINT_PUBLIC_BYTES];
    struct buf text = BUF_INIT;
    struct checkpoint cp;

    assert_int_equal(audit_checkpoint(f->s, master, T0_US + 3600000000, &text),
                     CM_ERR_OK);
    assert_int_equal(checkpoint_public_key(master, pk), CM_ERR_OK);
    assert_int_equal(checkpoint_parse_verify(pk, text.data, text.len, &cp),
                     CM_ERR_OK);
    buf_release(&text);
    return cp;
}

/* ---- appending ---------------------------------------------------------*/

/* The stored chain is the one computed here, independently, from the
 * entries the test appended: hash_1 over 32 zero bytes, then each over
 * the one before. */
static void
test_append_chains_entries(void **state)
{
    struct fx *f = *state;
    unsigned char prev[AUDIT_HASH_BYTES] = {0};
    unsigned char head[STORE_HASH_SIZE];
    int64_t head_seq = 0;

    for (int64_t i = 1; i <= N_ENTRIES; i++) {
        struct entry_text text;
        struct audit_entry e = make_entry(i, &text);
        struct store_audit row;

        e.seq = i;
        assert_int_equal(store_audit_get(f->s, i, &row), STORE_ONE_RESULT);
        assert_int_equal(row.seq, i);
        assert_int_equal(row.at, e.at_us);
        assert_string_equal(row.action, e.action);
        assert_memory_equal(row.prev_hash, prev, sizeof prev);
        assert_int_equal(audit_chain_hash(prev, &e, prev), CM_ERR_OK);
        assert_memory_equal(row.hash, prev, sizeof prev);
        store_audit_release(&row);
    }
    assert_int_equal(store_audit_head(f->s, &head_seq, head), STORE_ONE_RESULT);
    assert_int_equal(head_seq, N_ENTRIES);
    assert_memory_equal(head, prev, sizeof prev);
    assert_ok(verify(f, NULL), N_ENTRIES);
}

/* An entry appended in a transaction that rolls back is gone with it. */
static void
test_rolled_back_entry_leaves_nothing(void **state)
{
    struct fx *f = *state;
    struct append_tx t = {.first = 51, .last = 53, .abort_after = true};
    unsigned char head[STORE_HASH_SIZE];
    int64_t head_seq = 0;

    assert_int_equal(store_tx_run(f->s, "test", append_some, &t),
                     STORE_HARD_ERROR);
    assert_int_equal(store_audit_head(f->s, &head_seq, head), STORE_ONE_RESULT);
    assert_int_equal(head_seq, N_ENTRIES);
    append_each(f, 51, 51); /* numbered 51, not 54 */
    assert_ok(verify(f, NULL), N_ENTRIES + 1);
}

/* A soft error on the append (calls: begin 1, head 2, append 3) makes the
 * runner retry the whole transaction: one entry, numbered 51. */
static void
test_soft_error_is_retried(void **state)
{
    struct fx *f = *state;
    struct append_tx t = {.first = 51, .last = 51};
    unsigned char head[STORE_HASH_SIZE];
    int64_t head_seq = 0;

    store_fault_set(f->s, 3, STORE_FAULT_SOFT_ONCE);
    assert_int_equal(store_tx_run(f->s, "test", append_some, &t),
                     STORE_ONE_RESULT);
    store_fault_clear(f->s);
    assert_int_equal(t.last_seq, 51);
    assert_int_equal(store_audit_head(f->s, &head_seq, head), STORE_ONE_RESULT);
    assert_int_equal(head_seq, 51);
    assert_ok(verify(f, NULL), 51);
}

/* A hard error reading the head is passed up, and nothing is written. */
static void
test_hard_error_propagates(void **state)
{
    struct fx *f = *state;
    struct entry_text text;
    struct audit_entry e = make_entry(51, &text);
    int64_t seq = -7;

    e.seq = -3;
    store_fault_set(f->s, 1, STORE_FAULT_HARD_ONCE);
    assert_int_equal(audit_append(f->s, &e, &seq), STORE_HARD_ERROR);
    store_fault_clear(f->s);
    assert_int_equal(seq, -7);
    assert_int_equal(e.seq, -3);
    assert_ok(verify(f, NULL), N_ENTRIES);
}

/* An empty trail verifies, and its checkpoint has size 0. */
static void
test_empty_trail(void **state)
{
    struct fx *f = *state;
    unsigned char zero[AUDIT_HASH_BYTES] = {0};
    struct checkpoint cp;

    assert_ok(verify(f, NULL), 0);
    cp = take_checkpoint(f, f->master);
    assert_int_equal(cp.size, 0);
    assert_memory_equal(cp.head, zero, sizeof zero);
    assert_ok(verify(f, &cp), 0);
}

/* ---- checkpoints -------------------------------------------------------*/

/* The checkpoint says size 50, the head's hash, this database's instance
 * id (created once: a second checkpoint has the same origin) and the time
 * given; later entries still verify against it. */
static void
test_checkpoint_values(void **state)
{
    struct fx *f = *state;
    unsigned char head[STORE_HASH_SIZE];
    int64_t head_seq = 0;
    struct checkpoint cp, again;
    char *id = NULL;
    struct audit_verify_result r;

    cp = take_checkpoint(f, f->master);
    assert_int_equal(store_audit_head(f->s, &head_seq, head), STORE_ONE_RESULT);
    assert_int_equal(cp.size, N_ENTRIES);
    assert_memory_equal(cp.head, head, sizeof head);
    assert_int_equal(cp.at_us, T0_US + 3600000000);
    assert_int_equal(store_meta_get(f->s, AUDIT_META_INSTANCE_ID, &id),
                     STORE_ONE_RESULT);
    assert_string_equal(cp.origin, id);
    assert_int_equal(strlen(id), CM_ID_LEN);
    cm_free(id);
    again = take_checkpoint(f, f->master);
    assert_string_equal(again.origin, cp.origin);

    r = verify(f, &cp);
    assert_ok(r, N_ENTRIES);
    {
        char fp[CHECKPOINT_FINGERPRINT_LEN + 1];

        checkpoint_fingerprint(f->pk, fp);
        assert_string_equal(r.key_fingerprint, fp);
    }
    append_each(f, 51, 55);
    assert_ok(verify(f, &cp), 55);
}

/* A checkpoint signed with another key does not verify with ours. */
static void
test_checkpoint_other_key_rejected(void **state)
{
    struct fx *f = *state;
    unsigned char other[CHECKPOINT_MASTER_BYTES];
    struct buf text = BUF_INIT;
    struct checkpoint cp;

    for (unsigned i = 0; i < sizeof other; i++)
        other[i] = (unsigned char)(250 - i);
    assert_int_equal(audit_checkpoint(f->s, other, T0_US, &text), CM_ERR_OK);
    memset(&cp, 0, sizeof cp);
    assert_int_equal(checkpoint_parse_verify(f->pk, text.data, text.len, &cp),
                     CM_ERR_VALIDATION_FAILED);
    assert_int_equal(cp.size, 0); /* nothing written */
    buf_release(&text);
}

/* A checkpoint of another database (same key, other instance id) is not
 * evidence about this one. */
static void
test_checkpoint_of_other_database(void **state)
{
    struct fx *f = *state;
    struct checkpoint cp = take_checkpoint(f, f->master);
    struct audit_verify_result r;

    /* The other database: same entries, same key, its own instance id. */
    tamper_exec(f, "UPDATE meta SET value = 'AAAAAAAAAAAAAAAAAAAAAA'"
                   " WHERE key = 'instance_id'");
    r = verify(f, &cp);
    assert_bad(r, 0, AUDIT_VERIFY_FAILURE_ORIGIN_MISMATCH);
    assert_ok(verify(f, NULL), N_ENTRIES);
}

/* A checkpoint without the key it was verified with is a usage error. */
static void
test_checkpoint_needs_key(void **state)
{
    struct fx *f = *state;
    struct checkpoint cp = take_checkpoint(f, f->master);
    struct audit_verify_result r = {.checked = 99};

    assert_int_equal(audit_verify(f->s, NULL, &cp, &r), CM_ERR_USAGE);
    assert_int_equal(r.checked, 99);
}

/* ---- tampering ---------------------------------------------------------*/

/* One changed byte in any column of entry 17, the hashes included, is
 * reported at 17; put back, the trail verifies again. */
static void
test_changed_byte_in_each_column(void **state)
{
    static const char *const cols[] = {
        "at",          "actor_id",  "org_id",      "role",      "session_hash",
        "client_addr", "action",    "object_kind", "object_id", "outcome",
        "detail",      "prev_hash", "hash"};
    struct fx *f = *state;

    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++) {
        sqlite3_value *orig = tamper_byte(f, 17, cols[i]);
        struct audit_verify_result r = verify(f, NULL);

        print_message("changed %s of entry 17\n", cols[i]);
        assert_bad(r, 17, AUDIT_VERIFY_FAILURE_HASH_MISMATCH);
        assert_int_equal(r.checked, 16);
        tamper_restore(f, 17, cols[i], orig);
        assert_ok(verify(f, NULL), N_ENTRIES);
    }
}

/* The first and last entries are covered too. */
static void
test_changed_first_and_last(void **state)
{
    struct fx *f = *state;
    sqlite3_value *orig = tamper_byte(f, 1, "action");

    assert_bad(verify(f, NULL), 1, AUDIT_VERIFY_FAILURE_HASH_MISMATCH);
    tamper_restore(f, 1, "action", orig);
    orig = tamper_byte(f, N_ENTRIES, "object_id");
    assert_bad(verify(f, NULL), N_ENTRIES, AUDIT_VERIFY_FAILURE_HASH_MISMATCH);
    tamper_restore(f, N_ENTRIES, "object_id", orig);
    assert_ok(verify(f, NULL), N_ENTRIES);
}

static void
test_deleted_entry_is_a_gap(void **state)
{
    struct fx *f = *state;
    struct audit_verify_result r;

    tamper_exec(f, "DELETE FROM audit WHERE seq = 30");
    r = verify(f, NULL);
    assert_bad(r, 30, AUDIT_VERIFY_FAILURE_GAP);
    assert_int_equal(r.checked, 29);
}

/* Renumbering entry 30 to 31 (after deleting 31) is caught too: the seq
 * is part of the hash, so either the gap or the hash gives it away. */
static void
test_renumbered_entry(void **state)
{
    struct fx *f = *state;

    tamper_exec(f, "DELETE FROM audit WHERE seq = 31;"
                   "UPDATE audit SET seq = 31 WHERE seq = 30");
    assert_bad(verify(f, NULL), 30, AUDIT_VERIFY_FAILURE_GAP);
}

/* Cutting off the last 5 entries leaves a consistent chain: only a
 * checkpoint taken at 50 shows that 46 is missing. */
static void
test_truncated_tail_needs_checkpoint(void **state)
{
    struct fx *f = *state;
    struct checkpoint cp = take_checkpoint(f, f->master);
    struct audit_verify_result r;

    tamper_exec(f, "DELETE FROM audit WHERE seq > 45");
    assert_ok(verify(f, NULL), 45);
    r = verify(f, &cp);
    assert_bad(r, 46, AUDIT_VERIFY_FAILURE_TRUNCATED);
    assert_int_equal(r.checked, 45);
}

/* Someone without the key rewrites entry 10 and re-hashes 10 to 50
 * consistently: the chain alone holds, the checkpoint at 50 does not. */
static void
test_rewritten_chain_needs_checkpoint(void **state)
{
    struct fx *f = *state;
    struct checkpoint cp = take_checkpoint(f, f->master);
    unsigned char prev[AUDIT_HASH_BYTES];
    struct store_audit row;
    sqlite3 *db;
    sqlite3_stmt *st = NULL;
    struct audit_verify_result r;

    assert_int_equal(store_audit_get(f->s, 9, &row), STORE_ONE_RESULT);
    memcpy(prev, row.hash, sizeof prev);
    store_audit_release(&row);
    /* Compute the forged chain with the store's view of the rows. */
    {
        unsigned char forged[N_ENTRIES + 1][AUDIT_HASH_BYTES];
        unsigned char p[AUDIT_HASH_BYTES];

        memcpy(p, prev, sizeof p);
        for (int64_t i = 10; i <= N_ENTRIES; i++) {
            struct audit_entry e;

            assert_int_equal(store_audit_get(f->s, i, &row), STORE_ONE_RESULT);
            e = (struct audit_entry){.seq = row.seq,
                                     .at_us = row.at,
                                     .actor_id = row.actor_id,
                                     .org_id = row.org_id,
                                     .role = row.role,
                                     .session_hash = row.session_hash,
                                     .client_addr = row.client_addr,
                                     .action = row.action,
                                     .object_kind = row.object_kind,
                                     .object_id = row.object_id,
                                     .outcome = row.outcome,
                                     .detail = row.detail};
            if (i == 10)
                e.action = "subpoena.withdraw"; /* the forged record */
            assert_int_equal(audit_chain_hash(p, &e, forged[i]), CM_ERR_OK);
            memcpy(p, forged[i], sizeof p);
            store_audit_release(&row);
        }
        db = tamper_open(f);
        assert_int_equal(sqlite3_exec(db,
                                      "UPDATE audit SET action ="
                                      " 'subpoena.withdraw' WHERE seq = 10",
                                      NULL, NULL, NULL),
                         SQLITE_OK);
        assert_int_equal(sqlite3_prepare_v2(db,
                                            "UPDATE audit SET prev_hash = ?,"
                                            " hash = ? WHERE seq = ?",
                                            -1, &st, NULL),
                         SQLITE_OK);
        memcpy(p, prev, sizeof p);
        for (int64_t i = 10; i <= N_ENTRIES; i++) {
            assert_int_equal(
                sqlite3_bind_blob(st, 1, p, (int)sizeof p, SQLITE_TRANSIENT),
                SQLITE_OK);
            assert_int_equal(sqlite3_bind_blob(st, 2, forged[i],
                                               AUDIT_HASH_BYTES,
                                               SQLITE_TRANSIENT),
                             SQLITE_OK);
            assert_int_equal(sqlite3_bind_int64(st, 3, i), SQLITE_OK);
            assert_int_equal(sqlite3_step(st), SQLITE_DONE);
            assert_int_equal(sqlite3_reset(st), SQLITE_OK);
            memcpy(p, forged[i], sizeof p);
        }
        assert_int_equal(sqlite3_finalize(st), SQLITE_OK);
        assert_int_equal(sqlite3_close(db), SQLITE_OK);
        open_store(f);
    }
    assert_ok(verify(f, NULL), N_ENTRIES);
    r = verify(f, &cp);
    assert_bad(r, N_ENTRIES, AUDIT_VERIFY_FAILURE_CHECKPOINT_MISMATCH);
}

/* ---- paging ------------------------------------------------------------*/

/* 600 entries span three pages of 256: all verify; a deleted last entry
 * of page 1 (256) and first entry of page 3 (513) are each found, and a
 * whole missing page (257..512) is reported at its first entry. */
static void
test_pages(void **state)
{
    struct fx *f = *state;
    sqlite3_value *orig;

    assert_int_equal(AUDIT_VERIFY_PAGE, 256);
    append_bulk(f, 51, 600);
    assert_ok(verify(f, NULL), 600);
    orig = tamper_byte(f, 400, "detail");
    assert_bad(verify(f, NULL), 400, AUDIT_VERIFY_FAILURE_HASH_MISMATCH);
    tamper_restore(f, 400, "detail", orig);
    tamper_exec(f, "DELETE FROM audit WHERE seq = 513");
    assert_bad(verify(f, NULL), 513, AUDIT_VERIFY_FAILURE_GAP);
    tamper_exec(f, "DELETE FROM audit WHERE seq = 256");
    assert_bad(verify(f, NULL), 256, AUDIT_VERIFY_FAILURE_GAP);
    tamper_exec(f, "DELETE FROM audit WHERE seq BETWEEN 250 AND 520");
    assert_bad(verify(f, NULL), 250, AUDIT_VERIFY_FAILURE_GAP);
}

/* A far-off seq (after a deleted stretch) is a gap found at once. */
static void
test_huge_seq(void **state)
{
    struct fx *f = *state;

    tamper_exec(f, "UPDATE audit SET seq = 9223372036854775807"
                   " WHERE seq = 50");
    assert_bad(verify(f, NULL), 50, AUDIT_VERIFY_FAILURE_GAP);
}

/* Nothing looks records up by hash and the hash is not UNIQUE (migration
 * 0010): a record made to carry another record's hashes, or a copy of the
 * record before it, is still caught, by the chain. */
static void
test_copied_hashes(void **state)
{
    struct fx *f = *state;

    tamper_exec(f, "UPDATE audit SET (prev_hash, hash) ="
                   " (SELECT prev_hash, hash FROM audit WHERE seq = 20)"
                   " WHERE seq = 30");
    assert_bad(verify(f, NULL), 30, AUDIT_VERIFY_FAILURE_HASH_MISMATCH);
}

static void
test_replayed_record(void **state)
{
    struct fx *f = *state;

    tamper_exec(f, "UPDATE audit SET (at, actor_id, org_id, role,"
                   " session_hash, client_addr, action, object_kind,"
                   " object_id, outcome, detail, prev_hash, hash) ="
                   " (SELECT at, actor_id, org_id, role, session_hash,"
                   " client_addr, action, object_kind, object_id, outcome,"
                   " detail, prev_hash, hash FROM audit WHERE seq = 29)"
                   " WHERE seq = 30");
    assert_bad(verify(f, NULL), 30, AUDIT_VERIFY_FAILURE_HASH_MISMATCH);
}

/* The rebuilt table (0010) kept its append-only triggers. */
static void
test_trail_is_append_only(void **state)
{
    struct fx *f = *state;
    sqlite3 *db = NULL;
    char *msg = NULL;

    store_close(f->s);
    f->s = NULL;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(db, "UPDATE audit SET detail = 'x'", NULL, NULL, &msg),
        SQLITE_CONSTRAINT);
    assert_non_null(strstr(msg, "append-only"));
    sqlite3_free(msg);
    msg = NULL;
    assert_int_equal(
        sqlite3_exec(db, "DELETE FROM audit WHERE seq = 50", NULL, NULL, &msg),
        SQLITE_CONSTRAINT);
    assert_non_null(strstr(msg, "append-only"));
    sqlite3_free(msg);
    assert_int_equal(sqlite3_close(db), SQLITE_OK);
    open_store(f);
    assert_ok(verify(f, NULL), N_ENTRIES);
}

/* A store failure is an error, not a verdict; *out is untouched. */
static void
test_store_failure(void **state)
{
    struct fx *f = *state;
    struct audit_verify_result r = {.checked = 99};

    store_fault_set(f->s, 2, STORE_FAULT_HARD_ONCE); /* head 1, range 2 */
    assert_int_equal(audit_verify(f->s, NULL, NULL, &r), CM_ERR_STORE_FAILURE);
    store_fault_clear(f->s);
    assert_int_equal(r.checked, 99);
}

/* A soft failure (a connection lost to a database restart, say) starts the
 * walk over: the verdict is the whole trail's. One that lasts is
 * CM_ERR_UNAVAILABLE ("try again", 503 over HTTP), not a store failure. */
static void
test_store_soft_failure_is_retried(void **state)
{
    struct fx *f = *state;
    struct audit_verify_result r = {.checked = 99};

    store_fault_set(f->s, 2, STORE_FAULT_SOFT_ONCE); /* head 1, range 2 */
    assert_int_equal(audit_verify(f->s, NULL, NULL, &r), CM_ERR_OK);
    store_fault_clear(f->s);
    assert_ok(r, N_ENTRIES);

    r.checked = 99;
    store_fault_set(f->s, 1, STORE_FAULT_SOFT_PERSISTENT);
    assert_int_equal(audit_verify(f->s, NULL, NULL, &r), CM_ERR_UNAVAILABLE);
    store_fault_clear(f->s);
    assert_int_equal(r.checked, 99);
}

static void
test_failure_names(void **state)
{
    (void)state;
    assert_string_equal(audit_verify_failure_name(AUDIT_VERIFY_FAILURE_NONE),
                        "ok");
    assert_string_equal(
        audit_verify_failure_name(AUDIT_VERIFY_FAILURE_HASH_MISMATCH),
        "hash_mismatch");
    assert_string_equal(audit_verify_failure_name(AUDIT_VERIFY_FAILURE_GAP),
                        "gap");
    assert_string_equal(
        audit_verify_failure_name(AUDIT_VERIFY_FAILURE_TRUNCATED), "truncated");
    assert_string_equal(
        audit_verify_failure_name(AUDIT_VERIFY_FAILURE_CHECKPOINT_MISMATCH),
        "checkpoint_mismatch");
}

#define T50(fn) cmocka_unit_test_setup_teardown(fn, setup_50, teardown)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        T50(test_append_chains_entries),
        T50(test_rolled_back_entry_leaves_nothing),
        T50(test_soft_error_is_retried),
        T50(test_hard_error_propagates),
        cmocka_unit_test_setup_teardown(test_empty_trail, setup_empty,
                                        teardown),
        T50(test_checkpoint_values),
        T50(test_checkpoint_other_key_rejected),
        T50(test_checkpoint_of_other_database),
        T50(test_checkpoint_needs_key),
        T50(test_changed_byte_in_each_column),
        T50(test_changed_first_and_last),
        T50(test_deleted_entry_is_a_gap),
        T50(test_renumbered_entry),
        T50(test_truncated_tail_needs_checkpoint),
        T50(test_rewritten_chain_needs_checkpoint),
        T50(test_pages),
        T50(test_huge_seq),
        T50(test_copied_hashes),
        T50(test_replayed_record),
        T50(test_trail_is_append_only),
        T50(test_store_failure),
        T50(test_store_soft_failure_is_retried),
        cmocka_unit_test(test_failure_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
