/*
 * tz.h: time zones from TZif data (RFC 8536), parsed from a byte buffer.
 *
 * A `struct tz` holds a zone's transition table (the 64-bit body of a
 * version 2+ file, or the 32-bit body of a version 1 file) and the footer's
 * POSIX TZ string, which gives local time for instants after the last
 * transition. There is no I/O here: core/zoneinfo.h reads the bytes.
 *
 * Converting a local (wall clock) date-time to an instant needs a rule for
 * the two kinds of local time that do not name exactly one instant:
 *
 *  - a nonexistent time in a spring-forward gap (02:30 on the day clocks
 *    jump from 02:00 to 03:00) is shifted forward by the length of the gap:
 *    it is read with the offset in force before the gap, so 02:30 MST
 *    becomes 03:30 MDT;
 *  - an ambiguous time in a fall-back overlap (01:30 on the day clocks go
 *    from 02:00 back to 01:00) is the earlier of its two instants (01:30
 *    daylight time).
 *
 * Zones with leap-second tables ("right/" zones) are refused.
 */
#ifndef CM_DOMAIN_TZ_H
#define CM_DOMAIN_TZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/errors.h"

#define TZ_ABBR_SIZE 16

/* A local time type: offset east of UTC, daylight flag, abbreviation. */
struct tz_type {
    int32_t utoff;
    bool is_dst;
    char abbr[TZ_ABBR_SIZE];
};

enum tz_rule_date_kind {
    TZ_RULE_DATE_KIND_JULIAN_NO_LEAP, /* Jn: 1-365, Feb 29 never counted */
    TZ_RULE_DATE_KIND_ZERO_BASED,     /* n: 0-365, Feb 29 counted */
    TZ_RULE_DATE_KIND_MONTH_WEEK_DAY  /* Mm.w.d */
};

/* One date of a POSIX TZ rule; `time` is seconds after local midnight
 * (may be negative or past 24 hours, RFC 8536 version 3). */
struct tz_rule_date {
    enum tz_rule_date_kind kind;
    int yday;
    int month;
    int week;
    int wday;
    int32_t time;
};

/* The footer's POSIX TZ string, parsed. Private to tz.c. */
struct tz_posix {
    bool is_set;
    bool has_dst;
    struct tz_type std;
    struct tz_type dst;
    struct tz_rule_date start;
    struct tz_rule_date end;
};

/* A parsed zone; fields are private to tz.c. Release with tz_release. */
struct tz {
    char *name;
    size_t n_transitions;
    int64_t *transitions;
    uint8_t *transition_types;
    size_t n_types;
    struct tz_type *types;
    struct tz_posix footer;
};

/* How a local date-time mapped to an instant. */
enum tz_local_kind {
    TZ_LOCAL_KIND_UNIQUE,   /* exactly one instant */
    TZ_LOCAL_KIND_GAP,      /* nonexistent; shifted forward by the gap */
    TZ_LOCAL_KIND_AMBIGUOUS /* two instants; the earlier was taken */
};

/* Parse `len` bytes of TZif data at `data` into `*out` (written only on
 * success; release it with tz_release). `name` (may be NULL) is copied
 * and kept for messages. On failure returns CM_ERR_VALIDATION_FAILED and,
 * when `why` is not NULL, appends a one-line reason to it. */
enum cm_err tz_parse(const void *data,
                     size_t len,
                     const char *name,
                     struct tz *out,
                     struct buf *why);

/* Free what `tz` holds and zero it; accepts NULL and a zeroed struct. */
void tz_release(struct tz *tz);

/* The zone's name as given to tz_parse ("" when none); borrowed. */
const char *tz_name(const struct tz *tz);

/* The local time type in force at UTC instant `utc` into `*out`. Meant for
 * instants in years 1-9999 (the range of date.h); past the table, outside
 * that range, standard time is reported. */
void tz_lookup(const struct tz *tz, int64_t utc, struct tz_type *out);

/* The offset east of UTC, in seconds, in force at UTC instant `utc`. */
int32_t tz_offset_at(const struct tz *tz, int64_t utc);

/* The UTC instant of local date-time `local` (see date.h; years 1-9999)
 * into `*utc`, using the gap and overlap rules above; `kind` (may be NULL)
 * says which case applied. */
void tz_local_to_utc(const struct tz *tz,
                     int64_t local,
                     int64_t *utc,
                     enum tz_local_kind *kind);

#endif
