/*
 * cmd_migrate.c: `compel migrate`, apply the database's pending schema
 * migrations.
 *
 *   compel migrate [--db URL]
 *
 * Opens an existing database (never creates one), applies every migration
 * compiled into this binary that the database has not recorded, each in
 * its own transaction, and says how many it applied.
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "cli/cli.h"
#include "store/store.h"

#define CMD "migrate"

static void
usage(FILE *f)
{
    (void)fprintf(f,
                  "usage: compel migrate [--db URL]\n"
                  "\n"
                  "Apply the pending schema migrations of an existing "
                  "database.\n"
                  "\n"
                  "  --db URL   the database: sqlite:PATH (default $COMPEL_DB, "
                  "else\n"
                  "             sqlite:var/compel.db)\n"
                  "  --help     print this help\n"
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

int
cmd_migrate(int argc, char **argv)
{
    static const struct option options[] = {
        {"db", required_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *db_flag = NULL;
    const char *url;
    const char *why = NULL;
    struct store *s = NULL;
    int applied = 0, version = 0;
    int status = 2;
    int c;

    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
        switch (c) {
        case 'd':
            db_flag = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        case ':':
            cli_fail(CMD, "option '%s' needs a value (see --help)",
                     argv[optind - 1]);
            goto out;
        default:
            cli_fail(CMD, "unknown option '%s' (see --help)", argv[optind - 1]);
            goto out;
        }
    }
    if (optind < argc) {
        cli_fail(CMD, "unexpected argument '%s' (see --help)", argv[optind]);
        goto out;
    }
    url = cli_db_url(db_flag);
    status = 1;
    switch (store_open(url, STORE_OPEN_MODE_EXISTING, &s, &why)) {
    case CM_ERR_OK:
        break;
    case CM_ERR_USAGE:
        cli_fail(CMD, "%s: %s", url, why);
        status = 2;
        goto out;
    default:
        cli_fail(CMD, "%s: %s", url, why);
        goto out;
    }
    if (store_migrate(s, now_us(), &applied) != STORE_ONE_RESULT ||
        store_schema_version(s, &version) != STORE_ONE_RESULT) {
        cli_fail(CMD, "%s: a migration failed; nothing of it was applied", url);
        goto out_close;
    }
    (void)printf("applied %d pending migration%s; schema version %d\n", applied,
                 applied == 1 ? "" : "s", version);
    status = 0;
out_close:
    store_close(s);
out:
    return status;
}
