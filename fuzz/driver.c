/*
 * driver.c: runs a fuzz target's entry point over files, without libFuzzer.
 *
 * `make check` builds every fuzz target with this driver (with gcc, under
 * ASan+UBSan) and replays its corpus, including every past crasher kept in
 * fuzz/corpus/<target>/, so a regression fails the ordinary test suite.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/buf.h"
#include "core/file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
main(int argc, char **argv)
{
    int n = 0;

    for (int i = 1; i < argc; i++) {
        struct buf b = BUF_INIT;

        if (file_read_all(argv[i], 1 << 24, &b) != CM_ERR_OK) {
            (void)fprintf(stderr, "driver: cannot read %s\n", argv[i]);
            return 1;
        }
        (void)LLVMFuzzerTestOneInput((const uint8_t *)b.data, b.len);
        buf_release(&b);
        n++;
    }
    (void)printf("replayed %d inputs\n", n);
    return 0;
}
