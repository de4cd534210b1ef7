/*
 * cmd_deadline.c: `compel deadline`, compute a deadline from the command
 * line on the federal calendar and explain it.
 *
 *   compel deadline --from 2020-01-13 --days 14 [--rule R] [--before]
 *                   [--closure YYYY-MM-DD[:name]]... [--explain]
 *   compel deadline --from 2020-01-17T15:00 --tz America/Denver
 *                   --hours 48 --rule 48h-clock [--explain]
 *
 * The first line of output is the due date (or instant, RFC 3339 with the
 * zone's offset); --explain adds the explanation. A usage error prints one
 * line and exits 2; a failure at run time (an unreadable zone file) exits
 * 1.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/zoneinfo.h"
#include "domain/calendar.h"
#include "domain/date.h"
#include "domain/deadline.h"
#include "domain/tz.h"

#define CMD "deadline"

enum { EXIT_OK = 0, EXIT_FAILURE_RUN = 1, EXIT_USAGE = 2 };

struct args {
    const char *from;
    const char *days;
    const char *hours;
    const char *rule;
    const char *zone;
    bool before;
    bool explain;
    bool help;
};

static void
print_usage(FILE *f)
{
    (void)fprintf(
        f,
        "usage: compel deadline --from DATE --days N [--rule RULE] [--before]\n"
        "                       [--closure DATE[:NAME]]... [--explain]\n"
        "       compel deadline --from DATETIME --tz ZONE --hours N\n"
        "                       --rule RULE [--closure DATE[:NAME]]... "
        "[--explain]\n"
        "\n"
        "Compute a deadline on the federal calendar (5 U.S.C. 6103) and\n"
        "print it (YYYY-MM-DD, or RFC 3339 for hour clocks).\n"
        "\n"
        "options:\n"
        "  --from DATE|DATETIME  the trigger: YYYY-MM-DD for day rules;\n"
        "                        YYYY-MM-DDTHH:MM[:SS] (local time in --tz)\n"
        "                        or an RFC 3339 instant for hour clocks\n"
        "  --days N              the period in days (0-36600)\n"
        "  --hours N             the period in hours (0-87600)\n"
        "  --rule RULE           day rules: frcp6-days (default),\n"
        "                        business-days; hour clocks: 48h-clock,\n"
        "                        48h-excluding-weekends-holidays,\n"
        "                        frcp6-hours\n"
        "  --tz ZONE             the facility's IANA time zone (hour "
        "clocks)\n"
        "  --before              count backward from the trigger (day "
        "rules)\n"
        "  --closure DATE[:NAME] add a dated closure (repeatable)\n"
        "  --explain             print why: each day skipped or rolled over\n"
        "  --help                print this help\n"
        "\n"
        "Exit status: 0 success, 1 failure, 2 usage error.\n");
}

/* Parse a non-negative decimal number of at most `max`. */
static bool
parse_count(const char *s, int64_t max, int64_t *out)
{
    int64_t v = 0;

    if (!s || !*s)
        return false;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        v = v * 10 + (*p - '0');
        if (v > max)
            return false;
    }
    *out = v;
    return true;
}

/* Add "--closure DATE[:NAME]" to `cal`; 0 or an exit status. */
static int
add_closure(struct calendar *cal, const char *arg)
{
    struct buf why = BUF_INIT;
    const char *colon = strchr(arg, ':');
    char *date = colon ? cm_strndup(arg, (size_t)(colon - arg)) : NULL;
    const char *name = colon && colon[1] ? colon + 1 : "closure";
    int32_t day;
    int rc = EXIT_OK;

    if (date_parse(date ? date : arg, &day) != CM_ERR_OK) {
        cli_fail(CMD, "--closure: '%s' is not a valid date YYYY-MM-DD",
                 date ? date : arg);
        rc = EXIT_USAGE;
        goto out_free;
    }
    if (calendar_add_closure(cal, day, name, "command line (--closure)",
                             &why) != CM_ERR_OK) {
        cli_fail(CMD, "--closure %s: %s", arg, buf_str(&why));
        rc = EXIT_USAGE;
    }
out_free:
    buf_release(&why);
    cm_free(date);
    return rc;
}

