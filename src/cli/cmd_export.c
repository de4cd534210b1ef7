/*
 * cmd_export.c: `compel export`, a case list as CSV (src/bulk/).
 *
 *   compel export [--db URL] [--office ORG_ID] [--state S[,S...]]
 *                 [--facility-id ID] [--person-id ID] [--recipient-org-id ID]
 *                 [--number N] [--out FILE]
 *                 detainers|subpoenas|enforcements
 *
 * Without --office every case is exported (an operator's tool, run on the
 * database host); with it, the cases of that agency office. Detainers are
 * written in the import format (docs/import.md), so the file imports
 * again. --out writes a new file (never overwrites); else standard output.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "bulk/bulk.h"
#include "cli/cli.h"
#include "core/buf.h"
#include "core/file.h"
#include "store/store.h"

#define CMD "export"

/* Mode of a file written with --out: it may hold case data. */
#define EXPORT_FILE_MODE 0600

struct export_args {
    const char *db;
    const char *office;
    const char *out;
    const char *kind;
    struct store_case_filter filter;
};

struct export_job {
    enum bulk_export_kind kind;
    struct store_scope scope;
    const struct store_case_filter *filter;
    struct buf out;
    size_t rows;
};

static void
usage(FILE *f)
{
    (void)fprintf(
        f, "usage: compel export [--db URL] [--office ORG_ID] [--state S]\n"
           "                     [--facility-id ID] [--person-id ID]\n"
           "                     [--recipient-org-id ID] [--number N]\n"
           "                     [--out FILE] "
           "detainers|subpoenas|enforcements\n"
           "\n"
           "Write every case of the list that passes the filters as CSV.\n"
           "Detainers come in the import format (docs/import.md).\n"
           "\n"
           "  --office ORG_ID   only the cases of this agency office\n"
           "  --state S         one state or several joined by commas\n"
           "  --out FILE        write a new file (default: standard output)\n"
           "\n"
           "Exit status: 0 success, 1 failure, 2 usage error.\n");
}

static int
parse_args(int argc, char **argv, struct export_args *a)
{
    static const struct option options[] = {
        {"db", required_argument, NULL, 'd'},
        {"office", required_argument, NULL, 'o'},
        {"state", required_argument, NULL, 's'},
        {"facility-id", required_argument, NULL, 'f'},
        {"person-id", required_argument, NULL, 'p'},
        {"recipient-org-id", required_argument, NULL, 'r'},
        {"number", required_argument, NULL, 'n'},
        {"out", required_argument, NULL, 'O'},
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
        case 'o':
            a->office = optarg;
            break;
        case 's':
            a->filter.state = optarg;
            break;
        case 'f':
            a->filter.facility_id = optarg;
            break;
        case 'p':
            a->filter.person_id = optarg;
            break;
        case 'r':
            a->filter.recipient_org_id = optarg;
            break;
        case 'n':
            a->filter.number = optarg;
            break;
        case 'O':
            a->out = optarg;
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
    if (argc - optind != 1) {
        cli_fail(CMD, "give what to export: detainers, subpoenas or "
                      "enforcements");
        return 2;
    }
    a->kind = argv[optind];
    return 0;
}

static enum store_rc
export_tx(struct store *s, void *ctx)
{
    struct export_job *j = ctx;

    buf_reset(&j->out);
    return bulk_export(s, j->kind, &j->scope, j->filter, &j->out, &j->rows);
}

int
cmd_export(int argc, char **argv)
{
    struct export_args a;
    struct export_job j;
    struct store *s = NULL;
    const char *why = NULL;
    const char *url;
    int status;

    memset(&a, 0, sizeof a);
    memset(&j, 0, sizeof j);
    status = parse_args(argc, argv, &a);
    if (status != 0)
        return status;
    if (strcmp(a.kind, "detainers") == 0) {
        j.kind = BULK_EXPORT_KIND_DETAINERS;
    } else if (strcmp(a.kind, "subpoenas") == 0) {
        j.kind = BULK_EXPORT_KIND_SUBPOENAS;
    } else if (strcmp(a.kind, "enforcements") == 0) {
        j.kind = BULK_EXPORT_KIND_ENFORCEMENTS;
    } else {
        cli_fail(CMD,
                 "unknown list '%s': detainers, subpoenas or "
                 "enforcements",
                 a.kind);
        return 2;
    }
    if (a.office) {
        if (strlen(a.office) != CM_ID_LEN) {
            cli_fail(CMD, "--office: give the office's id");
            return 2;
        }
        (void)snprintf(j.scope.agency_org_id, sizeof j.scope.agency_org_id,
                       "%s", a.office);
    } else {
        j.scope.all = true;
    }
    j.filter = &a.filter;
    url = cli_db_url(a.db);
    if (store_open(url, STORE_OPEN_MODE_EXISTING, &s, &why) != CM_ERR_OK) {
        cli_fail(CMD, "cannot open %s: %s", url, why ? why : "failed");
        return 1;
    }
    status = 1;
    if (store_tx_run_read(s, "export", export_tx, &j) < 0) {
        cli_fail(CMD, "the store failed");
        goto out_release;
    }
    if (a.out) {
        enum cm_err err =
            file_write_new(a.out, j.out.data, j.out.len, EXPORT_FILE_MODE);

        if (err != CM_ERR_OK) {
            cli_fail(CMD,
                     err == CM_ERR_ALREADY_EXISTS
                         ? "%s exists already; it is never overwritten"
                         : "cannot write %s",
                     a.out);
            goto out_release;
        }
        (void)fprintf(stderr, "%s: %zu rows written to %s\n", a.kind, j.rows,
                      a.out);
    } else if (j.out.len &&
               fwrite(j.out.data, 1, j.out.len, stdout) != j.out.len) {
        cli_fail(CMD, "cannot write to standard output");
        goto out_release;
    }
    status = 0;
out_release:
    buf_release(&j.out);
    store_close(s);
    return status;
}
