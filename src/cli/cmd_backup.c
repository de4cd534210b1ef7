/*
 * cmd_backup.c: `compel backup`, an encrypted, authenticated, consistent
 * online copy of the database.
 *
 *   compel backup [--db URL] --out FILE [--key-file K]
 *
 * The copy is taken while `compel serve` keeps running: it holds the
 * database as it stood at one moment (store_backup), written into a
 * private temporary file (0600) in the database's own directory, which is
 * as trusted as the database itself. That plaintext copy is checked on
 * its own (PRAGMA integrity_check, rows counted per table, the audit
 * trail verified from the first entry to the last), then sealed with a
 * key derived from the key file's current master key (auth/backupcrypt.h)
 * into FILE.tmp, which is synced and linked to FILE (never over an
 * existing file); the directory is synced and the plaintext removed, on
 * every path. The counts and the audit head go into the backup's
 * authenticated header, so that `compel restore` can check them. The key
 * file is NOT in the backup: without it the backup cannot be opened, so
 * it must be kept apart from the backups. See docs/operations.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit/audit.h"
#include "auth/backupcrypt.h"
#include "auth/keyfile.h"
#include "auth/password.h"
#include "cli/backup_file.h"
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
        f,
        "usage: compel backup [--db URL] --out FILE [--key-file K]\n"
        "\n"
        "Write an encrypted, authenticated copy of the database as it stands\n"
        "at one moment to FILE (which must not exist) while the server keeps\n"
        "running. The copy is checked before it is sealed: PRAGMA\n"
        "integrity_check, rows counted per table, the audit trail verified.\n"
        "It is sealed with a key derived from the key file's current key;\n"
        "`compel restore` opens it only with that key file and refuses a\n"
        "backup with any byte changed or cut short.\n"
        "\n"
        "  --db URL       the database: sqlite:PATH (default $COMPEL_DB,\n"
        "                 else sqlite:var/compel.db); PostgreSQL is backed\n"
        "                 up with its own tools (docs/operations.md)\n"
        "  --out FILE     the backup to create (required)\n"
        "  --key-file K   the database's key file (default PATH.key)\n"
        "  --help         print this help\n"
        "\n"
        "The plaintext copy exists only while it is checked, as a private\n"
        "file (mode 0600) in the database's directory, removed on every\n"
        "path. The key file is not in the backup: keep a copy of it apart\n"
        "from the backups (never next to them).\n"
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

static int64_t
now_us(void)
{
    struct timespec ts;

    (void)clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Load the current master key at `path`; 0, or 1 after reporting. */
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

/* Check the plaintext copy at `path`: integrity and row counts, then its
 * audit trail and head, into *m. 0, or 1 after reporting. */
static int
check_copy(const char *path, struct bk_meta *m)
{
    struct buf problem = BUF_INIT;
    struct buf url = BUF_INIT;
    struct audit_verify_result r;
    unsigned char head[STORE_HASH_SIZE];
    struct store *s = NULL;
    enum store_rc rc;
    int status = 1;

    rc = store_sqlite_file_check(path, &m->counts, &problem);
    if (rc != STORE_ONE_RESULT) {
        cli_fail(CMD, "the copy fails its check (%s)%s", buf_str(&problem),
                 rc == STORE_NO_RESULTS ? "; run PRAGMA integrity_check on "
                                          "the database"
                                        : "");
        goto out;
    }
    buf_addf(&url, "%s%s", SQLITE_PREFIX, path);
    if (cli_open_store(CMD, buf_str(&url), &s) != 0)
        goto out;
    if (audit_verify(s, NULL, NULL, &r) != CM_ERR_OK) {
        cli_fail(CMD, "cannot read the copy's audit trail");
        goto out_close;
    }
    if (!r.ok) {
        cli_fail(CMD,
                 "the copy's audit trail does not verify (entry %lld: %s); "
                 "run `compel audit verify` on the database",
                 (long long)r.first_bad_seq,
                 audit_verify_failure_name(r.reason));
        goto out_close;
    }
    m->audit_entries = r.checked;
    rc = store_audit_head(s, &m->audit_head_seq, head);
    if (rc == STORE_NO_RESULTS) {
        m->audit_head_seq = 0;
        (void)snprintf(m->audit_head_hex, sizeof m->audit_head_hex, "none");
    } else if (rc == STORE_ONE_RESULT) {
        for (size_t i = 0; i < STORE_HASH_SIZE; i++)
            (void)snprintf(m->audit_head_hex + 2 * i, 3, "%02x", head[i]);
    } else {
        cli_fail(CMD, "cannot read the copy's audit head");
        goto out_close;
    }
    status = 0;
out_close:
    store_close(s);
out:
    buf_release(&problem);
    buf_release(&url);
    return status;
}

/* Seal the plaintext at `plain` with `meta` into `out`.tmp, sync it, link
 * it to `out` and sync the directory. 0, or 1 after reporting; no file
 * is left behind on failure. */
