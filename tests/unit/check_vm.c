/* check_vm.c - Check tests for the compiler and the VM, through the public
 * interp_eval: arithmetic fast paths and their overflow into bignums,
 * closures and upvalues, errors and recovery, several interpreters, the
 * garbage collector under load, interruption, the prompt's echo, equality.
 *
 * Programs print; the tests compare what they printed on the output and
 * error streams (memory streams) with the expected text.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "interp.h"
#include "object.h"
#include "state.h"
#include "suites.h"

/* ---- an interpreter whose streams are in memory ------------------------ */

typedef struct {
  Interp *I;
  FILE *out_f, *err_f;
  char *out_buf, *err_buf;
  size_t out_len, err_len;
} Box;

static void box_open(Box *b, bool repl) {
  memset(b, 0, sizeof *b);
  b->out_f = open_memstream(&b->out_buf, &b->out_len);
  b->err_f = open_memstream(&b->err_buf, &b->err_len);
  ck_assert(b->out_f && b->err_f);
  b->I = interp_new(&(InterpOptions){.repl = repl, .out = b->out_f, .err = b->err_f});
  ck_assert_ptr_nonnull(b->I);
}

static void box_close(Box *b) {
  interp_free(b->I);
  fclose(b->out_f);
  fclose(b->err_f);
  free(b->out_buf);
  free(b->err_buf);
}

/* Texts handed to assertions live until the end of the test. */
static char *kept[4096];
static int nkept;

static const char *keep(const char *s, size_t n) {
  char *c = malloc(n + 1);
  memcpy(c, s, n);
  c[n] = '\0';
  if (nkept < (int)(sizeof kept / sizeof kept[0])) kept[nkept++] = c;
  return c;
}

typedef struct {
  InterpResult r;
  const char *out, *err; /* what this evaluation printed */
} Run;

static Run box_eval(Box *b, const char *text) {
  fflush(b->out_f);
  fflush(b->err_f);
  size_t o = b->out_len, e = b->err_len;
  Run r;
  r.r = interp_eval(b->I, "t", text, false);
  fflush(b->out_f);
  fflush(b->err_f);
  r.out = keep(b->out_buf + o, b->out_len - o);
  r.err = keep(b->err_buf + e, b->err_len - e);
  return r;
}

/* The default interpreter of each test (script mode). */
static Box box;

static void setup(void) {
  nkept = 0;
  box_open(&box, false);
}

static void teardown(void) {
  box_close(&box);
  for (int i = 0; i < nkept; i++) free(kept[i]);
  nkept = 0;
}

static const char *result_name(InterpResult r) {
  return r == INTERP_OK ? "OK" : r == INTERP_ERROR ? "ERROR" : r == INTERP_INCOMPLETE ? "INCOMPLETE" : "?";
}

/* Runs without error and prints exactly `want`. */
static void expect_out_in(Box *b, const char *text, const char *want) {
  Run r = box_eval(b, text);
  ck_assert_msg(r.r == INTERP_OK && strcmp(r.out, want) == 0 && r.err[0] == '\0',
                "program:\n%s\n-- want OK and output:\n%s-- got %s, output:\n%s-- errors:\n%s", text,
                want, result_name(r.r), r.out, r.err);
}

/* Fails with an error containing `want_err`, after printing `want_out`. */
static void expect_error_in(Box *b, const char *text, const char *want_out, const char *want_err) {
  Run r = box_eval(b, text);
  ck_assert_msg(r.r == INTERP_ERROR && strcmp(r.out, want_out) == 0 && strstr(r.err, want_err),
                "program:\n%s\n-- want ERROR containing \"%s\" after output:\n%s-- got %s, output:\n%s"
                "-- errors:\n%s",
                text, want_err, want_out, result_name(r.r), r.out, r.err);
}

#define expect_out(text, want) expect_out_in(&box, text, want)
#define expect_error(text, want_out, want_err) expect_error_in(&box, text, want_out, want_err)

/* A global's value, for checking representations. */
static Value global(Interp *I, const char *name) {
  int g = global_find(I, str_new(I, name));
  ck_assert_msg(g >= 0, "no global '%s'", name);
  return I->globals[g];
}

/* The VM is back at rest: nothing left on the stack (where built-ins keep
 * their temporaries too), no frames. */
static void expect_at_rest(Interp *I) {
  ck_assert_msg(I->frame_count == 0, "frame_count = %d after eval", I->frame_count);
  ck_assert_msg(I->sp == I->stack, "%td values left on the stack", I->sp - I->stack);
  ck_assert_msg(I->open_upvalues == NULL, "open upvalues left after eval");
  ck_assert_msg(I->err_jmp == NULL, "an error handler is left installed");
}

