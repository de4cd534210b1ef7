/*
 * reports.c: the jurisdiction report document (reports.h): the periods of
 * a date range, the store's sums turned into the measures of
 * docs/reports.md, the public export's suppression, and CSV and table
 * output.
 */
#include "http/reports.h"

#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "domain/date.h"
#include "domain/stats.h"
#include "http/app.h"
#include "render/csv.h"

/* Microseconds in a day. */
#define US_PER_DAY (86400LL * 1000000LL)

bool
reports_local_date(const char *tz, int64_t utc_us, char out[STORE_DATE_SIZE])
{
    char d[DATE_STR_SIZE];

    date_format(app_today_in(tz, utc_us), d);
    (void)snprintf(out, STORE_DATE_SIZE, "%.10s", d);
    return true;
}

enum cm_err
reports_check_query(const struct reports_query *q,
                    const char **field,
                    char *why,
                    size_t why_size)
{
    int32_t from = 0;
    int32_t to = 0;

    if (q->from && date_parse(q->from, &from) != CM_ERR_OK) {
        *field = "from";
        (void)snprintf(why, why_size, "from must be a date YYYY-MM-DD");
        return CM_ERR_VALIDATION_FAILED;
    }
    if (q->to && date_parse(q->to, &to) != CM_ERR_OK) {
        *field = "to";
        (void)snprintf(why, why_size, "to must be a date YYYY-MM-DD");
        return CM_ERR_VALIDATION_FAILED;
    }
    if (q->from && q->to && from > to) {
        *field = "from";
        (void)snprintf(why, why_size, "from (%s) is after to (%s)", q->from,
                       q->to);
        return CM_ERR_VALIDATION_FAILED;
    }
    return CM_ERR_OK;
}

struct keys {
    char **v;
    size_t n, cap;
};

static void
add_key(void *cls, const char *key)
{
    struct keys *k = cls;

    if (k->n == k->cap) {
        k->cap = k->cap ? k->cap * 2 : 32;
        k->v = cm_realloc(k->v, k->cap * sizeof *k->v);
    }
    k->v[k->n++] = cm_strdup(key);
}

struct build {
    const struct reports_query *q;
    json_t *list;
};

/* A count, or null when the public export must not show it. */
static json_t *
count_json(const struct build *b, int64_t n, bool hidden, bool *suppressed)
{
    if (b->q->is_public && hidden) {
        *suppressed = true;
        return json_null();
    }
    return json_integer(n);
}

static json_t *
rate_json(const struct build *b,
          int64_t num,
          int64_t den,
          bool small,
          bool *suppressed)
{
    double r;

    if (!stats_rate(num, den, &r))
        return json_null();
    /* a shown rate of a shown denominator gives the numerator back */
    if (b->q->is_public &&
        (small || !stats_is_publishable(den) || !stats_is_publishable(num) ||
         !stats_is_publishable(den - num))) {
        *suppressed = true;
        return json_null();
    }
    return json_real(r);
}

/* {total, reported, observed, inferred} of honored or declined. */
static json_t *
decision_json(const struct build *b, const int64_t *by_source, bool *supp)
{
    int64_t total = by_source[0] + by_source[1] + by_source[2];
    bool total_hidden = !stats_is_publishable(total);
    bool hidden[3];

    stats_suppress_group(by_source, 3, !total_hidden, hidden);
    return json_pack("{s:o, s:o, s:o, s:o}", "total",
                     count_json(b, total, total_hidden, supp), "reported",
                     count_json(b, by_source[0], hidden[0], supp), "observed",
                     count_json(b, by_source[1], hidden[1], supp), "inferred",
                     count_json(b, by_source[2], hidden[2], supp));
}

