/*
 * cmd_serve.c: `compel serve`, the HTTP API server.
 *
 * Configuration comes from the table of core/cfg.h, layered default <
 * --config FILE < COMPEL_* environment < flags; every key is also a flag
 * (`--body-limit 2M`). When listening, one line goes to standard output:
 * "compel: serving on http://HOST:PORT". SIGTERM or SIGINT stops it
 * gracefully (requests in flight finish) and it exits 0. A bad flag or
 * configuration value exits 2 and a failure to serve (port in use) exits 1,
 * each with one line on standard error. The server starts even when the
 * store is missing or behind on migrations: /readyz then answers 503.
 */
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "auth/password.h"
#include "cli/cli.h"
#include "core/buf.h"
#include "core/cfg.h"
#include "core/log.h"
#include "http/app.h"
#include "http/router.h"
#include "http/server.h"
#include "jobs/jobs.h"
#include "store/store.h"

extern char **environ;

/* How long requests in flight may take to finish after SIGTERM. */
#define SERVE_GRACE_MS 10000u

/* The job runner's clock: the app's, which tests move. */
static int64_t
serve_now(void *ctx)
{
    return app_now(ctx);
}

static void
print_help(void)
{
    struct buf help = BUF_INIT;

    cfg_help(&help);
    (void)printf(
        "usage: compel serve [--db URL] [--key-file FILE] [--listen "
        "HOST:PORT]\n"
        "                    [--config FILE] [--KEY VALUE ...]\n\n"
        "Serve the HTTP API. Settings are taken, later winning, from their\n"
        "defaults, the --config file (`key = value` lines, # comments), the\n"
        "COMPEL_<KEY> environment variables and these flags:\n\n"
        "  --config FILE\n      read settings from FILE\n%s",
        buf_str(&help));
    buf_release(&help);
}

/* The value of option argv[*i] ("--key=value" or "--key value"), moving
 * *i past it; NULL when it is missing. `name` gets the key. */
static const char *
option_value(int argc, char **argv, int *i, struct buf *name)
{
    const char *arg = argv[*i] + 2;
    const char *eq = strchr(arg, '=');

    buf_reset(name);
    if (eq) {
        buf_add(name, arg, (size_t)(eq - arg));
        return eq + 1;
    }
    buf_adds(name, arg);
    if (*i + 1 >= argc)
        return NULL;
    (*i)++;
    return argv[*i];
}

/* Apply the configuration layers to `c`; 0 or the exit status 2 after
 * printing the one line saying why. */
static int
configure(int argc, char **argv, struct cfg *c)
{
    struct buf why = BUF_INIT;
    struct buf name = BUF_INIT;
    const char *config_path = NULL;
    int status = 2;

    /* The file comes first whatever its place among the flags. */
    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], "--", 2) != 0) {
            cli_fail("serve", "unexpected argument '%s'; try --help", argv[i]);
            goto out_release;
        }
        const char *value = option_value(argc, argv, &i, &name);

        if (!value) {
            cli_fail("serve", "--%s needs a value", buf_str(&name));
            goto out_release;
        }
        if (strcmp(buf_str(&name), "config") == 0)
            config_path = value;
    }
    if (config_path && cfg_load_file(c, config_path, &why) != CM_ERR_OK)
        goto out_why;
    if (cfg_load_env(c, environ, &why) != CM_ERR_OK)
        goto out_why;
    for (int i = 1; i < argc; i++) {
        const char *value = option_value(argc, argv, &i, &name);

        if (strcmp(buf_str(&name), "config") == 0)
            continue;
        if (!cfg_has_key(buf_str(&name))) {
            cli_fail("serve", "unknown option --%s; try --help",
                     buf_str(&name));
            goto out_release;
        }
        if (cfg_set(c, buf_str(&name), value, &why) != CM_ERR_OK)
            goto out_why;
    }
    if (cfg_check(c, &why) != CM_ERR_OK)
        goto out_why;
    status = 0;
    goto out_release;
out_why:
    cli_fail("serve", "%s", buf_str(&why));
out_release:
    buf_release(&name);
    buf_release(&why);
    return status;
}

/* A server's memory holds passwords in flight, session tokens and
 * decrypted personal data: it never writes a core file (the soak harness
 * found names and addresses in one). Both the resource limit and the
 * dumpable flag, since a piped core_pattern may ignore the limit. */
static void
no_core_dumps(void)
{
    struct rlimit none = {0, 0};

    if (setrlimit(RLIMIT_CORE, &none) != 0)
        LOG_WARN("cannot turn core dumps off (RLIMIT_CORE)");
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
        LOG_WARN("cannot turn core dumps off (PR_SET_DUMPABLE)");
}

/*
 * Few malloc arenas. glibc gives threads up to eight arenas per processor,
 * and each arena keeps what was freed in it. The server runs 64 handler
 * threads and libmicrohttpd's, so freed memory was spread over up to 16
 * arenas on two processors: after bench_service's loads the server held
 * 62 MiB where it holds 44 MiB with four arenas, at the same rates
 * (docs/performance.md). Two per processor, at least two.
 */
static void
limit_arenas(void)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);

    (void)mallopt(M_ARENA_MAX, cpus > 1 ? (int)(2 * cpus) : 2);
}

