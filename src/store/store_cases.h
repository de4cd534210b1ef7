/*
 * store_cases.h: the store's case lists and the case data beyond the
 * detainer and subpoena rows of store.h: subpoena item outcomes, return
 * date extensions, enforcement cases, and computed deadlines.
 *
 * Lists are scoped: the caller (the HTTP layer) fills a struct store_scope
 * from the user's organization and roles, and the store returns only rows
 * that scope may see, so an out-of-scope row is never even read. Lists run
 * newest first by (created_at, id) and page with a cursor: the last
 * (created_at, id) the previous page returned.
 *
 * Queue helpers are the lists and counts below with filters: subpoenas
 * ready to sign of an agency (scope agency, state "ready_to_sign"); drafts
 * and reviews (state "draft,in_review"); served and unanswered subpoenas
 * addressed to a jurisdiction (scope jurisdiction, state "served"); overdue
 * ones (filter overdue_before = today).
 *
 * Included by store/store.h; callers include that.
 */
#ifndef CM_STORE_STORE_CASES_H
#define CM_STORE_STORE_CASES_H

#include "store/store.h"

/*
 * Who is looking. A row is visible when `all` is set or when it matches any
 * of the organizations set (a scope with nothing set sees nothing):
 *   agency_org_id        detainers, subpoenas, enforcements of that agency
 *                        office;
 *   jurisdiction_org_id  detainers lodged at its facilities; subpoenas
 *                        addressed to it that have been served (served_at
 *                        set: served, responded, closed, referred, and
 *                        withdrawn after service; never drafts or signed
 *                        but unserved ones); enforcements where it is the
 *                        respondent;
 *   doj_org_id           enforcements referred to it; subpoenas whose
 *                        enforcement is referred to it; no detainers.
 */
struct store_scope {
    bool all; /* auditors */
    char agency_org_id[STORE_ID_SIZE];
    char jurisdiction_org_id[STORE_ID_SIZE];
    char doj_org_id[STORE_ID_SIZE];
};

/* Optional filters of a list; NULL or "" means no filter. Fields a case
 * kind does not have are ignored for it (facility_id for subpoenas...). */
struct store_case_filter {
    const char *state;            /* one state, or several joined by commas */
    const char *recipient_org_id; /* subpoenas; respondent of enforcements */
    const char *facility_id;      /* detainers */
    const char *person_id;        /* detainers, subpoenas */
    const char *agency_org_id;
    const char *number; /* exact case number */
    /* Subpoenas: only overdue ones, served with no response and a return
     * date before this YYYY-MM-DD (the caller's today). */
    const char *overdue_before;
};

/* For the backends: true when a subpoena list asks for one state of one
 * organization's subpoenas (an agency office's or a jurisdiction's scope,
 * one state, no filter but overdue_before), the question of every list of
 * GET /api/v1/queue. Such a list can walk the index on (organization,
 * state, created_at, id) instead of filtering every subpoena in the
 * scope. *org is the organization; *as_recipient says which side. */
bool store_subpoena_list_is_keyed(const struct store_scope *scope,
                                  const struct store_case_filter *filter,
                                  const char **org,
                                  bool *as_recipient);

/* For the backends: true when `scope` is one jurisdiction's and nothing
 * more (its booking staff, custodians and counsel), whose deadlines due in
 * a window are found through the index on (jurisdiction_org_id, due) of
 * migration 0014 (PostgreSQL 0006) instead of every organization's. */
bool store_scope_is_jurisdiction(const struct store_scope *scope);

/* For the backends: true when `scope` is one DOJ office's and nothing
 * more, whose deadlines due in a window are those of its enforcement cases
 * and their subpoenas, found by key. */
bool store_scope_is_doj(const struct store_scope *scope);

/* Where a page starts: after the row with this (created_at, id) in newest-
 * first order. id "" means the first page. */
struct store_cursor {
    int64_t created_at;
    char id[STORE_ID_SIZE];
};

