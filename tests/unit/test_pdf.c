/*
 * test_pdf.c: the subpoena PDF (render/pdf.h), read back the way a person
 * would read it: the bytes are a PDF, and the text pdftotext (poppler)
 * extracts carries what the subpoena says: the authority, each item, the
 * return date, the signer's name and title, the certificate of service
 * once served, the verification code and its URL; long item lists flow
 * onto numbered pages; UTF-8 outside WinAnsi renders; the same input
 * gives the same bytes; a preview is marked on every page and carries no
 * signature and no verification code.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/file.h"
#include "render/pdf.h"

/* 2020-01-10T17:00:00Z: 1578675600 s (2020-01-01 is 1577836800 s, plus 9
 * days of 86400 s, plus 17 hours). */
#define SIGNED_AT INT64_C(1578675600000000)

static const struct pdf_item items[] = {
    {1, "home_address", "Last known home address of the subject"},
    {2, "employer", NULL},
    {3, "bond_record", "Bond posted on release, with the surety's name"},
};

static void
base(struct pdf_subpoena *sp)
{
    memset(sp, 0, sizeof *sp);
    sp->number = "SUB-2020-000042";
    sp->office_name = "Denver Field Office";
    sp->recipient_name = "Denver County";
    sp->subject_name = "Doe, John";
    sp->items = items;
    sp->n_items = 3;
    sp->return_place = "Denver Field Office";
    sp->signer_name = "Maria Lopez";
    sp->signer_title = "Field Office Director";
    sp->signed_on = "2020-01-10";
    sp->signed_at = SIGNED_AT;
    sp->code = "7K3M-Q9XD-2B4T-HV8C";
    sp->verify_url = "http://127.0.0.1:8080/verify/7K3M-Q9XD-2B4T-HV8C";
}

/* The text of `pdf` as pdftotext gives it (caller frees). */
static char *
text_of(const struct buf *pdf)
{
    char dir[] = "/tmp/test-pdf-XXXXXX";
    char in[64];
    char outp[64];
    char cmd[256];
    struct buf text = BUF_INIT;
    FILE *f;
    int rc;

    assert_non_null(mkdtemp(dir));
    (void)snprintf(in, sizeof in, "%s/a.pdf", dir);
    (void)snprintf(outp, sizeof outp, "%s/a.txt", dir);
    f = fopen(in, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(pdf->data, 1, pdf->len, f), pdf->len);
    assert_int_equal(fclose(f), 0);
    (void)snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 %s %s", in, outp);
    f = popen(cmd, "r");
    assert_non_null(f);
    rc = pclose(f);
    assert_int_equal(rc, 0);
    assert_int_equal(file_read_all(outp, 1 << 20, &text), CM_ERR_OK);
    (void)unlink(in);
    (void)unlink(outp);
    (void)rmdir(dir);
    return buf_detach(&text, NULL);
}

/* `text` with runs of whitespace made one space, so that a phrase wrapped
 * over two lines is still found. */
static char *
squeeze(const char *text)
{
    struct buf b = BUF_INIT;
    int space = 0;

    for (const char *p = text; *p; p++) {
        if (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\f' || *p == '\r') {
            space = 1;
            continue;
        }
        if (space && b.len)
            buf_addch(&b, ' ');
        space = 0;
        buf_addch(&b, *p);
    }
    return buf_detach(&b, NULL);
}

static char *
render_text(const struct pdf_subpoena *sp, int *pages)
{
    struct buf pdf = BUF_INIT;
    char *raw;
    char *text;

    assert_int_equal(pdf_render_subpoena(sp, &pdf, pages), CM_ERR_OK);
    assert_true(pdf.len > 5);
    assert_memory_equal(pdf.data, "%PDF-", 5);
    raw = text_of(&pdf);
    text = squeeze(raw);
    cm_free(raw);
    buf_release(&pdf);
    return text;
}

static void
assert_has(const char *text, const char *what)
{
    if (!strstr(text, what))
        fail_msg("missing \"%s\" in:\n%s", what, text);
}

