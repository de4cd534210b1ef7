/*
 * faults.c: the I/O-error and out-of-memory loops (issue 7: "Faults are
 * answered, not suffered").
 *
 *   faults io|oom|gone|ckpt|all|one [--smoke] COMPEL_BIN
 *
 * (io also runs gone and ckpt; one replays FAULTS_ONE, see one_job;
 * FAULTS_ALLOCATOR=compel|sqlite limits oom to one allocator.)
 *
 * A template database is made once with `compel init`, then a
 * jurisdiction, an officer, the officer's API token, a person and a draft
 * subpoena are made through the API. Every iteration starts from a fresh
 * copy of the template, in a forked child that opens the store and runs
 * the real HTTP server (app.c, server.c) on 127.0.0.1 port 0, and talks
 * HTTP to it over a socket from its main thread. The parent never holds
 * a SQLite handle across a fork; after the child ends it reopens the
 * database and checks it: PRAGMA integrity_check through a read-only
 * connection, audit_verify, and the request's change either fully
 * present with its audit record or absent.
 *
 * io: a fault VFS over "unix", registered as SQLite's default in the
 *   child, fails the Nth xWrite (SQLITE_IOERR_WRITE) or xSync
 *   (SQLITE_IOERR_FSYNC) counted from arming, just before the request is
 *   sent, once or persistently, for N = 1, 2, ... until a request
 *   completes with no fault fired. While a fault fired the answer is a
 *   5xx with an X-Request-Id and no path or SQL in its body; after
 *   disarming the server answers; after a failed fsync /readyz says 503
 *   naming it, writes answer 503, reads go on, and the log says it once
 *   (docs/operations.md, "Storage faults"); after a write fault, writes
 *   work again without a restart.
 * oom: compel's allocator (cm_alloc_fault_arm: jansson's allocations go
 *   through it too, json_set_alloc_funcs) fails its Nth allocation on a
 *   server thread: the reserve is spent (alloc.h), the log says so once,
 *   and the request is answered 503 with a request id and a clean body
 *   (or its own success when its change was committed before); then a
 *   read and a write succeed (the reserve is taken again). SQLite's
 *   allocator (a SQLITE_CONFIG_MALLOC wrapper)
 *   failing softly must give an answer (2xx/4xx or 5xx), never a crash.
 *   Children that exit normally run LeakSanitizer (under ASan): a leak is
 *   a non-zero exit, a failure here.
 * gone: every write fails (EIO, as a disk gone or a file made unwritable)
 *   under four concurrent clients: 503 with a correlation id and a clean
 *   body; reads go on; when the fault clears, writes succeed again without
 *   a restart.
 * ckpt: a WAL checkpoint whose fsync of the database file fails marks the
 *   file lost (the WAL hook of sqlite_store.c); a restart clears it.
 *
 * --smoke (make check) runs about SMOKE_STEPS values of N spread over
 * each loop (fsync loops at every N) on a few routes; without it (make
 * soak) every N of every route runs, or with FAULTS_STEPS=K about K
 * values of N spread over each oom loop. Each loop prints its figures.
 * Exit status 0 when every check held.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "audit/audit.h"
#include "auth/password.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/log.h"
#include "http/app.h"
#include "http/router.h"
#include "http/server.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store.h"

extern char **environ;

#define ADMIN       "admin@faults.test"
#define ADMIN_PW    "correct horse battery staple"
#define OFFICER     "officer@faults.test"
#define OFFICER_PW  "fault loop signing phrase 9"
#define N_CAP       100000 /* no loop runs past this N */
#define SMOKE_STEPS 5      /* iterations of a loop in the smoke */
#define CLIENT_TMO  60     /* seconds a client waits for an answer */

static int failures;

#define FAIL(...)                                            \
    do {                                                     \
        failures++;                                          \
        (void)fprintf(stderr, "faults: FAIL: " __VA_ARGS__); \
        (void)fputc('\n', stderr);                           \
    } while (0)

/* ---- the fault VFS -------------------------------------------------------*/

enum flt_op { FLT_WRITE, FLT_SYNC };

static struct {
    sqlite3_vfs *root;
    atomic_int armed;
    enum flt_op op;
    bool persistent;
    bool main_db_only; /* count syncs of the main database file only */
    long at;
    atomic_long seen;  /* operations of that kind since arming */
    atomic_long fired; /* failures returned */
} flt;

struct flt_file {
    sqlite3_file base;
    bool main_db;
    sqlite3_file *real; /* follows this struct in the same allocation */
};

static void
flt_arm(enum flt_op op, long at, bool persistent, bool main_db_only)
{
    atomic_store(&flt.armed, 0);
    flt.op = op;
    flt.at = at;
    flt.persistent = persistent;
    flt.main_db_only = main_db_only;
    atomic_store(&flt.seen, 0);
    atomic_store(&flt.fired, 0);
    atomic_store(&flt.armed, 1);
}

static void
flt_disarm(void)
{
    atomic_store(&flt.armed, 0);
}

/* Whether this operation of kind `op` on `f` fails. */
static bool
flt_due(struct flt_file *f, enum flt_op op)
{
    long n;

    if (!atomic_load(&flt.armed) || flt.op != op)
        return false;
    if (flt.main_db_only && !f->main_db)
        return false;
    n = atomic_fetch_add(&flt.seen, 1) + 1;
    if (n == flt.at || (flt.persistent && n > flt.at)) {
        atomic_fetch_add(&flt.fired, 1);
        return true;
    }
    return false;
}

static sqlite3_file *
flt_real(sqlite3_file *f)
{
    return ((struct flt_file *)f)->real;
}

static int
flt_close(sqlite3_file *f)
{
    sqlite3_file *r = flt_real(f);

    return r->pMethods ? r->pMethods->xClose(r) : SQLITE_OK;
}

static int
flt_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off)
{
    return flt_real(f)->pMethods->xRead(flt_real(f), buf, n, off);
}

static int
flt_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off)
{
    if (flt_due((struct flt_file *)f, FLT_WRITE))
        return SQLITE_IOERR_WRITE;
    return flt_real(f)->pMethods->xWrite(flt_real(f), buf, n, off);
}

static int
flt_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    return flt_real(f)->pMethods->xTruncate(flt_real(f), size);
}

static int
flt_sync(sqlite3_file *f, int flags)
{
    if (flt_due((struct flt_file *)f, FLT_SYNC))
        return SQLITE_IOERR_FSYNC;
    return flt_real(f)->pMethods->xSync(flt_real(f), flags);
}

static int
flt_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
    return flt_real(f)->pMethods->xFileSize(flt_real(f), size);
}

static int
flt_lock(sqlite3_file *f, int level)
{
    return flt_real(f)->pMethods->xLock(flt_real(f), level);
}

static int
flt_unlock(sqlite3_file *f, int level)
{
    return flt_real(f)->pMethods->xUnlock(flt_real(f), level);
}

static int
flt_check_reserved(sqlite3_file *f, int *out)
{
    return flt_real(f)->pMethods->xCheckReservedLock(flt_real(f), out);
}

static int
flt_file_control(sqlite3_file *f, int op, void *arg)
{
    return flt_real(f)->pMethods->xFileControl(flt_real(f), op, arg);
}

static int
flt_sector_size(sqlite3_file *f)
{
    return flt_real(f)->pMethods->xSectorSize(flt_real(f));
}

static int
flt_device_characteristics(sqlite3_file *f)
{
    return flt_real(f)->pMethods->xDeviceCharacteristics(flt_real(f));
}

static int
flt_shm_map(sqlite3_file *f, int pg, int pgsz, int extend, void volatile **pp)
{
    return flt_real(f)->pMethods->xShmMap(flt_real(f), pg, pgsz, extend, pp);
}

static int
flt_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
    return flt_real(f)->pMethods->xShmLock(flt_real(f), offset, n, flags);
}

static void
flt_shm_barrier(sqlite3_file *f)
{
    flt_real(f)->pMethods->xShmBarrier(flt_real(f));
}

