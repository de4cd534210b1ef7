/*
 * cmd_user.c: `compel user`, user administration from the server's shell,
 * for when no administrator can log in (the last admin locked out, a
 * forgotten password, the first users of a new office).
 *
 *   compel user add --email E --name N --org ORG --roles R[,R...]
 *                   [--title T] [--password-file F] [--db URL]
 *   compel user list [--org ORG] [--db URL]
 *   compel user unlock|disable|enable EMAIL [--db URL]
 *
 * ORG is an organization's id or its exact name. The rules are the API's
 * (docs/api.md, POST/PATCH /api/v1/users): the roles must be allowed in
 * the organization's kind, passwords have at least 12 characters (without
 * --password-file one is generated and printed once), emails are unique
 * ignoring case. Disabling ends every session of the user at once.
 * Every change is one transaction with its audit record, made by the
 * system (no actor) with the detail "compel user".
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"
#include "auth/password.h"
#include "cli/cli.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/file.h"
#include "core/rand.h"
#include "domain/role.h"
#include "store/store.h"

#define CMD "user"

/* Length of a generated password. */
#define GENERATED_PASSWORD_LEN 20

/* Longest name or title, in bytes (the API's limit). */
#define TEXT_MAX 200

/* How many organizations `list` names (its table looks them up). */
#define ORG_PAGE 500

struct user_args {
    const char *sub; /* add, list, unlock, disable, enable */
    const char *db;
    const char *email;
    const char *name;
    const char *org;
    const char *roles;
    const char *title;
    const char *password_file;
};

static void
usage(FILE *f)
{
    (void)fprintf(
        f,
        "usage: compel user add --email E --name N --org ORG --roles "
        "R[,R...]\n"
        "                       [--title T] [--password-file F] [--db URL]\n"
        "       compel user list [--org ORG] [--db URL]\n"
        "       compel user unlock|disable|enable EMAIL [--db URL]\n"
        "\n"
        "  add       create a user; without --password-file a password is\n"
        "            generated and printed once\n"
        "  list      every user (of ORG): email, name, organization, roles,\n"
        "            and whether the account is locked or disabled\n"
        "  unlock    clear a login lockout (after 5 failed logins)\n"
        "  disable   refuse the user's logins and end their sessions now\n"
        "  enable    allow a disabled user to log in again\n"
        "\n"
        "  --db URL            the database (default $COMPEL_DB, else\n"
        "                      sqlite:var/compel.db)\n"
        "  --org ORG           an organization's id or exact name\n"
        "  --roles R,R         officer, signer, agency_counsel, auditor, "
        "admin,\n"
        "                      booking, custodian, recipient_counsel, "
        "doj_attorney\n"
        "                      (only those the organization's kind allows)\n"
        "  --password-file F   read the password (12 characters or more)\n"
        "                      from the first line of F\n"
        "\n"
        "Every change is recorded in the audit trail.\n"
        "Exit status: 0 success, 1 failure, 2 usage error.\n");
}

