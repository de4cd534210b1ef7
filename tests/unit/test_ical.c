/*
 * test_ical.c: iCalendar text (render/ical.h) against RFC 5545: content
 * lines end in CRLF and fold at 75 octets with a leading space (3.1),
 * never inside a UTF-8 sequence; TEXT escapes backslash, semicolon,
 * comma and line breaks (3.3.11); all-day events are DATE values with an
 * exclusive DTEND the next day, instants are UTC DATE-TIMEs (3.3.5,
 * form #2). Also HMAC-SHA256 (auth/hmac_sha256.h) against RFC 4231 test
 * cases 1 and 2, which sign webhook deliveries.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "auth/hmac_sha256.h"
#include "core/buf.h"
#include "domain/date.h"
#include "render/ical.h"

/* Every physical line of `text` ends with CRLF, has no bare CR or LF, is
 * at most 75 octets, and (when `utf8`) starts on a character boundary. */
static void
check_lines(const char *text)
{
    const char *p = text;

    while (*p) {
        const char *crlf = strstr(p, "\r\n");
        size_t n;

        assert_non_null(crlf);
        n = (size_t)(crlf - p);
        assert_true(n <= ICAL_LINE_MAX);
        assert_null(memchr(p, '\n', n));
        assert_null(memchr(p, '\r', n));
        /* A line never starts with a UTF-8 continuation byte (after the
         * folding space either). */
        if (n > 1 && p[0] == ' ')
            assert_int_not_equal((unsigned char)p[1] & 0xC0, 0x80);
        assert_int_not_equal((unsigned char)p[0] & 0xC0, 0x80);
        p = crlf + 2;
    }
}

/* Undo folding: remove every CRLF followed by a space. */
static void
unfold(const char *text, struct buf *out)
{
    for (const char *p = text; *p; p++) {
        if (p[0] == '\r' && p[1] == '\n' && p[2] == ' ') {
            p += 2;
            continue;
        }
        buf_addch(out, *p);
    }
}

static void
test_escape(void **state)
{
    struct buf b = BUF_INIT;

    (void)state;
    ical_escape_text(&b, "a,b;c\\d\ne");
    assert_string_equal(buf_str(&b), "a\\,b\\;c\\\\d\\ne");
    buf_reset(&b);
    /* CRLF, a lone CR and a lone LF are each one line break; a tab and
     * other control characters are dropped. */
    ical_escape_text(&b, "x\r\ny\rz\n\tw\x01");
    assert_string_equal(buf_str(&b), "x\\ny\\nz\\nw");
    buf_release(&b);
}

static void
test_fold_ascii(void **state)
{
    struct buf b = BUF_INIT;
    struct buf u = BUF_INIT;
    char value[200];

    (void)state;
    /* "SUMMARY:" is 8 octets: a 67-octet value makes exactly 75, which
     * stays on one line; 68 octets fold. */
    memset(value, 'x', 67);
    value[67] = '\0';
    ical_add_line(&b, "SUMMARY", value);
    assert_int_equal(b.len, 75 + 2);
    buf_reset(&b);
    memset(value, 'x', 68);
    value[68] = '\0';
    ical_add_line(&b, "SUMMARY", value);
    assert_int_equal(b.len, 75 + 2 + 1 + 1 + 2);
    assert_memory_equal(buf_str(&b) + 75, "\r\n x\r\n", 6);
    buf_reset(&b);
    memset(value, 'y', 190);
    value[190] = '\0';
    ical_add_line(&b, "DESCRIPTION", value);
    check_lines(buf_str(&b));
    unfold(buf_str(&b), &u);
    assert_int_equal(u.len, strlen("DESCRIPTION:") + 190 + 2);
    buf_release(&u);
    buf_release(&b);
}

static void
test_fold_utf8(void **state)
{
    struct buf b = BUF_INIT;
    struct buf u = BUF_INIT;
    struct buf want = BUF_INIT;
    struct buf v = BUF_INIT;

    (void)state;
    /* "é" is two octets (C3 A9), "€" three (E2 82 AC): a fold at 75
     * octets would cut them but must not. */
    for (int i = 0; i < 40; i++)
        buf_adds(&v, i % 2 ? "\xc3\xa9" : "\xe2\x82\xac");
    ical_add_line(&b, "SUMMARY", buf_str(&v));
    check_lines(buf_str(&b));
    unfold(buf_str(&b), &u);
    buf_addf(&want, "SUMMARY:%s\r\n", buf_str(&v));
    assert_string_equal(buf_str(&u), buf_str(&want));
    buf_release(&v);
    buf_release(&want);
    buf_release(&u);
    buf_release(&b);
}

