/*
 * h_documents.c: case documents over HTTP (API.md "Documents"; the user's
 * guide is docs/documents.md).
 *
 *   POST /api/v1/documents?case_id=&kind=[&item_ids=]  upload (raw body)
 *   GET  /api/v1/documents/{id}                       download (audited)
 *   GET  /api/v1/documents?case_id=[&kind=]           a case's documents
 *   GET  /api/v1/subpoenas/{id}/manifest              production manifest
 *
 * An upload is the file itself as the body (at most 25 MiB, 413 past it),
 * with a Content-Type from a short allow-list (415 otherwise) and
 * `Content-Disposition: attachment; filename="..."` (or filename*=UTF-8''
 * for names outside ASCII). Its SHA-256 is computed before the
 * transaction; the row, the bytes and the one audit record are written
 * by one transaction, so a crash at any point leaves either the whole
 * document or nothing. The audit record names the document, its case,
 * kind, size and hash, never the filename (it may hold a person's name).
 *
 * Scope: a document is seen by whoever sees its case (perm.h); a
 * delegation instrument (kind `delegation`, no case) by admins and
 * auditors. A case out of the caller's scope answers 404 exactly like a
 * missing one, and the attempt is audited. Adding a document to a case
 * the caller sees takes more: its agency office's officers, signers and
 * counsel; the jurisdiction it is addressed to (booking, custodian,
 * recipient counsel); the DOJ office an enforcement case is referred to.
 * Some kinds belong to some cases only: a proof of service (filed by the
 * issuing office) and productions to a subpoena, court orders and
 * petitions to an enforcement case, a delegation instrument to none.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth/digest.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "domain/detainer.h"
#include "domain/enforcement.h"
#include "domain/perm.h"
#include "domain/role.h"
#include "domain/subpoena.h"
#include "http/app.h"
#include "http/documents.h"
#include "http/jsonout.h"
#include "http/reply.h"
#include "http/router.h"
#include "http/server.h"
#include "store/store.h"

/* The largest document, in bytes (API.md "Limits"). */
#define DOCUMENT_MAX_BYTES ((size_t)25 * 1024 * 1024)

/* The longest filename, in bytes of UTF-8. */
#define FILENAME_MAX_BYTES 255

/* Most items one produced file may answer. */
#define ITEM_IDS_MAX 50

/* Hex text of a SHA-256, with its NUL. */
#define SHA256_HEX_SIZE (2 * STORE_SHA256_SIZE + 1)

#define AGENCY_WRITERS                                \
    (ROLE_BIT(ROLE_OFFICER) | ROLE_BIT(ROLE_SIGNER) | \
     ROLE_BIT(ROLE_AGENCY_COUNSEL))
#define JURISDICTION_WRITERS                             \
    (ROLE_BIT(ROLE_BOOKING) | ROLE_BIT(ROLE_CUSTODIAN) | \
     ROLE_BIT(ROLE_RECIPIENT_COUNSEL))

/* From h_users.c: whether `s` has the shape of an id. */
bool h_users_is_id(const char *s);

static enum cm_err h_documents_upload(struct http_req *req);
static enum cm_err h_documents_list(struct http_req *req);
static enum cm_err h_documents_get(struct http_req *req);
static enum cm_err h_documents_manifest(struct http_req *req);

/* Every role reaches the routes; scope and the rules above decide. */
static const struct route rows[] = {
    {"POST", "/api/v1/documents", h_documents_upload, ROLE_ANY,
     DOCUMENT_MAX_BYTES, 0},
    {"GET", "/api/v1/documents", h_documents_list, ROLE_ANY, 0, 0},
    {"GET", "/api/v1/documents/{id}", h_documents_get, ROLE_ANY, 0, 0},
    {"GET", "/api/v1/subpoenas/{id}/manifest", h_documents_manifest,
     ROLE_ANY_BUT_ADMIN, 0, 0},
};

const struct route_group h_documents_group = ROUTE_GROUP(rows);

static const char *const kind_names[] = {
    "proof_of_service", "court_order", "delegation", "production",
    "correspondence",   "petition",    "other",      NULL};

/* The types a document may have, as sent back on download. */
static const char *const type_names[] = {
    "application/pdf", "image/png", "image/jpeg",       "image/tiff",
    "text/plain",      "text/csv",  "application/json", NULL};

/* ---- small helpers --------------------------------------------------------*/

static int
name_index(const char *const *names, const char *s)
{
    for (int i = 0; s && names[i]; i++) {
        if (strcmp(names[i], s) == 0)
            return i;
    }
    return -1;
}

/* The index in type_names of the media type of Content-Type value `ct`
 * (parameters such as charset ignored, case-insensitive), or -1. */
static int
type_index(const char *ct)
{
    size_t n;

    if (!ct)
        return -1;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    n = strcspn(ct, "; \t");
    for (int i = 0; type_names[i]; i++) {
        if (strlen(type_names[i]) == n &&
            strncasecmp(type_names[i], ct, n) == 0)
            return i;
    }
    return -1;
}

static void
sha256_hex(const unsigned char h[STORE_SHA256_SIZE], char out[SHA256_HEX_SIZE])
{
    digest_sha256_hex(h, out);
}

