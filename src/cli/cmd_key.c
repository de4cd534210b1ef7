/*
 * cmd_key.c: `compel key`, the master key of personal-field encryption
 * (auth/keyfile.h) against its database.
 *
 *   compel key rotate [--db URL] [--key-file K] [--batch N]
 *   compel key status [--db URL] [--key-file K]
 *   compel key check  [--db URL] [--key-file K]
 *
 * rotate replaces the key: (1) unless the key file already holds a
 * retiring key (a rotation was interrupted), a new key with the next id
 * becomes current and the old one retiring, in one atomic rewrite of the
 * key file, audited "key.rotate_begin"; (2) every row holding a value
 * sealed under another id than the current one is re-sealed, and people's
 * blind indexes recomputed under the new key, N rows (default 500) per
 * transaction; the rows are found by the key id byte of their values, so
 * a rerun after a crash simply goes on; (3) once no value uses another id,
 * "key.rotate_done" is audited and the key file rewritten without the
 * retiring key, whose old file is overwritten. Servers load the key file
 * at start: stop them during a rotation (docs/operations.md, "Rotating the
 * key").
 *
 * status prints the key file's ids and how many sealed values of each
 * kind the database holds under each key id. check opens every sealed
 * value with the key file and says whether all open (exit 0) or how many
 * do not (exit 1): a key file that is not this database's, or a retired
 * key, opens none.
 */
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"
#include "audit/checkpoint.h"
#include "auth/fieldcrypt.h"
#include "auth/keyfile.h"
#include "auth/password.h"
#include "cli/cli.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/rand.h"
#include "jobs/jobs.h"
#include "store/store.h"

#define CMD "key"

#define SQLITE_PREFIX "sqlite:"

/* Rows re-sealed per transaction by default, and the most allowed. */
#define BATCH_DEFAULT 500
#define BATCH_MAX     10000

/* The field names the sealing code binds each value to: people's columns
 * (h_people.c, bulk/person.c), and the one value of each other kind
 * (h_me.c, h_subpoena_actions.c, jobs.h, auth/signing.c). */
static const char *const people_fields[STORE_SEALED_VALUES] = {
    "family_name", "given_names", "date_of_birth", "identifiers", "aliases"};

static const char *const single_fields[STORE_SEALED__COUNT] = {
    [STORE_SEALED_TOTP] = "totp_secret",
    [STORE_SEALED_ITEM_VALUE] = "value",
    [STORE_SEALED_WEBHOOK] = JOBS_WEBHOOK_SECRET_FIELD,
    [STORE_SEALED_SIGNING_KEY] = "signing_key",
};

/* People's blind indexes, in store_sealed_row.indexes order: the index
 * field name and the sealed column it is computed from. */
enum person_index {
    PERSON_INDEX_FAMILY_NAME,
    PERSON_INDEX_DOB,
    PERSON_INDEX_A_NUMBER
};

static const char *
field_of(enum store_sealed_kind kind, size_t i)
{
    return kind == STORE_SEALED_PEOPLE ? people_fields[i] : single_fields[kind];
}

struct key_args {
    const char *sub;
    const char *db;
    const char *key_file;
    int batch;
    long stop_after; /* testing: SIGKILL after this many batches; 0 none */
};

static void
usage(FILE *f)
{
    (void)fprintf(
        f,
        "usage: compel key rotate [--db URL] [--key-file K] [--batch N]\n"
        "       compel key status [--db URL] [--key-file K]\n"
        "       compel key check  [--db URL] [--key-file K]\n"
        "\n"
        "  rotate   replace the key: make a new one, re-encrypt every\n"
        "           personal field and secret under it (resumable: run it\n"
        "           again after an interruption), then destroy the old key\n"
        "  status   the key file's key ids, and how many encrypted values\n"
        "           the database holds under each key id\n"
        "  check    whether every encrypted value opens with the key file\n"
        "\n"
        "  --db URL       the database (default $COMPEL_DB, else\n"
        "                 sqlite:var/compel.db)\n"
        "  --key-file K   its key file (default PATH.key for sqlite:PATH)\n"
        "  --batch N      rows re-encrypted per transaction (default %d)\n"
        "  --help         print this help\n"
        "\n"
        "Stop every `compel serve` of the database before rotating, and\n"
        "keep no copy of the old key file: see docs/operations.md.\n"
        "Exit status: 0 success, 1 failure, 2 usage error.\n",
        BATCH_DEFAULT);
}

