/*
 * h_calendars.c: the holiday calendars behind deadlines, over HTTP
 * (API.md "Administration"; DESIGN.md "Deadlines and calendars").
 *
 *   GET  /api/v1/calendars                  any user: the federal calendar
 *                                           and each jurisdiction's
 *   GET  /api/v1/calendars/{id}[?year=Y]    any user: one, with its dated
 *                                           closures and state holidays;
 *                                           with `year`, that year's
 *                                           holidays as deadlines see them
 *   POST /api/v1/calendars/{id}/closures    admin: add a dated closure
 *   POST /api/v1/calendars/{id}/holidays    admin: add a state holiday to a
 *                                           jurisdiction's calendar
 *
 * `{id}` is a calendar id, or "federal" for the federal calendar. The
 * federal calendar holds the legal public holidays of 5 U.S.C. 6103 (built
 * in, not stored) and the closures added here; a jurisdiction's calendar
 * adds its state's holidays and closures on top of the federal one. Each
 * addition makes a new version of the calendar it is added to; deadlines
 * record `deadline_version`, the federal version plus the jurisdiction's
 * own. A closure on the federal calendar changes every deadline computed
 * afterwards (deadlines stored earlier are not recomputed here).
 *
 * A holiday body by kind ("weekday" is "sunday" .. "saturday"):
 *   fixed         month, day        observed on the nearest weekday
 *   nth_weekday   month, weekday, nth (1-5)
 *   last_weekday  month, weekday
 *   dated         date              one day only
 * A field the kind does not use is a 400 naming it.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "domain/calendar.h"
#include "domain/date.h"
#include "http/app.h"
#include "http/body.h"
#include "http/cases.h"
#include "http/jspec.h"
#include "http/reply.h"
#include "http/router.h"
#include "http/server.h"
#include "store/store.h"
#include "store/store_admin.h"

/* Read calendar `id` ("federal" names the federal one) into *out. */
enum store_rc
h_calendars_get(struct store *s, const char *id, struct store_calendar *out);

static enum cm_err h_calendars_list(struct http_req *req);
static enum cm_err h_calendars_show(struct http_req *req);
static enum cm_err h_calendars_add_closure(struct http_req *req);
static enum cm_err h_calendars_add_holiday(struct http_req *req);

static const struct route rows[] = {
    {"GET", "/api/v1/calendars", h_calendars_list, ROLE_ANY, 0, 0},
    {"GET", "/api/v1/calendars/{id}", h_calendars_show, ROLE_ANY, 0, 0},
    {"POST", "/api/v1/calendars/{id}/closures", h_calendars_add_closure,
     ROLE_BIT(ROLE_ADMIN), 0, ROUTE_FLAG_JSON | ROUTE_FLAG_STEP_UP},
    {"POST", "/api/v1/calendars/{id}/holidays", h_calendars_add_holiday,
     ROLE_BIT(ROLE_ADMIN), 0, ROUTE_FLAG_JSON | ROUTE_FLAG_STEP_UP},
};

const struct route_group h_calendars_group = ROUTE_GROUP(rows);

static const char *const holiday_kinds[] = {"fixed", "nth_weekday",
                                            "last_weekday", "dated", NULL};
enum { HK_FIXED, HK_NTH_WEEKDAY, HK_LAST_WEEKDAY, HK_DATED };

/* In enum date_weekday order (Sunday is 0). */
static const char *const weekday_names[] = {"sunday",    "monday",   "tuesday",
                                            "wednesday", "thursday", "friday",
                                            "saturday",  NULL};

enum store_rc
h_calendars_get(struct store *s, const char *id, struct store_calendar *out)
{
    if (strcmp(id, "federal") == 0)
        id = STORE_FEDERAL_CALENDAR_ID;
    return store_calendar_get(s, id, out);
}

/* ---- JSON --------------------------------------------------------------*/

static json_t *
calendar_json(const struct store_calendar *c, int64_t federal_version)
{
    bool is_state = c->org_id[0] != '\0';

    return json_pack(
        "{s:s, s:I, s:o, s:o, s:s, s:s, s:o, s:I}", "id", c->id, "version",
        (json_int_t)c->version, "created_at", app_json_time(c->created_at),
        "updated_at", app_json_time(c->updated_at), "name", c->name, "kind",
        is_state ? "state" : "federal", "org_id", app_json_str(c->org_id),
        "deadline_version",
        (json_int_t)(is_state ? federal_version + c->version : c->version));
}

