/*
 * cmd_purge.c: `compel purge`, the retention purge (jobs/purge.h,
 * docs/operations.md "Retention and legal hold").
 *
 *   compel purge [--db URL] [--dry-run] [--as-of DATE] [--config FILE]
 *                [--audit-years N] [--case-years N]
 *
 * Removes what has aged out at --as-of (default: now) under the retention
 * classes of domain/retention.h: audit records older than
 * retention_audit_years, closed cases (with their documents, timeline,
 * deadlines and disclosures) older than retention_case_years and, for a
 * disclosure, also older than five years. Nothing of a case on legal hold
 * goes. Each batch is one transaction with one audit record of its
 * counts; --dry-run prints the same counts and changes nothing. The
 * periods come from the defaults, then --config FILE and COMPEL_*
 * variables (as for serve), then the flags.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "core/cfg.h"
#include "core/file.h"
#include "domain/date.h"
#include "domain/retention.h"
#include "jobs/purge.h"
#include "store/store.h"

#define CMD "purge"

extern char **environ;

struct purge_args {
    const char *db;
    const char *as_of;
    const char *config;
    const char *audit_years;
    const char *case_years;
    bool dry_run;
};

static void
usage(FILE *f)
{
    (void)fprintf(
        f,
        "usage: compel purge [--db URL] [--dry-run] [--as-of DATE]\n"
        "                    [--config FILE] [--audit-years N]"
        " [--case-years N]\n"
        "\n"
        "Remove the records whose retention period has passed, and nothing\n"
        "of a case on legal hold (docs/operations.md, \"Retention and legal\n"
        "hold\"): audit records older than retention_audit_years (at least\n"
        "1; the audit trail keeps its horizon, so `compel audit verify`\n"
        "still holds), and closed cases untouched for retention_case_years\n"
        "with their documents, timeline, deadlines and accounting of\n"
        "disclosures, a disclosure only once it is five years old. Each\n"
        "batch is one transaction with one audit record of its counts.\n"
        "\n"
        "  --db URL           the database (default $COMPEL_DB, else\n"
        "                     sqlite:var/compel.db)\n"
        "  --dry-run          print what would go; change nothing\n"
        "  --as-of DATE       purge as on YYYY-MM-DD (00:00 UTC) or at an\n"
        "                     RFC 3339 instant (default: now); never later\n"
        "                     than now\n"
        "  --config FILE      read retention_* settings from FILE\n"
        "  --audit-years N    keep audit records N years (1-100; default 7)\n"
        "  --case-years N     keep closed cases N years (1-100; default 7)\n"
        "  --help             print this help\n"
        "\n"
        "Exit status: 0 success, 1 failure, 2 usage error.\n");
}

/* The clock: UTC microseconds; for tests, the number in the file named by
 * COMPEL_TEST_CLOCK_FILE, as `compel serve` reads it (said on stderr). */
