/*
 * h_subpoena_document.c: GET /api/v1/subpoenas/{id}/document.pdf, the
 * subpoena as issued, as a PDF (render/pdf.h).
 *
 * It is visible to whoever may see the subpoena (out of scope: 404 like a
 * missing id, audited). The document of a signed subpoena prints what was
 * signed (number, offices, authority, items, signer) from the stored
 * rows, the return date once served, the certificate of service, a
 * withdrawal notice, and the verification code with its address
 * (<public_url>/verify/<code>).
 *
 * Before signing (draft, in review, ready to sign) the answer is a
 * preview: the same document from the current rows, marked "DRAFT - NOT
 * SIGNED, NOT VALID" on every page, with no signature and no verification
 * code (render/pdf.h). A subpoena withdrawn before it was signed has no
 * document at all: 409 `state_conflict`.
 *
 * The document names the subject of the subpoena ("In the matter of"),
 * decrypted from the person record: downloading it is a read of personal
 * data. Every download, with or without a subject, appends one
 * `subpoena.document.read` audit record, committed before the bytes
 * leave (detail: pages and whether a subject was named; never the name).
 */
#include <stdio.h>
#include <string.h>

#include "auth/fieldcrypt.h"
#include "auth/signing.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "domain/date.h"
#include "http/app.h"
#include "http/reply.h"
#include "http/router.h"
#include "http/server.h"
#include "http/signature.h"
#include "render/pdf.h"
#include "store/store.h"

/* Shared with h_subpoenas.c (declared there too): read subpoena `id` into
 * *out when the caller may see it; else *missing = true and
 * app_fail(NOT_FOUND). */
enum store_rc h_subpoena_load(struct store *s,
                              struct app_tx *tx,
                              const char *id,
                              struct store_subpoena *out,
                              bool *missing);

static enum cm_err h_subpoena_document_get(struct http_req *req);

static const struct route rows[] = {
    {"GET", "/api/v1/subpoenas/{id}/document.pdf", h_subpoena_document_get,
     ROLE_ANY_BUT_ADMIN, 0, 0},
};

const struct route_group h_subpoena_document_group = ROUTE_GROUP(rows);

struct doc_ctx {
    struct app_tx base;
    const char *id;
    bool missing;
    bool has_subject;
    bool preview;
    int pages;
    int64_t version;
    char number[STORE_NUMBER_SIZE];
    struct buf pdf;
};

/* "FAMILY, Given names" of person `id`, opened, into `out`. */
static enum store_rc
subject_name(struct store *s,
             struct http_req *req,
             const char *id,
             struct buf *out)
{
    const struct fieldcrypt *fc = &app_of(req)->fc;
    struct store_person p = {0};
    struct buf family = BUF_INIT;
    struct buf given = BUF_INIT;
    enum store_rc rc = store_person_get(s, id, &p);

    if (rc != STORE_ONE_RESULT)
        return rc < 0 ? rc : STORE_NO_RESULTS;
    if (fieldcrypt_open(fc, p.id, "family_name", p.family_name.data,
                        p.family_name.len, &family) != CM_ERR_OK ||
        (p.given_names.data &&
         fieldcrypt_open(fc, p.id, "given_names", p.given_names.data,
                         p.given_names.len, &given) != CM_ERR_OK)) {
        rc = STORE_HARD_ERROR;
        goto out_release;
    }
    buf_add(out, family.data, family.len);
    if (given.len) {
        buf_adds(out, ", ");
        buf_add(out, given.data, given.len);
    }
    rc = STORE_ONE_RESULT;
out_release:
    if (family.data)
        memset(family.data, 0, family.len);
    if (given.data)
        memset(given.data, 0, given.len);
    buf_release(&family);
    buf_release(&given);
    store_person_release(&p);
    return rc;
}

/* The values the PDF prints that were signed, from the stored content. */
struct signed_text {
    struct buf signer_name;
    struct buf signer_title;
    struct buf office_name;
    struct buf recipient_name;
    struct buf authority;
    struct buf return_place;
};