static json_t *
closure_json(const struct store_closure *c)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:o, s:I, s:o, s:o}", "id", c->id,
                     "calendar_id", c->calendar_id, "date", c->date, "name",
                     c->name, "source", app_json_str(c->source),
                     "calendar_version", (json_int_t)c->added_in, "created_by",
                     app_json_str(c->created_by), "created_at",
                     app_json_time(c->created_at));
}

static json_t *
holiday_json(const struct store_state_holiday *h)
{
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:o, s:I, s:o, s:o}", "id",
                          h->id, "calendar_id", h->calendar_id, "kind", h->kind,
                          "name", h->name, "source", app_json_str(h->source),
                          "calendar_version", (json_int_t)h->added_in,
                          "created_by", app_json_str(h->created_by),
                          "created_at", app_json_time(h->created_at));
    bool is_weekday = strcmp(h->kind, "nth_weekday") == 0 ||
                      strcmp(h->kind, "last_weekday") == 0;

    if (strcmp(h->kind, "dated") == 0)
        (void)json_object_set_new(j, "date", app_json_str(h->date));
    else
        (void)json_object_set_new(j, "month", json_integer(h->month));
    if (strcmp(h->kind, "fixed") == 0)
        (void)json_object_set_new(j, "day", json_integer(h->day));
    if (is_weekday && h->weekday >= 0 && h->weekday <= 6)
        (void)json_object_set_new(j, "weekday",
                                  json_string(weekday_names[h->weekday]));
    if (strcmp(h->kind, "nth_weekday") == 0)
        (void)json_object_set_new(j, "nth", json_integer(h->nth));
    return j;
}

/* ---- GET /api/v1/calendars ---------------------------------------------*/

struct list_tx {
    struct app_tx base;
    json_t *items;
};

static void
list_cb(void *cls, const struct store_calendar *c)
{
    /* deadline_version is completed once the federal version is known. */
    (void)json_array_append_new(cls, calendar_json(c, 0));
}

static enum store_rc
list_tx(struct store *s, void *ctx)
{
    struct list_tx *t = ctx;
    struct store_calendar fed;
    enum store_rc rc = store_calendar_get(s, STORE_FEDERAL_CALENDAR_ID, &fed);
    int n;

    json_array_clear(t->items);
    if (rc != STORE_ONE_RESULT)
        return rc < 0 ? rc : STORE_HARD_ERROR;
    n = store_calendar_list(s, list_cb, t->items);
    for (size_t i = 0; n >= 0 && i < json_array_size(t->items); i++) {
        json_t *j = json_array_get(t->items, i);
        json_t *dv = json_object_get(j, "deadline_version");

        if (strcmp(json_string_value(json_object_get(j, "kind")), "state") == 0)
            (void)json_integer_set(dv, json_integer_value(dv) + fed.version);
    }
    store_calendar_release(&fed);
    return n < 0 ? (enum store_rc)n : STORE_ONE_RESULT;
}

static enum cm_err
h_calendars_list(struct http_req *req)
{
    struct list_tx t;
    enum cm_err err;

    memset(&t, 0, sizeof t);
    t.base.req = req;
    t.items = json_array();
    err = app_run_read(req, "calendar_list", list_tx, &t.base);
    if (err != CM_ERR_OK) {
        json_decref(t.items);
        return err;
    }
    return reply_json(
        req, 200,
        json_pack("{s:o, s:o}", "items", t.items, "next_cursor", json_null()));
}

/* ---- GET /api/v1/calendars/{id} ----------------------------------------*/

struct show_tx {
    struct app_tx base;
    const char *id;
    int32_t year; /* 0: none asked */
    json_t *answer;
    int64_t version;
};

static void
closure_list_cb(void *cls, const struct store_closure *c)
{
    (void)json_array_append_new(cls, closure_json(c));
}

static void
holiday_list_cb(void *cls, const struct store_state_holiday *h)
{
    (void)json_array_append_new(cls, holiday_json(h));
}

/* That year's observed holidays of `cal` as [{date, name}]. */
static json_t *
year_json(const struct calendar *cal, int32_t year)
{
    json_t *a = json_array();
    int32_t *days = NULL;
    const char **names = NULL;
    size_t n = 0;
    char date[DATE_STR_SIZE];

    calendar_list_holidays(cal, year, &days, &names, &n);
    for (size_t i = 0; i < n; i++) {
        date_format(days[i], date);
        (void)json_array_append_new(
            a, json_pack("{s:s, s:s}", "date", date, "name", names[i]));
    }
    cm_free(days);
    cm_free((void *)names);
    return a;
}