static void
test_signed_subpoena(void **state)
{
    struct pdf_subpoena sp;
    char *text;
    int pages = 0;

    (void)state;
    base(&sp);
    sp.return_note = "a date set on service (14 days after service)";
    text = render_text(&sp, &pages);
    assert_int_equal(pages, 1);
    assert_has(text, "SUBPOENA");
    assert_has(text, "Department of Homeland Security");
    assert_has(text, "Issued by: Denver Field Office");
    assert_has(text, "To: Denver County");
    assert_has(text, "8 U.S.C. 1225(d)(4)(A); 8 CFR 287.4");
    assert_has(text, "1. Home address: Last known home address of the subject");
    assert_has(text, "2. Employer");
    assert_has(text, "3. Bond record: Bond posted on release, with the "
                     "surety's name");
    assert_has(text, "Return on or before a date set on service (14 days "
                     "after service) to Denver Field Office");
    assert_has(text, "Maria Lopez");
    assert_has(text, "Field Office Director");
    assert_has(text, "Signed on January 10, 2020");
    assert_has(text, "Verification code: 7K3M-Q9XD-2B4T-HV8C");
    assert_has(text, "http://127.0.0.1:8080/verify/7K3M-Q9XD-2B4T-HV8C");
    assert_has(text, "SUB-2020-000042 - Page 1 of 1");
    /* Not served yet: no certificate. */
    assert_null(strstr(text, "CERTIFICATE OF SERVICE"));
    cm_free(text);
}

static void
test_served_subpoena(void **state)
{
    struct pdf_subpoena sp;
    char *text;

    (void)state;
    base(&sp);
    sp.is_served = true;
    sp.served_on = "2020-01-13";
    sp.service_method = "personal";
    sp.served_to = "records unit";
    /* 14 days after Monday 2020-01-13 is Monday 2020-01-27 (FRCP 6(a)(1));
     * the PDF prints what it is given. */
    sp.return_date = "2020-01-27";
    text = render_text(&sp, NULL);
    assert_has(text, "Return on or before January 27, 2020 to Denver Field "
                     "Office");
    assert_has(text, "CERTIFICATE OF SERVICE");
    assert_has(text, "served on January 13, 2020 by personal service on "
                     "records unit");
    cm_free(text);
    /* An extension shows both dates. */
    sp.original_return_date = "2020-01-27";
    sp.return_date = "2020-02-10";
    text = render_text(&sp, NULL);
    assert_has(text, "Return on or before February 10, 2020 (extended from "
                     "January 27, 2020)");
    cm_free(text);
}

static void
test_long_list_flows_onto_pages(void **state)
{
    struct pdf_item many[50];
    char desc[50][64];
    struct pdf_subpoena sp;
    char *text;
    int pages = 0;

    (void)state;
    for (int i = 0; i < 50; i++) {
        (void)snprintf(desc[i], sizeof desc[i], "Record number %d of fifty",
                       i + 1);
        many[i].position = i + 1;
        many[i].category = "other";
        many[i].description = desc[i];
    }
    base(&sp);
    sp.items = many;
    sp.n_items = 50;
    text = render_text(&sp, &pages);
    assert_true(pages >= 2);
    for (int i = 0; i < 50; i++) {
        char want[80];

        (void)snprintf(want, sizeof want,
                       "%d. Other records: Record number "
                       "%d of fifty",
                       i + 1, i + 1);
        assert_has(text, want);
    }
    {
        char want[64];

        (void)snprintf(want, sizeof want, "SUB-2020-000042 - Page 2 of %d",
                       pages);
        assert_has(text, want);
        (void)snprintf(want, sizeof want, "SUB-2020-000042 - Page %d of %d",
                       pages, pages);
        assert_has(text, want);
    }
    /* The number heads every page. */
    {
        int n = 0;

        for (const char *p = text; (p = strstr(p, "Security SUB-2020-000042"));
             p++)
            n++;
        assert_int_equal(n, pages);
    }
    cm_free(text);
}

static void
test_utf8_outside_winansi(void **state)
{
    struct pdf_subpoena sp;
    char *text;

    (void)state;
    base(&sp);
    /* Łukasz Żółć (Polish), Nguyễn (Vietnamese), 山田 (Japanese), and a
     * broken byte: everything renders, as WinAnsi letters or '?'. */
    sp.signer_name = "\xc5\x81ukasz \xc5\xbb\xc3\xb3\xc5\x82\xc4\x87";
    sp.subject_name = "Nguy\xe1\xbb\x85n, \xe5\xb1\xb1\xe7\x94\xb0 \xff";
    sp.recipient_name = "Condado de Pe\xc3\xb1"
                        "a \xe2\x80\x94 \xe2\x80\x9cJail\xe2\x80\x9d";
    text = render_text(&sp, NULL);
    /* Ż, ó (Latin-1), ł, ć: Z, ó, l, c. */
    assert_has(text, "Lukasz Z\xc3\xb3lc");
    assert_has(text, "Condado de Pe\xc3\xb1"
                     "a \xe2\x80\x94 \xe2\x80\x9cJail\xe2\x80\x9d");
    assert_has(text, "Nguyen, ?? ?");
    cm_free(text);
}

