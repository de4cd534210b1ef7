/*
 * test_powerloss.c: a power-loss simulation for the SQLite store.
 *
 * A shim VFS ("powerloss"), registered as SQLite's default so that the
 * store's own sqlite3_open_v2 goes through it, sits over the platform VFS.
 * Every write reaches the real file at once (reads see it, as they would
 * see the OS page cache), and is also logged per file until that file's
 * next xSync; each tracked file (database, WAL, rollback journal) keeps an
 * in-memory image of its durable bytes, which xSync brings up to date. The
 * real fsync is not called: durability is what the image says.
 *
 * A crash is armed at the k-th write: the k-th write happens, and every
 * later write, truncate, sync and delete fails with an I/O error, so the
 * transaction in flight is not acknowledged. The store is then closed, and
 * every tracked file is rewritten from its durable image, in one of two
 * variants (odd k: drop, even k: reorder; both at every k with
 * COMPEL_POWERLOSS_BOTH=1):
 *   - drop: every unsynced write is lost;
 *   - reorder: a random subset of the unsynced writes (seeded by k) is
 *     applied to the image in random order, as a disk that reached some of
 *     its cached pages before the power went.
 * The -shm file is removed (shared memory does not survive a power loss).
 * The store is reopened (WAL recovery runs) and checked: every transaction
 * that returned success before the crash is present, with its audit entry;
 * PRAGMA integrity_check says ok; audit_verify holds.
 *
 * The workload is a series of store transactions, each inserting an
 * organization and its audit record. WAL checkpoints are made frequent
 * (wal_autocheckpoint = 4 pages) so that crash points also fall inside
 * checkpoints and WAL restarts. Crash points run over every write of the
 * workload, k = 1..K. COMPEL_POWERLOSS_TX sets the number of transactions
 * (5 by default, to stay within seconds in make check).
 *
 * Not modelled: torn writes (each xWrite lands whole or not at all, which
 * is what SQLite's powersafe-overwrite default assumes of a sector) and
 * directory entries (creating or deleting a file is taken as durable).
 *
 * The store's setting, synchronous=FULL, must lose nothing. The negative
 * control sets synchronous=OFF on the store's connection (test-only, via
 * the backend's internal header) and the same harness must find at least
 * one acknowledged transaction missing: proof that it can see a loss.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "audit/audit.h"
#include "auth/password.h"
#include "core/alloc.h"
#include "core/log.h"
#include "core/rand.h"
#include "store/sqlite/sqlite_int.h"
#include "store/store.h"

/* 2026-11-28T10:00:00Z in microseconds since the epoch. */
#define T0_US INT64_C(1795860000000000)

/* Transactions in the workload: COMPEL_POWERLOSS_TX, default N_TX_DEFAULT
 * (kept small for make check), at most N_TX_MAX. */
#define N_TX_DEFAULT 5
#define N_TX_MAX     256

static int n_tx = N_TX_DEFAULT;

/* COMPEL_POWERLOSS_BOTH=1: check both variants at every crash point. */
static bool both_variants;

/* ---- the shim VFS -------------------------------------------------------*/

enum pl_op_kind { PL_OP_WRITE, PL_OP_TRUNCATE };

/* One write or truncate not yet synced. */
struct pl_op {
    enum pl_op_kind kind;
    sqlite3_int64 off; /* the offset written, or the new size */
    int n;
    unsigned char *data;
};

/* A tracked file: its durable image and the operations since its last
 * sync. Kept by path across opens and closes (the page cache outlives a
 * file handle). */
struct pl_state {
    char *path;
    unsigned char *img;
    size_t len, cap;
    struct pl_op *ops;
    size_t n_ops, cap_ops;
};

struct pl_file {
    sqlite3_file base;
    struct pl_state *st; /* NULL when not tracked */
    sqlite3_file *real;  /* follows this struct in the same allocation */
};

