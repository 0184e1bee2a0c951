/* check_format.c - Check tests for people's numbers (format.c): estimates,
 * exact values, money, shares, the compact table form, and the edges
 * (negative, huge, tiny, zero, -0.0, inf, nan, rounding carries). */
#include <gmp.h> /* before num.h, which uses mpz_t without including it */

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "interp.h"
#include "num.h"
#include "object.h"
#include "state.h"
#include "suites.h"
#include "unit.h"

static Interp *I;
static Buffer out;

static void setup(void) {
  I = interp_new(&(InterpOptions){0});
  buf_init(&out);
}

static void teardown(void) {
  buf_free(&out);
  interp_free(I);
}

/* An exact number written as a literal ("1250.5", "-7", "2.5M") or as a
 * quotient "a/b". */
static Value X(const char *s) {
  const char *slash = strchr(s, '/');
  if (slash) {
    char head[64];
    snprintf(head, sizeof head, "%.*s", (int)(slash - s), s);
    return num_div(I, X(head), X(slash + 1));
  }
  Value v;
  ck_assert_msg(num_parse(I, s, &v), "cannot parse %s", s);
  return v;
}

static Value unit_of(Value v, const char *unit) {
  UnitId eur, year;
  ck_assert(unit_lookup(&I->units, "EUR", &eur) && unit_lookup(&I->units, "year", &year));
  v.unit = !strcmp(unit, "EUR") ? eur : !strcmp(unit, "EUR/year") ? unit_div(I, &I->units, eur, year) : year;
  return v;
}

typedef void (*Formatter)(Interp *I, Buffer *b, Value v);

static const char *run(Formatter f, Value v) {
  buf_clear(&out);
  f(I, &out, v);
  return out.data;
}

#define FMT(v) run(format_number, (v))
#define SHARE(v) run(format_share, (v))
#define COMPACT(v) run(format_compact, (v))
#define COMPACT_SHARE(v) run(format_compact_share, (v))
#define COMPACT_POINTS(v) run(format_compact_points, (v))

START_TEST(estimates_to_five_digits) {
  ck_assert_str_eq(FMT(FLOAT_VAL(47.99575636363636)), "47.996");
  ck_assert_str_eq(FMT(FLOAT_VAL(103.69270081470606)), "103.69");
  ck_assert_str_eq(FMT(FLOAT_VAL(2.142399995627)), "2.1424");
  ck_assert_str_eq(FMT(FLOAT_VAL(9380.4123)), "9,380.4");
  ck_assert_str_eq(FMT(FLOAT_VAL(2.5)), "2.5");
  ck_assert_str_eq(FMT(FLOAT_VAL(100.0)), "100");
  ck_assert_str_eq(FMT(FLOAT_VAL(0.47)), "0.47");
  /* the integer part is never hidden */
  ck_assert_str_eq(FMT(FLOAT_VAL(12345.67)), "12,346");
  ck_assert_str_eq(FMT(FLOAT_VAL(1234567.89)), "1,234,568");
  ck_assert_str_eq(FMT(FLOAT_VAL(123456789012.4)), "123,456,789,012");
}
END_TEST

START_TEST(estimates_negative_and_carry) {
  ck_assert_str_eq(FMT(FLOAT_VAL(-47.99575636363636)), "-47.996");
  ck_assert_str_eq(FMT(FLOAT_VAL(-1234567.89)), "-1,234,568");
  ck_assert_str_eq(FMT(FLOAT_VAL(-0.25)), "-0.25");
  /* rounding carries into a new digit */
  ck_assert_str_eq(FMT(FLOAT_VAL(9.99996)), "10");
  ck_assert_str_eq(FMT(FLOAT_VAL(99999.96)), "100,000");
  ck_assert_str_eq(FMT(FLOAT_VAL(999.999999)), "1,000");
  ck_assert_str_eq(FMT(FLOAT_VAL(0.999996)), "1");
  ck_assert_str_eq(FMT(FLOAT_VAL(-9.99996)), "-10");
}
END_TEST

