/*
 * store_copy.c: the backend-independent half of copying a database
 * (store_copy.h): the list of tables in copy order, the freshness check of
 * the target, the copy itself in batches with its counts, and the thin
 * wrappers of store_copy_ops (asserts and fault injection, then the
 * backend).
 */
#include "store/store_copy.h"

#include <assert.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/log.h"
#include "store/store_int.h"

/* A batch is written when it holds this many rows or this many bytes. */
#define BATCH_ROWS  500
#define BATCH_BYTES (4u << 20)

/* The most columns of one table. */
#define MAX_COLS 64

/* One table of the copy. */
struct copy_table {
    const char *name;
    const char *order[4]; /* the primary key, NULL-terminated */
    /* A column that names a table copied later (a cycle of foreign
     * keys): copied as NULL, then set once every table is in. */
    const char *later;
    /* A fresh schema may hold rows of this table whose `order[0]` is
     * one of these (NULL-terminated); the copy replaces them. */
    const char *const *seeds;
    /* The target's triggers filled this table while the tables before
     * it were copied: empty it first, then copy the source's rows. */
    bool replace;
};

static const char *const calendar_seeds[] = {STORE_FEDERAL_CALENDAR_ID, NULL};

/* Every table of the schema but those of `skipped`, parents before the
 * tables whose foreign keys name them. extensions is read in rowid order
 * (its insertion order on SQLite; PostgreSQL's identity column numbers
 * the rows in the order they arrive); audit in seq order, so that each
 * record extends the head the target has. */
static const struct copy_table tables[] = {
    {"meta", {"key"}, NULL, NULL, false},
    {"organizations", {"id"}, NULL, NULL, false},
    {"users", {"id"}, NULL, NULL, false},
    {"facilities", {"id"}, NULL, NULL, false},
    {"jurisdiction_policies", {"id"}, NULL, NULL, false},
    {"calendars", {"id"}, NULL, calendar_seeds, false},
    {"calendar_versions",
     {"calendar_id", "calendar_version"},
     NULL,
     NULL,
     false},
    {"calendar_closures", {"id"}, NULL, NULL, false},
    {"state_holidays", {"id"}, NULL, NULL, false},
    {"sessions", {"id"}, NULL, NULL, false},
    {"api_tokens", {"id"}, NULL, NULL, false},
    {"documents", {"id"}, NULL, NULL, false},
    {"delegations", {"id"}, NULL, NULL, false},
    {"people", {"id"}, NULL, NULL, false},
    {"case_counters", {"kind", "year"}, NULL, NULL, false},
    {"detainers", {"id"}, NULL, NULL, false},
    {"subpoenas", {"id"}, "enforcement_id", NULL, false},
    {"subpoena_items", {"id"}, NULL, NULL, false},
    {"extensions", {"rowid"}, NULL, NULL, false},
    {"disclosures", {"id"}, NULL, NULL, false},
    {"enforcements", {"id"}, NULL, NULL, false},
    {"enforcement_kept_items",
     {"enforcement_id", "item_id"},
     NULL,
     NULL,
     false},
    {"events", {"case_kind", "case_id", "seq"}, NULL, NULL, false},
    {"deadlines", {"id"}, NULL, NULL, false},
    {"signing_keys", {"key_id"}, NULL, NULL, false},
    {"subpoena_signatures", {"subpoena_id"}, NULL, NULL, false},
    {"jobs", {"id"}, NULL, NULL, false},
    {"deliveries", {"id"}, NULL, NULL, false},
    {"webhooks", {"id"}, NULL, NULL, false},
    {"feed_tokens", {"user_id"}, NULL, NULL, false},
    {"idempotency_keys", {"user_id", "key"}, NULL, NULL, false},
    {"rate_limits", {"bucket"}, NULL, NULL, false},
    {"case_holds", {"id"}, NULL, NULL, false},
    {"audit_horizon", {"id"}, NULL, NULL, false},
    {"audit", {"seq"}, NULL, NULL, false},
    /* The report aggregates, as they are: report_detainer_decisions keeps
     * each detainer's decision and its source as they were recorded when
     * it was decided, which a rebuild from the detainers' present state
     * cannot recover (a detainer honored on the jail's report, then seen
     * transferred, counts as honored_reported, not honored_observed). */
    {"report_detainer_decisions", {"detainer_id"}, NULL, NULL, true},
    {"report_counts", {"period", "org_id"}, NULL, NULL, true},
    {"report_days", {"period", "org_id", "days"}, NULL, NULL, true},
    {"report_open", {"org_id", "return_date"}, NULL, NULL, true},
};

