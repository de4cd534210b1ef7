/*
 * cfg.c: the configuration table of cfg.h and its loaders.
 *
 * `keys[]` below is the one place a configuration key is declared: its
 * name, type, where it lives in struct cfg, its default, its validator
 * and its help. Loaders (file, environment, flags) all go through
 * set_key(), so a value is validated the same way wherever it comes from.
 */
#include "core/cfg.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/file.h"
#include "core/log.h"

enum cfg_type {
    CFG_TYPE_STR,  /* char *, validated by is_valid */
    CFG_TYPE_UINT, /* unsigned, decimal, in [min, max] */
    CFG_TYPE_SIZE  /* size_t, decimal with optional K, M or G (x1024) */
};

struct cfg_key {
    const char *name;
    enum cfg_type type;
    size_t offset; /* of the field in struct cfg */
    const char *def;
    unsigned long long min, max;    /* numeric types only */
    bool (*is_valid)(const char *); /* string types only */
    const char *expect; /* what a valid value looks like, for messages */
    const char *help;
};

/* The largest configuration file read, in bytes. */
#define CFG_FILE_MAX (64u * 1024u)

static bool is_listen(const char *s);
static bool is_db_url(const char *s);
static bool is_path(const char *s);
static bool is_ip_or_empty(const char *s);
static bool is_log_level(const char *s);
static bool is_smtp_url(const char *s);
static bool is_mail_address(const char *s);
static bool is_day_list(const char *s);
static bool is_public_url(const char *s);
static bool is_password_cost(const char *s);

