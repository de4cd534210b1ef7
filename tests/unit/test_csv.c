/*
 * test_csv.c: the RFC 4180 reader and writer of render/csv.h: quoted
 * fields, doubled quotes, CRLF and LF, embedded newlines, a byte order
 * mark, ragged rows, and the line and column named for malformed input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"
#include "render/csv.h"

/* Read every record of `text` into a flat "a|b\n" dump; returns the last
 * result of csv_reader_next (0 at the end, -1 on error). */
static int
dump(const char *text, struct buf *out, struct csv_error *err, long *lines)
{
    struct csv_reader r;
    struct csv_record rec;
    int rc;
    size_t n = 0;

    csv_reader_init(&r, text, strlen(text));
    while ((rc = csv_reader_next(&r, &rec, err)) == 1) {
        for (size_t i = 0; i < rec.nfields; i++)
            buf_addf(out, "%s%s", i ? "|" : "", rec.fields[i]);
        buf_addch(out, '\n');
        if (lines && n < 8)
            lines[n++] = rec.line;
    }
    csv_reader_release(&r);
    return rc;
}

static void
test_plain_and_quoted(void **state)
{
    struct buf b = BUF_INIT;
    struct csv_error e;

    (void)state;
    assert_int_equal(
        dump("a,b,c\r\n\"x,y\",\"say \"\"hi\"\"\",\r\n", &b, &e, NULL), 0);
    assert_string_equal(buf_str(&b), "a|b|c\nx,y|say \"hi\"|\n");
    buf_release(&b);
}

static void
test_lf_no_final_newline(void **state)
{
    struct buf b = BUF_INIT;
    struct csv_error e;

    (void)state;
    assert_int_equal(dump("a,b\nc,d", &b, &e, NULL), 0);
    assert_string_equal(buf_str(&b), "a|b\nc|d\n");
    buf_release(&b);
}

static void
test_embedded_newline_counts_lines(void **state)
{
    struct buf b = BUF_INIT;
    struct csv_error e;
    long lines[8] = {0};

    (void)state;
    /* The second record spans physical lines 2 and 3; the third starts on
     * line 4. */
    assert_int_equal(dump("h1,h2\n\"two\nlines\",x\ny,z\n", &b, &e, lines), 0);
    assert_string_equal(buf_str(&b), "h1|h2\ntwo\nlines|x\ny|z\n");
    assert_int_equal(lines[0], 1);
    assert_int_equal(lines[1], 2);
    assert_int_equal(lines[2], 4);
    buf_release(&b);
}

static void
test_bom_skipped(void **state)
{
    struct buf b = BUF_INIT;
    struct csv_error e;

    (void)state;
    assert_int_equal(dump("\xEF\xBB\xBFname,state\n", &b, &e, NULL), 0);
    assert_string_equal(buf_str(&b), "name|state\n");
    buf_release(&b);
}

static void
test_ragged_rows_are_read_as_they_are(void **state)
{
    struct buf b = BUF_INIT;
    struct csv_error e;

    (void)state;
    /* The reader does not judge widths: the importer does. */
    assert_int_equal(dump("a,b,c\n1,2\n1,2,3,4\n", &b, &e, NULL), 0);
    assert_string_equal(buf_str(&b), "a|b|c\n1|2\n1|2|3|4\n");
    buf_release(&b);
}

static void
test_errors_name_line_and_column(void **state)
{
    struct buf b = BUF_INIT;
    struct csv_error e;

    (void)state;
    /* A quote inside an unquoted field: line 2, the 3rd character. */
    assert_int_equal(dump("a,b\nab\"c,d\n", &b, &e, NULL), -1);
    assert_int_equal(e.line, 2);
    assert_int_equal(e.column, 3);
    buf_reset(&b);
    /* Text after a closing quote. */
    assert_int_equal(dump("x\n\"ab\"c\n", &b, &e, NULL), -1);
    assert_int_equal(e.line, 2);
    assert_int_equal(e.column, 5);
    buf_reset(&b);
    /* A quote that never closes: where it opened. */
    assert_int_equal(dump("a,b\n1,\"open\n2,3\n", &b, &e, NULL), -1);
    assert_int_equal(e.line, 2);
    assert_int_equal(e.column, 3);
    buf_reset(&b);
    /* Invalid UTF-8 (a lone continuation byte) after "é" counts as the
     * 3rd character of line 1. */
    assert_int_equal(dump("\xC3\xA9x\x80\n", &b, &e, NULL), -1);
    assert_int_equal(e.line, 1);
    assert_int_equal(e.column, 3);
    buf_release(&b);
}

static void
test_writer_quotes_only_when_needed(void **state)
{
    struct buf b = BUF_INIT;
    const char *row[] = {"plain", "a,b", "say \"x\"", "two\nlines", NULL, ""};

    (void)state;
    csv_write_row(&b, row, 6);
    assert_string_equal(buf_str(&b),
                        "plain,\"a,b\",\"say \"\"x\"\"\",\"two\nlines\",,\r\n");
    buf_reset(&b);
    /* An empty first field is written "" so that the row is not a blank
     * line. */
    csv_write_field(&b, "");
    csv_write_field(&b, "x");
    csv_write_row_end(&b);
    assert_string_equal(buf_str(&b), "\"\",x\r\n");
    buf_release(&b);
}

static void
test_write_then_read_round_trips(void **state)
{
    struct buf b = BUF_INIT;
    struct buf d = BUF_INIT;
    struct csv_error e;
    const char *row[] = {"", "a,\"b\"\r\nc", "é", " spaced "};

    (void)state;
    csv_write_row(&b, row, 4);
    csv_write_row(&b, row, 4);
    assert_int_equal(dump(buf_str(&b), &d, &e, NULL), 0);
    assert_string_equal(buf_str(&d), "|a,\"b\"\r\nc|é| spaced \n"
                                     "|a,\"b\"\r\nc|é| spaced \n");
    buf_release(&b);
    buf_release(&d);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_and_quoted),
        cmocka_unit_test(test_lf_no_final_newline),
        cmocka_unit_test(test_embedded_newline_counts_lines),
        cmocka_unit_test(test_bom_skipped),
        cmocka_unit_test(test_ragged_rows_are_read_as_they_are),
        cmocka_unit_test(test_errors_name_line_and_column),
        cmocka_unit_test(test_writer_quotes_only_when_needed),
        cmocka_unit_test(test_write_then_read_round_trips),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
