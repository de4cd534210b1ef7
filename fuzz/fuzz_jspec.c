/*
 * fuzz_jspec.c: request bodies: jspec_load (UTF-8, duplicate keys, depth
 * 32) then jspec_parse against the field spec of one route, picked by the
 * first input byte (modulo 16: seeds use '0'-'9' and ':'-'?'); the rest
 * is the body.
 *
 * The handlers' own spec arrays are locals of the handler functions (they
 * point at the handler's variables), so they cannot be reached from here:
 * these are copies of the shapes of the main routes' specs (field names,
 * types, limits, presence, nested arrays, forbidden fields) as of the
 * handler named next to each; the subpoena categories are the real list
 * (h_subpoena_categories), the other enum lists are copied. Every JSON
 * route parses its body this way.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "auth/password.h"
#include "core/alloc.h"
#include "core/rand.h"
#include "core/zoneinfo.h"
#include "domain/role.h"
#include "http/jspec.h"
#include "jobs/webhook.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

extern const char *const h_subpoena_categories[];

static const char *const categories[] = {"home_address", "work_address",
                                         "phone", "other", NULL};
static const char *const method_names[] = {"personal", "certified_mail",
                                           "email", "courier", NULL};
static const char *const outcome_names[] = {"produced", "not_held", "objected",
                                            "withheld", NULL};
static const char *const ground_names[] = {"relevance",
                                           "already_in_possession",
                                           "too_indefinite",
                                           "tenth_amendment",
                                           "privilege",
                                           "other",
                                           NULL};
static const char *const form_names[] = {"I-247A", NULL};
static const char *const basis_names[] = {"final_order", "pending_proceedings",
                                          "biometric_match", "statements",
                                          NULL};
static const char *const hold_rule_names[] = {
    "48h-clock", "48h-excluding-weekends-holidays", "frcp6-hours", NULL};
static const char *const holiday_kinds[] = {"fixed", "nth_weekday",
                                            "last_weekday", "dated", NULL};
static const char *const weekday_names[] = {"sunday",    "monday",   "tuesday",
                                            "wednesday", "thursday", "friday",
                                            "saturday",  NULL};
static const char *const org_kinds[] = {"agency_office", "jurisdiction",
                                        "doj_office", NULL};

/* Where the parsed values go; one set for every spec. */
struct item {
    int category;
    const char *description;
    const char *item_id;
    int outcome;
    const char *value;
    int ground;
};

static struct {
    const char *s[8];
    long long n[4];
    int e[4];
    bool b;
    struct item *items;
    size_t n_items;
} out;
static struct item proto;

#define SERVER_FIELDS                                                      \
    JSPEC_FORBID("id"), JSPEC_FORBID("version"), JSPEC_FORBID("number"),   \
        JSPEC_FORBID("state"), JSPEC_FORBID("created_at"),                 \
        JSPEC_FORBID("updated_at"), JSPEC_FORBID("agency_org_id"),         \
        JSPEC_FORBID("drafted_by"), JSPEC_FORBID("signed_by"),             \
        JSPEC_FORBID("signed_at"), JSPEC_FORBID("served_at"),              \
        JSPEC_FORBID("return_date"), JSPEC_FORBID("original_return_date"), \
        JSPEC_FORBID("disposition"), JSPEC_FORBID("enforcement_id")

/* h_subpoenas_create */
static const struct jspec subpoena_item[] = {
    JSPEC_ENUM(
        "category", &proto.category, h_subpoena_categories, JSPEC_REQUIRED),
    JSPEC_STR("description", &proto.description, JSPEC_OPTIONAL),
    JSPEC_FORBID("id"),
    JSPEC_FORBID("outcome"),
    JSPEC_FORBID("ground"),
    JSPEC_FORBID("value"),
    JSPEC_END,
};
static const struct jspec subpoena_create[] = {
    JSPEC_STR_MAX("recipient_org_id", &out.s[0], CM_ID_LEN, JSPEC_REQUIRED),
    JSPEC_STR_MAX("person_id", &out.s[1], CM_ID_LEN, JSPEC_OPTIONAL),
    JSPEC_STR_MAX("detainer_id", &out.s[2], CM_ID_LEN, JSPEC_OPTIONAL),
    JSPEC_STR("purpose", &out.s[3], JSPEC_REQUIRED),
    JSPEC_ARR("items",
              &out.items,
              &out.n_items,
              subpoena_item,
              &proto,
              50,
              JSPEC_REQUIRED),
    SERVER_FIELDS,
    JSPEC_END,
};