/* ---- arithmetic -------------------------------------------------------- */

START_TEST(test_small_int_arith) {
  expect_out("print 1 + 2, 7 - 10, 6 * 7, -4 * 5, 7 / 2, 6 / 3, 1 / 3\n",
             "3 -3 42 -20 3.5 2 1/3\n");
  expect_out("print 7 mod 3, -7 mod 3, 7 mod -3, 2 ^ 10, 2 ^ -1, (-2) ^ 3\n", "1 2 -2 1024 0.5 -8\n");
  expect_out("print 1 < 2, 2 <= 2, 3 > 4, 4 >= 5, 1 == 1, 1 != 1\n", "true true false false true false\n");
  expect_out("let s = 0\nfor i in 1..1000000 { s = s + i }\nprint s\n", "500000500000\n");
  expect_out("let n = 0\nlet i = 0\nwhile i < 100000 { i = i + 1\n n = n - 3 }\nprint i, n\n",
             "100000 -300000\n");
  expect_error("print 1 / 0\n", "", "t:1:9: error: division by zero");
  expect_error("print 5 mod 0\n", "", "error:");
}
END_TEST

START_TEST(test_overflow_into_bignums) {
  expect_out("print 9223372036854775807 + 1\n", "9223372036854775808\n");
  expect_out("print -9223372036854775808 - 1\n", "-9223372036854775809\n");
  expect_out("let m = 9223372036854775807\nprint m + 1, m + m, m - -1, 1 + m\n",
             "9223372036854775808 18446744073709551614 9223372036854775808 9223372036854775808\n");
  expect_out("let m = -9223372036854775807 - 1\nprint m, m - 1, -m, m * -1, m / -1, m + -1\n",
             "-9223372036854775808 -9223372036854775809 9223372036854775808 9223372036854775808 "
             "9223372036854775808 -9223372036854775809\n");
  /* products just over the edge, and far over it */
  expect_out("print 3037000499 * 3037000499, 3037000500 * 3037000500\n",
             "9223372030926249001 9223372037000250000\n");
  expect_out("print 4294967296 * 4294967296, -4294967296 * 4294967296\n",
             "18446744073709551616 -18446744073709551616\n");
  expect_out("print 9223372036854775807 * 9223372036854775807\n",
             "85070591730234615847396907784232501249\n");
  expect_out("let f = 1\nfor i in 1..25 { f = f * i }\nprint f\n", "15511210043330985984000000\n");
  /* a loop counter that crosses INT64_MAX keeps counting and comparing */
  expect_out("let i = 9223372036854775805\nlet n = 0\n"
             "while i < 9223372036854775810 { i = i + 1\n n = n + 1 }\nprint i, n\n",
             "9223372036854775810 5\n");
  expect_out("print 2 ^ 64, 2 ^ 64 - 2 ^ 64 + 5, (2 ^ 64) / (2 ^ 62)\n", "18446744073709551616 5 4\n");

  /* results that fit come back to the inline representation */
  Interp *I = box.I;
  expect_out("let a = 9223372036854775807 + 1 - 1\nlet b = (2 ^ 70) / (2 ^ 69)\n"
             "let c = -9223372036854775807 - 1\nlet d = 9223372036854775807 + 1\n"
             "let e = 2 * 3 / 6\n",
             "");
  const char *names[] = {"a", "b", "c", "e"};
  for (int i = 0; i < 4; i++)
    ck_assert_msg(IS_INT(global(I, names[i])), "%s: type %d, want an inline integer", names[i],
                  global(I, names[i]).type);
  ck_assert_int_eq(global(I, "a").as.i, INT64_MAX);
  ck_assert_int_eq(global(I, "b").as.i, 2);
  ck_assert_msg(global(I, "c").as.i == INT64_MIN, "c = %lld", (long long)global(I, "c").as.i);
  ck_assert_msg(IS_BIGINT(global(I, "d")), "d should be a bignum");
  expect_out("print a == 9223372036854775807, d - 1 == a, d > a, -d == c\n", "true true true true\n");
}
END_TEST

START_TEST(test_units_and_inexact_arith) {
  expect_out("print 2 EUR + 3 EUR, 2 EUR * 3, 250k EUR / 2, 6 EUR / 2 EUR\n",
             "5 EUR 6 EUR 125000 EUR 3\n");
  expect_out("print 0.1 + 0.2 == 0.3, inexact(0.1) + inexact(0.2)\n", "true 0.30000000000000004\n");
  expect_error("print 2 EUR + 3\n", "", "t:1:13: error: cannot add EUR and a plain number");
  expect_error("let x = 1 EUR\nprint x < 2\n", "", "cannot compare EUR and a plain number");
  expect_error("print \"a\" - 1000\n", "", "t:1:11: error: cannot subtract a string and a number");
  expect_error("let x = 1 EUR\nprint x - 1000\n", "", "cannot subtract EUR and a plain number");
  expect_error("print -\"a\"\n", "", "cannot negate a string");
}
END_TEST

