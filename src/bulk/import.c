/*
 * import.c: bulk import of CSV files (bulk.h; columns in docs/import.md).
 *
 * One pass over the file: the header is mapped onto the kind's columns,
 * then each row is checked and, while the file is still good, written.
 * Natural keys seen in the file are kept in a hash set so that a key
 * repeated in the file is an error even before anything is written (the
 * validate-only mode writes nothing). Lookups that repeat (time zones,
 * facilities) are cached; statements are the store's prepared ones, and
 * the whole import is one transaction run by the caller.
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "bulk/bulk.h"
#include "bulk/bulk_int.h"
#include "core/alloc.h"
#include "core/rand.h"
#include "core/zoneinfo.h"
#include "domain/date.h"
#include "domain/detainer.h"
#include "domain/tz.h"
#include "render/csv.h"

/* Rows between two progress calls. */
#define PROGRESS_EVERY 4096

/* New detainers staged before they go into the table together
 * (store_detainers_stage_end): about 400 bytes of memory each. */
#define STAGE_CHUNK 65536

/* Longest external_ref and name, in bytes. */
#define REF_MAX  100
#define NAME_MAX 200

/* ---- kinds and columns ----------------------------------------------------*/

static const char *const kind_names[] = {"jurisdictions", "facilities",
                                         "people", "detainers", NULL};

const char *
bulk_kind_name(enum bulk_kind k)
{
    return (unsigned)k < BULK_KIND__COUNT ? kind_names[k] : NULL;
}

bool
bulk_kind_parse(const char *s, enum bulk_kind *out)
{
    for (int i = 0; kind_names[i]; i++) {
        if (strcmp(kind_names[i], s) == 0) {
            *out = (enum bulk_kind)i;
            return true;
        }
    }
    return false;
}

bool
bulk_kind_has_office(enum bulk_kind k)
{
    return k == BULK_KIND_PEOPLE || k == BULK_KIND_DETAINERS;
}

struct col_def {
    const char *name;
    bool required;
};

enum { J_NAME, J_STATE, J_TIMEZONE, J_REVIEW };
static const struct col_def jurisdiction_cols[] = {
    {"name", true},
    {"state", true},
    {"timezone", true},
    {"requires_counsel_review", false},
    {NULL, false}};

enum { F_JURISDICTION, F_JSTATE, F_NAME, F_TIMEZONE };
static const struct col_def facility_cols[] = {{"jurisdiction", true},
                                               {"jurisdiction_state", true},
                                               {"name", true},
                                               {"timezone", false},
                                               {NULL, false}};

enum { P_REF, P_FAMILY, P_GIVEN, P_DOB, P_ANUMBER, P_ALIASES };
static const struct col_def person_cols[] = {
    {"external_ref", true}, {"family_name", true},
    {"given_names", true},  {"date_of_birth", false},
    {"a_number", false},    {"aliases", false},
    {NULL, false}};

static const struct col_def detainer_cols[] = {{"number", false},
                                               {"external_ref", false},
                                               {"person_ref", true},
                                               {"jurisdiction", true},
                                               {"jurisdiction_state", true},
                                               {"facility", true},
                                               {"basis", true},
                                               {"hold_rule", false},
                                               {"state", false},
                                               {"lodged_at", true},
                                               {"acknowledged_at", false},
                                               {"decided_at", false},
                                               {"outcome_source", false},
                                               {"decline_reason", false},
                                               {"released_at", false},
                                               {"notice_given", false},
                                               {"transferred_at", false},
                                               {"cancel_reason", false},
                                               {NULL, false}};

static const struct col_def *const kind_cols[] = {
    jurisdiction_cols, facility_cols, person_cols, detainer_cols};

const char *const *
bulk_detainer_columns(void)
{
    static const char *names[BULK_D__COUNT + 1];

    for (int i = 0; i < BULK_D__COUNT; i++)
        names[i] = detainer_cols[i].name;
    names[BULK_D__COUNT] = NULL;
    return names;
}

static const char *const basis_names[] = {"final_order", "pending_proceedings",
                                          "biometric_match", "statements",
                                          NULL};
static const char *const hold_rule_names[] = {
    "48h-clock", "48h-excluding-weekends-holidays", "frcp6-hours", NULL};
#define DEFAULT_HOLD_RULE "48h-excluding-weekends-holidays"

static const char *const us_states[] = {
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID",
    "IL", "IN", "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS",
    "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK",
    "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV",
    "WI", "WY", "DC", "PR", "GU", "VI", "AS", "MP", NULL};

static bool
is_in(const char *const *names, const char *s)
{
    for (size_t i = 0; names[i]; i++)
        if (strcmp(names[i], s) == 0)
            return true;
    return false;
}

/* ---- a small string map -----------------------------------------------*/

struct smap {
    char **keys;
    char **vals;
    size_t cap; /* a power of two, or 0 */
    size_t n;
};

static uint64_t
hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;

    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

static size_t
smap_slot(const struct smap *m, const char *key)
{
    size_t i = (size_t)hash_str(key) & (m->cap - 1);

    while (m->keys[i] && strcmp(m->keys[i], key) != 0)
        i = (i + 1) & (m->cap - 1);
    return i;
}

/* The value of `key` (borrowed), or NULL when absent. */
static const char *
smap_get(const struct smap *m, const char *key)
{
    size_t i;

    if (m->cap == 0)
        return NULL;
    i = smap_slot(m, key);
    return m->keys[i] ? m->vals[i] : NULL;
}

/* Set `key` to a copy of `val`; true when the key was new. */
static bool
smap_put(struct smap *m, const char *key, const char *val)
{
    size_t i;

    if ((m->n + 1) * 2 > m->cap) {
        struct smap g = {NULL, NULL, m->cap ? m->cap * 2 : 64, 0};

        g.keys = cm_calloc(g.cap, sizeof *g.keys);
        g.vals = cm_calloc(g.cap, sizeof *g.vals);
        for (size_t j = 0; j < m->cap; j++) {
            if (!m->keys[j])
                continue;
            i = smap_slot(&g, m->keys[j]);
            g.keys[i] = m->keys[j];
            g.vals[i] = m->vals[j];
            g.n++;
        }
        cm_free(m->keys);
        cm_free(m->vals);
        *m = g;
    }
    i = smap_slot(m, key);
    if (m->keys[i]) {
        cm_free(m->vals[i]);
        m->vals[i] = cm_strdup(val);
        return false;
    }
    m->keys[i] = cm_strdup(key);
    m->vals[i] = cm_strdup(val);
    m->n++;
    return true;
}

