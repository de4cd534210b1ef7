/*
 * log.c: the line logger of log.h.
 */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/redact.h"

static enum log_level min_level = LOG_LEVEL_INFO;

static const char *const level_names[] = {"debug", "info", "warn", "error",
                                          "off"};

void
log_set_level(enum log_level level)
{
    min_level = level;
}

int
log_parse_level(const char *s, enum log_level *out)
{
    for (int i = 0; i <= (int)LOG_LEVEL_OFF; i++) {
        if (strcmp(s, level_names[i]) == 0) {
            *out = (enum log_level)i;
            return 0;
        }
    }
    return -1;
}

void
log_write(enum log_level level,
          const char *file,
          int line,
          const char *req,
          const char *fmt,
          ...)
{
    struct buf b = BUF_INIT;
    struct buf raw = BUF_INIT;
    struct buf msg = BUF_INIT;
    struct timespec ts;
    struct tm tm;
    const char *base;
    va_list ap;

    if (level < min_level || level >= LOG_LEVEL_OFF)
        return;
    (void)clock_gettime(CLOCK_REALTIME, &ts);
    (void)gmtime_r(&ts.tv_sec, &tm);
    base = strrchr(file, '/');
    base = base ? base + 1 : file;
    va_start(ap, fmt);
    buf_vaddf(&raw, fmt, ap);
    va_end(ap);
    redact_add(&msg, raw.data ? raw.data : "", raw.len);
    buf_release(&raw);
    buf_addf(&b, "%04d-%02d-%02dT%02d:%02d:%02d.%02ldZ level=%s src=%s:%d",
             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
             tm.tm_min, tm.tm_sec, ts.tv_nsec / 10000000L, level_names[level],
             base, line);
    if (req)
        buf_addf(&b, " req=%s", req);
    buf_adds(&b, " msg=\"");
    for (size_t i = 0; i < msg.len; i++) {
        char c = msg.data[i];

        if (c == '"' || c == '\\')
            buf_addch(&b, '\\');
        buf_addch(&b, (c == '\n' || c == '\r') ? ' ' : c);
    }
    buf_adds(&b, "\"\n");
    (void)!write(STDERR_FILENO, b.data, b.len);
    buf_release(&msg);
    buf_release(&b);
}
