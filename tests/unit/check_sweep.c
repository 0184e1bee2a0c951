/* check_sweep.c - Check tests for the grid of a sweep (world_sweep.h): its
 * size, refused beyond the limit without overflowing, and the values of
 * each case from its index alone (what a shard computing one case needs). */
#include <stdint.h>

#include "suites.h"
#include "world_sweep.h"

START_TEST(test_grid_size) {
  int64_t s1[] = {3, 2};
  ck_assert_int_eq(sweep_grid_size(s1, 2, SWEEP_MAX_CASES), 6);
  int64_t s2[] = {7};
  ck_assert_int_eq(sweep_grid_size(s2, 1, SWEEP_MAX_CASES), 7);
  ck_assert_int_eq(sweep_grid_size(s2, 0, SWEEP_MAX_CASES), 1); /* no params: the one case */
  int64_t s3[] = {100, 100};
  ck_assert_int_eq(sweep_grid_size(s3, 2, SWEEP_MAX_CASES), 10000); /* the limit itself */
  int64_t s4[] = {100, 101};
  ck_assert_int_eq(sweep_grid_size(s4, 2, SWEEP_MAX_CASES), -1);
  int64_t s5[] = {3, 0, 4};
  ck_assert_int_eq(sweep_grid_size(s5, 3, SWEEP_MAX_CASES), 0);
  /* sizes whose product overflows int64 many times over: refused, not wrapped */
  int64_t s6[] = {INT64_MAX, INT64_MAX, 2, INT64_MAX};
  ck_assert_int_eq(sweep_grid_size(s6, 4, SWEEP_MAX_CASES), -1);
  int64_t s7[] = {1, 1, 1, 10001};
  ck_assert_int_eq(sweep_grid_size(s7, 4, SWEEP_MAX_CASES), -1);
  ck_assert_int_eq(sweep_grid_size(s7, 4, INT64_MAX), 10001);
}
END_TEST

/* Cases in the order of nested loops, the last param fastest; each case's
 * digits from its index alone, every combination exactly once. */
START_TEST(test_grid_case) {
  int64_t sizes[] = {2, 3};
  int64_t want[6][2] = {{0, 0}, {0, 1}, {0, 2}, {1, 0}, {1, 1}, {1, 2}};
  for (int64_t k = 0; k < 6; k++) {
    int64_t d[2];
    sweep_grid_case(sizes, 2, k, d);
    ck_assert_int_eq(d[0], want[k][0]);
    ck_assert_int_eq(d[1], want[k][1]);
  }
  int64_t big[] = {5, 7, 11, 13};
  int seen[5 * 7 * 11 * 13] = {0};
  for (int64_t k = 0; k < 5 * 7 * 11 * 13; k++) {
    int64_t d[4];
    sweep_grid_case(big, 4, k, d);
    for (int i = 0; i < 4; i++) ck_assert(d[i] >= 0 && d[i] < big[i]);
    int64_t back = ((d[0] * 7 + d[1]) * 11 + d[2]) * 13 + d[3];
    ck_assert_int_eq(back, k);
    seen[back]++;
  }
  for (int k = 0; k < 5 * 7 * 11 * 13; k++) ck_assert_int_eq(seen[k], 1);
}
END_TEST

Suite *sweep_suite(void) {
  Suite *s = suite_create("sweep");
  TCase *tc = tcase_create("grid");
  tcase_add_test(tc, test_grid_size);
  tcase_add_test(tc, test_grid_case);
  suite_add_tcase(s, tc);
  return s;
}