static void
test_calendar(void **state)
{
    struct buf b = BUF_INIT;
    struct buf u = BUF_INIT;
    struct ical_event ev;
    int32_t day;

    (void)state;
    ical_begin(&b, "-//compel//deadlines//EN", "compel, deadlines");
    memset(&ev, 0, sizeof ev);
    /* 2026-12-04 all day: DTEND is the exclusive next day. */
    assert_int_equal(date_parse("2026-12-04", &day), CM_ERR_OK);
    ev.uid = "AAAAAAAAAAAAAAAAAAAAAA@compel";
    /* 2026-01-01T00:00:00Z is 1767225600 s (2025-01-01 is 1735689600 s
     * plus 365 days of 86400 s). */
    ev.stamp_us = INT64_C(1767225600) * 1000000;
    ev.is_all_day = true;
    ev.day = day;
    ev.summary = "SUB-2026-000123 return date";
    ev.description = "served 2026-11-20; 14 days, FRCP 6(a)(1)";
    ical_add_event(&b, &ev);
    /* 2026-12-31 ends on 2027-01-01; 2028-02-29 (2028 is a leap year:
     * divisible by 4, not by 100) ends on 2028-03-01. */
    assert_int_equal(date_parse("2026-12-31", &ev.day), CM_ERR_OK);
    ical_add_event(&b, &ev);
    assert_int_equal(date_parse("2028-02-29", &ev.day), CM_ERR_OK);
    ical_add_event(&b, &ev);
    /* An instant: 2026-12-04T15:00:00Z. 2026-12-04 is day 338 of 2026
     * (Jan-Nov hold 334 days), 337 days after 2026-01-01:
     * 1767225600 + 337 * 86400 + 15 * 3600 = 1796396400. */
    ev.is_all_day = false;
    ev.at_us = INT64_C(1796396400) * 1000000;
    ev.summary = "DET-2026-000007 hold expiry";
    ev.description = NULL;
    ical_add_event(&b, &ev);
    ical_end(&b);
    check_lines(buf_str(&b));
    unfold(buf_str(&b), &u);
    assert_true(
        strncmp(buf_str(&u), "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", 30) == 0);
    assert_non_null(strstr(buf_str(&u), "\r\nPRODID:-//compel//deadlines//EN"
                                        "\r\n"));
    assert_non_null(strstr(buf_str(&u), "\r\nX-WR-CALNAME:compel\\, "
                                        "deadlines\r\n"));
    assert_non_null(
        strstr(buf_str(&u), "\r\nUID:AAAAAAAAAAAAAAAAAAAAAA@compel\r\n"));
    assert_non_null(strstr(buf_str(&u), "\r\nDTSTAMP:20260101T000000Z\r\n"));
    assert_non_null(strstr(buf_str(&u), "\r\nDTSTART;VALUE=DATE:20261204\r\n"
                                        "DTEND;VALUE=DATE:20261205\r\n"));
    assert_non_null(strstr(buf_str(&u), "\r\nDTSTART;VALUE=DATE:20261231\r\n"
                                        "DTEND;VALUE=DATE:20270101\r\n"));
    assert_non_null(strstr(buf_str(&u), "\r\nDTSTART;VALUE=DATE:20280229\r\n"
                                        "DTEND;VALUE=DATE:20280301\r\n"));
    assert_non_null(strstr(buf_str(&u), "\r\nDTSTART:20261204T150000Z\r\n"
                                        "SUMMARY:DET-2026-000007 hold "
                                        "expiry\r\nEND:VEVENT\r\n"));
    assert_non_null(strstr(buf_str(&u), "\r\nDESCRIPTION:served 2026-11-20\\;"
                                        " 14 days\\, FRCP 6(a)(1)\r\n"));
    assert_true(u.len > 15 &&
                strcmp(buf_str(&u) + u.len - 15, "END:VCALENDAR\r\n") == 0);
    buf_release(&u);
    buf_release(&b);
}

static void
test_hmac_sha256_rfc4231(void **state)
{
    unsigned char key[20];
    char hex[HMAC_SHA256_HEX_SIZE];

    (void)state;
    /* RFC 4231 4.2, test case 1. */
    memset(key, 0x0b, sizeof key);
    hmac_sha256_hex(key, sizeof key, "Hi There", 8, hex);
    assert_string_equal(hex, "b0344c61d8db38535ca8afceaf0bf12b"
                             "881dc200c9833da726e9376c2e32cff7");
    /* RFC 4231 4.3, test case 2: a key shorter than the block. */
    hmac_sha256_hex("Jefe", 4, "what do ya want for nothing?", 28, hex);
    assert_string_equal(hex, "5bdcc146bf60754e6a042426089575c7"
                             "5a003f089d2739839dec58b964ec3843");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape),
        cmocka_unit_test(test_fold_ascii),
        cmocka_unit_test(test_fold_utf8),
        cmocka_unit_test(test_calendar),
        cmocka_unit_test(test_hmac_sha256_rfc4231),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
