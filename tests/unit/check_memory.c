/* check_memory.c - Check tests for running out of memory: the one error
 * path of memory.c raises "out of memory" as an ordinary runtime error
 * inside a protected call, and the interpreter goes on afterwards.
 *
 * Memory is made to run out with the test aid mem_set_limit, which makes
 * mem_realloc fail once the counted heap would grow beyond a limit (as
 * Lua's test allocator does); nothing here depends on the machine's
 * memory or on ulimit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "interp.h"
#include "memory.h"
#include "state.h"
#include "suites.h"

/* An interpreter whose streams are in memory. */
static Interp *I;
static FILE *out_f, *err_f;
static char *out_buf, *err_buf;
static size_t out_len, err_len;

static void setup(void) {
  out_f = open_memstream(&out_buf, &out_len);
  err_f = open_memstream(&err_buf, &err_len);
  ck_assert(out_f && err_f);
  I = interp_new(&(InterpOptions){.out = out_f, .err = err_f});
}

static void teardown(void) {
  interp_free(I);
  I = NULL;
  fclose(out_f);
  fclose(err_f);
  free(out_buf);
  free(err_buf);
}

typedef struct {
  InterpResult r;
  char *out, *err; /* what this evaluation printed (malloc'd) */
} Run;

static Run eval(const char *text) {
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

static void expect_out(const char *text, const char *want) {
  Run r = eval(text);
  ck_assert_msg(r.r == INTERP_OK && strcmp(r.out, want) == 0 && r.err[0] == '\0',
                "program:\n%s\n-- want OK and output:\n%s-- got %d, output:\n%s-- errors:\n%s", text,
                want, r.r, r.out, r.err);
  run_free(&r);
}

static void expect_out_of_memory(const char *text, const char *want_out) {
  Run r = eval(text);
  ck_assert_msg(r.r == INTERP_ERROR && strcmp(r.out, want_out) == 0 && strstr(r.err, "error: out of memory"),
                "program:\n%s\n-- want ERROR \"out of memory\" after output:\n%s-- got %d, output:\n%s"
                "-- errors:\n%s",
                text, want_out, r.r, r.out, r.err);
  run_free(&r);
}

/* Back at rest after the error, and the failed evaluation's garbage is
 * gone (interp_eval collects after an out-of-memory error). */
static void expect_recovered(size_t limit) {
  ck_assert_msg(I->frame_count == 0 && I->sp == I->stack && I->err_jmp == NULL,
                "the VM is not at rest after the error");
  ck_assert_msg(!I->out_of_memory, "the out-of-memory flag is still set");
  ck_assert_msg(I->bytes_allocated < limit / 2, "%zu bytes still counted after the error (limit %zu)",
                I->bytes_allocated, limit);
}

#define LIMIT ((size_t)8 << 20)

/* A list that grows without end: its array's realloc fails. */
START_TEST(test_list_runs_out) {
  mem_set_limit(I, I->bytes_allocated + LIMIT);
  expect_out_of_memory("fn grow() {\n"
                       "  let xs = []\n"
                       "  let i = 0\n"
                       "  while true { append(xs, i)\n i = i + 1 }\n"
                       "}\n"
                       "print \"before\"\n"
                       "grow()\n"
                       "print \"not reached\"\n",
                       "before\n");
  expect_recovered(I->mem_limit);
  expect_out("print 1 + 1\n", "2\n");
  expect_out("let ys = []\nfor i in 1..1000 { append(ys, i) }\nprint len(ys), sum(ys)\n", "1000 500500\n");
}
END_TEST

/* A text that doubles without end: the string object's allocation fails. */
START_TEST(test_string_runs_out) {
  mem_set_limit(I, I->bytes_allocated + LIMIT);
  expect_out_of_memory("let s = \"0123456789abcdef0123456789abcdef0123456789abcdef\"\n"
                       "while true { s = s + s }\n",
                       "");
  expect_recovered(I->mem_limit * 2); /* s is a global: the last text that fitted stays */
  expect_out("print 1 + 1\n", "2\n");
}
END_TEST

/* Many small objects (records in a list): obj_alloc fails, in a function
 * called from a function; the error unwinds both frames. */
START_TEST(test_records_run_out) {
  mem_set_limit(I, I->bytes_allocated + LIMIT);
  expect_out_of_memory("fn item(i) = {n: i, twice: 2 * i}\n"
                       "fn fill(xs) { while true { append(xs, item(len(xs))) } }\n"
                       "fill([])\n",
                       "");
  expect_recovered(I->mem_limit);
  expect_out("print {a: 1}.a + 1\n", "2\n");
}
END_TEST

/* Out of memory while compiling at the top level (no protected call of
 * the caller's): reported as an error, not an exit. */
START_TEST(test_compile_runs_out) {
  size_t base = I->bytes_allocated;
  mem_set_limit(I, base + ((size_t)64 << 10));
  char *text = malloc(200000);
  size_t at = (size_t)sprintf(text, "let xs = [");
  for (int i = 0; i < 20000; i++) at += (size_t)sprintf(text + at, "%d, ", i * 7 + 100000);
  sprintf(text + at, "0]\nprint len(xs)\n");
  expect_out_of_memory(text, "");
  free(text);
  expect_out("print 1 + 1\n", "2\n");
  mem_set_limit(I, 0);
  expect_out("let ys = [1, 2, 3]\nprint len(ys)\n", "3\n");
}
END_TEST

/* Memory runs out at every step of compiling and running a program that
 * touches most allocation sites (constants and their index, records with
 * a field index, lists, texts, closures, big numbers): each time the
 * evaluation either finishes or fails with "out of memory", and the
 * interpreter is whole afterwards.  Under AddressSanitizer (make
 * check-asan) this finds a structure left pointing at freed memory. */
START_TEST(test_fails_at_every_step) {
  const char *program =
      "let ks = [101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115, 116, 117,\n"
      "          118, 119, 120, 121, 122, 123, 124, 125, 126, 127, 128, 129, 130, 131, 132, 133]\n"
      "fn make(i) = {a: i, b: i, c: i, d: i, e: i, f: i, g: i, h: i, j: i, k: i, l: i, m: i, n: i,\n"
      "              o: i, p: i, q: i, r: i}\n"
      "let rs = []\n"
      "for i in 1..60 { append(rs, make(i)) }\n"
      "let s = \"\"\n"
      "for i in 1..60 { s = s + \"{i},\" }\n"
      "fn adder(n) = fn(x) = x + n\n"
      "let add3 = adder(3)\n"
      "print sum(map(rs, fn(r) = r.q)), len(s), add3(sum(ks)), 2 ^ 100\n"
      "unit widget\n"
      "let w = sum(map(filter(ks, fn(k) = k mod 2 == 0), fn(k) = k * 1 widget / 3))\n"
      "let big = 3 ^ 80 * 7 - 1\n"
      "print w, big mod 1000, 1/3 + 1/7, join(sort([\"b\", \"c\", \"a\"]), \"-\"), unit_of(w)\n";
  const char *want = "1830 171 3864 1267650600228229401496703205376\n"
                     "624 widget 206 10/21 a-b-c widget\n";
  bool finished = false;
  for (size_t extra = 0; !finished && extra < ((size_t)1 << 20); extra += 64) {
    teardown();
    setup();
    mem_set_limit(I, I->bytes_allocated + extra);
    Run r = eval(program);
    ck_assert_msg(r.r == INTERP_OK || (r.r == INTERP_ERROR && strstr(r.err, "out of memory")),
                  "with %zu bytes to spare: result %d, errors:\n%s", extra, r.r, r.err);
    finished = r.r == INTERP_OK;
    if (finished) ck_assert_str_eq(r.out, want);
    run_free(&r);
    mem_set_limit(I, 0);
    expect_out("let t = {x: [1, 2, 3]}\nprint 1 + 1, len(t.x)\n", "2 3\n");
  }
  ck_assert_msg(finished, "the program never finished");
}
END_TEST

/* Without a protected call there is no one to raise to: print and exit 1. */
START_TEST(test_unprotected_exits) {
  mem_set_limit(I, I->bytes_allocated + 1024);
  ck_assert_ptr_null(I->err_jmp);
  ck_assert_ptr_nonnull(freopen("/dev/null", "w", stderr)); /* the message is expected */
  mem_realloc(I, NULL, 0, 4096);
  ck_abort_msg("mem_realloc returned beyond the limit");
}
END_TEST

/* No limit: the test aid is off by default and mem_realloc just works. */
/* The operating system's limit on the process, as `ulimit -v` sets it: a
 * program that wants more memory than the process may have ends in an
 * "out of memory" error, and the interpreter goes on.  Not under
 * AddressSanitizer, which reserves terabytes of address space at start. */
START_TEST(test_address_space_limit) {
#ifndef __SANITIZE_ADDRESS__
  struct rlimit rl = {(rlim_t)768 << 20, (rlim_t)768 << 20};
  ck_assert_int_eq(setrlimit(RLIMIT_AS, &rl), 0);
  Run r = eval("let s = \"x\"\nfor i in 1..26 { s = s + s }\n"
               "let xs = []\nfor i in 1..1000 { append(xs, s + str(i)) }\n");
  ck_assert_msg(r.r == INTERP_ERROR && strstr(r.err, "out of memory"), "want out of memory, got %d: %.500s", r.r,
                r.err);
  run_free(&r);
  expect_out("xs = []\nprint 1 + 1\n", "2\n");
#endif
}
END_TEST

START_TEST(test_no_limit_by_default) {
  ck_assert_uint_eq(I->mem_limit, 0);
  expect_out("let s = \"ab\"\nfor i in 1..20 { s = s + s }\nprint len(s)\n", "2097152\n");
}
END_TEST

Suite *memory_suite(void) {
  Suite *s = suite_create("memory");
  TCase *tc = tcase_create("out of memory");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_list_runs_out);
  tcase_add_test(tc, test_string_runs_out);
  tcase_add_test(tc, test_records_run_out);
  tcase_add_test(tc, test_compile_runs_out);
  tcase_add_test(tc, test_fails_at_every_step);
  tcase_add_test(tc, test_no_limit_by_default);
  tcase_add_test(tc, test_address_space_limit);
  suite_add_tcase(s, tc);
  TCase *tx = tcase_create("no protected call");
  tcase_add_checked_fixture(tx, setup, teardown);
  tcase_add_exit_test(tx, test_unprotected_exits, 1);
  suite_add_tcase(s, tx);
  return s;
}
