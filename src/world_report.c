/* world_report.c - compare, why and the prompt's listings.  Each report is
 * computed as a value first (a record anyone can read: the statement, a
 * chart, an export), then printed. */
#include "world_report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "progress.h"
#include "lib.h"
#include "vm.h"
#include "num.h"
#include "world.h"

/* ---- compare -------------------------------------------------------------------- */

/* The series compare shows for `path` in scenario s.  A path may end in a
 * statistic of a many-run scenario, .mean .p5 .p50 .p95 (entity fields never
 * have such names: fields of one's own are tagged, my_x).  A one-run
 * scenario's only value is also each of its statistics. */
static ObjSeries *compare_series(Interp *I, ObjScenario *s, const char *path) {
  static const char *const STATS[] = {"mean", "p5", "p50", "p95"};
  const char *dot = strrchr(path, '.');
  const char *stat = NULL;
  for (size_t k = 0; dot && k < sizeof STATS / sizeof *STATS; k++)
    if (strcmp(dot + 1, STATS[k]) == 0) stat = STATS[k];
  if (!stat) return results_series_at(I, s, path);
  ObjString *prefix = str_make(I, path, (int)(dot - path));
  interp_push_root(I, OBJ_VAL(prefix));
  ObjSeries *se = results_series_at(I, s, prefix->chars);
  interp_pop_roots(I, 1);
  if (stat == STATS[0] || !se->stats) return se; /* the series is the mean */
  Value v = world_field(I, se->stats, stat);
  return IS_SERIES(v) ? AS_SERIES(v) : se;
}

ObjSeries *report_series(Interp *I, ObjScenario *s, const char *path) { return compare_series(I, s, path); }

Value report_compare(Interp *I, ObjScenario **ss, int n, const char *path) {
  ObjList *series = list_new(I), *names = list_new(I), *years = list_new(I), *values = list_new(I),
          *changes = list_new(I), *spread = list_new(I), *lows = list_new(I), *highs = list_new(I),
          *ranges = list_new(I);
  int64_t lo = INT64_MAX, hi = INT64_MIN;
  UnitId unit = UNIT_NONE;
  bool share = n > 0; /* every series a share: shown in percent */
  for (int i = 0; i < n; i++) {
    ObjSeries *se = compare_series(I, ss[i], path);
    share = share && se->share;
    list_append(I, series, OBJ_VAL(se));
    /* a many-run scenario's means come with their p5..p95 spread */
    Value p5 = se->stats ? world_field(I, se->stats, "p5") : NIL_VAL;
    Value p95 = se->stats ? world_field(I, se->stats, "p95") : NIL_VAL;
    bool many = IS_SERIES(p5) && IS_SERIES(p95);
    list_append(I, spread, BOOL_VAL(many));
    list_append(I, lows, many ? p5 : NIL_VAL);
    list_append(I, highs, many ? p95 : NIL_VAL);
    list_append(I, names, OBJ_VAL(ss[i]->name));
    if (se->first_year < lo) lo = se->first_year;
    if (results_series_last(se) > hi) hi = results_series_last(se);
    UnitId u = results_series_unit(se);
    if (u != UNIT_NONE) unit = u;
  }
  for (int64_t y = lo; y <= hi; y++) {
    ObjList *row = list_new(I), *diff = list_new(I);
    for (int i = 0; i < n; i++) list_append(I, row, results_series_get(AS_SERIES(series->items.items[i]), y));
    ObjList *range = list_new(I); /* [p5, p95] of each scenario (nil for one run) */
    list_append(I, ranges, OBJ_VAL(range));
    for (int i = 0; i < n; i++) {
      if (IS_FALSY(spread->items.items[i])) {
        list_append(I, range, NIL_VAL);
        continue;
      }
      ObjList *pair = list_new(I);
      list_append(I, range, OBJ_VAL(pair));
      list_append(I, pair, results_series_get(AS_SERIES(lows->items.items[i]), y));
      list_append(I, pair, results_series_get(AS_SERIES(highs->items.items[i]), y));
    }
    Value base = row->items.items[0];
    for (int i = 1; i < n; i++) {
      Value v = row->items.items[i], d = NIL_VAL;
      if (num_is(base) && num_is(v) && base.unit == v.unit) {
        d = num_sub(I, v, base);
        d.unit = v.unit;
      }
      list_append(I, diff, d);
    }
    list_append(I, years, INT_VAL(y));
    list_append(I, values, OBJ_VAL(row));
    list_append(I, changes, OBJ_VAL(diff));
  }
  ObjRecord *t = record_new(I);
  world_set_field(I, t, "path", OBJ_VAL(str_new(I, path)));
  Value u = NIL_VAL;
  if (unit != UNIT_NONE) {
    Buffer b;
    buf_init(&b);
    unit_format(&I->units, &b, unit);
    u = OBJ_VAL(str_take_buffer(I, &b)); /* frees b, even when it raises */
  }
  world_set_field(I, t, "unit", u);
  world_set_field(I, t, "share", BOOL_VAL(share));
  world_set_field(I, t, "scenarios", OBJ_VAL(names));
  world_set_field(I, t, "years", OBJ_VAL(years));
  world_set_field(I, t, "values", OBJ_VAL(values));
  world_set_field(I, t, "changes", OBJ_VAL(changes));
  world_set_field(I, t, "spread", OBJ_VAL(spread));
  world_set_field(I, t, "ranges", OBJ_VAL(ranges));
  return OBJ_VAL(t);
}