/* h_session_create */
static const struct jspec session_create[] = {
    JSPEC_STR_MAX("email", &out.s[0], 254, JSPEC_REQUIRED),
    JSPEC_STR_MAX("password", &out.s[1], PASSWORD_MAX_LEN, JSPEC_REQUIRED),
    JSPEC_STR_MAX("totp", &out.s[2], 16, JSPEC_OPTIONAL),
    JSPEC_END,
};

/* h_users_create */
static const struct jspec user_create[] = {
    JSPEC_STR_MAX("email", &out.s[0], USER_EMAIL_MAX, JSPEC_REQUIRED),
    JSPEC_STR_MAX("name", &out.s[1], 200, JSPEC_REQUIRED),
    JSPEC_STR_MAX("org_id", &out.s[2], CM_ID_LEN + 10, JSPEC_REQUIRED),
    {.name = "roles", .type = JSPEC_TYPE_ANY, .presence = JSPEC_REQUIRED},
    JSPEC_STR_MAX("title", &out.s[3], 200, JSPEC_OPTIONAL),
    JSPEC_STR_MAX("password", &out.s[4], PASSWORD_MAX_LEN, JSPEC_REQUIRED),
    JSPEC_FORBID("id"),
    JSPEC_FORBID("version"),
    JSPEC_FORBID("created_at"),
    JSPEC_FORBID("updated_at"),
    JSPEC_FORBID("disabled"),
    JSPEC_FORBID("locked"),
    JSPEC_FORBID("totp_enabled"),
    JSPEC_FORBID("org"),
    JSPEC_END,
};

/* h_tokens_create */
static const struct jspec token_create[] = {
    JSPEC_STR_MAX("name", &out.s[0], 100, JSPEC_REQUIRED),
    JSPEC_STR_MAX("expires_at", &out.s[1], 64, JSPEC_OPTIONAL),
    JSPEC_FORBID("id"),
    JSPEC_FORBID("token"),
    JSPEC_FORBID("version"),
    JSPEC_FORBID("created_at"),
    JSPEC_FORBID("updated_at"),
    JSPEC_FORBID("revoked_at"),
    JSPEC_END,
};

/* parse_person (h_people.c) */
static const struct jspec person[] = {
    JSPEC_STR_MAX("family_name", &out.s[0], 200, JSPEC_REQUIRED),
    JSPEC_STR_MAX("given_names", &out.s[1], 200, JSPEC_REQUIRED),
    JSPEC_DATE("date_of_birth", &out.s[2], JSPEC_OPTIONAL),
    JSPEC_FORBID("id"),
    JSPEC_FORBID("version"),
    JSPEC_FORBID("created_at"),
    JSPEC_FORBID("updated_at"),
    JSPEC_END,
};

/* h_detainers_create */
static const struct jspec detainer_create[] = {
    JSPEC_STR_MAX("person_id", &out.s[0], 64, JSPEC_REQUIRED),
    JSPEC_STR_MAX("facility_id", &out.s[1], 64, JSPEC_REQUIRED),
    JSPEC_ENUM("form", &out.e[0], form_names, JSPEC_REQUIRED),
    JSPEC_ENUM("basis", &out.e[1], basis_names, JSPEC_REQUIRED),
    JSPEC_ENUM("hold_rule", &out.e[2], hold_rule_names, JSPEC_OPTIONAL),
    JSPEC_FORBID("id"),
    JSPEC_FORBID("number"),
    JSPEC_FORBID("version"),
    JSPEC_FORBID("state"),
    JSPEC_FORBID("created_at"),
    JSPEC_FORBID("updated_at"),
    JSPEC_FORBID("agency_org_id"),
    JSPEC_FORBID("outcome_source"),
    JSPEC_FORBID("max_hold_until"),
    JSPEC_END,
};

