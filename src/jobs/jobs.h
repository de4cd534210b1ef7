/*
 * jobs.h: compel's background work: the job runner that `compel serve`
 * starts, and one tick of it.
 *
 * Every tick (jobs_interval seconds) the runner
 *   1. scans the deadlines due soon or lately passed and, for each whose
 *      reminder stage (reminders.h) has arrived and whose case is still
 *      open, enqueues one "reminder.fanout" job under the natural key
 *      (deadline, due, stage): inserted once, however many ticks or
 *      servers see it;
 *   2. claims due jobs (store_job_claim: each goes to one worker) and runs
 *      them: a fanout job enqueues, in the same transaction that completes
 *      it, one "reminder.email" job per responsible user (when SMTP is
 *      configured) and one "reminder.webhook" job per webhook of an
 *      organization of the case, each under its own natural key; an email
 *      or webhook job checks again that the deadline and case still call
 *      for it, sends, and records the delivery under its key in the same
 *      transaction that completes it. A failed send runs again after an
 *      exponential backoff with jitter, and after max_attempts the job is
 *      dead, listed for admins (GET /api/v1/jobs?state=dead);
 *   3. once per UTC day, when a retention policy is set, runs the
 *      retention purge (purge.h) on one server, then disables the
 *      accounts inactive for inactive_days (inactive.h) when it is set.
 *
 * The clock is the caller's (the app clock, which tests move), and the
 * runner has its own store connection.
 */
#ifndef CM_JOBS_JOBS_H
#define CM_JOBS_JOBS_H

#include <stdbool.h>
#include <stdint.h>

#include "auth/fieldcrypt.h"
#include "core/errors.h"
#include "domain/retention.h"
#include "jobs/reminders.h"
#include "store/store.h"

/* Jobs claimed at once, and claim rounds per tick. */
#define JOBS_CLAIM_BATCH  16
#define JOBS_CLAIM_ROUNDS 8

/* How long a claim holds before another worker may take the job. */
#define JOBS_LEASE_US (INT64_C(300) * 1000000)

/* Backoff of a failed job: 30 s doubled per attempt, at most 6 hours,
 * plus up to 20% jitter. */
#define JOBS_BACKOFF_BASE_US (INT64_C(30) * 1000000)
#define JOBS_BACKOFF_MAX_US  (INT64_C(6) * 3600 * 1000000)

/* Deadlines passed longer ago than this get no overdue reminder. */
#define JOBS_OVERDUE_SCAN_DAYS 14

/* Secret of a webhook, in bytes (sealed in the store). */
#define JOBS_WEBHOOK_SECRET_BYTES 32

/* The field name webhook secrets are sealed under (fieldcrypt). */
#define JOBS_WEBHOOK_SECRET_FIELD "webhook.secret"

/* What the runner needs; strings and fc are borrowed and must outlive it. */
struct jobs_config {
    const char *db_url;
    const char *smtp_url;   /* "" or NULL: no email */
    const char *smtp_from;  /* envelope and From: address */
    const char *public_url; /* base of links in emails, or NULL */
    struct reminder_policy policy;
    unsigned interval_s;     /* seconds between ticks */
    unsigned max_attempts;   /* a job is dead after this many failures */
    bool webhook_private_ok; /* deliver to non-public addresses (webhook.h) */
    int inactive_days; /* disable accounts unused this long (inactive.h); 0 */
    const struct fieldcrypt *fc;
    int64_t (*now)(void *ctx); /* UTC microseconds */
    void *now_ctx;
    /* Today's day number in IANA zone `tz` (NULL: UTC) at `now_us`. */
    int32_t (*today_in)(const char *tz, int64_t now_us);
    /* The daily retention purge (purge.h) under this policy, once per UTC
     * day across every server (claimed in meta JOBS_META_PURGE_DAY);
     * audit_years 0: never. */
    struct retention_policy retention;
};

/* The meta key holding the UTC day (YYYY-MM-DD) of the last daily purge. */
#define JOBS_META_PURGE_DAY "retention_last_purge_day"

/* What one tick did. */
struct jobs_tick_result {
    int enqueued; /* fanout jobs made by the scan */
    int ran;      /* jobs run */
    int failed;   /* of which failed */
    bool purged;  /* this tick ran the day's retention purge */
    int disabled; /* accounts it disabled as inactive (inactive.h) */
};

/*
 * Run one tick on store `s` as worker `worker` (see the top of this file).
 * Writes *out when not NULL. CM_ERR_STORE_FAILURE when the store fails
 * (the tick stops; the next one starts over).
 */
enum cm_err jobs_tick(struct store *s,
                      const struct jobs_config *c,
                      const char *worker,
                      struct jobs_tick_result *out);

/* When a job that failed for the `attempts`-th time (1 for the first)
 * runs again, from `now`: 0 when it is dead (attempts >= max_attempts). */
int64_t jobs_next_run(int64_t now, int64_t attempts, unsigned max_attempts);

struct jobs_runner;

/*
 * Start the runner thread with `c` (copied; its strings borrowed): it
 * opens its own store connection and ticks every c->interval_s seconds,
 * the first time right away. *out (on success) is stopped and freed with
 * jobs_runner_stop. CM_ERR_INTERNAL when the thread cannot start.
 */
enum cm_err jobs_runner_start(const struct jobs_config *c,
                              struct jobs_runner **out);

/* Stop the runner (waiting for a tick in progress) and free it; accepts
 * NULL. */
void jobs_runner_stop(struct jobs_runner *r);

#endif