static ObjList *table_list(Interp *I, ObjRecord *t, const char *literal) {
  return AS_LIST(world_field(I, t, literal));
}

/* Whether compare's table t is of shares (every scenario's series one). */
static bool table_is_share(Interp *I, ObjRecord *t) {
  Value v = world_field(I, t, "share");
  return IS_BOOL(v) && v.as.b;
}

/* The printers below write straight into `out`, with no scratch Buffer of
 * their own, so that an error in the middle (out of memory in a number)
 * leaks nothing; their callers free `out` (print_protected). */

/* Right-align what was written to b since `at` in a field of `width`. */
static void pad_left(Buffer *b, size_t at, size_t width) {
  size_t n = b->len - at;
  if (n >= width) return;
  size_t pad = width - n;
  for (size_t i = 0; i < pad; i++) buf_putc(b, ' ');
  memmove(b->data + at + pad, b->data + at, n);
  memset(b->data + at, ' ', pad);
}

/* Left-align it (pad on the right). */
static void pad_right(Buffer *b, size_t at, size_t width) {
  while (b->len - at < width) buf_putc(b, ' ');
}

/* Scenario names are never cut (two names that differ only at the end must
 * stay two names): a column is as wide as its heading needs.  A value
 * column is at least 12 wide; a change column holds the number (at least 12
 * wide), then " +12.3%" (9), under the heading "NAME-FIRST". */
static size_t value_width(ObjList *names, int i) {
  size_t len = strlen(AS_CSTRING(names->items.items[i]));
  return len > 12 ? len : 12;
}

/* A many-run scenario's column "p5..p95" after its means. */
#define SPREAD_WIDTH 19

static bool has_spread(ObjList *spread, int i) { return !IS_FALSY(spread->items.items[i]); }

static size_t change_width(ObjList *names, int i) {
  size_t len = strlen(AS_CSTRING(names->items.items[i])) + 1 + strlen(AS_CSTRING(names->items.items[0]));
  return len > 21 ? len : 21;
}

/* The width compare's tables must fit in: the terminal's, when the output
 * is one; else $COLUMNS when it is set (scripts and tests); else none (a
 * file or a pipe takes lines of any length). */
static size_t output_width(void) { return (size_t)output_columns(stdout); }

/* One table of compare: the first scenario, then scenarios from..to-1 and
 * their changes from the first.  A share's values are in percent, its
 * changes in percentage points (30.0%, +2.0pp), then the relative change. */
