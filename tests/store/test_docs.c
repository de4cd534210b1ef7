/*
 * test_docs.c: the contract of store_docs.h: a document goes in with its
 * bytes and comes back byte for byte (an empty one too), a taken id
 * changes nothing, listings are per case (or of no case), oldest first,
 * filtered by kind and without content, and store_case_kind_of finds the
 * table of a case id. A document inserted in a transaction that rolls
 * back leaves nothing behind.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "audit/audit.h"
#include "contract.h"
#include "core/alloc.h"
#include "core/rand.h"
#include "jobs/jobs.h"

#define SECOND INT64_C(1000000)

/* A document of `kind` on case (case_kind, case_id) or of no case, with
 * `content` as its bytes; strings borrowed. */
static struct store_document
doc_new(const struct fx *f,
        const char *case_kind,
        const char *case_id,
        const char *kind,
        const char *content,
        int64_t at)
{
    struct store_document d;

    memset(&d, 0, sizeof d);
    cm_id_new(d.id);
    d.created_at = at;
    d.updated_at = at;
    d.case_kind = (char *)case_kind;
    if (case_id)
        memcpy(d.case_id, case_id, STORE_ID_SIZE);
    d.kind = (char *)kind;
    d.filename = "proof.pdf";
    d.content_type = "application/pdf";
    memset(d.sha256, 0x5a, sizeof d.sha256);
    d.size = (int64_t)strlen(content);
    d.content.data = (unsigned char *)content;
    d.content.len = strlen(content);
    memcpy(d.uploaded_by, f->officer, STORE_ID_SIZE);
    return d;
}

/* A detainer of the fixture's world, inserted; its id into `id`. */
static void
detainer_add(struct fx *f, char id[STORE_ID_SIZE])
{
    struct store_detainer d;

    memset(&d, 0, sizeof d);
    cm_id_new(d.id);
    d.created_at = FX_T0;
    d.updated_at = FX_T0;
    (void)snprintf(d.number, sizeof d.number, "DET-2026-000001");
    memcpy(d.person_id, f->person, STORE_ID_SIZE);
    memcpy(d.facility_id, f->facility, STORE_ID_SIZE);
    memcpy(d.agency_org_id, f->agency, STORE_ID_SIZE);
    memcpy(d.lodged_by, f->officer, STORE_ID_SIZE);
    d.form = "I-247A";
    d.basis = "final_order";
    d.hold_rule = "48h-clock";
    d.state = "lodged";
    d.notice_given = -1;
    assert_int_equal(store_detainer_insert(f->s, &d), STORE_ONE_RESULT);
    memcpy(id, d.id, STORE_ID_SIZE);
}

static void
test_round_trip(void **state)
{
    struct fx *f = *state;
    char det[STORE_ID_SIZE];
    /* Bytes with a NUL inside: a blob, not a string. */
    static const char bytes[] = "%PDF-1.4\n\0binary\xff\xfe";
    struct store_document d, got;

    detainer_add(f, det);
    d = doc_new(f, "detainer", det, "correspondence", "", FX_T0);
    d.content.data = (unsigned char *)bytes;
    d.content.len = sizeof bytes - 1;
    d.size = (int64_t)d.content.len;
    d.item_ids = "[\"AAAAAAAAAAAAAAAAAAAAAA\"]";
    assert_int_equal(store_document_insert(f->s, &d), STORE_ONE_RESULT);

    assert_int_equal(store_document_get(f->s, d.id, true, &got),
                     STORE_ONE_RESULT);
    assert_string_equal(got.id, d.id);
    assert_int_equal(got.version, 1);
    assert_int_equal(got.created_at, FX_T0);
    assert_string_equal(got.case_kind, "detainer");
    assert_string_equal(got.case_id, det);
    assert_string_equal(got.kind, "correspondence");
    assert_string_equal(got.filename, "proof.pdf");
    assert_string_equal(got.content_type, "application/pdf");
    assert_memory_equal(got.sha256, d.sha256, sizeof d.sha256);
    assert_int_equal(got.size, (int64_t)(sizeof bytes - 1));
    assert_string_equal(got.uploaded_by, f->officer);
    assert_string_equal(got.item_ids, d.item_ids);
    assert_int_equal(got.content.len, sizeof bytes - 1);
    assert_memory_equal(got.content.data, bytes, sizeof bytes - 1);
    store_document_release(&got);

    /* Without content: the metadata only. */
    assert_int_equal(store_document_get(f->s, d.id, false, &got),
                     STORE_ONE_RESULT);
    assert_null(got.content.data);
    assert_int_equal(got.size, (int64_t)(sizeof bytes - 1));
    store_document_release(&got);

    /* A taken id: nothing written, the first one stays. */
    d.kind = "other";
    assert_int_equal(store_document_insert(f->s, &d), STORE_NO_RESULTS);
    assert_int_equal(store_document_get(f->s, d.id, false, &got),
                     STORE_ONE_RESULT);
    assert_string_equal(got.kind, "correspondence");
    store_document_release(&got);

    assert_int_equal(
        store_document_get(f->s, "AAAAAAAAAAAAAAAAAAAAAA", false, &got),
        STORE_NO_RESULTS);
}