#define N_TABLES (sizeof tables / sizeof tables[0])

_Static_assert(N_TABLES <= STORE_COPY_MAX_TABLES,
               "store_copy_result cannot hold every table");

/* Tables of the schema a copy leaves out: the migrations' bookkeeping,
 * the constant list of report levels that every schema makes, the
 * marks of a deferral of the report triggers, which live only inside
 * one transaction, and SQLite's packed histograms, which the target's
 * triggers make from report_days as it is copied. */
static const char *const skipped[] = {
    "schema_migrations",
    "report_levels", /* a table on SQLite, a view on PostgreSQL */
    "report_deferred",
    "report_deferred_detainers",
    "retention_permit", /* empty outside a purge transaction */
    "report_hist", /* SQLite only: packed from report_days by its triggers */
};

const char *const *
store_copy_table_names(void)
{
    static const char *names[N_TABLES + 1];

    /* Filled on every call with the same static strings: idempotent. */
    for (size_t i = 0; i < N_TABLES; i++)
        names[i] = tables[i].name;
    names[N_TABLES] = NULL;
    return names;
}

bool
store_copy_is_skipped(const char *name)
{
    for (size_t i = 0; i < sizeof skipped / sizeof skipped[0]; i++)
        if (strcmp(name, skipped[i]) == 0)
            return true;
    return false;
}

static const struct copy_table *
find_table(const char *name)
{
    for (size_t i = 0; i < N_TABLES; i++)
        if (strcmp(tables[i].name, name) == 0)
            return &tables[i];
    return NULL;
}

static size_t
order_len(const struct copy_table *t)
{
    size_t n = 0;

    while (n < sizeof t->order / sizeof t->order[0] && t->order[n])
        n++;
    return n;
}

/* Write the reason of a refusal into why (size bytes). */
static void say(char *why, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
say(char *why, size_t size, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    (void)vsnprintf(why, size, fmt, ap);
    va_end(ap);
}

/* ---- names of tables and columns ---------------------------------------*/

/* A list of names owned by the list. */
struct names {
    char *v[MAX_COLS];
    size_t n;
    bool overflow;
};

static void
names_add(void *cls, const char *name)
{
    struct names *l = cls;

    if (l->n >= MAX_COLS) {
        l->overflow = true;
        return;
    }
    l->v[l->n++] = cm_strdup(name);
}

static void
names_release(struct names *l)
{
    for (size_t i = 0; i < l->n; i++)
        cm_free(l->v[i]);
    memset(l, 0, sizeof *l);
}

static bool
names_has(const struct names *l, const char *name)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i], name) == 0)
            return true;
    return false;
}

/* The first table of the schema of `s` the copy does not know. */
struct unknown_table {
    char name[64];
};

static void
note_unknown(void *cls, const char *name)
{
    struct unknown_table *u = cls;

    if (u->name[0] == '\0' && find_table(name) == NULL &&
        !store_copy_is_skipped(name))
        (void)snprintf(u->name, sizeof u->name, "%s", name);
}

/* STORE_ONE_RESULT when every table of `s` is known and every copied
 * table exists; STORE_NO_RESULTS (why written) when not. `side` names s
 * for the operator ("source", "target"). */
static enum store_rc
check_schema(struct store *s, const char *side, char *why, size_t size)
{
    struct unknown_table u = {{0}};
    int n = store_copy_tables(s, note_unknown, &u);

    if (n < 0)
        return (enum store_rc)n;
    if (u.name[0]) {
        say(why, size,
            "the %s holds a table this compel does not know (%s): its "
            "schema is newer than this binary",
            side, u.name);
        return STORE_NO_RESULTS;
    }
    for (size_t i = 0; i < N_TABLES; i++) {
        struct names cols = {{0}, 0, false};

        n = store_copy_columns(s, tables[i].name, names_add, &cols);
        names_release(&cols);
        if (n < 0)
            return (enum store_rc)n;
        if (n == 0) {
            say(why, size,
                "the %s has no table %s: its schema is not compel's, or "
                "not migrated (compel migrate)",
                side, tables[i].name);
            return STORE_NO_RESULTS;
        }
    }
    return STORE_ONE_RESULT;
}

/* ---- freshness ---------------------------------------------------------*/

/* Counts the rows of a seeded table that are not seeds. */
struct seed_check {
    const char *const *seeds;
    int64_t others;
};

