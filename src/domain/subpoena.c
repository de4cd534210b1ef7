/*
 * subpoena.c: the subpoena machine's table and guards, item vocabularies,
 * the disposition rules, the overdue rule and the list of signing titles.
 *
 * The table below is the single source of truth for who may do what to a
 * subpoena; perm.c reads it, the tests walk it.
 */
#include "domain/subpoena.h"

#include <ctype.h>
#include <string.h>

#define OFFICER ROLE_BIT(ROLE_OFFICER)
#define SIGNER  ROLE_BIT(ROLE_SIGNER)
#define COUNSEL ROLE_BIT(ROLE_AGENCY_COUNSEL)
#define RECIP   (ROLE_BIT(ROLE_CUSTODIAN) | ROLE_BIT(ROLE_RECIPIENT_COUNSEL))

_Static_assert(SUBPOENA_ACTION__COUNT <= MACHINE_ACTIONS_MAX,
               "action masks are 32-bit and office masks fixed-size");
_Static_assert(SUBPOENA_STATE__COUNT <= MACHINE_STATES_MAX, "too many states");

static const char *const state_names[SUBPOENA_STATE__COUNT] = {
    [SUBPOENA_STATE_DRAFT] = "draft",
    [SUBPOENA_STATE_IN_REVIEW] = "in_review",
    [SUBPOENA_STATE_READY_TO_SIGN] = "ready_to_sign",
    [SUBPOENA_STATE_SIGNED] = "signed",
    [SUBPOENA_STATE_SERVED] = "served",
    [SUBPOENA_STATE_RESPONDED] = "responded",
    [SUBPOENA_STATE_REFERRED] = "referred",
    [SUBPOENA_STATE_CLOSED] = "closed",
    [SUBPOENA_STATE_WITHDRAWN] = "withdrawn",
};

static const char *const action_names[SUBPOENA_ACTION__COUNT] = {
    [SUBPOENA_ACTION_CREATE] = "create",
    [SUBPOENA_ACTION_EDIT] = "edit",
    [SUBPOENA_ACTION_SUBMIT] = "submit",
    [SUBPOENA_ACTION_APPROVE] = "approve",
    [SUBPOENA_ACTION_RETURN] = "return",
    [SUBPOENA_ACTION_SIGN] = "sign",
    [SUBPOENA_ACTION_SERVE] = "serve",
    [SUBPOENA_ACTION_ACKNOWLEDGE] = "acknowledge",
    [SUBPOENA_ACTION_EXTEND] = "extend",
    [SUBPOENA_ACTION_RESPOND] = "respond",
    [SUBPOENA_ACTION_REFUSE] = "refuse",
    [SUBPOENA_ACTION_REFER] = "refer",
    [SUBPOENA_ACTION_WITHDRAW] = "withdraw",
    [SUBPOENA_ACTION_CLOSE] = "close",
};

static const char *const category_names[SUBPOENA_ITEM_CATEGORY__COUNT] = {
    [SUBPOENA_ITEM_CATEGORY_HOME_ADDRESS] = "home_address",
    [SUBPOENA_ITEM_CATEGORY_WORK_ADDRESS] = "work_address",
    [SUBPOENA_ITEM_CATEGORY_PHONE] = "phone",
    [SUBPOENA_ITEM_CATEGORY_EMPLOYER] = "employer",
    [SUBPOENA_ITEM_CATEGORY_VEHICLE] = "vehicle",
    [SUBPOENA_ITEM_CATEGORY_DATE_PLACE_OF_BIRTH] = "date_place_of_birth",
    [SUBPOENA_ITEM_CATEGORY_BOND_RECORD] = "bond_record",
    [SUBPOENA_ITEM_CATEGORY_ID_DOCUMENTS] = "id_documents",
    [SUBPOENA_ITEM_CATEGORY_CHARGES] = "charges",
    [SUBPOENA_ITEM_CATEGORY_EMERGENCY_CONTACTS] = "emergency_contacts",
    [SUBPOENA_ITEM_CATEGORY_RELEASE_DATE] = "release_date",
    [SUBPOENA_ITEM_CATEGORY_OTHER] = "other",
};

static const char *const outcome_names[SUBPOENA_ITEM_OUTCOME__COUNT] = {
    [SUBPOENA_ITEM_OUTCOME_NONE] = NULL,
    [SUBPOENA_ITEM_OUTCOME_PRODUCED] = "produced",
    [SUBPOENA_ITEM_OUTCOME_NOT_HELD] = "not_held",
    [SUBPOENA_ITEM_OUTCOME_OBJECTED] = "objected",
    [SUBPOENA_ITEM_OUTCOME_WITHHELD] = "withheld",
};

