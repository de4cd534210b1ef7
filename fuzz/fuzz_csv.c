/*
 * fuzz_csv.c: the CSV reader (render/csv.h), which reads every imported
 * file and HTTP import body. Each record read is written back with the
 * writer and read again: the second reading must give the same fields
 * (the writer and reader agree on every value the reader can produce).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "render/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct csv_reader r;
    struct csv_record rec;
    struct csv_error err;
    int rc;

    csv_reader_init(&r, (const char *)data, size);
    while ((rc = csv_reader_next(&r, &rec, &err)) == 1) {
        struct buf out = BUF_INIT;
        struct csv_reader again;
        struct csv_record rec2;
        struct csv_error err2;

        csv_write_row(&out, rec.fields, rec.nfields);
        csv_reader_init(&again, out.data, out.len);
        if (csv_reader_next(&again, &rec2, &err2) != 1 ||
            rec2.nfields != rec.nfields)
            abort();
        for (size_t i = 0; i < rec.nfields; i++)
            if (rec.lens[i] != rec2.lens[i] ||
                memcmp(rec.fields[i], rec2.fields[i], rec.lens[i]) != 0)
                abort();
        csv_reader_release(&again);
        buf_release(&out);
    }
    if (rc < 0 && (err.line < 1 || err.column < 1 || !err.reason))
        abort();
    csv_reader_release(&r);
    return 0;
}
