/*
 * keyfile.h: the master key for personal-field encryption and blind
 * indexes, kept in a file apart from the database (mode 0600).
 *
 * Format: one or two lines, each ending with a newline; a key is 64
 * lowercase hex digits (32 bytes) and its id a decimal number from 1 to
 * 255 without leading zeros (the key id byte of fieldcrypt ciphertexts).
 *
 *   compel-key-v1 <hex>                 the current key, id 1 (every file
 *                                       written before key rotation)
 *   compel-key-v2 <id> <hex>            the current key, id 2 or more
 *   compel-key-retiring <id> <hex>      optional second line: the key
 *                                       being retired by `compel key
 *                                       rotate`, readable only
 *
 * Subkeys for encryption and indexing are derived from a key with
 * libsodium's KDF (auth/fieldcrypt.h). A retiring key exists only while a
 * rotation is running or was interrupted; the rotation removes it when no
 * ciphertext uses it any more (docs/operations.md, "Rotating the key").
 */
#ifndef CM_AUTH_KEYFILE_H
#define CM_AUTH_KEYFILE_H

#include <stdbool.h>

#include "core/errors.h"

#define KEYFILE_KEY_BYTES 32

/* The largest key id. */
#define KEYFILE_ID_MAX 255

/* The keys of a key file: the current one, and the retiring one when
 * has_retiring. */
struct keyring {
    unsigned current_id; /* 1 ... KEYFILE_ID_MAX */
    unsigned char current[KEYFILE_KEY_BYTES];
    bool has_retiring;
    unsigned retiring_id; /* differs from current_id */
    unsigned char retiring[KEYFILE_KEY_BYTES];
};

struct fieldcrypt;

/* Create `path` with a new random key, mode 0600, exclusively (never
 * overwrites: CM_ERR_ALREADY_EXISTS). */
enum cm_err keyfile_create(const char *path);

/* Load the CURRENT key at `path` into `key` (written only on success),
 * whatever its id and whether or not a key is being retired. Refuses a
 * file readable by group or others or malformed (CM_ERR_VALIDATION_FAILED),
 * or missing (CM_ERR_IO). */
enum cm_err keyfile_load(const char *path,
                         unsigned char key[KEYFILE_KEY_BYTES]);

/* Load every key at `path`, with their ids, into *ring (written only on
 * success; wipe with keyring_release). Errors as keyfile_load. */
enum cm_err keyfile_load_ring(const char *path, struct keyring *ring);

/*
 * Load the key file at `path` and set up *fc from it: sealing and blind
 * indexes with the current key under its id, opening with the current and
 * the retiring key (fieldcrypt_init_key, fieldcrypt_add_retiring). The
 * current key goes into `master` when it is not NULL. Every program that
 * reads or writes personal fields loads its key this way. Errors as
 * keyfile_load, or CM_ERR_INTERNAL when the encryption cannot start;
 * nothing is written on failure.
 */
enum cm_err keyfile_load_fieldcrypt(const char *path,
                                    struct fieldcrypt *fc,
                                    unsigned char master[KEYFILE_KEY_BYTES]);

/*
 * Replace the key file at `path` with the keys of `ring`, atomically: a
 * new file PATH.tmp (mode 0600, exclusive: a stale one from a crash is
 * removed first) is written and fsynced, renamed over `path`, and the
 * directory fsynced. Then the old file, held open across the rename and
 * no longer reachable by name, is overwritten with zeros and fsynced, so
 * a key that the new file no longer holds is not left in its blocks (as
 * far as the file system overwrites in place). At every moment `path`
 * holds either the old or the new file, whole. CM_ERR_USAGE for a ring
 * with bad ids; CM_ERR_IO when a step before the rename fails (the old
 * file is then untouched).
 */
enum cm_err keyfile_write_ring(const char *path, const struct keyring *ring);

/* Wipe `ring` (accepts NULL). */
void keyring_release(struct keyring *ring);

#endif
