/* check_scale.c - Check tests for large generated programs: more than
 * 65,536 constants or globals (the wide instructions of opcodes.h), long
 * flat chains of operators (not "nested too deeply"), and the cap on the
 * number of errors reported for one text.
 *
 * The programs are built here in C (too large for script tests); each test
 * runs in well under a second.  How long they take is measured by
 * bench/scale.sh, never asserted here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buffer.h"
#include "interp.h"
#include "suites.h"

/* ---- an interpreter whose streams are in memory ------------------------ */

static Interp *I;
static FILE *out_f, *err_f;
static char *out_buf, *err_buf;
static size_t out_len, err_len;

static void setup(void) {
  out_f = open_memstream(&out_buf, &out_len);
  err_f = open_memstream(&err_buf, &err_len);
  ck_assert(out_f && err_f);
  I = interp_new(&(InterpOptions){.out = out_f, .err = err_f});
  ck_assert_ptr_nonnull(I);
}

static void teardown(void) {
  interp_free(I);
  fclose(out_f);
  fclose(err_f);
  free(out_buf);
  free(err_buf);
}

typedef struct {
  InterpResult r;
  char *out, *err; /* what this evaluation printed (malloc'd) */
} Run;

static Run run(const char *text) {
  fflush(out_f);
  fflush(err_f);
  size_t o = out_len, e = err_len;
  Run r;
  r.r = interp_eval(I, "t", text, false);
  fflush(out_f);
  fflush(err_f);
  r.out = strndup(out_buf + o, out_len - o);
  r.err = strndup(err_buf + e, err_len - e);
  return r;
}

static void run_free(Run *r) {
  free(r->out);
  free(r->err);
}

/* Runs without error and prints exactly `want`. */
static void expect_out(const char *text, const char *want) {
  Run r = run(text);
  ck_assert_msg(r.r == INTERP_OK && strcmp(r.out, want) == 0 && r.err[0] == '\0',
                "want OK and output:\n%s-- got %d, output:\n%.2000s-- errors:\n%.2000s", want, r.r, r.out,
                r.err);
  run_free(&r);
}

static int count(const char *text, const char *what) {
  int n = 0;
  for (const char *p = text; (p = strstr(p, what)) != NULL; p++) n++;
  return n;
}

/* The disassembly of `text` (interp_dump), malloc'd. */
static char *dump(const char *text) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  ck_assert_ptr_nonnull(f);
  InterpResult r = interp_dump(I, "t", text, f);
  fclose(f);
  ck_assert_msg(r == INTERP_OK, "the program does not compile");
  return buf;
}

/* `n` lines `let vI = I.5`: n distinct constants and n globals. */
static void many_lets(Buffer *b, int n) {
  for (int i = 0; i < n; i++) buf_printf(b, "let v%d = %d.5\n", i, i);
}

/* ---- constants and globals beyond 65,536 -------------------------------- */

/* Before the wide instructions, the 65,537th constant was "too many
 * constants in one function (at most 65536)", once per line after it. */
START_TEST(test_many_constants) {
  Buffer b;
  buf_init(&b);
  many_lets(&b, 100000);
  buf_puts(&b, "print v0, v65535, v65536, v99999, v70000 + v1\n");
  expect_out(b.data, "0.5 65535.5 65536.5 99999.5 70002\n");
  buf_free(&b);
}
END_TEST

/* Before, the global slot was cut to 16 bits without a word: with 70,000
 * globals, `g5 = 7` also changed g65541. */
START_TEST(test_many_globals) {
  Buffer b;
  buf_init(&b);
  for (int i = 0; i < 70000; i++) buf_printf(&b, "let g%d = %d\n", i, i % 100);
  buf_puts(&b, "g5 = 7\nprint g5, g65541\ng65541 = g65541 + 1000\ng65542 = g65542 + 1\nprint g5, g65541, g65542\n");
  expect_out(b.data, "7 41\n7 1041 43\n");
  buf_free(&b);
}
END_TEST

/* Each instruction with a constant or a global slot in its wide form, and
 * the fused instructions falling back to plain ones past 65,535. */
