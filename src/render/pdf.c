/*
 * pdf.c: the subpoena as a PDF (pdf.h), drawn with libharu.
 *
 * A small writer keeps the current page and the vertical position; text
 * is converted to WinAnsi first, then wrapped at spaces to the text width
 * (a word longer than a line is cut). A new page starts whenever the next
 * line would cross the bottom margin; page footers ("Page i of n") are
 * drawn once every page exists. libharu reports errors through a handler
 * that only records the first one: every call after it is harmless, and
 * the rendering fails at the end.
 */
#include "render/pdf.h"

#include <hpdf.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/log.h"
#include "domain/date.h"

/* US Letter in points, and the margins. */
#define PAGE_W   612.0f
#define PAGE_H   792.0f
#define MARGIN_X 72.0f
#define TOP_Y    708.0f /* first line of body text */
#define BOTTOM_Y 84.0f  /* no body text below this */
#define TEXT_W   (PAGE_W - 2 * MARGIN_X)

#define BODY_SIZE   11.0f
#define BODY_LEAD   15.0f
#define SMALL_SIZE  9.0f
#define SMALL_LEAD  12.0f
#define ITEM_INDENT 24.0f

/* A preview's marking: a boxed line under the page head, in red. */
#define MARK_SIZE 16.0f
#define MARK_BOX  28.0f /* the box's height; the body starts below it */

#define DEFAULT_AUTHORITY "8 U.S.C. 1225(d)(4)(A); 8 CFR 287.4"

struct writer {
    HPDF_Doc pdf;
    HPDF_Font regular;
    HPDF_Font bold;
    HPDF_Page page;
    HPDF_Page *pages;
    size_t n_pages;
    HPDF_REAL y;
    const char *number; /* WinAnsi */
    const char *mark;   /* WinAnsi PDF_PREVIEW_MARK on a preview, else NULL */
    HPDF_STATUS err;
    HPDF_STATUS detail;
};

static void
on_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user_data)
{
    struct writer *w = user_data;

    if (w->err == 0) {
        w->err = error_no;
        w->detail = detail_no;
    }
}

/* ---- WinAnsi -------------------------------------------------------------*/

/* Windows-1252 0x80-0x9F: the Unicode code points WinAnsi places there. */
static const struct {
    unsigned cp;
    unsigned char byte;
} winansi_high[] = {
    {0x20AC, 0x80}, {0x201A, 0x82}, {0x0192, 0x83}, {0x201E, 0x84},
    {0x2026, 0x85}, {0x2020, 0x86}, {0x2021, 0x87}, {0x02C6, 0x88},
    {0x2030, 0x89}, {0x0160, 0x8A}, {0x2039, 0x8B}, {0x0152, 0x8C},
    {0x017D, 0x8E}, {0x2018, 0x91}, {0x2019, 0x92}, {0x201C, 0x93},
    {0x201D, 0x94}, {0x2022, 0x95}, {0x2013, 0x96}, {0x2014, 0x97},
    {0x02DC, 0x98}, {0x2122, 0x99}, {0x0161, 0x9A}, {0x203A, 0x9B},
    {0x0153, 0x9C}, {0x017E, 0x9E}, {0x0178, 0x9F},
};

/* U+0100-U+024F (Latin Extended-A and -B): the base Latin letter of each
 * (from its Unicode decomposition), or '?' when it has none. */
static const char latin_ext[] =
    "AaAaAaCcCcCcCcDdDdEeEeEeEeEeGgGgGgGgHhHhIiIiIiIiIiIiJjKkkLlLlLlL"
    "lLlNnNnNnnNnOoOoOoOoRrRrRrSsSsSsSsTtTtTtUuUuUuUuUuUuWwYyYZzZzZzs"
    "b??????????????????????I????????Oo?????????????Uu????Zz?????????"
    "????DDdLLlNNnAaIiOoUuUuUuUuUu?AaAa??GgGgKkOoOo??jDDdGg??NnAa????"
    "AaAaEeEeIiIiOoOoRrRrUuUuSsTt??Hh??????AaEeOoOoOoOoYy??????ACc???"
    "??????EeJj??RrYy";

_Static_assert(sizeof latin_ext - 1 == 0x250 - 0x100, "Latin Extended table");

/* U+1E00-U+1EFF (Latin Extended Additional: Vietnamese, Welsh, ...), the
 * same way. */