static enum store_rc
show_tx(struct store *s, void *ctx)
{
    struct show_tx *t = ctx;
    struct store_calendar c;
    struct calendar cal;
    json_t *closures = json_array();
    json_t *holidays = json_array();
    int64_t version = 0;
    enum store_rc rc = h_calendars_get(s, t->id, &c);
    int n;

    json_decref(t->answer);
    t->answer = NULL;
    if (rc == STORE_NO_RESULTS)
        rc = app_fail(&t->base, CM_ERR_NOT_FOUND, NULL,
                      "no calendar with this id");
    if (rc < 0)
        goto out_json;
    n = store_closure_list(s, c.id, closure_list_cb, closures);
    if (n >= 0)
        n = store_state_holiday_list(s, c.id, holiday_list_cb, holidays);
    if (n < 0) {
        rc = (enum store_rc)n;
        goto out_calendar;
    }
    rc = cases_calendar_of(s, &c, &cal, &version);
    if (rc != STORE_ONE_RESULT)
        goto out_calendar;
    t->answer = calendar_json(&c, version - (c.org_id[0] ? c.version : 0));
    (void)json_object_set_new(t->answer, "closures", closures);
    (void)json_object_set_new(t->answer, "state_holidays", holidays);
    closures = holidays = NULL;
    if (t->year) {
        (void)json_object_set_new(t->answer, "year", json_integer(t->year));
        (void)json_object_set_new(t->answer, "holidays",
                                  year_json(&cal, t->year));
    }
    t->version = c.version;
    calendar_release(&cal);
out_calendar:
    store_calendar_release(&c);
out_json:
    json_decref(closures);
    json_decref(holidays);
    return rc;
}

static enum cm_err
h_calendars_show(struct http_req *req)
{
    struct show_tx t;
    const char *year = http_req_query(req, "year");
    enum cm_err err;

    memset(&t, 0, sizeof t);
    t.base.req = req;
    t.id = http_req_param(req, "id");
    if (year) {
        char *end = NULL;
        long y = strtol(year, &end, 10);

        if (strspn(year, "0123456789") != 4 || *end || y < 1971)
            return reply_error(req, CM_ERR_VALIDATION_FAILED, "year",
                               "year must be a year from 1971 to 9999");
        t.year = (int32_t)y;
    }
    err = app_run_read(req, "calendar_get", show_tx, &t.base);
    if (err == CM_ERR_OK) {
        app_set_etag(req, t.version);
        err = reply_json(req, 200, t.answer);
        t.answer = NULL;
    }
    json_decref(t.answer);
    return err;
}

/* ---- POST /api/v1/calendars/{id}/closures ------------------------------*/

struct closure_tx {
    struct app_tx base;
    struct app_idem idem;
    const char *cal_id;
    struct store_closure c; /* strings borrowed */
    bool is_taken;
    json_t *answer;
};

static void
closure_taken_cb(void *cls, const struct store_closure *c)
{
    struct closure_tx *t = cls;

    if (strcmp(c->date, t->c.date) == 0)
        t->is_taken = true;
}

static enum store_rc
closure_tx(struct store *s, void *ctx)
{
    struct closure_tx *t = ctx;
    struct store_calendar c;
    int64_t version = 0;
    enum store_rc rc = h_calendars_get(s, t->cal_id, &c);
    int n;

    json_decref(t->answer);
    t->answer = NULL;
    t->is_taken = false;
    if (rc == STORE_NO_RESULTS)
        return app_fail(&t->base, CM_ERR_NOT_FOUND, NULL,
                        "no calendar with this id");
    if (rc < 0)
        return rc;
    (void)snprintf(t->c.calendar_id, sizeof t->c.calendar_id, "%s", c.id);
    n = store_closure_list(s, c.id, closure_taken_cb, t);
    if (n < 0) {
        rc = (enum store_rc)n;
        goto out_calendar;
    }
    if (t->is_taken) {
        rc = app_fail(&t->base, CM_ERR_ALREADY_EXISTS, "date",
                      "this calendar already has a closure on %s", t->c.date);
        goto out_calendar;
    }
    rc = store_closure_insert(s, &t->c, &version);
    if (rc == STORE_NO_RESULTS)
        rc = app_fail(&t->base, CM_ERR_STATE_CONFLICT, NULL,
                      "the closure could not be recorded; try again");
    if (rc < 0)
        goto out_calendar;
    rc = app_audit(s, t->base.req, "calendar.closure.create", "calendar", c.id,
                   "ok", t->c.date);
    if (rc < 0)
        goto out_calendar;
    t->c.added_in = version;
    t->answer = closure_json(&t->c);
    rc = app_idem_save(s, &t->base, &t->idem, 201, t->answer);
out_calendar:
    store_calendar_release(&c);
    return rc;
}