START_TEST(estimates_edges) {
  ck_assert_str_eq(FMT(FLOAT_VAL(0.0)), "0");
  ck_assert_str_eq(FMT(FLOAT_VAL(-0.0)), "0");
  ck_assert_str_eq(FMT(FLOAT_VAL(1e300)), "1e+300");
  ck_assert_str_eq(FMT(FLOAT_VAL(-1.234567e300)), "-1.2346e+300");
  ck_assert_str_eq(FMT(FLOAT_VAL(1e15)), "1e+15");
  ck_assert_str_eq(FMT(FLOAT_VAL(999999999999999.0)), "999,999,999,999,999");
  ck_assert_str_eq(FMT(FLOAT_VAL(1e-12)), "1e-12");
  ck_assert_str_eq(FMT(FLOAT_VAL(-1e-12)), "-1e-12");
  ck_assert_str_eq(FMT(FLOAT_VAL(0.00012345678)), "0.00012346");
  ck_assert_str_eq(FMT(FLOAT_VAL(5e-324)), "4.9407e-324");
  ck_assert_str_eq(FMT(FLOAT_VAL(INFINITY)), "inf");
  ck_assert_str_eq(FMT(FLOAT_VAL(-INFINITY)), "-inf");
  ck_assert_str_eq(FMT(FLOAT_VAL(NAN)), "nan");
  ck_assert_str_eq(FMT(unit_of(FLOAT_VAL(INFINITY), "EUR")), "inf EUR");
}
END_TEST

START_TEST(exact_values_stay_exact) {
  ck_assert_str_eq(FMT(X("0")), "0");
  ck_assert_str_eq(FMT(X("12")), "12");
  ck_assert_str_eq(FMT(X("-12")), "-12");
  ck_assert_str_eq(FMT(X("1200")), "1,200");
  ck_assert_str_eq(FMT(X("-2026")), "-2,026");
  ck_assert_str_eq(FMT(X("12345")), "12,345");
  ck_assert_str_eq(FMT(X("2.5M")), "2,500,000");
  ck_assert_str_eq(FMT(X("-1234567")), "-1,234,567");
  ck_assert_str_eq(FMT(X("9223372036854775807")), "9,223,372,036,854,775,807");
  ck_assert_str_eq(FMT(X("123456789012345678901234567890")), "123,456,789,012,345,678,901,234,567,890");
  /* exact decimals, all their digits */
  ck_assert_str_eq(FMT(X("1234.5")), "1,234.5");
  ck_assert_str_eq(FMT(X("0.125")), "0.125");
  ck_assert_str_eq(FMT(X("-0.01")), "-0.01");
  ck_assert_str_eq(FMT(X("47.99575636363636")), "47.99575636363636");
}
END_TEST

START_TEST(fractions_that_do_not_end) {
  ck_assert_str_eq(FMT(X("1/3")), "0.33333");
  ck_assert_str_eq(FMT(X("-2/3")), "-0.66667");
  ck_assert_str_eq(FMT(X("100000/3")), "33,333");
  ck_assert_str_eq(FMT(X("1/7000000")), "1.4286e-07");
  ck_assert_str_eq(FMT(unit_of(X("1000/3"), "EUR")), "333.33 EUR");
  /* an exact decimal longer than any inline decimal: an estimate */
  ck_assert_str_eq(FMT(num_exact(I, FLOAT_VAL(0.1))), "0.1");
}
END_TEST