static void
test_winansi(void **state)
{
    struct buf b = BUF_INIT;

    (void)state;
    pdf_winansi("A\xc3\xa9\xe2\x82\xac\xc5\x91\x01\xe4\xb8\x80\xc0\xaf", &b);
    /* A, é (0xE9), € (0x80), ő -> o, control -> space, 一 -> ?, and an
     * overlong encoding of '/' -> ? ? (each bad byte). */
    assert_string_equal(buf_str(&b), "A\xe9\x80o ???");
    buf_release(&b);
}

static void
test_deterministic(void **state)
{
    struct pdf_subpoena sp;
    struct buf a = BUF_INIT;
    struct buf b = BUF_INIT;

    (void)state;
    base(&sp);
    assert_int_equal(pdf_render_subpoena(&sp, &a, NULL), CM_ERR_OK);
    assert_int_equal(pdf_render_subpoena(&sp, &b, NULL), CM_ERR_OK);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.data, b.data, a.len);
    /* The dates are the signature's: 2020-01-10T17:00:00Z. */
    buf_release(&b);
    sp.signer_title = "Deputy Field Office Director";
    assert_int_equal(pdf_render_subpoena(&sp, &b, NULL), CM_ERR_OK);
    assert_true(a.len != b.len || memcmp(a.data, b.data, a.len) != 0);
    buf_release(&a);
    buf_release(&b);
}

/* How many times `what` occurs in `text`. */
static int
count_of(const char *text, const char *what)
{
    int n = 0;

    for (const char *p = text; (p = strstr(p, what)); p++)
        n++;
    return n;
}

static void
test_preview(void **state)
{
    struct pdf_item many[50];
    struct pdf_subpoena sp;
    char *text;
    int pages = 0;

    (void)state;
    /* Before signing there is no signer, date signed, code or URL. */
    base(&sp);
    sp.preview = true;
    sp.signer_name = NULL;
    sp.signer_title = NULL;
    sp.signed_on = NULL;
    sp.code = NULL;
    sp.verify_url = NULL;
    text = render_text(&sp, &pages);
    assert_int_equal(pages, 1);
    assert_has(text, "DRAFT \xe2\x80\x94 NOT SIGNED, NOT VALID");
    assert_has(text, "SUBPOENA");
    assert_has(text, "To: Denver County");
    assert_has(text, "In the matter of: Doe, John");
    assert_has(text, "1. Home address: Last known home address of the subject");
    assert_has(text, "Return on or before a date to be set on service");
    assert_has(text, "Not signed. This is a preview of a draft");
    assert_has(text, "only once an authorized official of Denver Field "
                     "Office signs it");
    assert_null(strstr(text, "Signed on"));
    assert_null(strstr(text, "Verification code"));
    assert_null(strstr(text, "VERIFICATION"));
    assert_null(strstr(text, "/verify/"));
    cm_free(text);

    /* A code or signer given by mistake is still not printed. */
    sp.code = "7K3M-Q9XD-2B4T-HV8C";
    sp.verify_url = "http://127.0.0.1:8080/verify/7K3M-Q9XD-2B4T-HV8C";
    sp.signer_name = "Maria Lopez";
    text = render_text(&sp, NULL);
    assert_null(strstr(text, "7K3M"));
    assert_null(strstr(text, "Maria Lopez"));
    cm_free(text);

    /* The marking is on every page of a long preview. */
    for (int i = 0; i < 50; i++) {
        many[i].position = i + 1;
        many[i].category = "other";
        many[i].description = "A record the subpoena asks for, described at "
                              "some length";
    }
    sp.items = many;
    sp.n_items = 50;
    text = render_text(&sp, &pages);
    assert_true(pages >= 2);
    assert_int_equal(count_of(text, "NOT SIGNED, NOT VALID"), pages);
    cm_free(text);

    /* The signed document carries no marking. */
    base(&sp);
    text = render_text(&sp, NULL);
    assert_null(strstr(text, "NOT VALID"));
    cm_free(text);
}

static void
test_missing_fields_refused(void **state)
{
    struct pdf_subpoena sp;
    struct buf out = BUF_INIT;

    (void)state;
    base(&sp);
    sp.code = NULL;
    assert_int_equal(pdf_render_subpoena(&sp, &out, NULL),
                     CM_ERR_VALIDATION_FAILED);
    base(&sp);
    sp.signer_name = "";
    assert_int_equal(pdf_render_subpoena(&sp, &out, NULL),
                     CM_ERR_VALIDATION_FAILED);
    assert_int_equal(out.len, 0);
    buf_release(&out);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signed_subpoena),
        cmocka_unit_test(test_served_subpoena),
        cmocka_unit_test(test_long_list_flows_onto_pages),
        cmocka_unit_test(test_utf8_outside_winansi),
        cmocka_unit_test(test_winansi),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_preview),
        cmocka_unit_test(test_missing_fields_refused),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
