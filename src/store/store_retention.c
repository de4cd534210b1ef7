/*
 * store_retention.c: the wrappers of store_retention.h (legal holds, the
 * audit horizon, the retention purge): asserts and fault injection, then
 * the backend.
 */
#include "store/store_retention.h"

#include <assert.h>
#include <string.h>

#include "core/alloc.h"
#include "store/store_int.h"

enum store_rc
store_hold_place(struct store *s, const struct store_hold *h)
{
    enum store_rc rc;

    assert(h != NULL && h->id[0] && h->case_kind && h->case_id[0] &&
           h->placed_by[0] && h->placed_role && h->reason);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->retention->hold_place(s, h);
    return rc;
}

enum store_rc
store_hold_release(struct store *s,
                   const char *case_kind,
                   const char *case_id,
                   const char *by,
                   const char *role,
                   int64_t at,
                   const char *reason)
{
    enum store_rc rc;

    assert(case_kind && case_id && by && by[0] && role && reason && at > 0);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->retention->hold_release(s, case_kind, case_id, by, role,
                                             at, reason);
    return rc;
}

int
store_hold_list(struct store *s,
                const char *case_kind,
                const char *case_id,
                store_hold_cb cb,
                void *cls)
{
    enum store_rc frc;

    assert(case_kind && case_id && cb);
    if (store_is_faulted(s, &frc))
        return frc;
    return s->ops->retention->hold_list(s, case_kind, case_id, cb, cls);
}

enum store_rc
store_case_held(struct store *s,
                const char *case_kind,
                const char *case_id,
                bool *out)
{
    enum store_rc rc;

    assert(case_kind && case_id && out);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->retention->held(s, case_kind, case_id, out);
    return rc;
}

enum store_rc
store_audit_horizon(struct store *s,
                    int64_t *seq,
                    unsigned char hash[STORE_HASH_SIZE])
{
    enum store_rc rc;

    assert(seq && hash);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->retention->audit_horizon(s, seq, hash);
    return rc;
}

enum store_rc
store_retention_purge(struct store *s,
                      const struct store_purge_limits *lim,
                      struct store_purge_counts *out)
{
    enum store_rc rc;

    assert(lim && out && lim->max_cases >= 0 && lim->max_audit >= 0);
    assert(s->in_tx);
    memset(out, 0, sizeof *out);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->retention->purge(s, lim, out);
    return rc;
}

void
store_hold_release_row(struct store_hold *h)
{
    if (h == NULL)
        return;
    cm_free(h->case_kind);
    cm_free(h->placed_role);
    cm_free(h->reason);
    cm_free(h->released_role);
    cm_free(h->release_reason);
    memset(h, 0, sizeof *h);
}
