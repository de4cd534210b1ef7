/*
 * cases.c: calendars, deadlines, events and allowed actions shared by the
 * case handlers (cases.h).
 */
#include "http/cases.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/rand.h"
#include "http/jsonout.h"
#include "store/store_admin.h"
#include "store/store_cases.h"

/* Fill a calendar from stored closures. */
static void
add_closure_cb(void *cls, const struct store_closure *c)
{
    struct calendar *cal = cls;
    int32_t day;

    if (date_parse(c->date, &day) == CM_ERR_OK)
        (void)calendar_add_closure(cal, day, c->name, c->source, NULL);
}

static void
add_holiday_cb(void *cls, const struct store_state_holiday *h)
{
    struct calendar *cal = cls;
    struct calendar_rule r;
    int32_t day;

    if (strcmp(h->kind, "dated") == 0) {
        if (h->date && date_parse(h->date, &day) == CM_ERR_OK)
            (void)calendar_add_holiday(cal, day, h->name, h->source, NULL);
        return;
    }
    memset(&r, 0, sizeof r);
    r.name = h->name;
    r.source = h->source;
    r.month = h->month;
    r.mday = h->day;
    r.weekday = (enum date_weekday)h->weekday;
    r.nth = h->nth;
    r.observance = CALENDAR_OBSERVANCE_NEAREST_WEEKDAY;
    if (strcmp(h->kind, "fixed") == 0)
        r.kind = CALENDAR_RULE_KIND_FIXED;
    else if (strcmp(h->kind, "nth_weekday") == 0)
        r.kind = CALENDAR_RULE_KIND_NTH_WEEKDAY;
    else
        r.kind = CALENDAR_RULE_KIND_LAST_WEEKDAY;
    (void)calendar_add_rule(cal, &r, NULL);
}

enum store_rc
cases_calendar_of(struct store *s,
                  const struct store_calendar *c,
                  struct calendar *out,
                  int64_t *version)
{
    struct store_calendar fed = {0};
    struct calendar cal;
    enum store_rc rc = store_calendar_get(s, STORE_FEDERAL_CALENDAR_ID, &fed);
    bool local = c && c->org_id[0] != '\0';
    int n;

    if (rc != STORE_ONE_RESULT)
        return rc < 0 ? rc : STORE_HARD_ERROR;
    calendar_init_federal(&cal);
    n = store_closure_list(s, fed.id, add_closure_cb, &cal);
    if (n >= 0 && local) {
        n = store_closure_list(s, c->id, add_closure_cb, &cal);
        if (n >= 0)
            n = store_state_holiday_list(s, c->id, add_holiday_cb, &cal);
    }
    if (n < 0) {
        rc = (enum store_rc)n;
        goto out_release;
    }
    *version = fed.version + (local ? c->version : 0);
    /* Explanations name the calendar the answer names, at its version. */
    if (local) {
        cm_free(cal.name);
        cal.name = cm_strdup(c->name);
    }
    cal.version = (uint64_t)*version;
    *out = cal;
    memset(&cal, 0, sizeof cal);
    rc = STORE_ONE_RESULT;
out_release:
    calendar_release(&cal);
    store_calendar_release(&fed);
    return rc;
}

enum store_rc
cases_calendar(struct store *s,
               const char *org_id,
               struct calendar *out,
               char cal_id[STORE_ID_SIZE],
               int64_t *version)
{
    struct store_calendar local = {0};
    enum store_rc rc = STORE_NO_RESULTS;

    if (org_id && *org_id) {
        rc = store_calendar_get_by_org(s, org_id, &local);
        if (rc < 0)
            return rc;
    }
    rc = cases_calendar_of(s, rc == STORE_ONE_RESULT ? &local : NULL, out,
                           version);
    if (rc == STORE_ONE_RESULT)
        (void)snprintf(cal_id, STORE_ID_SIZE, "%s",
                       local.id[0] ? local.id : STORE_FEDERAL_CALENDAR_ID);
    store_calendar_release(&local);
    return rc;
}

