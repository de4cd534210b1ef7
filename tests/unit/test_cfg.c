/*
 * test_cfg.c: the configuration table (core/cfg.h): defaults, the layers
 * default < file < environment < flag, validation messages that name the
 * key, and the parsing of `listen`.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/cfg.h"

/* Write `text` to a new temporary file; its path goes to `path`. */
static void
write_temp(char path[64], const char *text)
{
    int fd;

    (void)snprintf(path, 64, "/tmp/test_cfg_XXXXXX");
    fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (int)strlen(text));
    assert_int_equal(close(fd), 0);
}

static void
test_defaults(void **state)
{
    struct cfg c;
    struct buf why = BUF_INIT;

    (void)state;
    cfg_init(&c);
    /* The documented defaults (task brief and API.md's 1 MiB limit). */
    assert_string_equal(c.listen, "127.0.0.1:8080");
    assert_string_equal(c.db, "sqlite:var/compel.db");
    assert_string_equal(c.log_level, "info");
    assert_string_equal(c.password_hash_cost, "standard");
    assert_int_equal(c.body_limit, 1024 * 1024);
    assert_true(c.threads >= 1);
    assert_true(c.max_connections >= c.threads);
    assert_int_equal(cfg_check(&c, &why), CM_ERR_OK);
    cfg_release(&c);
    cfg_release(&c); /* a released struct may be released again */
    buf_release(&why);
}

static void
test_set_validates_and_names_key(void **state)
{
    struct cfg c;
    struct buf why = BUF_INIT;

    (void)state;
    cfg_init(&c);
    assert_int_equal(cfg_set(&c, "threads", "8", &why), CM_ERR_OK);
    assert_int_equal(c.threads, 8);
    /* Dashes are accepted for underscores, as flags spell them. */
    assert_int_equal(cfg_set(&c, "max-connections-per-ip", "10", &why),
                     CM_ERR_OK);
    assert_int_equal(c.max_connections_per_ip, 10);

    assert_int_equal(cfg_set(&c, "threads", "eight", &why),
                     CM_ERR_VALIDATION_FAILED);
    assert_non_null(strstr(buf_str(&why), "threads"));
    assert_int_equal(c.threads, 8); /* unchanged on failure */
    buf_reset(&why);

    assert_int_equal(cfg_set(&c, "threads", "0", &why),
                     CM_ERR_VALIDATION_FAILED);
    assert_int_equal(cfg_set(&c, "threads", "-1", &why),
                     CM_ERR_VALIDATION_FAILED);
    assert_int_equal(cfg_set(&c, "threads", "", &why),
                     CM_ERR_VALIDATION_FAILED);
    assert_int_equal(cfg_set(&c, "threads", "99999999999999999999999", &why),
                     CM_ERR_VALIDATION_FAILED);
    buf_reset(&why);

    assert_int_equal(cfg_set(&c, "log_level", "loud", &why),
                     CM_ERR_VALIDATION_FAILED);
    assert_non_null(strstr(buf_str(&why), "log_level"));
    buf_reset(&why);

    assert_int_equal(cfg_set(&c, "password_hash_cost", "low", &why),
                     CM_ERR_VALIDATION_FAILED);
    assert_non_null(strstr(buf_str(&why), "standard or minimum"));
    buf_reset(&why);

    /* A store URL is never echoed: it may carry a password. */
    assert_int_equal(cfg_set(&c, "db", "mysql://u:secret@h/db", &why),
                     CM_ERR_VALIDATION_FAILED);
    assert_non_null(strstr(buf_str(&why), "db"));
    assert_null(strstr(buf_str(&why), "secret"));
    buf_reset(&why);

    assert_int_equal(cfg_set(&c, "bogus", "1", &why), CM_ERR_USAGE);
    assert_non_null(strstr(buf_str(&why), "bogus"));
    assert_false(cfg_has_key("bogus"));
    assert_true(cfg_has_key("key_file"));
    assert_true(cfg_has_key("key-file"));
    cfg_release(&c);
    buf_release(&why);
}

