/*
 * deadline.c: the rule table and the day and hour computations. Each
 * computation walks the calendar a day at a time and records every day it
 * does not count or rolls past, so the explanation is a by-product of the
 * computation rather than a second, possibly different, derivation.
 */
#include "domain/deadline.h"

#include <string.h>

#include "core/alloc.h"

/* The longest run of non-working days tolerated before a calendar is
 * judged to have no working day (ten years). */
#define MAX_NONWORKING_RUN 3660

static const struct deadline_rule rules[] = {
    {"frcp6-days", DEADLINE_RULE_KIND_FRCP6_DAYS, DEADLINE_UNIT_DAYS,
     "FRCP 6(a)(1), 6(a)(5)",
     "exclude the trigger day, count every day, include the last day; if "
     "it is a Saturday, Sunday or legal holiday, continue to the next day "
     "that is none of those (backward: the previous such day)",
     20091201, 0},
    {"frcp6-days", DEADLINE_RULE_KIND_FRCP6_DAYS_SHORT_EXCLUDED,
     DEADLINE_UNIT_DAYS, "FRCP 6(a) (1985-2009)",
     "exclude the trigger day, include the last day unless it is a "
     "Saturday, Sunday or legal holiday; a period of less than 11 days "
     "excludes intermediate Saturdays, Sundays and legal holidays",
     19850801, 20091130},
    {"business-days", DEADLINE_RULE_KIND_BUSINESS_DAYS, DEADLINE_UNIT_DAYS,
     "compel",
     "count only days that are not a Saturday, Sunday, legal holiday or "
     "closure",
     0, 0},
    {"48h-clock", DEADLINE_RULE_KIND_ELAPSED_HOURS, DEADLINE_UNIT_HOURS,
     "Form I-247A (2017): 48 hours beyond the otherwise-release time",
     "count elapsed hours, including nights, weekends and holidays", 0, 0},
    {"48h-excluding-weekends-holidays", DEADLINE_RULE_KIND_WORKING_DAY_HOURS,
     DEADLINE_UNIT_HOURS, "8 CFR 287.7(d)",
     "count only hours falling on local days that are not a Saturday, "
     "Sunday or legal holiday",
     0, 0},
    {"frcp6-hours", DEADLINE_RULE_KIND_FRCP6_HOURS, DEADLINE_UNIT_HOURS,
     "FRCP 6(a)(2)",
     "count every hour; if the period ends on a Saturday, Sunday or legal "
     "holiday, continue to the same time on the next day that is none of "
     "those",
     0, 0},
};

#define N_RULES (sizeof rules / sizeof rules[0])

size_t
deadline_rule_count(void)
{
    return N_RULES;
}

const struct deadline_rule *
deadline_rule_at(size_t i)
{
    return i < N_RULES ? &rules[i] : NULL;
}

/* A YYYYMMDD integer as a day number. */
static int32_t
ymd_day(int32_t ymd)
{
    int32_t day = 0;

    (void)date_from_ymd(ymd / 10000, (int)(ymd / 100 % 100), (int)(ymd % 100),
                        &day);
    return day;
}

static bool
is_in_effect(const struct deadline_rule *r, int32_t day)
{
    if (r->effective_from && day < ymd_day(r->effective_from))
        return false;
    if (r->effective_to && day > ymd_day(r->effective_to))
        return false;
    return true;
}

const struct deadline_rule *
deadline_rule_find(const char *id, int32_t day)
{
    for (size_t i = 0; id && i < N_RULES; i++) {
        if (strcmp(rules[i].id, id) == 0 && is_in_effect(&rules[i], day))
            return &rules[i];
    }
    return NULL;
}

const struct deadline_rule *
deadline_rule_find_any(const char *id)
{
    for (size_t i = 0; id && i < N_RULES; i++) {
        if (strcmp(rules[i].id, id) == 0)
            return &rules[i];
    }
    return NULL;
}

static enum cm_err
fail(struct buf *why, const char *msg)
{
    if (why)
        buf_adds(why, msg);
    return CM_ERR_VALIDATION_FAILED;
}

/* fail() with a message naming rule `id`. */
static enum cm_err fail_rule(struct buf *why, const char *fmt, const char *id)
    __attribute__((format(printf, 2, 0)));

static enum cm_err
fail_rule(struct buf *why, const char *fmt, const char *id)
{
    if (why)
        buf_addf(why, fmt, id ? id : "(none)");
    return CM_ERR_VALIDATION_FAILED;
}

static bool
is_day_in_range(int32_t day)
{
    int32_t y;
    int m, d;

    date_to_ymd(day, &y, &m, &d);
    return y >= DATE_YEAR_MIN && y <= DATE_YEAR_MAX;
}

