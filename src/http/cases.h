/*
 * cases.h: what the three case resources (detainers, subpoenas,
 * enforcements) share: the calendar a deadline is counted on, computed and
 * stored deadlines with their explanation, timeline events, the
 * allowed_actions list, and the history route.
 */
#ifndef CM_HTTP_CASES_H
#define CM_HTTP_CASES_H

#include <jansson.h>

#include "core/buf.h"
#include "domain/calendar.h"
#include "domain/deadline.h"
#include "domain/machine.h"
#include "http/app.h"
#include "store/store.h"
#include "store/store_admin.h"

/*
 * The calendar deadlines for organization `org_id` are counted on: the
 * federal calendar with its stored closures, plus the holidays and
 * closures of the organization's own calendar when it has one (a
 * jurisdiction's state holidays). `*cal_id` gets the calendar's id (the
 * organization's, else the federal one) and `*version` a number that
 * grows with every change of either (federal version + local version).
 * Release `out` with calendar_release. `org_id` may be NULL.
 */
enum store_rc cases_calendar(struct store *s,
                             const char *org_id,
                             struct calendar *out,
                             char cal_id[STORE_ID_SIZE],
                             int64_t *version);

/* The same for stored calendar `c` (NULL: the federal calendar alone): the
 * federal holidays and closures, plus `c`'s closures and state holidays
 * when it is an organization's. `*version` is the federal version plus
 * `c`'s own for an organization's calendar. */
enum store_rc cases_calendar_of(struct store *s,
                                const struct store_calendar *c,
                                struct calendar *out,
                                int64_t *version);

/*
 * Compute a day-rule deadline of `days` days from `trigger` (a day
 * number) under `rule_id` on the calendar of `org_id`, and store it as
 * deadline `kind` of the case (replacing an earlier one of that kind).
 * `trigger_text` says what started it ("served 2020-01-13"). On success
 * writes the due date to `*due` and returns STORE_ONE_RESULT; a rule that
 * refuses the input is app_fail(tx, VALIDATION_FAILED, field, why).
 */
enum store_rc cases_deadline_days(struct store *s,
                                  struct app_tx *tx,
                                  const char *case_kind,
                                  const char *case_id,
                                  const char *kind,
                                  const char *org_id,
                                  const char *rule_id,
                                  int32_t trigger,
                                  int64_t days,
                                  enum deadline_direction direction,
                                  const char *trigger_text,
                                  const char *field,
                                  int32_t *due);

/* Store a fixed deadline `due` (a date set by a court order or a party,
 * not computed), explained as such. */
enum store_rc cases_deadline_fixed(struct store *s,
                                   const char *case_kind,
                                   const char *case_id,
                                   const char *kind,
                                   const char *due,
                                   const char *trigger_text,
                                   int64_t now);

/*
 * The case's stored deadlines as the compact JSON text of an object keyed
 * by kind, each {"due", "rule", "calendar_id", "calendar_version",
 * "trigger", "explain": [lines]}, appended to `out`. When `return_explain`
 * is not NULL and the case has a deadline of kind "return", that
 * deadline's "explain" array is written into it (emptied first); it is
 * left alone when there is none. Returns STORE_ONE_RESULT, or a negative
 * enum store_rc with `out` holding a partial text to discard.
 */
enum store_rc cases_deadlines_write(struct store *s,
                                    const char *case_kind,
                                    const char *case_id,
                                    struct buf *out,
                                    struct buf *return_explain);

/* The same deadlines as a JSON object (the text above, read back); a new
 * reference, or NULL on a store error. */
json_t *cases_deadlines_json(struct store *s,
                             const char *case_kind,
                             const char *case_id);

/* Append an event to the case's timeline for the caller of `req`;
 * `details` (stolen; may be NULL) is stored as JSON text. It must not
 * hold personal values. */
enum store_rc cases_event(struct store *s,
                          struct http_req *req,
                          const char *case_kind,
                          const char *case_id,
                          const char *action,
                          json_t *details);

/* The case's events as the JSON answer of GET .../history
 * ({"items": [{"seq", "action", "actor_id", "role", "at", "details"}]});
 * a new reference, or NULL on a store error. */
json_t *
cases_history_json(struct store *s, const char *case_kind, const char *case_id);

/* The actions the caller may take now (machine_allowed_actions with the
 * caller's roles and `facts`, "create" left out) as the compact JSON text
 * of an array of names, appended to `out`. */
void cases_allowed_write(const struct machine *m,
                         int state,
                         role_set roles,
                         const struct guard_facts *facts,
                         struct buf *out);

/* The same actions as a JSON array (a new reference). */
json_t *cases_allowed_json(const struct machine *m,
                           int state,
                           role_set roles,
                           const struct guard_facts *facts);

#endif