static void
test_sizes(void **state)
{
    struct cfg c;
    struct buf why = BUF_INIT;

    (void)state;
    cfg_init(&c);
    assert_int_equal(cfg_set(&c, "body_limit", "2M", &why), CM_ERR_OK);
    assert_int_equal(c.body_limit, 2 * 1024 * 1024);
    assert_int_equal(cfg_set(&c, "body_limit", "64k", &why), CM_ERR_OK);
    assert_int_equal(c.body_limit, 64 * 1024);
    assert_int_equal(cfg_set(&c, "body_limit", "4096", &why), CM_ERR_OK);
    assert_int_equal(c.body_limit, 4096);
    assert_int_equal(cfg_set(&c, "body_limit", "10", &why),
                     CM_ERR_VALIDATION_FAILED); /* below 1 KiB */
    assert_int_equal(cfg_set(&c, "body_limit", "2MB", &why),
                     CM_ERR_VALIDATION_FAILED);
    assert_int_equal(cfg_set(&c, "body_limit", "2T", &why),
                     CM_ERR_VALIDATION_FAILED);
    assert_int_equal(c.body_limit, 4096);
    cfg_release(&c);
    buf_release(&why);
}

static void
test_file(void **state)
{
    struct cfg c;
    struct buf why = BUF_INIT;
    char path[64];

    (void)state;
    write_temp(path, "# compel test configuration\n"
                     "\n"
                     "listen = 127.0.0.1:9090\n"
                     "  threads=2   \n"
                     "db = sqlite:/tmp/x.db\r\n"
                     "key-file = /tmp/x.key");
    cfg_init(&c);
    assert_int_equal(cfg_load_file(&c, path, &why), CM_ERR_OK);
    assert_string_equal(c.listen, "127.0.0.1:9090");
    assert_int_equal(c.threads, 2);
    assert_string_equal(c.db, "sqlite:/tmp/x.db");
    assert_string_equal(c.key_file, "/tmp/x.key");
    assert_int_equal(unlink(path), 0);
    cfg_release(&c);

    /* The unknown key of line 3 is named, with its line. */
    write_temp(path, "threads = 2\n# comment\nlisten_port = 80\n");
    cfg_init(&c);
    assert_int_equal(cfg_load_file(&c, path, &why), CM_ERR_USAGE);
    assert_non_null(strstr(buf_str(&why), ":3: "));
    assert_non_null(strstr(buf_str(&why), "listen_port"));
    assert_int_equal(unlink(path), 0);
    cfg_release(&c);
    buf_reset(&why);

    write_temp(path, "connection_timeout = soon\n");
    cfg_init(&c);
    assert_int_equal(cfg_load_file(&c, path, &why), CM_ERR_VALIDATION_FAILED);
    assert_non_null(strstr(buf_str(&why), ":1: connection_timeout"));
    assert_int_equal(unlink(path), 0);
    cfg_release(&c);
    buf_reset(&why);

    write_temp(path, "threads 4\n");
    cfg_init(&c);
    assert_int_equal(cfg_load_file(&c, path, &why), CM_ERR_VALIDATION_FAILED);
    assert_non_null(strstr(buf_str(&why), ":1: "));
    assert_int_equal(unlink(path), 0);
    cfg_release(&c);
    buf_reset(&why);

    cfg_init(&c);
    assert_int_equal(cfg_load_file(&c, "/nonexistent/compel.conf", &why),
                     CM_ERR_IO);
    assert_non_null(strstr(buf_str(&why), "/nonexistent/compel.conf"));
    cfg_release(&c);
    buf_release(&why);
}

static void
test_layers(void **state)
{
    struct cfg c;
    struct buf why = BUF_INIT;
    char path[64];
    char *env[] = {"PATH=/usr/bin",          "COMPEL_THREADS=3",
                   "COMPEL_LOG_LEVEL=debug", "COMPEL_UNRELATED=x",
                   "COMPELLING=1",           NULL};
    char *bad_env[] = {"COMPEL_MAX_CONNECTIONS=lots", NULL};

    (void)state;
    write_temp(path, "threads = 2\nlog_level = warn\nbody_limit = 8K\n");
    cfg_init(&c);
    assert_int_equal(cfg_load_file(&c, path, &why), CM_ERR_OK);
    assert_int_equal(cfg_load_env(&c, env, &why), CM_ERR_OK);
    /* The environment beats the file ... */
    assert_int_equal(c.threads, 3);
    assert_string_equal(c.log_level, "debug");
    /* ... which beats the default, where the environment is silent ... */
    assert_int_equal(c.body_limit, 8 * 1024);
    /* ... and a flag (applied last) beats them all. */
    assert_int_equal(cfg_set(&c, "threads", "5", &why), CM_ERR_OK);
    assert_int_equal(c.threads, 5);
    assert_int_equal(unlink(path), 0);

    /* A bad environment value names the variable. */
    assert_int_equal(cfg_load_env(&c, bad_env, &why), CM_ERR_VALIDATION_FAILED);
    assert_non_null(strstr(buf_str(&why), "COMPEL_MAX_CONNECTIONS"));
    cfg_release(&c);
    buf_release(&why);
}

