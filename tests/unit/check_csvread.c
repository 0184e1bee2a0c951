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
  default: return check_num_text(I, v);
  }
}

START_TEST(test_decimal_comma) {
  static const struct { const char *in, *want; } cases[] = {
      {"1234,56", "1234.56"},     {"1.234,56", "1234.56"},   {"-1.234,5", "-1234.5"},
      {"+0,125", "0.125"},        {" 12,5% ", "0.125"},       {"1.234.567", "1234567"},
      {"1.234.567,891", "1234567.891"}, {"2,5e3", "2500"},    {"250k", "250000"},
      {"0.125", "0.125"},         {"1.5", "1.5"},             {"1.2345", "1.2345"},
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

/* The result is exact: 1.234,56 is the rational 123456/100, not a double. */
START_TEST(test_exact) {
  Value v, w;
  ck_assert_int_eq(csv_number(I, "1.234,56", 8, ';', &v), CSV_NUMBER);
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
  tcase_add_test(tc, test_exact);
  suite_add_tcase(s, tc);
  return s;
}
