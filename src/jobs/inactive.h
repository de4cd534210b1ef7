/*
 * inactive.h: accounts unused for a long time are disabled (CJIS AC-2(3):
 * disable accounts after 90 days of inactivity; NIST SP 800-53 AC-2(3)).
 *
 * An account is inactive since `cutoff` when it was created before it and
 * neither a session of it was seen nor an API token of it used since
 * (store_user_list_inactive). Each one is disabled in a transaction of its
 * own: the user row (disabled, version bumped), every session ended, and
 * an audit record "user.disable_inactive" by the system. Nothing else
 * changes; an administrator enables it again (PATCH /api/v1/users/{id}
 * {"disabled": false}, or `compel user enable EMAIL`). The job runner runs
 * it once per UTC day (jobs.h), after the retention purge.
 */
#ifndef CM_JOBS_INACTIVE_H
#define CM_JOBS_INACTIVE_H

#include <stdint.h>

#include "core/errors.h"
#include "store/store.h"

/* Disable the accounts of `s` inactive for `days` days at `now_us` (UTC
 * microseconds); *disabled gets how many were. CM_ERR_STORE_FAILURE when
 * the store fails (those disabled before stay disabled). */
enum cm_err
inactive_run(struct store *s, int days, int64_t now_us, int *disabled);

#endif
