/* check_export.c - Check tests for `export` to JSON and xlsx, which a
 * script cannot read back: the JSON is parsed again with json-c and its
 * numbers and units checked; the workbook is read with Python's openpyxl
 * (installed through scripts/install-deps.sh when missing; the test says
 * so and passes only where it cannot be installed).  Also: a read-only
 * file and a missing folder leave no temporary file anywhere.
 *
 * Each test writes into a directory of its own under /tmp, removed after. */
#include <dirent.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "interp.h"
#include "suites.h"

static char dir[64], tmpdir[96];

static void dir_setup(void) {
  strcpy(dir, "/tmp/clusim-export-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(dir));
  /* the workbook's private temporary file goes to TMPDIR: watch it too */
  snprintf(tmpdir, sizeof tmpdir, "%s/tmp", dir);
  ck_assert_int_eq(mkdir(tmpdir, 0700), 0);
  setenv("TMPDIR", tmpdir, 1);
}

static void dir_teardown(void) {
  char cmd[300];
  snprintf(cmd, sizeof cmd, "chmod -R u+w '%s'; rm -rf '%s'", dir, dir);
  ck_assert_int_eq(system(cmd), 0);
}

static int files_in(const char *path) {
  DIR *d = opendir(path);
  ck_assert_ptr_nonnull(d);
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)))
    if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) n++;
  closedir(d);
  return n;
}

/* An interpreter whose error stream is kept. */
typedef struct {
  Interp *I;
  FILE *err_f;
  char *err;
  size_t err_len;
} Box;

static void box_open(Box *b) {
  memset(b, 0, sizeof *b);
  b->err_f = open_memstream(&b->err, &b->err_len);
  b->I = interp_new(&(InterpOptions){.err = b->err_f});
  ck_assert_ptr_nonnull(b->I);
}

static void box_close(Box *b) {
  interp_free(b->I);
  fclose(b->err_f);
  free(b->err);
}

static const char *box_err(Box *b) {
  fflush(b->err_f);
  return b->err ? b->err : "";
}

/* Run `code` with every "DIR" in it replaced by the test's directory. */
static InterpResult run(Box *b, const char *code) {
  char text[8192];
  size_t n = 0;
  for (const char *p = code; *p && n < sizeof text - 100;) {
    if (strncmp(p, "DIR", 3) == 0) {
      n += (size_t)snprintf(text + n, sizeof text - n, "%s", dir);
      p += 3;
    } else {
      text[n++] = *p++;
    }
  }
  text[n] = '\0';
  return interp_eval(b->I, "t", text, false);
}

static const char *WORLD =
    "param t_step = 10 \"test: yearly step\"\n"
    "rule t_walk for c in clusters() {\n"
    "  c.t_money = c.t_money + t_step * 1k EUR + 0.1 EUR\n"
    "  c.t_third = c.t_third + 1/3\n"
    "  c.t_noise = c.t_noise + random()\n"
    "}\n"
    "cluster A { members: {sme: 100}, budget: 100k EUR / year, t_money: 2M EUR, t_third: 0, t_noise: 0 }\n"
    "scenario t_base { years: 2025..2027 }\n"
    "scenario t_many extends t_base { runs: 5, seed: 2 }\n"
    "run t_base, t_many\n";

/* The series of `field` of entity A in scenario object sc. */
static json_object *series_of(json_object *sc, const char *field) {
  json_object *list = json_object_object_get(sc, "series");
  for (size_t i = 0; i < json_object_array_length(list); i++) {
    json_object *se = json_object_array_get_idx(list, i);
    if (strcmp(json_object_get_string(json_object_object_get(se, "entity")), "A") == 0 &&
        strcmp(json_object_get_string(json_object_object_get(se, "field")), field) == 0)
      return se;
  }
  ck_abort_msg("no series A.%s", field);
  return NULL;
}

static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  ck_assert_ptr_nonnull(f);
  static char text[1 << 20];
  size_t n = fread(text, 1, sizeof text - 1, f);
  fclose(f);
  text[n] = '\0';
  return text;
}

/* Scenarios to JSON: exact decimals keep their digits (2010000.1, not
 * 2010000.1000000001), 1/3 is its nearest double with "1/3" under exact,
 * units are fields, a many-run scenario has its percentiles. */
