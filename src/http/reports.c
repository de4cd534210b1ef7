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
#include "http/jsonout.h"
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

/* The period keys of the range and their weights (stats_periods). */
struct keys {
    char **v;
    int *w;
    size_t n, cap;
};

static void
add_key(void *cls, const char *key, int weight)
{
    struct keys *k = cls;

    if (k->n == k->cap) {
        k->cap = k->cap ? k->cap * 2 : 32;
        k->v = cm_realloc(k->v, k->cap * sizeof *k->v);
        k->w = cm_realloc(k->w, k->cap * sizeof *k->w);
    }
    k->w[k->n] = weight;
    k->v[k->n++] = cm_strdup(key);
}

/* The fields of a jurisdiction's line, in the document's order
 * (docs/reports.md defines each). */
enum field {
    F_ORG_ID,
    F_NAME,
    F_STATE,
    F_DETAINERS_LODGED,
    F_HONORED_TOTAL, /* total, reported, observed, inferred */
    F_HONORED_REPORTED,
    F_HONORED_OBSERVED,
    F_HONORED_INFERRED,
    F_DECLINED_TOTAL,
    F_DECLINED_REPORTED,
    F_DECLINED_OBSERVED,
    F_DECLINED_INFERRED,
    F_SERVED,
    F_RESOLVED,
    F_COMPLIED, /* complied .. refused: the five dispositions in order */
    F_PARTIALLY_COMPLIED,
    F_NO_RECORDS,
    F_OBJECTED,
    F_REFUSED,
    F_OPEN,
    F_OVERDUE,
    F_REFERRED,
    F_ON_TIME_ORIGINAL,
    F_ON_TIME_EXTENDED,
    F_ON_TIME_ORIGINAL_RATE,
    F_ON_TIME_EXTENDED_RATE,
    F_MEDIAN_DAYS,
    F_ITEMS_REQUESTED,
    F_ITEMS_PRODUCED,
    F_ITEM_PRODUCTION_RATE,
    F_ORDERS_ENFORCED, /* the five enforcement outcomes in order */
    F_ORDERS_ENFORCED_IN_PART,
    F_ORDERS_DENIED,
    F_CONTEMPT_CIVIL,
    F_CONTEMPT_CRIMINAL,
    F_SMALL_SAMPLE,
    F_SUPPRESSED,
    F__COUNT
};

/* What a field holds in one line: absent from the document (org_id of
 * the public export, suppressed of the full one), null, or a value. */
enum kind { K_ABSENT, K_NULL, K_INT, K_REAL, K_BOOL, K_TEXT };

struct value {
    union {
        int64_t i; /* K_INT; K_BOOL: 0 or 1 */
        double r;  /* K_REAL */
    } u;
    enum kind kind;
};

/* One jurisdiction's line, on the stack while it is written. */
struct line {
    const char *text[3]; /* F_ORG_ID, F_NAME, F_STATE when K_TEXT */
    struct value v[F__COUNT];
};

struct build {
    const struct reports_query *q;
    enum reports_format format;
    struct buf *out;
    size_t n; /* lines written */
};

static void write_line(struct build *b, const struct line *l);

static void
set_null(struct value *v)
{
    v->kind = K_NULL;
}

static void
set_int(struct value *v, int64_t n)
{
    v->kind = K_INT;
    v->u.i = n;
}

/* A count, or null when the public export must not show it. */
static void
set_count(const struct build *b,
          struct value *v,
          int64_t n,
          bool hidden,
          bool *suppressed)
{
    if (b->q->is_public && hidden) {
        *suppressed = true;
        set_null(v);
        return;
    }
    set_int(v, n);
}

static void
set_rate(const struct build *b,
         struct value *v,
         int64_t num,
         int64_t den,
         bool small,
         bool *suppressed)
{
    double r;

    if (!stats_rate(num, den, &r)) {
        set_null(v);
        return;
    }
    /* a shown rate of a shown denominator gives the numerator back */
    if (b->q->is_public &&
        (small || !stats_is_publishable(den) || !stats_is_publishable(num) ||
         !stats_is_publishable(den - num))) {
        *suppressed = true;
        set_null(v);
        return;
    }
    v->kind = K_REAL;
    v->u.r = r;
}

/* total, reported, observed, inferred of honored or declined, into the
 * four fields from v[0]. */
