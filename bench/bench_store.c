/*
 * bench_store.c: what the store's layers cost over raw SQLite.
 *
 *   bench_store [--rows N]     (default 2000)
 *   bench_store --generate URL KEY_FILE PASSWORD_FILE N IDS_FILE
 *   bench_store --raw-seconds S
 *
 * Inserts N subpoenas with two items each, every one in its own durable
 * transaction (WAL, synchronous=FULL), first through the store
 * (store_tx_run + store_subpoena_insert) into one temporary database, then
 * with raw sqlite3 prepared statements into the same schema in a second
 * temporary database opened with the same pragmas, alternating the two in
 * blocks of rows. Then reads each of the N subpoenas with its items by id,
 * both ways, in a shuffled order. Prints
 * the rates and the ratio store/raw for each (the goal is >= 0.8). Run by
 * `make bench`, never by the tests.
 *
 * The two other modes serve bench/bench_service.sh: --generate fills a
 * database made by `compel init` with N subpoenas through the store, one
 * transaction per 1000 (see struct gen), and --raw-seconds measures the raw
 * SQLite reference for creating subpoenas over HTTP.
 */
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auth/fieldcrypt.h"
#include "auth/keyfile.h"
#include "auth/password.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/rand.h"
#include "domain/role.h"
#include "store/sqlite/sqlite_int.h"
#include "store/store.h"

#define T0 INT64_C(1767225600000000) /* 2026-01-01T00:00:00Z */

/* Rows per block; the store and raw runs alternate block by block. */
#define BLOCK 100

struct world {
    char agency[STORE_ID_SIZE];
    char county[STORE_ID_SIZE];
    char officer[STORE_ID_SIZE];
};

struct row {
    char id[STORE_ID_SIZE];
    char item_ids[2][STORE_ID_SIZE];
    char number[STORE_NUMBER_SIZE];
};

static double
now_s(void)
{
    struct timespec ts;

    (void)clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
die(const char *what)
{
    fprintf(stderr, "bench_store: %s\n", what);
    exit(1);
}

/* Create a migrated database at url with two orgs and a user. */
static struct store *
make_db(const char *url, struct world *w)
{
    struct store *s = NULL;
    const char *why = NULL;
    int applied = 0;
    struct store_org agency = {.created_at = T0,
                               .updated_at = T0,
                               .kind = "agency_office",
                               .name = "Agency",
                               .timezone = "America/Denver"};
    struct store_org county = {.created_at = T0,
                               .updated_at = T0,
                               .kind = "jurisdiction",
                               .name = "County",
                               .timezone = "America/Denver"};
    struct store_user u = {.created_at = T0,
                           .updated_at = T0,
                           .email = "officer@agency.example",
                           .name = "Officer",
                           .roles = 1u};

    if (store_open(url, STORE_OPEN_MODE_CREATE, &s, &why) != CM_ERR_OK)
        die(why);
    if (store_migrate(s, T0, &applied) != STORE_ONE_RESULT)
        die("migrate");
    cm_id_new(agency.id);
    cm_id_new(county.id);
    cm_id_new(u.id);
    memcpy(u.org_id, agency.id, STORE_ID_SIZE);
    if (store_org_insert(s, &agency) != STORE_ONE_RESULT ||
        store_org_insert(s, &county) != STORE_ONE_RESULT ||
        store_user_insert(s, &u) != STORE_ONE_RESULT)
        die("world");
    memcpy(w->agency, agency.id, STORE_ID_SIZE);
    memcpy(w->county, county.id, STORE_ID_SIZE);
    memcpy(w->officer, u.id, STORE_ID_SIZE);
    return s;
}

struct insert_ctx {
    const struct store_subpoena *sp;
};

static enum store_rc
insert_one(struct store *s, void *cls)
{
    struct insert_ctx *c = cls;

    return store_subpoena_insert(s, c->sp);
}

static void
bench_store_inserts(struct store *s,
                    const struct world *w,
                    const struct row *rows,
                    int from,
                    int to)
{
    struct store_subpoena_item items[2] = {{.category = "home_address"},
                                           {.category = "employer"}};
    struct store_subpoena sp = {.created_at = T0,
                                .updated_at = T0,
                                .purpose = "records of a released person",
                                .state = "draft",
                                .items = items,
                                .n_items = 2};
    struct insert_ctx c = {&sp};

    memcpy(sp.agency_org_id, w->agency, STORE_ID_SIZE);
    memcpy(sp.recipient_org_id, w->county, STORE_ID_SIZE);
    memcpy(sp.drafted_by, w->officer, STORE_ID_SIZE);
    for (int i = from; i < to; i++) {
        memcpy(sp.id, rows[i].id, STORE_ID_SIZE);
        memcpy(sp.number, rows[i].number, STORE_NUMBER_SIZE);
        memcpy(items[0].id, rows[i].item_ids[0], STORE_ID_SIZE);
        memcpy(items[1].id, rows[i].item_ids[1], STORE_ID_SIZE);
        if (store_tx_run(s, "bench", insert_one, &c) != STORE_ONE_RESULT)
            die("store insert");
    }
}

static void
bench_store_reads(
    struct store *s, const struct row *rows, const int *order, int from, int to)
{
    for (int i = from; i < to; i++) {
        struct store_subpoena sp;

        if (store_subpoena_get(s, rows[order[i]].id, &sp) != STORE_ONE_RESULT ||
            sp.n_items != 2)
            die("store read");
        store_subpoena_release(&sp);
    }
}

static sqlite3_stmt *
prep(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;

    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) !=
        SQLITE_OK)
        die(sqlite3_errmsg(db));
    return st;
}