static void print_compare_part(Interp *I, Buffer *out, ObjRecord *t, int from, int to) {
  bool share = table_is_share(I, t);
  void (*value_cell)(Interp *, Buffer *, Value) = share ? format_compact_share : results_format_human;
  void (*change_cell)(Interp *, Buffer *, Value) = share ? format_compact_points : results_format_human;
  ObjList *names = table_list(I, t, "scenarios"), *years = table_list(I, t, "years");
  ObjList *values = table_list(I, t, "values"), *changes = table_list(I, t, "changes");
  ObjList *spread = table_list(I, t, "spread"), *ranges = table_list(I, t, "ranges");
  buf_printf(out, "  %-6s", "year");
  for (int i = 0; i < to; i++) {
    if (i > 0 && i < from) continue;
    buf_putc(out, ' ');
    size_t at = out->len;
    buf_puts(out, AS_CSTRING(names->items.items[i]));
    pad_left(out, at, value_width(names, i));
    if (has_spread(spread, i)) buf_printf(out, " %*s", SPREAD_WIDTH, "p5..p95");
  }
  for (int i = from; i < to; i++) {
    buf_putc(out, ' ');
    size_t at = out->len;
    buf_printf(out, "%s-%s", AS_CSTRING(names->items.items[i]), AS_CSTRING(names->items.items[0]));
    pad_left(out, at, change_width(names, i));
  }
  buf_putc(out, '\n');
  for (int r = 0; r < years->items.count; r++) {
    ObjList *row = AS_LIST(values->items.items[r]), *diff = AS_LIST(changes->items.items[r]);
    buf_printf(out, "  %-6lld", (long long)years->items.items[r].as.i);
    for (int i = 0; i < to; i++) {
      if (i > 0 && i < from) continue;
      buf_putc(out, ' ');
      size_t at = out->len;
      if (IS_NIL(row->items.items[i])) buf_puts(out, "-");
      else value_cell(I, out, row->items.items[i]);
      pad_left(out, at, value_width(names, i));
      if (has_spread(spread, i)) {
        ObjList *pair = AS_LIST(AS_LIST(ranges->items.items[r])->items.items[i]);
        buf_putc(out, ' ');
        at = out->len;
        if (IS_NIL(pair->items.items[0]) || IS_NIL(pair->items.items[1])) buf_puts(out, "-");
        else {
          value_cell(I, out, pair->items.items[0]);
          buf_puts(out, "..");
          value_cell(I, out, pair->items.items[1]);
        }
        pad_left(out, at, SPREAD_WIDTH);
      }
    }
    for (int i = from; i < to; i++) {
      Value d = diff->items.items[i - 1];
      if (IS_NIL(d)) {
        buf_printf(out, " %*s %8s", (int)(change_width(names, i) - 9), "-", "");
        continue;
      }
      if (isnan(num_to_double(d))) { /* inf - inf: no sign, no percentage */
        buf_printf(out, " %*s %8s", (int)(change_width(names, i) - 9), "nan", "");
        continue;
      }
      buf_putc(out, ' ');
      size_t at = out->len;
      double base = num_to_double(row->items.items[0]);
      if (!world_is_zero(d)) buf_putc(out, num_cmp(I, d, INT_VAL(0)) > 0 ? '+' : '-');
      change_cell(I, out, num_abs(I, d));
      pad_left(out, at, change_width(names, i) - 9);
      if (base != 0) buf_printf(out, " %+7.1f%%", 100.0 * num_to_double(d) / fabs(base));
      else buf_printf(out, " %8s", "");
    }
    buf_putc(out, '\n');
  }
}

/* A comparison wider than the output is printed as several tables, each
 * with the first scenario and as many others (with their changes) as fit,
 * at least one: never a wrapped line. */
void report_print_compare(Interp *I, Buffer *out, Value table) {
  ObjRecord *t = AS_RECORD(table);
  ObjList *names = table_list(I, t, "scenarios");
  Value unit = world_field(I, t, "unit");
  int n = names->items.count;
  size_t limit = output_width();
  buf_puts(out, AS_CSTRING(world_field(I, t, "path")));
  if (IS_STRING(unit)) buf_printf(out, " (%s)", AS_CSTRING(unit));
  else if (table_is_share(I, t))
    buf_puts(out, n > 1 ? " (a share, in %; changes in percentage points, pp)" : " (a share, in %)");
  buf_putc(out, '\n');
  ObjList *spread = table_list(I, t, "spread");
  int from = 1;
  do {
    size_t width = 8 + 1 + value_width(names, 0) + (has_spread(spread, 0) ? 1 + SPREAD_WIDTH : 0);
    int to = from;
    while (to < n) {
      size_t more = 1 + value_width(names, to) + 1 + change_width(names, to);
      if (has_spread(spread, to)) more += 1 + SPREAD_WIDTH;
      if (to > from && limit && width + more > limit) break;
      width += more;
      to++;
    }
    print_compare_part(I, out, t, from, to);
    from = to;
  } while (from < n);
}

