/*
 * csv.c: the RFC 4180 writer and streaming reader declared in csv.h.
 *
 * The reader walks the bytes once; field text is copied into one growable
 * buffer per record (fields separated by NUL) and the pointer array is fixed
 * up when the record is complete, since the buffer may move while it grows.
 * UTF-8 is checked as it goes so that columns can be counted in characters
 * and nothing downstream ever sees invalid text.
 */
#include "render/csv.h"

#include <string.h>

#include "core/alloc.h"

static bool
needs_quotes(const char *s)
{
    for (; *s; s++) {
        if (*s == ',' || *s == '"' || *s == '\r' || *s == '\n')
            return true;
    }
    return false;
}

void
csv_write_field(struct buf *out, const char *s)
{
    bool first = out->len == 0 || out->data[out->len - 1] == '\n';

    if (s == NULL)
        s = "";
    if (!first)
        buf_addch(out, ',');
    if (*s == '\0') {
        /* An empty first field is written "" so that a row of one empty
         * field is not mistaken for a blank line, and so that the rule
         * "a row starts after '\n'" keeps holding for the next field. */
        if (first)
            buf_adds(out, "\"\"");
        return;
    }
    /* A file's first field that starts with U+FEFF is quoted: unquoted,
     * a reader would take those bytes for a byte-order mark and drop them. */
    if (!needs_quotes(s) &&
        !(out->len == 0 && strncmp(s, "\xEF\xBB\xBF", 3) == 0)) {
        buf_adds(out, s);
        return;
    }
    buf_addch(out, '"');
    for (; *s; s++) {
        if (*s == '"')
            buf_addch(out, '"');
        buf_addch(out, *s);
    }
    buf_addch(out, '"');
}

void
csv_write_row_end(struct buf *out)
{
    buf_adds(out, "\r\n");
}

void
csv_write_row(struct buf *out, const char *const *fields, size_t n)
{
    for (size_t i = 0; i < n; i++)
        csv_write_field(out, fields[i]);
    csv_write_row_end(out);
}

void
csv_reader_init(struct csv_reader *r, const char *data, size_t len)
{
    memset(r, 0, sizeof(*r));
    r->data = data;
    r->len = len;
    r->line = 1;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
        r->pos = 3;
        r->line_start = 3;
    }
}

size_t
csv_reader_offset(const struct csv_reader *r)
{
    return r->pos;
}

void
csv_reader_release(struct csv_reader *r)
{
    buf_release(&r->text);
    cm_free(r->offs);
    cm_free(r->lens);
    cm_free(r->ptrs);
    memset(r, 0, sizeof(*r));
}

/* Length of the valid UTF-8 sequence at `p` (at most `n` bytes available),
 * or 0 when it is not valid (overlong forms, surrogates, > U+10FFFF). */