static void
row_cb(void *cls, const struct store_report_row *r)
{
    struct build *b = cls;
    const int64_t *c = r->counts;
    int64_t resolved = c[STORE_REPORT_MEASURE_RESOLVED];
    bool small = stats_is_small_sample(resolved);
    bool supp = false;
    bool hidden_disp[5];
    bool res_hidden = !stats_is_publishable(resolved);
    struct stats_bar *bars = NULL;
    int64_t median = 0;
    bool has_median;
    int64_t on_orig = c[STORE_REPORT_MEASURE_ON_TIME_ORIGINAL];
    int64_t on_ext = c[STORE_REPORT_MEASURE_ON_TIME_EXTENDED];
    json_t *sub;
    json_t *o;
    size_t i;

    if (r->n_days)
        bars = cm_calloc(r->n_days, sizeof *bars);
    for (i = 0; i < r->n_days; i++) {
        bars[i].value = r->days[i].days;
        bars[i].count = r->days[i].count;
    }
    has_median = stats_median(bars, r->n_days, &median);
    if (!r->days && r->has_median) {
        median = r->median_days; /* one period: the database's median */
        has_median = true;
    }
    cm_free(bars);
    stats_suppress_group(&c[STORE_REPORT_MEASURE_COMPLIED], 5, !res_hidden,
                         hidden_disp);

    sub = json_object();
#define PUT(k, v) (void)json_object_set_new(sub, k, v)
#define CNT(m)    count_json(b, c[m], !stats_is_publishable(c[m]), &supp)
    PUT("served", CNT(STORE_REPORT_MEASURE_SERVED));
    PUT("resolved", count_json(b, resolved, res_hidden, &supp));
    PUT("complied",
        count_json(b, c[STORE_REPORT_MEASURE_COMPLIED], hidden_disp[0], &supp));
    PUT("partially_complied",
        count_json(b, c[STORE_REPORT_MEASURE_PARTIALLY_COMPLIED],
                   hidden_disp[1], &supp));
    PUT("no_records", count_json(b, c[STORE_REPORT_MEASURE_NO_RECORDS],
                                 hidden_disp[2], &supp));
    PUT("objected",
        count_json(b, c[STORE_REPORT_MEASURE_OBJECTED], hidden_disp[3], &supp));
    PUT("refused",
        count_json(b, c[STORE_REPORT_MEASURE_REFUSED], hidden_disp[4], &supp));
    PUT("open", count_json(b, r->open, !stats_is_publishable(r->open), &supp));
    PUT("overdue",
        count_json(b, r->overdue, !stats_is_publishable(r->overdue), &supp));
    PUT("referred", CNT(STORE_REPORT_MEASURE_REFERRED));
    /* on time and late are complements within resolved */
    PUT("on_time_original",
        count_json(b, on_orig,
                   !stats_is_publishable(on_orig) ||
                       !stats_is_publishable(resolved - on_orig),
                   &supp));
    PUT("on_time_extended",
        count_json(b, on_ext,
                   !stats_is_publishable(on_ext) ||
                       !stats_is_publishable(resolved - on_ext),
                   &supp));
    PUT("on_time_original_rate", rate_json(b, on_orig, resolved, small, &supp));
    PUT("on_time_extended_rate", rate_json(b, on_ext, resolved, small, &supp));
    if (!has_median) {
        PUT("median_days_to_response", json_null());
    } else if (b->q->is_public && small) {
        supp = true;
        PUT("median_days_to_response", json_null());
    } else {
        PUT("median_days_to_response", json_integer(median));
    }
    PUT("items_requested", CNT(STORE_REPORT_MEASURE_ITEMS_REQUESTED));
    PUT("items_produced", CNT(STORE_REPORT_MEASURE_ITEMS_PRODUCED));
    PUT("item_production_rate",
        rate_json(b, c[STORE_REPORT_MEASURE_ITEMS_PRODUCED],
                  c[STORE_REPORT_MEASURE_ITEMS_REQUESTED], small, &supp));
#undef PUT

    o = json_object();
    if (!b->q->is_public)
        (void)json_object_set_new(o, "org_id", json_string(r->org_id));
    (void)json_object_set_new(o, "name", json_string(r->name ? r->name : ""));
    (void)json_object_set_new(o, "state", app_json_str(r->state));
    (void)json_object_set_new(
        o, "detainers",
        json_pack(
            "{s:o, s:o, s:o}", "lodged",
            CNT(STORE_REPORT_MEASURE_DETAINERS_LODGED), "honored",
            decision_json(b, &c[STORE_REPORT_MEASURE_HONORED_REPORTED], &supp),
            "declined",
            decision_json(b, &c[STORE_REPORT_MEASURE_DECLINED_REPORTED],
                          &supp)));
    (void)json_object_set_new(o, "subpoenas", sub);
    (void)json_object_set_new(
        o, "enforcements",
        json_pack("{s:o, s:o, s:o, s:o, s:o}", "orders_enforced",
                  CNT(STORE_REPORT_MEASURE_ORDERS_ENFORCED),
                  "orders_enforced_in_part",
                  CNT(STORE_REPORT_MEASURE_ORDERS_ENFORCED_IN_PART),
                  "orders_denied", CNT(STORE_REPORT_MEASURE_ORDERS_DENIED),
                  "contempt_civil", CNT(STORE_REPORT_MEASURE_CONTEMPT_CIVIL),
                  "contempt_criminal",
                  CNT(STORE_REPORT_MEASURE_CONTEMPT_CRIMINAL)));
#undef CNT
    (void)json_object_set_new(o, "small_sample", json_boolean(small));
    if (b->q->is_public)
        (void)json_object_set_new(o, "suppressed", json_boolean(supp));
    (void)json_array_append_new(b->list, o);
}

