/* suites.h - the Check suites of the unit-test runner (check_main.c). */
#ifndef CLUSIM_TEST_SUITES_H
#define CLUSIM_TEST_SUITES_H

#include <check.h>

Suite *num_suite(void);
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

#endif
