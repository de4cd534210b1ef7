/*
 * password.h: password hashing (Argon2id, libsodium) and strength rules.
 *
 * Hashes are libsodium's self-describing strings ("$argon2id$v=19$m=...").
 * Parameters follow OWASP's minimum for Argon2id (>= 19 MiB, t >= 2).
 */
#ifndef CM_AUTH_PASSWORD_H
#define CM_AUTH_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/errors.h"

/* Room for a hash string, including the NUL. */
#define PASSWORD_HASH_MAX 128

/* Shortest password accepted, in characters (bytes of UTF-8). */
#define PASSWORD_MIN_LEN 12

/* Longest password accepted (bounds hashing work). */
#define PASSWORD_MAX_LEN 1024

/* Initialise libsodium; call once at start. CM_ERR_INTERNAL on failure. */
enum cm_err password_lib_init(void);

/* Check length rules; on failure returns CM_ERR_VALIDATION_FAILED and sets
 * *why to a static English reason. */
enum cm_err password_check_strength(const char *pw, const char **why);

/*
 * The length rules, then NIST SP 800-63B's context rules (CJIS IA-5):
 * not one character repeated, not a run of consecutive characters
 * ("123456789012", "abcdefghijkl", either way), not on the list of
 * common passwords (password_blocklist_load) even with digits and symbols
 * around it or repeated ("Password2024!", "qwertyqwerty"), and not containing,
 * ignoring case, the service's name ("compel"), the email address's part
 * before '@' or any word of at least 4 letters of the user's name. `email`
 * and `name` may be NULL. Errors as password_check_strength.
 */
enum cm_err password_check_for(const char *pw,
                               const char *email,
                               const char *name,
                               const char **why);

/*
 * The list of common and breached passwords (NIST SP 800-63B 5.1.1.2):
 * one password per line, UTF-8; empty lines and lines starting with
 * "#!comment" (John the Ripper's password.lst) are skipped; compared
 * without regard to ASCII case. Loaded once at start, before any thread
 * checks a password; a later load replaces the list. On failure appends
 * what to fix to `why` and keeps the list as it was. An empty `path`
 * empties the list (no check).
 */
#define PASSWORD_BLOCKLIST_DEFAULT "/usr/share/john/password.lst"
enum cm_err password_blocklist_load(const char *path, struct buf *why);

/* How many passwords the list holds (0: none loaded). */
size_t password_blocklist_size(void);

/* Free the list. */
void password_blocklist_release(void);

/* The Argon2id cost of new hashes. A stored hash carries its own cost,
 * which verification reads from it: changing the cost changes only the
 * hashes made afterwards. */
enum password_cost {
    PASSWORD_COST_STANDARD, /* 64 MiB, 3 passes: the default */
    PASSWORD_COST_MINIMUM   /* 19 MiB, 2 passes: OWASP's floor for Argon2id */
};

/* "standard" or "minimum" into *out; false for anything else. */
bool password_cost_parse(const char *text, enum password_cost *out);

/* The cost of the hashes made from now on (set once at start, before any
 * thread hashes). */
void password_set_cost(enum password_cost cost);

/* Hash `pw` into `out` (written only on success) at the cost set. */
enum cm_err password_hash(const char *pw, char out[PASSWORD_HASH_MAX]);

/* True when `pw` matches `hash` (constant time in libsodium). */
bool password_verify(const char *pw, const char *hash);

/* Write a strong random password of `len` characters (letters, digits;
 * len >= 16) and a NUL into `out`, which holds len + 1 bytes. */
void password_generate(char *out, size_t len);

#endif
