/*
 * cmd_init.c: `compel init`, create a new installation.
 *
 *   compel init --admin-email E [--db URL] [--admin-password-file F]
 *               [--admin-name N] [--key-file K] [--org-name NAME]
 *               [--timezone ZONE]
 *
 * Creates the database (never touching an existing one), the key file for
 * personal-field encryption (mode 0600, never overwritten), applies the
 * migrations, and creates the agency office and its first administrator,
 * both recorded in the audit trail. Without a password file a strong
 * password is generated and printed once. Every check of the command line
 * runs before anything is created; if a later step fails, the files this
 * run created are removed, so nothing is left half-made.
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
#include "auth/keyfile.h"
#include "auth/password.h"
#include "cli/cli.h"
#include "core/buf.h"
#include "core/file.h"
#include "core/rand.h"
#include "core/redact.h"
#include "core/zoneinfo.h"
#include "domain/role.h"
#include "store/store.h"

#define CMD "init"

/* Length of a generated administrator password. */
#define GENERATED_PASSWORD_LEN 24

#define SQLITE_PREFIX "sqlite:"

struct init_args {
    const char *db;
    const char *email;
    const char *password_file;
    const char *admin_name;
    const char *key_file;
    const char *org_name;
    const char *timezone;
};

/* What the transaction writes; filled before it runs. */
struct init_tx {
    struct store_org org;
    struct store_user admin;
    int64_t now;
};

