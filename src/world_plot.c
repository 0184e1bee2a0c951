/* world_plot.c - `plot`: line charts of result series.  A chart is computed
 * as a record (plot_chart, plot_chart_series), then drawn: as text in the
 * terminal (braille dots in colour, or ASCII markers) or as SVG. */
#include "world_plot.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "format.h"
#include "lib.h"
#include "memory.h"
#include "num.h"
#include "progress.h"
#include "world.h"
#include "world_report.h"


/* ---- the chart as a value ------------------------------------------------------------- */

static bool has_number(ObjSeries *se) {
  for (int k = 0; k < se->values.count; k++)
    if (num_is(se->values.items[k])) return true;
  return false;
}

/* The values of series se over lo..hi, nil where it has none. */
static Value year_values(Interp *I, ObjSeries *se, int64_t lo, int64_t hi) {
  ObjList *l = list_new(I);
  for (int64_t y = lo; y <= hi; y++) list_append(I, l, results_series_get(se, y));
  return OBJ_VAL(l);
}

/* se's statistic `stat` (p5, p95) as a series, or NULL for one run. */
static ObjSeries *stat_series(Interp *I, ObjSeries *se, const char *stat) {
  if (!se->stats) return NULL;
  Value v = world_field(I, se->stats, stat);
  return IS_SERIES(v) ? AS_SERIES(v) : NULL;
}

/* "in EUR/year", or "a plain number". */
static void unit_phrase(Interp *I, Buffer *b, UnitId u) {
  if (u == UNIT_NONE) {
    buf_puts(b, "a plain number");
    return;
  }
  buf_puts(b, "in ");
  unit_format(&I->units, b, u);
}

static _Noreturn void unit_clash(Interp *I, const char *a, UnitId ua, const char *b, UnitId ub) {
  Buffer m;
  buf_init(&m);
  buf_printf(&m, "plot: %s is ", a);
  unit_phrase(I, &m, ua);
  buf_printf(&m, " but %s is ", b);
  unit_phrase(I, &m, ub);
  buf_puts(&m, "; one chart has one unit (plot them apart)");
  ObjString *msg = str_take_buffer(I, &m);
  interp_throw(I, "%s", msg->chars);
}

/* A new chart record with its title, unit and share. */
static ObjRecord *chart_head(Interp *I, ObjString *title, UnitId unit, bool share) {
  ObjRecord *chart = record_new(I);
  interp_push_root(I, OBJ_VAL(chart));
  world_set_field(I, chart, "title", OBJ_VAL(title));
  Value u = NIL_VAL;
  if (unit != UNIT_NONE) {
    Buffer b;
    buf_init(&b);
    unit_format(&I->units, &b, unit);
    u = OBJ_VAL(str_take_buffer(I, &b));
  }
  world_set_field(I, chart, "unit", u);
  world_set_field(I, chart, "share", BOOL_VAL(share));
  interp_pop_roots(I, 1);
  return chart;
}

static Value chart_new(Interp *I, ObjSeries **series, ObjString **labels, int n, ObjString *title) {
  if (n < 1) interp_throw(I, "plot: nothing to plot");
  if (n > PLOT_MAX_LINES) interp_throw(I, "plot: at most %d lines on one chart", PLOT_MAX_LINES);
  int64_t lo = INT64_MAX, hi = INT64_MIN;
  int first = -1; /* the first series with a number: its unit is the chart's */
  UnitId unit = UNIT_NONE;
  bool share = true;
  for (int i = 0; i < n; i++) {
    ObjSeries *se = series[i];
    share = share && se->share;
    if (se->values.count == 0) continue;
    if (se->first_year < lo) lo = se->first_year;
    if (results_series_last(se) > hi) hi = results_series_last(se);
    if (!has_number(se)) continue;
    UnitId u = results_series_unit(se);
    if (first < 0) {
      first = i;
      unit = u;
    } else if (u != unit) {
      unit_clash(I, labels[first]->chars, unit, labels[i]->chars, u);
    }
  }
  if (first < 0) interp_throw(I, "plot: %s has no number to plot", title->chars);
  ObjRecord *chart = chart_head(I, title, unit, share);
  ObjList *years = list_new(I);
  world_set_field(I, chart, "years", OBJ_VAL(years));
  for (int64_t y = lo; y <= hi; y++) list_append(I, years, INT_VAL(y));
  ObjList *lines = list_new(I);
  world_set_field(I, chart, "lines", OBJ_VAL(lines));
  for (int i = 0; i < n; i++) {
    ObjRecord *line = record_new(I);
    list_append(I, lines, OBJ_VAL(line));
    world_set_field(I, line, "label", OBJ_VAL(labels[i]));
    world_set_field(I, line, "values", year_values(I, series[i], lo, hi));
    ObjSeries *p5 = stat_series(I, series[i], "p5"), *p95 = stat_series(I, series[i], "p95");
    bool band = p5 && p95;
    world_set_field(I, line, "p5", band ? year_values(I, p5, lo, hi) : NIL_VAL);
    world_set_field(I, line, "p95", band ? year_values(I, p95, lo, hi) : NIL_VAL);
  }
  return OBJ_VAL(chart);
}

Value plot_chart_x(Interp *I, ObjString *title, ObjString *x_title, ObjList *x, ObjList *lines, bool share) {
  if (lines->items.count < 1) interp_throw(I, "plot: nothing to plot");
  if (lines->items.count > PLOT_MAX_LINES) interp_throw(I, "plot: at most %d lines on one chart", PLOT_MAX_LINES);
  const char *first = NULL; /* the label of the first line with a number: its unit is the chart's */
  UnitId unit = UNIT_NONE;
  for (int i = 0; i < lines->items.count; i++) {
    ObjRecord *l = AS_RECORD(lines->items.items[i]);
    ObjList *vs = AS_LIST(world_field(I, l, "values"));
    for (int k = 0; k < vs->items.count; k++) {
      Value v = vs->items.items[k];
      if (!num_is(v)) continue;
      const char *label = AS_CSTRING(world_field(I, l, "label"));
      if (!first) {
        first = label;
        unit = v.unit;
      } else if (v.unit != unit) {
        unit_clash(I, first, unit, label, v.unit);
      }
    }
  }
  if (!first) interp_throw(I, "plot: %s has no number to plot", title->chars);
  ObjRecord *chart = chart_head(I, title, unit, share);
  interp_push_root(I, OBJ_VAL(chart));
  world_set_field(I, chart, "x", OBJ_VAL(x));
  world_set_field(I, chart, "x_title", x_title ? OBJ_VAL(x_title) : NIL_VAL);
  world_set_field(I, chart, "lines", OBJ_VAL(lines));
  interp_pop_roots(I, 1);
  return OBJ_VAL(chart);
}

Value plot_chart(Interp *I, ObjScenario **ss, int n, const char *path) {
  ObjSeries *series[PLOT_MAX_LINES];
  ObjString *labels[PLOT_MAX_LINES];
  if (n > PLOT_MAX_LINES) interp_throw(I, "plot: at most %d scenarios on one chart", PLOT_MAX_LINES);
  for (int i = 0; i < n; i++) {
    series[i] = report_series(I, ss[i], path);
    labels[i] = ss[i]->name;
  }
  return chart_new(I, series, labels, n, str_new(I, path));
}

