/*
 * store_bulk.c: the wrappers of store_bulk.h (natural-key lookups and
 * inserts for bulk import): asserts and fault injection, then the backend.
 */
#include "store/store_bulk.h"

#include <assert.h>

#include "store/store_int.h"

enum store_rc
store_bulk_batch_hint(struct store *s, bool large)
{
    enum store_rc rc;

    if (!store_is_faulted(s, &rc))
        rc = s->ops->bulk->batch_hint(s, large);
    return rc;
}

enum store_rc
store_org_find(struct store *s,
               const char *kind,
               const char *state,
               const char *name,
               struct store_org *out)
{
    enum store_rc rc;

    assert(kind != NULL && name != NULL && out != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->bulk->org_find(s, kind, state, name, out);
    return rc;
}

enum store_rc
store_facility_find(struct store *s,
                    const char *org_id,
                    const char *name,
                    struct store_facility *out)
{
    enum store_rc rc;

    assert(org_id != NULL && name != NULL && out != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->bulk->facility_find(s, org_id, name, out);
    return rc;
}

enum store_rc
store_person_find_ref(struct store *s,
                      const char *org_id,
                      const char *external_ref,
                      struct store_person *out)
{
    enum store_rc rc;

    assert(org_id != NULL && external_ref != NULL && out != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->bulk->person_find_ref(s, org_id, external_ref, out);
    return rc;
}

enum store_rc
store_person_insert_ref(struct store *s,
                        const struct store_person *p,
                        const char *external_ref)
{
    enum store_rc rc;

    assert(p != NULL && p->id[0] && p->org_id[0] && p->family_name.data);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->bulk->person_insert_ref(s, p, external_ref);
    return rc;
}

enum store_rc
store_detainer_find_ref(struct store *s,
                        const char *agency_org_id,
                        const char *external_ref,
                        struct store_detainer *out)
{
    enum store_rc rc;

    assert(agency_org_id != NULL && external_ref != NULL && out != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->bulk->detainer_find_ref(s, agency_org_id, external_ref,
                                             out);
    return rc;
}

enum store_rc
store_detainer_find_number(struct store *s,
                           const char *number,
                           struct store_detainer *out)
{
    enum store_rc rc;

    assert(number != NULL && out != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->bulk->detainer_find_number(s, number, out);
    return rc;
}

enum store_rc
store_detainer_insert_ref(struct store *s,
                          const struct store_detainer *d,
                          const char *external_ref)
{
    enum store_rc rc;

    assert(d != NULL && d->id[0] && d->number[0]);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->bulk->detainer_insert_ref(s, d, external_ref);
    return rc;
}

enum store_rc
store_detainers_stage_begin(struct store *s)
{
    enum store_rc rc;

    if (!store_is_faulted(s, &rc))
        rc = s->ops->bulk->detainers_stage_begin
                 ? s->ops->bulk->detainers_stage_begin(s)
                 : STORE_ONE_RESULT;
    return rc;
}

enum store_rc
store_detainer_stage(struct store *s,
                     const struct store_detainer *d,
                     const char *external_ref,
                     long line)
{
    enum store_rc rc;

    assert(d != NULL && d->id[0] && d->number[0]);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->bulk->detainer_stage
                 ? s->ops->bulk->detainer_stage(s, d, external_ref, line)
                 : s->ops->bulk->detainer_insert_ref(s, d, external_ref);
    return rc;
}

enum store_rc
store_detainers_stage_end(struct store *s,
                          store_stage_conflict_fn conflict,
                          void *cls)
{
    enum store_rc rc;

    assert(conflict != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->bulk->detainers_stage_end
                 ? s->ops->bulk->detainers_stage_end(s, conflict, cls)
                 : STORE_ONE_RESULT;
    return rc;
}

enum store_rc
store_external_ref_get(struct store *s,
                       enum store_ref_kind kind,
                       const char *id,
                       char **out)
{
    enum store_rc rc;

    assert(id != NULL && out != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->bulk->external_ref_get(s, kind, id, out);
    return rc;
}

enum store_rc
store_case_number_raise(struct store *s,
                        const char *prefix,
                        int year,
                        int64_t last)
{
    enum store_rc rc;

    assert(prefix != NULL && last >= 1 && last <= 999999);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->bulk->case_number_raise(s, prefix, year, last);
    return rc;
}