static void
smap_release(struct smap *m)
{
    for (size_t i = 0; i < m->cap; i++) {
        cm_free(m->keys[i]);
        cm_free(m->vals[i]);
    }
    cm_free(m->keys);
    cm_free(m->vals);
    memset(m, 0, sizeof *m);
}

/* ---- the run -------------------------------------------------------------*/

#define COLS_MAX 32

struct imp {
    struct store *s;
    const struct bulk_import *in;
    struct bulk_result *res;
    const struct col_def *cols;
    int map[COLS_MAX];            /* column -> field index in the file, or -1 */
    const struct csv_record *rec; /* the row being checked: &row */
    struct csv_record row;
    bool row_bad;
    struct smap seen;       /* natural keys met in the file */
    struct smap zones;      /* zone name -> "1" valid, "0" not */
    struct smap facilities; /* key -> facility id, or "" */
    struct smap numbers;    /* detainer numbers met in the file */
    struct smap people;     /* person_ref -> person id, or "" */
    struct store_org office;
    struct tz office_tz;
    bool has_office_tz;
    struct buf key; /* scratch */
    /* case numbers handed out from memory (next_number) */
    struct year_counter {
        int year;
        int64_t last; /* the last number handed out, or raised to */
        bool in_db;   /* past 999999: the store's counter, row by row */
    } counters[16];
    size_t n_counters;
    /* random bytes for ids, fetched a batch at a time (new_id) */
    unsigned char rnd[16 * 256];
    size_t rnd_used;
    bool deferred; /* store_reports_defer is in force */
    bool staging;  /* new detainers go through store_detainer_stage */
    size_t staged; /* rows on the stage now */
};

/* A new opaque id, as cm_id_new makes them (16 random bytes, base64url),
 * from random bytes fetched 256 ids at a time: one getrandom(2) call per
 * 256 rows instead of one per row. */
static void
new_id(struct imp *m, char out[CM_ID_LEN + 1])
{
    if (m->rnd_used == 0 || m->rnd_used == sizeof m->rnd) {
        cm_random_bytes(m->rnd, sizeof m->rnd);
        m->rnd_used = 0;
    }
    (void)cm_base64url(m->rnd + m->rnd_used, 16, out);
    m->rnd_used += 16;
}

static void
add_error(struct imp *m, long line, const char *column, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
add_error(struct imp *m, long line, const char *column, const char *fmt, ...)
{
    struct bulk_result *r = m->res;
    va_list ap;

    r->error_count++;
    m->row_bad = true;
    if (r->n_errors >= BULK_ERRORS_MAX)
        return;
    if (r->n_errors % 64 == 0)
        r->errors =
            cm_realloc(r->errors, (r->n_errors + 64) * sizeof *r->errors);
    r->errors[r->n_errors].line = line;
    (void)snprintf(r->errors[r->n_errors].column,
                   sizeof r->errors[r->n_errors].column, "%s",
                   column ? column : "");
    va_start(ap, fmt);
    (void)vsnprintf(r->errors[r->n_errors].reason,
                    sizeof r->errors[r->n_errors].reason, fmt, ap);
    va_end(ap);
    r->n_errors++;
}

/* Report a bad cell of the current row. */
#define CELL_ERROR(m, col, ...) \
    add_error((m), (m)->rec->line, (m)->cols[col].name, __VA_ARGS__)

/* The text of column `col` in the current row ("" when the file lacks the
 * column). */
static const char *
cell(const struct imp *m, int col)
{
    int i = m->map[col];

    return i < 0 ? "" : m->rec->fields[i];
}

static bool
writing(const struct imp *m)
{
    return !m->in->validate_only && m->res->error_count == 0;
}

/* Map the header onto the kind's columns; false (errors recorded) when a
 * column is unknown, repeated or a required one is missing. */
static bool
read_header(struct imp *m, const struct csv_record *h)
{
    bool ok = true;
    size_t n_cols = 0;

    while (m->cols[n_cols].name)
        n_cols++;
    for (size_t c = 0; c < COLS_MAX; c++)
        m->map[c] = -1;
    for (size_t i = 0; i < h->nfields; i++) {
        const char *name = h->fields[i];
        size_t c;

        for (c = 0; c < n_cols; c++)
            if (strcmp(m->cols[c].name, name) == 0)
                break;
        if (c == n_cols) {
            struct buf known = BUF_INIT;

            for (size_t k = 0; k < n_cols; k++)
                buf_addf(&known, "%s%s", k ? ", " : "", m->cols[k].name);
            add_error(m, h->line, name[0] ? name : "",
                      "unknown column \"%.60s\"; the columns of %s are: %s",
                      name, bulk_kind_name(m->in->kind), buf_str(&known));
            buf_release(&known);
            ok = false;
        } else if (m->map[c] >= 0) {
            add_error(m, h->line, name, "column %s appears twice", name);
            ok = false;
        } else {
            m->map[c] = (int)i;
        }
    }
    for (size_t c = 0; c < n_cols; c++) {
        if (m->cols[c].required && m->map[c] < 0) {
            add_error(m, h->line, m->cols[c].name,
                      "required column %s is missing from the header",
                      m->cols[c].name);
            ok = false;
        }
    }
    return ok;
}

/* Check a required or optional text cell: length in bytes. */
static bool
check_text(struct imp *m, int col, size_t max)
{
    const char *v = cell(m, col);
    size_t n = strlen(v);

    if (n == 0 && m->cols[col].required) {
        CELL_ERROR(m, col, "%s is required", m->cols[col].name);
        return false;
    }
    if (n > max) {
        CELL_ERROR(m, col, "%s is longer than %zu bytes", m->cols[col].name,
                   max);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)v[i] < 0x20) {
            CELL_ERROR(m, col, "%s holds a control character (line break?)",
                       m->cols[col].name);
            return false;
        }
    }
    return true;
}

static bool
is_real_zone(struct imp *m, const char *name)
{
    const char *known = smap_get(&m->zones, name);
    struct buf data = BUF_INIT;
    struct tz tz;
    bool ok = false;

    if (known)
        return known[0] == '1';
    if (zoneinfo_is_valid_name(name) &&
        zoneinfo_read(name, &data) == CM_ERR_OK &&
        tz_parse(data.data, data.len, name, &tz, NULL) == CM_ERR_OK) {
        ok = true;
        tz_release(&tz);
    }
    buf_release(&data);
    (void)smap_put(&m->zones, name, ok ? "1" : "0");
    return ok;
}

static bool
check_zone(struct imp *m, int col)
{
    const char *v = cell(m, col);

    if (!v[0] && !m->cols[col].required)
        return true;
    if (!is_real_zone(m, v)) {
        CELL_ERROR(m, col,
                   "timezone must be an IANA time zone, e.g. America/Denver");
        return false;
    }
    return true;
}

