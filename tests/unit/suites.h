/* suites.h - the Check suites of the unit-test runner (check_main.c). */
#ifndef CLUSIM_TEST_SUITES_H
#define CLUSIM_TEST_SUITES_H

#include <check.h>

#include <gmp.h> /* before num.h, which uses mpz_t without including it */

#include "num.h"

/* Shared by the number suites (defined in check_num.c): the printed form
 * of a number (num_format), kept for the next three calls; and rounding
 * computed independently with GMP, the reference for num_round. */
const char *check_num_text(Interp *I, Value v);
void check_ref_round(mpq_ptr r, mpq_srcptr x, int digits, RoundMode mode);

Suite *num_suite(void);
Suite *decimal_suite(void);
Suite *unit_suite(void);
Suite *parse_suite(void);
Suite *vm_suite(void);
Suite *disasm_suite(void);
Suite *memory_suite(void);
Suite *fileio_suite(void);
Suite *link_suite(void);
Suite *robust_suite(void);
Suite *scale_suite(void);
Suite *diag_suite(void);
Suite *progress_suite(void);
Suite *help_suite(void);
Suite *export_suite(void);
Suite *format_suite(void);
Suite *sweep_suite(void);
Suite *csvread_suite(void);
Suite *buffer_suite(void);
Suite *plot_suite(void);
Suite *shard_suite(void);

#endif