static size_t
utf8_seq_len(const unsigned char *p, size_t n)
{
    size_t need;
    unsigned cp;

    if (p[0] < 0x80)
        return 1;
    if (p[0] >= 0xC2 && p[0] <= 0xDF) {
        need = 2;
        cp = p[0] & 0x1Fu;
    } else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
        need = 3;
        cp = p[0] & 0x0Fu;
    } else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
        need = 4;
        cp = p[0] & 0x07u;
    } else {
        return 0;
    }
    if (n < need)
        return 0;
    for (size_t i = 1; i < need; i++) {
        if ((p[i] & 0xC0u) != 0x80u)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3Fu);
    }
    if ((need == 3 && cp < 0x800) || (need == 4 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
        return 0;
    return need;
}

/* Column (in characters, 1-based) of byte offset `at` in the current line.
 * Only called on error, so the rescan costs nothing in the common case. */
static long
column_of(const struct csv_reader *r, size_t at)
{
    long col = 1;

    for (size_t i = r->line_start; i < at && i < r->len; i++) {
        if (((unsigned char)r->data[i] & 0xC0u) != 0x80u)
            col++;
    }
    /* Counting lead bytes before `at` gives the index of the character at
     * `at`; a byte that is not a lead byte counts as a character of its
     * own when it is the offending one. */
    return col;
}

static int
fail(struct csv_reader *r, size_t at, const char *reason, struct csv_error *err)
{
    r->failed = true;
    err->line = r->line;
    err->column = column_of(r, at);
    err->reason = reason;
    return -1;
}

static void
end_field(struct csv_reader *r, size_t *n, size_t start)
{
    if (*n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 16;
        r->offs = cm_realloc(r->offs, r->cap * sizeof(*r->offs));
        r->lens = cm_realloc(r->lens, r->cap * sizeof(*r->lens));
        r->ptrs = cm_realloc(r->ptrs, r->cap * sizeof(*r->ptrs));
    }
    r->offs[*n] = start;
    r->lens[*n] = r->text.len - start;
    buf_addch(&r->text, '\0');
    (*n)++;
}

/* Copy the run of ordinary bytes at the reader's position into the record
 * text, stopping at any byte in `stops`, checking UTF-8. Returns false with
 * the offending offset in `*bad` on invalid UTF-8 or a NUL byte. */
static bool
copy_run(struct csv_reader *r, bool quoted, size_t *bad)
{
    const unsigned char *d = (const unsigned char *)r->data;
    size_t i = r->pos;

    while (i < r->len) {
        unsigned char c = d[i];
        size_t k;

        if (c == '"' || (!quoted && (c == ',' || c == '\r' || c == '\n')))
            break;
        if (c == '\0') {
            *bad = i;
            return false;
        }
        if (c == '\n') {
            /* Embedded newline inside quotes: a new physical line. */
            buf_add(&r->text, r->data + r->pos, i + 1 - r->pos);
            i++;
            r->pos = i;
            r->line++;
            r->line_start = i;
            continue;
        }
        k = utf8_seq_len(d + i, r->len - i);
        if (k == 0) {
            *bad = i;
            return false;
        }
        i += k;
    }
    buf_add(&r->text, r->data + r->pos, i - r->pos);
    r->pos = i;
    return true;
}

int
csv_reader_next(struct csv_reader *r,
                struct csv_record *rec,
                struct csv_error *err)
{
    size_t n = 0;
    size_t bad = 0;
    long first_line;

    if (r->failed) {
        err->line = r->line;
        err->column = column_of(r, r->pos);
        err->reason = "input already refused";
        return -1;
    }
    if (r->pos >= r->len)
        return 0;
    first_line = r->line;
    buf_reset(&r->text);
    for (;;) {
        size_t start = r->text.len;

        if (r->pos < r->len && r->data[r->pos] == '"') {
            size_t open = r->pos;
            long open_line = r->line;
            size_t open_line_start = r->line_start;

            r->pos++;
            for (;;) {
                if (!copy_run(r, true, &bad))
                    return fail(r, bad, "invalid byte (not UTF-8 text)", err);
                if (r->pos >= r->len) {
                    /* Report where the quote opened. */
                    r->line = open_line;
                    r->line_start = open_line_start;
                    return fail(r, open, "unterminated quoted field", err);
                }
                /* At a quote: doubled means a literal quote. */
                if (r->pos + 1 < r->len && r->data[r->pos + 1] == '"') {
                    buf_addch(&r->text, '"');
                    r->pos += 2;
                    continue;
                }
                r->pos++;
                break;
            }
            if (r->pos < r->len && r->data[r->pos] != ',' &&
                r->data[r->pos] != '\r' && r->data[r->pos] != '\n')
                return fail(r, r->pos, "text after a closing quote", err);
        } else {
            if (!copy_run(r, false, &bad))
                return fail(r, bad, "invalid byte (not UTF-8 text)", err);
            if (r->pos < r->len && r->data[r->pos] == '"')
                return fail(r, r->pos,
                            "quote inside an unquoted field "
                            "(quote the whole field and double the quote)",
                            err);
        }
        end_field(r, &n, start);
        if (r->pos >= r->len)
            break;
        if (r->data[r->pos] == ',') {
            r->pos++;
            continue;
        }
        if (r->data[r->pos] == '\r') {
            if (r->pos + 1 < r->len && r->data[r->pos + 1] == '\n') {
                r->pos += 2;
            } else {
                return fail(r, r->pos, "carriage return without line feed",
                            err);
            }
        } else {
            r->pos++; /* '\n' */
        }
        r->line++;
        r->line_start = r->pos;
        break;
    }
    for (size_t i = 0; i < n; i++)
        r->ptrs[i] = r->text.data + r->offs[i];
    rec->nfields = n;
    rec->fields = r->ptrs;
    rec->lens = r->lens;
    rec->line = first_line;
    return 1;
}
