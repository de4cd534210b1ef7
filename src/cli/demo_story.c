/*
 * demo_story.c: the story `compel demo` plays through the public API, set
 * in 2020 after the public events of law-and-peers.md section 1.1 (all
 * people invented):
 *
 *  - January: detainers lodged at the three jurisdictions end in every
 *    state (declined under the sheriff's policy, released, honored and
 *    transferred, cancelled, acknowledged, lodged);
 *  - Monday 13 January: four subpoenas served on the city-county sheriff
 *    (three with 14 days, one with 3): one objected to on Tenth Amendment
 *    grounds and referred to the U.S. Attorney, who petitions the court
 *    (docket 1:20-mc-00011), gets an order to show cause, an order
 *    enforcing the subpoena in part (20 April), and after noncompliance a
 *    civil contempt at $1,000 a day until purged; one refused and just
 *    referred; one extended (the original return date kept); one withdrawn;
 *  - Friday 17 January: two subpoenas served on the department of
 *    correction: one partially complied with, one left overdue;
 *  - Tuesday 18 February: the county complies with two subpoenas;
 *  - drafts in every agency-side state (draft, in review, ready to sign,
 *    signed);
 *  - today (the real date): a detainer honored with its hold clock running
 *    and a subpoena served and within time.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/demo.h"
#include "core/buf.h"
#include "domain/date.h"

/* Minutes, in microseconds. */
#define MINUTES(n) ((int64_t)(n)*60 * 1000000)

#define TRY(call)             \
    do {                      \
        err = (call);         \
        if (err != CM_ERR_OK) \
            goto out;         \
    } while (0)

/* The people of the story (all invented), by index. */
enum person_ix {
    P_VENTISCA,
    P_ORLOVANE,
    P_BRIGHTWATER,
    P_QUILLFEATHER,
    P_MARWICK,
    P_HALLORAN,
    P_CASTELLANE,
    P_DRUMMOND,
    P_OSTRANDER,
    P_PEMBERTON,
    P_FENWRIGHT,
    P_ALDERSHOT,
    P__COUNT
};

struct person_def {
    const char *family;
    const char *given;
    const char *dob;
    const char *a_number;
};

static const struct person_def people[P__COUNT] = {
    [P_VENTISCA] = {"Ventisca", "Alma Rosa", "1988-03-14", "A200100101"},
    [P_ORLOVANE] = {"Orlovane", "Teodoro", "1979-11-02", "A200100102"},
    [P_BRIGHTWATER] = {"Brightwater", "Noemi", "1992-06-21", "A200100103"},
    [P_QUILLFEATHER] = {"Quillfeather", "Anselm", "1985-01-30", "A200100104"},
    [P_MARWICK] = {"Marwick-Soto", "Elena", "1990-09-09", "A200100105"},
    [P_HALLORAN] = {"Halloran-Uzo", "Kwame", "1983-12-12", "A200100106"},
    [P_CASTELLANE] = {"Castellane", "Ione", "1995-04-04", "A200100107"},
    [P_DRUMMOND] = {"Drummond-Achebe", "Ruth", "1976-07-17", "A200100108"},
    [P_OSTRANDER] = {"Ostrander", "Milo", "1999-02-28", "A200100109"},
    [P_PEMBERTON] = {"Pemberton-Lau", "Grace", "1987-10-10", "A200100110"},
    [P_FENWRIGHT] = {"Fenwright", "Lior", "1991-05-05", "A200100111"},
    [P_ALDERSHOT] = {"Aldershot", "Petra", "1984-08-08", "A200100112"},
};

/* How far a subpoena goes on the agency side. */
enum stage {
    STAGE_DRAFT,
    STAGE_IN_REVIEW,
    STAGE_READY_TO_SIGN,
    STAGE_SIGNED,
    STAGE_SERVED
};

/* What the story remembers between chapters. */
struct story {
    char person[P__COUNT][STORE_ID_SIZE];
    bool have_people;
    bool have_detainers;
};

/* Copy the "id" of `j` into out; CM_ERR_IO when there is none. */
static enum cm_err
take_id(const struct demo *d, json_t *j, char out[STORE_ID_SIZE])
{
    const char *id = json_string_value(json_object_get(j, "id"));

    if (id == NULL || strlen(id) >= STORE_ID_SIZE) {
        (void)fprintf(stderr, "compel demo: %s: the answer has no id\n",
                      d->step);
        return CM_ERR_IO;
    }
    (void)snprintf(out, STORE_ID_SIZE, "%s", id);
    return CM_ERR_OK;
}

