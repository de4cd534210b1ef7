/*
 * store_admin.c: the wrappers of store_admin.h (filtered organization and
 * facility lists, jurisdiction policies, delegations, calendars):
 * asserts and fault injection, then the backend; and the release
 * functions of its rows.
 */
#include "store/store_admin.h"

#include <assert.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/rand.h"
#include "store/store_int.h"

#ifndef NDEBUG
/* A YYYY-MM-DD string, checked by shape only (the assert of a caller's
 * invariant: dates are parsed and validated above the store). */
static bool
is_date(const char *d)
{
    return d != NULL && strlen(d) == 10 && d[4] == '-' && d[7] == '-';
}
#endif

int
store_org_list_by_kind(struct store *s,
                       const char *kind,
                       const char *after_id,
                       int limit,
                       store_org_cb cb,
                       void *cls)
{
    enum store_rc frc;
    int rc;

    assert(cb != NULL && limit >= 0);
    if (store_is_faulted(s, &frc))
        rc = frc;
    else
        rc = s->ops->admin->org_list_by_kind(s, kind, after_id, limit, cb, cls);
    return rc;
}

int
store_facility_list(struct store *s,
                    const char *after_id,
                    int limit,
                    store_facility_cb cb,
                    void *cls)
{
    enum store_rc frc;
    int rc;

    assert(cb != NULL && limit >= 0);
    if (store_is_faulted(s, &frc))
        rc = frc;
    else
        rc = s->ops->admin->facility_list(s, after_id, limit, cb, cls);
    return rc;
}

enum store_rc
store_policy_insert(struct store *s,
                    const struct store_policy *p,
                    int64_t *version_no)
{
    enum store_rc rc;

    assert(p != NULL && p->id[0] && p->org_id[0] && version_no != NULL);
    assert(is_date(p->effective_from) && p->detainers && p->subpoenas);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->admin->policy_insert(s, p, version_no);
    return rc;
}