static int64_t
now_us(void)
{
    struct timespec ts;

    (void)clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* The options each subcommand takes. */
static bool
takes(const char *sub, int opt)
{
    if (opt == 'd' || opt == 'h')
        return true;
    if (strcmp(sub, "add") == 0)
        return strchr("enortp", opt) != NULL;
    if (strcmp(sub, "list") == 0)
        return opt == 'o';
    return false;
}

/* Parse argv (the subcommand's name taken out; a->sub set) into *a. 0 to
 * go on, 1 when --help was printed (exit 0), 2 on a usage error. */
static int
parse_args(int argc, char **argv, struct user_args *a)
{
    static const struct option options[] = {
        {"db", required_argument, NULL, 'd'},
        {"email", required_argument, NULL, 'e'},
        {"name", required_argument, NULL, 'n'},
        {"org", required_argument, NULL, 'o'},
        {"roles", required_argument, NULL, 'r'},
        {"title", required_argument, NULL, 't'},
        {"password-file", required_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *sub = a->sub;
    int idx = 0;
    int c;

    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":h", options, &idx)) != -1) {
        if (c == ':') {
            cli_fail(CMD, "option '%s' needs a value (see --help)",
                     argv[optind - 1]);
            return 2;
        }
        if (c == '?') {
            cli_fail(CMD, "unknown option '%s' (see --help)", argv[optind - 1]);
            return 2;
        }
        if (!takes(sub, c)) {
            cli_fail(CMD,
                     "`compel user %s` takes no option '--%s' (see --help)",
                     sub, options[idx].name);
            return 2;
        }
        switch (c) {
        case 'd':
            a->db = optarg;
            break;
        case 'e':
            a->email = optarg;
            break;
        case 'n':
            a->name = optarg;
            break;
        case 'o':
            a->org = optarg;
            break;
        case 'r':
            a->roles = optarg;
            break;
        case 't':
            a->title = optarg;
            break;
        case 'p':
            a->password_file = optarg;
            break;
        default: /* 'h' */
            usage(stdout);
            return 1;
        }
    }
    if (strcmp(sub, "add") == 0 || strcmp(sub, "list") == 0) {
        if (optind < argc) {
            cli_fail(CMD, "unexpected argument '%s' (see --help)",
                     argv[optind]);
            return 2;
        }
    } else {
        if (optind >= argc) {
            cli_fail(CMD, "`compel user %s` needs the user's email", sub);
            return 2;
        }
        if (optind + 1 < argc) {
            cli_fail(CMD, "unexpected argument '%s' (see --help)",
                     argv[optind + 1]);
            return 2;
        }
        a->email = argv[optind];
    }
    if (strcmp(sub, "add") == 0) {
        if (!a->email || !a->name || !a->org || !a->roles) {
            cli_fail(CMD, "add needs --email, --name, --org and --roles "
                          "(see --help)");
            return 2;
        }
        if (*a->name == '\0' || strlen(a->name) > TEXT_MAX) {
            cli_fail(CMD, "--name: give 1 to %d characters", TEXT_MAX);
            return 2;
        }
        if (a->title && strlen(a->title) > TEXT_MAX) {
            cli_fail(CMD, "--title: give at most %d characters", TEXT_MAX);
            return 2;
        }
    }
    if (a->email && !user_email_is_valid(a->email)) {
        cli_fail(CMD, "'%s' is not an email address", a->email);
        return 2;
    }
    if (a->org && *a->org == '\0') {
        cli_fail(CMD, "--org: give an organization's id or name");
        return 2;
    }
    return 0;
}

/* Parse "officer,signer" into *out; false after reporting. */
static bool
parse_roles(const char *text, role_set *out)
{
    role_set set = 0;
    char name[64];
    const char *p = text;

    for (;;) {
        size_t n = strcspn(p, ",");
        enum role r;

        if (n == 0 || n >= sizeof name) {
            cli_fail(CMD, "--roles: give role names separated by commas");
            return false;
        }
        memcpy(name, p, n);
        name[n] = '\0';
        if (!role_parse(name, &r)) {
            cli_fail(CMD,
                     "--roles: '%s' is not a role (officer, signer, "
                     "agency_counsel, auditor, admin, booking, custodian, "
                     "recipient_counsel, doj_attorney)",
                     name);
            return false;
        }
        set |= ROLE_BIT(r);
        if (p[n] == '\0')
            break;
        p += n + 1;
    }
    *out = set;
    return true;
}

/* "officer,signer" for `roles`, appended to `out`. */
static void
roles_text(role_set roles, struct buf *out)
{
    bool first = true;

    for (unsigned r = 0; r < (unsigned)ROLE__COUNT; r++) {
        if (!(roles & ROLE_BIT(r)))
            continue;
        if (!first)
            buf_addch(out, ',');
        buf_adds(out, role_name((enum role)r));
        first = false;
    }
}

