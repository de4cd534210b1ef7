/*
 * zoneinfo.c: find and read a zone's TZif file. The name is checked
 * character by character before it becomes part of a path, so a request
 * cannot name a file outside the zoneinfo directory.
 */
#include "core/zoneinfo.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/file.h"

#define ZONEINFO_DEFAULT_DIR "/usr/share/zoneinfo"

static bool
is_name_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= '0' && c <= '9') || c == '_' || c == '+' || c == '-' ||
           c == '/';
}

bool
zoneinfo_is_valid_name(const char *name)
{
    size_t len, start = 0;

    if (!name)
        return false;
    len = strlen(name);
    if (len == 0 || len > ZONEINFO_NAME_MAX)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (!is_name_char(name[i]))
            return false;
    }
    /* Every component between slashes is non-empty. Dots are not name
     * characters at all, so `.` and `..` cannot occur. */
    for (size_t i = 0; i <= len; i++) {
        if (i == len || name[i] == '/') {
            if (i == start)
                return false;
            start = i + 1;
        }
    }
    return true;
}

enum cm_err
zoneinfo_read(const char *name, struct buf *out)
{
    struct buf path = BUF_INIT;
    struct buf data = BUF_INIT;
    const char *dir = getenv("TZDIR");
    struct stat st;
    enum cm_err err;

    if (!zoneinfo_is_valid_name(name))
        return CM_ERR_VALIDATION_FAILED;
    if (!dir || !*dir)
        dir = ZONEINFO_DEFAULT_DIR;
    buf_addf(&path, "%s/%s", dir, name);
    if (stat(buf_str(&path), &st) != 0 || !S_ISREG(st.st_mode)) {
        err = CM_ERR_NOT_FOUND;
        goto out_path;
    }
    err = file_read_all(buf_str(&path), ZONEINFO_FILE_MAX, &data);
    if (err != CM_ERR_OK)
        goto out_path;
    buf_release(&path);
    *out = data;
    return CM_ERR_OK;
out_path:
    buf_release(&path);
    return err;
}