static int
seal_to(const unsigned char master[KEYFILE_KEY_BYTES],
        const char *plain,
        const struct buf *meta,
        const char *out)
{
    struct buf tmp = BUF_INIT;
    FILE *in = NULL, *f = NULL;
    enum backupcrypt_rc rc;
    int fd, status = 1;
    bool made = false;

    buf_addf(&tmp, "%s.tmp", out);
    fd = open(buf_str(&tmp), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        cli_fail(CMD, "cannot create %s: %s%s", buf_str(&tmp), strerror(errno),
                 errno == EEXIST ? " (left by an interrupted backup? it holds "
                                   "only ciphertext; remove it)"
                                 : "");
        goto out;
    }
    made = true;
    f = fdopen(fd, "wb");
    in = fopen(plain, "rb");
    if (f == NULL || in == NULL) {
        if (f == NULL)
            (void)close(fd);
        cli_fail(CMD, "cannot open the copy for sealing: %s", strerror(errno));
        goto out;
    }
    rc = backupcrypt_seal(master, now_us(), meta->data, meta->len,
                          BACKUPCRYPT_CHUNK_DEFAULT, in, f);
    if (rc != BACKUPCRYPT_OK) {
        cli_fail(CMD, "%s: sealing failed: %s", buf_str(&tmp),
                 backupcrypt_rc_text(rc));
        goto out;
    }
    if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
        cli_fail(CMD, "%s: cannot write it to disk: %s", buf_str(&tmp),
                 strerror(errno));
        goto out;
    }
    if (fclose(f) != 0) {
        f = NULL;
        cli_fail(CMD, "%s: cannot write it to disk: %s", buf_str(&tmp),
                 strerror(errno));
        goto out;
    }
    f = NULL;
    /* link, not rename: never replaces a file that appeared meanwhile. */
    if (link(buf_str(&tmp), out) != 0) {
        cli_fail(CMD, "cannot create %s: %s", out, strerror(errno));
        goto out;
    }
    (void)unlink(buf_str(&tmp));
    made = false;
    if (bk_sync_dir_of(out) != 0) {
        cli_fail(CMD, "%s: cannot sync its directory: %s", out,
                 strerror(errno));
        (void)unlink(out);
        goto out;
    }
    status = 0;
out:
    if (in)
        (void)fclose(in);
    if (f)
        (void)fclose(f);
    if (made)
        (void)unlink(buf_str(&tmp));
    buf_release(&tmp);
    return status;
}

int
cmd_backup(int argc, char **argv)
{
    struct backup_args a = {0};
    unsigned char master[KEYFILE_KEY_BYTES];
    struct bk_meta m = {.counts = BUF_INIT};
    struct buf key = BUF_INIT;
    struct buf dir = BUF_INIT;
    struct buf plain = BUF_INIT;
    struct buf meta = BUF_INIT;
    struct buf why = BUF_INIT;
    struct store *s = NULL;
    struct stat st;
    const char *url, *path;
    int64_t tables = 0, rows = 0;
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
    path = url + strlen(SQLITE_PREFIX);
    if (a.key_file)
        buf_adds(&key, a.key_file);
    else
        buf_addf(&key, "%s.key", path);
    memset(master, 0, sizeof master);
    status = 1;
    if (file_exists(a.out)) {
        cli_fail(CMD, "%s already exists; refusing to overwrite it", a.out);
        goto out;
    }
    if (cli_open_migrated(CMD, url, &s) != 0)
        goto out;
    if (load_key(buf_str(&key), master) != 0) {
        store_close(s);
        goto out;
    }
    bk_dir_of(path, &dir);
    if (bk_tmp_create(buf_str(&dir), "backup", &plain) != 0) {
        cli_fail(CMD,
                 "cannot create a private temporary file in %s (the "
                 "database's directory): %s",
                 buf_str(&dir), strerror(errno));
        store_close(s);
        goto out;
    }
    rc = store_backup(s, buf_str(&plain));
    store_close(s);
    if (rc != STORE_ONE_RESULT) {
        cli_fail(CMD, "the copy failed (%s); nothing was kept",
                 rc == STORE_SOFT_ERROR ? "the database was busy; try again"
                                        : "see the log line above");
        goto out;
    }
    if (check_copy(buf_str(&plain), &m) != 0)
        goto out;
    /* Compared with itself: only the totals are wanted. */
    (void)bk_counts_compare(buf_str(&m.counts), buf_str(&m.counts), &why,
                            &tables, &rows);
    bk_meta_format(&m, &meta);
    if (seal_to(master, buf_str(&plain), &meta, a.out) != 0)
        goto out;
    if (stat(a.out, &st) != 0) {
        cli_fail(CMD, "%s: the backup vanished", a.out);
        goto out;
    }
    (void)printf("wrote %s (%lld bytes, encrypted and authenticated with a "
                 "key derived from %s)\n"
                 "integrity_check of the copy: ok\n"
                 "rows recorded: %lld in %lld tables\n"
                 "audit trail verified in the copy: %lld entries\n"
                 "the key file is not in the backup: keep a copy of %s apart "
                 "from it\n",
                 a.out, (long long)st.st_size, buf_str(&key), (long long)rows,
                 (long long)tables, (long long)m.audit_entries, buf_str(&key));
    status = 0;
out:
    bk_tmp_remove();
    explicit_bzero(master, sizeof master);
    buf_release(&m.counts);
    buf_release(&key);
    buf_release(&dir);
    buf_release(&plain);
    buf_release(&meta);
    buf_release(&why);
    return status;
}