static void
step_done(sqlite3 *db, sqlite3_stmt *st)
{
    if (sqlite3_step(st) != SQLITE_DONE)
        die(sqlite3_errmsg(db));
    sqlite3_reset(st);
}

static sqlite3 *
raw_open(const char *path)
{
    sqlite3 *db = NULL;

    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK)
        die("raw open");
    sqlite3_busy_timeout(db, 5000);
    /* The report triggers of the schema call compel's own SQL function
     * (store_reports.h), so a raw connection registers it too. */
    if (sq_reports_register(db) != SQLITE_OK)
        die("raw register");
    if (sqlite3_exec(db,
                     "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                     " PRAGMA foreign_keys = ON",
                     NULL, NULL, NULL) != SQLITE_OK)
        die(sqlite3_errmsg(db));
    return db;
}

static void
bench_raw_inserts(sqlite3 *db,
                  const struct world *w,
                  const struct row *rows,
                  int from,
                  int to)
{
    sqlite3_stmt *begin = prep(db, "BEGIN IMMEDIATE");
    sqlite3_stmt *commit = prep(db, "COMMIT");
    sqlite3_stmt *ins = prep(
        db, "INSERT INTO subpoenas (id, version, created_at, updated_at,"
            " number, agency_org_id, recipient_org_id, drafted_by, purpose,"
            " state) VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?)");
    sqlite3_stmt *item =
        prep(db, "INSERT INTO subpoena_items (subpoena_id, id, version,"
                 " created_at, updated_at, position, category)"
                 " VALUES (?, ?, 1, ?, ?, ?, ?)");
    static const char *const cats[2] = {"home_address", "employer"};

    for (int i = from; i < to; i++) {
        step_done(db, begin);
        sqlite3_bind_text(ins, 1, rows[i].id, -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins, 2, T0);
        sqlite3_bind_int64(ins, 3, T0);
        sqlite3_bind_text(ins, 4, rows[i].number, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 5, w->agency, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 6, w->county, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 7, w->officer, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 8, "records of a released person", -1,
                          SQLITE_STATIC);
        sqlite3_bind_text(ins, 9, "draft", -1, SQLITE_STATIC);
        step_done(db, ins);
        for (int k = 0; k < 2; k++) {
            sqlite3_bind_text(item, 1, rows[i].id, -1, SQLITE_STATIC);
            sqlite3_bind_text(item, 2, rows[i].item_ids[k], -1, SQLITE_STATIC);
            sqlite3_bind_int64(item, 3, T0);
            sqlite3_bind_int64(item, 4, T0);
            sqlite3_bind_int64(item, 5, k + 1);
            sqlite3_bind_text(item, 6, cats[k], -1, SQLITE_STATIC);
            step_done(db, item);
        }
        step_done(db, commit);
    }
    sqlite3_finalize(begin);
    sqlite3_finalize(commit);
    sqlite3_finalize(ins);
    sqlite3_finalize(item);
}

