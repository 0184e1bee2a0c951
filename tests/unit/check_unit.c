/* check_unit.c - Check tests for units: interning, combining, printing, errors. */
#include <stdio.h>
#include <stdlib.h>

#include "interp.h"
#include "suites.h"
#include "unit.h"

/* Most tests need only a table: unit functions use the Interp solely to raise
 * errors, so they get NULL and must not fail. */
static UnitTable T;

static void setup(void) { unit_table_init(&T); }
static void teardown(void) { unit_table_free(&T); }

static UnitId base(const char *name) {
  UnitId u;
  ck_assert_msg(unit_lookup(&T, name, &u), "no base unit %s", name);
  return u;
}

/* Check the printed form of u (unit_format appends: check that too). */
static void check_format(UnitId u, const char *want) {
  Buffer b;
  buf_init(&b);
  buf_puts(&b, "<");
  unit_format(&T, &b, u);
  buf_puts(&b, ">");
  char expected[128];
  snprintf(expected, sizeof expected, "<%s>", want);
  ck_assert_str_eq(b.data, expected);
  buf_free(&b);
}

START_TEST(test_builtins) {
  UnitId eur = base("EUR"), year = base("year");
  ck_assert_uint_ne(eur, UNIT_NONE);
  ck_assert_uint_ne(year, UNIT_NONE);
  ck_assert_uint_ne(eur, year);
  ck_assert_int_eq(T.nbases, 2);
  UnitId u;
  ck_assert(!unit_lookup(&T, "job", &u));
  ck_assert(!unit_lookup(&T, "eur", &u));
  check_format(UNIT_NONE, "");
  check_format(eur, "EUR");
  check_format(year, "year");
  for (int i = 0; i < UNIT_MAX_BASES; i++) ck_assert_int_eq(T.vectors[UNIT_NONE].exp[i], 0);
}
END_TEST

START_TEST(test_eur_per_year) {
  UnitId flow = unit_div(NULL, &T, base("EUR"), base("year"));
  check_format(flow, "EUR/year");
  check_format(unit_mul(NULL, &T, base("EUR"), base("year")), "EUR*year");
  check_format(unit_mul(NULL, &T, base("year"), base("EUR")), "EUR*year");
}
END_TEST

START_TEST(test_eur_per_eur_is_none) {
  UnitId eur = base("EUR");
  ck_assert_uint_eq(unit_div(NULL, &T, eur, eur), UNIT_NONE);
  UnitId flow = unit_div(NULL, &T, eur, base("year"));
  ck_assert_uint_eq(unit_div(NULL, &T, flow, flow), UNIT_NONE);
  /* (EUR*year)/(year*EUR) goes through the general path */
  UnitId a = unit_mul(NULL, &T, eur, base("year"));
  UnitId b = unit_mul(NULL, &T, base("year"), eur);
  ck_assert_uint_eq(unit_div(NULL, &T, a, b), UNIT_NONE);
}
END_TEST

START_TEST(test_none_is_identity) {
  UnitId eur = base("EUR");
  ck_assert_uint_eq(unit_mul(NULL, &T, eur, UNIT_NONE), eur);
  ck_assert_uint_eq(unit_mul(NULL, &T, UNIT_NONE, eur), eur);
  ck_assert_uint_eq(unit_div(NULL, &T, eur, UNIT_NONE), eur);
  ck_assert_uint_eq(unit_mul(NULL, &T, UNIT_NONE, UNIT_NONE), UNIT_NONE);
  ck_assert_uint_eq(unit_pow(NULL, &T, UNIT_NONE, 1000), UNIT_NONE);
  ck_assert_uint_eq(unit_pow(NULL, &T, eur, 0), UNIT_NONE);
  ck_assert_uint_eq(unit_pow(NULL, &T, eur, 1), eur);
}
END_TEST