/* Read the first line of `path` into pw (PASSWORD_MAX_LEN + 1 bytes);
 * 0, or the exit status after reporting. */
static int
read_password(const char *path, char *pw)
{
    struct buf b = BUF_INIT;
    int status = 1;
    size_t n;

    if (file_read_all(path, PASSWORD_MAX_LEN + 2, &b) != CM_ERR_OK) {
        cli_fail(CMD, "--password-file: cannot read %s (or it is too long)",
                 path);
        goto out;
    }
    n = strcspn(buf_str(&b), "\r\n");
    status = 2;
    if (memchr(b.data, '\0', n) || n > PASSWORD_MAX_LEN) {
        cli_fail(CMD,
                 "--password-file: the password must be at most %d "
                 "characters, without NUL",
                 PASSWORD_MAX_LEN);
        goto out;
    }
    memcpy(pw, b.data, n);
    pw[n] = '\0';
    status = 0;
out:
    if (b.data)
        explicit_bzero(b.data, b.len);
    buf_release(&b);
    return status;
}

/* ---- finding organizations --------------------------------------------*/

struct org_find {
    const char *key;
    struct store_org found;
    int matches;
    char last[STORE_ID_SIZE]; /* the last id of the page read */
};

static void
org_find_cb(void *cls, const struct store_org *o)
{
    struct org_find *f = cls;

    memcpy(f->last, o->id, sizeof f->last);
    if (strcmp(o->id, f->key) != 0 && strcmp(o->name, f->key) != 0)
        return;
    if (f->matches++ == 0) {
        memcpy(f->found.id, o->id, sizeof f->found.id);
        f->found.kind = cm_strdup(o->kind);
        f->found.name = cm_strdup(o->name);
    }
}

/* Find the organization whose id or exact name is `key`, reading every
 * page; id and *kind written on success. 0, or the exit status after
 * reporting. */
static int
org_find(struct store *s,
         const char *key,
         char id[STORE_ID_SIZE],
         enum org_kind *kind)
{
    struct org_find f = {.key = key};
    char after[STORE_ID_SIZE] = "";
    int status = 1;
    int n;

    do {
        n = store_org_list(s, after, ORG_PAGE, org_find_cb, &f);
        if (n < 0) {
            cli_fail(CMD, "cannot read the organizations");
            goto out;
        }
        memcpy(after, f.last, sizeof after);
    } while (n == ORG_PAGE);
    if (f.matches == 0) {
        cli_fail(CMD, "--org: no organization has the id or name '%s'", key);
        goto out;
    }
    if (f.matches > 1) {
        cli_fail(CMD, "--org: %d organizations are named '%s'; give the id",
                 f.matches, key);
        goto out;
    }
    if (!org_kind_parse(f.found.kind, kind)) {
        cli_fail(CMD, "--org: the organization has an unknown kind");
        goto out;
    }
    memcpy(id, f.found.id, STORE_ID_SIZE);
    status = 0;
out:
    store_org_release(&f.found);
    return status;
}

/* Append the audit record of a change to user `u` (inside the change's
 * transaction). */
static enum store_rc
audit_user(struct store *s,
           const struct store_user *u,
           int64_t now,
           const char *action,
           const char *detail)
{
    struct buf text = BUF_INIT;
    struct audit_entry e = {.at_us = now,
                            .org_id = u->org_id,
                            .action = action,
                            .object_kind = "user",
                            .object_id = u->id,
                            .outcome = "ok"};
    enum store_rc rc;

    buf_addf(&text, "compel user: %s", detail);
    e.detail = buf_str(&text);
    rc = audit_append(s, &e, NULL);
    buf_release(&text);
    return rc;
}

/* ---- add ----------------------------------------------------------------*/

struct add_tx {
    struct store_user u;
    bool exists; /* the email is taken */
};

