/*
 * documents.h: what the case resources share with h_documents.c: a
 * case's documents as JSON (every case's answer carries them) and the
 * check behind the rules that require a document (a proof of service to
 * serve a subpoena, the order to enter a court order, the instrument of a
 * delegation).
 */
#ifndef CM_HTTP_DOCUMENTS_H
#define CM_HTTP_DOCUMENTS_H

#include <jansson.h>

#include "core/buf.h"

#include "store/store.h"

/* The documents of case (`case_kind`, `case_id`), oldest first, as a JSON
 * array of {"id", "kind", "filename", "content_type", "size", "sha256",
 * "uploaded_by", "uploaded_at"} (no content). A new reference, or NULL on
 * a store error. */
json_t *documents_case_json(struct store *s,
                            const char *case_kind,
                            const char *case_id);

/* The same documents as the compact JSON text of that array, appended to
 * `out` (the JSON form above is this text read back). Returns
 * STORE_ONE_RESULT, or a negative enum store_rc with `out` holding a
 * partial text to discard. */
enum store_rc documents_case_write(struct store *s,
                                   const char *case_kind,
                                   const char *case_id,
                                   struct buf *out);

/*
 * Whether `doc_id` names a document of kind `kind` attached to case
 * (`case_kind`, `case_id`), or, with both NULL, a document of no case.
 * STORE_ONE_RESULT when it does; STORE_NO_RESULTS when `doc_id` is NULL or
 * empty, unknown, of another kind or another case; a negative enum
 * store_rc on a store error.
 */
enum store_rc documents_find_required(struct store *s,
                                      const char *doc_id,
                                      const char *kind,
                                      const char *case_kind,
                                      const char *case_id);

#endif
