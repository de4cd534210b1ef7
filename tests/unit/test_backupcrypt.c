/*
 * test_backupcrypt.c: the backup file format (auth/backupcrypt.h): round
 * trips at sizes around chunk boundaries (empty input included), the
 * metadata and header fields returned, no plaintext in the sealed file,
 * one flipped bit at every offset refused, every truncation refused,
 * appended bytes refused, the wrong master key refused, and arguments
 * out of range refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "auth/backupcrypt.h"
#include "auth/password.h"
#include "core/alloc.h"

static const char meta_text[] = "audit_entries 12\ntable people 3\n";

static void
master_fill(unsigned char m[BACKUPCRYPT_MASTER_BYTES], unsigned char seed)
{
    for (unsigned i = 0; i < BACKUPCRYPT_MASTER_BYTES; i++)
        m[i] = (unsigned char)(seed + 29u * i);
}

static int
setup(void **state)
{
    (void)state;
    return password_lib_init() == CM_ERR_OK ? 0 : -1;
}

/* A temporary stream holding `n` bytes of `p`, rewound. */
static FILE *
stream_of(const void *p, size_t n)
{
    FILE *f = tmpfile();

    assert_non_null(f);
    if (n > 0)
        assert_int_equal(fwrite(p, 1, n, f), n);
    rewind(f);
    return f;
}

/* The whole content of `f` into `out`; closes f. */
static void
drain(FILE *f, struct buf *out)
{
    unsigned char tmp[4096];
    size_t got;

    rewind(f);
    while ((got = fread(tmp, 1, sizeof tmp, f)) > 0)
        buf_add(out, tmp, got);
    assert_false(ferror(f));
    (void)fclose(f);
}

static void
seal(const unsigned char *master,
     const void *plain,
     size_t n,
     uint32_t chunk,
     struct buf *sealed)
{
    FILE *in = stream_of(plain, n);
    FILE *out = tmpfile();

    assert_non_null(out);
    assert_int_equal(backupcrypt_seal(master, 1764355200000000LL, meta_text,
                                      strlen(meta_text), chunk, in, out),
                     BACKUPCRYPT_OK);
    (void)fclose(in);
    drain(out, sealed);
}

/* Open `n` bytes of `sealed`; the plaintext into `plain`, meta into
 * `meta` (both may be NULL). */
static enum backupcrypt_rc
open_sealed(const unsigned char *master,
            const void *sealed,
            size_t n,
            struct buf *plain,
            struct buf *meta,
            struct backupcrypt_info *info)
{
    FILE *in = stream_of(sealed, n);
    FILE *out = tmpfile();
    struct buf m = BUF_INIT;
    struct buf p = BUF_INIT;
    enum backupcrypt_rc rc;

    assert_non_null(out);
    rc = backupcrypt_open(master, in, out, &m, info);
    (void)fclose(in);
    drain(out, &p);
    if (rc != BACKUPCRYPT_OK)
        assert_int_equal(m.len, 0);
    if (plain)
        buf_add(plain, p.data, p.len);
    if (meta)
        buf_add(meta, m.data, m.len);
    buf_release(&m);
    buf_release(&p);
    return rc;
}

static unsigned char *
pattern(size_t n)
{
    unsigned char *p = cm_malloc(n ? n : 1);

    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(i * 7u + (i >> 8));
    return p;
}

static void
round_trip_size(size_t n, uint32_t chunk)
{
    unsigned char master[BACKUPCRYPT_MASTER_BYTES];
    unsigned char *plain = pattern(n);
    struct buf sealed = BUF_INIT;
    struct buf back = BUF_INIT;
    struct buf meta = BUF_INIT;
    struct backupcrypt_info info;
    size_t chunks = n / chunk + 1;

    /* An empty input is one empty FINAL chunk; a whole number of chunks
     * ends with its last full chunk tagged FINAL. */
    if (n > 0 && n % chunk == 0)
        chunks = n / chunk;
    master_fill(master, 3);
    seal(master, plain, n, chunk, &sealed);
    assert_int_equal(sealed.len, BACKUPCRYPT_HEADER_BYTES + strlen(meta_text) +
                                     n + chunks * 17);
    assert_memory_equal(sealed.data, "compel-backup", 13);
    assert_int_equal(
        open_sealed(master, sealed.data, sealed.len, &back, &meta, &info),
        BACKUPCRYPT_OK);
    assert_int_equal(back.len, n);
    if (n > 0)
        assert_memory_equal(back.data, plain, n);
    assert_int_equal(meta.len, strlen(meta_text));
    assert_memory_equal(meta.data, meta_text, meta.len);
    assert_int_equal(info.version, BACKUPCRYPT_VERSION);
    assert_int_equal(info.chunk_size, chunk);
    assert_int_equal(info.created_us, 1764355200000000LL);
    assert_int_equal(info.plain_bytes, n);
    cm_free(plain);
    buf_release(&sealed);
    buf_release(&back);
    buf_release(&meta);
}