static enum store_rc
add_tx(struct store *s, void *cls)
{
    struct add_tx *t = cls;
    struct buf detail = BUF_INIT;
    enum store_rc rc;

    struct store_user old = {0};

    rc = store_user_get_by_email(s, t->u.email, &old);
    store_user_release(&old);
    t->exists = rc == STORE_ONE_RESULT;
    if (rc != STORE_NO_RESULTS)
        return rc == STORE_ONE_RESULT ? STORE_NO_RESULTS : rc;
    rc = store_user_insert(s, &t->u);
    if (rc == STORE_NO_RESULTS) /* taken meanwhile */
        t->exists = true;
    if (rc != STORE_ONE_RESULT)
        return rc == STORE_NO_RESULTS ? STORE_HARD_ERROR : rc;
    buf_adds(&detail, "created, roles=");
    roles_text(t->u.roles, &detail);
    rc = audit_user(s, &t->u, t->u.created_at, "user.create", buf_str(&detail));
    buf_release(&detail);
    return rc;
}

static int
run_add(struct store *s, const struct user_args *a)
{
    char pw[PASSWORD_MAX_LEN + 1] = "";
    char hash[PASSWORD_HASH_MAX];
    struct add_tx t = {0};
    struct buf roles = BUF_INIT;
    const char *why = NULL;
    enum org_kind kind;
    bool generated = false;
    int status;

    if (!parse_roles(a->roles, &t.u.roles))
        return 2;
    status = org_find(s, a->org, t.u.org_id, &kind);
    if (status != 0)
        return status;
    if (!org_kind_allows(kind, t.u.roles)) {
        roles_text(org_kind_roles(kind), &roles);
        cli_fail(CMD,
                 "--roles: a user of an organization of kind %s may hold "
                 "only these roles: %s",
                 org_kind_name(kind), buf_str(&roles));
        buf_release(&roles);
        return 2;
    }
    if (a->password_file) {
        status = read_password(a->password_file, pw);
        if (status == 0)
            status = cli_password_blocklist(CMD);
        if (status != 0)
            goto out;
        if (password_check_for(pw, a->email, a->name, &why) != CM_ERR_OK) {
            cli_fail(CMD, "--password-file: %s", why);
            status = 2;
            goto out;
        }
    } else {
        password_generate(pw, GENERATED_PASSWORD_LEN);
        generated = true;
    }
    status = 1;
    if (password_hash(pw, hash) != CM_ERR_OK) {
        cli_fail(CMD, "cannot hash the password");
        goto out;
    }
    cm_id_new(t.u.id);
    t.u.created_at = t.u.updated_at = now_us();
    t.u.email = (char *)a->email;
    t.u.name = (char *)a->name;
    t.u.title = a->title && *a->title ? (char *)a->title : NULL;
    t.u.password_hash = hash;
    if (store_tx_run(s, "user add", add_tx, &t) < 0 || t.exists) {
        if (t.exists)
            cli_fail(CMD, "a user with the email %s already exists", a->email);
        else
            cli_fail(CMD, "creating the user failed (the store failed)");
        goto out;
    }
    roles_text(t.u.roles, &roles);
    (void)printf("created user %s (%s), roles %s\nid: %s\n", a->email, a->name,
                 buf_str(&roles), t.u.id);
    if (generated)
        (void)printf("password: %s\n"
                     "This password is shown only once: give it to the user "
                     "safely.\n",
                     pw);
    status = 0;
out:
    explicit_bzero(pw, sizeof pw);
    explicit_bzero(hash, sizeof hash);
    buf_release(&roles);
    return status;
}

/* ---- unlock, disable, enable -------------------------------------------*/

struct change_tx {
    const char *sub;
    const char *email;
    int64_t now;
    bool unknown;   /* no user has the email */
    bool unchanged; /* already in the state asked for */
    int ended;      /* sessions ended by disable */
};