/* POST `body` to `path` as `who` and keep the new resource's id. */
static enum cm_err
create(struct demo *d,
       enum demo_user_ix who,
       const char *path,
       json_t *body,
       char id[STORE_ID_SIZE],
       json_t **out)
{
    json_t *j = NULL;
    enum cm_err err = demo_call(d, who, "POST", path, body, &j);

    if (err == CM_ERR_OK)
        err = take_id(d, j, id);
    if (err == CM_ERR_OK && out)
        *out = json_incref(j);
    json_decref(j);
    return err;
}

/* POST /api/v1/<kind>/<id>/actions/<action> as `who` with `body` (stolen;
 * NULL: {}). `out` (may be NULL) gets the case as it now stands. */
static enum cm_err
act(struct demo *d,
    enum demo_user_ix who,
    const char *kind,
    const char *id,
    const char *action,
    json_t *body,
    json_t **out)
{
    struct buf path = BUF_INIT;
    enum cm_err err;

    buf_addf(&path, "/api/v1/%s/%s/actions/%s", kind, id, action);
    err = demo_call(d, who, "POST", buf_str(&path), body ? body : json_object(),
                    out);
    buf_release(&path);
    return err;
}

static enum cm_err
at(struct demo *d, const char *when)
{
    enum cm_err err = demo_clock_set(d, when);

    if (err != CM_ERR_OK)
        (void)fprintf(stderr, "compel demo: %s: cannot set the clock to %s\n",
                      d->step, when);
    return err;
}

static enum cm_err
later(struct demo *d, int minutes)
{
    enum cm_err err = demo_clock_set_us(d, d->now + MINUTES(minutes));

    if (err != CM_ERR_OK)
        (void)fprintf(stderr, "compel demo: %s: cannot move the clock\n",
                      d->step);
    return err;
}

/* The instant `us` in RFC 3339 UTC into out. */
static void
instant(int64_t us, char out[DATE_RFC3339_SIZE])
{
    date_time_format_rfc3339(us / 1000000, 0, out);
}

/* ---- people and detainers ----------------------------------------------*/

static enum cm_err
add_person(struct demo *d, struct story *st, enum person_ix p)
{
    json_t *body =
        json_pack("{s:s, s:s, s:s, s:{s:s}}", "family_name", people[p].family,
                  "given_names", people[p].given, "date_of_birth",
                  people[p].dob, "identifiers", "a_number", people[p].a_number);

    d->step = "creating a person";
    return create(d, DEMO_USER_IX_OFFICER, "/api/v1/people", body,
                  st->person[p], NULL);
}

static enum cm_err
lodge(struct demo *d,
      struct story *st,
      enum demo_user_ix officer,
      enum person_ix p,
      enum demo_fac_ix fac,
      const char *basis,
      char id[STORE_ID_SIZE])
{
    json_t *body =
        json_pack("{s:s, s:s, s:s, s:s, s:s}", "person_id", st->person[p],
                  "facility_id", d->fac_id[fac], "form", "I-247A", "basis",
                  basis, "hold_rule", "48h-excluding-weekends-holidays");

    d->step = "lodging a detainer";
    return create(d, officer, "/api/v1/detainers", body, id, NULL);
}

