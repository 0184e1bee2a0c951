/* world_results.c - scenario and series objects and the results API. */
#include "world_results.h"

#include <math.h>
#include <string.h>

#include "memory.h"
#include "num.h"
#include "state.h"
#include "opcodes.h"
#include "unit.h"
#include "vm.h"
#include "world.h"

/* ---- the series class ------------------------------------------------------ */

static void series_mark(Interp *I, Obj *o) {
  ObjSeries *s = (ObjSeries *)o;
  for (int i = 0; i < s->values.count; i++) gc_mark_value(I, s->values.items[i]);
  gc_mark_obj(I, (Obj *)s->stats);
}

static void series_free(Interp *I, Obj *o) { valarr_free(I, &((ObjSeries *)o)->values); }

static void series_print(Interp *I, Buffer *b, Obj *o) {
  ObjSeries *s = (ObjSeries *)o;
  buf_putc(b, '{');
  for (int i = 0; i < s->values.count; i++) {
    if (i) buf_puts(b, ", ");
    buf_printf(b, "%lld: ", (long long)(s->first_year + i));
    value_print(I, b, s->values.items[i], true);
  }
  buf_putc(b, '}');
}

/* series.mean, .p5, .p50, .p95 */
static bool series_get_field(Interp *I, Obj *o, ObjString *name, Value *out) {
  ObjSeries *s = (ObjSeries *)o;
  if (s->stats && record_get(s->stats, name, out)) return true;
  if (strcmp(name->chars, "mean") == 0) {
    *out = OBJ_VAL(o);
    return true;
  }
  if (s->from_runs && (!strcmp(name->chars, "p5") || !strcmp(name->chars, "p50") || !strcmp(name->chars, "p95")))
    interp_throw(I, "this series was computed from the means of many-run scenarios and has no .%s: take the "
                    "percentiles of the scenarios' own series (S.X.jobs.%s)", name->chars, name->chars);
  interp_throw(I, "a series has no field '%s'; index it by year, as in series[2030]%s", name->chars,
               s->stats ? ", or use .mean .p5 .p50 .p95" : "");
}

/* series[year] */
static bool series_get_index(Interp *I, Obj *o, Value idx, Value *out) {
  ObjSeries *s = (ObjSeries *)o;
  int64_t y;
  if (!num_is(idx) || !num_to_int64(idx, &y)) interp_throw(I, "a series is indexed by a year, such as [2030]");
  if (y < s->first_year || y > results_series_last(s))
    interp_throw(I, "year %lld is outside this series (%lld..%lld)", (long long)y, (long long)s->first_year,
                 (long long)results_series_last(s));
  *out = s->values.items[y - s->first_year];
  return true;
}

/* ---- series as values ---------------------------------------------------------- */

/* A many-run scenario's series holds the means of its runs; so does what
 * is computed from one. */
static bool holds_means(Value v) { return IS_SERIES(v) && (AS_SERIES(v)->stats || AS_SERIES(v)->from_runs); }

static ObjSeries *series_like(Interp *I, ObjSeries *s, bool from_runs) {
  ObjSeries *r = results_series_new(I, s->first_year);
  r->computed = true;
  r->from_runs = from_runs;
  return r;
}

static Value series_map(Interp *I, Obj *o, Value (*fn)(Interp *I, Value x, void *ud), void *ud) {
  ObjSeries *s = (ObjSeries *)o;
  ObjSeries *r = series_like(I, s, holds_means(OBJ_VAL(o)));
  for (int k = 0; k < s->values.count; k++) {
    Value x = s->values.items[k];
    valarr_push(I, &r->values, IS_NIL(x) ? x : fn(I, x, ud));
  }
  return OBJ_VAL(r);
}

static Value negate_one(Interp *I, Value x, void *ud) {
  (void)ud;
  if (!num_is(x)) interp_throw(I, "cannot negate a %s", value_type_name(x));
  Value r = num_neg(I, x);
  r.unit = x.unit;
  return r;
}

/* Operations that do not commute with taking the mean over runs: on the
 * means of many-run scenarios, they are not the mean of the results. */
static bool mean_of_result_differs(int op, Value a, Value b) {
  switch (op) {
  case OP_MUL: return holds_means(a) && holds_means(b);
  case OP_DIV: return holds_means(b);
  case OP_POW:
  case OP_MOD: return holds_means(a) || holds_means(b);
  default: return false;
  }
}

