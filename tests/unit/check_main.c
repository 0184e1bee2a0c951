/* check_main.c - runs every Check suite of the C modules. */
#include <stdlib.h>

#include "suites.h"

int main(void) {
  SRunner *sr = srunner_create(num_suite());
  srunner_add_suite(sr, decimal_suite());
  srunner_add_suite(sr, unit_suite());
  srunner_add_suite(sr, parse_suite());
  srunner_add_suite(sr, vm_suite());
  srunner_add_suite(sr, disasm_suite());
  srunner_add_suite(sr, memory_suite());
  srunner_add_suite(sr, fileio_suite());
  srunner_add_suite(sr, link_suite());
  srunner_add_suite(sr, robust_suite());
  srunner_add_suite(sr, scale_suite());
  srunner_add_suite(sr, diag_suite());
  srunner_add_suite(sr, progress_suite());
  srunner_add_suite(sr, help_suite());
  srunner_add_suite(sr, export_suite());
  srunner_add_suite(sr, format_suite());
  srunner_add_suite(sr, sweep_suite());
  srunner_add_suite(sr, csvread_suite());
  srunner_add_suite(sr, buffer_suite());
  srunner_add_suite(sr, plot_suite());
  srunner_add_suite(sr, shard_suite());
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
