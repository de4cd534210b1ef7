/*
 * cmd_migrate_store.c: `compel migrate-store`, move an office's database
 * from SQLite to PostgreSQL.
 *
 *   compel migrate-store --from sqlite:PATH --to postgresql://...
 *                        [--key-file K]
 *
 * The target must be a new PostgreSQL database: empty (its schema is then
 * migrated first) or migrated by this compel and holding no rows. Every
 * table is copied (store_copy.h) inside ONE transaction on the target,
 * from ONE read transaction on the source (a consistent snapshot; the
 * source is never written). Before the commit the all-time jurisdiction
 * report, the row count of every table and the audit chain's head are
 * compared with the source's: any difference rolls the whole copy back.
 * The report aggregates are copied as they are, not rebuilt: they keep
 * each detainer's decision as it was recorded (store_copy.h says why). After
 * the commit a new connection to the target counts every table again, verifies
 * the audit chain from its first entry to its last, and checks that the key
 * file opens a sealed personal field there, so the operator knows to
 * keep using the same key file. See docs/operations.md, "Moving from
 * SQLite to PostgreSQL".
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"
#include "audit/chain.h"
#include "auth/fieldcrypt.h"
#include "auth/keyfile.h"
#include "auth/password.h"
#include "cli/cli.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/redact.h"
#include "store/store.h"

#define CMD           "migrate-store"
#define SQLITE_PREFIX "sqlite:"

/* The most jurisdictions whose reports are compared. */
#define MAX_JURISDICTIONS 4096

struct args {
    const char *from;
    const char *to;
    const char *key_file;
};

static void
usage(FILE *f)
{
    (void)fprintf(
        f,
        "usage: compel migrate-store --from sqlite:PATH --to "
        "postgresql://... [--key-file K]\n"
        "\n"
        "Copy every row of a SQLite database into a new PostgreSQL database\n"
        "in one transaction, then verify the copy: every table's row count,\n"
        "the audit chain end to end with the same head, the jurisdiction\n"
        "report, and the key file against the personal fields. The source\n"
        "is only read; stop writes to it (stop compel serve) first.\n"
        "\n"
        "  --from URL     the SQLite database to move (sqlite:PATH)\n"
        "  --to URL       the new PostgreSQL database (postgresql://...):\n"
        "                 empty, or migrated by this compel with no rows\n"
        "  --key-file K   the source's key file (default PATH.key); use the\n"
        "                 same file with the new database\n"
        "  --help         print this help\n"
        "\n"
        "Exit status: 0 moved and verified, 1 failure (nothing written to\n"
        "the target unless said so), 2 usage error.\n");
}

