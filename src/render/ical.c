/*
 * ical.c: iCalendar text (ical.h): content lines folded at 75 octets,
 * TEXT values escaped, VEVENTs for all-day dates and UTC instants.
 */
#include "render/ical.h"

#include <stdio.h>
#include <string.h>

#include "domain/date.h"

/* True for a byte that continues a UTF-8 sequence (10xxxxxx). */
static bool
is_continuation(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

/* Append `len` octets of `line` folded: at most ICAL_LINE_MAX octets per
 * physical line, each continuation line starting with one space (which
 * counts), and never cutting a UTF-8 sequence. */
static void
add_folded(struct buf *out, const char *line, size_t len)
{
    size_t pos = 0;
    size_t room = ICAL_LINE_MAX;

    while (len - pos > room) {
        size_t cut = pos + room;

        while (cut > pos && is_continuation((unsigned char)line[cut]))
            cut--;
        if (cut == pos) /* a malformed run: cut anyway */
            cut = pos + room;
        buf_add(out, line + pos, cut - pos);
        buf_adds(out, "\r\n ");
        pos = cut;
        room = ICAL_LINE_MAX - 1;
    }
    buf_add(out, line + pos, len - pos);
    buf_adds(out, "\r\n");
}

void
ical_add_line(struct buf *out, const char *name, const char *value)
{
    struct buf line = BUF_INIT;

    buf_adds(&line, name);
    buf_addch(&line, ':');
    buf_adds(&line, value);
    add_folded(out, buf_str(&line), line.len);
    buf_release(&line);
}

void
ical_escape_text(struct buf *out, const char *text)
{
    for (const char *p = text; *p; p++) {
        unsigned char c = (unsigned char)*p;

        if (c == '\\' || c == ';' || c == ',') {
            buf_addch(out, '\\');
            buf_addch(out, (char)c);
        } else if (c == '\r') {
            buf_adds(out, "\\n");
            if (p[1] == '\n')
                p++;
        } else if (c == '\n') {
            buf_adds(out, "\\n");
        } else if (c >= 0x20 && c != 0x7F) {
            buf_addch(out, (char)c);
        }
    }
}

/* Append `name:<escaped text>` folded. */
static void
add_text(struct buf *out, const char *name, const char *text)
{
    struct buf v = BUF_INIT;

    ical_escape_text(&v, text);
    ical_add_line(out, name, buf_str(&v));
    buf_release(&v);
}

/* The basic format of a UTC instant: 20261204T150000Z. */
static void
format_utc(int64_t us, char out[24])
{
    int64_t s = us / 1000000;
    int32_t day, y;
    int32_t sec;
    int m, d;

    if (us < 0 && us % 1000000)
        s--;
    day = date_time_day(s);
    sec = date_time_second_of_day(s);
    date_to_ymd(day, &y, &m, &d);
    (void)snprintf(out, 24, "%04d%02d%02dT%02d%02d%02dZ", (int)y, m, d,
                   (int)(sec / 3600), (int)(sec / 60 % 60), (int)(sec % 60));
}

/* The basic format of a date: 20261204. */
static void
format_date(int32_t day, char out[16])
{
    int32_t y;
    int m, d;

    date_to_ymd(day, &y, &m, &d);
    (void)snprintf(out, 16, "%04d%02d%02d", (int)y, m, d);
}

void
ical_begin(struct buf *out, const char *prodid, const char *name)
{
    ical_add_line(out, "BEGIN", "VCALENDAR");
    ical_add_line(out, "VERSION", "2.0");
    ical_add_line(out, "PRODID", prodid);
    ical_add_line(out, "CALSCALE", "GREGORIAN");
    ical_add_line(out, "METHOD", "PUBLISH");
    add_text(out, "X-WR-CALNAME", name);
    /* Ask subscribers to refresh hourly (RFC 7986 and Outlook's own). */
    ical_add_line(out, "REFRESH-INTERVAL;VALUE=DURATION", "PT1H");
    ical_add_line(out, "X-PUBLISHED-TTL", "PT1H");
}

void
ical_add_event(struct buf *out, const struct ical_event *ev)
{
    char when[24];
    char date[16];

    ical_add_line(out, "BEGIN", "VEVENT");
    add_text(out, "UID", ev->uid);
    format_utc(ev->stamp_us, when);
    ical_add_line(out, "DTSTAMP", when);
    if (ev->is_all_day) {
        format_date(ev->day, date);
        ical_add_line(out, "DTSTART;VALUE=DATE", date);
        format_date(ev->day + 1, date);
        ical_add_line(out, "DTEND;VALUE=DATE", date);
        ical_add_line(out, "TRANSP", "TRANSPARENT");
    } else {
        format_utc(ev->at_us, when);
        ical_add_line(out, "DTSTART", when);
    }
    add_text(out, "SUMMARY", ev->summary);
    if (ev->description && *ev->description)
        add_text(out, "DESCRIPTION", ev->description);
    if (ev->url && *ev->url)
        ical_add_line(out, "URL", ev->url);
    ical_add_line(out, "END", "VEVENT");
}

void
ical_end(struct buf *out)
{
    ical_add_line(out, "END", "VCALENDAR");
}