static void
bench_raw_reads(
    sqlite3 *db, const struct row *rows, const int *order, int from, int to)
{
    sqlite3_stmt *get = prep(
        db, "SELECT id, version, created_at, updated_at, number,"
            " agency_org_id, recipient_org_id, person_id, detainer_id,"
            " purpose, state, drafted_by, signed_by, signed_at, served_at,"
            " service_method, served_to, return_date, original_return_date,"
            " responded_at, disposition, refusal_reason, withdrawal_reason,"
            " response_note, enforcement_id FROM subpoenas WHERE id = ?");
    sqlite3_stmt *items = prep(
        db, "SELECT id, version, created_at, updated_at, position, category,"
            " description, outcome, ground, value FROM subpoena_items"
            " WHERE subpoena_id = ? ORDER BY position");
    size_t total = 0;

    for (int i = from; i < to; i++) {
        int k = 0;

        sqlite3_bind_text(get, 1, rows[order[i]].id, -1, SQLITE_STATIC);
        if (sqlite3_step(get) != SQLITE_ROW)
            die("raw read");
        for (int c = 0; c < 25; c++)
            total += (size_t)sqlite3_column_bytes(get, c);
        sqlite3_reset(get);
        sqlite3_bind_text(items, 1, rows[order[i]].id, -1, SQLITE_STATIC);
        while (sqlite3_step(items) == SQLITE_ROW) {
            for (int c = 0; c < 10; c++)
                total += (size_t)sqlite3_column_bytes(items, c);
            k++;
        }
        sqlite3_reset(items);
        if (k != 2)
            die("raw items");
    }
    if (total == 0)
        die("raw read nothing");
    sqlite3_finalize(get);
    sqlite3_finalize(items);
}

static void
report(const char *what, int n, double store_s, double raw_s)
{
    double store_rate = n / store_s, raw_rate = n / raw_s;

    printf("%-28s store %9.0f ops/s   raw %9.0f ops/s   store/raw %.2f%s\n",
           what, store_rate, raw_rate, store_rate / raw_rate,
           store_rate / raw_rate >= 0.8 ? "" : "  (below the 0.8 goal)");
}

static void
remove_db(const char *path)
{
    char p[600];

    (void)unlink(path);
    (void)snprintf(p, sizeof p, "%s-wal", path);
    (void)unlink(p);
    (void)snprintf(p, sizeof p, "%s-shm", path);
    (void)unlink(p);
}

/* ---- fixtures for bench/bench_service.sh (--generate) --------------------*/

/* What --generate makes in a database made by `compel init`: an agency
 * office and two jurisdictions, a busy county and a small township, four
 * users who log in with the password of the given file, and N subpoenas
 * with two items each in a mix of states (4 in 10 draft, 1 in_review, 1
 * signed, 2 served, 2 responded). The items of a responded subpoena were
 * produced: their values are sealed with the database's key, so reading
 * one is a read of personal data. Served and responded subpoenas go to the
 * county, except one in GEN_TOWNSHIP_EVERY to the township, each with its
 * return date as a deadline in the 7 days from today (UTC): the week of
 * every caller's queue, where the township's few are among the county's
 * many. One served subpoena in GEN_DOJ_EVERY was referred to a DOJ office
 * (an enforcement case waiting for its petition), whose attorney logs in
 * too: a DOJ queue among every organization's deadlines. */