/* Print the result's due line and, when asked, the explanation. */
static void
print_result(const struct deadline_result *r, bool explain)
{
    char due[DATE_RFC3339_SIZE];
    struct buf text = BUF_INIT;

    deadline_format_due(r, due);
    (void)printf("%s\n", due);
    if (explain) {
        deadline_explain(r, &text);
        (void)fputs(buf_str(&text), stdout);
    }
    buf_release(&text);
}

static int
run_days(const struct args *a, const struct calendar *cal)
{
    struct deadline_result r;
    struct buf why = BUF_INIT;
    int32_t trigger;
    int64_t days;
    const char *rule = a->rule ? a->rule : "frcp6-days";
    int rc = EXIT_USAGE;

    if (date_parse(a->from, &trigger) != CM_ERR_OK) {
        cli_fail(CMD, "--from: '%s' is not a valid date YYYY-MM-DD", a->from);
        goto out_why;
    }
    if (!parse_count(a->days, DEADLINE_DAYS_MAX, &days)) {
        cli_fail(CMD, "--days: '%s' is not a whole number of days 0-%d",
                 a->days, DEADLINE_DAYS_MAX);
        goto out_why;
    }
    if (deadline_compute_days(cal, rule, trigger, days,
                              a->before ? DEADLINE_DIRECTION_BEFORE
                                        : DEADLINE_DIRECTION_AFTER,
                              &r, &why) != CM_ERR_OK) {
        cli_fail(CMD, "%s", buf_str(&why));
        goto out_why;
    }
    print_result(&r, a->explain);
    deadline_result_release(&r);
    rc = EXIT_OK;
out_why:
    buf_release(&why);
    return rc;
}

/* Load zone `name` into `*tz`; 0 or an exit status. */
static int
load_zone(const char *name, struct tz *tz)
{
    struct buf data = BUF_INIT;
    struct buf why = BUF_INIT;
    enum cm_err err = zoneinfo_read(name, &data);
    int rc = EXIT_OK;

    if (err == CM_ERR_VALIDATION_FAILED || err == CM_ERR_NOT_FOUND) {
        cli_fail(CMD, "--tz: unknown time zone '%s'", name);
        return EXIT_USAGE;
    }
    if (err != CM_ERR_OK) {
        cli_fail(CMD, "--tz: cannot read the zone file of '%s'", name);
        return EXIT_FAILURE_RUN;
    }
    if (tz_parse(data.data, data.len, name, tz, &why) != CM_ERR_OK) {
        cli_fail(CMD, "--tz: zone file of '%s' is damaged: %s", name,
                 buf_str(&why));
        rc = EXIT_FAILURE_RUN;
    }
    buf_release(&why);
    buf_release(&data);
    return rc;
}

static int
run_hours(const struct args *a, const struct calendar *cal)
{
    struct deadline_result r;
    struct buf why = BUF_INIT;
    struct tz tz;
    int64_t hours, trigger, local;
    int32_t offset;
    int rc;

    if (!parse_count(a->hours, DEADLINE_HOURS_MAX, &hours)) {
        cli_fail(CMD, "--hours: '%s' is not a whole number of hours 0-%d",
                 a->hours, DEADLINE_HOURS_MAX);
        return EXIT_USAGE;
    }
    rc = load_zone(a->zone, &tz);
    if (rc != EXIT_OK)
        return rc;
    rc = EXIT_USAGE;
    if (date_time_parse_rfc3339(a->from, &trigger, &offset) != CM_ERR_OK) {
        if (date_time_parse_local(a->from, &local) != CM_ERR_OK) {
            cli_fail(CMD,
                     "--from: '%s' is not a date-time YYYY-MM-DDTHH:MM[:SS]",
                     a->from);
            goto out_tz;
        }
        tz_local_to_utc(&tz, local, &trigger, NULL);
    }
    if (deadline_compute_hours(cal, &tz, a->rule, trigger, hours, &r, &why) !=
        CM_ERR_OK) {
        cli_fail(CMD, "%s", buf_str(&why));
        goto out_tz;
    }
    print_result(&r, a->explain);
    deadline_result_release(&r);
    rc = EXIT_OK;
out_tz:
    buf_release(&why);
    tz_release(&tz);
    return rc;
}

