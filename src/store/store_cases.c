/*
 * store_cases.c: the wrappers of store_cases.h (scoped case lists and
 * counts, subpoena items, extensions, enforcement cases, deadlines):
 * asserts and fault injection, then the backend; and the release
 * functions of its rows.
 */
#include "store/store_cases.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "store/store_int.h"

struct store_cursor
store_cursor_after(int64_t created_at, const char *id)
{
    struct store_cursor c = {created_at, ""};

    if (id != NULL)
        (void)snprintf(c.id, sizeof c.id, "%s", id);
    return c;
}

int
store_detainer_list(struct store *s,
                    const struct store_scope *scope,
                    const struct store_case_filter *filter,
                    const struct store_cursor *after,
                    int limit,
                    store_detainer_cb cb,
                    void *cls)
{
    enum store_rc frc;
    int rc;

    assert(scope != NULL && cb != NULL && limit >= 0);
    if (store_is_faulted(s, &frc))
        rc = frc;
    else
        rc = s->ops->cases->detainer_list(s, scope, filter, after, limit, cb,
                                          cls);
    return rc;
}

enum store_rc
store_detainer_count(struct store *s,
                     const struct store_scope *scope,
                     const struct store_case_filter *filter,
                     int64_t *n)
{
    enum store_rc rc;

    assert(scope != NULL && n != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->cases->detainer_count(s, scope, filter, n);
    return rc;
}

static bool
is_set(const char *v)
{
    return v && *v;
}

bool
store_subpoena_list_is_keyed(const struct store_scope *scope,
                             const struct store_case_filter *filter,
                             const char **org,
                             bool *as_recipient)
{
    bool agency = scope->agency_org_id[0] != '\0';
    bool jurisdiction = scope->jurisdiction_org_id[0] != '\0';

    if (scope->all || scope->doj_org_id[0] || agency == jurisdiction ||
        !filter || !is_set(filter->state) || strchr(filter->state, ',') ||
        is_set(filter->recipient_org_id) || is_set(filter->person_id) ||
        is_set(filter->agency_org_id) || is_set(filter->number))
        return false;
    *org = agency ? scope->agency_org_id : scope->jurisdiction_org_id;
    *as_recipient = jurisdiction;
    return true;
}

bool
store_scope_is_jurisdiction(const struct store_scope *scope)
{
    return !scope->all && scope->jurisdiction_org_id[0] != '\0' &&
           scope->agency_org_id[0] == '\0' && scope->doj_org_id[0] == '\0';
}

bool
store_scope_is_doj(const struct store_scope *scope)
{
    return !scope->all && scope->doj_org_id[0] != '\0' &&
           scope->agency_org_id[0] == '\0' &&
           scope->jurisdiction_org_id[0] == '\0';
}

int
store_subpoena_list(struct store *s,
                    const struct store_scope *scope,
                    const struct store_case_filter *filter,
                    const struct store_cursor *after,
                    int limit,
                    store_subpoena_cb cb,
                    void *cls)
{
    enum store_rc frc;
    int rc;

    assert(scope != NULL && cb != NULL && limit >= 0);
    if (store_is_faulted(s, &frc))
        rc = frc;
    else
        rc = s->ops->cases->subpoena_list(s, scope, filter, after, limit, cb,
                                          cls);
    return rc;
}

enum store_rc
store_subpoena_count(struct store *s,
                     const struct store_scope *scope,
                     const struct store_case_filter *filter,
                     int64_t *n)
{
    enum store_rc rc;

    assert(scope != NULL && n != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->cases->subpoena_count(s, scope, filter, n);
    return rc;
}

int
store_enforcement_list(struct store *s,
                       const struct store_scope *scope,
                       const struct store_case_filter *filter,
                       const struct store_cursor *after,
                       int limit,
                       store_enforcement_cb cb,
                       void *cls)
{
    enum store_rc frc;
    int rc;

    assert(scope != NULL && cb != NULL && limit >= 0);
    if (store_is_faulted(s, &frc))
        rc = frc;
    else
        rc = s->ops->cases->enforcement_list(s, scope, filter, after, limit, cb,
                                             cls);
    return rc;
}

enum store_rc
store_enforcement_count(struct store *s,
                        const struct store_scope *scope,
                        const struct store_case_filter *filter,
                        int64_t *n)
{
    enum store_rc rc;

    assert(scope != NULL && n != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->cases->enforcement_count(s, scope, filter, n);
    return rc;
}

enum store_rc
store_subpoena_item_update(struct store *s,
                           const char *subpoena_id,
                           const struct store_subpoena_item *it)
{
    enum store_rc rc;

    assert(subpoena_id != NULL && it != NULL && it->id[0]);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->cases->subpoena_item_update(s, subpoena_id, it);
    return rc;
}

enum store_rc
store_extension_insert(struct store *s, const struct store_extension *x)
{
    enum store_rc rc;

    assert(x != NULL && x->id[0] && x->subpoena_id[0] && x->by_user[0]);
    assert(x->old_return_date && x->new_return_date && x->reason);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->cases->extension_insert(s, x);
    return rc;
}

int
store_extension_list(struct store *s,
                     const char *subpoena_id,
                     store_extension_cb cb,
                     void *cls)
{
    enum store_rc frc;
    int rc;

    assert(subpoena_id != NULL && cb != NULL);
    if (store_is_faulted(s, &frc))
        rc = frc;
    else
        rc = s->ops->cases->extension_list(s, subpoena_id, cb, cls);
    return rc;
}

void
store_extension_release(struct store_extension *x)
{
    if (x == NULL)
        return;
    cm_free(x->old_return_date);
    cm_free(x->new_return_date);
    cm_free(x->reason);
    memset(x, 0, sizeof *x);
}

enum store_rc
store_enforcement_insert(struct store *s, const struct store_enforcement *e)
{
    enum store_rc rc;

    assert(e != NULL && e->id[0] && e->number[0] && e->subpoena_id[0]);
    assert(e->state != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->cases->enforcement_insert(s, e);
    return rc;
}

enum store_rc
store_enforcement_get(struct store *s,
                      const char *id,
                      struct store_enforcement *out)
{
    enum store_rc rc;

    assert(id != NULL && out != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->cases->enforcement_get(s, id, out);
    return rc;
}

enum store_rc
store_enforcement_update(struct store *s, const struct store_enforcement *e)
{
    enum store_rc rc;

    assert(e != NULL && e->state != NULL && e->version >= 1);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->cases->enforcement_update(s, e);
    return rc;
}

void
store_enforcement_release(struct store_enforcement *e)
{
    if (e == NULL)
        return;
    cm_free(e->state);
    cm_free(e->court);
    cm_free(e->district);
    cm_free(e->docket_number);
    cm_free(e->filed_on);
    cm_free(e->hearing_on);
    cm_free(e->response_due);
    cm_free(e->result);
    cm_free(e->entered_on);
    cm_free(e->compliance_due);
    cm_free(e->items_kept);
    cm_free(e->contempt_kind);
    cm_free(e->starts_on);
    cm_free(e->purged_on);
    cm_free(e->closed_reason);
    memset(e, 0, sizeof *e);
}

enum store_rc
store_deadline_upsert(struct store *s, const struct store_deadline *d)
{
    enum store_rc rc;

    assert(d != NULL && d->id[0] && d->case_kind && d->case_id[0]);
    assert(d->kind && d->due && strlen(d->due) >= 10 && d->rule_id);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->cases->deadline_upsert(s, d);
    return rc;
}

enum store_rc
store_deadline_delete(struct store *s,
                      const char *case_kind,
                      const char *case_id,
                      const char *kind)
{
    enum store_rc rc;

    assert(case_kind != NULL && case_id != NULL && kind != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->cases->deadline_delete(s, case_kind, case_id, kind);
    return rc;
}

int
store_deadline_list_for_case(struct store *s,
                             const char *case_kind,
                             const char *case_id,
                             store_deadline_cb cb,
                             void *cls)
{
    enum store_rc frc;
    int rc;

    assert(case_kind != NULL && case_id != NULL && cb != NULL);
    if (store_is_faulted(s, &frc))
        rc = frc;
    else
        rc = s->ops->cases->deadline_list_for_case(s, case_kind, case_id, cb,
                                                   cls);
    return rc;
}

int
store_deadline_list_due(struct store *s,
                        const struct store_scope *scope,
                        const char *from_date,
                        const char *to_date,
                        int limit,
                        store_deadline_cb cb,
                        void *cls)
{
    enum store_rc frc;
    int rc;

    assert(scope != NULL && from_date != NULL && to_date != NULL);
    assert(cb != NULL && limit >= 0);
    if (store_is_faulted(s, &frc))
        rc = frc;
    else
        rc = s->ops->cases->deadline_list_due(s, scope, from_date, to_date,
                                              limit, cb, cls);
    return rc;
}

void
store_deadline_release(struct store_deadline *d)
{
    if (d == NULL)
        return;
    cm_free(d->case_kind);
    cm_free(d->kind);
    cm_free(d->due);
    cm_free(d->rule_id);
    cm_free(d->trigger);
    cm_free(d->explanation);
    cm_free(d->case_number);
    cm_free(d->case_state);
    memset(d, 0, sizeof *d);
}

/* ---- accounting of disclosures -----------------------------------------*/

enum store_rc
store_disclosure_insert(struct store *s, const struct store_disclosure *d)
{
    enum store_rc rc;

    assert(d != NULL && d->id[0] && d->person_id[0] && d->subpoena_id[0]);
    assert(d->source_org_id[0] && d->recipient_org_id[0] && d->disclosed_by[0]);
    assert(d->nature && d->purpose);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->cases->disclosure_insert(s, d);
    return rc;
}

int
store_disclosure_list(struct store *s,
                      const char *person_id,
                      const char *source_org_id,
                      const struct store_cursor *after,
                      int limit,
                      store_disclosure_cb cb,
                      void *cls)
{
    enum store_rc frc;
    int rc;

    assert(person_id != NULL && cb != NULL && limit >= 0);
    if (store_is_faulted(s, &frc))
        rc = frc;
    else
        rc = s->ops->cases->disclosure_list(s, person_id, source_org_id, after,
                                            limit, cb, cls);
    return rc;
}

void
store_disclosure_release(struct store_disclosure *d)
{
    if (d == NULL)
        return;
    cm_free(d->nature);
    cm_free(d->purpose);
    memset(d, 0, sizeof *d);
}