static enum cm_err
chapter_detainers(struct demo *d, struct story *st)
{
    char id[STORE_ID_SIZE];
    enum cm_err err = CM_ERR_OK;

    /* Mon 6 January 2020, Denver: a detainer declined under the sheriff's
     * policy (version 2, in force since 1 January), then a release. */
    TRY(at(d, "2020-01-06T10:00:00-07:00"));
    for (int p = 0; p < P__COUNT; p++)
        TRY(add_person(d, st, (enum person_ix)p));
    st->have_people = true;
    if (!demo_has_route("POST", "/api/v1/detainers")) {
        (void)printf("demo: skipped the detainers: the server has no "
                     "POST /api/v1/detainers\n");
        d->skipped++;
        goto out;
    }
    TRY(lodge(d, st, DEMO_USER_IX_OFFICER, P_VENTISCA,
              DEMO_FAC_IX_SHERIFF_DOWNTOWN, "biometric_match", id));
    TRY(later(d, 90));
    d->step = "acknowledging a detainer";
    TRY(act(d, DEMO_USER_IX_SHERIFF_BOOKING, "detainers", id, "acknowledge",
            NULL, NULL));
    TRY(later(d, 150));
    d->step = "declining a detainer";
    TRY(act(d, DEMO_USER_IX_SHERIFF_BOOKING, "detainers", id, "decline",
            json_pack("{s:s}", "reason",
                      "Policy: detainers are declined without a judicial "
                      "warrant."),
            NULL));
    TRY(at(d, "2020-01-08T16:30:00-07:00"));
    d->step = "releasing a person";
    TRY(act(d, DEMO_USER_IX_SHERIFF_BOOKING, "detainers", id, "release",
            json_pack("{s:s, s:b}", "released_at", "2020-01-08T23:20:00Z",
                      "notice_given", 0),
            NULL));

    /* Tue 7 January: a second Denver detainer, declined, not yet
     * released. */
    TRY(at(d, "2020-01-07T09:15:00-07:00"));
    TRY(lodge(d, st, DEMO_USER_IX_OFFICER, P_ORLOVANE,
              DEMO_FAC_IX_SHERIFF_COUNTY_JAIL, "pending_proceedings", id));
    TRY(later(d, 60));
    d->step = "acknowledging a detainer";
    TRY(act(d, DEMO_USER_IX_SHERIFF_BOOKING, "detainers", id, "acknowledge",
            NULL, NULL));
    TRY(later(d, 60));
    d->step = "declining a detainer";
    TRY(act(d, DEMO_USER_IX_SHERIFF_BOOKING, "detainers", id, "decline",
            json_pack("{s:s}", "reason",
                      "Policy: detainers are declined without a judicial "
                      "warrant."),
            NULL));

    /* Thu 9 January, Harbor City: honored under the criteria (a judicial
     * warrant and a listed conviction), hold clock, transfer. */
    TRY(at(d, "2020-01-09T08:00:00-07:00"));
    TRY(lodge(d, st, DEMO_USER_IX_OFFICER2, P_BRIGHTWATER,
              DEMO_FAC_IX_CORRECTION_ISLAND, "final_order", id));
    TRY(later(d, 45));
    d->step = "acknowledging a detainer";
    TRY(act(d, DEMO_USER_IX_CORRECTION_BOOKING, "detainers", id, "acknowledge",
            NULL, NULL));
    TRY(later(d, 30));
    d->step = "honoring a detainer";
    TRY(act(d, DEMO_USER_IX_CORRECTION_BOOKING, "detainers", id, "honor", NULL,
            NULL));
    TRY(at(d, "2020-01-10T07:30:00-07:00"));
    d->step = "setting the release time";
    TRY(act(d, DEMO_USER_IX_CORRECTION_BOOKING, "detainers", id,
            "set_release_time",
            json_pack("{s:s}", "otherwise_release_at", "2020-01-10T14:00:00Z"),
            NULL));
    TRY(at(d, "2020-01-10T13:10:00-07:00"));
    d->step = "transferring custody";
    TRY(act(d, DEMO_USER_IX_OFFICER2, "detainers", id, "transfer",
            json_pack("{s:s}", "transferred_at", "2020-01-10T20:00:00Z"),
            NULL));

    /* The same day: a duplicate lodged in error, cancelled. */
    TRY(at(d, "2020-01-09T09:00:00-07:00"));
    TRY(lodge(d, st, DEMO_USER_IX_OFFICER2, P_QUILLFEATHER,
              DEMO_FAC_IX_CORRECTION_ISLAND, "statements", id));
    TRY(later(d, 120));
    d->step = "cancelling a detainer";
    TRY(act(d, DEMO_USER_IX_OFFICER2, "detainers", id, "cancel",
            json_pack("{s:s}", "reason",
                      "Lodged in error: a duplicate of another record."),
            NULL));

    /* Mon 3 February, the county: acknowledged and waiting. */
    TRY(at(d, "2020-02-03T11:00:00-07:00"));
    TRY(lodge(d, st, DEMO_USER_IX_OFFICER, P_MARWICK, DEMO_FAC_IX_COUNTY_JAIL,
              "pending_proceedings", id));
    TRY(later(d, 200));
    d->step = "acknowledging a detainer";
    TRY(act(d, DEMO_USER_IX_COUNTY_BOOKING, "detainers", id, "acknowledge",
            NULL, NULL));

    /* Thu 20 February, Denver: lodged, not yet acknowledged. */
    TRY(at(d, "2020-02-20T15:45:00-07:00"));
    TRY(lodge(d, st, DEMO_USER_IX_OFFICER, P_HALLORAN,
              DEMO_FAC_IX_SHERIFF_DOWNTOWN, "biometric_match", id));
    st->have_detainers = true;
out:
    return err;
}

/* ---- subpoenas ----------------------------------------------------------*/

/* A subpoena to draft: who, to whom, about whom, what. */
struct draft {
    enum demo_user_ix officer;
    enum demo_user_ix signer;
    enum demo_org_ix recipient;
    enum person_ix person;
    const char *purpose;
    const char *const *items; /* categories, NULL-terminated */
    const char *served_to;
    const char *served_at; /* RFC 3339 */
    int return_days;
};

/* Draft `dr` at the story clock and take it to `stage`, moving the clock
 * on by an hour or so a step (the serve happens at dr->served_at). The
 * subpoena as it last stood goes to *out (may be NULL). */
