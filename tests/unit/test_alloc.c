/*
 * test_alloc.c: compel's allocator when memory runs out (core/alloc.h):
 * the first failure is served from the reserve and marked on the failing
 * thread only; the reserve is taken again; a failure with the reserve
 * spent aborts with "out of memory". Failures are made with the
 * test-only hook cm_alloc_fault_arm, which counts allocations on threads
 * other than the arming one, so each allocation under test runs on a
 * thread of its own.
 */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/alloc.h"

/* What one allocation on another thread saw. */
struct probe {
    int kind;     /* 0 malloc, 1 calloc, 2 realloc */
    int failed;   /* cm_alloc_failed_take() after it */
    int again;    /* cm_alloc_failed_take() once more */
    int bytes_ok; /* the block holds what was written into it */
};

static void *
allocate(void *arg)
{
    struct probe *p = arg;
    unsigned char *b = NULL;

    (void)cm_alloc_failed_take();
    if (p->kind == 0) {
        b = cm_malloc(64);
    } else if (p->kind == 1) {
        b = cm_calloc(16, 4);
    } else {
        b = cm_malloc(8);
        memset(b, 7, 8);
        b = cm_realloc(b, 64); /* counted second: the one that fails */
    }
    p->failed = cm_alloc_failed_take();
    p->again = cm_alloc_failed_take();
    p->bytes_ok = 1;
    if (p->kind == 1)
        for (int i = 0; i < 64; i++)
            p->bytes_ok = p->bytes_ok && b[i] == 0;
    if (p->kind == 2)
        for (int i = 0; i < 8; i++)
            p->bytes_ok = p->bytes_ok && b[i] == 7;
    memset(b, 1, 64); /* the whole block is there (ASan would say) */
    cm_free(b);
    return NULL;
}

static void
run_on_thread(struct probe *p)
{
    pthread_t t;

    assert_int_equal(pthread_create(&t, NULL, allocate, p), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
}

static void
test_failure_is_served_from_the_reserve(void **state)
{
    (void)state;
    for (int kind = 0; kind < 3; kind++) {
        struct probe p = {kind, -1, -1, 0};

        assert_true(cm_alloc_reserve_take());
        cm_alloc_fault_arm(kind == 2 ? 2 : 1);
        run_on_thread(&p);
        cm_alloc_fault_arm(0);
        assert_int_equal(p.failed, 1); /* marked on the failing thread */
        assert_int_equal(p.again, 0);  /* once */
        assert_true(p.bytes_ok);
        /* Not on this thread. */
        assert_int_equal(cm_alloc_failed_take(), 0);
    }
}

static void
test_no_failure_no_mark(void **state)
{
    struct probe p = {0, -1, -1, 0};

    (void)state;
    assert_true(cm_alloc_reserve_take());
    cm_alloc_fault_arm(1000); /* out of reach */
    run_on_thread(&p);
    cm_alloc_fault_arm(0);
    assert_int_equal(p.failed, 0);
    assert_true(cm_alloc_fault_count() >= 1);
}

/* Two failures with no chance to take the reserve between them: the
 * second aborts the process with its message. */
static void
test_second_failure_aborts(void **state)
{
    int fds[2], status = 0;
    char msg[512] = "";
    ssize_t n;
    pid_t pid;

    (void)state;
    assert_int_equal(pipe(fds), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct probe p = {0, -1, -1, 0};

        (void)dup2(fds[1], 2);
        (void)close(fds[0]);
        (void)cm_alloc_reserve_take();
        cm_alloc_fault_arm(1);
        run_on_thread(&p); /* spends the reserve */
        if (p.failed != 1)
            _exit(5);
        cm_alloc_fault_arm(1);
        run_on_thread(&p); /* nothing left: abort */
        _exit(6);
    }
    (void)close(fds[1]);
    for (size_t at = 0; at < sizeof msg - 1; at += (size_t)n) {
        n = read(fds[0], msg + at, sizeof msg - 1 - at);
        if (n <= 0)
            break;
        msg[at + (size_t)n] = '\0';
    }
    (void)close(fds[0]);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGABRT);
    assert_non_null(strstr(msg, "served from the reserve"));
    assert_non_null(strstr(msg, "compel: out of memory allocating 64 bytes\n"));
}

/* After a failure the reserve is taken again, so a later failure is
 * served too. */
static void
test_reserve_is_taken_again(void **state)
{
    (void)state;
    for (int round = 0; round < 3; round++) {
        struct probe p = {0, -1, -1, 0};

        assert_true(cm_alloc_reserve_take());
        cm_alloc_fault_arm(1);
        run_on_thread(&p);
        cm_alloc_fault_arm(0);
        assert_int_equal(p.failed, 1);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_failure_is_served_from_the_reserve),
        cmocka_unit_test(test_no_failure_no_mark),
        cmocka_unit_test(test_second_failure_aborts),
        cmocka_unit_test(test_reserve_is_taken_again),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