START_TEST(money) {
  ck_assert_str_eq(FMT(unit_of(X("1110000"), "EUR")), "1,110,000 EUR");
  ck_assert_str_eq(FMT(unit_of(X("1250.5"), "EUR")), "1,250.50 EUR");
  ck_assert_str_eq(FMT(unit_of(X("1250.55"), "EUR")), "1,250.55 EUR");
  ck_assert_str_eq(FMT(unit_of(X("1500"), "EUR/year")), "1,500 EUR/year");
  ck_assert_str_eq(FMT(unit_of(X("200000"), "EUR/year")), "200,000 EUR/year");
  ck_assert_str_eq(FMT(unit_of(X("-0.01"), "EUR")), "-0.01 EUR");
  ck_assert_str_eq(FMT(unit_of(X("0"), "EUR")), "0 EUR");
  /* exact money keeps a fraction of a cent: an audit's excess may be one */
  ck_assert_str_eq(FMT(unit_of(X("999999.995"), "EUR")), "999,999.995 EUR");
  /* an estimate of money is rounded to the cent, with the carry */
  ck_assert_str_eq(FMT(unit_of(FLOAT_VAL(999999.996), "EUR")), "1,000,000 EUR");
  ck_assert_str_eq(FMT(unit_of(FLOAT_VAL(1250.5), "EUR")), "1,250.50 EUR");
  ck_assert_str_eq(FMT(unit_of(FLOAT_VAL(1110000.0), "EUR/year")), "1,110,000 EUR/year");
  ck_assert_str_eq(FMT(unit_of(FLOAT_VAL(-2.142399995627), "EUR")), "-2.14 EUR");
  /* below a cent, not zero: a power of ten, never 0 EUR */
  ck_assert_str_eq(FMT(unit_of(FLOAT_VAL(0.001234567), "EUR")), "0.0012346 EUR");
  ck_assert_str_eq(FMT(unit_of(FLOAT_VAL(1e300), "EUR")), "1e+300 EUR");
  /* other units: no cents, grouped from four digits */
  ck_assert_str_eq(FMT(unit_of(X("2026"), "year")), "2,026 year");
  ck_assert_str_eq(FMT(unit_of(X("10"), "year")), "10 year");
}
END_TEST

START_TEST(shares) {
  ck_assert_str_eq(SHARE(X("0.35")), "35%");
  ck_assert_str_eq(SHARE(X("0.085")), "8.5%");
  ck_assert_str_eq(SHARE(X("1")), "100%");
  ck_assert_str_eq(SHARE(X("0")), "0%");
  ck_assert_str_eq(SHARE(X("-0.05")), "-5%");
  ck_assert_str_eq(SHARE(X("1/3")), "33.333%");
  ck_assert_str_eq(SHARE(FLOAT_VAL(0.35)), "35%");
  ck_assert_str_eq(SHARE(FLOAT_VAL(0.123456789)), "12.346%");
  ck_assert_str_eq(SHARE(FLOAT_VAL(-0.0)), "0%");
  ck_assert_str_eq(SHARE(FLOAT_VAL(NAN)), "nan");
  ck_assert_str_eq(SHARE(FLOAT_VAL(INFINITY)), "inf");
  /* a number with a unit is not a share */
  ck_assert_str_eq(SHARE(unit_of(X("0.5"), "EUR")), "0.50 EUR");
}
END_TEST

START_TEST(values_nest) {
  ObjRecord *r = record_new(I);
  record_set(I, r, str_new(I, "sme"), X("0.85"));
  record_set(I, r, str_new(I, "large"), X("0.05"));
  buf_clear(&out);
  format_value(I, &out, OBJ_VAL(r), FORMAT_SHARE);
  ck_assert_str_eq(out.data, "{sme: 85%, large: 5%}");
  ObjList *l = list_new(I);
  list_append(I, l, unit_of(X("1250.5"), "EUR"));
  list_append(I, l, OBJ_VAL(str_new(I, "as_members")));
  buf_clear(&out);
  format_value(I, &out, OBJ_VAL(l), 0);
  ck_assert_str_eq(out.data, "[1,250.50 EUR, \"as_members\"]");
  buf_clear(&out);
  format_value(I, &out, OBJ_VAL(str_new(I, "as_members")), 0);
  ck_assert_str_eq(out.data, "as_members");
}
END_TEST

static const char *flagged(Value v, unsigned flags) {
  buf_clear(&out);
  format_value(I, &out, v, flags);
  return out.data;
}

