/*
 * export.c: CSV export of case lists (bulk.h). The whole filtered list is
 * read page by page through the scoped store lists, so an export sees
 * exactly what the list shows its caller. Detainers are written in the
 * import format (bulk_int.h's columns), so that exporting, importing the
 * file and exporting again gives the same bytes.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "bulk/bulk.h"
#include "bulk/bulk_int.h"
#include "core/alloc.h"
#include "domain/date.h"
#include "render/csv.h"

/* Rows read from the store at a time. */
#define PAGE 1000

/* The rows of one page, copied out of the list callbacks. */
struct page {
    enum bulk_export_kind kind;
    struct store_detainer *d;
    struct store_subpoena *sp;
    struct store_enforcement *e;
    size_t n;
};

static char *
dup_or_null(const char *s)
{
    return s ? cm_strdup(s) : NULL;
}

static void
detainer_cb(void *cls, const struct store_detainer *d)
{
    struct page *p = cls;
    struct store_detainer *c;

    p->d = cm_realloc(p->d, (p->n + 1) * sizeof *p->d);
    c = &p->d[p->n++];
    *c = *d;
    c->form = dup_or_null(d->form);
    c->basis = dup_or_null(d->basis);
    c->hold_rule = dup_or_null(d->hold_rule);
    c->state = dup_or_null(d->state);
    c->outcome_source = dup_or_null(d->outcome_source);
    c->reason = dup_or_null(d->reason);
    c->cancel_reason = dup_or_null(d->cancel_reason);
}

static void
subpoena_cb(void *cls, const struct store_subpoena *sp)
{
    struct page *p = cls;
    struct store_subpoena *c;

    p->sp = cm_realloc(p->sp, (p->n + 1) * sizeof *p->sp);
    c = &p->sp[p->n++];
    memset(c, 0, sizeof *c);
    memcpy(c->id, sp->id, sizeof c->id);
    c->created_at = sp->created_at;
    memcpy(c->number, sp->number, sizeof c->number);
    memcpy(c->recipient_org_id, sp->recipient_org_id,
           sizeof c->recipient_org_id);
    c->purpose = dup_or_null(sp->purpose);
    c->state = dup_or_null(sp->state);
    c->signed_at = sp->signed_at;
    c->served_at = sp->served_at;
    c->service_method = dup_or_null(sp->service_method);
    c->return_date = dup_or_null(sp->return_date);
    c->original_return_date = dup_or_null(sp->original_return_date);
    c->responded_at = sp->responded_at;
    c->disposition = dup_or_null(sp->disposition);
}

static void
enforcement_cb(void *cls, const struct store_enforcement *e)
{
    struct page *p = cls;
    struct store_enforcement *c;

    p->e = cm_realloc(p->e, (p->n + 1) * sizeof *p->e);
    c = &p->e[p->n++];
    memset(c, 0, sizeof *c);
    memcpy(c->id, e->id, sizeof c->id);
    c->created_at = e->created_at;
    memcpy(c->number, e->number, sizeof c->number);
    memcpy(c->respondent_org_id, e->respondent_org_id,
           sizeof c->respondent_org_id);
    c->state = dup_or_null(e->state);
    c->court = dup_or_null(e->court);
    c->district = dup_or_null(e->district);
    c->docket_number = dup_or_null(e->docket_number);
    c->filed_on = dup_or_null(e->filed_on);
    c->hearing_on = dup_or_null(e->hearing_on);
    c->result = dup_or_null(e->result);
    c->entered_on = dup_or_null(e->entered_on);
    c->compliance_due = dup_or_null(e->compliance_due);
    c->closed_at = e->closed_at;
}

static void
page_reset(struct page *p)
{
    for (size_t i = 0; i < p->n; i++) {
        if (p->d)
            store_detainer_release(&p->d[i]);
        if (p->sp)
            store_subpoena_release(&p->sp[i]);
        if (p->e)
            store_enforcement_release(&p->e[i]);
    }
    cm_free(p->d);
    cm_free(p->sp);
    cm_free(p->e);
    p->d = NULL;
    p->sp = NULL;
    p->e = NULL;
    p->n = 0;
}