static enum cm_err
subpoena(struct demo *d,
         struct story *st,
         const struct draft *dr,
         enum stage stage,
         char id[STORE_ID_SIZE],
         json_t **out)
{
    json_t *items = json_array();
    json_t *body;
    json_t *last = NULL;
    enum cm_err err = CM_ERR_OK;

    for (size_t i = 0; dr->items[i]; i++)
        (void)json_array_append_new(
            items, json_pack("{s:s}", "category", dr->items[i]));
    body = json_pack("{s:s, s:s, s:o}", "recipient_org_id",
                     d->org_id[dr->recipient], "purpose", dr->purpose, "items",
                     items);
    if (st->have_people)
        (void)json_object_set_new(body, "person_id",
                                  json_string(st->person[dr->person]));
    d->step = "drafting a subpoena";
    TRY(create(d, dr->officer, "/api/v1/subpoenas", body, id, &last));
    if (stage >= STAGE_IN_REVIEW) {
        TRY(later(d, 60));
        d->step = "submitting a subpoena for review";
        json_decref(last);
        last = NULL;
        TRY(act(d, dr->officer, "subpoenas", id, "submit", NULL, &last));
    }
    if (stage >= STAGE_READY_TO_SIGN) {
        TRY(later(d, 24 * 60));
        d->step = "approving a subpoena (counsel review)";
        json_decref(last);
        last = NULL;
        TRY(act(d, DEMO_USER_IX_COUNSEL, "subpoenas", id, "approve", NULL,
                &last));
    }
    if (stage >= STAGE_SIGNED) {
        TRY(later(d, 90));
        d->step = "signing a subpoena";
        json_decref(last);
        last = NULL;
        TRY(act(d, dr->signer, "subpoenas", id, "sign", NULL, &last));
    }
    if (stage >= STAGE_SERVED) {
        char query[96];
        char proof[CM_ID_LEN + 1];

        TRY(at(d, dr->served_at));
        d->step = "filing the proof of service of a subpoena";
        (void)snprintf(query, sizeof query, "case_id=%s&kind=proof_of_service",
                       id);
        TRY(demo_upload(d, dr->officer, query, "text/plain",
                        "proof-of-service.txt",
                        "Certificate of service: served in person.\n", proof));
        d->step = "serving a subpoena";
        json_decref(last);
        last = NULL;
        TRY(act(d, dr->officer, "subpoenas", id, "serve",
                json_pack("{s:s, s:s, s:s, s:i, s:s}", "served_at",
                          dr->served_at, "method", "personal", "served_to",
                          dr->served_to, "return_days", dr->return_days,
                          "proof_of_service_document_id", proof),
                &last));
    }
    if (out) {
        *out = last;
        last = NULL;
    }
out:
    json_decref(last);
    return err;
}

/* The id of the item of category `cat` in subpoena `sp`, or NULL. */
static const char *
item_id(const json_t *sp, const char *cat)
{
    size_t i;
    json_t *it;

    json_array_foreach (json_object_get(sp, "items"), i, it) {
        const char *c = json_string_value(json_object_get(it, "category"));

        if (c && strcmp(c, cat) == 0)
            return json_string_value(json_object_get(it, "id"));
    }
    return NULL;
}

/* One line of a response: item of `cat`, outcome, value or ground. */
static json_t *
answer(const json_t *sp, const char *cat, const char *outcome, const char *v)
{
    json_t *a = json_pack("{s:s?, s:s}", "item_id", item_id(sp, cat), "outcome",
                          outcome);

    if (v && strcmp(outcome, "produced") == 0)
        (void)json_object_set_new(a, "value", json_string(v));
    else if (v)
        (void)json_object_set_new(a, "ground", json_string(v));
    return a;
}

static const char *const denver_items[] = {
    "home_address",       "work_address", "phone",   "employer",
    "emergency_contacts", "bond_record",  "charges", NULL};
static const char *const short_items[] = {"home_address", "release_date", NULL};
static const char *const nyc_items[] = {"release_date", "charges",
                                        "home_address", "employer", NULL};
static const char *const county_items[] = {"home_address", "phone", NULL};

#define PURPOSE                                                          \
    "Records about a person released after a declined detainer, for an " \
    "investigation under 8 U.S.C. 1225(d)(4)(A) (demo)."

/* The enforcement case of the objected Denver subpoena, modelled on ICE
 * v. Gomez (D. Colo. 2020) and carried on, fictionally, to contempt. */
