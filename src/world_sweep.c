/* world_sweep.c - sweeps: a scenario run once per case (a set of param
 * values, from a grid or a list), with chosen outputs per case as a list of
 * records; sensitivity, each param a share down and up, built on it.
 *
 * A case is run as a scenario of its own, made for it and dropped after:
 * an ObjScenario whose parent is the swept scenario, with no body, and
 * whose `overrides` set the case's params at the start of every run
 * (world_sweep_apply, called by the run): before the bodies of the
 * scenario and its ancestors, so that what they declare with a param (a
 * fund whose amount is the param) reads the case's value, and again after
 * them, over a body's own `set`.  So a case is `scenario C extends S { set
 * NAME = VALUE ... }` run on the base world, which the run restores
 * afterwards (the base world and S itself, its results, are untouched),
 * except that S's declarations see the case's values.  A declaration of
 * the base world keeps the value it read; a case's `set` of that param
 * warns so (world_params.c, param reads).
 *
 * Random numbers: a case starts as a new scenario does (seed 1, until the
 * bodies' `seed:`), so run k of every case draws from the same stream as
 * run k of S.  A case's numbers therefore depend only on its own values,
 * never on its index or on which other cases ran (a shard computing one
 * case gets the numbers of the full sweep), and the differences between
 * cases come from the params, not from different draws (common random
 * numbers, the usual way to compare simulated alternatives).
 */
#include "world_sweep.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "fileio.h"
#include "format.h"
#include "lib.h"
#include "num.h"
#include "vm.h"
#include "progress.h"
#include "world.h"
#include "world_plot.h"
#include "world_report.h"
#include "world_results.h"

/* ---- the grid --------------------------------------------------------------- */

int64_t sweep_grid_size(const int64_t *sizes, int n, int64_t limit) {
  int64_t total = 1;
  for (int i = 0; i < n; i++)
    if (sizes[i] <= 0) return 0;
  for (int i = 0; i < n; i++) {
    if (sizes[i] > limit / total) return -1;
    total *= sizes[i];
  }
  return total <= limit ? total : -1;
}

void sweep_grid_case(const int64_t *sizes, int n, int64_t k, int64_t *digits) {
  for (int i = n - 1; i >= 0; i--) {
    digits[i] = k % sizes[i];
    k /= sizes[i];
  }
}

/* ---- running a case --------------------------------------------------------- */

static bool may_take(Interp *I, ObjString *name, Value v, const char **why);

void world_sweep_apply(Interp *I, ObjScenario *s, bool early) {
  ObjRecord *o = s->overrides;
  if (!o) return;
  Value set = I->globals[global_find(I, world_name(I, "%set"))];
  ObjRecord *body_sets = I->world->body_sets; /* the bodies' own sets (after them) */
  for (int i = 0; i < o->count; i++) {
    Value args[2] = {OBJ_VAL(o->keys[i]), o->values[i]};
    if (s->overrides_scale) { /* sensitivity: the value this run has, times the factor */
      Value v = I->globals[global_find(I, o->keys[i])], was;
      /* before the bodies, the value the param has then, if a number; after
       * them, again only a value a body's set gave it */
      if (early && !num_is(v)) continue;
      if (!early && !(body_sets && record_get(body_sets, o->keys[i], &was)) && num_is(v)) continue;
      if (!num_is(v))
        interp_throw(I, "sensitivity: param %s is %s in run %lld of scenario %s, not a number", o->keys[i]->chars,
                     value_type_name(v), (long long)s->run_index + 1, s->name->chars);
      args[1] = num_mul(I, v, o->values[i]);
      args[1].unit = v.unit;
      /* a value before the bodies that a body then sets: it need not lie
       * within the bounds (the value checked is the body's, times the factor) */
      const char *why;
      if (early && !may_take(I, o->keys[i], args[1], &why)) continue;
    }
    I->world->setting_case = true; /* not a body's set */
    vm_call(I, set, 2, args);       /* `set NAME = VALUE`: its unit and bounds checked again */
    I->world->setting_case = false;
  }
}

/* A scenario for one case of base: named after it, "S[growth_rate=0.05]"
 * ("S[growth_rate*1.1]" for a factor), so that messages from its run say
 * which case they come from. */
static ObjScenario *case_scenario(Interp *I, ObjScenario *base, ObjRecord *overrides, bool scale) {
  Buffer b;
  buf_init(&b);
  buf_puts(&b, base->name->chars);
  if (overrides->count) buf_putc(&b, '[');
  for (int i = 0; i < overrides->count; i++) {
    buf_printf(&b, "%s%s%s", i ? ", " : "", overrides->keys[i]->chars, scale ? "*" : "=");
    value_print(I, &b, overrides->values[i], true);
  }
  if (overrides->count) buf_putc(&b, ']');
  ObjString *name = str_take_buffer(I, &b);
  ObjScenario *s = results_scenario_new(I, name);
  s->parent = base;
  s->overrides = overrides;
  s->overrides_scale = scale;
  return s;
}

/* ---- outputs ------------------------------------------------------------------
 *
 * An output is a path of the results, `total.jobs` or `X.members.sme`,
 * with a year, `total.jobs[2030]`, or without one: then its value at the
 * end of the scenario's last year.  Parsed once into a record {text, path,
 * year (nil: the last)}; text, as written, names its field in the case
 * records. */

static bool ident_char(char ch, bool first) {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' || (!first && ch >= '0' && ch <= '9');
}

static _Noreturn void bad_output(Interp *I, const char *fn, const char *text) {
  interp_throw(I, "%s: the output '%s' must be a path of the results with or without a year, such as total.jobs or "
                  "AerospaceValley.members.sme[2030]",
               fn, text);
}

static ObjRecord *parse_output(Interp *I, const char *fn, Value v) {
  if (!IS_STRING(v))
    interp_throw(I, "%s: an output is a path written as a string, such as \"total.jobs[2030]\", not %s", fn,
                 value_type_name(v));
  const char *text = AS_CSTRING(v), *p = text;
  int parts = 0;
  for (;;) {
    if (!ident_char(*p, true)) bad_output(I, fn, text);
    while (ident_char(*p, false)) p++;
    parts++;
    if (*p != '.') break;
    p++;
  }
  const char *end = p;
  Value year = NIL_VAL;
  if (*p == '[') {
    int64_t y = 0;
    int digits = 0;
    for (p++; *p >= '0' && *p <= '9' && digits < 6; p++, digits++) y = y * 10 + (*p - '0');
    if (digits == 0 || *p != ']') bad_output(I, fn, text);
    year = INT_VAL(y);
    p++;
  }
  if (*p != '\0' || parts < 2) bad_output(I, fn, text);
  ObjRecord *o = record_new(I);
  world_set_field(I, o, "text", v);
  world_set_field(I, o, "path", OBJ_VAL(str_copy(I, text, (int)(end - text))));
  world_set_field(I, o, "year", year);
  return o;
}