/* Print into a Buffer with print(I, &b, ud), then write it to the output;
 * an error while printing frees the Buffer before it goes on. */
static void print_protected(Interp *I, void (*print)(Interp *I, Buffer *out, void *ud), void *ud) {
  Buffer out;
  lib_build_text(I, &out, print, ud);
  fputs(out.data, I->out);
  buf_free(&out);
  fflush(I->out);
  vm_check_output(I);
}

void report_print(Interp *I, void (*print)(Interp *I, Buffer *out, void *ud), void *ud) { print_protected(I, print, ud); }

static void print_tables(Interp *I, Buffer *out, void *ud) {
  ObjList *tables = ud;
  for (int p = 0; p < tables->items.count; p++) report_print_compare(I, out, tables->items.items[p]);
}

/* %compare(scenarios, paths): print one table per path. */
static Value f_compare(Interp *I, int argc, Value *args) {
  ObjList *scen = AS_LIST(args[0]);
  ObjList *paths = AS_LIST(args[1]);
  int n = scen->items.count;
  ObjScenario *ss[64];
  if (n > 64) interp_throw(I, "compare: at most 64 scenarios at once");
  for (int i = 0; i < n; i++) ss[i] = results_scenario(I, "compare", scen->items.items[i]);
  ObjList *tables = list_new(I);
  for (int p = 0; p < paths->items.count; p++)
    list_append(I, tables, report_compare(I, ss, n, AS_CSTRING(paths->items.items[p])));
  print_protected(I, print_tables, tables);
  return NIL_VAL;
}

/* compare(S, T, ..., "X.jobs"): the table of report_compare as a value,
 * printed by nobody (print it, export it, read its fields).  Every argument
 * but the last is a run scenario or a list of them; the last is the path. */
static Value f_compare_fn(Interp *I, int argc, Value *args) {
  ObjScenario *ss[64];
  int n = 0;
  for (int a = 0; a < argc - 1; a++) {
    bool many = IS_LIST(args[a]);
    int count = many ? AS_LIST(args[a])->items.count : 1;
    for (int k = 0; k < count; k++) {
      if (n == 64) interp_throw(I, "compare: at most 64 scenarios at once");
      ss[n++] = results_scenario(I, "compare", many ? AS_LIST(args[a])->items.items[k] : args[a]);
    }
  }
  if (n == 0) interp_throw(I, "compare: give one scenario or more before the path, as in compare(base, support, \"X.jobs\")");
  if (!IS_STRING(args[argc - 1]))
    interp_throw(I, "compare: the last argument must be the path as a string, such as \"X.jobs\" or \"total.budget\", not %s",
                 value_type_name(args[argc - 1]));
  return report_compare(I, ss, n, AS_CSTRING(args[argc - 1]));
}

/* ---- why ---------------------------------------------------------------------------- */

/* The series `why` explains: a scenario of several runs explains its first
 * run (the one with a write log). */
static ObjSeries *why_series(Interp *I, ObjScenario *s, const char *path) {
  ObjRecord *res = s->results;
  if (s->first_results) s->results = s->first_results;
  ObjSeries *se = results_series_at(I, s, path);
  s->results = res;
  return se;
}

/* Contributions are exact differences of the values each write replaced
 * (exact(new) - exact(old)), so they add up exactly: before + sum == after,
 * with before and after given exactly too.  A change made outside rules
 * (by the core's payments) is its own line so that the sum still holds. */
