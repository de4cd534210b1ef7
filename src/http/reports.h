/*
 * reports.h: the jurisdiction report as a document, shared by
 * GET /api/v1/reports/jurisdictions (h_reports.c) and
 * `compel report jurisdictions` (cli/cmd_report.c): the query from a date
 * range, the JSON document from the store's aggregates (docs/reports.md
 * defines every field), its public version with small cells suppressed,
 * and its CSV and table renderings.
 */
#ifndef CM_HTTP_REPORTS_H
#define CM_HTTP_REPORTS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/errors.h"
#include "store/store.h"

/* What to report. from/to are "YYYY-MM-DD" or NULL (open). */
struct reports_query {
    const char *from;
    const char *to;
    bool is_public;     /* the export without ids or small counts */
    const char *org_id; /* only this jurisdiction, or NULL for all */
    int64_t now;        /* the clock, microseconds */
};

/*
 * Check q->from and q->to: each a valid date, from <= to. Returns
 * CM_ERR_OK, or CM_ERR_VALIDATION_FAILED with *field set to "from" or
 * "to" and a sentence in `why` (at least 160 bytes).
 */
enum cm_err reports_check_query(const struct reports_query *q,
                                const char **field,
                                char *why,
                                size_t why_size);

/* How reports_write writes the report. */
enum reports_format {
    /* compact JSON: {from, to, generated_at, public, jurisdictions: [...]} */
    REPORTS_FORMAT_JSON,
    /* CSV (RFC 4180): one header row of dotted field names
     * ("subpoenas.served"), then one row per jurisdiction; null is empty */
    REPORTS_FORMAT_CSV,
    /* an aligned text table for a terminal: one line per jurisdiction with
     * the main measures */
    REPORTS_FORMAT_TABLE
};

/*
 * Read the report of `q` from `s` (inside a transaction the caller runs)
 * and write it to `out` in format `f`, one jurisdiction at a time as the
 * store hands them over (no document is built first: 3,000 jurisdictions
 * are about 100,000 values). `out` is emptied first, so a retried
 * transaction can call it again. The query must have passed
 * reports_check_query. Returns STORE_ONE_RESULT or a negative enum
 * store_rc (`out` then holds a partial text to discard).
 */
enum store_rc reports_write(struct store *s,
                            const struct reports_query *q,
                            enum reports_format f,
                            struct buf *out);

/* The local date of an instant in an IANA zone, for the store's report
 * aggregates (store_reports_set_local_date); false for an unknown zone. */
bool
reports_local_date(const char *tz, int64_t utc_us, char out[STORE_DATE_SIZE]);

#endif
