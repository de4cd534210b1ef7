/*
 * test_file.c: whole-file reads. The result is always a string: an empty
 * file reads as "" (the test clock read an empty file, being rewritten, as
 * unterminated bytes once: a heap overflow under ASan), a file at the limit
 * is read whole, one byte more is refused, and a failed read leaves `out`
 * as it was.
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

#include "core/buf.h"
#include "core/file.h"

struct tmp {
    char dir[64];
    char path[96];
};

static void
tmp_make(struct tmp *t, const char *content, size_t n)
{
    FILE *f;

    (void)snprintf(t->dir, sizeof t->dir, "/tmp/compel-test-file-XXXXXX");
    assert_non_null(mkdtemp(t->dir));
    (void)snprintf(t->path, sizeof t->path, "%s/f", t->dir);
    f = fopen(t->path, "wb");
    assert_non_null(f);
    if (n)
        assert_int_equal(fwrite(content, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static void
tmp_remove(struct tmp *t)
{
    (void)unlink(t->path);
    (void)rmdir(t->dir);
}

static void
test_empty_file_is_empty_string(void **state)
{
    struct tmp t;
    struct buf b = BUF_INIT;

    (void)state;
    tmp_make(&t, "", 0);
    assert_int_equal(file_read_all(t.path, 64, &b), CM_ERR_OK);
    assert_int_equal(b.len, 0);
    assert_non_null(b.data);
    assert_string_equal(buf_str(&b), "");
    buf_release(&b);
    tmp_remove(&t);
}

static void
test_content_is_terminated(void **state)
{
    struct tmp t;
    struct buf b = BUF_INIT;

    (void)state;
    tmp_make(&t, "1780000000000000", 16);
    assert_int_equal(file_read_all(t.path, 64, &b), CM_ERR_OK);
    assert_int_equal(b.len, 16);
    assert_string_equal(buf_str(&b), "1780000000000000");
    buf_release(&b);
    tmp_remove(&t);
}

static void
test_limit_is_inclusive(void **state)
{
    struct tmp t;
    struct buf b = BUF_INIT;
    struct buf untouched = BUF_INIT;
    char big[65];

    (void)state;
    memset(big, 'x', sizeof big);
    tmp_make(&t, big, 64);
    assert_int_equal(file_read_all(t.path, 64, &b), CM_ERR_OK);
    assert_int_equal(b.len, 64);
    buf_release(&b);
    tmp_remove(&t);

    tmp_make(&t, big, 65);
    assert_int_equal(file_read_all(t.path, 64, &untouched), CM_ERR_IO);
    assert_null(untouched.data);
    assert_int_equal(untouched.len, 0);
    tmp_remove(&t);
}

static void
test_missing_file_is_io_error(void **state)
{
    struct buf b = BUF_INIT;

    (void)state;
    assert_int_equal(file_read_all("/nonexistent/compel/file", 64, &b),
                     CM_ERR_IO);
    assert_null(b.data);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_file_is_empty_string),
        cmocka_unit_test(test_content_is_terminated),
        cmocka_unit_test(test_limit_is_inclusive),
        cmocka_unit_test(test_missing_file_is_io_error),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
