/*
 * store_docs.c: the wrappers of store_docs.h (case documents): asserts
 * and fault injection, then the backend.
 */
#include "store/store_docs.h"

#include <assert.h>
#include <string.h>

#include "core/alloc.h"
#include "store/store_int.h"

enum store_rc
store_document_insert(struct store *s, const struct store_document *d)
{
    enum store_rc rc;

    assert(d != NULL && d->id[0] && d->kind && d->filename && d->content_type &&
           d->uploaded_by[0]);
    assert((d->case_kind == NULL) == (d->case_id[0] == '\0'));
    assert(d->size >= 0 && (size_t)d->size == d->content.len);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->docs->document_insert(s, d);
    return rc;
}

enum store_rc
store_document_get(struct store *s,
                   const char *id,
                   bool with_content,
                   struct store_document *out)
{
    enum store_rc rc;

    assert(id != NULL && out != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->docs->document_get(s, id, with_content, out);
    return rc;
}

int
store_document_list(struct store *s,
                    const char *case_kind,
                    const char *case_id,
                    const char *kind,
                    store_document_cb cb,
                    void *cls)
{
    enum store_rc frc;
    int rc;

    assert(cb != NULL && (case_kind == NULL) == (case_id == NULL));
    if (store_is_faulted(s, &frc))
        rc = frc;
    else
        rc = s->ops->docs->document_list(s, case_kind, case_id, kind, cb, cls);
    return rc;
}

enum store_rc
store_case_kind_of(struct store *s, const char *id, const char **out)
{
    enum store_rc rc;

    assert(id != NULL && out != NULL);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->docs->case_kind_of(s, id, out);
    return rc;
}

void
store_document_release(struct store_document *d)
{
    if (d == NULL)
        return;
    cm_free(d->case_kind);
    cm_free(d->kind);
    cm_free(d->filename);
    cm_free(d->content_type);
    cm_free(d->item_ids);
    store_blob_release(&d->content);
    memset(d, 0, sizeof *d);
}