static void
usage(FILE *f)
{
    (void)fprintf(
        f,
        "usage: compel init --admin-email EMAIL [options]\n"
        "\n"
        "Create a new database, its key file, the agency office and the\n"
        "first administrator. An existing database or key file is never\n"
        "touched.\n"
        "\n"
        "  --db URL                  the database to create: sqlite:PATH\n"
        "                            (default $COMPEL_DB, else "
        "sqlite:var/compel.db)\n"
        "  --admin-email EMAIL       the administrator's email (required)\n"
        "  --admin-password-file F   read the administrator's password from "
        "F\n"
        "                            (one trailing newline is removed; at "
        "least\n"
        "                            12 characters); without it a strong\n"
        "                            password is generated and printed once\n"
        "  --admin-name NAME         the administrator's name (default\n"
        "                            \"Administrator\")\n"
        "  --key-file K              the key file to create (default "
        "PATH.key)\n"
        "  --org-name NAME           the agency office's name (default\n"
        "                            \"Agency Field Office\")\n"
        "  --timezone ZONE           its IANA time zone (default "
        "America/New_York)\n"
        "  --help                    print this help\n"
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

static bool
is_known_timezone(const char *zone)
{
    struct buf b = BUF_INIT;
    bool ok =
        zoneinfo_is_valid_name(zone) && zoneinfo_read(zone, &b) == CM_ERR_OK;

    buf_release(&b);
    return ok;
}

/* Parse the command line into *a. 0 to go on, 1 when --help was printed
 * (exit 0), 2 on a usage error (already reported). */
static int
parse_args(int argc, char **argv, struct init_args *a)
{
    static const struct option options[] = {
        {"db", required_argument, NULL, 'd'},
        {"admin-email", required_argument, NULL, 'e'},
        {"admin-password-file", required_argument, NULL, 'p'},
        {"admin-name", required_argument, NULL, 'n'},
        {"key-file", required_argument, NULL, 'k'},
        {"org-name", required_argument, NULL, 'o'},
        {"timezone", required_argument, NULL, 't'},
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
        case 'e':
            a->email = optarg;
            break;
        case 'p':
            a->password_file = optarg;
            break;
        case 'n':
            a->admin_name = optarg;
            break;
        case 'k':
            a->key_file = optarg;
            break;
        case 'o':
            a->org_name = optarg;
            break;
        case 't':
            a->timezone = optarg;
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
    if (a->email == NULL) {
        cli_fail(CMD, "--admin-email is required (see --help)");
        return 2;
    }
    if (!user_email_is_valid(a->email)) {
        cli_fail(CMD, "--admin-email: '%s' is not an email address", a->email);
        return 2;
    }
    if (a->admin_name &&
        (*a->admin_name == '\0' || strlen(a->admin_name) > 200)) {
        cli_fail(CMD, "--admin-name: give 1 to 200 characters");
        return 2;
    }
    if (a->org_name && (*a->org_name == '\0' || strlen(a->org_name) > 200)) {
        cli_fail(CMD, "--org-name: give 1 to 200 characters");
        return 2;
    }
    if (!is_known_timezone(a->timezone)) {
        cli_fail(CMD, "--timezone: '%s' is not a known IANA time zone",
                 a->timezone);
        return 2;
    }
    return 0;
}

/* Read the password file into pw (PASSWORD_MAX_LEN + 1 bytes), removing
 * one trailing "\n" or "\r\n". 0, or the exit status after reporting. */
static int
read_password(const char *path, char *pw)
{
    struct buf b = BUF_INIT;
    int status = 1;

    if (file_read_all(path, PASSWORD_MAX_LEN + 2, &b) != CM_ERR_OK) {
        cli_fail(CMD,
                 "--admin-password-file: cannot read %s (or it is longer "
                 "than %d bytes)",
                 path, PASSWORD_MAX_LEN);
        goto out_release;
    }
    if (b.len > 0 && b.data[b.len - 1] == '\n')
        b.data[--b.len] = '\0';
    if (b.len > 0 && b.data[b.len - 1] == '\r')
        b.data[--b.len] = '\0';
    status = 2;
    if (strlen(b.data) != b.len) {
        cli_fail(CMD, "--admin-password-file: the password contains a NUL "
                      "byte");
        goto out_release;
    }
    if (b.len > PASSWORD_MAX_LEN) {
        cli_fail(CMD,
                 "--admin-password-file: the password must be at most "
                 "%d characters long",
                 PASSWORD_MAX_LEN);
        goto out_release;
    }
    memcpy(pw, b.data, b.len + 1);
    status = 0;
out_release:
    if (b.data)
        explicit_bzero(b.data, b.len);
    buf_release(&b);
    return status;
}

/* Append an audit entry for `action` on `kind`/`id` (audit_append). */
static enum store_rc
audit_init(struct store *s,
           const struct init_tx *t,
           const char *action,
           const char *kind,
           const char *id)
{
    struct audit_entry e = {.at_us = t->now,
                            .org_id = t->org.id,
                            .action = action,
                            .object_kind = kind,
                            .object_id = id,
                            .outcome = "ok",
                            .detail = "compel init"};

    return audit_append(s, &e, NULL);
}

static enum store_rc
init_world(struct store *s, void *cls)
{
    struct init_tx *t = cls;
    enum store_rc rc;

    rc = store_org_insert(s, &t->org);
    if (rc != STORE_ONE_RESULT)
        return rc < 0 ? rc : STORE_HARD_ERROR;
    rc = audit_init(s, t, "org.create", "org", t->org.id);
    if (rc < 0)
        return rc;
    rc = store_user_insert(s, &t->admin);
    if (rc != STORE_ONE_RESULT)
        return rc < 0 ? rc : STORE_HARD_ERROR;
    rc = audit_init(s, t, "user.create", "user", t->admin.id);
    if (rc < 0)
        return rc;
    return store_meta_set(s, "installation_id", t->org.id);
}

/* Remove a SQLite database and its WAL and shared-memory files. */
static void
remove_database(const char *path)
{
    struct buf b = BUF_INIT;

    (void)unlink(path);
    buf_addf(&b, "%s-wal", path);
    (void)unlink(buf_str(&b));
    buf_reset(&b);
    buf_addf(&b, "%s-shm", path);
    (void)unlink(buf_str(&b));
    buf_release(&b);
}

/* Create everything; 0 or the exit status after reporting. `url` names a
 * database that did not exist, `key_path` a key file that did not. */
static int
create_all(const struct init_args *a,
           const char *url,
           const char *db_path,
           const char *key_path,
           const char *pw)
{
    struct init_tx t = {.now = now_us()};
    char hash[PASSWORD_HASH_MAX];
    struct store *s = NULL;
    const char *why = NULL;
    int applied = 0;
    int status = 1;
    enum cm_err err;

    if (password_hash(pw, hash) != CM_ERR_OK) {
        cli_fail(CMD, "cannot hash the password");
        goto out;
    }
    err = keyfile_create(key_path);
    if (err != CM_ERR_OK) {
        cli_fail(CMD, "cannot create key file %s%s", key_path,
                 err == CM_ERR_ALREADY_EXISTS ? ": it already exists" : "");
        goto out;
    }
    err = store_open(url, STORE_OPEN_MODE_CREATE, &s, &why);
    if (err != CM_ERR_OK) {
        cli_fail(CMD, "%s: %s", url, why);
        status = err == CM_ERR_USAGE ? 2 : 1;
        goto out_unlink_key;
    }
    if (store_migrate(s, t.now, &applied) != STORE_ONE_RESULT) {
        cli_fail(CMD, "%s: applying the migrations failed", url);
        goto out_remove_db;
    }
    cm_id_new(t.org.id);
    t.org.created_at = t.org.updated_at = t.now;
    t.org.kind = (char *)org_kind_name(ORG_KIND_AGENCY_OFFICE);
    t.org.name = (char *)(a->org_name ? a->org_name : "Agency Field Office");
    t.org.timezone = (char *)a->timezone;
    cm_id_new(t.admin.id);
    t.admin.created_at = t.admin.updated_at = t.now;
    t.admin.email = (char *)a->email;
    t.admin.name = (char *)(a->admin_name ? a->admin_name : "Administrator");
    memcpy(t.admin.org_id, t.org.id, sizeof t.admin.org_id);
    t.admin.roles = ROLE_BIT(ROLE_ADMIN);
    t.admin.password_hash = hash;
    if (store_tx_run(s, "init", init_world, &t) < 0) {
        cli_fail(CMD,
                 "%s: creating the organization and administrator "
                 "failed",
                 url);
        goto out_remove_db;
    }
    store_close(s);
    s = NULL;
    explicit_bzero(hash, sizeof hash);
    return 0;
out_remove_db:
    store_close(s);
    if (db_path)
        remove_database(db_path);
out_unlink_key:
    (void)unlink(key_path);
out:
    explicit_bzero(hash, sizeof hash);
    return status;
}

int
cmd_init(int argc, char **argv)
{
    struct init_args a = {.timezone = "America/New_York"};
    char pw[PASSWORD_MAX_LEN + 1];
    const char *url;
    const char *db_path = NULL;
    const char *why = NULL;
    struct buf key_path = BUF_INIT;
    struct buf shown = BUF_INIT;
    bool generated = false;
    int status;

    pw[0] = '\0';
    status = parse_args(argc, argv, &a);
    if (status != 0)
        return status == 1 ? 0 : status;
    url = cli_db_url(a.db);
    if (strncmp(url, SQLITE_PREFIX, strlen(SQLITE_PREFIX)) == 0)
        db_path = url + strlen(SQLITE_PREFIX);
    if (db_path && *db_path == '\0') {
        cli_fail(CMD, "--db: the sqlite: URL has no path");
        return 2;
    }
    if (db_path == NULL && a.key_file == NULL) {
        cli_fail(CMD, "--key-file is required for a database that is not "
                      "sqlite:PATH");
        return 2;
    }
    if (password_lib_init() != CM_ERR_OK) {
        cli_fail(CMD, "cannot initialise the crypto library");
        return 1;
    }
    if (a.password_file) {
        status = read_password(a.password_file, pw);
        if (status == 0)
            status = cli_password_blocklist(CMD);
        if (status != 0)
            goto out;
        status = 2;
        if (password_check_for(pw, a.email,
                               a.admin_name ? a.admin_name : "Administrator",
                               &why) != CM_ERR_OK) {
            cli_fail(CMD, "--admin-password-file: %s", why);
            goto out;
        }
    } else {
        password_generate(pw, GENERATED_PASSWORD_LEN);
        generated = true;
    }
    if (a.key_file)
        buf_adds(&key_path, a.key_file);
    else
        buf_addf(&key_path, "%s.key", db_path);
    status = 1;
    if (db_path && file_exists(db_path)) {
        cli_fail(CMD, "database %s already exists; refusing to touch it",
                 db_path);
        goto out;
    }
    if (file_exists(buf_str(&key_path))) {
        cli_fail(CMD, "key file %s already exists; refusing to overwrite it",
                 buf_str(&key_path));
        goto out;
    }
    status = create_all(&a, url, db_path, buf_str(&key_path), pw);
    if (status != 0)
        goto out;
    redact_add(&shown, url, strlen(url)); /* no password in the URL */
    (void)printf("created %s\n"
                 "key file: %s (mode 0600; back it up apart from the "
                 "database)\n"
                 "organization: %s (agency_office, %s)\n"
                 "admin: %s\n",
                 buf_str(&shown), buf_str(&key_path),
                 a.org_name ? a.org_name : "Agency Field Office", a.timezone,
                 a.email);
    if (generated)
        (void)printf("password: %s\n"
                     "This password is shown only once: store it now.\n",
                     pw);
out:
    explicit_bzero(pw, sizeof pw);
    buf_release(&shown);
    buf_release(&key_path);
    return status;
}