/* The title of a chart of series "S.X.jobs", "T.X.jobs": what the labels
 * share after their first part ("X.jobs"), or the labels themselves. */
static ObjString *series_title(Interp *I, ObjString **labels, int n) {
  const char *rest = strchr(labels[0]->chars, '.');
  for (int i = 1; rest && i < n; i++) {
    const char *r = strchr(labels[i]->chars, '.');
    if (!r || strcmp(r, rest) != 0) rest = NULL;
  }
  if (rest && rest[1]) return str_new(I, rest + 1);
  Buffer b;
  buf_init(&b);
  for (int i = 0; i < n; i++) buf_printf(&b, "%s%s", i ? ", " : "", labels[i]->chars);
  return str_take_buffer(I, &b);
}

Value plot_chart_series(Interp *I, ObjSeries **series, ObjString **labels, int n) {
  if (n < 1) interp_throw(I, "plot: nothing to plot");
  return chart_new(I, series, labels, n, series_title(I, labels, n));
}

/* ---- the scale ------------------------------------------------------------------------ */

void plot_scale(double lo, double hi, double *axis_lo, double *axis_hi, double *step, int *intervals) {
  if (lo > hi) {
    double t = lo;
    lo = hi;
    hi = t;
  }
  /* flat, or as good as (a difference lost in the doubles' precision):
   * a tenth of the value either side, or -1..1 */
  if (!(hi - lo > 1e-9 * fmax(fabs(lo), fabs(hi)))) {
    hi = lo;
    double around = fabs(lo) > 0 ? fabs(lo) / 10 : 1;
    lo = fmax(lo - around, -DBL_MAX); /* near the largest double: up to it */
    hi = fmin(hi + around, DBL_MAX);
    if (!(hi > lo)) { /* so close to the largest double that adding moves nothing */
      lo = lo > 0 ? lo / 2 : lo * 2;
      hi = hi > 0 ? hi * 2 : hi / 2;
    }
  }
  /* halves, so that hi - lo cannot overflow near the largest double */
  double raw = (hi / 2 - lo / 2) / 2.5;
  double mag = pow(10, floor(log10(raw)));
  double f = raw / mag;
  double nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
  double s = nice * mag;
  double a = floor(lo / s) * s, b = ceil(hi / s) * s;
  int n = (int)llround(b / s - a / s);
  if (!isfinite(a) || !isfinite(b) || n < 1 || n > 10 || a > lo || b < hi) { /* beyond doubles' round numbers: the range itself */
    a = lo;
    b = hi;
    n = 4;
    s = b / 4 - a / 4;
    if (!(s > 0)) { /* among the smallest doubles: one interval */
      n = 1;
      s = b - a;
    }
  }
  *axis_lo = a;
  *axis_hi = b;
  *step = s;
  *intervals = n;
}

/* ---- the chart read back as numbers ------------------------------------------------- */

typedef struct {
  const char *label;
  double *v, *lo, *hi; /* one per year; NAN for no number; lo, hi NULL without a band */
} PlotLine;

/* Where lines lie on each other.  A line drawn later covers an earlier one
 * wherever the two have the same numbers, so that a reader would see one
 * line and take a scenario for missing; the legend says so, from the
 * numbers themselves (exactly equal, not equal once rounded):
 *   same[i * nyears + k]   the first line j <= i whose value in year k is
 *                          exactly line i's (num_eq, the same unit): i
 *                          itself when no earlier line has it, -1 when line
 *                          i has no number that year.  Lines i and j are
 *                          equal in year k when their entries are equal and
 *                          not -1 (equality is transitive).
 *   cover[i * nyears + k]  the first earlier line whose drawing line i
 *                          covers in year k (see covers()), or -1. */
typedef struct {
  const char *title, *unit;
  bool share;            /* every series is a share: the y axis in percent */
  int64_t first_year;
  const char **x;        /* a chart of labels (its `x`): one per point, else NULL */
  const char *x_title;   /* the name of such an axis, or NULL */
  int nyears, nlines;    /* nyears: the points, years or labels */
  PlotLine *lines;
  double vmin, vmax;     /* over every finite value, band included */
  double axis_lo, axis_hi, step;
  int intervals;
  double *numbers;       /* the doubles of all lines, one block */
  int *same, *cover;     /* nlines x nyears each, one block */
} Plot;

static ObjList *chart_list(Interp *I, ObjRecord *r, const char *literal, bool may_be_nil) {
  Value v = world_field(I, r, literal);
  if (may_be_nil && IS_NIL(v)) return NULL;
  if (!IS_LIST(v)) interp_throw(I, "plot: a chart's '%s' must be a list", literal);
  return AS_LIST(v);
}

static void read_numbers(ObjList *l, double *out, int n, Plot *p) {
  for (int k = 0; k < n; k++) {
    Value v = k < l->items.count ? l->items.items[k] : NIL_VAL;
    double d = num_is(v) ? num_to_double(v) : NAN;
    if (!isfinite(d)) d = NAN;
    out[k] = d;
    if (isnan(d)) continue;
    if (d < p->vmin) p->vmin = d;
    if (d > p->vmax) p->vmax = d;
  }
}

/* ---- lines on lines ------------------------------------------------------------------ */

#define SAME(p, i, k) ((p)->same[(size_t)(i) * (size_t)(p)->nyears + (size_t)(k)])
#define COVER(p, i, k) ((p)->cover[(size_t)(i) * (size_t)(p)->nyears + (size_t)(k)])

/* Whether lines i and j have the same number in year k. */
static bool same_in(const Plot *p, int i, int j, int k) { return SAME(p, i, k) >= 0 && SAME(p, i, k) == SAME(p, j, k); }

/* Whether lines i and j run together from year k to year k + 1. */
static bool same_segment(const Plot *p, int i, int j, int k) {
  return k + 1 < p->nyears && same_in(p, i, j, k) && same_in(p, i, j, k + 1);
}

/* Whether line l's number in year k stands alone, drawn as a dot. */
static bool lone(const Plot *p, const PlotLine *l, int k) {
  return !isnan(l->v[k]) && (k == 0 || isnan(l->v[k - 1])) && (k + 1 >= p->nyears || isnan(l->v[k + 1]));
}

/* Whether line i, drawn after line j, covers j's drawing in year k: the
 * segment from the year before or to the year after is the same in both,
 * or j's number is a lone dot that i's number covers.  (A single year in
 * which two lines cross or touch covers nothing: both stay visible.) */
static bool covers(const Plot *p, int i, int j, int k) {
  if (!same_in(p, i, j, k)) return false;
  return lone(p, &p->lines[j], k) || (k > 0 && same_segment(p, i, j, k - 1)) || same_segment(p, i, j, k);
}

/* The same and cover tables (see Plot) of the lines in `lines`, whose
 * doubles p holds already: two numbers are compared exactly only when
 * their doubles are equal (equal numbers have equal doubles). */
