/*
 * subpoena.h: the administrative subpoena (Form I-138) state machine, its
 * items, dispositions, the overdue rule and the 8 CFR 287.4(a)(1) signers.
 *
 * Transitions (DESIGN.md; roles per "Who takes which action"):
 *
 *   create                       -> draft           officer
 *   draft         edit           -> draft           officer (PATCH)
 *   draft         submit         -> in_review       officer, when the office
 *                                   requires counsel review
 *                                -> ready_to_sign   officer, otherwise
 *                 (two rows with complementary routing guards)
 *   in_review     approve        -> ready_to_sign   agency_counsel
 *   in_review     return         -> draft           agency_counsel
 *   ready_to_sign sign           -> signed          signer; guards
 *                 signer_is_drafter (the drafter cannot sign) and
 *                 signer_not_authorized (title not listed in 8 CFR
 *                 287.4(a)(1) and no 8 CFR 2.1 delegation in force)
 *   signed        serve          -> served          officer, signer; guard
 *                                   proof_of_service_required
 *   served        acknowledge    -> served          custodian,
 *                                                   recipient_counsel
 *   served        extend         -> served          officer, signer
 *   served        respond        -> responded       custodian,
 *                                                   recipient_counsel
 *   served        refuse         -> responded       custodian,
 *                 recipient_counsel (the disposition becomes `refused`)
 *   served        refer          -> referred        agency_counsel; guard
 *                 not_overdue_or_deficient: the subpoena is overdue
 *   responded     refer          -> referred        agency_counsel; same
 *                 guard: the disposition is partially_complied, objected
 *                 or refused (complied and no_records are not deficient)
 *   responded     close          -> closed          officer, agency_counsel
 *   referred      close          -> closed          officer, agency_counsel;
 *                 guard enforcement_not_closed: its enforcement case is
 *                 closed
 *   draft, in_review, ready_to_sign, signed, served, responded
 *                 withdraw       -> withdrawn       signer, agency_counsel
 *                 (a referred subpoena is not withdrawn: its enforcement
 *                 case is dismissed or settled instead, then it is closed)
 *
 * closed and withdrawn are terminal. Pure and thread-safe.
 */
#ifndef CM_DOMAIN_SUBPOENA_H
#define CM_DOMAIN_SUBPOENA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/errors.h"
#include "domain/machine.h"

enum subpoena_state {
    SUBPOENA_STATE_DRAFT,
    SUBPOENA_STATE_IN_REVIEW,
    SUBPOENA_STATE_READY_TO_SIGN,
    SUBPOENA_STATE_SIGNED,
    SUBPOENA_STATE_SERVED,
    SUBPOENA_STATE_RESPONDED,
    SUBPOENA_STATE_REFERRED,
    SUBPOENA_STATE_CLOSED,
    SUBPOENA_STATE_WITHDRAWN,
    SUBPOENA_STATE__COUNT
};

enum subpoena_action {
    SUBPOENA_ACTION_CREATE,
    SUBPOENA_ACTION_EDIT,
    SUBPOENA_ACTION_SUBMIT,
    SUBPOENA_ACTION_APPROVE,
    SUBPOENA_ACTION_RETURN,
    SUBPOENA_ACTION_SIGN,
    SUBPOENA_ACTION_SERVE,
    SUBPOENA_ACTION_ACKNOWLEDGE,
    SUBPOENA_ACTION_EXTEND,
    SUBPOENA_ACTION_RESPOND,
    SUBPOENA_ACTION_REFUSE,
    SUBPOENA_ACTION_REFER,
    SUBPOENA_ACTION_WITHDRAW,
    SUBPOENA_ACTION_CLOSE,
    SUBPOENA_ACTION__COUNT
};

/* What an item asks for (API.md "Subpoenas"). */
enum subpoena_item_category {
    SUBPOENA_ITEM_CATEGORY_HOME_ADDRESS,
    SUBPOENA_ITEM_CATEGORY_WORK_ADDRESS,
    SUBPOENA_ITEM_CATEGORY_PHONE,
    SUBPOENA_ITEM_CATEGORY_EMPLOYER,
    SUBPOENA_ITEM_CATEGORY_VEHICLE,
    SUBPOENA_ITEM_CATEGORY_DATE_PLACE_OF_BIRTH,
    SUBPOENA_ITEM_CATEGORY_BOND_RECORD,
    SUBPOENA_ITEM_CATEGORY_ID_DOCUMENTS,
    SUBPOENA_ITEM_CATEGORY_CHARGES,
    SUBPOENA_ITEM_CATEGORY_EMERGENCY_CONTACTS,
    SUBPOENA_ITEM_CATEGORY_RELEASE_DATE,
    SUBPOENA_ITEM_CATEGORY_OTHER,
    SUBPOENA_ITEM_CATEGORY__COUNT
};