static Value series_arith(Interp *I, int op, Value a, Value b) {
  static const char *verbs[] = {[OP_ADD] = "add", [OP_SUB] = "subtract", [OP_MUL] = "multiply",
                                [OP_DIV] = "divide", [OP_MOD] = "take mod of", [OP_POW] = "raise"};
  if (op == OP_NEG) return series_map(I, a.as.o, negate_one, NULL);
  if (op < 0 || op >= (int)(sizeof verbs / sizeof *verbs) || !verbs[op])
    interp_throw(I, "internal error: bad arithmetic operator on a series");
  ObjSeries *sa = IS_SERIES(a) ? AS_SERIES(a) : NULL, *sb = IS_SERIES(b) ? AS_SERIES(b) : NULL;
  if ((!sa && !num_is(a)) || (!sb && !num_is(b)))
    interp_throw(I, "cannot %s a %s and a %s: a series takes arithmetic with another series or a number",
                 verbs[op], value_type_name(a), value_type_name(b));
  ObjSeries *shape = sa ? sa : sb;
  if (sa && sb && (sa->first_year != sb->first_year || sa->values.count != sb->values.count))
    interp_throw(I, "cannot %s series of different years (%lld..%lld and %lld..%lld)", verbs[op],
                 (long long)sa->first_year, (long long)results_series_last(sa), (long long)sb->first_year,
                 (long long)results_series_last(sb));
  if (mean_of_result_differs(op, a, b))
    interp_warn(I, "this works on the means of many-run scenarios year by year; the result is not the mean over "
                   "the runs of the %s (take the operation inside a rule to have it per run)",
                op == OP_MUL ? "products" : op == OP_DIV ? "quotients" : op == OP_POW ? "powers" : "remainders");
  ObjSeries *r = series_like(I, shape, holds_means(a) || holds_means(b));
  for (int k = 0; k < shape->values.count; k++) {
    Value x = sa ? sa->values.items[k] : a, y = sb ? sb->values.items[k] : b;
    valarr_push(I, &r->values, IS_NIL(x) || IS_NIL(y) ? NIL_VAL : vm_arith(I, op, x, y));
  }
  return OBJ_VAL(r);
}

/* The values year by year, for sum, min, max, mean, len, map... */
static ObjList *series_elements(Interp *I, Obj *o) {
  ObjSeries *s = (ObjSeries *)o;
  ObjList *l = list_new(I);
  for (int k = 0; k < s->values.count; k++) {
    if (IS_NIL(s->values.items[k]))
      interp_throw(I, "this series has no value in %lld", (long long)(s->first_year + k));
    list_append(I, l, s->values.items[k]);
  }
  return l;
}

const ForeignClass results_series_class = {
    .type_name = "series",
    .size = sizeof(ObjSeries),
    .mark = series_mark,
    .free = series_free,
    .print = series_print,
    .get_field = series_get_field,
    .get_index = series_get_index,
    .arith = series_arith,
    .elements = series_elements,
    .map = series_map,
};

ObjSeries *results_series_new(Interp *I, int64_t first_year) {
  ObjSeries *s = (ObjSeries *)foreign_new(I, &results_series_class);
  s->first_year = first_year;
  valarr_init(&s->values);
  return s;
}

/* ---- the scenario class ---------------------------------------------------- */

static void scenario_mark(Interp *I, Obj *o) {
  ObjScenario *s = (ObjScenario *)o;
  gc_mark_obj(I, (Obj *)s->name);
  gc_mark_obj(I, (Obj *)s->parent);
  gc_mark_obj(I, (Obj *)s->body);
  gc_mark_obj(I, (Obj *)s->results);
  gc_mark_obj(I, (Obj *)s->first_results);
  gc_mark_obj(I, (Obj *)s->params);
  gc_mark_obj(I, (Obj *)s->set_params);
  gc_mark_obj(I, (Obj *)s->ledger);
  gc_mark_obj(I, (Obj *)s->entities);
  gc_mark_obj(I, (Obj *)s->rule_names);
  for (int i = 0; i < s->nwrites; i++) {
    WriteEntry *w = &s->writes[i];
    gc_mark_obj(I, (Obj *)w->entity);
    gc_mark_obj(I, (Obj *)w->prefix);
    gc_mark_obj(I, (Obj *)w->key);
    gc_mark_value(I, w->before);
    gc_mark_value(I, w->after);
  }
}

void results_clear_writes(Interp *I, ObjScenario *s) {
  FREE_ARRAY(I, WriteEntry, s->writes, s->writes_capacity);
  s->writes = NULL;
  s->nwrites = s->writes_capacity = 0;
}

static void scenario_free(Interp *I, Obj *o) { results_clear_writes(I, (ObjScenario *)o); }