START_TEST(json_scenarios) {
  Box b;
  box_open(&b);
  ck_assert_int_eq(run(&b, WORLD), INTERP_OK);
  ck_assert_msg(run(&b, "export t_base, t_many to \"DIR/s.json\"\n") == INTERP_OK, "%s", box_err(&b));
  char path[128];
  snprintf(path, sizeof path, "%s/s.json", dir);
  json_object *root = json_object_from_file(path);
  ck_assert_msg(root != NULL, "not JSON: %s", json_util_get_last_err());
  json_object *list = json_object_object_get(root, "scenarios");
  ck_assert_int_eq(json_object_array_length(list), 2);
  json_object *base = json_object_array_get_idx(list, 0), *many = json_object_array_get_idx(list, 1);
  ck_assert_str_eq(json_object_get_string(json_object_object_get(base, "name")), "t_base");
  ck_assert_int_eq(json_object_get_int64(json_object_object_get(many, "runs")), 5);
  json_object *money = series_of(base, "t_money");
  ck_assert_str_eq(json_object_get_string(json_object_object_get(money, "unit")), "EUR");
  ck_assert_int_eq(json_object_get_int64(json_object_object_get(money, "first_year")), 2025);
  json_object *values = json_object_object_get(money, "values");
  ck_assert_int_eq(json_object_array_length(values), 3);
  ck_assert(json_object_get_double(json_object_array_get_idx(values, 1)) == 2010000.1);
  ck_assert_ptr_nonnull(strstr(slurp(path), "2010000.1,"));
  ck_assert_ptr_nonnull(strstr(slurp(path), "2020000.2\n"));
  ck_assert_ptr_null(json_object_object_get(money, "p5")); /* one run: no percentiles */
  ck_assert_ptr_null(json_object_object_get(money, "exact"));
  json_object *third = series_of(base, "t_third");
  ck_assert(json_object_get_type(json_object_object_get(third, "unit")) == json_type_null);
  ck_assert(json_object_get_double(json_object_array_get_idx(json_object_object_get(third, "values"), 1)) == 1.0 / 3);
  json_object *exact = json_object_object_get(json_object_object_get(third, "exact"), "values");
  ck_assert_str_eq(json_object_get_string(json_object_object_get(exact, "2026")), "1/3");
  ck_assert_str_eq(json_object_get_string(json_object_object_get(exact, "2027")), "2/3");
  ck_assert_ptr_null(json_object_object_get(exact, "2025"));
  ck_assert_str_eq(json_object_get_string(json_object_object_get(series_of(base, "budget"), "unit")), "EUR/year");
  json_object *noise = series_of(many, "t_noise");
  double p5 = json_object_get_double(json_object_array_get_idx(json_object_object_get(noise, "p5"), 2));
  double p95 = json_object_get_double(json_object_array_get_idx(json_object_object_get(noise, "p95"), 2));
  double mean = json_object_get_double(json_object_array_get_idx(json_object_object_get(noise, "values"), 2));
  ck_assert(p5 < p95 && p5 <= mean && mean <= p95);
  ck_assert_int_eq(json_object_array_length(json_object_object_get(noise, "p50")), 3);
  json_object_put(root);
  box_close(&b);
}
END_TEST

/* Tables to JSON: columns with their units, rows as objects keyed by the
 * column names; a column of mixed units gets a unit column. */