Value report_why(Interp *I, ObjScenario *s, const char *path, int64_t year) {
  ObjSeries *se = why_series(I, s, path);
  if (year <= se->first_year || year > results_series_last(se))
    interp_throw(I, "why: %s has no change to explain in %lld (it runs %lld..%lld; the first year is the declared data)",
                 path, (long long)year, (long long)se->first_year, (long long)results_series_last(se));
  Value before = results_series_get(se, year - 1), after = results_series_get(se, year);
  if (!num_is(before) || !num_is(after)) interp_throw(I, "why: %s has no value in %lld", path, (long long)(year - 1));
  /* the breakdown is exact, and inf and nan have no exact value: say so,
   * naming the year that is not a number */
  for (int k = 0; k < 2; k++) {
    Value v = k ? after : before;
    if (v.type == VAL_FLOAT && !isfinite(v.as.d))
      interp_throw(I, "why: %s is %s in %lld, which has no exact breakdown into the rules' changes (print the series "
                      "to see where it grew out of bounds)",
                   path, isnan(v.as.d) ? "nan" : v.as.d > 0 ? "inf" : "-inf", (long long)(k ? year : year - 1));
  }
  UnitId unit = after.unit;
  /* split "X.members.sme" into the entity and the field path */
  const char *dot = strchr(path, '.');
  if (!dot) interp_throw(I, "why: give an entity and a field, as in S.X.jobs[2030]");
  ObjString *ename = str_copy(I, path, (int)(dot - path));
  const char *fpath = dot + 1;
  size_t flen = strlen(fpath);
  bool total_of_clusters = strcmp(ename->chars, "total") == 0;
  int nrules = s->rule_names->items.count;
  ObjList *sums = list_new(I); /* by rule, then one for writes outside rules; undefined: none */
  for (int r = 0; r <= nrules; r++) list_append(I, sums, UNDEF_VAL);
  Value ex_before = num_exact(I, before), ex_after = num_exact(I, after);
  Value total = INT_VAL(0);
  for (int i = 0; i < s->nwrites; i++) {
    WriteEntry *w = &s->writes[i];
    if (w->year != year) continue;
    if (total_of_clusters ? w->entity->tag != KIND_CLUSTER : strcmp(world_entity_name(I, w->entity), ename->chars) != 0)
      continue;
    /* the write's field path: prefix.key, or key */
    size_t plen = w->prefix ? (size_t)w->prefix->length : 0;
    if (w->prefix ? !(plen + 1 + (size_t)w->key->length == flen && memcmp(fpath, w->prefix->chars, plen) == 0 &&
                      fpath[plen] == '.' && strcmp(fpath + plen + 1, w->key->chars) == 0)
                  : strcmp(fpath, w->key->chars) != 0)
      continue;
    if (!num_is(w->before) || !num_is(w->after)) continue;
    for (int k = 0; k < 2; k++) {
      Value v = k ? w->after : w->before;
      if (v.type == VAL_FLOAT && !isfinite(v.as.d))
        interp_throw(I, "why: in %lld, %s went through %s (rule %s), so its changes cannot be added up exactly", (long long)year,
                     path, isnan(v.as.d) ? "nan" : v.as.d > 0 ? "inf" : "-inf",
                     w->rule >= 0 && w->rule < nrules ? AS_CSTRING(s->rule_names->items.items[w->rule]) : "outside rules");
    }
    Value d = num_sub(I, num_exact(I, w->after), num_exact(I, w->before));
    int r = w->rule >= 0 && w->rule < nrules ? w->rule : nrules;
    Value *sum = &sums->items.items[r];
    *sum = IS_UNDEF(*sum) ? d : num_add(I, *sum, d);
    total = num_add(I, total, d);
  }
  ObjList *contributions = list_new(I);
  for (int r = 0; r <= nrules; r++) {
    Value a = sums->items.items[r];
    if (IS_UNDEF(a)) continue;
    ObjRecord *c = record_new(I);
    world_set_field(I, c, "rule", r < nrules ? s->rule_names->items.items[r] : OBJ_VAL(str_new(I, "(outside rules)")));
    a.unit = unit;
    world_set_field(I, c, "amount", a);
    list_append(I, contributions, OBJ_VAL(c));
  }
  Value rest = num_sub(I, num_sub(I, ex_after, ex_before), total);
  if (!world_is_zero(rest)) {
    ObjRecord *c = record_new(I);
    world_set_field(I, c, "rule", OBJ_VAL(str_new(I, "(outside rules)")));
    rest.unit = unit;
    world_set_field(I, c, "amount", rest);
    list_append(I, contributions, OBJ_VAL(c));
  }
  ObjRecord *res = record_new(I);
  ex_before.unit = unit;
  ex_after.unit = unit;
  world_set_field(I, res, "before", ex_before);
  world_set_field(I, res, "after", ex_after);
  world_set_field(I, res, "contributions", OBJ_VAL(contributions));
  return OBJ_VAL(res);
}

