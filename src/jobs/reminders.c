/*
 * reminders.c: the pure rules of reminders (reminders.h): lead times,
 * the stage due now, who is responsible, and the words of the message.
 */
#include "jobs/reminders.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/date.h"
#include "domain/role.h"

#define US_PER_HOUR INT64_C(3600000000)

static int
cmp_desc(const void *a, const void *b)
{
    int x = *(const int *)a;
    int y = *(const int *)b;

    return (x < y) - (x > y);
}

enum cm_err
reminder_policy_parse(const char *days, struct reminder_policy *out)
{
    struct reminder_policy p;
    const char *s = days;

    memset(&p, 0, sizeof p);
    if (s == NULL || *s == '\0')
        return CM_ERR_VALIDATION_FAILED;
    for (;;) {
        long v = 0;
        int digits = 0;

        while (*s == ' ')
            s++;
        while (*s >= '0' && *s <= '9' && digits < 4) {
            v = v * 10 + (*s - '0');
            s++;
            digits++;
        }
        while (*s == ' ')
            s++;
        if (digits == 0 || v < 1 || v > REMINDER_DAYS_MAX ||
            p.n_days == REMINDER_LEADS_MAX)
            return CM_ERR_VALIDATION_FAILED;
        for (size_t i = 0; i < p.n_days; i++) {
            if (p.days[i] == (int)v)
                return CM_ERR_VALIDATION_FAILED;
        }
        p.days[p.n_days++] = (int)v;
        if (*s == '\0')
            break;
        if (*s != ',')
            return CM_ERR_VALIDATION_FAILED;
        s++;
    }
    qsort(p.days, p.n_days, sizeof p.days[0], cmp_desc);
    p.hours[0] = 24;
    p.hours[1] = 4;
    p.n_hours = 2;
    *out = p;
    return CM_ERR_OK;
}

bool
reminder_is_valid_days(const char *days)
{
    struct reminder_policy p;

    return reminder_policy_parse(days, &p) == CM_ERR_OK;
}

/* The smallest lead of `leads` (decreasing, n of them) that is >= left,
 * or 0 when none. */
static int
nearest_lead(const int *leads, size_t n, int64_t left)
{
    int best = 0;

    for (size_t i = 0; i < n; i++) {
        if ((int64_t)leads[i] >= left)
            best = leads[i];
    }
    return best;
}

enum cm_err
reminder_stage_at(const struct reminder_policy *p,
                  const char *due,
                  int32_t today,
                  int64_t now_us,
                  struct reminder_stage *out)
{
    struct reminder_stage st;
    int32_t due_day = 0;
    int64_t due_s = 0;
    int32_t offset = 0;

    memset(&st, 0, sizeof st);
    if (due == NULL)
        return CM_ERR_VALIDATION_FAILED;
    if (strlen(due) == 10) {
        int64_t left;

        if (date_parse(due, &due_day) != CM_ERR_OK)
            return CM_ERR_VALIDATION_FAILED;
        left = (int64_t)due_day - today;
        if (left < 0) {
            st.kind = REMINDER_STAGE_KIND_OVERDUE;
        } else {
            st.lead = nearest_lead(p->days, p->n_days, left);
            if (st.lead > 0) {
                st.kind = REMINDER_STAGE_KIND_BEFORE;
                st.left = left;
            }
        }
    } else {
        int64_t left_us;

        if (date_time_parse_rfc3339(due, &due_s, &offset) != CM_ERR_OK)
            return CM_ERR_VALIDATION_FAILED;
        left_us = due_s * 1000000 - now_us;
        st.is_hours = true;
        if (left_us <= 0) {
            st.kind = REMINDER_STAGE_KIND_OVERDUE;
        } else {
            /* Hours left, rounded up: 3h10m left is within "4 hours". */
            int64_t left_h = (left_us + US_PER_HOUR - 1) / US_PER_HOUR;

            st.lead = nearest_lead(p->hours, p->n_hours, left_h);
            if (st.lead > 0) {
                st.kind = REMINDER_STAGE_KIND_BEFORE;
                st.left = left_h;
            }
        }
    }
    if (st.kind == REMINDER_STAGE_KIND_OVERDUE)
        (void)snprintf(st.label, sizeof st.label, "overdue");
    else if (st.kind == REMINDER_STAGE_KIND_BEFORE)
        (void)snprintf(st.label, sizeof st.label, "%d%s", st.lead,
                       st.is_hours ? "h" : "d");
    *out = st;
    return CM_ERR_OK;
}

