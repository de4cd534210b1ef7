/*
 * purge.c: one run of the retention purge in batches, each batch a
 * transaction with its own audit record (purge.h).
 */
#include "jobs/purge.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/buf.h"
#include "core/log.h"

struct batch_tx {
    const struct store_purge_limits *lim;
    int64_t now_us;
    int64_t as_of_us;
    int batch;
    bool dry_run;
    struct store_purge_counts got;
    int64_t seq;
    bool is_dry_done; /* the dry run read its counts: roll back */
};

static void
add_counts(struct store_purge_counts *to, const struct store_purge_counts *c)
{
    to->audit += c->audit;
    to->detainers += c->detainers;
    to->subpoenas += c->subpoenas;
    to->enforcements += c->enforcements;
    to->documents += c->documents;
    to->events += c->events;
    to->disclosures += c->disclosures;
    to->deadlines += c->deadlines;
    to->horizon_seq = c->horizon_seq;
    memcpy(to->horizon_hash, c->horizon_hash, sizeof to->horizon_hash);
}

static enum store_rc
batch_tx(struct store *s, void *ctx)
{
    struct batch_tx *t = ctx;
    struct buf d = BUF_INIT;
    struct audit_entry e = {.at_us = t->now_us,
                            .action = "retention.purge",
                            .object_kind = "retention",
                            .outcome = "ok"};
    enum store_rc rc;

    memset(&t->got, 0, sizeof t->got);
    t->seq = 0;
    t->is_dry_done = false;
    rc = store_retention_purge(s, t->lim, &t->got);
    if (rc < 0)
        return rc;
    if (t->dry_run) {
        t->is_dry_done = true;
        return STORE_HARD_ERROR; /* roll back what it removed */
    }
    /* Counts and cut-offs only: no personal value, no case id. */
    buf_addf(
        &d,
        "batch=%d as_of=%" PRId64 " audit=%" PRId64 " detainers=%" PRId64
        " subpoenas=%" PRId64 " enforcements=%" PRId64 " documents=%" PRId64
        " events=%" PRId64 " disclosures=%" PRId64 " deadlines=%" PRId64
        " audit_before=%" PRId64 " case_before=%" PRId64
        " disclosure_before=%" PRId64 " horizon=%" PRId64,
        t->batch, t->as_of_us, t->got.audit, t->got.detainers, t->got.subpoenas,
        t->got.enforcements, t->got.documents, t->got.events,
        t->got.disclosures, t->got.deadlines, t->lim->audit_before,
        t->lim->case_before, t->lim->disclosure_before, t->got.horizon_seq);
    if (t->got.horizon_seq > 0) {
        buf_adds(&d, ":");
        for (size_t i = 0; i < sizeof t->got.horizon_hash; i++)
            buf_addf(&d, "%02x", t->got.horizon_hash[i]);
    }
    e.detail = buf_str(&d);
    rc = audit_append(s, &e, &t->seq);
    buf_release(&d);
    return rc < 0 ? rc : STORE_ONE_RESULT;
}

/* Whether a batch removed as many as it may have: another may follow. */
static bool
is_full(const struct store_purge_counts *c,
        const struct store_purge_limits *lim)
{
    return c->subpoenas >= lim->max_cases || c->detainers >= lim->max_cases ||
           c->audit >= lim->max_audit;
}

enum cm_err
purge_run(struct store *s,
          const struct retention_policy *p,
          int64_t as_of_us,
          int64_t now_us,
          bool dry_run,
          struct purge_result *out)
{
    struct purge_result r;
    struct store_purge_limits lim;
    struct batch_tx t;
    const char *why = NULL;

    if (retention_policy_check(p, &why) != CM_ERR_OK || as_of_us <= 0)
        return CM_ERR_VALIDATION_FAILED;
    memset(&r, 0, sizeof r);
    lim.audit_before =
        retention_cutoff(as_of_us, retention_years(p, RETENTION_CLASS_AUDIT));
    lim.case_before =
        retention_cutoff(as_of_us, retention_years(p, RETENTION_CLASS_CASE));
    lim.disclosure_before = retention_cutoff(
        as_of_us, retention_years(p, RETENTION_CLASS_DISCLOSURE));
    lim.max_cases = dry_run ? INT32_MAX : PURGE_BATCH_CASES;
    lim.max_audit = dry_run ? INT64_MAX : PURGE_BATCH_AUDIT;
    r.audit_before = lim.audit_before;
    r.case_before = lim.case_before;
    r.disclosure_before = lim.disclosure_before;
    do {
        int rc;

        memset(&t, 0, sizeof t);
        t.lim = &lim;
        t.now_us = now_us;
        t.as_of_us = as_of_us;
        t.batch = r.batches + 1;
        t.dry_run = dry_run;
        rc = store_tx_run(s, dry_run ? "purge_dry_run" : "purge", batch_tx, &t);
        if (rc < 0 && !(dry_run && t.is_dry_done)) {
            LOG_ERROR("purge: batch %d failed", t.batch);
            return CM_ERR_STORE_FAILURE;
        }
        add_counts(&r.total, &t.got);
        if (dry_run)
            break;
        r.batches++;
        r.last_audit_seq = t.seq;
    } while (is_full(&t.got, &lim));
    *out = r;
    return CM_ERR_OK;
}