static enum cm_err
chapter_court(struct demo *d, const char *enf_id, const json_t *sp)
{
    json_t *kept = json_array();
    enum cm_err err = CM_ERR_OK;
    char query[96];
    char order_id[CM_ID_LEN + 1];
    static const char *const kept_items[] = {
        "home_address", "work_address", "emergency_contacts",
        "bond_record",  "charges",      NULL};

    for (size_t i = 0; kept_items[i]; i++)
        (void)json_array_append_new(kept,
                                    json_string(item_id(sp, kept_items[i])));
    /* Thu 6 February 2020: the petition (8 U.S.C. 1225(d)(4)(B)). */
    TRY(at(d, "2020-02-06T10:00:00-07:00"));
    d->step = "filing the petition to enforce";
    TRY(act(d, DEMO_USER_IX_AUSA, "enforcements", enf_id, "file_petition",
            json_pack("{s:s, s:s, s:s, s:s}", "court",
                      "U.S. District Court for the District of Colorado",
                      "district", "D. Colo.", "docket_number", "1:20-mc-00011",
                      "filed_on", "2020-02-06"),
            NULL));
    TRY(at(d, "2020-02-10T14:00:00-07:00"));
    d->step = "recording the order to show cause";
    TRY(act(d, DEMO_USER_IX_AUSA, "enforcements", enf_id, "issue_show_cause",
            json_pack("{s:s, s:s}", "hearing_on", "2020-03-05", "response_due",
                      "2020-02-27"),
            NULL));
    /* Mon 20 April 2020: enforced in part (addresses, emergency contacts,
     * bond record, charges), 14 days to comply: Mon 4 May 2020. */
    TRY(at(d, "2020-04-20T16:00:00-06:00"));
    d->step = "filing the court's order";
    (void)snprintf(query, sizeof query, "case_id=%s&kind=court_order", enf_id);
    TRY(demo_upload(d, DEMO_USER_IX_AUSA, query, "text/plain", "order.txt",
                    "Order granting the petition in part.\n", order_id));
    d->step = "recording the order enforcing in part";
    TRY(act(d, DEMO_USER_IX_AUSA, "enforcements", enf_id, "enter_order",
            json_pack("{s:s, s:s, s:i, s:O, s:s}", "result", "enforced_in_part",
                      "entered_on", "2020-04-20", "compliance_days", 14,
                      "items_kept", kept, "order_document_id", order_id),
            NULL));
    /* Mon 11 May: nothing produced a week past the deadline. */
    TRY(at(d, "2020-05-11T09:00:00-06:00"));
    d->step = "moving for contempt";
    TRY(act(d, DEMO_USER_IX_AUSA, "enforcements", enf_id, "move_contempt", NULL,
            NULL));
    TRY(at(d, "2020-05-18T15:00:00-06:00"));
    d->step = "recording the civil contempt";
    TRY(act(d, DEMO_USER_IX_AUSA, "enforcements", enf_id, "hold_in_contempt",
            json_pack("{s:s, s:i, s:s}", "kind", "civil", "per_day_cents",
                      100000, "starts_on", "2020-05-19"),
            NULL));
    TRY(at(d, "2020-05-29T11:00:00-06:00"));
    d->step = "recording the purge";
    TRY(act(d, DEMO_USER_IX_AUSA, "enforcements", enf_id, "purge",
            json_pack("{s:s}", "purged_on", "2020-05-29"), NULL));
out:
    json_decref(kept);
    return err;
}

/* Refer subpoena `id` to the U.S. Attorney; the enforcement id into enf. */
static enum cm_err
refer(struct demo *d, const char *id, char enf[STORE_ID_SIZE])
{
    json_t *j = NULL;
    const char *e;
    enum cm_err err;

    d->step = "referring a subpoena for enforcement";
    err =
        act(d, DEMO_USER_IX_COUNSEL, "subpoenas", id, "refer",
            json_pack("{s:s}", "doj_org_id", d->org_id[DEMO_ORG_IX_USAO]), &j);
    if (err == CM_ERR_OK) {
        e = json_string_value(json_object_get(j, "enforcement_id"));
        if (e == NULL || strlen(e) >= STORE_ID_SIZE) {
            (void)fprintf(stderr,
                          "compel demo: %s: the referred subpoena has no "
                          "enforcement_id\n",
                          d->step);
            err = CM_ERR_IO;
        } else {
            (void)snprintf(enf, STORE_ID_SIZE, "%s", e);
        }
    }
    json_decref(j);
    return err;
}

