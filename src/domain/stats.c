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

/* The range being covered and where its keys go (stats_periods). */
struct cover {
    int32_t from_day;
    int32_t to_day;
    stats_period_fn fn;
    void *cls;
};

/* 1 when first..last lies inside the range, 0 when outside, -1 when it
 * straddles an end. */
static int
cover_overlap(const struct cover *c, int32_t first, int32_t last)
{
    if (first >= c->from_day && last <= c->to_day)
        return 1;
    if (last < c->from_day || first > c->to_day)
        return 0;
    return -1;
}

/*
 * The keys a calendar node needs when its ancestors' keys already add `w`
 * (0 or 1) to each of its days: a node wholly inside the range or
 * wholly outside needs its own key (weight inside - w) or nothing; a node
 * that straddles an end either leaves w to its children or adds its own
 * key that turns w into 1 - w, whichever needs fewer keys in all (ties:
 * no key of its own). With `emit`, the keys chosen go to c->fn. Nodes:
 * level 0 a year, 1 a month, 2 a day.
 */
static int
cover_node(const struct cover *c,
           int level,
           int32_t year,
           int month,
           int32_t day,
           int w,
           bool emit)
{
    char key[DATE_STR_SIZE];
    int32_t first = day;
    int32_t last = day;
    int in;
    int keep = 0;
    int flip = 1;
    int chosen;

    if (level == 0) {
        (void)date_from_ymd(year, 1, 1, &first);
        (void)date_from_ymd(year, 12, 31, &last);
        (void)snprintf(key, sizeof key, "%04d", (int)year);
    } else if (level == 1) {
        (void)date_from_ymd(year, month, 1, &first);
        last = first + date_days_in_month(year, month) - 1;
        (void)snprintf(key, sizeof key, "%04d-%02d", (int)year, month);
    } else {
        date_format(day, key);
    }
    in = cover_overlap(c, first, last);
    if (in >= 0) {
        if (in == w)
            return 0;
        if (emit)
            c->fn(c->cls, key, in - w);
        return 1;
    }
    /* straddles (never a day): count both ways over the children */
    for (int k = level == 0 ? 1 : first; k <= (level == 0 ? 12 : last); k++) {
        keep += cover_node(c, level + 1, year, k, k, w, false);
        flip += cover_node(c, level + 1, year, k, k, 1 - w, false);
    }
    if (!emit)
        return keep <= flip ? keep : flip;
    chosen = w;
    if (flip < keep) {
        c->fn(c->cls, key, (1 - w) - w);
        chosen = 1 - w;
    }
    for (int k = level == 0 ? 1 : first; k <= (level == 0 ? 12 : last); k++)
        (void)cover_node(c, level + 1, year, k, k, chosen, true);
    return keep <= flip ? keep : flip;
}

void
stats_periods(int32_t from_day, int32_t to_day, stats_period_fn fn, void *cls)
{
    struct cover c = {from_day, to_day, fn, cls};
    int32_t from_year;
    int32_t to_year;
    int month;
    int mday;

    if (from_day > to_day)
        return;
    date_to_ymd(from_day, &from_year, &month, &mday);
    date_to_ymd(to_day, &to_year, &month, &mday);
    for (int32_t y = from_year; y <= to_year; y++)
        (void)cover_node(&c, 0, y, 0, 0, 0, true);
}
