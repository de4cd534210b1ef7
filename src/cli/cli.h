/*
 * cli.h: compel's subcommands. Each `cmd_<name>` takes the arguments after
 * the subcommand name (argv[0] is the subcommand) and returns the process
 * exit status: 0 success, 1 failure at run time, 2 usage error. Every
 * failure prints exactly one line on standard error saying what is wrong.
 */
#ifndef CM_CLI_CLI_H
#define CM_CLI_CLI_H

int cmd_audit(int argc, char **argv);
int cmd_deadline(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_migrate_store(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_key(int argc, char **argv);
int cmd_restore(int argc, char **argv);
int cmd_purge(int argc, char **argv);

/* Print "compel <cmd>: <message>" and a newline on standard error. */
void cli_fail(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The database URL: `flag` when given, else $COMPEL_DB, else
 * "sqlite:var/compel.db". Borrowed; never NULL. */
const char *cli_db_url(const char *flag);

/* Load the list of common passwords (auth/password.h) from
 * $COMPEL_PASSWORD_BLOCKLIST, else PASSWORD_BLOCKLIST_DEFAULT (an empty
 * value: no list); 0, or 2 after reporting on behalf of `cmd`. */
int cli_password_blocklist(const char *cmd);

struct store;

/* Open the existing database `url` into *s; 0, or the exit status (2 for
 * a malformed URL, else 1) after reporting on behalf of `cmd`. */
int cli_open_store(const char *cmd, const char *url, struct store **s);

/* The same, for a command that needs the current schema: a database with
 * migrations pending is closed and refused ("run `compel migrate`"). */
int cli_open_migrated(const char *cmd, const char *url, struct store **s);

#endif
