/*
 * pdf.h: an administrative subpoena (Form I-138 style) as a PDF document,
 * rendered with libharu from a plain struct: no store, no JSON, no clock.
 *
 * Layout: US Letter portrait, Helvetica (the PDF base-14 fonts, WinAnsi
 * encoding). The first page carries the title block ("Department of
 * Homeland Security", "SUBPOENA"), the issuing office, the recipient
 * ("To:"), the subject when named, the authority, then the numbered
 * items, which flow onto as many pages as they need; after them the
 * return date and place, the signature block, the certificate of service
 * once served, and the verification code with its URL. Every page shows
 * the subpoena's number at its head and "Page i of n" at its foot.
 *
 * Text is UTF-8 in; characters WinAnsi lacks are transliterated where a
 * plain Latin letter exists (Ł to L, ő to o) and written as '?' otherwise;
 * invalid UTF-8 never fails the rendering.
 *
 * A preview (`preview` set) is the same document before it is signed:
 * every page carries PDF_PREVIEW_MARK in a box under its head, the
 * signature block says it is not signed, and there is no verification
 * code (a code exists only once signed); the signer, the date signed, the
 * code and its URL are then neither required nor printed.
 *
 * Deterministic: the document's creation and modification dates are the
 * signature time (for a preview, the time given in signed_at: the last
 * change of the draft), so the same input always gives the same bytes.
 */
#ifndef CM_RENDER_PDF_H
#define CM_RENDER_PDF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/errors.h"

/* The marking on every page of a preview (UTF-8; the dash is an em dash). */
#define PDF_PREVIEW_MARK "DRAFT \xe2\x80\x94 NOT SIGNED, NOT VALID"

/* Most items rendered; the API allows 50. */
#define PDF_ITEMS_MAX 1000

/* One requested item. */
struct pdf_item {
    int64_t position;        /* 1, 2, ... */
    const char *category;    /* "home_address", ...: printed as a label */
    const char *description; /* or NULL */
};

/* The subpoena as issued. Strings are borrowed UTF-8; NULL (or "") means
 * absent unless said otherwise. */
struct pdf_subpoena {
    const char *number;         /* "SUB-2020-000001"; required */
    const char *office_name;    /* the issuing agency office; required */
    const char *recipient_name; /* the jurisdiction; required */
    const char *subject_name;   /* the person, "In the matter of" */
    const char *authority;      /* NULL: 8 U.S.C. 1225(d)(4)(A); ... */
    const struct pdf_item *items;
    size_t n_items;
    const char *return_date; /* YYYY-MM-DD, or NULL before service */
    const char *return_note; /* shown instead when return_date is NULL */
    const char *original_return_date; /* when an extension moved it */
    const char *return_place;         /* required */
    bool preview; /* unsigned: marked on every page, no signature or code */
    const char *signer_name; /* required unless preview */
    const char *signer_title;
    const char *signed_on; /* YYYY-MM-DD in the office's zone; required
                              unless preview */
    int64_t signed_at;     /* microseconds, UTC: the document's dates */
    bool is_served;
    const char *served_on;      /* YYYY-MM-DD in the recipient's zone */
    const char *service_method; /* personal | certified_mail | ... */
    const char *served_to;
    const char *notice;     /* a banner line (e.g. withdrawn), or NULL */
    const char *code;       /* grouped verification code; required unless
                               preview (never printed on a preview) */
    const char *verify_url; /* "<public_url>/verify/<code>"; likewise */
};

/*
 * Render `sp` and append the PDF bytes to `out` (nothing appended on
 * failure). *pages, when not NULL, gets the page count. Returns
 * CM_ERR_VALIDATION_FAILED when a required field is missing or there are
 * more than PDF_ITEMS_MAX items, CM_ERR_INTERNAL when libharu fails.
 */
enum cm_err
pdf_render_subpoena(const struct pdf_subpoena *sp, struct buf *out, int *pages);

/*
 * Append `in` (UTF-8) converted to WinAnsi (Windows-1252) to `out`:
 * ASCII and Latin-1 as themselves, the typographic characters WinAnsi has
 * (quotes, dashes, euro, ...) at their code points, Latin Extended letters
 * as their base letter, control characters as a space, anything else and
 * invalid UTF-8 as '?'. Exposed for the tests.
 */
void pdf_winansi(const char *in, struct buf *out);

#endif
