/*
 * enforcement.h: the court-enforcement case machine (8 U.S.C.
 * 1225(d)(4)(B)), the derived `noncompliant` condition and contempt fines.
 *
 * An enforcement case is created by the subpoena action `refer`, in state
 * `referred`; it has no `create` row of its own. Transitions (roles per
 * DESIGN.md; doj_attorney unless said otherwise):
 *
 *   referred          file_petition    -> petition_filed
 *   petition_filed    issue_show_cause -> show_cause_issued
 *   petition_filed, show_cause_issued
 *                     enter_order      -> order_entered
 *   order_entered     comply           -> complied   recipient_counsel,
 *                     doj_attorney; guard order_not_enforced (a denied
 *                     order leaves nothing to comply with)
 *   contempt_motion   comply           -> complied   same roles; complying
 *                     before the court rules moots the motion
 *   order_entered     move_contempt    -> contempt_motion; guard
 *                     not_noncompliant (enforcement_is_noncompliant)
 *   contempt_motion   hold_in_contempt -> in_contempt
 *   in_contempt       purge            -> purged
 *   referred, petition_filed, show_cause_issued, order_entered,
 *   contempt_motion, in_contempt
 *                     dismiss          -> dismissed
 *                     settle           -> settled
 *   complied, purged, dismissed, settled
 *                     close            -> closed     doj_attorney,
 *                                                    agency_counsel
 *   order_entered     close            -> closed     same roles; guard
 *                     order_not_denied (only a denied order closes here)
 *
 * closed is terminal. `noncompliant` is derived, never stored. Pure and
 * thread-safe.
 */
#ifndef CM_DOMAIN_ENFORCEMENT_H
#define CM_DOMAIN_ENFORCEMENT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/errors.h"
#include "domain/machine.h"

enum enforcement_state {
    ENFORCEMENT_STATE_REFERRED,
    ENFORCEMENT_STATE_PETITION_FILED,
    ENFORCEMENT_STATE_SHOW_CAUSE_ISSUED,
    ENFORCEMENT_STATE_ORDER_ENTERED,
    ENFORCEMENT_STATE_COMPLIED,
    ENFORCEMENT_STATE_CONTEMPT_MOTION,
    ENFORCEMENT_STATE_IN_CONTEMPT,
    ENFORCEMENT_STATE_PURGED,
    ENFORCEMENT_STATE_DISMISSED,
    ENFORCEMENT_STATE_SETTLED,
    ENFORCEMENT_STATE_CLOSED,
    ENFORCEMENT_STATE__COUNT
};

enum enforcement_action {
    ENFORCEMENT_ACTION_FILE_PETITION,
    ENFORCEMENT_ACTION_ISSUE_SHOW_CAUSE,
    ENFORCEMENT_ACTION_ENTER_ORDER,
    ENFORCEMENT_ACTION_COMPLY,
    ENFORCEMENT_ACTION_MOVE_CONTEMPT,
    ENFORCEMENT_ACTION_HOLD_IN_CONTEMPT,
    ENFORCEMENT_ACTION_PURGE,
    ENFORCEMENT_ACTION_DISMISS,
    ENFORCEMENT_ACTION_SETTLE,
    ENFORCEMENT_ACTION_CLOSE,
    ENFORCEMENT_ACTION__COUNT
};

/* Civil contempt coerces (a per-day fine that ends on purge); criminal
 * contempt punishes (a fixed amount). */
enum enforcement_contempt_kind {
    ENFORCEMENT_CONTEMPT_KIND_CIVIL,
    ENFORCEMENT_CONTEMPT_KIND_CRIMINAL,
    ENFORCEMENT_CONTEMPT_KIND__COUNT
};

/* The enforcement machine (const table; see the top of this file). */
extern const struct machine enforcement_machine;

/* Names ("show_cause_issued") and parsers; a name function answers NULL
 * for an invalid value, a parser answers true and writes *out on success.
 * ENFORCEMENT_RESULT_NONE has no name. */
const char *enforcement_state_name(enum enforcement_state s);
bool enforcement_state_parse(const char *s, enum enforcement_state *out);
const char *enforcement_action_name(enum enforcement_action a);
bool enforcement_action_parse(const char *s, enum enforcement_action *out);
const char *enforcement_result_name(enum enforcement_result r);
bool enforcement_result_parse(const char *s, enum enforcement_result *out);
const char *enforcement_contempt_kind_name(enum enforcement_contempt_kind k);
bool enforcement_contempt_kind_parse(const char *s,
                                     enum enforcement_contempt_kind *out);

/*
 * True when the respondent is noncompliant: the order enforced the subpoena
 * in full or in part, `today_day` is after `compliance_due_day` (days since
 * 1970-01-01; the due date itself is still on time) and the case is still
 * waiting on compliance (order_entered, contempt_motion or in_contempt).
 */
bool enforcement_is_noncompliant(enum enforcement_state state,
                                 enum enforcement_result result,
                                 int32_t compliance_due_day,
                                 int32_t today_day);

/*
 * The contempt sanction accrued by `today_day` (days since 1970-01-01).
 * Civil: `per_day_cents` for every day in [starts_day, end), where end is
 * `purged_day` when purged (the purge day itself is not charged: the
 * contemnor complied that day) and today_day + 1 otherwise (today is
 * charged until a purge is recorded); a purge dated after today counts
 * only up to today. Nothing accrues before `starts_day`.
 * Criminal: `fixed_cents`, whatever the dates.
 * `purged_day` is -1 (any negative value) when there is no purge.
 * Returns CM_ERR_OK and writes *out, or CM_ERR_VALIDATION_FAILED for a
 * negative amount, an invalid kind or a total that does not fit in int64.
 */
enum cm_err enforcement_accrued_cents(enum enforcement_contempt_kind kind,
                                      int64_t per_day_cents,
                                      int64_t fixed_cents,
                                      int32_t starts_day,
                                      int32_t purged_day,
                                      int32_t today_day,
                                      int64_t *out);

#endif