static void find_same(Interp *I, ObjList *lines, Plot *p) {
  int ny = p->nyears;
  for (int i = 0; i < p->nlines; i++) {
    ObjList *vi = chart_list(I, AS_RECORD(lines->items.items[i]), "values", false);
    for (int k = 0; k < ny; k++) {
      double d = p->lines[i].v[k];
      SAME(p, i, k) = isnan(d) ? -1 : i;
      for (int j = 0; j < i && SAME(p, i, k) == i; j++) {
        /* j is -1 there, or equal to an earlier line already compared, or another number */
        if (SAME(p, j, k) != j || p->lines[j].v[k] != d) continue;
        ObjList *vj = chart_list(I, AS_RECORD(lines->items.items[j]), "values", false);
        Value a = vi->items.items[k], b = vj->items.items[k];
        if (a.unit == b.unit && num_eq(a, b)) SAME(p, i, k) = j;
      }
    }
  }
  for (int i = 0; i < p->nlines; i++)
    for (int k = 0; k < ny; k++) {
      COVER(p, i, k) = -1;
      for (int j = SAME(p, i, k); j >= 0 && j < i && COVER(p, i, k) < 0; j++) /* none before the first equal */
        if (covers(p, i, j, k)) COVER(p, i, k) = j;
    }
}

/* The first line before i with the same number as i in every year that
 * either has one, or -1 (also for a line with no number at all). */
static int same_throughout(const Plot *p, int i) {
  bool any = false;
  for (int k = 0; k < p->nyears; k++) any = any || SAME(p, i, k) >= 0;
  for (int j = 0; any && j < i; j++) {
    int k = 0;
    while (k < p->nyears && SAME(p, i, k) == SAME(p, j, k)) k++;
    if (k == p->nyears) return j;
  }
  return -1;
}

/* "in" before years, "at" before the labels of a chart of labels. */
static const char *point_word(const Plot *p) { return p->x ? "at" : "in"; }

/* Points k..e as "2025..2027" (one: "2025"), or their labels "1M..5M". */
static void point_range(Buffer *b, const Plot *p, int k, int e) {
  if (p->x) buf_puts(b, p->x[k]);
  else buf_printf(b, "%lld", (long long)(p->first_year + k));
  if (e <= k) return;
  if (p->x) buf_printf(b, "..%s", p->x[e]);
  else buf_printf(b, "..%lld", (long long)(p->first_year + e));
}

/* What line i covers, for its legend entry: " (same as A in every year)",
 * " (same as A in 2025..2027, 2030; as B in 2031..2032)" (each year under
 * the first line it covers then), or nothing when it covers none. */
static void same_note(Buffer *b, const Plot *p, int i) {
  int j = same_throughout(p, i);
  if (j >= 0) {
    buf_printf(b, " (same as %s %s)", p->lines[j].label, p->x ? "at every point" : "in every year");
    return;
  }
  bool any = false;
  for (int k = 0; k < p->nyears; k++) {
    int t = COVER(p, i, k);
    bool named = false; /* under t already */
    for (int m = 0; m < k && !named; m++) named = COVER(p, i, m) == t;
    if (t < 0 || named) continue;
    buf_printf(b, "%s%s %s ", any ? "; as " : " (same as ", p->lines[t].label, point_word(p));
    any = true;
    for (int m = k, first = 1; m < p->nyears; m++) {
      if (COVER(p, i, m) != t) continue;
      int e = m;
      while (e + 1 < p->nyears && COVER(p, i, e + 1) == t) e++;
      if (!first) buf_puts(b, ", ");
      point_range(b, p, m, e);
      first = 0;
      m = e;
    }
  }
  if (any) buf_putc(b, ')');
}

/* Read a chart record (as plot_chart makes it) into doubles; raises, before
 * allocating anything, for a record that is not a chart. */
static void plot_read(Interp *I, Value chart, Plot *p) {
  if (!IS_RECORD(chart)) interp_throw(I, "plot: expected a chart record, not %s", value_type_name(chart));
  ObjRecord *r = AS_RECORD(chart);
  Value title = world_field(I, r, "title"), unit = world_field(I, r, "unit"), share = world_field(I, r, "share");
  ObjList *x = chart_list(I, r, "x", true), *years = x ? x : chart_list(I, r, "years", false);
  ObjList *lines = chart_list(I, r, "lines", false);
  if (x) {
    if (x->items.count == 0) interp_throw(I, "plot: a chart's 'x' needs at least one label");
    for (int k = 0; k < x->items.count; k++)
      if (!IS_STRING(x->items.items[k])) interp_throw(I, "plot: a chart's 'x' must be a list of strings");
  } else if (years->items.count == 0 || !IS_INT(years->items.items[0])) {
    interp_throw(I, "plot: a chart needs its years");
  }
  Value x_title = x ? world_field(I, r, "x_title") : NIL_VAL;
  for (int i = 0; i < lines->items.count; i++) {
    if (!IS_RECORD(lines->items.items[i])) interp_throw(I, "plot: a chart's lines must be records");
    ObjRecord *l = AS_RECORD(lines->items.items[i]);
    chart_list(I, l, "values", false);
    chart_list(I, l, "p5", true);
    chart_list(I, l, "p95", true);
  }
  p->title = IS_STRING(title) ? AS_CSTRING(title) : "";
  p->unit = IS_STRING(unit) ? AS_CSTRING(unit) : NULL;
  p->share = IS_BOOL(share) && share.as.b;
  p->first_year = x ? 0 : years->items.items[0].as.i;
  p->x_title = IS_STRING(x_title) ? AS_CSTRING(x_title) : NULL;
  p->nyears = years->items.count;
  p->nlines = lines->items.count;
  p->vmin = INFINITY;
  p->vmax = -INFINITY;
  int ny = p->nyears;
  /* scratch that never raises (I = NULL: out of memory exits), so that it cannot leak */
  p->lines = mem_realloc_raw(NULL, NULL, sizeof(PlotLine) * (size_t)(p->nlines ? p->nlines : 1));
  p->numbers = mem_realloc_raw(NULL, NULL, sizeof(double) * (size_t)ny * 3 * (size_t)(p->nlines ? p->nlines : 1));
  p->same = mem_realloc_raw(NULL, NULL, sizeof(int) * (size_t)ny * 2 * (size_t)(p->nlines ? p->nlines : 1));
  p->cover = p->same + (size_t)ny * (size_t)p->nlines;
  p->x = NULL;
  if (x) {
    p->x = mem_realloc_raw(NULL, NULL, sizeof(const char *) * (size_t)ny);
    for (int k = 0; k < ny; k++) p->x[k] = AS_CSTRING(x->items.items[k]);
  }
  for (int i = 0; i < p->nlines; i++) {
    ObjRecord *l = AS_RECORD(lines->items.items[i]);
    PlotLine *pl = &p->lines[i];
    Value label = world_field(I, l, "label");
    pl->label = IS_STRING(label) ? AS_CSTRING(label) : "?";
    pl->v = p->numbers + (size_t)i * 3 * ny;
    read_numbers(chart_list(I, l, "values", false), pl->v, ny, p);
    ObjList *lo = chart_list(I, l, "p5", true), *hi = chart_list(I, l, "p95", true);
    pl->lo = pl->hi = NULL;
    if (lo && hi) {
      pl->lo = pl->v + ny;
      pl->hi = pl->v + 2 * ny;
      read_numbers(lo, pl->lo, ny, p);
      read_numbers(hi, pl->hi, ny, p);
    }
  }
  find_same(I, lines, p);
  if (p->vmin > p->vmax) p->vmin = p->vmax = 0; /* no number at all: an empty axis */
  plot_scale(p->vmin, p->vmax, &p->axis_lo, &p->axis_hi, &p->step, &p->intervals);
}

static void plot_release(Plot *p) {
  free(p->x);
  free(p->lines);
  free(p->numbers);
  free(p->same);
}