static int
flt_shm_unmap(sqlite3_file *f, int delete_flag)
{
    return flt_real(f)->pMethods->xShmUnmap(flt_real(f), delete_flag);
}

static int
flt_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **pp)
{
    return flt_real(f)->pMethods->xFetch(flt_real(f), off, n, pp);
}

static int
flt_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
    return flt_real(f)->pMethods->xUnfetch(flt_real(f), off, p);
}

static const sqlite3_io_methods flt_io = {
    .iVersion = 3,
    .xClose = flt_close,
    .xRead = flt_read,
    .xWrite = flt_write,
    .xTruncate = flt_truncate,
    .xSync = flt_sync,
    .xFileSize = flt_file_size,
    .xLock = flt_lock,
    .xUnlock = flt_unlock,
    .xCheckReservedLock = flt_check_reserved,
    .xFileControl = flt_file_control,
    .xSectorSize = flt_sector_size,
    .xDeviceCharacteristics = flt_device_characteristics,
    .xShmMap = flt_shm_map,
    .xShmLock = flt_shm_lock,
    .xShmBarrier = flt_shm_barrier,
    .xShmUnmap = flt_shm_unmap,
    .xFetch = flt_fetch,
    .xUnfetch = flt_unfetch,
};

static int
flt_open(sqlite3_vfs *vfs,
         const char *name,
         sqlite3_file *f,
         int flags,
         int *out_flags)
{
    struct flt_file *p = (struct flt_file *)f;
    int rc;

    (void)vfs;
    memset(p, 0, sizeof *p);
    p->real = (sqlite3_file *)(p + 1);
    rc = flt.root->xOpen(flt.root, name, p->real, flags, out_flags);
    if (rc != SQLITE_OK)
        return rc;
    p->base.pMethods = &flt_io;
    p->main_db = (flags & SQLITE_OPEN_MAIN_DB) != 0;
    return SQLITE_OK;
}

static int
flt_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
    (void)vfs;
    return flt.root->xDelete(flt.root, name, sync_dir);
}

static int
flt_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
    (void)vfs;
    return flt.root->xAccess(flt.root, name, flags, out);
}

static int
flt_full_pathname(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
    (void)vfs;
    return flt.root->xFullPathname(flt.root, name, n, out);
}

static void *
flt_dl_open(sqlite3_vfs *vfs, const char *name)
{
    (void)vfs;
    return flt.root->xDlOpen(flt.root, name);
}

static void
flt_dl_error(sqlite3_vfs *vfs, int n, char *msg)
{
    (void)vfs;
    flt.root->xDlError(flt.root, n, msg);
}

static void (*flt_dl_sym(sqlite3_vfs *vfs, void *h, const char *sym))(void)
{
    (void)vfs;
    return flt.root->xDlSym(flt.root, h, sym);
}

static void
flt_dl_close(sqlite3_vfs *vfs, void *h)
{
    (void)vfs;
    flt.root->xDlClose(flt.root, h);
}

static int
flt_randomness(sqlite3_vfs *vfs, int n, char *out)
{
    (void)vfs;
    return flt.root->xRandomness(flt.root, n, out);
}

static int
flt_sleep(sqlite3_vfs *vfs, int us)
{
    (void)vfs;
    return flt.root->xSleep(flt.root, us);
}

static int
flt_current_time(sqlite3_vfs *vfs, double *out)
{
    (void)vfs;
    return flt.root->xCurrentTime(flt.root, out);
}

static int
flt_get_last_error(sqlite3_vfs *vfs, int n, char *out)
{
    (void)vfs;
    return flt.root->xGetLastError(flt.root, n, out);
}

static int
flt_current_time_int64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
    (void)vfs;
    return flt.root->xCurrentTimeInt64(flt.root, out);
}

static sqlite3_vfs flt_vfs = {
    .iVersion = 2,
    .zName = "faults",
    .xOpen = flt_open,
    .xDelete = flt_delete,
    .xAccess = flt_access,
    .xFullPathname = flt_full_pathname,
    .xDlOpen = flt_dl_open,
    .xDlError = flt_dl_error,
    .xDlSym = flt_dl_sym,
    .xDlClose = flt_dl_close,
    .xRandomness = flt_randomness,
    .xSleep = flt_sleep,
    .xCurrentTime = flt_current_time,
    .xGetLastError = flt_get_last_error,
    .xCurrentTimeInt64 = flt_current_time_int64,
};

/* In a child: every connection opened from now goes through the VFS. */
static void
flt_register(void)
{
    flt.root = sqlite3_vfs_find("unix");
    if (!flt.root) {
        (void)fprintf(stderr, "faults: no unix VFS\n");
        _exit(3);
    }
    flt_vfs.szOsFile = (int)sizeof(struct flt_file) + flt.root->szOsFile;
    flt_vfs.mxPathname = flt.root->mxPathname;
    if (sqlite3_vfs_register(&flt_vfs, 1) != SQLITE_OK) {
        (void)fprintf(stderr, "faults: cannot register the VFS\n");
        _exit(3);
    }
}

/* ---- SQLite's allocator, failing softly ----------------------------------*/

static struct {
    sqlite3_mem_methods root;
    atomic_long at; /* 0: unarmed */
    atomic_long seen;
    atomic_long fired;
    pthread_t owner; /* its allocations are not counted */
} mem;

static bool
mem_due(void)
{
    long at = atomic_load(&mem.at);

    if (at == 0 || pthread_equal(pthread_self(), mem.owner))
        return false;
    if (atomic_fetch_add(&mem.seen, 1) + 1 != at)
        return false;
    atomic_fetch_add(&mem.fired, 1);
    return true;
}

static void *
mem_malloc(int n)
{
    return mem_due() ? NULL : mem.root.xMalloc(n);
}

static void *
mem_realloc(void *p, int n)
{
    return mem_due() ? NULL : mem.root.xRealloc(p, n);
}

static void
mem_arm(long at)
{
    atomic_store(&mem.at, 0);
    mem.owner = pthread_self();
    atomic_store(&mem.seen, 0);
    atomic_store(&mem.fired, 0);
    atomic_store(&mem.at, at);
}

/* In a child, before any connection: SQLite allocates through mem_*. */
static void
mem_install(void)
{
    static sqlite3_mem_methods wrapped;

    (void)sqlite3_shutdown();
    if (sqlite3_config(SQLITE_CONFIG_GETMALLOC, &mem.root) != SQLITE_OK) {
        (void)fprintf(stderr, "faults: SQLITE_CONFIG_GETMALLOC failed\n");
        _exit(3);
    }
    wrapped = mem.root;
    wrapped.xMalloc = mem_malloc;
    wrapped.xRealloc = mem_realloc;
    if (sqlite3_config(SQLITE_CONFIG_MALLOC, &wrapped) != SQLITE_OK ||
        sqlite3_initialize() != SQLITE_OK) {
        (void)fprintf(stderr, "faults: SQLITE_CONFIG_MALLOC failed\n");
        _exit(3);
    }
}

/* ---- a small HTTP client -------------------------------------------------*/

struct resp {
    int status; /* 0: no answer (connection closed or refused) */
    char request_id[64];
    char etag[32];
    char *body; /* NUL-terminated, owned */
};

static void
resp_release(struct resp *r)
{
    cm_free(r->body);
    memset(r, 0, sizeof *r);
}

/* The value of header `name` in the head `h` into out (empty if none). */
static void
header_value(const char *h, const char *name, char *out, size_t n)
{
    size_t nl = strlen(name);

    out[0] = '\0';
    for (const char *p = strstr(h, "\r\n"); p; p = strstr(p + 2, "\r\n")) {
        const char *line = p + 2;

        if (strncasecmp(line, name, nl) == 0 && line[nl] == ':') {
            const char *v = line + nl + 1;
            const char *e = strstr(v, "\r\n");
            size_t len;

            while (*v == ' ')
                v++;
            len = e ? (size_t)(e - v) : strlen(v);
            if (len >= n)
                len = n - 1;
            memcpy(out, v, len);
            out[len] = '\0';
            return;
        }
    }
}

