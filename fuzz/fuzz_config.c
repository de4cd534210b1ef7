/*
 * fuzz_config.c: the configuration a server starts from: a `key = value`
 * file (cfg_load_file, through a memory file), the COMPEL_<KEY>
 * environment (cfg_load_env, one variable per input line), the rules
 * joining keys (cfg_check) and the `listen` value (cfg_parse_listen).
 * Whatever the input, each answers OK or an error with its reason, and
 * frees everything.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/cfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a file: a memory file's /proc path in `path`; -1 when the
 * system cannot make one (then the file part is skipped). */
static int
memory_file(const uint8_t *data, size_t size, char path[64])
{
    int fd = memfd_create("fuzz_config", 0);

    if (fd < 0)
        return -1;
    if (size > 0 && write(fd, data, size) != (ssize_t)size) {
        (void)close(fd);
        return -1;
    }
    (void)snprintf(path, 64, "/proc/self/fd/%d", fd);
    return fd;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cfg c;
    struct buf why = BUF_INIT;
    char path[64];
    char host[CFG_HOST_MAX + 1];
    unsigned short port;
    char *text;
    char *env[9];
    size_t n = 0;
    int fd;

    if (size > 4096)
        return 0;
    cfg_init(&c);
    fd = memory_file(data, size, path);
    if (fd >= 0) {
        (void)cfg_load_file(&c, path, &why);
        (void)close(fd);
    }
    /* The same lines as environment variables (NUL-free up to 8). */
    text = cm_strndup((const char *)data, size);
    for (char *line = text; line && n < 8;) {
        char *next = strchr(line, '\n');

        if (next)
            *next++ = '\0';
        env[n++] = line;
        line = next;
    }
    env[n] = NULL;
    (void)cfg_load_env(&c, env, &why);
    (void)cfg_check(&c, &why);
    (void)cfg_parse_listen(text, host, &port);
    cm_free(text);
    buf_release(&why);
    cfg_release(&c);
    return 0;
}
