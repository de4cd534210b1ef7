/*
 * date.c: civil-date arithmetic on day numbers and strict parsing and
 * formatting of dates, local date-times and RFC 3339 instants.
 *
 * days_from_civil and civil_from_days follow Howard Hinnant's published
 * description ("chrono-Compatible Low-Level Date Algorithms"): shift the
 * year to start in March so the leap day is last, split it into 400-year
 * eras of 146097 days, and count within the era.
 */
#include "domain/date.h"

#include <stddef.h>

static int64_t
floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;

    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

static int64_t
floor_mod(int64_t a, int64_t b)
{
    return a - floor_div(a, b) * b;
}

static int64_t
days_from_civil(int64_t y, int64_t m, int64_t d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = floor_div(y, 400);
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

bool
date_is_leap_year(int32_t year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int
date_days_in_month(int32_t year, int month)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30,
                                 31, 31, 30, 31, 30, 31};

    if (month < 1 || month > 12)
        return 0;
    if (month == 2 && date_is_leap_year(year))
        return 29;
    return days[month - 1];
}

bool
date_is_valid_ymd(int32_t year, int month, int day)
{
    if (year < DATE_YEAR_MIN || year > DATE_YEAR_MAX)
        return false;
    if (month < 1 || month > 12)
        return false;
    return day >= 1 && day <= date_days_in_month(year, month);
}

enum cm_err
date_from_ymd(int32_t year, int month, int day, int32_t *out)
{
    if (!date_is_valid_ymd(year, month, day))
        return CM_ERR_VALIDATION_FAILED;
    *out = (int32_t)days_from_civil(year, month, day);
    return CM_ERR_OK;
}

void
date_to_ymd(int32_t day, int32_t *year, int *month, int *mday)
{
    int64_t z = (int64_t)day + 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;

    y += m <= 2;
    *year = (int32_t)y;
    *month = (int)m;
    *mday = (int)d;
}

enum date_weekday
date_weekday(int32_t day)
{
    /* 1970-01-01 (day 0) was a Thursday. */
    return (enum date_weekday)floor_mod((int64_t)day + 4, 7);
}

bool
date_is_weekend(int32_t day)
{
    enum date_weekday wd = date_weekday(day);

    return wd == DATE_WEEKDAY_SATURDAY || wd == DATE_WEEKDAY_SUNDAY;
}

const char *
date_weekday_name(enum date_weekday wd)
{
    static const char *const names[7] = {"Sunday",    "Monday",   "Tuesday",
                                         "Wednesday", "Thursday", "Friday",
                                         "Saturday"};

    if ((int)wd < 0 || (int)wd > 6)
        return "?";
    return names[wd];
}

enum cm_err
date_nth_weekday(
    int32_t year, int month, enum date_weekday wd, int nth, int32_t *out)
{
    int32_t first;
    int64_t day;

    if ((int)wd < 0 || (int)wd > 6 || nth < 1 || nth > 5)
        return CM_ERR_VALIDATION_FAILED;
    if (date_from_ymd(year, month, 1, &first) != CM_ERR_OK)
        return CM_ERR_VALIDATION_FAILED;
    day = first + floor_mod((int64_t)wd - (int64_t)date_weekday(first), 7) +
          7 * (int64_t)(nth - 1);
    if (day - first >= date_days_in_month(year, month))
        return CM_ERR_VALIDATION_FAILED;
    *out = (int32_t)day;
    return CM_ERR_OK;
}

enum cm_err
date_last_weekday(int32_t year, int month, enum date_weekday wd, int32_t *out)
{
    int32_t last;

    if ((int)wd < 0 || (int)wd > 6)
        return CM_ERR_VALIDATION_FAILED;
    if (date_from_ymd(year, month, date_days_in_month(year, month), &last) !=
        CM_ERR_OK)
        return CM_ERR_VALIDATION_FAILED;
    *out = (int32_t)(last -
                     floor_mod((int64_t)date_weekday(last) - (int64_t)wd, 7));
    return CM_ERR_OK;
}

/* Read exactly `n` decimal digits at `s` into `*out`; false otherwise. */
static bool
read_digits(const char *s, int n, int *out)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

/* Parse `YYYY-MM-DD` at the start of `s` (no check of what follows). */
static enum cm_err
parse_date_prefix(const char *s, int32_t *out)
{
    int y, m, d;

    if (!read_digits(s, 4, &y) || s[4] != '-' || !read_digits(s + 5, 2, &m) ||
        s[7] != '-' || !read_digits(s + 8, 2, &d))
        return CM_ERR_VALIDATION_FAILED;
    return date_from_ymd(y, m, d, out);
}

enum cm_err
date_parse(const char *s, int32_t *out)
{
    int32_t day;

    if (!s)
        return CM_ERR_VALIDATION_FAILED;
    for (int i = 0; i < 10; i++) {
        if (s[i] == '\0')
            return CM_ERR_VALIDATION_FAILED;
    }
    if (s[10] != '\0' || parse_date_prefix(s, &day) != CM_ERR_OK)
        return CM_ERR_VALIDATION_FAILED;
    *out = day;
    return CM_ERR_OK;
}

/* Append `v` (>= 0) with at least `width` digits at `*p`, advancing it. */
static void
put_digits(char **p, int64_t v, int width)
{
    char tmp[24];
    int n = 0;

    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    while (n < width)
        tmp[n++] = '0';
    while (n > 0)
        *(*p)++ = tmp[--n];
}

