/*
 * subpoenas.h: what the two subpoena handler files share:
 * h_subpoenas.c (create, list, read, update) and h_subpoena_actions.c
 * (the actions and the subpoena's JSON answer).
 */
#ifndef CM_HTTP_SUBPOENAS_H
#define CM_HTTP_SUBPOENAS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "http/app.h"
#include "http/server.h"
#include "store/store.h"

/* POST /api/v1/subpoenas/{id}/actions/{action}. */
enum cm_err h_subpoenas_act(struct http_req *req);

/* Read subpoena `id` into *out when the caller may see it; else
 * *missing = true and app_fail(NOT_FOUND) (the caller audits it). */
enum store_rc h_subpoena_load(struct store *s,
                              struct app_tx *tx,
                              const char *id,
                              struct store_subpoena *out,
                              bool *missing);

/* app_fail(400 naming `field`) unless `org_id` is an organization of
 * `kind`; STORE_ONE_RESULT when it is. */
enum store_rc h_subpoena_check_org(struct store *s,
                                   struct app_tx *tx,
                                   const char *org_id,
                                   const char *kind,
                                   const char *field);

/* The subpoena `sp` as the compact JSON text of its answer for the caller,
 * appended to `out` (a partial text to discard on failure); with `values`
 * the items carry their opened values and *n_values counts those that had
 * one. */
enum store_rc h_subpoena_write(struct store *s,
                               struct http_req *req,
                               const struct store_subpoena *sp,
                               bool values,
                               struct buf *out,
                               size_t *n_values);

/* The same as JSON (the text read back; a new reference in *out). */
enum store_rc h_subpoena_render(struct store *s,
                                struct http_req *req,
                                const struct store_subpoena *sp,
                                bool values,
                                json_t **out,
                                size_t *n_values);

/* Read subpoena `id` again and render it without values; its version
 * goes to *version. */
enum store_rc h_subpoena_render_id(struct store *s,
                                   struct http_req *req,
                                   const char *id,
                                   json_t **out,
                                   int64_t *version);

/* The item categories in enum subpoena_item_category order, NULL-ended. */
extern const char *const h_subpoena_categories[];

#endif
