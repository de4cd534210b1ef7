/*
 * demo.h: the pieces of `compel demo` (cmd_demo.c): the demonstration
 * world's fixed cast (demo_world.c), the HTTP driver that acts as those
 * users against the in-process server (demo_http.c), and the story that
 * moves every case through its states (demo_story.c).
 *
 * Only the cast (organizations, facilities, policies, users, delegations)
 * is written straight to the store, in one audited transaction, because no
 * one can log in before the users exist; everything after that goes over
 * HTTP through the public API, as the users themselves, so the demo obeys
 * every rule the service enforces.
 */
#ifndef CM_CLI_DEMO_H
#define CM_CLI_DEMO_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/errors.h"
#include "store/store.h"

/* The one password every demo user has (documented in docs/demo.md). */
#define DEMO_PASSWORD "compel-demo-2020"

/* The organizations of the demo world, by index. */
enum demo_org_ix {
    DEMO_ORG_IX_FIELD_OFFICE,
    DEMO_ORG_IX_SHERIFF,
    DEMO_ORG_IX_CORRECTION,
    DEMO_ORG_IX_COUNTY,
    DEMO_ORG_IX_USAO,
    DEMO_ORG_IX__COUNT
};

/* The facilities, by index. */
enum demo_fac_ix {
    DEMO_FAC_IX_SHERIFF_DOWNTOWN,
    DEMO_FAC_IX_SHERIFF_COUNTY_JAIL,
    DEMO_FAC_IX_CORRECTION_ISLAND,
    DEMO_FAC_IX_COUNTY_JAIL,
    DEMO_FAC_IX__COUNT
};

/* The users, by index. */
enum demo_user_ix {
    DEMO_USER_IX_OFFICER,
    DEMO_USER_IX_OFFICER2,
    DEMO_USER_IX_DIRECTOR,
    DEMO_USER_IX_DEPUTY,
    DEMO_USER_IX_COUNSEL,
    DEMO_USER_IX_AUDITOR,
    DEMO_USER_IX_SHERIFF_BOOKING,
    DEMO_USER_IX_SHERIFF_RECORDS,
    DEMO_USER_IX_SHERIFF_COUNSEL,
    DEMO_USER_IX_CORRECTION_BOOKING,
    DEMO_USER_IX_CORRECTION_RECORDS,
    DEMO_USER_IX_CORRECTION_COUNSEL,
    DEMO_USER_IX_COUNTY_BOOKING,
    DEMO_USER_IX_COUNTY_RECORDS,
    DEMO_USER_IX_COUNTY_COUNSEL,
    DEMO_USER_IX_AUSA,
    DEMO_USER_IX__COUNT
};

/* A user of the demo: who, and the session the driver holds for them. */
struct demo_user {
    const char *email;
    const char *name;
    enum demo_org_ix org;
    unsigned roles; /* role_set */
    const char *title;
    char id[STORE_ID_SIZE];
    char *cookie;      /* "compel_session=..." or NULL */
    char *csrf;        /* the session's CSRF token or NULL */
    int64_t login_at;  /* story clock of the login, µs */
    int64_t last_used; /* story clock of the last request, µs */
};

/* The whole run: the cast's ids, the clock, the HTTP client. */
struct demo {
    char org_id[DEMO_ORG_IX__COUNT][STORE_ID_SIZE];
    char fac_id[DEMO_FAC_IX__COUNT][STORE_ID_SIZE];
    struct demo_user users[DEMO_USER_IX__COUNT];
    const char *clock_path; /* the file the service's clock reads */
    int64_t now;            /* the story clock, µs since the epoch */
    char base[64];          /* "http://127.0.0.1:PORT" */
    void *curl;             /* CURL *, one handle reused */
    const char *step;       /* what is being done, for failure messages */
    int skipped;            /* parts skipped for a missing route */
};

/* ---- the cast (demo_world.c) --------------------------------------------*/

/* Fill the fixed parts of d->users (emails, names, roles, titles). */
void demo_world_init(struct demo *d);

/*
 * Insert the cast into `s` in one transaction, audited (actor: the
 * system, detail "compel demo"): organizations, facilities, policy
 * versions, users (each with its own Argon2id hash of DEMO_PASSWORD) and
 * the deputy's delegation, all made at d->now. Writes the ids into `d`.
 * CM_ERR_ALREADY_EXISTS when an organization or user of the cast already
 * exists; CM_ERR_STORE_FAILURE otherwise. `why` gets one line on failure.
 */
enum cm_err
demo_world_create(struct store *s, struct demo *d, const char **why);

/* The organization name and role names of user `u`, for the logins table:
 * writes a line into stdout. */
void demo_world_print_logins(const struct demo *d);

/* ---- the driver (demo_http.c) -------------------------------------------*/

/* Start the HTTP client for the server at d->base. CM_ERR_INTERNAL when
 * libcurl cannot start. */
enum cm_err demo_http_start(struct demo *d);

/* End every session and free the client; accepts a demo never started. */
void demo_http_stop(struct demo *d);

/* Set the story clock to RFC 3339 instant `when` and write it to the
 * service's clock file. CM_ERR_IO when the file cannot be written. */
enum cm_err demo_clock_set(struct demo *d, const char *when);

/* Set the story clock to `us` microseconds since the epoch. */
enum cm_err demo_clock_set_us(struct demo *d, int64_t us);

/*
 * As user `who`, send `method` `path` with JSON `body` (stolen; NULL for
 * none), logging in first when the user has no live session. On a 2xx
 * answer writes the parsed body into *out when out is not NULL (a new
 * reference, NULL for an empty body) and returns CM_ERR_OK. On anything
 * else prints one line "compel demo: <d->step>: HTTP <status> <code>
 * (<detail>)" on standard error and returns CM_ERR_IO.
 */
enum cm_err demo_call(struct demo *d,
                      enum demo_user_ix who,
                      const char *method,
                      const char *path,
                      json_t *body,
                      json_t **out);

/*
 * As user `who`, upload `content` (text) as a document:
 * POST /api/v1/documents?<query> with Content-Type `type` and filename
 * `filename`. On 201 copies the new document's id into `id` and returns
 * CM_ERR_OK; otherwise prints the failed step (as demo_call) and returns
 * CM_ERR_IO.
 */
enum cm_err demo_upload(struct demo *d,
                        enum demo_user_ix who,
                        const char *query,
                        const char *type,
                        const char *filename,
                        const char *content,
                        char id[CM_ID_LEN + 1]);

/* True when the server has a route `method` `pattern` ("/api/v1/x/{id}"). */
bool demo_has_route(const char *method, const char *pattern);

/* ---- the story (demo_story.c) -------------------------------------------*/

/* Play the story from 2 January 2020 to today. CM_ERR_OK, or the error of
 * the step that failed (already reported). Parts whose routes the server
 * lacks are skipped with a line on standard output each. */
enum cm_err demo_story_run(struct demo *d);

#endif
