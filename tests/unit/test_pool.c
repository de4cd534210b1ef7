/*
 * test_pool.c: the page-cache rule of the server's connection pool
 * (app_pool_cache_plan in http/app.h). The pooled connections share one
 * budget: when a connection comes back, the caches of the least recently
 * used idle ones are freed first, and its own only when freeing all of
 * theirs is not enough; what connections still lent hold counts too;
 * nothing is freed while everything fits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "http/app.h"

#define MIB (INT64_C(1024) * 1024)

static void
test_within_budget_frees_nothing(void **state)
{
    const int64_t idle[] = {2 * MIB, 3 * MIB, 1 * MIB};
    bool release[3] = {true, true, true};

    (void)state;
    /* 2 + 3 + 1 + 10 = 16: exactly the budget */
    assert_false(app_pool_cache_plan(idle, 3, 10 * MIB, 0, 16 * MIB, release));
    assert_false(release[0]);
    assert_false(release[1]);
    assert_false(release[2]);
}

static void
test_oldest_idle_freed_first(void **state)
{
    const int64_t idle[] = {2 * MIB, 3 * MIB, 1 * MIB};
    bool release[3];

    (void)state;
    /* 17 MiB in all: freeing the oldest (2 MiB) is enough */
    assert_false(app_pool_cache_plan(idle, 3, 11 * MIB, 0, 16 * MIB, release));
    assert_true(release[0]);
    assert_false(release[1]);
    assert_false(release[2]);
    /* 21 MiB: the two oldest (5 MiB) */
    assert_false(app_pool_cache_plan(idle, 3, 15 * MIB, 0, 16 * MIB, release));
    assert_true(release[0]);
    assert_true(release[1]);
    assert_false(release[2]);
}

static void
test_empty_caches_are_skipped(void **state)
{
    const int64_t idle[] = {0, 0, 4 * MIB, 4 * MIB};
    bool release[4];

    (void)state;
    assert_false(app_pool_cache_plan(idle, 4, 12 * MIB, 0, 16 * MIB, release));
    assert_false(release[0]);
    assert_false(release[1]);
    assert_true(release[2]);
    assert_false(release[3]);
}

static void
test_returning_connection_freed_last(void **state)
{
    const int64_t idle[] = {1 * MIB, 1 * MIB};
    bool release[2];

    (void)state;
    /* one request filled more than the whole budget: every idle cache
     * goes, and the returning connection's too */
    assert_true(app_pool_cache_plan(idle, 2, 17 * MIB, 0, 16 * MIB, release));
    assert_true(release[0]);
    assert_true(release[1]);
    /* no idle connection at all */
    assert_true(app_pool_cache_plan(NULL, 0, 17 * MIB, 0, 16 * MIB, release));
    assert_false(app_pool_cache_plan(NULL, 0, 16 * MIB, 0, 16 * MIB, release));
}

static void
test_lent_connections_count(void **state)
{
    const int64_t idle[] = {2 * MIB, 3 * MIB};
    bool release[2];

    (void)state;
    /* 4 coming back, 10 held by connections still lent, 5 idle: 19 MiB;
     * the lent ones cannot be freed now, so both idle caches go */
    assert_false(
        app_pool_cache_plan(idle, 2, 4 * MIB, 10 * MIB, 16 * MIB, release));
    assert_true(release[0]);
    assert_true(release[1]);
    /* the lent alone nearly fill the budget: the returning one's too */
    assert_true(
        app_pool_cache_plan(NULL, 0, 4 * MIB, 15 * MIB, 16 * MIB, release));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_within_budget_frees_nothing),
        cmocka_unit_test(test_oldest_idle_freed_first),
        cmocka_unit_test(test_empty_caches_are_skipped),
        cmocka_unit_test(test_returning_connection_freed_last),
        cmocka_unit_test(test_lent_connections_count),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