/* Write `YYYY-MM-DD` for `day` at `*p`, advancing it (no NUL). */
static void
put_date(char **p, int32_t day)
{
    int32_t y;
    int m, d;

    date_to_ymd(day, &y, &m, &d);
    if (y < 0) {
        *(*p)++ = '-';
        put_digits(p, -(int64_t)y, 4);
    } else {
        put_digits(p, y, 4);
    }
    *(*p)++ = '-';
    put_digits(p, m, 2);
    *(*p)++ = '-';
    put_digits(p, d, 2);
}

void
date_format(int32_t day, char out[DATE_STR_SIZE])
{
    char *p = out;

    put_date(&p, day);
    *p = '\0';
}

int64_t
date_time_make(int32_t day, int32_t second)
{
    return (int64_t)day * DATE_SECONDS_PER_DAY + second;
}

int32_t
date_time_day(int64_t t)
{
    return (int32_t)floor_div(t, DATE_SECONDS_PER_DAY);
}

int32_t
date_time_second_of_day(int64_t t)
{
    return (int32_t)floor_mod(t, DATE_SECONDS_PER_DAY);
}

/* Parse `YYYY-MM-DDTHH:MM` with optional `:SS` (and `t` for `T` when
 * `lower_ok`) at the start of `s`; `*len` gets the characters used. */
static enum cm_err
parse_local_prefix(
    const char *s, bool lower_ok, bool need_seconds, int64_t *out, size_t *len)
{
    int32_t day;
    int hh, mm, ss = 0;
    size_t n = 16;

    for (int i = 0; i < 16; i++) {
        if (s[i] == '\0')
            return CM_ERR_VALIDATION_FAILED;
    }
    if (parse_date_prefix(s, &day) != CM_ERR_OK)
        return CM_ERR_VALIDATION_FAILED;
    if (!(s[10] == 'T' || (lower_ok && s[10] == 't')))
        return CM_ERR_VALIDATION_FAILED;
    if (!read_digits(s + 11, 2, &hh) || s[13] != ':' ||
        !read_digits(s + 14, 2, &mm))
        return CM_ERR_VALIDATION_FAILED;
    if (s[16] == ':') {
        if (s[17] == '\0' || !read_digits(s + 17, 2, &ss))
            return CM_ERR_VALIDATION_FAILED;
        n = 19;
    } else if (need_seconds) {
        return CM_ERR_VALIDATION_FAILED;
    }
    if (hh > 23 || mm > 59 || ss > 59)
        return CM_ERR_VALIDATION_FAILED;
    *out = date_time_make(day, hh * 3600 + mm * 60 + ss);
    *len = n;
    return CM_ERR_OK;
}

enum cm_err
date_time_parse_local(const char *s, int64_t *out)
{
    int64_t t;
    size_t n;

    if (!s || parse_local_prefix(s, false, false, &t, &n) != CM_ERR_OK)
        return CM_ERR_VALIDATION_FAILED;
    if (s[n] != '\0')
        return CM_ERR_VALIDATION_FAILED;
    *out = t;
    return CM_ERR_OK;
}

/* Write `HH:MM:SS` for the second-of-day `sec` at `*p`, advancing it. */
static void
put_clock(char **p, int32_t sec)
{
    put_digits(p, sec / 3600, 2);
    *(*p)++ = ':';
    put_digits(p, sec / 60 % 60, 2);
    *(*p)++ = ':';
    put_digits(p, sec % 60, 2);
}

void
date_time_format_local(int64_t t, char out[DATE_TIME_STR_SIZE])
{
    char *p = out;

    put_date(&p, date_time_day(t));
    *p++ = 'T';
    put_clock(&p, date_time_second_of_day(t));
    *p = '\0';
}

enum cm_err
date_time_parse_rfc3339(const char *s, int64_t *utc, int32_t *offset)
{
    int64_t local;
    size_t n;
    int32_t off = 0;
    int oh, om;

    if (!s || parse_local_prefix(s, true, true, &local, &n) != CM_ERR_OK)
        return CM_ERR_VALIDATION_FAILED;
    if (s[n] == '.') {
        n++;
        if (s[n] < '0' || s[n] > '9')
            return CM_ERR_VALIDATION_FAILED;
        while (s[n] >= '0' && s[n] <= '9')
            n++;
    }
    if (s[n] == 'Z' || s[n] == 'z') {
        n++;
    } else if (s[n] == '+' || s[n] == '-') {
        if (s[n + 1] == '\0' || s[n + 2] == '\0' ||
            !read_digits(s + n + 1, 2, &oh) || s[n + 3] != ':' ||
            s[n + 4] == '\0' || !read_digits(s + n + 4, 2, &om) || oh > 23 ||
            om > 59)
            return CM_ERR_VALIDATION_FAILED;
        off = (int32_t)(oh * 3600 + om * 60);
        if (s[n] == '-')
            off = -off;
        n += 6;
    } else {
        return CM_ERR_VALIDATION_FAILED;
    }
    if (s[n] != '\0')
        return CM_ERR_VALIDATION_FAILED;
    *utc = local - off;
    *offset = off;
    return CM_ERR_OK;
}

void
date_time_format_rfc3339(int64_t utc,
                         int32_t offset,
                         char out[DATE_RFC3339_SIZE])
{
    char *p = out;
    int64_t local;
    int32_t a;

    if (offset % 60 != 0 || offset <= -86400 || offset >= 86400)
        offset = 0;
    local = utc + offset;
    put_date(&p, date_time_day(local));
    *p++ = 'T';
    put_clock(&p, date_time_second_of_day(local));
    if (offset == 0) {
        *p++ = 'Z';
    } else {
        *p++ = offset < 0 ? '-' : '+';
        a = offset < 0 ? -offset : offset;
        put_digits(&p, a / 3600, 2);
        *p++ = ':';
        put_digits(&p, a / 60 % 60, 2);
    }
    *p = '\0';
}