START_TEST(test_mul_div_round_trip) {
  UnitId eur = base("EUR"), year = base("year");
  UnitId job = unit_declare(NULL, &T, "job");
  UnitId units[] = {eur, year, job, unit_div(NULL, &T, eur, year),
                    unit_div(NULL, &T, UNIT_NONE, year), unit_pow(NULL, &T, year, -3)};
  int n = (int)(sizeof units / sizeof units[0]);
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) {
      UnitId a = units[i], b = units[j];
      ck_assert_uint_eq(unit_div(NULL, &T, unit_mul(NULL, &T, a, b), b), a);
      ck_assert_uint_eq(unit_mul(NULL, &T, unit_div(NULL, &T, a, b), b), a);
    }
}
END_TEST

START_TEST(test_interning) {
  UnitId eur = base("EUR"), year = base("year");
  UnitId a = unit_div(NULL, &T, eur, year);
  int count = T.count;
  UnitId b = unit_div(NULL, &T, eur, year);
  ck_assert_uint_eq(a, b);
  ck_assert_int_eq(T.count, count);
  /* the same vector reached another way: EUR*year/year^2 */
  UnitId c = unit_div(NULL, &T, unit_mul(NULL, &T, eur, year), unit_pow(NULL, &T, year, 2));
  ck_assert_uint_eq(a, c);
  /* a base's id is its one-hot vector */
  ck_assert_uint_eq(unit_div(NULL, &T, unit_pow(NULL, &T, year, 3), unit_pow(NULL, &T, year, 2)),
                    year);
  /* ids stay valid while the table grows */
  for (int k = 1; k <= 100; k++) unit_pow(NULL, &T, eur, k);
  check_format(a, "EUR/year");
  ck_assert_uint_eq(unit_div(NULL, &T, eur, year), a);
}
END_TEST

START_TEST(test_declare) {
  UnitId job = unit_declare(NULL, &T, "job");
  UnitId firm = unit_declare(NULL, &T, "firm");
  ck_assert_uint_ne(job, firm);
  ck_assert_uint_ne(job, UNIT_NONE);
  ck_assert_uint_eq(base("job"), job);
  ck_assert_uint_eq(base("firm"), firm);
  ck_assert_uint_eq(unit_declare(NULL, &T, "job"), job);
  ck_assert_uint_eq(unit_declare(NULL, &T, "EUR"), base("EUR"));
  ck_assert_uint_eq(unit_declare(NULL, &T, "year"), base("year"));
  ck_assert_int_eq(T.nbases, 4);
  check_format(job, "job");
  check_format(firm, "firm");
}
END_TEST

START_TEST(test_format_compound) {
  UnitId eur = base("EUR"), year = base("year");
  UnitId job = unit_declare(NULL, &T, "job");
  UnitId firm = unit_declare(NULL, &T, "firm");
  check_format(unit_div(NULL, &T, eur, unit_mul(NULL, &T, job, year)), "EUR/(job*year)");
  check_format(unit_div(NULL, &T, unit_div(NULL, &T, eur, year), job), "EUR/(job*year)");
  check_format(unit_div(NULL, &T, eur, job), "EUR/job");
  check_format(unit_div(NULL, &T, UNIT_NONE, year), "1/year");
  check_format(unit_pow(NULL, &T, year, -1), "1/year");
  check_format(unit_div(NULL, &T, job, unit_mul(NULL, &T, firm, year)), "job/(firm*year)");
  check_format(unit_pow(NULL, &T, year, 2), "year^2");
  check_format(unit_mul(NULL, &T, year, year), "year^2");
  check_format(unit_div(NULL, &T, eur, unit_pow(NULL, &T, year, 2)), "EUR/year^2");
  check_format(unit_pow(NULL, &T, year, -2), "1/year^2");
  check_format(unit_div(NULL, &T, unit_mul(NULL, &T, eur, job), year), "EUR*job/year");
  check_format(unit_div(NULL, &T, unit_pow(NULL, &T, eur, 2),
                        unit_mul(NULL, &T, firm, unit_pow(NULL, &T, year, 3))),
               "EUR^2/(firm*year^3)");
  check_format(unit_pow(NULL, &T, eur, 127), "EUR^127");
  check_format(unit_pow(NULL, &T, eur, -127), "1/EUR^127");
}
END_TEST

/* Error cases run inside interp_pcall on a real interpreter. */