static enum cm_err
chapter_denver(struct demo *d, struct story *st)
{
    char id[STORE_ID_SIZE], enf1[STORE_ID_SIZE], enf2[STORE_ID_SIZE];
    json_t *s1 = NULL, *s2 = NULL;
    json_t *items;
    enum cm_err err = CM_ERR_OK;
    bool court =
        demo_has_route("POST", "/api/v1/enforcements/{id}/actions/{action}");
    struct draft dr = {.officer = DEMO_USER_IX_OFFICER,
                       .signer = DEMO_USER_IX_DIRECTOR,
                       .recipient = DEMO_ORG_IX_SHERIFF,
                       .person = P_VENTISCA,
                       .purpose = PURPOSE,
                       .items = denver_items,
                       .served_to = "Records unit, Office of the Sheriff",
                       .served_at = "2020-01-13T10:00:00-07:00",
                       .return_days = 14};
    char s1_id[STORE_ID_SIZE], s2_id[STORE_ID_SIZE];

    /* Mon 13 January 2020: 14 days gives Mon 27 January (Martin Luther
     * King Jr. Day, 20 January, falls inside the period and counts). */
    TRY(at(d, "2020-01-09T10:00:00-07:00"));
    TRY(subpoena(d, st, &dr, STAGE_SERVED, s1_id, &s1));
    TRY(at(d, "2020-01-14T09:00:00-07:00"));
    d->step = "acknowledging a subpoena";
    TRY(act(d, DEMO_USER_IX_SHERIFF_RECORDS, "subpoenas", s1_id, "acknowledge",
            NULL, NULL));
    TRY(at(d, "2020-01-27T15:00:00-07:00"));
    items = json_array();
    for (size_t i = 0; denver_items[i]; i++)
        (void)json_array_append_new(
            items, answer(s1, denver_items[i], "objected", "tenth_amendment"));
    d->step = "objecting to a subpoena";
    TRY(act(d, DEMO_USER_IX_SHERIFF_COUNSEL, "subpoenas", s1_id, "respond",
            json_pack("{s:o, s:s}", "items", items, "note",
                      "The City objects: the Tenth Amendment bars the "
                      "federal government from commandeering local "
                      "officials, and city policy requires a court order."),
            NULL));

    /* The 3-day subpoena: due Thu 16 January, refused that day. */
    dr.person = P_ORLOVANE;
    dr.items = short_items;
    dr.signer = DEMO_USER_IX_DEPUTY; /* signs under the delegation */
    dr.return_days = 3;
    dr.served_at = "2020-01-13T10:20:00-07:00";
    TRY(at(d, "2020-01-09T11:00:00-07:00"));
    TRY(subpoena(d, st, &dr, STAGE_SERVED, id, &s2));
    TRY(at(d, "2020-01-16T13:00:00-07:00"));
    d->step = "refusing a subpoena";
    TRY(act(d, DEMO_USER_IX_SHERIFF_RECORDS, "subpoenas", id, "refuse",
            json_pack("{s:s}", "reason",
                      "Policy: administrative subpoenas are complied with "
                      "only under a court order."),
            NULL));
    (void)snprintf(s2_id, sizeof s2_id, "%s", id);

    /* Extended: 27 January moved to Mon 10 February, original kept. */
    dr.person = P_CASTELLANE;
    dr.items = denver_items;
    dr.signer = DEMO_USER_IX_DIRECTOR;
    dr.return_days = 14;
    dr.served_at = "2020-01-13T10:40:00-07:00";
    TRY(at(d, "2020-01-09T13:00:00-07:00"));
    TRY(subpoena(d, st, &dr, STAGE_SERVED, id, NULL));
    TRY(at(d, "2020-01-24T11:00:00-07:00"));
    d->step = "extending a return date";
    TRY(act(d, DEMO_USER_IX_OFFICER, "subpoenas", id, "extend",
            json_pack("{s:s, s:s}", "return_date", "2020-02-10", "reason",
                      "The city attorney asked for two more weeks."),
            NULL));

    /* Withdrawn after service. */
    dr.person = P_DRUMMOND;
    dr.items = short_items;
    dr.served_at = "2020-01-13T11:00:00-07:00";
    TRY(at(d, "2020-01-09T14:00:00-07:00"));
    TRY(subpoena(d, st, &dr, STAGE_SERVED, id, NULL));
    TRY(at(d, "2020-01-21T09:30:00-07:00"));
    d->step = "withdrawing a subpoena";
    TRY(act(d, DEMO_USER_IX_DIRECTOR, "subpoenas", id, "withdraw",
            json_pack("{s:s}", "reason",
                      "The person was located; the records are no longer "
                      "needed."),
            NULL));

    /* Mon 3 February: the objected one goes to the U.S. Attorney. */
    TRY(at(d, "2020-02-03T09:00:00-07:00"));
    TRY(refer(d, s1_id, enf1));
    /* Tue 4 February: the refused one follows, and waits for the U.S.
     * Attorney. */
    TRY(at(d, "2020-02-04T10:00:00-07:00"));
    TRY(refer(d, s2_id, enf2));
    if (!court) {
        (void)printf("demo: skipped the court case: the server has no "
                     "POST /api/v1/enforcements/{id}/actions/{action}\n");
        d->skipped++;
        goto out;
    }
    TRY(chapter_court(d, enf1, s1));
out:
    json_decref(s1);
    json_decref(s2);
    return err;
}