static struct {
    sqlite3_vfs *root;
    bool armed;   /* files opened now are tracked */
    bool crashed; /* every write, sync, truncate and delete fails */
    long writes;  /* writes to tracked files since arming */
    long crash_at;
    struct pl_state *states[8];
    size_t n_states;
} pl;

static void
pl_image_set_len(struct pl_state *st, size_t len)
{
    if (len > st->cap) {
        st->cap = len > 2 * st->cap ? len : 2 * st->cap;
        st->img = cm_realloc(st->img, st->cap);
    }
    if (len > st->len)
        memset(st->img + st->len, 0, len - st->len);
    st->len = len;
}

static void
pl_image_apply(struct pl_state *st, const struct pl_op *op)
{
    if (op->kind == PL_OP_TRUNCATE) {
        pl_image_set_len(st, (size_t)op->off);
        return;
    }
    if ((size_t)op->off + (size_t)op->n > st->len)
        pl_image_set_len(st, (size_t)op->off + (size_t)op->n);
    memcpy(st->img + op->off, op->data, (size_t)op->n);
}

static void
pl_ops_clear(struct pl_state *st)
{
    for (size_t i = 0; i < st->n_ops; i++)
        cm_free(st->ops[i].data);
    st->n_ops = 0;
}

static void
pl_op_add(struct pl_state *st, struct pl_op op)
{
    if (st->n_ops == st->cap_ops) {
        st->cap_ops = st->cap_ops ? 2 * st->cap_ops : 64;
        st->ops = cm_realloc(st->ops, st->cap_ops * sizeof *st->ops);
    }
    st->ops[st->n_ops++] = op;
}

static void
pl_states_free(void)
{
    for (size_t i = 0; i < pl.n_states; i++) {
        struct pl_state *st = pl.states[i];

        pl_ops_clear(st);
        cm_free(st->ops);
        cm_free(st->img);
        cm_free(st->path);
        cm_free(st);
    }
    pl.n_states = 0;
}

static struct pl_state *
pl_state_find(const char *path)
{
    for (size_t i = 0; i < pl.n_states; i++)
        if (strcmp(pl.states[i]->path, path) == 0)
            return pl.states[i];
    return NULL;
}

/* A new state whose durable image is the file as it is now on disk. */
static struct pl_state *
pl_state_new(const char *path, sqlite3_file *real)
{
    struct pl_state *st = cm_calloc(1, sizeof *st);
    sqlite3_int64 size = 0;

    st->path = cm_strdup(path);
    if (real->pMethods->xFileSize(real, &size) == SQLITE_OK && size > 0) {
        st->img = cm_malloc((size_t)size);
        st->len = st->cap = (size_t)size;
        if (real->pMethods->xRead(real, st->img, (int)size, 0) != SQLITE_OK)
            fail_msg("cannot read %s", path);
    }
    assert_true(pl.n_states < sizeof pl.states / sizeof pl.states[0]);
    pl.states[pl.n_states++] = st;
    return st;
}

static sqlite3_file *
pl_real(sqlite3_file *f)
{
    return ((struct pl_file *)f)->real;
}

static int
pl_close(sqlite3_file *f)
{
    sqlite3_file *r = pl_real(f);
    int rc = r->pMethods ? r->pMethods->xClose(r) : SQLITE_OK;

    return rc;
}

static int
pl_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off)
{
    return pl_real(f)->pMethods->xRead(pl_real(f), buf, n, off);
}

static int
pl_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off)
{
    struct pl_file *p = (struct pl_file *)f;
    int rc;

    if (p->st == NULL)
        return p->real->pMethods->xWrite(p->real, buf, n, off);
    if (pl.crashed)
        return SQLITE_IOERR_WRITE;
    rc = p->real->pMethods->xWrite(p->real, buf, n, off);
    if (rc == SQLITE_OK) {
        struct pl_op op = {PL_OP_WRITE, off, n, cm_malloc((size_t)n)};

        memcpy(op.data, buf, (size_t)n);
        pl_op_add(p->st, op);
        if (++pl.writes == pl.crash_at)
            pl.crashed = true;
    }
    return rc;
}