/* The outputs given (a string or a list of them), parsed, none twice. */
static ObjList *parse_outputs(Interp *I, const char *fn, Value given) {
  ObjList *outs = list_new(I);
  interp_push_root(I, OBJ_VAL(outs));
  if (IS_STRING(given)) {
    list_append(I, outs, OBJ_VAL(parse_output(I, fn, given)));
  } else if (IS_LIST(given)) {
    ObjList *l = AS_LIST(given);
    for (int i = 0; i < l->items.count; i++) {
      ObjRecord *o = parse_output(I, fn, l->items.items[i]);
      for (int k = 0; k < outs->items.count; k++)
        if (value_equal(world_field(I, AS_RECORD(outs->items.items[k]), "text"), l->items.items[i]))
          interp_throw(I, "%s: the output '%s' is given twice", fn, AS_CSTRING(l->items.items[i]));
      list_append(I, outs, OBJ_VAL(o));
    }
  } else {
    interp_throw(I, "%s: the outputs are a list of paths, such as [\"total.jobs[2030]\"], not %s", fn,
                 value_type_name(given));
  }
  if (outs->items.count == 0) interp_throw(I, "%s: give at least one output, such as \"total.jobs[2030]\"", fn);
  interp_pop_roots(I, 1);
  return outs;
}

/* The series of output o in run case s, and the year to read. */
static ObjSeries *output_series(Interp *I, const char *fn, ObjScenario *s, ObjRecord *o, int64_t *year) {
  ObjSeries *se = results_series_at(I, s, AS_CSTRING(world_field(I, o, "path")));
  Value y = world_field(I, o, "year");
  *year = IS_NIL(y) ? results_series_last(se) : y.as.i;
  if (*year < se->first_year || *year > results_series_last(se))
    interp_throw(I, "%s: the output '%s': year %lld is outside the scenario's years %lld..%lld", fn,
                 AS_CSTRING(world_field(I, o, "text")), (long long)*year, (long long)se->first_year,
                 (long long)results_series_last(se));
  world_set_field(I, o, "share", BOOL_VAL(se->share)); /* the same in every case: how tables show it */
  world_set_field(I, o, "at", INT_VAL(*year));          /* the year read: a chart's title says it */
  return se;
}

/* Add output o of case s to row: its value, and for a scenario of several
 * runs the mean under the output's own name and TEXT.p5, .p50, .p95. */
static void add_output(Interp *I, const char *fn, ObjRecord *row, ObjScenario *s, ObjRecord *o) {
  int64_t year;
  ObjSeries *se = output_series(I, fn, s, o, &year);
  ObjString *text = AS_STRING(world_field(I, o, "text"));
  record_set(I, row, text, results_series_get(se, year));
  if (!se->stats) return;
  static const char *const STATS[] = {"p5", "p50", "p95"};
  for (int k = 0; k < 3; k++) {
    Value st = world_field(I, se->stats, STATS[k]);
    record_set(I, row, str_printf(I, "%s.%s", text->chars, STATS[k]),
               IS_SERIES(st) ? results_series_get(AS_SERIES(st), year) : NIL_VAL);
  }
}

/* The mean value of output o in case s (sensitivity's one output). */
static Value output_value(Interp *I, const char *fn, ObjScenario *s, ObjRecord *o) {
  int64_t year;
  ObjSeries *se = output_series(I, fn, s, o, &year);
  return results_series_get(se, year);
}

/* ---- checking the cases before anything runs ------------------------------------- */

/* Raise an error about param `name`, located where the statement wrote the
 * name when it did (interp_throw_at_field). */
static _Noreturn void name_error(Interp *I, ObjString *name, ObjString *msg) {
  interp_throw_at_field(I, name->chars, "%s", msg->chars);
}

/* The global slot of param `name`, or an error with the closest param's
 * name. */
static int param_slot(Interp *I, const char *fn, ObjString *name) {
  int g = global_find(I, name);
  if (g >= 0 && I->global_kinds[g] == GLOBAL_PARAM) return g;
  const char *best = NULL;
  int best_d = 0;
  ObjList *ps = I->world->params;
  for (int i = 0; i < ps->items.count; i++) {
    const char *known = AS_CSTRING(world_field(I, AS_RECORD(ps->items.items[i]), "name"));
    int d;
    if (diag_similar(name->chars, known, &d) && (!best || d < best_d)) {
      best = known;
      best_d = d;
    }
  }
  if (best)
    name_error(I, name, str_printf(I, "%s: '%s' is not a param (did you mean '%s'?)", fn, name->chars, best));
  name_error(I, name,
             str_printf(I, "%s: '%s' is not a param (:params lists them; declare one with param %s = ... \"doc\")", fn,
                        name->chars, name->chars));
}

typedef struct {
  ObjString *name;
  Value v;
  const char *how;
} BoundsCheck;

static void bounds_job(Interp *I, void *ud) {
  BoundsCheck *c = ud;
  world_check_param_bounds(I, c->name, c->v, c->how);
}

/* The unit of number v as messages name it ("EUR/year", "a plain
 * number"), or the type of any other value. */
static ObjString *unit_or_type(Interp *I, Value v) {
  if (!num_is(v)) return str_new(I, value_type_name(v));
  Buffer b;
  buf_init(&b);
  ObjString *s = str_new(I, world_unit_text(I, v.unit, &b));
  buf_free(&b);
  return s;
}

/* An error unless v may be a value of param `name`: a number with the unit
 * of the param's value when that is a number, within its bounds. */
static void check_value(Interp *I, const char *fn, ObjString *name, Value v) {
  int g = param_slot(I, fn, name);
  if (strcmp(name->chars, "case") == 0) /* the field of each result that numbers the cases */
    name_error(I, name, str_printf(I, "%s: a param named 'case' cannot be swept: each result's field 'case' numbers "
                                      "the cases; rename the param",
                                   fn));
  Value now = I->globals[g];
  if (num_is(now) && (!num_is(v) || v.unit != now.unit)) {
    ObjString *want = unit_or_type(I, now), *got = unit_or_type(I, v);
    name_error(I, name,
               str_printf(I, num_is(v) ? "%s %s: %s must have the unit of the param (%s), not %s"
                                       : "%s %s: %s must be a number (%s), like the param, not %s",
                          fn, name->chars, world_printed(I, v)->chars, want->chars, got->chars));
  }
  BoundsCheck c = {name, v, str_printf(I, "%s %s", fn, name->chars)->chars};
  if (!interp_pcall(I, bounds_job, &c)) name_error(I, name, str_new(I, I->errmsg.data));
}