START_TEST(json_tables) {
  Box b;
  box_open(&b);
  ck_assert_int_eq(run(&b, WORLD), INTERP_OK);
  ck_assert_msg(run(&b, "export compare(t_base, t_many, \"A.t_money\"), why t_base.A.t_money[2026] to \"DIR/t.json\"\n"
                        "export [{a: 1 EUR, b: 2}, {a: 3 EUR, b: 4 EUR / year}] to \"DIR/r.json\"\n") == INTERP_OK,
                "%s", box_err(&b));
  char path[128];
  snprintf(path, sizeof path, "%s/t.json", dir);
  json_object *root = json_object_from_file(path);
  ck_assert_ptr_nonnull(root);
  json_object *tables = json_object_object_get(root, "tables");
  ck_assert_int_eq(json_object_array_length(tables), 2);
  json_object *cmp = json_object_array_get_idx(tables, 0);
  ck_assert_str_eq(json_object_get_string(json_object_object_get(cmp, "name")), "compare A.t_money");
  json_object *cols = json_object_object_get(cmp, "columns");
  const char *want[] = {"year", "t_base", "t_many", "t_many p5", "t_many p95", "t_many-t_base"};
  ck_assert_int_eq(json_object_array_length(cols), 6);
  for (int i = 0; i < 6; i++) {
    json_object *c = json_object_array_get_idx(cols, i);
    ck_assert_str_eq(json_object_get_string(json_object_object_get(c, "name")), want[i]);
    json_object *u = json_object_object_get(c, "unit");
    if (i == 0) ck_assert(json_object_get_type(u) == json_type_null);
    else ck_assert_str_eq(json_object_get_string(u), "EUR");
  }
  json_object *row = json_object_array_get_idx(json_object_object_get(cmp, "rows"), 2);
  ck_assert_int_eq(json_object_get_int64(json_object_object_get(row, "year")), 2027);
  ck_assert(json_object_get_double(json_object_object_get(row, "t_base")) == 2020000.2);
  json_object *why = json_object_array_get_idx(tables, 1);
  json_object *rows = json_object_object_get(why, "rows");
  ck_assert_int_eq(json_object_array_length(rows), 3);
  ck_assert_str_eq(json_object_get_string(json_object_object_get(json_object_array_get_idx(rows, 1), "rule")), "t_walk");
  ck_assert(json_object_get_double(json_object_object_get(json_object_array_get_idx(rows, 1), "amount")) == 10000.1);
  json_object_put(root);
  snprintf(path, sizeof path, "%s/r.json", dir);
  root = json_object_from_file(path);
  ck_assert_ptr_nonnull(root);
  json_object *t = json_object_array_get_idx(json_object_object_get(root, "tables"), 0);
  cols = json_object_object_get(t, "columns");
  ck_assert_int_eq(json_object_array_length(cols), 3); /* a (EUR), b, b unit */
  ck_assert_str_eq(json_object_get_string(json_object_object_get(json_object_array_get_idx(cols, 2), "name")), "b unit");
  row = json_object_array_get_idx(json_object_object_get(t, "rows"), 1);
  ck_assert_str_eq(json_object_get_string(json_object_object_get(row, "b unit")), "EUR/year");
  json_object_put(root);
  /* what JSON cannot hold as a number keeps its exact text beside it (in
   * "exact_" here, since a column is called "exact"); a big integer is
   * written whole */
  ck_assert_msg(run(&b, "export [{exact: 1/3, big: 10^30, x: inexact(1)/0}] to \"DIR/e.json\"\n") == INTERP_OK, "%s",
                box_err(&b));
  snprintf(path, sizeof path, "%s/e.json", dir);
  root = json_object_from_file(path);
  ck_assert_ptr_nonnull(root);
  row = json_object_array_get_idx(
      json_object_object_get(json_object_array_get_idx(json_object_object_get(root, "tables"), 0), "rows"), 0);
  ck_assert(json_object_get_double(json_object_object_get(row, "exact")) == 1.0 / 3);
  ck_assert(json_object_get_type(json_object_object_get(row, "x")) == json_type_null);
  json_object *ex = json_object_object_get(row, "exact_");
  ck_assert_str_eq(json_object_get_string(json_object_object_get(ex, "exact")), "1/3");
  ck_assert_str_eq(json_object_get_string(json_object_object_get(ex, "x")), "inf");
  ck_assert_ptr_null(json_object_object_get(ex, "big"));
  ck_assert_ptr_nonnull(strstr(slurp(path), "\"big\": 1000000000000000000000000000000,"));
  json_object_put(root);
  box_close(&b);
}
END_TEST

/* Whether /usr/bin/python3 has openpyxl; installs it (python3-openpyxl)
 * through scripts/install-deps.sh when it can. */
static bool have_openpyxl(void) {
  const char *probe = "/usr/bin/python3 -c 'import openpyxl' >/dev/null 2>&1";
  if (system(probe) == 0) return true;
  if (system("sh scripts/install-deps.sh python3-openpyxl >/dev/null 2>&1") != 0 || system(probe) != 0) {
    fprintf(stderr, "check_export: SKIPPED reading the workbook back: python3-openpyxl is missing and "
                    "cannot be installed here\n");
    return false;
  }
  return true;
}

/* The workbook read back: a sheet per scenario (long names cut to 31
 * characters and made unique, "History" avoided) and "comparison"; the
 * units in the headings; numbers as numeric cells. */