/* The length of the UTF-8 sequence at `p` (at most `n` bytes) when it is
 * a well-formed scalar value that is not a control character; 0 if not. */
static size_t
utf8_char_len(const unsigned char *p, size_t n)
{
    unsigned cp;
    size_t len;

    if (p[0] < 0x80)
        return p[0] < 0x20 || p[0] == 0x7f ? 0 : 1;
    if (p[0] >= 0xc2 && p[0] <= 0xdf) {
        len = 2;
        cp = p[0] & 0x1fu;
    } else if (p[0] >= 0xe0 && p[0] <= 0xef) {
        len = 3;
        cp = p[0] & 0x0fu;
    } else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
        len = 4;
        cp = p[0] & 0x07u;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3fu);
    }
    /* Overlong forms, surrogates, past U+10FFFF, C1 controls. */
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff ||
        (cp >= 0x80 && cp <= 0x9f))
        return 0;
    return len;
}

/* True when `name` is an acceptable filename: 1..255 bytes of UTF-8, no
 * control character, no '/' or '\\', not "." or "..". */
static bool
is_good_filename(const char *name, size_t len)
{
    const unsigned char *p = (const unsigned char *)name;

    if (len == 0 || len > FILENAME_MAX_BYTES || strlen(name) != len ||
        strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return false;
    for (size_t i = 0; i < len;) {
        size_t n = utf8_char_len(p + i, len - i);

        if (n == 0 || p[i] == '/' || p[i] == '\\')
            return false;
        i += n;
    }
    return true;
}

static int
hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decode the RFC 8187 value `v` (n bytes: charset'language'pct-encoded)
 * into `out`; only UTF-8 (the one charset the RFC requires) is taken. */
static bool
decode_ext_value(const char *v, size_t n, struct buf *out)
{
    const char *q1 = memchr(v, '\'', n);
    const char *q2 = q1 ? memchr(q1 + 1, '\'', n - (size_t)(q1 + 1 - v)) : NULL;
    const char *p;
    const char *end = v + n;

    if (!q2 || (size_t)(q1 - v) != 5 || strncasecmp(v, "utf-8", 5) != 0)
        return false;
    for (p = q2 + 1; p < end; p++) {
        if (*p == '%') {
            int hi;

            if (end - p < 3)
                return false;
            hi = hex_value(p[1]);
            if (hi < 0 || hex_value(p[2]) < 0)
                return false;
            buf_addch(out, (char)(hi * 16 + hex_value(p[2])));
            p += 2;
        } else {
            buf_addch(out, *p);
        }
    }
    return true;
}

/*
 * The filename of Content-Disposition value `cd` ("attachment;
 * filename=\"a.pdf\"", or with filename*=UTF-8''..., which wins) into
 * *out (free with cm_free). False when absent, malformed or not an
 * acceptable name.
 */
static bool
parse_filename(const char *cd, char **out)
{
    struct buf plain = BUF_INIT;
    struct buf ext = BUF_INIT;
    bool has_plain = false, has_ext = false, ok = true;
    const char *p = cd ? cd + strcspn(cd, ";") : "";
    struct buf *pick;

    while (ok && *p == ';') {
        const char *name;
        size_t name_len;
        struct buf val = BUF_INIT;

        p++;
        while (*p == ' ' || *p == '\t')
            p++;
        name = p;
        p += strcspn(p, "=; \t");
        name_len = (size_t)(p - name);
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p != '=') {
            ok = name_len == 0 && (*p == ';' || *p == '\0');
            continue;
        }
        p++;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '"') {
            for (p++; *p && *p != '"'; p++) {
                /* Only \" is taken as an escape: a client that sends a
                 * Windows path unescaped must not have its backslashes
                 * dropped into a different, acceptable name. */
                if (*p == '\\' && p[1] == '"')
                    p++;
                buf_addch(&val, *p);
            }
            ok = *p == '"';
            if (ok)
                p++;
        } else {
            size_t n = strcspn(p, "; \t");

            buf_add(&val, p, n);
            p += n;
        }
        while (*p == ' ' || *p == '\t')
            p++;
        ok = ok && (*p == ';' || *p == '\0');
        if (ok && name_len == 9 && strncasecmp(name, "filename*", 9) == 0) {
            buf_reset(&ext);
            ok = decode_ext_value(buf_str(&val), val.len, &ext);
            has_ext = true;
        } else if (ok && name_len == 8 &&
                   strncasecmp(name, "filename", 8) == 0) {
            buf_reset(&plain);
            buf_add(&plain, buf_str(&val), val.len);
            has_plain = true;
        }
        buf_release(&val);
    }
    pick = has_ext ? &ext : &plain;
    ok = ok && (has_ext || has_plain) &&
         is_good_filename(buf_str(pick), pick->len);
    if (ok)
        *out = cm_strdup(buf_str(pick));
    buf_release(&plain);
    buf_release(&ext);
    return ok;
}

/* Content-Disposition for a download of `name`: an ASCII fallback and
 * the exact name as RFC 8187 UTF-8 (RFC 6266 section 4.3). */
