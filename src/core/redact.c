/*
 * redact.c: the URL password redaction of redact.h. A plain scan: no
 * allocation beyond `out`, any input accepted.
 */
#include "core/redact.h"

#include <stdbool.h>
#include <string.h>

#define MASK "***"

/* Whether c ends a URL's authority (user:password@host:port). */
static bool
is_authority_end(char c)
{
    return c == '/' || c == '?' || c == '#' || c == ' ' || c == '\t' ||
           c == '\n' || c == '"' || c == '\'' || c == '<' || c == '>';
}

/* Whether c ends a query value. */
static bool
is_value_end(char c)
{
    return c == '&' || c == ' ' || c == '\t' || c == '\n' || c == '"' ||
           c == '\'' || c == '#';
}

/* s[i..] starts "://": the index after the authority, with the password
 * replaced in `out` (which has everything before i already). */
static size_t
add_authority(struct buf *out, const char *s, size_t len, size_t i)
{
    size_t start = i + 3, end = start, at = len, colon = len;

    while (end < len && !is_authority_end(s[end]))
        end++;
    for (size_t j = start; j < end; j++)
        if (s[j] == '@')
            at = j; /* the last '@': a password may hold one */
    if (at < len)
        for (size_t j = start; j < at; j++)
            if (s[j] == ':') {
                colon = j;
                break;
            }
    if (at == len || colon == len) {
        buf_add(out, s + i, end - i);
        return end;
    }
    buf_add(out, s + i, colon + 1 - i);
    buf_adds(out, MASK);
    buf_add(out, s + at, end - at);
    return end;
}

void
redact_add(struct buf *out, const char *s, size_t len)
{
    static const char key[] = "password=";
    const size_t klen = sizeof key - 1;
    size_t i = 0;

    while (i < len) {
        if (i + 3 <= len && memcmp(s + i, "://", 3) == 0) {
            i = add_authority(out, s, len, i);
        } else if (i + klen <= len && memcmp(s + i, key, klen) == 0 &&
                   (i == 0 || s[i - 1] == '?' || s[i - 1] == '&' ||
                    s[i - 1] == ' ')) {
            size_t end = i + klen;

            while (end < len && !is_value_end(s[end]))
                end++;
            buf_add(out, key, klen);
            buf_adds(out, MASK);
            i = end;
        } else {
            buf_addch(out, s[i]);
            i++;
        }
    }
}
