/*
 * store_docs.h: the store's documents: files attached to a case (proofs of
 * service, court orders, productions, correspondence, ...) or to no case
 * at all (the instrument behind a delegation of subpoena authority).
 *
 * A document's bytes are kept in the database, in the same row as its
 * metadata, and written by the one insert that registers it: inside the
 * caller's transaction, so a document is either wholly there (row, bytes,
 * and whatever audit record the caller appends) or not at all.
 * Documents are never changed or removed.
 *
 * Included by store/store.h; callers include that.
 */
#ifndef CM_STORE_STORE_DOCS_H
#define CM_STORE_STORE_DOCS_H

#include "store/store.h"

/* Bytes of a SHA-256 digest. */
#define STORE_SHA256_SIZE 32

/* One document. The listing calls leave `content` empty; only
 * store_document_get with `with_content` fills it. */
struct store_document {
    char id[STORE_ID_SIZE];
    int64_t version;
    int64_t created_at; /* when it was uploaded */
    int64_t updated_at;
    char *case_kind;             /* detainer | subpoena | enforcement, or
                                    NULL for a document of no case */
    char case_id[STORE_ID_SIZE]; /* "" when case_kind is NULL */
    char *kind;         /* proof_of_service | court_order | delegation | ... */
    char *filename;     /* as the uploader named it, 1..255 bytes */
    char *content_type; /* e.g. "application/pdf" */
    unsigned char sha256[STORE_SHA256_SIZE]; /* of the content */
    int64_t size;                            /* bytes of the content */
    char uploaded_by[STORE_ID_SIZE];         /* a user id */
    char *item_ids; /* JSON array of subpoena item ids a production
                       answers, or NULL */
    struct store_blob content;
};

/* Called once per listed document (content empty); borrowed for the call. */
typedef void (*store_document_cb)(void *cls, const struct store_document *d);

/* The docs part of a backend's function table (store_ops.docs). */
struct store_docs_ops {
    enum store_rc (*document_insert)(struct store *s,
                                     const struct store_document *d);
    enum store_rc (*document_get)(struct store *s,
                                  const char *id,
                                  bool with_content,
                                  struct store_document *out);
    int (*document_list)(struct store *s,
                         const char *case_kind,
                         const char *case_id,
                         const char *kind,
                         store_document_cb cb,
                         void *cls);
    enum store_rc (*case_kind_of)(struct store *s,
                                  const char *id,
                                  const char **out);
};

/*
 * Insert document `d` with its content (d->content.data may be NULL only
 * when d->size is 0; d->size must equal d->content.len), version 1.
 * case_kind and case_id are both set or both empty; the case itself is
 * not checked here. STORE_NO_RESULTS, with nothing written, when the id is
 * taken.
 */
enum store_rc store_document_insert(struct store *s,
                                    const struct store_document *d);

/* Read document `id` into *out, with its bytes in out->content when
 * `with_content` (else out->content stays empty). Release with
 * store_document_release. */
enum store_rc store_document_get(struct store *s,
                                 const char *id,
                                 bool with_content,
                                 struct store_document *out);

/*
 * Call cb for each document of case (`case_kind`, `case_id`), oldest
 * first (upload time, then id), without content; with `kind` (NULL: any)
 * only those of that kind. With case_kind and case_id NULL, the documents
 * of no case are listed instead. Returns the number of rows, or a negative
 * enum store_rc.
 */
int store_document_list(struct store *s,
                        const char *case_kind,
                        const char *case_id,
                        const char *kind,
                        store_document_cb cb,
                        void *cls);

/* Which case table holds id `id` (ids are unique across them): *out
 * (written on STORE_ONE_RESULT) is a static "detainer", "subpoena" or
 * "enforcement"; STORE_NO_RESULTS when no case has that id. */
enum store_rc
store_case_kind_of(struct store *s, const char *id, const char **out);

/* Free the strings and content of `d` and zero it; accepts NULL. */
void store_document_release(struct store_document *d);

#endif