static int
pl_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    struct pl_file *p = (struct pl_file *)f;
    int rc;

    if (p->st == NULL)
        return p->real->pMethods->xTruncate(p->real, size);
    if (pl.crashed)
        return SQLITE_IOERR_TRUNCATE;
    rc = p->real->pMethods->xTruncate(p->real, size);
    if (rc == SQLITE_OK)
        pl_op_add(p->st, (struct pl_op){PL_OP_TRUNCATE, size, 0, NULL});
    return rc;
}

static int
pl_sync(sqlite3_file *f, int flags)
{
    struct pl_file *p = (struct pl_file *)f;

    if (p->st == NULL)
        return p->real->pMethods->xSync(p->real, flags);
    if (pl.crashed)
        return SQLITE_IOERR_FSYNC;
    /* What the disk now holds for good; no real fsync (speed). */
    for (size_t i = 0; i < p->st->n_ops; i++)
        pl_image_apply(p->st, &p->st->ops[i]);
    pl_ops_clear(p->st);
    return SQLITE_OK;
}

static int
pl_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
    return pl_real(f)->pMethods->xFileSize(pl_real(f), size);
}

static int
pl_lock(sqlite3_file *f, int level)
{
    return pl_real(f)->pMethods->xLock(pl_real(f), level);
}

static int
pl_unlock(sqlite3_file *f, int level)
{
    return pl_real(f)->pMethods->xUnlock(pl_real(f), level);
}

static int
pl_check_reserved(sqlite3_file *f, int *out)
{
    return pl_real(f)->pMethods->xCheckReservedLock(pl_real(f), out);
}

static int
pl_file_control(sqlite3_file *f, int op, void *arg)
{
    return pl_real(f)->pMethods->xFileControl(pl_real(f), op, arg);
}

static int
pl_sector_size(sqlite3_file *f)
{
    return pl_real(f)->pMethods->xSectorSize(pl_real(f));
}

/* The model gives no atomic or ordered writes: do not let SQLite count on
 * them. Power-safe overwrite holds (one write never tears its neighbours). */
static int
pl_device_characteristics(sqlite3_file *f)
{
    int c = pl_real(f)->pMethods->xDeviceCharacteristics(pl_real(f));

    return c & ~(SQLITE_IOCAP_ATOMIC | SQLITE_IOCAP_ATOMIC512 |
                 SQLITE_IOCAP_ATOMIC1K | SQLITE_IOCAP_ATOMIC2K |
                 SQLITE_IOCAP_ATOMIC4K | SQLITE_IOCAP_ATOMIC8K |
                 SQLITE_IOCAP_ATOMIC16K | SQLITE_IOCAP_ATOMIC32K |
                 SQLITE_IOCAP_ATOMIC64K | SQLITE_IOCAP_SAFE_APPEND |
                 SQLITE_IOCAP_SEQUENTIAL | SQLITE_IOCAP_BATCH_ATOMIC);
}

static int
pl_shm_map(sqlite3_file *f, int pg, int pgsz, int extend, void volatile **pp)
{
    return pl_real(f)->pMethods->xShmMap(pl_real(f), pg, pgsz, extend, pp);
}

static int
pl_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
    return pl_real(f)->pMethods->xShmLock(pl_real(f), offset, n, flags);
}

static void
pl_shm_barrier(sqlite3_file *f)
{
    pl_real(f)->pMethods->xShmBarrier(pl_real(f));
}

static int
pl_shm_unmap(sqlite3_file *f, int delete_flag)
{
    return pl_real(f)->pMethods->xShmUnmap(pl_real(f), delete_flag);
}

static int
pl_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **pp)
{
    return pl_real(f)->pMethods->xFetch(pl_real(f), off, n, pp);
}

static int
pl_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
    return pl_real(f)->pMethods->xUnfetch(pl_real(f), off, p);
}