static void
signed_text_release(struct signed_text *t)
{
    buf_release(&t->signer_name);
    buf_release(&t->signer_title);
    buf_release(&t->office_name);
    buf_release(&t->recipient_name);
    buf_release(&t->authority);
    buf_release(&t->return_place);
}

/* Whether `state` is one before signing, whose document is a preview. */
static bool
is_preview_state(const char *state)
{
    return state &&
           (strcmp(state, "draft") == 0 || strcmp(state, "in_review") == 0 ||
            strcmp(state, "ready_to_sign") == 0);
}

/* Render `sp` into c->pdf: signed with `sig`, or a preview when `sig` is
 * NULL. */
static enum store_rc
render(struct store *s,
       struct doc_ctx *c,
       const struct store_subpoena *sp,
       const struct store_signature *sig)
{
    struct http_req *req = c->base.req;
    struct store_org office = {0};
    struct store_org recip = {0};
    struct signed_text t = {BUF_INIT, BUF_INIT, BUF_INIT,
                            BUF_INIT, BUF_INIT, BUF_INIT};
    struct buf subject = BUF_INIT;
    struct buf url = BUF_INIT;
    struct pdf_subpoena p;
    struct pdf_item *items = NULL;
    char code[SIGNING_CODE_GROUPED_LEN + 1];
    char signed_on[DATE_STR_SIZE];
    char served_on[DATE_STR_SIZE];
    enum store_rc rc;

    rc = store_org_get(s, sp->agency_org_id, &office);
    if (rc == STORE_ONE_RESULT)
        rc = store_org_get(s, sp->recipient_org_id, &recip);
    if (rc != STORE_ONE_RESULT) {
        rc = rc < 0 ? rc : STORE_HARD_ERROR;
        goto out_release;
    }
    if (sp->person_id[0]) {
        rc = subject_name(s, req, sp->person_id, &subject);
        if (rc < 0)
            goto out_release;
    }
    if (sig) {
        /* What was signed is printed as it was signed. */
        (void)signature_content_value(sig->content, "signer_name",
                                      &t.signer_name);
        (void)signature_content_value(sig->content, "signer_title",
                                      &t.signer_title);
        (void)signature_content_value(sig->content, "issuing_office_name",
                                      &t.office_name);
        (void)signature_content_value(sig->content, "recipient_org_name",
                                      &t.recipient_name);
        (void)signature_content_value(sig->content, "authority", &t.authority);
        (void)signature_content_value(sig->content, "return_place",
                                      &t.return_place);
        signing_code_format(sig->code, code);
        signature_verify_url(req, code, &url);
        date_format(app_today_in(office.timezone, sp->signed_at), signed_on);
    }
    items = cm_calloc(sp->n_items ? sp->n_items : 1, sizeof *items);
    for (size_t i = 0; i < sp->n_items; i++) {
        items[i].position = sp->items[i].position;
        items[i].category = sp->items[i].category;
        items[i].description = sp->items[i].description;
    }
    memset(&p, 0, sizeof p);
    p.number = sp->number;
    p.office_name = t.office_name.len ? buf_str(&t.office_name) : office.name;
    p.recipient_name =
        t.recipient_name.len ? buf_str(&t.recipient_name) : recip.name;
    p.subject_name = subject.len ? buf_str(&subject) : NULL;
    p.authority = t.authority.len ? buf_str(&t.authority) : NULL;
    p.items = items;
    p.n_items = sp->n_items;
    p.return_date = sp->return_date;
    p.original_return_date = sp->original_return_date;
    p.return_place =
        t.return_place.len ? buf_str(&t.return_place) : p.office_name;
    if (sig) {
        p.signer_name = buf_str(&t.signer_name);
        p.signer_title = t.signer_title.len ? buf_str(&t.signer_title) : NULL;
        p.signed_on = signed_on;
        p.signed_at = sig->signed_at;
        p.code = code;
        p.verify_url = buf_str(&url);
    } else {
        /* The same draft in the same version gives the same bytes. */
        p.preview = true;
        p.signed_at = sp->updated_at;
    }
    if (sp->served_at) {
        date_format(app_today_in(recip.timezone, sp->served_at), served_on);
        p.is_served = true;
        p.served_on = served_on;
        p.service_method = sp->service_method;
        p.served_to = sp->served_to;
    }
    if (sp->state && strcmp(sp->state, "withdrawn") == 0)
        p.notice = "WITHDRAWN: this subpoena is no longer in force";
    buf_reset(&c->pdf);
    if (pdf_render_subpoena(&p, &c->pdf, &c->pages) != CM_ERR_OK) {
        rc = app_fail(&c->base, CM_ERR_INTERNAL, NULL,
                      "the document could not be made");
        goto out_release;
    }
    c->has_subject = subject.len > 0;
    rc = STORE_ONE_RESULT;
out_release:
    if (subject.data)
        memset(subject.data, 0, subject.len);
    buf_release(&subject);
    buf_release(&url);
    cm_free(items);
    signed_text_release(&t);
    store_org_release(&office);
    store_org_release(&recip);
    return rc;
}