static void
test_empty_content(void **state)
{
    struct fx *f = *state;
    struct store_document d = doc_new(f, NULL, NULL, "delegation", "", FX_T0);
    struct store_document got;

    d.content.data = NULL;
    assert_int_equal(store_document_insert(f->s, &d), STORE_ONE_RESULT);
    assert_int_equal(store_document_get(f->s, d.id, true, &got),
                     STORE_ONE_RESULT);
    assert_int_equal(got.size, 0);
    assert_int_equal(got.content.len, 0);
    assert_null(got.case_kind);
    assert_string_equal(got.case_id, "");
    assert_null(got.item_ids);
    store_document_release(&got);
}

struct seen {
    int n;
    char ids[8][STORE_ID_SIZE];
    bool any_content;
};

static void
on_doc(void *cls, const struct store_document *d)
{
    struct seen *s = cls;

    if (s->n < 8)
        memcpy(s->ids[s->n], d->id, STORE_ID_SIZE);
    s->n++;
    s->any_content = s->any_content || d->content.data != NULL;
}

static void
test_list(void **state)
{
    struct fx *f = *state;
    char det[STORE_ID_SIZE], other[STORE_ID_SIZE];
    struct store_document late, early, prod, elsewhere, caseless;
    struct seen s;

    detainer_add(f, det);
    cm_id_new(other);
    /* Inserted out of order: the list is by upload time. */
    late = doc_new(f, "detainer", det, "other", "b", FX_T0 + 2 * SECOND);
    early = doc_new(f, "detainer", det, "correspondence", "a", FX_T0);
    prod = doc_new(f, "detainer", det, "production", "c", FX_T0 + SECOND);
    elsewhere = doc_new(f, "subpoena", other, "production", "d", FX_T0);
    caseless = doc_new(f, NULL, NULL, "delegation", "e", FX_T0);
    assert_int_equal(store_document_insert(f->s, &late), STORE_ONE_RESULT);
    assert_int_equal(store_document_insert(f->s, &early), STORE_ONE_RESULT);
    assert_int_equal(store_document_insert(f->s, &prod), STORE_ONE_RESULT);
    assert_int_equal(store_document_insert(f->s, &elsewhere), STORE_ONE_RESULT);
    assert_int_equal(store_document_insert(f->s, &caseless), STORE_ONE_RESULT);

    memset(&s, 0, sizeof s);
    assert_int_equal(
        store_document_list(f->s, "detainer", det, NULL, on_doc, &s), 3);
    assert_string_equal(s.ids[0], early.id);
    assert_string_equal(s.ids[1], prod.id);
    assert_string_equal(s.ids[2], late.id);
    assert_false(s.any_content);

    memset(&s, 0, sizeof s);
    assert_int_equal(
        store_document_list(f->s, "detainer", det, "production", on_doc, &s),
        1);
    assert_string_equal(s.ids[0], prod.id);

    /* Same id under another kind of case: not the same case. */
    memset(&s, 0, sizeof s);
    assert_int_equal(
        store_document_list(f->s, "subpoena", det, NULL, on_doc, &s), 0);

    memset(&s, 0, sizeof s);
    assert_int_equal(
        store_document_list(f->s, NULL, NULL, "delegation", on_doc, &s), 1);
    assert_string_equal(s.ids[0], caseless.id);
    memset(&s, 0, sizeof s);
    assert_int_equal(store_document_list(f->s, NULL, NULL, "other", on_doc, &s),
                     0);
}