/* A court enforcement case. Dates are YYYY-MM-DD or NULL. */
struct store_enforcement {
    char id[STORE_ID_SIZE];
    int64_t version;
    int64_t created_at;
    int64_t updated_at;
    char number[STORE_NUMBER_SIZE];
    char subpoena_id[STORE_ID_SIZE];
    char agency_org_id[STORE_ID_SIZE];
    char respondent_org_id[STORE_ID_SIZE];
    char doj_org_id[STORE_ID_SIZE]; /* "" when none yet */
    char *state; /* referred | petition_filed | ... | closed */
    char *court;
    char *district;
    char *docket_number;
    char *filed_on;
    char *hearing_on;
    char *response_due;
    char *result; /* enforced | enforced_in_part | denied, or NULL */
    char *entered_on;
    char *compliance_due;
    char *items_kept;      /* JSON array of subpoena item ids, or NULL */
    char *contempt_kind;   /* civil | criminal, or NULL */
    int64_t per_day_cents; /* -1: none */
    int64_t fixed_cents;   /* -1: none */
    char *starts_on;
    char *purged_on;
    char *closed_reason;
    int64_t closed_at;
};

/* A change of a subpoena's return date. */
struct store_extension {
    char id[STORE_ID_SIZE];
    char subpoena_id[STORE_ID_SIZE];
    char *old_return_date;
    char *new_return_date;
    char *reason;
    char by_user[STORE_ID_SIZE];
    int64_t at;
};

/* A computed deadline of a case, one per (case_kind, case_id, kind). */
struct store_deadline {
    char id[STORE_ID_SIZE];
    char *case_kind; /* detainer | subpoena | enforcement */
    char case_id[STORE_ID_SIZE];
    char *kind; /* e.g. "return", "objection", "hold_max" */
    /* A date "YYYY-MM-DD" or an RFC 3339 UTC instant
     * "YYYY-MM-DDTHH:MM:SSZ"; range queries compare its first 10
     * characters. */
    char *due;
    char *rule_id;
    char calendar_id[STORE_ID_SIZE]; /* "" when none */
    int64_t calendar_version;        /* 0 when none */
    char *trigger;     /* what started it, e.g. "served 2026-01-05" */
    char *explanation; /* "why this date", plain text */
    int64_t computed_at;
    /* Read by store_deadline_list_due only (else NULL): the number and
     * state of the deadline's case, so that a list of them needs no read
     * of each case. */
    char *case_number;
    char *case_state;
};

typedef void (*store_detainer_cb)(void *cls, const struct store_detainer *d);
typedef void (*store_subpoena_cb)(void *cls, const struct store_subpoena *sp);
typedef void (*store_enforcement_cb)(void *cls,
                                     const struct store_enforcement *e);
typedef void (*store_extension_cb)(void *cls, const struct store_extension *x);
typedef void (*store_deadline_cb)(void *cls, const struct store_deadline *d);

/* One entry of the accounting of disclosures (Privacy Act, 5 U.S.C.
 * 552a(c)): a subpoena response that produced items about a person
 * disclosed records from the recipient jurisdiction (source_org_id) to
 * the issuing agency office (recipient_org_id). Append-only; kept five
 * years or the life of the record (docs/api.md "Disclosures"). */
struct store_disclosure {
    char id[STORE_ID_SIZE];
    char person_id[STORE_ID_SIZE];
    char subpoena_id[STORE_ID_SIZE];
    char source_org_id[STORE_ID_SIZE];    /* the disclosing jurisdiction */
    char recipient_org_id[STORE_ID_SIZE]; /* the agency office */
    char disclosed_by[STORE_ID_SIZE];     /* the user who responded */
    int64_t disclosed_at;                 /* the response's time */
    char *nature;  /* JSON array of the produced item categories */
    char *purpose; /* the subpoena's purpose */
};

typedef void (*store_disclosure_cb)(void *cls,
                                    const struct store_disclosure *d);