static const char latin_ext_add[] =
    "AaBbBbBbCcDdDdDdDdDdEeEeEeEeEeFfGgHhHhHhHhHhIiIiKkKkKkLlLlLlLlMm"
    "MmMmNnNnNnNnOoOoOoOoPpPpRrRrRrRrSsSsSsSsSsTtTtTtTtUuUuUuUuUuVvVv"
    "WwWwWwWwWwXxXxYyZzZzZzhtwyas????AaAaAaAaAaAaAaAaAaAaAaAaEeEeEeEe"
    "EeEeEeEeIiIiOoOoOoOoOoOoOoOoOoOoOoOoUuUuUuUuUuUuUuYyYyYyYy??????";

_Static_assert(sizeof latin_ext_add - 1 == 0x100, "Latin Extended Additional");

/* Decode one UTF-8 sequence at `s` (strict: no overlongs, surrogates or
 * values past U+10FFFF). Returns its length and sets *cp, or 0 when `s`
 * does not start a valid sequence. */
static size_t
utf8_decode(const unsigned char *s, unsigned *cp)
{
    unsigned c = s[0];
    size_t n;
    unsigned v;
    unsigned min;

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        v = c & 0x1F;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        v = c & 0x0F;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        v = c & 0x07;
        min = 0x10000;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3Fu);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return n;
}

static char
winansi_of(unsigned cp)
{
    if (cp < 0x20 || cp == 0x7F)
        return ' ';
    if (cp < 0x80 || (cp >= 0xA0 && cp <= 0xFF))
        return (char)(unsigned char)cp;
    for (size_t i = 0; i < sizeof winansi_high / sizeof *winansi_high; i++) {
        if (winansi_high[i].cp == cp)
            return (char)winansi_high[i].byte;
    }
    if (cp >= 0x100 && cp < 0x250)
        return latin_ext[cp - 0x100];
    if (cp >= 0x1E00 && cp < 0x1F00)
        return latin_ext_add[cp - 0x1E00];
    if (cp == 0x2010 || cp == 0x2011 || cp == 0x2012 || cp == 0x2212)
        return '-';
    if (cp >= 0x2000 && cp <= 0x200A)
        return ' ';
    return '?';
}

void
pdf_winansi(const char *in, struct buf *out)
{
    const unsigned char *p = (const unsigned char *)(in ? in : "");

    while (*p) {
        unsigned cp = 0;
        size_t n = utf8_decode(p, &cp);

        if (n == 0) {
            buf_addch(out, '?');
            p++;
            continue;
        }
        buf_addch(out, winansi_of(cp));
        p += n;
    }
}

/* ---- labels --------------------------------------------------------------*/

static const struct {
    const char *name;
    const char *label;
} categories[] = {
    {"home_address", "Home address"},
    {"work_address", "Work address"},
    {"phone", "Telephone numbers"},
    {"employer", "Employer"},
    {"vehicle", "Vehicles"},
    {"date_place_of_birth", "Date and place of birth"},
    {"bond_record", "Bond record"},
    {"id_documents", "Identity documents"},
    {"charges", "Charges"},
    {"emergency_contacts", "Emergency contacts"},
    {"release_date", "Release date"},
    {"other", "Other records"},
};

static const char *
category_label(const char *name)
{
    for (size_t i = 0; i < sizeof categories / sizeof *categories; i++) {
        if (name && strcmp(categories[i].name, name) == 0)
            return categories[i].label;
    }
    return name ? name : "";
}

static const char *
method_label(const char *m)
{
    if (!m)
        return "a method not recorded";
    if (strcmp(m, "personal") == 0)
        return "personal service";
    if (strcmp(m, "certified_mail") == 0)
        return "certified mail";
    if (strcmp(m, "email") == 0)
        return "email";
    if (strcmp(m, "courier") == 0)
        return "courier";
    return m;
}

/* "January 31, 2020" for "2020-01-31"; the text as is when not a date. */
static void
add_long_date(struct buf *out, const char *ymd)
{
    static const char *const months[] = {
        "January", "February", "March",     "April",   "May",      "June",
        "July",    "August",   "September", "October", "November", "December"};
    int32_t day = 0;
    int32_t y = 0;
    int m = 0;
    int d = 0;

    if (!ymd || date_parse(ymd, &day) != CM_ERR_OK) {
        buf_adds(out, ymd ? ymd : "");
        return;
    }
    date_to_ymd(day, &y, &m, &d);
    buf_addf(out, "%s %d, %d", months[m - 1], d, (int)y);
}

static bool
is_set(const char *s)
{
    return s && *s;
}

/* ---- the writer ----------------------------------------------------------*/

