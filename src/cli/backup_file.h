/*
 * backup_file.h: what `compel backup` and `compel restore` share: the
 * private temporary file that holds a plaintext database image while it
 * is checked (removed on every path, also when the process is
 * interrupted), syncing a directory, and the metadata text sealed into a
 * backup's header (auth/backupcrypt.h).
 *
 * Metadata text, one item per line:
 *
 *   compel-backup-meta 1
 *   database sqlite
 *   audit_entries N
 *   audit_head SEQ HEX        (or "audit_head 0 none" for an empty trail)
 *   table NAME COUNT          (every table, in name order)
 */
#ifndef CM_CLI_BACKUP_FILE_H
#define CM_CLI_BACKUP_FILE_H

#include <stdint.h>

#include "core/buf.h"

/* The directory part of `path` ("." for a bare name) into `dir`. */
void bk_dir_of(const char *path, struct buf *dir);

/* Create an empty private file (mode 0600, exclusively) named
 * DIR/.compel-PURPOSE-XXXXXX and remember it as the process's one
 * temporary file, which bk_tmp_remove removes with its -wal, -shm and
 * -journal companions, as does SIGINT, SIGTERM or SIGHUP. Its path into
 * `path`. 0, or -1 with errno set. */
int bk_tmp_create(const char *dir, const char *purpose, struct buf *path);

/* Remove the temporary file (if any) and forget it. */
void bk_tmp_remove(void);

/* Forget the temporary file without removing it (it was renamed into
 * place). */
void bk_tmp_keep(void);

/* fsync the directory holding `path`. 0 or -1. */
int bk_sync_dir_of(const char *path);

/* fsync the file at `path`. 0 or -1. */
int bk_sync_file(const char *path);

/* What a backup's metadata records. */
struct bk_meta {
    int64_t audit_entries;
    int64_t audit_head_seq;
    char audit_head_hex[65]; /* "none" for an empty trail */
    struct buf counts;       /* "NAME COUNT\n" per table, name order */
};

/* Write the metadata text of `m` into `out`. */
void bk_meta_format(const struct bk_meta *m, struct buf *out);

/* Parse metadata text; 0, or -1 when it is not well formed (initialise
 * m->counts with BUF_INIT first; release it after). */
int bk_meta_parse(const char *text, size_t len, struct bk_meta *m);

/* Compare two "NAME COUNT\n" lists. 0 when equal, else -1 with a line
 * naming the first difference in `why`. *tables and *rows (of `got`). */
int bk_counts_compare(const char *want,
                      const char *got,
                      struct buf *why,
                      int64_t *tables,
                      int64_t *rows);

#endif
