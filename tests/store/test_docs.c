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

#include "contract.h"
#include "core/alloc.h"
#include "core/rand.h"

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
    };

    return cmocka_run_group_tests_name("store docs", tests, NULL, NULL);
}
