/*
 * keyfile.h: the master key for personal-field encryption and blind
 * indexes, kept in a file apart from the database (mode 0600).
 *
 * Format: one line, "compel-key-v1 " then 64 lowercase hex digits (32
 * bytes) and a newline. Subkeys for encryption and indexing are derived
 * from it with libsodium's KDF.
 */
#ifndef CM_AUTH_KEYFILE_H
#define CM_AUTH_KEYFILE_H

#include "core/errors.h"

#define KEYFILE_KEY_BYTES 32

/* Create `path` with a new random key, mode 0600, exclusively (never
 * overwrites: CM_ERR_ALREADY_EXISTS). */
enum cm_err keyfile_create(const char *path);

/* Load the key at `path` into `key` (written only on success). Refuses a
 * file readable by group or others or malformed (CM_ERR_VALIDATION_FAILED),
 * or missing (CM_ERR_IO). */
enum cm_err keyfile_load(const char *path,
                         unsigned char key[KEYFILE_KEY_BYTES]);

#endif
