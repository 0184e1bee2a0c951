/* check_diag.c - Check tests for diagnostics: errors about a declaration's
 * fields located at the field (interp_throw_at_field, chunk.h: FieldLoc),
 * the "did you mean" rule (diag_similar), misspelt keywords.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "interp.h"
#include "suites.h"

static Interp *I;
static FILE *err_f;
static char *err_buf;
static size_t err_len;

static void setup(void) {
  err_f = open_memstream(&err_buf, &err_len);
  ck_assert_ptr_nonnull(err_f);
  I = interp_new(&(InterpOptions){.out = err_f, .err = err_f, .load_stdlib = true});
  ck_assert_ptr_nonnull(I);
}

static void teardown(void) {
  interp_free(I);
  fclose(err_f);
  free(err_buf);
}

/* Evaluating `text` fails with a message that contains `want`. */
static void expect_error(const char *text, const char *want) {
  fflush(err_f);
  size_t mark = err_len;
  InterpResult r = interp_eval(I, "t", text, false);
  fflush(err_f);
  ck_assert_msg(r == INTERP_ERROR && strstr(err_buf + mark, want), "program:\n%s\n-- want an error with:\n%s\n-- got:\n%s",
                text, want, err_buf + mark);
}

/* ---- errors in a declaration's fields ------------------------------------ */

START_TEST(test_field_locations) {
  /* a field of the record */
  expect_error("cluster A {\n  jobs: 5\n  budget: 5 EUR\n}\n",
               "t:3:3: error: cluster A: 'budget' must be in EUR/year, not EUR\n    3 |   budget: 5 EUR\n");
  /* a field of a nested record, named as a path in the message */
  expect_error("cluster B {\n  members: {\n    sme: -1\n  }\n}\n", "t:3:5: error: cluster B: members.sme must not be negative");
  /* a nested field the message names alone */
  expect_error("cluster C {\n  members: {sme: 1,\n    smee: 2}\n}\n", "t:3:5: error: cluster C: unknown member type 'smee'");
  /* a misspelt field */
  expect_error("cluster D {\n  jobs: 5\n  budjet: 5 EUR / year\n}\n", "t:3:3: error: cluster D: unknown field 'budjet'");
  /* a fund's field */
  expect_error("cluster E { jobs: 1 }\nprogramme P { level: \"eu\", budget: 1M EUR }\n"
               "fund P -> E {\n  amount: 1k EUR / year\n  years: 2030..2026\n  purpose: \"training\"\n}\n",
               "t:5:3: error: fund P -> E: 'years' 2030..2026 is empty");
  /* a declaration inside a scenario, reported when the scenario runs */
  expect_error("scenario s {\n  years: 2026..2027\n  cluster F {\n    label: \"platinum\"\n  }\n}\nrun s\n",
               "t:4:5: error: cluster F: 'label' must be one of");
  /* a missing field has no line of its own: the entity's name */
  expect_error("cluster G { jobs: 1 }\nprogramme Q {\n  level: \"eu\"\n}\n",
               "t:2:11: error: programme Q: the field 'budget' is missing");
  /* a message naming no field: the entity's name */
  expect_error("cluster H { jobs: 1 }\npartnership Z {\n  members: [H]\n}\n", "t:2:13: error: partnership Z: a partnership needs");
}
END_TEST

/* ---- "did you mean" -------------------------------------------------------- */

START_TEST(test_similar) {
  int d;
  ck_assert(diag_similar("budjet", "budget", &d) && d == 1);
  ck_assert(diag_similar("lable", "label", &d) && d == 1); /* a swap is one edit */
  ck_assert(diag_similar("Budget", "budget", &d) && d == 0); /* case is ignored */
  ck_assert(diag_similar("eligble_costs", "eligible_costs", &d) && d == 1);
  ck_assert(diag_similar("scenarion", "scenario", NULL));
  ck_assert(diag_similar("grwth", "growth", NULL));
  ck_assert(diag_similar("exprt_shre", "export_share", NULL)); /* two edits in ten letters */
  ck_assert(!diag_similar("Nope", "type", NULL));              /* two edits in four letters */
  ck_assert(!diag_similar("p", "q", NULL));                    /* nothing of 'p' is left */
  ck_assert(!diag_similar("ab", "xy", NULL));
  ck_assert(!diag_similar("budget", "budget", NULL)); /* not a suggestion of itself */
  ck_assert(!diag_similar("jobs", "staff", NULL));
}
END_TEST

START_TEST(test_misspelt_keywords) {
  expect_error("clustr Aero {\n  jobs: 5\n}\n", "t:1:1: error: syntax error: 'clustr' is not a keyword (did you mean 'cluster'?)");
  expect_error("scenarion s {\n}\n", "'scenarion' is not a keyword (did you mean 'scenario'?)");
  expect_error("compar a, b on X.y\n", "'compar' is not a keyword (did you mean 'compare'?)");
  expect_error("fn f() {\n  retrun 5\n}\n", "t:2:3: error: syntax error: 'retrun' is not a keyword (did you mean 'return'?)");
  expect_error("improt \"x.clu\"\n", "(did you mean 'import'?)");
  /* what follows must fit the keyword: `cluster` takes a name, not a string */
  expect_error("clustr \"x\"\n", "t:1:8: error: syntax error: unexpected string");
  /* a call or an operation after a name is no misspelling */
  expect_error("prnt(1)\n", "unknown name 'prnt' (did you mean 'print'?)");
}
END_TEST

Suite *diag_suite(void) {
  Suite *s = suite_create("diag");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_field_locations);
  tcase_add_test(tc, test_similar);
  tcase_add_test(tc, test_misspelt_keywords);
  suite_add_tcase(s, tc);
  return s;
}
