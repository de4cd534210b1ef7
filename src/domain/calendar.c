/*
 * calendar.c: holiday rules, dated holidays and closures, and the query
 * "what is this day". Holidays are generated from the rules on demand
 * (no table of years to run out), checking the years either side of the
 * queried day's year because observance can move a holiday across a year
 * boundary: New Year's Day on a Saturday is observed on Friday 31
 * December of the year before (5 U.S.C. 6103(b)(1)).
 */
#include "domain/calendar.h"

#include <string.h>

#include "core/alloc.h"

/* The legal public holidays of 5 U.S.C. 6103(a), as rules. Dates before
 * 1971 follow the Monday rules too (not modeled; see the header), except
 * where a first year is given. */
static const struct {
    const char *name;
    enum calendar_rule_kind kind;
    int month;
    int mday;
    enum date_weekday weekday;
    int nth;
    int32_t first_year;
    int32_t last_year;
} federal_rules[] = {
    {"New Year's Day", CALENDAR_RULE_KIND_FIXED, 1, 1, 0, 0, 0, 0},
    /* Pub. L. 98-144: third Monday of January, first observed 1986. */
    {"Birthday of Martin Luther King, Jr.", CALENDAR_RULE_KIND_NTH_WEEKDAY, 1,
     0, DATE_WEEKDAY_MONDAY, 3, 1986, 0},
    {"Washington's Birthday", CALENDAR_RULE_KIND_NTH_WEEKDAY, 2, 0,
     DATE_WEEKDAY_MONDAY, 3, 0, 0},
    {"Memorial Day", CALENDAR_RULE_KIND_LAST_WEEKDAY, 5, 0, DATE_WEEKDAY_MONDAY,
     0, 0, 0},
    /* Pub. L. 117-17, signed 17 June 2021: first observed 18 June 2021. */
    {"Juneteenth National Independence Day", CALENDAR_RULE_KIND_FIXED, 6, 19, 0,
     0, 2021, 0},
    {"Independence Day", CALENDAR_RULE_KIND_FIXED, 7, 4, 0, 0, 0, 0},
    {"Labor Day", CALENDAR_RULE_KIND_NTH_WEEKDAY, 9, 0, DATE_WEEKDAY_MONDAY, 1,
     0, 0},
    {"Columbus Day", CALENDAR_RULE_KIND_NTH_WEEKDAY, 10, 0, DATE_WEEKDAY_MONDAY,
     2, 0, 0},
    /* Pub. L. 90-363 moved Veterans Day to the fourth Monday of October
     * for 1971-1977; Pub. L. 94-97 returned it to November 11 in 1978. */
    {"Veterans Day", CALENDAR_RULE_KIND_NTH_WEEKDAY, 10, 0, DATE_WEEKDAY_MONDAY,
     4, 1971, 1977},
    {"Veterans Day", CALENDAR_RULE_KIND_FIXED, 11, 11, 0, 0, 1978, 0},
    {"Thanksgiving Day", CALENDAR_RULE_KIND_NTH_WEEKDAY, 11, 0,
     DATE_WEEKDAY_THURSDAY, 4, 0, 0},
    {"Christmas Day", CALENDAR_RULE_KIND_FIXED, 12, 25, 0, 0, 0, 0},
};

#define N_FEDERAL_RULES (sizeof federal_rules / sizeof federal_rules[0])

void
calendar_init(struct calendar *cal, const char *name)
{
    memset(cal, 0, sizeof *cal);
    cal->name = cm_strdup(name ? name : "");
    cal->version = 1;
}

void
calendar_init_federal(struct calendar *cal)
{
    calendar_init(cal, "federal");
    cal->rules = cm_calloc(N_FEDERAL_RULES, sizeof *cal->rules);
    for (size_t i = 0; i < N_FEDERAL_RULES; i++) {
        struct calendar_rule *r = &cal->rules[i];

        r->name = cm_strdup(federal_rules[i].name);
        r->source = cm_strdup("5 U.S.C. 6103(a)");
        r->kind = federal_rules[i].kind;
        r->month = federal_rules[i].month;
        r->mday = federal_rules[i].mday;
        r->weekday = federal_rules[i].weekday;
        r->nth = federal_rules[i].nth;
        r->first_year = federal_rules[i].first_year;
        r->last_year = federal_rules[i].last_year;
        r->observance = CALENDAR_OBSERVANCE_NEAREST_WEEKDAY;
    }
    cal->n_rules = N_FEDERAL_RULES;
}

static void
release_dated(struct calendar_dated *d, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        cm_free(d[i].name);
        cm_free(d[i].source);
    }
    cm_free(d);
}

void
calendar_release(struct calendar *cal)
{
    if (!cal)
        return;
    for (size_t i = 0; i < cal->n_rules; i++) {
        cm_free(cal->rules[i].name);
        cm_free(cal->rules[i].source);
    }
    cm_free(cal->rules);
    release_dated(cal->holidays, cal->n_holidays);
    release_dated(cal->closures, cal->n_closures);
    cm_free(cal->name);
    memset(cal, 0, sizeof *cal);
}

