/*
 * test_stats.c: the report's definitions (domain/stats.h): the lower
 * median over odd, even, empty and gapped histograms, rates with zero
 * denominators and rounding, the small-sample threshold at 4 and 5, on
 * time on and after the return date, and small-cell suppression.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/date.h"
#include "domain/stats.h"

static void
test_median_odd(void **state)
{
    /* 2, 3, 3, 9, 30: the third of five is 3 */
    const struct stats_bar h[] = {{2, 1}, {3, 2}, {9, 1}, {30, 1}};
    int64_t m = -1;

    (void)state;
    assert_true(stats_median(h, 4, &m));
    assert_int_equal(m, 3);
}

static void
test_median_even_is_lower_middle(void **state)
{
    /* 1, 4, 10, 12: the middle two are 4 and 10; the lower is 4 */
    const struct stats_bar h[] = {{1, 1}, {4, 1}, {10, 1}, {12, 1}};
    /* 5, 5, 7, 7: middle two 5 and 7 -> 5 */
    const struct stats_bar g[] = {{5, 2}, {7, 2}};
    int64_t m = -1;

    (void)state;
    assert_true(stats_median(h, 4, &m));
    assert_int_equal(m, 4);
    assert_true(stats_median(g, 2, &m));
    assert_int_equal(m, 5);
}

static void
test_median_empty(void **state)
{
    const struct stats_bar zeros[] = {{3, 0}, {8, 0}};
    int64_t m = 42;

    (void)state;
    assert_false(stats_median(NULL, 0, &m));
    assert_false(stats_median(zeros, 2, &m));
    assert_int_equal(m, 42); /* untouched */
}

static void
test_median_skips_empty_bars(void **state)
{
    /* 0, 14, 14 (the bar of 7 is empty): the second of three is 14 */
    const struct stats_bar h[] = {{0, 1}, {7, 0}, {14, 2}};
    /* a single observation is its own median */
    const struct stats_bar one[] = {{6, 1}};
    int64_t m = -1;

    (void)state;
    assert_true(stats_median(h, 3, &m));
    assert_int_equal(m, 14);
    assert_true(stats_median(one, 1, &m));
    assert_int_equal(m, 6);
}

static void
test_rate(void **state)
{
    double r = -1;

    (void)state;
    assert_false(stats_rate(0, 0, &r)); /* nothing requested: no rate */
    assert_false(stats_rate(3, 0, &r));
    assert_false(stats_rate(1, -2, &r));
    assert_true(r < 0); /* untouched */
    assert_true(stats_rate(0, 7, &r));
    assert_true(r == 0.0);
    assert_true(stats_rate(7, 7, &r));
    assert_true(r == 1.0);
    /* 2/3 = 0.66666... rounds to 0.6667 */
    assert_true(stats_rate(2, 3, &r));
    assert_true(r > 0.66665 && r < 0.66675);
    /* 1/8 = 0.125 exactly */
    assert_true(stats_rate(1, 8, &r));
    assert_true(r == 0.125);
}

static void
test_small_sample(void **state)
{
    (void)state;
    assert_true(stats_is_small_sample(0));
    assert_true(stats_is_small_sample(4));
    assert_false(stats_is_small_sample(5));
    assert_false(stats_is_small_sample(100));
}

static void
test_on_time_and_days(void **state)
{
    (void)state;
    /* the return date itself is on time; the day after is late */
    assert_true(stats_is_on_time(100, 100));
    assert_true(stats_is_on_time(99, 100));
    assert_false(stats_is_on_time(101, 100));
    /* served and answered the same day: 0 days; next day: 1 */
    assert_int_equal(stats_days_to_response(200, 200), 0);
    assert_int_equal(stats_days_to_response(200, 201), 1);
    assert_int_equal(stats_days_to_response(200, 214), 14);
}

static void
test_publishable(void **state)
{
    (void)state;
    assert_false(stats_is_publishable(0));
    assert_false(stats_is_publishable(4));
    assert_true(stats_is_publishable(5));
}