static int64_t
now_us(void)
{
    struct timespec ts;

    (void)clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static bool
is_postgres_url(const char *url)
{
    return strncmp(url, "postgresql://", 13) == 0 ||
           strncmp(url, "postgres://", 11) == 0;
}

/* 0 to go on, 1 when --help was printed (exit 0), 2 on a usage error. */
static int
parse_args(int argc, char **argv, struct args *a)
{
    static const struct option options[] = {
        {"from", required_argument, NULL, 'f'},
        {"to", required_argument, NULL, 't'},
        {"key-file", required_argument, NULL, 'k'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;

    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
        switch (c) {
        case 'f':
            a->from = optarg;
            break;
        case 't':
            a->to = optarg;
            break;
        case 'k':
            a->key_file = optarg;
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
    if (a->from == NULL || *a->from == '\0') {
        cli_fail(CMD, "--from sqlite:PATH is required (see --help)");
        return 2;
    }
    if (a->to == NULL || *a->to == '\0') {
        cli_fail(CMD, "--to postgresql://... is required (see --help)");
        return 2;
    }
    if (strncmp(a->from, SQLITE_PREFIX, strlen(SQLITE_PREFIX)) != 0 ||
        a->from[strlen(SQLITE_PREFIX)] == '\0') {
        cli_fail(CMD, "--from: give the SQLite database to move as "
                      "sqlite:PATH (only SQLite databases are moved)");
        return 2;
    }
    if (!is_postgres_url(a->to)) {
        cli_fail(CMD, "--to: give the new PostgreSQL database as "
                      "postgresql://USER@HOST/DB");
        return 2;
    }
    if (a->key_file && *a->key_file == '\0') {
        cli_fail(CMD, "--key-file: give a file name");
        return 2;
    }
    return 0;
}

/* ---- the key file against a sealed field -------------------------------*/

/* The first person of a database: id and sealed family name. */
struct first_person {
    char id[STORE_ID_SIZE];
    struct buf family_name;
    bool found;
};

static int
take_person(void *cls, const struct store_copy_value *row, size_t n)
{
    struct first_person *p = cls;

    if (n != 2 || row[0].type != STORE_COPY_TYPE_TEXT ||
        row[0].len >= sizeof p->id || row[1].type != STORE_COPY_TYPE_BYTES)
        return STORE_HARD_ERROR;
    memcpy(p->id, row[0].data, row[0].len);
    p->id[row[0].len] = '\0';
    buf_add(&p->family_name, row[1].data, row[1].len);
    p->found = true;
    return 1; /* one is enough */
}

static enum store_rc
read_first_person(struct store *s, void *cls)
{
    static const char *const cols[] = {"id", "family_name"};
    struct first_person *p = cls;
    int n;

    buf_reset(&p->family_name);
    p->found = false;
    n = store_copy_read(s, "people", cols, 2, cols, 1, take_person, p);
    return n < 0 ? (enum store_rc)n : STORE_ONE_RESULT;
}

/* Whether `fc` opens the first person's family name in `s`: 1 yes, 0 no
 * person, -1 it does not open, -2 the store failed. *id is written. */
static int
key_opens(struct store *s, const struct fieldcrypt *fc, char id[STORE_ID_SIZE])
{
    struct first_person p = {{0}, BUF_INIT, false};
    struct buf plain = BUF_INIT;
    int result = -2;

    if (store_tx_run_read(s, "migrate-store key check", read_first_person, &p) <
        0)
        goto out;
    result = 0;
    if (!p.found)
        goto out;
    memcpy(id, p.id, STORE_ID_SIZE);
    result = fieldcrypt_open(fc, p.id, "family_name", p.family_name.data,
                             p.family_name.len, &plain) == CM_ERR_OK
                 ? 1
                 : -1;
    if (plain.data)
        explicit_bzero(plain.data, plain.len);
out:
    buf_release(&plain);
    buf_release(&p.family_name);
    return result;
}

/* ---- the jurisdiction report on both sides -----------------------------*/

struct report_row {
    char org_id[STORE_ID_SIZE];
    int64_t counts[STORE_REPORT_MEASURE__COUNT];
    int64_t open;
    int64_t overdue;
    bool has_median;
    int64_t median_days;
};

struct report {
    struct report_row *rows;
    size_t n;
    bool overflow;
};

static void
take_report_row(void *cls, const struct store_report_row *r)
{
    struct report *rep = cls;
    struct report_row *o;

    if (rep->n >= MAX_JURISDICTIONS) {
        rep->overflow = true;
        return;
    }
    o = &rep->rows[rep->n++];
    memset(o, 0, sizeof *o);
    memcpy(o->org_id, r->org_id, sizeof o->org_id);
    memcpy(o->counts, r->counts, sizeof o->counts);
    o->open = r->open;
    o->overdue = r->overdue;
    o->has_median = r->has_median;
    o->median_days = r->has_median ? r->median_days : 0;
}

/* The all-time report of every jurisdiction of `s` as of `now`. */
static enum store_rc
read_report(struct store *s, int64_t now, struct report *rep)
{
    static const char *const periods[] = {"*"};
    int n;

    rep->n = 0;
    rep->overflow = false;
    n = store_report_jurisdictions(s, periods, NULL, 1, NULL, now,
                                   take_report_row, rep);
    if (n < 0)
        return (enum store_rc)n;
    return STORE_ONE_RESULT;
}

/* ---- the copy ----------------------------------------------------------*/

struct copy_ctx {
    struct store *src;
    struct store *dst;
    int64_t now;
    struct store_copy_result result;
    int64_t head_seq;
    unsigned char head[STORE_HASH_SIZE];
    size_t jurisdictions;
    struct report src_report;
    struct report dst_report;
    bool refused; /* a check failed: result.why says which */
};

/* Compare the two reports; false with ctx->result.why on a difference. */
static bool
reports_equal(struct copy_ctx *c)
{
    const struct report *a = &c->src_report, *b = &c->dst_report;

    if (a->overflow || b->overflow || a->n != b->n) {
        (void)snprintf(c->result.why, sizeof c->result.why,
                       "the jurisdiction report lists %zu jurisdictions in "
                       "the source and %zu in the target",
                       a->n, b->n);
        return false;
    }
    for (size_t i = 0; i < a->n; i++) {
        const struct report_row *x = &a->rows[i], *y = &b->rows[i];
        const char *what = NULL;
        int64_t vx = 0, vy = 0;

        if (strcmp(x->org_id, y->org_id) != 0)
            what = "jurisdiction";
        for (size_t m = 0; what == NULL && m < STORE_REPORT_MEASURE__COUNT;
             m++) {
            if (x->counts[m] != y->counts[m]) {
                what = "measure";
                vx = x->counts[m];
                vy = y->counts[m];
                (void)snprintf(c->result.why, sizeof c->result.why,
                               "the all-time report of jurisdiction %s "
                               "differs: measure %zu is %lld in the source, "
                               "%lld in the target",
                               x->org_id, m, (long long)vx, (long long)vy);
                return false;
            }
        }
        if (what == NULL && (x->open != y->open || x->overdue != y->overdue))
            what = "open or overdue count";
        if (what == NULL && (x->has_median != y->has_median ||
                             x->median_days != y->median_days))
            what = "median of days to response";
        if (what) {
            (void)snprintf(c->result.why, sizeof c->result.why,
                           "the all-time report of jurisdiction %s differs "
                           "between the source and the target (%s)",
                           x->org_id, what);
            return false;
        }
    }
    return true;
}

/* The write transaction on the target (run inside the source's read
 * transaction). */
static enum store_rc
copy_tx(struct store *dst, void *cls)
{
    struct copy_ctx *c = cls;
    unsigned char dst_head[STORE_HASH_SIZE];
    int64_t src_seq = 0, dst_seq = 0;
    enum store_rc rc, drc;

    c->refused = false;
    rc = store_copy_run(c->src, dst, &c->result);
    if (rc == STORE_NO_RESULTS)
        goto out_refused;
    if (rc < 0)
        return rc;
    rc = store_audit_head(c->src, &src_seq, c->head);
    drc = store_audit_head(dst, &dst_seq, dst_head);
    if (rc < 0 || drc < 0)
        return rc < 0 ? rc : drc;
    if (rc != drc || src_seq != dst_seq ||
        (rc == STORE_ONE_RESULT &&
         memcmp(c->head, dst_head, sizeof dst_head) != 0)) {
        (void)snprintf(c->result.why, sizeof c->result.why,
                       "the audit chain's head differs: seq %lld in the "
                       "source, %lld in the target",
                       (long long)src_seq, (long long)dst_seq);
        goto out_refused;
    }
    c->head_seq = rc == STORE_ONE_RESULT ? src_seq : 0;
    if (rc != STORE_ONE_RESULT)
        memset(c->head, 0, sizeof c->head);
    rc = read_report(c->src, c->now, &c->src_report);
    if (rc >= 0)
        rc = read_report(dst, c->now, &c->dst_report);
    if (rc < 0)
        return rc;
    if (!reports_equal(c))
        goto out_refused;
    c->jurisdictions = c->src_report.n;
    return STORE_ONE_RESULT;
out_refused:
    c->refused = true;
    return STORE_HARD_ERROR; /* roll the target back */
}

/* The read transaction on the source. */
static enum store_rc
snapshot_tx(struct store *src, void *cls)
{
    struct copy_ctx *c = cls;
    int rc = store_tx_run(c->dst, "migrate-store copy", copy_tx, c);

    (void)src;
    /* The target's own runner has retried already: no second loop. */
    return rc == STORE_SOFT_ERROR ? STORE_HARD_ERROR : (enum store_rc)rc;
}

/* ---- after the commit --------------------------------------------------*/

/* Reopen the target, count every table and verify the audit chain; 0, or
 * 1 after reporting. */
static int
verify_target(const char *url,
              const struct copy_ctx *c,
              const struct fieldcrypt *fc,
              int64_t *entries,
              int *key_result)
{
    struct audit_verify_result r;
    unsigned char head[STORE_HASH_SIZE];
    char id[STORE_ID_SIZE] = "";
    struct store *s = NULL;
    int64_t seq = 0;
    enum store_rc rc;
    int status = cli_open_store(CMD, url, &s);

    if (status != 0)
        return 1;
    status = 1;
    for (size_t i = 0; i < c->result.n_tables; i++) {
        int64_t n = -1;

        if (store_copy_count(s, c->result.tables[i].name, &n) < 0 ||
            n != c->result.tables[i].rows) {
            cli_fail(CMD,
                     "the copy committed, but table %s holds %lld rows in "
                     "the target and %lld in the source: drop the target "
                     "database and run again",
                     c->result.tables[i].name, (long long)n,
                     (long long)c->result.tables[i].rows);
            goto out_close;
        }
    }
    if (audit_verify(s, NULL, NULL, &r) != CM_ERR_OK) {
        cli_fail(CMD, "the copy committed, but its audit trail cannot be read");
        goto out_close;
    }
    rc = store_audit_head(s, &seq, head);
    if (!r.ok || rc < 0 || r.checked + r.horizon_seq != c->head_seq ||
        (c->head_seq > 0 && memcmp(head, c->head, sizeof head) != 0)) {
        cli_fail(CMD,
                 "the copy committed, but its audit trail does not verify "
                 "(entry %lld: %s; %lld entries, %lld in the source): drop "
                 "the target database and run again",
                 (long long)r.first_bad_seq,
                 audit_verify_failure_name(r.reason), (long long)r.checked,
                 (long long)c->head_seq);
        goto out_close;
    }
    *entries = r.checked;
    *key_result = key_opens(s, fc, id);
    if (*key_result < 0) {
        cli_fail(CMD,
                 "the copy committed, but the key file does not open the "
                 "personal fields of person %s there",
                 id);
        goto out_close;
    }
    status = 0;
out_close:
    store_close(s);
    return status;
}

/* Print `url` without its password. */
static void
print_url(const char *label, const char *url)
{
    struct buf line = BUF_INIT;

    redact_add(&line, url, strlen(url));
    (void)printf("%s%s\n", label, buf_str(&line));
    buf_release(&line);
}

static void
print_summary(const struct args *a,
              const char *key,
              const struct copy_ctx *c,
              int64_t entries,
              int key_result,
              int applied)
{
    char hex[2 * AUDIT_HASH_BYTES + 1];

    print_url("moved ", a->from);
    print_url("   to ", a->to);
    if (applied > 0)
        (void)printf("schema: %d migration%s applied to the empty target "
                     "first\n",
                     applied, applied == 1 ? "" : "s");
    for (size_t i = 0; i < c->result.n_tables; i++)
        (void)printf("  %-26s %10lld\n", c->result.tables[i].name,
                     (long long)c->result.tables[i].rows);
    (void)printf("rows: %lld in %zu tables, the same count in each table "
                 "on both sides\n",
                 (long long)c->result.rows, c->result.n_tables);
    audit_hash_hex(c->head, hex);
    (void)printf("audit trail verified in the target: %lld entries; head "
                 "seq %lld hash %s, as in the source\n",
                 (long long)entries, (long long)c->head_seq, hex);
    (void)printf("reports: aggregates copied; the all-time report of %zu "
                 "jurisdiction%s equals the source's\n",
                 c->jurisdictions, c->jurisdictions == 1 ? "" : "s");
    if (key_result > 0)
        (void)printf("key file: %s opens the personal fields in the new "
                     "database; use this same key file with it\n",
                     key);
    else
        (void)printf("key file: no person to check it against; use %s, "
                     "the source's key file, with the new database\n",
                     key);
    (void)printf("the source was only read: keep it until the new database "
                 "is in service (docs/operations.md)\n");
}

/* Load the key file and derive the field keys; 0, or 1 after reporting. */
static int
load_fieldcrypt(const char *path, struct fieldcrypt *fc)
{
    unsigned char master[KEYFILE_KEY_BYTES];
    enum cm_err err;
    int status = 1;

    if (password_lib_init() != CM_ERR_OK) {
        cli_fail(CMD, "cannot initialise the crypto library");
        return 1;
    }
    err = keyfile_load_fieldcrypt(path, fc, master);
    if (err == CM_ERR_IO) {
        cli_fail(CMD,
                 "cannot read key file %s (give the source's key file "
                 "with --key-file)",
                 path);
        return 1;
    }
    if (err == CM_ERR_OK)
        status = 0;
    else if (err == CM_ERR_INTERNAL)
        cli_fail(CMD, "cannot derive the field keys from %s", path);
    else
        cli_fail(CMD, "key file %s is malformed or readable by group or others",
                 path);
    explicit_bzero(master, sizeof master);
    return status;
}

/* Open the target, migrating it when it holds no schema; 0, or the exit
 * status after reporting. *applied = migrations applied now. */
static int
open_target(const char *url, struct store **out, int *applied)
{
    const char *why = NULL;
    struct store *s = NULL;
    enum cm_err err = store_open(url, STORE_OPEN_MODE_EXISTING, &s, &why);
    int version = 0, pending = 0;

    if (err != CM_ERR_OK) {
        cli_fail(CMD, "--to %s: %s; nothing was written", url,
                 why ? why : "cannot open the database");
        return err == CM_ERR_USAGE ? 2 : 1;
    }
    if (store_schema_version(s, &version) != STORE_ONE_RESULT ||
        store_migrations_pending(s, &pending) != STORE_ONE_RESULT) {
        cli_fail(CMD, "--to %s: cannot read its schema", url);
        goto out_close;
    }
    if (version > 0 && pending > 0) {
        cli_fail(CMD,
                 "--to %s: its schema is older than this compel's; give an "
                 "empty database, or run `compel migrate --db` on it first",
                 url);
        goto out_close;
    }
    if (version == 0 &&
        store_migrate(s, now_us(), applied) != STORE_ONE_RESULT) {
        cli_fail(CMD, "--to %s: migrating the empty target failed", url);
        goto out_close;
    }
    *out = s;
    return 0;
out_close:
    store_close(s);
    return 1;
}

int
cmd_migrate_store(int argc, char **argv)
{
    struct args a = {0};
    struct buf key = BUF_INIT;
    struct fieldcrypt fc;
    struct copy_ctx c;
    char id[STORE_ID_SIZE] = "";
    int64_t entries = 0;
    int pending = 0, applied = 0, key_result = 0;
    int status = parse_args(argc, argv, &a);
    int rc;

    memset(&c, 0, sizeof c);
    memset(&fc, 0, sizeof fc);
    if (status != 0)
        return status == 1 ? 0 : status;
    if (a.key_file)
        buf_adds(&key, a.key_file);
    else
        buf_addf(&key, "%s.key", a.from + strlen(SQLITE_PREFIX));
    status = load_fieldcrypt(buf_str(&key), &fc);
    if (status != 0)
        goto out;
    status = cli_open_store(CMD, a.from, &c.src);
    if (status != 0)
        goto out_fc;
    status = 1;
    if (store_migrations_pending(c.src, &pending) != STORE_ONE_RESULT) {
        cli_fail(CMD, "--from %s: cannot read its schema", a.from);
        goto out_close;
    }
    if (pending > 0) {
        cli_fail(CMD,
                 "--from %s: %d migration%s pending; run `compel migrate "
                 "--db %s` first",
                 a.from, pending, pending == 1 ? " is" : "s are", a.from);
        goto out_close;
    }
    switch (key_opens(c.src, &fc, id)) {
    case -2:
        cli_fail(CMD, "--from %s: cannot read its people", a.from);
        goto out_close;
    case -1:
        cli_fail(CMD,
                 "key file %s does not open the personal fields of %s "
                 "(person %s): it is not this database's key",
                 buf_str(&key), a.from, id);
        goto out_close;
    default:
        break;
    }
    status = open_target(a.to, &c.dst, &applied);
    if (status != 0)
        goto out_close;
    status = 1;
    c.now = now_us();
    c.src_report.rows = cm_calloc(MAX_JURISDICTIONS, sizeof(struct report_row));
    c.dst_report.rows = cm_calloc(MAX_JURISDICTIONS, sizeof(struct report_row));
    rc = store_tx_run_read(c.src, "migrate-store snapshot", snapshot_tx, &c);
    store_close(c.dst);
    c.dst = NULL;
    if (rc < 0) {
        if (c.refused || c.result.why[0])
            cli_fail(CMD, "%s; nothing was written to the target",
                     c.result.why);
        else
            cli_fail(CMD,
                     "the copy failed (see the log line above); nothing was "
                     "written to the target");
        goto out_close;
    }
    if (verify_target(a.to, &c, &fc, &entries, &key_result) != 0)
        goto out_close;
    print_summary(&a, buf_str(&key), &c, entries, key_result, applied);
    status = 0;
out_close:
    cm_free(c.src_report.rows);
    cm_free(c.dst_report.rows);
    store_close(c.dst);
    store_close(c.src);
out_fc:
    fieldcrypt_release(&fc);
out:
    buf_release(&key);
    return status;
}