static enum store_rc
doc_tx(struct store *s, void *ctx)
{
    struct doc_ctx *c = ctx;
    struct store_subpoena sp = {0};
    struct store_signature sig = {0};
    enum store_rc rc;

    c->missing = false;
    rc = h_subpoena_load(s, &c->base, c->id, &sp, &c->missing);
    if (rc != STORE_ONE_RESULT)
        return rc;
    if (sp.signed_at == 0 && is_preview_state(sp.state)) {
        rc = render(s, c, &sp, NULL);
        c->preview = true;
        goto out_done;
    }
    if (sp.signed_at == 0) {
        /* Withdrawn before it was signed. */
        rc = app_fail(&c->base, CM_ERR_STATE_CONFLICT, NULL,
                      "subpoena %s is %s and was never signed: it has no "
                      "document",
                      sp.number, sp.state ? sp.state : "unknown");
        goto out_release;
    }
    rc = store_signature_get_by_subpoena(s, sp.id, &sig);
    if (rc == STORE_NO_RESULTS)
        rc = app_fail(&c->base, CM_ERR_STATE_CONFLICT, NULL,
                      "subpoena %s was signed before signed documents "
                      "existed: it has no verifiable document",
                      sp.number);
    if (rc != STORE_ONE_RESULT)
        goto out_release;
    rc = render(s, c, &sp, &sig);
out_done:
    if (rc == STORE_ONE_RESULT) {
        c->version = sp.version;
        (void)snprintf(c->number, sizeof c->number, "%s", sp.number);
    }
out_release:
    store_signature_release(&sig);
    store_subpoena_release(&sp);
    return rc;
}

static enum cm_err
h_subpoena_document_get(struct http_req *req)
{
    struct doc_ctx c;
    char detail[64];
    char disposition[96];
    enum cm_err err;

    memset(&c, 0, sizeof c);
    c.id = http_req_param(req, "id");
    err = app_run_read(req, "subpoena_document", doc_tx, &c.base);
    if (err != CM_ERR_OK) {
        if (c.missing)
            app_audit_alone(req, NULL, "subpoena.document.read", "subpoena",
                            c.id, "not_found", NULL);
        goto out_release;
    }
    (void)snprintf(detail, sizeof detail, "pages=%d subject_named=%s", c.pages,
                   c.has_subject ? "yes" : "no");
    err = app_audit_committed(req, "subpoena.document.read", "subpoena", c.id,
                              detail);
    if (err != CM_ERR_OK)
        goto out_release;
    err = reply_bytes(req, 200, "application/pdf", c.pdf.data, c.pdf.len);
    if (err != CM_ERR_OK)
        goto out_release;
    (void)snprintf(disposition, sizeof disposition,
                   "inline; filename=\"%s%s.pdf\"", c.number,
                   c.preview ? "-preview" : "");
    (void)reply_add_header(req, "Content-Disposition", disposition);
    app_set_etag(req, c.version);
out_release:
    buf_release(&c.pdf);
    return err;
}
