/*
 * alloc.c: the allocator of alloc.h; aborts on out-of-memory.
 */
#include "core/alloc.h"

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

void *
cm_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);

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
    p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        oom(count * size);
    return p;
}

void *
cm_realloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);

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