/* The cases of a grid {NAME: [values], ...}: records {NAME: value}, in
 * the order of sweep_grid_case. */
static ObjList *grid_cases(Interp *I, const char *fn, ObjRecord *grid) {
  int n = grid->count;
  if (n == 0) interp_throw(I, "%s: give at least one param to vary, as in {growth_rate: [5%%, 10%%]}", fn);
  if (n > 64) interp_throw(I, "%s: at most 64 params in one sweep", fn);
  int64_t sizes[64] = {0}, digits[64];
  for (int i = 0; i < n; i++) {
    ObjString *name = grid->keys[i];
    Value vs = grid->values[i];
    if (!IS_LIST(vs))
      name_error(I, name, str_printf(I, "%s: the values of %s must be a list, such as [5%%, 10%%], not %s", fn,
                                     name->chars, value_type_name(vs)));
    if (AS_LIST(vs)->items.count == 0)
      name_error(I, name, str_printf(I, "%s: the list of values of %s is empty", fn, name->chars));
    sizes[i] = AS_LIST(vs)->items.count;
  }
  int64_t total = sweep_grid_size(sizes, n, SWEEP_MAX_CASES);
  if (total < 0) {
    Buffer b;
    buf_init(&b);
    for (int i = 0; i < n; i++) buf_printf(&b, "%s%lld", i ? " x " : "", (long long)sizes[i]);
    ObjString *product = str_take_buffer(I, &b);
    interp_throw(I, "%s: %s values make more than %d cases; sweep fewer values, or several sweeps", fn,
                 product->chars, SWEEP_MAX_CASES);
  }
  for (int i = 0; i < n; i++) { /* every value checked, none twice */
    ObjList *vs = AS_LIST(grid->values[i]);
    for (int k = 0; k < vs->items.count; k++) {
      check_value(I, fn, grid->keys[i], vs->items.items[k]);
      for (int j = 0; j < k; j++)
        if (value_equal(vs->items.items[j], vs->items.items[k]))
          name_error(I, grid->keys[i],
                     str_printf(I, "%s: the value %s of %s is given twice", fn, world_printed(I, vs->items.items[k])->chars,
                                grid->keys[i]->chars));
    }
  }
  ObjList *cases = list_new(I);
  interp_push_root(I, OBJ_VAL(cases));
  for (int64_t k = 0; k < total; k++) {
    sweep_grid_case(sizes, n, k, digits);
    ObjRecord *c = record_new(I);
    list_append(I, cases, OBJ_VAL(c));
    for (int i = 0; i < n; i++) record_set(I, c, grid->keys[i], AS_LIST(grid->values[i])->items.items[digits[i]]);
  }
  interp_pop_roots(I, 1);
  return cases;
}

/* An explicit list of cases [{NAME: value, ...}, ...], checked. */
static ObjList *listed_cases(Interp *I, const char *fn, ObjList *given) {
  int n = given->items.count;
  if (n == 0) interp_throw(I, "%s: the list of cases is empty", fn);
  if (n > SWEEP_MAX_CASES) interp_throw(I, "%s: %d cases, more than %d; split the sweep", fn, n, SWEEP_MAX_CASES);
  for (int k = 0; k < n; k++) {
    Value c = given->items.items[k];
    if (!IS_RECORD(c))
      interp_throw(I, "%s: case %d is %s, not a record of param values such as {growth_rate: 5%%}", fn, k + 1,
                   value_type_name(c));
    ObjRecord *r = AS_RECORD(c);
    for (int i = 0; i < r->count; i++) check_value(I, fn, r->keys[i], r->values[i]);
    for (int j = 0; j < k; j++)
      if (value_equal(given->items.items[j], c))
        interp_throw(I, "%s: case %d is the same as case %d", fn, k + 1, j + 1);
  }
  return given;
}

/* The params the cases name, in the order they first appear. */
static ObjList *case_columns(Interp *I, ObjList *cases) {
  ObjList *cols = list_new(I);
  for (int k = 0; k < cases->items.count; k++) {
    ObjRecord *r = AS_RECORD(cases->items.items[k]);
    for (int i = 0; i < r->count; i++) {
      bool seen = false;
      for (int j = 0; j < cols->items.count && !seen; j++) seen = AS_STRING(cols->items.items[j]) == r->keys[i];
      if (!seen) list_append(I, cols, OBJ_VAL(r->keys[i]));
    }
  }
  return cols;
}

/* ---- printing ----------------------------------------------------------------------
 *
 * A table is a list of rows of strings, the first row the heading; the
 * columns are aligned right (a first column of names left), two spaces
 * apart. */

/* A number as a table shows it: a share in percent (format.h). */
static ObjString *cell_as(Interp *I, Value v, bool share) {
  Buffer b;
  buf_init(&b);
  if (IS_NIL(v)) buf_putc(&b, '-');
  else if (share) format_compact_share(I, &b, v);
  else results_format_human(I, &b, v);
  return str_take_buffer(I, &b);
}

static ObjString *cell(Interp *I, Value v) { return cell_as(I, v, false); }

/* Whether output o (parse_output) is a share: known once a case ran. */
static bool output_share(Interp *I, ObjRecord *o) {
  Value v = world_field(I, o, "share");
  return IS_BOOL(v) && v.as.b;
}

/* "NAME (UNIT)" for a column of numbers in a unit, else NAME. */
static ObjString *heading(Interp *I, const char *name, UnitId unit) {
  if (unit == UNIT_NONE) return str_new(I, name);
  Buffer b;
  buf_init(&b);
  buf_printf(&b, "%s (", name);
  unit_format(&I->units, &b, unit);
  buf_putc(&b, ')');
  return str_take_buffer(I, &b);
}

typedef struct {
  ObjString *title;
  ObjList *rows, *notes;
  bool names_first; /* the first column holds names: aligned left */
} PrintedTable;

static void build_table(Interp *I, Buffer *out, void *ud) {
  PrintedTable *t = ud;
  ObjList *rows = t->rows;
  int ncols = AS_LIST(rows->items.items[0])->items.count;
  size_t width[256];
  if (ncols > 256) ncols = 256;
  for (int c = 0; c < ncols; c++) {
    width[c] = 0;
    for (int r = 0; r < rows->items.count; r++) {
      size_t len = (size_t)AS_STRING(AS_LIST(rows->items.items[r])->items.items[c])->length;
      if (len > width[c]) width[c] = len;
    }
  }
  buf_printf(out, "%s\n", t->title->chars);
  for (int r = 0; r < rows->items.count; r++) {
    ObjList *row = AS_LIST(rows->items.items[r]);
    for (int c = 0; c < ncols; c++) {
      const char *s = AS_CSTRING(row->items.items[c]);
      int w = (int)width[c];
      if (c == 0 && t->names_first) buf_printf(out, "  %-*s", w, s);
      else buf_printf(out, "  %*s", w, s);
    }
    /* no blanks at the end of a line */
    while (out->len > 0 && out->data[out->len - 1] == ' ') out->data[--out->len] = '\0';
    buf_putc(out, '\n');
  }
  for (int i = 0; t->notes && i < t->notes->items.count; i++)
    buf_printf(out, "%s\n", AS_CSTRING(t->notes->items.items[i]));
}

