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
int cmd_serve(int argc, char **argv);
int cmd_report(int argc, char **argv);

/* Print "compel <cmd>: <message>" and a newline on standard error. */
void cli_fail(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The database URL: `flag` when given, else $COMPEL_DB, else
 * "sqlite:var/compel.db". Borrowed; never NULL. */
const char *cli_db_url(const char *flag);

#endif