static bool
is(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static bool
is_set(const char *s)
{
    return s != NULL && *s != '\0';
}

bool
reminder_is_open(const char *case_kind,
                 const char *deadline_kind,
                 const char *state)
{
    if (is(case_kind, "subpoena"))
        return is(deadline_kind, "return") && is(state, "served");
    if (is(case_kind, "detainer"))
        return is(deadline_kind, "hold_max") && is(state, "honored");
    if (!is(case_kind, "enforcement"))
        return false;
    if (is(deadline_kind, "compliance"))
        return is(state, "order_entered");
    if (is(deadline_kind, "objection") || is(deadline_kind, "appeal"))
        return state != NULL && !is(state, "closed") &&
               !is(state, "dismissed") && !is(state, "settled");
    if (is(deadline_kind, "show_cause_response") ||
        is(deadline_kind, "show_cause_hearing"))
        return is(state, "show_cause_issued");
    return false;
}

/* True when `u` belongs to `org` (set) and holds role `r`. */
static bool
has_role_in(const struct reminder_user *u, const char *org, enum role r)
{
    return is_set(org) && is(u->org_id, org) && (u->roles & ROLE_BIT(r));
}

bool
reminder_is_recipient(const struct reminder_case *c,
                      const struct reminder_user *u)
{
    bool is_owner = is_set(c->owner_user_id) && is(u->id, c->owner_user_id);

    if (u->disabled)
        return false;
    if (is(c->case_kind, "subpoena"))
        return has_role_in(u, c->jurisdiction_org_id, ROLE_CUSTODIAN) ||
               has_role_in(u, c->jurisdiction_org_id, ROLE_RECIPIENT_COUNSEL) ||
               is_owner;
    if (is(c->case_kind, "enforcement"))
        return has_role_in(u, c->agency_org_id, ROLE_AGENCY_COUNSEL) ||
               has_role_in(u, c->doj_org_id, ROLE_DOJ_ATTORNEY) ||
               has_role_in(u, c->jurisdiction_org_id, ROLE_RECIPIENT_COUNSEL);
    if (is(c->case_kind, "detainer"))
        return has_role_in(u, c->jurisdiction_org_id, ROLE_BOOKING) || is_owner;
    return false;
}

const char *
reminder_event_name(const struct reminder_stage *st)
{
    return st->kind == REMINDER_STAGE_KIND_OVERDUE ? "reminder.overdue"
                                                   : "reminder.due";
}

const char *
reminder_kind_label(const char *deadline_kind)
{
    static const struct {
        const char *kind;
        const char *label;
    } labels[] = {
        {"return", "return date"},
        {"compliance", "compliance deadline"},
        {"objection", "objection deadline"},
        {"appeal", "appeal deadline"},
        {"hold_max", "hold expiry"},
        {"show_cause_response", "show cause response"},
        {"show_cause_hearing", "show cause hearing"},
    };

    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++) {
        if (is(deadline_kind, labels[i].kind))
            return labels[i].label;
    }
    return deadline_kind ? deadline_kind : "";
}

/* "(in 3 days)", "(today)", "(in 4 hours)", "(overdue)". */
static void
add_when(struct buf *out, const struct reminder_stage *st)
{
    if (st->kind == REMINDER_STAGE_KIND_OVERDUE)
        buf_adds(out, "(overdue)");
    else if (st->left == 0)
        buf_adds(out, "(today)");
    else
        buf_addf(out, "(in %lld %s%s)", (long long)st->left,
                 st->is_hours ? "hour" : "day", st->left == 1 ? "" : "s");
}

void
reminder_subject(struct buf *out,
                 const char *number,
                 const char *deadline_kind,
                 const char *due,
                 const struct reminder_stage *st)
{
    buf_addf(out, "compel: %s %s %s ", number,
             reminder_kind_label(deadline_kind), due);
    add_when(out, st);
}

void
reminder_body(struct buf *out,
              const struct reminder_text *t,
              const struct reminder_stage *st)
{
    buf_addf(out, "Case: %s (%s)\r\n", t->number, t->case_kind);
    buf_addf(out, "Deadline: %s\r\n", reminder_kind_label(t->deadline_kind));
    buf_addf(out, "Due: %s ", t->due);
    add_when(out, st);
    buf_adds(out, "\r\n");
    if (is_set(t->explanation)) {
        const char *nl = strpbrk(t->explanation, "\r\n");
        size_t n = nl ? (size_t)(nl - t->explanation) : strlen(t->explanation);

        buf_adds(out, "Why: ");
        buf_add(out, t->explanation, n);
        buf_adds(out, "\r\n");
    }
    if (is_set(t->public_url)) {
        size_t n = strlen(t->public_url);

        while (n > 0 && t->public_url[n - 1] == '/')
            n--;
        buf_adds(out, "Link: ");
        buf_add(out, t->public_url, n);
        buf_addf(out, "/api/v1/%ss/%s\r\n", t->case_kind, t->case_id);
    }
    buf_adds(out, "\r\nThis reminder holds no personal data. Sign in to "
                  "compel to see the case.\r\n");
}