/* The preview marking, boxed, across the top of page `p`; the body then
 * starts below the box. */
static void
draw_mark(struct writer *w, HPDF_Page p)
{
    HPDF_REAL top = PAGE_H - 62.0f;
    HPDF_REAL tw;

    (void)HPDF_Page_SetRGBStroke(p, 0.70f, 0.0f, 0.0f);
    (void)HPDF_Page_SetRGBFill(p, 0.70f, 0.0f, 0.0f);
    (void)HPDF_Page_SetLineWidth(p, 2.0f);
    (void)HPDF_Page_Rectangle(p, MARGIN_X, top - MARK_BOX, TEXT_W, MARK_BOX);
    (void)HPDF_Page_Stroke(p);
    (void)HPDF_Page_BeginText(p);
    (void)HPDF_Page_SetFontAndSize(p, w->bold, MARK_SIZE);
    tw = HPDF_Page_TextWidth(p, w->mark);
    (void)HPDF_Page_TextOut(p, (PAGE_W - tw) / 2.0f, top - MARK_BOX + 8.5f,
                            w->mark);
    (void)HPDF_Page_EndText(p);
    (void)HPDF_Page_SetRGBStroke(p, 0.0f, 0.0f, 0.0f);
    (void)HPDF_Page_SetRGBFill(p, 0.0f, 0.0f, 0.0f);
    (void)HPDF_Page_SetLineWidth(p, 0.5f);
    w->y = TOP_Y - MARK_BOX;
}

static void
new_page(struct writer *w)
{
    HPDF_Page p = HPDF_AddPage(w->pdf);

    w->page = p;
    w->y = TOP_Y;
    if (!p)
        return;
    w->pages = cm_realloc(w->pages, (w->n_pages + 1) * sizeof *w->pages);
    w->pages[w->n_pages++] = p;
    (void)HPDF_Page_SetSize(p, HPDF_PAGE_SIZE_LETTER, HPDF_PAGE_PORTRAIT);
    (void)HPDF_Page_BeginText(p);
    (void)HPDF_Page_SetFontAndSize(p, w->regular, SMALL_SIZE);
    (void)HPDF_Page_TextOut(p, MARGIN_X, PAGE_H - 48.0f,
                            "U.S. Department of Homeland Security");
    (void)HPDF_Page_TextOut(
        p, PAGE_W - MARGIN_X - HPDF_Page_TextWidth(p, w->number),
        PAGE_H - 48.0f, w->number);
    (void)HPDF_Page_EndText(p);
    (void)HPDF_Page_SetLineWidth(p, 0.5f);
    (void)HPDF_Page_MoveTo(p, MARGIN_X, PAGE_H - 54.0f);
    (void)HPDF_Page_LineTo(p, PAGE_W - MARGIN_X, PAGE_H - 54.0f);
    (void)HPDF_Page_Stroke(p);
    if (w->mark)
        draw_mark(w, p);
}

/* Room for `h` more points on this page, else a new page. */
static void
ensure(struct writer *w, HPDF_REAL h)
{
    if (w->y - h < BOTTOM_Y)
        new_page(w);
}

static void
text_at(struct writer *w,
        HPDF_Font f,
        HPDF_REAL size,
        HPDF_REAL x,
        const char *text)
{
    (void)HPDF_Page_BeginText(w->page);
    (void)HPDF_Page_SetFontAndSize(w->page, f, size);
    (void)HPDF_Page_TextOut(w->page, x, w->y, text);
    (void)HPDF_Page_EndText(w->page);
}

/* A paragraph of UTF-8 `text`, wrapped, starting at `indent` from the
 * left margin. */
static void
para(struct writer *w,
     HPDF_Font f,
     HPDF_REAL size,
     HPDF_REAL lead,
     HPDF_REAL indent,
     const char *text)
{
    struct buf t = BUF_INIT;
    struct buf line = BUF_INIT;
    const char *p;
    HPDF_REAL width = TEXT_W - indent;

    pdf_winansi(text, &t);
    p = buf_str(&t);
    while (*p) {
        HPDF_UINT n;
        HPDF_REAL real = 0;

        ensure(w, lead);
        if (w->err)
            break;
        (void)HPDF_Page_SetFontAndSize(w->page, f, size);
        n = HPDF_Page_MeasureText(w->page, p, width, HPDF_TRUE, &real);
        if (n == 0) /* one word longer than the line: cut it */
            n = HPDF_Page_MeasureText(w->page, p, width, HPDF_FALSE, &real);
        if (n == 0)
            n = 1;
        buf_reset(&line);
        buf_add(&line, p, n);
        w->y -= lead;
        text_at(w, f, size, MARGIN_X + indent, buf_str(&line));
        p += n;
        while (*p == ' ')
            p++;
    }
    buf_release(&line);
    buf_release(&t);
}