/* Send `method path` with the extra header lines `headers` ("" or lines
 * ending in \r\n) and `body`; read the whole answer into *r. */
static void
http_do(unsigned short port,
        const char *method,
        const char *path,
        const char *headers,
        const void *body,
        size_t body_len,
        struct resp *r)
{
    struct sockaddr_in sa;
    struct timeval tv = {CLIENT_TMO, 0};
    struct buf req = BUF_INIT, in = BUF_INIT;
    char chunk[8192];
    const char *sep;
    ssize_t n;
    int fd;

    memset(r, 0, sizeof *r);
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return;
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    (void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0)
        goto out_close;
    buf_addf(&req,
             "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
             "%sContent-Length: %zu\r\n\r\n",
             method, path, headers, body_len);
    buf_add(&req, body, body_len);
    for (size_t off = 0; off < req.len; off += (size_t)n) {
        n = send(fd, req.data + off, req.len - off, MSG_NOSIGNAL);
        if (n <= 0)
            goto out_close;
    }
    while ((n = recv(fd, chunk, sizeof chunk, 0)) > 0)
        buf_add(&in, chunk, (size_t)n);
    sep = in.len ? strstr(buf_str(&in), "\r\n\r\n") : NULL;
    if (!sep || sscanf(buf_str(&in), "HTTP/1.%*d %d", &r->status) != 1) {
        r->status = 0;
        goto out_close;
    }
    {
        char *head = cm_strndup(buf_str(&in), (size_t)(sep - buf_str(&in)));

        header_value(head, "X-Request-Id", r->request_id, sizeof r->request_id);
        header_value(head, "ETag", r->etag, sizeof r->etag);
        cm_free(head);
    }
    r->body = cm_strdup(sep + 4);
out_close:
    (void)close(fd);
    buf_release(&req);
    buf_release(&in);
}

/* ---- the world -----------------------------------------------------------*/

struct world {
    char dir[128];
    char tmpl[192]; /* the template database */
    char db[192];   /* the copy an iteration uses */
    char url[200];
    char tmpl_url[200];
    char err[200]; /* the child's stderr */
    const char *compel;
    char token[160];    /* the officer's API token */
    char person_id[64]; /* a person the officer made */
    char sub_id[64];    /* a draft subpoena */
    char sub_etag[32];
    char org_id[64]; /* a jurisdiction */
};

static struct world W;

static void
copy_file(const char *from, const char *to)
{
    unsigned char b[65536];
    int in = open(from, O_RDONLY | O_CLOEXEC);
    int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    ssize_t n;

    if (in < 0 || out < 0) {
        (void)fprintf(stderr, "faults: cannot copy %s\n", from);
        exit(2);
    }
    while ((n = read(in, b, sizeof b)) > 0)
        if (write(out, b, (size_t)n) != n)
            exit(2);
    (void)close(in);
    (void)close(out);
}

static void
remove_db(const char *path)
{
    char p[220];

    (void)unlink(path);
    (void)snprintf(p, sizeof p, "%s-wal", path);
    (void)unlink(p);
    (void)snprintf(p, sizeof p, "%s-shm", path);
    (void)unlink(p);
}

/* A fresh copy of the template (its key file is copied once). */
static void
fresh_db(void)
{
    remove_db(W.db);
    copy_file(W.tmpl, W.db);
}

/* Run `compel ARGS...`, its output into DIR/setup.log; false on failure. */
static bool
run_compel(const char *const *args)
{
    char *argv[16];
    char log[200];
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int status = 0, i = 0;

    argv[i++] = (char *)W.compel;
    for (; args[i - 1] && i < 15; i++)
        argv[i] = (char *)args[i - 1];
    argv[i] = NULL;
    (void)snprintf(log, sizeof log, "%s/setup.log", W.dir);
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_APPEND,
                                     0600);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    if (posix_spawn(&pid, W.compel, &fa, NULL, argv, environ) != 0) {
        posix_spawn_file_actions_destroy(&fa);
        return false;
    }
    posix_spawn_file_actions_destroy(&fa);
    if (waitpid(pid, &status, 0) < 0)
        return false;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* The first column of the first row of `sql` on `path`, read-only. */
static bool
query_text(const char *path, const char *sql, char *out, size_t n)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    bool ok = false;

    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, "unix") != SQLITE_OK)
        goto out_close;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        goto out_close;
    if (sqlite3_step(st) == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(st, 0);

        (void)snprintf(out, n, "%s", t ? (const char *)t : "");
        ok = true;
    }
out_close:
    sqlite3_finalize(st);
    (void)sqlite3_close(db);
    return ok;
}

/* ---- a server in this (child) process ------------------------------------*/

struct srv {
    struct app app;
    struct http_server *http;
    unsigned short port;
};

static bool
srv_start(struct srv *s, const char *url)
{
    struct buf why = BUF_INIT;
    struct http_server_opts o;

    memset(s, 0, sizeof *s);
    if (app_init(&s->app, url, NULL, &why) != CM_ERR_OK) {
        (void)fprintf(stderr, "faults: app_init: %s\n", buf_str(&why));
        buf_release(&why);
        return false;
    }
    s->app.rate.login = 20; /* compel serve's default */
    if (app_writer_start(&s->app) != CM_ERR_OK) {
        app_release(&s->app);
        return false;
    }
    memset(&o, 0, sizeof o);
    o.host = "127.0.0.1";
    o.port = 0;
    o.threads = 4;
    o.connection_timeout = 30;
    o.max_connections = 64;
    o.max_connections_per_ip = 64;
    o.body_limit = 1u << 20;
    o.routes = router_routes(&o.n_routes);
    o.app = &s->app.http;
    if (http_server_start(&o, &s->http, &why) != CM_ERR_OK) {
        (void)fprintf(stderr, "faults: server: %s\n", buf_str(&why));
        buf_release(&why);
        app_release(&s->app);
        return false;
    }
    buf_release(&why);
    s->port = http_server_port(s->http);
    return true;
}

static void
srv_stop(struct srv *s)
{
    http_server_stop(s->http, 5000);
    app_release(&s->app);
}

/* ---- the requests under test ---------------------------------------------*/

enum route_id { R_LOGIN, R_PERSON, R_SUBPOENA, R_SUBMIT, R_UPLOAD, R_READ };

struct route_case {
    enum route_id id;
    const char *name;
    const char *audit;     /* the audit action of its change */
    const char *count_sql; /* counts its change; NULL: only the audit */
    int ok_status;         /* its success */
};

static const struct route_case routes[] = {
    {R_LOGIN, "login", "session.login", "SELECT count(*) FROM sessions", 201},
    {R_PERSON, "person.create", "person.create", "SELECT count(*) FROM people",
     201},
    {R_SUBPOENA, "subpoena.create", "subpoena.create",
     "SELECT count(*) FROM subpoenas", 201},
    {R_SUBMIT, "subpoena.submit (If-Match)", "subpoena.submit",
     "SELECT count(*) FROM subpoenas WHERE state <> 'draft'", 200},
    {R_UPLOAD, "document.upload", "document.create",
     "SELECT count(*) FROM documents", 201},
    {R_READ, "person.read (audited)", "person.read", NULL, 200},
};
#define N_ROUTES (sizeof routes / sizeof routes[0])