/* 0 to go on, 1 when --help was printed (exit 0), 2 on a usage error. */
static int
parse_args(int argc, char **argv, struct key_args *a)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"key-file", required_argument, NULL, 'k'},
        {"batch", required_argument, NULL, 'b'},
        {"stop-after", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    char *end;
    long v;
    int c;

    memset(a, 0, sizeof *a);
    a->batch = BATCH_DEFAULT;
    if (argc < 2) {
        cli_fail(CMD, "give a subcommand: rotate, status or check (see "
                      "--help)");
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return 1;
    }
    a->sub = argv[1];
    if (strcmp(a->sub, "rotate") != 0 && strcmp(a->sub, "status") != 0 &&
        strcmp(a->sub, "check") != 0) {
        cli_fail(CMD, "unknown subcommand '%s' (see --help)", a->sub);
        return 2;
    }
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc - 1, argv + 1, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            a->db = optarg;
            break;
        case 'k':
            a->key_file = optarg;
            break;
        case 'b':
        case 's':
            v = strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end != '\0' || v < 1 ||
                v > (c == 'b' ? BATCH_MAX : 1000000)) {
                cli_fail(CMD, "--%s must be a number from 1 to %d",
                         c == 'b' ? "batch" : "stop-after",
                         c == 'b' ? BATCH_MAX : 1000000);
                return 2;
            }
            if (c == 'b')
                a->batch = (int)v;
            else
                a->stop_after = v;
            break;
        case 'h':
            usage(stdout);
            return 1;
        case ':':
            cli_fail(CMD, "option '%s' needs a value (see --help)",
                     argv[optind]);
            return 2;
        default:
            cli_fail(CMD, "unknown option '%s' (see --help)", argv[optind]);
            return 2;
        }
    }
    if (optind + 1 < argc) {
        cli_fail(CMD, "unexpected argument '%s' (see --help)",
                 argv[optind + 1]);
        return 2;
    }
    if ((a->batch != BATCH_DEFAULT || a->stop_after) &&
        strcmp(a->sub, "rotate") != 0) {
        cli_fail(CMD, "--batch is an option of `compel key rotate`");
        return 2;
    }
    return 0;
}

/* The key file: --key-file, else PATH.key for sqlite:PATH; 0, or 2 after
 * reporting. */
static int
key_path(const char *url, const char *flag, struct buf *path)
{
    if (flag && *flag) {
        buf_adds(path, flag);
        return 0;
    }
    if (strncmp(url, SQLITE_PREFIX, strlen(SQLITE_PREFIX)) == 0 &&
        url[strlen(SQLITE_PREFIX)] != '\0') {
        buf_addf(path, "%s.key", url + strlen(SQLITE_PREFIX));
        return 0;
    }
    cli_fail(CMD, "--key-file is required for a database that is not "
                  "sqlite:PATH");
    return 2;
}

/* Load the key file's ring; 0, or 1 after reporting. */
static int
load_ring(const char *path, struct keyring *ring)
{
    enum cm_err err = keyfile_load_ring(path, ring);

    if (err == CM_ERR_OK)
        return 0;
    if (err == CM_ERR_IO)
        cli_fail(CMD, "cannot read key file %s", path);
    else
        cli_fail(CMD,
                 "key file %s is malformed or readable by group or "
                 "others",
                 path);
    return 1;
}

/* The field encryption of `ring`; 0, or 1 after reporting. */
static int
ring_fieldcrypt(const struct keyring *ring, struct fieldcrypt *fc)
{
    enum cm_err err = fieldcrypt_init_key(fc, ring->current, ring->current_id);

    if (err == CM_ERR_OK && ring->has_retiring)
        err = fieldcrypt_add_retiring(fc, ring->retiring, ring->retiring_id);
    if (err == CM_ERR_OK)
        return 0;
    fieldcrypt_release(fc);
    cli_fail(CMD, "cannot derive the field keys");
    return 1;
}