static const sqlite3_io_methods pl_io = {
    .iVersion = 3,
    .xClose = pl_close,
    .xRead = pl_read,
    .xWrite = pl_write,
    .xTruncate = pl_truncate,
    .xSync = pl_sync,
    .xFileSize = pl_file_size,
    .xLock = pl_lock,
    .xUnlock = pl_unlock,
    .xCheckReservedLock = pl_check_reserved,
    .xFileControl = pl_file_control,
    .xSectorSize = pl_sector_size,
    .xDeviceCharacteristics = pl_device_characteristics,
    .xShmMap = pl_shm_map,
    .xShmLock = pl_shm_lock,
    .xShmBarrier = pl_shm_barrier,
    .xShmUnmap = pl_shm_unmap,
    .xFetch = pl_fetch,
    .xUnfetch = pl_unfetch,
};

static int
pl_open(sqlite3_vfs *vfs,
        const char *name,
        sqlite3_file *f,
        int flags,
        int *out_flags)
{
    struct pl_file *p = (struct pl_file *)f;
    int rc;

    (void)vfs;
    memset(p, 0, sizeof *p);
    p->real = (sqlite3_file *)(p + 1);
    rc = pl.root->xOpen(pl.root, name, p->real, flags, out_flags);
    if (rc != SQLITE_OK)
        return rc;
    p->base.pMethods = &pl_io;
    if (pl.armed && name != NULL &&
        (flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL |
                  SQLITE_OPEN_MAIN_JOURNAL)) != 0) {
        p->st = pl_state_find(name);
        if (p->st == NULL)
            p->st = pl_state_new(name, p->real);
    }
    return SQLITE_OK;
}

static int
pl_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
    struct pl_state *st = pl.armed ? pl_state_find(name) : NULL;
    int rc;

    (void)vfs;
    if (st && pl.crashed)
        return SQLITE_IOERR_DELETE;
    rc = pl.root->xDelete(pl.root, name, sync_dir);
    /* A delete is taken as durable: the file's image becomes empty. */
    if (rc == SQLITE_OK && st) {
        pl_ops_clear(st);
        st->len = 0;
    }
    return rc;
}

static int
pl_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
    (void)vfs;
    return pl.root->xAccess(pl.root, name, flags, out);
}

static int
pl_full_pathname(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
    (void)vfs;
    return pl.root->xFullPathname(pl.root, name, n, out);
}

static void *
pl_dl_open(sqlite3_vfs *vfs, const char *name)
{
    (void)vfs;
    return pl.root->xDlOpen(pl.root, name);
}

static void
pl_dl_error(sqlite3_vfs *vfs, int n, char *msg)
{
    (void)vfs;
    pl.root->xDlError(pl.root, n, msg);
}

static void (*pl_dl_sym(sqlite3_vfs *vfs, void *h, const char *sym))(void)
{
    (void)vfs;
    return pl.root->xDlSym(pl.root, h, sym);
}

static void
pl_dl_close(sqlite3_vfs *vfs, void *h)
{
    (void)vfs;
    pl.root->xDlClose(pl.root, h);
}

static int
pl_randomness(sqlite3_vfs *vfs, int n, char *out)
{
    (void)vfs;
    return pl.root->xRandomness(pl.root, n, out);
}

static int
pl_sleep(sqlite3_vfs *vfs, int us)
{
    (void)vfs;
    return pl.root->xSleep(pl.root, us);
}

static int
pl_current_time(sqlite3_vfs *vfs, double *out)
{
    (void)vfs;
    return pl.root->xCurrentTime(pl.root, out);
}

static int
pl_get_last_error(sqlite3_vfs *vfs, int n, char *out)
{
    (void)vfs;
    return pl.root->xGetLastError(pl.root, n, out);
}

static int
pl_current_time_int64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
    (void)vfs;
    return pl.root->xCurrentTimeInt64(pl.root, out);
}