static bool
check_state(struct imp *m, int col)
{
    if (!is_in(us_states, cell(m, col))) {
        CELL_ERROR(m, col,
                   "%s must be a two-letter US state code in capitals, "
                   "e.g. CO",
                   m->cols[col].name);
        return false;
    }
    return true;
}

/* Note natural key `key` of the current row; false (error recorded) when
 * an earlier row of the file had it. */
static bool
key_is_new(struct imp *m, int col, const char *key)
{
    char line[32];
    const char *first = smap_get(&m->seen, key);

    if (first) {
        CELL_ERROR(m, col, "the same record appears on line %s already", first);
        return false;
    }
    (void)snprintf(line, sizeof line, "%ld", m->rec->line);
    (void)smap_put(&m->seen, key, line);
    return true;
}

/* ---- jurisdictions
 * ---------------------------------------------------------*/

static enum store_rc
insert_jurisdiction(struct imp *m,
                    const char *name,
                    const char *state,
                    const char *zone)
{
    struct store_org o;
    char cal_id[STORE_ID_SIZE];
    enum store_rc rc;

    memset(&o, 0, sizeof o);
    cm_id_new(o.id);
    o.version = 1;
    o.created_at = o.updated_at = m->in->now;
    o.kind = (char *)"jurisdiction";
    o.name = (char *)name;
    o.state = (char *)state;
    o.timezone = (char *)zone;
    rc = store_org_insert(m->s, &o);
    if (rc == STORE_NO_RESULTS)
        return STORE_HARD_ERROR; /* looked up just before: a bug */
    if (rc < 0)
        return rc;
    rc = store_jurisdiction_calendar_insert(m->s, &o, cal_id);
    if (rc == STORE_NO_RESULTS) {
        add_error(m, m->rec->line, "name",
                  "a calendar named \"%.100s (%.2s)\" exists already", name,
                  state);
        return STORE_NO_RESULTS;
    }
    return rc < 0 ? rc : STORE_ONE_RESULT;
}

static enum store_rc
row_jurisdiction(struct imp *m)
{
    const char *review = cell(m, J_REVIEW);
    struct store_org o;
    enum store_rc rc;
    bool ok = check_text(m, J_NAME, NAME_MAX);

    ok = check_state(m, J_STATE) && ok;
    ok = check_zone(m, J_TIMEZONE) && ok;
    if (review[0] && strcmp(review, "false") != 0) {
        CELL_ERROR(m, J_REVIEW,
                   "only an agency office can require counsel review: leave "
                   "it empty or write false");
        ok = false;
    }
    if (!ok)
        return STORE_NO_RESULTS;
    buf_reset(&m->key);
    buf_addf(&m->key, "%s\x1f%s", cell(m, J_STATE), cell(m, J_NAME));
    if (!key_is_new(m, J_NAME, buf_str(&m->key)))
        return STORE_NO_RESULTS;
    memset(&o, 0, sizeof o);
    rc = store_org_find(m->s, "jurisdiction", cell(m, J_STATE), cell(m, J_NAME),
                        &o);
    if (rc < 0)
        return rc;
    if (rc == STORE_ONE_RESULT) {
        bool same = strcmp(o.timezone, cell(m, J_TIMEZONE)) == 0;

        store_org_release(&o);
        if (!same) {
            CELL_ERROR(m, J_TIMEZONE,
                       "differs from the stored jurisdiction of that name "
                       "and state; nothing is overwritten");
            return STORE_NO_RESULTS;
        }
        m->res->unchanged++;
        return STORE_ONE_RESULT;
    }
    if (writing(m)) {
        rc = insert_jurisdiction(m, cell(m, J_NAME), cell(m, J_STATE),
                                 cell(m, J_TIMEZONE));
        if (rc != STORE_ONE_RESULT)
            return rc;
    }
    m->res->created++;
    return STORE_ONE_RESULT;
}

/* ---- facilities --------------------------------------------------------*/

/* The jurisdiction (kind, state, name) into *out; STORE_NO_RESULTS with
 * an error recorded on column `col` when there is none. */
static enum store_rc
find_jurisdiction(struct imp *m,
                  int col,
                  const char *state,
                  const char *name,
                  struct store_org *out)
{
    enum store_rc rc = store_org_find(m->s, "jurisdiction", state, name, out);

    if (rc == STORE_NO_RESULTS)
        CELL_ERROR(m, col,
                   "no jurisdiction \"%.100s\" in %s; import the "
                   "jurisdictions first",
                   name, state);
    return rc;
}

static enum store_rc
row_facility(struct imp *m)
{
    struct store_org o;
    struct store_facility f;
    enum store_rc rc;
    bool ok = check_text(m, F_JURISDICTION, NAME_MAX);

    ok = check_state(m, F_JSTATE) && ok;
    ok = check_text(m, F_NAME, NAME_MAX) && ok;
    ok = check_zone(m, F_TIMEZONE) && ok;
    if (!ok)
        return STORE_NO_RESULTS;
    buf_reset(&m->key);
    buf_addf(&m->key, "%s\x1f%s\x1f%s", cell(m, F_JSTATE),
             cell(m, F_JURISDICTION), cell(m, F_NAME));
    if (!key_is_new(m, F_NAME, buf_str(&m->key)))
        return STORE_NO_RESULTS;
    memset(&o, 0, sizeof o);
    memset(&f, 0, sizeof f);
    rc = find_jurisdiction(m, F_JURISDICTION, cell(m, F_JSTATE),
                           cell(m, F_JURISDICTION), &o);
    if (rc != STORE_ONE_RESULT)
        return rc;
    rc = store_facility_find(m->s, o.id, cell(m, F_NAME), &f);
    if (rc < 0)
        goto out_org;
    if (rc == STORE_ONE_RESULT) {
        const char *zone =
            cell(m, F_TIMEZONE)[0] ? cell(m, F_TIMEZONE) : o.timezone;

        if (strcmp(zone, f.timezone) != 0) {
            CELL_ERROR(m, F_TIMEZONE,
                       "differs from the stored facility of that name; "
                       "nothing is overwritten");
            rc = STORE_NO_RESULTS;
        } else {
            m->res->unchanged++;
        }
        goto out_facility;
    }
    if (writing(m)) {
        cm_id_new(f.id);
        f.version = 1;
        f.created_at = f.updated_at = m->in->now;
        (void)snprintf(f.org_id, sizeof f.org_id, "%s", o.id);
        f.name = cm_strdup(cell(m, F_NAME));
        f.timezone = cm_strdup(cell(m, F_TIMEZONE)[0] ? cell(m, F_TIMEZONE)
                                                      : o.timezone);
        rc = store_facility_insert(m->s, &f);
        if (rc == STORE_NO_RESULTS)
            rc = STORE_HARD_ERROR;
        if (rc < 0)
            goto out_facility;
    }
    m->res->created++;
    rc = STORE_ONE_RESULT;
out_facility:
    store_facility_release(&f);
out_org:
    store_org_release(&o);
    return rc;
}