static void
test_suppress_group(void **state)
{
    /* one small cell (2) would be had by subtraction from the total: the
     * smallest shown one (6) goes too */
    const int64_t a[] = {20, 6, 2, 9};
    /* two small cells already: nothing more */
    const int64_t b[] = {20, 1, 3};
    /* nothing small */
    const int64_t c[] = {5, 8};
    bool h[4];

    (void)state;
    stats_suppress_group(a, 4, true, h);
    assert_false(h[0]);
    assert_true(h[1]);
    assert_true(h[2]);
    assert_false(h[3]);
    /* the total is itself hidden: subtraction gives nothing */
    stats_suppress_group(a, 4, false, h);
    assert_false(h[1]);
    assert_true(h[2]);
    stats_suppress_group(b, 3, true, h);
    assert_false(h[0]);
    assert_true(h[1]);
    assert_true(h[2]);
    stats_suppress_group(c, 2, true, h);
    assert_false(h[0]);
    assert_false(h[1]);
}

struct keys {
    char text[2048];
    int n;
};

/* Keys as text, "-" before one taken away. */
static void
collect(void *cls, const char *key, int weight)
{
    struct keys *k = cls;
    size_t used = strlen(k->text);

    assert_true(weight == 1 || weight == -1);
    (void)snprintf(k->text + used, sizeof k->text - used, "%s%s%s",
                   k->n ? " " : "", weight < 0 ? "-" : "", key);
    k->n++;
}

static int32_t
day(const char *s)
{
    int32_t d = 0;

    assert_int_equal(date_parse(s, &d), 0);
    return d;
}

/* The keys of from..to in k, emptied first. */
static void
cover(const char *from, const char *to, struct keys *k)
{
    memset(k, 0, sizeof *k);
    stats_periods(day(from), day(to), collect, k);
}

static void
test_periods(void **state)
{
    struct keys k;

    (void)state;
    /* a whole calendar year is one key */
    cover("2024-01-01", "2024-12-31", &k);
    assert_string_equal(k.text, "2024");
    /* February 2024 had 29 days (2024 is a leap year): a whole month */
    cover("2024-02-01", "2024-02-29", &k);
    assert_string_equal(k.text, "2024-02");
    /* ...so 1-28 February 2024 is February less the 29th */
    cover("2024-02-01", "2024-02-28", &k);
    assert_string_equal(k.text, "2024-02 -2024-02-29");
    /* 2 to 17 March: 16 days, or the month less 1 and 18-31 March, 16
     * keys too: ties go to the days */
    cover("2024-03-02", "2024-03-17", &k);
    assert_int_equal(k.n, 16);
    assert_true(k.text[0] != '-' && strstr(k.text, " -") == NULL);
    /* 2 to 18 March: the month less 1 and 19-31 March, 15 keys */
    cover("2024-03-02", "2024-03-18", &k);
    assert_int_equal(k.n, 15);
    assert_true(strncmp(k.text, "2024-03 -2024-03-01 -2024-03-19", 31) == 0);
    /* a year to date: the year less the months and days after */
    cover("2026-01-01", "2026-11-30", &k);
    assert_string_equal(k.text, "2026 -2026-12");
    cover("2026-01-01", "2026-11-29", &k);
    assert_string_equal(k.text, "2026 -2026-11-30 -2026-12");
    /* a day-cut range over two years: 28 keys where days alone and whole
     * months took 54 */
    cover("2023-02-15", "2024-11-20", &k);
    assert_int_equal(k.n, 28);
    assert_true(strncmp(k.text, "2023 -2023-01 -2023-02-01 ", 26) == 0);
    /* 30 Dec 2023 - 2 Mar 2025: two days, the year 2024, January and
     * February 2025, then 1 and 2 March */
    cover("2023-12-30", "2025-03-02", &k);
    assert_string_equal(k.text, "2023-12-30 2023-12-31 2024 2025-01 2025-02 "
                                "2025-03-01 2025-03-02");
    /* the last year dates can have: half of it is six months */
    cover("9999-01-01", "9999-06-30", &k);
    assert_string_equal(k.text, "9999-01 9999-02 9999-03 9999-04 9999-05 "
                                "9999-06");
    /* one day; an empty range */
    cover("2020-01-20", "2020-01-20", &k);
    assert_string_equal(k.text, "2020-01-20");
    cover("2020-01-21", "2020-01-20", &k);
    assert_int_equal(k.n, 0);
}