/* ---- closures and upvalues --------------------------------------------- */

START_TEST(test_counter_factory) {
  expect_out("fn make_counter() {\n"
             "  let n = 0\n"
             "  return fn() {\n"
             "    n = n + 1\n"
             "    return n\n"
             "  }\n"
             "}\n"
             "let c1 = make_counter()\n"
             "let c2 = make_counter()\n"
             "print c1(), c1(), c2(), c1(), c2()\n",
             "1 2 1 3 2\n");
  /* two closures share one variable */
  expect_out("fn pair() {\n"
             "  let n = 10\n"
             "  return {inc: fn() { n = n + 1 }, get: fn() = n}\n"
             "}\n"
             "let p = pair()\n"
             "let q = pair()\n"
             "p.inc()\np.inc()\nq.inc()\n"
             "print p.get(), q.get()\n",
             "12 11\n");
  /* an adder: the parameter outlives the call */
  expect_out("fn adder(k) = fn(x) = x + k\nlet add5 = adder(5)\nlet add7 = adder(7)\n"
             "print add5(10), add7(10), adder(1)(1)\n",
             "15 17 2\n");
}
END_TEST

START_TEST(test_closures_capture_loop_variables) {
  /* each iteration of a for loop has its own variable */
  expect_out("let fs = []\nfor i in 1..3 { append(fs, fn() = i) }\nprint fs[1](), fs[2](), fs[3]()\n",
             "1 2 3\n");
  /* closures capture the variable, not its value at capture time */
  expect_out("let fs = []\nfor i in 1..3 {\n let f = fn() = i\n i = i * 100\n append(fs, f)\n}\n"
             "print map(fs, fn(f) = f())\n",
             "[100, 200, 300]\n");
  /* a let inside a while body is fresh each time round */
  expect_out("let fs = []\nlet i = 0\nwhile i < 3 {\n i = i + 1\n let j = i * 10\n"
             " append(fs, fn() = j)\n}\nprint map(fs, fn(f) = f())\n",
             "[10, 20, 30]\n");
  /* inside a function, with break and continue leaving the scope: the
   * captured slots must be closed before the stack slot is reused */
  expect_out("fn collect() {\n"
             "  let fs = []\n"
             "  for i in 1..10 {\n"
             "    let v = i * 2\n"
             "    append(fs, fn() = v)\n"
             "    if i == 3 { break }\n"
             "  }\n"
             "  let junk1 = 777\n  let junk2 = 888\n"
             "  return map(fs, fn(f) = f())\n"
             "}\n"
             "print collect()\n",
             "[2, 4, 6]\n");
  expect_out("fn collect() {\n"
             "  let fs = []\n"
             "  for i in 1..4 {\n"
             "    let v = i\n"
             "    append(fs, fn() = v)\n"
             "    if i mod 2 == 0 { continue }\n"
             "    v = -v\n"
             "  }\n"
             "  let junk = 777\n"
             "  return map(fs, fn(f) = f())\n"
             "}\n"
             "print collect()\n",
             "[-1, 2, -3, 4]\n");
  expect_out("fn collect() {\n"
             "  let fs = []\n  let n = 1\n"
             "  while true {\n"
             "    let k = n\n"
             "    append(fs, fn() = k)\n"
             "    n = n + 1\n"
             "    if n > 3 { break }\n"
             "  }\n"
             "  let junk = 0\n"
             "  return map(fs, fn(f) = f())\n"
             "}\n"
             "print collect()\n",
             "[1, 2, 3]\n");
  /* returning from inside a loop closes the loop variable */
  expect_out("fn find() {\n  for i in 1..5 { if i == 2 { return fn() = i } }\n}\n"
             "let g = find()\nlet junk = [9, 9, 9]\nprint g()\n",
             "2\n");
}
END_TEST

