/*
 * test_redact.c: database URL passwords never reach a printed line
 * (core/redact.h): the password of "scheme://user:PASSWORD@host" and of
 * "password=VALUE" becomes "***"; everything else is kept byte for byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"
#include "core/redact.h"

/* The redaction of `in`, compared with `want`. */
static void
check(const char *in, const char *want)
{
    struct buf b = BUF_INIT;

    redact_add(&b, in, strlen(in));
    assert_string_equal(buf_str(&b), want);
    buf_release(&b);
}

static void
test_url_password_is_masked(void **state)
{
    (void)state;
    check("compel init: postgresql://compel:s3cr3t@127.0.0.1:5432/compel: "
          "the server runs with fsync=off",
          "compel init: postgresql://compel:***@127.0.0.1:5432/compel: "
          "the server runs with fsync=off");
    /* A password holding '@' and ':' (percent-encoding not used). */
    check("postgres://u:p@ss:w@rd@db.example:5432/x",
          "postgres://u:***@db.example:5432/x");
    /* At the end of the text, and with no path. */
    check("postgresql://u:pw@host", "postgresql://u:***@host");
}

static void
test_query_password_is_masked(void **state)
{
    (void)state;
    check("postgresql://host/db?user=u&password=hunter2&sslmode=require",
          "postgresql://host/db?user=u&password=***&sslmode=require");
    check("host=db password=hunter2 dbname=compel",
          "host=db password=*** dbname=compel");
}

static void
test_other_text_is_kept(void **state)
{
    (void)state;
    /* No password: user@host, a bare scheme, an email, plain text. */
    check("postgresql://compel@127.0.0.1/compel",
          "postgresql://compel@127.0.0.1/compel");
    check("sqlite:var/compel.db: database is locked",
          "sqlite:var/compel.db: database is locked");
    check("http://127.0.0.1:8080/api/v1/session",
          "http://127.0.0.1:8080/api/v1/session");
    check("user admin@agency.test: bad password", /* no "password=" */
          "user admin@agency.test: bad password");
    check("", "");
    check("://", "://");
    check("x://:@", "x://:***@");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url_password_is_masked),
        cmocka_unit_test(test_query_password_is_masked),
        cmocka_unit_test(test_other_text_is_kept),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
