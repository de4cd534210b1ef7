/*
 * backup_file.c: temporary files, directory syncs and backup metadata for
 * `compel backup` and `compel restore` (backup_file.h).
 */
#include "cli/backup_file.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BK_PATH_MAX 4096
#define META_TAG    "compel-backup-meta 1\n"

/* The temporary file and its SQLite companions, as fixed arrays so that
 * the signal handler can unlink them without allocating. */
static const char *const companions[] = {"", "-wal", "-shm", "-journal"};
#define N_COMPANIONS (sizeof companions / sizeof companions[0])
static char tmp_paths[N_COMPANIONS][BK_PATH_MAX + 16];
static volatile sig_atomic_t tmp_armed;

static void
unlink_all(void)
{
    for (size_t i = 0; i < N_COMPANIONS; i++)
        (void)unlink(tmp_paths[i]);
}

static void
on_signal(int sig)
{
    if (tmp_armed)
        unlink_all();
    (void)signal(sig, SIG_DFL);
    (void)raise(sig);
}

void
bk_dir_of(const char *path, struct buf *dir)
{
    const char *slash = strrchr(path, '/');

    if (slash == NULL)
        buf_adds(dir, ".");
    else if (slash == path)
        buf_adds(dir, "/");
    else
        buf_add(dir, path, (size_t)(slash - path));
}

int
bk_tmp_create(const char *dir, const char *purpose, struct buf *path)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    struct sigaction sa;
    sigset_t block, old;
    struct buf b = BUF_INIT;
    int fd, saved;

    buf_addf(&b, "%s/.compel-%s-XXXXXX", dir, purpose);
    if (b.len > BK_PATH_MAX) {
        buf_release(&b);
        errno = ENAMETOOLONG;
        return -1;
    }
    /* The signals stay blocked from before the file exists until it is
     * remembered, so that no signal can leave it behind. */
    (void)sigemptyset(&block);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    (void)sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        (void)sigaddset(&block, sigs[i]);
        (void)sigaction(sigs[i], &sa, NULL);
    }
    (void)sigprocmask(SIG_BLOCK, &block, &old);
    /* mkstemp creates the file 0600. */
    fd = mkstemp(b.data);
    saved = errno;
    if (fd >= 0) {
        (void)close(fd);
        for (size_t i = 0; i < N_COMPANIONS; i++)
            (void)snprintf(tmp_paths[i], sizeof tmp_paths[i], "%s%s", b.data,
                           companions[i]);
        tmp_armed = 1;
        buf_add(path, b.data, b.len);
    }
    (void)sigprocmask(SIG_SETMASK, &old, NULL);
    buf_release(&b);
    errno = saved;
    return fd >= 0 ? 0 : -1;
}

void
bk_tmp_remove(void)
{
    if (!tmp_armed)
        return;
    unlink_all();
    tmp_armed = 0;
}

void
bk_tmp_keep(void)
{
    tmp_armed = 0;
    /* The companions of the renamed file are gone with the store that
     * made them; remove any left without touching the file itself. */
    for (size_t i = 1; i < N_COMPANIONS; i++)
        (void)unlink(tmp_paths[i]);
}

static int
sync_path(const char *path, int flags)
{
    int fd = open(path, flags | O_CLOEXEC);
    int rc;

    if (fd < 0)
        return -1;
    rc = fsync(fd);
    (void)close(fd);
    return rc;
}

int
bk_sync_dir_of(const char *path)
{
    struct buf dir = BUF_INIT;
    int rc;

    bk_dir_of(path, &dir);
    rc = sync_path(buf_str(&dir), O_RDONLY | O_DIRECTORY);
    buf_release(&dir);
    return rc;
}

int
bk_sync_file(const char *path)
{
    return sync_path(path, O_RDONLY);
}

void
bk_meta_format(const struct bk_meta *m, struct buf *out)
{
    const char *p = buf_str(&m->counts);

    buf_adds(out, META_TAG);
    buf_adds(out, "database sqlite\n");
    buf_addf(out, "audit_entries %lld\n", (long long)m->audit_entries);
    buf_addf(out, "audit_head %lld %s\n", (long long)m->audit_head_seq,
             m->audit_head_hex);
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);

        buf_adds(out, "table ");
        buf_add(out, p, n);
        buf_addch(out, '\n');
        p += n + (nl ? 1 : 0);
    }
}

