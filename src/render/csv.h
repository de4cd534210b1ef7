/*
 * csv.h: reading and writing CSV as RFC 4180 describes it.
 *
 * The writer appends to a struct buf: call csv_write_field() for each field
 * of a row, then csv_write_row_end(). A field is quoted only when it must be
 * (it holds a comma, a double quote, CR or LF, or it is the empty first field
 * of a row) and rows end with CRLF, so the same values always give the same
 * bytes.
 *
 * The reader is streaming over bytes held in memory (a file read whole, a
 * request body): csv_reader_next() yields one record at a time, its fields
 * borrowed until the next call. It accepts CRLF or LF line ends, quoted
 * fields with doubled quotes and embedded newlines, and a UTF-8 byte order
 * mark at the start; it refuses a NUL byte, invalid UTF-8, a quote inside an
 * unquoted field, text after a closing quote and an unterminated quote,
 * naming the physical line and the column (in characters) where it went
 * wrong. Pure: no I/O, no globals.
 */
#ifndef CM_RENDER_CSV_H
#define CM_RENDER_CSV_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

/* Append `s` (NULL is the empty field) as the next field of the current row
 * of `out`, preceded by a comma unless it is the first field. A row starts
 * when `out` is empty or its last byte is '\n' (an embedded newline is always
 * inside quotes, so it never ends in '\n'). */
void csv_write_field(struct buf *out, const char *s);

/* End the current row of `out` with CRLF. */
void csv_write_row_end(struct buf *out);

/* Append a whole row of `n` fields (NULL elements are empty fields). */
void csv_write_row(struct buf *out, const char *const *fields, size_t n);

/* One record read by csv_reader_next(). `fields[i]` is NUL-terminated,
 * `lens[i]` its length; both arrays and strings belong to the reader and stay
 * valid until the next call or csv_reader_release(). `line` is the physical
 * line (1-based) where the record starts. */
struct csv_record {
    size_t nfields;
    const char *const *fields;
    const size_t *lens;
    long line;
};

/* Where and why the reader refused the input. `reason` is a static string. */
struct csv_error {
    long line;   /* physical line, 1-based */
    long column; /* character (code point) in that line, 1-based */
    const char *reason;
};

/* Reader state. Initialise with csv_reader_init(), free with
 * csv_reader_release(). The members are private. */
struct csv_reader {
    const char *data;
    size_t len;
    size_t pos;
    long line;
    size_t line_start; /* offset of the first byte of the current line */
    struct buf text;   /* field bytes of the current record, NUL-separated */
    size_t *offs;
    size_t *lens;
    const char **ptrs;
    size_t cap;
    bool failed;
};

/* Start reading the `len` bytes at `data` (borrowed: they must outlive the
 * reader). A leading UTF-8 BOM is skipped. */
void csv_reader_init(struct csv_reader *r, const char *data, size_t len);

/* Read the next record into `rec`. Returns 1 with a record, 0 at the end of
 * the input, -1 on malformed input with `err` filled in (after an error every
 * further call returns -1 again). A completely empty line (not inside quotes)
 * is a record of one empty field; the final line end is optional. `rec` and
 * `err` are written only for their own outcome. */
int csv_reader_next(struct csv_reader *r,
                    struct csv_record *rec,
                    struct csv_error *err);

/* Bytes of input consumed so far (for progress reporting). */
size_t csv_reader_offset(const struct csv_reader *r);

/* Free the reader's memory; `r` may be reused with csv_reader_init(). */
void csv_reader_release(struct csv_reader *r);

#endif