/* ---- people ------------------------------------------------------------*/

static enum store_rc
row_person(struct imp *m)
{
    struct bulk_person_in pin;
    struct bulk_person_text pt;
    struct store_person p;
    const char *field = NULL;
    const char *reason = NULL;
    enum store_rc rc;
    bool ok = check_text(m, P_REF, REF_MAX);

    ok = check_text(m, P_FAMILY, NAME_MAX) && ok;
    ok = check_text(m, P_GIVEN, NAME_MAX) && ok;
    ok = check_text(m, P_ANUMBER, 20) && ok;
    ok = check_text(m, P_ALIASES, 4200) && ok;
    if (!ok)
        return STORE_NO_RESULTS;
    memset(&pin, 0, sizeof pin);
    pin.family_name = cell(m, P_FAMILY);
    pin.given_names = cell(m, P_GIVEN);
    pin.date_of_birth = cell(m, P_DOB)[0] ? cell(m, P_DOB) : NULL;
    pin.a_number = cell(m, P_ANUMBER)[0] ? cell(m, P_ANUMBER) : NULL;
    pin.aliases = cell(m, P_ALIASES)[0] ? cell(m, P_ALIASES) : NULL;
    if (bulk_person_text(&pin, m->in->now, &pt, &field, &reason) != CM_ERR_OK) {
        add_error(m, m->rec->line, field, "%s", reason);
        return STORE_NO_RESULTS;
    }
    if (!key_is_new(m, P_REF, cell(m, P_REF))) {
        rc = STORE_NO_RESULTS;
        goto out_text;
    }
    memset(&p, 0, sizeof p);
    rc = store_person_find_ref(m->s, m->in->office_id, cell(m, P_REF), &p);
    if (rc < 0)
        goto out_text;
    if (rc == STORE_ONE_RESULT) {
        const char *differs = NULL;

        if (bulk_person_compare(m->in->fc, &p, &pt, &differs) != CM_ERR_OK) {
            rc = STORE_HARD_ERROR;
        } else if (differs) {
            add_error(m, m->rec->line, differs,
                      "differs from the stored person with this "
                      "external_ref; nothing is overwritten");
            rc = STORE_NO_RESULTS;
        } else {
            m->res->unchanged++;
        }
        store_person_release(&p);
        goto out_text;
    }
    if (writing(m)) {
        cm_id_new(p.id);
        p.version = 1;
        p.created_at = p.updated_at = m->in->now;
        (void)snprintf(p.org_id, sizeof p.org_id, "%s", m->in->office_id);
        if (bulk_person_seal(m->in->fc, &pt, &p) != CM_ERR_OK) {
            rc = STORE_HARD_ERROR;
        } else {
            rc = store_person_insert_ref(m->s, &p, cell(m, P_REF));
            if (rc == STORE_NO_RESULTS)
                rc = STORE_HARD_ERROR;
        }
        store_person_release(&p);
        if (rc < 0)
            goto out_text;
    }
    m->res->created++;
    rc = STORE_ONE_RESULT;
out_text:
    bulk_person_text_release(&pt);
    return rc;
}

/* ---- detainers -----------------------------------------------------------*/

/* Which optional cells each state requires (R) or allows (A). */
#define DB(c) (1u << (c))
static const struct {
    const char *state;
    unsigned required;
    unsigned allowed;
} state_rules[] = {
    {"lodged", 0, 0},
    {"acknowledged", DB(BULK_D_ACKNOWLEDGED_AT), 0},
    {"honored", DB(BULK_D_DECIDED_AT) | DB(BULK_D_OUTCOME_SOURCE),
     DB(BULK_D_ACKNOWLEDGED_AT)},
    {"declined",
     DB(BULK_D_DECIDED_AT) | DB(BULK_D_OUTCOME_SOURCE) |
         DB(BULK_D_DECLINE_REASON),
     DB(BULK_D_ACKNOWLEDGED_AT)},
    {"released", DB(BULK_D_RELEASED_AT) | DB(BULK_D_NOTICE_GIVEN),
     DB(BULK_D_ACKNOWLEDGED_AT) | DB(BULK_D_DECIDED_AT) |
         DB(BULK_D_OUTCOME_SOURCE) | DB(BULK_D_DECLINE_REASON)},
    {"transferred", DB(BULK_D_TRANSFERRED_AT),
     DB(BULK_D_ACKNOWLEDGED_AT) | DB(BULK_D_DECIDED_AT) |
         DB(BULK_D_OUTCOME_SOURCE)},
    {"cancelled", DB(BULK_D_CANCEL_REASON),
     DB(BULK_D_ACKNOWLEDGED_AT) | DB(BULK_D_DECIDED_AT) |
         DB(BULK_D_OUTCOME_SOURCE) | DB(BULK_D_DECLINE_REASON)},
};
static const int state_cells[] = {BULK_D_ACKNOWLEDGED_AT, BULK_D_DECIDED_AT,
                                  BULK_D_OUTCOME_SOURCE,  BULK_D_DECLINE_REASON,
                                  BULK_D_RELEASED_AT,     BULK_D_NOTICE_GIVEN,
                                  BULK_D_TRANSFERRED_AT,  BULK_D_CANCEL_REASON};

/* Parse an RFC 3339 cell into µs (0 when empty); false on error. */
static bool
time_cell(struct imp *m, int col, int64_t *out)
{
    const char *v = cell(m, col);
    int64_t utc = 0;
    int32_t off = 0;

    *out = 0;
    if (!v[0])
        return true;
    if (date_time_parse_rfc3339(v, &utc, &off) != CM_ERR_OK) {
        CELL_ERROR(m, col,
                   "%s must be an RFC 3339 time such as "
                   "2024-03-05T14:30:00Z",
                   m->cols[col].name);
        return false;
    }
    if (utc * 1000000 > m->in->now) {
        CELL_ERROR(m, col, "%s is in the future", m->cols[col].name);
        return false;
    }
    *out = utc * 1000000;
    return true;
}

/* The facility of (jurisdiction, state, facility) in the current row, its
 * id into `out`; STORE_NO_RESULTS with the error recorded when unknown. */