static void
add_step(struct deadline_result *r,
         enum deadline_step_kind kind,
         int32_t day,
         int64_t seconds,
         const struct calendar_day *info)
{
    struct buf reason = BUF_INIT;
    struct deadline_step *s;

    if (info)
        calendar_describe_day(info, &reason);
    r->steps = cm_realloc(r->steps, (r->n_steps + 1) * sizeof *r->steps);
    s = &r->steps[r->n_steps++];
    s->kind = kind;
    s->day = day;
    s->seconds = seconds;
    s->reason = buf_detach(&reason, NULL);
}

/* True when `info` describes a day that is not a working day. */
static bool
is_nonworking(const struct calendar_day *info)
{
    return info->is_weekend || info->is_holiday || info->is_closure;
}

/* Move `*day` by `step` while it is not a working day, recording each day
 * passed as ROLLED_OVER. */
static enum cm_err
roll(const struct calendar *cal,
     struct deadline_result *r,
     int32_t *day,
     int step,
     struct buf *why)
{
    struct calendar_day info;
    int run = 0;

    for (calendar_query(cal, *day, &info); is_nonworking(&info);
         calendar_query(cal, *day, &info)) {
        if (++run > MAX_NONWORKING_RUN || !is_day_in_range(*day + step))
            return fail(why, "the calendar has no working day near the "
                             "deadline");
        add_step(r, DEADLINE_STEP_KIND_ROLLED_OVER, *day, 0, &info);
        *day += step;
    }
    return CM_ERR_OK;
}

/* Count `n` working days from `*day` in direction `step`, recording each
 * day passed over as NOT_COUNTED. */
static enum cm_err
count_working_days(const struct calendar *cal,
                   struct deadline_result *r,
                   int32_t *day,
                   int64_t n,
                   int step,
                   struct buf *why)
{
    struct calendar_day info;
    int run = 0;

    while (n > 0) {
        if (!is_day_in_range(*day + step))
            return fail(why, "the deadline is out of range");
        *day += step;
        calendar_query(cal, *day, &info);
        if (is_nonworking(&info)) {
            if (++run > MAX_NONWORKING_RUN)
                return fail(why, "the calendar has no working day near the "
                                 "deadline");
            add_step(r, DEADLINE_STEP_KIND_NOT_COUNTED, *day, 0, &info);
        } else {
            run = 0;
            n--;
        }
    }
    return CM_ERR_OK;
}

enum cm_err
deadline_compute_days(const struct calendar *cal,
                      const char *rule_id,
                      int32_t trigger,
                      int64_t days,
                      enum deadline_direction direction,
                      struct deadline_result *out,
                      struct buf *why)
{
    struct deadline_result r;
    const struct deadline_rule *rule = deadline_rule_find(rule_id, trigger);
    int step = direction == DEADLINE_DIRECTION_BEFORE ? -1 : 1;
    int32_t day = trigger;
    enum cm_err err = CM_ERR_OK;
    bool count_all;

    memset(&r, 0, sizeof r);
    if (!deadline_rule_find_any(rule_id))
        return fail_rule(why, "unknown deadline rule '%s'", rule_id);
    if (!rule) {
        char date[DATE_STR_SIZE];

        date_format(trigger, date);
        if (why)
            buf_addf(why, "rule '%s' has no version in effect on %s", rule_id,
                     date);
        return CM_ERR_VALIDATION_FAILED;
    }
    if (rule->unit != DEADLINE_UNIT_DAYS)
        return fail_rule(why, "rule '%s' counts hours, not days", rule_id);
    if (days < 0 || days > DEADLINE_DAYS_MAX)
        return fail(why, "the period must be 0 to 36600 days");
    if (!is_day_in_range(trigger))
        return fail(why, "the trigger date is out of range");
    if (direction != DEADLINE_DIRECTION_AFTER &&
        direction != DEADLINE_DIRECTION_BEFORE)
        return fail(why, "unknown direction");
    r.rule = rule;
    r.calendar_name = cm_strdup(cal->name);
    r.calendar_version = calendar_version(cal);
    r.direction = direction;
    r.period = days;
    r.trigger_day = trigger;
    count_all = rule->kind == DEADLINE_RULE_KIND_FRCP6_DAYS ||
                (rule->kind == DEADLINE_RULE_KIND_FRCP6_DAYS_SHORT_EXCLUDED &&
                 days >= 11);
    if (count_all) {
        day = (int32_t)(trigger + step * days);
        if (!is_day_in_range(day)) {
            err = fail(why, "the deadline is out of range");
            goto out_release;
        }
    } else {
        err = count_working_days(cal, &r, &day, days, step, why);
        if (err != CM_ERR_OK)
            goto out_release;
    }
    r.landed_day = day;
    err = roll(cal, &r, &day, step, why);
    if (err != CM_ERR_OK)
        goto out_release;
    r.due_day = day;
    *out = r;
    return CM_ERR_OK;
out_release:
    deadline_result_release(&r);
    return err;
}