struct gen {
    struct store *s;
    struct fieldcrypt fc;
    char agency[STORE_ID_SIZE];
    char county[STORE_ID_SIZE];
    char township[STORE_ID_SIZE];
    char doj[STORE_ID_SIZE];
    char officer[STORE_ID_SIZE];
    char signer[STORE_ID_SIZE];
    const char *password_file; /* its first line is the users' password */
    int64_t now;
    int year;
    int done; /* subpoenas committed */
    int n;
    FILE *ids; /* the ids of the responded ones, one a line */
    char (*batch_ids)[STORE_ID_SIZE];
    int n_batch_ids;
};

/* Subpoenas per transaction. */
#define GEN_BATCH 1000

/* One served subpoena in this many goes to the township. */
#define GEN_TOWNSHIP_EVERY 500

/* One subpoena in this many (a served one) was referred to the DOJ office. */
#define GEN_DOJ_EVERY 250

static const char *const gen_states[10] = {
    "draft",  "draft",  "draft",  "draft",     "in_review",
    "signed", "served", "served", "responded", "responded"};

static void
gen_user(struct gen *g,
         const char *email,
         const char *name,
         const char *org,
         enum role r,
         const char *hash,
         char id[STORE_ID_SIZE])
{
    struct store_user u = {.created_at = g->now,
                           .updated_at = g->now,
                           .email = (char *)email,
                           .name = (char *)name,
                           .roles = ROLE_BIT(r),
                           .password_hash = (char *)hash};

    cm_id_new(u.id);
    memcpy(u.org_id, org, STORE_ID_SIZE);
    if (store_user_insert(g->s, &u) != STORE_ONE_RESULT)
        die("generate: a bench user exists already");
    memcpy(id, u.id, STORE_ID_SIZE);
}

static enum store_rc
gen_world_tx(struct store *s, void *cls)
{
    struct gen *g = cls;
    char hash[PASSWORD_HASH_MAX], custodian[STORE_ID_SIZE];
    char pw[PASSWORD_MAX_LEN + 2];
    FILE *f = fopen(g->password_file, "r");
    struct store_org agency = {.created_at = g->now,
                               .updated_at = g->now,
                               .kind = "agency_office",
                               .name = "Bench Agency Office",
                               .state = "CO",
                               .timezone = "America/Denver"};
    struct store_org county = {.created_at = g->now,
                               .updated_at = g->now,
                               .kind = "jurisdiction",
                               .name = "Bench County",
                               .state = "CO",
                               .timezone = "America/Denver"};
    struct store_org township = {.created_at = g->now,
                                 .updated_at = g->now,
                                 .kind = "jurisdiction",
                                 .name = "Bench Township",
                                 .state = "CO",
                                 .timezone = "America/Denver"};
    struct store_org doj = {.created_at = g->now,
                            .updated_at = g->now,
                            .kind = "doj_office",
                            .name = "Bench U.S. Attorney's Office",
                            .state = "CO",
                            .timezone = "America/Denver"};

    if (!f || !fgets(pw, sizeof pw, f))
        die("generate: cannot read the password file");
    fclose(f);
    pw[strcspn(pw, "\r\n")] = '\0';
    if (password_hash(pw, hash) != CM_ERR_OK)
        die("generate: password hash");
    cm_id_new(agency.id);
    cm_id_new(county.id);
    cm_id_new(township.id);
    cm_id_new(doj.id);
    if (store_org_insert(s, &agency) != STORE_ONE_RESULT ||
        store_org_insert(s, &county) != STORE_ONE_RESULT ||
        store_org_insert(s, &township) != STORE_ONE_RESULT ||
        store_org_insert(s, &doj) != STORE_ONE_RESULT)
        die("generate: the bench organizations exist already");
    memcpy(g->agency, agency.id, STORE_ID_SIZE);
    memcpy(g->county, county.id, STORE_ID_SIZE);
    memcpy(g->township, township.id, STORE_ID_SIZE);
    memcpy(g->doj, doj.id, STORE_ID_SIZE);
    gen_user(g, "bench-officer@agency.test", "Bench Officer", g->agency,
             ROLE_OFFICER, hash, g->officer);
    gen_user(g, "bench-signer@agency.test", "Bench Signer", g->agency,
             ROLE_SIGNER, hash, g->signer);
    gen_user(g, "bench-custodian@county.test", "Bench Custodian", g->county,
             ROLE_CUSTODIAN, hash, custodian);
    gen_user(g, "bench-custodian@township.test", "Township Custodian",
             g->township, ROLE_CUSTODIAN, hash, custodian);
    gen_user(g, "bench-doj@doj.test", "Bench DOJ Attorney", g->doj,
             ROLE_DOJ_ATTORNEY, hash, custodian);
    return STORE_ONE_RESULT;
}

