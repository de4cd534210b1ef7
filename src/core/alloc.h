/*
 * alloc.h: compel's allocator.
 *
 * Every allocation in compel goes through these functions, and none
 * returns NULL: no caller checks. When an allocation fails, a reserve
 * taken at start (cm_alloc_reserve_take, CM_ALLOC_RESERVE bytes) is freed
 * and the allocation tried again, and the failure is noted on the calling
 * thread (cm_alloc_failed_take): the server then refuses the request it
 * was serving with 503 unless its change was already committed (server.c,
 * app.c), so the code running finishes its work on the reserve instead of
 * meeting a NULL. The reserve is taken again once memory allows
 * (cm_alloc_reserve_take after each request). A failure with the reserve
 * spent aborts the process with a message (redis's rule). Every free
 * function accepts NULL.
 */
#ifndef CM_CORE_ALLOC_H
#define CM_CORE_ALLOC_H

#include <stddef.h>

/* malloc(n); never returns NULL (aborts on out-of-memory). Free: cm_free. */
void *cm_malloc(size_t n);

/* calloc(count, size) with overflow check; never returns NULL. */
void *cm_calloc(size_t count, size_t size);

/* realloc(p, n); never returns NULL. */
void *cm_realloc(void *p, size_t n);

/* A copy of the NUL-terminated `s` (NULL gives NULL). Free: cm_free. */
char *cm_strdup(const char *s);

/* A NUL-terminated copy of the first `n` bytes of `s`. Free: cm_free. */
char *cm_strndup(const char *s, size_t n);

/* free(p); accepts NULL. */
void cm_free(void *p);

/* Bytes of the reserve: enough for a request to finish its answer or its
 * refusal (a request takes 70 to 150 allocations, most under 4 KiB). */
#define CM_ALLOC_RESERVE (1024u * 1024u)

/* Take the reserve if it is not held (at start, and after each request:
 * one atomic load when held). Its pages are written, so it is real
 * memory. Returns whether it is held now. */
int cm_alloc_reserve_take(void);

/* Whether an allocation on this thread failed (and was served from the
 * reserve) since the last call; clears the mark. */
int cm_alloc_failed_take(void);

/* Compare two NUL-terminated strings for equality; NULL equals only NULL. */
int cm_streq(const char *a, const char *b);

/*
 * Test-only fault injection (tests/faults/faults.c, docs/operations.md
 * "Storage faults"): make the `n`th allocation from now, counted on every
 * thread but the caller's, fail as out-of-memory does (the reserve above,
 * or the abort with its "out of memory" line once the reserve is spent).
 * 0 disarms, keeping the count. Unarmed, it costs one atomic load per
 * allocation; nothing in compel itself arms it.
 */
void cm_alloc_fault_arm(unsigned long n);

/* Allocations counted (on other threads) since the last cm_alloc_fault_arm. */
unsigned long cm_alloc_fault_count(void);

#endif