enum store_rc
store_policy_get(struct store *s, const char *id, struct store_policy *out)
{
    enum store_rc rc;

    assert(id != NULL && out != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->admin->policy_get(s, id, out);
    return rc;
}

int
store_policy_list_by_org(struct store *s,
                         const char *org_id,
                         store_policy_cb cb,
                         void *cls)
{
    enum store_rc frc;
    int rc;

    assert(org_id != NULL && cb != NULL);
    if (store_is_faulted(s, &frc))
        rc = frc;
    else
        rc = s->ops->admin->policy_list_by_org(s, org_id, cb, cls);
    return rc;
}

enum store_rc
store_policy_in_force(struct store *s,
                      const char *org_id,
                      const char *date,
                      struct store_policy *out)
{
    enum store_rc rc;

    assert(org_id != NULL && is_date(date) && out != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->admin->policy_in_force(s, org_id, date, out);
    return rc;
}

void
store_policy_release(struct store_policy *p)
{
    if (p == NULL)
        return;
    cm_free(p->effective_from);
    cm_free(p->detainers);
    cm_free(p->subpoenas);
    cm_free(p->citation);
    cm_free(p->summary);
    memset(p, 0, sizeof *p);
}

enum store_rc
store_delegation_insert(struct store *s, const struct store_delegation *d)
{
    enum store_rc rc;

    assert(d != NULL && d->id[0] && d->user_id[0] && d->authority);
    assert(is_date(d->effective_from));
    assert(d->effective_to == NULL || is_date(d->effective_to));
    if (!store_is_faulted(s, &rc))
        rc = s->ops->admin->delegation_insert(s, d);
    return rc;
}

int
store_delegation_list_by_user(struct store *s,
                              const char *user_id,
                              store_delegation_cb cb,
                              void *cls)
{
    enum store_rc frc;
    int rc;

    assert(user_id != NULL && cb != NULL);
    if (store_is_faulted(s, &frc))
        rc = frc;
    else
        rc = s->ops->admin->delegation_list_by_user(s, user_id, cb, cls);
    return rc;
}

enum store_rc
store_delegation_in_force(struct store *s,
                          const char *user_id,
                          const char *date,
                          struct store_delegation *out)
{
    enum store_rc rc;

    assert(user_id != NULL && is_date(date) && out != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->admin->delegation_in_force(s, user_id, date, out);
    return rc;
}

void
store_delegation_release(struct store_delegation *d)
{
    if (d == NULL)
        return;
    cm_free(d->authority);
    cm_free(d->effective_from);
    cm_free(d->effective_to);
    memset(d, 0, sizeof *d);
}

enum store_rc
store_calendar_insert(struct store *s, const struct store_calendar *c)
{
    enum store_rc rc;

    assert(c != NULL && c->id[0] && c->name != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->admin->calendar_insert(s, c);
    return rc;
}

enum store_rc
store_calendar_get(struct store *s, const char *id, struct store_calendar *out)
{
    enum store_rc rc;

    assert(id != NULL && out != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->admin->calendar_get(s, id, out);
    return rc;
}

enum store_rc
store_calendar_get_by_org(struct store *s,
                          const char *org_id,
                          struct store_calendar *out)
{
    enum store_rc rc;

    assert(org_id != NULL && out != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->admin->calendar_get_by_org(s, org_id, out);
    return rc;
}

int
store_calendar_list(struct store *s, store_calendar_cb cb, void *cls)
{
    enum store_rc frc;
    int rc;

    assert(cb != NULL);
    if (store_is_faulted(s, &frc))
        rc = frc;
    else
        rc = s->ops->admin->calendar_list(s, cb, cls);
    return rc;
}

void
store_calendar_release(struct store_calendar *c)
{
    if (c == NULL)
        return;
    cm_free(c->name);
    memset(c, 0, sizeof *c);
}

enum store_rc
store_closure_insert(struct store *s,
                     const struct store_closure *c,
                     int64_t *version)
{
    enum store_rc rc;

    assert(c != NULL && c->id[0] && c->calendar_id[0] && is_date(c->date));
    assert(c->name != NULL && c->source != NULL && version != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->admin->closure_insert(s, c, version);
    return rc;
}

int
store_closure_list(struct store *s,
                   const char *calendar_id,
                   store_closure_cb cb,
                   void *cls)
{
    enum store_rc frc;
    int rc;

    assert(calendar_id != NULL && cb != NULL);
    if (store_is_faulted(s, &frc))
        rc = frc;
    else
        rc = s->ops->admin->closure_list(s, calendar_id, cb, cls);
    return rc;
}

void
store_closure_release(struct store_closure *c)
{
    if (c == NULL)
        return;
    cm_free(c->date);
    cm_free(c->name);
    cm_free(c->source);
    memset(c, 0, sizeof *c);
}

enum store_rc
store_state_holiday_insert(struct store *s,
                           const struct store_state_holiday *h,
                           int64_t *version)
{
    enum store_rc rc;

    assert(h != NULL && h->id[0] && h->calendar_id[0] && h->kind && h->name);
    assert(h->date == NULL || is_date(h->date));
    assert(version != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->admin->state_holiday_insert(s, h, version);
    return rc;
}

int
store_state_holiday_list(struct store *s,
                         const char *calendar_id,
                         store_state_holiday_cb cb,
                         void *cls)
{
    enum store_rc frc;
    int rc;

    assert(calendar_id != NULL && cb != NULL);
    if (store_is_faulted(s, &frc))
        rc = frc;
    else
        rc = s->ops->admin->state_holiday_list(s, calendar_id, cb, cls);
    return rc;
}

void
store_state_holiday_release(struct store_state_holiday *h)
{
    if (h == NULL)
        return;
    cm_free(h->kind);
    cm_free(h->date);
    cm_free(h->name);
    cm_free(h->source);
    memset(h, 0, sizeof *h);
}

enum store_rc
store_jurisdiction_calendar_insert(struct store *s,
                                   const struct store_org *o,
                                   char cal_id[STORE_ID_SIZE])
{
    struct store_calendar cal = {0};
    struct buf name = BUF_INIT;
    enum store_rc rc;

    assert(o != NULL && o->name != NULL && o->state != NULL);
    cm_id_new(cal.id);
    cal.name = o->name;
    memcpy(cal.org_id, o->id, sizeof cal.org_id);
    cal.created_at = cal.updated_at = o->created_at;
    rc = store_calendar_insert(s, &cal);
    if (rc == STORE_NO_RESULTS) {
        /* Calendar names are unique; a county's name recurs across
         * states, so the second one is told apart by its state. */
        buf_addf(&name, "%s (%s)", o->name, o->state);
        cal.name = (char *)buf_str(&name);
        rc = store_calendar_insert(s, &cal);
    }
    if (rc == STORE_ONE_RESULT)
        memcpy(cal_id, cal.id, STORE_ID_SIZE);
    buf_release(&name);
    return rc;
}
