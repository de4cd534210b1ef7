/*
 * alloc.c: the allocator of alloc.h; aborts on out-of-memory.
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

    if (!p)
        oom(n);
    return p;
}

void *
cm_calloc(size_t count, size_t size)
{
    void *p;

    if (size && count > SIZE_MAX / size)
        oom(SIZE_MAX);
    p = fault_due() ? NULL : calloc(count ? count : 1, size ? size : 1);
    if (!p)
        oom(count * size);
    return p;
}

void *
cm_realloc(void *p, size_t n)
{
    void *q = fault_due() ? NULL : realloc(p, n ? n : 1);

    if (!q)
        oom(n);
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