enum store_rc
reports_build(struct store *s, const struct reports_query *q, json_t **out)
{
    struct keys k;
    struct build b;
    char to_text[DATE_STR_SIZE];
    const char *from = q->from;
    const char *to = q->to;
    int32_t from_day = 0;
    int32_t to_day = 0;
    int n;
    size_t i;

    memset(&k, 0, sizeof k);
    if (!from && !to) {
        add_key(&k, "*");
    } else {
        if (!from)
            from = "1970-01-01";
        if (!to) {
            /* today in UTC + 1: today in every zone of the world */
            date_format(date_time_day(q->now / 1000000) + 1, to_text);
            to = to_text;
        }
        (void)date_parse(from, &from_day);
        (void)date_parse(to, &to_day);
        stats_periods(from_day, to_day, add_key, &k);
    }
    b.q = q;
    b.list = json_array();
    n = store_report_jurisdictions(s, (const char *const *)k.v, k.n, q->org_id,
                                   q->now, row_cb, &b);
    for (i = 0; i < k.n; i++)
        cm_free(k.v[i]);
    cm_free(k.v);
    if (n < 0) {
        json_decref(b.list);
        return (enum store_rc)n;
    }
    *out = json_pack("{s:o, s:o, s:o, s:b, s:o}", "from",
                     q->from || q->to ? json_string(from) : json_null(), "to",
                     q->from || q->to ? json_string(to) : json_null(),
                     "generated_at", app_json_time(q->now), "public",
                     q->is_public, "jurisdictions", b.list);
    return STORE_ONE_RESULT;
}

/* ---- CSV and table -------------------------------------------------------*/

static void
flatten(const json_t *v, const char *prefix, bool header, struct buf *out)
{
    const char *key;
    json_t *x;
    char text[64];

    json_object_foreach ((json_t *)v, key, x) {
        char name[128];

        (void)snprintf(name, sizeof name, "%s%s%s", prefix, *prefix ? "." : "",
                       key);
        if (json_is_object(x)) {
            flatten(x, name, header, out);
            continue;
        }
        if (header) {
            csv_write_field(out, name);
        } else if (json_is_string(x)) {
            csv_write_field(out, json_string_value(x));
        } else if (json_is_integer(x)) {
            (void)snprintf(text, sizeof text, "%lld",
                           (long long)json_integer_value(x));
            csv_write_field(out, text);
        } else if (json_is_real(x)) {
            size_t n;

            /* the shortest form: 0.4, 1, 0.6667 (as in JSON) */
            (void)snprintf(text, sizeof text, "%.4f", json_real_value(x));
            n = strlen(text);
            while (n > 0 && text[n - 1] == '0')
                text[--n] = '\0';
            if (n > 0 && text[n - 1] == '.')
                text[--n] = '\0';
            csv_write_field(out, text);
        } else if (json_is_boolean(x)) {
            csv_write_field(out, json_is_true(x) ? "true" : "false");
        } else {
            csv_write_field(out, NULL);
        }
    }
}