static enum cm_err
h_calendars_add_closure(struct http_req *req)
{
    struct closure_tx t;
    const char *date = NULL, *name = NULL, *source = NULL;
    enum cm_err err;
    struct jspec spec[] = {
        JSPEC_DATE("date", &date, JSPEC_REQUIRED),
        JSPEC_STR_MAX("name", &name, 200, JSPEC_REQUIRED),
        JSPEC_STR_MAX("source", &source, 500, JSPEC_REQUIRED),
        JSPEC_FORBID("id"),
        JSPEC_FORBID("calendar_id"),
        JSPEC_FORBID("calendar_version"),
        JSPEC_FORBID("created_at"),
        JSPEC_END};

    memset(&t, 0, sizeof t);
    t.base.req = req;
    err = body_parse(req, spec);
    if (err != CM_ERR_OK)
        return err;
    if (name[0] == '\0')
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "name",
                           "name the closure (e.g. Christmas Eve)");
    if (source[0] == '\0')
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "source",
                           "give the closure's source (e.g. Executive "
                           "Order 13900)");
    if (app_idem_begin(req, &t.base, &t.idem))
        return CM_ERR_OK;
    t.cal_id = http_req_param(req, "id");
    cm_id_new(t.c.id);
    t.c.date = (char *)date;
    t.c.name = (char *)name;
    t.c.source = (char *)source;
    (void)snprintf(t.c.created_by, sizeof t.c.created_by, "%s",
                   req->caller.user_id);
    t.c.created_at = app_now(app_of(req));
    err = app_run(req, "closure_create", closure_tx, &t.base);
    if (err == CM_ERR_OK) {
        err = reply_json(req, 201, t.answer);
        t.answer = NULL;
    }
    json_decref(t.answer);
    return err;
}

/* ---- POST /api/v1/calendars/{id}/holidays ------------------------------*/

struct holiday_tx {
    struct app_tx base;
    struct app_idem idem;
    const char *cal_id;
    struct store_state_holiday h; /* strings borrowed */
    bool is_taken;
    json_t *answer;
};

static void
holiday_taken_cb(void *cls, const struct store_state_holiday *h)
{
    struct holiday_tx *t = cls;

    if (strcmp(h->kind, "dated") == 0 && t->h.date && h->date &&
        strcmp(h->date, t->h.date) == 0)
        t->is_taken = true;
}

static enum store_rc
holiday_tx(struct store *s, void *ctx)
{
    struct holiday_tx *t = ctx;
    struct store_calendar c;
    int64_t version = 0;
    enum store_rc rc = h_calendars_get(s, t->cal_id, &c);
    int n;

    json_decref(t->answer);
    t->answer = NULL;
    t->is_taken = false;
    if (rc == STORE_NO_RESULTS)
        return app_fail(&t->base, CM_ERR_NOT_FOUND, NULL,
                        "no calendar with this id");
    if (rc < 0)
        return rc;
    if (c.org_id[0] == '\0') {
        rc = app_fail(&t->base, CM_ERR_GUARD_FAILED,
                      "federal_holidays_are_statutory",
                      "the federal holidays are those of 5 U.S.C. 6103; "
                      "add a closure instead, or add the holiday to a "
                      "jurisdiction's calendar");
        goto out_calendar;
    }
    (void)snprintf(t->h.calendar_id, sizeof t->h.calendar_id, "%s", c.id);
    n = store_state_holiday_list(s, c.id, holiday_taken_cb, t);
    if (n < 0) {
        rc = (enum store_rc)n;
        goto out_calendar;
    }
    if (t->is_taken) {
        rc = app_fail(&t->base, CM_ERR_ALREADY_EXISTS, "date",
                      "this calendar already has a holiday on %s", t->h.date);
        goto out_calendar;
    }
    rc = store_state_holiday_insert(s, &t->h, &version);
    if (rc == STORE_NO_RESULTS)
        rc = app_fail(&t->base, CM_ERR_STATE_CONFLICT, NULL,
                      "the holiday could not be recorded; try again");
    if (rc < 0)
        goto out_calendar;
    rc = app_audit(s, t->base.req, "calendar.holiday.create", "calendar", c.id,
                   "ok", t->h.kind);
    if (rc < 0)
        goto out_calendar;
    t->h.added_in = version;
    t->answer = holiday_json(&t->h);
    rc = app_idem_save(s, &t->base, &t->idem, 201, t->answer);
out_calendar:
    store_calendar_release(&c);
    return rc;
}