START_TEST(test_wide_forms) {
  Buffer b;
  buf_init(&b);
  many_lets(&b, 70000);
  buf_puts(&b, "let r = {late_field: 5}\n"
               "r.late_field = r.late_field + 1\n"
               "fn late(x) = x + v69999\n"
               "let n = 0\n"
               "n = n + 1\n"
               "n = n + v3\n"
               "if v69998 < 123456.5 { print \"lt\" }\n"
               "if n + 1 > 77777.25 { print \"no\" } else { print \"ge\" }\n"
               "print r.late_field, late(0.5), n\n");
  expect_out(b.data, "lt\nge\n6 70000 4.5\n");
  char *listing = dump(b.data);
  const char *wide[] = {"CONST_W", "GET_GLOBAL_W", "SET_GLOBAL_W", "DEFINE_GLOBAL_W",
                        "GET_FIELD_W", "SET_FIELD_W", "CLOSURE_W"};
  for (size_t i = 0; i < sizeof wide / sizeof wide[0]; i++)
    ck_assert_msg(strstr(listing, wide[i]), "no %s in the listing", wide[i]);
  ck_assert_msg(strstr(listing, "CLOSURE_W          #70001 <fn late>"), "the wide closure is decoded: %.300s",
                strstr(listing, "CLOSURE_W"));
  free(listing);
  buf_free(&b);
}
END_TEST

/* ---- long chains are not nesting ---------------------------------------- */

/* Before, a sum of more than 2,000 terms was "this expression is nested
 * too deeply": the compiler recursed down the left operands. */
START_TEST(test_long_chains) {
  Buffer b;
  buf_init(&b);
  buf_puts(&b, "let s = 1");
  for (int i = 1; i < 100000; i++) buf_puts(&b, i % 2 ? " + 2" : " - 1");
  buf_puts(&b, "\nprint s\nlet u = true\nlet t = u");
  for (int i = 1; i < 20000; i++) buf_puts(&b, " and u");
  buf_puts(&b, "\nprint t\nlet f = false\nlet x = f");
  for (int i = 1; i < 20000; i++) buf_puts(&b, " or f");
  buf_puts(&b, " or 5 > 4\nprint x\n");
  expect_out(b.data, "50002\ntrue\ntrue\n");
  buf_free(&b);
  /* real nesting still has its limit */
  buf_init(&b);
  buf_puts(&b, "print ");
  for (int i = 0; i < 3000; i++) buf_puts(&b, "-");
  buf_puts(&b, "1\n");
  Run r = run(b.data);
  ck_assert_msg(r.r == INTERP_ERROR && strstr(r.err, "nested too deeply"), "got:\n%.500s", r.err);
  run_free(&r);
  buf_free(&b);
}
END_TEST

/* ---- the cap on errors --------------------------------------------------- */

/* Before, each of 100,000 bad lines was reported (and each message scanned
 * the text from its start). */
START_TEST(test_error_limit) {
  Buffer b;
  buf_init(&b);
  for (int i = 0; i < 100000; i++) buf_puts(&b, "let = 1\n");
  Run r = run(b.data);
  ck_assert_int_eq(r.r, INTERP_ERROR);
  ck_assert_msg(count(r.err, ": error: ") == 21 && strstr(r.err, "t: error: too many errors; stopping\n"),
                "want 20 errors and the stop, got %d:\n%.3000s", count(r.err, ": error: "), r.err);
  ck_assert_msg(strstr(r.err, "t:20:5: error:") && !strstr(r.err, "t:21:"), "the first 20 lines:\n%.3000s", r.err);
  run_free(&r);
  buf_clear(&b);
  /* compile errors too */
  for (int i = 0; i < 100000; i++) buf_printf(&b, "print nowhere%d\n", i);
  r = run(b.data);
  ck_assert_int_eq(r.r, INTERP_ERROR);
  ck_assert_msg(count(r.err, ": error: ") == 21 && strstr(r.err, "t: error: too many errors; stopping\n"),
                "want 20 errors and the stop, got %d:\n%.3000s", count(r.err, ": error: "), r.err);
  run_free(&r);
  buf_clear(&b);
  /* a message far down a long text quotes the right line */
  many_lets(&b, 150000);
  buf_puts(&b, "print v149999 +\n");
  r = run(b.data);
  ck_assert_msg(strstr(r.err, "t:150001:16: error: syntax error: unexpected end of input\n"
                              "150001 | print v149999 +\n"
                              "      |                ^\n"),
                "got:\n%.1000s", r.err);
  run_free(&r);
  buf_free(&b);
}
END_TEST

Suite *scale_suite(void) {
  Suite *s = suite_create("scale");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 120); /* under sanitizers */
  tcase_add_test(tc, test_many_constants);
  tcase_add_test(tc, test_many_globals);
  tcase_add_test(tc, test_wide_forms);
  tcase_add_test(tc, test_long_chains);
  tcase_add_test(tc, test_error_limit);
  suite_add_tcase(s, tc);
  return s;
}