static sqlite3_vfs pl_vfs = {
    .iVersion = 2,
    .zName = "powerloss",
    .xOpen = pl_open,
    .xDelete = pl_delete,
    .xAccess = pl_access,
    .xFullPathname = pl_full_pathname,
    .xDlOpen = pl_dl_open,
    .xDlError = pl_dl_error,
    .xDlSym = pl_dl_sym,
    .xDlClose = pl_dl_close,
    .xRandomness = pl_randomness,
    .xSleep = pl_sleep,
    .xCurrentTime = pl_current_time,
    .xGetLastError = pl_get_last_error,
    .xCurrentTimeInt64 = pl_current_time_int64,
};

static void
pl_register(void)
{
    if (pl.root != NULL)
        return;
    pl.root = sqlite3_vfs_find(NULL);
    assert_non_null(pl.root);
    assert_true(pl.root->iVersion >= 2);
    pl_vfs.szOsFile = (int)sizeof(struct pl_file) + pl.root->szOsFile;
    pl_vfs.mxPathname = pl.root->mxPathname;
    assert_int_equal(sqlite3_vfs_register(&pl_vfs, 1), SQLITE_OK);
}

/* Track files opened from now on; crash after the crash_at-th write. */
static void
pl_arm(long crash_at)
{
    pl_states_free();
    pl.armed = true;
    pl.crashed = false;
    pl.writes = 0;
    pl.crash_at = crash_at;
}

/* xorshift64*, seeded: the reorder variant is reproducible per k. */
static uint64_t
rng_next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * UINT64_C(2685821657736338717);
}

/* Rewrite every tracked file as the disk would hold it after the power
 * went: its durable image plus, when `reorder`, a random subset of its
 * unsynced operations in random order. Returns how many were applied. */