static void
test_round_trip_sizes(void **state)
{
    static const size_t sizes[] = {0, 1, 63, 64, 65, 128, 129, 1000};

    (void)state;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        round_trip_size(sizes[i], 64);
    /* The default chunk size with an input of several chunks and a
     * remainder, and exactly two chunks. */
    round_trip_size(3 * BACKUPCRYPT_CHUNK_DEFAULT + 1234,
                    BACKUPCRYPT_CHUNK_DEFAULT);
    round_trip_size(2 * BACKUPCRYPT_CHUNK_DEFAULT, BACKUPCRYPT_CHUNK_DEFAULT);
}

/* Sealing twice gives different files (random subkey id and nonce), and
 * no stretch of the plaintext shows through. */
static void
test_no_plaintext(void **state)
{
    static const char canary[] = "SQLite format 3 Maria Quintero-Lopez ";
    unsigned char master[BACKUPCRYPT_MASTER_BYTES];
    struct buf plain = BUF_INIT;
    struct buf a = BUF_INIT;
    struct buf b = BUF_INIT;

    (void)state;
    master_fill(master, 9);
    for (int i = 0; i < 200; i++)
        buf_adds(&plain, canary);
    seal(master, plain.data, plain.len, 256, &a);
    seal(master, plain.data, plain.len, 256, &b);
    assert_int_equal(a.len, b.len);
    assert_memory_not_equal(a.data + 16, b.data + 16, 8);  /* subkey id */
    assert_memory_not_equal(a.data + 40, b.data + 40, 24); /* nonce */
    for (size_t i = 0; i + 8 <= a.len; i++) {
        assert_true(memcmp(a.data + i, "SQLite f", 8) != 0);
        assert_true(memcmp(a.data + i, "Quintero", 8) != 0);
    }
    buf_release(&plain);
    buf_release(&a);
    buf_release(&b);
}

/* One flipped bit at every offset of a file of 3 chunks and a bit is
 * refused, and nothing authenticated comes back. */
static void
test_every_flipped_byte_refused(void **state)
{
    unsigned char master[BACKUPCRYPT_MASTER_BYTES];
    unsigned char *plain = pattern(200);
    struct buf sealed = BUF_INIT;

    (void)state;
    master_fill(master, 5);
    seal(master, plain, 200, 64, &sealed);
    for (size_t i = 0; i < sealed.len; i++) {
        struct buf meta = BUF_INIT;
        enum backupcrypt_rc rc;

        sealed.data[i] ^= 0x01;
        rc = open_sealed(master, sealed.data, sealed.len, NULL, &meta, NULL);
        sealed.data[i] ^= 0x01;
        if (rc == BACKUPCRYPT_OK)
            fail_msg("a flipped bit at offset %zu was accepted", i);
        assert_int_equal(meta.len, 0);
        buf_release(&meta);
    }
    assert_int_equal(
        open_sealed(master, sealed.data, sealed.len, NULL, NULL, NULL),
        BACKUPCRYPT_OK);
    cm_free(plain);
    buf_release(&sealed);
}

/* Every shorter length is refused: inside the header, inside a chunk, and
 * exactly at a chunk boundary (the FINAL chunk missing). */
static void
test_every_truncation_refused(void **state)
{
    unsigned char master[BACKUPCRYPT_MASTER_BYTES];
    unsigned char *plain = pattern(128);
    struct buf sealed = BUF_INIT;
    size_t boundary;

    (void)state;
    master_fill(master, 6);
    seal(master, plain, 128, 64, &sealed);
    for (size_t n = 0; n < sealed.len; n++) {
        enum backupcrypt_rc rc =
            open_sealed(master, sealed.data, n, NULL, NULL, NULL);

        if (rc == BACKUPCRYPT_OK)
            fail_msg("a file cut to %zu of %zu bytes was accepted", n,
                     sealed.len);
    }
    boundary = BACKUPCRYPT_HEADER_BYTES + strlen(meta_text) + 64 + 17;
    assert_int_equal(
        open_sealed(master, sealed.data, boundary, NULL, NULL, NULL),
        BACKUPCRYPT_TRUNCATED);
    assert_int_equal(open_sealed(master, sealed.data, 5, NULL, NULL, NULL),
                     BACKUPCRYPT_NOT_BACKUP);
    cm_free(plain);
    buf_release(&sealed);
}

