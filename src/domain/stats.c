/*
 * stats.c: the report's arithmetic (stats.h): lower median over a
 * histogram, rounded rates, the small-sample and publication thresholds,
 * on time, and complementary small-cell suppression.
 */
#include "domain/stats.h"

#include <math.h>
#include <stdio.h>

#include "domain/date.h"

bool
stats_is_small_sample(int64_t resolved)
{
    return resolved < STATS_SMALL_SAMPLE;
}

bool
stats_median(const struct stats_bar *bars, size_t n, int64_t *out)
{
    int64_t total = 0;
    int64_t want;
    int64_t seen = 0;
    size_t i;

    for (i = 0; i < n; i++)
        total += bars[i].count > 0 ? bars[i].count : 0;
    if (total == 0)
        return false;
    want = (total - 1) / 2; /* 0-based position of the lower median */
    for (i = 0; i < n; i++) {
        if (bars[i].count <= 0)
            continue;
        seen += bars[i].count;
        if (seen > want)
            break;
    }
    *out = bars[i].value;
    return true;
}

bool
stats_rate(int64_t num, int64_t den, double *out)
{
    double scale = 1.0;
    int d;

    if (den <= 0 || num < 0)
        return false;
    for (d = 0; d < STATS_RATE_DECIMALS; d++)
        scale *= 10.0;
    *out = round((double)num / (double)den * scale) / scale;
    return true;
}

int64_t
stats_days_to_response(int32_t served_day, int32_t responded_day)
{
    return (int64_t)responded_day - (int64_t)served_day;
}

bool
stats_is_on_time(int32_t responded_day, int32_t due_day)
{
    return responded_day <= due_day;
}

bool
stats_is_publishable(int64_t n)
{
    return n >= STATS_PUBLIC_MIN_COUNT;
}

void
stats_suppress_group(const int64_t *counts,
                     size_t n,
                     bool total_shown,
                     bool *hidden)
{
    size_t n_hidden = 0;
    size_t smallest = n;
    size_t i;

    for (i = 0; i < n; i++) {
        hidden[i] = !stats_is_publishable(counts[i]);
        if (hidden[i])
            n_hidden++;
    }
    if (n_hidden != 1 || !total_shown)
        return;
    for (i = 0; i < n; i++) {
        if (hidden[i])
            continue;
        if (smallest == n || counts[i] < counts[smallest])
            smallest = i;
    }
    if (smallest < n)
        hidden[smallest] = true;
}

void
stats_periods(int32_t from_day, int32_t to_day, stats_period_fn fn, void *cls)
{
    int32_t day = from_day;
    char key[DATE_STR_SIZE];

    while (day <= to_day) {
        int32_t year;
        int month;
        int mday;
        int32_t next;

        date_to_ymd(day, &year, &month, &mday);
        if (month == 1 && mday == 1 &&
            date_from_ymd(year + 1, 1, 1, &next) == CM_ERR_OK &&
            next - 1 <= to_day) {
            (void)snprintf(key, sizeof key, "%04d", (int)year);
        } else if (mday == 1 &&
                   (next = day + date_days_in_month(year, month)) - 1 <=
                       to_day) {
            (void)snprintf(key, sizeof key, "%04d-%02d", (int)year, month);
        } else {
            date_format(day, key);
            next = day + 1;
        }
        fn(cls, key);
        day = next;
    }
}