void
reports_csv(const json_t *doc, struct buf *out)
{
    const json_t *list = json_object_get(doc, "jurisdictions");
    size_t i;
    json_t *j;

    if (json_array_size(list) == 0) {
        /* no jurisdiction: still the header of an empty one */
        struct reports_query q = {0};
        struct build b = {&q, json_array()};
        struct store_report_row r;

        q.is_public = json_is_true(json_object_get(doc, "public"));
        memset(&r, 0, sizeof r);
        row_cb(&b, &r);
        flatten(json_array_get(b.list, 0), "", true, out);
        csv_write_row_end(out);
        json_decref(b.list);
        return;
    }
    flatten(json_array_get(list, 0), "", true, out);
    csv_write_row_end(out);
    json_array_foreach (list, i, j) {
        flatten(j, "", false, out);
        csv_write_row_end(out);
    }
}

static void
cell(struct buf *out, const json_t *j, const char *path, int width)
{
    char key[64];
    const char *p = path;
    const json_t *v = j;
    char text[32] = "-";

    while (v && *p) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);

        (void)snprintf(key, sizeof key, "%.*s", (int)n, p);
        v = json_object_get(v, key);
        p += n + (dot ? 1 : 0);
    }
    if (json_is_integer(v))
        (void)snprintf(text, sizeof text, "%lld",
                       (long long)json_integer_value(v));
    else if (json_is_real(v))
        (void)snprintf(text, sizeof text, "%.1f%%", json_real_value(v) * 100);
    else if (json_is_boolean(v))
        (void)snprintf(text, sizeof text, "%s", json_is_true(v) ? "yes" : "");
    buf_addf(out, " %*s", width, text);
}

void
reports_table(const json_t *doc, struct buf *out)
{
    static const struct {
        const char *title;
        const char *path;
    } cols[] = {
        {"lodged", "detainers.lodged"},
        {"honored", "detainers.honored.total"},
        {"declined", "detainers.declined.total"},
        {"served", "subpoenas.served"},
        {"resolved", "subpoenas.resolved"},
        {"complied", "subpoenas.complied"},
        {"partial", "subpoenas.partially_complied"},
        {"refused", "subpoenas.refused"},
        {"open", "subpoenas.open"},
        {"overdue", "subpoenas.overdue"},
        {"referred", "subpoenas.referred"},
        {"median", "subpoenas.median_days_to_response"},
        {"on-time", "subpoenas.on_time_original_rate"},
        {"items", "subpoenas.item_production_rate"},
        {"small", "small_sample"},
    };
    const json_t *list = json_object_get(doc, "jurisdictions");
    const char *from = json_string_value(json_object_get(doc, "from"));
    const char *to = json_string_value(json_object_get(doc, "to"));
    size_t i;
    size_t c;
    json_t *j;

    buf_addf(out, "Jurisdictions, %s to %s\n", from ? from : "all time",
             to ? to : "now");
    buf_addf(out, "%-32s %-2s", "jurisdiction", "st");
    for (c = 0; c < sizeof cols / sizeof cols[0]; c++)
        buf_addf(out, " %8s", cols[c].title);
    buf_addch(out, '\n');
    json_array_foreach (list, i, j) {
        const char *st = json_string_value(json_object_get(j, "state"));

        buf_addf(out, "%-32.32s %-2s",
                 json_string_value(json_object_get(j, "name")), st ? st : "");
        for (c = 0; c < sizeof cols / sizeof cols[0]; c++)
            cell(out, j, cols[c].path, 8);
        buf_addch(out, '\n');
    }
}
