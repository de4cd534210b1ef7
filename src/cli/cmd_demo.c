/*
 * cmd_demo.c: `compel demo`, fill a database made by `compel init` with a
 * believable demonstration world.
 *
 *   compel demo [--db URL] [--key-file K]
 *
 * It refuses a database that already holds cases. It inserts the cast
 * (demo_world.c) in one audited transaction, then starts the real HTTP
 * service in this process on 127.0.0.1 (a free port) and plays the story
 * (demo_story.c) over HTTP as the cast's users, so every case goes through
 * the same state machines, guards, deadlines, events, audit records and
 * field encryption as in real use. The story is set in 2020: the
 * service's clock reads a temporary file this command owns
 * (COMPEL_TEST_CLOCK_FILE), moved forward as the story goes on, and
 * removed at the end whatever happens (also on SIGINT, SIGTERM, SIGHUP
 * and an abort). At the
 * end it prints the table of logins. Any failed step stops it with one
 * line naming the step and the answer's problem code (exit 1).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/password.h"
#include "cli/cli.h"
#include "cli/demo.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/redact.h"
#include "http/app.h"
#include "http/router.h"
#include "http/server.h"
#include "store/store.h"

#define CMD "demo"

#define SQLITE_PREFIX "sqlite:"

/* The clock file's path, for the signal handler to remove. */
static char clock_path[256];

static void
usage(FILE *f)
{
    (void)fprintf(
        f, "usage: compel demo [--db URL] [--key-file K]\n"
           "\n"
           "Fill a database made by `compel init` (and holding no cases yet)\n"
           "with a demonstration world: organizations, users and cases in\n"
           "every state, made through the HTTP API as those users. Every\n"
           "demo user's password is " DEMO_PASSWORD " (see docs/demo.md).\n"
           "\n"
           "  --db URL        the database (default $COMPEL_DB, else\n"
           "                  sqlite:var/compel.db)\n"
           "  --key-file K    its key file (default PATH.key)\n"
           "  --help          print this help\n"
           "\n"
           "Exit status: 0 success, 1 failure, 2 usage error.\n");
}

static void
on_signal(int sig)
{
    if (clock_path[0])
        (void)unlink(clock_path);
    signal(sig, SIG_DFL);
    (void)raise(sig);
}

/* Make the clock file, point COMPEL_TEST_CLOCK_FILE at it and install the
 * handlers that remove it. */
static enum cm_err
clock_file_create(void)
{
    const char *dir = getenv("TMPDIR");
    struct sigaction sa;
    int fd;

    if (dir == NULL || *dir == '\0')
        dir = "/tmp";
    if (snprintf(clock_path, sizeof clock_path, "%s/compel-demo-clock-XXXXXX",
                 dir) >= (int)sizeof clock_path) {
        clock_path[0] = '\0';
        return CM_ERR_IO;
    }
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    (void)sigaction(SIGINT, &sa, NULL);
    (void)sigaction(SIGTERM, &sa, NULL);
    (void)sigaction(SIGHUP, &sa, NULL);
    (void)sigaction(SIGABRT, &sa, NULL);
    sa.sa_handler = SIG_IGN; /* the in-process server writes to sockets */
    (void)sigaction(SIGPIPE, &sa, NULL);
    fd = mkstemp(clock_path);
    if (fd < 0) {
        clock_path[0] = '\0';
        return CM_ERR_IO;
    }
    (void)close(fd);
    if (setenv("COMPEL_TEST_CLOCK_FILE", clock_path, 1) != 0)
        return CM_ERR_IO;
    return CM_ERR_OK;
}

static void
clock_file_remove(void)
{
    (void)unsetenv("COMPEL_TEST_CLOCK_FILE");
    if (clock_path[0])
        (void)unlink(clock_path);
    clock_path[0] = '\0';
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    signal(SIGABRT, SIG_DFL);
}

/* 0 when the database at `url` exists and holds no case, else the exit
 * status after reporting. */
static int
check_empty(const char *url)
{
    struct store *s = NULL;
    struct store_scope all = {.all = true};
    const char *why = NULL;
    int64_t n[3] = {0, 0, 0};
    int status = 1;

    if (store_open(url, STORE_OPEN_MODE_EXISTING, &s, &why) != CM_ERR_OK) {
        cli_fail(CMD, "%s: %s (run `compel init` first)", url, why);
        return 1;
    }
    if (store_detainer_count(s, &all, NULL, &n[0]) != STORE_ONE_RESULT ||
        store_subpoena_count(s, &all, NULL, &n[1]) != STORE_ONE_RESULT ||
        store_enforcement_count(s, &all, NULL, &n[2]) != STORE_ONE_RESULT) {
        cli_fail(CMD, "%s: cannot read the cases (is it migrated?)", url);
        goto out_close;
    }
    if (n[0] + n[1] + n[2] > 0) {
        cli_fail(CMD,
                 "%s already holds cases; the demo needs a fresh "
                 "database from `compel init`",
                 url);
        goto out_close;
    }
    status = 0;
out_close:
    store_close(s);
    return status;
}