static enum cm_err
chapter_harbor_and_county(struct demo *d, struct story *st)
{
    char id[STORE_ID_SIZE];
    json_t *sp = NULL;
    json_t *items;
    enum cm_err err = CM_ERR_OK;
    struct draft dr = {.officer = DEMO_USER_IX_OFFICER2,
                       .signer = DEMO_USER_IX_DIRECTOR,
                       .recipient = DEMO_ORG_IX_CORRECTION,
                       .person = P_BRIGHTWATER,
                       .purpose = PURPOSE,
                       .items = nyc_items,
                       .served_to = "General Counsel, Department of Correction",
                       .served_at = "2020-01-17T07:30:00-07:00",
                       .return_days = 14};

    /* Fri 17 January 2020: 14 days gives Fri 31 January. */
    TRY(at(d, "2020-01-14T10:00:00-07:00"));
    TRY(subpoena(d, st, &dr, STAGE_SERVED, id, &sp));
    TRY(at(d, "2020-01-31T12:00:00-07:00"));
    items = json_array();
    (void)json_array_append_new(
        items, answer(sp, "release_date", "produced", "2020-01-10"));
    (void)json_array_append_new(
        items, answer(sp, "charges", "produced",
                      "Criminal mischief, fourth degree (fictional)"));
    (void)json_array_append_new(
        items, answer(sp, "home_address", "objected", "relevance"));
    (void)json_array_append_new(items,
                                answer(sp, "employer", "not_held", NULL));
    d->step = "answering a subpoena in part";
    TRY(act(d, DEMO_USER_IX_CORRECTION_RECORDS, "subpoenas", id, "respond",
            json_pack("{s:o}", "items", items), NULL));

    /* Served the same day and never answered: overdue since 1 February. */
    dr.person = P_OSTRANDER;
    dr.served_at = "2020-01-17T07:45:00-07:00";
    TRY(at(d, "2020-01-14T11:00:00-07:00"));
    TRY(subpoena(d, st, &dr, STAGE_SERVED, id, NULL));

    /* Tue 18 February 2020 (the day after Washington's Birthday), the
     * county: 14 days gives Tue 3 March; both answered in full. */
    json_decref(sp);
    sp = NULL;
    dr.recipient = DEMO_ORG_IX_COUNTY;
    dr.person = P_MARWICK;
    dr.items = county_items;
    dr.served_to = "Records custodian, County Sheriff's Office";
    dr.served_at = "2020-02-18T10:00:00-07:00";
    TRY(at(d, "2020-02-13T10:00:00-07:00"));
    TRY(subpoena(d, st, &dr, STAGE_SERVED, id, &sp));
    TRY(at(d, "2020-02-25T10:00:00-07:00"));
    d->step = "complying with a subpoena";
    TRY(act(d, DEMO_USER_IX_COUNTY_RECORDS, "subpoenas", id, "respond",
            json_pack("{s:[o,o]}", "items",
                      answer(sp, "home_address", "produced",
                             "100 Example Lane, Hillsboro, OR (fictional)"),
                      answer(sp, "phone", "produced", "555-0100")),
            NULL));
    TRY(at(d, "2020-03-02T09:00:00-07:00"));
    d->step = "closing a subpoena";
    TRY(act(d, DEMO_USER_IX_OFFICER2, "subpoenas", id, "close", NULL, NULL));

    json_decref(sp);
    sp = NULL;
    dr.person = P_PEMBERTON;
    dr.served_at = "2020-02-18T10:30:00-07:00";
    TRY(at(d, "2020-02-13T11:00:00-07:00"));
    TRY(subpoena(d, st, &dr, STAGE_SERVED, id, &sp));
    TRY(at(d, "2020-02-26T14:00:00-07:00"));
    d->step = "complying with a subpoena";
    TRY(act(d, DEMO_USER_IX_COUNTY_RECORDS, "subpoenas", id, "respond",
            json_pack("{s:[o,o]}", "items",
                      answer(sp, "home_address", "produced",
                             "200 Sample Court, Beaverton, OR (fictional)"),
                      answer(sp, "phone", "produced", "555-0111")),
            NULL));
out:
    json_decref(sp);
    return err;
}