/* Check the combination of flags; 0 or EXIT_USAGE after one line. */
static int
check_args(const struct args *a)
{
    const struct deadline_rule *rule =
        a->rule ? deadline_rule_find_any(a->rule) : NULL;

    if (!a->from) {
        cli_fail(CMD, "--from is required (see --help)");
        return EXIT_USAGE;
    }
    if (a->rule && !rule) {
        cli_fail(CMD, "--rule: unknown rule '%s' (see --help)", a->rule);
        return EXIT_USAGE;
    }
    if (a->days && a->hours) {
        cli_fail(CMD, "give --days or --hours, not both");
        return EXIT_USAGE;
    }
    if (!a->days && !a->hours) {
        cli_fail(CMD, "--days or --hours is required (see --help)");
        return EXIT_USAGE;
    }
    if (a->days && rule && rule->unit != DEADLINE_UNIT_DAYS) {
        cli_fail(CMD, "--days cannot be used with hour rule '%s'; use --hours",
                 a->rule);
        return EXIT_USAGE;
    }
    if (a->days && a->zone) {
        cli_fail(CMD, "--tz applies only to hour clocks (--hours)");
        return EXIT_USAGE;
    }
    if (a->hours && !rule) {
        cli_fail(CMD, "--hours needs --rule 48h-clock, "
                      "48h-excluding-weekends-holidays or frcp6-hours");
        return EXIT_USAGE;
    }
    if (a->hours && rule->unit != DEADLINE_UNIT_HOURS) {
        cli_fail(CMD, "--hours cannot be used with day rule '%s'; use --days",
                 a->rule);
        return EXIT_USAGE;
    }
    if (a->hours && !a->zone) {
        cli_fail(CMD, "--hours needs --tz ZONE (e.g. America/Denver)");
        return EXIT_USAGE;
    }
    if (a->hours && a->before) {
        cli_fail(CMD, "--before applies only to day rules");
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

int
cmd_deadline(int argc, char **argv)
{
    static const struct option options[] = {
        {"from", required_argument, NULL, 'f'},
        {"days", required_argument, NULL, 'd'},
        {"hours", required_argument, NULL, 'H'},
        {"rule", required_argument, NULL, 'r'},
        {"tz", required_argument, NULL, 'z'},
        {"before", no_argument, NULL, 'b'},
        {"closure", required_argument, NULL, 'c'},
        {"explain", no_argument, NULL, 'e'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct args a;
    struct calendar cal;
    int c, rc = EXIT_USAGE;

    memset(&a, 0, sizeof a);
    calendar_init_federal(&cal);
    opterr = 0;
    optind = 0; /* glibc: start a fresh scan */
    while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
        switch (c) {
        case 'f':
            a.from = optarg;
            break;
        case 'd':
            a.days = optarg;
            break;
        case 'H':
            a.hours = optarg;
            break;
        case 'r':
            a.rule = optarg;
            break;
        case 'z':
            a.zone = optarg;
            break;
        case 'b':
            a.before = true;
            break;
        case 'e':
            a.explain = true;
            break;
        case 'h':
            a.help = true;
            break;
        case 'c':
            rc = add_closure(&cal, optarg);
            if (rc != EXIT_OK)
                goto out_calendar;
            rc = EXIT_USAGE;
            break;
        case ':':
            cli_fail(CMD, "%s needs a value", argv[optind - 1]);
            goto out_calendar;
        default:
            cli_fail(CMD, "unknown option '%s' (see --help)", argv[optind - 1]);
            goto out_calendar;
        }
    }
    if (a.help) {
        print_usage(stdout);
        rc = EXIT_OK;
        goto out_calendar;
    }
    if (optind < argc) {
        cli_fail(CMD, "unexpected argument '%s'", argv[optind]);
        goto out_calendar;
    }
    rc = check_args(&a);
    if (rc != EXIT_OK)
        goto out_calendar;
    rc = a.days ? run_days(&a, &cal) : run_hours(&a, &cal);
out_calendar:
    calendar_release(&cal);
    return rc;
}