static void
set_decision(const struct build *b,
             struct value *v,
             const int64_t *by_source,
             bool *supp)
{
    int64_t total = by_source[0] + by_source[1] + by_source[2];
    bool total_hidden = !stats_is_publishable(total);
    bool hidden[3];

    stats_suppress_group(by_source, 3, !total_hidden, hidden);
    set_count(b, &v[0], total, total_hidden, supp);
    for (int i = 0; i < 3; i++)
        set_count(b, &v[1 + i], by_source[i], hidden[i], supp);
}

static void
set_text(struct line *l, enum field f, const char *s)
{
    l->v[f].kind = s ? K_TEXT : K_NULL;
    l->text[f] = s;
}

/* The line of one jurisdiction, from the store's sums, into `l` (zeroed
 * by the caller: fields left alone are absent). */
static void
fill_line(const struct build *b,
          const struct store_report_row *r,
          struct line *l)
{
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
    struct value *v = l->v;
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

    if (!b->q->is_public)
        set_text(l, F_ORG_ID, r->org_id);
    set_text(l, F_NAME, r->name ? r->name : "");
    set_text(l, F_STATE, r->state && *r->state ? r->state : NULL);

#define CNT(f, m) set_count(b, &v[f], c[m], !stats_is_publishable(c[m]), &supp)
    CNT(F_DETAINERS_LODGED, STORE_REPORT_MEASURE_DETAINERS_LODGED);
    set_decision(b, &v[F_HONORED_TOTAL],
                 &c[STORE_REPORT_MEASURE_HONORED_REPORTED], &supp);
    set_decision(b, &v[F_DECLINED_TOTAL],
                 &c[STORE_REPORT_MEASURE_DECLINED_REPORTED], &supp);

    CNT(F_SERVED, STORE_REPORT_MEASURE_SERVED);
    set_count(b, &v[F_RESOLVED], resolved, res_hidden, &supp);
    for (i = 0; i < 5; i++)
        set_count(b, &v[F_COMPLIED + i], c[STORE_REPORT_MEASURE_COMPLIED + i],
                  hidden_disp[i], &supp);
    set_count(b, &v[F_OPEN], r->open, !stats_is_publishable(r->open), &supp);
    set_count(b, &v[F_OVERDUE], r->overdue, !stats_is_publishable(r->overdue),
              &supp);
    CNT(F_REFERRED, STORE_REPORT_MEASURE_REFERRED);
    /* on time and late are complements within resolved */
    set_count(b, &v[F_ON_TIME_ORIGINAL], on_orig,
              !stats_is_publishable(on_orig) ||
                  !stats_is_publishable(resolved - on_orig),
              &supp);
    set_count(b, &v[F_ON_TIME_EXTENDED], on_ext,
              !stats_is_publishable(on_ext) ||
                  !stats_is_publishable(resolved - on_ext),
              &supp);
    set_rate(b, &v[F_ON_TIME_ORIGINAL_RATE], on_orig, resolved, small, &supp);
    set_rate(b, &v[F_ON_TIME_EXTENDED_RATE], on_ext, resolved, small, &supp);
    if (!has_median) {
        set_null(&v[F_MEDIAN_DAYS]);
    } else if (b->q->is_public && small) {
        supp = true;
        set_null(&v[F_MEDIAN_DAYS]);
    } else {
        set_int(&v[F_MEDIAN_DAYS], median);
    }
    CNT(F_ITEMS_REQUESTED, STORE_REPORT_MEASURE_ITEMS_REQUESTED);
    CNT(F_ITEMS_PRODUCED, STORE_REPORT_MEASURE_ITEMS_PRODUCED);
    set_rate(b, &v[F_ITEM_PRODUCTION_RATE],
             c[STORE_REPORT_MEASURE_ITEMS_PRODUCED],
             c[STORE_REPORT_MEASURE_ITEMS_REQUESTED], small, &supp);
    for (i = 0; i < 5; i++)
        CNT(F_ORDERS_ENFORCED + i, STORE_REPORT_MEASURE_ORDERS_ENFORCED + i);
#undef CNT
    v[F_SMALL_SAMPLE].kind = K_BOOL;
    v[F_SMALL_SAMPLE].u.i = small;
    if (b->q->is_public) {
        v[F_SUPPRESSED].kind = K_BOOL;
        v[F_SUPPRESSED].u.i = supp;
    }
}

