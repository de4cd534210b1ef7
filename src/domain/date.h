/*
 * date.h: civil dates and date-times as plain integers.
 *
 * A date is a day number: days since 1970-01-01 in the proleptic Gregorian
 * calendar (negative before 1970), so date arithmetic is integer
 * arithmetic. A local date-time ("wall clock" time, no zone) is the number
 * of seconds since 1970-01-01T00:00:00 on that wall clock; a UTC instant
 * is seconds since the Unix epoch, ignoring leap seconds. Conversions use
 * Howard Hinnant's days_from_civil / civil_from_days algorithms,
 * reimplemented from their published description. Nothing here touches the
 * C library's time functions or global state: every function is pure and
 * thread-safe.
 *
 * Text forms are strict: a date is exactly `YYYY-MM-DD`; a local date-time
 * is `YYYY-MM-DDTHH:MM` or `YYYY-MM-DDTHH:MM:SS`; an RFC 3339 instant is a
 * local date-time with seconds, optional fraction (ignored), and `Z` or
 * `+HH:MM` / `-HH:MM`.
 */
#ifndef CM_DOMAIN_DATE_H
#define CM_DOMAIN_DATE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/errors.h"

/* The years a (year, month, day) may name. */
#define DATE_YEAR_MIN 1
#define DATE_YEAR_MAX 9999

/* Buffer sizes for the format functions, NUL included. */
#define DATE_STR_SIZE      24
#define DATE_TIME_STR_SIZE 40
#define DATE_RFC3339_SIZE  48

#define DATE_SECONDS_PER_DAY 86400

enum date_weekday {
    DATE_WEEKDAY_SUNDAY,
    DATE_WEEKDAY_MONDAY,
    DATE_WEEKDAY_TUESDAY,
    DATE_WEEKDAY_WEDNESDAY,
    DATE_WEEKDAY_THURSDAY,
    DATE_WEEKDAY_FRIDAY,
    DATE_WEEKDAY_SATURDAY
};

/* True when `year` is a Gregorian leap year. */
bool date_is_leap_year(int32_t year);

/* The number of days in `month` (1-12) of `year`; 0 for a bad month. */
int date_days_in_month(int32_t year, int month);

/* True when (year, month, day) names a real day with year in
 * DATE_YEAR_MIN..DATE_YEAR_MAX: 2020-02-29 is valid, 2021-02-29 is not. */
bool date_is_valid_ymd(int32_t year, int month, int day);

/* The day number of (year, month, day) into `*out`. CM_ERR_VALIDATION_FAILED
 * when the date is not valid (see date_is_valid_ymd); `*out` is then left
 * alone. */
enum cm_err date_from_ymd(int32_t year, int month, int day, int32_t *out);

/* Split day number `day` into year, month (1-12) and day of month (1-31).
 * Any int32_t day works. Every out-parameter must be non-NULL. */
void date_to_ymd(int32_t day, int32_t *year, int *month, int *mday);

/* The day of the week of `day` (1970-01-01 was a Thursday). */
enum date_weekday date_weekday(int32_t day);

/* True on Saturdays and Sundays. */
bool date_is_weekend(int32_t day);

/* The English name of `wd` ("Monday"); a static string. */
const char *date_weekday_name(enum date_weekday wd);

/* The `nth` (1-5) `wd` of `month` in `year` into `*out`
 * (MLK Day is date_nth_weekday(y, 1, DATE_WEEKDAY_MONDAY, 3, &d)).
 * CM_ERR_VALIDATION_FAILED for a bad argument or when the month has no
 * such day (a fifth Monday that does not exist). */
enum cm_err date_nth_weekday(
    int32_t year, int month, enum date_weekday wd, int nth, int32_t *out);

/* The last `wd` of `month` in `year` into `*out` (Memorial Day is the last
 * Monday of May). CM_ERR_VALIDATION_FAILED for a bad argument. */
enum cm_err
date_last_weekday(int32_t year, int month, enum date_weekday wd, int32_t *out);

/* Parse exactly `YYYY-MM-DD` (nothing before or after) into `*out`.
 * CM_ERR_VALIDATION_FAILED for any other shape or an impossible date. */
enum cm_err date_parse(const char *s, int32_t *out);

/* Write `day` as `YYYY-MM-DD` into `out` (a year outside 0-9999 gets a sign
 * or more digits). */
void date_format(int32_t day, char out[DATE_STR_SIZE]);

/* Local date-time `day` + `second` (0-86399) of that day. */
int64_t date_time_make(int32_t day, int32_t second);

/* The day of a local date-time or instant `t` (rounding toward the past). */
int32_t date_time_day(int64_t t);

/* The second within its day (0-86399) of `t`. */
int32_t date_time_second_of_day(int64_t t);

/* Parse a local date-time `YYYY-MM-DDTHH:MM` or `YYYY-MM-DDTHH:MM:SS`
 * (hours 00-23, seconds 00-59) into `*out`. CM_ERR_VALIDATION_FAILED for
 * any other shape. */
enum cm_err date_time_parse_local(const char *s, int64_t *out);

/* Write local date-time `t` as `YYYY-MM-DDTHH:MM:SS` into `out`. */
void date_time_format_local(int64_t t, char out[DATE_TIME_STR_SIZE]);

/* Parse an RFC 3339 instant `YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)`
 * (`T` and `Z` may be lower case; the fraction is dropped; no leap second)
 * into the UTC instant `*utc` and the offset it was written with, in
 * seconds east of UTC, `*offset` (0 for `Z`). Both written only on
 * success; CM_ERR_VALIDATION_FAILED otherwise. */
enum cm_err
date_time_parse_rfc3339(const char *s, int64_t *utc, int32_t *offset);

/* Write UTC instant `utc` as RFC 3339 in the local time of `offset`
 * (seconds east of UTC): `2020-01-19T15:00:00-07:00`, or with `Z` when
 * `offset` is 0. An offset that is not a whole number of minutes (old
 * local mean times) cannot be written in RFC 3339: the instant is then
 * written in UTC with `Z`. */
void date_time_format_rfc3339(int64_t utc,
                              int32_t offset,
                              char out[DATE_RFC3339_SIZE]);

#endif