static void
send_route(unsigned short port, enum route_id id, struct resp *r)
{
    char auth[256], hdr[512], path[256], body[512];

    (void)snprintf(auth, sizeof auth, "Authorization: Bearer %s\r\n", W.token);
    switch (id) {
    case R_LOGIN:
        (void)snprintf(body, sizeof body,
                       "{\"email\":\"" OFFICER "\",\"password\":\"" OFFICER_PW
                       "\"}");
        http_do(port, "POST", "/api/v1/session",
                "Content-Type: application/json\r\n", body, strlen(body), r);
        return;
    case R_PERSON:
        (void)snprintf(body, sizeof body,
                       "{\"family_name\":\"Faultline\",\"given_names\":"
                       "\"Io\",\"date_of_birth\":\"1980-02-29\"}");
        break;
    case R_SUBPOENA:
        (void)snprintf(body, sizeof body,
                       "{\"recipient_org_id\":\"%s\",\"person_id\":\"%s\","
                       "\"purpose\":\"fault loop\",\"items\":[{\"category\":"
                       "\"home_address\"}]}",
                       W.org_id, W.person_id);
        break;
    case R_SUBMIT:
        (void)snprintf(path, sizeof path, "/api/v1/subpoenas/%s/actions/submit",
                       W.sub_id);
        (void)snprintf(hdr, sizeof hdr,
                       "%sIf-Match: %s\r\nContent-Type: application/json\r\n",
                       auth, W.sub_etag);
        http_do(port, "POST", path, hdr, "{}", 2, r);
        return;
    case R_UPLOAD: {
        static const char pdf[] = "%PDF-1.4\n% fault loop\n";

        (void)snprintf(path, sizeof path,
                       "/api/v1/documents?case_id=%s&kind=correspondence",
                       W.sub_id);
        (void)snprintf(hdr, sizeof hdr,
                       "%sContent-Type: application/pdf\r\n"
                       "Content-Disposition: attachment; "
                       "filename=\"letter.pdf\"\r\n",
                       auth);
        http_do(port, "POST", path, hdr, pdf, sizeof pdf - 1, r);
        return;
    }
    case R_READ:
        (void)snprintf(path, sizeof path, "/api/v1/people/%s", W.person_id);
        http_do(port, "GET", path, auth, NULL, 0, r);
        return;
    }
    (void)snprintf(hdr, sizeof hdr, "%sContent-Type: application/json\r\n",
                   auth);
    http_do(port, "POST",
            id == R_PERSON ? "/api/v1/people" : "/api/v1/subpoenas", hdr, body,
            strlen(body), r);
}

/* A write after the request: another person (the parent discounts it). */
static void
send_probe_write(unsigned short port, struct resp *r)
{
    send_route(port, R_PERSON, r);
}

/* A read that runs as a read transaction (app_run_read), not audited:
 * the draft subpoena. (GET /api/v1/me runs as a write transaction.) */
static void
send_read(unsigned short port, struct resp *r)
{
    char hdr[256], path[128];

    (void)snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n", W.token);
    (void)snprintf(path, sizeof path, "/api/v1/subpoenas/%s", W.sub_id);
    http_do(port, "GET", path, hdr, NULL, 0, r);
}

/* A failing answer's body says nothing of the storage: no path, no SQL. */
static bool
body_is_clean(const struct resp *r)
{
    static const char *const bad[] = {
        ".db", "SELECT", "INSERT", "UPDATE ", "DELETE FROM", "sqlite", "/tmp"};
    const char *b = r->body ? r->body : "";

    if (strstr(b, W.dir))
        return false;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (strstr(b, bad[i]))
            return false;
    return true;
}

/* ---- children and the parent's checks ------------------------------------*/

/* What a child tells its parent (through a pipe). */
struct outcome {
    int status;      /* of the request under test; 0: no answer */
    long fired;      /* faults fired during it */
    long seen;       /* operations or allocations counted */
    int child_fails; /* checks that failed in the child */
    int probes;      /* people the checks after it created */
};

enum job_kind { JOB_IO, JOB_OOM_CM, JOB_OOM_SQL };

struct job {
    enum job_kind kind;
    const struct route_case *rc;
    enum flt_op op;
    bool persistent;
    long n;
};

/* Child-side checks after the request (stderr says what failed). */
static int
child_after(const struct job *j,
            unsigned short port,
            const struct resp *r,
            long fired,
            int *probes)
{
    struct resp x;
    int fails = 0;

#define CFAIL(...)                                                            \
    do {                                                                      \
        fails++;                                                              \
        (void)fprintf(stderr, "faults: CHILD FAIL (%s n=%ld): ", j->rc->name, \
                      j->n);                                                  \
        (void)fprintf(stderr, __VA_ARGS__);                                   \
        (void)fputc('\n', stderr);                                            \
    } while (0)

    if (j->kind == JOB_OOM_CM && fired > 0 && r->status != 503 &&
        r->status != j->rc->ok_status)
        CFAIL("an allocation failed but the answer is %d, neither 503 nor "
              "%d: %s",
              r->status, j->rc->ok_status, r->body ? r->body : "");
    if (j->kind == JOB_OOM_CM && r->status == 503 &&
        (!r->request_id[0] || !body_is_clean(r) || !r->body ||
         !strstr(r->body, "short of memory")))
        CFAIL("the 503 does not say the server ran short of memory, with "
              "a request id: %s",
              r->body ? r->body : "");
    if (j->kind == JOB_IO && fired > 0) {
        if (r->status < 500 || r->status > 599)
            CFAIL("a fault fired but the answer is %d: %s", r->status,
                  r->body ? r->body : "");
        if (!r->request_id[0])
            CFAIL("the answer has no X-Request-Id");
        if (!body_is_clean(r))
            CFAIL("the body names the storage: %s", r->body);
    }
    if (r->status == 0)
        CFAIL("no answer");
    http_do(port, "GET", "/healthz", "", NULL, 0, &x);
    if (x.status != 200)
        CFAIL("/healthz answers %d after the fault", x.status);
    resp_release(&x);
    send_read(port, &x);
    if (x.status != 200)
        CFAIL("a read (GET /api/v1/subpoenas/ID) answers %d after the fault",
              x.status);
    resp_release(&x);
    if (j->kind == JOB_OOM_CM) {
        /* The reserve is taken again: writes go on. */
        send_probe_write(port, &x);
        if (x.status != 201)
            CFAIL("a write answers %d after the allocation failure", x.status);
        else
            (*probes)++;
        resp_release(&x);
    }
    if (j->kind != JOB_IO)
        return fails;
    http_do(port, "GET", "/readyz", "", NULL, 0, &x);
    if (j->op == FLT_SYNC && fired > 0) {
        if (x.status != 503 || !x.body || !strstr(x.body, "fsync"))
            CFAIL("after a failed fsync /readyz answers %d %s", x.status,
                  x.body ? x.body : "");
        if (!body_is_clean(&x) && !strstr(x.body, "SQLITE_IOERR"))
            CFAIL("/readyz names the storage: %s", x.body);
    } else if (x.status != 200) {
        CFAIL("/readyz answers %d after a write fault cleared", x.status);
    }
    resp_release(&x);
    /* Lists write nothing: they go on whatever the fault left. */
    {
        char hdr[256];

        (void)snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n",
                       W.token);
        http_do(port, "GET", "/api/v1/subpoenas?limit=5", hdr, NULL, 0, &x);
        if (x.status != 200)
            CFAIL("GET /api/v1/subpoenas answers %d after the fault", x.status);
        resp_release(&x);
    }
    send_probe_write(port, &x);
    if (j->op == FLT_SYNC && fired > 0) {
        if (x.status != 503 || !x.request_id[0] || !body_is_clean(&x))
            CFAIL("after a failed fsync a write answers %d %s", x.status,
                  x.body ? x.body : "");
    } else if (x.status != 201) {
        CFAIL("a write answers %d once the fault cleared (no restart)",
              x.status);
    }
    if (x.status == 201)
        (*probes)++;
    resp_release(&x);
    return fails;
#undef CFAIL
}

/* FAULTS_TRACE=1: each phase's time on the child's stderr. */
static void
trace(const char *what)
{
    static struct timespec t0;
    struct timespec t;

    if (!getenv("FAULTS_TRACE"))
        return;
    (void)clock_gettime(CLOCK_MONOTONIC, &t);
    if (t0.tv_sec)
        (void)fprintf(stderr, "trace: %-12s %6.3f s\n", what,
                      (double)(t.tv_sec - t0.tv_sec) +
                          (double)(t.tv_nsec - t0.tv_nsec) / 1e9);
    t0 = t;
}