static void
disposition_of(const char *name, struct buf *out)
{
    const unsigned char *p = (const unsigned char *)name;
    static const char attr[] = "!#$&+-.^_`|~";

    buf_adds(out, "attachment; filename=\"");
    for (size_t i = 0; p[i]; i++) {
        if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '"' && p[i] != '\\' &&
            p[i] != '%')
            buf_addch(out, (char)p[i]);
        else if ((p[i] & 0xc0) != 0x80) /* one '_' per character */
            buf_addch(out, '_');
    }
    buf_adds(out, "\"; filename*=UTF-8''");
    for (size_t i = 0; p[i]; i++) {
        if ((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') ||
            (p[i] >= '0' && p[i] <= '9') || strchr(attr, p[i]))
            buf_addch(out, (char)p[i]);
        else
            buf_addf(out, "%%%02X", (unsigned)p[i]);
    }
}

/* ---- the case a document belongs to ---------------------------------------*/

/* What scoping needs to know of a case. */
struct case_scope {
    const char *kind; /* static: detainer | subpoena | enforcement */
    char id[STORE_ID_SIZE];
    char agency_org_id[STORE_ID_SIZE];
    char party_org_id[STORE_ID_SIZE]; /* recipient, respondent, or the org
                                         running the detainer's facility */
    char doj_org_id[STORE_ID_SIZE];
    char number[STORE_NUMBER_SIZE];
    bool is_visible;          /* to the caller (perm.h) */
    struct store_subpoena sp; /* a subpoena's row, for its items */
};

static void
case_scope_release(struct case_scope *c)
{
    store_subpoena_release(&c->sp);
}

static void
copy_id(char dst[STORE_ID_SIZE], const char *src)
{
    (void)snprintf(dst, STORE_ID_SIZE, "%s", src ? src : "");
}

/*
 * Read case `id` of table `kind` into *out and decide whether the caller
 * of `req` may see it. STORE_ONE_RESULT when the case exists (visible or
 * not: out->is_visible), STORE_NO_RESULTS when it does not. Release *out
 * with case_scope_release on STORE_ONE_RESULT.
 */
static enum store_rc
case_load(struct store *s,
          const struct http_req *req,
          const char *kind,
          const char *id,
          struct case_scope *out)
{
    struct store_detainer d = {0};
    struct store_facility f = {0};
    struct store_subpoena sp = {0};
    struct store_enforcement e = {0};
    struct perm_viewer v;
    struct perm_case pc;
    struct case_scope c;
    enum store_rc rc;

    memset(&c, 0, sizeof c);
    memset(&pc, 0, sizeof pc);
    copy_id(c.id, id);
    if (strcmp(kind, "detainer") == 0) {
        enum detainer_state st = DETAINER_STATE_LODGED;

        c.kind = "detainer";
        rc = store_detainer_get(s, id, &d);
        if (rc == STORE_ONE_RESULT)
            rc = store_facility_get(s, d.facility_id, &f);
        if (rc != STORE_ONE_RESULT)
            goto out_release;
        (void)detainer_state_parse(d.state ? d.state : "", &st);
        copy_id(c.agency_org_id, d.agency_org_id);
        copy_id(c.party_org_id, f.org_id);
        (void)snprintf(c.number, sizeof c.number, "%s", d.number);
        pc.kind = PERM_CASE_KIND_DETAINER;
        pc.state = (int)st;
        pc.agency_org_id = d.agency_org_id;
        pc.facility_org_id = f.org_id;
    } else if (strcmp(kind, "subpoena") == 0) {
        enum subpoena_state st = SUBPOENA_STATE_DRAFT;

        c.kind = "subpoena";
        rc = store_subpoena_get(s, id, &sp);
        if (rc == STORE_ONE_RESULT && sp.enforcement_id[0]) {
            rc = store_enforcement_get(s, sp.enforcement_id, &e);
            if (rc == STORE_NO_RESULTS)
                rc = STORE_HARD_ERROR;
        }
        if (rc != STORE_ONE_RESULT)
            goto out_release;
        (void)subpoena_state_parse(sp.state ? sp.state : "", &st);
        copy_id(c.agency_org_id, sp.agency_org_id);
        copy_id(c.party_org_id, sp.recipient_org_id);
        copy_id(c.doj_org_id, e.doj_org_id);
        (void)snprintf(c.number, sizeof c.number, "%s", sp.number);
        pc.kind = PERM_CASE_KIND_SUBPOENA;
        pc.state = (int)st;
        pc.agency_org_id = sp.agency_org_id;
        pc.recipient_org_id = sp.recipient_org_id;
        pc.doj_org_id = e.doj_org_id[0] ? e.doj_org_id : NULL;
        pc.was_served = sp.served_at != 0;
    } else {
        enum enforcement_state st = ENFORCEMENT_STATE_REFERRED;

        c.kind = "enforcement";
        rc = store_enforcement_get(s, id, &e);
        if (rc != STORE_ONE_RESULT)
            goto out_release;
        (void)enforcement_state_parse(e.state ? e.state : "", &st);
        copy_id(c.agency_org_id, e.agency_org_id);
        copy_id(c.party_org_id, e.respondent_org_id);
        copy_id(c.doj_org_id, e.doj_org_id);
        (void)snprintf(c.number, sizeof c.number, "%s", e.number);
        pc.kind = PERM_CASE_KIND_ENFORCEMENT;
        pc.state = (int)st;
        pc.agency_org_id = e.agency_org_id;
        pc.recipient_org_id = e.respondent_org_id;
        pc.doj_org_id = e.doj_org_id[0] ? e.doj_org_id : NULL;
    }
    app_viewer(req, &v);
    c.is_visible = perm_can_view(&v, &pc);
    c.sp = sp; /* ownership moves to *out */
    memset(&sp, 0, sizeof sp);
    *out = c;
out_release:
    store_subpoena_release(&sp);
    store_enforcement_release(&e);
    store_facility_release(&f);
    store_detainer_release(&d);
    return rc;
}