START_TEST(xlsx_read_back) {
  Box b;
  box_open(&b);
  ck_assert_int_eq(run(&b, WORLD), INTERP_OK);
  ck_assert_msg(run(&b, "scenario a_scenario_with_a_name_of_forty_letters_1 extends t_base {}\n"
                        "scenario a_scenario_with_a_name_of_forty_letters_2 extends t_base {}\n"
                        "scenario history extends t_base {}\n"
                        "run a_scenario_with_a_name_of_forty_letters_1, a_scenario_with_a_name_of_forty_letters_2, history\n"
                        "export t_base, t_many, a_scenario_with_a_name_of_forty_letters_1, "
                        "a_scenario_with_a_name_of_forty_letters_2, history to \"DIR/w.xlsx\"\n"
                        "export compare(t_base, t_many, \"A.t_money\"), why t_base.A.t_money[2026] to \"DIR/t.xlsx\"\n") ==
                    INTERP_OK,
                "%s", box_err(&b));
  box_close(&b);
  ck_assert_int_eq(files_in(tmpdir), 0); /* the private temporary files are gone */
  ck_assert_int_eq(files_in(dir), 3);     /* w.xlsx, t.xlsx, tmp */
  if (!have_openpyxl()) return;
  char cmd[2048];
  snprintf(cmd, sizeof cmd,
           "/usr/bin/python3 - '%s' <<'EOF'\n"
           "import openpyxl, sys\n"
           "d = sys.argv[1]\n"
           "wb = openpyxl.load_workbook(d + '/w.xlsx')\n"
           "print(wb.sheetnames)\n"
           "ws = wb['t_base']\n"
           "head = [c.value for c in ws[1]]\n"
           "print(head[0], 'A.budget (EUR/year)' in head, 'A.t_money (EUR)' in head, ws.max_row)\n"
           "col = head.index('A.t_money (EUR)') + 1\n"
           "print([ws.cell(row=r, column=1).value for r in range(2, 5)], ws.cell(row=3, column=col).value)\n"
           "print(all(isinstance(c.value, (int, float)) for row in ws.iter_rows(min_row=2) for c in row))\n"
           "m = [c.value for c in wb['t_many'][1]]\n"
           "print('A.t_noise mean' in m, 'A.t_noise p5' in m, 'A.t_noise p95' in m)\n"
           "c = [x.value for x in wb['comparison'][1]]\n"
           "print('A.t_money t_base (EUR)' in c, 'A.t_money t_many-t_base (EUR)' in c)\n"
           "t = openpyxl.load_workbook(d + '/t.xlsx')\n"
           "print(t.sheetnames, [x.value for x in t['why'][1]])\n"
           "print([[x.value for x in r] for r in t['why'].iter_rows(min_row=2)])\n"
           "EOF\n",
           dir);
  FILE *p = popen(cmd, "r");
  ck_assert_ptr_nonnull(p);
  char out[4096];
  size_t n = fread(out, 1, sizeof out - 1, p);
  out[n] = '\0';
  ck_assert_int_eq(pclose(p), 0);
  ck_assert_str_eq(out, "['t_base', 't_many', 'a_scenario_with_a_name_of_forty', 'a_scenario_with_a_name_of_f (2)', "
                        "'history (2)', 'comparison']\n"
                        "year True True 4\n"
                        "[2025, 2026, 2027] 2010000.1\n"
                        "True\n"
                        "True True True\n"
                        "True True\n"
                        "['compare A.t_money', 'why'] ['line', 'rule', 'amount (EUR)']\n"
                        "[['before', None, 2000000], ['rule', 't_walk', 10000.1], ['after', None, 2010000.1]]\n");
}
END_TEST

/* A read-only workbook is refused and left as it was; a folder that does
 * not exist is an error; neither leaves a temporary file, beside the
 * target or in TMPDIR. */
START_TEST(xlsx_errors_leave_nothing) {
  Box b;
  box_open(&b);
  ck_assert_int_eq(run(&b, WORLD), INTERP_OK);
  char path[128];
  snprintf(path, sizeof path, "%s/ro.xlsx", dir);
  FILE *f = fopen(path, "w");
  ck_assert_ptr_nonnull(f);
  fputs("keep\n", f);
  fclose(f);
  ck_assert_int_eq(chmod(path, 0444), 0);
  ck_assert_int_eq(run(&b, "export t_base to \"DIR/ro.xlsx\"\n"), INTERP_ERROR);
  ck_assert_msg(strstr(box_err(&b), "the file is read-only") != NULL, "got: %s", box_err(&b));
  ck_assert_str_eq(slurp(path), "keep\n");
  ck_assert_int_eq(run(&b, "export t_base to \"DIR/ro.json\"\nexport t_base to \"DIR/no/such.xlsx\"\n"), INTERP_ERROR);
  ck_assert_msg(strstr(box_err(&b), "no such file or directory") != NULL, "got: %s", box_err(&b));
  ck_assert_int_eq(files_in(tmpdir), 0);
  ck_assert_int_eq(files_in(dir), 3); /* ro.xlsx, ro.json, tmp */
  box_close(&b);
}
END_TEST

Suite *export_suite(void) {
  Suite *s = suite_create("export");
  TCase *tc = tcase_create("formats");
  tcase_set_timeout(tc, 120);
  tcase_add_checked_fixture(tc, dir_setup, dir_teardown);
  tcase_add_test(tc, json_scenarios);
  tcase_add_test(tc, json_tables);
  tcase_add_test(tc, xlsx_read_back);
  tcase_add_test(tc, xlsx_errors_leave_nothing);
  suite_add_tcase(s, tc);
  return s;
}