static int
check_seed_row(void *cls, const struct store_copy_value *row, size_t n)
{
    struct seed_check *c = cls;
    bool seed = false;

    assert(n == 1); /* one column was asked for */
    (void)n;        /* without assertions (release) */
    if (row[0].type == STORE_COPY_TYPE_TEXT) {
        for (const char *const *s = c->seeds; *s; s++)
            if (strlen(*s) == row[0].len &&
                memcmp(*s, row[0].data, row[0].len) == 0)
                seed = true;
    }
    if (!seed)
        c->others++;
    return 0;
}

enum store_rc
store_copy_check_fresh(struct store *dst, char *why, size_t size)
{
    enum store_rc rc = check_schema(dst, "target", why, size);

    if (rc != STORE_ONE_RESULT)
        return rc;
    for (size_t i = 0; i < N_TABLES; i++) {
        const struct copy_table *t = &tables[i];
        int64_t n = 0;

        if (t->seeds) {
            struct seed_check c = {t->seeds, 0};
            int r = store_copy_read(dst, t->name, t->order, 1, t->order, 1,
                                    check_seed_row, &c);

            if (r < 0)
                return (enum store_rc)r;
            n = c.others;
        } else {
            rc = store_copy_count(dst, t->name, &n);
            if (rc < 0)
                return rc;
        }
        if (n > 0) {
            say(why, size,
                "the target is not empty: table %s holds %" PRId64
                " row%s; give a new database (createdb), never one in use",
                t->name, n, n == 1 ? "" : "s");
            return STORE_NO_RESULTS;
        }
    }
    return STORE_ONE_RESULT;
}

/* ---- the copy ----------------------------------------------------------*/

/* A value copied into memory the batch owns. */
static struct store_copy_value
value_dup(const struct store_copy_value *v, size_t *bytes)
{
    struct store_copy_value c = *v;

    if (v->type == STORE_COPY_TYPE_TEXT || v->type == STORE_COPY_TYPE_BYTES) {
        unsigned char *p = cm_malloc(v->len ? v->len : 1);

        if (v->len)
            memcpy(p, v->data, v->len);
        c.data = p;
        *bytes += v->len;
    } else {
        c.data = NULL;
        c.len = 0;
    }
    return c;
}

static void
value_free(struct store_copy_value *v)
{
    cm_free((void *)v->data);
    memset(v, 0, sizeof *v);
}

/* Growable array of owned values. */
struct values {
    struct store_copy_value *v;
    size_t n;
    size_t cap;
};

static void
values_push(struct values *a, struct store_copy_value v)
{
    if (a->n == a->cap) {
        a->cap = a->cap ? 2 * a->cap : 64;
        a->v = cm_realloc(a->v, a->cap * sizeof *a->v);
    }
    a->v[a->n++] = v;
}

static void
values_clear(struct values *a)
{
    for (size_t i = 0; i < a->n; i++)
        value_free(&a->v[i]);
    a->n = 0;
}

static void
values_release(struct values *a)
{
    values_clear(a);
    cm_free(a->v);
    memset(a, 0, sizeof *a);
}

/* The copy of one table, row by row into batches. */
struct table_copy {
    struct store *dst;
    const char *table;
    const char *const *cols;
    size_t n_cols;
    int later; /* index of the column set later, or -1 */
    int key;   /* index of the key column of `later` */
    struct values rows;
    size_t bytes;
    struct values *pairs; /* (key, value) of `later`, owned by the run */
    int64_t read;
};

static enum store_rc
flush(struct table_copy *c)
{
    enum store_rc rc = STORE_ONE_RESULT;

    if (c->rows.n > 0)
        rc = store_copy_insert(c->dst, c->table, c->cols, c->n_cols, c->rows.v,
                               c->rows.n / c->n_cols);
    values_clear(&c->rows);
    c->bytes = 0;
    return rc;
}