static void
child_main(const struct job *j, int out_fd)
{
    struct outcome o = {0, 0, 0, 0, 0};
    struct srv s;
    struct resp r;

    log_set_level(LOG_LEVEL_WARN);
    if (password_lib_init() != CM_ERR_OK)
        _exit(3);
    json_set_alloc_funcs(cm_malloc, cm_free);
    if (j->kind == JOB_OOM_SQL)
        mem_install();
    flt_register();
    trace("start");
    if (!srv_start(&s, W.url))
        _exit(3);
    trace("srv_start");
    switch (j->kind) {
    case JOB_IO:
        /* Warm up: the token's use is recorded (once a minute, in a
         * transaction of its own that may fail without failing the
         * request: app.c token_touch), so that N counts the request's
         * own writes. */
        send_read(s.port, &r);
        resp_release(&r);
        flt_arm(j->op, j->n, j->persistent, false);
        send_route(s.port, j->rc->id, &r);
        flt_disarm();
        o.fired = atomic_load(&flt.fired);
        o.seen = atomic_load(&flt.seen);
        break;
    case JOB_OOM_CM:
        cm_alloc_fault_arm((unsigned long)j->n);
        send_route(s.port, j->rc->id, &r);
        cm_alloc_fault_arm(0);
        o.seen = (long)cm_alloc_fault_count();
        o.fired = o.seen >= j->n;
        break;
    case JOB_OOM_SQL:
        /* Warm up: the pool's and the writer's connections are opened
         * and their schema read (some 25,000 SQLite allocations) before
         * arming, so that N runs over the request's own allocations. */
        send_probe_write(s.port, &r);
        if (r.status == 201)
            o.probes++;
        resp_release(&r);
        send_read(s.port, &r);
        resp_release(&r);
        mem_arm(j->n);
        send_route(s.port, j->rc->id, &r);
        atomic_store(&mem.at, 0);
        o.fired = atomic_load(&mem.fired);
        o.seen = atomic_load(&mem.seen);
        break;
    }
    o.status = r.status;
    trace("request");
    o.child_fails = child_after(j, s.port, &r, o.fired, &o.probes);
    trace("checks");
    resp_release(&r);
    srv_stop(&s);
    trace("srv_stop");
    if (write(out_fd, &o, sizeof o) != (ssize_t)sizeof o)
        _exit(3);
    (void)close(out_fd);
    exit(0); /* LeakSanitizer runs at exit */
}

/* How a child ended. */
enum ending { END_OK, END_BAD };

static char *
read_err(void)
{
    struct buf b = BUF_INIT;
    char chunk[4096];
    ssize_t n;
    int fd = open(W.err, O_RDONLY | O_CLOEXEC);

    /* buf_detach of a buffer never written returns no NUL: write one. */
    buf_add(&b, "", 0);
    if (fd >= 0) {
        while ((n = read(fd, chunk, sizeof chunk)) > 0)
            buf_add(&b, chunk, (size_t)n);
        (void)close(fd);
    }
    return buf_detach(&b, NULL);
}

static int
count_of(const char *hay, const char *needle)
{
    int n = 0;

    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* Run one job in a child on a fresh copy of the template. */
static enum ending
run_job(const struct job *j, struct outcome *o)
{
    enum ending e = END_BAD;
    int fds[2], status = 0, fd;
    pid_t pid;
    ssize_t got;
    char *err;

    fresh_db();
    memset(o, 0, sizeof *o);
    if (pipe(fds) != 0)
        exit(2);
    (void)fflush(NULL);
    pid = fork();
    if (pid < 0)
        exit(2);
    if (pid == 0) {
        (void)close(fds[0]);
        fd = open(W.err, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0 || dup2(fd, 2) < 0)
            _exit(3);
        child_main(j, fds[1]);
    }
    (void)close(fds[1]);
    got = read(fds[0], o, sizeof *o);
    (void)close(fds[0]);
    (void)waitpid(pid, &status, 0);
    err = read_err();
    if (strstr(err, "Sanitizer") || strstr(err, "runtime error")) {
        FAIL("%s n=%ld: a sanitizer report:\n%s", j->rc->name, j->n, err);
    } else if (WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
               got == (ssize_t)sizeof *o) {
        e = END_OK;
        if (o->child_fails)
            FAIL("%s n=%ld: %d checks failed in the child:\n%s", j->rc->name,
                 j->n, o->child_fails, err);
        if (j->kind == JOB_OOM_CM && o->fired > 0 &&
            count_of(err, "served from the reserve") != 1)
            FAIL("%s n=%ld: the log does not say once that the reserve "
                 "served an allocation:\n%s",
                 j->rc->name, j->n, err);
        if (j->kind == JOB_IO && j->op == FLT_SYNC && o->fired > 0 &&
            count_of(err, "an fsync failed") != 1)
            FAIL("%s n=%ld: the log does not say once that an fsync "
                 "failed:\n%s",
                 j->rc->name, j->n, err);
    } else {
        FAIL("%s n=%ld: the child ended badly (%s %d):\n%s", j->rc->name, j->n,
             WIFSIGNALED(status) ? "signal" : "exit",
             WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status), err);
    }
    cm_free(err);
    return e;
}

/* The change and audit counts of route `rc` on the database at `path`. */
static bool
counts_of(const char *path,
          const struct route_case *rc,
          long *change,
          long *audited)
{
    char sql[256], v[32];

    *change = 0;
    if (rc->count_sql) {
        if (!query_text(path, rc->count_sql, v, sizeof v))
            return false;
        *change = strtol(v, NULL, 10);
    }
    (void)snprintf(sql, sizeof sql,
                   "SELECT count(*) FROM audit WHERE action = '%s' AND "
                   "outcome = 'ok'",
                   rc->audit);
    if (!query_text(path, sql, v, sizeof v))
        return false;
    *audited = strtol(v, NULL, 10);
    return true;
}

static long base_change[N_ROUTES], base_audit[N_ROUTES];

/* After a child: the database opens (WAL recovery), audit_verify holds,
 * integrity_check says ok through a read-only connection, and the change
 * is absent or fully present with its audit record (present when it was
 * answered as a success). `probes`: people the checks after it made. */
static void
verify_db(const struct job *j, int status, int probes)
{
    struct store *s = NULL;
    const char *why = NULL;
    struct audit_verify_result vr;
    char v[64] = "";
    long change = 0, audited = 0, dc, da;
    size_t ri = (size_t)(j->rc - routes);
    bool ok2xx = status >= 200 && status < 300;

    if (store_open(W.url, STORE_OPEN_MODE_EXISTING, &s, &why) != CM_ERR_OK) {
        FAIL("%s n=%ld: the database does not open: %s", j->rc->name, j->n,
             why ? why : "?");
        return;
    }
    if (audit_verify(s, NULL, NULL, &vr) != CM_ERR_OK || !vr.ok)
        FAIL("%s n=%ld: audit_verify fails", j->rc->name, j->n);
    if (!query_text(W.db, "PRAGMA integrity_check", v, sizeof v) ||
        strcmp(v, "ok") != 0)
        FAIL("%s n=%ld: integrity_check: %s", j->rc->name, j->n, v);
    if (!counts_of(W.db, j->rc, &change, &audited)) {
        FAIL("%s n=%ld: cannot count", j->rc->name, j->n);
    } else {
        dc = change - base_change[ri];
        da = audited - base_audit[ri];
        if (j->rc->id == R_PERSON) {
            dc -= probes;
            da -= probes;
        }
        if (!j->rc->count_sql)
            dc = da;
        if (!((dc == 0 && da == 0) || (dc == 1 && da == 1)))
            FAIL("%s n=%ld: half a change: %ld rows, %ld audit records",
                 j->rc->name, j->n, dc, da);
        if (ok2xx && !(dc == 1 && da == 1))
            FAIL("%s n=%ld: answered %d but the change is missing", j->rc->name,
                 j->n, status);
    }
    store_close(s);
}