/* True when the caller of `req` may add documents to case `c` (which
 * they see): see the top of the file. */
static bool
can_add_to(const struct http_req *req, const struct case_scope *c)
{
    const char *org = req->caller.org_id;
    role_set r = req->roles;

    if ((r & AGENCY_WRITERS) && strcmp(org, c->agency_org_id) == 0)
        return true;
    if ((r & JURISDICTION_WRITERS) && c->party_org_id[0] &&
        strcmp(org, c->party_org_id) == 0)
        return true;
    return (r & ROLE_BIT(ROLE_DOJ_ATTORNEY)) &&
           strcmp(c->kind, "enforcement") == 0 && c->doj_org_id[0] &&
           strcmp(org, c->doj_org_id) == 0;
}

/* ---- JSON -----------------------------------------------------------------*/

/* Append document `d` (no content) as the compact JSON text of
 * {"id", "kind", "filename", "content_type", "size", "sha256",
 * "uploaded_by", "uploaded_at"}. */
static void
document_write(struct buf *b, const struct store_document *d)
{
    char hex[SHA256_HEX_SIZE];
    const char *kind = d->kind ? d->kind : "";
    const char *filename = d->filename ? d->filename : "";
    const char *type = d->content_type ? d->content_type : "";

    sha256_hex(d->sha256, hex);
    buf_adds(b, "{\"id\":");
    jsonout_add_string(b, d->id, strlen(d->id));
    buf_adds(b, ",\"kind\":");
    jsonout_add_string(b, kind, strlen(kind));
    buf_adds(b, ",\"filename\":");
    jsonout_add_string(b, filename, strlen(filename));
    buf_adds(b, ",\"content_type\":");
    jsonout_add_string(b, type, strlen(type));
    buf_adds(b, ",\"size\":");
    jsonout_add_int(b, d->size);
    buf_adds(b, ",\"sha256\":");
    jsonout_add_string(b, hex, strlen(hex));
    buf_adds(b, ",\"uploaded_by\":");
    jsonout_add_string(b, d->uploaded_by, strlen(d->uploaded_by));
    buf_adds(b, ",\"uploaded_at\":");
    app_add_time(b, d->created_at);
    buf_addch(b, '}');
}

/* The same as a JSON object: the text read back, so that the two forms
 * cannot differ; NULL only if the text is not JSON. */
static json_t *
document_json(const struct store_document *d)
{
    struct buf text = BUF_INIT;
    json_t *o;

    document_write(&text, d);
    o = json_loadb(buf_str(&text), text.len, 0, NULL);
    buf_release(&text);
    return o;
}

struct documents_out {
    struct buf *out;
    size_t n;
};

/* Append `d` to the JSON array `cls`. */
static void
document_append_cb(void *cls, const struct store_document *d)
{
    (void)json_array_append_new(cls, document_json(d));
}

/* Append `d` to the text of a documents_out. */
static void
document_list_cb(void *cls, const struct store_document *d)
{
    struct documents_out *w = cls;

    if (w->n++ > 0)
        buf_addch(w->out, ',');
    document_write(w->out, d);
}

enum store_rc
documents_case_write(struct store *s,
                     const char *case_kind,
                     const char *case_id,
                     struct buf *out)
{
    struct documents_out w = {out, 0};
    int n;

    buf_addch(out, '[');
    n = store_document_list(s, case_kind, case_id, NULL, document_list_cb, &w);
    if (n < 0)
        return (enum store_rc)n;
    buf_addch(out, ']');
    return STORE_ONE_RESULT;
}

json_t *
documents_case_json(struct store *s, const char *case_kind, const char *case_id)
{
    struct buf text = BUF_INIT;
    json_t *a = NULL;

    if (documents_case_write(s, case_kind, case_id, &text) >= 0)
        a = json_loadb(buf_str(&text), text.len, 0, NULL);
    buf_release(&text);
    return a;
}

enum store_rc
documents_find_required(struct store *s,
                        const char *doc_id,
                        const char *kind,
                        const char *case_kind,
                        const char *case_id)
{
    struct store_document d = {0};
    enum store_rc rc;
    bool ok;

    if (!doc_id || !h_users_is_id(doc_id))
        return STORE_NO_RESULTS;
    rc = store_document_get(s, doc_id, false, &d);
    if (rc != STORE_ONE_RESULT)
        return rc;
    ok = d.kind && strcmp(d.kind, kind) == 0;
    if (case_kind)
        ok = ok && d.case_kind && strcmp(d.case_kind, case_kind) == 0 &&
             strcmp(d.case_id, case_id) == 0;
    else
        ok = ok && !d.case_kind;
    store_document_release(&d);
    return ok ? STORE_ONE_RESULT : STORE_NO_RESULTS;
}

