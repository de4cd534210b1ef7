/*
 * cfg.h: compel's configuration, described by ONE declarative table.
 *
 * Each key has a type, a default, a validator and a line of help. Values
 * are layered, later layers winning: the default, then a configuration
 * file (`key = value` lines, `#` comments), then the environment
 * (`COMPEL_<KEY>`, upper case), then command-line flags. Every value,
 * defaults included, goes through the key's validator, and a wrong one
 * gives a message that names the key (redis's config table is the model).
 *
 * Lifecycle: `struct cfg c; cfg_init(&c);` (defaults), then cfg_load_file,
 * cfg_load_env and cfg_set for each flag, then cfg_check, and finally
 * cfg_release.
 */
#ifndef CM_CORE_CFG_H
#define CM_CORE_CFG_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/errors.h"

/* The longest host name accepted in `listen`, not counting the NUL. */
#define CFG_HOST_MAX 255

struct cfg {
    char *listen;                /* HOST:PORT, e.g. "127.0.0.1:8080" */
    char *db;                    /* store URL, e.g. "sqlite:var/compel.db" */
    char *key_file;              /* path of the master key file */
    char *log_level;             /* debug, info, warn, error or off */
    char *trusted_proxy;         /* load balancer address, or "" */
    unsigned cookie_secure;      /* 1: session cookie marked Secure */
    unsigned threads;            /* worker threads in the HTTP thread pool */
    unsigned connection_timeout; /* seconds a connection may idle */
    unsigned max_connections;    /* connections at once, in all */
    unsigned max_connections_per_ip; /* connections at once from one IP */
    size_t body_limit; /* default largest request body, in bytes */
    char *public_url;  /* address printed on documents for verification */
    char *web_root;    /* folder of the built web UI (web/dist) */

    /* Reminders and the job runner (jobs/jobs.h). */
    char *smtp_url;         /* reminder mail server, or "" for no email */
    char *smtp_from;        /* sender address of reminder emails */
    char *reminder_days;    /* lead times in days, e.g. "7,3,1" */
    unsigned jobs_interval; /* seconds between scheduler ticks */
    unsigned webhook_max_attempts;     /* failures before a job is dead */
    unsigned webhook_private_networks; /* 1: deliver to non-public addresses */

    /* Rate limits, calls per minute, kept in the store (0: off). */
    unsigned rate_limit_login; /* login attempts naming one email */
    unsigned rate_limit_user;  /* authenticated requests of one user */
    unsigned rate_limit_org;   /* ... of all the users of one org */

    /* 1: every account must have a second factor (TOTP) to do anything
     * but enroll one. */
    unsigned require_totp;

    /* Minutes a login or step-up lets a session sign and administer. */
    unsigned step_up_minutes;

    /* "standard" or "minimum" (auth/password.h, enum password_cost). */
    char *password_hash_cost;

    /* File of common and breached passwords refused for new passwords
     * (auth/password.h), or "" for none. */
    char *password_blocklist;

    /* Days without a login or token use after which an account is
     * disabled (jobs/inactive.h); 0: never. */
    unsigned disable_inactive_days;

    /* Retention (domain/retention.h), in whole years. */
    unsigned retention_audit_years; /* audit records, at least 1 */
    unsigned retention_case_years;  /* closed cases, after closing */
};

/* Fill `c` with every key's default. Never fails (the defaults are
 * checked by the unit tests). Free with cfg_release. */
void cfg_init(struct cfg *c);

/* Free the strings of `c`; accepts a zeroed or released struct. */
void cfg_release(struct cfg *c);

/* True when `key` names a configuration key ("body_limit"). */
bool cfg_has_key(const char *key);

/* Set `key` to the text `value` after validating it. On failure `c` is
 * unchanged and one line naming the key is appended to `why`:
 * CM_ERR_USAGE for an unknown key, CM_ERR_VALIDATION_FAILED for a bad
 * value. `key` may use '-' for '_' ("key-file"). */
enum cm_err
cfg_set(struct cfg *c, const char *key, const char *value, struct buf *why);

/* Apply the configuration file at `path`: one `key = value` per line,
 * blank lines and lines starting with '#' ignored, surrounding spaces
 * trimmed. On the first bad line returns its error (CM_ERR_IO when the
 * file cannot be read) and appends "<path>:<line>: <message>" to `why`;
 * keys set before the bad line stay set. */
enum cm_err cfg_load_file(struct cfg *c, const char *path, struct buf *why);

/* Apply the variables COMPEL_<KEY> found in `envp` (a NULL-terminated
 * array of "NAME=value" strings, like `environ`). Other variables are
 * ignored. Errors as cfg_set, naming the variable. */
enum cm_err cfg_load_env(struct cfg *c, char *const *envp, struct buf *why);

/* Check the rules that join several keys (max_connections is at least
 * threads). CM_ERR_VALIDATION_FAILED with a line in `why` naming the key. */
enum cm_err cfg_check(const struct cfg *c, struct buf *why);

/* Split a `listen` value into host and port. `host` gets at most
 * CFG_HOST_MAX bytes and a NUL; IPv6 brackets are removed. Returns
 * CM_ERR_VALIDATION_FAILED for a malformed value; outputs written only on
 * success. Port 0 means "any free port". */
enum cm_err cfg_parse_listen(const char *value,
                             char host[CFG_HOST_MAX + 1],
                             unsigned short *port);

/* Append to `out` a help line for each key: "  --key VALUE  help
 * (default ...)". */
void cfg_help(struct buf *out);

#endif
