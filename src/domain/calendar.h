/*
 * calendar.h: court and office calendars as data.
 *
 * A calendar is a list of holiday rules (a fixed date, the nth weekday of a
 * month, or the last weekday of a month, each with the years it is in
 * effect and how a weekend occurrence is observed), dated holidays, and
 * dated closures with the name and source of each (an executive order
 * closing federal offices, a court's order). calendar_init_federal loads
 * the legal public holidays of 5 U.S.C. 6103(a) with the observance rule
 * of 6103(b); a jurisdiction adds its state's holidays with
 * calendar_add_rule or calendar_add_holiday.
 *
 * Every change bumps the calendar's version, a monotonic integer, so a
 * computed deadline can record the version that produced it. Saturdays and
 * Sundays are the weekend.
 */
#ifndef CM_DOMAIN_CALENDAR_H
#define CM_DOMAIN_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/errors.h"
#include "domain/date.h"

enum calendar_rule_kind {
    CALENDAR_RULE_KIND_FIXED,       /* month/day every year */
    CALENDAR_RULE_KIND_NTH_WEEKDAY, /* nth weekday of month */
    CALENDAR_RULE_KIND_LAST_WEEKDAY /* last weekday of month */
};

enum calendar_observance {
    /* The holiday is kept on its date, even on a weekend. */
    CALENDAR_OBSERVANCE_NONE,
    /* 5 U.S.C. 6103(b): Saturday observed Friday before, Sunday observed
     * Monday after. */
    CALENDAR_OBSERVANCE_NEAREST_WEEKDAY,
    /* Sunday observed Monday after; Saturday not moved. */
    CALENDAR_OBSERVANCE_SUNDAY_TO_MONDAY
};

/* A holiday rule. `first_year`/`last_year` bound the years (of the
 * holiday's own date, before observance) it applies to; 0 means no
 * bound. For FIXED, `month` and `mday`; for NTH_WEEKDAY, `month`,
 * `weekday` and `nth` (1-5); for LAST_WEEKDAY, `month` and `weekday`. */
struct calendar_rule {
    char *name;
    char *source;
    enum calendar_rule_kind kind;
    int month;
    int mday;
    enum date_weekday weekday;
    int nth;
    int32_t first_year;
    int32_t last_year;
    enum calendar_observance observance;
};

/* A dated holiday or closure. */
struct calendar_dated {
    int32_t day;
    char *name;
    char *source;
};

/* A calendar; fields are read-only outside calendar.c. */
struct calendar {
    char *name;
    uint64_t version;
    struct calendar_rule *rules;
    size_t n_rules;
    struct calendar_dated *holidays;
    size_t n_holidays;
    struct calendar_dated *closures;
    size_t n_closures;
};

/* What a day is. A day can be several things at once (a Saturday that is
 * also a closure); every flag that holds is set. */
struct calendar_day {
    int32_t day;
    bool is_weekend;
    bool is_holiday;
    bool is_closure;
    /* When is_holiday: the holiday, its source, and the date it falls on
     * (differs from `day` when this day is the observed day). Borrowed
     * from the calendar; valid until it changes or is released. */
    const char *holiday_name;
    const char *holiday_source;
    int32_t holiday_actual_day;
    /* When is_closure: the closure and its source; borrowed likewise. */
    const char *closure_name;
    const char *closure_source;
};

/* Initialize `cal` as an empty calendar named `name` (copied), version 1.
 * Release with calendar_release. */
void calendar_init(struct calendar *cal, const char *name);

/* Initialize `cal` as the federal calendar ("federal"), version 1: the
 * legal public holidays of 5 U.S.C. 6103(a) observed per 6103(b). Years
 * from 1971 (the Uniform Monday Holiday Act) are modeled; earlier years
 * are not (they get the 1971 Monday rules and no Veterans Day, which is
 * not history). Inauguration Day (6103(c), Washington DC area only) is
 * not a holiday here. */
void calendar_init_federal(struct calendar *cal);

/* Free what `cal` holds and zero it; accepts NULL. */
void calendar_release(struct calendar *cal);

/* Add a holiday rule (its strings are copied) and bump the version.
 * CM_ERR_VALIDATION_FAILED (reason appended to `why` when not NULL) for a
 * missing name, a bad month, day, weekday or nth, or last_year before
 * first_year. */
enum cm_err calendar_add_rule(struct calendar *cal,
                              const struct calendar_rule *rule,
                              struct buf *why);

/* Add a holiday on `day` named `name` with `source` (copied; `source` may
 * be NULL) and bump the version. CM_ERR_VALIDATION_FAILED for an empty
 * name; CM_ERR_ALREADY_EXISTS when a dated holiday is already on `day`. */
enum cm_err calendar_add_holiday(struct calendar *cal,
                                 int32_t day,
                                 const char *name,
                                 const char *source,
                                 struct buf *why);

/* Add a closure on `day` named `name` with `source` (copied; `source` may
 * be NULL) and bump the version: e.g. 2019-12-24, "Christmas Eve",
 * "Executive Order 13900". CM_ERR_VALIDATION_FAILED for an empty name;
 * CM_ERR_ALREADY_EXISTS when a closure is already on `day`. */
enum cm_err calendar_add_closure(struct calendar *cal,
                                 int32_t day,
                                 const char *name,
                                 const char *source,
                                 struct buf *why);

/* The calendar's current version. */
uint64_t calendar_version(const struct calendar *cal);

/* What `day` is into `*out`. */
void calendar_query(const struct calendar *cal,
                    int32_t day,
                    struct calendar_day *out);

/* True when `day` is a Saturday, Sunday, holiday or closure. */
bool calendar_is_nonworking(const struct calendar *cal, int32_t day);

/* Append why `info`'s day is not a working day to `out`, e.g.
 * "weekend (Saturday)", "legal holiday: Independence Day (observed; falls
 * on Saturday 2020-07-04) [5 U.S.C. 6103(a)]", "closure: Christmas Eve
 * [Executive Order 13900]"; several reasons are joined with "; ". Appends
 * "working day" when there is none. */
void calendar_describe_day(const struct calendar_day *info, struct buf *out);

/* The observed holidays of `year` (by observed date, which for New Year's
 * Day can be December 31 of the year before) in date order: `*days` and
 * `*names` (borrowed from `cal`) are arrays the caller frees with cm_free;
 * `*n` gets their length. Closures are not included. */
void calendar_list_holidays(const struct calendar *cal,
                            int32_t year,
                            int32_t **days,
                            const char ***names,
                            size_t *n);

#endif