static void print_table(Interp *I, ObjString *title, ObjList *rows, ObjList *notes, bool names_first) {
  PrintedTable t = {title, rows, notes, names_first};
  report_print(I, build_table, &t);
}

static ObjList *row_of(Interp *I, ObjList *rows) {
  ObjList *row = list_new(I);
  list_append(I, rows, OBJ_VAL(row));
  return row;
}

static void add_cell(Interp *I, ObjList *row, ObjString *s) { list_append(I, row, OBJ_VAL(s)); }

/* The unit of the numbers in field `key` of the records (UNIT_NONE if
 * none has one). */
static UnitId column_unit(ObjList *records, ObjString *key) {
  for (int r = 0; r < records->items.count; r++) {
    Value v;
    if (record_get(AS_RECORD(records->items.items[r]), key, &v) && num_is(v) && v.unit != UNIT_NONE) return v.unit;
  }
  return UNIT_NONE;
}

/* The sweep's table: a row per case, its params, then each output (and
 * its p5..p95 for several runs). */
static void print_sweep(Interp *I, ObjScenario *base, ObjList *cols, ObjList *outs, ObjList *records, int64_t runs) {
  ObjList *rows = list_new(I);
  interp_push_root(I, OBJ_VAL(rows));
  ObjList *head = row_of(I, rows);
  add_cell(I, head, str_new(I, "case"));
  for (int i = 0; i < cols->items.count; i++)
    add_cell(I, head, heading(I, AS_CSTRING(cols->items.items[i]), column_unit(records, AS_STRING(cols->items.items[i]))));
  for (int i = 0; i < outs->items.count; i++) {
    ObjString *text = AS_STRING(world_field(I, AS_RECORD(outs->items.items[i]), "text"));
    add_cell(I, head, heading(I, text->chars, column_unit(records, text)));
    if (runs > 1) add_cell(I, head, str_new(I, "p5..p95"));
  }
  for (int r = 0; r < records->items.count; r++) {
    ObjRecord *rec = AS_RECORD(records->items.items[r]);
    ObjList *row = row_of(I, rows);
    add_cell(I, row, cell(I, world_field(I, rec, "case")));
    for (int i = 0; i < cols->items.count; i++) {
      Value v = NIL_VAL;
      record_get(rec, AS_STRING(cols->items.items[i]), &v);
      add_cell(I, row, cell_as(I, v, world_param_share(I, AS_STRING(cols->items.items[i]))));
    }
    for (int i = 0; i < outs->items.count; i++) {
      ObjRecord *o = AS_RECORD(outs->items.items[i]);
      ObjString *text = AS_STRING(world_field(I, o, "text"));
      bool share = output_share(I, o);
      Value v = NIL_VAL, lo = NIL_VAL, hi = NIL_VAL;
      record_get(rec, text, &v);
      add_cell(I, row, cell_as(I, v, share));
      if (runs <= 1) continue;
      record_get(rec, str_printf(I, "%s.p5", text->chars), &lo);
      record_get(rec, str_printf(I, "%s.p95", text->chars), &hi);
      ObjString *a = cell_as(I, lo, share), *b = cell_as(I, hi, share);
      add_cell(I, row, str_printf(I, "%s..%s", a->chars, b->chars));
    }
  }
  int64_t n = records->items.count;
  ObjString *title = runs > 1 ? str_printf(I, "sweep %s: %lld case%s, %lld runs each (mean, and p5..p95)",
                                           base->name->chars, (long long)n, n == 1 ? "" : "s", (long long)runs)
                              : str_printf(I, "sweep %s: %lld case%s", base->name->chars, (long long)n, n == 1 ? "" : "s");
  print_table(I, title, rows, NULL, false);
  interp_pop_roots(I, 1);
}

/* ---- sweep ---------------------------------------------------------------------------- */

/* sweep(S, GRID or CASES, OUTPUTS) and the statement's %sweep(..., true):
 * the list of records {case, the case's params..., outputs...}. */
/* The scenario a sweep or sensitivity runs (v), with every param loaded
 * before the names are checked (the audit's on first use). */
static ObjScenario *swept(Interp *I, const char *fn, Value v) {
  if (!IS_SCENARIO(v)) interp_throw(I, "%s: expected a scenario, not %s", fn, value_type_name(v));
  if (I->world->running)
    interp_throw(I, "%s: cannot run while scenario %s runs", fn, I->world->running->name->chars);
  interp_autoload_all(I);
  return AS_SCENARIO(v);
}

/* The cases of a sweep, run one after the other into `records`; `done`
 * counts those finished (all but when Ctrl-C stopped them). */
typedef struct {
  ObjScenario *base;
  ObjList *cases, *cols, *outs, *records;
  int64_t runs;
  int done;
  Progress *progress;
  /* `show ... plot`: per output, the list of each case's series; the
   * cases' names (NULL without plot) */
  ObjList *plot_series, *plot_labels;
  Value file; /* `plot to FILE`: the charts as SVG; nil: printed */
} SweepJob;

/* The charts of `sweep ... plot`: printed, or written to the SVG file. */
static void show_charts(Interp *I, SweepJob *j, ObjList *charts) {
  if (IS_NIL(j->file)) plot_print_charts(I, charts);
  else plot_write_svg(I, "sweep", OBJ_VAL(charts), AS_CSTRING(j->file));
}

/* `sweep ... show OUTPUTS plot` of listed cases, or a grid of more than
 * two params: after the table, a chart per output, a line per case
 * (labelled by the case's name, S[NAME=VALUE]) over the years, the
 * output's whole series whatever year the table shows. */
static void plot_sweep_years(Interp *I, SweepJob *j) {
  ObjList *charts = list_new(I);
  interp_push_root(I, OBJ_VAL(charts));
  int n = j->plot_labels->items.count;
  for (int i = 0; i < j->outs->items.count; i++) {
    ObjSeries *series[PLOT_MAX_LINES];
    ObjString *labels[PLOT_MAX_LINES];
    ObjList *l = AS_LIST(j->plot_series->items.items[i]);
    for (int k = 0; k < n; k++) {
      series[k] = AS_SERIES(l->items.items[k]);
      labels[k] = AS_STRING(j->plot_labels->items.items[k]);
    }
    Value chart = plot_chart_series(I, series, labels, n);
    interp_push_root(I, chart);
    world_set_field(I, AS_RECORD(chart), "title",
                    OBJ_VAL(str_printf(I, "%s: %s", j->base->name->chars,
                                       AS_CSTRING(world_field(I, AS_RECORD(j->outs->items.items[i]), "path")))));
    list_append(I, charts, chart);
    interp_pop_roots(I, 1);
  }
  show_charts(I, j, charts);
  interp_pop_roots(I, 1);
}

