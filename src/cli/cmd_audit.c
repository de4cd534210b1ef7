/*
 * cmd_audit.c: `compel audit`, check the audit trail's hash chain and sign
 * checkpoints of it.
 *
 *   compel audit verify [--db URL] [--key-file K] [--checkpoint FILE]
 *   compel audit checkpoint [--db URL] [--key-file K] --out FILE
 *
 * `verify` walks the whole trail and names the first entry that does not
 * hold; with a checkpoint file (whose signature is checked first with the
 * public key derived from the key file) it also catches a trail cut short
 * or rewritten since. `checkpoint` writes a new signed checkpoint of the
 * current head to a file that must not exist yet; keep it away from the
 * database host. See docs/audit.md.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"
#include "auth/keyfile.h"
#include "auth/password.h"
#include "cli/cli.h"
#include "core/buf.h"
#include "core/file.h"
#include "store/store.h"

#define CMD            "audit"
#define CMD_VERIFY     "audit verify"
#define CMD_CHECKPOINT "audit checkpoint"

#define SQLITE_PREFIX "sqlite:"

/* Mode of a checkpoint file: it holds no secret. */
#define CHECKPOINT_FILE_MODE 0644

struct audit_args {
    const char *db;
    const char *key_file;
    const char *checkpoint; /* verify */
    const char *out;        /* checkpoint */
};

static void
usage(FILE *f)
{
    (void)fprintf(f,
                  "usage: compel audit verify [--db URL] [--key-file K] "
                  "[--checkpoint FILE]\n"
                  "       compel audit checkpoint [--db URL] [--key-file K] "
                  "--out FILE\n"
                  "\n"
                  "  verify       check every entry of the audit trail's hash "
                  "chain\n"
                  "  checkpoint   write a signed checkpoint of its head\n"
                  "\n"
                  "`compel audit <subcommand> --help` lists its options.\n"
                  "Exit status: 0 success, 1 failure, 2 usage error.\n");
}

static void
usage_verify(FILE *f)
{
    (void)fprintf(
        f, "usage: compel audit verify [--db URL] [--key-file K] "
           "[--checkpoint FILE]\n"
           "\n"
           "Recompute the hash of every audit entry in order and name the\n"
           "first one that was changed or is missing. With a checkpoint made\n"
           "by `compel audit checkpoint`, also check that the trail still\n"
           "holds every entry it covered, unchanged.\n"
           "\n"
           "  --db URL           the database: sqlite:PATH (default "
           "$COMPEL_DB,\n"
           "                     else sqlite:var/compel.db)\n"
           "  --key-file K       the key file whose public key checks the\n"
           "                     checkpoint's signature (default PATH.key)\n"
           "  --checkpoint FILE  a checkpoint file to verify against\n"
           "  --help             print this help\n"
           "\n"
           "Prints \"ok: N entries verified\", or \"bad: entry N: REASON\" "
           "with\n"
           "REASON one of hash_mismatch, gap, truncated, "
           "checkpoint_mismatch\n"
           "(\"bad: checkpoint: origin_mismatch\" for another database's "
           "checkpoint).\n"
           "Exit status: 0 the trail holds, 1 it does not or a failure, 2 "
           "usage\n"
           "error.\n");
}