/* ---- POST /api/v1/documents -------------------------------------------*/

struct upload_tx {
    struct app_tx base;
    struct app_idem idem;
    const char *case_id;     /* NULL for a document of no case */
    const json_t *item_ids;  /* array of id strings, or NULL */
    struct store_document d; /* strings and content borrowed */
    const char *found_kind;  /* the case's table, once found */
    bool missing;            /* no such case, or out of scope */
    json_t *answer;
};

/* app_fail unless `kind` may be added to case `c` by the caller. */
static enum store_rc
check_kind(struct upload_tx *t, const struct case_scope *c)
{
    const char *k = t->d.kind;
    bool on_subpoena = strcmp(c->kind, "subpoena") == 0;
    bool on_enforcement = strcmp(c->kind, "enforcement") == 0;

    if ((strcmp(k, "proof_of_service") == 0 || strcmp(k, "production") == 0) &&
        !on_subpoena)
        return app_fail(&t->base, CM_ERR_VALIDATION_FAILED, "kind",
                        "a %s document belongs to a subpoena, and this "
                        "case is a %s",
                        k, c->kind);
    if ((strcmp(k, "court_order") == 0 || strcmp(k, "petition") == 0) &&
        !on_enforcement)
        return app_fail(&t->base, CM_ERR_VALIDATION_FAILED, "kind",
                        "a %s document belongs to an enforcement case, and "
                        "this case is a %s",
                        k, c->kind);
    if (strcmp(k, "proof_of_service") == 0 &&
        !((t->base.req->roles & AGENCY_WRITERS) &&
          strcmp(t->base.req->caller.org_id, c->agency_org_id) == 0))
        return app_fail(&t->base, CM_ERR_FORBIDDEN, NULL,
                        "only the issuing office files a proof of service");
    return STORE_ONE_RESULT;
}

/* app_fail unless every entry of t->item_ids is an item of `sp`, once. */
static enum store_rc
check_items(struct upload_tx *t, const struct store_subpoena *sp)
{
    for (size_t i = 0; i < json_array_size(t->item_ids); i++) {
        const char *want = json_string_value(json_array_get(t->item_ids, i));
        bool found = false;

        for (size_t j = 0; j < sp->n_items && !found; j++)
            found = strcmp(sp->items[j].id, want) == 0;
        for (size_t j = 0; j < i && found; j++)
            found = strcmp(json_string_value(json_array_get(t->item_ids, j)),
                           want) != 0;
        if (!found)
            return app_fail(&t->base, CM_ERR_VALIDATION_FAILED, "item_ids",
                            "item_ids[%zu] is not an item of the subpoena, "
                            "or is named twice",
                            i);
    }
    return STORE_ONE_RESULT;
}

static enum store_rc
upload_tx(struct store *s, void *ctx)
{
    struct upload_tx *t = ctx;
    struct http_req *req = t->base.req;
    struct case_scope c;
    struct buf detail = BUF_INIT;
    char hex[SHA256_HEX_SIZE];
    enum store_rc rc;

    memset(&c, 0, sizeof c);
    json_decref(t->answer);
    t->answer = NULL;
    t->missing = false;
    t->found_kind = NULL;
    t->d.case_kind = NULL;
    t->d.case_id[0] = '\0';
    if (t->case_id) {
        rc = store_case_kind_of(s, t->case_id, &t->found_kind);
        if (rc == STORE_ONE_RESULT)
            rc = case_load(s, req, t->found_kind, t->case_id, &c);
        if (rc < 0)
            return rc;
        if (rc == STORE_NO_RESULTS || !c.is_visible) {
            t->missing = true;
            rc = app_fail(&t->base, CM_ERR_NOT_FOUND, "case_id",
                          "no case with this id");
            goto out_case;
        }
        if (!can_add_to(req, &c)) {
            rc = app_fail(&t->base, CM_ERR_FORBIDDEN, NULL,
                          "your role may not add documents to this case");
            goto out_case;
        }
        rc = check_kind(t, &c);
        if (rc == STORE_ONE_RESULT && t->item_ids)
            rc = check_items(t, &c.sp);
        if (rc != STORE_ONE_RESULT)
            goto out_case;
        t->d.case_kind = (char *)c.kind;
        copy_id(t->d.case_id, t->case_id);
    }
    rc = store_document_insert(s, &t->d);
    if (rc == STORE_NO_RESULTS)
        rc = app_fail(&t->base, CM_ERR_STATE_CONFLICT, NULL,
                      "the document could not be recorded; try again");
    if (rc < 0)
        goto out_case;
    sha256_hex(t->d.sha256, hex);
    /* Ids, kind, size and hash only: the filename may name a person. */
    if (t->case_id)
        buf_addf(&detail, "case=%s:%s ", c.kind, t->case_id);
    buf_addf(&detail, "kind=%s size=%lld sha256=%s", t->d.kind,
             (long long)t->d.size, hex);
    rc = app_audit(s, req, "document.create", "document", t->d.id, "ok",
                   buf_str(&detail));
    if (rc < 0)
        goto out_case;
    t->answer = document_json(&t->d);
    (void)json_object_set_new(t->answer, "case_kind",
                              app_json_str(t->d.case_kind));
    (void)json_object_set_new(t->answer, "case_id", app_json_str(t->d.case_id));
    (void)json_object_set_new(t->answer, "item_ids",
                              t->item_ids ? json_deep_copy(t->item_ids)
                                          : json_null());
    rc = app_idem_save(s, &t->base, &t->idem, 201, t->answer);
out_case:
    buf_release(&detail);
    case_scope_release(&c);
    return rc;
}

