/*
 * store_keys.h: the store's part of key rotation (`compel key rotate`,
 * src/cli/cmd_key.c): finding the sealed values (auth/fieldcrypt.h) that
 * are not under a given key id, writing them back re-sealed, and counting
 * sealed values by key id.
 *
 * The store never opens or seals anything: it only reads the key id byte
 * of a sealed value (its second byte) to choose rows, and writes what the
 * caller gives it. Every sealed column is covered, on both backends:
 *
 *   kind              table           row key   bound to   sealed columns
 *   PEOPLE            people          id        id         family_name,
 *                     given_names, date_of_birth, identifiers, aliases;
 *                     with blind indexes family_name_bidx, dob_bidx,
 *                     a_number_bidx (rewritten with the values)
 *   TOTP              users           id        id         totp_secret
 *   ITEM_VALUE        subpoena_items  id        id         value
 *   WEBHOOK           webhooks        id        id         secret
 *   SIGNING_KEY       signing_keys    key_id    org_id     sealed_secret
 *
 * Re-sealing changes no version or timestamp: the values mean the same.
 * signing_keys refuses edits of sealed_secret (a trigger): the update of
 * a SIGNING_KEY row lifts that guard for its own statement only, inside
 * the caller's transaction (SQLite: the trigger is dropped and re-created
 * from its stored text; PostgreSQL: DISABLE/ENABLE TRIGGER, which needs the
 * table's owner).
 *
 * Included by store/store.h; callers include that.
 */
#ifndef CM_STORE_STORE_KEYS_H
#define CM_STORE_STORE_KEYS_H

#include "store/store.h"

/* The kinds of rows holding sealed values. */
enum store_sealed_kind {
    STORE_SEALED_PEOPLE,
    STORE_SEALED_TOTP,
    STORE_SEALED_ITEM_VALUE,
    STORE_SEALED_WEBHOOK,
    STORE_SEALED_SIGNING_KEY,
    STORE_SEALED__COUNT
};

/* The most sealed columns and blind indexes of one row. */
#define STORE_SEALED_VALUES  5
#define STORE_SEALED_INDEXES 3

/* The number of sealed columns of kind `kind` (1, or 5 for people). */
size_t store_sealed_values(enum store_sealed_kind kind);

/* The short name of `kind`: "people", "totp", "item_value", "webhook",
 * "signing_key". */
const char *store_sealed_kind_name(enum store_sealed_kind kind);

/* One row's sealed values. values[i] is column i of the kind (NULL data:
 * SQL NULL); indexes are people's blind indexes in the order above (read
 * as stored; written by store_sealed_update). */
struct store_sealed_row {
    char key[STORE_ID_SIZE];       /* the row's primary key */
    char record_id[STORE_ID_SIZE]; /* what the values are bound to */
    struct store_blob values[STORE_SEALED_VALUES];
    struct store_blob indexes[STORE_SEALED_INDEXES];
};

/* Called once per listed row; the row is borrowed for the call only. */
typedef void (*store_sealed_cb)(void *cls, const struct store_sealed_row *r);

/* The keys part of a backend's function table (store_ops.keys). */
struct store_keys_ops {
    int (*sealed_list_stale)(struct store *s,
                             enum store_sealed_kind kind,
                             unsigned key_id,
                             const char *after,
                             int limit,
                             store_sealed_cb cb,
                             void *cls);
    enum store_rc (*sealed_update)(struct store *s,
                                   enum store_sealed_kind kind,
                                   const struct store_sealed_row *old,
                                   const struct store_sealed_row *now);
    enum store_rc (*sealed_count)(struct store *s,
                                  enum store_sealed_kind kind,
                                  int64_t by_id[256]);
};

/*
 * The first `limit` (1 ... 10000) rows of `kind` whose key sorts after
 * `after` ("" for the first), by key, having at least one sealed value
 * whose key id byte is not `key_id` (1 ... 255; 0 lists every row holding
 * a sealed value), each passed to cb. Inside a write transaction the rows
 * are locked until it ends (PostgreSQL: FOR UPDATE). Returns the number
 * of rows, or a negative enum store_rc.
 */
int store_sealed_list_stale(struct store *s,
                            enum store_sealed_kind kind,
                            unsigned key_id,
                            const char *after,
                            int limit,
                            store_sealed_cb cb,
                            void *cls);

/*
 * Write the values (and, for people, the blind indexes) of `now` into the
 * row now->key of `kind`, only if its sealed values are still exactly
 * those of `old` (same key). Call inside store_tx_run. STORE_ONE_RESULT
 * when written; STORE_NO_RESULTS, nothing written, when the row is gone
 * or its values changed meanwhile.
 */
enum store_rc store_sealed_update(struct store *s,
                                  enum store_sealed_kind kind,
                                  const struct store_sealed_row *old,
                                  const struct store_sealed_row *now);

/* Count the sealed values (not rows) of `kind` by key id byte into
 * by_id[0 ... 255], zeroed first; a value too short to carry an id counts
 * under 0. STORE_ONE_RESULT or an error. */
enum store_rc store_sealed_count(struct store *s,
                                 enum store_sealed_kind kind,
                                 int64_t by_id[256]);

/* Free the blobs of `r` and zero it; accepts NULL. */
void store_sealed_row_release(struct store_sealed_row *r);

/* A deep copy of `r` into *out. */
void store_sealed_row_copy(struct store_sealed_row *out,
                           const struct store_sealed_row *r);

#endif
