/*
 * cmd_import.c: `compel import`, bulk import of a CSV file (src/bulk/).
 *
 *   compel import [--db URL] [--key-file K] [--office ORG] [--as EMAIL]
 *                 [--dry-run] jurisdictions|facilities|people|detainers
 *                 FILE.csv
 *
 * Every row is checked; a file with any error imports nothing and every
 * error is printed on standard error as "FILE: line N, column C: reason"
 * (exit 1). A good file is imported in one transaction; rows already
 * stored (same natural key, same values) are counted as unchanged. On a
 * terminal a progress line is updated as rows go by. See docs/import.md.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auth/fieldcrypt.h"
#include "auth/keyfile.h"
#include "bulk/bulk.h"
#include "cli/cli.h"
#include "core/buf.h"
#include "core/file.h"
#include "store/store.h"

#define CMD "import"

/* Largest file read, in bytes. */
#define IMPORT_FILE_MAX ((size_t)4 << 30)

#define SQLITE_PREFIX "sqlite:"

struct import_args {
    const char *db;
    const char *key_file;
    const char *office;
    const char *as;
    bool dry_run;
    const char *kind;
    const char *file;
};

static void
usage(FILE *f)
{
    (void)fprintf(
        f,
        "usage: compel import [--db URL] [--key-file K] [--office ORG]\n"
        "                     [--as EMAIL] [--dry-run]\n"
        "                     jurisdictions|facilities|people|detainers "
        "FILE.csv\n"
        "\n"
        "Import the rows of a CSV file (columns: docs/import.md). Every row\n"
        "is checked first; a file with any error imports nothing and each\n"
        "error is printed as `FILE: line N, column C: reason`. Rows already\n"
        "stored with the same values are left as they are.\n"
        "\n"
        "  --db URL        the database (default $COMPEL_DB, else\n"
        "                  sqlite:var/compel.db)\n"
        "  --key-file K    the key file (default PATH.key; people only)\n"
        "  --office ORG    people, detainers: the agency office (id or name)\n"
        "  --as EMAIL      the user recorded as importing (required for\n"
        "                  detainers: their lodged_by)\n"
        "  --dry-run       check everything, change nothing\n"
        "\n"
        "Exit status: 0 imported, 1 errors in the file or failure, 2 usage.\n");
}

static int
parse_args(int argc, char **argv, struct import_args *a)
{
    static const struct option options[] = {
        {"db", required_argument, NULL, 'd'},
        {"key-file", required_argument, NULL, 'k'},
        {"office", required_argument, NULL, 'o'},
        {"as", required_argument, NULL, 'a'},
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
        case 'k':
            a->key_file = optarg;
            break;
        case 'o':
            a->office = optarg;
            break;
        case 'a':
            a->as = optarg;
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
    if (argc - optind != 2) {
        cli_fail(CMD, "give the kind and the file: compel import "
                      "jurisdictions|facilities|people|detainers FILE.csv");
        return 2;
    }
    a->kind = argv[optind];
    a->file = argv[optind + 1];
    return 0;
}

/* ---- progress -------------------------------------------------------------*/

struct progress {
    struct timespec start;
    bool tty;
    bool shown;
};

static double
elapsed(const struct progress *p)
{
    struct timespec now;

    (void)clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - p->start.tv_sec) +
           (double)(now.tv_nsec - p->start.tv_nsec) / 1e9;
}

static void
on_progress(void *cls, size_t rows, size_t done, size_t total)
{
    struct progress *p = cls;
    double t = elapsed(p);
    double rate = t > 0 ? (double)rows / t : 0;
    double left = 0;
    size_t est = rows;

    if (!p->tty)
        return;
    if (done > 0 && done < total) {
        est = (size_t)((double)rows * (double)total / (double)done);
        left = rate > 0 ? (double)(est - rows) / rate : 0;
    }
    (void)fprintf(stderr, "\rrows %zu/%zu  %.0f rows/s  %d:%02d left   ", rows,
                  est, rate, (int)left / 60, (int)left % 60);
    (void)fflush(stderr);
    p->shown = true;
}

