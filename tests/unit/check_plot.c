/* check_plot.c - Check tests for the chart module (world_plot.c): the y
 * axis's round ticks (plot_scale) over ordinary, flat, negative, reversed,
 * huge and tiny ranges, and charts the script tests cannot make (a
 * scenario runs at least two years): a chart of one year, a line with no
 * number at all; charts over labels instead of years (plot_chart_x). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buffer.h"
#include "interp.h"
#include "num.h"
#include "suites.h"
#include "world.h"
#include "world_plot.h"

static void scale(double lo, double hi, double want_lo, double want_hi, double want_step, int want_n) {
  double a, b, s;
  int n;
  plot_scale(lo, hi, &a, &b, &s, &n);
  ck_assert_msg(a == want_lo && b == want_hi && s == want_step && n == want_n,
                "plot_scale(%g, %g) = %g..%g step %g (%d), expected %g..%g step %g (%d)", lo, hi, a, b, s, n, want_lo,
                want_hi, want_step, want_n);
}

START_TEST(test_scale_round) {
  scale(100, 300, 100, 300, 50, 4);
  scale(300, 100, 100, 300, 50, 4); /* either order */
  scale(0, 1, 0, 1, 0.2, 5);
  scale(-600, 20, -600, 200, 200, 4);
  scale(103, 297, 100, 300, 50, 4);
  scale(0, 1234567, 0, 1250000, 250000, 5);
}
END_TEST

START_TEST(test_scale_flat) {
  scale(100, 100, 90, 110, 5, 4); /* a tenth either side */
  scale(0, 0, -1, 1, 0.5, 4);
  scale(-50, -50, -56, -44, 2, 6);
}
END_TEST

/* Whatever the range, the axis holds it, in 1 to 10 intervals that add up
 * to it, with finite numbers. */
static void scale_holds(double lo, double hi) {
  double a, b, s;
  int n;
  plot_scale(lo, hi, &a, &b, &s, &n);
  ck_assert_msg(isfinite(a) && isfinite(b) && isfinite(s) && s > 0, "plot_scale(%g, %g): %g..%g step %g", lo, hi, a, b, s);
  ck_assert_msg(a <= fmin(lo, hi) && b >= fmax(lo, hi), "plot_scale(%g, %g) = %g..%g", lo, hi, a, b);
  ck_assert_int_ge(n, 1);
  ck_assert_int_le(n, 10);
  /* in halves, which cannot overflow near the largest double */
  ck_assert_msg(fabs(a / 2 + n * (s / 2) - b / 2) <= 1e-9 * fmax(fabs(a), fabs(b)) + 1e-300,
                "plot_scale(%g, %g): %g + %d x %g != %g", lo, hi, a, n, s, b);
}

START_TEST(test_scale_extremes) {
  scale_holds(-1.7e308, 1.7e308);
  scale_holds(1.7e308, 1.7e308);
  scale_holds(-1.7e308, -1.7e308);
  scale_holds(0, 1.7e308);
  scale_holds(1e-300, 2e-300);
  scale_holds(4.9e-324, 4.9e-324);
  scale_holds(1e15, 1e15 + 1);
  srand(7);
  for (int i = 0; i < 10000; i++) {
    double lo = (rand() / (double)RAND_MAX - 0.5) * pow(10, rand() % 40 - 20);
    double hi = lo + rand() / (double)RAND_MAX * pow(10, rand() % 40 - 20);
    scale_holds(lo, hi);
  }
}
END_TEST

/* ---- charts made by hand ------------------------------------------------------ */

static Interp *I;

static void setup(void) { I = interp_new(&(InterpOptions){0}); }
static void teardown(void) { interp_free(I); }

/* Line i of a chart, labelled "a", "b"... by i, with values[0..n) and no
 * band, appended to lines. */
static void add_line(ObjList *lines, int i, const Value *values, int n) {
  ObjRecord *l = record_new(I);
  list_append(I, lines, OBJ_VAL(l));
  char label[2] = {(char)('a' + i), '\0'};
  world_set_field(I, l, "label", OBJ_VAL(str_new(I, label)));
  ObjList *vs = list_new(I);
  world_set_field(I, l, "values", OBJ_VAL(vs));
  for (int k = 0; k < n; k++) list_append(I, vs, values[k]);
  world_set_field(I, l, "p5", NIL_VAL);
  world_set_field(I, l, "p95", NIL_VAL);
}