/* The cases part of a backend's function table (store_ops.cases). */
struct store_cases_ops {
    int (*detainer_list)(struct store *s,
                         const struct store_scope *scope,
                         const struct store_case_filter *filter,
                         const struct store_cursor *after,
                         int limit,
                         store_detainer_cb cb,
                         void *cls);
    enum store_rc (*detainer_count)(struct store *s,
                                    const struct store_scope *scope,
                                    const struct store_case_filter *filter,
                                    int64_t *n);
    int (*subpoena_list)(struct store *s,
                         const struct store_scope *scope,
                         const struct store_case_filter *filter,
                         const struct store_cursor *after,
                         int limit,
                         store_subpoena_cb cb,
                         void *cls);
    enum store_rc (*subpoena_count)(struct store *s,
                                    const struct store_scope *scope,
                                    const struct store_case_filter *filter,
                                    int64_t *n);
    int (*enforcement_list)(struct store *s,
                            const struct store_scope *scope,
                            const struct store_case_filter *filter,
                            const struct store_cursor *after,
                            int limit,
                            store_enforcement_cb cb,
                            void *cls);
    enum store_rc (*enforcement_count)(struct store *s,
                                       const struct store_scope *scope,
                                       const struct store_case_filter *filter,
                                       int64_t *n);
    enum store_rc (*subpoena_item_update)(struct store *s,
                                          const char *subpoena_id,
                                          const struct store_subpoena_item *it);
    enum store_rc (*extension_insert)(struct store *s,
                                      const struct store_extension *x);
    int (*extension_list)(struct store *s,
                          const char *subpoena_id,
                          store_extension_cb cb,
                          void *cls);
    enum store_rc (*enforcement_insert)(struct store *s,
                                        const struct store_enforcement *e);
    enum store_rc (*enforcement_get)(struct store *s,
                                     const char *id,
                                     struct store_enforcement *out);
    enum store_rc (*enforcement_update)(struct store *s,
                                        const struct store_enforcement *e);
    enum store_rc (*deadline_upsert)(struct store *s,
                                     const struct store_deadline *d);
    enum store_rc (*deadline_delete)(struct store *s,
                                     const char *case_kind,
                                     const char *case_id,
                                     const char *kind);
    int (*deadline_list_for_case)(struct store *s,
                                  const char *case_kind,
                                  const char *case_id,
                                  store_deadline_cb cb,
                                  void *cls);
    int (*deadline_list_due)(struct store *s,
                             const struct store_scope *scope,
                             const char *from_date,
                             const char *to_date,
                             int limit,
                             store_deadline_cb cb,
                             void *cls);
    enum store_rc (*disclosure_insert)(struct store *s,
                                       const struct store_disclosure *d);
    int (*disclosure_list)(struct store *s,
                           const char *person_id,
                           const char *source_org_id,
                           const struct store_cursor *after,
                           int limit,
                           store_disclosure_cb cb,
                           void *cls);
};

/* ---- scoped lists ------------------------------------------------------*/

/* Call cb for up to `limit` detainers visible to `scope` that pass
 * `filter` (NULL: none), newest first, after `after` (NULL: from the
 * start). Returns the number of rows, or a negative enum store_rc. */
int store_detainer_list(struct store *s,
                        const struct store_scope *scope,
                        const struct store_case_filter *filter,
                        const struct store_cursor *after,
                        int limit,
                        store_detainer_cb cb,
                        void *cls);

/* *n = how many detainers store_detainer_list would give without a limit
 * or cursor. STORE_ONE_RESULT. */
enum store_rc store_detainer_count(struct store *s,
                                   const struct store_scope *scope,
                                   const struct store_case_filter *filter,
                                   int64_t *n);

/* As store_detainer_list, for subpoenas; the rows come without their items
 * (n_items 0: read one with store_subpoena_get for them). */
int store_subpoena_list(struct store *s,
                        const struct store_scope *scope,
                        const struct store_case_filter *filter,
                        const struct store_cursor *after,
                        int limit,
                        store_subpoena_cb cb,
                        void *cls);

enum store_rc store_subpoena_count(struct store *s,
                                   const struct store_scope *scope,
                                   const struct store_case_filter *filter,
                                   int64_t *n);

/* As store_detainer_list, for enforcement cases. */
int store_enforcement_list(struct store *s,
                           const struct store_scope *scope,
                           const struct store_case_filter *filter,
                           const struct store_cursor *after,
                           int limit,
                           store_enforcement_cb cb,
                           void *cls);