static void
row_cb(void *cls, const struct store_report_row *r)
{
    struct build *b = cls;
    struct line l;

    memset(&l, 0, sizeof l);
    fill_line(b, r, &l);
    write_line(b, &l);
    b->n++;
}

/* ---- JSON, CSV and table -------------------------------------------------*/

/* The shape of a line: objects opened and closed around the fields. */
enum step_op { STEP_FIELD, STEP_OPEN, STEP_CLOSE };

static const struct step {
    enum step_op op;
    const char *key; /* plain ASCII: written without escaping */
    enum field field;
} layout[] = {
    {STEP_FIELD, "org_id", F_ORG_ID},
    {STEP_FIELD, "name", F_NAME},
    {STEP_FIELD, "state", F_STATE},
    {STEP_OPEN, "detainers", 0},
    {STEP_FIELD, "lodged", F_DETAINERS_LODGED},
    {STEP_OPEN, "honored", 0},
    {STEP_FIELD, "total", F_HONORED_TOTAL},
    {STEP_FIELD, "reported", F_HONORED_REPORTED},
    {STEP_FIELD, "observed", F_HONORED_OBSERVED},
    {STEP_FIELD, "inferred", F_HONORED_INFERRED},
    {STEP_CLOSE, NULL, 0},
    {STEP_OPEN, "declined", 0},
    {STEP_FIELD, "total", F_DECLINED_TOTAL},
    {STEP_FIELD, "reported", F_DECLINED_REPORTED},
    {STEP_FIELD, "observed", F_DECLINED_OBSERVED},
    {STEP_FIELD, "inferred", F_DECLINED_INFERRED},
    {STEP_CLOSE, NULL, 0},
    {STEP_CLOSE, NULL, 0},
    {STEP_OPEN, "subpoenas", 0},
    {STEP_FIELD, "served", F_SERVED},
    {STEP_FIELD, "resolved", F_RESOLVED},
    {STEP_FIELD, "complied", F_COMPLIED},
    {STEP_FIELD, "partially_complied", F_PARTIALLY_COMPLIED},
    {STEP_FIELD, "no_records", F_NO_RECORDS},
    {STEP_FIELD, "objected", F_OBJECTED},
    {STEP_FIELD, "refused", F_REFUSED},
    {STEP_FIELD, "open", F_OPEN},
    {STEP_FIELD, "overdue", F_OVERDUE},
    {STEP_FIELD, "referred", F_REFERRED},
    {STEP_FIELD, "on_time_original", F_ON_TIME_ORIGINAL},
    {STEP_FIELD, "on_time_extended", F_ON_TIME_EXTENDED},
    {STEP_FIELD, "on_time_original_rate", F_ON_TIME_ORIGINAL_RATE},
    {STEP_FIELD, "on_time_extended_rate", F_ON_TIME_EXTENDED_RATE},
    {STEP_FIELD, "median_days_to_response", F_MEDIAN_DAYS},
    {STEP_FIELD, "items_requested", F_ITEMS_REQUESTED},
    {STEP_FIELD, "items_produced", F_ITEMS_PRODUCED},
    {STEP_FIELD, "item_production_rate", F_ITEM_PRODUCTION_RATE},
    {STEP_CLOSE, NULL, 0},
    {STEP_OPEN, "enforcements", 0},
    {STEP_FIELD, "orders_enforced", F_ORDERS_ENFORCED},
    {STEP_FIELD, "orders_enforced_in_part", F_ORDERS_ENFORCED_IN_PART},
    {STEP_FIELD, "orders_denied", F_ORDERS_DENIED},
    {STEP_FIELD, "contempt_civil", F_CONTEMPT_CIVIL},
    {STEP_FIELD, "contempt_criminal", F_CONTEMPT_CRIMINAL},
    {STEP_CLOSE, NULL, 0},
    {STEP_FIELD, "small_sample", F_SMALL_SAMPLE},
    {STEP_FIELD, "suppressed", F_SUPPRESSED},
};

#define N_STEPS     (sizeof layout / sizeof layout[0])
#define MAX_NESTING 4

/* A rate as JSON and CSV write it: 4 decimals at most (stats_rate rounds
 * to that), trailing zeros and point dropped (0.4, 1, 0.6667), rather
 * than the 17 digits a double prints with (0.35599999999999998). */