/* The breakdown for people (format.h): the values and contributions of an
 * estimate as estimates (+2.1424, not +2.142399995627: the exact
 * contributions, which add up exactly, are in the record `why` returns),
 * those of an exact series exactly, a share's in percent and its changes
 * in percentage points (20%, +1.5pp, 21.5%), as compare shows them. */
void report_print_why(Interp *I, Buffer *out, ObjScenario *s, const char *path, int64_t year, Value why) {
  ObjSeries *se = why_series(I, s, path);
  ObjList *contributions = AS_LIST(world_field(I, AS_RECORD(why), "contributions"));
  Value before = results_series_get(se, year - 1), after = results_series_get(se, year);
  bool estimate = before.type == VAL_FLOAT || after.type == VAL_FLOAT;
  unsigned flags = se->share ? FORMAT_SHARE : 0;
  unsigned change_flags = se->share ? FORMAT_POINTS : 0;
  buf_printf(out, "why %s.%s[%lld]%s\n", s->name->chars, path, (long long)year,
             s->first_results ? " (the first of the scenario's runs)" : "");
  buf_puts(out, "  ");
  size_t at = out->len;
  buf_printf(out, "%lld (before)", (long long)(year - 1));
  pad_right(out, at, 30);
  buf_putc(out, ' ');
  format_value(I, out, before, flags);
  buf_putc(out, '\n');
  for (int i = 0; i < contributions->items.count; i++) {
    ObjRecord *c = AS_RECORD(contributions->items.items[i]);
    Value a = world_field(I, c, "amount");
    Value shown = a;
    if (estimate) {
      shown = FLOAT_VAL(num_to_double(a));
      shown.unit = a.unit;
    }
    buf_puts(out, "  ");
    at = out->len;
    buf_puts(out, AS_CSTRING(world_field(I, c, "rule")));
    pad_right(out, at, 30);
    buf_putc(out, ' ');
    if (num_cmp(I, a, INT_VAL(0)) >= 0) buf_putc(out, '+');
    format_value(I, out, shown, change_flags);
    buf_putc(out, '\n');
  }
  buf_puts(out, "  ");
  at = out->len;
  buf_printf(out, "%lld (after)", (long long)year);
  pad_right(out, at, 30);
  buf_putc(out, ' ');
  format_value(I, out, after, flags);
  buf_putc(out, '\n');
}

typedef struct {
  ObjScenario *s;
  const char *path;
  int64_t year;
  Value why;
} WhyPrint;

static void print_why(Interp *I, Buffer *out, void *ud) {
  WhyPrint *p = ud;
  report_print_why(I, out, p->s, p->path, p->year, p->why);
}

/* %why(S, "X.f.g", year, print): the breakdown as a record; printed too
 * when `why` stands as a statement of its own. */
static Value f_why(Interp *I, int argc, Value *args) {
  ObjScenario *s = results_scenario(I, "why", args[0]);
  const char *path = AS_CSTRING(args[1]);
  int64_t year;
  if (!num_is(args[2]) || !num_to_int64(args[2], &year)) interp_throw(I, "why: the year must be a whole number");
  Value why = report_why(I, s, path, year);
  if (IS_BOOL(args[3]) && args[3].as.b) {
    WhyPrint p = {s, path, year, why};
    print_protected(I, print_why, &p);
  }
  return why;
}

/* ---- listing for the prompt -------------------------------------------------------------- */

