/*
 * jsonout.h: compact JSON text of a jansson value, written straight into a
 * growable buffer.
 *
 * The answer of every JSON route passes through here. The text is the
 * same, byte for byte, as json_dumps(v, JSON_COMPACT) gives (object keys in
 * insertion order, UTF-8 left as it is, '/' not escaped), at a fraction of
 * the cost: one buffer, runs of plain characters copied at once, integers
 * formatted by hand.
 */
#ifndef CM_HTTP_JSONOUT_H
#define CM_HTTP_JSONOUT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

/*
 * Append the compact JSON text of `v` to `b`. Returns false, with `b`
 * holding a partial text the caller must discard, when `v` nests deeper
 * than 64 levels or holds a real that is not finite: jansson builds
 * neither from compel's own values.
 */
bool jsonout_add(struct buf *b, const json_t *v);

/*
 * Append `len` bytes of `s` as a JSON string, quoted and escaped as
 * jsonout_add escapes strings (for answers written without building a
 * jansson value first). `s` must be UTF-8, as jansson would require.
 */
void jsonout_add_string(struct buf *b, const char *s, size_t len);

/*
 * Append the string `s` as jsonout_add_string does, or null when `s` is
 * NULL or "" (what compel's app_json_str makes of such a field).
 */
void jsonout_add_text(struct buf *b, const char *s);

/*
 * Whether the `len` bytes of `s` are UTF-8 as jansson accepts it (no
 * overlong forms, surrogates or code points past U+10FFFF; NUL allowed):
 * exactly when json_stringn(s, len) would not return NULL.
 */
bool jsonout_is_utf8(const char *s, size_t len);

/* Append the lines of `text` as a JSON array of strings, empty lines left
 * out ("a\n\nb\n" is ["a","b"]; NULL and "" are []). An explanation of a
 * deadline is sent so. */
void jsonout_add_lines(struct buf *b, const char *text);

/* Append the integer `v` as jsonout_add writes a json_integer. */
void jsonout_add_int(struct buf *b, int64_t v);

/*
 * Append the real `v` exactly as json_dumps writes a json_real (17
 * significant digits, ".0" on whole numbers, exponents without '+' or
 * leading zeros). Returns false, appending nothing, when `v` is not
 * finite.
 */
bool jsonout_add_real(struct buf *b, double v);

#endif