/* {title: "t", unit: nil, years: [from..], lines: [{label: "a", values}]} */
static Value chart_of(int64_t from, const Value *values, int n) {
  ObjRecord *c = record_new(I);
  world_set_field(I, c, "title", OBJ_VAL(str_new(I, "t")));
  world_set_field(I, c, "unit", NIL_VAL);
  ObjList *years = list_new(I), *lines = list_new(I);
  world_set_field(I, c, "years", OBJ_VAL(years));
  world_set_field(I, c, "lines", OBJ_VAL(lines));
  for (int i = 0; i < n; i++) list_append(I, years, INT_VAL(from + i));
  add_line(lines, 0, values, n);
  return OBJ_VAL(c);
}

static int count(const char *s, const char *what) {
  int n = 0;
  for (const char *p = strstr(s, what); p; p = strstr(p + 1, what)) n++;
  return n;
}

START_TEST(test_one_year) {
  Value v = INT_VAL(5);
  Value chart = chart_of(2030, &v, 1);
  Buffer b;
  buf_init(&b);
  plot_print_text(I, &b, chart, false, false, 60);
  ck_assert_int_eq(count(b.data, "*"), 2); /* the point and the legend */
  ck_assert_int_eq(count(b.data, "2030"), 1);
  ck_assert_ptr_nonnull(strstr(b.data, "  * a\n"));
  buf_clear(&b);
  plot_svg_element(I, &b, chart);
  ck_assert_int_eq(count(b.data, "<circle"), 1); /* one year: a dot, not a polyline */
  ck_assert_int_eq(count(b.data, "<polyline"), 0);
  ck_assert_int_eq(strncmp(b.data, "<svg ", 5), 0);
  buf_free(&b);
}
END_TEST

START_TEST(test_no_number) {
  Value vs[3] = {NIL_VAL, FLOAT_VAL(INFINITY), FLOAT_VAL(NAN)};
  Buffer b;
  buf_init(&b);
  plot_print_text(I, &b, chart_of(2030, vs, 3), true, true, 60);
  ck_assert_ptr_nonnull(strstr(b.data, "no finite number for a in 2030..2032\n"));
  ck_assert_int_eq(count(b.data, "\xe2\xa0"), 0); /* no braille dot drawn */
  buf_free(&b);
}
END_TEST

