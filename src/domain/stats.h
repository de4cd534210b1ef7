/*
 * stats.h: the arithmetic of the jurisdiction report (docs/reports.md):
 * medians over a histogram of days, rates, the small-sample rule, what
 * counts as on time, and the small-cell suppression of the public export.
 *
 * Everything here is a definition the report's readers rely on, so each
 * function says exactly what it computes. Pure and thread-safe.
 */
#ifndef CM_DOMAIN_STATS_H
#define CM_DOMAIN_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Fewer resolved subpoenas than this in a range is a small sample. */
#define STATS_SMALL_SAMPLE 5

/* The public export shows no count below this (counts 0 to 4 are null). */
#define STATS_PUBLIC_MIN_COUNT 5

/* Decimal places a rate is rounded to. */
#define STATS_RATE_DECIMALS 4

/* One bar of a histogram: `count` observations of value `value`. */
struct stats_bar {
    int64_t value;
    int64_t count;
};

/* True when `resolved` is below STATS_SMALL_SAMPLE (0 included). */
bool stats_is_small_sample(int64_t resolved);

/*
 * The lower median of the observations of a histogram: with N
 * observations sorted ascending (N = the sum of the counts), the one at
 * 0-based position (N - 1) / 2, i.e. the middle one when N is odd and the
 * lower of the two middle ones when N is even, so the median is always a
 * value that was observed. `bars` must be sorted by ascending value, with
 * no negative count. Writes *out and returns true; false (nothing written)
 * when there is no observation.
 */
bool stats_median(const struct stats_bar *bars, size_t n, int64_t *out);

/*
 * The rate num / den rounded to STATS_RATE_DECIMALS places (half away
 * from zero). Writes *out and returns true; false (nothing written) when
 * den <= 0 or num < 0, where the report gives null: a rate of nothing is
 * not 0.
 */
bool stats_rate(int64_t num, int64_t den, double *out);

/* Calendar days from the day of service to the day of the response
 * (days since 1970-01-01, both in the recipient's time zone): 0 for a
 * response on the day of service. */
int64_t stats_days_to_response(int32_t served_day, int32_t responded_day);

/* True when a response on `responded_day` is on time against a return
 * date `due_day`: on or before it (the return date itself is on time). */
bool stats_is_on_time(int32_t responded_day, int32_t due_day);

/* True when the public export may show count `n`: n >= 5. */
bool stats_is_publishable(int64_t n);

/*
 * Small-cell suppression of a group of counts that add up to a total that
 * is itself shown (the dispositions of the resolved subpoenas, the outcome
 * sources of the honored detainers). hidden[i] is set for every count
 * below STATS_PUBLIC_MIN_COUNT; then, when exactly one count of the group
 * is hidden and the total is shown, the smallest shown count is hidden
 * too (ties: the first), so that the hidden one cannot be had by
 * subtraction. `hidden` has `n` entries and is written in full.
 */
void stats_suppress_group(const int64_t *counts,
                          size_t n,
                          bool total_shown,
                          bool *hidden);

/* Called by stats_periods for each period key, e.g. "2024", "2024-03",
 * "2024-03-17", with its weight: +1 when the period's counts are added,
 * -1 when they are taken away. The key is borrowed for the call. */
typedef void (*stats_period_fn)(void *cls, const char *key, int weight);

/*
 * A few periods ("YYYY", "YYYY-MM", "YYYY-MM-DD"), each added or
 * taken away, whose counts sum to those of the days from_day..to_day
 * (days since 1970-01-01, both included), for counts that add up: a year
 * is the sum of its months, a month of its days. Each year, month or day
 * that straddles an end of the range is either covered by its parts or
 * taken whole with its outside parts taken away, whichever needs fewer
 * keys (ties: by its parts). So 1 to 30 March is "2024-03" less
 * "2024-03-31", and 1 January to 30 November "2024" less "2024-12"; a
 * range of whole years, months and days needs no subtraction. Keys come
 * in date order, a period before its parts; none comes twice. Nothing
 * when from_day > to_day. The aggregates are counted under the same keys
 * (store_reports.h).
 */
void
stats_periods(int32_t from_day, int32_t to_day, stats_period_fn fn, void *cls);

#endif
