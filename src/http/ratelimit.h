/*
 * ratelimit.h: the rate limits of the API, counted in the store so that
 * they hold across every server of one database (issues 6 and 7).
 *
 * Three limits, each a number of calls per fixed one-minute window (the
 * clock's minute, app_now), 0 meaning off:
 *
 *  - per account: login attempts naming one email, whatever their
 *    outcome, counted before the password is checked (rate_limit_login);
 *  - per user: authenticated requests by one user (rate_limit_user);
 *  - per organization: authenticated requests by all the users of one
 *    organization (rate_limit_org).
 *
 * The (limit + 1)th call of a window is the first refused: 429
 * rate_limited with Retry-After, the seconds left in the window, and
 * nothing else done. A refused call is not counted (its increment rolls
 * back with the rest of its transaction), except the first refused login
 * of a window, which is committed with one audit record (session.login,
 * outcome rate_limited): one record per account and minute at most, so a
 * flood of attempts cannot grow the append-only trail.
 *
 * Each counted request is one more write (one statement in the writer's
 * group commit): per-address limits, which cost nothing here, belong to
 * nginx's limit_req in front (docs/operations.md).
 *
 * Buckets in the store: "login:" and a keyed hash of the lower-cased
 * email (never the email itself), "user:<id>", "org:<id>".
 */
#ifndef CM_HTTP_RATELIMIT_H
#define CM_HTTP_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/errors.h"
#include "http/server.h"
#include "store/store.h"

struct app_tx;

/* The length of every window. */
#define RATELIMIT_WINDOW_US (60LL * 1000000)

/* The limits of one server (cfg rate_limit_*); 0: off. */
struct ratelimit_cfg {
    unsigned login;
    unsigned user;
    unsigned org;
};

/*
 * Inside the login's first transaction (before the password check): count
 * one attempt naming `email`, for the account `user_id` ("" or NULL when
 * no account has that email). Sets *refused when the attempt is over the
 * limit. Returns STORE_ONE_RESULT, an error, or, for a refusal after the
 * first of its window, STORE_HARD_ERROR with the 429 recorded in `tx`
 * (app_fail) so that nothing is written. The caller answers with
 * ratelimit_refuse when *refused (app_run has already replied the 429
 * for the other refusals: add Retry-After with ratelimit_retry_after).
 */
enum store_rc ratelimit_login_hit(struct store *s,
                                  struct app_tx *tx,
                                  const char *email,
                                  const char *user_id,
                                  bool *refused);

/*
 * After authentication: count this request against its caller's user and
 * organization limits, in one write transaction (none when both limits
 * are off). CM_ERR_OK to go on; otherwise the answer (429 with
 * Retry-After, or 503 when the store cannot count) is replied and its
 * error returned.
 */
enum cm_err ratelimit_check_caller(struct http_req *req);

/* Reply 429 rate_limited with Retry-After; returns CM_ERR_RATE_LIMITED. */
enum cm_err ratelimit_refuse(struct http_req *req, const char *detail);

/* Add Retry-After (seconds to the end of the current window) to the
 * reply. */
void ratelimit_retry_after(struct http_req *req);

#endif
