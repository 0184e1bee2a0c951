/* check_plot.c - Check tests for the chart module (world_plot.c): the y
 * axis's round ticks (plot_scale) over ordinary, flat, negative, reversed,
 * huge and tiny ranges, and charts the script tests cannot make (a
 * scenario runs at least two years): a chart of one year, a line with no
 * number at all. */
#include <math.h>
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

/* {title: "t", unit: nil, years: [from..], lines: [{label: "a", values}]} */
static Value chart_of(int64_t from, const Value *values, int n) {
  ObjRecord *c = record_new(I);
  world_set_field(I, c, "title", OBJ_VAL(str_new(I, "t")));
  world_set_field(I, c, "unit", NIL_VAL);
  ObjList *years = list_new(I), *vs = list_new(I), *lines = list_new(I);
  world_set_field(I, c, "years", OBJ_VAL(years));
  world_set_field(I, c, "lines", OBJ_VAL(lines));
  for (int i = 0; i < n; i++) {
    list_append(I, years, INT_VAL(from + i));
    list_append(I, vs, values[i]);
  }
  ObjRecord *l = record_new(I);
  list_append(I, lines, OBJ_VAL(l));
  world_set_field(I, l, "label", OBJ_VAL(str_new(I, "a")));
  world_set_field(I, l, "values", OBJ_VAL(vs));
  world_set_field(I, l, "p5", NIL_VAL);
  world_set_field(I, l, "p95", NIL_VAL);
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
  for (int i = 1; i < nlines; i++) {
    ObjRecord *l = record_new(I);
    list_append(I, lines, OBJ_VAL(l));
    char label[2] = {(char)('a' + i), '\0'};
    world_set_field(I, l, "label", OBJ_VAL(str_new(I, label)));
    ObjList *vs = list_new(I);
    world_set_field(I, l, "values", OBJ_VAL(vs));
    for (int k = 0; k < nyears; k++) list_append(I, vs, values[i * nyears + k]);
    world_set_field(I, l, "p5", NIL_VAL);
    world_set_field(I, l, "p95", NIL_VAL);
  }
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
  suite_add_tcase(s, tc);
  return s;
}
