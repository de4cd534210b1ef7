/*
 * h_deadline.c: GET /api/v1/deadline, a deadline computed and explained
 * on a stored calendar (API.md "Deadlines"), for any logged-in user.
 *
 * Day rules:  ?from=2020-01-13&days=14[&rule=frcp6-days|business-days]
 *             [&direction=after|before][&calendar=federal|<calendar id>]
 *             -> {"due": "2020-01-27", ...}
 * Hour clocks: ?from=2020-01-17T15:00:00&tz=America/Denver&hours=48
 *             &rule=48h-clock|48h-excluding-weekends-holidays|frcp6-hours
 *             [&calendar=...]
 *             -> {"due": "2020-01-19T15:00:00-07:00", ...}
 *
 * `from` for an hour clock is a local time in `tz` or an RFC 3339
 * instant. The answer also carries the rule's citation, the calendar's
 * name (`calendar`: "federal", or the jurisdiction's), its id and
 * `calendar_version` (the federal version plus a jurisdiction's own,
 * as stored deadlines record it) and `explain`, the explanation's lines.
 * Every bad parameter is a 400 naming it. Nothing is written and no
 * personal data is read, so nothing is audited.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/zoneinfo.h"
#include "domain/calendar.h"
#include "domain/date.h"
#include "domain/deadline.h"
#include "domain/tz.h"
#include "http/app.h"
#include "http/cases.h"
#include "http/reply.h"
#include "http/router.h"
#include "http/server.h"
#include "store/store.h"
#include "store/store_admin.h"

/* From h_calendars.c (see there). */

enum store_rc
h_calendars_get(struct store *s, const char *id, struct store_calendar *out);

static enum cm_err h_deadline_get(struct http_req *req);

static const struct route rows[] = {
    {"GET", "/api/v1/deadline", h_deadline_get, ROLE_ANY, 0, 0},
};

const struct route_group h_deadline_group = ROUTE_GROUP(rows);

/* The query, checked. */
struct query {
    const char *from;
    const char *rule_id;
    const char *calendar; /* "federal" or a calendar id */
    enum deadline_direction direction;
    const struct deadline_rule *rule; /* any version, for its unit */
    int64_t period;
    int32_t trigger_day; /* day rules */
    int64_t trigger_utc; /* hour clocks, seconds */
    struct tz tz;        /* hour clocks */
};

struct calendar_tx {
    struct app_tx base;
    const char *id;
    struct calendar cal;
    char cal_id[STORE_ID_SIZE];
    char *cal_name; /* the stored calendar's name */
    int64_t version;
    bool has_cal;
};

static enum store_rc
calendar_tx(struct store *s, void *ctx)
{
    struct calendar_tx *t = ctx;
    struct store_calendar c;
    enum store_rc rc = h_calendars_get(s, t->id, &c);

    if (t->has_cal)
        calendar_release(&t->cal);
    t->has_cal = false;
    if (rc == STORE_NO_RESULTS)
        return app_fail(&t->base, CM_ERR_VALIDATION_FAILED, "calendar",
                        "calendar must be \"federal\" or a calendar's id "
                        "(see GET /api/v1/calendars)");
    if (rc < 0)
        return rc;
    rc = cases_calendar_of(s, &c, &t->cal, &t->version);
    if (rc == STORE_ONE_RESULT) {
        t->has_cal = true;
        memcpy(t->cal_id, c.id, sizeof t->cal_id);
        cm_free(t->cal_name);
        t->cal_name = cm_strdup(c.name);
    }
    store_calendar_release(&c);
    return rc;
}

/* Parse a whole number 0..max (decimal digits only). */
static bool
parse_count(const char *s, int64_t max, int64_t *out)
{
    int64_t v = 0;
    bool ok = s != NULL && *s != '\0';

    for (const char *p = s; ok && *p; p++) {
        ok = *p >= '0' && *p <= '9';
        v = v * 10 + (*p - '0');
        ok = ok && v <= max;
    }
    if (ok)
        *out = v;
    return ok;
}

/* Load zone `name` into `*tz`. */
static enum cm_err
load_zone(const char *name, struct tz *tz)
{
    struct buf data = BUF_INIT;
    enum cm_err err = zoneinfo_read(name, &data);

    if (err == CM_ERR_OK)
        err = tz_parse(data.data, data.len, name, tz, NULL);
    buf_release(&data);
    return err;
}

static enum cm_err
bad(struct http_req *req, const char *field, const char *detail)
{
    return reply_error(req, CM_ERR_VALIDATION_FAILED, field, detail);
}

/* Check the day-rule parameters into `q`; replies the 400 itself. */
static enum cm_err
parse_days(struct http_req *req, struct query *q)
{
    const char *days = http_req_query(req, "days");
    const char *dir = http_req_query(req, "direction");

    if (http_req_query(req, "hours"))
        return bad(req, "hours",
                   "give days or hours, not both; hours go with an hour "
                   "rule");
    if (http_req_query(req, "tz"))
        return bad(req, "tz", "tz applies only to hour clocks (hours=)");
    if (q->rule->unit != DEADLINE_UNIT_DAYS)
        return bad(req, "rule",
                   "this is an hour rule: give hours= and tz=, or use "
                   "frcp6-days or business-days");
    if (!parse_count(days, DEADLINE_DAYS_MAX, &q->period))
        return bad(req, "days", "days must be a whole number from 0 to 36600");
    if (date_parse(q->from, &q->trigger_day) != CM_ERR_OK)
        return bad(req, "from", "from must be a date YYYY-MM-DD");
    if (dir && strcmp(dir, "before") == 0)
        q->direction = DEADLINE_DIRECTION_BEFORE;
    else if (dir && strcmp(dir, "after") != 0)
        return bad(req, "direction", "direction must be after or before");
    if (!deadline_rule_find(q->rule_id, q->trigger_day))
        return bad(req, "rule",
                   "no version of this rule was in effect on "
                   "the from date");
    return CM_ERR_OK;
}