static void
centered(struct writer *w, HPDF_Font f, HPDF_REAL size, const char *text)
{
    struct buf t = BUF_INIT;

    pdf_winansi(text, &t);
    ensure(w, size + 6.0f);
    w->y -= size + 6.0f;
    (void)HPDF_Page_SetFontAndSize(w->page, f, size);
    text_at(w, f, size,
            (PAGE_W - HPDF_Page_TextWidth(w->page, buf_str(&t))) / 2.0f,
            buf_str(&t));
    buf_release(&t);
}

static void
gap(struct writer *w, HPDF_REAL h)
{
    w->y -= h;
}

/* A heading kept with at least two lines of what follows. */
static void
heading(struct writer *w, const char *text)
{
    gap(w, 8.0f);
    ensure(w, BODY_LEAD * 3);
    para(w, w->bold, BODY_SIZE, BODY_LEAD, 0, text);
}

/* "Label: value" with the label in bold, wrapped as one paragraph. */
static void
field(struct writer *w, const char *label, const char *value)
{
    struct buf t = BUF_INIT;
    HPDF_REAL lw;

    pdf_winansi(label, &t);
    ensure(w, BODY_LEAD);
    (void)HPDF_Page_SetFontAndSize(w->page, w->bold, BODY_SIZE);
    lw = HPDF_Page_TextWidth(w->page, buf_str(&t)) + 6.0f;
    /* The label shares the baseline of the value's first line. */
    w->y -= BODY_LEAD;
    text_at(w, w->bold, BODY_SIZE, MARGIN_X, buf_str(&t));
    w->y += BODY_LEAD;
    buf_release(&t);
    para(w, w->regular, BODY_SIZE, BODY_LEAD, lw, value);
}

static void
footers(struct writer *w)
{
    struct buf t = BUF_INIT;

    for (size_t i = 0; i < w->n_pages; i++) {
        HPDF_Page p = w->pages[i];

        buf_reset(&t);
        buf_addf(&t, "%s - Page %zu of %zu", w->number, i + 1, w->n_pages);
        (void)HPDF_Page_BeginText(p);
        (void)HPDF_Page_SetFontAndSize(p, w->regular, SMALL_SIZE);
        (void)HPDF_Page_TextOut(
            p, (PAGE_W - HPDF_Page_TextWidth(p, buf_str(&t))) / 2.0f, 48.0f,
            buf_str(&t));
        (void)HPDF_Page_EndText(p);
    }
    buf_release(&t);
}

/* ---- the subpoena --------------------------------------------------------*/

static bool
is_complete(const struct pdf_subpoena *sp)
{
    bool signed_parts =
        sp->preview || (is_set(sp->signer_name) && is_set(sp->signed_on) &&
                        is_set(sp->code) && is_set(sp->verify_url));

    return is_set(sp->number) && is_set(sp->office_name) &&
           is_set(sp->recipient_name) && is_set(sp->return_place) &&
           signed_parts && (sp->n_items == 0 || sp->items != NULL) &&
           sp->n_items <= PDF_ITEMS_MAX;
}

static void
draw_items(struct writer *w, const struct pdf_subpoena *sp)
{
    struct buf t = BUF_INIT;
    char num[32];

    heading(w, "RECORDS TO BE PRODUCED");
    para(w, w->regular, BODY_SIZE, BODY_LEAD, 0,
         "The following records in your possession, custody or control:");
    gap(w, 4.0f);
    for (size_t i = 0; i < sp->n_items; i++) {
        const struct pdf_item *it = &sp->items[i];

        buf_reset(&t);
        buf_adds(&t, category_label(it->category));
        if (is_set(it->description)) {
            buf_adds(&t, ": ");
            buf_adds(&t, it->description);
        }
        (void)snprintf(num, sizeof num, "%lld.", (long long)it->position);
        ensure(w, BODY_LEAD);
        w->y -= BODY_LEAD;
        text_at(w, w->regular, BODY_SIZE, MARGIN_X + 6.0f, num);
        w->y += BODY_LEAD;
        para(w, w->regular, BODY_SIZE, BODY_LEAD, ITEM_INDENT, buf_str(&t));
    }
    buf_release(&t);
}

