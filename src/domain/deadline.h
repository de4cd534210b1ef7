/*
 * deadline.h: deadline rules as data, and the computation that applies
 * them to a trigger (the day of service, the entry of an order, the time a
 * person would otherwise have been released) against a calendar.
 *
 * Rules form one table of descriptors: an id, a kind, a unit (days or
 * hours) and the dates the version is in effect, so an amended rule is a
 * new row with the same id; the row in effect on the trigger's day is
 * used. Rules:
 *
 *   frcp6-days        FRCP 6(a)(1) as amended 2009-12-01: exclude the
 *                     trigger day, count every day, include the last day;
 *                     if it is a Saturday, Sunday, legal holiday or
 *                     closure, run on to the next day that is none of
 *                     those (backward, 6(a)(5): to the previous such day).
 *   frcp6-days        (row in effect 1985-08-01 to 2009-11-30) the former
 *                     FRCP 6(a): likewise, but a period of less than 11
 *                     days excludes intermediate weekends and holidays.
 *   business-days     count only days that are no weekend, holiday or
 *                     closure.
 *   48h-clock         elapsed hours (48 hours are 48 real hours even
 *                     across a daylight saving change).
 *   48h-excluding-weekends-holidays
 *                     8 CFR 287.7(d): count only the hours that fall on
 *                     local days that are no weekend, holiday or closure.
 *   frcp6-hours       FRCP 6(a)(2): count every hour; if the period ends
 *                     on a weekend, holiday or closure, continue to the
 *                     same local time on the next day that is none.
 *
 * Hour clocks run in the facility's time zone (domain/tz.h). Every result
 * records the rule id and version, the calendar version, and each day
 * skipped or rolled over with its reason; deadline_explain renders that.
 */
#ifndef CM_DOMAIN_DEADLINE_H
#define CM_DOMAIN_DEADLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/errors.h"
#include "domain/calendar.h"
#include "domain/date.h"
#include "domain/tz.h"

/* The longest periods accepted. */
#define DEADLINE_DAYS_MAX  36600
#define DEADLINE_HOURS_MAX 87600

enum deadline_rule_kind {
    DEADLINE_RULE_KIND_FRCP6_DAYS,
    DEADLINE_RULE_KIND_FRCP6_DAYS_SHORT_EXCLUDED, /* pre-2009 FRCP 6(a) */
    DEADLINE_RULE_KIND_BUSINESS_DAYS,
    DEADLINE_RULE_KIND_ELAPSED_HOURS,
    DEADLINE_RULE_KIND_WORKING_DAY_HOURS,
    DEADLINE_RULE_KIND_FRCP6_HOURS
};

enum deadline_unit { DEADLINE_UNIT_DAYS, DEADLINE_UNIT_HOURS };

enum deadline_direction { DEADLINE_DIRECTION_AFTER, DEADLINE_DIRECTION_BEFORE };

/* One version of a rule. `effective_from` and `effective_to` are dates as
 * YYYYMMDD integers (inclusive; 0 means unbounded). */
struct deadline_rule {
    const char *id;
    enum deadline_rule_kind kind;
    enum deadline_unit unit;
    const char *citation;
    const char *summary;
    int32_t effective_from;
    int32_t effective_to;
};

enum deadline_step_kind {
    DEADLINE_STEP_KIND_NOT_COUNTED, /* a day inside the period not counted */
    DEADLINE_STEP_KIND_COUNTED,     /* hours counted on a day (hour clocks) */
    DEADLINE_STEP_KIND_ROLLED_OVER  /* the period ended on a day that is not
                                       a working day and moved past it */
};

struct deadline_step {
    enum deadline_step_kind kind;
    int32_t day;
    int64_t seconds; /* COUNTED: seconds counted on `day` */
    char *reason;    /* why the day is not a working day; "" if it is */
};

/* A computed deadline. `rule` points into the static rule table. */
struct deadline_result {
    const struct deadline_rule *rule;
    char *calendar_name;
    uint64_t calendar_version;
    enum deadline_direction direction;
    int64_t period;
    /* Day rules: the trigger, where counting ended, and the due date. For
     * hour clocks: the local days of the trigger and of the due instant. */
    int32_t trigger_day;
    int32_t landed_day;
    int32_t due_day;
    /* Hour clocks: the zone, instants and their UTC offsets. */
    char *zone;
    int64_t trigger_utc;
    int32_t trigger_utoff;
    int64_t landed_utc;
    int32_t landed_utoff;
    int64_t due_utc;
    int32_t due_utoff;
    struct deadline_step *steps;
    size_t n_steps;
};

/* The number of rows in the rule table and the row at `i`. */
size_t deadline_rule_count(void);
const struct deadline_rule *deadline_rule_at(size_t i);

/* The version of rule `id` in effect on `day`; NULL when there is no rule
 * of that id or none of its versions is in effect that day. */
const struct deadline_rule *deadline_rule_find(const char *id, int32_t day);

/* The first row with rule `id` (to ask its unit); NULL when unknown. */
const struct deadline_rule *deadline_rule_find_any(const char *id);

/* Compute a deadline of `days` days (0 to DEADLINE_DAYS_MAX) counted from
 * `trigger` in `direction` under day rule `rule_id` on calendar `cal`.
 * `*out` is written only on success; release it with
 * deadline_result_release. On bad input (unknown rule, an hour rule, no
 * version in effect, a negative or too large period, a result outside
 * years 1-9999) returns CM_ERR_VALIDATION_FAILED and appends a one-line
 * reason to `why` when it is not NULL. */
enum cm_err deadline_compute_days(const struct calendar *cal,
                                  const char *rule_id,
                                  int32_t trigger,
                                  int64_t days,
                                  enum deadline_direction direction,
                                  struct deadline_result *out,
                                  struct buf *why);

/* Compute an hour clock of `hours` hours (0 to DEADLINE_HOURS_MAX) from
 * UTC instant `trigger_utc` under hour rule `rule_id`, in zone `tz`, on
 * calendar `cal`. Output, ownership and errors as deadline_compute_days.
 * A due time that falls in a daylight saving gap follows tz.h's rule. */
enum cm_err deadline_compute_hours(const struct calendar *cal,
                                   const struct tz *tz,
                                   const char *rule_id,
                                   int64_t trigger_utc,
                                   int64_t hours,
                                   struct deadline_result *out,
                                   struct buf *why);

/* Free what `r` holds and zero it; accepts NULL. */
void deadline_result_release(struct deadline_result *r);

/* The due date or instant as text: `YYYY-MM-DD` for day rules, RFC 3339
 * with the zone's offset for hour clocks. */
void deadline_format_due(const struct deadline_result *r,
                         char out[DATE_RFC3339_SIZE]);

/* Append the explanation to `out` as plain-text lines, each ending in a
 * newline: trigger, rule, period and direction, calendar and version,
 * where counting ended, each day not counted or rolled over with its
 * reason, and the due date. */
void deadline_explain(const struct deadline_result *r, struct buf *out);

#endif