/* Seal `plain` for item `it` into its value (owned by the caller). */
static void
gen_seal(const struct gen *g, struct store_subpoena_item *it, const char *plain)
{
    struct buf ct = BUF_INIT;

    if (fieldcrypt_seal(&g->fc, it->id, "value", plain, strlen(plain), &ct) !=
        CM_ERR_OK)
        die("generate: seal");
    it->value.data = (unsigned char *)buf_detach(&ct, &it->value.len);
}

/* Subpoena `sp` (just inserted, referred) as an enforcement case at the
 * DOJ office, waiting for its petition. */
static enum store_rc
gen_referral(struct gen *g, struct store_subpoena *sp, int64_t at)
{
    struct store_enforcement e = {.version = 1,
                                  .created_at =
                                      at + 3 * 3600 * INT64_C(1000000),
                                  .state = "referred",
                                  .per_day_cents = -1,
                                  .fixed_cents = -1};
    enum store_rc rc;

    e.updated_at = e.created_at;
    cm_id_new(e.id);
    rc = store_case_number_next(g->s, "ENF", g->year, e.number);
    if (rc != STORE_ONE_RESULT)
        return rc < 0 ? rc : STORE_HARD_ERROR;
    memcpy(e.subpoena_id, sp->id, STORE_ID_SIZE);
    memcpy(e.agency_org_id, sp->agency_org_id, STORE_ID_SIZE);
    memcpy(e.respondent_org_id, sp->recipient_org_id, STORE_ID_SIZE);
    memcpy(e.doj_org_id, g->doj, STORE_ID_SIZE);
    rc = store_enforcement_insert(g->s, &e);
    if (rc != STORE_ONE_RESULT)
        return rc < 0 ? rc : STORE_HARD_ERROR;
    memcpy(sp->enforcement_id, e.id, STORE_ID_SIZE);
    sp->version = 1;
    rc = store_subpoena_update(g->s, sp);
    return rc == STORE_ONE_RESULT ? rc : rc < 0 ? rc : STORE_HARD_ERROR;
}