/* The values of param `name` as labels of a chart, as the table shows
 * them (1.50M, 5.0%); written out in full, without their unit (the axis's
 * name says it), when two would read the same. */
static ObjList *value_labels(Interp *I, ObjString *name, ObjList *values) {
  bool share = world_param_share(I, name);
  for (int full = 0;; full = 1) {
    ObjList *labels = list_new(I);
    interp_push_root(I, OBJ_VAL(labels));
    bool same = false;
    for (int k = 0; k < values->items.count; k++) {
      Value v = values->items.items[k], bare = v;
      bare.unit = UNIT_NONE; /* the axis's name says the unit */
      Value l = OBJ_VAL(num_is(v) && !full ? cell_as(I, v, share) : world_printed(I, num_is(v) ? bare : v));
      for (int m = 0; m < k && !same; m++) same = value_equal(labels->items.items[m], l);
      list_append(I, labels, l);
    }
    interp_pop_roots(I, 1);
    if (!same || full) return labels;
  }
}

/* One line of a chart against a param: its label, and per value of the
 * x axis's param the output o of the case records[first + k * every]
 * (its mean), with p5..p95 for cases of several runs. */
static ObjRecord *sweep_line(Interp *I, ObjString *label, ObjList *records, int first, int every, int npoints,
                             ObjRecord *o, int64_t runs) {
  ObjRecord *line = record_new(I);
  interp_push_root(I, OBJ_VAL(line));
  world_set_field(I, line, "label", OBJ_VAL(label));
  ObjString *text = AS_STRING(world_field(I, o, "text"));
  static const char *const FIELDS[] = {"values", "p5", "p95"};
  for (int f = 0; f < 3; f++) {
    if (f > 0 && runs <= 1) {
      world_set_field(I, line, FIELDS[f], NIL_VAL);
      continue;
    }
    ObjList *vs = list_new(I);
    world_set_field(I, line, FIELDS[f], OBJ_VAL(vs));
    ObjString *key = f ? str_printf(I, "%s.%s", text->chars, FIELDS[f]) : text;
    for (int k = 0; k < npoints; k++) {
      Value v = NIL_VAL;
      record_get(AS_RECORD(records->items.items[first + k * every]), key, &v);
      list_append(I, vs, v);
    }
  }
  interp_pop_roots(I, 1);
  return line;
}

/* `sweep S over NAME in [...] [and NAME2 in [...]] show OUTPUTS plot`:
 * after the table, a chart per output against the first param (its values
 * along the x axis, in the order given; the output at the year the table
 * shows up the y axis), one line, or one per value of the second param
 * ("NAME2=VALUE"); a many-run case's p5..p95 as a band. */
static void plot_sweep_against(Interp *I, SweepJob *j, ObjRecord *grid) {
  ObjList *charts = list_new(I);
  interp_push_root(I, OBJ_VAL(charts));
  ObjList *xs = AS_LIST(grid->values[0]);
  int npoints = xs->items.count, nlines = grid->count > 1 ? AS_LIST(grid->values[1])->items.count : 1;
  ObjList *x = value_labels(I, grid->keys[0], xs);
  interp_push_root(I, OBJ_VAL(x));
  ObjString *x_title = heading(I, grid->keys[0]->chars, column_unit(j->records, grid->keys[0]));
  interp_push_root(I, OBJ_VAL(x_title));
  ObjList *names = grid->count > 1 ? value_labels(I, grid->keys[1], AS_LIST(grid->values[1])) : NULL;
  interp_push_root(I, names ? OBJ_VAL(names) : NIL_VAL);
  for (int i = 0; i < j->outs->items.count; i++) {
    ObjRecord *o = AS_RECORD(j->outs->items.items[i]);
    ObjList *lines = list_new(I);
    interp_push_root(I, OBJ_VAL(lines));
    for (int b = 0; b < nlines; b++) {
      ObjString *label = names ? str_printf(I, "%s=%s", grid->keys[1]->chars, AS_CSTRING(names->items.items[b]))
                               : j->base->name;
      list_append(I, lines, OBJ_VAL(sweep_line(I, label, j->records, b, nlines, npoints, o, j->runs)));
    }
    ObjString *title = str_printf(I, "%s: %s[%lld]", j->base->name->chars, AS_CSTRING(world_field(I, o, "path")),
                                  (long long)world_field(I, o, "at").as.i);
    list_append(I, charts, plot_chart_x(I, title, x_title, x, lines, output_share(I, o)));
    interp_pop_roots(I, 1);
  }
  show_charts(I, j, charts);
  interp_pop_roots(I, 4);
}

static void sweep_cases_body(Interp *I, void *ud) {
  const char *fn = "sweep";
  SweepJob *j = ud;
  for (int k = 0; k < j->cases->items.count; k++) {
    ObjScenario *cs = case_scenario(I, j->base, AS_RECORD(j->cases->items.items[k]), false);
    interp_push_root(I, OBJ_VAL(cs));
    world_run_scenario(I, cs);
    j->runs = cs->runs;
    ObjRecord *row = record_new(I);
    list_append(I, j->records, OBJ_VAL(row));
    world_set_field(I, row, "case", INT_VAL(k + 1));
    for (int i = 0; i < j->cols->items.count; i++) {
      Value v = NIL_VAL;
      record_get(AS_RECORD(j->cases->items.items[k]), AS_STRING(j->cols->items.items[i]), &v);
      record_set(I, row, AS_STRING(j->cols->items.items[i]), v);
    }
    for (int i = 0; i < j->outs->items.count; i++) add_output(I, fn, row, cs, AS_RECORD(j->outs->items.items[i]));
    if (j->plot_series) {
      list_append(I, j->plot_labels, OBJ_VAL(cs->name));
      for (int i = 0; i < j->outs->items.count; i++) {
        int64_t year;
        ObjSeries *se = output_series(I, fn, cs, AS_RECORD(j->outs->items.items[i]), &year);
        list_append(I, AS_LIST(j->plot_series->items.items[i]), OBJ_VAL(se));
      }
    }
    interp_pop_roots(I, 1);
    j->done = k + 1;
    progress_update(j->progress, j->done);
  }
}