/* An RFC 3339 UTC time to the second, or "" for 0. */
static void
put_time(struct buf *out, int64_t us)
{
    char t[DATE_RFC3339_SIZE];

    if (us == 0) {
        csv_write_field(out, NULL);
        return;
    }
    date_time_format_rfc3339(us / 1000000, 0, t);
    csv_write_field(out, t);
}

/* The name and state of org `id` (owned copies into the outputs). */
static enum store_rc
org_names(struct store *s, const char *id, char **name, char **state)
{
    struct store_org o;
    enum store_rc rc = store_org_get(s, id, &o);

    if (rc != STORE_ONE_RESULT)
        return rc < 0 ? rc : STORE_HARD_ERROR;
    *name = o.name;
    *state = o.state;
    o.name = NULL;
    o.state = NULL;
    store_org_release(&o);
    return STORE_ONE_RESULT;
}

static enum store_rc
detainer_row(struct store *s, const struct store_detainer *d, struct buf *out)
{
    struct store_facility f;
    char *ref = NULL;
    char *person_ref = NULL;
    char *jname = NULL;
    char *jstate = NULL;
    enum store_rc rc;

    memset(&f, 0, sizeof f);
    rc = store_external_ref_get(s, STORE_REF_KIND_DETAINER, d->id, &ref);
    if (rc == STORE_ONE_RESULT)
        rc = store_external_ref_get(s, STORE_REF_KIND_PERSON, d->person_id,
                                    &person_ref);
    if (rc == STORE_ONE_RESULT)
        rc = store_facility_get(s, d->facility_id, &f);
    if (rc == STORE_ONE_RESULT)
        rc = org_names(s, f.org_id, &jname, &jstate);
    if (rc != STORE_ONE_RESULT) {
        rc = rc < 0 ? rc : STORE_HARD_ERROR;
        goto out_release;
    }
    csv_write_field(out, d->number);
    csv_write_field(out, ref);
    /* A person made through the API has no external_ref: its id, which
     * import accepts as person_ref too. */
    csv_write_field(out, person_ref ? person_ref : d->person_id);
    csv_write_field(out, jname);
    csv_write_field(out, jstate);
    csv_write_field(out, f.name);
    csv_write_field(out, d->basis);
    csv_write_field(out, d->hold_rule);
    csv_write_field(out, d->state);
    put_time(out, d->created_at);
    put_time(out, d->acknowledged_at);
    put_time(out, d->decided_at);
    csv_write_field(out, d->outcome_source);
    csv_write_field(out, d->reason);
    put_time(out, d->released_at);
    csv_write_field(out, d->notice_given < 0    ? NULL
                         : d->notice_given == 1 ? "true"
                                                : "false");
    put_time(out, d->transferred_at);
    csv_write_field(out, d->cancel_reason);
    csv_write_row_end(out);
out_release:
    cm_free(ref);
    cm_free(person_ref);
    cm_free(jname);
    cm_free(jstate);
    store_facility_release(&f);
    return rc;
}

static const char *const subpoena_cols[] = {"number",
                                            "state",
                                            "recipient",
                                            "recipient_state",
                                            "purpose",
                                            "return_date",
                                            "original_return_date",
                                            "signed_at",
                                            "served_at",
                                            "service_method",
                                            "responded_at",
                                            "disposition",
                                            "created_at",
                                            NULL};

static enum store_rc
subpoena_row(struct store *s, const struct store_subpoena *sp, struct buf *out)
{
    char *name = NULL;
    char *state = NULL;
    enum store_rc rc = org_names(s, sp->recipient_org_id, &name, &state);

    if (rc != STORE_ONE_RESULT)
        return rc;
    csv_write_field(out, sp->number);
    csv_write_field(out, sp->state);
    csv_write_field(out, name);
    csv_write_field(out, state);
    csv_write_field(out, sp->purpose);
    csv_write_field(out, sp->return_date);
    csv_write_field(out, sp->original_return_date);
    put_time(out, sp->signed_at);
    put_time(out, sp->served_at);
    csv_write_field(out, sp->service_method);
    put_time(out, sp->responded_at);
    csv_write_field(out, sp->disposition);
    put_time(out, sp->created_at);
    csv_write_row_end(out);
    cm_free(name);
    cm_free(state);
    return STORE_ONE_RESULT;
}