/* Agency-side subpoenas left at each stage before service (March). */
static enum cm_err
chapter_drafts(struct demo *d, struct story *st)
{
    char id[STORE_ID_SIZE];
    enum cm_err err = CM_ERR_OK;
    struct draft dr = {.officer = DEMO_USER_IX_OFFICER2,
                       .signer = DEMO_USER_IX_DEPUTY,
                       .recipient = DEMO_ORG_IX_CORRECTION,
                       .person = P_QUILLFEATHER,
                       .purpose = PURPOSE,
                       .items = short_items};
    static const enum stage stages[] = {STAGE_DRAFT, STAGE_IN_REVIEW,
                                        STAGE_READY_TO_SIGN, STAGE_SIGNED};
    static const char *const when[] = {
        "2020-03-02T10:00:00-07:00", "2020-03-03T10:00:00-07:00",
        "2020-03-04T10:00:00-07:00", "2020-03-05T10:00:00-07:00"};
    static const enum person_ix who[] = {P_QUILLFEATHER, P_HALLORAN,
                                         P_ALDERSHOT, P_ORLOVANE};

    for (size_t i = 0; i < sizeof stages / sizeof stages[0]; i++) {
        dr.person = who[i];
        dr.recipient = i % 2 ? DEMO_ORG_IX_SHERIFF : DEMO_ORG_IX_CORRECTION;
        TRY(at(d, when[i]));
        TRY(subpoena(d, st, &dr, stages[i], id, NULL));
    }
out:
    return err;
}

/* Today: a hold clock running and a subpoena within its time. */
static enum cm_err
chapter_today(struct demo *d, struct story *st)
{
    char id[STORE_ID_SIZE];
    char release_at[DATE_RFC3339_SIZE], served_at[DATE_RFC3339_SIZE];
    struct timespec ts;
    int64_t start;
    enum cm_err err = CM_ERR_OK;
    struct draft dr = {.officer = DEMO_USER_IX_OFFICER,
                       .signer = DEMO_USER_IX_DIRECTOR,
                       .recipient = DEMO_ORG_IX_COUNTY,
                       .person = P_ALDERSHOT,
                       .purpose = PURPOSE,
                       .items = county_items,
                       .served_to = "Records custodian, County Sheriff's "
                                    "Office",
                       .served_at = served_at,
                       .return_days = 14};

    (void)clock_gettime(CLOCK_REALTIME, &ts);
    /* Start two days ago so that the drafting and review fit before now;
     * round to the minute. */
    start = ((int64_t)ts.tv_sec / 60 * 60 - 2 * 24 * 3600) * 1000000;
    instant(start + MINUTES(2 * 24 * 60 - 30), served_at);
    TRY(demo_clock_set_us(d, start));
    TRY(subpoena(d, st, &dr, STAGE_SERVED, id, NULL));
    if (!st->have_detainers)
        goto out;
    TRY(demo_clock_set_us(d, start + MINUTES(2 * 24 * 60 - 25)));
    TRY(lodge(d, st, DEMO_USER_IX_OFFICER2, P_FENWRIGHT,
              DEMO_FAC_IX_CORRECTION_ISLAND, "final_order", id));
    TRY(later(d, 5));
    d->step = "acknowledging a detainer";
    TRY(act(d, DEMO_USER_IX_CORRECTION_BOOKING, "detainers", id, "acknowledge",
            NULL, NULL));
    TRY(later(d, 5));
    d->step = "honoring a detainer";
    TRY(act(d, DEMO_USER_IX_CORRECTION_BOOKING, "detainers", id, "honor", NULL,
            NULL));
    TRY(later(d, 5));
    instant(d->now - MINUTES(5), release_at);
    d->step = "starting the hold clock";
    TRY(act(d, DEMO_USER_IX_CORRECTION_BOOKING, "detainers", id,
            "set_release_time",
            json_pack("{s:s}", "otherwise_release_at", release_at), NULL));
out:
    return err;
}

enum cm_err
demo_story_run(struct demo *d)
{
    struct story st;
    enum cm_err err = CM_ERR_OK;

    memset(&st, 0, sizeof st);
    d->step = "checking the routes";
    if (!demo_has_route("POST", "/api/v1/session")) {
        (void)fprintf(stderr, "compel demo: the server has no POST "
                              "/api/v1/session: no one can log in\n");
        return CM_ERR_IO;
    }
    if (!demo_has_route("POST", "/api/v1/people")) {
        (void)printf("demo: skipped everything after the cast: the server "
                     "has no POST /api/v1/people\n");
        d->skipped++;
        return CM_ERR_OK;
    }
    TRY(chapter_detainers(d, &st));
    if (!demo_has_route("POST", "/api/v1/subpoenas/{id}/actions/{action}")) {
        (void)printf("demo: skipped the subpoenas and the court: the server "
                     "has no POST /api/v1/subpoenas/{id}/actions/{action}\n");
        d->skipped++;
        goto out;
    }
    TRY(chapter_denver(d, &st));
    TRY(chapter_harbor_and_county(d, &st));
    TRY(chapter_drafts(d, &st));
    TRY(chapter_today(d, &st));
out:
    return err;
}
