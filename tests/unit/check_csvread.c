/* check_csvread.c - Check tests for the number reader of CSV cells
 * (csv_number in csvread.c): decimal commas and dots between thousands in
 * semicolon files, never in comma files; the ambiguous 12.500.  And
 * `load` of 1,000 clusters from a file generated in a temporary directory
 * (a script test of that size would take minutes under make check-gc,
 * which collects at every safe point). */
#include <gmp.h> /* before num.h, which uses mpz_t without including it */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csvread.h"
#include "interp.h"
#include "num.h"
#include "suites.h"
#include "world.h"

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

/* ---- load: 1,000 clusters ---------------------------------------------- */

static Interp *W; /* with the stdlib: the cluster's schema checks each row */
static FILE *err_f;
static char *err_buf;
static size_t err_len;
static char dir[64], csv_path[128], script[1024];

static void load_setup(void) {
  strcpy(dir, "/tmp/clusim-load-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(dir));
  snprintf(csv_path, sizeof csv_path, "%s/clusters.csv", dir);
  err_f = open_memstream(&err_buf, &err_len);
  ck_assert_ptr_nonnull(err_f);
  W = interp_new(&(InterpOptions){.out = err_f, .err = err_f, .load_stdlib = true});
  ck_assert_ptr_nonnull(W);
}

static void load_teardown(void) {
  interp_free(W);
  fclose(err_f);
  free(err_buf);
  unlink(csv_path);
  ck_assert_int_eq(rmdir(dir), 0);
}

/* Write n clusters, as a European spreadsheet would (semicolons, budgets
 * in kEUR with decimal commas, CRLF); row `bad` (from 1, 0: none) has a
 * negative number of SMEs. */
static void write_clusters(int n, int bad) {
  FILE *f = fopen(csv_path, "wb");
  ck_assert_ptr_nonnull(f);
  fputs("\xEF\xBB\xBF" "Cluster;Region;SMEs;Budget (kEUR);Label\r\n", f);
  static const char *const labels[] = {"none", "bronze", "silver", "gold"};
  for (int i = 1; i <= n; i++)
    fprintf(f, "Cluster_%04d;%s;%d;%d,%02d;%s\r\n", i, i % 2 ? "North" : "South", i == bad ? -3 : 10 + i % 500,
            100 + i, i % 100, labels[i % 4]);
  fclose(f);
  snprintf(script, sizeof script,
           "region North {}\nregion South {}\n"
           "load cluster from \"%s\" {\n"
           "  name: \"Cluster\", region: \"Region\", members.sme: \"SMEs\"\n"
           "  budget: \"Budget (kEUR)\" in 1000 EUR / year, label: \"Label\"\n"
           "}\n"
           "let cs = clusters()\n"
           "assert len(cs) == %d\n"
           "assert cs[%d].name == \"Cluster_%04d\" and cs[%d].region == South\n"
           "assert sum(map(cs, fn(c) = c.budget)) == %s EUR / year\n"
           "assert len(filter(cs, fn(c) = c.label == \"gold\")) == %d\n",
           csv_path, n, n, n, n, n == 1000 ? "600995000" : "0", n / 4);
}

START_TEST(test_load_1000) {
  write_clusters(1000, 0);
  /* budgets: sum over i of (100 + i) + (i mod 100) / 100 kEUR, exactly */
  ck_assert_msg(interp_eval(W, "load", script, false) == INTERP_OK, "%s", err_buf);
}
END_TEST

/* An error in row 999 names the file, its line (1,000: the header is line
 * 1) and the cell. */
START_TEST(test_load_bad_row) {
  write_clusters(1000, 999);
  ck_assert_int_eq(interp_eval(W, "load", script, false), INTERP_ERROR);
  fflush(err_f);
  char want[200];
  snprintf(want, sizeof want, "error: %s:1000:3: cluster Cluster_0999: members.sme must not be negative", csv_path);
  ck_assert_msg(strstr(err_buf, want) != NULL, "want \"%s\" in:\n%s", want, err_buf);
}
END_TEST

/* The names load makes from the texts of cells (world.h). */
static const char *made(const char *text) {
  static char out[256];
  Buffer b;
  buf_init(&b);
  world_name_from_text(text, &b);
  snprintf(out, sizeof out, "%s", b.len ? b.data : "");
  buf_free(&b);
  return out;
}

START_TEST(test_names_from_text) {
  ck_assert_str_eq(made("AerospaceValley"), "AerospaceValley");
  ck_assert_str_eq(made("Basque Energy"), "Basque_Energy");
  ck_assert_str_eq(made("  Nord-Est  "), "Nord_Est");
  ck_assert_str_eq(made("P\xc3\xb4le Mer / Bretagne"), "Pole_Mer_Bretagne");      /* ô */
  ck_assert_str_eq(made("\xc5\x81\xc3\xb3" "d\xc5\xba"), "Lodz");                  /* Łódź */
  ck_assert_str_eq(made("Stra\xc3\x9f" "e"), "Strasse");                        /* ß */
  ck_assert_str_eq(made("3D Print"), "_3D_Print");
  ck_assert_str_eq(made("a_b"), "a_b");
  /* other scripts and signs are gaps: Greek, a euro sign (3 bytes), × */
  ck_assert_str_eq(made("Crete \xce\x9a\xcf\x81\xce\xae\xcf\x84\xce\xb7 2"), "Crete_2");
  ck_assert_str_eq(made("100\xe2\x82\xac Club"), "_100_Club");
  ck_assert_str_eq(made("A\xc3\x97" "B"), "A_B");
  ck_assert_str_eq(made("\xce\x9a\xcf\x81"), "");
  ck_assert_str_eq(made(" -- "), "");
  /* a stray byte, or a cut sequence at the end, is a gap too */
  ck_assert_str_eq(made("A\xff" "B\xc3"), "A_B");
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
  tcase_add_test(tc, test_names_from_text);
  suite_add_tcase(s, tc);
  TCase *load = tcase_create("load");
  tcase_add_checked_fixture(load, load_setup, load_teardown);
  tcase_set_timeout(load, 60);
  tcase_add_test(load, test_load_1000);
  tcase_add_test(load, test_load_bad_row);
  suite_add_tcase(s, load);
  return s;
}
