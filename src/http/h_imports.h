/*
 * h_imports.h: what h_imports.c lends the case list handlers: the answer to
 * a list asked for with `Accept: text/csv`.
 */
#ifndef CM_HTTP_H_IMPORTS_H
#define CM_HTTP_H_IMPORTS_H

#include <stdbool.h>

#include "bulk/bulk.h"
#include "http/server.h"
#include "store/store.h"

/* True when the request's Accept header asks for text/csv. */
bool h_imports_wants_csv(const struct http_req *req);

/*
 * Answer the whole list of `kind` that `scope` sees and `filter` passes
 * (all pages, no cursor) as text/csv (bulk_export), with one audit record
 * "<kind>.export" naming the row count. Replies itself (the CSV, or the
 * problem) and returns the error, as a handler does.
 */
enum cm_err h_imports_export_csv(struct http_req *req,
                                 enum bulk_export_kind kind,
                                 const struct store_scope *scope,
                                 const struct store_case_filter *filter);

#endif