static void
rate_text(double r, char *text, size_t size)
{
    size_t n;

    (void)snprintf(text, size, "%.4f", r);
    n = strlen(text);
    while (n > 0 && text[n - 1] == '0')
        text[--n] = '\0';
    if (n > 0 && text[n - 1] == '.')
        text[--n] = '\0';
}

static void
json_value(struct buf *out, const struct line *l, enum field f)
{
    const struct value *v = &l->v[f];

    switch (v->kind) {
    case K_INT:
        jsonout_add_int(out, v->u.i);
        break;
    case K_REAL: {
        /* rates are finite: stats_rate divides by a positive count */
        char text[64];

        rate_text(v->u.r, text, sizeof text);
        buf_adds(out, text);
        break;
    }
    case K_BOOL:
        buf_adds(out, v->u.i ? "true" : "false");
        break;
    case K_TEXT:
        jsonout_add_string(out, l->text[f], strlen(l->text[f]));
        break;
    case K_ABSENT:
    case K_NULL:
    default:
        buf_add(out, "null", 4);
        break;
    }
}

static void
json_line(struct buf *out, const struct line *l)
{
    bool first[MAX_NESTING + 1];
    int depth = 0;

    first[0] = true;
    buf_addch(out, '{');
    for (size_t i = 0; i < N_STEPS; i++) {
        const struct step *st = &layout[i];

        if (st->op == STEP_CLOSE) {
            buf_addch(out, '}');
            depth--;
            continue;
        }
        if (st->op == STEP_FIELD && l->v[st->field].kind == K_ABSENT)
            continue;
        if (!first[depth])
            buf_addch(out, ',');
        first[depth] = false;
        buf_addch(out, '"');
        buf_adds(out, st->key);
        buf_add(out, "\":", 2);
        if (st->op == STEP_OPEN) {
            buf_addch(out, '{');
            first[++depth] = true;
        } else {
            json_value(out, l, st->field);
        }
    }
    buf_addch(out, '}');
}

static void
json_date_or_null(struct buf *out, const char *date)
{
    if (date)
        jsonout_add_string(out, date, strlen(date));
    else
        buf_add(out, "null", 4);
}

/* Everything of the JSON document before its first line. */
static void
json_head(const struct build *b, const char *from, const char *to)
{
    char when[DATE_RFC3339_SIZE];
    bool ranged = b->q->from || b->q->to;

    buf_adds(b->out, "{\"from\":");
    json_date_or_null(b->out, ranged ? from : NULL);
    buf_adds(b->out, ",\"to\":");
    json_date_or_null(b->out, ranged ? to : NULL);
    buf_adds(b->out, ",\"generated_at\":");
    if (b->q->now == 0) {
        buf_add(b->out, "null", 4);
    } else {
        date_time_format_rfc3339(b->q->now / 1000000, 0, when);
        jsonout_add_string(b->out, when, strlen(when));
    }
    buf_adds(b->out, ",\"public\":");
    buf_adds(b->out, b->q->is_public ? "true" : "false");
    buf_adds(b->out, ",\"jurisdictions\":[");
}

/* Whether `f` is a column of the document (public or not). */
static bool
is_column(bool is_public, enum field f)
{
    if (f == F_ORG_ID)
        return !is_public;
    if (f == F_SUPPRESSED)
        return is_public;
    return true;
}

static void
csv_header(bool is_public, struct buf *out)
{
    const char *path[MAX_NESTING + 1];
    int depth = 0;

    for (size_t i = 0; i < N_STEPS; i++) {
        const struct step *st = &layout[i];
        char name[128];
        size_t n = 0;

        if (st->op == STEP_OPEN) {
            path[depth++] = st->key;
            continue;
        }
        if (st->op == STEP_CLOSE) {
            depth--;
            continue;
        }
        if (!is_column(is_public, st->field))
            continue;
        for (int d = 0; d < depth; d++)
            n += (size_t)snprintf(name + n, sizeof name - n, "%s.", path[d]);
        (void)snprintf(name + n, sizeof name - n, "%s", st->key);
        csv_write_field(out, name);
    }
    csv_write_row_end(out);
}