/* ---- params that change nothing ----------------------------------------------------
 *
 * A swept param that no rule or declaration reads gives every case the
 * same numbers: the table looks like an answer ("the budget makes no
 * difference") when it is a mistake in the script.  After the cases ran,
 * a param is idle when at least one pair of cases differs in it alone and
 * every such pair has the same outputs, exactly (the cases draw the same
 * random numbers, so an idle param gives equal means to the last digit). */

#define IDLE_CHECK_MAX_CASES 2000

static bool same_field(ObjRecord *a, ObjRecord *b, ObjString *key) {
  Value x = NIL_VAL, y = NIL_VAL;
  record_get(a, key, &x);
  record_get(b, key, &y);
  return x.tag == y.tag && value_equal(x, y);
}

/* Whether cases a and b give the same value to every param but cols[p]
 * and a different one to it. */
static bool differ_only_in(ObjList *cols, int p, ObjRecord *a, ObjRecord *b) {
  for (int i = 0; i < cols->items.count; i++)
    if (same_field(a, b, AS_STRING(cols->items.items[i])) != (i != p)) return false;
  return true;
}

static bool same_outputs(Interp *I, ObjList *outs, ObjRecord *a, ObjRecord *b) {
  for (int i = 0; i < outs->items.count; i++)
    if (!same_field(a, b, AS_STRING(world_field(I, AS_RECORD(outs->items.items[i]), "text")))) return false;
  return true;
}

static void warn_idle_params(Interp *I, ObjScenario *base, ObjList *cases, ObjList *cols, ObjList *outs,
                             ObjList *records) {
  int n = records->items.count;
  if (n < 2 || n > IDLE_CHECK_MAX_CASES) return;
  for (int p = 0; p < cols->items.count; p++) {
    bool paired = false, moved = false;
    for (int i = 0; i < n && !moved; i++)
      for (int j = i + 1; j < n && !moved; j++) {
        ObjRecord *ci = AS_RECORD(cases->items.items[i]), *cj = AS_RECORD(cases->items.items[j]);
        if (!differ_only_in(cols, p, ci, cj)) continue;
        paired = true;
        moved = !same_outputs(I, outs, AS_RECORD(records->items.items[i]), AS_RECORD(records->items.items[j]));
      }
    if (paired && !moved)
      interp_warn(I,
                  "sweep %s: %s changes no output: the cases that differ only in %s give the same numbers (does a "
                  "rule or a declaration of the scenario read %s?)",
                  base->name->chars, AS_CSTRING(cols->items.items[p]), AS_CSTRING(cols->items.items[p]),
                  AS_CSTRING(cols->items.items[p]));
  }
}

static Value f_sweep(Interp *I, int argc, Value *args) {
  const char *fn = "sweep";
  ObjScenario *base = swept(I, fn, args[0]);
  ObjList *cases;
  if (IS_RECORD(args[1])) cases = grid_cases(I, fn, AS_RECORD(args[1]));
  else if (IS_LIST(args[1])) cases = listed_cases(I, fn, AS_LIST(args[1]));
  else
    interp_throw(I, "sweep: expected a record of param values to combine, {growth_rate: [5%%, 10%%]}, or a list of "
                    "cases, [{growth_rate: 5%%}, ...], not %s",
                 value_type_name(args[1]));
  interp_push_root(I, OBJ_VAL(cases));
  ObjList *outs = parse_outputs(I, fn, args[2]);
  interp_push_root(I, OBJ_VAL(outs));
  ObjList *cols = case_columns(I, cases);
  interp_push_root(I, OBJ_VAL(cols));
  ObjList *records = list_new(I);
  interp_push_root(I, OBJ_VAL(records));
  bool plot = argc > 4 && !IS_FALSY(args[4]);
  Value file = argc > 5 ? args[5] : NIL_VAL; /* checked before any case runs */
  if (argc > 5 && !IS_STRING(file))
    interp_throw(I, "sweep %s ... plot to: the file name must be a string, such as \"sweep.svg\", not %s",
                 base->name->chars, value_type_name(file));
  /* a grid of one or two params: charts against the first; else a line per case over the years */
  ObjRecord *against = plot && IS_RECORD(args[1]) && AS_RECORD(args[1])->count <= 2 ? AS_RECORD(args[1]) : NULL;
  bool years = plot && !against;
  if (years && cases->items.count > PLOT_MAX_LINES)
    interp_throw(I, "sweep %s ... plot: a chart has at most %d lines, one per case, and this sweep has %d cases; "
                    "sweep fewer cases to plot them",
                 base->name->chars, PLOT_MAX_LINES, cases->items.count);
  if (against && against->count == 2 && AS_LIST(against->values[1])->items.count > PLOT_MAX_LINES)
    interp_throw(I, "sweep %s ... plot: a chart has at most %d lines, one per value of %s, the second param, and it has "
                    "%d values; name it first (the x axis takes any number of values), or sweep fewer",
                 base->name->chars, PLOT_MAX_LINES, against->keys[1]->chars, AS_LIST(against->values[1])->items.count);
  ObjList *plot_series = years ? list_new(I) : NULL, *plot_labels = years ? list_new(I) : NULL;
  interp_push_root(I, years ? OBJ_VAL(plot_series) : NIL_VAL);
  interp_push_root(I, years ? OBJ_VAL(plot_labels) : NIL_VAL);
  for (int i = 0; years && i < outs->items.count; i++) list_append(I, plot_series, OBJ_VAL(list_new(I)));
  Progress progress;
  progress_start(&progress, I->progress, str_printf(I, "sweep %s", base->name->chars)->chars, cases->items.count, "cases");
  SweepJob job = {base, cases, cols, outs, records, 1, 0, &progress, plot_series, plot_labels, file};
  bool ok = interp_pcall(I, sweep_cases_body, &job);
  progress_end(&progress);
  bool print = argc > 3 && !IS_FALSY(args[3]);
  if (!ok) {
    /* Ctrl-C: the cases done so far are shown (by the statement), then the
     * statement stops; any other error stops it at once */
    if (!I->interrupt_raised || job.done == 0) interp_rethrow(I);
    fprintf(I->err, "note: sweep %s: interrupted after %d of %d cases%s\n", base->name->chars, job.done,
            cases->items.count, print ? "; the table shows those" : "");
    fflush(I->err);
    if (print) print_sweep(I, base, cols, outs, records, job.runs);
    interp_throw_interrupt(I);
  }
  if (print) print_sweep(I, base, cols, outs, records, job.runs);
  warn_idle_params(I, base, cases, cols, outs, records);
  if (against) plot_sweep_against(I, &job, against);
  else if (years) plot_sweep_years(I, &job);
  interp_pop_roots(I, 6);
  return OBJ_VAL(records);
}