static const struct cfg_key keys[] = {
    {"listen", CFG_TYPE_STR, offsetof(struct cfg, listen), "127.0.0.1:8080", 0,
     0, is_listen, "HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080",
     "address and port to serve HTTP on"},
    {"db", CFG_TYPE_STR, offsetof(struct cfg, db), "sqlite:var/compel.db", 0, 0,
     is_db_url, "a store URL: sqlite:PATH or postgresql://...",
     "the store URL"},
    {"key_file", CFG_TYPE_STR, offsetof(struct cfg, key_file), "", 0, 0,
     is_path, "a file path (empty: PATH.key beside a sqlite:PATH database)",
     "file holding the master key for personal fields"},
    {"cookie_secure", CFG_TYPE_UINT, offsetof(struct cfg, cookie_secure), "0",
     0, 1, NULL, NULL,
     "1: mark the session cookie Secure (set it when clients reach compel "
     "over TLS, e.g. through nginx)"},
    {"trusted_proxy", CFG_TYPE_STR, offsetof(struct cfg, trusted_proxy), "", 0,
     0, is_ip_or_empty, "a numeric IP address, or empty",
     "the load balancer's address: only from it is X-Forwarded-For "
     "believed, for the client address in the audit trail"},
    {"threads", CFG_TYPE_UINT, offsetof(struct cfg, threads), "64", 1, 256,
     NULL, NULL, "handler threads (libmicrohttpd runs two per CPU)"},
    {"connection_timeout", CFG_TYPE_UINT,
     offsetof(struct cfg, connection_timeout), "30", 1, 3600, NULL, NULL,
     "seconds before an idle connection is closed"},
    {"max_connections", CFG_TYPE_UINT, offsetof(struct cfg, max_connections),
     "256", 1, 65536, NULL, NULL, "connections served at once, in all"},
    {"max_connections_per_ip", CFG_TYPE_UINT,
     offsetof(struct cfg, max_connections_per_ip), "64", 1, 65536, NULL, NULL,
     "connections served at once from one IP address"},
    {"body_limit", CFG_TYPE_SIZE, offsetof(struct cfg, body_limit), "1M", 1024,
     1024ull * 1024 * 1024, NULL, NULL,
     "largest request body on JSON routes (bytes; K, M, G suffixes)"},
    {"log_level", CFG_TYPE_STR, offsetof(struct cfg, log_level), "info", 0, 0,
     is_log_level, "one of debug, info, warn, error, off",
     "lowest level of log lines written"},
    {"smtp_url", CFG_TYPE_STR, offsetof(struct cfg, smtp_url), "", 0, 0,
     is_smtp_url, "smtp://HOST[:PORT] or smtps://HOST[:PORT], or empty",
     "the mail server reminders are sent through (empty: no email)"},
    {"smtp_from", CFG_TYPE_STR, offsetof(struct cfg, smtp_from),
     "compel@localhost", 0, 0, is_mail_address, "an email address",
     "the sender address of reminder emails"},
    {"reminder_days", CFG_TYPE_STR, offsetof(struct cfg, reminder_days),
     "7,3,1", 0, 0, is_day_list,
     "distinct whole days from 1 to 365 joined by commas, e.g. 7,3,1",
     "how many days before a date deadline reminders go out"},
    {"jobs_interval", CFG_TYPE_UINT, offsetof(struct cfg, jobs_interval), "30",
     1, 86400, NULL, NULL,
     "seconds between two runs of the background job scheduler"},
    {"webhook_max_attempts", CFG_TYPE_UINT,
     offsetof(struct cfg, webhook_max_attempts), "8", 1, 100, NULL, NULL,
     "failed deliveries after which a reminder job is dead"},
    {"webhook_private_networks", CFG_TYPE_UINT,
     offsetof(struct cfg, webhook_private_networks), "0", 0, 1, NULL, NULL,
     "1: allow webhooks to loopback, private, link-local and other "
     "non-public addresses (a receiver on the internal network); 0 refuses "
     "them, checked on every connection after name resolution"},
    {"public_url", CFG_TYPE_STR, offsetof(struct cfg, public_url),
     "http://127.0.0.1:8080", 0, 0, is_public_url,
     "an http:// or https:// URL without query or fragment",
     "the address people reach compel at, printed on signed documents "
     "for verification (<public_url>/verify/<code>)"},
    {"web_root", CFG_TYPE_STR, offsetof(struct cfg, web_root), "web/dist", 0, 0,
     is_path, "a folder path (relative to the working directory)",
     "the built web UI served at / (make web); missing: the API still "
     "works and / says the UI was not built"},
    {"rate_limit_login", CFG_TYPE_UINT, offsetof(struct cfg, rate_limit_login),
     "20", 0, 1000000, NULL, NULL,
     "login attempts naming one email per minute, counted in the store "
     "across servers; more answer 429 (0: no limit)"},
    {"rate_limit_user", CFG_TYPE_UINT, offsetof(struct cfg, rate_limit_user),
     "0", 0, 1000000, NULL, NULL,
     "authenticated requests per minute by one user (0: no limit; each "
     "counted request is one more write)"},
    {"rate_limit_org", CFG_TYPE_UINT, offsetof(struct cfg, rate_limit_org), "0",
     0, 1000000, NULL, NULL,
     "authenticated requests per minute by all the users of one "
     "organization (0: no limit; each counted request is one more write)"},
    {"require_totp", CFG_TYPE_UINT, offsetof(struct cfg, require_totp), "0", 0,
     1, NULL, NULL,
     "1: every account needs a second factor (TOTP); one logged in with a "
     "password alone may only enroll one (CJIS IA-2; 0 leaves it to each "
     "user)"},
    {"step_up_minutes", CFG_TYPE_UINT, offsetof(struct cfg, step_up_minutes),
     "15", 1, 720, NULL, NULL,
     "minutes after a login or step-up within which a person may sign a "
     "subpoena or make an administrator's change; later, they confirm "
     "their password again (POST /api/v1/session/step-up; NIST IA-11)"},
    {"password_hash_cost", CFG_TYPE_STR,
     offsetof(struct cfg, password_hash_cost), "standard", 0, 0,
     is_password_cost, "standard or minimum",
     "Argon2id cost of new password hashes: standard (64 MiB, 3 passes) or "
     "minimum (OWASP's floor, 19 MiB, 2 passes; the test suite's); stored "
     "hashes keep the cost they were made with"},
    {"password_blocklist", CFG_TYPE_STR,
     offsetof(struct cfg, password_blocklist), "/usr/share/john/password.lst",
     0, 0, is_path, "a file path, or empty",
     "common and breached passwords refused for new passwords, one per line "
     "(the default is Debian's john-data list; put a larger list, such as "
     "a breach corpus's most common 100,000, in its place; empty: no list)"},
    {"disable_inactive_days", CFG_TYPE_UINT,
     offsetof(struct cfg, disable_inactive_days), "90", 0, 3650, NULL, NULL,
     "days without a login or API token use after which an account is "
     "disabled by the daily job (CJIS AC-2(3): 90; 0: never)"},
    {"retention_audit_years", CFG_TYPE_UINT,
     offsetof(struct cfg, retention_audit_years), "7", 1, 100, NULL, NULL,
     "years audit records are kept before the purge removes them (at "
     "least 1, CJIS AU-11)"},
    {"retention_case_years", CFG_TYPE_UINT,
     offsetof(struct cfg, retention_case_years), "7", 1, 100, NULL, NULL,
     "years a closed case, its documents and timeline are kept after it "
     "closed before the purge removes them"},
};

