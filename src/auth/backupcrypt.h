/*
 * backupcrypt.h: the format of an encrypted, authenticated backup file
 * (`compel backup`, `compel restore`). Pure: streams in, streams out; it
 * knows nothing of databases or key files.
 *
 * Layout (integers little-endian):
 *
 *   0   13  magic "compel-backup"
 *   13   1  format version (1)
 *   14   2  reserved, zero
 *   16   8  KDF subkey id (random per file)
 *   24   8  created at, UTC microseconds since the epoch (signed)
 *   32   4  plaintext bytes per chunk
 *   36   4  length M of the metadata text
 *   40  24  crypto_secretstream_xchacha20poly1305 header (random nonce)
 *   64   M  metadata text (in the clear, authenticated): what the caller
 *           wants to check after decryption, e.g. row counts
 *   64+M    chunks: each one plaintext chunk sealed with
 *           crypto_secretstream_xchacha20poly1305 (chunk size bytes, the
 *           last one fewer, possibly 0, + 17 bytes), the last tagged FINAL
 *
 * The key is derived from the 32-byte master key with crypto_kdf under the
 * context "cmbackup" and the file's subkey id, so a backup opens only with
 * the master key in force when it was made. The 64+M header bytes are the
 * associated data of the first chunk and the stream chains every chunk to
 * the one before it, so one changed byte anywhere, a reordered chunk, a
 * file cut short (no FINAL chunk) or bytes added after the end are all
 * refused. A wrong key cannot be told apart from a changed file.
 */
#ifndef CM_AUTH_BACKUPCRYPT_H
#define CM_AUTH_BACKUPCRYPT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/buf.h"

#define BACKUPCRYPT_MASTER_BYTES  32
#define BACKUPCRYPT_MAGIC         "compel-backup"
#define BACKUPCRYPT_VERSION       1
#define BACKUPCRYPT_HEADER_BYTES  64 /* before the metadata text */
#define BACKUPCRYPT_CHUNK_DEFAULT 65536
#define BACKUPCRYPT_CHUNK_MAX     (1u << 20)
#define BACKUPCRYPT_META_MAX      (1u << 20)

enum backupcrypt_rc {
    BACKUPCRYPT_OK = 0,
    BACKUPCRYPT_IO,          /* reading or writing a stream failed */
    BACKUPCRYPT_NOT_BACKUP,  /* no "compel-backup" magic */
    BACKUPCRYPT_BAD_VERSION, /* a format version this build does not read */
    BACKUPCRYPT_MALFORMED,   /* a header field out of range */
    BACKUPCRYPT_AUTH,        /* a chunk fails authentication */
    BACKUPCRYPT_TRUNCATED,   /* the file ends before its FINAL chunk */
    BACKUPCRYPT_TRAILING,    /* bytes after the FINAL chunk */
    BACKUPCRYPT_USAGE        /* bad arguments (chunk size, metadata size) */
};

/* What the header says; written by backupcrypt_open on success. */
struct backupcrypt_info {
    unsigned version;
    uint64_t subkey_id;
    int64_t created_us;
    uint32_t chunk_size;
    uint64_t plain_bytes; /* how many bytes were decrypted */
};

/* A short explanation of `rc` for an operator ("the file was changed, cut
 * short, or sealed with another key file", ...). Static; never NULL. */
const char *backupcrypt_rc_text(enum backupcrypt_rc rc);

/*
 * Read `in` to its end and write it to `out` sealed as above, with the
 * metadata text `meta` (`meta_len` bytes, at most BACKUPCRYPT_META_MAX),
 * `created_us` and `chunk_size` plaintext bytes per chunk (1 to
 * BACKUPCRYPT_CHUNK_MAX). Call sodium_init (password_lib_init) first. The
 * caller flushes, syncs and closes `out`. BACKUPCRYPT_OK, _IO or _USAGE.
 */
enum backupcrypt_rc
backupcrypt_seal(const unsigned char master[BACKUPCRYPT_MASTER_BYTES],
                 int64_t created_us,
                 const char *meta,
                 size_t meta_len,
                 uint32_t chunk_size,
                 FILE *in,
                 FILE *out);

/*
 * Read the sealed file `in`, authenticating every chunk, and write the
 * plaintext to `out` as it goes: `out` holds unauthenticated bytes until
 * BACKUPCRYPT_OK is returned, so write it to a private temporary file and
 * discard it on any other result. On success appends the metadata text to
 * `meta` and fills *info (may be NULL).
 */
enum backupcrypt_rc
backupcrypt_open(const unsigned char master[BACKUPCRYPT_MASTER_BYTES],
                 FILE *in,
                 FILE *out,
                 struct buf *meta,
                 struct backupcrypt_info *info);

#endif
