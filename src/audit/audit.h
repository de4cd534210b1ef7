/*
 * audit.h: the audit trail over the store: appending an entry in the same
 * transaction as the change it records, verifying the whole hash chain,
 * and signing checkpoints of its head.
 *
 * Every entry is chained to the one before it (audit/chain.h) and stored
 * with its hash; the store only keeps rows and never computes a hash.
 * audit_append is the one way compel appends to the trail. audit_verify
 * walks the stored chain and names the first entry that does not hold;
 * with a signed checkpoint (audit/checkpoint.h) taken earlier and kept
 * outside the database, it also catches a trail that was cut short or
 * rewritten consistently by someone without the key. See docs/audit.md.
 *
 * What an entry may hold: who (actor, organization, role, a hash of the
 * session, the client's address) did what (action, outcome) to which
 * object (kind and opaque id), when. Never a personal value (a name, an
 * A-number, a date of birth, an address) and never a secret (a password,
 * a token, a key): the trail is read by auditors and exported, and it can
 * never be edited afterwards.
 */
#ifndef CM_AUDIT_AUDIT_H
#define CM_AUDIT_AUDIT_H

#include <stdbool.h>
#include <stdint.h>

#include "audit/chain.h"
#include "audit/checkpoint.h"
#include "core/buf.h"
#include "core/errors.h"
#include "store/store.h"

/* The meta key (store_meta_get/set) holding this database's stable random
 * id, which is the origin line of its checkpoints. */
#define AUDIT_META_INSTANCE_ID "instance_id"

/* How many entries audit_verify reads from the store at a time. */
#define AUDIT_VERIFY_PAGE 256

/* Why a verification failed. */
enum audit_verify_failure {
    AUDIT_VERIFY_FAILURE_NONE,                /* the chain holds */
    AUDIT_VERIFY_FAILURE_HASH_MISMATCH,       /* an entry was changed */
    AUDIT_VERIFY_FAILURE_GAP,                 /* an entry is missing */
    AUDIT_VERIFY_FAILURE_TRUNCATED,           /* shorter than the checkpoint */
    AUDIT_VERIFY_FAILURE_CHECKPOINT_MISMATCH, /* rewritten since it */
    AUDIT_VERIFY_FAILURE_ORIGIN_MISMATCH,     /* checkpoint of another db */
    /* The checkpoint's entry was removed by the retention purge (it is
     * older than the audit horizon): it can no longer be checked. */
    AUDIT_VERIFY_FAILURE_CHECKPOINT_PURGED,
    /* The trail starts after a horizon that no retention.purge record
     * after it names: entries were removed outside the purge. */
    AUDIT_VERIFY_FAILURE_HORIZON_UNAUDITED
};

/* What audit_verify found. */
struct audit_verify_result {
    /* The whole chain (and the checkpoint, when given) holds. */
    bool ok;
    /* How many entries' links were verified before the first failure. */
    int64_t checked;
    /* The first entry that fails; 0 when ok, and for origin_mismatch,
     * where no entry is to blame. */
    int64_t first_bad_seq;
    /* AUDIT_VERIFY_FAILURE_NONE when ok. */
    enum audit_verify_failure reason;
    /* The fingerprint of the key the checkpoint was verified with
     * (checkpoint_fingerprint); "" without a checkpoint. */
    char key_fingerprint[CHECKPOINT_FINGERPRINT_LEN + 1];
    /* The audit horizon the walk started after: the last entry the
     * retention purge removed (0 when none was). */
    int64_t horizon_seq;
};

/* The short name of `f`: "ok", "hash_mismatch", "gap", "truncated",
 * "checkpoint_mismatch" or "origin_mismatch". Static; never NULL. */
const char *audit_verify_failure_name(enum audit_verify_failure f);

