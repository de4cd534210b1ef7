/*
 * store_bulk.h: the store operations behind bulk import and export
 * (src/bulk/): finding organizations, facilities, people and detainers by
 * their natural keys, inserting people and detainers together with the
 * importing office's own record id (`external_ref`), keeping case numbers
 * given by an import from being handed out again, staging an import's new
 * detainers so that they go into the table together, and a hint that a
 * large batch is coming.
 *
 * An external_ref is 1 to 100 bytes of text, unique per agency office
 * among people and, separately, among detainers. Rows made through the API
 * have none.
 *
 * Included by store/store.h; callers include that.
 */
#ifndef CM_STORE_STORE_BULK_H
#define CM_STORE_STORE_BULK_H

#include "store/store.h"

/* Which table store_external_ref_get reads. */
enum store_ref_kind { STORE_REF_KIND_PERSON, STORE_REF_KIND_DETAINER };

/* Called by store_detainers_stage_end for each staged detainer that could
 * not be inserted because its number (or id, or external_ref) was taken
 * meanwhile: the `line` it was staged with and its number. */
typedef void (*store_stage_conflict_fn)(void *cls,
                                        long line,
                                        const char *number);

/* The bulk part of a backend's function table (store_ops.bulk). */
struct store_bulk_ops {
    enum store_rc (*batch_hint)(struct store *s, bool large);
    enum store_rc (*org_find)(struct store *s,
                              const char *kind,
                              const char *state,
                              const char *name,
                              struct store_org *out);
    enum store_rc (*facility_find)(struct store *s,
                                   const char *org_id,
                                   const char *name,
                                   struct store_facility *out);
    enum store_rc (*person_find_ref)(struct store *s,
                                     const char *org_id,
                                     const char *external_ref,
                                     struct store_person *out);
    enum store_rc (*person_insert_ref)(struct store *s,
                                       const struct store_person *p,
                                       const char *external_ref);
    enum store_rc (*detainer_find_ref)(struct store *s,
                                       const char *agency_org_id,
                                       const char *external_ref,
                                       struct store_detainer *out);
    enum store_rc (*detainer_find_number)(struct store *s,
                                          const char *number,
                                          struct store_detainer *out);
    enum store_rc (*detainer_insert_ref)(struct store *s,
                                         const struct store_detainer *d,
                                         const char *external_ref);
    /* Optional, all three or none: without them a staged detainer is
     * inserted at once (detainer_insert_ref). */
    enum store_rc (*detainers_stage_begin)(struct store *s);
    enum store_rc (*detainer_stage)(struct store *s,
                                    const struct store_detainer *d,
                                    const char *external_ref,
                                    long line);
    enum store_rc (*detainers_stage_end)(struct store *s,
                                         store_stage_conflict_fn conflict,
                                         void *cls);
    enum store_rc (*external_ref_get)(struct store *s,
                                      enum store_ref_kind kind,
                                      const char *id,
                                      char **out);
    enum store_rc (*case_number_raise)(struct store *s,
                                       const char *prefix,
                                       int year,
                                       int64_t last);
};

/* Tell the backend that a transaction writing many rows follows (`large`
 * true) or has ended (false), so it may size its caches for it. Changes no
 * data. STORE_ONE_RESULT. */
enum store_rc store_bulk_batch_hint(struct store *s, bool large);

/* The organization of `kind` ("jurisdiction", ...) in `state` (two
 * letters) named exactly `name`, into *out (release with
 * store_org_release). STORE_NO_RESULTS when there is none. */
enum store_rc store_org_find(struct store *s,
                             const char *kind,
                             const char *state,
                             const char *name,
                             struct store_org *out);

/* The facility of `org_id` named exactly `name`, into *out (release with
 * store_facility_release). STORE_NO_RESULTS when there is none. */
enum store_rc store_facility_find(struct store *s,
                                  const char *org_id,
                                  const char *name,
                                  struct store_facility *out);

/* The person recorded by office `org_id` under `external_ref`, into *out
 * (release with store_person_release). STORE_NO_RESULTS when none. */
enum store_rc store_person_find_ref(struct store *s,
                                    const char *org_id,
                                    const char *external_ref,
                                    struct store_person *out);

/* Insert person `p` (as store_person_insert; p->org_id required) with its
 * office's record id `external_ref`. STORE_NO_RESULTS, with nothing
 * written, when the id is taken or the office already has a person with
 * that external_ref. */
enum store_rc store_person_insert_ref(struct store *s,
                                      const struct store_person *p,
                                      const char *external_ref);

/* The detainer of office `agency_org_id` with record id `external_ref`,
 * into *out (release with store_detainer_release). STORE_NO_RESULTS when
 * none. */
enum store_rc store_detainer_find_ref(struct store *s,
                                      const char *agency_org_id,
                                      const char *external_ref,
                                      struct store_detainer *out);

/* The detainer numbered `number`, into *out. STORE_NO_RESULTS when none. */
enum store_rc store_detainer_find_number(struct store *s,
                                         const char *number,
                                         struct store_detainer *out);

/* Insert detainer `d` (as store_detainer_insert) with record id
 * `external_ref` (NULL or "": none). STORE_NO_RESULTS, with nothing
 * written, when the id or number is taken or the office already has a
 * detainer with that external_ref. */
enum store_rc store_detainer_insert_ref(struct store *s,
                                        const struct store_detainer *d,
                                        const char *external_ref);

/* Staging, for imports of many detainers: store_detainers_stage_begin
 * starts an empty stage in the current transaction; store_detainer_stage
 * puts detainer `d` (as store_detainer_insert_ref) on it, with the file's
 * `line` for errors; store_detainers_stage_end inserts every staged
 * detainer in one statement, in the order staged, and empties the stage.
 * A backend may insert each one at once instead; then
 * store_detainer_stage answers as store_detainer_insert_ref does.
 *
 * Staged rows are not visible to the lookups above until the end: the
 * caller keeps its own record of the keys and numbers it staged. A staged
 * detainer whose number, id or external_ref turns out to be taken is not
 * inserted and is reported to `conflict` (the others are inserted; the
 * caller rolls the transaction back). Each returns STORE_ONE_RESULT, or
 * an error (STORE_NO_RESULTS only from store_detainer_stage of a backend
 * that inserts at once, as store_detainer_insert_ref). */
enum store_rc store_detainers_stage_begin(struct store *s);
enum store_rc store_detainer_stage(struct store *s,
                                   const struct store_detainer *d,
                                   const char *external_ref,
                                   long line);
enum store_rc store_detainers_stage_end(struct store *s,
                                        store_stage_conflict_fn conflict,
                                        void *cls);

/* The external_ref of person or detainer `id` into *out (a copy, free with
 * cm_free; NULL when the row has none). STORE_NO_RESULTS when there is no
 * such row. */
enum store_rc store_external_ref_get(struct store *s,
                                     enum store_ref_kind kind,
                                     const char *id,
                                     char **out);

/* Make sure store_case_number_next(prefix, year) never hands out a
 * sequence number <= `last` (1 to 999999): an imported case kept its
 * number. Lowers nothing. STORE_ONE_RESULT. */
enum store_rc store_case_number_raise(struct store *s,
                                      const char *prefix,
                                      int year,
                                      int64_t last);

#endif
