/*
 * zoneinfo.h: the I/O half of time zones: reading a zone's TZif file from
 * the system's IANA time zone database ($TZDIR, else /usr/share/zoneinfo).
 * Parsing the bytes is domain/tz.h's job.
 */
#ifndef CM_CORE_ZONEINFO_H
#define CM_CORE_ZONEINFO_H

#include <stdbool.h>

#include "core/buf.h"
#include "core/errors.h"

/* The longest zone name accepted, in bytes. */
#define ZONEINFO_NAME_MAX 128

/* The largest TZif file read, in bytes. */
#define ZONEINFO_FILE_MAX (256 * 1024)

/* True when `name` is shaped like an IANA zone name ("America/Denver",
 * "Etc/GMT+7", "UTC"): 1 to ZONEINFO_NAME_MAX bytes of letters, digits,
 * `_ + - /`, not starting or ending with `/`, no empty, `.` or `..`
 * component (so it cannot leave the zoneinfo directory). */
bool zoneinfo_is_valid_name(const char *name);

/* Read the TZif file of zone `name` into `*out` (written only on success;
 * release with buf_release). Returns CM_ERR_VALIDATION_FAILED for a
 * malformed name, CM_ERR_NOT_FOUND when the database has no such zone
 * (or it is a directory), CM_ERR_IO when the file cannot be read or is
 * larger than ZONEINFO_FILE_MAX. */
enum cm_err zoneinfo_read(const char *name, struct buf *out);

#endif
