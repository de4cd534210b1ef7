/*
 * log.h: one line per event on standard error, as key=value pairs.
 *
 *   2026-11-28T10:00:00.12Z level=info src=server.c:42 req=ab12 msg="..."
 *
 * Our bugs are logged at ERROR, client mistakes at INFO. Never log secrets,
 * tokens, passwords, request bodies or personal data: the audit trail is
 * data in the store, not log lines.
 */
#ifndef CM_CORE_LOG_H
#define CM_CORE_LOG_H

enum log_level {
    LOG_LEVEL_DEBUG,
    LOG_LEVEL_INFO,
    LOG_LEVEL_WARN,
    LOG_LEVEL_ERROR,
    LOG_LEVEL_OFF
};

/* Set the lowest level written (default INFO). Call before threads start. */
void log_set_level(enum log_level level);

/* Parse "debug", "info", "warn", "error" or "off"; 0 on success. */
int log_parse_level(const char *s, enum log_level *out);

/* Write one line. `req` is the request id or NULL; `fmt` formats the
 * free-text message, which is quoted. Thread-safe (one write per line). */
void log_write(enum log_level level,
               const char *file,
               int line,
               const char *req,
               const char *fmt,
               ...) __attribute__((format(printf, 5, 6)));

#define LOG_DEBUG(...) \
    log_write(LOG_LEVEL_DEBUG, __FILE__, __LINE__, NULL, __VA_ARGS__)
#define LOG_INFO(...) \
    log_write(LOG_LEVEL_INFO, __FILE__, __LINE__, NULL, __VA_ARGS__)
#define LOG_WARN(...) \
    log_write(LOG_LEVEL_WARN, __FILE__, __LINE__, NULL, __VA_ARGS__)
#define LOG_ERROR(...) \
    log_write(LOG_LEVEL_ERROR, __FILE__, __LINE__, NULL, __VA_ARGS__)

#endif