#define N_KEYS (sizeof keys / sizeof keys[0])

static bool
is_listen(const char *s)
{
    char host[CFG_HOST_MAX + 1];
    unsigned short port;

    return cfg_parse_listen(s, host, &port) == CM_ERR_OK;
}

static bool
is_db_url(const char *s)
{
    return (strncmp(s, "sqlite:", 7) == 0 && s[7] != '\0') ||
           (strncmp(s, "postgresql://", 13) == 0 && s[13] != '\0') ||
           (strncmp(s, "postgres://", 11) == 0 && s[11] != '\0');
}

/* A numeric IPv4 or IPv6 address, or "" for none. */
static bool
is_ip_or_empty(const char *s)
{
    unsigned char buf[sizeof(struct in6_addr)];

    return *s == '\0' || inet_pton(AF_INET, s, buf) == 1 ||
           inet_pton(AF_INET6, s, buf) == 1;
}

/* Any path; empty means the default beside the database. */
static bool
is_path(const char *s)
{
    return strlen(s) < 4096;
}

/* The costs of auth/password.h (core does not depend on auth). */
static bool
is_password_cost(const char *s)
{
    return strcmp(s, "standard") == 0 || strcmp(s, "minimum") == 0;
}

static bool
is_log_level(const char *s)
{
    enum log_level level;

    return log_parse_level(s, &level) == 0;
}

/* Empty, or smtp:// or smtps:// with a host and no space or control
 * character, at most 512 bytes. */
static bool
is_smtp_url(const char *s)
{
    const char *host;

    if (*s == '\0')
        return true;
    if (strlen(s) > 512)
        return false;
    if (strncmp(s, "smtps://", 8) == 0)
        host = s + 8;
    else if (strncmp(s, "smtp://", 7) == 0)
        host = s + 7;
    else
        return false;
    if (*host == '\0' || *host == '/' || *host == ':')
        return false;
    for (const char *p = s; *p; p++) {
        if ((unsigned char)*p <= 0x20 || *p == 0x7f)
            return false;
    }
    return true;
}

/* local@domain: one @, no space, control character, <, >, comma or
 * quote, at most 254 bytes. */
static bool
is_mail_address(const char *s)
{
    const char *at = strchr(s, '@');
    size_t n = strlen(s);

    if (n < 3 || n > 254 || !at || at == s || at[1] == '\0' ||
        strchr(at + 1, '@'))
        return false;
    for (const char *p = s; *p; p++) {
        if ((unsigned char)*p <= 0x20 || *p == 0x7f || *p == '<' || *p == '>' ||
            *p == ',' || *p == '"' || *p == ';')
            return false;
    }
    return true;
}