/* How far down the y axis v lies, from 0 (the top) to 1, computed in
 * halves so that a range near the largest double cannot overflow. */
static double axis_fraction(const Plot *p, double v) {
  double t = (p->axis_hi / 2 - v / 2) / (p->axis_hi / 2 - p->axis_lo / 2);
  return t > 0 ? (t < 1 ? t : 1) : 0; /* NaN too: 0 */
}

/* The value of tick k (0 at the bottom) of the y axis. */
static double tick_value(const Plot *p, int k) {
  double v = k == p->intervals ? p->axis_hi : p->axis_lo + k * p->step;
  return fabs(v) < p->step * 1e-9 ? 0 : v; /* 0.1 + 0.2 - 0.3 is 0 on an axis */
}

/* The decimals that write each multiple of a round step exactly (0.25:
 * two; 0.2: one; 50: none), at most 17. */
static int step_decimals(double step) {
  int d = 0;
  for (double s = step; d < 17 && fabs(s - round(s)) > 1e-9 * s; s *= 10) d++;
  return d;
}

/* The labels of the y axis's ticks, bottom up, each ended by a NUL in
 * `lab` from starts[k]; returns the widest.  People's numbers (150.0k), or
 * percentages for shares (30%, 32.5%: format_share), unless two ticks
 * would read the same (150.0k and 150.0k for 150,000 and 150,020): then as
 * many decimals as the step needs. */
static int tick_labels(Interp *I, const Plot *p, Buffer *lab, size_t starts[11]) {
  int widest = 0;
  double scale = p->share ? 100 : 1;
  for (int plain = 0; plain < 2; plain++) {
    buf_clear(lab);
    bool same = false;
    int decimals = step_decimals(p->step * scale);
    for (int k = 0; k <= p->intervals; k++) {
      starts[k] = lab->len;
      if (plain) buf_printf(lab, "%.*f%s", decimals, tick_value(p, k) * scale, p->share ? "%" : "");
      else if (p->share) format_share(I, lab, FLOAT_VAL(tick_value(p, k)));
      else results_format_human(I, lab, FLOAT_VAL(tick_value(p, k)));
      if (k > 0 && strcmp(lab->data + starts[k - 1], lab->data + starts[k]) == 0) same = true;
      buf_putc(lab, '\0');
    }
    if (!same) break;
  }
  for (int k = 0; k <= p->intervals; k++) {
    int w = (int)strlen(lab->data + starts[k]);
    if (w > widest) widest = w;
  }
  return widest;
}

/* The years labelled on the x axis: every `step` years, the multiples of
 * it, so that labels (4 wide) are at least `room` apart over `span` units. */
static int64_t year_step(int nyears, double span, double room) {
  static const int64_t steps[] = {1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000};
  if (nyears <= 1) return 1;
  double per_year = span / (nyears - 1);
  for (size_t i = 0; i < sizeof steps / sizeof *steps; i++)
    if (per_year * (double)steps[i] >= room) return steps[i];
  return 1000000;
}

static bool has_gap(const Plot *p, const PlotLine *l) {
  for (int k = 0; k < p->nyears; k++)
    if (isnan(l->v[k])) return true;
  return false;
}

/* The years with no number in a line, as "2027, 2029..2030" (the
 * labels of a chart of labels). */
static void gap_years(Buffer *b, const Plot *p, const PlotLine *l) {
  bool any = false;
  for (int k = 0; k < p->nyears; k++) {
    if (!isnan(l->v[k])) continue;
    int e = k;
    while (e + 1 < p->nyears && isnan(l->v[e + 1])) e++;
    if (any) buf_puts(b, ", ");
    point_range(b, p, k, e);
    any = true;
    k = e;
  }
}

/* ---- text ------------------------------------------------------------------------------ */

static const char *const COLOURS[] = {"34", "31", "32", "35", "36", "33"};
static const char MARKERS[] = "*o+x#@%&=";
#define NCOLOURS ((int)(sizeof COLOURS / sizeof *COLOURS))
#define NMARKERS ((int)(sizeof MARKERS - 1))

/* The plotting area: cols x rows characters, each dw x dh dots (braille:
 * 2 x 4; ASCII: one). */
typedef struct {
  int cols, rows, dw, dh;
  unsigned char *bits;  /* braille dots of each cell (ASCII: nonzero when marked) */
  signed char *owner;   /* the line drawn last in the cell, -1 for none */
  signed char *band;    /* the line whose band covers the cell, -1 for none */
} Grid;

static void grid_dot(Grid *g, int x, int y, int line) {
  if (x < 0 || y < 0 || x >= g->cols * g->dw || y >= g->rows * g->dh) return;
  int cell = (y / g->dh) * g->cols + x / g->dw;
  if (g->dw == 2) {
    static const unsigned char BIT[2][4] = {{0x01, 0x02, 0x04, 0x40}, {0x08, 0x10, 0x20, 0x80}};
    g->bits[cell] |= BIT[x % 2][y % 4];
  } else {
    g->bits[cell] = 1;
  }
  g->owner[cell] = (signed char)line;
}

static void grid_segment(Grid *g, int x0, int y0, int x1, int y1, int line) {
  int dx = abs(x1 - x0), dy = -abs(y1 - y0), sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1, err = dx + dy;
  for (;;) {
    grid_dot(g, x0, y0, line);
    if (x0 == x1 && y0 == y1) return;
    int e2 = 2 * err;
    if (e2 >= dy) {
      err += dy;
      x0 += sx;
    }
    if (e2 <= dx) {
      err += dx;
      y0 += sy;
    }
  }
}

static int grid_x(const Grid *g, const Plot *p, int k) {
  int w = g->cols * g->dw - 1;
  return p->nyears == 1 ? w / 2 : (int)lround((double)k * w / (p->nyears - 1));
}

static int grid_y(const Grid *g, const Plot *p, double v) {
  return (int)lround(axis_fraction(p, v) * (g->rows * g->dh - 1));
}

static void grid_band(Grid *g, const Plot *p, const PlotLine *l, int line) {
  for (int k = 0; k < p->nyears; k++) {
    if (isnan(l->lo[k]) || isnan(l->hi[k])) continue;
    int k1 = k + 1 < p->nyears && !isnan(l->lo[k + 1]) && !isnan(l->hi[k + 1]) ? k + 1 : k;
    int x0 = grid_x(g, p, k), x1 = grid_x(g, p, k1);
    for (int x = x0; x <= x1; x++) {
      double t = x1 > x0 ? (double)(x - x0) / (x1 - x0) : 0;
      double lo = l->lo[k] + t * (l->lo[k1] - l->lo[k]), hi = l->hi[k] + t * (l->hi[k1] - l->hi[k]);
      for (int y = grid_y(g, p, hi < lo ? lo : hi); y <= grid_y(g, p, hi < lo ? hi : lo); y++) {
        int cell = (y / g->dh) * g->cols + x / g->dw;
        g->band[cell] = (signed char)line;
      }
    }
  }
}

static void grid_line(Grid *g, const Plot *p, const PlotLine *l, int line) {
  for (int k = 0; k < p->nyears; k++) {
    if (isnan(l->v[k])) continue;
    int x = grid_x(g, p, k), y = grid_y(g, p, l->v[k]);
    if (k > 0 && !isnan(l->v[k - 1])) grid_segment(g, grid_x(g, p, k - 1), grid_y(g, p, l->v[k - 1]), x, y, line);
    else grid_dot(g, x, y, line);
  }
}

