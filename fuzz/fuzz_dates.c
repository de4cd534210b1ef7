/*
 * fuzz_dates.c: the date, date-time and RFC 3339 parsers, and a day-rule
 * deadline computed from whatever date parses, with the period taken from
 * the input too. These parse the CLI's --from/--days arguments and every
 * date field of the API.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "domain/calendar.h"
#include "domain/date.h"
#include "domain/deadline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = cm_strndup((const char *)data, size > 64 ? 64 : size);
    int32_t day;
    int64_t t;
    int64_t utc;
    int32_t offset;

    if (date_parse(s, &day) == CM_ERR_OK) {
        struct calendar cal;
        struct deadline_result r;
        int64_t days = size > 0 ? (int64_t)data[size - 1] : 14;

        calendar_init_federal(&cal);
        if (deadline_compute_days(&cal, "frcp6-days", day, days,
                                  DEADLINE_DIRECTION_AFTER, &r,
                                  NULL) == CM_ERR_OK) {
            struct buf b = BUF_INIT;

            deadline_explain(&r, &b);
            buf_release(&b);
            deadline_result_release(&r);
        }
        calendar_release(&cal);
    }
    (void)date_time_parse_local(s, &t);
    (void)date_time_parse_rfc3339(s, &utc, &offset);
    cm_free(s);
    return 0;
}
