/*
 * store_admin.h: the store's configuration data: organizations and
 * facilities listed with filters, jurisdiction policies (versioned, never
 * edited), recorded delegations of signing authority, and the calendars
 * behind deadlines (dated closures and state holidays, each addition a new
 * calendar version).
 *
 * Included by store/store.h; callers include that. Conventions are
 * store.h's; dates are "YYYY-MM-DD" strings, compared as text.
 */
#ifndef CM_STORE_STORE_ADMIN_H
#define CM_STORE_STORE_ADMIN_H

#include "store/store.h"

/* The id of the "federal" calendar every database has (made by a
 * migration). */
#define STORE_FEDERAL_CALENDAR_ID "federal-calendar-00001"

/* A version of a jurisdiction's policy. */
struct store_policy {
    char id[STORE_ID_SIZE];
    char org_id[STORE_ID_SIZE];
    int64_t version_no;   /* 1, 2, ... per org; assigned by the store */
    char *effective_from; /* YYYY-MM-DD */
    char *detainers;      /* honor | decline | criteria */
    bool release_notification;
    char *subpoenas; /* comply | court_order_only | review */
    char *citation;  /* or NULL */
    char *summary;   /* or NULL */
    char created_by[STORE_ID_SIZE];
    int64_t created_at;
};

/* A recorded delegation of subpoena authority to a user. */
struct store_delegation {
    char id[STORE_ID_SIZE];
    char user_id[STORE_ID_SIZE];
    char *authority;      /* the delegating instrument, in words */
    char *effective_from; /* YYYY-MM-DD */
    char *effective_to;   /* YYYY-MM-DD (inclusive), or NULL: open-ended */
    char document_id[STORE_ID_SIZE]; /* "" when none */
    char created_by[STORE_ID_SIZE];
    int64_t created_at;
};

/* A holiday calendar: "federal", or a jurisdiction's own. */
struct store_calendar {
    char id[STORE_ID_SIZE];
    char *name;
    char org_id[STORE_ID_SIZE]; /* "" for the federal calendar */
    int64_t version; /* 1 when made, +1 per closure or holiday added */
    int64_t created_at;
    int64_t updated_at;
};

/* A dated closure (e.g. an executive order closing offices). */
struct store_closure {
    char id[STORE_ID_SIZE];
    char calendar_id[STORE_ID_SIZE];
    char *date; /* YYYY-MM-DD */
    char *name;
    char *source;
    char created_by[STORE_ID_SIZE];
    int64_t created_at;
    int64_t added_in; /* the calendar version it made; set by the store */
};

/* A state's legal holiday as a rule. Which fields count depends on kind:
 *   fixed         month, day (observed per the calendar's rules)
 *   nth_weekday   month, weekday (0 Sunday .. 6 Saturday), nth (1..5)
 *   last_weekday  month, weekday
 *   dated         date (one day only)
 * Unused numbers are 0, an unused date NULL. */
struct store_state_holiday {
    char id[STORE_ID_SIZE];
    char calendar_id[STORE_ID_SIZE];
    char *kind; /* fixed | nth_weekday | last_weekday | dated */
    int month;
    int day;
    int weekday;
    int nth;
    char *date;
    char *name;
    char *source; /* or NULL */
    char created_by[STORE_ID_SIZE];
    int64_t created_at;
    int64_t added_in; /* set by the store */
};

typedef void (*store_policy_cb)(void *cls, const struct store_policy *p);
typedef void (*store_delegation_cb)(void *cls,
                                    const struct store_delegation *d);
typedef void (*store_calendar_cb)(void *cls, const struct store_calendar *c);
typedef void (*store_closure_cb)(void *cls, const struct store_closure *c);
typedef void (*store_state_holiday_cb)(void *cls,
                                       const struct store_state_holiday *h);

/* The admin part of a backend's function table (store_ops.admin). */
struct store_admin_ops {
    int (*org_list_by_kind)(struct store *s,
                            const char *kind,
                            const char *after_id,
                            int limit,
                            store_org_cb cb,
                            void *cls);
    int (*facility_list)(struct store *s,
                         const char *after_id,
                         int limit,
                         store_facility_cb cb,
                         void *cls);
    enum store_rc (*policy_insert)(struct store *s,
                                   const struct store_policy *p,
                                   int64_t *version_no);
    enum store_rc (*policy_get)(struct store *s,
                                const char *id,
                                struct store_policy *out);
    int (*policy_list_by_org)(struct store *s,
                              const char *org_id,
                              store_policy_cb cb,
                              void *cls);
    enum store_rc (*policy_in_force)(struct store *s,
                                     const char *org_id,
                                     const char *date,
                                     struct store_policy *out);
    enum store_rc (*delegation_insert)(struct store *s,
                                       const struct store_delegation *d);
    int (*delegation_list_by_user)(struct store *s,
                                   const char *user_id,
                                   store_delegation_cb cb,
                                   void *cls);
    enum store_rc (*delegation_in_force)(struct store *s,
                                         const char *user_id,
                                         const char *date,
                                         struct store_delegation *out);
    enum store_rc (*calendar_insert)(struct store *s,
                                     const struct store_calendar *c);
    enum store_rc (*calendar_get)(struct store *s,
                                  const char *id,
                                  struct store_calendar *out);
    enum store_rc (*calendar_get_by_org)(struct store *s,
                                         const char *org_id,
                                         struct store_calendar *out);
    int (*calendar_list)(struct store *s, store_calendar_cb cb, void *cls);
    enum store_rc (*closure_insert)(struct store *s,
                                    const struct store_closure *c,
                                    int64_t *version);
    int (*closure_list)(struct store *s,
                        const char *calendar_id,
                        store_closure_cb cb,
                        void *cls);
    enum store_rc (*state_holiday_insert)(struct store *s,
                                          const struct store_state_holiday *h,
                                          int64_t *version);
    int (*state_holiday_list)(struct store *s,
                              const char *calendar_id,
                              store_state_holiday_cb cb,
                              void *cls);
};