/* Switch to line `want`'s colour (-1: none), faint for a band. */
static void put_colour(Buffer *out, int *current, int want, bool faint) {
  int code = want < 0 ? -1 : 2 * want + faint;
  if (*current == code) return;
  if (*current >= 0) buf_puts(out, "\033[0m");
  if (want >= 0) buf_printf(out, "\033[%s%sm", faint ? "2;" : "", COLOURS[want % NCOLOURS]);
  *current = code;
}

/* One cell of the plotting area, in its line's colour. */
static void put_cell(Buffer *out, const Grid *g, int cell, bool unicode, bool colour, int *current) {
  int who = g->bits[cell] ? g->owner[cell] : g->band[cell];
  if (who < 0) {
    if (colour) put_colour(out, current, -1, false);
    buf_putc(out, ' ');
    return;
  }
  if (colour) put_colour(out, current, who, !g->bits[cell]);
  if (!unicode) buf_putc(out, g->bits[cell] ? MARKERS[who % NMARKERS] : '.');
  else if (!g->bits[cell]) buf_puts(out, "\xe2\x96\x91"); /* U+2591 light shade */
  else { /* U+2800 + the dots */
    unsigned m = g->bits[cell];
    buf_putc(out, (char)0xe2);
    buf_putc(out, (char)(0xa0 + (m >> 6)));
    buf_putc(out, (char)(0x80 + (m & 0x3f)));
  }
}

/* The columns text takes on a terminal: its characters, not its bytes
 * (a label of UTF-8 text, "Łódź"; each is taken as one column wide). */
static int text_columns(const char *s) {
  int n = 0;
  for (; *s; s++) n += ((unsigned char)*s & 0xC0) != 0x80;
  return n;
}

static void legend_entry(Buffer *out, int *col, int width, bool colour, bool faint, int line, const char *mark,
                         const char *text) {
  int w = 2 + text_columns(text) + 3;
  if (*col > 2 && *col + w > width) {
    buf_putc(out, '\n');
    *col = 0;
  }
  buf_puts(out, *col == 0 ? "  " : "   ");
  if (colour) buf_printf(out, "\033[%s%sm%s\033[0m", faint ? "2;" : "", COLOURS[line % NCOLOURS], mark);
  else buf_puts(out, mark);
  buf_printf(out, " %s", text);
  *col += (*col == 0 ? 2 : 3) + 2 + text_columns(text) + 1;
}

/* The x axis of a chart of years under the plotting area: a tick at each
 * year labelled, every few years (year_step). */
static void text_x_years(Buffer *out, const Plot *p, const Grid *g, int lw, bool unicode) {
  int64_t ystep = year_step(p->nyears, (double)(g->cols - 1), 6);
  buf_printf(out, "%*s %s", lw, "", unicode ? "\xe2\x94\x94" : "+");
  Buffer years;
  buf_init(&years);
  buf_printf(&years, "%*s", lw + 2, "");
  size_t years_at = years.len;
  for (int c = 0, next = 0; c < g->cols; c++) {
    bool labelled = false;
    for (int k = next; k < p->nyears; k++) {
      int64_t y = p->first_year + k;
      int col = grid_x(g, p, k) / g->dw;
      if (col > c) break;
      next = k + 1;
      if (col == c && (y % ystep == 0 || p->nyears == 1)) {
        labelled = true;
        while ((int)(years.len - years_at) < c) buf_putc(&years, ' ');
        if ((int)(years.len - years_at) == c) buf_printf(&years, "%lld", (long long)y);
      }
    }
    buf_puts(out, labelled ? (unicode ? "\xe2\x94\xac" : "+") : (unicode ? "\xe2\x94\x80" : "-"));
  }
  buf_putc(out, '\n');
  buf_printf(out, "%s\n", years.data);
  buf_free(&years);
}

/* The smallest step s such that the labels of points 0, s, 2s, ...
 * (label k over start[k]..end[k]) stand at least `gap` apart; n when only
 * the first fits. */
static int label_step(int n, const double *start, const double *end, double gap) {
  for (int s = 1; s < n; s++) {
    int k = s;
    while (k < n && start[k] >= end[k - s] + gap) k += s;
    if (k >= n) return s;
  }
  return n;
}

/* The x axis of a chart of labels: each point's label centred under its
 * tick (within the line, `width` columns), every label when they stand a
 * blank apart, else every second, third... (label_step); then the axis's
 * name, centred under the plotting area. */
static void text_x_labels(Buffer *out, const Plot *p, const Grid *g, int lw, int width, bool unicode) {
  int n = p->nyears;
  double *start = mem_realloc_raw(NULL, NULL, sizeof(double) * 2 * (size_t)n), *end = start + n;
  for (int k = 0; k < n; k++) { /* columns of the line, the plotting area from lw + 2 */
    double len = (double)text_columns(p->x[k]), at = lw + 2 + grid_x(g, p, k) / g->dw - floor(len / 2);
    if (at + len > width) at = width - len;
    if (at < 0) at = 0;
    start[k] = at;
    end[k] = at + len;
  }
  int step = label_step(n, start, end, 1);
  buf_printf(out, "%*s %s", lw, "", unicode ? "\xe2\x94\x94" : "+");
  for (int c = 0, k = 0; c < g->cols; c++) {
    bool labelled = false;
    for (; k < n && grid_x(g, p, k) / g->dw <= c; k++) labelled = labelled || k % step == 0;
    buf_puts(out, labelled ? (unicode ? "\xe2\x94\xac" : "+") : (unicode ? "\xe2\x94\x80" : "-"));
  }
  buf_putc(out, '\n');
  int col = 0; /* the columns written on this line (a label may be UTF-8) */
  for (int k = 0; k < n; k += step) {
    for (; col < (int)start[k]; col++) buf_putc(out, ' ');
    buf_puts(out, p->x[k]);
    col += text_columns(p->x[k]);
  }
  buf_putc(out, '\n');
  free(start);
  if (!p->x_title) return;
  int len = text_columns(p->x_title), at = lw + 2 + (g->cols - len) / 2;
  buf_printf(out, "%*s%s\n", at > 0 ? at : 0, "", p->x_title);
}