void world_list(Interp *I, FILE *out, const char *what) {
  Buffer b;
  buf_init(&b);
  if (strcmp(what, "params") == 0) {
    /* in people's form (format.h): a param declared in percent as a
     * percentage, a year (notification_new_from) as a year */
    interp_autoload_all(I);
    if (I->world->params->items.count == 0) buf_puts(&b, "no params declared\n");
    for (int i = 0; i < I->world->params->items.count; i++) {
      ObjRecord *p = AS_RECORD(I->world->params->items.items[i]);
      unsigned flags = FORMAT_YEARS | (world_field(I, p, "share").type == VAL_BOOL && world_field(I, p, "share").as.b ? FORMAT_SHARE : 0);
      buf_printf(&b, "  %-34s ", AS_CSTRING(world_field(I, p, "name")));
      size_t at = b.len;
      format_value(I, &b, world_field(I, p, "default"), flags);
      pad_right(&b, at, 22);
      buf_printf(&b, " %s", IS_STRING(world_field(I, p, "doc")) ? AS_CSTRING(world_field(I, p, "doc")) : "");
      if (!IS_NIL(world_field(I, p, "low"))) { /* its bounds, as :help NAME gives them */
        buf_puts(&b, "; from ");
        format_value(I, &b, world_field(I, p, "low"), flags);
        buf_puts(&b, " to ");
        format_value(I, &b, world_field(I, p, "high"), flags);
      }
      buf_putc(&b, '\n');
    }
  } else if (strcmp(what, "rules") == 0) {
    if (I->world->rules->items.count == 0) buf_puts(&b, "no rules declared\n");
    for (int i = 0; i < I->world->rules->items.count; i++) { /* each with its doc line, if it has one */
      ObjRecord *r = AS_RECORD(I->world->rules->items.items[i]);
      Value doc = world_field(I, r, "doc");
      buf_printf(&b, "  %d. %s\n", i + 1, AS_CSTRING(world_field(I, r, "name")));
      if (IS_STRING(doc)) buf_printf(&b, "     %s\n", AS_CSTRING(doc));
    }
  } else {
    bool any = false;
    for (int k = KIND_REGION; k < KIND_COUNT; k++) {
      ObjList *l = I->world->entities[k];
      if (l->items.count == 0) continue;
      any = true;
      buf_printf(&b, "%ss:", world_kind_names[k]);
      for (int i = 0; i < l->items.count; i++) {
        ObjRecord *e = AS_RECORD(l->items.items[i]);
        if (k == KIND_FUND) {
          /* several funds may share programme, recipient and purpose: their years tell them apart */
          Value y = world_field(I, e, "years"), amount = world_field(I, e, "amount");
          buf_printf(&b, "%s %s -> %s (%s, %lld..%lld, ", i ? "," : "",
                     world_entity_name(I, AS_RECORD(world_field(I, e, "programme"))),
                     world_entity_name(I, AS_RECORD(world_field(I, e, "recipient"))),
                     AS_CSTRING(world_field(I, e, "purpose")),
                     IS_RANGE(y) ? (long long)AS_RANGE(y)->lo : 0LL, IS_RANGE(y) ? (long long)AS_RANGE(y)->hi : 0LL);
          if (num_is(amount)) format_number(I, &b, amount);
          else buf_puts(&b, "amounts by year");
          buf_putc(&b, ')');
        } else if (k == KIND_PROGRAMME) { /* with its envelope */
          buf_printf(&b, "%s %s", i ? "," : "", world_entity_name(I, e));
          if (num_is(world_field(I, e, "budget"))) {
            buf_puts(&b, " (");
            format_number(I, &b, world_field(I, e, "budget"));
            buf_putc(&b, ')');
          }
        } else {
          buf_printf(&b, " %s", world_entity_name(I, e));
        }
      }
      buf_putc(&b, '\n');
    }
    if (I->world->scenarios->items.count) {
      any = true;
      buf_puts(&b, "scenarios:");
      for (int i = 0; i < I->world->scenarios->items.count; i++)
        buf_printf(&b, " %s", AS_SCENARIO(I->world->scenarios->items.items[i])->name->chars);
      buf_putc(&b, '\n');
    }
    if (!any) buf_puts(&b, "the world is empty: declare regions, clusters, programmes and funds\n");
  }
  fputs(b.data, out);
  buf_free(&b);
}


void world_report_open(Interp *I) {
  lib_register(I, "%compare", f_compare, 2, 2, NULL);
  lib_register(I, "%why", f_why, 4, 4, NULL);
  lib_register(I, "compare", f_compare_fn, 2, -1,
               "compare(S, T, ..., \"X.jobs\"): the comparison table of a path across run scenarios, as a record "
               "(path, unit, scenarios, years, values, changes, spread, ranges)");
}