/* Titles, labels and units are escaped in the SVG. */
START_TEST(test_svg_escapes) {
  Value vs[2] = {INT_VAL(1), INT_VAL(2)};
  Value chart = chart_of(2030, vs, 2);
  world_set_field(I, AS_RECORD(chart), "title", OBJ_VAL(str_new(I, "R&D <\"growth\">")));
  world_set_field(I, AS_RECORD(chart), "unit", OBJ_VAL(str_new(I, "a'b")));
  Buffer b;
  buf_init(&b);
  plot_svg(I, &b, chart);
  ck_assert_int_eq(strncmp(b.data, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg ", 44), 0);
  ck_assert_int_eq(count(b.data, "R&amp;D &lt;&quot;growth&quot;&gt;"), 2); /* <title> and the heading */
  ck_assert_int_eq(count(b.data, "a&#39;b"), 1); /* buf_put_html: a reference HTML and XML both read */
  ck_assert_int_eq(count(b.data, "R&D"), 0);
  buf_free(&b);
}
END_TEST

/* A chart of `nlines` lines a, b, c... over `nyears` years from 2030:
 * values[i * nyears + k] is line i's value in year k. */
static Value chart_lines(const Value *values, int nlines, int nyears) {
  Value chart = chart_of(2030, values, nyears);
  ObjList *lines = AS_LIST(world_field(I, AS_RECORD(chart), "lines"));
  for (int i = 1; i < nlines; i++) add_line(lines, i, values + i * nyears, nyears);
  return chart;
}

/* The legend says where a line lies on an earlier one, from exactly equal
 * numbers: 1/3 and the double nearest it are not the same, though no
 * chart could tell them apart. */
START_TEST(test_same_exact) {
  Value third = num_div(I, INT_VAL(1), INT_VAL(3)), half = num_div(I, INT_VAL(1), INT_VAL(2));
  Value vs[12] = {third, half, INT_VAL(1), FLOAT_VAL(1.0 / 3), FLOAT_VAL(0.5), INT_VAL(1),
                  third, half, FLOAT_VAL(1), third, FLOAT_VAL(0.5), INT_VAL(2)};
  Buffer b;
  buf_init(&b);
  plot_print_text(I, &b, chart_lines(vs, 4, 3), false, false, 200);
  /* b: the double near 1/3 in 2030, the same in 2031..2032 */
  ck_assert_ptr_nonnull(strstr(b.data, "   o b (same as a in 2031..2032)   "));
  /* c: 1/3, 1/2 exact and 1.0 in every year, a double equal to 1 */
  ck_assert_ptr_nonnull(strstr(b.data, "   + c (same as a in every year)   "));
  /* d: a in 2030..2031 (b too in 2031, a single year) */
  ck_assert_ptr_nonnull(strstr(b.data, "   x d (same as a in 2030..2031)\n"));
  buf_free(&b);
}
END_TEST

/* A line covers an earlier line's segments, and its lone dots; a single
 * year where two lines cross hides neither.  Each year is told under the
 * first line the later one covers then. */
START_TEST(test_same_years) {
  Value n = NIL_VAL;
  Value vs[24] = {INT_VAL(1), n,          INT_VAL(2), n,          INT_VAL(5), INT_VAL(4),
                  INT_VAL(9), INT_VAL(8), INT_VAL(7), INT_VAL(6), INT_VAL(5), INT_VAL(4),
                  INT_VAL(1), n,          INT_VAL(7), INT_VAL(6), INT_VAL(5), INT_VAL(4),
                  INT_VAL(0), INT_VAL(8), INT_VAL(0), INT_VAL(0), INT_VAL(0), INT_VAL(0)};
  Buffer b;
  buf_init(&b);
  Value chart = chart_lines(vs, 4, 6);
  plot_print_text(I, &b, chart, false, false, 200);
  ck_assert_ptr_nonnull(strstr(b.data, "   o b (same as a in 2034..2035)   "));
  /* c: a's lone dot in 2030, b's segments 2032..2035, those of 2034..2035
   * a's too: told under a */
  ck_assert_ptr_nonnull(strstr(b.data, "   + c (same as a in 2030, 2034..2035; as b in 2032..2033)   "));
  ck_assert_ptr_nonnull(strstr(b.data, "   x d\n")); /* crosses b in 2031 only */
  buf_clear(&b);
  plot_svg_element(I, &b, chart);
  /* c's dot on a's: a ring around it; its segments on b's alone (one
   * polyline, 2032..2034): dashes in slot 1 of 2; on a's and b's (b on a's
   * too): slots 1 and 2 of 3 */
  ck_assert_int_eq(count(b.data, "r=\"6\" fill=\"none\""), 1);
  ck_assert_int_eq(count(b.data, "stroke-dasharray=\"6 6\" stroke-dashoffset=\"6\" points=\"324.0,"), 1);
  ck_assert_int_eq(count(b.data, "stroke-dasharray=\"6 12\" stroke-dashoffset=\"12\""), 1);
  ck_assert_int_eq(count(b.data, "stroke-dasharray=\"6 12\" stroke-dashoffset=\"6\""), 1);
  ck_assert_int_eq(count(b.data, "c (same as a in 2030, 2034..2035; as b in 2032..2033); no finite number in 2031</text>"), 1);
  buf_free(&b);
}
END_TEST

/* A chart whose `share` is true has its y axis in percent, in the
 * terminal and in SVG; without it, plain numbers. */
START_TEST(test_share_axis) {
  Value vs[3] = {FLOAT_VAL(0.3), FLOAT_VAL(0.35), FLOAT_VAL(0.42)};
  Value chart = chart_of(2030, vs, 3);
  Buffer b;
  buf_init(&b);
  plot_print_text(I, &b, chart, false, false, 60);
  ck_assert_ptr_nonnull(strstr(b.data, "\n0.35 +"));
  ck_assert_ptr_null(strstr(b.data, "%"));
  world_set_field(I, AS_RECORD(chart), "share", BOOL_VAL(true));
  buf_clear(&b);
  plot_print_text(I, &b, chart, false, false, 60);
  ck_assert_ptr_nonnull(strstr(b.data, "\n42.5% +"));
  ck_assert_ptr_nonnull(strstr(b.data, "\n  35% +"));
  buf_clear(&b);
  plot_svg_element(I, &b, chart);
  ck_assert_int_eq(count(b.data, "\">42.5%</text>"), 1);
  buf_free(&b);
}
END_TEST

/* ---- charts over labels (a sweep's output against a param) --------------------------- */

/* A chart over the labels x[0..n), named "budget (EUR)", of `nlines`
 * lines a, b, c...: values[i * n + k] is line i's value at label k. */
static Value chart_x(const char *const *x, int n, const Value *values, int nlines) {
  ObjList *labels = list_new(I), *lines = list_new(I);
  for (int k = 0; k < n; k++) list_append(I, labels, OBJ_VAL(str_new(I, x[k])));
  for (int i = 0; i < nlines; i++) add_line(lines, i, values + i * n, n);
  return plot_chart_x(I, str_new(I, "base: A.jobs[2030]"), str_new(I, "budget (EUR)"), labels, lines, false);
}

/* The labels stand under their ticks in the order given, the axis's name
 * under them, in the terminal and in SVG; the record has `x` and
 * `x_title` in place of `years`; "same as" and gaps name the labels. */
START_TEST(test_x_labels) {
  static const char *const x[] = {"500k", "1M", "2M"};
  Value n = NIL_VAL;
  Value vs[9] = {INT_VAL(1), INT_VAL(2), INT_VAL(4), INT_VAL(0), INT_VAL(2), INT_VAL(4), INT_VAL(3), n, INT_VAL(1)};
  Value chart = chart_x(x, 3, vs, 3);
  ObjRecord *r = AS_RECORD(chart);
  Value f;
  ck_assert(!record_get(r, str_new(I, "years"), &f));
  ck_assert(record_get(r, str_new(I, "x"), &f) && IS_LIST(f) && AS_LIST(f)->items.count == 3);
  ck_assert(plot_is_charts(I, chart));
  Buffer b;
  buf_init(&b);
  plot_print_text(I, &b, chart, false, false, 60);
  /* the axis: ticks at the first, middle and last column of the plotting
   * area (from column 3, after "4 +"); the labels centred under them, the
   * first reaching into the margin; the axis's name centred */
  ck_assert_ptr_nonnull(strstr(b.data, "\n  ++-------------------------+-------------------------+\n"
                                       " 500k                       1M                        2M\n"
                                       "                       budget (EUR)\n"
                                       "  * a   o b (same as a at 1M..2M)   + c\n"));
  ck_assert_ptr_nonnull(strstr(b.data, "\n  no finite number for c at 1M\n"));
  ck_assert_int_eq(count(b.data, "2030"), 1); /* in the title only */
  buf_clear(&b);
  plot_svg_element(I, &b, chart);
  for (int k = 0; k < 3; k++) {
    char want[64];
    snprintf(want, sizeof want, "text-anchor=\"middle\">%s</text>", x[k]);
    ck_assert_int_eq(count(b.data, want), 1);
  }
  ck_assert_int_eq(count(b.data, "<text class=\"x-title\" x=\"385.0\" y=\"394.0\" text-anchor=\"middle\">budget (EUR)</text>"), 1);
  ck_assert_int_eq(count(b.data, ">b (same as a at 1M..2M)</text>"), 1);
  ck_assert_int_eq(count(b.data, ">c; no finite number at 1M</text>"), 1);
  ck_assert_int_eq(count(b.data, "width=\"720\" height=\"488\" viewBox"), 1); /* 18 more than over years: the axis's name */
  buf_free(&b);
}
END_TEST

/* Labels of UTF-8 text take a column per character, not per byte: "Łódź"
 * is centred as the 4 columns it fills, as "Lodz" is. */
START_TEST(test_x_utf8) {
  static const char *const utf8[] = {"\xc5\x81\xc3\xb3" "d\xc5\xba", "Krak\xc3\xb3w", "Gda\xc5\x84sk"};
  static const char *const ascii[] = {"Lodz", "Krakow", "Gdansk"};
  Value vs[3] = {INT_VAL(1), INT_VAL(2), INT_VAL(4)};
  Buffer a, b;
  buf_init(&a);
  buf_init(&b);
  plot_print_text(I, &a, chart_x(utf8, 3, vs, 1), false, false, 60);
  plot_print_text(I, &b, chart_x(ascii, 3, vs, 1), false, false, 60);
  /* the same text but for the letters: the same layout */
  const char *pa = strstr(a.data, "\xc5\x81"), *pb = strstr(b.data, "Lodz");
  ck_assert_ptr_nonnull(pa);
  ck_assert_ptr_nonnull(pb);
  const char *la = pa, *lb = pb;
  while (la > a.data && la[-1] != '\n') la--;
  while (lb > b.data && lb[-1] != '\n') lb--;
  ck_assert_int_eq((int)(pa - la), (int)(pb - lb)); /* "Łódź" starts where "Lodz" does */
  const char *ka = strstr(a.data, "Krak"), *kb = strstr(b.data, "Krak");
  ck_assert_int_eq((int)(ka - pa), (int)(kb - pb) + 3); /* and "Kraków" 3 bytes later: Łódź's 3 extra bytes */
  buf_free(&a);
  buf_free(&b);
}
END_TEST

/* Labels too many for the width: every second, third... is written, each
 * under a tick, at least a blank apart; the first always. */
START_TEST(test_x_crowded) {
  enum { N = 30 };
  char names[N][8];
  const char *x[N];
  Value vs[N];
  for (int k = 0; k < N; k++) {
    snprintf(names[k], sizeof names[k], "v%02d", k);
    x[k] = names[k];
    vs[k] = INT_VAL(k);
  }
  Buffer b;
  buf_init(&b);
  plot_print_text(I, &b, chart_x(x, N, vs, 1), false, false, 60);
  /* 52 columns for 30 labels 3 wide, points 1.8 columns apart: every third */
  ck_assert_ptr_nonnull(strstr(b.data, "\n   ++----+-----+----+----+----+-----+----+----+----+----\n"
                                       "   v00  v03   v06  v09  v12  v15   v18  v21  v24  v27\n"));
  ck_assert_ptr_null(strstr(b.data, "v29"));
  /* in SVG, 21 pixels apart for labels about 21 wide and 8 between: every second */
  buf_clear(&b);
  plot_svg_element(I, &b, chart_x(x, N, vs, 1));
  ck_assert_int_eq(count(b.data, ">v28</text>"), 1);
  ck_assert_int_eq(count(b.data, ">v29</text>"), 0);
  ck_assert_int_eq(count(b.data, "\" stroke=\"black\"/>\n<text x="), 15); /* a long tick, then its label */
  buf_free(&b);
}
END_TEST

typedef struct {
  ObjList *labels, *lines;
} XJob;

static void chart_x_job(Interp *In, void *ud) {
  XJob *j = ud;
  plot_chart_x(In, str_new(In, "t"), NULL, j->labels, j->lines, false);
}

/* The numbers of one chart have one unit. */
START_TEST(test_x_units) {
  static const char *const x[] = {"1", "2"};
  Value vs[4] = {INT_VAL(1), INT_VAL(2), INT_VAL(3), INT_VAL(4)};
  Value chart = chart_x(x, 2, vs, 2);
  XJob j = {AS_LIST(world_field(I, AS_RECORD(chart), "x")), AS_LIST(world_field(I, AS_RECORD(chart), "lines"))};
  ObjList *b = AS_LIST(world_field(I, AS_RECORD(j.lines->items.items[1]), "values"));
  UnitId eur;
  ck_assert(unit_lookup(&I->units, "EUR", &eur));
  b->items.items[1].unit = eur;
  ck_assert(!interp_pcall(I, chart_x_job, &j));
  ck_assert_str_eq(interp_error_message(I), "plot: a is a plain number but b is in EUR; one chart has one unit (plot them apart)");
}
END_TEST

Suite *plot_suite(void) {
  Suite *s = suite_create("plot");
  TCase *tc = tcase_create("scale");
  tcase_add_test(tc, test_scale_round);
  tcase_add_test(tc, test_scale_flat);
  tcase_add_test(tc, test_scale_extremes);
  suite_add_tcase(s, tc);
  tc = tcase_create("charts");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_one_year);
  tcase_add_test(tc, test_no_number);
  tcase_add_test(tc, test_svg_escapes);
  tcase_add_test(tc, test_same_exact);
  tcase_add_test(tc, test_same_years);
  tcase_add_test(tc, test_share_axis);
  tcase_add_test(tc, test_x_labels);
  tcase_add_test(tc, test_x_crowded);
  tcase_add_test(tc, test_x_utf8);
  tcase_add_test(tc, test_x_units);
  suite_add_tcase(s, tc);
  return s;
}