/* One subpoena number `i` (0-based) in the state its place gives it. */
static enum store_rc
gen_one(struct gen *g, int i)
{
    static const char *const values[2] = {"1200 Elm Street, Pueblo CO 81003",
                                          "Front Range Freight LLC"};
    struct store_subpoena_item items[2] = {{.category = "home_address"},
                                           {.category = "employer"}};
    const char *state = gen_states[i % 10];
    bool to_doj = i % GEN_DOJ_EVERY == 7; /* a served one */
    int64_t at = g->now - (int64_t)(g->n - i) * 60 * INT64_C(1000000);
    struct store_subpoena sp = {.created_at = at,
                                .updated_at = at,
                                .purpose = "records of a released person",
                                .state = (char *)state,
                                .items = items,
                                .n_items = 2};
    struct store_event ev = {.case_kind = "subpoena",
                             .action = "create",
                             .role = "officer",
                             .at = at,
                             .details = "{\"items\":2}"};
    bool is_served = strcmp(state, "served") == 0;
    bool is_responded = strcmp(state, "responded") == 0;
    bool to_township = (i / 10) % GEN_TOWNSHIP_EVERY == 0;
    struct store_deadline dl = {.case_kind = (char *)"subpoena",
                                .kind = (char *)"return",
                                .rule_id = (char *)"explicit-return-date",
                                .trigger = (char *)"served",
                                .explanation =
                                    (char *)"the return date set at service",
                                .computed_at = at};
    char due[16];
    time_t day = (time_t)(g->now / 1000000) + (time_t)(i % 7) * 86400;
    struct tm tm;
    int64_t seq = 0;
    enum store_rc rc;

    cm_id_new(sp.id);
    cm_id_new(items[0].id);
    cm_id_new(items[1].id);
    rc = store_case_number_next(g->s, "SUB", g->year, sp.number);
    if (rc != STORE_ONE_RESULT)
        return rc < 0 ? rc : STORE_HARD_ERROR;
    memcpy(sp.agency_org_id, g->agency, STORE_ID_SIZE);
    memcpy(sp.recipient_org_id, to_township ? g->township : g->county,
           STORE_ID_SIZE);
    memcpy(sp.drafted_by, g->officer, STORE_ID_SIZE);
    if (strcmp(state, "signed") == 0 || is_served || is_responded) {
        memcpy(sp.signed_by, g->signer, STORE_ID_SIZE);
        sp.signed_at = at + 3600 * INT64_C(1000000);
    }
    if (is_served || is_responded) {
        sp.served_at = at + 7200 * INT64_C(1000000);
        sp.service_method = "certified_mail";
        sp.served_to = "Records custodian, Bench County Jail";
        (void)gmtime_r(&day, &tm);
        (void)strftime(due, sizeof due, "%Y-%m-%d", &tm);
        sp.return_date = due;
    }
    if (is_responded) {
        sp.responded_at = at + 86400 * INT64_C(1000000);
        sp.disposition = "complied";
        for (int k = 0; k < 2; k++) {
            items[k].outcome = "produced";
            gen_seal(g, &items[k], values[k]);
        }
    }
    if (to_doj)
        sp.state = "referred";
    rc = store_subpoena_insert(g->s, &sp);
    cm_free(items[0].value.data);
    cm_free(items[1].value.data);
    if (rc != STORE_ONE_RESULT)
        return rc < 0 ? rc : STORE_HARD_ERROR;
    memcpy(ev.case_id, sp.id, STORE_ID_SIZE);
    memcpy(ev.actor_id, g->officer, STORE_ID_SIZE);
    rc = store_event_append(g->s, &ev, &seq);
    if (rc != STORE_ONE_RESULT)
        return rc < 0 ? rc : STORE_HARD_ERROR;
    if (is_served || is_responded) {
        cm_id_new(dl.id);
        memcpy(dl.case_id, sp.id, STORE_ID_SIZE);
        dl.due = due;
        memcpy(dl.calendar_id, STORE_FEDERAL_CALENDAR_ID,
               sizeof STORE_FEDERAL_CALENDAR_ID);
        dl.calendar_version = 1;
        rc = store_deadline_upsert(g->s, &dl);
        if (rc != STORE_ONE_RESULT)
            return rc < 0 ? rc : STORE_HARD_ERROR;
    }
    if (to_doj) {
        rc = gen_referral(g, &sp, at);
        if (rc != STORE_ONE_RESULT)
            return rc;
    }
    if (is_responded)
        memcpy(g->batch_ids[g->n_batch_ids++], sp.id, STORE_ID_SIZE);
    return STORE_ONE_RESULT;
}

static enum store_rc
gen_batch_tx(struct store *s, void *cls)
{
    struct gen *g = cls;
    int to = g->done + GEN_BATCH < g->n ? g->done + GEN_BATCH : g->n;
    enum store_rc rc = STORE_ONE_RESULT;

    (void)s;
    g->n_batch_ids = 0; /* a retried transaction starts again */
    for (int i = g->done; i < to && rc == STORE_ONE_RESULT; i++)
        rc = gen_one(g, i);
    return rc;
}

/* bench_store --generate URL KEY_FILE PASSWORD_FILE N IDS_FILE: see
 * struct gen. Prints "recipient_org_id <id>" for the POST bodies. */
