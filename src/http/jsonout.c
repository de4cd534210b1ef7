/*
 * jsonout.c: compact JSON text of a jansson value (jsonout.h).
 *
 * Strings are escaped as jansson escapes them without flags: '"' and '\\'
 * by a backslash, \b \f \n \r \t by name, other control characters as
 * \u00XX; every other byte (UTF-8 included, and '/') is copied.
 */
#include "http/jsonout.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSONOUT_MAX_DEPTH 64

/* 1 for the bytes a JSON string cannot hold as they are. */
static const unsigned char needs_escape[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x00 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x10 */
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x20: '"' */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x30 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x40 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, /* 0x50: '\\' */
};

void
jsonout_add_string(struct buf *b, const char *s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t run = 0;

    buf_addch(b, '"');
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[6];
        size_t n = 2;

        if (!needs_escape[c])
            continue;
        buf_add(b, s + run, i - run);
        run = i + 1;
        esc[0] = '\\';
        switch (c) {
        case '"':
            esc[1] = '"';
            break;
        case '\\':
            esc[1] = '\\';
            break;
        case '\b':
            esc[1] = 'b';
            break;
        case '\f':
            esc[1] = 'f';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        default:
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 0x0f];
            n = 6;
            break;
        }
        buf_add(b, esc, n);
    }
    buf_add(b, s + run, len - run);
    buf_addch(b, '"');
}

void
jsonout_add_text(struct buf *b, const char *s)
{
    if (!s || !*s)
        buf_add(b, "null", 4);
    else
        jsonout_add_string(b, s, strlen(s));
}

/* The length of the UTF-8 sequence at s[0..len), or 0 when it is not one
 * jansson accepts (its utf8_check_first and utf8_check_full). */
static size_t
utf8_seq(const unsigned char *s, size_t len)
{
    unsigned char u = s[0];
    uint32_t cp;
    size_t n;

    if (u < 0x80)
        return 1;
    if (u >= 0xC2 && u <= 0xDF) {
        n = 2;
        cp = u & 0x1Fu;
    } else if (u >= 0xE0 && u <= 0xEF) {
        n = 3;
        cp = u & 0x0Fu;
    } else if (u >= 0xF0 && u <= 0xF4) {
        n = 4;
        cp = u & 0x07u;
    } else {
        return 0; /* a continuation byte, C0, C1 or past U+10FFFF */
    }
    if (n > len)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3Fu);
    }
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000))
        return 0; /* overlong */
    return n;
}

bool
jsonout_is_utf8(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;

    while (i < len) {
        size_t n;

        if (p[i] < 0x80) {
            i++;
            continue;
        }
        n = utf8_seq(p + i, len - i);
        if (n == 0)
            return false;
        i += n;
    }
    return true;
}

void
jsonout_add_lines(struct buf *b, const char *text)
{
    bool first = true;

    buf_addch(b, '[');
    while (text && *text) {
        const char *nl = strchr(text, '\n');
        size_t n = nl ? (size_t)(nl - text) : strlen(text);

        if (n > 0) {
            if (!first)
                buf_addch(b, ',');
            jsonout_add_string(b, text, n);
            first = false;
        }
        text += n + (nl ? 1 : 0);
    }
    buf_addch(b, ']');
}

void
jsonout_add_int(struct buf *b, int64_t v)
{
    char digits[24];
    size_t n = sizeof digits;
    /* The magnitude as unsigned, so that the most negative value works. */
    unsigned long long m =
        v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;

    do {
        digits[--n] = (char)('0' + (int)(m % 10u));
        m /= 10u;
    } while (m != 0);
    if (v < 0)
        digits[--n] = '-';
    buf_add(b, digits + n, sizeof digits - n);
}

bool
jsonout_add_real(struct buf *b, double v)
{
    char text[40];
    char *e;
    int n;

    if (!isfinite(v))
        return false;
    /* jansson's rules: 17 significant digits, a ".0" when the text has
     * neither a point nor an exponent, and an exponent without '+' or
     * leading zeros ("1e+300" is "1e300", "1e-05" is "1e-5") */
    n = snprintf(text, sizeof text, "%.17g", v);
    if (n <= 0 || (size_t)n >= sizeof text - 2)
        return false;
    e = strchr(text, 'e');
    if (!e && !strchr(text, '.')) {
        memcpy(text + n, ".0", 3);
        n += 2;
    }
    if (e) {
        char *start = e + 1;
        char *end = start + 1;

        if (*start == '-')
            start++;
        while (*end == '0')
            end++;
        if (end != start) {
            memmove(start, end, (size_t)(text + n - end) + 1);
            n -= (int)(end - start);
        }
    }
    buf_add(b, text, (size_t)n);
    return true;
}

static bool
add_value(struct buf *b, const json_t *v, int depth)
{
    if (depth > JSONOUT_MAX_DEPTH)
        return false;
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *key;
        json_t *member;
        bool first = true;

        buf_addch(b, '{');
        json_object_foreach ((json_t *)v, key, member) {
            if (!first)
                buf_addch(b, ',');
            first = false;
            jsonout_add_string(b, key, strlen(key));
            buf_addch(b, ':');
            if (!add_value(b, member, depth + 1))
                return false;
        }
        buf_addch(b, '}');
        return true;
    }
    case JSON_ARRAY: {
        size_t n = json_array_size(v);

        buf_addch(b, '[');
        for (size_t i = 0; i < n; i++) {
            if (i > 0)
                buf_addch(b, ',');
            if (!add_value(b, json_array_get(v, i), depth + 1))
                return false;
        }
        buf_addch(b, ']');
        return true;
    }
    case JSON_STRING:
        jsonout_add_string(b, json_string_value(v), json_string_length(v));
        return true;
    case JSON_INTEGER:
        jsonout_add_int(b, json_integer_value(v));
        return true;
    case JSON_REAL:
        return jsonout_add_real(b, json_real_value(v));
    case JSON_TRUE:
        buf_add(b, "true", 4);
        return true;
    case JSON_FALSE:
        buf_add(b, "false", 5);
        return true;
    case JSON_NULL:
        buf_add(b, "null", 4);
        return true;
    }
    return false;
}

bool
jsonout_add(struct buf *b, const json_t *v)
{
    return v != NULL && add_value(b, v, 0);
}
