/*
 * alloc.c: the allocator of alloc.h: a reserve for the first failure, an
 * abort for the next.
 */
#include "core/alloc.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
oom(size_t n)
{
    (void)fprintf(stderr, "compel: out of memory allocating %zu bytes\n", n);
    abort();
}

/* The reserve (alloc.h): held, or NULL once spent. */
static _Atomic(void *) reserve;

/* An allocation on this thread was served from the reserve. */
static _Thread_local int failed_here;

int
cm_alloc_reserve_take(void)
{
    void *r, *expected = NULL;

    if (atomic_load_explicit(&reserve, memory_order_relaxed))
        return 1;
    r = malloc(CM_ALLOC_RESERVE);
    if (!r)
        return 0;
    memset(r, 0xa5, CM_ALLOC_RESERVE); /* real pages, not a promise */
    if (!atomic_compare_exchange_strong(&reserve, &expected, r))
        free(r); /* another thread took it first */
    return 1;
}

int
cm_alloc_failed_take(void)
{
    int was = failed_here;

    failed_here = 0;
    return was;
}

/* An allocation of `n` bytes failed: spend the reserve so that the retry
 * can succeed, and mark this thread; abort when it is spent already. */
static void
on_failure(size_t n)
{
    void *r = atomic_exchange(&reserve, NULL);

    if (!r)
        oom(n);
    free(r);
    failed_here = 1;
    (void)fprintf(stderr,
                  "compel: out of memory allocating %zu bytes: served from "
                  "the reserve\n",
                  n);
}

/* The armed fault (cm_alloc_fault_arm): 0, or the allocation that fails. */
static atomic_ulong fault_at;
static atomic_ulong fault_seen;
static pthread_t fault_owner; /* its allocations are not counted */

void
cm_alloc_fault_arm(unsigned long n)
{
    atomic_store(&fault_at, 0);
    if (n == 0)
        return; /* the count stays readable */
    fault_owner = pthread_self();
    atomic_store(&fault_seen, 0);
    atomic_store(&fault_at, n);
}

unsigned long
cm_alloc_fault_count(void)
{
    return atomic_load(&fault_seen);
}

/* Whether this allocation is the one an armed fault makes fail. */
static bool
fault_due(void)
{
    unsigned long at = atomic_load_explicit(&fault_at, memory_order_acquire);

    if (at == 0 || pthread_equal(pthread_self(), fault_owner))
        return false;
    return atomic_fetch_add(&fault_seen, 1) + 1 == at;
}

void *
cm_malloc(size_t n)
{
    void *p = fault_due() ? NULL : malloc(n ? n : 1);

    if (!p) {
        on_failure(n);
        p = malloc(n ? n : 1);
        if (!p)
            oom(n);
    }
    return p;
}

void *
cm_calloc(size_t count, size_t size)
{
    void *p;

    if (size && count > SIZE_MAX / size)
        oom(SIZE_MAX);
    p = fault_due() ? NULL : calloc(count ? count : 1, size ? size : 1);
    if (!p) {
        on_failure(count * size);
        p = calloc(count ? count : 1, size ? size : 1);
        if (!p)
            oom(count * size);
    }
    return p;
}

void *
cm_realloc(void *p, size_t n)
{
    void *q = fault_due() ? NULL : realloc(p, n ? n : 1);

    if (!q) {
        on_failure(n);
        q = realloc(p, n ? n : 1);
        if (!q)
            oom(n);
    }
    return q;
}

char *
cm_strdup(const char *s)
{
    if (!s)
        return NULL;
    return cm_strndup(s, strlen(s));
}

char *
cm_strndup(const char *s, size_t n)
{
    char *d;

    if (!s)
        return NULL;
    d = cm_malloc(n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

void
cm_free(void *p)
{
    free(p);
}

int
cm_streq(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}
