/*
 * bulk_int.h: what import.c, export.c and person.c share: the detainer
 * file's columns, and the checking and sealing of a person's fields (the
 * same as POST /api/v1/people does, so that imported and API-made people
 * read alike). Internal to src/bulk/.
 */
#ifndef CM_BULK_BULK_INT_H
#define CM_BULK_BULK_INT_H

#include <stdint.h>

#include "auth/fieldcrypt.h"
#include "core/errors.h"
#include "store/store.h"

/* The columns of the detainers file, in the order export writes them. */
enum bulk_d_col {
    BULK_D_NUMBER,
    BULK_D_EXTERNAL_REF,
    BULK_D_PERSON_REF,
    BULK_D_JURISDICTION,
    BULK_D_JSTATE,
    BULK_D_FACILITY,
    BULK_D_BASIS,
    BULK_D_HOLD_RULE,
    BULK_D_STATE,
    BULK_D_LODGED_AT,
    BULK_D_ACKNOWLEDGED_AT,
    BULK_D_DECIDED_AT,
    BULK_D_OUTCOME_SOURCE,
    BULK_D_DECLINE_REASON,
    BULK_D_RELEASED_AT,
    BULK_D_NOTICE_GIVEN,
    BULK_D_TRANSFERRED_AT,
    BULK_D_CANCEL_REASON,
    BULK_D__COUNT
};

/* The names of the detainer columns, NULL-terminated; static. */
const char *const *bulk_detainer_columns(void);

/* A person as a file row gives it; NULL for an empty optional cell.
 * `aliases` is a list separated by ';'. Borrowed. */
struct bulk_person_in {
    const char *family_name;
    const char *given_names;
    const char *date_of_birth;
    const char *a_number;
    const char *aliases;
};

/* The plaintexts a person is stored as (owned; bulk_person_text_release).
 * identifiers and aliases are compact JSON texts as the API stores them;
 * aliases NULL when none. */
struct bulk_person_text {
    char *family_name;
    char *given_names;
    char *date_of_birth;
    char *identifiers;
    char *aliases;
    char a_digits[FIELDCRYPT_A_NUMBER_LEN + 1]; /* "" when none */
};

/* Check `in` and build its texts into *out (written on success only).
 * `now` (µs) bounds the date of birth. CM_ERR_VALIDATION_FAILED with the
 * offending column in *field and a static reason in *reason. */
enum cm_err bulk_person_text(const struct bulk_person_in *in,
                             int64_t now,
                             struct bulk_person_text *out,
                             const char **field,
                             const char **reason);

/* Seal the texts into the blobs and blind indexes of `p`, whose id is set.
 * CM_ERR_INTERNAL when encryption fails. */
enum cm_err bulk_person_seal(const struct fieldcrypt *fc,
                             const struct bulk_person_text *t,
                             struct store_person *p);

/* Open stored person `p` and compare it with `t`: *differs is NULL when
 * equal, else the first column that differs (static). CM_ERR_INTERNAL when
 * a field cannot be opened. */
enum cm_err bulk_person_compare(const struct fieldcrypt *fc,
                                const struct store_person *p,
                                const struct bulk_person_text *t,
                                const char **differs);

/* Free the texts of `t` and zero it; accepts NULL. */
void bulk_person_text_release(struct bulk_person_text *t);

#endif