static void
draw_return(struct writer *w, const struct pdf_subpoena *sp)
{
    struct buf t = BUF_INIT;

    heading(w, "RETURN");
    buf_adds(&t, "Return on or before ");
    if (is_set(sp->return_date)) {
        add_long_date(&t, sp->return_date);
        if (is_set(sp->original_return_date) &&
            strcmp(sp->original_return_date, sp->return_date) != 0) {
            buf_adds(&t, " (extended from ");
            add_long_date(&t, sp->original_return_date);
            buf_adds(&t, ")");
        }
    } else {
        buf_adds(&t, is_set(sp->return_note) ? sp->return_note
                                             : "a date to be set on service");
    }
    buf_addf(&t, " to %s.", sp->return_place);
    para(w, w->regular, BODY_SIZE, BODY_LEAD, 0, buf_str(&t));
    buf_release(&t);
}

static void
draw_signature(struct writer *w, const struct pdf_subpoena *sp)
{
    struct buf t = BUF_INIT;

    heading(w, "ISSUED AND SIGNED BY");
    ensure(w, BODY_LEAD * 3);
    if (sp->preview) {
        para(w, w->bold, BODY_SIZE, BODY_LEAD, 0,
             "Not signed. This is a preview of a draft: it is not a "
             "subpoena, commands nothing and has no verification code.");
        buf_adds(&t, "It becomes a subpoena only once an authorized "
                     "official of ");
        buf_adds(&t, sp->office_name);
        buf_adds(&t, " signs it.");
        para(w, w->regular, BODY_SIZE, BODY_LEAD, 0, buf_str(&t));
        buf_release(&t);
        return;
    }
    para(w, w->regular, BODY_SIZE, BODY_LEAD, 0, sp->signer_name);
    if (is_set(sp->signer_title))
        para(w, w->regular, BODY_SIZE, BODY_LEAD, 0, sp->signer_title);
    buf_adds(&t, "Signed on ");
    add_long_date(&t, sp->signed_on);
    buf_adds(&t, " for ");
    buf_adds(&t, sp->office_name);
    para(w, w->regular, BODY_SIZE, BODY_LEAD, 0, buf_str(&t));
    buf_release(&t);
}

static void
draw_service(struct writer *w, const struct pdf_subpoena *sp)
{
    struct buf t = BUF_INIT;

    heading(w, "CERTIFICATE OF SERVICE");
    buf_adds(&t, "I certify that this subpoena was served on ");
    add_long_date(&t, sp->served_on);
    buf_addf(&t, " by %s", method_label(sp->service_method));
    if (is_set(sp->served_to))
        buf_addf(&t, " on %s", sp->served_to);
    buf_addf(&t, ", for %s.", sp->recipient_name);
    para(w, w->regular, BODY_SIZE, BODY_LEAD, 0, buf_str(&t));
    buf_release(&t);
}

static void
draw_verification(struct writer *w, const struct pdf_subpoena *sp)
{
    struct buf t = BUF_INIT;

    heading(w, "VERIFICATION");
    buf_addf(&t, "Verification code: %s", sp->code);
    para(w, w->bold, BODY_SIZE, BODY_LEAD, 0, buf_str(&t));
    para(w, w->regular, SMALL_SIZE, SMALL_LEAD, 0,
         "This subpoena was signed electronically with the issuing "
         "office's key. To check that it is genuine and whether it is "
         "still in force, open:");
    para(w, w->regular, SMALL_SIZE, SMALL_LEAD, 0, sp->verify_url);
    buf_release(&t);
}

static void
draw(struct writer *w, const struct pdf_subpoena *sp)
{
    struct buf t = BUF_INIT;

    new_page(w);
    centered(w, w->bold, 13.0f, "Department of Homeland Security");
    centered(w, w->regular, 10.0f, "U.S. Immigration and Customs Enforcement");
    gap(w, 6.0f);
    centered(w, w->bold, 22.0f, "SUBPOENA");
    centered(w, w->regular, 10.0f,
             "(Form I-138 style administrative subpoena)");
    if (is_set(sp->notice)) {
        gap(w, 6.0f);
        centered(w, w->bold, 12.0f, sp->notice);
    }
    gap(w, 14.0f);
    field(w, "Subpoena No.:", sp->number);
    field(w, "Issued by:", sp->office_name);
    field(w, "To:", sp->recipient_name);
    if (is_set(sp->subject_name))
        field(w, "In the matter of:", sp->subject_name);
    field(w, "Authority:",
          is_set(sp->authority) ? sp->authority : DEFAULT_AUTHORITY);
    gap(w, 8.0f);
    buf_adds(&t, "By the authority of ");
    buf_adds(&t, is_set(sp->authority) ? sp->authority : DEFAULT_AUTHORITY);
    buf_adds(&t, ", YOU ARE COMMANDED to produce the records described "
                 "below, relating to an immigration matter, at the time "
                 "and place of return stated in this subpoena.");
    para(w, w->regular, BODY_SIZE, BODY_LEAD, 0, buf_str(&t));
    draw_items(w, sp);
    draw_return(w, sp);
    draw_signature(w, sp);
    if (sp->is_served)
        draw_service(w, sp);
    if (!sp->preview)
        draw_verification(w, sp);
    footers(w);
    buf_release(&t);
}

