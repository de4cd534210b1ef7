/*
 * bulk.h: bulk import of CSV files (jurisdictions, facilities, people,
 * detainers) and CSV export of case lists, shared by the command line
 * (`compel import`, `compel export`) and the HTTP service
 * (POST /api/v1/imports/{kind}, GET /api/v1/<cases> with Accept: text/csv).
 *
 * Import: the first record is the header (column names exact, any order;
 * an unknown, repeated or missing required column is an error). Every row
 * is checked (types, enumerations, dates, time zones, references to stored
 * records) and every error is collected as (line, column, reason). A file
 * with any error imports nothing: the transaction body returns
 * STORE_HARD_ERROR so the runner rolls back. A row whose natural key is
 * already stored is compared with the stored record: identical rows are
 * counted `unchanged`, a row that differs is an error (nothing is ever
 * overwritten). The columns of each kind are in docs/import.md.
 *
 * One audit record per import ("import.<kind>", counts only). Detainers
 * imported get no timeline events (their history starts at import).
 */
#ifndef CM_BULK_BULK_H
#define CM_BULK_BULK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/fieldcrypt.h"
#include "core/buf.h"
#include "store/store.h"

/* At most this many errors are kept (all are counted). */
#define BULK_ERRORS_MAX 1000

enum bulk_kind {
    BULK_KIND_JURISDICTIONS,
    BULK_KIND_FACILITIES,
    BULK_KIND_PEOPLE,
    BULK_KIND_DETAINERS,
    BULK_KIND__COUNT
};

/* "jurisdictions", ...; NULL for an unknown kind. */
const char *bulk_kind_name(enum bulk_kind k);

/* Parse a kind name; true and *out written on success. */
bool bulk_kind_parse(const char *s, enum bulk_kind *out);

/* True when importing `k` needs an agency office (people, detainers). */
bool bulk_kind_has_office(enum bulk_kind k);

/* One bad cell or row. `column` is a column name, or "" for the whole row
 * (a ragged row, malformed CSV). */
struct bulk_error {
    long line;
    char column[64];
    char reason[240];
};

/* Who imports, as recorded on the audit trail (all may be NULL but
 * user_id, which detainers need as lodged_by). Borrowed. */
struct bulk_actor {
    const char *user_id;
    const char *org_id;
    const char *role;
    const char *session_hash;
    const char *client_addr;
};

/* Called every few thousand rows and once at the end. */
typedef void (*bulk_progress_fn)(void *cls,
                                 size_t rows,
                                 size_t bytes_done,
                                 size_t bytes_total);

/* What to import. Everything is borrowed for the duration of the call. */
struct bulk_import {
    enum bulk_kind kind;
    const char *data; /* the CSV file's bytes */
    size_t len;
    const char *office_id;       /* people, detainers: the agency office */
    const struct fieldcrypt *fc; /* people: the field encryption */
    struct bulk_actor actor;
    int64_t now;        /* the clock, µs */
    bool validate_only; /* check everything, write nothing, no audit */
    bulk_progress_fn progress;
    void *progress_cls;
};

/* What an import did (or would do). */
struct bulk_result {
    size_t rows; /* data rows read (blank lines not counted) */
    size_t created;
    size_t unchanged;
    struct bulk_error *errors; /* the first BULK_ERRORS_MAX */
    size_t n_errors;
    size_t error_count; /* all errors */
};

/* The context of bulk_import_tx: `in` set by the caller, `result` written
 * by each run. */
struct bulk_job {
    const struct bulk_import *in;
    struct bulk_result result;
};

/*
 * The import as a transaction body (store_tx_fn: pass a struct bulk_job).
 * Resets job->result, reads and checks every row, and unless
 * in->validate_only inserts the new rows and appends the audit record.
 * Returns STORE_ONE_RESULT when the file is good (and, with
 * validate_only, also when it has errors: read job->result.error_count);
 * STORE_HARD_ERROR when a file being written has errors
 * (job->result.error_count > 0) so that the transaction is rolled back; or
 * a store error as it came (result.error_count 0).
 */
enum store_rc bulk_import_tx(struct store *s, void *job);

/* Free the errors of `r` and zero it; accepts NULL. */
void bulk_result_release(struct bulk_result *r);

/* ---- export --------------------------------------------------------------*/

enum bulk_export_kind {
    BULK_EXPORT_KIND_DETAINERS,
    BULK_EXPORT_KIND_SUBPOENAS,
    BULK_EXPORT_KIND_ENFORCEMENTS
};

/*
 * Append to `out` the CSV (header, then one row per case) of every case of
 * `kind` visible to `scope` that passes `filter` (NULL: none), in list
 * order (newest first). Detainers have the columns of their import format,
 * so that the file imports again; subpoenas and enforcements the fields of
 * their lists (no personal data). *rows (may be NULL) gets the number of
 * cases. Call inside a transaction. Returns STORE_ONE_RESULT or a store
 * error (`out` may then hold part of the file).
 */
enum store_rc bulk_export(struct store *s,
                          enum bulk_export_kind kind,
                          const struct store_scope *scope,
                          const struct store_case_filter *filter,
                          struct buf *out,
                          size_t *rows);

#endif