static const char *const ground_names[SUBPOENA_OBJECTION_GROUND__COUNT] = {
    [SUBPOENA_OBJECTION_GROUND_RELEVANCE] = "relevance",
    [SUBPOENA_OBJECTION_GROUND_ALREADY_IN_POSSESSION] = "already_in_possession",
    [SUBPOENA_OBJECTION_GROUND_TOO_INDEFINITE] = "too_indefinite",
    [SUBPOENA_OBJECTION_GROUND_TENTH_AMENDMENT] = "tenth_amendment",
    [SUBPOENA_OBJECTION_GROUND_PRIVILEGE] = "privilege",
    [SUBPOENA_OBJECTION_GROUND_OTHER] = "other",
};

static const char *const disposition_names[SUBPOENA_DISPOSITION__COUNT] = {
    [SUBPOENA_DISPOSITION_NONE] = NULL,
    [SUBPOENA_DISPOSITION_COMPLIED] = "complied",
    [SUBPOENA_DISPOSITION_PARTIALLY_COMPLIED] = "partially_complied",
    [SUBPOENA_DISPOSITION_NO_RECORDS] = "no_records",
    [SUBPOENA_DISPOSITION_OBJECTED] = "objected",
    [SUBPOENA_DISPOSITION_REFUSED] = "refused",
};

/*
 * 8 CFR 287.4(a)(1), as read in research/law-and-peers.md section 1.3,
 * turned into singular titles. "All Special Agents in supervisory
 * positions" is written as the title such agents hold, "Supervisory Special
 * Agent": our reading, not the regulation's words.
 */
const char *const subpoena_signer_titles[SUBPOENA_SIGNER_TITLE_COUNT] = {
    "District Director",
    "Deputy District Director",
    "Chief Patrol Agent",
    "Deputy Chief Patrol Agent",
    "Assistant Chief Patrol Agent",
    "Officer in Charge",
    "Patrol Agent in Charge",
    "Assistant Patrol Agent in Charge",
    "Field Operations Supervisor",
    "Special Operations Supervisor",
    "Supervisory Border Patrol Agent",
    "Assistant District Director, Investigations",
    "Supervisory Criminal Investigator, Anti-Smuggling",
    "Regional Director",
    "Service Center Director",
    "Assistant District Director, Examinations",
    "Director, Detention and Removal",
    "Special Agent in Charge",
    "Supervisory Special Agent",
    "Field Office Director",
    "Deputy Field Office Director",
};

#define ROW(from, action, to, roles, ...)                                     \
    {                                                                         \
        SUBPOENA_STATE_##from, SUBPOENA_ACTION_##action, SUBPOENA_STATE_##to, \
            (roles),                                                          \
        {                                                                     \
            __VA_ARGS__                                                       \
        }                                                                     \
    }
#define WITHDRAW_FROM(from) \
    ROW(from, WITHDRAW, WITHDRAWN, SIGNER | COUNSEL, GUARD_NONE)

static const struct machine_row rows[] = {
    {MACHINE_STATE_NONE,
     SUBPOENA_ACTION_CREATE,
     SUBPOENA_STATE_DRAFT,
     OFFICER,
     {GUARD_NONE}},
    ROW(DRAFT, EDIT, DRAFT, OFFICER, GUARD_NONE),
    ROW(DRAFT, SUBMIT, IN_REVIEW, OFFICER, GUARD_REVIEW_REQUIRED),
    ROW(DRAFT, SUBMIT, READY_TO_SIGN, OFFICER, GUARD_REVIEW_NOT_REQUIRED),
    ROW(IN_REVIEW, APPROVE, READY_TO_SIGN, COUNSEL, GUARD_NONE),
    ROW(IN_REVIEW, RETURN, DRAFT, COUNSEL, GUARD_NONE),
    ROW(READY_TO_SIGN,
        SIGN,
        SIGNED,
        SIGNER,
        GUARD_SIGNER_NOT_DRAFTER,
        GUARD_SIGNER_AUTHORIZED),
    ROW(SIGNED, SERVE, SERVED, OFFICER | SIGNER, GUARD_PROOF_OF_SERVICE),
    /* A correction of the service (date, method, person served): the
     * return date is computed anew from the corrected date. */
    ROW(SERVED, SERVE, SERVED, OFFICER | SIGNER, GUARD_PROOF_OF_SERVICE),
    ROW(SERVED, ACKNOWLEDGE, SERVED, RECIP, GUARD_NONE),
    ROW(SERVED, EXTEND, SERVED, OFFICER | SIGNER, GUARD_NONE),
    ROW(SERVED, RESPOND, RESPONDED, RECIP, GUARD_NONE),
    ROW(SERVED, REFUSE, RESPONDED, RECIP, GUARD_NONE),
    ROW(SERVED, REFER, REFERRED, COUNSEL, GUARD_OVERDUE_OR_DEFICIENT),
    ROW(RESPONDED, REFER, REFERRED, COUNSEL, GUARD_OVERDUE_OR_DEFICIENT),
    ROW(RESPONDED, CLOSE, CLOSED, OFFICER | COUNSEL, GUARD_NONE),
    ROW(REFERRED, CLOSE, CLOSED, OFFICER | COUNSEL, GUARD_ENFORCEMENT_CLOSED),
    WITHDRAW_FROM(DRAFT),
    WITHDRAW_FROM(IN_REVIEW),
    WITHDRAW_FROM(READY_TO_SIGN),
    WITHDRAW_FROM(SIGNED),
    WITHDRAW_FROM(SERVED),
    WITHDRAW_FROM(RESPONDED),
};