static enum cm_err
fail(struct buf *why, enum cm_err err, const char *msg)
{
    if (why)
        buf_adds(why, msg);
    return err;
}

enum cm_err
calendar_add_rule(struct calendar *cal,
                  const struct calendar_rule *rule,
                  struct buf *why)
{
    struct calendar_rule *r;

    if (!rule->name || !*rule->name)
        return fail(why, CM_ERR_VALIDATION_FAILED, "a holiday needs a name");
    if (rule->month < 1 || rule->month > 12)
        return fail(why, CM_ERR_VALIDATION_FAILED, "month must be 1-12");
    if ((int)rule->weekday < 0 || (int)rule->weekday > 6)
        return fail(why, CM_ERR_VALIDATION_FAILED, "weekday must be 0-6");
    if (rule->kind == CALENDAR_RULE_KIND_FIXED &&
        (rule->mday < 1 || rule->mday > date_days_in_month(2000, rule->month)))
        return fail(why, CM_ERR_VALIDATION_FAILED,
                    "day is not a day of that month");
    if (rule->kind == CALENDAR_RULE_KIND_NTH_WEEKDAY &&
        (rule->nth < 1 || rule->nth > 5))
        return fail(why, CM_ERR_VALIDATION_FAILED, "nth must be 1-5");
    if ((int)rule->kind < 0 ||
        (int)rule->kind > (int)CALENDAR_RULE_KIND_LAST_WEEKDAY ||
        (int)rule->observance < 0 ||
        (int)rule->observance > (int)CALENDAR_OBSERVANCE_SUNDAY_TO_MONDAY)
        return fail(why, CM_ERR_VALIDATION_FAILED, "unknown rule kind");
    if (rule->first_year && rule->last_year &&
        rule->last_year < rule->first_year)
        return fail(why, CM_ERR_VALIDATION_FAILED,
                    "last year is before first year");
    cal->rules =
        cm_realloc(cal->rules, (cal->n_rules + 1) * sizeof *cal->rules);
    r = &cal->rules[cal->n_rules++];
    *r = *rule;
    r->name = cm_strdup(rule->name);
    r->source = cm_strdup(rule->source ? rule->source : "");
    cal->version++;
    return CM_ERR_OK;
}

static enum cm_err
add_dated(struct calendar *cal,
          struct calendar_dated **list,
          size_t *n,
          int32_t day,
          const char *name,
          const char *source,
          struct buf *why)
{
    struct calendar_dated *d;
    int32_t y;
    int m, md;

    if (!name || !*name)
        return fail(why, CM_ERR_VALIDATION_FAILED, "a day needs a name");
    date_to_ymd(day, &y, &m, &md);
    if (!date_is_valid_ymd(y, m, md))
        return fail(why, CM_ERR_VALIDATION_FAILED, "date is out of range");
    for (size_t i = 0; i < *n; i++) {
        if ((*list)[i].day == day)
            return fail(why, CM_ERR_ALREADY_EXISTS,
                        "that day is already listed");
    }
    *list = cm_realloc(*list, (*n + 1) * sizeof **list);
    d = &(*list)[(*n)++];
    d->day = day;
    d->name = cm_strdup(name);
    d->source = cm_strdup(source ? source : "");
    cal->version++;
    return CM_ERR_OK;
}

enum cm_err
calendar_add_holiday(struct calendar *cal,
                     int32_t day,
                     const char *name,
                     const char *source,
                     struct buf *why)
{
    return add_dated(cal, &cal->holidays, &cal->n_holidays, day, name, source,
                     why);
}

enum cm_err
calendar_add_closure(struct calendar *cal,
                     int32_t day,
                     const char *name,
                     const char *source,
                     struct buf *why)
{
    return add_dated(cal, &cal->closures, &cal->n_closures, day, name, source,
                     why);
}

uint64_t
calendar_version(const struct calendar *cal)
{
    return cal->version;
}

/* The date rule `r` gives in `year` into `*actual` and its observed day
 * into `*observed`; false when the rule does not apply that year. */
static bool
rule_in_year(const struct calendar_rule *r,
             int32_t year,
             int32_t *actual,
             int32_t *observed)
{
    int32_t day = 0;
    enum cm_err err = CM_ERR_VALIDATION_FAILED;
    enum date_weekday wd;

    if ((r->first_year && year < r->first_year) ||
        (r->last_year && year > r->last_year))
        return false;
    switch (r->kind) {
    case CALENDAR_RULE_KIND_FIXED:
        err = date_from_ymd(year, r->month, r->mday, &day);
        break;
    case CALENDAR_RULE_KIND_NTH_WEEKDAY:
        err = date_nth_weekday(year, r->month, r->weekday, r->nth, &day);
        break;
    case CALENDAR_RULE_KIND_LAST_WEEKDAY:
        err = date_last_weekday(year, r->month, r->weekday, &day);
        break;
    }
    if (err != CM_ERR_OK)
        return false; /* Feb 29 in a common year, a missing fifth Monday */
    *actual = day;
    wd = date_weekday(day);
    if (r->observance == CALENDAR_OBSERVANCE_NEAREST_WEEKDAY &&
        wd == DATE_WEEKDAY_SATURDAY)
        day -= 1;
    else if (r->observance != CALENDAR_OBSERVANCE_NONE &&
             wd == DATE_WEEKDAY_SUNDAY)
        day += 1;
    *observed = day;
    return true;
}