static void
set_dates(struct writer *w, int64_t at_us)
{
    int64_t secs = at_us / 1000000;
    int32_t day = date_time_day(secs);
    int32_t sod = date_time_second_of_day(secs);
    int32_t y = 0;
    int m = 0;
    int d = 0;
    HPDF_Date hd;

    date_to_ymd(day, &y, &m, &d);
    memset(&hd, 0, sizeof hd);
    hd.year = (HPDF_INT)y;
    hd.month = m;
    hd.day = d;
    hd.hour = sod / 3600;
    hd.minutes = sod / 60 % 60;
    hd.seconds = sod % 60;
    hd.ind = 'Z';
    (void)HPDF_SetInfoDateAttr(w->pdf, HPDF_INFO_CREATION_DATE, hd);
    (void)HPDF_SetInfoDateAttr(w->pdf, HPDF_INFO_MOD_DATE, hd);
}

enum cm_err
pdf_render_subpoena(const struct pdf_subpoena *sp, struct buf *out, int *pages)
{
    struct writer w;
    struct buf number = BUF_INIT;
    struct buf title = BUF_INIT;
    struct buf mark = BUF_INIT;
    enum cm_err err = CM_ERR_INTERNAL;
    HPDF_UINT32 size;
    HPDF_UINT32 got;
    size_t start = out->len;

    if (!is_complete(sp))
        return CM_ERR_VALIDATION_FAILED;
    memset(&w, 0, sizeof w);
    pdf_winansi(sp->number, &number);
    w.number = buf_str(&number);
    if (sp->preview) {
        pdf_winansi(PDF_PREVIEW_MARK, &mark);
        w.mark = buf_str(&mark);
    }
    w.pdf = HPDF_New(on_error, &w);
    if (!w.pdf)
        goto out_release;
    (void)HPDF_SetCompressionMode(w.pdf, HPDF_COMP_ALL);
    buf_addf(&title, "%s %s", sp->preview ? "Preview of subpoena" : "Subpoena",
             buf_str(&number));
    (void)HPDF_SetInfoAttr(w.pdf, HPDF_INFO_TITLE, buf_str(&title));
    (void)HPDF_SetInfoAttr(w.pdf, HPDF_INFO_CREATOR, "compel");
    set_dates(&w, sp->signed_at);
    w.regular = HPDF_GetFont(w.pdf, "Helvetica", "WinAnsiEncoding");
    w.bold = HPDF_GetFont(w.pdf, "Helvetica-Bold", "WinAnsiEncoding");
    if (w.err)
        goto out_free;
    draw(&w, sp);
    if (w.err || HPDF_SaveToStream(w.pdf) != HPDF_OK)
        goto out_free;
    size = HPDF_GetStreamSize(w.pdf);
    if (size == 0)
        goto out_free;
    {
        unsigned char *dst = cm_malloc(size);

        got = size;
        HPDF_STATUS rc = HPDF_ReadFromStream(w.pdf, dst, &got);

        /* The last read may report the end of the stream. */
        if ((rc == HPDF_OK || rc == HPDF_STREAM_EOF) && got == size)
            buf_add(out, dst, got);
        cm_free(dst);
    }
    if (w.err || out->len - start != size) {
        out->len = start;
        goto out_free;
    }
    if (pages)
        *pages = (int)w.n_pages;
    err = CM_ERR_OK;
out_free:
    if (w.err)
        LOG_ERROR("libharu error=0x%04x detail=%u", (unsigned)w.err,
                  (unsigned)w.detail);
    HPDF_Free(w.pdf);
out_release:
    cm_free(w.pages);
    buf_release(&title);
    buf_release(&mark);
    buf_release(&number);
    return err;
}