static int64_t
now_us(void)
{
    const char *clock = getenv("COMPEL_TEST_CLOCK_FILE");
    struct timespec ts;

    if (clock && *clock) {
        struct buf b = BUF_INIT;
        int64_t v = 0;

        if (file_read_all(clock, 64, &b) == CM_ERR_OK) {
            char *end = NULL;
            long long t = strtoll(buf_str(&b), &end, 10);

            if (end && end != buf_str(&b) && t > 0)
                v = (int64_t)t;
        }
        buf_release(&b);
        (void)fprintf(stderr, "compel purge: COMPEL_TEST_CLOCK_FILE is set: "
                              "the clock is read from a file (testing "
                              "only)\n");
        if (v > 0)
            return v;
    }
    (void)clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* 0 to go on, 1 when --help was printed (exit 0), 2 on a usage error. */
static int
parse_args(int argc, char **argv, struct purge_args *a)
{
    static const struct option options[] = {
        {"db", required_argument, NULL, 'd'},
        {"as-of", required_argument, NULL, 'a'},
        {"config", required_argument, NULL, 'c'},
        {"audit-years", required_argument, NULL, 'A'},
        {"case-years", required_argument, NULL, 'C'},
        {"dry-run", no_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;

    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
        switch (c) {
        case 'd':
            a->db = optarg;
            break;
        case 'a':
            a->as_of = optarg;
            break;
        case 'c':
            a->config = optarg;
            break;
        case 'A':
            a->audit_years = optarg;
            break;
        case 'C':
            a->case_years = optarg;
            break;
        case 'n':
            a->dry_run = true;
            break;
        case 'h':
            usage(stdout);
            return 1;
        case ':':
            cli_fail(CMD, "option '%s' needs a value (see --help)",
                     argv[optind - 1]);
            return 2;
        default:
            cli_fail(CMD, "unknown option '%s' (see --help)", argv[optind - 1]);
            return 2;
        }
    }
    if (optind < argc) {
        cli_fail(CMD, "unexpected argument '%s' (see --help)", argv[optind]);
        return 2;
    }
    return 0;
}

/* The periods: defaults, --config, COMPEL_* variables, then the flags.
 * 0, or 2 with the reason printed. */
static int
load_policy(const struct purge_args *a, struct retention_policy *p)
{
    struct cfg c;
    struct buf why = BUF_INIT;
    enum cm_err err = CM_ERR_OK;
    const char *bad = NULL;
    int rc = 0;

    cfg_init(&c);
    if (a->config)
        err = cfg_load_file(&c, a->config, &why);
    if (err == CM_ERR_OK)
        err = cfg_load_env(&c, environ, &why);
    if (err == CM_ERR_OK && a->audit_years)
        err = cfg_set(&c, "retention_audit_years", a->audit_years, &why);
    if (err == CM_ERR_OK && a->case_years)
        err = cfg_set(&c, "retention_case_years", a->case_years, &why);
    if (err != CM_ERR_OK) {
        cli_fail(CMD, "%s", why.len ? buf_str(&why) : "bad settings");
        rc = 2;
        goto out;
    }
    p->audit_years = (int)c.retention_audit_years;
    p->case_years = (int)c.retention_case_years;
    if (retention_policy_check(p, &bad) != CM_ERR_OK) {
        cli_fail(CMD, "%s", bad);
        rc = 2;
    }
out:
    buf_release(&why);
    cfg_release(&c);
    return rc;
}

/* --as-of: a date (its midnight UTC) or an RFC 3339 instant, not after
 * `now`. 0, or 2 with the reason printed. */
static int
parse_as_of(const char *s, int64_t now, int64_t *out)
{
    int32_t day, offset;
    int64_t t;

    if (s == NULL) {
        *out = now;
        return 0;
    }
    if (date_parse(s, &day) == CM_ERR_OK)
        t = (int64_t)day * DATE_SECONDS_PER_DAY;
    else if (date_time_parse_rfc3339(s, &t, &offset) != CM_ERR_OK) {
        cli_fail(CMD, "--as-of must be YYYY-MM-DD or an RFC 3339 instant");
        return 2;
    }
    if (t <= 0 || t > now / 1000000) {
        cli_fail(CMD, "--as-of must be after 1970 and not in the future");
        return 2;
    }
    *out = t * 1000000;
    return 0;
}

static void
print_result(const struct purge_result *r, bool dry_run)
{
    const struct store_purge_counts *c = &r->total;

    (void)printf("%s: audit=%" PRId64 " detainers=%" PRId64
                 " subpoenas=%" PRId64 " enforcements=%" PRId64
                 " documents=%" PRId64 " events=%" PRId64
                 " disclosures=%" PRId64 " deadlines=%" PRId64 "\n",
                 dry_run ? "would purge" : "purged", c->audit, c->detainers,
                 c->subpoenas, c->enforcements, c->documents, c->events,
                 c->disclosures, c->deadlines);
    if (c->horizon_seq > 0)
        (void)printf("audit horizon: entry %" PRId64 "\n", c->horizon_seq);
    if (!dry_run)
        (void)printf("audited: %d batch%s, last record %" PRId64 "\n",
                     r->batches, r->batches == 1 ? "" : "es",
                     r->last_audit_seq);
}

int
cmd_purge(int argc, char **argv)
{
    struct purge_args a;
    struct retention_policy p;
    struct purge_result r;
    struct store *s = NULL;
    int64_t now = now_us(), as_of = 0;
    enum cm_err err;
    int rc;

    memset(&a, 0, sizeof a);
    rc = parse_args(argc, argv, &a);
    if (rc)
        return rc == 1 ? 0 : rc;
    rc = load_policy(&a, &p);
    if (rc == 0)
        rc = parse_as_of(a.as_of, now, &as_of);
    if (rc)
        return rc;
    rc = cli_open_migrated(CMD, cli_db_url(a.db), &s);
    if (rc)
        return rc;
    err = purge_run(s, &p, as_of, now, a.dry_run, &r);
    if (err != CM_ERR_OK) {
        cli_fail(CMD,
                 "the purge failed (%s); batches before the failure "
                 "stay purged and audited",
                 cm_err_code(err));
        rc = 1;
    } else {
        print_result(&r, a.dry_run);
    }
    store_close(s);
    return rc;
}