/* ---- the office and the user ---------------------------------------------*/

struct office_find {
    const char *name;
    char id[STORE_ID_SIZE];
    char last[STORE_ID_SIZE]; /* the last id listed: where a page ends */
    int matches;
    int seen;
};

static void
office_cb(void *cls, const struct store_org *o)
{
    struct office_find *f = cls;

    (void)snprintf(f->last, sizeof f->last, "%s", o->id);
    f->seen++;
    if (strcmp(o->name, f->name) == 0) {
        (void)snprintf(f->id, sizeof f->id, "%s", o->id);
        f->matches++;
    }
}

/* The agency office named by id or by name into `out`; 0 or exit status. */
static int
find_office(struct store *s, const char *arg, char out[STORE_ID_SIZE])
{
    struct store_org o;
    struct office_find f;
    char after[STORE_ID_SIZE] = "";
    enum store_rc rc;

    memset(&o, 0, sizeof o);
    if (strlen(arg) == CM_ID_LEN) {
        rc = store_org_get(s, arg, &o);
        if (rc == STORE_ONE_RESULT) {
            bool ok = strcmp(o.kind, "agency_office") == 0;

            store_org_release(&o);
            if (!ok) {
                cli_fail(CMD, "--office: %s is not an agency office", arg);
                return 1;
            }
            (void)snprintf(out, STORE_ID_SIZE, "%s", arg);
            return 0;
        }
    }
    memset(&f, 0, sizeof f);
    f.name = arg;
    for (;;) {
        int before = f.seen;
        int n = store_org_list_by_kind(s, "agency_office", after, 500,
                                       office_cb, &f);

        if (n < 0) {
            cli_fail(CMD, "the store failed listing the offices");
            return 1;
        }
        if (n < 500 || f.seen == before)
            break;
        (void)snprintf(after, sizeof after, "%s", f.last);
    }
    if (f.matches != 1) {
        cli_fail(CMD,
                 f.matches ? "--office: several offices are named '%s'; give "
                             "the id"
                           : "--office: no agency office '%s'",
                 arg);
        return 1;
    }
    (void)snprintf(out, STORE_ID_SIZE, "%s", f.id);
    return 0;
}

/* The key file: --key-file, else PATH.key for sqlite:PATH. */
static int
load_key(const char *db, const char *flag, struct fieldcrypt *fc)
{
    unsigned char master[KEYFILE_KEY_BYTES];
    struct buf path = BUF_INIT;
    enum cm_err err;
    int status = 0;

    if (flag)
        buf_adds(&path, flag);
    else if (strncmp(db, SQLITE_PREFIX, strlen(SQLITE_PREFIX)) == 0)
        buf_addf(&path, "%s.key", db + strlen(SQLITE_PREFIX));
    else {
        cli_fail(CMD, "give --key-file for this database");
        return 2;
    }
    err = keyfile_load_fieldcrypt(buf_str(&path), fc, master);
    memset(master, 0, sizeof master);
    if (err != CM_ERR_OK) {
        cli_fail(CMD, "cannot use the key file %s", buf_str(&path));
        status = 1;
    }
    buf_release(&path);
    return status;
}

static void
print_errors(const char *file, const struct bulk_result *r)
{
    for (size_t i = 0; i < r->n_errors; i++) {
        const struct bulk_error *e = &r->errors[i];

        if (e->column[0])
            (void)fprintf(stderr, "%s: line %ld, column %s: %s\n", file,
                          e->line, e->column, e->reason);
        else
            (void)fprintf(stderr, "%s: line %ld: %s\n", file, e->line,
                          e->reason);
    }
    if (r->error_count > r->n_errors)
        (void)fprintf(stderr, "%s: ... and %zu more errors\n", file,
                      r->error_count - r->n_errors);
}

