/*
 * inactive.c: disabling accounts unused for a long time (inactive.h).
 */
#include "jobs/inactive.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "store/store_auth.h"

/* The ids of the inactive accounts, read before any is changed. */
struct ids {
    char (*v)[STORE_ID_SIZE];
    size_t n, cap;
};

static void
collect(void *cls, const struct store_user *u)
{
    struct ids *ids = cls;

    if (ids->n == ids->cap) {
        ids->cap = ids->cap ? 2 * ids->cap : 16;
        ids->v = cm_realloc(ids->v, ids->cap * sizeof *ids->v);
    }
    (void)snprintf(ids->v[ids->n++], STORE_ID_SIZE, "%s", u->id);
}

struct disable_tx {
    const char *id;
    int64_t cutoff;
    int64_t now;
    int days;
    bool disabled;
};

/* Disable one account, unless it was disabled meanwhile (read again
 * inside the transaction). */
static enum store_rc
disable_tx(struct store *s, void *cls)
{
    struct disable_tx *t = cls;
    struct store_user u = {0};
    struct store_user upd;
    struct buf detail = BUF_INIT;
    struct audit_entry e = {.at_us = t->now,
                            .action = "user.disable_inactive",
                            .object_kind = "user",
                            .outcome = "ok"};
    enum store_rc rc = store_user_get(s, t->id, &u);
    int ended;

    t->disabled = false;
    if (rc != STORE_ONE_RESULT)
        return rc;
    if (u.disabled) {
        store_user_release(&u);
        return STORE_NO_RESULTS;
    }
    upd = u;
    upd.disabled = true;
    upd.updated_at = t->now;
    rc = store_user_update_profile(s, &upd);
    if (rc == STORE_NO_RESULTS)
        rc = STORE_SOFT_ERROR; /* changed meanwhile: run again */
    if (rc != STORE_ONE_RESULT)
        goto out;
    ended = store_session_end_by_user(s, u.id, NULL, t->now);
    if (ended < 0) {
        rc = (enum store_rc)ended;
        goto out;
    }
    /* Ids and counts only: no name, no email. */
    buf_addf(&detail, "no login or token use for %d days; sessions_ended=%d",
             t->days, ended);
    e.org_id = u.org_id;
    e.object_id = u.id;
    e.detail = buf_str(&detail);
    rc = audit_append(s, &e, NULL);
    if (rc >= 0) {
        t->disabled = true;
        rc = STORE_ONE_RESULT;
    }
out:
    buf_release(&detail);
    store_user_release(&u);
    return rc;
}

enum cm_err
inactive_run(struct store *s, int days, int64_t now_us, int *disabled)
{
    struct ids ids = {NULL, 0, 0};
    int64_t cutoff = now_us - (int64_t)days * 86400 * INT64_C(1000000);
    enum cm_err err = CM_ERR_OK;
    int n;

    *disabled = 0;
    n = store_user_list_inactive(s, cutoff, collect, &ids);
    if (n < 0) {
        cm_free(ids.v);
        return CM_ERR_STORE_FAILURE;
    }
    for (size_t i = 0; i < ids.n; i++) {
        struct disable_tx t = {ids.v[i], cutoff, now_us, days, false};

        if (store_tx_run(s, "disable_inactive", disable_tx, &t) < 0) {
            err = CM_ERR_STORE_FAILURE;
            break;
        }
        if (t.disabled)
            (*disabled)++;
    }
    cm_free(ids.v);
    return err;
}