static void
test_case_kind_of(void **state)
{
    struct fx *f = *state;
    char det[STORE_ID_SIZE], none[STORE_ID_SIZE];
    const char *kind = "unchanged";

    detainer_add(f, det);
    cm_id_new(none);
    assert_int_equal(store_case_kind_of(f->s, det, &kind), STORE_ONE_RESULT);
    assert_string_equal(kind, "detainer");
    kind = "unchanged";
    assert_int_equal(store_case_kind_of(f->s, none, &kind), STORE_NO_RESULTS);
    assert_string_equal(kind, "unchanged");
    /* A person's id is no case. */
    assert_int_equal(store_case_kind_of(f->s, f->person, &kind),
                     STORE_NO_RESULTS);
}

struct tx_ctx {
    struct store_document *d;
};

/* Insert the document, then refuse: the runner rolls it back. */
static enum store_rc
insert_then_fail(struct store *s, void *ctx)
{
    struct tx_ctx *c = ctx;

    if (store_document_insert(s, c->d) != STORE_ONE_RESULT)
        return STORE_HARD_ERROR;
    return STORE_HARD_ERROR;
}

static void
test_rollback(void **state)
{
    struct fx *f = *state;
    struct store_document d =
        doc_new(f, NULL, NULL, "delegation", "instrument", FX_T0);
    struct store_document got;
    struct tx_ctx c = {&d};

    assert_int_equal(store_tx_run(f->s, "doc", insert_then_fail, &c),
                     STORE_HARD_ERROR);
    assert_int_equal(store_document_get(f->s, d.id, false, &got),
                     STORE_NO_RESULTS);
}

static void
test_faults(void **state)
{
    struct fx *f = *state;
    struct store_document d = doc_new(f, NULL, NULL, "delegation", "x", FX_T0);
    struct store_document got;
    const char *kind = NULL;
    struct seen s;

    store_fault_set(f->s, 1, STORE_FAULT_SOFT_ONCE);
    assert_int_equal(store_document_insert(f->s, &d), STORE_SOFT_ERROR);
    assert_int_equal(store_document_get(f->s, d.id, false, &got),
                     STORE_NO_RESULTS);
    store_fault_set(f->s, 1, STORE_FAULT_HARD_ONCE);
    assert_int_equal(store_case_kind_of(f->s, d.id, &kind), STORE_HARD_ERROR);
    store_fault_set(f->s, 1, STORE_FAULT_HARD_ONCE);
    memset(&s, 0, sizeof s);
    assert_int_equal(store_document_list(f->s, NULL, NULL, NULL, on_doc, &s),
                     STORE_HARD_ERROR);
    assert_int_equal(s.n, 0);
    store_fault_clear(f->s);
}


static void
list_ignore(void *cls, const struct store_document *d)
{
    (void)cls;
    (void)d;
}

static void
event_ignore(void *cls, const struct store_event *ev)
{
    (void)cls;
    (void)ev;
}

/* ---- legal holds and the retention purge (store_retention.h) -----------*/

#define YEAR (INT64_C(365) * 86400 * SECOND)

/* A detainer in `state`, last changed at `at`, with one event and one
 * document of that time; its id into `id`. */
static void
old_detainer_add(
    struct fx *f, int n, const char *state, int64_t at, char id[STORE_ID_SIZE])
{
    struct store_detainer d;
    struct store_event ev = {0};
    struct store_document doc;
    int64_t seq = 0;

    memset(&d, 0, sizeof d);
    cm_id_new(d.id);
    d.created_at = at;
    d.updated_at = at;
    (void)snprintf(d.number, sizeof d.number, "DET-2020-%06d", n);
    memcpy(d.person_id, f->person, STORE_ID_SIZE);
    memcpy(d.facility_id, f->facility, STORE_ID_SIZE);
    memcpy(d.agency_org_id, f->agency, STORE_ID_SIZE);
    memcpy(d.lodged_by, f->officer, STORE_ID_SIZE);
    d.form = "I-247A";
    d.basis = "final_order";
    d.hold_rule = "48h-clock";
    d.state = (char *)state;
    d.notice_given = -1;
    assert_int_equal(store_detainer_insert(f->s, &d), STORE_ONE_RESULT);
    ev.case_kind = "detainer";
    memcpy(ev.case_id, d.id, STORE_ID_SIZE);
    ev.action = "release";
    ev.role = "booking";
    ev.at = at;
    assert_int_equal(store_event_append(f->s, &ev, &seq), STORE_ONE_RESULT);
    doc = doc_new(f, "detainer", d.id, "correspondence", "letter", at);
    assert_int_equal(store_document_insert(f->s, &doc), STORE_ONE_RESULT);
    memcpy(id, d.id, STORE_ID_SIZE);
}