static int
copy_row(void *cls, const struct store_copy_value *row, size_t n)
{
    struct table_copy *c = cls;
    enum store_rc rc;

    assert(n == c->n_cols);
    for (size_t i = 0; i < n; i++) {
        if ((int)i == c->later && row[i].type != STORE_COPY_TYPE_NULL) {
            struct store_copy_value null = {STORE_COPY_TYPE_NULL, 0, NULL, 0};
            size_t ignored = 0;

            values_push(c->pairs, value_dup(&row[c->key], &ignored));
            values_push(c->pairs, value_dup(&row[i], &ignored));
            values_push(&c->rows, null);
            continue;
        }
        values_push(&c->rows, value_dup(&row[i], &c->bytes));
    }
    c->read++;
    if (c->rows.n / c->n_cols >= BATCH_ROWS || c->bytes >= BATCH_BYTES) {
        rc = flush(c);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* The index of `name` in cols, or -1. */
static int
index_of(const struct names *cols, const char *name)
{
    for (size_t i = 0; i < cols->n; i++)
        if (strcmp(cols->v[i], name) == 0)
            return (int)i;
    return -1;
}

/* Copy table `t` from src to dst; *rows = the rows copied. `pairs`
 * collects the values of t->later. STORE_NO_RESULTS with out->why when
 * the two sides differ. */
static enum store_rc
copy_table(struct store *src,
           struct store *dst,
           const struct copy_table *t,
           struct values *pairs,
           int64_t *rows,
           struct store_copy_result *out)
{
    struct names scols = {{0}, 0, false}, dcols = {{0}, 0, false};
    struct table_copy c = {0};
    int64_t n_src = 0, n_dst = 0;
    enum store_rc rc;
    int n;

    n = store_copy_columns(src, t->name, names_add, &scols);
    if (n >= 0)
        n = store_copy_columns(dst, t->name, names_add, &dcols);
    if (n < 0) {
        rc = (enum store_rc)n;
        goto out;
    }
    rc = STORE_NO_RESULTS;
    if (scols.overflow || dcols.overflow) {
        say(out->why, sizeof out->why, "table %s has more than %d columns",
            t->name, MAX_COLS);
        goto out;
    }
    for (size_t i = 0; i < scols.n; i++) {
        if (!names_has(&dcols, scols.v[i])) {
            say(out->why, sizeof out->why,
                "table %s: column %s is in the source but not in the target",
                t->name, scols.v[i]);
            goto out;
        }
    }
    for (size_t i = 0; i < dcols.n; i++) {
        if (!names_has(&scols, dcols.v[i])) {
            say(out->why, sizeof out->why,
                "table %s: column %s is in the target but not in the source",
                t->name, dcols.v[i]);
            goto out;
        }
    }
    c.dst = dst;
    c.table = t->name;
    c.cols = (const char *const *)scols.v;
    c.n_cols = scols.n;
    c.later = t->later ? index_of(&scols, t->later) : -1;
    c.key = index_of(&scols, t->order[0]);
    c.pairs = pairs;
    if (t->later && (c.later < 0 || c.key < 0)) {
        say(out->why, sizeof out->why, "table %s lacks column %s", t->name,
            c.later < 0 ? t->later : t->order[0]);
        goto out;
    }
    n = store_copy_read(src, t->name, c.cols, c.n_cols, t->order, order_len(t),
                        copy_row, &c);
    if (n >= 0) {
        rc = flush(&c);
        n = rc < 0 ? (int)rc : n;
    }
    if (n < 0) {
        rc = (enum store_rc)n;
        say(out->why, sizeof out->why,
            "copying table %s failed (see the log line above)", t->name);
        goto out;
    }
    rc = store_copy_count(src, t->name, &n_src);
    if (rc >= 0)
        rc = store_copy_count(dst, t->name, &n_dst);
    if (rc < 0)
        goto out;
    if (n_src != c.read || n_dst != c.read) {
        say(out->why, sizeof out->why,
            "table %s: %" PRId64 " rows in the source, %" PRId64
            " read, %" PRId64 " in the target",
            t->name, n_src, c.read, n_dst);
        rc = STORE_NO_RESULTS;
        goto out;
    }
    *rows = c.read;
    rc = STORE_ONE_RESULT;
out:
    values_release(&c.rows);
    names_release(&scols);
    names_release(&dcols);
    return rc;
}

/* Set the column `t->later` of the rows of t that had one, from the
 * (key, value) pairs collected while copying t; then empty `pairs`. */
static enum store_rc
set_later(struct store *dst,
          const struct copy_table *t,
          struct values *pairs,
          struct store_copy_result *out)
{
    enum store_rc rc = STORE_ONE_RESULT;

    if (t && pairs->n > 0) {
        rc = store_copy_update(dst, t->name, t->order[0], t->later, pairs->v,
                               pairs->n / 2);
        if (rc != STORE_ONE_RESULT) {
            say(out->why, sizeof out->why, "setting %s.%s failed", t->name,
                t->later);
            rc = rc < 0 ? rc : STORE_NO_RESULTS;
        }
    }
    values_clear(pairs);
    return rc;
}

enum store_rc
store_copy_run(struct store *src,
               struct store *dst,
               struct store_copy_result *out)
{
    struct values pairs = {0};
    const struct copy_table *later = NULL;
    enum store_rc rc;

    assert(src != NULL && dst != NULL && out != NULL);
    memset(out, 0, sizeof *out);
    rc = check_schema(src, "source", out->why, sizeof out->why);
    if (rc != STORE_ONE_RESULT)
        return rc;
    rc = store_copy_check_fresh(dst, out->why, sizeof out->why);
    if (rc != STORE_ONE_RESULT)
        return rc;
    for (size_t i = 0; i < N_TABLES; i++) {
        int64_t rows = 0;

        /* The cases are all in before their aggregates are. */
        if (tables[i].replace && later) {
            rc = set_later(dst, later, &pairs, out);
            if (rc != STORE_ONE_RESULT)
                goto out;
            later = NULL;
        }
        if (tables[i].seeds || tables[i].replace) {
            rc = store_copy_clear(dst, tables[i].name);
            if (rc < 0)
                goto out;
        }
        rc = copy_table(src, dst, &tables[i], &pairs, &rows, out);
        if (rc != STORE_ONE_RESULT)
            goto out;
        if (tables[i].later)
            later = &tables[i];
        out->tables[out->n_tables].name = tables[i].name;
        out->tables[out->n_tables].rows = rows;
        out->n_tables++;
        out->rows += rows;
        LOG_DEBUG("copied table %s: %" PRId64 " rows", tables[i].name, rows);
    }
    rc = set_later(dst, later, &pairs, out);
out:
    values_release(&pairs);
    return rc;
}

/* ---- wrappers ----------------------------------------------------------*/

/* True, with *rc set, when the call must not reach the backend: an armed
 * fault, or a backend without the copy group. */
static bool
is_blocked(struct store *s, enum store_rc *rc)
{
    if (store_is_faulted(s, rc))
        return true;
    if (s->ops->copy == NULL) {
        LOG_ERROR("store copy: not implemented on %s", s->ops->name);
        *rc = STORE_HARD_ERROR;
        return true;
    }
    return false;
}

int
store_copy_tables(struct store *s, store_copy_name_cb cb, void *cls)
{
    enum store_rc rc;

    assert(cb != NULL);
    if (is_blocked(s, &rc))
        return rc;
    return s->ops->copy->tables(s, cb, cls);
}

int
store_copy_columns(struct store *s,
                   const char *table,
                   store_copy_name_cb cb,
                   void *cls)
{
    enum store_rc rc;

    assert(table != NULL && cb != NULL);
    if (is_blocked(s, &rc))
        return rc;
    return s->ops->copy->columns(s, table, cb, cls);
}

enum store_rc
store_copy_count(struct store *s, const char *table, int64_t *n)
{
    enum store_rc rc;

    assert(table != NULL && n != NULL);
    if (is_blocked(s, &rc))
        return rc;
    return s->ops->copy->count(s, table, n);
}

int
store_copy_read(struct store *s,
                const char *table,
                const char *const *cols,
                size_t n_cols,
                const char *const *order,
                size_t n_order,
                store_copy_row_cb cb,
                void *cls)
{
    enum store_rc rc;

    assert(table != NULL && cols != NULL && n_cols > 0 && cb != NULL);
    assert(order != NULL || n_order == 0);
    if (is_blocked(s, &rc))
        return rc;
    return s->ops->copy->read(s, table, cols, n_cols, order, n_order, cb, cls);
}

enum store_rc
store_copy_insert(struct store *s,
                  const char *table,
                  const char *const *cols,
                  size_t n_cols,
                  const struct store_copy_value *rows,
                  size_t n_rows)
{
    enum store_rc rc;

    assert(table != NULL && cols != NULL && n_cols > 0);
    assert(rows != NULL || n_rows == 0);
    if (is_blocked(s, &rc))
        return rc;
    if (n_rows == 0)
        return STORE_ONE_RESULT;
    return s->ops->copy->insert(s, table, cols, n_cols, rows, n_rows);
}

enum store_rc
store_copy_update(struct store *s,
                  const char *table,
                  const char *key,
                  const char *col,
                  const struct store_copy_value *pairs,
                  size_t n)
{
    enum store_rc rc;

    assert(table != NULL && key != NULL && col != NULL);
    assert(pairs != NULL || n == 0);
    if (is_blocked(s, &rc))
        return rc;
    return s->ops->copy->update(s, table, key, col, pairs, n);
}

enum store_rc
store_copy_clear(struct store *s, const char *table)
{
    enum store_rc rc;

    assert(table != NULL);
    if (is_blocked(s, &rc))
        return rc;
    return s->ops->copy->clear(s, table);
}
