/*
 * h_verify.c: GET /verify/{code}, public (no login): is a subpoena with
 * this verification code genuine, who issued and signed it, when, and
 * what is its state now (a withdrawn subpoena is no longer in force)?
 *
 * The answer is a small HTML page, or JSON when the client sends
 * `Accept: application/json`; both have the same fields. It shows what a
 * jurisdiction needs to tell a real subpoena from a forged one and
 * nothing personal: the subpoena's number, the issuing office and the
 * recipient, the signer's name and title as signed, the time of signing,
 * the state now, the office key's id and public key, the SHA-256 of the
 * signed content, and whether the stored signature verifies against that
 * hash under that key (`signature_valid`). Never the person, the purpose
 * or the items.
 *
 * An unknown code answers 404 with the same shape (`issued: false`); a
 * malformed one 400 `validation_failed` naming `code`. Codes carry 80
 * random bits, so they cannot be enumerated.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "auth/signing.h"
#include "core/buf.h"
#include "http/app.h"
#include "http/reply.h"
#include "http/router.h"
#include "http/server.h"
#include "http/signature.h"
#include "store/store.h"

static enum cm_err h_verify_get(struct http_req *req);

static const struct route rows[] = {
    {"GET", "/verify/{code}", h_verify_get, 0, 0, 0},
};

const struct route_group h_verify_group = ROUTE_GROUP(rows);

struct verify_ctx {
    struct app_tx base;
    char code[SIGNING_CODE_LEN + 1];
    bool issued;
    bool signature_valid;
    struct buf number;
    struct buf office;
    struct buf recipient;
    struct buf signer_name;
    struct buf signer_title;
    struct buf state;
    int64_t signed_at;
    char key_id[STORE_SIGN_KEY_ID_SIZE];
    char public_key[SIGNING_PUBLIC_B64_SIZE];
    char content_sha256[2 * STORE_HASH_SIZE + 1];
};

static void
ctx_reset(struct verify_ctx *c)
{
    buf_reset(&c->number);
    buf_reset(&c->office);
    buf_reset(&c->recipient);
    buf_reset(&c->signer_name);
    buf_reset(&c->signer_title);
    buf_reset(&c->state);
    c->issued = false;
    c->signature_valid = false;
    c->signed_at = 0;
    c->key_id[0] = '\0';
    c->public_key[0] = '\0';
    c->content_sha256[0] = '\0';
}

static void
ctx_release(struct verify_ctx *c)
{
    buf_release(&c->number);
    buf_release(&c->office);
    buf_release(&c->recipient);
    buf_release(&c->signer_name);
    buf_release(&c->signer_title);
    buf_release(&c->state);
}

static void
hex(const unsigned char *b, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[b[i] >> 4];
        out[2 * i + 1] = digits[b[i] & 15];
    }
    out[2 * n] = '\0';
}

/* The stored signature is the office key's signature of the stored hash,
 * and the hash is that of the stored content. */
static bool
is_genuine(const struct store_signature *sig,
           const struct store_signing_key *key,
           const struct store_subpoena *sp)
{
    unsigned char h[SIGNING_HASH_BYTES];

    signing_sha256(sig->content, strlen(sig->content), h);
    return memcmp(h, sig->content_sha256, sizeof h) == 0 &&
           strcmp(key->org_id, sp->agency_org_id) == 0 &&
           signing_is_valid(key->public_key, sig->content_sha256,
                            sig->signature);
}

static enum store_rc
verify_tx(struct store *s, void *ctx)
{
    struct verify_ctx *c = ctx;
    struct store_signature sig = {0};
    struct store_signing_key key = {0};
    struct store_subpoena sp = {0};
    enum store_rc rc;

    ctx_reset(c);
    rc = store_signature_get_by_code(s, c->code, &sig);
    if (rc != STORE_ONE_RESULT)
        return rc < 0 ? rc : STORE_ONE_RESULT; /* unknown: issued false */
    rc = store_signing_key_get(s, sig.key_id, &key);
    if (rc == STORE_ONE_RESULT)
        rc = store_subpoena_get(s, sig.subpoena_id, &sp);
    if (rc != STORE_ONE_RESULT) {
        rc = rc < 0 ? rc : STORE_HARD_ERROR;
        goto out_release;
    }
    c->issued = true;
    c->signature_valid = is_genuine(&sig, &key, &sp);
    (void)signature_content_value(sig.content, "number", &c->number);
    (void)signature_content_value(sig.content, "issuing_office_name",
                                  &c->office);
    (void)signature_content_value(sig.content, "recipient_org_name",
                                  &c->recipient);
    (void)signature_content_value(sig.content, "signer_name", &c->signer_name);
    (void)signature_content_value(sig.content, "signer_title",
                                  &c->signer_title);
    buf_adds(&c->state, sp.state ? sp.state : "");
    c->signed_at = sig.signed_at;
    (void)snprintf(c->key_id, sizeof c->key_id, "%s", key.key_id);
    signing_public_key_base64(key.public_key, c->public_key);
    hex(sig.content_sha256, sizeof sig.content_sha256, c->content_sha256);
    rc = STORE_ONE_RESULT;
out_release:
    store_subpoena_release(&sp);
    store_signing_key_release(&key);
    store_signature_release(&sig);
    return rc;
}

static json_t *
str_or_null(const struct buf *b)
{
    return b->len ? json_stringn(b->data, b->len) : json_null();
}

