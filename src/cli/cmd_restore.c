/*
 * cmd_restore.c: `compel restore`, the way back from a backup made by
 * `compel backup`.
 *
 *   compel restore --in FILE [--db URL] [--key-file K] [--checkpoint CP]
 *                  [--force]
 *
 * Nothing is trusted before it is checked, and nothing reaches the target
 * before every check passed: the backup is opened with the key file
 * (auth/backupcrypt.h: one changed byte, a file cut short or another key
 * file and it is refused) into a private temporary file (0600) in the
 * target's directory; that file then passes PRAGMA integrity_check, its
 * rows per table must equal the counts sealed into the backup, its audit
 * trail must verify (the code of `compel audit verify`, against a signed
 * checkpoint when one is given) and end at the head sealed into the
 * backup. Only then is it synced and moved into place: linked, so that an
 * existing database is never replaced, or with --force renamed over it
 * atomically. The temporary file is removed on every other path.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit/audit.h"
#include "audit/checkpoint.h"
#include "auth/backupcrypt.h"
#include "auth/keyfile.h"
#include "auth/password.h"
#include "cli/backup_file.h"
#include "cli/cli.h"
#include "core/buf.h"
#include "core/file.h"
#include "store/store.h"

#define CMD           "restore"
#define SQLITE_PREFIX "sqlite:"

struct restore_args {
    const char *in;
    const char *db;
    const char *key_file;
    const char *checkpoint;
    bool force;
};

static void
usage(FILE *f)
{
    (void)fprintf(
        f,
        "usage: compel restore --in FILE [--db URL] [--key-file K]\n"
        "                      [--checkpoint CP] [--force]\n"
        "\n"
        "Restore a backup made by `compel backup` into the database URL.\n"
        "The backup is opened with the key file and refused if any byte was\n"
        "changed, if it was cut short, or if it was sealed with another key\n"
        "file. The restored database is checked before it is put in place:\n"
        "PRAGMA integrity_check, the rows of every table against the counts\n"
        "sealed into the backup, and the audit trail (as `compel audit\n"
        "verify` does, against the checkpoint CP when given) up to the head\n"
        "sealed into the backup. On any failure nothing is written.\n"
        "\n"
        "  --in FILE          the backup (required)\n"
        "  --db URL           the database to create: sqlite:PATH (default\n"
        "                     $COMPEL_DB, else sqlite:var/compel.db)\n"
        "  --key-file K       the key file current when the backup was made\n"
        "                     (default PATH.key)\n"
        "  --checkpoint CP    a checkpoint from `compel audit checkpoint` to\n"
        "                     verify the restored audit trail against\n"
        "  --force            replace an existing database (atomically);\n"
        "                     stop `compel serve` on it first\n"
        "  --help             print this help\n"
        "\n"
        "PostgreSQL is restored with its own tools (docs/operations.md).\n"
        "Exit status: 0 restored, 1 refused or failed, 2 usage error.\n");
}

/* 0 to go on, 1 when --help was printed (exit 0), 2 on a usage error. */
static int
parse_args(int argc, char **argv, struct restore_args *a)
{
    static const struct option options[] = {
        {"in", required_argument, NULL, 'i'},
        {"db", required_argument, NULL, 'd'},
        {"key-file", required_argument, NULL, 'k'},
        {"checkpoint", required_argument, NULL, 'c'},
        {"force", no_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;

    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
        switch (c) {
        case 'i':
            a->in = optarg;
            break;
        case 'd':
            a->db = optarg;
            break;
        case 'k':
            a->key_file = optarg;
            break;
        case 'c':
            a->checkpoint = optarg;
            break;
        case 'f':
            a->force = true;
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
    if (a->in == NULL || *a->in == '\0') {
        cli_fail(CMD, "--in FILE is required (see --help)");
        return 2;
    }
    if ((a->key_file && *a->key_file == '\0') ||
        (a->checkpoint && *a->checkpoint == '\0')) {
        cli_fail(CMD, "--key-file and --checkpoint take a file name");
        return 2;
    }
    return 0;
}

/* Refuse a target that must not be written: an existing database without
 * --force, anything that is not a regular file, or a database in use. 0,
 * or 1 after reporting. */
static int
check_target(const char *path, bool force)
{
    static const char *const companions[] = {"-wal", "-shm", "-journal"};
    struct stat st;
    struct buf b = BUF_INIT;
    int status = 1;

    if (lstat(path, &st) == 0) {
        if (!force) {
            cli_fail(CMD,
                     "%s already exists; refusing to overwrite it (--force "
                     "replaces it)",
                     path);
            goto out;
        }
        if (!S_ISREG(st.st_mode)) {
            cli_fail(CMD, "%s is not a regular file; refusing to replace it",
                     path);
            goto out;
        }
    } else if (errno != ENOENT) {
        cli_fail(CMD, "%s: %s", path, strerror(errno));
        goto out;
    }
    /* A -wal or -shm file means a server has the database open, or it was
     * not closed cleanly: its WAL would be replayed into the restored file. */
    for (size_t i = 0; i < sizeof companions / sizeof companions[0]; i++) {
        buf_reset(&b);
        buf_addf(&b, "%s%s", path, companions[i]);
        if (file_exists(buf_str(&b))) {
            cli_fail(CMD,
                     "%s exists: a server has the database open or it was not "
                     "closed cleanly; stop `compel serve`, or move the "
                     "database and its -wal and -shm files aside, then restore",
                     buf_str(&b));
            goto out;
        }
    }
    status = 0;
out:
    buf_release(&b);
    return status;
}

static int
load_key(const char *path, unsigned char master[KEYFILE_KEY_BYTES])
{
    enum cm_err err;

    if (password_lib_init() != CM_ERR_OK) {
        cli_fail(CMD, "cannot initialise the crypto library");
        return 1;
    }
    err = keyfile_load(path, master);
    if (err == CM_ERR_OK)
        return 0;
    if (err == CM_ERR_IO)
        cli_fail(CMD, "cannot read key file %s (--key-file)", path);
    else
        cli_fail(CMD, "key file %s is malformed or readable by group or others",
                 path);
    return 1;
}

/* Read and signature-check the checkpoint at `path`. 0, or 1. */
static int
load_checkpoint(const char *path,
                const char *key_file,
                const unsigned char master[KEYFILE_KEY_BYTES],
                unsigned char pk[CHECKPOINT_PUBLIC_BYTES],
                struct checkpoint *cp)
{
    struct buf text = BUF_INIT;
    int status = 1;

    if (checkpoint_public_key(master, pk) != CM_ERR_OK) {
        cli_fail(CMD, "cannot derive the checkpoint key");
        goto out;
    }
    if (file_read_all(path, CHECKPOINT_TEXT_MAX, &text) != CM_ERR_OK) {
        cli_fail(CMD,
                 "cannot read checkpoint %s (or it is longer than %d bytes, "
                 "so it is not one)",
                 path, CHECKPOINT_TEXT_MAX);
        goto out;
    }
    if (checkpoint_parse_verify(pk, text.data, text.len, cp) != CM_ERR_OK) {
        cli_fail(CMD,
                 "checkpoint %s is malformed or its signature does not verify "
                 "with the key in %s",
                 path, key_file);
        goto out;
    }
    status = 0;
out:
    buf_release(&text);
    return status;
}

/* Decrypt `in` into the temporary file `tmp`, synced; its metadata text
 * into `meta`. 0, or 1 after reporting. */
static int
decrypt_to(const unsigned char master[KEYFILE_KEY_BYTES],
           const char *in_path,
           const char *tmp,
           struct buf *meta,
           struct backupcrypt_info *info)
{
    FILE *in = fopen(in_path, "rb");
    FILE *out = NULL;
    enum backupcrypt_rc rc;
    int status = 1;

    if (in == NULL) {
        cli_fail(CMD, "cannot read %s: %s", in_path, strerror(errno));
        return 1;
    }
    out = fopen(tmp, "wb");
    if (out == NULL) {
        cli_fail(CMD, "cannot write the temporary file %s: %s", tmp,
                 strerror(errno));
        goto out;
    }
    rc = backupcrypt_open(master, in, out, meta, info);
    if (rc != BACKUPCRYPT_OK) {
        cli_fail(CMD, "%s: refused: %s; nothing was written", in_path,
                 backupcrypt_rc_text(rc));
        goto out;
    }
    if (fflush(out) != 0 || fsync(fileno(out)) != 0) {
        cli_fail(CMD, "cannot write the temporary file %s: %s", tmp,
                 strerror(errno));
        goto out;
    }
    status = 0;
out:
    if (out && fclose(out) != 0 && status == 0) {
        cli_fail(CMD, "cannot write the temporary file %s: %s", tmp,
                 strerror(errno));
        status = 1;
    }
    (void)fclose(in);
    return status;
}

/* The audit trail of the restored file: verified (against the checkpoint
 * when given) and ending at the head the backup recorded. 0, or 1. */
static int
check_audit(const char *tmp,
            const struct bk_meta *m,
            const unsigned char *pk,
            const struct checkpoint *cp,
            struct audit_verify_result *r)
{
    struct buf url = BUF_INIT;
    struct store *s = NULL;
    unsigned char head[STORE_HASH_SIZE];
    char hex[2 * STORE_HASH_SIZE + 1];
    int64_t seq = 0;
    enum store_rc rc;
    int status = 1;

    buf_addf(&url, "%s%s", SQLITE_PREFIX, tmp);
    if (cli_open_store(CMD, buf_str(&url), &s) != 0)
        goto out;
    if (audit_verify(s, pk, cp, r) != CM_ERR_OK) {
        cli_fail(CMD, "reading the restored audit trail failed");
        goto out_close;
    }
    if (!r->ok) {
        cli_fail(CMD,
                 "the restored audit trail does not verify: entry %lld: %s%s; "
                 "nothing was written",
                 (long long)r->first_bad_seq,
                 audit_verify_failure_name(r->reason),
                 cp ? " (against the checkpoint)" : "");
        goto out_close;
    }
    rc = store_audit_head(s, &seq, head);
    if (rc == STORE_NO_RESULTS) {
        (void)snprintf(hex, sizeof hex, "none");
    } else if (rc == STORE_ONE_RESULT) {
        for (size_t i = 0; i < STORE_HASH_SIZE; i++)
            (void)snprintf(hex + 2 * i, 3, "%02x", head[i]);
    } else {
        cli_fail(CMD, "cannot read the restored audit head");
        goto out_close;
    }
    if (seq != m->audit_head_seq || strcmp(hex, m->audit_head_hex) != 0 ||
        r->checked != m->audit_entries) {
        cli_fail(CMD,
                 "the restored audit trail ends at entry %lld, but the "
                 "backup recorded entry %lld with another head; nothing was "
                 "written",
                 (long long)seq, (long long)m->audit_head_seq);
        goto out_close;
    }
    status = 0;
out_close:
    store_close(s);
out:
    buf_release(&url);
    return status;
}

/* Move the checked temporary file to `path`: linked (never over a file)
 * or, with `force`, renamed over it; then the directory synced. */
static int
put_in_place(const char *tmp, const char *path, bool force)
{
    if (bk_sync_file(tmp) != 0) {
        cli_fail(CMD, "cannot sync %s: %s", tmp, strerror(errno));
        return 1;
    }
    if (force) {
        if (rename(tmp, path) != 0) {
            cli_fail(CMD, "cannot replace %s: %s", path, strerror(errno));
            return 1;
        }
        bk_tmp_keep();
    } else {
        if (link(tmp, path) != 0) {
            cli_fail(CMD, "cannot create %s: %s%s", path, strerror(errno),
                     errno == EEXIST ? " (it appeared meanwhile)" : "");
            return 1;
        }
        bk_tmp_remove();
    }
    if (bk_sync_dir_of(path) != 0) {
        cli_fail(CMD, "%s: cannot sync its directory: %s", path,
                 strerror(errno));
        return 1;
    }
    return 0;
}

int
cmd_restore(int argc, char **argv)
{
    struct restore_args a = {0};
    unsigned char master[KEYFILE_KEY_BYTES];
    unsigned char pk[CHECKPOINT_PUBLIC_BYTES];
    struct checkpoint cp;
    struct bk_meta m = {.counts = BUF_INIT};
    struct backupcrypt_info info;
    struct audit_verify_result r;
    struct buf key = BUF_INIT;
    struct buf dir = BUF_INIT;
    struct buf tmp = BUF_INIT;
    struct buf meta = BUF_INIT;
    struct buf counts = BUF_INIT;
    struct buf why = BUF_INIT;
    char made[32] = "?";
    const char *url, *path;
    int64_t tables = 0, rows = 0;
    enum store_rc rc;
    struct tm tm;
    time_t t;
    int status;

    status = parse_args(argc, argv, &a);
    if (status != 0)
        return status == 1 ? 0 : status;
    url = cli_db_url(a.db);
    if (strncmp(url, SQLITE_PREFIX, strlen(SQLITE_PREFIX)) != 0 ||
        url[strlen(SQLITE_PREFIX)] == '\0') {
        cli_fail(CMD, "--db: compel restores sqlite:PATH databases only; "
                      "restore PostgreSQL with its own tools (pg_restore, "
                      "pg_basebackup): docs/operations.md");
        return 2;
    }
    path = url + strlen(SQLITE_PREFIX);
    if (a.key_file)
        buf_adds(&key, a.key_file);
    else
        buf_addf(&key, "%s.key", path);
    memset(master, 0, sizeof master);
    status = 1;
    if (check_target(path, a.force) != 0)
        goto out;
    if (!file_exists(a.in)) {
        cli_fail(CMD, "%s: no such file", a.in);
        goto out;
    }
    if (load_key(buf_str(&key), master) != 0)
        goto out;
    if (a.checkpoint &&
        load_checkpoint(a.checkpoint, buf_str(&key), master, pk, &cp) != 0)
        goto out;
    bk_dir_of(path, &dir);
    if (bk_tmp_create(buf_str(&dir), "restore", &tmp) != 0) {
        cli_fail(CMD, "cannot create a private temporary file in %s: %s",
                 buf_str(&dir), strerror(errno));
        goto out;
    }
    if (decrypt_to(master, a.in, buf_str(&tmp), &meta, &info) != 0)
        goto out;
    t = (time_t)(info.created_us / 1000000);
    if (gmtime_r(&t, &tm))
        (void)strftime(made, sizeof made, "%Y-%m-%d %H:%M:%S UTC", &tm);
    (void)printf("authenticated: %s (made %s, %llu bytes of database, key "
                 "file %s)\n",
                 a.in, made, (unsigned long long)info.plain_bytes,
                 buf_str(&key));
    if (bk_meta_parse(meta.data, meta.len, &m) != 0) {
        cli_fail(CMD,
                 "%s: its sealed metadata is malformed; nothing was "
                 "written",
                 a.in);
        goto out;
    }
    rc = store_sqlite_file_check(buf_str(&tmp), &counts, &why);
    if (rc != STORE_ONE_RESULT) {
        cli_fail(CMD,
                 "the restored database fails %s (%s); nothing was "
                 "written",
                 rc == STORE_NO_RESULTS ? "PRAGMA integrity_check" : "to open",
                 buf_str(&why));
        goto out;
    }
    (void)printf("integrity_check: ok\n");
    if (bk_counts_compare(buf_str(&m.counts), buf_str(&counts), &why, &tables,
                          &rows) != 0) {
        cli_fail(CMD,
                 "row counts differ from the backup's record: %s; "
                 "nothing was written",
                 buf_str(&why));
        goto out;
    }
    (void)printf("row counts: %lld rows in %lld tables, equal to the "
                 "backup's record\n",
                 (long long)rows, (long long)tables);
    if (check_audit(buf_str(&tmp), &m, a.checkpoint ? pk : NULL,
                    a.checkpoint ? &cp : NULL, &r) != 0)
        goto out;
    (void)printf("audit trail: ok: %lld %s verified, ending at the head the "
                 "backup recorded\n",
                 (long long)r.checked, r.checked == 1 ? "entry" : "entries");
    if (a.checkpoint)
        (void)printf("checkpoint: the first %lld entries match it (origin "
                     "%s, key %s)\n",
                     (long long)cp.size, cp.origin, r.key_fingerprint);
    if (check_target(path, a.force) != 0 ||
        put_in_place(buf_str(&tmp), path, a.force) != 0)
        goto out;
    (void)printf("restored to %s%s\n"
                 "its personal data opens with the key file %s\n",
                 path, a.force ? " (replacing the old database)" : "",
                 buf_str(&key));
    status = 0;
out:
    bk_tmp_remove();
    explicit_bzero(master, sizeof master);
    buf_release(&m.counts);
    buf_release(&key);
    buf_release(&dir);
    buf_release(&tmp);
    buf_release(&meta);
    buf_release(&counts);
    buf_release(&why);
    return status;
}