static int64_t
now_us(void)
{
    struct timespec ts;

    (void)clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int
cmd_import(int argc, char **argv)
{
    struct import_args a;
    struct bulk_import in;
    struct bulk_job job;
    struct fieldcrypt fc;
    struct progress prog;
    struct store_user u;
    struct buf data = BUF_INIT;
    struct store *s = NULL;
    const char *why = NULL;
    const char *url;
    char office[STORE_ID_SIZE] = "";
    enum bulk_kind kind;
    int status;
    int rc;

    memset(&a, 0, sizeof a);
    memset(&in, 0, sizeof in);
    memset(&job, 0, sizeof job);
    memset(&fc, 0, sizeof fc);
    memset(&u, 0, sizeof u);
    memset(&prog, 0, sizeof prog);
    status = parse_args(argc, argv, &a);
    if (status != 0)
        return status;
    if (!bulk_kind_parse(a.kind, &kind)) {
        cli_fail(CMD,
                 "unknown kind '%s': jurisdictions, facilities, people "
                 "or detainers",
                 a.kind);
        return 2;
    }
    if (bulk_kind_has_office(kind) && !a.office) {
        cli_fail(CMD, "importing %s needs --office ORG", a.kind);
        return 2;
    }
    if (kind == BULK_KIND_DETAINERS && !a.as) {
        cli_fail(CMD, "importing detainers needs --as EMAIL (their lodged_by)");
        return 2;
    }
    if (file_read_all(a.file, IMPORT_FILE_MAX, &data) != CM_ERR_OK) {
        cli_fail(CMD, "cannot read %s", a.file);
        return 1;
    }
    url = cli_db_url(a.db);
    status = 1;
    if (store_open(url, STORE_OPEN_MODE_EXISTING, &s, &why) != CM_ERR_OK) {
        cli_fail(CMD, "cannot open %s: %s", url, why ? why : "failed");
        goto out_data;
    }
    if (kind == BULK_KIND_PEOPLE) {
        status = load_key(url, a.key_file, &fc);
        if (status != 0)
            goto out_store;
        status = 1;
    }
    if (a.office && find_office(s, a.office, office) != 0)
        goto out_key;
    if (a.as) {
        if (store_user_get_by_email(s, a.as, &u) != STORE_ONE_RESULT) {
            cli_fail(CMD, "--as: no user %s", a.as);
            goto out_key;
        }
    }
    in.kind = kind;
    in.data = data.data ? data.data : "";
    in.len = data.len;
    in.office_id = office;
    in.fc = &fc;
    in.actor.user_id = u.id[0] ? u.id : NULL;
    in.actor.org_id = u.org_id[0] ? u.org_id : NULL;
    in.actor.role = "cli";
    in.now = now_us();
    in.validate_only = a.dry_run;
    prog.tty = isatty(STDERR_FILENO) == 1;
    (void)clock_gettime(CLOCK_MONOTONIC, &prog.start);
    in.progress = on_progress;
    in.progress_cls = &prog;
    job.in = &in;
    rc = a.dry_run ? store_tx_run_read(s, "import", bulk_import_tx, &job)
                   : store_tx_run(s, "import", bulk_import_tx, &job);
    if (prog.shown)
        (void)fputc('\n', stderr);
    if (job.result.error_count > 0) {
        print_errors(a.file, &job.result);
        cli_fail(CMD, "%s: %zu error%s in %zu row%s; nothing was imported",
                 a.file, job.result.error_count,
                 job.result.error_count == 1 ? "" : "s", job.result.rows,
                 job.result.rows == 1 ? "" : "s");
        goto out_result;
    }
    if (rc < 0) {
        cli_fail(CMD, "the store failed; nothing was imported");
        goto out_result;
    }
    (void)printf("%s%s: %zu rows, created %zu, unchanged %zu (%.1f s)\n",
                 a.dry_run ? "dry run, nothing written: " : "", a.kind,
                 job.result.rows, job.result.created, job.result.unchanged,
                 elapsed(&prog));
    status = 0;
out_result:
    bulk_result_release(&job.result);
out_key:
    store_user_release(&u);
    fieldcrypt_release(&fc);
out_store:
    store_close(s);
out_data:
    buf_release(&data);
    return status;
}
