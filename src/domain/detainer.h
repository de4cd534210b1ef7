/*
 * detainer.h: the detainer (Form I-247A) state machine and its hold clock.
 *
 * States (DESIGN.md "The cases and their states"):
 *
 *   create (officer)             -> lodged
 *   lodged       acknowledge     -> acknowledged        booking
 *   acknowledged honor           -> honored             booking
 *   acknowledged decline         -> declined            booking
 *   honored      set_release_time -> honored (itself)   booking
 *                guard hold_clock_already_started: the hold clock starts
 *                once; the time it started is part of the record
 *   lodged, acknowledged, honored, declined
 *                release         -> released            booking
 *                (a jail may release a person before it has answered the
 *                detainer at all: charges dropped, bond posted)
 *   lodged, acknowledged, honored
 *                transfer        -> transferred         booking, officer
 *                (custody passes to the agency; not from declined, where
 *                the jail has said it will not hand over)
 *   lodged, acknowledged, honored, declined
 *                cancel          -> cancelled           officer
 *
 * released, transferred and cancelled are terminal. Every outcome records
 * where the knowledge came from (enum detainer_outcome_source).
 * Pure and thread-safe.
 */
#ifndef CM_DOMAIN_DETAINER_H
#define CM_DOMAIN_DETAINER_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/machine.h"

enum detainer_state {
    DETAINER_STATE_LODGED,
    DETAINER_STATE_ACKNOWLEDGED,
    DETAINER_STATE_HONORED,
    DETAINER_STATE_DECLINED,
    DETAINER_STATE_RELEASED,
    DETAINER_STATE_TRANSFERRED,
    DETAINER_STATE_CANCELLED,
    DETAINER_STATE__COUNT
};

enum detainer_action {
    DETAINER_ACTION_CREATE,
    DETAINER_ACTION_ACKNOWLEDGE,
    DETAINER_ACTION_HONOR,
    DETAINER_ACTION_DECLINE,
    DETAINER_ACTION_SET_RELEASE_TIME,
    DETAINER_ACTION_RELEASE,
    DETAINER_ACTION_TRANSFER,
    DETAINER_ACTION_CANCEL,
    DETAINER_ACTION__COUNT
};

/* Where an outcome came from: the ICE declined-detainer reports warn that
 * jails rarely say when a detainer is not honored. */
enum detainer_outcome_source {
    DETAINER_OUTCOME_SOURCE_REPORTED, /* reported by the jurisdiction */
    DETAINER_OUTCOME_SOURCE_OBSERVED, /* observed by the agency */
    DETAINER_OUTCOME_SOURCE_INFERRED, /* inferred from other records */
    DETAINER_OUTCOME_SOURCE__COUNT
};

/* The detainer machine (const table; see the top of this file). */
extern const struct machine detainer_machine;

/* The API name of a state ("lodged"), or NULL. */
const char *detainer_state_name(enum detainer_state s);

/* Parse a state name; true and *out written on success. */
bool detainer_state_parse(const char *s, enum detainer_state *out);

/* The API name of an action ("set_release_time"), or NULL. */
const char *detainer_action_name(enum detainer_action a);

/* Parse an action name; true and *out written on success. */
bool detainer_action_parse(const char *s, enum detainer_action *out);

/* The API name of an outcome source ("reported"), or NULL. */
const char *detainer_outcome_source_name(enum detainer_outcome_source s);

/* Parse an outcome source name; true and *out written on success. */
bool detainer_outcome_source_parse(const char *s,
                                   enum detainer_outcome_source *out);

/*
 * True when a hold has passed its maximum: `now` is after `max_hold_until`
 * (both UTC seconds since the epoch). The maximum instant itself is still
 * within the hold (the rule allows holding *up to* it).
 */
bool detainer_is_past_max_hold(int64_t now, int64_t max_hold_until);

/*
 * True when the over-detention flag should be raised: the detainer is
 * honored, its hold clock has started and `now` is past `max_hold_until`.
 */
bool detainer_is_over_detained(enum detainer_state state,
                               bool hold_clock_started,
                               int64_t now,
                               int64_t max_hold_until);

#endif