static void print_plot(Interp *I, Buffer *out, const Plot *p, bool unicode, bool colour, int width) {
  if (width < 40) width = 40;
  colour = colour && unicode;
  /* the labels of the y axis, and their width */
  Buffer lab;
  buf_init(&lab);
  size_t starts[11];
  int lw = tick_labels(I, p, &lab, starts);
  if (p->unit && (int)strlen(p->unit) > lw) lw = (int)strlen(p->unit);
  int per = p->intervals >= 16 ? 1 : 16 / p->intervals; /* rows per interval */
  Grid g = {width - lw - 2 - 4, p->intervals * per + 1, unicode ? 2 : 1, unicode ? 4 : 1, NULL, NULL, NULL};
  if (g.cols < 10) g.cols = 10;
  size_t ncells = (size_t)g.cols * (size_t)g.rows;
  g.bits = mem_realloc_raw(NULL, NULL, ncells);
  g.owner = mem_realloc_raw(NULL, NULL, ncells);
  g.band = mem_realloc_raw(NULL, NULL, ncells);
  memset(g.bits, 0, ncells);
  memset(g.owner, -1, ncells);
  memset(g.band, -1, ncells);
  for (int i = 0; i < p->nlines; i++)
    if (p->lines[i].lo) grid_band(&g, p, &p->lines[i], i);
  for (int i = 0; i < p->nlines; i++) grid_line(&g, p, &p->lines[i], i);

  buf_printf(out, "%s\n", p->title);
  if (p->unit) buf_printf(out, "%*s\n", lw, p->unit);
  int current = -1;
  for (int r = 0; r < g.rows; r++) {
    bool tick = r % per == 0;
    if (tick) buf_printf(out, "%*s ", lw, lab.data + starts[p->intervals - r / per]);
    else buf_printf(out, "%*s ", lw, "");
    buf_puts(out, unicode ? (tick ? "\xe2\x94\xa4" : "\xe2\x94\x82") : (tick ? "+" : "|"));
    int last = g.cols - 1; /* the last cell that is not blank */
    while (last >= 0 && g.owner[r * g.cols + last] < 0 && g.band[r * g.cols + last] < 0) last--;
    for (int c = 0; c <= last; c++) put_cell(out, &g, r * g.cols + c, unicode, colour, &current);
    put_colour(out, &current, -1, false);
    buf_putc(out, '\n');
  }
  /* the x axis and its years (or labels) */
  if (p->x) text_x_labels(out, p, &g, lw, width, unicode);
  else text_x_years(out, p, &g, lw, unicode);
  /* the legend, wrapped to the width */
  int col = 0;
  for (int i = 0; i < p->nlines; i++) {
    const PlotLine *l = &p->lines[i];
    char mark[8];
    snprintf(mark, sizeof mark, "%c", MARKERS[i % NMARKERS]);
    Buffer text;
    buf_init(&text);
    buf_puts(&text, l->label);
    same_note(&text, p, i);
    legend_entry(out, &col, width, colour, false, i, unicode ? "\xe2\x94\x81\xe2\x94\x81" : mark, text.data);
    buf_free(&text);
    if (l->lo) {
      Buffer text;
      buf_init(&text);
      buf_printf(&text, "%s p5..p95", l->label);
      legend_entry(out, &col, width, colour, true, i, unicode ? "\xe2\x96\x91\xe2\x96\x91" : "..", text.data);
      buf_free(&text);
    }
  }
  buf_putc(out, '\n');
  for (int i = 0; i < p->nlines; i++) {
    if (!has_gap(p, &p->lines[i])) continue;
    buf_printf(out, "  no finite number for %s %s ", p->lines[i].label, point_word(p));
    gap_years(out, p, &p->lines[i]);
    buf_putc(out, '\n');
  }
  buf_free(&lab);
  free(g.bits);
  free(g.owner);
  free(g.band);
}

void plot_print_text(Interp *I, Buffer *out, Value chart, bool unicode, bool colour, int width) {
  Plot p;
  plot_read(I, chart, &p);
  print_plot(I, out, &p, unicode, colour, width);
  plot_release(&p);
}

/* ---- SVG ------------------------------------------------------------------------------- */

static const char *const SVG_COLOURS[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#17becf", "#ff7f0e"};
#define SVG_W 720
#define SVG_LEFT 80
#define SVG_RIGHT 30
#define SVG_TOP 56
#define SVG_PLOT_H 300
#define SVG_LEGEND_ROW 20

#define SVG_X_TITLE 18 /* the row of an x axis's name */

/* Where the legend begins under the plotting area: below the x axis's
 * labels, and its name when it has one. */
static int svg_legend_top(const Plot *p) { return 44 + (p->x_title ? SVG_X_TITLE : 0); }

static int svg_height(const Plot *p) { return SVG_TOP + SVG_PLOT_H + svg_legend_top(p) + SVG_LEGEND_ROW * p->nlines + 10; }

static double svg_x(const Plot *p, int k) {
  double w = SVG_W - SVG_LEFT - SVG_RIGHT;
  return SVG_LEFT + (p->nyears == 1 ? w / 2 : w * k / (p->nyears - 1));
}

static double svg_y(const Plot *p, double v) { return SVG_TOP + SVG_PLOT_H * axis_fraction(p, v); }

/* Of the lines that run together from year k to k + 1 with line i: how
 * many come before i (*rank) and how many there are, i included (*n). */
static void segment_rank(const Plot *p, int i, int k, int *rank, int *n) {
  *rank = 0;
  *n = 1;
  for (int j = 0; j < p->nlines; j++) {
    if (j == i || !same_segment(p, i, j, k)) continue;
    ++*n;
    if (j < i) ++*rank;
  }
}

/* Whether the same lines run together with line i from year s to s + 1
 * as from t to t + 1: each of them then draws the two segments in one
 * polyline, so that their dashes stay in step. */
static bool same_company(const Plot *p, int i, int s, int t) {
  for (int j = 0; j < p->nlines; j++)
    if (j != i && same_segment(p, i, j, s) != same_segment(p, i, j, t)) return false;
  return true;
}

/* Whether some segment of line i lies on an earlier line's (drawn dashed). */
static bool svg_dashed(const Plot *p, int i) {
  for (int k = 0; k + 1 < p->nyears; k++)
    for (int j = 0; j < i; j++)
      if (same_segment(p, i, j, k)) return true;
  return false;
}

/* Each run of years with numbers of line i, as a polyline (a single year:
 * a dot).  Where n lines run together, the first is drawn solid and the
 * others dashed, dash r (6 long) in slot r of a period of n slots, so that
 * each shows in its own slot and the first in slot 0; a lone dot on an
 * earlier one's is drawn as a ring around it. */
static void svg_line(Buffer *out, const Plot *p, int i, const char *colour) {
  const PlotLine *l = &p->lines[i];
  for (int k = 0; k < p->nyears; k++) {
    if (isnan(l->v[k])) continue;
    int e = k;
    while (e + 1 < p->nyears && !isnan(l->v[e + 1])) e++;
    double x = svg_x(p, k), y = svg_y(p, l->v[k]);
    if (e == k) {
      int under = 0; /* earlier lone dots it covers */
      for (int j = 0; j < i; j++) under += same_in(p, i, j, k) && lone(p, &p->lines[j], k);
      if (under)
        buf_printf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%d\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>\n",
                   x, y, 3 + 3 * under, colour);
      else buf_printf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n", x, y, colour);
    }
    for (int s = k; s < e;) { /* one polyline for segments s..m-1: solid, or dashed in the same company */
      int rank, n, m = s + 1, next, unused;
      segment_rank(p, i, s, &rank, &n);
      while (m < e && (rank > 0 ? same_company(p, i, s, m) : (segment_rank(p, i, m, &next, &unused), next == 0))) m++;
      buf_printf(out, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" ", colour);
      if (rank > 0) buf_printf(out, "stroke-dasharray=\"6 %d\" stroke-dashoffset=\"%d\" ", 6 * (n - 1), 6 * (n - rank));
      buf_puts(out, "points=\"");
      for (int j = s; j <= m; j++) buf_printf(out, "%s%.1f,%.1f", j > s ? " " : "", svg_x(p, j), svg_y(p, l->v[j]));
      buf_puts(out, "\"/>\n");
      s = m;
    }
    k = e;
  }
}