static bool
is_signer_drafter(const struct guard_facts *f)
{
    /* Unknown identities cannot prove separation of duties. */
    if (f->actor_user_id == NULL || f->drafter_user_id == NULL)
        return true;
    return strcmp(f->actor_user_id, f->drafter_user_id) == 0;
}

static bool
subpoena_guard_passes(enum guard g, const struct guard_facts *f)
{
    switch (g) {
    case GUARD_NONE:
        return true;
    case GUARD_SIGNER_NOT_DRAFTER:
        return !is_signer_drafter(f);
    case GUARD_SIGNER_AUTHORIZED:
        return f->signer_has_delegation ||
               subpoena_is_listed_title(f->signer_title);
    case GUARD_PROOF_OF_SERVICE:
        return f->has_proof_of_service;
    case GUARD_REVIEW_REQUIRED:
        return f->office_requires_review;
    case GUARD_REVIEW_NOT_REQUIRED:
        return !f->office_requires_review;
    case GUARD_OVERDUE_OR_DEFICIENT:
        return f->is_overdue ||
               subpoena_disposition_is_deficient(f->disposition);
    case GUARD_ENFORCEMENT_CLOSED:
        return f->enforcement_closed;
    default:
        return false; /* a guard this machine does not know never passes */
    }
}

const struct machine subpoena_machine = {
    .name = "subpoena",
    .state_names = state_names,
    .state_count = SUBPOENA_STATE__COUNT,
    .action_names = action_names,
    .action_count = SUBPOENA_ACTION__COUNT,
    .rows = rows,
    .row_count = sizeof rows / sizeof rows[0],
    .guard_passes = subpoena_guard_passes,
};

/* Look `s` up in `names` (n entries, NULL entries skipped). */
static bool
parse_name(const char *const *names, unsigned n, const char *s, unsigned *out)
{
    for (unsigned i = 0; i < n; i++) {
        if (names[i] != NULL && strcmp(s, names[i]) == 0) {
            *out = i;
            return true;
        }
    }
    return false;
}

const char *
subpoena_state_name(enum subpoena_state s)
{
    return machine_state_name(&subpoena_machine, (int)s);
}

bool
subpoena_state_parse(const char *s, enum subpoena_state *out)
{
    unsigned v;

    if (!parse_name(state_names, SUBPOENA_STATE__COUNT, s, &v))
        return false;
    *out = (enum subpoena_state)v;
    return true;
}

const char *
subpoena_action_name(enum subpoena_action a)
{
    return machine_action_name(&subpoena_machine, (int)a);
}

bool
subpoena_action_parse(const char *s, enum subpoena_action *out)
{
    unsigned v;

    if (!parse_name(action_names, SUBPOENA_ACTION__COUNT, s, &v))
        return false;
    *out = (enum subpoena_action)v;
    return true;
}

const char *
subpoena_item_category_name(enum subpoena_item_category c)
{
    if ((unsigned)c >= (unsigned)SUBPOENA_ITEM_CATEGORY__COUNT)
        return NULL;
    return category_names[c];
}

bool
subpoena_item_category_parse(const char *s, enum subpoena_item_category *out)
{
    unsigned v;

    if (!parse_name(category_names, SUBPOENA_ITEM_CATEGORY__COUNT, s, &v))
        return false;
    *out = (enum subpoena_item_category)v;
    return true;
}

