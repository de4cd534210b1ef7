/*
 * main.c: the `compel` binary; dispatches to a subcommand from a table
 * (git's way) and prints the list of subcommands for --help.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "auth/password.h"
#include "cli/cli.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/redact.h"
#include "http/reports.h"
#include "store/store.h"

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    {"init", cmd_init, "create a database, its key file and the first admin"},
    {"serve", cmd_serve, "serve the HTTP API"},
    {"migrate", cmd_migrate, "apply pending database migrations"},
    {"deadline", cmd_deadline, "compute a deadline and explain it"},
    {"demo", cmd_demo, "fill a fresh database with a demonstration world"},
    {"audit", cmd_audit, "verify the audit trail or sign a checkpoint"},
    {"import", cmd_import, "import a CSV file (docs/import.md)"},
    {"export", cmd_export, "export a case list as CSV"},
    {"report", cmd_report, "print the jurisdiction report (docs/reports.md)"},
    {"user", cmd_user, "add, list, unlock, disable or enable users"},
    {"backup", cmd_backup, "write an encrypted, checked copy of the database"},
    {"restore", cmd_restore, "restore a backup after checking it"},
    {"migrate-store", cmd_migrate_store, "move a database to PostgreSQL"},
    {"key", cmd_key, "rotate or check the field encryption key"},
    {"purge", cmd_purge, "remove records past retention, never held ones"},
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void
usage(FILE *f)
{
    (void)fprintf(f, "usage: compel <command> [options]\n\n"
                     "commands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++)
        (void)fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    (void)fprintf(f, "\n`compel <command> --help` lists a command's options.\n"
                     "Exit status: 0 success, 1 failure, 2 usage error.\n");
}

void
cli_fail(const char *cmd, const char *fmt, ...)
{
    struct buf raw = BUF_INIT;
    struct buf line = BUF_INIT;
    va_list ap;

    buf_addf(&raw, "compel %s: ", cmd);
    va_start(ap, fmt);
    buf_vaddf(&raw, fmt, ap);
    va_end(ap);
    /* A database URL may carry its password: never print it. */
    redact_add(&line, buf_str(&raw), raw.len);
    buf_addch(&line, '\n');
    (void)fputs(buf_str(&line), stderr);
    buf_release(&line);
    buf_release(&raw);
}

const char *
cli_db_url(const char *flag)
{
    const char *env;

    if (flag && *flag)
        return flag;
    env = getenv("COMPEL_DB");
    if (env && *env)
        return env;
    return "sqlite:var/compel.db";
}

int
cli_password_blocklist(const char *cmd)
{
    const char *env = getenv("COMPEL_PASSWORD_BLOCKLIST");
    struct buf why = BUF_INIT;
    int status = 0;

    if (password_blocklist_load(env ? env : PASSWORD_BLOCKLIST_DEFAULT, &why) !=
        CM_ERR_OK) {
        cli_fail(cmd, "%s", buf_str(&why));
        status = 2;
    }
    buf_release(&why);
    return status;
}

int
cli_open_store(const char *cmd, const char *url, struct store **s)
{
    const char *why = NULL;
    enum cm_err err = store_open(url, STORE_OPEN_MODE_EXISTING, s, &why);

    if (err == CM_ERR_OK)
        return 0;
    cli_fail(cmd, "%s: %s", url, why ? why : "cannot open the database");
    return err == CM_ERR_USAGE ? 2 : 1;
}

int
cli_open_migrated(const char *cmd, const char *url, struct store **s)
{
    int pending = -1;
    int status = cli_open_store(cmd, url, s);

    if (status != 0)
        return status;
    if (store_migrations_pending(*s, &pending) < 0) {
        cli_fail(cmd, "cannot read the database's migrations");
    } else if (pending != 0) {
        cli_fail(cmd,
                 "the database needs migrating (%d migration%s pending): "
                 "run `compel migrate` first",
                 pending, pending == 1 ? "" : "s");
    } else {
        return 0;
    }
    store_close(*s);
    *s = NULL;
    return 1;
}

int
main(int argc, char **argv)
{
    if (argc < 2) {
        (void)fprintf(stderr,
                      "compel: no command given; try `compel --help`\n");
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    /* jansson allocates through compel's allocator, which never returns
     * NULL (a reserve, then an abort: core/alloc.h): no caller has to
     * check jansson for a NULL that only an exhausted heap would give
     * (tests/faults/faults.c). */
    json_set_alloc_funcs(cm_malloc, cm_free);
    /* The cost of the password hashes every command makes (compel serve
     * may also read it from its configuration file). */
    {
        const char *pc = getenv("COMPEL_PASSWORD_HASH_COST");
        enum password_cost cost = PASSWORD_COST_STANDARD;

        if (pc && !password_cost_parse(pc, &cost)) {
            (void)fprintf(stderr,
                          "compel: COMPEL_PASSWORD_HASH_COST must be standard "
                          "or minimum, not '%s'\n",
                          pc);
            return 2;
        }
        password_set_cost(cost);
    }
    (void)cm_alloc_reserve_take();
    store_reports_set_local_date(reports_local_date);
    for (size_t i = 0; i < N_COMMANDS; i++) {
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    }
    (void)fprintf(stderr, "compel: unknown command '%s'; try `compel --help`\n",
                  argv[1]);
    return 2;
}
