/* world_results.c - scenario and series objects and the results API. */
#include "world_results.h"

#include <math.h>
#include <string.h>

#include "memory.h"
#include "num.h"
#include "state.h"
#include "unit.h"
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

const ForeignClass results_series_class = {
    "series", sizeof(ObjSeries), series_mark, series_free, series_print, series_get_field, series_get_index,
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
  gc_mark_obj(I, (Obj *)s->overrides);
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
    "scenario", sizeof(ObjScenario), scenario_mark, scenario_free, scenario_print, scenario_get_field, NULL,
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
