/* check_robust.c - Check tests for the faults of issue 7 that a script test
 * cannot show: a small C stack, signals to a run's worker processes, a
 * failing output stream.  (The script tests in tests/scripts show the rest.)
 *
 * Each test runs in its own process (Check's fork mode), so a test that
 * crashes fails alone.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "interp.h"
#include "suites.h"

/* ---- an interpreter whose streams are in memory ------------------------ */

typedef struct {
  Interp *I;
  FILE *out_f, *err_f;
  char *out_buf, *err_buf;
  size_t out_len, err_len;
} Box;

static void box_open_with(Box *b, InterpOptions o) {
  memset(b, 0, sizeof *b);
  b->out_f = open_memstream(&b->out_buf, &b->out_len);
  b->err_f = open_memstream(&b->err_buf, &b->err_len);
  ck_assert(b->out_f && b->err_f);
  if (!o.out) o.out = b->out_f;
  o.err = b->err_f;
  b->I = interp_new(&o);
  ck_assert_ptr_nonnull(b->I);
}

static void box_close(Box *b) {
  interp_free(b->I);
  fclose(b->out_f);
  fclose(b->err_f);
  free(b->out_buf);
  free(b->err_buf);
}

static const char *box_err(Box *b) {
  fflush(b->err_f);
  return b->err_buf ? b->err_buf : "";
}

/* ---- recursion through a built-in's callback, on a small C stack --------- */

/* A thread with a 1 MiB stack: before the count of nested calls from C
 * (CLUSIM_MAX_C_CALLS), the recursion below overflowed it (a crash); now
 * it ends in the ordinary error. */
typedef struct {
  const char *code;
  InterpResult r;
  char err[512];
} StackJob;

static void *stack_thread(void *ud) {
  StackJob *job = ud;
  Box b;
  box_open_with(&b, (InterpOptions){0});
  job->r = interp_eval(b.I, "t", job->code, false);
  snprintf(job->err, sizeof job->err, "%s", box_err(&b));
  box_close(&b);
  return NULL;
}

static void run_on_small_stack(const char *code) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  ck_assert_int_eq(pthread_attr_setstacksize(&attr, (size_t)1 << 20), 0);
  StackJob job = {code, INTERP_OK, ""};
  pthread_t t;
  ck_assert_int_eq(pthread_create(&t, &attr, stack_thread, &job), 0);
  pthread_join(t, NULL);
  pthread_attr_destroy(&attr);
  ck_assert_int_eq(job.r, INTERP_ERROR);
  ck_assert_msg(strstr(job.err, "recursion too deep") != NULL, "got: %s", job.err);
}

START_TEST(callback_recursion_sort) { run_on_small_stack("fn g(n) = sort([n, n], fn(x) = g(x + 1))\ng(1)\n"); }
END_TEST

START_TEST(callback_recursion_map) { run_on_small_stack("fn g(n) = map([n], fn(x) = g(x + 1))\ng(1)\n"); }
END_TEST

START_TEST(callback_recursion_filter) {
  run_on_small_stack("fn g(n) = filter([n], fn(x) = g(x + 1) != nil)\ng(1)\n");
}
END_TEST

/* After the error the count of nested calls is back at zero: the same
 * interpreter can nest callbacks 150 deep again, twice. */
START_TEST(callback_depth_recovers) {
  Box b;
  box_open_with(&b, (InterpOptions){0});
  ck_assert_int_eq(interp_eval(b.I, "t", "fn g(n) = map([n], fn(x) = g(x + 1))\ng(1)\n", false), INTERP_ERROR);
  ck_assert_int_eq(interp_eval(b.I, "t",
                               "fn h(n) { if n == 0 { return 0 }\n return sum(map([n], fn(x) = h(x - 1) + 1)) }\n"
                               "print h(150)\nprint h(150)\n",
                               false),
                   INTERP_OK);
  fflush(b.out_f);
  ck_assert_str_eq(b.out_buf, "150\n150\n");
  box_close(&b);
}
END_TEST

/* ---- a failing output stream -------------------------------------------- */

/* print to a full disk (/dev/full): the evaluation fails with a message,
 * never reports success with its output lost (clusim -e 'print 1' >
 * /dev/full exited 0).  Buffered: found when the output is flushed at the
 * end; unbuffered: at the print, which stops the program. */
static void expect_write_failure(bool buffered, const char *code, const char *want_err) {
  FILE *full = fopen("/dev/full", "w");
  ck_assert_ptr_nonnull(full);
  if (!buffered) setvbuf(full, NULL, _IONBF, 0);
  Box b;
  box_open_with(&b, (InterpOptions){.out = full});
  ck_assert_int_eq(interp_eval(b.I, "t", code, false), INTERP_ERROR);
  const char *err = box_err(&b);
  ck_assert_msg(strstr(err, want_err) != NULL, "want \"%s\" in: %s", want_err, err);
  ck_assert_msg(strstr(err, "cannot write the output") != NULL, "got: %s", err);
  box_close(&b);
  fclose(full);
}

START_TEST(output_full_buffered) { expect_write_failure(true, "print 1\n", "error: cannot write the output"); }
END_TEST

START_TEST(output_full_unbuffered) {
  expect_write_failure(false, "print 1\nprint 2\n", "t:1:1: error: cannot write the output");
}
END_TEST

Suite *robust_suite(void) {
  Suite *s = suite_create("robust");
  TCase *tc = tcase_create("c stack");
  tcase_add_test(tc, callback_recursion_sort);
  tcase_add_test(tc, callback_recursion_map);
  tcase_add_test(tc, callback_recursion_filter);
  tcase_add_test(tc, callback_depth_recovers);
  suite_add_tcase(s, tc);
  tc = tcase_create("output");
  tcase_add_test(tc, output_full_buffered);
  tcase_add_test(tc, output_full_unbuffered);
  suite_add_tcase(s, tc);
  return s;
}
