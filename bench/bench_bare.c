/*
 * bench_bare.c: the second reference of bench/bench_service.sh, a bare
 * libmicrohttpd + SQLite + jansson handler.
 *
 *   bench_bare DB PORT [THREADS]
 *
 * Serves GET /api/v1/subpoenas/{id} (compel's path, so that the same
 * wrk script loads both) from the SQLite file DB on 127.0.0.1:PORT:
 * one prepared SELECT of the subpoena's row by id (a connection per
 * thread, read-only), every column put into a jansson object, the object
 * dumped compactly and sent; 404 when there is no such row. Nothing else:
 * no session, no permission check, no sealed values, no audit record.
 * It answers on libmicrohttpd's second call, as compel does, so
 * keep-alive is kept. THREADS (default: twice the processors) is the
 * size of libmicrohttpd's thread pool. Prints "serving on PORT" once
 * listening; stops on SIGINT or SIGTERM.
 *
 * How fast this runs beside nginx on a machine shows how much of the
 * 0.6x-nginx goal of an audited GET (issue 3) is left once HTTP, one
 * SQLite read and jansson are paid for (docs/performance.md).
 */
#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BARE_PREFIX      "/api/v1/subpoenas/"
#define BARE_MAX_THREADS 1024

static const char *db_path;
static _Thread_local sqlite3 *tl_db;
static _Thread_local sqlite3_stmt *tl_stmt;

/* Every thread's connection, closed at the end. */
static pthread_mutex_t all_lock = PTHREAD_MUTEX_INITIALIZER;
static sqlite3 *all_dbs[BARE_MAX_THREADS];
static sqlite3_stmt *all_stmts[BARE_MAX_THREADS];
static int n_all;

static int
open_thread_db(void)
{
    if (tl_stmt)
        return 0;
    if (sqlite3_open_v2(db_path, &tl_db, SQLITE_OPEN_READONLY, NULL) !=
            SQLITE_OK ||
        sqlite3_prepare_v3(tl_db, "SELECT * FROM subpoenas WHERE id = ?", -1,
                           SQLITE_PREPARE_PERSISTENT, &tl_stmt,
                           NULL) != SQLITE_OK) {
        (void)fprintf(stderr, "bench_bare: %s: %s\n", db_path,
                      tl_db ? sqlite3_errmsg(tl_db) : "cannot open");
        return -1;
    }
    (void)pthread_mutex_lock(&all_lock);
    if (n_all < BARE_MAX_THREADS) {
        all_dbs[n_all] = tl_db;
        all_stmts[n_all++] = tl_stmt;
    }
    (void)pthread_mutex_unlock(&all_lock);
    return 0;
}

/* The row of id as a JSON object's text (malloc'd), or NULL when there
 * is no such row. */
static char *
read_row(const char *id)
{
    json_t *obj = NULL;
    char *text = NULL;
    int i;
    int n;

    (void)sqlite3_bind_text(tl_stmt, 1, id, -1, SQLITE_STATIC);
    if (sqlite3_step(tl_stmt) == SQLITE_ROW) {
        obj = json_object();
        n = sqlite3_column_count(tl_stmt);
        for (i = 0; i < n; i++) {
            const char *name = sqlite3_column_name(tl_stmt, i);

            switch (sqlite3_column_type(tl_stmt, i)) {
            case SQLITE_INTEGER:
                (void)json_object_set_new(
                    obj, name, json_integer(sqlite3_column_int64(tl_stmt, i)));
                break;
            case SQLITE_NULL:
                (void)json_object_set_new(obj, name, json_null());
                break;
            default:
                (void)json_object_set_new(
                    obj, name,
                    json_string((const char *)sqlite3_column_text(tl_stmt, i)));
                break;
            }
        }
        text = json_dumps(obj, JSON_COMPACT);
        json_decref(obj);
    }
    (void)sqlite3_reset(tl_stmt);
    return text;
}

/* The decimal integer `s` when it is one between lo and hi, else -1. */
static long
parse_count(const char *s, long lo, long hi)
{
    char *end = NULL;
    long v = strtol(s, &end, 10);

    if (end == s || *end != '\0' || v < lo || v > hi)
        return -1;
    return v;
}

static enum MHD_Result
reply(struct MHD_Connection *conn, unsigned status, char *text)
{
    static char not_found[] = "{\"code\":\"not_found\"}";
    struct MHD_Response *r;
    enum MHD_Result ret;

    r = text ? MHD_create_response_from_buffer(strlen(text), text,
                                               MHD_RESPMEM_MUST_FREE)
             : MHD_create_response_from_buffer(strlen(not_found), not_found,
                                               MHD_RESPMEM_PERSISTENT);
    if (!r)
        return MHD_NO;
    (void)MHD_add_response_header(r, "Content-Type", "application/json");
    ret = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result
on_request(void *cls,
           struct MHD_Connection *conn,
           const char *url,
           const char *method,
           const char *version,
           const char *upload_data,
           size_t *upload_data_size,
           void **req_cls)
{
    static int seen;
    char *text;

    (void)cls;
    (void)version;
    (void)upload_data;
    if (!*req_cls) {
        *req_cls = &seen; /* answer on the next call: keep-alive */
        return MHD_YES;
    }
    *upload_data_size = 0;
    if (strcmp(method, "GET") != 0 ||
        strncmp(url, BARE_PREFIX, strlen(BARE_PREFIX)) != 0)
        return reply(conn, MHD_HTTP_NOT_FOUND, NULL);
    if (open_thread_db() != 0)
        return MHD_NO;
    text = read_row(url + strlen(BARE_PREFIX));
    return reply(conn, text ? MHD_HTTP_OK : MHD_HTTP_NOT_FOUND, text);
}

int
main(int argc, char **argv)
{
    struct MHD_Daemon *d;
    sigset_t set;
    long procs = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned threads = (unsigned)(procs > 0 ? procs * 2 : 2);
    long port;
    int sig;

    if (argc < 3 || argc > 4) {
        (void)fprintf(stderr, "usage: bench_bare DB PORT [THREADS]\n");
        return 2;
    }
    db_path = argv[1];
    port = parse_count(argv[2], 1, 65535);
    if (port < 0) {
        (void)fprintf(stderr, "bench_bare: PORT must be 1 to 65535\n");
        return 2;
    }
    if (argc == 4) {
        long t = parse_count(argv[3], 1, BARE_MAX_THREADS);

        if (t < 0) {
            (void)fprintf(stderr, "bench_bare: THREADS must be 1 to 1024\n");
            return 2;
        }
        threads = (unsigned)t;
    }
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    (void)pthread_sigmask(SIG_BLOCK, &set, NULL);
    d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG,
        (uint16_t)port, NULL, NULL, on_request, NULL,
        MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_LIMIT,
        2048u, MHD_OPTION_PER_IP_CONNECTION_LIMIT, 2048u, MHD_OPTION_END);
    if (!d) {
        (void)fprintf(stderr, "bench_bare: cannot listen on port %ld\n", port);
        return 1;
    }
    (void)printf("serving on %ld with %u threads\n", port, threads);
    (void)fflush(stdout);
    (void)sigwait(&set, &sig);
    MHD_stop_daemon(d);
    while (n_all > 0) {
        n_all--;
        (void)sqlite3_finalize(all_stmts[n_all]);
        (void)sqlite3_close(all_dbs[n_all]);
    }
    return 0;
}