static int64_t
now_us(void)
{
    struct timespec ts;

    (void)clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- audit --------------------------------------------------------------*/

struct audit_tx {
    const char *action;
    const char *object_id;
    const char *detail;
};

static enum store_rc
audit_fn(struct store *s, void *ctx)
{
    struct audit_tx *t = ctx;
    struct audit_entry e = {.at_us = now_us(),
                            .action = t->action,
                            .object_kind = "key",
                            .object_id = t->object_id,
                            .outcome = "ok",
                            .detail = t->detail};

    return audit_append(s, &e, NULL);
}

/* Append one audit entry in a transaction of its own; 0, or 1 after
 * reporting. */
static int
audit_key(struct store *s, const char *action, unsigned id, const char *detail)
{
    char object_id[8];
    struct audit_tx t = {action, object_id, detail};

    (void)snprintf(object_id, sizeof object_id, "%u", id);
    if (store_tx_run(s, "key audit", audit_fn, &t) >= 0)
        return 0;
    cli_fail(CMD, "cannot append the audit entry %s", action);
    return 1;
}

/* The fingerprint of the audit checkpoint key derived from `master`. */
static void
checkpoint_fp(const unsigned char master[KEYFILE_KEY_BYTES],
              char out[CHECKPOINT_FINGERPRINT_LEN + 1])
{
    unsigned char pk[CHECKPOINT_PUBLIC_BYTES];

    if (checkpoint_public_key(master, pk) == CM_ERR_OK)
        checkpoint_fingerprint(pk, out);
    else
        (void)snprintf(out, CHECKPOINT_FINGERPRINT_LEN + 1, "?");
}

/* ---- re-sealing ----------------------------------------------------------*/

/* The rows of one batch, copied out of the list callback. */
struct rows {
    struct store_sealed_row *v;
    size_t n;
    size_t cap;
};

static void
collect_row(void *cls, const struct store_sealed_row *r)
{
    struct rows *rows = cls;

    if (rows->n == rows->cap) {
        rows->cap = rows->cap ? 2 * rows->cap : 64;
        rows->v = cm_realloc(rows->v, rows->cap * sizeof rows->v[0]);
    }
    store_sealed_row_copy(&rows->v[rows->n++], r);
}

static void
rows_clear(struct rows *rows)
{
    for (size_t i = 0; i < rows->n; i++)
        store_sealed_row_release(&rows->v[i]);
    rows->n = 0;
}

static void
rows_release(struct rows *rows)
{
    rows_clear(rows);
    cm_free(rows->v);
    memset(rows, 0, sizeof *rows);
}

/* Wipe and free a plaintext. */
static void
plain_release(struct buf *b)
{
    if (b->data)
        memset(b->data, 0, b->len);
    buf_release(b);
}

/* The blind index of `normalized` for `field` as a new blob. */
static bool
index_blob(const struct fieldcrypt *fc,
           const char *field,
           const char *normalized,
           struct store_blob *out)
{
    unsigned char h[FIELDCRYPT_INDEX_BYTES];

    if (fieldcrypt_blind_index(fc, field, normalized, h) != CM_ERR_OK)
        return false;
    *out = store_blob_dup(h, sizeof h);
    return true;
}

/* The A-number digits of identifiers JSON `text` into `digits`. */
static bool
a_number_of(const struct buf *text, char digits[FIELDCRYPT_A_NUMBER_LEN + 1])
{
    json_t *ids = json_loadb(text->data ? text->data : "", text->len, 0, NULL);
    json_t *a = json_object_get(ids, "a_number");
    bool ok = json_is_string(a) &&
              fieldcrypt_normalize_a_number(json_string_value(a), digits) ==
                  CM_ERR_OK;

    json_decref(ids);
    return ok;
}

/* People's blind indexes under the current key, from the plaintexts
 * `pt` (family_name, given_names, date_of_birth, identifiers, aliases):
 * each index the row had is recomputed, the way the API and the import
 * compute it; an index the row did not have stays absent. */
static bool
person_indexes(const struct fieldcrypt *fc,
               const struct store_sealed_row *old,
               const struct buf pt[STORE_SEALED_VALUES],
               struct store_sealed_row *now)
{
    struct buf norm = BUF_INIT;
    char date[FIELDCRYPT_DATE_LEN + 1];
    char digits[FIELDCRYPT_A_NUMBER_LEN + 1];
    bool ok = true;

    if (old->indexes[PERSON_INDEX_FAMILY_NAME].data)
        ok = old->values[0].data &&
             fieldcrypt_normalize_name(buf_str(&pt[0]), &norm) == CM_ERR_OK &&
             index_blob(fc, "family_name", buf_str(&norm),
                        &now->indexes[PERSON_INDEX_FAMILY_NAME]);
    if (ok && old->indexes[PERSON_INDEX_DOB].data)
        ok = old->values[2].data &&
             fieldcrypt_normalize_date(buf_str(&pt[2]), date) == CM_ERR_OK &&
             index_blob(fc, "date_of_birth", date,
                        &now->indexes[PERSON_INDEX_DOB]);
    if (ok && old->indexes[PERSON_INDEX_A_NUMBER].data)
        ok = old->values[3].data && a_number_of(&pt[3], digits) &&
             index_blob(fc, "a_number", digits,
                        &now->indexes[PERSON_INDEX_A_NUMBER]);
    plain_release(&norm);
    return ok;
}

/*
 * Re-seal row `old` of `kind` under the current key into *now: each value
 * is opened (with whichever key its id names) and sealed again; people's
 * indexes are recomputed. false, with *bad the field that failed, when a
 * value does not open or an index cannot be recomputed.
 */
static bool
reseal_row(const struct fieldcrypt *fc,
           enum store_sealed_kind kind,
           const struct store_sealed_row *old,
           struct store_sealed_row *now,
           const char **bad)
{
    struct buf pt[STORE_SEALED_VALUES] = {BUF_INIT, BUF_INIT, BUF_INIT,
                                          BUF_INIT, BUF_INIT};
    size_t nv = store_sealed_values(kind);
    bool ok = true;

    memset(now, 0, sizeof *now);
    memcpy(now->key, old->key, sizeof now->key);
    memcpy(now->record_id, old->record_id, sizeof now->record_id);
    for (size_t i = 0; ok && i < nv; i++) {
        struct buf ct = BUF_INIT;

        if (!old->values[i].data)
            continue;
        *bad = field_of(kind, i);
        ok = fieldcrypt_open(fc, old->record_id, field_of(kind, i),
                             old->values[i].data, old->values[i].len,
                             &pt[i]) == CM_ERR_OK &&
             fieldcrypt_seal(fc, old->record_id, field_of(kind, i), pt[i].data,
                             pt[i].len, &ct) == CM_ERR_OK;
        if (ok)
            now->values[i] = store_blob_dup(ct.data, ct.len);
        buf_release(&ct);
    }
    if (ok && kind == STORE_SEALED_PEOPLE) {
        *bad = "a blind index";
        ok = person_indexes(fc, old, pt, now);
    }
    for (size_t i = 0; i < nv; i++)
        plain_release(&pt[i]);
    if (ok)
        *bad = NULL;
    else
        store_sealed_row_release(now);
    return ok;
}

struct batch_tx {
    const struct fieldcrypt *fc;
    enum store_sealed_kind kind;
    int limit;
    struct rows rows;
    /* Written: the row and field that could not be re-sealed. */
    char bad_key[STORE_ID_SIZE];
    const char *bad_field;
};

/* One batch: the first `limit` rows of `kind` with a value under another
 * key id, re-sealed and written back. Returns how many rows. */
static enum store_rc
batch_fn(struct store *s, void *ctx)
{
    struct batch_tx *t = ctx;
    int n;

    rows_clear(&t->rows);
    t->bad_key[0] = '\0';
    t->bad_field = NULL;
    n = store_sealed_list_stale(s, t->kind, t->fc->key_id, "", t->limit,
                                collect_row, &t->rows);
    if (n < 0)
        return (enum store_rc)n;
    for (size_t i = 0; i < t->rows.n; i++) {
        const struct store_sealed_row *old = &t->rows.v[i];
        struct store_sealed_row now;
        enum store_rc rc;

        if (!reseal_row(t->fc, t->kind, old, &now, &t->bad_field)) {
            memcpy(t->bad_key, old->key, sizeof t->bad_key);
            return STORE_HARD_ERROR;
        }
        rc = store_sealed_update(s, t->kind, old, &now);
        store_sealed_row_release(&now);
        /* Changed since it was read (a server still running): read the
         * batch again. */
        if (rc == STORE_NO_RESULTS)
            return STORE_SOFT_ERROR;
        if (rc < 0)
            return rc;
    }
    return (enum store_rc)t->rows.n;
}

/* Re-seal every stale row of every kind; *rows_done counts the rows.
 * 0, or 1 after reporting. */
static int
reseal_all(struct store *s,
           const struct fieldcrypt *fc,
           const struct key_args *a,
           int64_t *rows_done)
{
    struct batch_tx t = {.fc = fc, .limit = a->batch};
    long batches = 0;
    int status = 0;

    *rows_done = 0;
    for (int k = 0; k < STORE_SEALED__COUNT && status == 0; k++) {
        t.kind = (enum store_sealed_kind)k;
        for (;;) {
            int rc = store_tx_run(s, "key rotate", batch_fn, &t);

            if (rc < 0) {
                if (t.bad_field)
                    cli_fail(CMD,
                             "%s row %s: %s does not open with the key file "
                             "(or its index cannot be recomputed); nothing "
                             "of this batch was written",
                             store_sealed_kind_name(t.kind), t.bad_key,
                             t.bad_field);
                else
                    cli_fail(CMD,
                             "the store failed while re-encrypting %s "
                             "rows; run the rotation again",
                             store_sealed_kind_name(t.kind));
                status = 1;
                break;
            }
            if (rc == 0)
                break;
            *rows_done += rc;
            batches++;
            if (a->stop_after && batches == a->stop_after) {
                /* Testing: die here as a crash would (no cleanup). */
                (void)fflush(stdout);
                (void)raise(SIGKILL);
            }
        }
    }
    rows_release(&t.rows);
    return status;
}

/* The number of sealed values of every kind under an id other than
 * `key_id` into *stale, and all of them into *total; 0, or 1 after
 * reporting. */
static int
count_values(struct store *s, unsigned key_id, int64_t *stale, int64_t *total)
{
    int64_t by_id[256];

    *stale = 0;
    *total = 0;
    for (int k = 0; k < STORE_SEALED__COUNT; k++) {
        if (store_sealed_count(s, (enum store_sealed_kind)k, by_id) < 0) {
            cli_fail(CMD, "cannot count the encrypted values");
            return 1;
        }
        for (unsigned id = 0; id < 256; id++) {
            *total += by_id[id];
            if (id != key_id)
                *stale += by_id[id];
        }
    }
    return 0;
}

struct check_ctx {
    const struct fieldcrypt *fc;
    enum store_sealed_kind kind;
    char last[STORE_ID_SIZE];
    int64_t opened;
    int64_t failed;
};

static void
check_row(void *cls, const struct store_sealed_row *r)
{
    struct check_ctx *c = cls;

    memcpy(c->last, r->key, sizeof c->last);
    for (size_t i = 0; i < store_sealed_values(c->kind); i++) {
        struct buf pt = BUF_INIT;

        if (!r->values[i].data)
            continue;
        if (fieldcrypt_open(c->fc, r->record_id, field_of(c->kind, i),
                            r->values[i].data, r->values[i].len,
                            &pt) == CM_ERR_OK)
            c->opened++;
        else
            c->failed++;
        plain_release(&pt);
    }
}

/* Whether the first row holding a sealed value of each kind opens with
 * `ring`: a key file that is not this database's is refused before
 * anything is written. 0, or 1 after reporting. */
static int
check_sample(struct store *s, const struct keyring *ring, const char *path)
{
    struct fieldcrypt fc;
    struct check_ctx c = {.fc = &fc};
    int status = ring_fieldcrypt(ring, &fc);

    for (int k = 0; k < STORE_SEALED__COUNT && status == 0; k++) {
        c.kind = (enum store_sealed_kind)k;
        if (store_sealed_list_stale(s, c.kind, 0, "", 1, check_row, &c) < 0) {
            cli_fail(CMD, "cannot read the encrypted values");
            status = 1;
        }
    }
    if (status == 0 && c.failed != 0) {
        cli_fail(CMD,
                 "key file %s does not open this database's encrypted "
                 "values; nothing changed",
                 path);
        status = 1;
    }
    fieldcrypt_release(&fc);
    return status;
}

/* ---- subcommands -----------------------------------------------------*/

static int
rotate(struct store *s, const char *path, const struct key_args *a)
{
    struct keyring ring;
    struct fieldcrypt fc;
    struct buf detail = BUF_INIT;
    char fp_old[CHECKPOINT_FINGERPRINT_LEN + 1];
    char fp_new[CHECKPOINT_FINGERPRINT_LEN + 1];
    int64_t rows_done = 0, stale = 0, total = 0;
    unsigned retired;
    int status = load_ring(path, &ring);

    if (status != 0)
        return status;
    status = check_sample(s, &ring, path);
    if (status != 0)
        goto out_release;
    if (!ring.has_retiring) {
        struct keyring next = {0};

        if (ring.current_id >= KEYFILE_ID_MAX) {
            cli_fail(CMD, "key %u is the last key id: no rotation is left",
                     ring.current_id);
            status = 1;
            goto out_release;
        }
        next.current_id = ring.current_id + 1;
        cm_random_bytes(next.current, sizeof next.current);
        next.has_retiring = true;
        next.retiring_id = ring.current_id;
        memcpy(next.retiring, ring.current, sizeof next.retiring);
        if (keyfile_write_ring(path, &next) != CM_ERR_OK) {
            keyring_release(&next);
            cli_fail(CMD, "cannot rewrite key file %s; nothing changed", path);
            status = 1;
            goto out_release;
        }
        keyring_release(&ring);
        ring = next;
        keyring_release(&next);
        checkpoint_fp(ring.retiring, fp_old);
        checkpoint_fp(ring.current, fp_new);
        buf_addf(&detail,
                 "compel key rotate: key %u made current, key %u retiring; "
                 "audit checkpoint key %s replaced by %s",
                 ring.current_id, ring.retiring_id, fp_old, fp_new);
        status =
            audit_key(s, "key.rotate_begin", ring.current_id, buf_str(&detail));
        if (status != 0)
            goto out_release;
        (void)printf("key: key %u made current, key %u retiring\n",
                     ring.current_id, ring.retiring_id);
    } else {
        (void)printf("key: resuming: key %u current, key %u retiring\n",
                     ring.current_id, ring.retiring_id);
    }
    status = ring_fieldcrypt(&ring, &fc);
    if (status != 0)
        goto out_release;
    status = reseal_all(s, &fc, a, &rows_done);
    fieldcrypt_release(&fc);
    if (status != 0)
        goto out_release;
    status = count_values(s, ring.current_id, &stale, &total);
    if (status != 0)
        goto out_release;
    if (stale != 0) {
        cli_fail(CMD,
                 "%lld encrypted values are still under another key "
                 "id; run the rotation again",
                 (long long)stale);
        status = 1;
        goto out_release;
    }
    buf_reset(&detail);
    buf_addf(&detail,
             "compel key rotate: every value re-encrypted under key %u "
             "(%lld rows in this run, %lld values in all); key %u destroyed",
             ring.current_id, (long long)rows_done, (long long)total,
             ring.retiring_id);
    /* Audited first: a crash before the key file is rewritten leaves the
     * retiring key, and a rerun finds nothing to do, audits again and
     * rewrites it. */
    status = audit_key(s, "key.rotate_done", ring.current_id, buf_str(&detail));
    if (status != 0)
        goto out_release;
    retired = ring.retiring_id;
    ring.has_retiring = false;
    ring.retiring_id = 0;
    memset(ring.retiring, 0, sizeof ring.retiring);
    if (keyfile_write_ring(path, &ring) != CM_ERR_OK) {
        cli_fail(CMD,
                 "cannot rewrite key file %s without the retired key; "
                 "run the rotation again",
                 path);
        status = 1;
        goto out_release;
    }
    (void)printf("key: %lld rows re-encrypted; %lld values, all under key "
                 "%u; key %u destroyed\n",
                 (long long)rows_done, (long long)total, ring.current_id,
                 retired);
out_release:
    buf_release(&detail);
    keyring_release(&ring);
    return status;
}

static int
status_cmd(struct store *s, const char *path)
{
    struct keyring ring;
    int64_t by_id[256];
    int status = load_ring(path, &ring);

    if (status != 0)
        return status;
    (void)printf("key file: current key %u", ring.current_id);
    if (ring.has_retiring)
        (void)printf(", retiring key %u (a rotation is not finished)",
                     ring.retiring_id);
    (void)printf("\n");
    keyring_release(&ring);
    for (int k = 0; k < STORE_SEALED__COUNT; k++) {
        bool any = false;

        if (store_sealed_count(s, (enum store_sealed_kind)k, by_id) < 0) {
            cli_fail(CMD, "cannot count the encrypted values");
            return 1;
        }
        (void)printf("%s:", store_sealed_kind_name((enum store_sealed_kind)k));
        for (unsigned id = 0; id < 256; id++) {
            if (by_id[id] == 0)
                continue;
            (void)printf(" key %u: %lld", id, (long long)by_id[id]);
            any = true;
        }
        (void)printf("%s\n", any ? "" : " none");
    }
    return 0;
}

static int
check_cmd(struct store *s, const char *path)
{
    struct keyring ring;
    struct fieldcrypt fc;
    struct check_ctx c = {.fc = &fc};
    int status = load_ring(path, &ring);

    if (status == 0)
        status = ring_fieldcrypt(&ring, &fc);
    keyring_release(&ring);
    if (status != 0)
        return status;
    for (int k = 0; k < STORE_SEALED__COUNT && status == 0; k++) {
        int n;

        c.kind = (enum store_sealed_kind)k;
        c.last[0] = '\0';
        do {
            char after[STORE_ID_SIZE];

            memcpy(after, c.last, sizeof after);
            n = store_sealed_list_stale(s, c.kind, 0, after, BATCH_DEFAULT,
                                        check_row, &c);
        } while (n == BATCH_DEFAULT);
        if (n < 0) {
            cli_fail(CMD, "cannot read the encrypted values");
            status = 1;
        }
    }
    fieldcrypt_release(&fc);
    if (status != 0)
        return status;
    if (c.failed == 0) {
        (void)printf("ok: %lld encrypted values open with %s\n",
                     (long long)c.opened, path);
        return 0;
    }
    (void)printf("bad: %lld of %lld encrypted values do not open with %s\n",
                 (long long)c.failed, (long long)(c.failed + c.opened), path);
    cli_fail(CMD, "%lld encrypted values do not open with key file %s",
             (long long)c.failed, path);
    return 1;
}

int
cmd_key(int argc, char **argv)
{
    struct key_args a;
    struct buf path = BUF_INIT;
    struct store *s = NULL;
    int status = parse_args(argc, argv, &a);
    const char *url;

    if (status != 0)
        return status == 1 ? 0 : status;
    url = cli_db_url(a.db);
    status = key_path(url, a.key_file, &path);
    if (status != 0)
        goto out_release;
    if (password_lib_init() != CM_ERR_OK) {
        cli_fail(CMD, "cannot initialise the crypto library");
        status = 1;
        goto out_release;
    }
    status = cli_open_migrated(CMD, url, &s);
    if (status != 0)
        goto out_release;
    if (strcmp(a.sub, "rotate") == 0)
        status = rotate(s, buf_str(&path), &a);
    else if (strcmp(a.sub, "status") == 0)
        status = status_cmd(s, buf_str(&path));
    else
        status = check_cmd(s, buf_str(&path));
    store_close(s);
out_release:
    buf_release(&path);
    return status;
}