/* Parse a non-negative decimal that ends at `end` or a space/newline;
 * *next after it. false when malformed. */
static bool
parse_count(const char *p, int64_t *v, const char **next)
{
    char *e;
    long long n;

    if (*p < '0' || *p > '9')
        return false;
    errno = 0;
    n = strtoll(p, &e, 10);
    if (errno != 0 || n < 0)
        return false;
    *v = n;
    *next = e;
    return true;
}

int
bk_meta_parse(const char *text, size_t len, struct bk_meta *m)
{
    const char *p = text, *end = text + len;
    bool have_entries = false, have_head = false;

    if (len == 0 || text[len - 1] != '\n' || memchr(text, '\0', len) ||
        len < strlen(META_TAG) || memcmp(text, META_TAG, strlen(META_TAG)))
        return -1;
    p += strlen(META_TAG);
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *q;
        size_t n = (size_t)(nl - p);

        if (n == strlen("database sqlite") &&
            memcmp(p, "database sqlite", n) == 0) {
            /* the only backend backed up by compel */
        } else if (strncmp(p, "audit_entries ", 14) == 0) {
            if (!parse_count(p + 14, &m->audit_entries, &q) || q != nl)
                return -1;
            have_entries = true;
        } else if (strncmp(p, "audit_head ", 11) == 0) {
            size_t hex;

            if (!parse_count(p + 11, &m->audit_head_seq, &q) || *q != ' ')
                return -1;
            hex = (size_t)(nl - (q + 1));
            if (hex == 0 || hex >= sizeof m->audit_head_hex)
                return -1;
            memcpy(m->audit_head_hex, q + 1, hex);
            m->audit_head_hex[hex] = '\0';
            have_head = true;
        } else if (strncmp(p, "table ", 6) == 0) {
            const char *sp = nl;

            while (sp > p + 6 && sp[-1] != ' ')
                sp--;
            if (sp <= p + 7 || sp == nl)
                return -1;
            {
                int64_t c;

                if (!parse_count(sp, &c, &q) || q != nl)
                    return -1;
            }
            buf_add(&m->counts, p + 6, n - 6);
            buf_addch(&m->counts, '\n');
        } else {
            return -1;
        }
        p = nl + 1;
    }
    return have_entries && have_head ? 0 : -1;
}

/* Split the line at *p ("NAME COUNT\n") into name/length and count;
 * advances *p. false at the end. */
static bool
next_line(const char **p, const char **name, size_t *name_len, int64_t *count)
{
    const char *nl, *sp;

    if (**p == '\0')
        return false;
    nl = strchr(*p, '\n');
    if (nl == NULL)
        nl = *p + strlen(*p);
    sp = nl;
    while (sp > *p && sp[-1] != ' ')
        sp--;
    *name = *p;
    *name_len = sp > *p ? (size_t)(sp - 1 - *p) : 0;
    *count = strtoll(sp, NULL, 10);
    *p = *nl ? nl + 1 : nl;
    return true;
}

int
bk_counts_compare(const char *want,
                  const char *got,
                  struct buf *why,
                  int64_t *tables,
                  int64_t *rows)
{
    const char *w = want, *g = got;

    *tables = 0;
    *rows = 0;
    for (;;) {
        const char *wn = NULL, *gn = NULL;
        size_t wl = 0, gl = 0;
        int64_t wc = 0, gc = 0;
        bool hw = next_line(&w, &wn, &wl, &wc);
        bool hg = next_line(&g, &gn, &gl, &gc);

        if (!hw && !hg)
            return 0;
        if (!hg) {
            buf_addf(why, "table %.*s is recorded in the backup but missing",
                     (int)wl, wn);
            return -1;
        }
        if (!hw) {
            buf_addf(why, "table %.*s is not recorded in the backup", (int)gl,
                     gn);
            return -1;
        }
        if (wl != gl || memcmp(wn, gn, wl) != 0) {
            buf_addf(why, "the tables differ: %.*s recorded, %.*s found",
                     (int)wl, wn, (int)gl, gn);
            return -1;
        }
        if (wc != gc) {
            buf_addf(why, "table %.*s: %lld rows recorded, %lld found", (int)wl,
                     wn, (long long)wc, (long long)gc);
            return -1;
        }
        *tables += 1;
        *rows += gc;
    }
}