/* How the recipient answered one item. NONE: not answered yet. */
enum subpoena_item_outcome {
    SUBPOENA_ITEM_OUTCOME_NONE,
    SUBPOENA_ITEM_OUTCOME_PRODUCED, /* the record was given */
    SUBPOENA_ITEM_OUTCOME_NOT_HELD, /* the recipient holds no such record */
    SUBPOENA_ITEM_OUTCOME_OBJECTED, /* withheld on a stated ground */
    SUBPOENA_ITEM_OUTCOME_WITHHELD, /* withheld without a stated ground */
    SUBPOENA_ITEM_OUTCOME__COUNT
};

/*
 * The ground of an objection. The first three are the Morton Salt / Powell
 * enforcement factors a court weighs (relevance, "not already in the
 * government's possession", "not too indefinite"); tenth_amendment is the
 * anti-commandeering argument raised (and rejected) in ICE v. Gomez;
 * privilege covers legal privileges and state confidentiality statutes;
 * other needs free text.
 */
enum subpoena_objection_ground {
    SUBPOENA_OBJECTION_GROUND_RELEVANCE,
    SUBPOENA_OBJECTION_GROUND_ALREADY_IN_POSSESSION,
    SUBPOENA_OBJECTION_GROUND_TOO_INDEFINITE,
    SUBPOENA_OBJECTION_GROUND_TENTH_AMENDMENT,
    SUBPOENA_OBJECTION_GROUND_PRIVILEGE,
    SUBPOENA_OBJECTION_GROUND_OTHER,
    SUBPOENA_OBJECTION_GROUND__COUNT
};

/* The subpoena machine (const table; see the top of this file). */
extern const struct machine subpoena_machine;

/* Names ("ready_to_sign") and parsers; a name function answers NULL for an
 * invalid value, a parser answers true and writes *out on success. */
const char *subpoena_state_name(enum subpoena_state s);
bool subpoena_state_parse(const char *s, enum subpoena_state *out);
const char *subpoena_action_name(enum subpoena_action a);
bool subpoena_action_parse(const char *s, enum subpoena_action *out);
const char *subpoena_item_category_name(enum subpoena_item_category c);
bool subpoena_item_category_parse(const char *s,
                                  enum subpoena_item_category *out);
const char *subpoena_item_outcome_name(enum subpoena_item_outcome o);
bool subpoena_item_outcome_parse(const char *s,
                                 enum subpoena_item_outcome *out);
const char *subpoena_objection_ground_name(enum subpoena_objection_ground g);
bool subpoena_objection_ground_parse(const char *s,
                                     enum subpoena_objection_ground *out);
/* "complied", ...; SUBPOENA_DISPOSITION_NONE has no name (NULL). */
const char *subpoena_disposition_name(enum subpoena_disposition d);
bool subpoena_disposition_parse(const char *s, enum subpoena_disposition *out);

/*
 * Derive the disposition of a response from its item outcomes. With
 * P = items produced, H = items not held, W = items objected or withheld:
 *   W == 0, P > 0   complied            (everything held was produced)
 *   W == 0, P == 0  no_records          (every item is not_held)
 *   W > 0,  P > 0   partially_complied
 *   W > 0,  P == 0  objected            (not_held items do not change it)
 * `refused` is never derived: it comes from the `refuse` action.
 * Returns CM_ERR_OK and writes *out, or CM_ERR_VALIDATION_FAILED when
 * there are no items or an item is unanswered or out of range.
 */
enum cm_err
subpoena_disposition_from_items(const enum subpoena_item_outcome *outcomes,
                                size_t n,
                                enum subpoena_disposition *out);

/* True for the dispositions that may be referred for enforcement:
 * partially_complied, objected, refused. */
bool subpoena_disposition_is_deficient(enum subpoena_disposition d);

/*
 * True when a subpoena is overdue: it is `served`, no response has been
 * recorded, and `today_local_day` is after `return_day`. Days are days
 * since 1970-01-01; `today_local_day` is today in the recipient's time
 * zone (the caller converts). The return date itself is not overdue.
 */
bool subpoena_is_overdue(enum subpoena_state state,
                         int32_t return_day,
                         bool responded,
                         int32_t today_local_day);

/* The officials 8 CFR 287.4(a)(1) lists as able to issue a subpoena, as
 * singular titles ("Field Office Director"); SUBPOENA_SIGNER_TITLE_COUNT
 * entries. */
#define SUBPOENA_SIGNER_TITLE_COUNT 21
extern const char *const subpoena_signer_titles[SUBPOENA_SIGNER_TITLE_COUNT];

/*
 * True when `title` names an official listed in 8 CFR 287.4(a)(1):
 * compared without regard to ASCII case, leading or trailing white space,
 * or runs of inner white space. NULL or empty is not listed. An official
 * whose title is not listed (an Assistant Field Office Director, say) signs
 * only under a recorded 8 CFR 2.1 delegation.
 */
bool subpoena_is_listed_title(const char *title);

#endif