void
calendar_query(const struct calendar *cal,
               int32_t day,
               struct calendar_day *out)
{
    struct calendar_day info;
    int32_t year;
    int m, d;

    memset(&info, 0, sizeof info);
    info.day = day;
    info.is_weekend = date_is_weekend(day);
    date_to_ymd(day, &year, &m, &d);
    for (size_t i = 0; i < cal->n_holidays && !info.is_holiday; i++) {
        if (cal->holidays[i].day == day) {
            info.is_holiday = true;
            info.holiday_name = cal->holidays[i].name;
            info.holiday_source = cal->holidays[i].source;
            info.holiday_actual_day = day;
        }
    }
    for (size_t i = 0; i < cal->n_rules && !info.is_holiday; i++) {
        for (int32_t y = year - 1; y <= year + 1 && !info.is_holiday; y++) {
            int32_t actual, observed;

            if (rule_in_year(&cal->rules[i], y, &actual, &observed) &&
                observed == day) {
                info.is_holiday = true;
                info.holiday_name = cal->rules[i].name;
                info.holiday_source = cal->rules[i].source;
                info.holiday_actual_day = actual;
            }
        }
    }
    for (size_t i = 0; i < cal->n_closures; i++) {
        if (cal->closures[i].day == day) {
            info.is_closure = true;
            info.closure_name = cal->closures[i].name;
            info.closure_source = cal->closures[i].source;
            break;
        }
    }
    *out = info;
}

bool
calendar_is_nonworking(const struct calendar *cal, int32_t day)
{
    struct calendar_day info;

    calendar_query(cal, day, &info);
    return info.is_weekend || info.is_holiday || info.is_closure;
}

void
calendar_describe_day(const struct calendar_day *info, struct buf *out)
{
    const char *sep = "";
    char date[DATE_STR_SIZE];

    if (info->is_weekend) {
        buf_addf(out, "weekend (%s)",
                 date_weekday_name(date_weekday(info->day)));
        sep = "; ";
    }
    if (info->is_holiday) {
        buf_addf(out, "%slegal holiday: %s", sep, info->holiday_name);
        if (info->holiday_actual_day != info->day) {
            date_format(info->holiday_actual_day, date);
            buf_addf(out, " (observed; falls on %s %s)",
                     date_weekday_name(date_weekday(info->holiday_actual_day)),
                     date);
        }
        if (info->holiday_source && *info->holiday_source)
            buf_addf(out, " [%s]", info->holiday_source);
        sep = "; ";
    }
    if (info->is_closure) {
        buf_addf(out, "%sclosure: %s", sep, info->closure_name);
        if (info->closure_source && *info->closure_source)
            buf_addf(out, " [%s]", info->closure_source);
        sep = "; ";
    }
    if (!*sep)
        buf_adds(out, "working day");
}

void
calendar_list_holidays(const struct calendar *cal,
                       int32_t year,
                       int32_t **days,
                       const char ***names,
                       size_t *n)
{
    int32_t first = 0, last = 0;
    size_t cap = cal->n_rules * 3 + cal->n_holidays + 1, count = 0;
    int32_t *d = cm_calloc(cap, sizeof *d);
    const char **nm = cm_calloc(cap, sizeof *nm);

    (void)date_from_ymd(year, 1, 1, &first);
    (void)date_from_ymd(year, 12, 31, &last);
    for (size_t i = 0; i < cal->n_rules; i++) {
        for (int32_t y = year - 1; y <= year + 1; y++) {
            int32_t actual, observed;

            if (rule_in_year(&cal->rules[i], y, &actual, &observed) &&
                observed >= first && observed <= last) {
                d[count] = observed;
                nm[count++] = cal->rules[i].name;
            }
        }
    }
    for (size_t i = 0; i < cal->n_holidays; i++) {
        if (cal->holidays[i].day >= first && cal->holidays[i].day <= last) {
            d[count] = cal->holidays[i].day;
            nm[count++] = cal->holidays[i].name;
        }
    }
    /* Insertion sort: a year has a handful of holidays. */
    for (size_t i = 1; i < count; i++) {
        for (size_t j = i; j > 0 && d[j - 1] > d[j]; j--) {
            int32_t td = d[j];
            const char *tn = nm[j];

            d[j] = d[j - 1];
            nm[j] = nm[j - 1];
            d[j - 1] = td;
            nm[j - 1] = tn;
        }
    }
    *days = d;
    *names = nm;
    *n = count;
}