static struct store_hold
hold_new(const struct fx *f, const char *id, const char *reason, int64_t at)
{
    struct store_hold h;

    memset(&h, 0, sizeof h);
    cm_id_new(h.id);
    h.case_kind = "detainer";
    memcpy(h.case_id, id, STORE_ID_SIZE);
    memcpy(h.placed_by, f->officer, STORE_ID_SIZE);
    h.placed_role = "agency_counsel";
    h.placed_at = at;
    h.reason = (char *)reason;
    return h;
}

struct holds_seen {
    int n;
    int64_t released_at[4];
    char reason[4][32];
};

static void
holds_cb(void *cls, const struct store_hold *h)
{
    struct holds_seen *hs = cls;

    if (hs->n < 4) {
        hs->released_at[hs->n] = h->released_at;
        (void)snprintf(hs->reason[hs->n], sizeof hs->reason[hs->n], "%s",
                       h->reason);
    }
    hs->n++;
}

/* A hold is placed once, released once; a second hold on a held case and
 * a release of an unheld one change nothing; the history keeps both. */
static void
test_hold_place_release(void **state)
{
    struct fx *f = *state;
    struct store_hold h;
    struct holds_seen hs = {0};
    char id[STORE_ID_SIZE];
    bool held = true;

    old_detainer_add(f, 1, "released", FX_T0, id);
    assert_int_equal(store_case_held(f->s, "detainer", id, &held),
                     STORE_ONE_RESULT);
    assert_false(held);
    assert_int_equal(store_hold_release(f->s, "detainer", id, f->officer,
                                        "agency_counsel", FX_T0, "none"),
                     STORE_NO_RESULTS);
    h = hold_new(f, id, "litigation A", FX_T0);
    assert_int_equal(store_hold_place(f->s, &h), STORE_ONE_RESULT);
    h = hold_new(f, id, "litigation B", FX_T0 + SECOND);
    assert_int_equal(store_hold_place(f->s, &h), STORE_NO_RESULTS);
    assert_int_equal(store_case_held(f->s, "detainer", id, &held),
                     STORE_ONE_RESULT);
    assert_true(held);
    assert_int_equal(store_hold_release(f->s, "detainer", id, f->officer,
                                        "agency_counsel", FX_T0 + 2 * SECOND,
                                        "settled"),
                     STORE_ONE_RESULT);
    assert_int_equal(store_case_held(f->s, "detainer", id, &held),
                     STORE_ONE_RESULT);
    assert_false(held);
    h = hold_new(f, id, "litigation B", FX_T0 + 3 * SECOND);
    assert_int_equal(store_hold_place(f->s, &h), STORE_ONE_RESULT);
    assert_int_equal(store_hold_list(f->s, "detainer", id, holds_cb, &hs), 2);
    assert_int_equal(hs.n, 2);
    assert_string_equal(hs.reason[0], "litigation A");
    assert_true(hs.released_at[0] == FX_T0 + 2 * SECOND);
    assert_string_equal(hs.reason[1], "litigation B");
    assert_true(hs.released_at[1] == 0);
}

struct purge_tx {
    struct store_purge_limits lim;
    struct store_purge_counts got;
};

static enum store_rc
purge_tx(struct store *s, void *ctx)
{
    struct purge_tx *t = ctx;

    return store_retention_purge(s, &t->lim, &t->got);
}

/* Closed detainers older than the cut-off go with their timeline and
 * documents; a held one, a recent one and an open one stay. */