/* Insert the cast; 0 or the exit status after reporting. */
static int
create_cast(const char *url, struct demo *d)
{
    struct store *s = NULL;
    const char *why = NULL;
    enum cm_err err;

    if (store_open(url, STORE_OPEN_MODE_EXISTING, &s, &why) != CM_ERR_OK) {
        cli_fail(CMD, "%s: %s", url, why);
        return 1;
    }
    err = demo_world_create(s, d, &why);
    store_close(s);
    if (err != CM_ERR_OK) {
        cli_fail(CMD, "%s: %s", url, why);
        return 1;
    }
    return 0;
}

/* Serve in process and play the story; 0 or 1 after reporting. */
static int
play(const char *url, const char *key_file, struct demo *d)
{
    struct buf why = BUF_INIT;
    struct http_server *srv = NULL;
    struct http_server_opts o;
    struct app app;
    int status = 1;

    if (app_init(&app, url, key_file, &why) != CM_ERR_OK) {
        cli_fail(CMD, "%s", buf_str(&why));
        goto out;
    }
    if (app_writer_start(&app) != CM_ERR_OK) {
        cli_fail(CMD, "cannot start the writer thread");
        app_release(&app);
        goto out;
    }
    memset(&o, 0, sizeof o);
    o.host = "127.0.0.1";
    o.port = 0;
    o.threads = 2;
    o.connection_timeout = 60;
    o.max_connections = 16;
    o.max_connections_per_ip = 16;
    o.body_limit = 1024 * 1024;
    o.routes = router_routes(&o.n_routes);
    o.app = &app.http;
    if (http_server_start(&o, &srv, &why) != CM_ERR_OK) {
        cli_fail(CMD, "%s", buf_str(&why));
        goto out_app;
    }
    (void)snprintf(d->base, sizeof d->base, "http://127.0.0.1:%u",
                   (unsigned)http_server_port(srv));
    if (demo_http_start(d) != CM_ERR_OK) {
        cli_fail(CMD, "cannot start the HTTP client (libcurl)");
        goto out_server;
    }
    if (demo_story_run(d) == CM_ERR_OK)
        status = 0;
    demo_http_stop(d);
out_server:
    http_server_stop(srv, 5000);
out_app:
    app_release(&app);
out:
    buf_release(&why);
    return status;
}

int
cmd_demo(int argc, char **argv)
{
    static const struct option options[] = {
        {"db", required_argument, NULL, 'd'},
        {"key-file", required_argument, NULL, 'k'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *db = NULL, *key_file = NULL, *url;
    struct buf key = BUF_INIT;
    struct demo *d;
    int c, status;

    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'k':
            key_file = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
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
    url = cli_db_url(db);
    if (key_file) {
        buf_adds(&key, key_file);
    } else if (strncmp(url, SQLITE_PREFIX, strlen(SQLITE_PREFIX)) == 0) {
        buf_addf(&key, "%s.key", url + strlen(SQLITE_PREFIX));
    } else {
        cli_fail(CMD, "--key-file is required for a database that is not "
                      "sqlite:PATH");
        return 2;
    }
    if (password_lib_init() != CM_ERR_OK) {
        cli_fail(CMD, "cannot initialise the crypto library");
        buf_release(&key);
        return 1;
    }
    /* The service logs warnings (the test clock) that are not for us. */
    log_set_level(LOG_LEVEL_ERROR);
    status = check_empty(url);
    if (status != 0)
        goto out_key;
    d = cm_calloc(1, sizeof *d);
    demo_world_init(d);
    if (clock_file_create() != CM_ERR_OK) {
        cli_fail(CMD, "cannot create the clock file in $TMPDIR or /tmp");
        status = 1;
        goto out_clock;
    }
    d->clock_path = clock_path;
    /* The cast is made on Thu 2 January 2020, 09:00 in Denver. */
    if (demo_clock_set(d, "2020-01-02T09:00:00-07:00") != CM_ERR_OK) {
        cli_fail(CMD, "cannot write the clock file %s", clock_path);
        status = 1;
        goto out_clock;
    }
    status = create_cast(url, d);
    if (status == 0)
        status = play(url, buf_str(&key), d);
    if (status == 0) {
        struct buf shown = BUF_INIT;

        if (d->skipped)
            (void)printf("demo: %d part(s) skipped (see above)\n", d->skipped);
        redact_add(&shown, url, strlen(url)); /* no password in the URL */
        (void)printf("demo: the demonstration world is ready in %s\n\n",
                     buf_str(&shown));
        buf_release(&shown);
        demo_world_print_logins(d);
    }
out_clock:
    clock_file_remove();
    cm_free(d);
out_key:
    buf_release(&key);
    return status;
}
