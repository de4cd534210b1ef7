/*
 * purge.h: one run of the retention purge (docs/operations.md "Retention
 * and legal hold"), shared by `compel purge` and the daily job of the
 * runner.
 *
 * A run computes the cut-offs of the retention classes
 * (domain/retention.h) at `as_of`, then removes what has aged out in
 * batches, each one transaction (store_retention_purge) that also appends
 * one audit record "retention.purge" with that batch's counts per class,
 * the cut-offs and the audit horizon. A run that removes nothing still
 * appends its record, so every run is on the trail. A dry run does the
 * same work in one transaction, reads the counts and rolls everything
 * back: nothing changes, nothing is appended.
 */
#ifndef CM_JOBS_PURGE_H
#define CM_JOBS_PURGE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/errors.h"
#include "domain/retention.h"
#include "store/store.h"

/* Cases of each kind, and audit records, per batch. */
#define PURGE_BATCH_CASES 500
#define PURGE_BATCH_AUDIT 100000

struct purge_result {
    struct store_purge_counts total; /* horizon: the last batch's */
    int batches;                     /* transactions committed */
    int64_t last_audit_seq;          /* the last record appended, or 0 */
    int64_t audit_before;            /* the cut-offs used */
    int64_t case_before;
    int64_t disclosure_before;
};

/*
 * Run the purge on `s` (outside any transaction) under `p` at `as_of_us`,
 * stamping audit records with `now_us`. With `dry_run` nothing changes.
 * *out is written on CM_ERR_OK. CM_ERR_VALIDATION_FAILED for a policy out
 * of bounds; CM_ERR_STORE_FAILURE when a batch failed (the batches before
 * it stay committed, each with its record).
 */
enum cm_err purge_run(struct store *s,
                      const struct retention_policy *p,
                      int64_t as_of_us,
                      int64_t now_us,
                      bool dry_run,
                      struct purge_result *out);

#endif