static void
test_purge_cases(void **state)
{
    struct fx *f = *state;
    struct purge_tx t;
    struct store_hold h;
    struct store_detainer d;
    char gone[STORE_ID_SIZE], held[STORE_ID_SIZE], young[STORE_ID_SIZE];
    char open[STORE_ID_SIZE];
    const char *kept[3] = {held, young, open};
    int64_t seq = 0;
    unsigned char hash[STORE_HASH_SIZE];

    old_detainer_add(f, 1, "released", FX_T0 - 3 * YEAR, gone);
    old_detainer_add(f, 2, "transferred", FX_T0 - 3 * YEAR, held);
    old_detainer_add(f, 3, "cancelled", FX_T0 - YEAR / 2, young);
    old_detainer_add(f, 4, "honored", FX_T0 - 3 * YEAR, open);
    h = hold_new(f, held, "litigation", FX_T0);
    assert_int_equal(store_hold_place(f->s, &h), STORE_ONE_RESULT);
    memset(&t, 0, sizeof t);
    t.lim.case_before = FX_T0 - YEAR;
    t.lim.max_cases = 100;
    assert_int_equal(store_tx_run(f->s, "purge", purge_tx, &t),
                     STORE_ONE_RESULT);
    assert_true(t.got.detainers == 1);
    assert_true(t.got.documents == 1);
    assert_true(t.got.events == 1);
    assert_true(t.got.audit == 0);
    assert_int_equal(store_detainer_get(f->s, gone, &d), STORE_NO_RESULTS);
    assert_int_equal(
        store_document_list(f->s, "detainer", gone, NULL, list_ignore, NULL),
        0);
    assert_int_equal(
        store_event_list(f->s, "detainer", gone, event_ignore, NULL), 0);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(store_detainer_get(f->s, kept[i], &d),
                         STORE_ONE_RESULT);
        store_detainer_release(&d);
        assert_int_equal(store_document_list(f->s, "detainer", kept[i], NULL,
                                             list_ignore, NULL),
                         1);
        assert_int_equal(
            store_event_list(f->s, "detainer", kept[i], event_ignore, NULL), 1);
    }
    /* No audit record aged out (none enabled): no horizon. */
    assert_int_equal(store_audit_horizon(f->s, &seq, hash), STORE_NO_RESULTS);
    /* Once released, the held detainer goes on the next run. */
    assert_int_equal(store_hold_release(f->s, "detainer", held, f->officer,
                                        "agency_counsel", FX_T0, "over"),
                     STORE_ONE_RESULT);
    memset(&t.got, 0, sizeof t.got);
    assert_int_equal(store_tx_run(f->s, "purge", purge_tx, &t),
                     STORE_ONE_RESULT);
    assert_true(t.got.detainers == 1);
    assert_int_equal(store_detainer_get(f->s, held, &d), STORE_NO_RESULTS);
}

/* The audit trail loses its longest old prefix, never its last record
 * nor anything from the first record naming a held case on; the horizon
 * keeps the seq and hash of the last record removed, and a purge that
 * rolls back removes nothing. */
static void
test_purge_audit(void **state)
{
    struct fx *f = *state;
    struct purge_tx t;
    struct store_hold h;
    struct store_audit a;
    unsigned char hash[STORE_HASH_SIZE], want[STORE_HASH_SIZE];
    char held[STORE_ID_SIZE];
    int64_t seq = 0, first = 0;

    old_detainer_add(f, 1, "released", FX_T0 - 3 * YEAR, held);
    for (int i = 0; i < 6; i++) {
        struct audit_entry e = {.at_us = FX_T0 - (6 - i) * YEAR,
                                .action = "test.entry",
                                .outcome = "ok"};

        if (i == 4) {
            e.object_kind = "detainer";
            e.object_id = held;
        }
        assert_int_equal(audit_append(f->s, &e, &seq), STORE_ONE_RESULT);
        if (i == 0)
            first = seq;
    }
    h = hold_new(f, held, "litigation", FX_T0);
    assert_int_equal(store_hold_place(f->s, &h), STORE_ONE_RESULT);
    memset(&t, 0, sizeof t);
    t.lim.audit_before = FX_T0 - 1;
    t.lim.max_audit = 1000;
    assert_int_equal(store_tx_run(f->s, "purge", purge_tx, &t),
                     STORE_ONE_RESULT);
    /* first .. first+3 go; first+4 names the held detainer. */
    assert_true(t.got.audit == 4);
    assert_true(t.got.horizon_seq == first + 3);
    assert_int_equal(store_audit_get(f->s, first + 3, &a), STORE_NO_RESULTS);
    assert_int_equal(store_audit_get(f->s, first + 4, &a), STORE_ONE_RESULT);
    memcpy(want, a.prev_hash, sizeof want);
    store_audit_release(&a);
    assert_int_equal(store_audit_horizon(f->s, &seq, hash), STORE_ONE_RESULT);
    assert_true(seq == first + 3);
    assert_memory_equal(hash, want, sizeof hash);
    /* Released: the rest goes but the head, which always stays. */
    assert_int_equal(store_hold_release(f->s, "detainer", held, f->officer,
                                        "agency_counsel", FX_T0, "over"),
                     STORE_ONE_RESULT);
    memset(&t.got, 0, sizeof t.got);
    assert_int_equal(store_tx_run(f->s, "purge", purge_tx, &t),
                     STORE_ONE_RESULT);
    assert_true(t.got.audit == 1);
    assert_int_equal(store_audit_head(f->s, &seq, hash), STORE_ONE_RESULT);
    assert_true(seq == first + 5);
    assert_true(t.got.horizon_seq == first + 4);
}