/* "7,3,1": 1 to 8 distinct numbers from 1 to 365 joined by commas. */
static bool
is_day_list(const char *s)
{
    bool seen[366] = {false};
    int count = 0;

    for (;;) {
        unsigned v = 0;
        int digits = 0;

        while (isdigit((unsigned char)*s) && digits < 4) {
            v = v * 10 + (unsigned)(*s - '0');
            s++;
            digits++;
        }
        if (digits == 0 || v < 1 || v > 365 || seen[v] || ++count > 8)
            return false;
        seen[v] = true;
        if (*s == '\0')
            return true;
        if (*s != ',')
            return false;
        s++;
    }
}

/* An http(s) URL with a host and no query, fragment, space or control
 * character, at most 512 bytes: printed on documents. */
static bool
is_public_url(const char *s)
{
    size_t n = strlen(s);
    const char *host;

    if (n > 512)
        return false;
    if (strncmp(s, "https://", 8) == 0)
        host = s + 8;
    else if (strncmp(s, "http://", 7) == 0)
        host = s + 7;
    else
        return false;
    if (*host == '\0' || *host == '/' || *host == ':')
        return false;
    for (const char *p = s; *p; p++) {
        if ((unsigned char)*p <= 0x20 || *p == 0x7f || *p == '?' || *p == '#' ||
            *p == '"' || *p == '<' || *p == '>' || *p == '\\')
            return false;
    }
    return true;
}

/* The key named `name` ('-' and '_' are the same), or NULL. */
static const struct cfg_key *
find_key(const char *name)
{
    for (size_t i = 0; i < N_KEYS; i++) {
        const char *a = keys[i].name;
        const char *b = name;

        while (*a != '\0' && (*a == *b || (*a == '_' && *b == '-'))) {
            a++;
            b++;
        }
        if (*a == '\0' && *b == '\0')
            return &keys[i];
    }
    return NULL;
}

bool
cfg_has_key(const char *key)
{
    return find_key(key) != NULL;
}

/* Parse a decimal number with an optional K/M/G suffix when `suffixes`.
 * Returns false on anything else, including overflow. */