static enum store_rc
change_tx(struct store *s, void *cls)
{
    struct change_tx *t = cls;
    struct store_user u = {0};
    struct store_user upd = {0};
    struct buf detail = BUF_INIT;
    enum store_rc rc;

    t->unknown = t->unchanged = false;
    t->ended = 0;
    rc = store_user_get_by_email(s, t->email, &u);
    t->unknown = rc == STORE_NO_RESULTS;
    if (rc != STORE_ONE_RESULT)
        return rc; /* nothing written: NO_RESULTS commits nothing */
    if (strcmp(t->sub, "unlock") == 0) {
        t->unchanged = u.locked_at == 0;
        rc = store_user_unlock(s, u.id, t->now);
        if (rc == STORE_ONE_RESULT)
            rc = audit_user(s, &u, t->now, "user.unlock",
                            t->unchanged ? "was_not_locked" : "was_locked");
        goto out;
    }
    upd = u;
    upd.updated_at = t->now;
    upd.disabled = strcmp(t->sub, "disable") == 0;
    t->unchanged = u.disabled == upd.disabled;
    rc = store_user_update_profile(s, &upd);
    if (rc == STORE_NO_RESULTS)
        rc = STORE_SOFT_ERROR; /* changed meanwhile: run again */
    if (rc != STORE_ONE_RESULT)
        goto out;
    if (upd.disabled) {
        t->ended = store_session_end_by_user(s, u.id, NULL, t->now);
        if (t->ended < 0) {
            rc = (enum store_rc)t->ended;
            goto out;
        }
    }
    buf_addf(&detail, "changed=%s, sessions_ended=%d",
             upd.disabled ? "disabled" : "enabled", t->ended);
    rc = audit_user(s, &u, t->now, "user.update", buf_str(&detail));
out:
    buf_release(&detail);
    store_user_release(&u);
    return rc;
}

static int
run_change(struct store *s, const struct user_args *a)
{
    struct change_tx t = {.sub = a->sub, .email = a->email, .now = now_us()};

    if (store_tx_run(s, "user change", change_tx, &t) < 0 || t.unknown) {
        if (t.unknown)
            cli_fail(CMD, "no user has the email %s", a->email);
        else
            cli_fail(CMD, "changing the user failed (the store failed)");
        return 1;
    }
    if (strcmp(a->sub, "unlock") == 0)
        (void)printf(t.unchanged ? "%s was not locked\n" : "unlocked %s\n",
                     a->email);
    else if (strcmp(a->sub, "disable") == 0)
        (void)printf("%s%s; %d session%s ended\n",
                     t.unchanged ? "already disabled: " : "disabled ", a->email,
                     t.ended, t.ended == 1 ? "" : "s");
    else
        (void)printf(t.unchanged ? "%s was not disabled\n" : "enabled %s\n",
                     a->email);
    return 0;
}

/* ---- list ----------------------------------------------------------------*/

struct org_names {
    struct store_org *v;
    size_t n, cap;
    char last[STORE_ID_SIZE];
};

static void
org_names_cb(void *cls, const struct store_org *o)
{
    struct org_names *on = cls;

    if (on->n == on->cap) {
        on->cap = on->cap ? on->cap * 2 : 16;
        on->v = cm_realloc(on->v, on->cap * sizeof *on->v);
    }
    memset(&on->v[on->n], 0, sizeof on->v[on->n]);
    memcpy(on->v[on->n].id, o->id, sizeof o->id);
    on->v[on->n].name = cm_strdup(o->name);
    on->n++;
    memcpy(on->last, o->id, sizeof on->last);
}

static const char *
org_name(const struct org_names *on, const char *id)
{
    for (size_t i = 0; i < on->n; i++) {
        if (strcmp(on->v[i].id, id) == 0)
            return on->v[i].name;
    }
    return id;
}

struct user_rows {
    const struct org_names *orgs;
    size_t count;
    char last[STORE_ID_SIZE];
};

static void
user_row_cb(void *cls, const struct store_user *u)
{
    struct user_rows *r = cls;
    struct buf roles = BUF_INIT;

    roles_text(u->roles, &roles);
    (void)printf("%-32s  %-24s  %-28s  %-24s  %s\n", u->email, u->name,
                 org_name(r->orgs, u->org_id), buf_str(&roles),
                 u->disabled    ? "disabled"
                 : u->locked_at ? "locked"
                                : "active");
    buf_release(&roles);
    memcpy(r->last, u->id, sizeof r->last);
    r->count++;
}