/* Outside the purge, the append-only triggers still refuse: a purge
 * fault leaves everything, and nothing but the purge deletes. */
static void
test_purge_fault(void **state)
{
    struct fx *f = *state;
    struct purge_tx t;
    struct store_detainer d;
    char gone[STORE_ID_SIZE];

    old_detainer_add(f, 1, "released", FX_T0 - 3 * YEAR, gone);
    memset(&t, 0, sizeof t);
    t.lim.case_before = FX_T0 - YEAR;
    t.lim.max_cases = 100;
    store_fault_set(f->s, 2, STORE_FAULT_HARD_ONCE);
    assert_int_equal(store_tx_run(f->s, "purge", purge_tx, &t),
                     STORE_HARD_ERROR);
    store_fault_clear(f->s);
    assert_int_equal(store_detainer_get(f->s, gone, &d), STORE_ONE_RESULT);
    store_detainer_release(&d);
}


static int64_t
fixed_now(void *ctx)
{
    return *(const int64_t *)ctx;
}

/* The runner purges once per UTC day whichever tick comes first, and
 * each run is on the audit trail; without a policy it never purges. */
static void
test_purge_daily_job(void **state)
{
    struct fx *f = *state;
    struct jobs_config c;
    struct jobs_tick_result res;
    struct store_detainer d;
    char gone[STORE_ID_SIZE], later[STORE_ID_SIZE];
    int64_t now = FX_T0 + 3600 * SECOND;
    char *day = NULL;

    old_detainer_add(f, 1, "released", FX_T0 - 3 * YEAR, gone);
    memset(&c, 0, sizeof c);
    c.smtp_url = "";
    c.interval_s = 30;
    c.max_attempts = 3;
    c.now = fixed_now;
    c.now_ctx = &now;
    /* No policy: no purge. */
    assert_int_equal(jobs_tick(f->s, &c, "w1", &res), CM_ERR_OK);
    assert_false(res.purged);
    assert_int_equal(store_detainer_get(f->s, gone, &d), STORE_ONE_RESULT);
    store_detainer_release(&d);
    c.retention.audit_years = 7;
    c.retention.case_years = 1;
    assert_int_equal(jobs_tick(f->s, &c, "w1", &res), CM_ERR_OK);
    assert_true(res.purged);
    assert_int_equal(store_detainer_get(f->s, gone, &d), STORE_NO_RESULTS);
    assert_int_equal(store_meta_get(f->s, JOBS_META_PURGE_DAY, &day),
                     STORE_ONE_RESULT);
    assert_string_equal(day, "2026-01-01");
    cm_free(day);
    /* Later the same day, on another worker: not again, even with a case
     * that has aged out meanwhile. */
    old_detainer_add(f, 2, "released", FX_T0 - 3 * YEAR, later);
    now += 12 * 3600 * SECOND;
    assert_int_equal(jobs_tick(f->s, &c, "w2", &res), CM_ERR_OK);
    assert_false(res.purged);
    assert_int_equal(store_detainer_get(f->s, later, &d), STORE_ONE_RESULT);
    store_detainer_release(&d);
    /* The next day it runs. */
    now += 12 * 3600 * SECOND;
    assert_int_equal(jobs_tick(f->s, &c, "w2", &res), CM_ERR_OK);
    assert_true(res.purged);
    assert_int_equal(store_detainer_get(f->s, later, &d), STORE_NO_RESULTS);
}

int
contract_run_docs(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip, fx_setup_world,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_empty_content, fx_setup_world,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_list, fx_setup_world, fx_teardown),
        cmocka_unit_test_setup_teardown(test_case_kind_of, fx_setup_world,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_rollback, fx_setup_world,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_faults, fx_setup_world,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_hold_place_release, fx_setup_world,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_purge_cases, fx_setup_world,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_purge_audit, fx_setup_world,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_purge_fault, fx_setup_world,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_purge_daily_job, fx_setup_world,
                                        fx_teardown),
    };

    return cmocka_run_group_tests_name("store docs", tests, NULL, NULL);
}