/* ---- setup ---------------------------------------------------------------*/

/* Log `email` in: the session cookie ("compel_session=...") and the CSRF
 * token; exits the (setup) child on failure. */
static void
login(unsigned short port,
      const char *email,
      const char *pw,
      char *cookie,
      size_t cn,
      char *csrf,
      size_t tn)
{
    struct sockaddr_in sa;
    char raw[16384], req[1024], body[256];
    const char *set_cookie, *sep;
    ssize_t n, got = 0;
    json_t *js;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    (void)snprintf(body, sizeof body, "{\"email\":\"%s\",\"password\":\"%s\"}",
                   email, pw);
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0)
        _exit(4);
    (void)snprintf(req, sizeof req,
                   "POST /api/v1/session HTTP/1.1\r\nHost: x\r\n"
                   "Connection: close\r\nContent-Type: "
                   "application/json\r\nContent-Length: %zu\r\n\r\n%s",
                   strlen(body), body);
    if (send(fd, req, strlen(req), MSG_NOSIGNAL) < 0)
        _exit(4);
    while (got < (ssize_t)sizeof raw - 1 &&
           (n = recv(fd, raw + got, sizeof raw - 1 - (size_t)got, 0)) > 0)
        got += n;
    raw[got] = '\0';
    (void)close(fd);
    set_cookie = strstr(raw, "compel_session=");
    sep = strstr(raw, "\r\n\r\n");
    if (!set_cookie || !sep || !strstr(raw, " 201 ")) {
        (void)fprintf(stderr, "faults: login of %s failed:\n%s\n", email, raw);
        _exit(4);
    }
    (void)snprintf(cookie, cn, "%.*s", (int)strcspn(set_cookie, ";\r\n"),
                   set_cookie);
    js = json_loads(sep + 4, 0, NULL);
    if (!js || !json_is_string(json_object_get(js, "csrf_token")))
        _exit(4);
    (void)snprintf(csrf, tn, "%s",
                   json_string_value(json_object_get(js, "csrf_token")));
    json_decref(js);
}

/* POST `body` to `path` as a session; the answer's `field` into out (and
 * its ETag into etag when not NULL); exits the (setup) child unless the
 * answer is 201. */
static void
post_id(unsigned short port,
        const char *cookie,
        const char *csrf,
        const char *path,
        const char *body,
        const char *field,
        char *out,
        size_t n,
        char *etag,
        size_t en)
{
    char hdr[512];
    struct resp r;
    json_t *js;

    (void)snprintf(hdr, sizeof hdr,
                   "Cookie: %s\r\nX-CSRF-Token: %s\r\nContent-Type: "
                   "application/json\r\n",
                   cookie, csrf);
    http_do(port, "POST", path, hdr, body, strlen(body), &r);
    js = r.body ? json_loads(r.body, 0, NULL) : NULL;
    if (r.status != 201 || !js || !json_is_string(json_object_get(js, field))) {
        (void)fprintf(stderr, "faults: setup POST %s: %d %s\n", path, r.status,
                      r.body ? r.body : "");
        _exit(4);
    }
    (void)snprintf(out, n, "%s", json_string_value(json_object_get(js, field)));
    if (etag)
        (void)snprintf(etag, en, "%s", r.etag);
    json_decref(js);
    resp_release(&r);
}

/* The child that makes the world on the template, over HTTP: a
 * jurisdiction, an officer (of the agency office compel init made), the
 * officer's API token, a person and a draft subpoena. */
static void
setup_child(int out_fd, const char *agency_id)
{
    struct srv s;
    char cookie[300], csrf[128], body[512], user_id[64];

    log_set_level(LOG_LEVEL_WARN);
    if (password_lib_init() != CM_ERR_OK || !srv_start(&s, W.tmpl_url))
        _exit(3);
    login(s.port, ADMIN, ADMIN_PW, cookie, sizeof cookie, csrf, sizeof csrf);
    post_id(s.port, cookie, csrf, "/api/v1/orgs",
            "{\"kind\":\"jurisdiction\",\"name\":\"Fault County\","
            "\"state\":\"CO\",\"timezone\":\"America/Denver\"}",
            "id", W.org_id, sizeof W.org_id, NULL, 0);
    (void)snprintf(body, sizeof body,
                   "{\"email\":\"" OFFICER "\",\"name\":\"Officer\","
                   "\"org_id\":\"%s\",\"roles\":[\"officer\"],"
                   "\"password\":\"" OFFICER_PW "\"}",
                   agency_id);
    post_id(s.port, cookie, csrf, "/api/v1/users", body, "id", user_id,
            sizeof user_id, NULL, 0);
    login(s.port, OFFICER, OFFICER_PW, cookie, sizeof cookie, csrf,
          sizeof csrf);
    post_id(s.port, cookie, csrf, "/api/v1/tokens", "{\"name\":\"faults\"}",
            "token", W.token, sizeof W.token, NULL, 0);
    post_id(s.port, cookie, csrf, "/api/v1/people",
            "{\"family_name\":\"Faultline\",\"given_names\":\"Io\","
            "\"date_of_birth\":\"1980-02-29\"}",
            "id", W.person_id, sizeof W.person_id, NULL, 0);
    (void)snprintf(body, sizeof body,
                   "{\"recipient_org_id\":\"%s\",\"person_id\":\"%s\","
                   "\"purpose\":\"fault loop\",\"items\":[{\"category\":"
                   "\"home_address\"}]}",
                   W.org_id, W.person_id);
    post_id(s.port, cookie, csrf, "/api/v1/subpoenas", body, "id", W.sub_id,
            sizeof W.sub_id, W.sub_etag, sizeof W.sub_etag);
    srv_stop(&s);
    if (write(out_fd, &W, sizeof W) != (ssize_t)sizeof W)
        _exit(3);
    exit(0);
}