static void
usage_checkpoint(FILE *f)
{
    (void)fprintf(
        f, "usage: compel audit checkpoint [--db URL] [--key-file K] --out "
           "FILE\n"
           "\n"
           "Write a checkpoint of the audit trail's current head, signed with\n"
           "a key derived from the key file, to FILE (which must not exist).\n"
           "Keep checkpoints away from the database host: they are what\n"
           "catches a trail that was cut short or rewritten.\n"
           "\n"
           "  --db URL       the database: sqlite:PATH (default $COMPEL_DB,\n"
           "                 else sqlite:var/compel.db)\n"
           "  --key-file K   the key file (default PATH.key)\n"
           "  --out FILE     the checkpoint file to create (required)\n"
           "  --help         print this help\n"
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

/* Parse the options of subcommand `cmd` into *a: verify takes
 * --checkpoint, checkpoint takes --out. 0 to go on, 1 when --help was
 * printed (exit 0), 2 on a usage error (already reported). */
static int
parse_args(const char *cmd,
           int argc,
           char **argv,
           bool is_verify,
           struct audit_args *a)
{
    static const struct option options[] = {
        {"db", required_argument, NULL, 'd'},
        {"key-file", required_argument, NULL, 'k'},
        {"checkpoint", required_argument, NULL, 'c'},
        {"out", required_argument, NULL, 'o'},
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
        case 'c':
            if (!is_verify) {
                cli_fail(cmd, "--checkpoint is an option of `compel audit "
                              "verify` (see --help)");
                return 2;
            }
            a->checkpoint = optarg;
            break;
        case 'o':
            if (is_verify) {
                cli_fail(cmd, "--out is an option of `compel audit "
                              "checkpoint` (see --help)");
                return 2;
            }
            a->out = optarg;
            break;
        case 'h':
            if (is_verify)
                usage_verify(stdout);
            else
                usage_checkpoint(stdout);
            return 1;
        case ':':
            cli_fail(cmd, "option '%s' needs a value (see --help)",
                     argv[optind - 1]);
            return 2;
        default:
            cli_fail(cmd, "unknown option '%s' (see --help)", argv[optind - 1]);
            return 2;
        }
    }
    if (optind < argc) {
        cli_fail(cmd, "unexpected argument '%s' (see --help)", argv[optind]);
        return 2;
    }
    if (a->checkpoint && *a->checkpoint == '\0') {
        cli_fail(cmd, "--checkpoint: give a file name");
        return 2;
    }
    if (!is_verify && (a->out == NULL || *a->out == '\0')) {
        cli_fail(cmd, "--out FILE is required (see --help)");
        return 2;
    }
    return 0;
}

/* The key file: --key-file, else PATH.key for sqlite:PATH, into `path`.
 * 0, or 2 after reporting a usage error. */
static int
key_path(const char *cmd, const char *url, const char *flag, struct buf *path)
{
    if (flag && *flag) {
        buf_adds(path, flag);
        return 0;
    }
    if (strncmp(url, SQLITE_PREFIX, strlen(SQLITE_PREFIX)) == 0 &&
        url[strlen(SQLITE_PREFIX)] != '\0') {
        buf_addf(path, "%s.key", url + strlen(SQLITE_PREFIX));
        return 0;
    }
    cli_fail(cmd, "--key-file is required for a database that is not "
                  "sqlite:PATH");
    return 2;
}

/* Load the master key at `path` into `master`; 0, or 1 after reporting. */
static int
load_key(const char *cmd,
         const char *path,
         unsigned char master[KEYFILE_KEY_BYTES])
{
    enum cm_err err;

    if (password_lib_init() != CM_ERR_OK) {
        cli_fail(cmd, "cannot initialise the crypto library");
        return 1;
    }
    err = keyfile_load(path, master);
    if (err == CM_ERR_OK)
        return 0;
    if (err == CM_ERR_IO)
        cli_fail(cmd, "cannot read key file %s", path);
    else
        cli_fail(cmd,
                 "key file %s is malformed or readable by group or "
                 "others",
                 path);
    return 1;
}

/* Read, parse and signature-check the checkpoint file `path` with the key
 * file `key_file`; *pk and *cp written on success. 0, or the exit status
 * after reporting. */
static int
load_checkpoint(const char *path,
                const char *key_file,
                unsigned char pk[CHECKPOINT_PUBLIC_BYTES],
                struct checkpoint *cp)
{
    unsigned char master[KEYFILE_KEY_BYTES];
    struct buf text = BUF_INIT;
    int status = load_key(CMD_VERIFY, key_file, master);

    if (status != 0)
        goto out;
    status = 1;
    if (checkpoint_public_key(master, pk) != CM_ERR_OK) {
        cli_fail(CMD_VERIFY, "cannot derive the checkpoint key");
        goto out_wipe;
    }
    if (file_read_all(path, CHECKPOINT_TEXT_MAX, &text) != CM_ERR_OK) {
        cli_fail(CMD_VERIFY,
                 "cannot read checkpoint %s (or it is longer than %d "
                 "bytes, so it is not one)",
                 path, CHECKPOINT_TEXT_MAX);
        goto out_wipe;
    }
    if (checkpoint_parse_verify(pk, text.data, text.len, cp) != CM_ERR_OK) {
        cli_fail(CMD_VERIFY,
                 "checkpoint %s is malformed or its signature does not "
                 "verify with the key in %s",
                 path, key_file);
        goto out_release;
    }
    status = 0;
out_release:
    buf_release(&text);
out_wipe:
    explicit_bzero(master, sizeof master);
out:
    return status;
}

/* Report a failed verification: one line on stdout, one on stderr. */
static void
report_bad(const struct audit_verify_result *r, const struct checkpoint *cp)
{
    const char *name = audit_verify_failure_name(r->reason);
    int64_t n = r->first_bad_seq;

    if (r->reason == AUDIT_VERIFY_FAILURE_ORIGIN_MISMATCH) {
        (void)printf("bad: checkpoint: %s\n", name);
        cli_fail(CMD_VERIFY,
                 "the checkpoint is for another database (origin %s)",
                 cp ? cp->origin : "?");
        return;
    }
    (void)printf("bad: entry %lld: %s\n", (long long)n, name);
    switch (r->reason) {
    case AUDIT_VERIFY_FAILURE_HASH_MISMATCH:
        cli_fail(CMD_VERIFY,
                 "audit entry %lld was changed: its hash does not "
                 "match its contents and the entry before it",
                 (long long)n);
        break;
    case AUDIT_VERIFY_FAILURE_GAP:
        cli_fail(CMD_VERIFY, "audit entry %lld is missing", (long long)n);
        break;
    case AUDIT_VERIFY_FAILURE_TRUNCATED:
        cli_fail(CMD_VERIFY,
                 "the audit trail was truncated: it ends before entry "
                 "%lld, but the checkpoint covers %lld entries",
                 (long long)n, (long long)(cp ? cp->size : 0));
        break;
    case AUDIT_VERIFY_FAILURE_CHECKPOINT_MISMATCH:
        cli_fail(CMD_VERIFY,
                 "the audit trail up to entry %lld was rewritten: it "
                 "no longer matches the checkpoint",
                 (long long)n);
        break;
    default:
        cli_fail(CMD_VERIFY, "audit entry %lld: %s", (long long)n, name);
        break;
    }
}

static int
run_verify(int argc, char **argv)
{
    struct audit_args a = {0};
    struct audit_verify_result r;
    unsigned char pk[CHECKPOINT_PUBLIC_BYTES];
    struct checkpoint cp;
    struct buf kpath = BUF_INIT;
    struct store *s = NULL;
    const char *url;
    int status = parse_args(CMD_VERIFY, argc, argv, true, &a);

    if (status != 0) {
        status = status == 1 ? 0 : status;
        goto out;
    }
    url = cli_db_url(a.db);
    if (a.checkpoint) {
        status = key_path(CMD_VERIFY, url, a.key_file, &kpath);
        if (status != 0)
            goto out;
        status = load_checkpoint(a.checkpoint, buf_str(&kpath), pk, &cp);
        if (status != 0)
            goto out;
    }
    status = cli_open_migrated(CMD_VERIFY, url, &s);
    if (status != 0)
        goto out;
    status = 1;
    if (audit_verify(s, a.checkpoint ? pk : NULL, a.checkpoint ? &cp : NULL,
                     &r) != CM_ERR_OK) {
        cli_fail(CMD_VERIFY, "%s: reading the audit trail failed", url);
        goto out_close;
    }
    if (!r.ok) {
        report_bad(&r, a.checkpoint ? &cp : NULL);
        goto out_close;
    }
    (void)printf("ok: %lld %s verified\n", (long long)r.checked,
                 r.checked == 1 ? "entry" : "entries");
    if (r.horizon_seq > 0)
        (void)printf("horizon: entries 1 to %lld were removed by retention "
                     "purges; verified from entry %lld on\n",
                     (long long)r.horizon_seq, (long long)r.horizon_seq + 1);
    if (a.checkpoint)
        (void)printf("checkpoint: the first %lld entries match it "
                     "(origin %s, key %s)\n",
                     (long long)cp.size, cp.origin, r.key_fingerprint);
    status = 0;
out_close:
    store_close(s);
out:
    buf_release(&kpath);
    return status;
}

static int
run_checkpoint(int argc, char **argv)
{
    struct audit_args a = {0};
    unsigned char master[KEYFILE_KEY_BYTES];
    unsigned char pk[CHECKPOINT_PUBLIC_BYTES];
    char hex[2 * AUDIT_HASH_BYTES + 1];
    struct checkpoint cp;
    struct buf kpath = BUF_INIT;
    struct buf text = BUF_INIT;
    struct store *s = NULL;
    const char *url;
    enum cm_err err;
    int status = parse_args(CMD_CHECKPOINT, argc, argv, false, &a);

    if (status != 0) {
        status = status == 1 ? 0 : status;
        goto out;
    }
    url = cli_db_url(a.db);
    status = key_path(CMD_CHECKPOINT, url, a.key_file, &kpath);
    if (status != 0)
        goto out;
    status = 1;
    if (file_exists(a.out)) {
        cli_fail(CMD_CHECKPOINT, "%s already exists; refusing to overwrite it",
                 a.out);
        goto out;
    }
    status = load_key(CMD_CHECKPOINT, buf_str(&kpath), master);
    if (status != 0)
        goto out;
    status = cli_open_migrated(CMD_CHECKPOINT, url, &s);
    if (status != 0)
        goto out_wipe;
    status = 1;
    err = audit_checkpoint(s, master, now_us(), &text);
    if (err != CM_ERR_OK) {
        cli_fail(CMD_CHECKPOINT, "%s: making the checkpoint failed (%s)", url,
                 err == CM_ERR_STORE_FAILURE ? "the store failed"
                                             : "cannot sign it");
        goto out_close;
    }
    /* Read back what was signed, which also proves it verifies. */
    if (checkpoint_public_key(master, pk) != CM_ERR_OK ||
        checkpoint_parse_verify(pk, text.data, text.len, &cp) != CM_ERR_OK) {
        cli_fail(CMD_CHECKPOINT, "the new checkpoint does not verify");
        goto out_close;
    }
    err = file_write_new(a.out, text.data, text.len, CHECKPOINT_FILE_MODE);
    if (err != CM_ERR_OK) {
        cli_fail(CMD_CHECKPOINT, "%s: %s", a.out,
                 err == CM_ERR_ALREADY_EXISTS
                     ? "it already exists; refusing to overwrite it"
                     : "cannot write it");
        goto out_close;
    }
    audit_hash_hex(cp.head, hex);
    (void)printf("wrote %s\nsize: %lld\nhead: %s\n", a.out, (long long)cp.size,
                 hex);
    status = 0;
out_close:
    store_close(s);
out_wipe:
    explicit_bzero(master, sizeof master);
out:
    buf_release(&text);
    buf_release(&kpath);
    return status;
}

int
cmd_audit(int argc, char **argv)
{
    if (argc < 2) {
        cli_fail(CMD, "say verify or checkpoint (see --help)");
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "verify") == 0)
        return run_verify(argc - 1, argv + 1);
    if (strcmp(argv[1], "checkpoint") == 0)
        return run_checkpoint(argc - 1, argv + 1);
    cli_fail(CMD, "unknown subcommand '%s' (verify or checkpoint; see --help)",
             argv[1]);
    return 2;
}