/* item_ids=a,b,c of the query into a new JSON array in *out; replies the
 * 400 itself. */
static enum cm_err
parse_item_ids(struct http_req *req, const char *q, json_t **out)
{
    json_t *a = json_array();
    const char *p = q;

    while (p) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        char id[STORE_ID_SIZE];

        if (n != CM_ID_LEN || json_array_size(a) == ITEM_IDS_MAX) {
            json_decref(a);
            return reply_error(req, CM_ERR_VALIDATION_FAILED, "item_ids",
                               "item_ids is a comma-separated list of at "
                               "most 50 item ids of the subpoena");
        }
        memcpy(id, p, n);
        id[n] = '\0';
        if (!h_users_is_id(id)) {
            json_decref(a);
            return reply_error(req, CM_ERR_VALIDATION_FAILED, "item_ids",
                               "item_ids is a comma-separated list of item "
                               "ids of the subpoena");
        }
        (void)json_array_append_new(a, json_string(id));
        p = comma ? comma + 1 : NULL;
    }
    *out = a;
    return CM_ERR_OK;
}

/* Check the query and headers of an upload into `t`; replies the problem
 * itself. `*filename` (free with cm_free) is set on success. */
static enum cm_err
check_upload(struct http_req *req,
             struct upload_tx *t,
             json_t **item_ids,
             char **filename)
{
    const char *kind = http_req_query(req, "kind");
    const char *case_id = http_req_query(req, "case_id");
    const char *items = http_req_query(req, "item_ids");
    int k = name_index(kind_names, kind);
    int ty;

    if (k < 0)
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "kind",
                           "kind must be one of proof_of_service, "
                           "court_order, delegation, production, "
                           "correspondence, petition, other");
    if (strcmp(kind_names[k], "delegation") == 0) {
        if (case_id)
            return reply_error(req, CM_ERR_VALIDATION_FAILED, "case_id",
                               "a delegation document belongs to no case: "
                               "leave case_id out");
        if (!app_has_role(req, ROLE_ADMIN)) {
            app_audit_alone(req, NULL, "document.create", "document", NULL,
                            "denied", "kind=delegation");
            return reply_error(req, CM_ERR_FORBIDDEN, NULL,
                               "only an administrator files the instrument "
                               "of a delegation");
        }
    } else if (!case_id || !*case_id) {
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "case_id",
                           "give case_id, the id of the detainer, subpoena "
                           "or enforcement case the document belongs to");
    } else if (!h_users_is_id(case_id)) {
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "case_id",
                           "case_id must be the id of a case");
    }
    if (items && strcmp(kind_names[k], "production") != 0)
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "item_ids",
                           "only a production names the items it answers");
    ty = type_index(http_req_header(req, "Content-Type"));
    if (ty < 0)
        return reply_error(req, CM_ERR_UNSUPPORTED_MEDIA, "Content-Type",
                           "send the file as application/pdf, image/png, "
                           "image/jpeg, image/tiff, text/plain, text/csv or "
                           "application/json");
    if (!parse_filename(http_req_header(req, "Content-Disposition"), filename))
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "filename",
                           "send Content-Disposition: attachment; "
                           "filename=\"...\" with a name of 1 to 255 bytes "
                           "of UTF-8, without control characters, '/' or "
                           "'\\' (filename*=UTF-8''... for other "
                           "characters)");
    if (req->body.len == 0) {
        cm_free(*filename);
        *filename = NULL;
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "body",
                           "the document is empty: send the file as the "
                           "request body");
    }
    if (items && parse_item_ids(req, items, item_ids) != CM_ERR_OK) {
        cm_free(*filename);
        *filename = NULL;
        return CM_ERR_VALIDATION_FAILED;
    }
    t->case_id = case_id;
    t->d.kind = (char *)kind_names[k];
    t->d.content_type = (char *)type_names[ty];
    return CM_ERR_OK;
}