const char *
subpoena_item_outcome_name(enum subpoena_item_outcome o)
{
    if ((unsigned)o >= (unsigned)SUBPOENA_ITEM_OUTCOME__COUNT)
        return NULL;
    return outcome_names[o];
}

bool
subpoena_item_outcome_parse(const char *s, enum subpoena_item_outcome *out)
{
    unsigned v;

    if (!parse_name(outcome_names, SUBPOENA_ITEM_OUTCOME__COUNT, s, &v))
        return false;
    *out = (enum subpoena_item_outcome)v;
    return true;
}

const char *
subpoena_objection_ground_name(enum subpoena_objection_ground g)
{
    if ((unsigned)g >= (unsigned)SUBPOENA_OBJECTION_GROUND__COUNT)
        return NULL;
    return ground_names[g];
}

bool
subpoena_objection_ground_parse(const char *s,
                                enum subpoena_objection_ground *out)
{
    unsigned v;

    if (!parse_name(ground_names, SUBPOENA_OBJECTION_GROUND__COUNT, s, &v))
        return false;
    *out = (enum subpoena_objection_ground)v;
    return true;
}

const char *
subpoena_disposition_name(enum subpoena_disposition d)
{
    if ((unsigned)d >= (unsigned)SUBPOENA_DISPOSITION__COUNT)
        return NULL;
    return disposition_names[d];
}

bool
subpoena_disposition_parse(const char *s, enum subpoena_disposition *out)
{
    unsigned v;

    if (!parse_name(disposition_names, SUBPOENA_DISPOSITION__COUNT, s, &v))
        return false;
    *out = (enum subpoena_disposition)v;
    return true;
}

enum cm_err
subpoena_disposition_from_items(const enum subpoena_item_outcome *outcomes,
                                size_t n,
                                enum subpoena_disposition *out)
{
    size_t produced = 0;
    size_t withheld = 0;

    if (n == 0)
        return CM_ERR_VALIDATION_FAILED;
    for (size_t i = 0; i < n; i++) {
        switch (outcomes[i]) {
        case SUBPOENA_ITEM_OUTCOME_PRODUCED:
            produced++;
            break;
        case SUBPOENA_ITEM_OUTCOME_NOT_HELD:
            break;
        case SUBPOENA_ITEM_OUTCOME_OBJECTED:
        case SUBPOENA_ITEM_OUTCOME_WITHHELD:
            withheld++;
            break;
        default:
            return CM_ERR_VALIDATION_FAILED; /* unanswered or invalid */
        }
    }
    if (withheld == 0)
        *out = produced > 0 ? SUBPOENA_DISPOSITION_COMPLIED
                            : SUBPOENA_DISPOSITION_NO_RECORDS;
    else
        *out = produced > 0 ? SUBPOENA_DISPOSITION_PARTIALLY_COMPLIED
                            : SUBPOENA_DISPOSITION_OBJECTED;
    return CM_ERR_OK;
}

bool
subpoena_disposition_is_deficient(enum subpoena_disposition d)
{
    return d == SUBPOENA_DISPOSITION_PARTIALLY_COMPLIED ||
           d == SUBPOENA_DISPOSITION_OBJECTED ||
           d == SUBPOENA_DISPOSITION_REFUSED;
}

bool
subpoena_is_overdue(enum subpoena_state state,
                    int32_t return_day,
                    bool responded,
                    int32_t today_local_day)
{
    return state == SUBPOENA_STATE_SERVED && !responded &&
           today_local_day > return_day;
}

/* Compare `title` with `listed` ignoring ASCII case, outer white space and
 * the length of runs of inner white space. */
static bool
is_same_title(const char *title, const char *listed)
{
    const unsigned char *a = (const unsigned char *)title;
    const unsigned char *b = (const unsigned char *)listed;

    while (isspace(*a))
        a++;
    while (*a != '\0' && *b != '\0') {
        if (isspace(*a)) {
            if (*b != ' ')
                return false;
            while (isspace(*a))
                a++;
            b++;
            continue;
        }
        if (tolower(*a) != tolower(*b))
            return false;
        a++;
        b++;
    }
    while (isspace(*a))
        a++;
    return *a == '\0' && *b == '\0';
}

bool
subpoena_is_listed_title(const char *title)
{
    if (title == NULL)
        return false;
    for (size_t i = 0; i < SUBPOENA_SIGNER_TITLE_COUNT; i++) {
        if (is_same_title(title, subpoena_signer_titles[i]))
            return true;
    }
    return false;
}
