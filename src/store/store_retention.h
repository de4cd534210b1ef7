/*
 * store_retention.h: legal holds on cases, the audit horizon, and the
 * retention purge (docs/operations.md "Retention and legal hold").
 *
 * A legal hold keeps every record of a case (the case row, its timeline,
 * documents, deadlines and, for a subpoena, its disclosures; a subpoena
 * and its enforcement case hold each other) until it is released. Holds
 * are rows of case_holds: placed once, released once, never deleted.
 *
 * The purge removes only what the caller's cut-offs (domain/retention.h)
 * say has aged out, never a record of a case on hold, and only inside the
 * caller's transaction: it opens the database's purge permit
 * (retention_permit), without which the append-only triggers refuse every
 * DELETE, and closes it before it returns. The audit trail loses a prefix
 * at most: records 1..N, with the seq, hash and time of record N kept as
 * the horizon that verification starts from.
 *
 * Included by store/store.h; callers include that.
 */
#ifndef CM_STORE_STORE_RETENTION_H
#define CM_STORE_STORE_RETENTION_H

#include "store/store.h"

/* One legal hold. released_at 0 (and released_by "") while in force. */
struct store_hold {
    char id[STORE_ID_SIZE];
    char *case_kind; /* detainer | subpoena | enforcement */
    char case_id[STORE_ID_SIZE];
    char placed_by[STORE_ID_SIZE];
    char *placed_role;
    int64_t placed_at;
    char *reason;
    char released_by[STORE_ID_SIZE];
    char *released_role; /* or NULL */
    int64_t released_at;
    char *release_reason; /* or NULL */
};

/* What the purge may remove: records at or before each cut-off (UTC
 * microseconds; 0 disables that class). */
struct store_purge_limits {
    int64_t audit_before;      /* audit records with at <= this */
    int64_t case_before;       /* closed cases last touched at or before */
    int64_t disclosure_before; /* disclosures made at or before */
    int max_cases;             /* at most this many cases of each kind */
    int64_t max_audit;         /* at most this many audit records */
};

/* What one purge call removed. */
struct store_purge_counts {
    int64_t audit; /* records of the audit trail */
    int64_t detainers;
    int64_t subpoenas;
    int64_t enforcements;
    int64_t documents;
    int64_t events; /* timeline entries */
    int64_t disclosures;
    int64_t deadlines;
    /* The horizon after the call (0 when the trail never lost a record). */
    int64_t horizon_seq;
    unsigned char horizon_hash[STORE_HASH_SIZE];
};

/* Called once per listed hold; borrowed for the call. */
typedef void (*store_hold_cb)(void *cls, const struct store_hold *h);

/* The retention part of a backend's function table (store_ops.retention
 * when registered; see store_retention_ops_of). */
struct store_retention_ops {
    enum store_rc (*hold_place)(struct store *s, const struct store_hold *h);
    enum store_rc (*hold_release)(struct store *s,
                                  const char *case_kind,
                                  const char *case_id,
                                  const char *by,
                                  const char *role,
                                  int64_t at,
                                  const char *reason);
    int (*hold_list)(struct store *s,
                     const char *case_kind,
                     const char *case_id,
                     store_hold_cb cb,
                     void *cls);
    enum store_rc (*held)(struct store *s,
                          const char *case_kind,
                          const char *case_id,
                          bool *out);
    enum store_rc (*audit_horizon)(struct store *s,
                                   int64_t *seq,
                                   unsigned char hash[STORE_HASH_SIZE]);
    enum store_rc (*purge)(struct store *s,
                           const struct store_purge_limits *lim,
                           struct store_purge_counts *out);
};

extern const struct store_retention_ops sq_retention_ops;
extern const struct store_retention_ops pg_retention_ops;

/* Place hold `h` (id, case_kind, case_id, placed_by, placed_role,
 * placed_at, reason; the release fields are ignored) on its case, which
 * the caller has checked exists. STORE_NO_RESULTS, with nothing written,
 * when the case already has a hold in force (or the id is taken). */
enum store_rc store_hold_place(struct store *s, const struct store_hold *h);

/* Release the hold in force on the case. STORE_NO_RESULTS when none is. */
enum store_rc store_hold_release(struct store *s,
                                 const char *case_kind,
                                 const char *case_id,
                                 const char *by,
                                 const char *role,
                                 int64_t at,
                                 const char *reason);

/* Call cb for every hold of the case, placed or released, oldest first.
 * Returns the number of rows, or a negative enum store_rc. */
int store_hold_list(struct store *s,
                    const char *case_kind,
                    const char *case_id,
                    store_hold_cb cb,
                    void *cls);

/* *out (written on STORE_ONE_RESULT) = whether the case is on hold,
 * directly or (subpoena and enforcement) through its linked case. */
enum store_rc store_case_held(struct store *s,
                              const char *case_kind,
                              const char *case_id,
                              bool *out);

/* The audit horizon: *seq and hash of the last purged audit record
 * (written on STORE_ONE_RESULT); STORE_NO_RESULTS when none was purged. */
enum store_rc store_audit_horizon(struct store *s,
                                  int64_t *seq,
                                  unsigned char hash[STORE_HASH_SIZE]);

/*
 * Inside the caller's transaction, remove what has aged out under `lim`
 * and write the counts into *out (zeroed first):
 *   - subpoenas (closed or withdrawn, or referred with a closed
 *     enforcement) with their enforcement case, items, extensions,
 *     signature, disclosures, documents, timelines and deadlines, when
 *     neither was changed, given an event or a document after
 *     case_before, every disclosure of the subpoena is at or before
 *     disclosure_before, and neither is on hold;
 *   - detainers (released, transferred or cancelled) likewise, when no
 *     subpoena names them any more;
 *   - the longest prefix of the audit trail whose records are all at or
 *     before audit_before and none names a case on hold or a document of
 *     one, never the last record; the horizon moves to its end.
 * STORE_ONE_RESULT on success (even when nothing aged out).
 */
enum store_rc store_retention_purge(struct store *s,
                                    const struct store_purge_limits *lim,
                                    struct store_purge_counts *out);

/* Free the strings of `h` and zero it; accepts NULL. */
void store_hold_release_row(struct store_hold *h);

#endif