/* The weights of every day of 2019-2028 as a cover adds them up. */
struct sums {
    int32_t first;
    int w[3653];
    int n;        /* keys */
    int negative; /* keys taken away */
};

static void
add_up(void *cls, const char *key, int weight)
{
    struct sums *s = cls;
    int32_t a = 0;
    int32_t b = 0;
    int y = 0, m = 0;
    char day_text[DATE_STR_SIZE];

    s->n++;
    s->negative += weight < 0;
    if (strlen(key) == 4 && sscanf(key, "%4d", &y) == 1) {
        (void)snprintf(day_text, sizeof day_text, "%04d-01-01", y);
        a = day(day_text);
        (void)snprintf(day_text, sizeof day_text, "%04d-12-31", y);
        b = day(day_text);
    } else if (strlen(key) == 7 && sscanf(key, "%4d-%2d", &y, &m) == 2) {
        (void)snprintf(day_text, sizeof day_text, "%s-01", key);
        a = day(day_text);
        b = a + date_days_in_month(y, m) - 1;
    } else {
        a = b = day(key);
    }
    for (int32_t d = a; d <= b; d++) {
        assert_true(d >= s->first && d - s->first < 3653);
        s->w[d - s->first] += weight;
    }
}

/* Keys of the plain cover: whole years, else whole months, else days. */
static int
plain_count(int32_t from, int32_t to)
{
    int n = 0;

    for (int32_t d = from; d <= to; n++) {
        int32_t y;
        int m, md;
        int32_t next;

        date_to_ymd(d, &y, &m, &md);
        if (m == 1 && md == 1 &&
            date_from_ymd(y + 1, 1, 1, &next) == CM_ERR_OK && next - 1 <= to)
            d = next;
        else if (md == 1 && d + date_days_in_month(y, m) - 1 <= to)
            d += date_days_in_month(y, m);
        else
            d++;
    }
    return n;
}

/* 2,000 ranges in 2020-2027: each cover counts every day of its range
 * once and no other day, with no more keys than the plain cover. */
static void
test_periods_cover(void **state)
{
    struct sums *s = calloc(1, sizeof *s);
    int32_t lo = day("2020-01-01");
    int32_t span = day("2027-12-31") - lo + 1;
    uint32_t x = 2463534242u; /* xorshift32: the same ranges every run */
    int negative = 0;

    (void)state;
    assert_non_null(s);
    for (int i = 0; i < 2000; i++) {
        int32_t from, to;

        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        from = lo + (int32_t)(x % (uint32_t)span);
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        /* short ranges half the time */
        to = from + (int32_t)(x % (i % 2 ? 70u : (uint32_t)span));
        if (to >= lo + span)
            to = lo + span - 1;
        memset(s, 0, sizeof *s);
        s->first = day("2019-01-01");
        stats_periods(from, to, add_up, s);
        for (int32_t d = s->first; d < s->first + 3653; d++)
            if (s->w[d - s->first] != (d >= from && d <= to))
                fail_msg("range %d..%d: day %d counted %d times", (int)from,
                         (int)to, (int)d, s->w[d - s->first]);
        assert_true(s->n <= plain_count(from, to));
        negative += s->negative;
    }
    assert_true(negative > 0);
    free(s);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_median_odd),
        cmocka_unit_test(test_median_even_is_lower_middle),
        cmocka_unit_test(test_median_empty),
        cmocka_unit_test(test_median_skips_empty_bars),
        cmocka_unit_test(test_rate),
        cmocka_unit_test(test_small_sample),
        cmocka_unit_test(test_on_time_and_days),
        cmocka_unit_test(test_publishable),
        cmocka_unit_test(test_suppress_group),
        cmocka_unit_test(test_periods),
        cmocka_unit_test(test_periods_cover),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