static enum store_rc
row_facility_id(struct imp *m, char out[STORE_ID_SIZE])
{
    const char *cached;
    struct store_org o;
    struct store_facility f;
    enum store_rc rc;

    buf_reset(&m->key);
    buf_addf(&m->key, "%s\x1f%s\x1f%s", cell(m, BULK_D_JSTATE),
             cell(m, BULK_D_JURISDICTION), cell(m, BULK_D_FACILITY));
    cached = smap_get(&m->facilities, buf_str(&m->key));
    if (!cached) {
        memset(&o, 0, sizeof o);
        memset(&f, 0, sizeof f);
        rc = store_org_find(m->s, "jurisdiction", cell(m, BULK_D_JSTATE),
                            cell(m, BULK_D_JURISDICTION), &o);
        if (rc == STORE_ONE_RESULT) {
            rc = store_facility_find(m->s, o.id, cell(m, BULK_D_FACILITY), &f);
            store_org_release(&o);
        }
        if (rc < 0)
            return rc;
        (void)smap_put(&m->facilities, buf_str(&m->key),
                       rc == STORE_ONE_RESULT ? f.id : "");
        store_facility_release(&f);
        cached = smap_get(&m->facilities, buf_str(&m->key));
    }
    if (!cached[0]) {
        CELL_ERROR(m, BULK_D_FACILITY,
                   "no facility \"%.80s\" of jurisdiction \"%.80s\" in %s; "
                   "import the facilities first",
                   cell(m, BULK_D_FACILITY), cell(m, BULK_D_JURISDICTION),
                   cell(m, BULK_D_JSTATE));
        return STORE_NO_RESULTS;
    }
    (void)snprintf(out, STORE_ID_SIZE, "%s", cached);
    return STORE_ONE_RESULT;
}

/* The person named by person_ref: the office's external_ref, else a
 * compel person id of the office (or of no office). */
static enum store_rc
row_person_id(struct imp *m, char out[STORE_ID_SIZE])
{
    const char *ref = cell(m, BULK_D_PERSON_REF);
    const char *cached = smap_get(&m->people, ref);
    struct store_person p;
    enum store_rc rc;

    /* A file names the same people again and again: each is looked up
     * once (people do not change during a detainer import). */
    if (cached && cached[0]) {
        (void)snprintf(out, STORE_ID_SIZE, "%s", cached);
        return STORE_ONE_RESULT;
    }
    memset(&p, 0, sizeof p);
    rc = cached ? STORE_NO_RESULTS
                : store_person_find_ref(m->s, m->in->office_id, ref, &p);
    if (rc == STORE_NO_RESULTS && strlen(ref) == CM_ID_LEN) {
        rc = store_person_get(m->s, ref, &p);
        if (rc == STORE_ONE_RESULT && p.org_id[0] &&
            strcmp(p.org_id, m->in->office_id) != 0) {
            store_person_release(&p);
            rc = STORE_NO_RESULTS;
        }
    }
    if (rc == STORE_ONE_RESULT) {
        (void)snprintf(out, STORE_ID_SIZE, "%s", p.id);
        store_person_release(&p);
    }
    if (rc >= 0)
        (void)smap_put(&m->people, ref, rc == STORE_ONE_RESULT ? out : "");
    if (rc == STORE_NO_RESULTS)
        CELL_ERROR(m, BULK_D_PERSON_REF,
                   "no person with this external_ref in the office; import "
                   "the people first");
    return rc;
}

/* Parse "DET-YYYY-NNNNNN" into year and sequence. */
static bool
parse_number(const char *s, int *year, int64_t *seq)
{
    int y = 0;
    int64_t n = 0;

    if (strlen(s) != 15 || strncmp(s, "DET-", 4) != 0 || s[8] != '-')
        return false;
    for (int i = 4; i < 8; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        y = y * 10 + (s[i] - '0');
    }
    for (int i = 9; i < 15; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        n = n * 10 + (s[i] - '0');
    }
    if (y < 1900 || n < 1)
        return false;
    *year = y;
    *seq = n;
    return true;
}