int
cmd_serve(int argc, char **argv)
{
    struct cfg c;
    struct buf why = BUF_INIT;
    struct http_server *srv = NULL;
    struct http_server_opts o;
    struct app app;
    struct jobs_config jc;
    struct jobs_runner *runner = NULL;
    struct sigaction ignore;
    char host[CFG_HOST_MAX + 1];
    unsigned short port = 0;
    enum log_level level = LOG_LEVEL_INFO;
    sigset_t stop_set;
    int status, sig = 0;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            print_help();
            return 0;
        }
    }
    cfg_init(&c);
    status = configure(argc, argv, &c);
    if (status != 0)
        goto out_cfg;
    /* Both were validated by the configuration table. */
    (void)log_parse_level(c.log_level, &level);
    log_set_level(level);
    (void)cfg_parse_listen(c.listen, host, &port);

    /* Block the stop signals before any thread starts, so that every
     * thread inherits the mask and only sigwait below receives them. */
    sigemptyset(&stop_set);
    sigaddset(&stop_set, SIGTERM);
    sigaddset(&stop_set, SIGINT);
    (void)pthread_sigmask(SIG_BLOCK, &stop_set, NULL);
    memset(&ignore, 0, sizeof ignore);
    ignore.sa_handler = SIG_IGN;
    (void)sigaction(SIGPIPE, &ignore, NULL);

    no_core_dumps();
    limit_arenas();
    if (password_lib_init() != CM_ERR_OK) {
        cli_fail("serve", "libsodium cannot start");
        status = 1;
        goto out_cfg;
    }
    if (password_blocklist_load(c.password_blocklist, &why) != CM_ERR_OK) {
        cli_fail("serve", "%s", buf_str(&why));
        status = 2;
        goto out_cfg;
    }
    if (app_init(&app, c.db, c.key_file, &why) != CM_ERR_OK) {
        cli_fail("serve", "%s", buf_str(&why));
        status = 1;
        goto out_cfg;
    }
    app.cookie_secure = c.cookie_secure != 0;
    app.public_url = c.public_url;
    app.rate.login = c.rate_limit_login;
    app.rate.user = c.rate_limit_user;
    app.rate.org = c.rate_limit_org;
    app.webhook_private_ok = c.webhook_private_networks != 0;
    app.require_totp = c.require_totp != 0;
    app.step_up_us = (int64_t)c.step_up_minutes * 60 * 1000000;
    {
        enum password_cost pc = PASSWORD_COST_STANDARD;

        (void)password_cost_parse(c.password_hash_cost, &pc); /* checked */
        password_set_cost(pc);
    }
    app.http.trusted_proxy = c.trusted_proxy;
    if (app_writer_start(&app) != CM_ERR_OK) {
        cli_fail("serve", "cannot start the writer thread");
        status = 1;
        goto out_app;
    }
    memset(&jc, 0, sizeof jc);
    jc.db_url = c.db;
    jc.smtp_url = c.smtp_url;
    jc.smtp_from = c.smtp_from;
    jc.public_url = c.public_url;
    (void)reminder_policy_parse(c.reminder_days, &jc.policy); /* validated */
    jc.interval_s = c.jobs_interval;
    jc.max_attempts = c.webhook_max_attempts;
    jc.webhook_private_ok = c.webhook_private_networks != 0;
    jc.inactive_days = (int)c.disable_inactive_days;
    jc.fc = &app.fc;
    jc.now = serve_now;
    jc.now_ctx = &app;
    jc.today_in = app_today_in;
    jc.retention.audit_years = (int)c.retention_audit_years;
    jc.retention.case_years = (int)c.retention_case_years;
    if (jobs_runner_start(&jc, &runner) != CM_ERR_OK) {
        cli_fail("serve", "cannot start the job runner");
        status = 1;
        goto out_app;
    }
    memset(&o, 0, sizeof o);
    o.host = host;
    o.port = port;
    o.threads = c.threads;
    o.connection_timeout = c.connection_timeout;
    o.max_connections = c.max_connections;
    o.max_connections_per_ip = c.max_connections_per_ip;
    o.body_limit = c.body_limit;
    o.routes = router_routes(&o.n_routes);
    o.app = &app.http;
    o.web_root = c.web_root;
    if (http_server_start(&o, &srv, &why) != CM_ERR_OK) {
        cli_fail("serve", "%s", buf_str(&why));
        status = 1;
        goto out_app;
    }
    (void)printf("compel: serving on http://%s%s%s:%u\n",
                 strchr(host, ':') ? "[" : "", host,
                 strchr(host, ':') ? "]" : "", (unsigned)http_server_port(srv));
    (void)fflush(stdout);
    if (!app.require_totp)
        log_write(LOG_LEVEL_WARN, __FILE__, __LINE__, NULL,
                  "require_totp is 0: accounts may log in with a password "
                  "alone; set require_totp = 1 to require a second factor "
                  "of every account (CJIS IA-2)");
    if (password_blocklist_size() == 0)
        log_write(LOG_LEVEL_WARN, __FILE__, __LINE__, NULL,
                  "password_blocklist is empty: new passwords are not "
                  "checked against a list of common or breached ones");
    while (sigwait(&stop_set, &sig) != 0)
        ;
    LOG_INFO("signal %d: stopping after the requests in flight", sig);
    http_server_stop(srv, SERVE_GRACE_MS);
    status = 0;
out_app:
    jobs_runner_stop(runner);
    app_release(&app);
out_cfg:
    password_blocklist_release();
    buf_release(&why);
    cfg_release(&c);
    return status;
}
