/*
 * reminders.h: which reminder of a deadline is due now, to whom, and what
 * it says. Pure: no store, no clock, no network (the runner, runner.c,
 * feeds it what it read).
 *
 * A deadline is either a date ("2026-12-04", due at the end of that day
 * in the office's time zone) or an instant ("2026-12-04T15:00:00Z", a
 * detainer's hold expiry). Reminders go out at lead times before it (days
 * for dates: "7,3,1" by default; hours for instants: 24 and 4) and once
 * when it has passed ("overdue"). At any moment at most one stage is due:
 * the latest lead time that has arrived, so a server that was down for a
 * week sends one reminder for the nearest lead, not a burst. Each stage
 * has a label ("7d", "4h", "overdue") that, with the deadline, its due
 * and the recipient, makes the natural key under which it is sent once.
 *
 * Reminders carry no personal data: case numbers, kinds, dates and the
 * deadline's explanation only (email is not a secure channel).
 */
#ifndef CM_JOBS_REMINDERS_H
#define CM_JOBS_REMINDERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/errors.h"

/* Most lead times of each kind. */
#define REMINDER_LEADS_MAX 8

/* Largest lead time in days. */
#define REMINDER_DAYS_MAX 365

/* Bytes of a stage label ("overdue", "365d"), NUL included. */
#define REMINDER_LABEL_SIZE 16

/* The lead times, each list in decreasing order. */
struct reminder_policy {
    int days[REMINDER_LEADS_MAX];
    size_t n_days;
    int hours[REMINDER_LEADS_MAX];
    size_t n_hours;
};

enum reminder_stage_kind {
    REMINDER_STAGE_KIND_NONE,   /* nothing due now */
    REMINDER_STAGE_KIND_BEFORE, /* a lead time before the due arrived */
    REMINDER_STAGE_KIND_OVERDUE /* the due has passed */
};

struct reminder_stage {
    enum reminder_stage_kind kind;
    bool is_hours; /* an instant deadline: lead and left are hours */
    int lead;      /* the lead time (BEFORE), else 0 */
    int64_t left;  /* days or hours left until the due (BEFORE), >= 0 */
    char label[REMINDER_LABEL_SIZE]; /* "7d", "4h", "overdue"; "" for NONE */
};

/*
 * Parse `days` (lead times in days, e.g. "7,3,1": distinct integers from 1
 * to REMINDER_DAYS_MAX, any order, at most REMINDER_LEADS_MAX) into *out,
 * with hour lead times 24 and 4. CM_ERR_VALIDATION_FAILED for anything
 * else; *out written only on success.
 */
enum cm_err reminder_policy_parse(const char *days,
                                  struct reminder_policy *out);

/* True when `days` is a valid reminder_days value. */
bool reminder_is_valid_days(const char *days);

/*
 * The stage due for a deadline due `due` (a date or an RFC 3339 instant)
 * when it is day `today` (a day number, domain/date.h, in the office's
 * zone) and instant `now_us` (UTC microseconds). For a date due D with
 * d = D - today days left: overdue when d < 0; else the smallest lead
 * L >= d, if any. For an instant: overdue when now >= due; else the
 * smallest lead L hours with due - now <= L hours, if any.
 * CM_ERR_VALIDATION_FAILED for a malformed `due`; *out written on success.
 */
enum cm_err reminder_stage_at(const struct reminder_policy *p,
                              const char *due,
                              int32_t today,
                              int64_t now_us,
                              struct reminder_stage *out);

/* The case a deadline belongs to, as far as reminders care. */
struct reminder_case {
    const char *case_kind;     /* detainer | subpoena | enforcement */
    const char *deadline_kind; /* return, compliance, hold_max, ... */
    const char *state;         /* the case's state now */
    const char *agency_org_id;
    const char *jurisdiction_org_id; /* recipient, respondent, facility's */
    const char *doj_org_id;          /* or NULL / "" */
    const char *owner_user_id;       /* drafting or lodging officer, or NULL */
};

/* A user who may receive a reminder. */
struct reminder_user {
    const char *id;
    const char *org_id;
    unsigned roles; /* role_set */
    bool disabled;
};

/*
 * True while the deadline still calls for reminders: a subpoena's return
 * date while it is served and unanswered; an enforcement case's
 * compliance deadline while the order stands uncomplied
 * (order_entered), its objection and appeal deadlines until the case is
 * closed, dismissed or settled, its show-cause dates while the order to
 * show cause is pending; a detainer's hold expiry while it is honored.
 * Any other deadline kind: false.
 */
bool reminder_is_open(const char *case_kind,
                      const char *deadline_kind,
                      const char *state);

/*
 * True when user `u` is one of the people responsible for the deadline of
 * `c`: for a subpoena's return date, the recipient jurisdiction's
 * custodians and recipient counsel and the drafting officer; for an
 * enforcement case's deadlines, the agency counsel of the office, the DOJ
 * attorneys of the office it was referred to, and the respondent
 * jurisdiction's recipient counsel; for a detainer's hold expiry, the
 * jurisdiction's booking staff and the lodging officer. Disabled users
 * never.
 */
bool reminder_is_recipient(const struct reminder_case *c,
                           const struct reminder_user *u);

/* The webhook event of a stage: "reminder.due" or "reminder.overdue". */
const char *reminder_event_name(const struct reminder_stage *st);

/* What people call a deadline kind: "return date", "hold expiry", ...;
 * an unknown kind is returned as it is. */
const char *reminder_kind_label(const char *deadline_kind);

/* Append the subject line, e.g. "compel: SUB-2026-000123 return date
 * 2026-12-04 (in 3 days)". */
void reminder_subject(struct buf *out,
                      const char *number,
                      const char *deadline_kind,
                      const char *due,
                      const struct reminder_stage *st);

/* What a reminder says, borrowed strings. */
struct reminder_text {
    const char *number;
    const char *case_kind;
    const char *case_id;
    const char *deadline_kind;
    const char *due;
    const char *explanation; /* or NULL */
    const char *public_url;  /* base address for a link, or NULL / "" */
};

/* Append the plain-text body of a reminder email (CRLF line ends): the
 * case number, deadline kind, due, the explanation's first line, and a
 * link <public_url>/<case_kind>s/<case_id> when public_url is set. */
void reminder_body(struct buf *out,
                   const struct reminder_text *t,
                   const struct reminder_stage *st);

#endif