/* The local day of UTC instant `utc` in `tz`. */
static int32_t
local_day(const struct tz *tz, int64_t utc)
{
    return date_time_day(utc + tz_offset_at(tz, utc));
}

/* Count `seconds` only on local working days, from `*cur` (UTC). */
static enum cm_err
count_working_hours(const struct calendar *cal,
                    const struct tz *tz,
                    struct deadline_result *r,
                    int64_t *cur,
                    int64_t seconds,
                    struct buf *why)
{
    struct calendar_day info;
    int run = 0;

    for (;;) {
        int32_t day = local_day(tz, *cur);
        int64_t next;

        if (!is_day_in_range(day + 1))
            return fail(why, "the deadline is out of range");
        /* The next local midnight; a midnight in a gap is shifted
         * forward, which still ends this day. */
        tz_local_to_utc(tz, date_time_make(day + 1, 0), &next, NULL);
        if (next <= *cur)
            next = *cur + 1;
        calendar_query(cal, day, &info);
        if (is_nonworking(&info)) {
            if (++run > MAX_NONWORKING_RUN)
                return fail(why, "the calendar has no working day near the "
                                 "deadline");
            add_step(r, DEADLINE_STEP_KIND_NOT_COUNTED, day, 0, &info);
        } else {
            run = 0;
            if (seconds <= next - *cur) {
                add_step(r, DEADLINE_STEP_KIND_COUNTED, day, seconds, NULL);
                *cur += seconds;
                return CM_ERR_OK;
            }
            add_step(r, DEADLINE_STEP_KIND_COUNTED, day, next - *cur, NULL);
            seconds -= next - *cur;
        }
        *cur = next;
    }
}

enum cm_err
deadline_compute_hours(const struct calendar *cal,
                       const struct tz *tz,
                       const char *rule_id,
                       int64_t trigger_utc,
                       int64_t hours,
                       struct deadline_result *out,
                       struct buf *why)
{
    struct deadline_result r;
    const struct deadline_rule *rule;
    int32_t trigger_day = local_day(tz, trigger_utc);
    int64_t due = trigger_utc;
    enum cm_err err = CM_ERR_OK;

    memset(&r, 0, sizeof r);
    if (!deadline_rule_find_any(rule_id))
        return fail_rule(why, "unknown deadline rule '%s'", rule_id);
    if (!is_day_in_range(trigger_day))
        return fail(why, "the trigger time is out of range");
    rule = deadline_rule_find(rule_id, trigger_day);
    if (!rule)
        return fail_rule(why, "rule '%s' is not in effect on the trigger day",
                         rule_id);
    if (rule->unit != DEADLINE_UNIT_HOURS)
        return fail_rule(why, "rule '%s' counts days, not hours", rule_id);
    if (hours < 0 || hours > DEADLINE_HOURS_MAX)
        return fail(why, "the period must be 0 to 87600 hours");
    r.rule = rule;
    r.calendar_name = cm_strdup(cal->name);
    r.calendar_version = calendar_version(cal);
    r.direction = DEADLINE_DIRECTION_AFTER;
    r.period = hours;
    r.zone = cm_strdup(tz_name(tz));
    r.trigger_day = trigger_day;
    r.trigger_utc = trigger_utc;
    r.trigger_utoff = tz_offset_at(tz, trigger_utc);
    if (rule->kind == DEADLINE_RULE_KIND_WORKING_DAY_HOURS) {
        err = count_working_hours(cal, tz, &r, &due, hours * 3600, why);
        if (err != CM_ERR_OK)
            goto out_release;
    } else {
        due = trigger_utc + hours * 3600;
    }
    r.landed_utc = due;
    r.landed_utoff = tz_offset_at(tz, due);
    r.landed_day = local_day(tz, due);
    if (rule->kind == DEADLINE_RULE_KIND_FRCP6_HOURS) {
        int32_t day = r.landed_day;
        int32_t sec = date_time_second_of_day(due + r.landed_utoff);

        err = roll(cal, &r, &day, 1, why);
        if (err != CM_ERR_OK)
            goto out_release;
        if (day != r.landed_day)
            tz_local_to_utc(tz, date_time_make(day, sec), &due, NULL);
    }
    if (!is_day_in_range(local_day(tz, due))) {
        err = fail(why, "the deadline is out of range");
        goto out_release;
    }
    r.due_utc = due;
    r.due_utoff = tz_offset_at(tz, due);
    r.due_day = local_day(tz, due);
    *out = r;
    return CM_ERR_OK;
out_release:
    deadline_result_release(&r);
    return err;
}