/* ---- sensitivity ------------------------------------------------------------------------ */

typedef struct {
  Interp *I;
  ObjList *names;
} Collect;

static void collect_param(void *ud, const char *name, size_t len, int kind) {
  Collect *c = ud;
  if (kind == GLOBAL_PARAM) list_append(c->I, c->names, OBJ_VAL(str_copy(c->I, name, (int)len)));
}

/* The params of the stdlib files loaded on first use (the state-aid
 * audit's thresholds): the model's rules never read them, so sensitivity
 * leaves them out unless it is given them by name. */
static ObjList *on_demand_params(Interp *I) {
  ObjList *names = list_new(I);
  for (int i = 0; i < I->nlazy; i++) {
    ObjString *path = str_printf(I, "%s/%s", I->stdlib_dir, I->lazy[i].name);
    const char *why;
    char *text = fileio_read(path->chars, NULL, &why);
    if (!text) continue;
    Collect c = {I, names};
    link_scan_decls(text, collect_param, &c);
    free(text);
  }
  return names;
}

static bool in_list(ObjList *l, Value v) {
  for (int i = 0; i < l->items.count; i++)
    if (value_equal(l->items.items[i], v)) return true;
  return false;
}

/* The params to vary: those given by name, or every param but the audit's. */
static ObjList *sensitivity_params(Interp *I, const char *fn, Value given) {
  ObjList *names = list_new(I);
  interp_push_root(I, OBJ_VAL(names));
  if (!IS_NIL(given)) {
    if (!IS_LIST(given))
      interp_throw(I, "%s: the params to vary are a list of names, such as [\"growth_rate\"], not %s", fn,
                   value_type_name(given));
    ObjList *l = AS_LIST(given);
    if (l->items.count == 0) interp_throw(I, "%s: the list of params to vary is empty", fn);
    for (int i = 0; i < l->items.count; i++) {
      Value v = l->items.items[i];
      if (!IS_STRING(v)) interp_throw(I, "%s: a param to vary is named by a string, not %s", fn, value_type_name(v));
      ObjString *name = str_copy(I, AS_CSTRING(v), AS_STRING(v)->length);
      param_slot(I, fn, name);
      if (in_list(names, OBJ_VAL(name))) name_error(I, name, str_printf(I, "%s: the param %s is given twice", fn, name->chars));
      list_append(I, names, OBJ_VAL(name));
    }
  } else {
    ObjList *audit = on_demand_params(I);
    interp_push_root(I, OBJ_VAL(audit));
    ObjList *ps = I->world->params;
    for (int i = 0; i < ps->items.count; i++) {
      Value name = world_field(I, AS_RECORD(ps->items.items[i]), "name");
      if (!in_list(audit, name)) list_append(I, names, name);
    }
    interp_pop_roots(I, 1);
  }
  interp_pop_roots(I, 1);
  return names;
}

/* Whether param `name` may take v (its bounds); the error's text in *why. */
static bool may_take(Interp *I, ObjString *name, Value v, const char **why) {
  BoundsCheck c = {name, v, "x"};
  if (interp_pcall(I, bounds_job, &c)) return true;
  const char *msg = strstr(I->errmsg.data, ": ");
  *why = str_new(I, msg ? msg + 2 : I->errmsg.data)->chars;
  return false;
}

/* Run base with the param `name` times `factor`; the output's mean. */
static Value run_scaled(Interp *I, const char *fn, ObjScenario *base, ObjString *name, Value factor, ObjRecord *out) {
  ObjRecord *o = record_new(I);
  interp_push_root(I, OBJ_VAL(o));
  record_set(I, o, name, factor);
  ObjScenario *cs = case_scenario(I, base, o, true);
  interp_push_root(I, OBJ_VAL(cs));
  world_run_scenario(I, cs);
  Value v = output_value(I, fn, cs, out);
  interp_pop_roots(I, 2);
  return v;
}

static Value difference(Interp *I, Value a, Value b) {
  if (!num_is(a) || !num_is(b) || a.unit != b.unit) return NIL_VAL;
  Value d = num_sub(I, a, b);
  d.unit = a.unit;
  return d;
}

/* How far apart the output is at the low and the high value (NaN when
 * it cannot be taken: such rows go last). */
static double swing(Interp *I, ObjRecord *r) {
  Value lo = world_field(I, r, "output_low"), hi = world_field(I, r, "output_high");
  if (!num_is(lo) || !num_is(hi)) return NAN;
  return fabs(num_to_double(hi) - num_to_double(lo));
}

/* Largest swing first; equal swings keep the params' order (a stable
 * insertion sort: a few dozen params). */
static void sort_by_swing(Interp *I, ObjList *rows) {
  int n = rows->items.count;
  double *key = malloc((size_t)(n ? n : 1) * sizeof *key);
  if (!key) interp_throw(I, "out of memory");
  for (int i = 0; i < n; i++) key[i] = swing(I, AS_RECORD(rows->items.items[i]));
  for (int i = 1; i < n; i++) {
    double k = key[i];
    Value v = rows->items.items[i];
    int j = i - 1;
    while (j >= 0 && (isnan(key[j]) ? !isnan(k) : (!isnan(k) && k > key[j]))) {
      key[j + 1] = key[j];
      rows->items.items[j + 1] = rows->items.items[j];
      j--;
    }
    key[j + 1] = k;
    rows->items.items[j + 1] = v;
  }
  free(key);
}

/* A change with its sign; a share's in percentage points (+2.0pp). */
static ObjString *signed_cell(Interp *I, Value d, bool share) {
  if (!num_is(d)) return cell(I, d);
  Buffer b;
  buf_init(&b);
  if (!world_is_zero(d) && !isnan(num_to_double(d))) buf_putc(&b, num_cmp(I, d, INT_VAL(0)) > 0 ? '+' : '-');
  Value shown = isnan(num_to_double(d)) ? d : num_abs(I, d);
  if (share) format_compact_points(I, &b, shown);
  else results_format_human(I, &b, shown);
  return str_take_buffer(I, &b);
}