static size_t
pl_restore(bool reorder, uint64_t seed)
{
    uint64_t rs = seed * UINT64_C(0x9E3779B97F4A7C15) + 1;
    size_t applied = 0;

    for (size_t i = 0; i < pl.n_states; i++) {
        struct pl_state *st = pl.states[i];
        size_t *order = cm_calloc(st->n_ops + 1, sizeof *order);
        size_t n = 0;
        int fd;

        for (size_t j = 0; reorder && j < st->n_ops; j++)
            if (rng_next(&rs) & 1)
                order[n++] = j;
        for (size_t j = n; j > 1; j--) {
            size_t r = (size_t)(rng_next(&rs) % j);
            size_t t = order[j - 1];

            order[j - 1] = order[r];
            order[r] = t;
        }
        fd = open(st->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        assert_true(fd >= 0);
        if (st->len)
            assert_int_equal(write(fd, st->img, st->len), (ssize_t)st->len);
        for (size_t j = 0; j < n; j++) {
            const struct pl_op *op = &st->ops[order[j]];

            if (op->kind == PL_OP_TRUNCATE)
                assert_int_equal(ftruncate(fd, (off_t)op->off), 0);
            else
                assert_int_equal(
                    pwrite(fd, op->data, (size_t)op->n, (off_t)op->off),
                    (ssize_t)op->n);
        }
        applied += n;
        (void)close(fd);
        cm_free(order);
    }
    return applied;
}

/* ---- the workload and the check ----------------------------------------*/

struct fx {
    char dir[64];
    char tmpl[128]; /* the migrated, synced database every run starts from */
    char path[128];
    char url[140];
};

/* What a run acknowledged: org ids and their audit seqs. */
struct acked {
    char ids[N_TX_MAX][STORE_ID_SIZE];
    int64_t seqs[N_TX_MAX];
    int n;
};

struct org_tx {
    int i;
    char id[STORE_ID_SIZE];
    int64_t seq;
};

static enum store_rc
org_create(struct store *s, void *ctx)
{
    struct org_tx *t = ctx;
    char name[200];
    struct store_org o = {0};
    struct audit_entry e = {0};
    enum store_rc rc;

    /* Long names: more pages, more writes per transaction. */
    (void)snprintf(name, sizeof name,
                   "Power loss test office %03d, with a name long enough to "
                   "fill a good part of a page in the organizations table "
                   "and its natural-key index",
                   t->i);
    cm_id_new(t->id);
    memcpy(o.id, t->id, sizeof o.id);
    o.created_at = o.updated_at = T0_US + t->i;
    o.kind = "agency_office";
    o.name = name;
    o.state = "CO";
    o.timezone = "America/Denver";
    rc = store_org_insert(s, &o);
    if (rc != STORE_ONE_RESULT)
        return rc < 0 ? rc : STORE_HARD_ERROR;
    e.at_us = T0_US + t->i;
    e.actor_id = "u_powerloss0000000000000";
    e.org_id = t->id;
    e.role = "admin";
    e.action = "org.create";
    e.object_kind = "org";
    e.object_id = t->id;
    e.outcome = "ok";
    return audit_append(s, &e, &t->seq);
}

static void
exec_ok(struct store *s, const char *sql)
{
    struct sqlite_store *ss = (struct sqlite_store *)s;

    assert_int_equal(sqlite3_exec(ss->db, sql, NULL, NULL, NULL), SQLITE_OK);
}

static int
pragma_int(struct store *s, const char *sql)
{
    struct sqlite_store *ss = (struct sqlite_store *)s;
    sqlite3_stmt *st = NULL;
    int v;

    assert_int_equal(sqlite3_prepare_v2(ss->db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void
copy_file(const char *from, const char *to)
{
    unsigned char buf[65536];
    int in = open(from, O_RDONLY | O_CLOEXEC);
    int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    ssize_t n;

    assert_true(in >= 0 && out >= 0);
    while ((n = read(in, buf, sizeof buf)) > 0)
        assert_int_equal(write(out, buf, (size_t)n), n);
    (void)close(in);
    (void)close(out);
}

static void
remove_db(const char *path)
{
    char p[160];

    (void)unlink(path);
    (void)snprintf(p, sizeof p, "%s-wal", path);
    (void)unlink(p);
    (void)snprintf(p, sizeof p, "%s-shm", path);
    (void)unlink(p);
    (void)snprintf(p, sizeof p, "%s-journal", path);
    (void)unlink(p);
}

/* Run the workload on a fresh copy of the template with the crash armed at
 * write crash_at; the acknowledged transactions go into *a. Returns the
 * number of tracked writes made (the crash point, or all of them). */
static long
run_workload(struct fx *f, long crash_at, bool durable, struct acked *a)
{
    struct store *s = NULL;
    const char *why = NULL;
    long writes;

    remove_db(f->path);
    copy_file(f->tmpl, f->path);
    memset(a, 0, sizeof *a);
    pl_arm(crash_at);
    assert_int_equal(store_open(f->url, STORE_OPEN_MODE_EXISTING, &s, &why),
                     CM_ERR_OK);
    if (!durable)
        exec_ok(s, "PRAGMA synchronous = OFF");
    /* FULL (2) is the store's own setting; OFF (0) the control's. */
    assert_int_equal(pragma_int(s, "PRAGMA synchronous"), durable ? 2 : 0);
    exec_ok(s, "PRAGMA wal_autocheckpoint = 4");
    for (int i = 0; i < n_tx && !pl.crashed; i++) {
        struct org_tx t = {.i = i};

        if (store_tx_run(s, "powerloss", org_create, &t) != STORE_ONE_RESULT)
            break;
        memcpy(a->ids[a->n], t.id, sizeof t.id);
        a->seqs[a->n] = t.seq;
        a->n++;
    }
    /* The power goes: nothing more reaches the disk, even at close. */
    pl.crashed = true;
    writes = pl.writes;
    store_close(s);
    pl.armed = false;
    return writes;
}

/* What one check after a crash found. */
struct verdict {
    int lost;           /* acknowledged transactions missing */
    bool open_failed;   /* the store would not open */
    bool integrity_bad; /* integrity_check not "ok" */
    bool audit_bad;     /* audit_verify failed or fell short */
};

static int
integrity_ok(struct store *s)
{
    struct sqlite_store *ss = (struct sqlite_store *)s;
    sqlite3_stmt *st = NULL;
    int ok = 0;

    if (sqlite3_prepare_v2(ss->db, "PRAGMA integrity_check", -1, &st, NULL) !=
        SQLITE_OK)
        return 0;
    if (sqlite3_step(st) == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(st, 0);

        ok = t != NULL && strcmp((const char *)t, "ok") == 0;
    }
    sqlite3_finalize(st);
    return ok;
}

static struct verdict
check_after_crash(struct fx *f, const struct acked *a)
{
    struct verdict v = {0};
    struct store *s = NULL;
    const char *why = NULL;
    struct audit_verify_result r;
    int64_t head = 0;
    unsigned char hash[STORE_HASH_SIZE];
    char shm[160];

    (void)snprintf(shm, sizeof shm, "%s-shm", f->path);
    (void)unlink(shm);
    if (store_open(f->url, STORE_OPEN_MODE_EXISTING, &s, &why) != CM_ERR_OK) {
        v.open_failed = true;
        v.lost = a->n;
        return v;
    }
    for (int i = 0; i < a->n; i++) {
        struct store_org o = {0};
        struct store_audit au = {0};
        bool found = store_org_get(s, a->ids[i], &o) == STORE_ONE_RESULT;

        found =
            found && store_audit_get(s, a->seqs[i], &au) == STORE_ONE_RESULT;
        found = found && strcmp(au.object_id, a->ids[i]) == 0;
        if (!found)
            v.lost++;
        store_org_release(&o);
        store_audit_release(&au);
    }
    v.integrity_bad = !integrity_ok(s);
    if (audit_verify(s, NULL, NULL, &r) != CM_ERR_OK || !r.ok)
        v.audit_bad = true;
    if (store_audit_head(s, &head, hash) < 0 ||
        (a->n > 0 && head < a->seqs[a->n - 1]))
        v.audit_bad = true;
    store_close(s);
    return v;
}

/* Figures for one durability mode. */
struct figures {
    long crash_points;
    long checks;         /* crash points x variants checked */
    long reorder_checks; /* of which with the reorder variant */
    long acked;          /* acknowledged transactions, summed over checks */
    long lost;           /* of those, missing after the crash */
    long runs_with_loss; /* checks with at least one loss */
    long open_failed, integrity_bad, audit_bad;
    long reordered_ops; /* unsynced writes applied by the reorder variant */
};

static struct figures
crash_loop(struct fx *f, bool durable, long *total_writes)
{
    struct figures g = {0};
    struct acked a;
    long k_max;

    /* A run without a crash counts the workload's writes. */
    k_max = run_workload(f, -1, durable, &a);
    assert_int_equal(a.n, n_tx);
    *total_writes = k_max;
    for (long k = 1; k <= k_max; k++) {
        long w = run_workload(f, k, durable, &a);

        assert_int_equal(w, k);
        /* Odd k: drop; even k: reorder; both with COMPEL_POWERLOSS_BOTH. */
        for (int variant = 0; variant < 2; variant++) {
            struct verdict v;

            if (!both_variants && variant != (int)(k % 2 == 0))
                continue;
            if (variant == 1)
                g.reorder_checks++;
            g.reordered_ops += (long)pl_restore(variant == 1, (uint64_t)k);
            v = check_after_crash(f, &a);
            g.checks++;
            g.acked += a.n;
            g.lost += v.lost;
            g.runs_with_loss += v.lost > 0;
            g.open_failed += v.open_failed;
            g.integrity_bad += v.integrity_bad;
            g.audit_bad += v.audit_bad;
        }
        g.crash_points++;
    }
    pl_states_free();
    return g;
}

static void
print_figures(const char *mode, long writes, const struct figures *g)
{
    printf("powerloss %s: %d transactions, %ld writes; %ld crash points, "
           "%ld checks (%ld drop, %ld reorder); acknowledged %ld, lost %ld "
           "(in %ld checks); open failed %ld, integrity_check failed %ld, "
           "audit_verify failed %ld; unsynced writes applied by reorder "
           "%ld\n",
           mode, n_tx, writes, g->crash_points, g->checks,
           g->checks - g->reorder_checks, g->reorder_checks, g->acked, g->lost,
           g->runs_with_loss, g->open_failed, g->integrity_bad, g->audit_bad,
           g->reordered_ops);
    (void)fflush(stdout);
}

static int
setup(void **state)
{
    struct fx *f = cm_calloc(1, sizeof *f);
    struct store *s = NULL;
    const char *why = NULL;
    int applied = 0;
    const char *env = getenv("COMPEL_POWERLOSS_TX");

    if (env != NULL) {
        char *end = NULL;
        long v = strtol(env, &end, 10);

        if (end == env || *end != '\0' || v < 1 || v > N_TX_MAX) {
            (void)fprintf(stderr, "COMPEL_POWERLOSS_TX: 1..%d\n", N_TX_MAX);
            return -1;
        }
        n_tx = (int)v;
    }
    env = getenv("COMPEL_POWERLOSS_BOTH");
    both_variants = env != NULL && strcmp(env, "1") == 0;
    log_set_level(LOG_LEVEL_OFF); /* the crash makes every write fail */
    if (password_lib_init() != CM_ERR_OK)
        return -1;
    pl_register();
    (void)snprintf(f->dir, sizeof f->dir, "/tmp/test_powerloss-XXXXXX");
    if (mkdtemp(f->dir) == NULL)
        return -1;
    (void)snprintf(f->tmpl, sizeof f->tmpl, "%s/template.db", f->dir);
    (void)snprintf(f->path, sizeof f->path, "%s/p.db", f->dir);
    (void)snprintf(f->url, sizeof f->url, "sqlite:%s", f->tmpl);
    if (store_open(f->url, STORE_OPEN_MODE_CREATE, &s, &why) != CM_ERR_OK)
        return -1;
    if (store_migrate(s, T0_US, &applied) != STORE_ONE_RESULT)
        return -1;
    store_close(s); /* checkpoints and removes the WAL */
    (void)snprintf(f->url, sizeof f->url, "sqlite:%s", f->path);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fx *f = *state;

    remove_db(f->path);
    remove_db(f->tmpl);
    (void)rmdir(f->dir);
    cm_free(f);
    return 0;
}

/* The harness itself: with no crash, the restored files are the files, and
 * a crash at write k makes exactly k writes reach the tracked files. */
static void
test_harness_tracks_writes(void **state)
{
    struct fx *f = *state;
    struct acked a;
    struct verdict v;
    long w = run_workload(f, -1, true, &a);

    assert_int_equal(a.n, n_tx);
    assert_true(w > n_tx); /* at least a WAL frame per commit */
    (void)pl_restore(false, 0);
    v = check_after_crash(f, &a);
    assert_int_equal(v.lost, 0);
    assert_false(v.open_failed || v.integrity_bad || v.audit_bad);
    pl_states_free();
}

/* synchronous=FULL, the store's setting: nothing acknowledged is lost. */
static void
test_full_loses_nothing(void **state)
{
    long writes = 0;
    struct figures g = crash_loop(*state, true, &writes);

    print_figures("synchronous=FULL", writes, &g);
    assert_true(g.crash_points > 0);
    assert_true(g.acked > 0);
    assert_int_equal(g.lost, 0);
    assert_int_equal(g.open_failed, 0);
    assert_int_equal(g.integrity_bad, 0);
    assert_int_equal(g.audit_bad, 0);
}

/* The negative control: with synchronous=OFF the same harness must see
 * acknowledged transactions vanish. */
static void
test_off_loss_is_caught(void **state)
{
    long writes = 0;
    struct figures g = crash_loop(*state, false, &writes);

    print_figures("synchronous=OFF (negative control)", writes, &g);
    assert_true(g.acked > 0);
    assert_true(g.lost > 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_harness_tracks_writes),
        cmocka_unit_test(test_full_loses_nothing),
        cmocka_unit_test(test_off_loss_is_caught),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