typedef struct {
  UnitTable *t;
  UnitId a;
  int64_t n;
} Args;

static void do_pow(Interp *I, void *ud) {
  Args *x = ud;
  unit_pow(I, x->t, x->a, x->n);
}

static void do_mul_loop(Interp *I, void *ud) {
  Args *x = ud;
  UnitId u = x->a;
  for (int k = 0; k < 1000; k++) u = unit_mul(I, x->t, u, x->a);
}

static void do_div_loop(Interp *I, void *ud) {
  Args *x = ud;
  UnitId u = UNIT_NONE;
  for (int k = 0; k < 1000; k++) u = unit_div(I, x->t, u, x->a);
}

static void do_declare_many(Interp *I, void *ud) {
  Args *x = ud;
  char name[32];
  for (int k = 0; k < 100; k++) {
    snprintf(name, sizeof name, "u%d", k);
    unit_declare(I, x->t, name);
  }
}

static void check_error(Interp *I, void (*fn)(Interp *, void *), Args *x, const char *want) {
  ck_assert(!interp_pcall(I, fn, x));
  ck_assert_str_eq(interp_error_message(I), want);
}

START_TEST(test_exponent_overflow) {
  Interp *I = interp_new(&(InterpOptions){0});
  ck_assert_ptr_nonnull(I);
  UnitId year = base("year");
  int count = T.count;
  Args x = {&T, year, 128};
  check_error(I, do_pow, &x, "unit exponent too large");
  x.n = -128;
  check_error(I, do_pow, &x, "unit exponent too large");
  x.n = INT64_MAX;
  check_error(I, do_pow, &x, "unit exponent too large");
  x.n = INT64_MIN;
  check_error(I, do_pow, &x, "unit exponent too large");
  x.a = unit_pow(NULL, &T, year, 2);
  x.n = 64;
  check_error(I, do_pow, &x, "unit exponent too large");
  x.n = -63;
  ck_assert(interp_pcall(I, do_pow, &x)); /* year^-126 is fine */
  x.a = year;
  check_error(I, do_mul_loop, &x, "unit exponent too large");
  check_error(I, do_div_loop, &x, "unit exponent too large");
  /* failed operations leave the table usable */
  ck_assert_int_ge(T.count, count);
  check_format(unit_pow(NULL, &T, year, 127), "year^127");
  check_format(unit_pow(NULL, &T, year, -127), "1/year^127");
  interp_free(I);
}
END_TEST

START_TEST(test_too_many_bases) {
  Interp *I = interp_new(&(InterpOptions){0});
  ck_assert_ptr_nonnull(I);
  Args x = {&T, UNIT_NONE, 0};
  char want[64];
  snprintf(want, sizeof want, "too many units (at most %d)", UNIT_MAX_BASES);
  check_error(I, do_declare_many, &x, want);
  ck_assert_int_eq(T.nbases, UNIT_MAX_BASES);
  /* every declared base still works, and known names are still accepted */
  UnitId last;
  char name[32];
  snprintf(name, sizeof name, "u%d", UNIT_MAX_BASES - 3);
  ck_assert(unit_lookup(&T, name, &last));
  check_format(unit_div(NULL, &T, base("EUR"), last), strcat(strcpy(want, "EUR/"), name));
  ck_assert_uint_eq(unit_declare(I, &T, name), last);
  interp_free(I);
}
END_TEST

Suite *unit_suite(void) {
  Suite *s = suite_create("unit");
  TCase *tc = tcase_create("units");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_builtins);
  tcase_add_test(tc, test_eur_per_year);
  tcase_add_test(tc, test_eur_per_eur_is_none);
  tcase_add_test(tc, test_none_is_identity);
  tcase_add_test(tc, test_mul_div_round_trip);
  tcase_add_test(tc, test_interning);
  tcase_add_test(tc, test_declare);
  tcase_add_test(tc, test_format_compound);
  tcase_add_test(tc, test_exponent_overflow);
  tcase_add_test(tc, test_too_many_bases);
  suite_add_tcase(s, tc);
  return s;
}
