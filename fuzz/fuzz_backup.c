/*
 * fuzz_backup.c: the files `compel restore` reads. The first input byte
 * picks the part; the rest is the input.
 *
 *  - even: a backup file (auth/backupcrypt.h) opened with a fixed master
 *    key (32 bytes of 0x42), as `compel restore` opens it: the header
 *    fields (magic, version, chunk size, metadata length), then each
 *    chunk's authentication. The seeds are backups sealed with that key,
 *    so mutations reach every check. A file that opens has its metadata
 *    parsed (bk_meta_parse) and its table counts compared with a fixed
 *    list (bk_counts_compare), as restore does with the restored
 *    database's counts.
 *  - odd: the metadata text alone: bk_meta_parse; text that parses must
 *    give the same values after bk_meta_format and a second parse, and
 *    sealed (with an empty database image) then opened again must come
 *    back byte for byte.
 *
 * backup_file.c belongs to the CLI, which is not a library, so it is
 * compiled into this target by the #include below.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/backupcrypt.h"
#include "auth/password.h"
#include "cli/backup_file.c"
#include "core/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The counts a restored database would have (restore's `got`). */
static const char got_counts[] = "audit_log 12\nsubpoenas 3\n";

static unsigned char master[BACKUPCRYPT_MASTER_BYTES];

/* Compare the metadata's counts with got_counts, as restore does. */
static void
compare_counts(const struct bk_meta *m)
{
    struct buf why = BUF_INIT;
    int64_t tables = 0, rows = 0;

    if (bk_counts_compare(buf_str(&m->counts), got_counts, &why, &tables,
                          &rows) == 0) {
        if (tables != 2 || rows != 15)
            abort();
    } else if (why.len == 0) {
        abort(); /* a difference is always explained */
    }
    buf_release(&why);
}

static void
open_backup(const uint8_t *data, size_t size)
{
    FILE *in = fmemopen((void *)data, size, "rb");
    FILE *out = fopen("/dev/null", "wb");
    struct buf meta = BUF_INIT;
    struct backupcrypt_info info;
    enum backupcrypt_rc rc;

    if (!in || !out)
        goto out_close;
    rc = backupcrypt_open(master, in, out, &meta, &info);
    if (backupcrypt_rc_text(rc) == NULL)
        abort();
    if (rc == BACKUPCRYPT_OK) {
        struct bk_meta m = {.counts = BUF_INIT};

        if (info.version != BACKUPCRYPT_VERSION || info.chunk_size < 1 ||
            info.chunk_size > BACKUPCRYPT_CHUNK_MAX)
            abort();
        if (bk_meta_parse(meta.data, meta.len, &m) == 0)
            compare_counts(&m);
        buf_release(&m.counts);
    }
out_close:
    buf_release(&meta);
    if (in)
        (void)fclose(in);
    if (out)
        (void)fclose(out);
}

/* Seal `meta` with an empty image and open it again: the same text. */
static void
seal_and_open(const char *meta, size_t len)
{
    char *sealed = NULL;
    size_t sealed_len = 0;
    FILE *empty = fopen("/dev/null", "rb");
    FILE *out = open_memstream(&sealed, &sealed_len);
    FILE *in;
    FILE *sink;
    struct buf back = BUF_INIT;

    if (!empty || !out)
        abort();
    if (backupcrypt_seal(master, 0, meta, len, 4096, empty, out) !=
        BACKUPCRYPT_OK)
        abort();
    (void)fclose(empty);
    (void)fclose(out);
    in = fmemopen(sealed, sealed_len, "rb");
    sink = fopen("/dev/null", "wb");
    if (!in || !sink ||
        backupcrypt_open(master, in, sink, &back, NULL) != BACKUPCRYPT_OK ||
        back.len != len || memcmp(back.data, meta, len) != 0)
        abort();
    (void)fclose(in);
    (void)fclose(sink);
    buf_release(&back);
    free(sealed);
}

static void
parse_meta(const uint8_t *data, size_t size)
{
    struct bk_meta m = {.counts = BUF_INIT};
    struct bk_meta m2 = {.counts = BUF_INIT};
    struct buf text = BUF_INIT;

    if (bk_meta_parse((const char *)data, size, &m) == 0) {
        bk_meta_format(&m, &text);
        if (bk_meta_parse(text.data, text.len, &m2) != 0 ||
            m2.audit_entries != m.audit_entries ||
            m2.audit_head_seq != m.audit_head_seq ||
            strcmp(m2.audit_head_hex, m.audit_head_hex) != 0 ||
            strcmp(buf_str(&m2.counts), buf_str(&m.counts)) != 0)
            abort();
        compare_counts(&m);
        seal_and_open((const char *)data, size);
    }
    buf_release(&text);
    buf_release(&m.counts);
    buf_release(&m2.counts);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;

    if (!ready) {
        if (password_lib_init() != CM_ERR_OK)
            abort();
        memset(master, 0x42, sizeof master);
        ready = 1;
    }
    if (size == 0)
        return 0;
    if (data[0] % 2 == 0)
        open_backup(data + 1, size - 1);
    else if (size - 1 <= 16384)
        parse_meta(data + 1, size - 1);
    return 0;
}