/* ---- organizations and facilities --------------------------------------*/

/* store_org_list, only organizations of `kind` (agency_office,
 * jurisdiction, doj_office) unless it is NULL or "". Creation order, after
 * `after_id`, at most `limit`. Returns the number of rows or a negative
 * rc. */
int store_org_list_by_kind(struct store *s,
                           const char *kind,
                           const char *after_id,
                           int limit,
                           store_org_cb cb,
                           void *cls);

/* Every facility of every organization, creation order, after `after_id`
 * (NULL or "" for the start), at most `limit`. */
int store_facility_list(struct store *s,
                        const char *after_id,
                        int limit,
                        store_facility_cb cb,
                        void *cls);

/* ---- jurisdiction policies ---------------------------------------------*/

/* Insert a new version of org p->org_id's policy (p->version_no ignored:
 * the store gives it the org's highest version + 1 and writes it into
 * *version_no). Policies are never edited. STORE_NO_RESULTS when the id is
 * taken. */
enum store_rc store_policy_insert(struct store *s,
                                  const struct store_policy *p,
                                  int64_t *version_no);

enum store_rc
store_policy_get(struct store *s, const char *id, struct store_policy *out);

/* Call cb for each policy version of `org_id`, oldest (version 1) first. */
int store_policy_list_by_org(struct store *s,
                             const char *org_id,
                             store_policy_cb cb,
                             void *cls);

/* The policy in force for `org_id` on `date`: the one with the latest
 * effective_from <= date (the highest version among equals).
 * STORE_NO_RESULTS when none was in force yet. */
enum store_rc store_policy_in_force(struct store *s,
                                    const char *org_id,
                                    const char *date,
                                    struct store_policy *out);

/* Free the strings of `p` and zero it; accepts NULL. */
void store_policy_release(struct store_policy *p);

/* ---- delegations -------------------------------------------------------*/

/* Insert delegation `d`. STORE_NO_RESULTS when the id is taken. */
enum store_rc store_delegation_insert(struct store *s,
                                      const struct store_delegation *d);

/* Call cb for each delegation of `user_id` by effective_from. */
int store_delegation_list_by_user(struct store *s,
                                  const char *user_id,
                                  store_delegation_cb cb,
                                  void *cls);

/* A delegation of `user_id` in force on `date` (effective_from <= date and
 * date <= effective_to or none), the latest-starting one, into *out.
 * STORE_NO_RESULTS when none is in force. */
enum store_rc store_delegation_in_force(struct store *s,
                                        const char *user_id,
                                        const char *date,
                                        struct store_delegation *out);

/* Free the strings of `d` and zero it; accepts NULL. */
void store_delegation_release(struct store_delegation *d);

/* ---- calendars ---------------------------------------------------------*/

/* Insert calendar `c` (c->version ignored: it starts at 1). A calendar with
 * an org is a jurisdiction's ("state") calendar. STORE_NO_RESULTS when the
 * id or name is taken. */
enum store_rc store_calendar_insert(struct store *s,
                                    const struct store_calendar *c);

/* Give jurisdiction `o` (just inserted) its own calendar, named after it,
 * or "name (ST)" when another state's jurisdiction has the name already;
 * its id is written into cal_id. Every way of making a jurisdiction (the
 * API, CSV import, the demonstration world) calls this. STORE_NO_RESULTS
 * when both names are taken. */
enum store_rc store_jurisdiction_calendar_insert(struct store *s,
                                                 const struct store_org *o,
                                                 char cal_id[STORE_ID_SIZE]);

enum store_rc
store_calendar_get(struct store *s, const char *id, struct store_calendar *out);

/* The calendar of organization `org_id` (its first if several). */
enum store_rc store_calendar_get_by_org(struct store *s,
                                        const char *org_id,
                                        struct store_calendar *out);

/* Call cb for every calendar, by name. */
int store_calendar_list(struct store *s, store_calendar_cb cb, void *cls);

/* Free the strings of `c` and zero it; accepts NULL. */
void store_calendar_release(struct store_calendar *c);

/* Add closure `c` to its calendar and bump the calendar's version, all or
 * nothing; *version (written on success) = the new calendar version.
 * STORE_NO_RESULTS, nothing changed, when the calendar is unknown or the
 * closure id is taken. */
enum store_rc store_closure_insert(struct store *s,
                                   const struct store_closure *c,
                                   int64_t *version);

/* Call cb for each closure of `calendar_id` by date. */
int store_closure_list(struct store *s,
                       const char *calendar_id,
                       store_closure_cb cb,
                       void *cls);

void store_closure_release(struct store_closure *c);

/* As store_closure_insert, for a state holiday rule. */
enum store_rc store_state_holiday_insert(struct store *s,
                                         const struct store_state_holiday *h,
                                         int64_t *version);

/* Call cb for each state holiday of `calendar_id`, in insertion order. */
int store_state_holiday_list(struct store *s,
                             const char *calendar_id,
                             store_state_holiday_cb cb,
                             void *cls);

void store_state_holiday_release(struct store_state_holiday *h);

#endif