static void print_sensitivity(Interp *I, ObjScenario *base, ObjRecord *out, Value share, Value output,
                              ObjList *records, ObjList *notes) {
  ObjList *rows = list_new(I);
  interp_push_root(I, OBJ_VAL(rows));
  ObjString *pct = cell(I, num_mul(I, share, INT_VAL(100)));
  ObjList *head = row_of(I, rows);
  static const char *const HEAD[] = {"param", "value", "low", "high", "output low", "output high", "change low",
                                     "change high"};
  for (int i = 0; i < 8; i++) add_cell(I, head, str_new(I, HEAD[i]));
  bool in_pct = output_share(I, out); /* the output in percent, its changes in percentage points */
  for (int r = 0; r < records->items.count; r++) {
    ObjRecord *rec = AS_RECORD(records->items.items[r]);
    ObjList *row = row_of(I, rows);
    ObjString *param = AS_STRING(world_field(I, rec, "param"));
    bool param_share = world_param_share(I, param);
    add_cell(I, row, param);
    static const char *const VALUES[] = {"value", "low", "high"};
    for (int i = 0; i < 3; i++) add_cell(I, row, cell_as(I, world_field(I, rec, VALUES[i]), param_share));
    add_cell(I, row, cell_as(I, world_field(I, rec, "output_low"), in_pct));
    add_cell(I, row, cell_as(I, world_field(I, rec, "output_high"), in_pct));
    add_cell(I, row, signed_cell(I, world_field(I, rec, "change_low"), in_pct));
    add_cell(I, row, signed_cell(I, world_field(I, rec, "change_high"), in_pct));
  }
  ObjString *text = AS_STRING(world_field(I, out, "text"));
  ObjString *at = cell_as(I, output, in_pct);
  ObjString *unit = heading(I, "", num_is(output) ? output.unit : UNIT_NONE);
  ObjString *title = str_printf(I, "sensitivity of %s%s in %s: %s%s, each param -%s%% and +%s%%, largest swing first",
                                text->chars, base->runs > 1 ? " (mean)" : "", base->name->chars, at->chars,
                                unit->chars, pct->chars, pct->chars);
  if (records->items.count == 0) list_append(I, notes, OBJ_VAL(str_new(I, "no param could be varied")));
  print_table(I, title, rows, notes, true);
  interp_pop_roots(I, 1);
}

/* sensitivity(S, OUTPUT, SHARE[, PARAMS]) and the statement's
 * %sensitivity(S, OUTPUT, SHARE, PARAMS or nil, true): each param times
 * 1 - SHARE and 1 + SHARE, one at a time, the output at each, sorted by
 * swing; records {param, value, low, high, output, output_low,
 * output_high, change_low, change_high}. */
static Value f_sensitivity(Interp *I, int argc, Value *args) {
  const char *fn = "sensitivity";
  ObjScenario *base = swept(I, fn, args[0]);
  if (!IS_STRING(args[1]))
    interp_throw(I, "sensitivity: the output is one path written as a string, such as \"total.jobs[2030]\", not %s",
                 value_type_name(args[1]));
  ObjList *outs = parse_outputs(I, fn, args[1]);
  interp_push_root(I, OBJ_VAL(outs));
  ObjRecord *out = AS_RECORD(outs->items.items[0]);
  Value share = args[2];
  if (!num_is(share) || share.unit != UNIT_NONE || num_cmp(I, share, INT_VAL(0)) != 1 ||
      num_cmp(I, share, INT_VAL(1)) != -1)
    interp_throw(I, "sensitivity: the change must be a share between 0%% and 100%%, such as 10%%, not %s",
                 world_printed(I, share)->chars);
  ObjList *names = sensitivity_params(I, fn, argc > 3 ? args[3] : NIL_VAL);
  interp_push_root(I, OBJ_VAL(names));
  /* the scenario as it is: the output's value and the params' */
  ObjScenario *plain = case_scenario(I, base, record_new(I), false);
  interp_push_root(I, OBJ_VAL(plain));
  world_run_scenario(I, plain);
  Value output = output_value(I, fn, plain, out);
  /* the factors, held across runs: rooted (a share of 1/3 makes heap rationals) */
  Value down = num_sub(I, INT_VAL(1), share);
  interp_push_root(I, down);
  Value up = num_add(I, INT_VAL(1), share);
  interp_push_root(I, up);
  ObjList *records = list_new(I), *notes = list_new(I);
  interp_push_root(I, OBJ_VAL(records));
  interp_push_root(I, OBJ_VAL(notes));
  for (int i = 0; i < names->items.count; i++) {
    ObjString *name = AS_STRING(names->items.items[i]);
    Value v = NIL_VAL;
    record_get(plain->params, name, &v);
    const char *skip = NULL;
    Value lo = NIL_VAL, hi = NIL_VAL;
    if (!num_is(v)) {
      skip = str_printf(I, "its value is %s, not a number", value_type_name(v))->chars;
    } else if (world_is_zero(v)) {
      skip = "it is 0";
    } else {
      lo = num_mul(I, v, down);
      hi = num_mul(I, v, up);
      lo.unit = hi.unit = v.unit;
      if (num_cmp(I, lo, hi) > 0) { /* a negative value */
        Value t = lo;
        lo = hi;
        hi = t;
      }
      const char *why;
      if (!may_take(I, name, lo, &why) || !may_take(I, name, hi, &why)) skip = why;
    }
    if (skip) {
      list_append(I, notes, OBJ_VAL(str_printf(I, "not varied: %s (%s)", name->chars, skip)));
      continue;
    }
    ObjRecord *r = record_new(I);
    list_append(I, records, OBJ_VAL(r));
    world_set_field(I, r, "param", OBJ_VAL(name));
    world_set_field(I, r, "value", v);
    world_set_field(I, r, "low", lo);
    world_set_field(I, r, "high", hi);
    world_set_field(I, r, "output", output);
    bool negative = num_cmp(I, v, INT_VAL(0)) < 0;
    Value at_lo = run_scaled(I, fn, base, name, negative ? up : down, out);
    world_set_field(I, r, "output_low", at_lo);
    Value at_hi = run_scaled(I, fn, base, name, negative ? down : up, out);
    world_set_field(I, r, "output_high", at_hi);
    world_set_field(I, r, "change_low", difference(I, at_lo, output));
    world_set_field(I, r, "change_high", difference(I, at_hi, output));
  }
  sort_by_swing(I, records);
  if (argc > 4 && !IS_FALSY(args[4])) print_sensitivity(I, plain, out, share, output, records, notes);
  interp_pop_roots(I, 7);
  return OBJ_VAL(records);
}

void world_sweep_open(Interp *I) {
  lib_register(I, "%sweep", f_sweep, 5, 6, NULL);
  lib_register(I, "sweep", f_sweep, 3, 3,
               "sweep(S, {NAME: [values], ...} or [{NAME: value, ...}, ...], [\"total.jobs[2030]\", ...]): run S "
               "once per case (every combination, or each case listed); a list of records {case, params..., "
               "outputs...}");
  lib_register(I, "%sensitivity", f_sensitivity, 5, 5, NULL);
  lib_register(I, "sensitivity", f_sensitivity, 3, 4,
               "sensitivity(S, \"total.jobs[2030]\", 10%[, [\"growth_rate\", ...]]): each param 10% down and up, "
               "one at a time; records {param, value, low, high, output, output_low, output_high, change_low, "
               "change_high}, largest swing first");
}