enum store_rc store_enforcement_count(struct store *s,
                                      const struct store_scope *scope,
                                      const struct store_case_filter *filter,
                                      int64_t *n);

/* The cursor that continues a list after row (created_at, id). */
struct store_cursor store_cursor_after(int64_t created_at, const char *id);

/* ---- subpoena items and extensions -------------------------------------*/

/* Write it->outcome, it->ground, it->value and it->updated_at to item
 * it->id, bumping the item's version. STORE_NO_RESULTS when no item with
 * that id belongs to subpoena `subpoena_id`. */
enum store_rc store_subpoena_item_update(struct store *s,
                                         const char *subpoena_id,
                                         const struct store_subpoena_item *it);

/* Record extension `x` (the caller updates the subpoena's return_date in
 * the same transaction). STORE_NO_RESULTS when the id is taken. */
enum store_rc store_extension_insert(struct store *s,
                                     const struct store_extension *x);

/* Call cb for each extension of `subpoena_id`, oldest first. */
int store_extension_list(struct store *s,
                         const char *subpoena_id,
                         store_extension_cb cb,
                         void *cls);

void store_extension_release(struct store_extension *x);

/* ---- enforcement cases -------------------------------------------------*/

/* Insert `e` (version becomes 1). STORE_NO_RESULTS when the id or number
 * is taken or the subpoena already has an enforcement case. */
enum store_rc store_enforcement_insert(struct store *s,
                                       const struct store_enforcement *e);

enum store_rc store_enforcement_get(struct store *s,
                                    const char *id,
                                    struct store_enforcement *out);

/* Write every mutable field of `e` (all but id, number, subpoena_id,
 * agency_org_id, respondent_org_id and created_at) when the stored version
 * equals e->version, bumping it. STORE_NO_RESULTS when unknown or
 * stale. */
enum store_rc store_enforcement_update(struct store *s,
                                       const struct store_enforcement *e);

void store_enforcement_release(struct store_enforcement *e);

/* ---- deadlines ---------------------------------------------------------*/

/* Insert or replace the deadline (d->case_kind, d->case_id, d->kind); a
 * replaced one keeps its id (d->id is used only for a new row).
 * STORE_ONE_RESULT. */
enum store_rc store_deadline_upsert(struct store *s,
                                    const struct store_deadline *d);

/* Remove a deadline that no longer applies. STORE_NO_RESULTS when there
 * was none. */
enum store_rc store_deadline_delete(struct store *s,
                                    const char *case_kind,
                                    const char *case_id,
                                    const char *kind);

/* Call cb for each deadline of a case, earliest due first. */
int store_deadline_list_for_case(struct store *s,
                                 const char *case_kind,
                                 const char *case_id,
                                 store_deadline_cb cb,
                                 void *cls);

/* Call cb for up to `limit` deadlines due from `from_date` to `to_date`
 * (inclusive, YYYY-MM-DD) of cases visible to `scope` (store_scope
 * rules), earliest due first. */
int store_deadline_list_due(struct store *s,
                            const struct store_scope *scope,
                            const char *from_date,
                            const char *to_date,
                            int limit,
                            store_deadline_cb cb,
                            void *cls);

void store_deadline_release(struct store_deadline *d);

/* ---- accounting of disclosures -----------------------------------------*/

/* Record disclosure `d` (in the transaction of the response it accounts
 * for). STORE_NO_RESULTS when the id is taken or the subpoena already has
 * an entry. */
enum store_rc store_disclosure_insert(struct store *s,
                                      const struct store_disclosure *d);

/* Call cb for up to `limit` disclosures about `person_id`, newest first by
 * (disclosed_at, id), after `after` (NULL: from the start; its created_at
 * is a disclosed_at); with `source_org_id` (NULL or "": all) only those
 * that organization made. Returns the number of rows, or a negative enum
 * store_rc. */
int store_disclosure_list(struct store *s,
                          const char *person_id,
                          const char *source_org_id,
                          const struct store_cursor *after,
                          int limit,
                          store_disclosure_cb cb,
                          void *cls);

void store_disclosure_release(struct store_disclosure *d);

#endif