static int
generate(const char *url,
         const char *key_file,
         const char *password_file,
         int n,
         const char *ids_path)
{
    struct gen g;
    unsigned char master[KEYFILE_KEY_BYTES];
    const char *why = NULL;
    struct timespec ts;
    struct tm tm;
    double t = now_s();

    memset(&g, 0, sizeof g);
    g.n = n;
    g.password_file = password_file;
    (void)clock_gettime(CLOCK_REALTIME, &ts);
    g.now = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
    (void)gmtime_r(&ts.tv_sec, &tm);
    g.year = tm.tm_year + 1900;
    if (password_lib_init() != CM_ERR_OK ||
        keyfile_load(key_file, master) != CM_ERR_OK ||
        fieldcrypt_init(&g.fc, master) != CM_ERR_OK)
        die("generate: cannot load the key file");
    if (store_open(url, STORE_OPEN_MODE_EXISTING, &g.s, &why) != CM_ERR_OK)
        die(why ? why : "generate: cannot open the database");
    g.ids = fopen(ids_path, "w");
    if (!g.ids)
        die("generate: cannot write the ids file");
    g.batch_ids = cm_calloc(GEN_BATCH, sizeof *g.batch_ids);
    if (store_tx_run(g.s, "bench_world", gen_world_tx, &g) != STORE_ONE_RESULT)
        die("generate: world");
    while (g.done < n) {
        if (store_tx_run(g.s, "bench_generate", gen_batch_tx, &g) !=
            STORE_ONE_RESULT)
            die("generate: subpoenas");
        for (int k = 0; k < g.n_batch_ids; k++)
            fprintf(g.ids, "%s\n", g.batch_ids[k]);
        g.done = g.done + GEN_BATCH < n ? g.done + GEN_BATCH : n;
    }
    if (fclose(g.ids) != 0)
        die("generate: cannot write the ids file");
    printf("recipient_org_id %s\n", g.county);
    fprintf(stderr, "bench_store: generated %d subpoenas in %.1f s\n", n,
            now_s() - t);
    cm_free(g.batch_ids);
    store_close(g.s);
    fieldcrypt_release(&g.fc);
    return 0;
}

/* ---- raw reference for bench/bench_service.sh (--raw-seconds) ---------*/

/* Insert subpoenas with two items, one durable transaction each, with raw
 * sqlite3 into a new temporary database for `seconds`, and print
 * "raw_inserts_per_s <rate>". */
static int
raw_for(double seconds)
{
    char dir[] = "/tmp/compel-bench-XXXXXX";
    char path[256], url[300];
    struct world w;
    struct row rows[20];
    sqlite3 *db;
    double t0, el;
    int total = 0;

    if (mkdtemp(dir) == NULL)
        die("mkdtemp");
    (void)snprintf(path, sizeof path, "%s/raw.db", dir);
    (void)snprintf(url, sizeof url, "sqlite:%s", path);
    store_close(make_db(url, &w));
    db = raw_open(path);
    t0 = now_s();
    do {
        for (int i = 0; i < 20; i++) {
            cm_id_new(rows[i].id);
            cm_id_new(rows[i].item_ids[0]);
            cm_id_new(rows[i].item_ids[1]);
            (void)snprintf(rows[i].number, sizeof rows[i].number,
                           "SUB-2026-%06d", total + i + 1);
        }
        bench_raw_inserts(db, &w, rows, 0, 20);
        total += 20;
        el = now_s() - t0;
    } while (el < seconds);
    printf("raw_inserts_per_s %.0f\n", total / el);
    sqlite3_close(db);
    remove_db(path);
    (void)rmdir(dir);
    return 0;
}

