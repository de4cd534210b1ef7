/*
 * cmd_backup.c: `compel backup`, a consistent online copy of the database.
 *
 *   compel backup [--db URL] --out FILE [--key-file K]
 *
 * The copy is taken while `compel serve` keeps running: it holds the
 * database as it stood at one moment (store_backup). It is then opened
 * on its own and its audit trail verified from the first entry to the
 * last, so a backup that is reported as written is one that can be
 * restored and that still proves its history. The key file is NOT in the
 * copy (it must be kept apart from the data it protects); the command
 * names it so that the operator backs it up separately. See
 * docs/operations.md.
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "audit/audit.h"
#include "auth/password.h"
#include "cli/cli.h"
#include "core/buf.h"
#include "core/file.h"
#include "store/store.h"

#define CMD           "backup"
#define SQLITE_PREFIX "sqlite:"

struct backup_args {
    const char *db;
    const char *out;
    const char *key_file;
};

static void
usage(FILE *f)
{
    (void)fprintf(
        f, "usage: compel backup [--db URL] --out FILE [--key-file K]\n"
           "\n"
           "Write a consistent copy of the database to FILE (which must not\n"
           "exist) while the server keeps running, then open the copy and\n"
           "verify its audit trail. The copy is readable by its owner only.\n"
           "\n"
           "  --db URL       the database: sqlite:PATH (default $COMPEL_DB,\n"
           "                 else sqlite:var/compel.db)\n"
           "  --out FILE     the copy to create (required)\n"
           "  --key-file K   the database's key file, named in the reminder\n"
           "                 to back it up apart (default PATH.key)\n"
           "  --help         print this help\n"
           "\n"
           "The key file is not copied: without it the personal data in the\n"
           "copy cannot be read, so keep a copy of it apart from the backup.\n"
           "Exit status: 0 success, 1 failure, 2 usage error.\n");
}

/* 0 to go on, 1 when --help was printed (exit 0), 2 on a usage error. */
static int
parse_args(int argc, char **argv, struct backup_args *a)
{
    static const struct option options[] = {
        {"db", required_argument, NULL, 'd'},
        {"out", required_argument, NULL, 'o'},
        {"key-file", required_argument, NULL, 'k'},
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
            a->out = optarg;
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
    if (a->out == NULL || *a->out == '\0') {
        cli_fail(CMD, "--out FILE is required (see --help)");
        return 2;
    }
    if (a->key_file && *a->key_file == '\0') {
        cli_fail(CMD, "--key-file: give a file name");
        return 2;
    }
    return 0;
}

/* Open the copy at `path` and verify its audit trail; 0, or 1 after
 * reporting. *entries = how many entries were verified. */
static int
verify_copy(const char *path, int64_t *entries)
{
    struct buf url = BUF_INIT;
    struct audit_verify_result r;
    struct store *s = NULL;
    int status = 1;

    buf_addf(&url, "%s%s", SQLITE_PREFIX, path);
    if (cli_open_store(CMD, buf_str(&url), &s) != 0)
        goto out;
    if (audit_verify(s, NULL, NULL, &r) != CM_ERR_OK) {
        cli_fail(CMD, "%s: cannot read the copy's audit trail", path);
        goto out_close;
    }
    if (!r.ok) {
        cli_fail(CMD,
                 "%s: the copy's audit trail does not verify (entry %lld: "
                 "%s); run `compel audit verify` on the database",
                 path, (long long)r.first_bad_seq,
                 audit_verify_failure_name(r.reason));
        goto out_close;
    }
    *entries = r.checked;
    status = 0;
out_close:
    store_close(s);
out:
    buf_release(&url);
    return status;
}

int
cmd_backup(int argc, char **argv)
{
    struct backup_args a = {0};
    struct buf key = BUF_INIT;
    struct store *s = NULL;
    struct stat st;
    const char *url;
    int64_t entries = 0;
    enum store_rc rc;
    int status;

    status = parse_args(argc, argv, &a);
    if (status != 0)
        return status == 1 ? 0 : status;
    url = cli_db_url(a.db);
    if (strncmp(url, SQLITE_PREFIX, strlen(SQLITE_PREFIX)) != 0) {
        cli_fail(CMD, "--db: only sqlite: databases are copied by compel; "
                      "back up PostgreSQL with its own tools "
                      "(docs/operations.md)");
        return 2;
    }
    if (a.key_file)
        buf_adds(&key, a.key_file);
    else
        buf_addf(&key, "%s.key", url + strlen(SQLITE_PREFIX));
    status = 1;
    if (file_exists(a.out)) {
        cli_fail(CMD, "%s already exists; refusing to overwrite it", a.out);
        goto out;
    }
    status = cli_open_store(CMD, url, &s);
    if (status != 0)
        goto out;
    status = 1;
    rc = store_backup(s, a.out);
    store_close(s);
    if (rc != STORE_ONE_RESULT) {
        cli_fail(CMD, "%s: the copy failed (%s); nothing was kept", a.out,
                 rc == STORE_SOFT_ERROR ? "the database was busy; try again"
                                        : "see the log line above");
        (void)remove(a.out);
        goto out;
    }
    if (password_lib_init() != CM_ERR_OK) {
        cli_fail(CMD, "cannot initialise the crypto library");
        goto out;
    }
    if (verify_copy(a.out, &entries) != 0)
        goto out;
    if (stat(a.out, &st) != 0) {
        cli_fail(CMD, "%s: the copy vanished", a.out);
        goto out;
    }
    (void)printf("wrote %s (%lld bytes)\n"
                 "audit trail verified in the copy: %lld entries\n"
                 "the key file is not in the copy: keep a copy of %s apart "
                 "from it\n",
                 a.out, (long long)st.st_size, (long long)entries,
                 buf_str(&key));
    status = 0;
out:
    buf_release(&key);
    return status;
}