static enum cm_err
h_documents_upload(struct http_req *req)
{
    struct upload_tx t;
    json_t *item_ids = NULL;
    char *filename = NULL;
    char *item_text = NULL;
    enum cm_err err;

    memset(&t, 0, sizeof t);
    t.base.req = req;
    err = check_upload(req, &t, &item_ids, &filename);
    if (err != CM_ERR_OK)
        return err;
    if (app_idem_begin(req, &t.base, &t.idem))
        goto out_free;
    t.item_ids = item_ids;
    if (item_ids)
        item_text = json_dumps(item_ids, JSON_COMPACT);
    cm_id_new(t.d.id);
    t.d.filename = filename;
    t.d.item_ids = item_text;
    t.d.size = (int64_t)req->body.len;
    t.d.content.data = (unsigned char *)req->body.data;
    t.d.content.len = req->body.len;
    digest_sha256(t.d.content.data, t.d.content.len, t.d.sha256);
    copy_id(t.d.uploaded_by, req->caller.user_id);
    t.d.created_at = app_now(app_of(req));
    t.d.updated_at = t.d.created_at;
    err = app_run(req, "document_upload", upload_tx, &t.base);
    if (err == CM_ERR_OK) {
        struct buf loc = BUF_INIT;

        buf_addf(&loc, "/api/v1/documents/%s", t.d.id);
        (void)reply_add_header(req, "Location", buf_str(&loc));
        buf_release(&loc);
        err = reply_json(req, 201, t.answer);
        t.answer = NULL;
    } else if (t.missing || err == CM_ERR_FORBIDDEN) {
        app_audit_alone(req, NULL, "document.create",
                        t.found_kind ? t.found_kind : "case", t.case_id,
                        t.missing ? "not_found" : "denied", cm_err_code(err));
    }
out_free:
    json_decref(t.answer);
    json_decref(item_ids);
    free(item_text); /* jansson's allocator */
    cm_free(filename);
    return err;
}

/* ---- GET /api/v1/documents/{id} -----------------------------------------*/

struct get_tx {
    struct app_tx base;
    const char *id;
    bool missing;
    struct store_document d; /* owned, with content */
};

/* True when the caller sees a document of no case. */
static bool
sees_caseless(const struct http_req *req)
{
    return app_has_role(req, ROLE_ADMIN) || app_has_role(req, ROLE_AUDITOR);
}

static enum store_rc
get_tx(struct store *s, void *ctx)
{
    struct get_tx *t = ctx;
    struct case_scope c;
    enum store_rc rc;
    bool visible;

    store_document_release(&t->d);
    t->missing = false;
    rc = store_document_get(s, t->id, true, &t->d);
    if (rc < 0)
        return rc;
    if (rc == STORE_NO_RESULTS) {
        t->missing = true;
        return app_fail(&t->base, CM_ERR_NOT_FOUND, NULL,
                        "no document with this id");
    }
    if (t->d.case_kind) {
        memset(&c, 0, sizeof c);
        rc = case_load(s, t->base.req, t->d.case_kind, t->d.case_id, &c);
        if (rc < 0)
            return rc;
        visible = rc == STORE_ONE_RESULT && c.is_visible;
        if (rc == STORE_ONE_RESULT)
            case_scope_release(&c);
    } else {
        visible = sees_caseless(t->base.req);
    }
    if (!visible) {
        store_document_release(&t->d);
        t->missing = true;
        return app_fail(&t->base, CM_ERR_NOT_FOUND, NULL,
                        "no document with this id");
    }
    return STORE_ONE_RESULT;
}

static enum cm_err
h_documents_get(struct http_req *req)
{
    struct get_tx t;
    struct buf disp = BUF_INIT;
    struct buf detail = BUF_INIT;
    char hex[SHA256_HEX_SIZE];
    char etag[SHA256_HEX_SIZE + 2];
    enum cm_err err;

    memset(&t, 0, sizeof t);
    t.base.req = req;
    t.id = http_req_param(req, "id");
    err = app_run_read(req, "document_read", get_tx, &t.base);
    if (err != CM_ERR_OK) {
        if (t.missing)
            app_audit_alone(req, NULL, "document.read", "document", t.id,
                            "not_found", NULL);
        goto out_release;
    }
    sha256_hex(t.d.sha256, hex);
    /* The bytes leave only once their reading is on the trail. */
    buf_addf(&detail, "kind=%s size=%lld", t.d.kind, (long long)t.d.size);
    err = app_audit_committed(req, "document.read", "document", t.d.id,
                              buf_str(&detail));
    if (err != CM_ERR_OK)
        goto out_release;
    err = reply_bytes(req, 200, t.d.content_type, t.d.content.data,
                      t.d.content.len);
    if (err != CM_ERR_OK)
        goto out_release;
    disposition_of(t.d.filename, &disp);
    (void)reply_add_header(req, "Content-Disposition", buf_str(&disp));
    (void)snprintf(etag, sizeof etag, "\"%s\"", hex);
    /* X-Content-Type-Options: nosniff and Cache-Control: no-store are on
     * every answer (reply.c). */
    (void)reply_add_header(req, "ETag", etag);
out_release:
    buf_release(&disp);
    buf_release(&detail);
    store_document_release(&t.d);
    return err;
}

/* ---- GET /api/v1/documents?case_id=&kind= -------------------------------*/

struct list_tx {
    struct app_tx base;
    const char *case_id; /* NULL: documents of no case */
    const char *kind;    /* NULL: any */
    const char *found_kind;
    bool missing;
    json_t *items;
};

static enum store_rc
list_tx(struct store *s, void *ctx)
{
    struct list_tx *t = ctx;
    struct case_scope c;
    enum store_rc rc;
    int n;

    json_array_clear(t->items);
    t->missing = false;
    t->found_kind = NULL;
    memset(&c, 0, sizeof c);
    if (t->case_id) {
        rc = store_case_kind_of(s, t->case_id, &t->found_kind);
        if (rc == STORE_ONE_RESULT)
            rc = case_load(s, t->base.req, t->found_kind, t->case_id, &c);
        if (rc < 0)
            return rc;
        if (rc == STORE_NO_RESULTS || !c.is_visible) {
            t->missing = true;
            rc = app_fail(&t->base, CM_ERR_NOT_FOUND, "case_id",
                          "no case with this id");
            goto out_case;
        }
    }
    n = store_document_list(s, t->case_id ? c.kind : NULL, t->case_id, t->kind,
                            document_append_cb, t->items);
    rc = n < 0 ? (enum store_rc)n : STORE_ONE_RESULT;
out_case:
    case_scope_release(&c);
    return rc;
}