enum store_rc
cases_deadline_days(struct store *s,
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
                    int32_t *due)
{
    struct store_deadline d;
    struct deadline_result r;
    struct calendar cal;
    struct buf why = BUF_INIT;
    struct buf explain = BUF_INIT;
    char cal_id[STORE_ID_SIZE];
    char due_text[DATE_RFC3339_SIZE];
    int64_t version = 0;
    enum store_rc rc = cases_calendar(s, org_id, &cal, cal_id, &version);

    if (rc != STORE_ONE_RESULT)
        return rc;
    if (deadline_compute_days(&cal, rule_id, trigger, days, direction, &r,
                              &why) != CM_ERR_OK) {
        rc = app_fail(tx, CM_ERR_VALIDATION_FAILED, field, "%s", buf_str(&why));
        goto out_cal;
    }
    deadline_explain(&r, &explain);
    deadline_format_due(&r, due_text);
    memset(&d, 0, sizeof d);
    cm_id_new(d.id);
    d.case_kind = (char *)case_kind;
    (void)snprintf(d.case_id, sizeof d.case_id, "%s", case_id);
    d.kind = (char *)kind;
    d.due = due_text;
    d.rule_id = (char *)rule_id;
    (void)snprintf(d.calendar_id, sizeof d.calendar_id, "%s", cal_id);
    d.calendar_version = version;
    d.trigger = (char *)trigger_text;
    d.explanation = (char *)buf_str(&explain);
    d.computed_at = app_now(app_of(tx->req));
    rc = store_deadline_upsert(s, &d);
    if (rc >= 0) {
        *due = r.due_day;
        rc = STORE_ONE_RESULT;
    }
    deadline_result_release(&r);
out_cal:
    buf_release(&explain);
    buf_release(&why);
    calendar_release(&cal);
    return rc;
}

enum store_rc
cases_deadline_fixed(struct store *s,
                     const char *case_kind,
                     const char *case_id,
                     const char *kind,
                     const char *due,
                     const char *trigger_text,
                     int64_t now)
{
    struct store_deadline d;
    struct buf explain = BUF_INIT;
    enum store_rc rc;

    buf_addf(&explain, "due: %s\nset by: %s (a date given, not computed)\n",
             due, trigger_text);
    memset(&d, 0, sizeof d);
    cm_id_new(d.id);
    d.case_kind = (char *)case_kind;
    (void)snprintf(d.case_id, sizeof d.case_id, "%s", case_id);
    d.kind = (char *)kind;
    d.due = (char *)due;
    d.rule_id = (char *)"fixed";
    d.trigger = (char *)trigger_text;
    d.explanation = (char *)buf_str(&explain);
    d.computed_at = now;
    rc = store_deadline_upsert(s, &d);
    buf_release(&explain);
    return rc;
}

/* The JSON form read back from its text (what the *_write functions
 * append), so that the two forms cannot differ; NULL if it is not JSON. */
static json_t *
json_of(const struct buf *text)
{
    return json_loadb(buf_str(text), text->len, 0, NULL);
}

struct deadlines_out {
    struct buf *out;
    struct buf *return_explain;
    size_t n;
};

static void
deadline_cb(void *cls, const struct store_deadline *d)
{
    struct deadlines_out *w = cls;
    struct buf *b = w->out;

    /* Columns the schema declares NOT NULL: a row without them was left
     * out of the answer before it was written directly, so it still is. */
    if (!d->kind || !d->due || !d->rule_id)
        return;
    if (w->n++ > 0)
        buf_addch(b, ',');
    jsonout_add_string(b, d->kind, strlen(d->kind));
    buf_adds(b, ":{\"due\":");
    jsonout_add_string(b, d->due, strlen(d->due));
    buf_adds(b, ",\"rule\":");
    jsonout_add_string(b, d->rule_id, strlen(d->rule_id));
    buf_adds(b, ",\"calendar_id\":");
    jsonout_add_text(b, d->calendar_id);
    buf_adds(b, ",\"calendar_version\":");
    jsonout_add_int(b, d->calendar_version);
    buf_adds(b, ",\"trigger\":");
    jsonout_add_text(b, d->trigger);
    buf_adds(b, ",\"explain\":");
    jsonout_add_lines(b, d->explanation);
    buf_addch(b, '}');
    if (w->return_explain && strcmp(d->kind, "return") == 0) {
        buf_reset(w->return_explain);
        jsonout_add_lines(w->return_explain, d->explanation);
    }
}