static const char *const enforcement_cols[] = {
    "number",     "state",          "respondent", "respondent_state", "court",
    "district",   "docket_number",  "filed_on",   "hearing_on",       "result",
    "entered_on", "compliance_due", "closed_at",  "created_at",       NULL};

static enum store_rc
enforcement_row(struct store *s,
                const struct store_enforcement *e,
                struct buf *out)
{
    char *name = NULL;
    char *state = NULL;
    enum store_rc rc = org_names(s, e->respondent_org_id, &name, &state);

    if (rc != STORE_ONE_RESULT)
        return rc;
    csv_write_field(out, e->number);
    csv_write_field(out, e->state);
    csv_write_field(out, name);
    csv_write_field(out, state);
    csv_write_field(out, e->court);
    csv_write_field(out, e->district);
    csv_write_field(out, e->docket_number);
    csv_write_field(out, e->filed_on);
    csv_write_field(out, e->hearing_on);
    csv_write_field(out, e->result);
    csv_write_field(out, e->entered_on);
    csv_write_field(out, e->compliance_due);
    put_time(out, e->closed_at);
    put_time(out, e->created_at);
    csv_write_row_end(out);
    cm_free(name);
    cm_free(state);
    return STORE_ONE_RESULT;
}

static void
write_header(struct buf *out, const char *const *cols)
{
    for (size_t i = 0; cols[i]; i++)
        csv_write_field(out, cols[i]);
    csv_write_row_end(out);
}

enum store_rc
bulk_export(struct store *s,
            enum bulk_export_kind kind,
            const struct store_scope *scope,
            const struct store_case_filter *filter,
            struct buf *out,
            size_t *rows)
{
    struct page p;
    struct store_cursor after;
    bool has_after = false;
    size_t total = 0;
    enum store_rc rc = STORE_ONE_RESULT;

    memset(&p, 0, sizeof p);
    memset(&after, 0, sizeof after);
    p.kind = kind;
    write_header(out, kind == BULK_EXPORT_KIND_DETAINERS
                          ? bulk_detainer_columns()
                      : kind == BULK_EXPORT_KIND_SUBPOENAS ? subpoena_cols
                                                           : enforcement_cols);
    for (;;) {
        const struct store_cursor *cur = has_after ? &after : NULL;
        int n;

        page_reset(&p);
        if (kind == BULK_EXPORT_KIND_DETAINERS)
            n = store_detainer_list(s, scope, filter, cur, PAGE, detainer_cb,
                                    &p);
        else if (kind == BULK_EXPORT_KIND_SUBPOENAS)
            n = store_subpoena_list(s, scope, filter, cur, PAGE, subpoena_cb,
                                    &p);
        else
            n = store_enforcement_list(s, scope, filter, cur, PAGE,
                                       enforcement_cb, &p);
        if (n < 0) {
            rc = (enum store_rc)n;
            break;
        }
        for (size_t i = 0; i < p.n && rc == STORE_ONE_RESULT; i++) {
            if (kind == BULK_EXPORT_KIND_DETAINERS)
                rc = detainer_row(s, &p.d[i], out);
            else if (kind == BULK_EXPORT_KIND_SUBPOENAS)
                rc = subpoena_row(s, &p.sp[i], out);
            else
                rc = enforcement_row(s, &p.e[i], out);
        }
        if (rc != STORE_ONE_RESULT)
            break;
        total += p.n;
        if (p.n < PAGE)
            break;
        if (kind == BULK_EXPORT_KIND_DETAINERS)
            after =
                store_cursor_after(p.d[p.n - 1].created_at, p.d[p.n - 1].id);
        else if (kind == BULK_EXPORT_KIND_SUBPOENAS)
            after =
                store_cursor_after(p.sp[p.n - 1].created_at, p.sp[p.n - 1].id);
        else
            after =
                store_cursor_after(p.e[p.n - 1].created_at, p.e[p.n - 1].id);
        has_after = true;
    }
    page_reset(&p);
    if (rc == STORE_ONE_RESULT && rows)
        *rows = total;
    return rc;
}