static int
run_list(struct store *s, const struct user_args *a)
{
    struct org_names on = {0};
    struct user_rows rows = {.orgs = &on};
    char org_id[STORE_ID_SIZE] = "";
    char after[STORE_ID_SIZE] = "";
    enum org_kind kind;
    int status = 1;
    int n;

    if (a->org) {
        status = org_find(s, a->org, org_id, &kind);
        if (status != 0)
            return status;
        status = 1;
    }
    do {
        n = store_org_list(s, after, ORG_PAGE, org_names_cb, &on);
        if (n < 0)
            goto fail;
        memcpy(after, on.last, sizeof after);
    } while (n == ORG_PAGE);
    (void)printf("%-32s  %-24s  %-28s  %-24s  %s\n", "EMAIL", "NAME",
                 "ORGANIZATION", "ROLES", "STATE");
    after[0] = '\0';
    do {
        n = store_user_list(s, org_id, after, ORG_PAGE, user_row_cb, &rows);
        if (n < 0)
            goto fail;
        memcpy(after, rows.last, sizeof after);
    } while (n == ORG_PAGE);
    (void)printf("%zu user%s\n", rows.count, rows.count == 1 ? "" : "s");
    status = 0;
    goto out;
fail:
    cli_fail(CMD, "cannot read the users (the store failed)");
out:
    for (size_t i = 0; i < on.n; i++)
        store_org_release(&on.v[i]);
    cm_free(on.v);
    return status;
}

/* The index in argv of the subcommand: the first argument that is neither
 * an option nor an option's value (`--db URL add` and `add --db URL` both
 * work); 0 when there is none. */
static int
find_sub(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] != '-')
            return i;
        if (strchr(argv[i], '=') == NULL && strcmp(argv[i], "--help") != 0 &&
            strcmp(argv[i], "-h") != 0)
            i++; /* the option's value */
    }
    return 0;
}

int
cmd_user(int argc, char **argv)
{
    static const char *const subs[] = {"add", "list", "unlock", "disable",
                                       "enable"};
    struct user_args a = {0};
    struct store *s = NULL;
    char **rest = NULL;
    bool known = false;
    int sub, n = 0;
    int status = 2;

    sub = find_sub(argc, argv);
    if (sub == 0) {
        for (int i = 1; i < argc; i++) {
            if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
                usage(stdout);
                return 0;
            }
        }
        cli_fail(CMD, "say add, list, unlock, disable or enable (see --help)");
        return 2;
    }
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
        known = known || strcmp(argv[sub], subs[i]) == 0;
    if (!known) {
        cli_fail(CMD,
                 "unknown subcommand '%s' (add, list, unlock, disable or "
                 "enable; see --help)",
                 argv[sub]);
        return 2;
    }
    a.sub = argv[sub];
    rest = cm_malloc((size_t)(argc + 1) * sizeof *rest);
    for (int i = 0; i < argc; i++) {
        if (i != sub)
            rest[n++] = argv[i];
    }
    rest[n] = NULL;
    status = parse_args(n, rest, &a);
    if (status != 0) {
        status = status == 1 ? 0 : status;
        goto out;
    }
    status = 1;
    if (password_lib_init() != CM_ERR_OK) {
        cli_fail(CMD, "cannot initialise the crypto library");
        goto out;
    }
    status = cli_open_migrated(CMD, cli_db_url(a.db), &s);
    if (status != 0)
        goto out;
    if (strcmp(a.sub, "add") == 0)
        status = run_add(s, &a);
    else if (strcmp(a.sub, "list") == 0)
        status = run_list(s, &a);
    else
        status = run_change(s, &a);
    store_close(s);
out:
    cm_free(rest);
    return status;
}