enum store_rc
cases_deadlines_write(struct store *s,
                      const char *case_kind,
                      const char *case_id,
                      struct buf *out,
                      struct buf *return_explain)
{
    struct deadlines_out w = {out, return_explain, 0};
    int n;

    buf_addch(out, '{');
    n = store_deadline_list_for_case(s, case_kind, case_id, deadline_cb, &w);
    if (n < 0)
        return (enum store_rc)n;
    buf_addch(out, '}');
    return STORE_ONE_RESULT;
}

json_t *
cases_deadlines_json(struct store *s,
                     const char *case_kind,
                     const char *case_id)
{
    struct buf text = BUF_INIT;
    json_t *o = NULL;

    if (cases_deadlines_write(s, case_kind, case_id, &text, NULL) >= 0)
        o = json_of(&text);
    buf_release(&text);
    return o;
}

enum store_rc
cases_event(struct store *s,
            struct http_req *req,
            const char *case_kind,
            const char *case_id,
            const char *action,
            json_t *details)
{
    struct store_event ev;
    char roles[128];
    size_t at = 0;
    int64_t seq = 0;
    char *text = details ? json_dumps(details, JSON_COMPACT) : NULL;
    enum store_rc rc;

    roles[0] = '\0';
    for (unsigned r = 0; r < (unsigned)ROLE__COUNT; r++) {
        const char *name = role_name((enum role)r);
        int w;

        if (!(req->roles & ROLE_BIT(r)) || !name)
            continue;
        w = snprintf(roles + at, sizeof roles - at, "%s%s", at ? "," : "",
                     name);
        if (w < 0 || (size_t)w >= sizeof roles - at)
            break;
        at += (size_t)w;
    }
    memset(&ev, 0, sizeof ev);
    ev.case_kind = (char *)case_kind;
    (void)snprintf(ev.case_id, sizeof ev.case_id, "%s", case_id);
    ev.action = (char *)action;
    (void)snprintf(ev.actor_id, sizeof ev.actor_id, "%s", req->caller.user_id);
    ev.role = roles[0] ? roles : NULL;
    ev.at = app_now(app_of(req));
    ev.details = text;
    rc = store_event_append(s, &ev, &seq);
    free(text);
    json_decref(details);
    return rc;
}

static void
event_cb(void *cls, const struct store_event *ev)
{
    json_t *items = cls;
    json_t *details = ev->details ? json_loads(ev->details, 0, NULL) : NULL;

    (void)json_array_append_new(
        items,
        json_pack("{s:I, s:s, s:o, s:o, s:o, s:o}", "seq", (json_int_t)ev->seq,
                  "action", ev->action, "actor_id", app_json_str(ev->actor_id),
                  "role", app_json_str(ev->role), "at", app_json_time(ev->at),
                  "details", details ? details : json_null()));
}

json_t *
cases_history_json(struct store *s, const char *case_kind, const char *case_id)
{
    json_t *items = json_array();

    if (store_event_list(s, case_kind, case_id, event_cb, items) < 0) {
        json_decref(items);
        return NULL;
    }
    /* The whole timeline: one page, so next_cursor is always null. */
    return json_pack("{s:o, s:n}", "items", items, "next_cursor");
}

void
cases_allowed_write(const struct machine *m,
                    int state,
                    role_set roles,
                    const struct guard_facts *facts,
                    struct buf *out)
{
    uint32_t mask = 0;
    bool first = true;

    buf_addch(out, '[');
    if (machine_allowed_actions(m, state, roles, NULL, facts, &mask) !=
        CM_ERR_OK)
        mask = 0;
    for (int i = 0; i < m->action_count; i++) {
        const char *name = machine_action_name(m, i);

        if ((mask & (1u << (unsigned)i)) && name &&
            strcmp(name, "create") != 0) {
            if (!first)
                buf_addch(out, ',');
            jsonout_add_string(out, name, strlen(name));
            first = false;
        }
    }
    buf_addch(out, ']');
}

json_t *
cases_allowed_json(const struct machine *m,
                   int state,
                   role_set roles,
                   const struct guard_facts *facts)
{
    struct buf text = BUF_INIT;
    json_t *a;

    cases_allowed_write(m, state, roles, facts, &text);
    a = json_of(&text);
    buf_release(&text);
    return a ? a : json_array();
}