/* Each run of years with both percentiles, as a polygon: p95 forward, p5 back. */
static void svg_band(Buffer *out, const Plot *p, const PlotLine *l, const char *colour) {
  for (int k = 0; k < p->nyears; k++) {
    if (isnan(l->lo[k]) || isnan(l->hi[k])) continue;
    int e = k;
    while (e + 1 < p->nyears && !isnan(l->lo[e + 1]) && !isnan(l->hi[e + 1])) e++;
    buf_printf(out, "<polygon fill=\"%s\" fill-opacity=\"0.2\" stroke=\"none\" points=\"", colour);
    for (int j = k; j <= e; j++) buf_printf(out, "%.1f,%.1f ", svg_x(p, j), svg_y(p, l->hi[j]));
    for (int j = e; j >= k; j--) buf_printf(out, "%.1f,%.1f%s", svg_x(p, j), svg_y(p, l->lo[j]), j > k ? " " : "");
    buf_puts(out, "\"/>\n");
    k = e;
  }
}

/* The x axis of a chart of years: a tick at each year, labelled every
 * few years. */
static void svg_x_years(Buffer *out, const Plot *p) {
  double right = SVG_W - SVG_RIGHT, bottom = SVG_TOP + SVG_PLOT_H;
  int64_t ystep = year_step(p->nyears, right - SVG_LEFT, 40);
  buf_puts(out, "<g class=\"x-axis\">\n");
  buf_printf(out, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n", SVG_LEFT, bottom, right,
             bottom);
  for (int k = 0; k < p->nyears; k++) {
    int64_t y = p->first_year + k;
    bool labelled = y % ystep == 0 || p->nyears == 1;
    double x = svg_x(p, k);
    buf_printf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n", x, bottom, x,
               bottom + (labelled ? 6 : 3));
    if (labelled)
      buf_printf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%lld</text>\n", x, bottom + 20, (long long)y);
  }
  buf_puts(out, "</g>\n");
}

/* The x axis of a chart of labels: a tick at each point, each label (or
 * every second, third... as in the text, at about 7 pixels a character)
 * centred under its tick; the axis's name under them. */
static void svg_x_labels(Buffer *out, const Plot *p) {
  double right = SVG_W - SVG_RIGHT, bottom = SVG_TOP + SVG_PLOT_H;
  int n = p->nyears;
  double *start = mem_realloc_raw(NULL, NULL, sizeof(double) * 2 * (size_t)n), *end = start + n;
  for (int k = 0; k < n; k++) {
    double half = 3.5 * (double)text_columns(p->x[k]);
    start[k] = svg_x(p, k) - half;
    end[k] = svg_x(p, k) + half;
  }
  int step = label_step(n, start, end, 8);
  free(start);
  buf_puts(out, "<g class=\"x-axis\">\n");
  buf_printf(out, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n", SVG_LEFT, bottom, right,
             bottom);
  for (int k = 0; k < n; k++) {
    bool labelled = k % step == 0;
    double x = svg_x(p, k);
    buf_printf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n", x, bottom, x,
               bottom + (labelled ? 6 : 3));
    if (!labelled) continue;
    buf_printf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", x, bottom + 20);
    buf_put_html(out, p->x[k]);
    buf_puts(out, "</text>\n");
  }
  if (p->x_title) {
    buf_printf(out, "<text class=\"x-title\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", (SVG_LEFT + right) / 2,
               bottom + 20 + SVG_X_TITLE);
    buf_put_html(out, p->x_title);
    buf_puts(out, "</text>\n");
  }
  buf_puts(out, "</g>\n");
}

static void svg_element(Interp *I, Buffer *out, const Plot *p) {
  int h = svg_height(p);
  double right = SVG_W - SVG_RIGHT, bottom = SVG_TOP + SVG_PLOT_H;
  buf_printf(out,
             "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
             "font-family=\"sans-serif\" font-size=\"12\">\n",
             SVG_W, h, SVG_W, h);
  buf_puts(out, "<title>");
  buf_put_html(out, p->title);
  buf_puts(out, "</title>\n");
  buf_printf(out, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", SVG_W, h);
  buf_printf(out, "<text x=\"%d\" y=\"22\" text-anchor=\"middle\" font-size=\"16\" font-weight=\"bold\">", SVG_W / 2);
  buf_put_html(out, p->title);
  buf_puts(out, "</text>\n");
  if (p->unit) {
    buf_printf(out, "<text class=\"unit\" x=\"%d\" y=\"%d\" text-anchor=\"end\">", SVG_LEFT - 8, SVG_TOP - 14);
    buf_put_html(out, p->unit);
    buf_puts(out, "</text>\n");
  }
  /* the y axis: grid lines at the ticks, labelled */
  Buffer lab;
  buf_init(&lab);
  size_t starts[11];
  tick_labels(I, p, &lab, starts);
  buf_puts(out, "<g class=\"y-axis\">\n");
  for (int k = 0; k <= p->intervals; k++) {
    double y = svg_y(p, tick_value(p, k));
    buf_printf(out, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#dddddd\"/>\n", SVG_LEFT, y, right, y);
    buf_printf(out, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">", SVG_LEFT - 8, y + 4);
    buf_put_html(out, lab.data + starts[k]);
    buf_puts(out, "</text>\n");
  }
  buf_printf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%.1f\" stroke=\"black\"/>\n</g>\n", SVG_LEFT, SVG_TOP,
             SVG_LEFT, bottom);
  buf_free(&lab);
  if (p->x) svg_x_labels(out, p);
  else svg_x_years(out, p);
  /* bands under the lines */
  for (int i = 0; i < p->nlines; i++)
    if (p->lines[i].lo) svg_band(out, p, &p->lines[i], SVG_COLOURS[i % NCOLOURS]);
  for (int i = 0; i < p->nlines; i++) svg_line(out, p, i, SVG_COLOURS[i % NCOLOURS]);
  /* the legend, one line each */
  buf_puts(out, "<g class=\"legend\">\n");
  for (int i = 0; i < p->nlines; i++) {
    const PlotLine *l = &p->lines[i];
    const char *c = SVG_COLOURS[i % NCOLOURS];
    double y = bottom + svg_legend_top(p) + SVG_LEGEND_ROW * i;
    buf_printf(out, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"%s/>\n",
               SVG_LEFT, y - 4, SVG_LEFT + 24, y - 4, c, svg_dashed(p, i) ? " stroke-dasharray=\"6 3\"" : "");
    buf_printf(out, "<text x=\"%d\" y=\"%.1f\">", SVG_LEFT + 32, y);
    buf_put_html(out, l->label);
    Buffer note;
    buf_init(&note);
    same_note(&note, p, i);
    buf_put_html(out, note.data);
    buf_free(&note);
    if (l->lo) buf_puts(out, " (shaded: p5..p95)");
    if (has_gap(p, l)) {
      buf_printf(out, "; no finite number %s ", point_word(p));
      gap_years(out, p, l);
    }
    buf_puts(out, "</text>\n");
    if (l->lo)
      buf_printf(out, "<rect x=\"%d\" y=\"%.1f\" width=\"24\" height=\"10\" fill=\"%s\" fill-opacity=\"0.2\"/>\n",
                 SVG_LEFT, y - 9, c);
  }
  buf_puts(out, "</g>\n</svg>\n");
}

void plot_svg_element(Interp *I, Buffer *out, Value chart) {
  Plot p;
  plot_read(I, chart, &p);
  svg_element(I, out, &p);
  plot_release(&p);
}

void plot_svg(Interp *I, Buffer *out, Value chart) {
  buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  plot_svg_element(I, out, chart);
}

/* Several charts in one SVG file, one under the other. */
static void svg_stack(Interp *I, Buffer *out, ObjList *charts) {
  int total = 0;
  for (int i = 0; i < charts->items.count; i++) {
    Plot p;
    plot_read(I, charts->items.items[i], &p);
    total += svg_height(&p);
    plot_release(&p);
  }
  buf_printf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
                  "height=\"%d\" viewBox=\"0 0 %d %d\">\n",
             SVG_W, total, SVG_W, total);
  int y = 0;
  for (int i = 0; i < charts->items.count; i++) {
    Plot p;
    plot_read(I, charts->items.items[i], &p);
    buf_printf(out, "<g transform=\"translate(0,%d)\">\n", y);
    svg_element(I, out, &p);
    buf_puts(out, "</g>\n");
    y += svg_height(&p);
    plot_release(&p);
  }
  buf_puts(out, "</svg>\n");
}