/* Check the hour-clock parameters into `q` (loads q->tz on success). */
static enum cm_err
parse_hours(struct http_req *req, struct query *q)
{
    const char *hours = http_req_query(req, "hours");
    const char *zone = http_req_query(req, "tz");
    int64_t local;
    int32_t offset;

    if (http_req_query(req, "direction"))
        return bad(req, "direction", "direction applies only to day rules");
    if (q->rule->unit != DEADLINE_UNIT_HOURS)
        return bad(req, "rule",
                   "hours need an hour rule: 48h-clock, "
                   "48h-excluding-weekends-holidays or frcp6-hours");
    if (!parse_count(hours, DEADLINE_HOURS_MAX, &q->period))
        return bad(req, "hours",
                   "hours must be a whole number from 0 to 87600");
    if (!zone || !zoneinfo_is_valid_name(zone) ||
        load_zone(zone, &q->tz) != CM_ERR_OK)
        return bad(req, "tz",
                   "tz must be an IANA time zone, e.g. America/Denver");
    if (date_time_parse_rfc3339(q->from, &q->trigger_utc, &offset) !=
        CM_ERR_OK) {
        if (date_time_parse_local(q->from, &local) != CM_ERR_OK) {
            tz_release(&q->tz);
            return bad(req, "from",
                       "from must be a local date-time "
                       "YYYY-MM-DDTHH:MM[:SS] or an RFC 3339 instant");
        }
        tz_local_to_utc(&q->tz, local, &q->trigger_utc, NULL);
    }
    return CM_ERR_OK;
}

/* Split text into a JSON array of its lines. */
static json_t *
lines_json(const char *text)
{
    json_t *a = json_array();

    while (text && *text) {
        const char *nl = strchr(text, '\n');
        size_t n = nl ? (size_t)(nl - text) : strlen(text);

        if (n > 0)
            (void)json_array_append_new(a, json_stringn(text, n));
        text += n + (nl ? 1 : 0);
    }
    return a;
}

static enum cm_err
h_deadline_get(struct http_req *req)
{
    struct query q;
    struct calendar_tx t;
    struct deadline_result r;
    struct buf why = BUF_INIT;
    struct buf explain = BUF_INIT;
    char due[DATE_RFC3339_SIZE];
    bool is_hours;
    enum cm_err err;

    memset(&q, 0, sizeof q);
    memset(&t, 0, sizeof t);
    q.from = http_req_query(req, "from");
    is_hours = http_req_query(req, "hours") != NULL ||
               (http_req_query(req, "days") == NULL &&
                http_req_query(req, "tz") != NULL);
    q.rule_id = http_req_query(req, "rule");
    if (!q.rule_id)
        q.rule_id = is_hours ? "" : "frcp6-days";
    q.calendar = http_req_query(req, "calendar");
    if (!q.calendar)
        q.calendar = "federal";
    if (!q.from || !*q.from)
        return bad(req, "from",
                   "from is required: the trigger date, or a "
                   "date-time for an hour clock");
    if (!http_req_query(req, "days") && !http_req_query(req, "hours"))
        return bad(req, "days",
                   "give days= (day rules) or hours= (hour "
                   "clocks)");
    q.rule = deadline_rule_find_any(q.rule_id);
    if (!q.rule)
        return bad(req, "rule",
                   "rule must be frcp6-days, business-days, 48h-clock, "
                   "48h-excluding-weekends-holidays or frcp6-hours");
    err = is_hours ? parse_hours(req, &q) : parse_days(req, &q);
    if (err != CM_ERR_OK)
        return err;
    t.base.req = req;
    t.id = q.calendar;
    err = app_run_read(req, "deadline_calendar", calendar_tx, &t.base);
    if (err != CM_ERR_OK)
        goto out_release;
    if (is_hours)
        err = deadline_compute_hours(&t.cal, &q.tz, q.rule_id, q.trigger_utc,
                                     q.period, &r, &why);
    else
        err = deadline_compute_days(&t.cal, q.rule_id, q.trigger_day, q.period,
                                    q.direction, &r, &why);
    if (err != CM_ERR_OK) {
        err = bad(req, "from", buf_str(&why));
        goto out_release;
    }
    deadline_format_due(&r, due);
    deadline_explain(&r, &explain);
    err = reply_json(req, 200,
                     json_pack("{s:s, s:s, s:o, s:s, s:s, s:I, s:o}", "due",
                               due, "rule", q.rule_id, "citation",
                               app_json_str(r.rule->citation), "calendar",
                               t.cal_name, "calendar_id", t.cal_id,
                               "calendar_version", (json_int_t)t.version,
                               "explain", lines_json(buf_str(&explain))));
    deadline_result_release(&r);
out_release:
    calendar_release(&t.cal);
    cm_free(t.cal_name);
    if (is_hours)
        tz_release(&q.tz);
    buf_release(&explain);
    buf_release(&why);
    return err;
}