static enum cm_err
h_documents_list(struct http_req *req)
{
    struct list_tx t;
    enum cm_err err;

    memset(&t, 0, sizeof t);
    t.base.req = req;
    t.case_id = http_req_query(req, "case_id");
    t.kind = http_req_query(req, "kind");
    if (t.kind && name_index(kind_names, t.kind) < 0)
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "kind",
                           "kind must be one of proof_of_service, "
                           "court_order, delegation, production, "
                           "correspondence, petition, other");
    if (t.case_id && !h_users_is_id(t.case_id))
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "case_id",
                           "case_id must be the id of a case");
    if (!t.case_id) {
        if (!t.kind || strcmp(t.kind, "delegation") != 0)
            return reply_error(req, CM_ERR_VALIDATION_FAILED, "case_id",
                               "give case_id (or kind=delegation for the "
                               "instruments of delegations)");
        if (!sees_caseless(req))
            return reply_error(req, CM_ERR_FORBIDDEN, NULL,
                               "only administrators and auditors see the "
                               "instruments of delegations");
    }
    t.items = json_array();
    err = app_run_read(req, "document_list", list_tx, &t.base);
    if (err != CM_ERR_OK) {
        if (t.missing)
            app_audit_alone(req, NULL, "document.list",
                            t.found_kind ? t.found_kind : "case", t.case_id,
                            "not_found", NULL);
        json_decref(t.items);
        return err;
    }
    return reply_json(req, 200,
                      json_pack("{s:o, s:n}", "items", t.items, "next_cursor"));
}

/* ---- GET /api/v1/subpoenas/{id}/manifest --------------------------------*/

struct manifest_tx {
    struct app_tx base;
    const char *id;
    bool missing;
    json_t *out;
};

struct manifest_acc {
    json_t *files;
    struct buf canon; /* what manifest_sha256 hashes */
};

static void
manifest_cb(void *cls, const struct store_document *d)
{
    struct manifest_acc *m = cls;
    json_t *o = document_json(d);
    json_t *items = d->item_ids ? json_loads(d->item_ids, 0, NULL) : NULL;
    char hex[SHA256_HEX_SIZE];

    sha256_hex(d->sha256, hex);
    (void)json_object_del(o, "kind");
    (void)json_object_set_new(o, "item_ids",
                              json_is_array(items) ? items : json_array());
    if (items && !json_is_array(items))
        json_decref(items);
    (void)json_array_append_new(m->files, o);
    buf_addf(&m->canon, "%s %lld %s\n", hex, (long long)d->size, d->id);
}

static enum store_rc
manifest_tx(struct store *s, void *ctx)
{
    struct manifest_tx *t = ctx;
    struct manifest_acc m = {json_array(), BUF_INIT};
    struct case_scope c;
    unsigned char h[STORE_SHA256_SIZE];
    char hex[SHA256_HEX_SIZE];
    enum store_rc rc;
    int n;

    json_decref(t->out);
    t->out = NULL;
    t->missing = false;
    memset(&c, 0, sizeof c);
    rc = case_load(s, t->base.req, "subpoena", t->id, &c);
    if (rc < 0)
        goto out_acc;
    if (rc == STORE_NO_RESULTS || !c.is_visible) {
        t->missing = true;
        rc = app_fail(&t->base, CM_ERR_NOT_FOUND, NULL,
                      "no subpoena with this id");
        goto out_case;
    }
    n = store_document_list(s, "subpoena", c.id, "production", manifest_cb, &m);
    if (n < 0) {
        rc = (enum store_rc)n;
        goto out_case;
    }
    digest_sha256(buf_str(&m.canon), m.canon.len, h);
    sha256_hex(h, hex);
    t->out = json_pack("{s:s, s:s, s:o, s:O, s:s}", "subpoena_id", c.id,
                       "number", c.number, "generated_at",
                       app_json_time(app_now(app_of(t->base.req))), "files",
                       m.files, "manifest_sha256", hex);
    rc = t->out ? STORE_ONE_RESULT : STORE_HARD_ERROR;
out_case:
    case_scope_release(&c);
out_acc:
    json_decref(m.files);
    buf_release(&m.canon);
    return rc;
}

static enum cm_err
h_documents_manifest(struct http_req *req)
{
    struct manifest_tx t;
    enum cm_err err;

    memset(&t, 0, sizeof t);
    t.base.req = req;
    t.id = http_req_param(req, "id");
    err = app_run_read(req, "subpoena_manifest", manifest_tx, &t.base);
    if (err != CM_ERR_OK) {
        if (t.missing)
            app_audit_alone(req, NULL, "subpoena.manifest.read", "subpoena",
                            t.id, "not_found", NULL);
        json_decref(t.out);
        return err;
    }
    return reply_json(req, 200, t.out);
}
