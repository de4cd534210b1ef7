/*
 * tz.c: a TZif (RFC 8536) parser and local-time conversions.
 *
 * The parser reads the version 1 header; for version 2 and later it skips
 * the 32-bit body and reads the second header, the 64-bit body and the
 * footer's POSIX TZ string. Every count and index is checked against the
 * buffer and against the RFC's rules before it is used, since the bytes
 * come from a file outside our control.
 */
#include "domain/tz.h"

#include <string.h>

#include "core/alloc.h"
#include "domain/date.h"

#define TZ_HEADER_SIZE 44
/* RFC 8536 section 3.2: offsets SHOULD lie in -89999..93599. */
#define TZ_UTOFF_MIN (-89999)
#define TZ_UTOFF_MAX 93599

struct reader {
    const uint8_t *p;
    size_t len;
    size_t pos;
};

struct header {
    int version; /* 1, 2, 3 or 4 */
    uint32_t isutcnt;
    uint32_t isstdcnt;
    uint32_t leapcnt;
    uint32_t timecnt;
    uint32_t typecnt;
    uint32_t charcnt;
};

static bool
has_bytes(const struct reader *r, size_t n)
{
    return r->len - r->pos >= n;
}

static uint32_t
get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           (uint32_t)p[3];
}

static int64_t
get_time(const uint8_t *p, size_t width)
{
    uint64_t v;

    if (width == 4)
        return (int64_t)(int32_t)get_be32(p);
    v = (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
    return (int64_t)v;
}

static enum cm_err
fail(struct buf *why, const char *msg)
{
    if (why)
        buf_adds(why, msg);
    return CM_ERR_VALIDATION_FAILED;
}

static enum cm_err
read_header(struct reader *r, struct header *h, struct buf *why)
{
    const uint8_t *p = r->p + r->pos;
    uint32_t counts[6];

    if (!has_bytes(r, TZ_HEADER_SIZE) || memcmp(p, "TZif", 4) != 0)
        return fail(why, "not TZif data (bad magic)");
    if (p[4] == 0)
        h->version = 1;
    else if (p[4] >= '2' && p[4] <= '4')
        h->version = p[4] - '0';
    else
        return fail(why, "unsupported TZif version");
    for (int i = 0; i < 6; i++)
        counts[i] = get_be32(p + 20 + 4 * i);
    h->isutcnt = counts[0];
    h->isstdcnt = counts[1];
    h->leapcnt = counts[2];
    h->timecnt = counts[3];
    h->typecnt = counts[4];
    h->charcnt = counts[5];
    if (h->typecnt == 0 || h->charcnt == 0)
        return fail(why, "TZif data has no local time types");
    if (h->typecnt > 256)
        return fail(why, "TZif data has more than 256 time types");
    if ((h->isutcnt != 0 && h->isutcnt != h->typecnt) ||
        (h->isstdcnt != 0 && h->isstdcnt != h->typecnt))
        return fail(why, "TZif indicator counts do not match the types");
    r->pos += TZ_HEADER_SIZE;
    return CM_ERR_OK;
}

/* Bytes in the body after a header, for time width `w` (4 or 8). */
static size_t
body_size(const struct header *h, size_t w)
{
    return (size_t)h->timecnt * w + h->timecnt + (size_t)h->typecnt * 6 +
           h->charcnt + (size_t)h->leapcnt * (w + 4) + h->isstdcnt + h->isutcnt;
}

static enum cm_err
read_body(struct reader *r,
          const struct header *h,
          size_t w,
          struct tz *z,
          struct buf *why)
{
    const uint8_t *p = r->p + r->pos;
    const uint8_t *idx, *ttinfo, *chars;

    if (!has_bytes(r, body_size(h, w)))
        return fail(why, "TZif data is truncated");
    if (h->leapcnt != 0)
        return fail(why, "TZif data with leap seconds is not supported");
    idx = p + (size_t)h->timecnt * w;
    ttinfo = idx + h->timecnt;
    chars = ttinfo + (size_t)h->typecnt * 6;
    z->n_transitions = h->timecnt;
    z->transitions = cm_calloc(h->timecnt ? h->timecnt : 1, sizeof(int64_t));
    z->transition_types = cm_calloc(h->timecnt ? h->timecnt : 1, 1);
    for (size_t i = 0; i < h->timecnt; i++) {
        z->transitions[i] = get_time(p + i * w, w);
        if (i > 0 && z->transitions[i] <= z->transitions[i - 1])
            return fail(why, "TZif transitions are not in ascending order");
        if (idx[i] >= h->typecnt)
            return fail(why, "TZif transition names a missing time type");
        z->transition_types[i] = idx[i];
    }
    z->n_types = h->typecnt;
    z->types = cm_calloc(h->typecnt, sizeof(struct tz_type));
    for (size_t i = 0; i < h->typecnt; i++) {
        const uint8_t *t = ttinfo + 6 * i;
        int32_t utoff = (int32_t)get_be32(t);
        size_t di = t[5], n = 0;

        if (utoff < TZ_UTOFF_MIN || utoff > TZ_UTOFF_MAX)
            return fail(why, "TZif time type has an impossible UTC offset");
        if (t[4] > 1)
            return fail(why, "TZif time type has a bad DST flag");
        if (di >= h->charcnt)
            return fail(why, "TZif abbreviation index is out of range");
        while (di + n < h->charcnt && chars[di + n] != 0)
            n++;
        if (di + n == h->charcnt || n >= TZ_ABBR_SIZE)
            return fail(why, "TZif abbreviation is unterminated or too long");
        z->types[i].utoff = utoff;
        z->types[i].is_dst = t[4] == 1;
        memcpy(z->types[i].abbr, chars + di, n);
        z->types[i].abbr[n] = '\0';
    }
    r->pos += body_size(h, w);
    return CM_ERR_OK;
}

/* A cursor over the footer's POSIX TZ string. */
struct posix_reader {
    const char *s;
    size_t len;
    size_t pos;
};

static int
peek(const struct posix_reader *pr)
{
    return pr->pos < pr->len ? (unsigned char)pr->s[pr->pos] : -1;
}

static bool
is_alpha(int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool
is_digit(int c)
{
    return c >= '0' && c <= '9';
}

/* A zone abbreviation: 3+ letters, or <...> of letters, digits, + and -. */
static bool
posix_name(struct posix_reader *pr, char out[TZ_ABBR_SIZE])
{
    size_t n = 0;

    if (peek(pr) == '<') {
        pr->pos++;
        while (is_alpha(peek(pr)) || is_digit(peek(pr)) || peek(pr) == '+' ||
               peek(pr) == '-') {
            if (n + 1 >= TZ_ABBR_SIZE)
                return false;
            out[n++] = pr->s[pr->pos++];
        }
        if (peek(pr) != '>')
            return false;
        pr->pos++;
    } else {
        while (is_alpha(peek(pr))) {
            if (n + 1 >= TZ_ABBR_SIZE)
                return false;
            out[n++] = pr->s[pr->pos++];
        }
    }
    out[n] = '\0';
    return n >= 3;
}

static bool
posix_number(struct posix_reader *pr, int max, int *out)
{
    int v = 0, digits = 0;

    while (is_digit(peek(pr))) {
        v = v * 10 + (pr->s[pr->pos++] - '0');
        if (++digits > 3 || v > max)
            return false;
    }
    if (digits == 0)
        return false;
    *out = v;
    return true;
}

/* [+-]hh[:mm[:ss]] with hours up to `max_hours`, into seconds. */
static bool
posix_time(struct posix_reader *pr, int max_hours, int32_t *out)
{
    int sign = 1, h, m = 0, s = 0;

    if (peek(pr) == '+' || peek(pr) == '-') {
        sign = peek(pr) == '-' ? -1 : 1;
        pr->pos++;
    }
    if (!posix_number(pr, max_hours, &h))
        return false;
    if (peek(pr) == ':') {
        pr->pos++;
        if (!posix_number(pr, 59, &m))
            return false;
        if (peek(pr) == ':') {
            pr->pos++;
            if (!posix_number(pr, 59, &s))
                return false;
        }
    }
    *out = sign * (h * 3600 + m * 60 + s);
    return true;
}

static bool
posix_rule_date(struct posix_reader *pr, struct tz_rule_date *d)
{
    d->time = 2 * 3600;
    if (peek(pr) == 'J') {
        pr->pos++;
        d->kind = TZ_RULE_DATE_KIND_JULIAN_NO_LEAP;
        if (!posix_number(pr, 365, &d->yday) || d->yday < 1)
            return false;
    } else if (peek(pr) == 'M') {
        pr->pos++;
        d->kind = TZ_RULE_DATE_KIND_MONTH_WEEK_DAY;
        if (!posix_number(pr, 12, &d->month) || d->month < 1 || peek(pr) != '.')
            return false;
        pr->pos++;
        if (!posix_number(pr, 5, &d->week) || d->week < 1 || peek(pr) != '.')
            return false;
        pr->pos++;
        if (!posix_number(pr, 6, &d->wday))
            return false;
    } else {
        d->kind = TZ_RULE_DATE_KIND_ZERO_BASED;
        if (!posix_number(pr, 365, &d->yday))
            return false;
    }
    if (peek(pr) == '/') {
        pr->pos++;
        /* RFC 8536 version 3 allows -167 to 167 hours here. */
        if (!posix_time(pr, 167, &d->time))
            return false;
    }
    return true;
}

static enum cm_err
parse_posix(const char *s, size_t len, struct tz_posix *out, struct buf *why)
{
    struct posix_reader pr = {s, len, 0};
    struct tz_posix p;
    int32_t off;

    memset(&p, 0, sizeof p);
    if (len == 0) {
        *out = p; /* an empty footer: no rule past the table */
        return CM_ERR_OK;
    }
    if (!posix_name(&pr, p.std.abbr) || !posix_time(&pr, 24, &off))
        return fail(why, "TZif footer has a bad standard time");
    p.std.utoff = -off; /* POSIX offsets are positive west of Greenwich */
    if (pr.pos < len) {
        if (!posix_name(&pr, p.dst.abbr))
            return fail(why, "TZif footer has a bad daylight time name");
        p.has_dst = true;
        p.dst.is_dst = true;
        p.dst.utoff = p.std.utoff + 3600;
        if (peek(&pr) != ',' && pr.pos < len) {
            if (!posix_time(&pr, 24, &off))
                return fail(why, "TZif footer has a bad daylight offset");
            p.dst.utoff = -off;
        }
        if (peek(&pr) != ',')
            return fail(why, "TZif footer has daylight time without rules");
        pr.pos++;
        if (!posix_rule_date(&pr, &p.start) || peek(&pr) != ',')
            return fail(why, "TZif footer has a bad daylight start rule");
        pr.pos++;
        if (!posix_rule_date(&pr, &p.end))
            return fail(why, "TZif footer has a bad daylight end rule");
    }
    if (pr.pos != len)
        return fail(why, "TZif footer has trailing characters");
    p.is_set = true;
    *out = p;
    return CM_ERR_OK;
}

static enum cm_err
read_footer(struct reader *r, struct tz_posix *out, struct buf *why)
{
    const char *s = (const char *)r->p + r->pos;
    size_t n = 0;

    if (!has_bytes(r, 1) || s[0] != '\n')
        return fail(why, "TZif footer is missing");
    s++;
    while (r->pos + 1 + n < r->len && s[n] != '\n')
        n++;
    if (r->pos + 1 + n >= r->len)
        return fail(why, "TZif footer is unterminated");
    return parse_posix(s, n, out, why);
}

enum cm_err
tz_parse(const void *data,
         size_t len,
         const char *name,
         struct tz *out,
         struct buf *why)
{
    struct reader r = {data, len, 0};
    struct header h;
    struct tz z;
    enum cm_err err;

    memset(&z, 0, sizeof z);
    if (!data)
        return fail(why, "no TZif data");
    err = read_header(&r, &h, why);
    if (err != CM_ERR_OK)
        goto out_release;
    if (h.version == 1) {
        err = read_body(&r, &h, 4, &z, why);
        if (err != CM_ERR_OK)
            goto out_release;
    } else {
        if (!has_bytes(&r, body_size(&h, 4))) {
            err = fail(why, "TZif data is truncated");
            goto out_release;
        }
        r.pos += body_size(&h, 4);
        err = read_header(&r, &h, why);
        if (err == CM_ERR_OK)
            err = read_body(&r, &h, 8, &z, why);
        if (err == CM_ERR_OK)
            err = read_footer(&r, &z.footer, why);
        if (err != CM_ERR_OK)
            goto out_release;
    }
    z.name = cm_strdup(name ? name : "");
    *out = z;
    return CM_ERR_OK;
out_release:
    tz_release(&z);
    return err;
}

void
tz_release(struct tz *tz)
{
    if (!tz)
        return;
    cm_free(tz->name);
    cm_free(tz->transitions);
    cm_free(tz->transition_types);
    cm_free(tz->types);
    memset(tz, 0, sizeof *tz);
}

const char *
tz_name(const struct tz *tz)
{
    return tz->name ? tz->name : "";
}

/* The local day (day number) a POSIX rule date falls on in `year`. */
static int32_t
rule_day(const struct tz_rule_date *d, int32_t year)
{
    int32_t jan1 = 0, day = 0;

    (void)date_from_ymd(year, 1, 1, &jan1);
    switch (d->kind) {
    case TZ_RULE_DATE_KIND_JULIAN_NO_LEAP:
        day = jan1 + d->yday - 1;
        if (date_is_leap_year(year) && d->yday >= 60)
            day++;
        break;
    case TZ_RULE_DATE_KIND_ZERO_BASED:
        day = jan1 + d->yday;
        break;
    case TZ_RULE_DATE_KIND_MONTH_WEEK_DAY:
        if (d->week == 5 ||
            date_nth_weekday(year, d->month, (enum date_weekday)d->wday,
                             d->week, &day) != CM_ERR_OK)
            (void)date_last_weekday(year, d->month, (enum date_weekday)d->wday,
                                    &day);
        break;
    }
    return day;
}

static void
posix_lookup(const struct tz_posix *p, int64_t utc, struct tz_type *out)
{
    int32_t year;
    int m, d;
    int64_t start, end;
    bool in_dst;

    /* Outside years 1-9999 (and far from int64 overflow) the rule is not
     * evaluated: standard time is returned. */
    if (!p->has_dst || utc < -INT64_C(62135596800) - DATE_SECONDS_PER_DAY ||
        utc > INT64_C(253402300800) + DATE_SECONDS_PER_DAY) {
        *out = p->std;
        return;
    }
    date_to_ymd(date_time_day(utc + p->std.utoff), &year, &m, &d);
    if (year < DATE_YEAR_MIN || year > DATE_YEAR_MAX) {
        *out = p->std;
        return;
    }
    /* The start rule's time is in standard time, the end's in DST. */
    start = date_time_make(rule_day(&p->start, year), 0) + p->start.time -
            p->std.utoff;
    end =
        date_time_make(rule_day(&p->end, year), 0) + p->end.time - p->dst.utoff;
    if (start < end)
        in_dst = utc >= start && utc < end;
    else
        in_dst = !(utc >= end && utc < start);
    *out = in_dst ? p->dst : p->std;
}

void
tz_lookup(const struct tz *tz, int64_t utc, struct tz_type *out)
{
    size_t lo = 0, hi = tz->n_transitions;

    if (tz->n_transitions == 0 || utc < tz->transitions[0]) {
        if (tz->n_transitions == 0 && tz->footer.is_set)
            posix_lookup(&tz->footer, utc, out);
        else
            *out = tz->types[0]; /* RFC 8536: type 0 before the first */
        return;
    }
    if (utc >= tz->transitions[tz->n_transitions - 1] && tz->footer.is_set) {
        posix_lookup(&tz->footer, utc, out);
        return;
    }
    /* The last transition at or before `utc`. */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;

        if (tz->transitions[mid] <= utc)
            lo = mid;
        else
            hi = mid;
    }
    *out = tz->types[tz->transition_types[lo]];
}

int32_t
tz_offset_at(const struct tz *tz, int64_t utc)
{
    struct tz_type t;

    tz_lookup(tz, utc, &t);
    return t.utoff;
}

void
tz_local_to_utc(const struct tz *tz,
                int64_t local,
                int64_t *utc,
                enum tz_local_kind *kind)
{
    /* Offsets stay within +-26 hours, so the offsets in force two days
     * either side bracket every instant `local` could name. Check each
     * candidate offset: it is valid when the instant it gives really has
     * that offset. */
    int32_t before = tz_offset_at(tz, local - 2 * DATE_SECONDS_PER_DAY);
    int32_t after = tz_offset_at(tz, local + 2 * DATE_SECONDS_PER_DAY);
    int32_t cand[4];
    int64_t best = 0;
    int n_valid = 0;

    cand[0] = before;
    cand[1] = after;
    cand[2] = tz_offset_at(tz, local - before);
    cand[3] = tz_offset_at(tz, local - after);
    for (int i = 0; i < 4; i++) {
        int64_t t = local - cand[i];
        bool seen = false;

        for (int j = 0; j < i; j++)
            seen = seen || cand[j] == cand[i];
        if (seen || tz_offset_at(tz, t) != cand[i])
            continue;
        if (n_valid == 0 || t < best)
            best = t;
        n_valid++;
    }
    if (n_valid == 0) {
        /* In a gap: read with the offset before it, which lands after the
         * transition, i.e. shifted forward by the gap. */
        *utc = local - before;
        if (kind)
            *kind = TZ_LOCAL_KIND_GAP;
        return;
    }
    *utc = best;
    if (kind)
        *kind = n_valid > 1 ? TZ_LOCAL_KIND_AMBIGUOUS : TZ_LOCAL_KIND_UNIQUE;
}