/* ---- the statement and the function ------------------------------------------------- */

/* How the terminal shows a chart: braille in colour on a terminal whose
 * locale is UTF-8 and where NO_COLOR is not set; ASCII otherwise (a file,
 * a pipe).  CLUSIM_PLOT=unicode asks for braille anywhere (a projector,
 * tests), in colour unless NO_COLOR is set; CLUSIM_PLOT=ascii for ASCII. */
static void text_style(Interp *I, bool *unicode, bool *colour, int *width) {
  int fd = fileno(I->out);
  bool tty = isatty(fd);
  const char *force = getenv("CLUSIM_PLOT");
  const char *no_color = getenv("NO_COLOR");
  *colour = !(no_color && *no_color);
  if (force && strcmp(force, "unicode") == 0) *unicode = true;
  else if (force && strcmp(force, "ascii") == 0) *unicode = false;
  else *unicode = tty && locale_is_utf8() && *colour;
  *colour = *colour && *unicode;
  int columns = output_columns(I->out);
  *width = columns > 0 ? columns : 80;
}

typedef struct {
  ObjList *charts;
  bool unicode, colour;
  int width;
} PlotJob;

static void print_charts(Interp *I, Buffer *out, void *ud) {
  PlotJob *job = ud;
  for (int i = 0; i < job->charts->items.count; i++) {
    if (i) buf_putc(out, '\n');
    plot_print_text(I, out, job->charts->items.items[i], job->unicode, job->colour, job->width);
  }
}

void plot_print_charts(Interp *I, ObjList *charts) {
  PlotJob job = {charts, false, false, 80};
  text_style(I, &job.unicode, &job.colour, &job.width);
  report_print(I, print_charts, &job);
}

static bool is_chart(Interp *I, Value v) {
  if (!IS_RECORD(v) || IS_ENTITY(v)) return false;
  Value f;
  return record_get(AS_RECORD(v), world_name(I, "title"), &f) && record_get(AS_RECORD(v), world_name(I, "lines"), &f) &&
         (record_get(AS_RECORD(v), world_name(I, "years"), &f) || record_get(AS_RECORD(v), world_name(I, "x"), &f));
}

bool plot_is_charts(Interp *I, Value v) {
  if (!IS_LIST(v)) return is_chart(I, v);
  ObjList *l = AS_LIST(v);
  for (int i = 0; i < l->items.count; i++)
    if (!is_chart(I, l->items.items[i])) return false;
  return l->items.count > 0;
}

/* The SVG file of the chart or list of charts *ud (lib_build_file). */
static void build_svg(Interp *I, Buffer *out, void *ud) {
  Value charts = *(Value *)ud;
  if (IS_LIST(charts) && AS_LIST(charts)->items.count > 1) svg_stack(I, out, AS_LIST(charts));
  else plot_svg(I, out, IS_LIST(charts) ? AS_LIST(charts)->items.items[0] : charts);
}

void plot_write_svg(Interp *I, const char *who, Value charts, const char *path) {
  const char *slash = strrchr(path, '/'), *dot = strrchr(path, '.');
  if (dot && (!slash || dot > slash) && dot[1] && strcasecmp(dot, ".svg") != 0)
    interp_throw(I, "%s: a chart is written as SVG only: name the file %.*s.svg, not %s", who, (int)(dot - path), path,
                 path);
  lib_build_file(I, who, path, build_svg, &charts);
}

static void write_svg(Interp *I, ObjList *charts, Value file) {
  if (!IS_STRING(file)) interp_throw(I, "plot: the file name must be a string, such as \"chart.svg\"");
  plot_write_svg(I, "plot", OBJ_VAL(charts), AS_CSTRING(file));
}

/* %plot(items, labels, paths, file, print): with paths nil, items are
 * series labelled by labels (one chart); else items are scenarios and each
 * path makes a chart.  The charts go to the SVG file when there is one,
 * else to the output when `print`.  Returns the chart (a list of charts
 * for several paths). */
static Value f_plot(Interp *I, int argc, Value *args) {
  ObjList *items = AS_LIST(args[0]), *labels = AS_LIST(args[1]);
  int n = items->items.count;
  if (n > PLOT_MAX_LINES) interp_throw(I, "plot: at most %d lines on one chart", PLOT_MAX_LINES);
  ObjList *charts = list_new(I);
  interp_push_root(I, OBJ_VAL(charts));
  if (IS_NIL(args[2])) {
    ObjSeries *series[PLOT_MAX_LINES];
    ObjString *names[PLOT_MAX_LINES];
    for (int i = 0; i < n; i++) {
      Value v = items->items.items[i];
      names[i] = AS_STRING(labels->items.items[i]);
      if (IS_SCENARIO(v))
        interp_throw(I, "plot: %s is a scenario; plot its series (%s.X.field) or plot S, T on X.field", names[i]->chars,
                     names[i]->chars);
      if (IS_RECORD(v) && AS_RECORD(v)->count > 0)
        interp_throw(I, "plot: %s holds several series; plot one of them, such as %s.%s", names[i]->chars,
                     names[i]->chars, AS_RECORD(v)->keys[0]->chars);
      if (!IS_SERIES(v))
        interp_throw(I, "plot: %s is a value of type %s, not a series of results (such as S.X.jobs)", names[i]->chars,
                     value_type_name(v));
      series[i] = AS_SERIES(v);
    }
    list_append(I, charts, plot_chart_series(I, series, names, n));
  } else {
    ObjScenario *ss[PLOT_MAX_LINES];
    for (int i = 0; i < n; i++) ss[i] = results_scenario(I, "plot", items->items.items[i]);
    ObjList *paths = AS_LIST(args[2]);
    for (int k = 0; k < paths->items.count; k++)
      list_append(I, charts, plot_chart(I, ss, n, AS_CSTRING(paths->items.items[k])));
  }
  if (!IS_NIL(args[3])) write_svg(I, charts, args[3]);
  else if (IS_BOOL(args[4]) && args[4].as.b) plot_print_charts(I, charts);
  interp_pop_roots(I, 1);
  return charts->items.count == 1 ? charts->items.items[0] : OBJ_VAL(charts);
}

void world_plot_open(Interp *I) { lib_register(I, "%plot", f_plot, 5, 5, NULL); }