/* h_webhooks_create */
static const struct jspec webhook_create[] = {
    JSPEC_STR_MAX("url", &out.s[0], WEBHOOK_URL_MAX, JSPEC_REQUIRED),
    JSPEC_STR_MAX("org_id", &out.s[1], CM_ID_LEN + 10, JSPEC_REQUIRED),
    {.name = "events", .type = JSPEC_TYPE_ANY, .presence = JSPEC_REQUIRED},
    JSPEC_FORBID("id"),
    JSPEC_FORBID("secret"),
    JSPEC_FORBID("version"),
    JSPEC_FORBID("created_at"),
    JSPEC_FORBID("updated_at"),
    JSPEC_END,
};

/* change (h_holds.c): placing or lifting a legal hold */
static const struct jspec hold_change[] = {
    JSPEC_STR_MAX("reason", &out.s[0], 1000, JSPEC_REQUIRED),
    JSPEC_END,
};

/* a court closure (h_calendars.c) */
static const struct jspec calendar_closure[] = {
    JSPEC_DATE("date", &out.s[0], JSPEC_REQUIRED),
    JSPEC_STR_MAX("name", &out.s[1], 200, JSPEC_REQUIRED),
    JSPEC_STR_MAX("source", &out.s[2], 500, JSPEC_REQUIRED),
    JSPEC_FORBID("id"),
    JSPEC_FORBID("calendar_id"),
    JSPEC_FORBID("calendar_version"),
    JSPEC_FORBID("created_at"),
    JSPEC_END,
};

/* a holiday rule (h_calendars.c) */
static const struct jspec calendar_holiday[] = {
    JSPEC_ENUM("kind", &out.e[0], holiday_kinds, JSPEC_REQUIRED),
    JSPEC_INT("month", &out.n[0], 1, 12, JSPEC_OPTIONAL),
    JSPEC_INT("day", &out.n[1], 1, 31, JSPEC_OPTIONAL),
    JSPEC_ENUM("weekday", &out.e[1], weekday_names, JSPEC_OPTIONAL),
    JSPEC_INT("nth", &out.n[2], 1, 5, JSPEC_OPTIONAL),
    JSPEC_DATE("date", &out.s[0], JSPEC_OPTIONAL),
    JSPEC_STR_MAX("name", &out.s[1], 200, JSPEC_REQUIRED),
    JSPEC_STR_MAX("source", &out.s[2], 500, JSPEC_OPTIONAL),
    JSPEC_FORBID("id"),
    JSPEC_FORBID("calendar_id"),
    JSPEC_FORBID("calendar_version"),
    JSPEC_FORBID("created_at"),
    JSPEC_END,
};

/* h_delegations_create */
static const struct jspec delegation_create[] = {
    JSPEC_STR_MAX("user_id", &out.s[0], 64, JSPEC_REQUIRED),
    JSPEC_STR_MAX("authority", &out.s[1], 2000, JSPEC_REQUIRED),
    JSPEC_DATE("effective_from", &out.s[2], JSPEC_REQUIRED),
    JSPEC_DATE("effective_to", &out.s[3], JSPEC_OPTIONAL),
    JSPEC_STR_MAX("document_id", &out.s[4], 64, JSPEC_OPTIONAL),
    JSPEC_FORBID("id"),
    JSPEC_FORBID("version"),
    JSPEC_FORBID("created_at"),
    JSPEC_FORBID("updated_at"),
    JSPEC_END,
};

/* h_orgs create */
static const struct jspec org_create[] = {
    JSPEC_ENUM("kind", &out.e[0], org_kinds, JSPEC_REQUIRED),
    JSPEC_STR_MAX("name", &out.s[0], 200, JSPEC_REQUIRED),
    JSPEC_STR_MAX("state", &out.s[1], 2, JSPEC_REQUIRED),
    JSPEC_STR_MAX("timezone", &out.s[2], ZONEINFO_NAME_MAX, JSPEC_REQUIRED),
    JSPEC_BOOL("requires_counsel_review", &out.b, JSPEC_OPTIONAL),
    JSPEC_FORBID("id"),
    JSPEC_FORBID("version"),
    JSPEC_FORBID("created_at"),
    JSPEC_FORBID("updated_at"),
    JSPEC_FORBID("calendar_id"),
    JSPEC_END,
};