void
deadline_result_release(struct deadline_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_steps; i++)
        cm_free(r->steps[i].reason);
    cm_free(r->steps);
    cm_free(r->calendar_name);
    cm_free(r->zone);
    memset(r, 0, sizeof *r);
}

void
deadline_format_due(const struct deadline_result *r,
                    char out[DATE_RFC3339_SIZE])
{
    if (r->rule && r->rule->unit == DEADLINE_UNIT_HOURS)
        date_time_format_rfc3339(r->due_utc, r->due_utoff, out);
    else
        date_format(r->due_day, out);
}

/* Append "Weekday YYYY-MM-DD". */
static void
add_day(struct buf *out, int32_t day)
{
    char date[DATE_STR_SIZE];

    date_format(day, date);
    buf_addf(out, "%s %s", date_weekday_name(date_weekday(day)), date);
}

/* Append "RFC3339 (Weekday)". */
static void
add_instant(struct buf *out, int64_t utc, int32_t utoff)
{
    char when[DATE_RFC3339_SIZE];

    date_time_format_rfc3339(utc, utoff, when);
    buf_addf(out, "%s (%s)", when,
             date_weekday_name(date_weekday(date_time_day(utc + utoff))));
}

static void
add_offset(struct buf *out, int32_t utoff)
{
    int32_t a = utoff < 0 ? -utoff : utoff;

    buf_addf(out, "%c%02d:%02d", utoff < 0 ? '-' : '+', (int)(a / 3600),
             (int)(a / 60 % 60));
}

static void
add_hours(struct buf *out, int64_t seconds)
{
    buf_addf(out, "%lld h", (long long)(seconds / 3600));
    if (seconds % 3600)
        buf_addf(out, " %lld min", (long long)(seconds % 3600 / 60));
}

void
deadline_explain(const struct deadline_result *r, struct buf *out)
{
    bool hours = r->rule && r->rule->unit == DEADLINE_UNIT_HOURS;
    char from[DATE_STR_SIZE];

    if (!r->rule)
        return;
    buf_adds(out, "trigger: ");
    if (hours) {
        add_instant(out, r->trigger_utc, r->trigger_utoff);
        buf_addf(out, " in %s", r->zone ? r->zone : "");
    } else {
        add_day(out, r->trigger_day);
    }
    buf_addf(out, "\nrule: %s (%s", r->rule->id, r->rule->citation);
    if (r->rule->effective_from) {
        date_format(ymd_day(r->rule->effective_from), from);
        buf_addf(out, ", in effect from %s", from);
    }
    if (r->rule->effective_to) {
        date_format(ymd_day(r->rule->effective_to), from);
        buf_addf(out, " until %s", from);
    }
    buf_addf(out, "): %s\n", r->rule->summary);
    buf_addf(out, "period: %lld %s %s the trigger\n", (long long)r->period,
             hours ? "hours" : "days",
             r->direction == DEADLINE_DIRECTION_BEFORE ? "before" : "after");
    buf_addf(out, "calendar: %s version %llu\n", r->calendar_name,
             (unsigned long long)r->calendar_version);
    for (size_t i = 0; i < r->n_steps; i++) {
        const struct deadline_step *s = &r->steps[i];

        if (s->kind == DEADLINE_STEP_KIND_NOT_COUNTED) {
            buf_adds(out, "not counted: ");
            add_day(out, s->day);
            buf_addf(out, ": %s\n", s->reason);
        } else if (s->kind == DEADLINE_STEP_KIND_COUNTED) {
            buf_adds(out, "counted: ");
            add_day(out, s->day);
            buf_adds(out, ": ");
            add_hours(out, s->seconds);
            buf_addch(out, '\n');
        }
    }
    buf_adds(out, "period ends: ");
    if (hours)
        add_instant(out, r->landed_utc, r->landed_utoff);
    else
        add_day(out, r->landed_day);
    buf_addch(out, '\n');
    for (size_t i = 0; i < r->n_steps; i++) {
        const struct deadline_step *s = &r->steps[i];

        if (s->kind != DEADLINE_STEP_KIND_ROLLED_OVER)
            continue;
        buf_adds(out, "rolled over: ");
        add_day(out, s->day);
        buf_addf(out, ": %s\n", s->reason);
    }
    if (hours && r->trigger_utoff != r->landed_utoff) {
        buf_adds(out, "note: the UTC offset changed from ");
        add_offset(out, r->trigger_utoff);
        buf_adds(out, " to ");
        add_offset(out, r->landed_utoff);
        buf_adds(out, " during the period (daylight saving time); hours "
                      "are elapsed hours, not wall-clock hours\n");
    }
    buf_adds(out, "due: ");
    if (hours)
        add_instant(out, r->due_utc, r->due_utoff);
    else
        add_day(out, r->due_day);
    buf_addch(out, '\n');
}
