/*
 * cmd_report.c: `compel report jurisdictions`, the jurisdiction report
 * (docs/reports.md) on the command line, from the same aggregates and
 * with the same definitions as GET /api/v1/reports/jurisdictions:
 *
 *   compel report [--db URL] jurisdictions [--from D] [--to D]
 *                 [--format table|csv|json] [--public]
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "http/reports.h"
#include "store/store.h"

#define CMD "report"

static void
usage(FILE *f)
{
    (void)fprintf(
        f, "usage: compel report [--db URL] jurisdictions [--from DATE] "
           "[--to DATE]\n"
           "                     [--format table|csv|json] [--public]\n"
           "\n"
           "Per jurisdiction: detainers lodged, honored, declined; subpoenas\n"
           "served, resolved and how, on time, open, overdue, referred;\n"
           "enforcement outcomes (definitions: docs/reports.md).\n"
           "\n"
           "  --db URL         the database: sqlite:PATH (default $COMPEL_DB, "
           "else\n"
           "                   sqlite:var/compel.db)\n"
           "  --from DATE      first day counted, YYYY-MM-DD (default: all "
           "time)\n"
           "  --to DATE        last day counted, YYYY-MM-DD (default: today)\n"
           "  --format F       table (default), csv or json\n"
           "  --public         the publishable export: no ids, no count below "
           "5\n"
           "  --help           print this help\n"
           "\n"
           "Exit status: 0 success, 1 failure, 2 usage error.\n");
}

static int64_t
now_us(void)
{
    struct timespec ts;

    (void)clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

struct report_ctx {
    struct reports_query q;
    enum reports_format format;
    struct buf text;
};

static enum store_rc
report_tx(struct store *s, void *ctx)
{
    struct report_ctx *c = ctx;

    return reports_write(s, &c->q, c->format, &c->text);
}

enum report_format {
    REPORT_FORMAT_TABLE,
    REPORT_FORMAT_CSV,
    REPORT_FORMAT_JSON
};

/* Parse the options into *c, *fmt and *db; 0, or the exit status. */
static int
parse(int argc,
      char **argv,
      struct report_ctx *c,
      enum report_format *fmt,
      const char **db)
{
    static const struct option options[] = {
        {"db", required_argument, NULL, 'd'},
        {"from", required_argument, NULL, 'f'},
        {"to", required_argument, NULL, 't'},
        {"format", required_argument, NULL, 'F'},
        {"public", no_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *field = NULL;
    char why[200];
    int opt;

    opterr = 0;
    optind = 1;
    while ((opt = getopt_long(argc, argv, ":", options, NULL)) != -1) {
        switch (opt) {
        case 'd':
            *db = optarg;
            break;
        case 'f':
            c->q.from = optarg;
            break;
        case 't':
            c->q.to = optarg;
            break;
        case 'F':
            if (strcmp(optarg, "table") == 0) {
                *fmt = REPORT_FORMAT_TABLE;
            } else if (strcmp(optarg, "csv") == 0) {
                *fmt = REPORT_FORMAT_CSV;
            } else if (strcmp(optarg, "json") == 0) {
                *fmt = REPORT_FORMAT_JSON;
            } else {
                cli_fail(CMD, "--format must be table, csv or json, not '%s'",
                         optarg);
                return 2;
            }
            break;
        case 'p':
            c->q.is_public = true;
            break;
        case 'h':
            usage(stdout);
            return -1;
        case ':':
            cli_fail(CMD, "option '%s' needs a value (see --help)",
                     argv[optind - 1]);
            return 2;
        default:
            cli_fail(CMD, "unknown option '%s' (see --help)", argv[optind - 1]);
            return 2;
        }
    }
    if (optind >= argc) {
        cli_fail(CMD, "say which report: `compel report jurisdictions`");
        return 2;
    }
    if (strcmp(argv[optind], "jurisdictions") != 0) {
        cli_fail(CMD, "unknown report '%s'; the report is `jurisdictions`",
                 argv[optind]);
        return 2;
    }
    if (optind + 1 < argc) {
        cli_fail(CMD, "unexpected argument '%s' (see --help)",
                 argv[optind + 1]);
        return 2;
    }
    if (reports_check_query(&c->q, &field, why, sizeof why) != CM_ERR_OK) {
        cli_fail(CMD, "--%s: %s", field, why);
        return 2;
    }
    return 0;
}

int
cmd_report(int argc, char **argv)
{
    struct report_ctx c;
    enum report_format fmt = REPORT_FORMAT_TABLE;
    const char *db = NULL;
    const char *url;
    const char *why = NULL;
    struct store *s = NULL;
    struct buf out = BUF_INIT;
    char *text;
    int status;

    memset(&c, 0, sizeof c);
    status = parse(argc, argv, &c, &fmt, &db);
    if (status != 0)
        return status < 0 ? 0 : status;
    c.q.now = now_us();
    url = cli_db_url(db);
    status = 1;
    switch (store_open(url, STORE_OPEN_MODE_EXISTING, &s, &why)) {
    case CM_ERR_OK:
        break;
    case CM_ERR_USAGE:
        cli_fail(CMD, "%s: %s", url, why);
        status = 2;
        goto out;
    default:
        cli_fail(CMD, "%s: %s", url, why);
        goto out;
    }
    c.format = fmt == REPORT_FORMAT_CSV    ? REPORTS_FORMAT_CSV
               : fmt == REPORT_FORMAT_JSON ? REPORTS_FORMAT_JSON
                                           : REPORTS_FORMAT_TABLE;
    if (store_tx_run_read(s, "report", report_tx, &c) < 0) {
        cli_fail(CMD, "%s: the report could not be read", url);
        goto out_close;
    }
    if (fmt == REPORT_FORMAT_JSON) {
        /* the server's compact text, indented for a reader; rates keep
         * their short form (0.4, not 0.40000000000000002) */
        json_t *doc = json_loadb(c.text.data, c.text.len, 0, NULL);

        text = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
                                         JSON_REAL_PRECISION(15))
                   : NULL;
        json_decref(doc);
        if (!text) {
            cli_fail(CMD, "cannot write the report as JSON");
            goto out_close;
        }
        buf_adds(&out, text);
        buf_addch(&out, '\n');
        free(text);
    } else {
        buf_add(&out, c.text.data, c.text.len);
    }
    if (out.len && fwrite(out.data, 1, out.len, stdout) != out.len) {
        cli_fail(CMD, "cannot write the report");
        goto out_close;
    }
    status = 0;
out_close:
    store_close(s);
out:
    buf_release(&out);
    buf_release(&c.text);
    return status;
}