static void
csv_line(const struct build *b, const struct line *l)
{
    char text[64];

    for (size_t f = 0; f < F__COUNT; f++) {
        const struct value *v = &l->v[f];

        if (!is_column(b->q->is_public, (enum field)f))
            continue;
        switch (v->kind) {
        case K_TEXT:
            csv_write_field(b->out, l->text[f]);
            break;
        case K_INT:
            (void)snprintf(text, sizeof text, "%lld", (long long)v->u.i);
            csv_write_field(b->out, text);
            break;
        case K_REAL:
            rate_text(v->u.r, text, sizeof text);
            csv_write_field(b->out, text);
            break;
        case K_BOOL:
            csv_write_field(b->out, v->u.i ? "true" : "false");
            break;
        case K_ABSENT:
        case K_NULL:
        default:
            csv_write_field(b->out, NULL);
            break;
        }
    }
    csv_write_row_end(b->out);
}

static const struct {
    const char *title;
    enum field field;
} table_cols[] = {
    {"lodged", F_DETAINERS_LODGED},
    {"honored", F_HONORED_TOTAL},
    {"declined", F_DECLINED_TOTAL},
    {"served", F_SERVED},
    {"resolved", F_RESOLVED},
    {"complied", F_COMPLIED},
    {"partial", F_PARTIALLY_COMPLIED},
    {"refused", F_REFUSED},
    {"open", F_OPEN},
    {"overdue", F_OVERDUE},
    {"referred", F_REFERRED},
    {"median", F_MEDIAN_DAYS},
    {"on-time", F_ON_TIME_ORIGINAL_RATE},
    {"items", F_ITEM_PRODUCTION_RATE},
    {"small", F_SMALL_SAMPLE},
};

#define N_TABLE_COLS (sizeof table_cols / sizeof table_cols[0])

static void
table_head(const struct build *b, const char *from, const char *to)
{
    bool ranged = b->q->from || b->q->to;

    buf_addf(b->out, "Jurisdictions, %s to %s\n", ranged ? from : "all time",
             ranged ? to : "now");
    buf_addf(b->out, "%-32s %-2s", "jurisdiction", "st");
    for (size_t c = 0; c < N_TABLE_COLS; c++)
        buf_addf(b->out, " %8s", table_cols[c].title);
    buf_addch(b->out, '\n');
}

static void
table_line(const struct build *b, const struct line *l)
{
    buf_addf(b->out, "%-32.32s %-2s", l->text[F_NAME],
             l->v[F_STATE].kind == K_TEXT ? l->text[F_STATE] : "");
    for (size_t c = 0; c < N_TABLE_COLS; c++) {
        const struct value *v = &l->v[table_cols[c].field];
        char text[32] = "-";

        if (v->kind == K_INT)
            (void)snprintf(text, sizeof text, "%lld", (long long)v->u.i);
        else if (v->kind == K_REAL)
            (void)snprintf(text, sizeof text, "%.1f%%", v->u.r * 100);
        else if (v->kind == K_BOOL)
            (void)snprintf(text, sizeof text, "%s", v->u.i ? "yes" : "");
        buf_addf(b->out, " %8s", text);
    }
    buf_addch(b->out, '\n');
}

static void
write_line(struct build *b, const struct line *l)
{
    switch (b->format) {
    case REPORTS_FORMAT_CSV:
        csv_line(b, l);
        break;
    case REPORTS_FORMAT_TABLE:
        table_line(b, l);
        break;
    case REPORTS_FORMAT_JSON:
    default:
        if (b->n > 0)
            buf_addch(b->out, ',');
        json_line(b->out, l);
        break;
    }
}

enum store_rc
reports_write(struct store *s,
              const struct reports_query *q,
              enum reports_format f,
              struct buf *out)
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

    buf_reset(out);
    memset(&k, 0, sizeof k);
    if (!from && !to) {
        add_key(&k, "*", 1);
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
    b.format = f;
    b.out = out;
    b.n = 0;
    if (f == REPORTS_FORMAT_JSON)
        json_head(&b, from, to);
    else if (f == REPORTS_FORMAT_CSV)
        csv_header(q->is_public, out);
    else
        table_head(&b, from, to);
    n = store_report_jurisdictions(s, (const char *const *)k.v, k.w, k.n,
                                   q->org_id, q->now, row_cb, &b);
    for (i = 0; i < k.n; i++)
        cm_free(k.v[i]);
    cm_free(k.v);
    cm_free(k.w);
    if (n < 0)
        return (enum store_rc)n;
    if (f == REPORTS_FORMAT_JSON)
        buf_add(out, "]}", 2);
    return STORE_ONE_RESULT;
}