/* Bytes appended after the end are refused: after a short final chunk
 * they are read as part of it (it no longer authenticates); after a full
 * one they are seen as trailing. */
static void
test_trailing_bytes_refused(void **state)
{
    unsigned char master[BACKUPCRYPT_MASTER_BYTES];
    unsigned char *plain = pattern(64);
    struct buf sealed = BUF_INIT;
    struct buf full = BUF_INIT;

    (void)state;
    master_fill(master, 8);
    seal(master, "abc", 3, 64, &sealed);
    buf_addch(&sealed, 'x');
    assert_int_equal(
        open_sealed(master, sealed.data, sealed.len, NULL, NULL, NULL),
        BACKUPCRYPT_AUTH);
    seal(master, plain, 64, 64, &full);
    buf_addch(&full, 'x');
    assert_int_equal(open_sealed(master, full.data, full.len, NULL, NULL, NULL),
                     BACKUPCRYPT_TRAILING);
    cm_free(plain);
    buf_release(&sealed);
    buf_release(&full);
}

/* A wrong master key, even one bit off, is refused at the first chunk; an
 * empty input sealed with one key does not open with another. */
static void
test_wrong_key_refused(void **state)
{
    unsigned char master[BACKUPCRYPT_MASTER_BYTES];
    unsigned char other[BACKUPCRYPT_MASTER_BYTES];
    struct buf sealed = BUF_INIT;
    struct buf empty = BUF_INIT;
    struct buf back = BUF_INIT;

    (void)state;
    master_fill(master, 1);
    memcpy(other, master, sizeof other);
    other[31] ^= 0x80;
    seal(master, "personal data", 13, 64, &sealed);
    seal(master, "", 0, 64, &empty);
    assert_int_equal(
        open_sealed(other, sealed.data, sealed.len, &back, NULL, NULL),
        BACKUPCRYPT_AUTH);
    assert_int_equal(back.len, 0);
    assert_int_equal(
        open_sealed(other, empty.data, empty.len, NULL, NULL, NULL),
        BACKUPCRYPT_AUTH);
    assert_int_equal(
        open_sealed(master, empty.data, empty.len, NULL, NULL, NULL),
        BACKUPCRYPT_OK);
    buf_release(&sealed);
    buf_release(&empty);
    buf_release(&back);
}

/* Header fields out of range are refused before anything is allocated
 * from them; bad arguments to seal are refused. */
static void
test_malformed_and_usage(void **state)
{
    unsigned char master[BACKUPCRYPT_MASTER_BYTES];
    struct buf sealed = BUF_INIT;
    FILE *in, *out;

    (void)state;
    master_fill(master, 2);
    seal(master, "x", 1, 64, &sealed);
    sealed.data[13] = 2; /* version */
    assert_int_equal(
        open_sealed(master, sealed.data, sealed.len, NULL, NULL, NULL),
        BACKUPCRYPT_BAD_VERSION);
    sealed.data[13] = 1;
    sealed.data[35] = 0x7f; /* chunk size far above the maximum */
    assert_int_equal(
        open_sealed(master, sealed.data, sealed.len, NULL, NULL, NULL),
        BACKUPCRYPT_MALFORMED);
    sealed.data[35] = 0;
    sealed.data[39] = 0x7f; /* metadata length */
    assert_int_equal(
        open_sealed(master, sealed.data, sealed.len, NULL, NULL, NULL),
        BACKUPCRYPT_MALFORMED);
    buf_release(&sealed);

    in = stream_of("x", 1);
    out = tmpfile();
    assert_non_null(out);
    assert_int_equal(backupcrypt_seal(master, 0, NULL, 0, 0, in, out),
                     BACKUPCRYPT_USAGE);
    assert_int_equal(backupcrypt_seal(master, 0, NULL, 0,
                                      BACKUPCRYPT_CHUNK_MAX + 1, in, out),
                     BACKUPCRYPT_USAGE);
    assert_int_equal(
        backupcrypt_seal(master, 0, "m", BACKUPCRYPT_META_MAX + 1, 64, in, out),
        BACKUPCRYPT_USAGE);
    assert_int_equal(ftell(out), 0);
    (void)fclose(in);
    (void)fclose(out);
    assert_string_equal(backupcrypt_rc_text(BACKUPCRYPT_OK), "ok");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_sizes),
        cmocka_unit_test(test_no_plaintext),
        cmocka_unit_test(test_every_flipped_byte_refused),
        cmocka_unit_test(test_every_truncation_refused),
        cmocka_unit_test(test_trailing_bytes_refused),
        cmocka_unit_test(test_wrong_key_refused),
        cmocka_unit_test(test_malformed_and_usage),
    };

    return cmocka_run_group_tests(tests, setup, NULL);
}