static void scenario_print(Interp *I, Buffer *b, Obj *o) {
  ObjScenario *s = (ObjScenario *)o;
  buf_printf(b, "<scenario %s%s>", s->name->chars, s->has_run ? ", run" : "");
}

/* S.name, S.params, S.X (an entity's results), S.total */
static bool scenario_get_field(Interp *I, Obj *o, ObjString *name, Value *out) {
  ObjScenario *s = (ObjScenario *)o;
  if (strcmp(name->chars, "name") == 0) {
    *out = OBJ_VAL(s->name);
    return true;
  }
  if (!s->has_run) interp_throw(I, "scenario %s has not been run yet (use run %s)", s->name->chars, s->name->chars);
  if (strcmp(name->chars, "params") == 0 && s->params && !record_get(s->results, name, out)) {
    *out = OBJ_VAL(s->params);
    return true;
  }
  if (record_get(s->results, name, out)) return true;
  interp_throw(I, "scenario %s has no results for '%s' (entities are named as declared; 'total' sums the clusters)",
               s->name->chars, name->chars);
}

const ForeignClass results_scenario_class = {
    .type_name = "scenario",
    .size = sizeof(ObjScenario),
    .mark = scenario_mark,
    .free = scenario_free,
    .print = scenario_print,
    .get_field = scenario_get_field,
};

ObjScenario *results_scenario_new(Interp *I, ObjString *name) {
  ObjScenario *s = (ObjScenario *)foreign_new(I, &results_scenario_class);
  s->name = name;
  s->runs = 1;
  s->seed = 1;
  return s;
}

/* ---- lookups ------------------------------------------------------------------- */

ObjScenario *results_scenario(Interp *I, const char *fn, Value v) {
  if (!IS_SCENARIO(v)) interp_throw(I, "%s: expected a scenario, not %s", fn, value_type_name(v));
  ObjScenario *s = AS_SCENARIO(v);
  if (!s->has_run) interp_throw(I, "%s: scenario %s has not been run yet (use run %s)", fn, s->name->chars, s->name->chars);
  return s;
}

ObjSeries *results_series_at(Interp *I, ObjScenario *s, const char *path) {
  Value cur = OBJ_VAL(s->results);
  for (const char *part = path;;) {
    const char *dot = strchr(part, '.');
    int len = dot ? (int)(dot - part) : (int)strlen(part);
    if (!IS_RECORD(cur) || !record_get(AS_RECORD(cur), str_copy(I, part, len), &cur))
      interp_throw(I, "scenario %s has no results for '%s'", s->name->chars, path);
    if (!dot) break;
    part = dot + 1;
  }
  if (!IS_SERIES(cur)) interp_throw(I, "'%s' is not a numeric field of scenario %s", path, s->name->chars);
  return AS_SERIES(cur);
}

Value results_series_get(ObjSeries *se, int64_t year) {
  int64_t k = year - se->first_year;
  return k >= 0 && k < se->values.count ? se->values.items[k] : NIL_VAL;
}

UnitId results_series_unit(ObjSeries *se) {
  UnitId unit = UNIT_NONE;
  for (int k = 0; k < se->values.count; k++)
    if (num_is(se->values.items[k])) unit = se->values.items[k].unit;
  return unit;
}

/* ---- formatting ---------------------------------------------------------------- */

void results_format_human(Interp *I, Buffer *b, Value v) {
  if (!num_is(v)) {
    value_print(I, b, v, false);
    return;
  }
  double d = num_to_double(v);
  double a = fabs(d);
  if (isnan(d) || isinf(d)) buf_printf(b, "%g", d);
  /* beyond a million billion, and below a cent but not zero: a power of
   * ten (a 300-digit "bn" column, or 0.00 for a number that is not 0,
   * would mislead) */
  else if (a >= 1e15 || (a > 0 && a < 0.005)) buf_printf(b, "%.2e", d);
  else if (a >= 1e9) buf_printf(b, "%.2fbn", d / 1e9);
  else if (a >= 1e6) buf_printf(b, "%.2fM", d / 1e6);
  else if (a >= 1e4) buf_printf(b, "%.1fk", d / 1e3);
  else if (a >= 100 || d == floor(d)) buf_printf(b, "%.0f", d);
  else buf_printf(b, "%.2f", d);
}

void results_format_csv(Interp *I, Buffer *b, Value v) {
  if (!num_is(v)) return;
  Value plain = v;
  plain.unit = UNIT_NONE;
  size_t start = b->len;
  num_format(I, b, plain);
  if (memchr(b->data + start, '/', b->len - start)) { /* a rational that does not terminate */
    b->len = start;
    b->data[start] = '\0';
    buf_printf(b, "%.15g", num_to_double(plain));
  }
}