START_TEST(test_upvalues_survive_frames) {
  /* captured through an intermediate function that has itself returned */
  expect_out("fn outer() {\n"
             "  let x = \"outer x\"\n"
             "  fn mid() {\n"
             "    fn inner() = x\n"
             "    return inner\n"
             "  }\n"
             "  return mid()\n"
             "}\n"
             "let f = outer()\n"
             "fn clobber(a, b, c) { let d = [a, b, c]\n return d }\n"
             "clobber(1, 2, 3)\n"
             "print f()\n",
             "outer x\n");
  /* writes through a surviving upvalue are seen by every closure sharing it */
  expect_out("fn make() {\n"
             "  let log = []\n"
             "  let n = 0\n"
             "  fn add(v) {\n n = n + v\n append(log, n)\n }\n"
             "  return {add: add, log: fn() = log, n: fn() = n}\n"
             "}\n"
             "let m = make()\n"
             "m.add(5)\nm.add(6)\n"
             "print m.n(), m.log()\n",
             "11 [5, 11]\n");
  /* a local recursive function */
  expect_out("fn outer() {\n"
             "  fn fact(n) { if n < 2 { return 1 } return n * fact(n - 1) }\n"
             "  return fact\n"
             "}\n"
             "print outer()(20), outer()(25)\n",
             "2432902008176640000 15511210043330985984000000\n");
  /* upvalues survive a collection after their frames are gone */
  expect_out("fn adder(k) = fn(x) = x + k\n"
             "let adders = []\n"
             "for i in 1..100 { append(adders, adder(\"k{i}\")) }\n"
             "let junk = 0\n"
             "for i in 1..100000 { junk = [i, \"x{i}\", {a: i}] }\n"
             "print adders[1](\"a-\"), adders[100](\"b-\")\n",
             "a-k1 b-k100\n");
  expect_at_rest(box.I);
}
END_TEST

/* ---- errors and recovery ------------------------------------------------ */

START_TEST(test_recursion_depth) {
  expect_out("fn deep(n) = deep(n + 1)\n", "");
  Run r = box_eval(&box, "print deep(1)\n");
  ck_assert_msg(r.r == INTERP_ERROR, "deep recursion: got %s", result_name(r.r));
  ck_assert_msg(strstr(r.err, "recursion too deep") != NULL, "error text:\n%.2000s", r.err);
  ck_assert_msg(strstr(r.err, "more calls") != NULL, "the call chain is not shortened:\n%.3000s",
                r.err);
  ck_assert_msg(strlen(r.err) < 10000, "error report is %zu bytes long", strlen(r.err));
  expect_at_rest(box.I);
  /* the interpreter is still usable, and still allows deep (not too deep) recursion */
  expect_out("print 1 + 1\n", "2\n");
  expect_out("fn sum_to(n) { if n == 0 { return 0 } return n + sum_to(n - 1) }\nprint sum_to(9000)\n",
             "40504500\n");
  /* again, through a built-in that calls back into the VM */
  expect_error("print map([1], fn(x) = deep(x))\n", "", "recursion too deep");
  expect_at_rest(box.I);
  /* mutual recursion */
  expect_out("fn ev(n) { if n == 0 { return true } return od(n - 1) }\n"
             "fn od(n) { if n == 0 { return false } return ev(n - 1) }\n"
             "print ev(5000), od(5001)\n",
             "true true\n");
  expect_error("print ev(-1)\n", "", "recursion too deep");
  /* repeated failures do not leak stack: full depth is still available */
  for (int i = 0; i < 20; i++) {
    r = box_eval(&box, "print deep(1)\n");
    ck_assert_msg(r.r == INTERP_ERROR, "round %d: %s", i, result_name(r.r));
  }
  expect_at_rest(box.I);
  expect_out("print sum_to(9900)\n", "49009950\n");
}
END_TEST

START_TEST(test_runtime_error_keeps_globals) {
  expect_error("let a = 1\n"
               "a = 2\n"
               "let l = [1]\n"
               "append(l, 2)\n"
               "fn boom(x) { let y = [x, x]\n return y[3] }\n"
               "print \"before\"\n"
               "print boom(5)\n"
               "a = 99\n"
               "let c = 3\n",
               "before\n", "t:6:10: error: index 3 is out of range");
  expect_at_rest(box.I);
  /* what ran before the error stays; what came after did not happen */
  expect_out("print a, l\n", "2 [1, 2]\n");
  expect_error("print c\n", "", "unknown name 'c'");
  expect_out("let c = 4\nprint c, boom\n", "4 <fn boom>\n");
  /* an error inside nested calls and a callback from a built-in */
  expect_error("fn f(x) = g(x)\nfn g(x) = map([1, 2, 3], fn(y) = y / x)\nprint f(0)\n", "",
               "division by zero");
  ck_assert_msg(strstr(box.err_buf, "in fn g") != NULL && strstr(box.err_buf, "in fn f") != NULL,
                "no call chain in:\n%s", box.err_buf);
  expect_at_rest(box.I);
  expect_out("print f(2)\n", "[0.5, 1, 1.5]\n");
  /* assertion failures and type errors are ordinary errors too */
  expect_error("assert 1 > 2, \"one is not more than two\"\n", "",
               "assertion failed: one is not more than two");
  expect_error("let s = \"x\" + 1\n", "", "cannot add a string and a number");
  expect_error("print nosuch\n", "", "unknown name 'nosuch'");
  expect_error("undefined_name = 5\n", "", "use 'let undefined_name = ...'");
  expect_out("print a + 1\n", "3\n");
  /* a syntax error runs nothing at all */
  expect_error("a = 50\nprint 1 +* 2\n", "", "syntax error");
  expect_out("print a\n", "2\n");
}
END_TEST

