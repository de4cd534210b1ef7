/*
 * ical.h: iCalendar (RFC 5545) text for calendar feeds that Outlook,
 * Google Calendar and Apple Calendar subscribe to.
 *
 * Pure: the caller says what the events are; this file writes them as
 * content lines ended by CRLF, folded at 75 octets (never inside a UTF-8
 * sequence), with TEXT values escaped (backslash, semicolon, comma, and
 * line breaks as \n). A date event is an all-day event (DTSTART;VALUE=DATE
 * and DTEND the next day); an instant event is a moment in UTC
 * (DTSTART:20261204T150000Z, no DTEND: it ends when it starts).
 *
 * Usage: ical_begin, then ical_add_event for each event, then ical_end,
 * all appending to one struct buf.
 */
#ifndef CM_RENDER_ICAL_H
#define CM_RENDER_ICAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

/* Octets of a content line before it is folded, not counting CRLF. */
#define ICAL_LINE_MAX 75

/* One VEVENT. Strings are borrowed; summary and uid are required. */
struct ical_event {
    const char *uid;         /* stable across feeds, e.g. "<id>@compel" */
    int64_t stamp_us;        /* DTSTAMP: when the feed was made (UTC) */
    bool is_all_day;         /* true: `day`; false: `at_us` */
    int32_t day;             /* a day number (domain/date.h) */
    int64_t at_us;           /* microseconds since the epoch, UTC */
    const char *summary;     /* SUMMARY */
    const char *description; /* DESCRIPTION, or NULL */
    const char *url;         /* URL, or NULL */
};

/* Append BEGIN:VCALENDAR and the calendar's properties: `prodid` (e.g.
 * "-//compel//deadlines//EN") and the display name `name` (X-WR-CALNAME,
 * escaped). */
void ical_begin(struct buf *out, const char *prodid, const char *name);

/* Append one VEVENT for `ev`. */
void ical_add_event(struct buf *out, const struct ical_event *ev);

/* Append END:VCALENDAR. */
void ical_end(struct buf *out);

/* Append the content line `name:value` (value already in iCalendar form)
 * folded at ICAL_LINE_MAX octets, with its CRLF. */
void ical_add_line(struct buf *out, const char *name, const char *value);

/* Append `text` escaped as an iCalendar TEXT value: `\` `;` `,` get a
 * backslash, a line break (CRLF, LF or CR) becomes `\n`, and other control
 * characters are dropped. */
void ical_escape_text(struct buf *out, const char *text);

#endif