/* parse_action_body (h_subpoena_actions.c): serve */
static const struct jspec action_serve[] = {
    JSPEC_STR_MAX("served_at", &out.s[0], 64, JSPEC_OPTIONAL),
    JSPEC_ENUM("method", &out.e[0], method_names, JSPEC_OPTIONAL),
    JSPEC_STR("served_to", &out.s[1], JSPEC_OPTIONAL),
    JSPEC_STR_MAX(
        "proof_of_service_document_id", &out.s[2], 64, JSPEC_OPTIONAL),
    JSPEC_INT("return_days", &out.n[0], 1, 365, JSPEC_OPTIONAL),
    JSPEC_DATE("return_date", &out.s[3], JSPEC_OPTIONAL),
    JSPEC_END,
};

/* parse_action_body: respond, an array of item outcomes */
static const struct jspec response_item[] = {
    JSPEC_STR_MAX("item_id", &proto.item_id, 64, JSPEC_REQUIRED),
    JSPEC_ENUM("outcome", &proto.outcome, outcome_names, JSPEC_REQUIRED),
    JSPEC_STR_MAX("value", &proto.value, 4000, JSPEC_OPTIONAL),
    JSPEC_ENUM("ground", &proto.ground, ground_names, JSPEC_OPTIONAL),
    JSPEC_END,
};
static const struct jspec action_respond[] = {
    JSPEC_ARR("items",
              &out.items,
              &out.n_items,
              response_item,
              &proto,
              50,
              JSPEC_REQUIRED),
    JSPEC_STR("note", &out.s[0], JSPEC_OPTIONAL),
    JSPEC_END,
};

/* parse_action_body: extend */
static const struct jspec action_extend[] = {
    JSPEC_DATE("return_date", &out.s[0], JSPEC_REQUIRED),
    JSPEC_STR("reason", &out.s[1], JSPEC_REQUIRED),
    JSPEC_END,
};

/* A fixture with every type at once (the target's first spec). */
static const struct jspec fixture_item[] = {
    JSPEC_ENUM("category", &proto.category, categories, JSPEC_REQUIRED),
    JSPEC_STR("description", &proto.description, JSPEC_OPTIONAL),
    JSPEC_END,
};
static const struct jspec fixture[] = {
    JSPEC_STR("recipient_org_id", &out.s[0], JSPEC_REQUIRED),
    JSPEC_STR_MAX("purpose", &out.s[1], 200, JSPEC_REQUIRED),
    JSPEC_INT("return_days", &out.n[0], 1, 60, JSPEC_OPTIONAL),
    JSPEC_BOOL("urgent", &out.b, JSPEC_OPTIONAL),
    JSPEC_DATE("return_date", &out.s[2], JSPEC_OPTIONAL),
    JSPEC_ARR("items",
              &out.items,
              &out.n_items,
              fixture_item,
              &proto,
              50,
              JSPEC_REQUIRED),
    JSPEC_FORBID("state"),
    JSPEC_FORBID("version"),
    JSPEC_END,
};

/* Indexed by the first byte modulo 16 ('0' is 48, so '0' picks 0). */
static const struct jspec *const specs[16] = {
    subpoena_create,  session_create,   user_create,       token_create,
    person,           detainer_create,  webhook_create,    hold_change,
    calendar_closure, calendar_holiday, delegation_create, org_create,
    action_serve,     action_respond,   action_extend,     fixture,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct jspec *spec;
    struct jspec_error e;
    json_t *v = NULL;

    if (size == 0)
        return 0;
    spec = specs[data[0] % 16];
    if (jspec_load((const char *)data + 1, size - 1, &v, &e) != CM_ERR_OK)
        return 0;
    out.items = NULL;
    out.n_items = 0;
    if (jspec_parse(v, spec, &e) == CM_ERR_OK)
        cm_free(out.items);
    else if (e.err == CM_ERR_OK)
        abort(); /* a refusal always names its error */
    json_decref(v);
    return 0;
}
