/* check_csvread.c - Check tests for the number reader of CSV cells
 * (csv_number in csvread.c): decimal commas and dots between thousands in
 * semicolon files, never in comma files; the ambiguous 12.500. */
#include <gmp.h> /* before num.h, which uses mpz_t without including it */

#include <string.h>

#include "csvread.h"
#include "interp.h"
#include "num.h"
#include "suites.h"

static Interp *I;

static void setup(void) { I = interp_new(&(InterpOptions){0}); }
static void teardown(void) { interp_free(I); }

/* The printed number a cell holds in a file with separator sep, "text"
 * when it is not a number, "ambiguous" for 12.500. */
static const char *cell(const char *s, char sep) {
  Value v;
  switch (csv_number(I, s, strlen(s), sep, &v)) {
  case CSV_TEXT: return "text";
  case CSV_AMBIGUOUS: return "ambiguous";
  case CSV_EUROPEAN: return str_printf(I, "european %s", check_num_text(I, v))->chars;
  case CSV_POINT: return str_printf(I, "point %s", check_num_text(I, v))->chars;
  default: return check_num_text(I, v);
  }
}

START_TEST(test_decimal_comma) {
  static const struct { const char *in, *want; } cases[] = {
      {"1234,56", "european 1234.56"}, {"1.234,56", "european 1234.56"}, {"-1.234,5", "european -1234.5"},
      {"+0,125", "european 0.125"}, {" 12,5% ", "european 0.125"}, {"1.234.567", "european 1234567"},
      {"1.234.567,891", "european 1234567.891"}, {"2,5e3", "european 2500"}, {"250k", "250000"},
      {"0.125", "point 0.125"},   {"1.5", "point 1.5"},       {"1.2345", "point 1.2345"},
      {"42", "42"},               {"-7", "-7"},
      {"12.500", "ambiguous"},    {"-1.000", "ambiguous"},    {"1,2,3", "text"},
      {"1.23.4", "text"},         {"1.234.56", "text"},       {"12,", "text"},
      {",5", "text"},             {"1 234,5", "text"},        {"12,5 EUR", "text"},
      {"", "text"},               {"abc", "text"},            {"1_000,5", "text"},       {"1_000", "1000"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    ck_assert_msg(strcmp(cell(cases[i].in, ';'), cases[i].want) == 0, "'%s' in a semicolon file: want %s, got %s",
                  cases[i].in, cases[i].want, cell(cases[i].in, ';'));
}
END_TEST

/* In a comma file a comma never is a decimal comma and a dot always is a
 * decimal point (the cell reads as a number literal). */
START_TEST(test_comma_file) {
  ck_assert_str_eq(cell("1234,56", ','), "text");
  ck_assert_str_eq(cell("12.500", ','), "12.5");
  ck_assert_str_eq(cell("1.234", ','), "1.234");
  ck_assert_str_eq(cell(" -7 ", ','), "-7");
  ck_assert_str_eq(cell("12%", ','), "0.12");
}
END_TEST

/* 12.500 read one way or the other (as the rest of the file decides). */
START_TEST(test_ambiguous) {
  ck_assert_str_eq(check_num_text(I, csv_ambiguous(I, "12.500", 6, true)), "12500");
  ck_assert_str_eq(check_num_text(I, csv_ambiguous(I, "12.500", 6, false)), "12.5");
  ck_assert_str_eq(check_num_text(I, csv_ambiguous(I, " -1.000% ", 9, true)), "-10");
}
END_TEST

/* The result is exact: 1.234,56 is the rational 123456/100, not a double. */
START_TEST(test_exact) {
  Value v, w;
  ck_assert_int_eq(csv_number(I, "1.234,56", 8, ';', &v), CSV_EUROPEAN);
  ck_assert(num_parse(I, "1234.56", &w));
  ck_assert(num_is_exact(v));
  ck_assert_int_eq(num_cmp(I, v, w), 0);
}
END_TEST

Suite *csvread_suite(void) {
  Suite *s = suite_create("csvread");
  TCase *tc = tcase_create("numbers");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_decimal_comma);
  tcase_add_test(tc, test_comma_file);
  tcase_add_test(tc, test_ambiguous);
  tcase_add_test(tc, test_exact);
  suite_add_tcase(s, tc);
  return s;
}