static void
test_check(void **state)
{
    struct cfg c;
    struct buf why = BUF_INIT;

    (void)state;
    cfg_init(&c);
    assert_int_equal(cfg_set(&c, "threads", "16", &why), CM_ERR_OK);
    assert_int_equal(cfg_set(&c, "max_connections", "8", &why), CM_ERR_OK);
    assert_int_equal(cfg_set(&c, "max_connections_per_ip", "4", &why),
                     CM_ERR_OK);
    assert_int_equal(cfg_check(&c, &why), CM_ERR_VALIDATION_FAILED);
    assert_non_null(strstr(buf_str(&why), "max_connections"));
    cfg_release(&c);
    buf_release(&why);
}

static void
test_listen(void **state)
{
    char host[CFG_HOST_MAX + 1];
    unsigned short port = 1;

    (void)state;
    assert_int_equal(cfg_parse_listen("127.0.0.1:8080", host, &port),
                     CM_ERR_OK);
    assert_string_equal(host, "127.0.0.1");
    assert_int_equal(port, 8080);
    assert_int_equal(cfg_parse_listen("[::1]:443", host, &port), CM_ERR_OK);
    assert_string_equal(host, "::1");
    assert_int_equal(port, 443);
    assert_int_equal(cfg_parse_listen("localhost:0", host, &port), CM_ERR_OK);
    assert_string_equal(host, "localhost");
    assert_int_equal(port, 0);

    port = 7;
    assert_int_equal(cfg_parse_listen("127.0.0.1", host, &port),
                     CM_ERR_VALIDATION_FAILED);
    assert_int_equal(cfg_parse_listen("127.0.0.1:65536", host, &port),
                     CM_ERR_VALIDATION_FAILED);
    assert_int_equal(cfg_parse_listen("127.0.0.1:", host, &port),
                     CM_ERR_VALIDATION_FAILED);
    assert_int_equal(cfg_parse_listen(":8080", host, &port),
                     CM_ERR_VALIDATION_FAILED);
    assert_int_equal(cfg_parse_listen("::1:8080", host, &port),
                     CM_ERR_VALIDATION_FAILED);
    assert_int_equal(cfg_parse_listen("[::1]8080", host, &port),
                     CM_ERR_VALIDATION_FAILED);
    assert_int_equal(cfg_parse_listen("a b:80", host, &port),
                     CM_ERR_VALIDATION_FAILED);
    assert_int_equal(cfg_parse_listen("host:+80", host, &port),
                     CM_ERR_VALIDATION_FAILED);
    assert_int_equal(port, 7); /* untouched on failure */
}

static void
test_help(void **state)
{
    struct buf help = BUF_INIT;

    (void)state;
    cfg_help(&help);
    /* Every key the brief requires is listed as a flag. */
    assert_non_null(strstr(buf_str(&help), "--listen"));
    assert_non_null(strstr(buf_str(&help), "--db"));
    assert_non_null(strstr(buf_str(&help), "--key-file"));
    assert_non_null(strstr(buf_str(&help), "--threads"));
    assert_non_null(strstr(buf_str(&help), "--connection-timeout"));
    assert_non_null(strstr(buf_str(&help), "--max-connections"));
    assert_non_null(strstr(buf_str(&help), "--max-connections-per-ip"));
    assert_non_null(strstr(buf_str(&help), "--body-limit"));
    assert_non_null(strstr(buf_str(&help), "--log-level"));
    assert_non_null(strstr(buf_str(&help), "COMPEL_BODY_LIMIT"));
    buf_release(&help);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_set_validates_and_names_key),
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_file),
        cmocka_unit_test(test_layers),
        cmocka_unit_test(test_check),
        cmocka_unit_test(test_listen),
        cmocka_unit_test(test_help),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
