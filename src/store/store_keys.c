/*
 * store_keys.c: the wrappers of store_keys.h (key rotation's sealed
 * values): asserts and fault injection, then the backend; and the table of
 * sealed columns both backends share.
 */
#include "store/store_keys.h"

#include <assert.h>
#include <string.h>

#include "core/alloc.h"
#include "store/store_int.h"

static const char *const kind_names[STORE_SEALED__COUNT] = {
    [STORE_SEALED_PEOPLE] = "people",
    [STORE_SEALED_TOTP] = "totp",
    [STORE_SEALED_ITEM_VALUE] = "item_value",
    [STORE_SEALED_WEBHOOK] = "webhook",
    [STORE_SEALED_SIGNING_KEY] = "signing_key",
};

size_t
store_sealed_values(enum store_sealed_kind kind)
{
    return kind == STORE_SEALED_PEOPLE ? STORE_SEALED_VALUES : 1;
}

const char *
store_sealed_kind_name(enum store_sealed_kind kind)
{
    assert(kind < STORE_SEALED__COUNT);
    return kind_names[kind];
}

int
store_sealed_list_stale(struct store *s,
                        enum store_sealed_kind kind,
                        unsigned key_id,
                        const char *after,
                        int limit,
                        store_sealed_cb cb,
                        void *cls)
{
    enum store_rc rc;

    assert(kind < STORE_SEALED__COUNT && key_id <= 255 && after != NULL &&
           limit >= 1 && limit <= 10000 && cb != NULL);
    if (store_is_faulted(s, &rc))
        return rc;
    return s->ops->keys->sealed_list_stale(s, kind, key_id, after, limit, cb,
                                           cls);
}

enum store_rc
store_sealed_update(struct store *s,
                    enum store_sealed_kind kind,
                    const struct store_sealed_row *old,
                    const struct store_sealed_row *now)
{
    enum store_rc rc;

    assert(kind < STORE_SEALED__COUNT && old != NULL && now != NULL &&
           strcmp(old->key, now->key) == 0 && now->key[0]);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->keys->sealed_update(s, kind, old, now);
    return rc;
}

enum store_rc
store_sealed_count(struct store *s,
                   enum store_sealed_kind kind,
                   int64_t by_id[256])
{
    enum store_rc rc;

    assert(kind < STORE_SEALED__COUNT && by_id != NULL);
    memset(by_id, 0, 256 * sizeof by_id[0]);
    if (!store_is_faulted(s, &rc))
        rc = s->ops->keys->sealed_count(s, kind, by_id);
    return rc;
}

void
store_sealed_row_release(struct store_sealed_row *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < STORE_SEALED_VALUES; i++)
        store_blob_release(&r->values[i]);
    for (size_t i = 0; i < STORE_SEALED_INDEXES; i++)
        store_blob_release(&r->indexes[i]);
    memset(r, 0, sizeof *r);
}

void
store_sealed_row_copy(struct store_sealed_row *out,
                      const struct store_sealed_row *r)
{
    memset(out, 0, sizeof *out);
    memcpy(out->key, r->key, sizeof out->key);
    memcpy(out->record_id, r->record_id, sizeof out->record_id);
    for (size_t i = 0; i < STORE_SEALED_VALUES; i++)
        if (r->values[i].data)
            out->values[i] =
                store_blob_dup(r->values[i].data, r->values[i].len);
    for (size_t i = 0; i < STORE_SEALED_INDEXES; i++)
        if (r->indexes[i].data)
            out->indexes[i] =
                store_blob_dup(r->indexes[i].data, r->indexes[i].len);
}