/*
 * Append `e` to the trail. Call it inside the caller's transaction
 * (store_tx_run), in the same transaction as the change it records, so
 * the change and its record commit or roll back together and the head
 * cannot move between reading and appending.
 *
 * Reads the chain head, numbers the entry head + 1 (1 for the first),
 * computes its chain hash from the previous hash (32 zero bytes before the
 * first entry) and stores it. e->seq is ignored on entry; on success it is
 * set to the entry's number, which is also written into *seq_out when
 * seq_out is not NULL.
 *
 * e->at_us is the caller's clock, UTC microseconds since the epoch (the
 * API shows it to the hundredth of a second). e->action and e->outcome are
 * required (STORE_HARD_ERROR without them). No field may hold a personal
 * value or a secret (see the top of this file).
 *
 * Returns STORE_ONE_RESULT on success; a store error as it came
 * (STORE_SOFT_ERROR, so that store_tx_run retries the whole transaction,
 * or STORE_HARD_ERROR); STORE_HARD_ERROR if the entry cannot be encoded or
 * the store numbered it differently.
 */
enum store_rc
audit_append(struct store *s, struct audit_entry *e, int64_t *seq_out);

/*
 * Verify the trail: walk every entry from seq 1 to the head in seq order,
 * AUDIT_VERIFY_PAGE rows at a time (memory does not grow with the trail),
 * recomputing each chain hash, and stop at the first failure:
 *   - gap: the next entry's seq is not the previous one's + 1 (the first
 *     missing seq is reported);
 *   - hash_mismatch: an entry's stored hash or stored previous hash is not
 *     the recomputed one (a changed byte in any field of any row).
 * After a retention purge (store_audit_horizon) the walk starts after the
 * horizon, from its seq and hash, and
 *   - horizon_unaudited: no "retention.purge" entry after the horizon names
 *     it ("horizon=SEQ:HEX" in its detail; reported at the horizon's seq).
 * With a checkpoint `cp` (parsed and signature-checked with
 * checkpoint_parse_verify against the public key `pk`, which must then be
 * given and whose fingerprint the result records):
 *   - origin_mismatch: cp->origin is not this database's instance id;
 *   - truncated: the trail ends before cp->size (the first missing seq);
 *   - checkpoint_mismatch: the hash of entry cp->size is not cp->head, so
 *     the trail up to it was rewritten; one checkpoint cannot say where,
 *     so cp->size is reported (an older checkpoint narrows it down);
 *   - checkpoint_purged: cp->size is before the horizon: its entry is gone
 *     under retention and cannot be checked (use a later checkpoint).
 * Entries appended after cp->size are verified like the rest. Without a
 * checkpoint, cutting entries off the end cannot be seen: that is what
 * checkpoints are for.
 *
 * Runs outside any transaction: it reads the head first and verifies up to
 * it, so appends made meanwhile are not read.
 *
 * Writes *out (on CM_ERR_OK only) and returns CM_ERR_OK whether or not the
 * trail holds; CM_ERR_UNAVAILABLE when the store kept failing softly (a
 * lost connection, a busy database: the walk is started over up to
 * STORE_TX_MAX_ATTEMPTS times first); CM_ERR_STORE_FAILURE when the store
 * fails otherwise; CM_ERR_USAGE for a checkpoint without a key.
 */
enum cm_err audit_verify(struct store *s,
                         const unsigned char *pk,
                         const struct checkpoint *cp,
                         struct audit_verify_result *out);

/*
 * Sign a checkpoint of the trail's current head (size 0 and 32 zero bytes
 * when it is empty) with the key derived from `master`, made at `now_us`
 * (UTC microseconds), for origin = this database's instance id (meta key
 * AUDIT_META_INSTANCE_ID, created once at random the first time), and
 * append its text to `out` (only on success). Runs its own transaction: do
 * not call it inside one. Call password_lib_init() first.
 * CM_ERR_STORE_FAILURE when the store fails, CM_ERR_VALIDATION_FAILED for
 * a stored instance id that is not a valid origin or a time outside 1970
 * to 9999, CM_ERR_INTERNAL if signing fails.
 */
enum cm_err
audit_checkpoint(struct store *s,
                 const unsigned char master[CHECKPOINT_MASTER_BYTES],
                 int64_t now_us,
                 struct buf *out);

#endif
