/*
 * alloc.h: compel's allocator.
 *
 * Every allocation in compel goes through these functions. Out of memory
 * aborts the process with a message (redis's rule): no caller checks for
 * NULL. Every free function accepts NULL.
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

/* Compare two NUL-terminated strings for equality; NULL equals only NULL. */
int cm_streq(const char *a, const char *b);

/*
 * Test-only fault injection (tests/faults/faults.c, docs/operations.md
 * "Storage faults"): make the `n`th allocation from now, counted on every
 * thread but the caller's, fail as out-of-memory does: the abort above,
 * with its "out of memory" line. 0 disarms, keeping the count. Unarmed,
 * it costs one
 * atomic load per allocation; nothing in compel itself arms it.
 */
void cm_alloc_fault_arm(unsigned long n);

/* Allocations counted (on other threads) since the last cm_alloc_fault_arm. */
unsigned long cm_alloc_fault_count(void);

#endif