static json_t *
answer_json(const struct verify_ctx *c, const char *grouped)
{
    json_t *o = json_object();

    (void)json_object_set_new(o, "code", json_string(grouped));
    (void)json_object_set_new(o, "issued", json_boolean(c->issued));
    (void)json_object_set_new(o, "valid",
                              json_boolean(c->issued && c->signature_valid));
    (void)json_object_set_new(o, "signature_valid",
                              json_boolean(c->signature_valid));
    (void)json_object_set_new(o, "subpoena_number", str_or_null(&c->number));
    (void)json_object_set_new(o, "issuing_office", str_or_null(&c->office));
    (void)json_object_set_new(o, "recipient", str_or_null(&c->recipient));
    (void)json_object_set_new(
        o, "signer",
        c->issued
            ? json_pack("{s:o, s:o}", "name", str_or_null(&c->signer_name),
                        "title", str_or_null(&c->signer_title))
            : json_null());
    (void)json_object_set_new(o, "signed_at", app_json_time(c->signed_at));
    (void)json_object_set_new(o, "state", str_or_null(&c->state));
    (void)json_object_set_new(o, "key_id", app_json_str(c->key_id));
    (void)json_object_set_new(o, "public_key", app_json_str(c->public_key));
    (void)json_object_set_new(o, "content_sha256",
                              app_json_str(c->content_sha256));
    return o;
}

/* Append `s` (`n` bytes) to `out` with HTML's special characters
 * escaped. */
static void
add_html(struct buf *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        switch (s[i]) {
        case '&':
            buf_adds(out, "&amp;");
            break;
        case '<':
            buf_adds(out, "&lt;");
            break;
        case '>':
            buf_adds(out, "&gt;");
            break;
        case '"':
            buf_adds(out, "&quot;");
            break;
        case '\'':
            buf_adds(out, "&#39;");
            break;
        default:
            buf_addch(out, s[i]);
        }
    }
}

static void
add_row(struct buf *out, const char *label, const char *value)
{
    buf_addf(out, "<dt>%s</dt><dd>", label);
    if (value && *value)
        add_html(out, value, strlen(value));
    else
        buf_adds(out, "&#8212;");
    buf_adds(out, "</dd>\n");
}

static void
answer_html(const struct verify_ctx *c, const char *grouped, struct buf *out)
{
    json_t *t = app_json_time(c->signed_at);
    struct buf signer = BUF_INIT;
    bool withdrawn = strcmp(buf_str(&c->state), "withdrawn") == 0;

    buf_adds(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
                  "<meta charset=\"utf-8\">\n"
                  "<meta name=\"robots\" content=\"noindex\">\n"
                  "<title>Subpoena verification</title>\n</head>\n<body>\n"
                  "<h1>Subpoena verification</h1>\n<p><strong>");
    if (!c->issued)
        buf_adds(out, "Unknown code.</strong> No subpoena with this "
                      "verification code was issued through this system. "
                      "A document that bears it is not genuine.");
    else if (!c->signature_valid)
        buf_adds(out, "Signature invalid.</strong> A subpoena with this "
                      "code was recorded, but its signature does not "
                      "verify: do not rely on the document; contact the "
                      "issuing office.");
    else if (withdrawn)
        buf_adds(out, "Genuine, but withdrawn.</strong> This subpoena was "
                      "issued and signed as shown below and has since been "
                      "withdrawn: it is no longer in force.");
    else
        buf_adds(out, "Genuine.</strong> This subpoena was issued and "
                      "signed as shown below.");
    buf_adds(out, "</p>\n<dl>\n");
    add_row(out, "Verification code", grouped);
    add_row(out, "Subpoena number", buf_str(&c->number));
    add_row(out, "Issuing office", buf_str(&c->office));
    add_row(out, "Addressed to", buf_str(&c->recipient));
    buf_add(&signer, c->signer_name.data, c->signer_name.len);
    if (c->signer_title.len) {
        buf_adds(&signer, ", ");
        buf_add(&signer, c->signer_title.data, c->signer_title.len);
    }
    add_row(out, "Signed by", buf_str(&signer));
    add_row(out, "Signed at (UTC)", json_string_value(t));
    add_row(out, "State now", buf_str(&c->state));
    add_row(out, "Signature",
            c->issued ? (c->signature_valid ? "valid" : "INVALID") : NULL);
    add_row(out, "Key id", c->key_id);
    add_row(out, "Public key (Ed25519, base64)", c->public_key);
    add_row(out, "SHA-256 of the signed content", c->content_sha256);
    buf_adds(out, "</dl>\n</body>\n</html>\n");
    buf_release(&signer);
    json_decref(t);
}

static bool
wants_json(const struct http_req *req)
{
    const char *accept = http_req_header(req, "Accept");

    return accept && strstr(accept, "application/json") != NULL;
}

static enum cm_err
h_verify_get(struct http_req *req)
{
    struct verify_ctx c;
    char grouped[SIGNING_CODE_GROUPED_LEN + 1];
    unsigned status;
    enum cm_err err;

    memset(&c, 0, sizeof c);
    if (signing_code_parse(http_req_param(req, "code"), c.code) != CM_ERR_OK)
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "code",
                           "a verification code is 16 letters and digits, "
                           "as printed: XXXX-XXXX-XXXX-XXXX");
    err = app_run_read(req, "verify", verify_tx, &c.base);
    if (err != CM_ERR_OK)
        goto out_release;
    signing_code_format(c.code, grouped);
    status = c.issued ? 200 : 404;
    if (wants_json(req)) {
        err = reply_json(req, status, answer_json(&c, grouped));
    } else {
        struct buf page = BUF_INIT;

        answer_html(&c, grouped, &page);
        err = reply_bytes(req, status, "text/html; charset=utf-8", page.data,
                          page.len);
        buf_release(&page);
    }
    if (err == CM_ERR_OK)
        (void)reply_add_header(req, "Vary", "Accept");
out_release:
    ctx_release(&c);
    return err;
}