int
main(int argc, char **argv)
{
    int n = 2000;
    char dir[] = "/tmp/compel-bench-XXXXXX";
    char store_path[256], raw_path[256], url[300];
    struct world ws, wr;
    struct store *s, *setup;
    struct row *rows;
    int *order;
    sqlite3 *db;
    double t, store_ins, raw_ins, store_rd, raw_rd;

    if (argc == 7 && strcmp(argv[1], "--generate") == 0) {
        char *end = NULL;
        long v = strtol(argv[5], &end, 10);

        if (*end != '\0' || v < 1 || v > 10000000)
            die("--generate: N takes 1 to 10000000");
        return generate(argv[2], argv[3], argv[4], (int)v, argv[6]);
    }
    if (argc == 3 && strcmp(argv[1], "--raw-seconds") == 0) {
        char *end = NULL;
        double v = strtod(argv[2], &end);

        if (*end != '\0' || !(v > 0 && v <= 600))
            die("--raw-seconds takes 0 to 600 seconds");
        return raw_for(v);
    }
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--rows") == 0 && i + 1 < argc) {
            char *end = NULL;
            long v = strtol(argv[++i], &end, 10);

            if (*end != '\0' || v < 1 || v > 1000000)
                die("--rows takes 1 to 1000000");
            n = (int)v;
        } else {
            fprintf(stderr,
                    "usage: bench_store [--rows N]\n"
                    "       bench_store --generate URL KEY_FILE PASSWORD_FILE"
                    " N IDS_FILE\n"
                    "       bench_store --raw-seconds S\n");
            return 2;
        }
    }
    if (mkdtemp(dir) == NULL)
        die("mkdtemp");
    (void)snprintf(store_path, sizeof store_path, "%s/store.db", dir);
    (void)snprintf(raw_path, sizeof raw_path, "%s/raw.db", dir);

    rows = cm_calloc((size_t)n, sizeof *rows);
    order = cm_calloc((size_t)n, sizeof *order);
    for (int i = 0; i < n; i++) {
        cm_id_new(rows[i].id);
        cm_id_new(rows[i].item_ids[0]);
        cm_id_new(rows[i].item_ids[1]);
        (void)snprintf(rows[i].number, sizeof rows[i].number, "SUB-2026-%06d",
                       i + 1);
        order[i] = i;
    }
    for (int i = n - 1; i > 0; i--) { /* Fisher-Yates with the CSPRNG */
        uint32_t r;
        int j, tmp;

        cm_random_bytes(&r, sizeof r);
        j = (int)(r % (uint32_t)(i + 1));
        tmp = order[i];
        order[i] = order[j];
        order[j] = tmp;
    }

    (void)snprintf(url, sizeof url, "sqlite:%s", store_path);
    s = make_db(url, &ws);
    (void)snprintf(url, sizeof url, "sqlite:%s", raw_path);
    setup = make_db(url, &wr);
    store_close(setup);
    db = raw_open(raw_path);

    printf("bench_store: %d subpoenas with 2 items, one durable transaction "
           "each (WAL, synchronous=FULL)\n",
           n);
    /* Alternate the two in blocks, so that drifts of the disk and the
     * page cache hit both alike. */
    store_ins = raw_ins = store_rd = raw_rd = 0;
    for (int from = 0; from < n; from += BLOCK) {
        int to = from + BLOCK < n ? from + BLOCK : n;

        t = now_s();
        bench_store_inserts(s, &ws, rows, from, to);
        store_ins += now_s() - t;
        t = now_s();
        bench_raw_inserts(db, &wr, rows, from, to);
        raw_ins += now_s() - t;
    }
    for (int from = 0; from < n; from += BLOCK) {
        int to = from + BLOCK < n ? from + BLOCK : n;

        t = now_s();
        bench_store_reads(s, rows, order, from, to);
        store_rd += now_s() - t;
        t = now_s();
        bench_raw_reads(db, rows, order, from, to);
        raw_rd += now_s() - t;
    }
    report("insert (1 tx each)", n, store_ins, raw_ins);
    report("point read (with items)", n, store_rd, raw_rd);

    store_close(s);
    sqlite3_close(db);
    remove_db(store_path);
    remove_db(raw_path);
    (void)rmdir(dir);
    cm_free(rows);
    cm_free(order);
    return 0;
}