START_TEST(flags) {
  /* FORMAT_YEARS: a four-digit whole number with no unit may be a year */
  ck_assert_str_eq(flagged(X("2026"), FORMAT_YEARS), "2026");
  ck_assert_str_eq(flagged(X("-2026"), FORMAT_YEARS), "-2026");
  ck_assert_str_eq(flagged(X("12026"), FORMAT_YEARS), "12,026");
  ck_assert_str_eq(flagged(X("2026.5"), FORMAT_YEARS), "2,026.5");
  ck_assert_str_eq(flagged(unit_of(X("1500"), "EUR/year"), FORMAT_YEARS), "1,500 EUR/year");
  ck_assert_str_eq(flagged(FLOAT_VAL(2026.0), FORMAT_YEARS), "2,026");
  /* FORMAT_NO_UNIT: money keeps its cents */
  ck_assert_str_eq(flagged(unit_of(X("1250.5"), "EUR/year"), FORMAT_NO_UNIT), "1,250.50");
  ck_assert_str_eq(flagged(unit_of(X("10"), "year"), FORMAT_NO_UNIT), "10");
  ck_assert_str_eq(flagged(X("0.35"), FORMAT_SHARE | FORMAT_YEARS), "35%");
  /* FORMAT_POINTS: a change of a share, in percentage points */
  ck_assert_str_eq(flagged(X("0.015"), FORMAT_POINTS), "1.5pp");
  ck_assert_str_eq(flagged(FLOAT_VAL(0.29483358), FORMAT_POINTS), "29.483pp");
  ck_assert_str_eq(flagged(unit_of(X("1500"), "EUR/year"), FORMAT_POINTS), "1,500 EUR/year");
}
END_TEST

/* The table form keeps results_format_human's behaviour (compare's golden
 * outputs). */
START_TEST(compact) {
  ck_assert_str_eq(COMPACT(X("2500000")), "2.50M");
  ck_assert_str_eq(COMPACT(X("150000")), "150.0k");
  ck_assert_str_eq(COMPACT(FLOAT_VAL(47.99)), "47.99");
  ck_assert_str_eq(COMPACT(X("12")), "12");
  ck_assert_str_eq(COMPACT(X("3bn")), "3.00bn");
  ck_assert_str_eq(COMPACT(FLOAT_VAL(-2500000.0)), "-2.50M");
  ck_assert_str_eq(COMPACT(FLOAT_VAL(1e300)), "1.00e+300");
  ck_assert_str_eq(COMPACT(FLOAT_VAL(1e-12)), "1.00e-12");
  ck_assert_str_eq(COMPACT(FLOAT_VAL(0.0)), "0");
  ck_assert_str_eq(COMPACT(FLOAT_VAL(NAN)), "nan");
  ck_assert_str_eq(COMPACT(FLOAT_VAL(-INFINITY)), "-inf");
  ck_assert_str_eq(COMPACT(X("1/3")), "0.33");
}
END_TEST

START_TEST(compact_shares) {
  ck_assert_str_eq(COMPACT_SHARE(X("0.3")), "30.0%");
  ck_assert_str_eq(COMPACT_SHARE(FLOAT_VAL(0.3245)), "32.5%");
  ck_assert_str_eq(COMPACT_SHARE(X("1")), "100.0%");
  ck_assert_str_eq(COMPACT_SHARE(X("0")), "0%");
  ck_assert_str_eq(COMPACT_SHARE(FLOAT_VAL(-0.05)), "-5.0%");
  /* not 0, so never shown as 0.0% */
  ck_assert_str_eq(COMPACT_SHARE(FLOAT_VAL(0.00012)), "0.012%");
  ck_assert_str_eq(COMPACT_SHARE(X("1/3")), "33.3%");
  ck_assert_str_eq(COMPACT_SHARE(FLOAT_VAL(NAN)), "nan");
  /* changes of a share, in percentage points */
  ck_assert_str_eq(COMPACT_POINTS(X("0.02")), "2.0pp");
  ck_assert_str_eq(COMPACT_POINTS(X("0")), "0pp");
  ck_assert_str_eq(COMPACT_POINTS(FLOAT_VAL(0.0000004)), "4e-05pp");
  /* a number with a unit is not a share */
  ck_assert_str_eq(COMPACT_SHARE(unit_of(X("2500000"), "EUR")), "2.50M");
}
END_TEST

Suite *format_suite(void) {
  Suite *s = suite_create("format");
  TCase *tc = tcase_create("people");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, estimates_to_five_digits);
  tcase_add_test(tc, estimates_negative_and_carry);
  tcase_add_test(tc, estimates_edges);
  tcase_add_test(tc, exact_values_stay_exact);
  tcase_add_test(tc, fractions_that_do_not_end);
  tcase_add_test(tc, money);
  tcase_add_test(tc, shares);
  tcase_add_test(tc, values_nest);
  tcase_add_test(tc, flags);
  tcase_add_test(tc, compact);
  tcase_add_test(tc, compact_shares);
  suite_add_tcase(s, tc);
  return s;
}