/* ---- several interpreters ------------------------------------------------ */

START_TEST(test_independent_interpreters) {
  Box b1, b2, b3;
  box_open(&b1, false);
  box_open(&b2, false);
  box_open(&b3, true);
  expect_out_in(&b1, "let x = 1\nunit job\nfn f() = \"f of one\"\n", "");
  expect_out_in(&b2, "let x = \"two\"\n", "");
  expect_out_in(&b1, "print x, f(), 3 job\n", "1 f of one 3 job\n");
  expect_out_in(&b2, "print x\n", "two\n");
  /* names and units of one are unknown to the others */
  expect_error_in(&b2, "print f()\n", "", "unknown name 'f'");
  expect_error_in(&b2, "print 3 job\n", "", "'job' is not a unit");
  expect_error_in(&b3, "print x\n", "", "unknown name 'x'");
  /* the same name as a unit in one, a variable in another */
  expect_out_in(&b2, "let job = 5\nprint job * 2\n", "10\n");
  expect_out_in(&b1, "print 2 job * 2\n", "4 job\n");
  /* interleaved work, with collections in each */
  for (int round = 0; round < 3; round++) {
    expect_out_in(&b1, "let acc = []\nfor i in 1..30000 { acc = [i, \"a{i}\"] }\nprint acc\n",
                  "[30000, \"a30000\"]\n");
    expect_out_in(&b2, "let acc = {}\nfor i in 1..30000 { acc = {n: i, s: \"b{i}\"} }\nprint acc\n",
                  "{n: 30000, s: \"b30000\"}\n");
  }
  /* an error or a crash-proof failure in one leaves the others alone */
  expect_error_in(&b1, "fn deep(n) = deep(n + 1)\nprint deep(0)\n", "", "recursion too deep");
  expect_out_in(&b2, "print x, job\n", "two 5\n");
  expect_out_in(&b3, "1 + 1\n", "2\n");
  /* freeing one leaves the others working */
  box_close(&b1);
  expect_out_in(&b2, "print x + \"!\"\n", "two!\n");
  expect_out_in(&b3, "let x = 3\nx * 2\n", "6\n");
  box_close(&b2);
  box_close(&b3);
  /* and the test's own interpreter never saw any of it */
  expect_error("print x\n", "", "unknown name 'x'");
}
END_TEST

/* ---- the collector under load ---------------------------------------------- */

START_TEST(test_gc_stress) {
  expect_out("let keep = []\n"
             "let total = 0\n"
             "let chars = 0\n"
             "let bigs = 0\n"
             "for i in 1..200000 {\n"
             "  let l = [i, i + 1, \"s{i}\"]\n"
             "  let r = {a: i, b: l, c: 1 / (i + 1), d: {e: [l, l]}}\n"
             "  let s = \"item \" + str(i) + \"/\" + l[3]\n"
             "  let big = 9223372036854775807 + i\n"
             "  total = total + r.c * (i + 1)\n"
             "  chars = chars + len(s)\n"
             "  bigs = bigs + (big - 9223372036854775807)\n"
             "  if i mod 1000 == 0 { append(keep, r) }\n"
             "}\n"
             "print len(keep), total, bigs\n"
             "print keep[1].b, keep[200].b[3], keep[200].c, keep[57].d.e[2][2]\n"
             "print keep[200].d.e[1] == [200000, 200001, \"s200000\"]\n"
             "print chars\n",
             "200 200000 20000100000\n"
             "[1000, 1001, \"s1000\"] s200000 1/200001 57001\n"
             "true\n"
             /* len("item <i>/s<i>") = 7 + 2 * digits(i), summed */
             "3577790\n");
  /* most of what the loop allocated was reclaimed */
  ck_assert_msg(box.I->bytes_allocated < ((size_t)64 << 20), "%zu bytes still allocated",
                box.I->bytes_allocated);
  /* closures and strings built in a loop, kept in a record */
  expect_out("let reg = {}\n"
             "for i in 1..50000 {\n"
             "  let name = \"k\" + str(i mod 97)\n"
             "  let v = i\n"
             "  reg[name] = fn() = v\n"
             "}\n"
             "print len(keys(reg)), reg[\"k0\"](), reg[\"k96\"]()\n",
             "97 49955 49954\n");
  /* many rationals and bignums alive at once */
  expect_out("let xs = []\n"
             "for i in 1..20000 { append(xs, 1 / i + 2 ^ 70) }\n"
             "let s = 0\n"
             "let i = 0\n"
             "for x in xs {\n  i = i + 1\n  s = s + (x - 2 ^ 70) * i\n}\n"
             "print len(xs), xs[3], s\n",
             "20000 3541774862152233910273/3 20000\n");
  expect_at_rest(box.I);
}
END_TEST