/* Refuse (400) a field `name` that is `given` but kind `kind` does not
 * use, or one it needs that is missing. */
static enum cm_err
check_field(struct http_req *req,
            const char *name,
            bool given,
            bool used,
            const char *kind)
{
    char detail[160];

    if (given == used)
        return CM_ERR_OK;
    (void)snprintf(detail, sizeof detail, "a %s holiday %s %s", kind,
                   used ? "needs" : "does not take", name);
    return reply_error(req, CM_ERR_VALIDATION_FAILED, name, detail);
}

static enum cm_err
check_holiday(struct http_req *req,
              int kind,
              long long month,
              long long day,
              int weekday,
              long long nth,
              const char *date)
{
    const char *k = holiday_kinds[kind];
    bool dated = kind == HK_DATED;
    bool by_weekday = kind == HK_NTH_WEEKDAY || kind == HK_LAST_WEEKDAY;
    enum cm_err err = check_field(req, "date", date != NULL, dated, k);

    if (err == CM_ERR_OK)
        err = check_field(req, "month", month != 0, !dated, k);
    if (err == CM_ERR_OK)
        err = check_field(req, "day", day != 0, kind == HK_FIXED, k);
    if (err == CM_ERR_OK)
        err = check_field(req, "weekday", weekday >= 0, by_weekday, k);
    if (err == CM_ERR_OK)
        err = check_field(req, "nth", nth != 0, kind == HK_NTH_WEEKDAY, k);
    /* February 29 is a holiday only in leap years; 2000 was one. */
    if (err == CM_ERR_OK && kind == HK_FIXED &&
        !date_is_valid_ymd(2000, (int)month, (int)day))
        err = reply_error(req, CM_ERR_VALIDATION_FAILED, "day",
                          "that month has no such day");
    return err;
}

static enum cm_err
h_calendars_add_holiday(struct http_req *req)
{
    struct holiday_tx t;
    const char *name = NULL, *source = NULL, *date = NULL;
    long long month = 0, day = 0, nth = 0;
    int kind = -1, weekday = -1;
    enum cm_err err;
    struct jspec spec[] = {
        JSPEC_ENUM("kind", &kind, holiday_kinds, JSPEC_REQUIRED),
        JSPEC_INT("month", &month, 1, 12, JSPEC_OPTIONAL),
        JSPEC_INT("day", &day, 1, 31, JSPEC_OPTIONAL),
        JSPEC_ENUM("weekday", &weekday, weekday_names, JSPEC_OPTIONAL),
        JSPEC_INT("nth", &nth, 1, 5, JSPEC_OPTIONAL),
        JSPEC_DATE("date", &date, JSPEC_OPTIONAL),
        JSPEC_STR_MAX("name", &name, 200, JSPEC_REQUIRED),
        JSPEC_STR_MAX("source", &source, 500, JSPEC_OPTIONAL),
        JSPEC_FORBID("id"),
        JSPEC_FORBID("calendar_id"),
        JSPEC_FORBID("calendar_version"),
        JSPEC_FORBID("created_at"),
        JSPEC_END};

    memset(&t, 0, sizeof t);
    t.base.req = req;
    err = body_parse(req, spec);
    if (err != CM_ERR_OK)
        return err;
    err = check_holiday(req, kind, month, day, weekday, nth, date);
    if (err != CM_ERR_OK)
        return err;
    if (name[0] == '\0')
        return reply_error(req, CM_ERR_VALIDATION_FAILED, "name",
                           "name the holiday (e.g. Cesar Chavez Day)");
    if (app_idem_begin(req, &t.base, &t.idem))
        return CM_ERR_OK;
    t.cal_id = http_req_param(req, "id");
    cm_id_new(t.h.id);
    t.h.kind = (char *)holiday_kinds[kind];
    t.h.month = (int)month;
    t.h.day = (int)day;
    t.h.weekday = weekday < 0 ? 0 : weekday;
    t.h.nth = (int)nth;
    t.h.date = (char *)date;
    t.h.name = (char *)name;
    t.h.source = (char *)(source && *source ? source : NULL);
    (void)snprintf(t.h.created_by, sizeof t.h.created_by, "%s",
                   req->caller.user_id);
    t.h.created_at = app_now(app_of(req));
    err = app_run(req, "holiday_create", holiday_tx, &t.base);
    if (err == CM_ERR_OK) {
        err = reply_json(req, 201, t.answer);
        t.answer = NULL;
    }
    json_decref(t.answer);
    return err;
}