static void
setup(void)
{
    char pw[200], tkey[220], key[220], agency[64];
    int fds[2], status = 0, fd;
    pid_t pid;
    FILE *f;
    struct timespec t0, t1;

    (void)clock_gettime(CLOCK_MONOTONIC, &t0);
    (void)snprintf(W.dir, sizeof W.dir, "/tmp/compel-faults-XXXXXX");
    if (!mkdtemp(W.dir))
        exit(2);
    (void)snprintf(W.tmpl, sizeof W.tmpl, "%s/tmpl.db", W.dir);
    (void)snprintf(W.db, sizeof W.db, "%s/it.db", W.dir);
    (void)snprintf(W.url, sizeof W.url, "sqlite:%s", W.db);
    (void)snprintf(W.tmpl_url, sizeof W.tmpl_url, "sqlite:%s", W.tmpl);
    (void)snprintf(W.err, sizeof W.err, "%s/child.err", W.dir);
    (void)snprintf(pw, sizeof pw, "%s/pw", W.dir);
    f = fopen(pw, "w");
    if (!f)
        exit(2);
    (void)fputs(ADMIN_PW "\n", f);
    (void)fclose(f);
    {
        const char *init[] = {"init",
                              "--db",
                              W.tmpl_url,
                              "--admin-email",
                              ADMIN,
                              "--admin-password-file",
                              pw,
                              "--timezone",
                              "America/Denver",
                              NULL};

        if (!run_compel(init)) {
            (void)fprintf(stderr, "faults: compel init failed (see %s)\n",
                          W.dir);
            exit(2);
        }
    }
    if (!query_text(W.tmpl,
                    "SELECT id FROM organizations WHERE kind = "
                    "'agency_office' LIMIT 1",
                    agency, sizeof agency))
        exit(2);
    if (pipe(fds) != 0)
        exit(2);
    (void)fflush(NULL);
    pid = fork();
    if (pid == 0) {
        (void)close(fds[0]);
        setup_child(fds[1], agency);
    }
    (void)close(fds[1]);
    fd = fds[0];
    if (read(fd, &W, sizeof W) != (ssize_t)sizeof W) {
        (void)fprintf(stderr, "faults: setup failed\n");
        exit(2);
    }
    (void)close(fd);
    (void)waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        exit(2);
    (void)snprintf(tkey, sizeof tkey, "%s.key", W.tmpl);
    (void)snprintf(key, sizeof key, "%s.key", W.db);
    copy_file(tkey, key);
    for (size_t i = 0; i < N_ROUTES; i++)
        if (!counts_of(W.tmpl, &routes[i], &base_change[i], &base_audit[i]))
            exit(2);
    (void)clock_gettime(CLOCK_MONOTONIC, &t1);
    (void)printf("setup: template made in %.1f s in %s\n",
                 (double)(t1.tv_sec - t0.tv_sec) +
                     (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
                 W.dir);
}

/* ---- the loops -----------------------------------------------------------*/

struct tally {
    long iterations, answered_ok, answered_4xx, answered_5xx, no_answer;
};

static void
tally_add(struct tally *t, enum ending e, int status)
{
    t->iterations++;
    if (e != END_OK)
        t->no_answer++;
    else if (status >= 200 && status < 300)
        t->answered_ok++;
    else if (status >= 400 && status < 500)
        t->answered_4xx++;
    else if (status >= 500)
        t->answered_5xx++;
    else
        t->no_answer++;
}

static void
tally_print(const char *what, const struct tally *t)
{
    (void)printf("%-58s %5ld iterations: %ld 2xx, %ld 4xx, %ld 5xx, %ld "
                 "no answer\n",
                 what, t->iterations, t->answered_ok, t->answered_4xx,
                 t->answered_5xx, t->no_answer);
    (void)fflush(stdout);
}

static bool smoke;

/* The iterations a spread loop aims at: FAULTS_STEPS when set (a soak
 * between the smoke and every N: `FAULTS_STEPS=100 faults oom`), else
 * SMOKE_STEPS. */
static long
spread_steps(void)
{
    const char *e = getenv("FAULTS_STEPS");
    long n = e ? strtol(e, NULL, 10) : 0;

    return n > 0 ? n : SMOKE_STEPS;
}

/* The stride of a loop that is not the smoke's: 1 (every N), or 0 (a
 * spread of FAULTS_STEPS N) when FAULTS_STEPS is set. */
static long
full_stride(void)
{
    return getenv("FAULTS_STEPS") ? 0 : 1;
}

/* One loop: N = 1, 1 + stride, ... until a request completes with no
 * fault reached. */
static void
loop(struct job j, long stride, struct tally *total)
{
    struct tally t = {0};
    char what[160], step[32] = "";
    int before = failures;

    if (stride == 0) {
        /* Spread about SMOKE_STEPS (or FAULTS_STEPS) iterations over
         * the N a request has: count them in a run whose fault is out of
         * reach. */
        struct outcome o;

        j.n = N_CAP + 1;
        if (run_job(&j, &o) != END_OK)
            return;
        verify_db(&j, o.status, o.probes);
        stride = o.seen / spread_steps() + 1;
    }
    for (j.n = 1; j.n <= N_CAP; j.n += stride) {
        struct outcome o;
        enum ending e = run_job(&j, &o);

        tally_add(&t, e, o.status);
        if (e == END_BAD)
            break;
        verify_db(&j, e == END_OK ? o.status : 0, e == END_OK ? o.probes : 0);
        if (e == END_OK && o.fired == 0 && o.seen < j.n) {
            if (o.status != j.rc->ok_status)
                FAIL("%s: with no fault the answer is %d, not %d", j.rc->name,
                     o.status, j.rc->ok_status);
            break;
        }
        if (failures > before + 5)
            break;
    }
    if (stride > 1)
        (void)snprintf(step, sizeof step, ", N step %ld", stride);
    (void)snprintf(
        what, sizeof what, "%s %s, %s%s%s", j.kind == JOB_IO ? "io" : "oom",
        j.rc->name,
        j.kind == JOB_IO       ? (j.op == FLT_WRITE ? "write" : "fsync")
        : j.kind == JOB_OOM_CM ? "compel+jansson allocator"
                               : "SQLite allocator",
        j.kind == JOB_IO ? (j.persistent ? " persistent" : " once") : "", step);
    tally_print(what, &t);
    total->iterations += t.iterations;
    total->answered_ok += t.answered_ok;
    total->answered_4xx += t.answered_4xx;
    total->answered_5xx += t.answered_5xx;
    total->no_answer += t.no_answer;
}

static void
io_loops(void)
{
    struct tally total = {0};

    for (size_t i = 0; i < N_ROUTES; i++) {
        for (int op = 0; op < 2; op++) {
            for (int p = 0; p < 2; p++) {
                struct job j = {JOB_IO, &routes[i], (enum flt_op)op, p != 0, 0};
                enum route_id id = routes[i].id;

                /* The smoke: fsync at every N on one route, at
                 * SMOKE_STEPS N spread over three more; writes spread over
                 * three of them; persistent writes on one and persistent
                 * fsyncs on another. */
                if (smoke && p && !(op == FLT_WRITE && id == R_PERSON) &&
                    !(op == FLT_SYNC && id == R_SUBMIT))
                    continue;
                if (smoke && id != R_LOGIN && id != R_PERSON &&
                    id != R_SUBMIT && id != R_READ)
                    continue;
                if (smoke && op == FLT_WRITE && id == R_LOGIN)
                    continue;
                loop(j, smoke && (op == FLT_WRITE || id != R_PERSON) ? 0 : 1,
                     &total);
            }
        }
    }
    tally_print("io total", &total);
}

static void
oom_loops(void)
{
    struct tally total = {0};
    /* FAULTS_ALLOCATOR=compel or sqlite: only that allocator's loops. */
    const char *only = getenv("FAULTS_ALLOCATOR");

    for (size_t i = 0; i < N_ROUTES; i++) {
        struct job cm = {JOB_OOM_CM, &routes[i], FLT_WRITE, false, 0};
        struct job sq = {JOB_OOM_SQL, &routes[i], FLT_WRITE, false, 0};

        /* The smoke: a write and an audited read. */
        if (smoke && routes[i].id != R_PERSON && routes[i].id != R_READ)
            continue;
        if (!only || strcmp(only, "sqlite") != 0)
            loop(cm, smoke ? 0 : full_stride(), &total);
        if (!only || strcmp(only, "compel") != 0)
            loop(sq, smoke ? 0 : full_stride(), &total);
    }
    tally_print("oom total", &total);
}

/* ---- the database going away under load ----------------------------------*/

struct client {
    pthread_t t;
    unsigned short port;
    bool phase_gone;
    int writes, writes_503, writes_ok, bad, reads_ok;
};

static void *
client_main(void *arg)
{
    struct client *c = arg;

    for (int i = 0; i < 5; i++) {
        struct resp r;

        send_route(c->port, R_PERSON, &r);
        c->writes++;
        if (c->phase_gone) {
            if (r.status == 503 && r.request_id[0] && body_is_clean(&r))
                c->writes_503++;
            else
                c->bad++;
        } else if (r.status == 201) {
            c->writes_ok++;
        } else {
            c->bad++;
        }
        resp_release(&r);
        send_read(c->port, &r);
        if (r.status == 200)
            c->reads_ok++;
        else
            c->bad++;
        resp_release(&r);
    }
    return NULL;
}

static int
gone_child(void)
{
    struct srv s;
    struct client c[4];
    int fails = 0;

    log_set_level(LOG_LEVEL_ERROR);
    if (password_lib_init() != CM_ERR_OK)
        _exit(3);
    flt_register();
    if (!srv_start(&s, W.url))
        _exit(3);
    for (int phase = 0; phase < 2; phase++) {
        struct resp r;

        if (phase == 0)
            flt_arm(FLT_WRITE, 1, true, false);
        else
            flt_disarm();
        memset(c, 0, sizeof c);
        for (int i = 0; i < 4; i++) {
            c[i].port = s.port;
            c[i].phase_gone = phase == 0;
            if (pthread_create(&c[i].t, NULL, client_main, &c[i]) != 0)
                _exit(3);
        }
        for (int i = 0; i < 4; i++) {
            (void)pthread_join(c[i].t, NULL);
            if (c[i].bad)
                fails++;
            (void)printf("gone: phase %s, client %d: %d writes (%d 503 with "
                         "a request id and a clean body, %d 201), %d reads "
                         "200, %d unexpected\n",
                         phase == 0 ? "disk gone" : "disk back", i, c[i].writes,
                         c[i].writes_503, c[i].writes_ok, c[i].reads_ok,
                         c[i].bad);
        }
        http_do(s.port, "GET", "/readyz", "", NULL, 0, &r);
        if (r.status != 200)
            fails++;
        resp_release(&r);
    }
    srv_stop(&s);
    (void)fflush(stdout);
    return fails;
}

static void
gone_test(void)
{
    int status = 0;
    pid_t pid;
    char *err;

    fresh_db();
    (void)fflush(NULL);
    pid = fork();
    if (pid == 0) {
        int fd = open(W.err, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

        if (fd < 0 || dup2(fd, 2) < 0)
            _exit(3);
        exit(gone_child() ? 1 : 0);
    }
    (void)waitpid(pid, &status, 0);
    err = read_err();
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
        strstr(err, "Sanitizer"))
        FAIL("gone: the database going away was not answered cleanly "
             "(status %d):\n%s",
             status, err);
    cm_free(err);
}

/* ---- a checkpoint whose fsync fails --------------------------------------*/

static enum store_rc
fill_tx(struct store *s, void *ctx)
{
    static char big[12000];
    char key[32];
    int *i = ctx;

    memset(big, 'x', sizeof big - 1);
    (void)snprintf(key, sizeof key, "faults.fill.%d", *i);
    return store_meta_set(s, key, big);
}

static int
ckpt_child(void)
{
    struct store *s = NULL;
    const char *why = NULL;
    char *v = NULL;
    int fails = 0, i;
    char rs[200];

    log_set_level(LOG_LEVEL_ERROR);
    flt_register();
    if (store_open(W.url, STORE_OPEN_MODE_EXISTING, &s, &why) != CM_ERR_OK)
        _exit(3);
    flt_arm(FLT_SYNC, 1, false, true);
    for (i = 0; i < 3000 && atomic_load(&flt.fired) == 0; i++)
        if (store_tx_run(s, "fill", fill_tx, &i) < 0)
            break;
    flt_disarm();
    if (atomic_load(&flt.fired) == 0) {
        (void)fprintf(stderr, "ckpt: no checkpoint in %d transactions\n", i);
        fails++;
    }
    if (!store_sqlite_durability_lost(W.db, rs, sizeof rs) ||
        !strstr(rs, "fsync")) {
        (void)fprintf(stderr, "ckpt: the file is not marked lost\n");
        fails++;
    }
    if (store_tx_run(s, "fill", fill_tx, &i) != STORE_SOFT_ERROR) {
        (void)fprintf(stderr, "ckpt: a write after it was not refused\n");
        fails++;
    }
    if (store_meta_get(s, "faults.fill.0", &v) != STORE_ONE_RESULT) {
        (void)fprintf(stderr, "ckpt: a read after it fails\n");
        fails++;
    }
    cm_free(v);
    (void)printf("ckpt: the checkpoint's fsync failed after %d "
                 "transactions; writes refused, reads go on\n",
                 i);
    (void)fflush(stdout);
    store_close(s);
    return fails;
}

static void
ckpt_test(void)
{
    int status = 0;
    pid_t pid;
    char *err;
    struct store *s = NULL;
    int i = 0;

    fresh_db();
    (void)fflush(NULL);
    pid = fork();
    if (pid == 0) {
        int fd = open(W.err, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

        if (fd < 0 || dup2(fd, 2) < 0)
            _exit(3);
        exit(ckpt_child() ? 1 : 0);
    }
    (void)waitpid(pid, &status, 0);
    err = read_err();
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
        count_of(err, "an fsync failed") != 1)
        FAIL("ckpt: a failed checkpoint fsync was not handled (status "
             "%d):\n%s",
             status, err);
    cm_free(err);
    /* The restart: a new process writes again. */
    if (store_open(W.url, STORE_OPEN_MODE_EXISTING, &s, NULL) != CM_ERR_OK ||
        store_tx_run(s, "fill", fill_tx, &i) < 0)
        FAIL("ckpt: after a restart the database takes no writes");
    store_close(s);
}

/* FAULTS_ONE="kind route op persistent n" (kind 0 io, 1 oom compel, 2
 * oom SQLite; route an index of routes[]; op 0 write, 1 fsync): replay one
 * iteration, printing the child's stderr. */
static void
one_job(const char *spec)
{
    int kind = 0, ri = 0, op = 0, p = 0;
    long n = 1;
    struct outcome o;
    struct timespec t0, t1;
    enum ending e;
    char *err;

    if (!spec ||
        sscanf(spec, "%d %d %d %d %ld", &kind, &ri, &op, &p, &n) != 5 ||
        ri < 0 || (size_t)ri >= N_ROUTES) {
        FAIL("FAULTS_ONE=\"kind route op persistent n\"");
        return;
    }
    {
        struct job j = {(enum job_kind)kind, &routes[ri], (enum flt_op)op,
                        p != 0, n};

        (void)clock_gettime(CLOCK_MONOTONIC, &t0);
        e = run_job(&j, &o);
        (void)clock_gettime(CLOCK_MONOTONIC, &t1);
        err = read_err();
        (void)printf("one: ending %d, status %d, fired %ld, seen %ld, %.2f "
                     "s\n%s",
                     (int)e, o.status, o.fired, o.seen,
                     (double)(t1.tv_sec - t0.tv_sec) +
                         (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
                     err);
        cm_free(err);
        verify_db(&j, e == END_OK ? o.status : 0, e == END_OK ? o.probes : 0);
    }
}

/* ---- main ----------------------------------------------------------------*/

static void
remove_dir(void)
{
    const char *const names[] = {"tmpl.db", "tmpl.db.key", "it.db.key",
                                 "pw",      "child.err",   "setup.log"};
    char p[300];

    remove_db(W.db);
    remove_db(W.tmpl);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        (void)snprintf(p, sizeof p, "%s/%s", W.dir, names[i]);
        (void)unlink(p);
    }
    (void)rmdir(W.dir);
}

int
main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    struct timespec t0, t1;
    int a = 2;

    if (argc > 2 && strcmp(argv[2], "--smoke") == 0) {
        smoke = true;
        a = 3;
    }
    if (argc != a + 1) {
        (void)fprintf(stderr,
                      "usage: faults io|oom|gone|ckpt|all|one [--smoke] "
                      "COMPEL_BIN\n");
        return 2;
    }
    W.compel = argv[a];
    (void)signal(SIGPIPE, SIG_IGN);
    (void)clock_gettime(CLOCK_MONOTONIC, &t0);
    setup();
    if (!strcmp(mode, "one"))
        one_job(getenv("FAULTS_ONE"));
    if (!strcmp(mode, "io") || !strcmp(mode, "all"))
        io_loops();
    if (!strcmp(mode, "gone") || !strcmp(mode, "all") || !strcmp(mode, "io"))
        gone_test();
    if (!strcmp(mode, "ckpt") || !strcmp(mode, "all") || !strcmp(mode, "io"))
        ckpt_test();
    if (!strcmp(mode, "oom") || !strcmp(mode, "all"))
        oom_loops();
    (void)clock_gettime(CLOCK_MONOTONIC, &t1);
    (void)printf("faults %s%s: %d failures in %.1f s\n", mode,
                 smoke ? " --smoke" : "", failures,
                 (double)(t1.tv_sec - t0.tv_sec) +
                     (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    if (failures == 0)
        remove_dir();
    else
        (void)printf("kept %s\n", W.dir);
    return failures ? 1 : 0;
}