static bool
str_eq(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

/* The first column where stored detainer `d` differs from `n`, or NULL. */
static const char *
detainer_differs(const struct store_detainer *d,
                 const struct store_detainer *n,
                 bool number_given)
{
    if (number_given && strcmp(d->number, n->number) != 0)
        return "number";
    if (strcmp(d->person_id, n->person_id) != 0)
        return "person_ref";
    if (strcmp(d->facility_id, n->facility_id) != 0)
        return "facility";
    if (!str_eq(d->basis, n->basis))
        return "basis";
    if (!str_eq(d->hold_rule, n->hold_rule))
        return "hold_rule";
    if (!str_eq(d->state, n->state))
        return "state";
    /* Times are compared to the second, as the file writes them. */
    if (d->created_at / 1000000 != n->created_at / 1000000)
        return "lodged_at";
    if (d->acknowledged_at / 1000000 != n->acknowledged_at / 1000000)
        return "acknowledged_at";
    if (d->decided_at / 1000000 != n->decided_at / 1000000)
        return "decided_at";
    if (!str_eq(d->outcome_source, n->outcome_source))
        return "outcome_source";
    if (!str_eq(d->reason, n->reason))
        return "decline_reason";
    if (d->released_at / 1000000 != n->released_at / 1000000)
        return "released_at";
    if (d->notice_given != n->notice_given)
        return "notice_given";
    if (d->transferred_at / 1000000 != n->transferred_at / 1000000)
        return "transferred_at";
    if (!str_eq(d->cancel_reason, n->cancel_reason))
        return "cancel_reason";
    return NULL;
}

/* Check the state-dependent cells of the current row into `d`. */
static bool
check_detainer_state(struct imp *m, struct store_detainer *d)
{
    const char *state =
        cell(m, BULK_D_STATE)[0] ? cell(m, BULK_D_STATE) : "lodged";
    const char *notice = cell(m, BULK_D_NOTICE_GIVEN);
    const char *source = cell(m, BULK_D_OUTCOME_SOURCE);
    enum detainer_outcome_source src;
    size_t r;
    bool ok = true;

    for (r = 0; r < sizeof state_rules / sizeof state_rules[0]; r++)
        if (strcmp(state_rules[r].state, state) == 0)
            break;
    if (r == sizeof state_rules / sizeof state_rules[0]) {
        CELL_ERROR(m, BULK_D_STATE,
                   "state must be lodged, acknowledged, honored, declined, "
                   "released, transferred or cancelled");
        return false;
    }
    d->state = (char *)state_rules[r].state;
    for (size_t i = 0; i < sizeof state_cells / sizeof state_cells[0]; i++) {
        int c = state_cells[i];
        bool has = cell(m, c)[0] != '\0';

        if (!has && (state_rules[r].required & DB(c))) {
            CELL_ERROR(m, c, "%s is required for a detainer in state %s",
                       m->cols[c].name, state);
            ok = false;
        } else if (has && !((state_rules[r].required | state_rules[r].allowed) &
                            DB(c))) {
            CELL_ERROR(m, c, "%s must be empty for a detainer in state %s",
                       m->cols[c].name, state);
            ok = false;
        }
    }
    ok = time_cell(m, BULK_D_LODGED_AT, &d->created_at) && ok;
    if (!cell(m, BULK_D_LODGED_AT)[0]) {
        CELL_ERROR(m, BULK_D_LODGED_AT, "lodged_at is required");
        ok = false;
    }
    ok = time_cell(m, BULK_D_ACKNOWLEDGED_AT, &d->acknowledged_at) && ok;
    ok = time_cell(m, BULK_D_DECIDED_AT, &d->decided_at) && ok;
    ok = time_cell(m, BULK_D_RELEASED_AT, &d->released_at) && ok;
    ok = time_cell(m, BULK_D_TRANSFERRED_AT, &d->transferred_at) && ok;
    if (source[0]) {
        if (!detainer_outcome_source_parse(source, &src)) {
            CELL_ERROR(m, BULK_D_OUTCOME_SOURCE,
                       "outcome_source must be reported, observed or "
                       "inferred");
            ok = false;
        } else {
            d->outcome_source = (char *)detainer_outcome_source_name(src);
        }
    }
    d->notice_given = -1;
    if (strcmp(notice, "true") == 0) {
        d->notice_given = 1;
    } else if (strcmp(notice, "false") == 0) {
        d->notice_given = 0;
    } else if (notice[0]) {
        CELL_ERROR(m, BULK_D_NOTICE_GIVEN,
                   "notice_given must be true or false");
        ok = false;
    }
    ok = check_text(m, BULK_D_DECLINE_REASON, 1000) && ok;
    ok = check_text(m, BULK_D_CANCEL_REASON, 1000) && ok;
    d->reason = cell(m, BULK_D_DECLINE_REASON)[0]
                    ? (char *)cell(m, BULK_D_DECLINE_REASON)
                    : NULL;
    d->cancel_reason = cell(m, BULK_D_CANCEL_REASON)[0]
                           ? (char *)cell(m, BULK_D_CANCEL_REASON)
                           : NULL;
    if (!ok)
        return false;
    /* The record must tell its story in order. */
    if (d->acknowledged_at && d->acknowledged_at < d->created_at) {
        CELL_ERROR(m, BULK_D_ACKNOWLEDGED_AT,
                   "acknowledged_at is before lodged_at");
        ok = false;
    }
    if (d->decided_at &&
        d->decided_at <
            (d->acknowledged_at ? d->acknowledged_at : d->created_at)) {
        CELL_ERROR(m, BULK_D_DECIDED_AT,
                   "decided_at is before lodged_at or acknowledged_at");
        ok = false;
    }
    if (d->released_at && d->released_at < d->created_at) {
        CELL_ERROR(m, BULK_D_RELEASED_AT, "released_at is before lodged_at");
        ok = false;
    }
    if (d->transferred_at && d->transferred_at < d->created_at) {
        CELL_ERROR(m, BULK_D_TRANSFERRED_AT,
                   "transferred_at is before lodged_at");
        ok = false;
    }
    return ok;
}

/* The year of UTC instant `us` in the office's zone. */
static int
office_year(const struct imp *m, int64_t us)
{
    int64_t t = us / 1000000;
    int32_t y = 1970;
    int mo = 1;
    int md = 1;

    if (m->has_office_tz)
        t += tz_offset_at(&m->office_tz, t);
    date_to_ymd(date_time_day(t), &y, &mo, &md);
    return (int)y;
}

/* The counter of `year`, or NULL when none is kept (and none can be: the
 * table is full). */
static struct year_counter *
counter_of(struct imp *m, int year, bool add)
{
    for (size_t i = 0; i < m->n_counters; i++)
        if (m->counters[i].year == year)
            return &m->counters[i];
    if (!add || m->n_counters == sizeof m->counters / sizeof m->counters[0])
        return NULL;
    m->counters[m->n_counters] = (struct year_counter){year, 0, true};
    return &m->counters[m->n_counters++];
}

/*
 * The next detainer number of `year` into `out`. The first of a year comes
 * from the store's counter (store_case_number_next); the following ones
 * from memory, and finish_numbers raises the store's counter to the last
 * one handed out, so the import bumps each year's counter once rather than
 * once per row. The whole import is one transaction, so nothing else
 * takes a number meanwhile. Past 999999 a year goes back to the store's
 * counter row by row (store_case_number_raise stops there).
 */
static enum store_rc
next_number(struct imp *m, int year, char out[STORE_NUMBER_SIZE])
{
    struct year_counter *c = counter_of(m, year, false);
    enum store_rc rc;
    int y = 0;
    int64_t seq = 0;

    if (c && !c->in_db && c->last < 999999) {
        c->last++;
        (void)snprintf(out, STORE_NUMBER_SIZE, "DET-%04u-%06u",
                       (unsigned)year % 10000u, (unsigned)(c->last % 1000000));
        return STORE_ONE_RESULT;
    }
    if (c && !c->in_db) {
        rc = store_case_number_raise(m->s, "DET", year, c->last);
        c->in_db = true;
        if (rc < 0)
            return rc;
    }
    rc = store_case_number_next(m->s, "DET", year, out);
    if (rc == STORE_ONE_RESULT && !c && parse_number(out, &y, &seq) &&
        seq < 999999 && (c = counter_of(m, year, true)) != NULL) {
        c->last = seq;
        c->in_db = false;
    }
    return rc;
}

/* A number given in the file: later numbers of its year come after it. */
static enum store_rc
given_number(struct imp *m, int year, int64_t seq)
{
    struct year_counter *c = counter_of(m, year, false);

    if (c && !c->in_db) {
        if (seq > c->last)
            c->last = seq;
        return STORE_ONE_RESULT;
    }
    return store_case_number_raise(m->s, "DET", year, seq);
}

/* Raise the store's counters to the numbers handed out from memory. */
static enum store_rc
finish_numbers(struct imp *m)
{
    for (size_t i = 0; i < m->n_counters; i++) {
        struct year_counter *c = &m->counters[i];
        enum store_rc rc;

        if (c->in_db)
            continue;
        rc = store_case_number_raise(m->s, "DET", c->year, c->last);
        if (rc < 0)
            return rc;
    }
    return STORE_ONE_RESULT;
}

/* A staged detainer whose number was taken after all (the case counter
 * behind the stored numbers, say): reported on its line like any other
 * bad cell, so the import fails and is rolled back. */
static void
stage_conflict(void *cls, long line, const char *number)
{
    struct imp *m = cls;

    add_error(m, line, m->cols[BULK_D_NUMBER].name,
              "number %s is taken by another detainer", number);
}

static enum store_rc
row_detainer(struct imp *m)
{
    const char *ref = cell(m, BULK_D_EXTERNAL_REF);
    const char *number = cell(m, BULK_D_NUMBER);
    const char *hold = cell(m, BULK_D_HOLD_RULE);
    struct store_detainer d;
    struct store_detainer old;
    const char *differs;
    int year = 0;
    int64_t seq = 0;
    enum store_rc rc;
    bool ok;

    memset(&d, 0, sizeof d);
    memset(&old, 0, sizeof old);
    ok = check_text(m, BULK_D_EXTERNAL_REF, REF_MAX);
    if (!ref[0] && !number[0]) {
        CELL_ERROR(m, BULK_D_EXTERNAL_REF,
                   "external_ref (the office's record id) is required unless "
                   "number names a stored detainer");
        ok = false;
    }
    if (number[0] && !parse_number(number, &year, &seq)) {
        CELL_ERROR(m, BULK_D_NUMBER,
                   "number must look like DET-2024-000123, or be empty");
        ok = false;
    }
    ok = check_text(m, BULK_D_PERSON_REF, REF_MAX) && ok;
    ok = check_state(m, BULK_D_JSTATE) && ok;
    if (!is_in(basis_names, cell(m, BULK_D_BASIS))) {
        CELL_ERROR(m, BULK_D_BASIS,
                   "basis must be final_order, pending_proceedings, "
                   "biometric_match or statements");
        ok = false;
    }
    if (hold[0] && !is_in(hold_rule_names, hold)) {
        CELL_ERROR(m, BULK_D_HOLD_RULE,
                   "hold_rule must be 48h-clock, "
                   "48h-excluding-weekends-holidays or frcp6-hours");
        ok = false;
    }
    ok = check_detainer_state(m, &d) && ok;
    if (!ok)
        return STORE_NO_RESULTS;
    d.basis = (char *)cell(m, BULK_D_BASIS);
    d.hold_rule = (char *)(hold[0] ? hold : DEFAULT_HOLD_RULE);
    d.form = (char *)"I-247A";
    if (ref[0] && !key_is_new(m, BULK_D_EXTERNAL_REF, ref))
        return STORE_NO_RESULTS;
    if (number[0]) {
        char line[32];
        const char *first = smap_get(&m->numbers, number);

        if (first) {
            CELL_ERROR(m, BULK_D_NUMBER, "number %s appears on line %s already",
                       number, first);
            return STORE_NO_RESULTS;
        }
        (void)snprintf(line, sizeof line, "%ld", m->rec->line);
        (void)smap_put(&m->numbers, number, line);
    }
    rc = row_person_id(m, d.person_id);
    if (rc == STORE_ONE_RESULT)
        rc = row_facility_id(m, d.facility_id);
    if (rc != STORE_ONE_RESULT)
        return rc;
    (void)snprintf(d.number, sizeof d.number, "%s", number);
    rc = ref[0] ? store_detainer_find_ref(m->s, m->in->office_id, ref, &old)
                : store_detainer_find_number(m->s, number, &old);
    if (rc < 0)
        return rc;
    if (rc == STORE_NO_RESULTS && number[0]) {
        /* A number given for a new record must be free. */
        rc = store_detainer_find_number(m->s, number, &old);
        if (rc < 0)
            return rc;
        if (rc == STORE_ONE_RESULT || !ref[0]) {
            store_detainer_release(&old);
            CELL_ERROR(m, BULK_D_NUMBER,
                       ref[0] ? "number belongs to another detainer"
                              : "no stored detainer has this number; give "
                                "external_ref for a new record");
            return STORE_NO_RESULTS;
        }
    } else if (rc == STORE_ONE_RESULT) {
        if (strcmp(old.agency_org_id, m->in->office_id) != 0) {
            store_detainer_release(&old);
            CELL_ERROR(m, BULK_D_NUMBER,
                       "number belongs to a detainer of another office");
            return STORE_NO_RESULTS;
        }
        differs = detainer_differs(&old, &d, number[0] != '\0');
        store_detainer_release(&old);
        if (differs) {
            add_error(m, m->rec->line, differs,
                      "differs from the stored detainer with this "
                      "external_ref; nothing is overwritten");
            return STORE_NO_RESULTS;
        }
        m->res->unchanged++;
        return STORE_ONE_RESULT;
    }
    if (writing(m)) {
        int64_t last = d.created_at;

        if (number[0])
            rc = given_number(m, year, seq);
        else
            rc = next_number(m, office_year(m, d.created_at), d.number);
        if (rc < 0)
            return rc;
        new_id(m, d.id);
        d.version = 1;
        if (d.acknowledged_at > last)
            last = d.acknowledged_at;
        if (d.decided_at > last)
            last = d.decided_at;
        if (d.released_at > last)
            last = d.released_at;
        if (d.transferred_at > last)
            last = d.transferred_at;
        d.updated_at = last;
        (void)snprintf(d.agency_org_id, sizeof d.agency_org_id, "%s",
                       m->in->office_id);
        (void)snprintf(d.lodged_by, sizeof d.lodged_by, "%s",
                       m->in->actor.user_id ? m->in->actor.user_id : "");
        rc = store_detainer_stage(m->s, &d, ref, m->rec->line);
        if (rc == STORE_NO_RESULTS) {
            CELL_ERROR(m, BULK_D_NUMBER,
                       "number %s is taken by another detainer", d.number);
            return STORE_NO_RESULTS;
        }
        if (rc < 0)
            return rc;
        /* The stage goes into the table every STAGE_CHUNK rows, which
         * bounds the memory it takes (SQLite's temporary storage is in
         * memory) and keeps nearly all of the gain. */
        if (m->staging && ++m->staged == STAGE_CHUNK) {
            m->staged = 0;
            rc = store_detainers_stage_end(m->s, stage_conflict, m);
            if (rc == STORE_ONE_RESULT)
                rc = store_detainers_stage_begin(m->s);
            if (rc < 0)
                return rc;
        }
    }
    m->res->created++;
    return STORE_ONE_RESULT;
}

/* ---- the transaction
 * -------------------------------------------------------*/

static enum store_rc
load_office(struct imp *m)
{
    struct buf data = BUF_INIT;
    enum store_rc rc;

    if (!bulk_kind_has_office(m->in->kind))
        return STORE_ONE_RESULT;
    if (!m->in->office_id || !m->in->office_id[0]) {
        add_error(m, 0, "", "importing %s needs an agency office",
                  bulk_kind_name(m->in->kind));
        return STORE_NO_RESULTS;
    }
    rc = store_org_get(m->s, m->in->office_id, &m->office);
    if (rc < 0)
        return rc;
    if (rc == STORE_NO_RESULTS || strcmp(m->office.kind, "agency_office")) {
        add_error(m, 0, "", "the office is not an agency office");
        return STORE_NO_RESULTS;
    }
    if (m->in->kind == BULK_KIND_DETAINERS &&
        (!m->in->actor.user_id || !m->in->actor.user_id[0])) {
        add_error(m, 0, "", "importing detainers needs the importing user");
        return STORE_NO_RESULTS;
    }
    if (zoneinfo_read(m->office.timezone, &data) == CM_ERR_OK &&
        tz_parse(data.data, data.len, m->office.timezone, &m->office_tz,
                 NULL) == CM_ERR_OK)
        m->has_office_tz = true;
    buf_release(&data);
    return STORE_ONE_RESULT;
}

static enum store_rc
audit_import(struct imp *m)
{
    const struct bulk_actor *a = &m->in->actor;
    char action[48];
    char detail[128];
    struct audit_entry e;

    (void)snprintf(action, sizeof action, "import.%s",
                   bulk_kind_name(m->in->kind));
    (void)snprintf(detail, sizeof detail, "rows=%zu created=%zu unchanged=%zu",
                   m->res->rows, m->res->created, m->res->unchanged);
    memset(&e, 0, sizeof e);
    e.at_us = m->in->now;
    e.actor_id = a->user_id && a->user_id[0] ? a->user_id : NULL;
    e.org_id = a->org_id && a->org_id[0] ? a->org_id : NULL;
    e.role = a->role;
    e.session_hash = a->session_hash;
    e.client_addr = a->client_addr;
    e.action = action;
    e.object_kind = bulk_kind_has_office(m->in->kind) ? "org" : NULL;
    e.object_id = bulk_kind_has_office(m->in->kind) ? m->in->office_id : NULL;
    e.outcome = "ok";
    e.detail = detail;
    return audit_append(m->s, &e, NULL);
}

static enum store_rc
run_rows(struct imp *m, struct csv_reader *rd)
{
    static enum store_rc (*const row_fn[])(struct imp *) = {
        row_jurisdiction, row_facility, row_person, row_detainer};
    struct csv_record *rec = &m->row;
    struct csv_error cerr;
    size_t width;
    int got;

    got = csv_reader_next(rd, rec, &cerr);
    if (got == 0) {
        add_error(m, 1, "", "the file is empty: a header row is required");
        return STORE_NO_RESULTS;
    }
    if (got < 0) {
        add_error(m, cerr.line, "", "character %ld: %s", cerr.column,
                  cerr.reason);
        return STORE_NO_RESULTS;
    }
    if (!read_header(m, rec))
        return STORE_NO_RESULTS;
    width = rec->nfields;
    for (;;) {
        enum store_rc rc;

        got = csv_reader_next(rd, rec, &cerr);
        if (got == 0)
            break;
        if (got < 0) {
            add_error(m, cerr.line, "", "character %ld: %s", cerr.column,
                      cerr.reason);
            break;
        }
        if (rec->nfields == 1 && rec->lens[0] == 0)
            continue; /* a blank line */
        m->res->rows++;
        m->rec = rec;
        m->row_bad = false;
        if (rec->nfields != width) {
            add_error(m, rec->line, "",
                      "the row has %zu fields, the header has %zu",
                      rec->nfields, width);
        } else {
            rc = row_fn[m->in->kind](m);
            if (rc < 0)
                return rc;
        }
        if (m->in->progress && m->res->rows % PROGRESS_EVERY == 0)
            m->in->progress(m->in->progress_cls, m->res->rows,
                            csv_reader_offset(rd), m->in->len);
    }
    if (m->in->progress)
        m->in->progress(m->in->progress_cls, m->res->rows, m->in->len,
                        m->in->len);
    return STORE_ONE_RESULT;
}

enum store_rc
bulk_import_tx(struct store *s, void *ctx)
{
    struct bulk_job *job = ctx;
    struct imp m;
    struct csv_reader rd;
    enum store_rc rc;

    bulk_result_release(&job->result);
    memset(&m, 0, sizeof m);
    m.s = s;
    m.in = job->in;
    m.res = &job->result;
    m.cols = kind_cols[job->in->kind];
    csv_reader_init(&rd, job->in->data, job->in->len);
    rc = load_office(&m);
    if (rc == STORE_ONE_RESULT && !m.in->validate_only)
        rc = store_bulk_batch_hint(s, true);
    /* Detainers go in without the per-row report triggers; their
     * aggregates are added in one pass at the end (store_reports.h). A
     * failed import rolls the whole transaction back, deferral included. */
    if (rc == STORE_ONE_RESULT && !m.in->validate_only &&
        m.in->kind == BULK_KIND_DETAINERS) {
        rc = store_reports_defer(s);
        m.deferred = rc == STORE_ONE_RESULT;
        /* New detainers are staged and inserted together at the end. */
        if (rc == STORE_ONE_RESULT)
            rc = store_detainers_stage_begin(s);
        m.staging = rc == STORE_ONE_RESULT;
    }
    if (rc == STORE_ONE_RESULT)
        rc = run_rows(&m, &rd);
    if (rc == STORE_ONE_RESULT && m.res->error_count == 0 && m.staging)
        rc = store_detainers_stage_end(s, stage_conflict, &m);
    if (rc == STORE_ONE_RESULT && m.res->error_count == 0 &&
        !m.in->validate_only)
        rc = finish_numbers(&m);
    if (rc == STORE_ONE_RESULT && m.res->error_count == 0 && m.deferred)
        rc = store_reports_catch_up(s);
    if (!m.in->validate_only)
        (void)store_bulk_batch_hint(s, false);
    if (rc == STORE_ONE_RESULT && m.res->error_count == 0 &&
        !m.in->validate_only)
        rc = audit_import(&m);
    if (rc >= 0 && m.res->error_count > 0)
        rc = m.in->validate_only ? STORE_ONE_RESULT : STORE_HARD_ERROR;
    if (rc >= 0 && m.res->error_count == 0)
        rc = STORE_ONE_RESULT;
    csv_reader_release(&rd);
    smap_release(&m.seen);
    smap_release(&m.zones);
    smap_release(&m.facilities);
    smap_release(&m.numbers);
    smap_release(&m.people);
    store_org_release(&m.office);
    if (m.has_office_tz)
        tz_release(&m.office_tz);
    buf_release(&m.key);
    return rc;
}

void
bulk_result_release(struct bulk_result *r)
{
    if (r == NULL)
        return;
    cm_free(r->errors);
    memset(r, 0, sizeof *r);
}