static bool
parse_number(const char *s, bool suffixes, unsigned long long *out)
{
    unsigned long long v = 0;
    unsigned long long mult = 1;
    const char *p = s;

    if (!isdigit((unsigned char)*p))
        return false;
    for (; isdigit((unsigned char)*p); p++) {
        unsigned d = (unsigned)(*p - '0');

        if (v > (ULLONG_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    if (suffixes && *p != '\0') {
        if (*p == 'K' || *p == 'k')
            mult = 1024ull;
        else if (*p == 'M' || *p == 'm')
            mult = 1024ull * 1024;
        else if (*p == 'G' || *p == 'g')
            mult = 1024ull * 1024 * 1024;
        else
            return false;
        p++;
    }
    if (*p != '\0' || v > ULLONG_MAX / mult)
        return false;
    *out = v * mult;
    return true;
}

/* Validate `value` for key `k` and store it; on failure append a line
 * that starts with `label` to `why`. */
static enum cm_err
set_key(struct cfg *c,
        const struct cfg_key *k,
        const char *label,
        const char *value,
        struct buf *why)
{
    char *field = (char *)c + k->offset;
    unsigned long long n = 0;

    if (k->type == CFG_TYPE_STR) {
        char *copy;

        if (!k->is_valid(value))
            goto out_invalid;
        copy = cm_strdup(value);
        cm_free(*(char **)(void *)field);
        *(char **)(void *)field = copy;
        return CM_ERR_OK;
    }
    if (!parse_number(value, k->type == CFG_TYPE_SIZE, &n) || n < k->min ||
        n > k->max)
        goto out_invalid;
    if (k->type == CFG_TYPE_UINT)
        *(unsigned *)(void *)field = (unsigned)n;
    else
        *(size_t *)(void *)field = (size_t)n;
    return CM_ERR_OK;
out_invalid:
    /* The value itself is not repeated: a store URL may hold a password. */
    if (k->type == CFG_TYPE_STR)
        buf_addf(why, "%s: invalid value; expected %s", label, k->expect);
    else if (k->type == CFG_TYPE_UINT)
        buf_addf(why,
                 "%s: invalid value; expected an integer from %llu to %llu",
                 label, k->min, k->max);
    else
        buf_addf(why,
                 "%s: invalid value; expected a size from %llu to %llu bytes "
                 "(K, M, G suffixes allowed)",
                 label, k->min, k->max);
    return CM_ERR_VALIDATION_FAILED;
}

void
cfg_init(struct cfg *c)
{
    struct buf why = BUF_INIT;

    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < N_KEYS; i++) {
        enum cm_err err = set_key(c, &keys[i], keys[i].name, keys[i].def, &why);

        /* A default that fails its own validator is our bug. */
        if (err != CM_ERR_OK) {
            LOG_ERROR("bad default: %s", buf_str(&why));
            abort();
        }
    }
    buf_release(&why);
}

void
cfg_release(struct cfg *c)
{
    for (size_t i = 0; i < N_KEYS; i++) {
        if (keys[i].type == CFG_TYPE_STR) {
            char **field = (char **)(void *)((char *)c + keys[i].offset);

            cm_free(*field);
            *field = NULL;
        }
    }
}

enum cm_err
cfg_set(struct cfg *c, const char *key, const char *value, struct buf *why)
{
    const struct cfg_key *k = find_key(key);

    if (!k) {
        buf_addf(why, "%s: unknown configuration key", key);
        return CM_ERR_USAGE;
    }
    return set_key(c, k, k->name, value, why);
}

/* Trim spaces and tabs at both ends of [*begin, *end). */
static void
trim(const char **begin, const char **end)
{
    while (*begin < *end &&
           (**begin == ' ' || **begin == '\t' || **begin == '\r'))
        (*begin)++;
    while (*end > *begin &&
           ((*end)[-1] == ' ' || (*end)[-1] == '\t' || (*end)[-1] == '\r'))
        (*end)--;
}

/* Apply one line of a configuration file; appends a message (without the
 * "path:line: " prefix) to `why` on failure. */
static enum cm_err
apply_line(struct cfg *c, const char *line, const char *end, struct buf *why)
{
    const char *eq = memchr(line, '=', (size_t)(end - line));
    const char *kb = line, *ke = eq, *vb = eq, *ve = end;
    enum cm_err err;
    char *key, *value;

    trim(&kb, &ve);
    if (kb == ve || *kb == '#')
        return CM_ERR_OK;
    if (!eq || memchr(line, '\0', (size_t)(end - line))) {
        buf_adds(why, "expected `key = value`");
        return CM_ERR_VALIDATION_FAILED;
    }
    vb = eq + 1;
    trim(&kb, &ke);
    trim(&vb, &ve);
    key = cm_strndup(kb, (size_t)(ke - kb));
    value = cm_strndup(vb, (size_t)(ve - vb));
    err = cfg_set(c, key, value, why);
    cm_free(value);
    cm_free(key);
    return err;
}

enum cm_err
cfg_load_file(struct cfg *c, const char *path, struct buf *why)
{
    struct buf text = BUF_INIT;
    struct buf msg = BUF_INIT;
    enum cm_err err = file_read_all(path, CFG_FILE_MAX, &text);
    const char *p, *end;
    unsigned line_no = 0;

    if (err != CM_ERR_OK) {
        buf_addf(why, "%s: cannot read the configuration file", path);
        return err;
    }
    p = buf_str(&text);
    end = p + text.len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;

        line_no++;
        err = apply_line(c, p, le, &msg);
        if (err != CM_ERR_OK) {
            buf_addf(why, "%s:%u: %s", path, line_no, buf_str(&msg));
            goto out_release;
        }
        p = nl ? nl + 1 : end;
    }
out_release:
    buf_release(&msg);
    buf_release(&text);
    return err;
}

enum cm_err
cfg_load_env(struct cfg *c, char *const *envp, struct buf *why)
{
    static const char prefix[] = "COMPEL_";
    const size_t plen = sizeof prefix - 1;
    enum cm_err err = CM_ERR_OK;

    for (size_t i = 0; envp && envp[i] && err == CM_ERR_OK; i++) {
        const char *var = envp[i];
        const char *eq = strchr(var, '=');
        const struct cfg_key *k;
        char *name;

        if (!eq || strncmp(var, prefix, plen) != 0)
            continue;
        name = cm_strndup(var + plen, (size_t)(eq - var) - plen);
        for (char *q = name; *q; q++)
            *q = (char)tolower((unsigned char)*q);
        k = find_key(name);
        if (k) {
            char *label = cm_strndup(var, (size_t)(eq - var));

            err = set_key(c, k, label, eq + 1, why);
            cm_free(label);
        }
        cm_free(name);
    }
    return err;
}

enum cm_err
cfg_check(const struct cfg *c, struct buf *why)
{
    if (c->max_connections < c->threads) {
        buf_addf(why, "max_connections: must be at least threads (%u)",
                 c->threads);
        return CM_ERR_VALIDATION_FAILED;
    }
    if (c->max_connections_per_ip > c->max_connections) {
        buf_adds(why,
                 "max_connections_per_ip: must not exceed max_connections");
        return CM_ERR_VALIDATION_FAILED;
    }
    return CM_ERR_OK;
}

static bool
is_host_char(char ch)
{
    return isalnum((unsigned char)ch) || ch == '.' || ch == '-';
}

enum cm_err
cfg_parse_listen(const char *value,
                 char host[CFG_HOST_MAX + 1],
                 unsigned short *port)
{
    const char *hb, *he, *colon;
    unsigned long long n = 0;

    if (value[0] == '[') {
        hb = value + 1;
        he = strchr(hb, ']');
        if (!he || he[1] != ':')
            return CM_ERR_VALIDATION_FAILED;
        colon = he + 1;
        for (const char *q = hb; q < he; q++) {
            if (!isxdigit((unsigned char)*q) && *q != ':' && *q != '.')
                return CM_ERR_VALIDATION_FAILED;
        }
    } else {
        hb = value;
        colon = strchr(value, ':');
        if (!colon || strchr(colon + 1, ':'))
            return CM_ERR_VALIDATION_FAILED;
        he = colon;
        for (const char *q = hb; q < he; q++) {
            if (!is_host_char(*q))
                return CM_ERR_VALIDATION_FAILED;
        }
    }
    if (he == hb || (size_t)(he - hb) > CFG_HOST_MAX || strlen(colon + 1) > 5 ||
        !parse_number(colon + 1, false, &n) || n > 65535)
        return CM_ERR_VALIDATION_FAILED;
    memcpy(host, hb, (size_t)(he - hb));
    host[he - hb] = '\0';
    *port = (unsigned short)n;
    return CM_ERR_OK;
}

void
cfg_help(struct buf *out)
{
    for (size_t i = 0; i < N_KEYS; i++) {
        buf_adds(out, "  --");
        for (const char *q = keys[i].name; *q; q++)
            buf_addch(out, *q == '_' ? '-' : *q);
        buf_addf(out, " VALUE\n      %s\n      (default %s; env COMPEL_",
                 keys[i].help, keys[i].def);
        for (const char *q = keys[i].name; *q; q++)
            buf_addch(out, (char)toupper((unsigned char)*q));
        buf_adds(out, ")\n");
    }
}