/* ---- interruption ---------------------------------------------------------- */

typedef struct {
  Interp *I;
  int delay_ms;
} Interrupter;

static void *interrupt_later(void *arg) {
  Interrupter *w = arg;
  struct timespec ts = {w->delay_ms / 1000, (long)(w->delay_ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
  interp_interrupt(w->I);
  return NULL;
}

static void expect_interrupted(const char *text) {
  pthread_t t;
  Interrupter w = {box.I, 100};
  ck_assert_int_eq(pthread_create(&t, NULL, interrupt_later, &w), 0);
  Run r = box_eval(&box, text);
  pthread_join(t, NULL);
  ck_assert_msg(r.r == INTERP_ERROR && strstr(r.err, "error: interrupted"),
                "[%s]: want an 'interrupted' error, got %s:\n%s", text, result_name(r.r), r.err);
  expect_at_rest(box.I);
  ck_assert_int_eq(box.I->interrupted, 0);
}

START_TEST(test_interrupt_from_thread) {
  expect_interrupted("let n = 0\nwhile true { n = n + 1 }\n");
  expect_out("print n > 0\n", "true\n");
  expect_interrupted("fn spin() { for i in 1..1000000000000 { } }\nspin()\n");
  expect_interrupted("print map([1, 2], fn(x) { while true { } })\n");
  expect_interrupted("fn f(n) { if n == 0 { return 0 } return f(n - 1) }\nwhile true { f(50) }\n");
  /* after an interrupt the interpreter runs normally */
  expect_out("let s = 0\nfor i in 1..100000 { s = s + 1 }\nprint s\n", "100000\n");
}
END_TEST

START_TEST(test_interrupt_before_eval) {
  /* interp_eval starts every evaluation afresh: an interrupt that arrived
   * while nothing was running (a Ctrl-C at an idle prompt) must not kill
   * the next evaluation */
  interp_interrupt(box.I);
  ck_assert_int_eq(box.I->interrupted, 1);
  expect_out("let s = 0\nfor i in 1..200000 { s = s + 1 }\nprint s\n", "200000\n");
  ck_assert_int_eq(box.I->interrupted, 0);
}
END_TEST

/* ---- the prompt's echo ------------------------------------------------------ */

START_TEST(test_repl_echo) {
  Box r;
  box_open(&r, true);
  expect_out_in(&r, "1 + 2\n", "3\n");
  expect_out_in(&r, "let x = 1\n", "");
  expect_out_in(&r, "x = x + 41\n", "");
  expect_out_in(&r, "x\n", "42\n");
  expect_out_in(&r, "\"text\"\n", "\"text\"\n");
  expect_out_in(&r, "print \"text\"\n", "text\n");
  expect_out_in(&r, "[1, \"a\", {b: nil}]\n", "[1, \"a\", {b: nil}]\n");
  expect_out_in(&r, "nil\n", "");
  expect_out_in(&r, "1 / 3\n", "1/3\n");
  expect_out_in(&r, "250k EUR\n", "250000 EUR\n");
  expect_out_in(&r, "fn f(a) = a * 2\n", "");
  expect_out_in(&r, "f(21)\n", "42\n");
  expect_out_in(&r, "1; 2\n", "1\n2\n");
  /* only top-level expressions echo */
  expect_out_in(&r, "if true { 5 }\nfor i in 1..2 { i }\nfn g() { 7 }\ng()\n", "");
  /* names defined later are allowed inside functions at the prompt */
  expect_out_in(&r, "fn h() = later() + 1\n", "");
  expect_error_in(&r, "h()\n", "", "unknown name 'later'");
  expect_out_in(&r, "fn later() = 41\n", "");
  expect_out_in(&r, "h()\n", "42\n");
  box_close(&r);
  /* a script does not echo */
  expect_out("1 + 2\n\"text\"\n", "");
}
END_TEST

/* ---- equality --------------------------------------------------------------- */

START_TEST(test_string_equality) {
  expect_out("print \"ab\" == \"a\" + \"b\", \"ab\" != \"ab\", \"ab\" == \"abc\", \"\" == \"\"\n",
             "true false false true\n");
  /* long strings built two ways (long strings are not interned) */
  expect_out("let a = \"\"\nlet b = \"\"\n"
             "for i in 1..200 { a = a + \"x\" }\n"
             "for i in 1..100 { b = b + \"xx\" }\n"
             "print len(a), a == b, a + \"y\" == b + \"y\", a + \"y\" == b + \"z\"\n",
             "200 true true false\n");
  expect_out("print \"héllo\" == \"h\" + \"éllo\", len(\"héllo\"), \"é\" < \"z\", \"abc\" < \"abd\"\n",
             "true 5 false true\n");
  expect_out("print \"{1 + 1}\" == \"2\", \"1\" == 1, 1 == \"1\"\n", "true false false\n");
}
END_TEST

START_TEST(test_list_equality) {
  expect_out("print [1, 2] == [1, 2], [1, 2] == [2, 1], [1] == [1, 1], [] == []\n",
             "true false false true\n");
  expect_out("print [1, [2, [3, \"x\"]]] == [1, [2, [3, \"x\"]]], [[1]] == [[2]]\n", "true false\n");
  expect_out("print [1 / 2, 2] == [0.5, 2.0], [1 EUR] == [1 EUR], [1 EUR] == [1]\n",
             "true true false\n");
  expect_out("let l = [1, 2]\nlet m = l\nappend(m, 3)\nprint l == [1, 2, 3], l == m\n", "true true\n");
  /* lists that contain themselves: comparing and printing terminate (the
   * repeated part prints as [...]) */
  expect_out("let l = [1]\nappend(l, l)\nlet k = [1]\nappend(k, k)\nprint l == l\nlet e = l == k\n"
             "let s = str(l)\nprint s\n",
             "true\n[1, [...]]\n");
  expect_out("print [nil, true, false] == [nil, true, false], [nil] == [false], 1..3 == 1..3, "
             "1..3 == [1, 2, 3]\n",
             "true false true false\n");
}
END_TEST

START_TEST(test_record_equality) {
  expect_out("print {a: 1, b: 2} == {b: 2, a: 1}, {a: 1} == {a: 1, b: 2}, {a: 1, b: 2} == {a: 1, c: 2}\n",
             "true false false\n");
  expect_out("print {a: [1, {b: \"x\"}]} == {a: [1, {b: \"x\"}]}, {a: [1, {b: \"x\"}]} == {a: [1, {b: \"y\"}]}\n",
             "true false\n");
  expect_out("print {} == {}, {a: nil} == {}, {a: 1} == [1]\n", "true false false\n");
  expect_out("let r = {a: 1}\nlet q = {a: 1}\nq.b = 2\nr.b = 2\nprint r == q\nq.b = 3\nprint r == q\n",
             "true\nfalse\n");
  /* functions compare by identity */
  expect_out("let f = fn() = 1\nlet g = fn() = 1\nprint f == f, f == g, {k: f} == {k: f}\n",
             "true false true\n");
}
END_TEST

/* `x - k` with a small literal k compiles to ADD_INT -k, whose slow path
 * reports the failure as an addition. */
START_TEST(test_subtract_small_constant_message) {
  expect_error("print \"a\" - 1\n", "", "cannot subtract a string and a number");
  expect_error("let x = 1 EUR\nprint x - 1\n", "", "cannot subtract EUR and a plain number");
}
END_TEST

/* A number constant on either side of + - * / is an operand of the
 * instruction (ADD_K, K_SUB...): its errors name the operands in the order
 * they were written, at the operator. */
START_TEST(test_constant_operand_errors) {
  expect_error("print \"a\" * 2\n", "", "t:1:11: error: cannot multiply a string and a number");
  expect_error("print 2 * \"a\"\n", "", "t:1:9: error: cannot multiply a number and a string");
  expect_error("print [1] + 1000\n", "", "cannot add a list and a number");
  expect_error("print 1000 + [1]\n", "", "cannot add a number and a list");
  expect_error("print 1 - nil\n", "", "cannot subtract a number and a nil");
  expect_error("print nil / 0.5\n", "", "cannot divide a nil and a number");
  expect_error("print 0.5 / true\n", "", "t:1:11: error: cannot divide a number and a bool");
  expect_error("let z = 0\nprint 1 / z\n", "", "t:2:9: error: division by zero");
  expect_error("let z = 7\nprint z / 0\n", "", "t:2:9: error: division by zero");
  expect_error("let m = inexact(2) * 1 EUR\nprint m + 0.5\n", "", "t:2:9: error: cannot add EUR and a plain number");
  expect_error("let m = inexact(2) * 1 EUR\nprint 0.5 - m\n", "", "t:2:11: error: cannot subtract a plain number and EUR");
  expect_error("let m = inexact(2) * 1 EUR\nprint m - 1\n", "", "cannot subtract EUR and a plain number");
  expect_error("let m = inexact(2) * 1 EUR\nprint m < inexact(1)\n", "", "cannot compare EUR and a plain number");
  expect_error("let m = inexact(2) * 1 EUR\nprint m == inexact(1)\n", "", "cannot compare EUR and a plain number");
  expect_error("let m = inexact(2) * 1 EUR\nlet y = 1 year\nprint m + y\n", "", "cannot add EUR and year");
  expect_error("let m = inexact(2) * 1 EUR\nif m > 0.5 { print 1 }\n", "", "cannot compare EUR and a plain number");
  /* the loop's accumulations go the inline way and fail the slow way */
  expect_error("fn f() {\n  let m = inexact(2) * 1 EUR\n  m = m + 1\n}\nf()\n", "",
               "t:3:9: error: cannot add EUR and a plain number");
  expect_error("let s = inexact(0)\nfor i in 1..3 { s = s + \"x\" }\n", "", "cannot add a number and a string");
}
END_TEST

/* Built-ins that call back into the VM (map, filter, sort) keep their lists
 * in Interp.roots, which has room for 8: five nested calls overflow it. */
START_TEST(test_nested_builtin_callbacks) {
  expect_out("print map([1], fn(a) = map([2], fn(b) = map([3], fn(c) = map([4], fn(d) = "
             "map([5], fn(e) = a + b + c + d + e)))))\n",
             "[[[[[15]]]]]\n");
  expect_error("print map([1], fn(a) = map([2], fn(b) = map([3], fn(c) = map([4], fn(d) = "
               "map([5], fn(e) = e + \"x\")))))\n",
               "", "cannot add");
  expect_at_rest(box.I);
}
END_TEST

/* vm_describe_error takes a frame without a name for an imported file, so
 * an anonymous function shows as "in t, imported from t:2:14". */
START_TEST(test_anonymous_fn_in_call_chain) {
  Run r = box_eval(&box, "fn g(x) = map([1, 2], fn(y) = y / x)\nprint g(0)\n");
  ck_assert_int_eq(r.r, INTERP_ERROR);
  ck_assert_msg(strstr(r.err, "imported from") == NULL, "call chain:\n%s", r.err);
}
END_TEST

/* The compiler recurses once per operator of a left-associative chain and
 * overflows the C stack on a long one (about 100,000 terms at -O2). */
START_TEST(test_long_expression_chain) {
  Buffer b;
  buf_init(&b);
  buf_puts(&b, "print 1");
  for (int i = 1; i < 200000; i++) buf_puts(&b, "+1");
  buf_puts(&b, "\n");
  Run r = box_eval(&box, b.data);
  buf_free(&b);
  ck_assert_msg((r.r == INTERP_OK && strcmp(r.out, "200000\n") == 0) || r.r == INTERP_ERROR,
                "got %s: %s %s", result_name(r.r), r.out, r.err);
}
END_TEST

Suite *vm_suite(void) {
  Suite *s = suite_create("vm");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_small_int_arith);
  tcase_add_test(tc, test_overflow_into_bignums);
  tcase_add_test(tc, test_units_and_inexact_arith);
  tcase_add_test(tc, test_counter_factory);
  tcase_add_test(tc, test_closures_capture_loop_variables);
  tcase_add_test(tc, test_upvalues_survive_frames);
  tcase_add_test(tc, test_recursion_depth);
  tcase_add_test(tc, test_runtime_error_keeps_globals);
  tcase_add_test(tc, test_independent_interpreters);
  tcase_add_test(tc, test_gc_stress);
  tcase_add_test(tc, test_interrupt_from_thread);
  tcase_add_test(tc, test_interrupt_before_eval);
  tcase_add_test(tc, test_repl_echo);
  tcase_add_test(tc, test_string_equality);
  tcase_add_test(tc, test_list_equality);
  tcase_add_test(tc, test_record_equality);
  tcase_add_test(tc, test_subtract_small_constant_message);
  tcase_add_test(tc, test_constant_operand_errors);
  tcase_add_test(tc, test_nested_builtin_callbacks);
  tcase_add_test(tc, test_anonymous_fn_in_call_chain);
  tcase_add_test(tc, test_long_expression_chain);
  suite_add_tcase(s, tc);
  return s;
}
