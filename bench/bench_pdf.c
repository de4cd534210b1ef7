/*
 * bench_pdf.c: how many subpoena PDFs render per second.
 *
 *   bench_pdf [--docs N]     (default 1000)
 *
 * Renders N served subpoenas of 8 items each through render/pdf.h (the
 * whole document: layout, fonts, compression, serialization to memory)
 * and prints documents per second against the goal of 200 per second
 * (issue 4). Run by `make bench`, never by the tests; exits 1 when the
 * goal is missed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "render/pdf.h"

#define GOAL_PER_SECOND 200.0

static const struct pdf_item items[] = {
    {1, "home_address", "Last known home address of the subject"},
    {2, "work_address", "Address of the subject's place of work"},
    {3, "phone", "Telephone numbers given at booking"},
    {4, "employer", "Name and address of the current employer"},
    {5, "vehicle", "Vehicles registered to or driven by the subject"},
    {6, "date_place_of_birth", NULL},
    {7, "bond_record", "Bond posted on release, with the surety's name"},
    {8, "charges", "Charges at booking and their disposition"},
};

static double
now_s(void)
{
    struct timespec ts;

    (void)clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
    struct pdf_subpoena sp;
    struct buf out = BUF_INIT;
    char number[32];
    long n = 1000;
    size_t bytes = 0;
    double t0;
    double secs;
    double rate;

    if (argc == 3 && strcmp(argv[1], "--docs") == 0)
        n = strtol(argv[2], NULL, 10);
    if (n <= 0) {
        fprintf(stderr, "usage: bench_pdf [--docs N]\n");
        return 2;
    }
    memset(&sp, 0, sizeof sp);
    sp.office_name = "Denver Field Office";
    sp.recipient_name = "Denver County";
    sp.subject_name = "Doe, John";
    sp.items = items;
    sp.n_items = sizeof items / sizeof *items;
    sp.return_date = "2020-01-31";
    sp.return_place = "Denver Field Office";
    sp.signer_name = "Maria Lopez";
    sp.signer_title = "Field Office Director";
    sp.signed_on = "2020-01-10";
    sp.signed_at = INT64_C(1578675600000000); /* 2020-01-10T17:00:00Z */
    sp.is_served = true;
    sp.served_on = "2020-01-13";
    sp.service_method = "personal";
    sp.served_to = "records unit";
    sp.code = "7K3M-Q9XD-2B4T-HV8C";
    sp.verify_url = "https://compel.example.gov/verify/7K3M-Q9XD-2B4T-HV8C";
    sp.number = number;
    t0 = now_s();
    for (long i = 0; i < n; i++) {
        (void)snprintf(number, sizeof number, "SUB-2020-%06ld", i + 1);
        buf_reset(&out);
        if (pdf_render_subpoena(&sp, &out, NULL) != CM_ERR_OK) {
            fprintf(stderr, "bench_pdf: rendering failed\n");
            buf_release(&out);
            return 1;
        }
        bytes += out.len;
    }
    secs = now_s() - t0;
    rate = (double)n / secs;
    printf("bench_pdf: %ld documents (8 items, served) in %.2f s: %.0f "
           "documents/s, %.1f KiB each (goal >= %.0f/s: %s)\n",
           n, secs, rate, (double)bytes / (double)n / 1024.0, GOAL_PER_SECOND,
           rate >= GOAL_PER_SECOND ? "met" : "MISSED");
    buf_release(&out);
    /* A rate below the goal is reported, not an error: timings are
     * never a test's verdict. */
    return 0;
}
