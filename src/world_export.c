/* world_export.c - `export WHAT to "file.csv" | ".json" | ".xlsx"`: run
 * scenarios, and the results of compare(...), why and audit, written as
 * files a spreadsheet or a program reads as numbers.
 *
 * What is exported is first turned into tables (LibTable, lib.h: headings,
 * the unit of each column, rows of cells), built on the heap so that an
 * error half-way leaks nothing; then one writer per format renders them:
 *
 *   CSV   one table per file.  Scenarios go in the long format, one row
 *         per scenario, year, entity and field, with a `unit` column and a
 *         `value` column (`mean`, `p5`, `p50`, `p95` when a scenario has
 *         several runs).  Other tables put the unit in the heading.
 *   JSON  through json-c.  Scenarios as {"scenarios": [{name, years, runs,
 *         series: [{entity, field, unit, first_year, values, p5...}]}]};
 *         tables as {"tables": [{name, columns: [{name, unit}], rows:
 *         [{column: cell}]}]}.  Exact numbers keep their exact text.
 *   xlsx  through libxlsxwriter: one sheet per scenario (a row per year, a
 *         column per series, the unit in the heading) and a sheet
 *         "comparison" when there are several; one sheet per table.
 *
 * Every file is written through lib_write_file (a temporary file beside
 * the target, then a rename).  libxlsxwriter can only write a workbook to
 * a file name, so the workbook is first written to a private temporary
 * file in $TMPDIR, read back, and handed to lib_write_file like the
 * others; the private file is removed on every path. */
#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "lib.h"
#include "num.h"
#include "vm.h"
#include "world.h"
#include "world_report.h"
#include "world_plot.h"
#include "world_results.h"

/* What an export holds: run scenarios, or named tables. */
typedef struct {
  ObjList *scenarios; /* scenarios, or NULL */
  ObjList *names;     /* otherwise: one name (string) per table */
  LibTable tables[64];
  int ntables;
} Export;

/* ---- the series of a scenario ---------------------------------------------- */

/* Each series of s as [entity, field path, series], in the order of the
 * results (entities as declared, "total" last; fields as recorded). */
static void collect_series(Interp *I, ObjList *out, ObjString *entity, const char *prefix, ObjRecord *r) {
  for (int i = 0; i < r->count; i++) {
    Value v = r->values[i];
    ObjString *path = prefix ? str_printf(I, "%s.%s", prefix, r->keys[i]->chars) : r->keys[i];
    if (IS_RECORD(v)) {
      collect_series(I, out, entity, path->chars, AS_RECORD(v));
    } else if (IS_SERIES(v)) {
      ObjList *item = list_new(I);
      list_append(I, item, OBJ_VAL(entity));
      list_append(I, item, OBJ_VAL(path));
      list_append(I, item, v);
      list_append(I, out, OBJ_VAL(item));
    }
  }
}

static ObjList *scenario_series(Interp *I, ObjScenario *s) {
  ObjList *out = list_new(I);
  for (int i = 0; i < s->results->count; i++)
    if (IS_RECORD(s->results->values[i])) collect_series(I, out, s->results->keys[i], NULL, AS_RECORD(s->results->values[i]));
  return out;
}

#define ITEM(l, i, k) (AS_LIST((l)->items.items[i])->items.items[k])

static const char *const STATS[] = {"p5", "p50", "p95"};

/* The statistic `stat` of a many-run series, or NULL. */
static ObjSeries *stat_series(Interp *I, ObjSeries *se, const char *stat) {
  if (!se->stats) return NULL;
  Value v = world_field(I, se->stats, stat);
  return IS_SERIES(v) ? AS_SERIES(v) : NULL;
}

/* Whether s has a series at the dotted path (results_series_at raises). */
static bool has_series(Interp *I, ObjScenario *s, const char *path) {
  Value cur = OBJ_VAL(s->results);
  for (const char *part = path;;) {
    const char *dot = strchr(part, '.');
    int len = dot ? (int)(dot - part) : (int)strlen(part);
    if (!IS_RECORD(cur) || !record_get(AS_RECORD(cur), str_copy(I, part, len), &cur)) return false;
    if (!dot) return IS_SERIES(cur);
    part = dot + 1;
  }
}

/* ---- building tables ------------------------------------------------------- */

/* The name of unit u, "EUR/year", as a string. */
static ObjString *unit_name(Interp *I, UnitId u) {
  Buffer b;
  buf_init(&b);
  unit_format(&I->units, &b, u);
  return str_take_buffer(I, &b); /* frees b, even when it raises */
}

static LibTable *new_table(Interp *I, Export *e, const char *name) {
  if (e->ntables == 64) interp_throw(I, "export: at most 64 tables in one file");
  list_append(I, e->names, OBJ_VAL(str_new(I, name)));
  LibTable *t = &e->tables[e->ntables++];
  *t = (LibTable){list_new(I), list_new(I), list_new(I)};
  return t;
}

static void add_column(Interp *I, LibTable *t, const char *name) {
  list_append(I, t->header, OBJ_VAL(str_new(I, name)));
}

static ObjList *add_row(Interp *I, LibTable *t) {
  ObjList *row = list_new(I);
  list_append(I, t->rows, OBJ_VAL(row));
  return row;
}

/* A cell of a table: an entity is its name; a record, a list or any other
 * object no cell can hold, its printed text. */
static Value cell(Interp *I, Value v) {
  if (IS_ENTITY(v)) return OBJ_VAL(str_new(I, world_entity_name(I, AS_RECORD(v))));
  if (!IS_OBJ(v) || IS_STRING(v) || num_is(v)) return v;
  Buffer b;
  buf_init(&b);
  if (!value_print(I, &b, v, false)) {
    buf_free(&b);
    vm_print_failed(I);
  }
  return OBJ_VAL(str_take_buffer(I, &b));
}

static int64_t table_runs(ObjList *scenarios) {
  int64_t most = 1;
  for (int i = 0; i < scenarios->items.count; i++)
    if (AS_SCENARIO(scenarios->items.items[i])->runs > most) most = AS_SCENARIO(scenarios->items.items[i])->runs;
  return most;
}

/* The long format of CSV: scenario, year, entity, field, unit, value - or
 * mean, p5, p50, p95 when a scenario has several runs (a one-run
 * scenario's mean is its value; its percentiles are left empty). */
static void long_table(Interp *I, Export *e) {
  LibTable *t = new_table(I, e, "scenarios");
  bool many = table_runs(e->scenarios) > 1;
  const char *cols[] = {"scenario", "year", "entity", "field", "unit", many ? "mean" : "value", "p5", "p50", "p95"};
  for (int c = 0; c < (many ? 9 : 6); c++) add_column(I, t, cols[c]);
  for (int k = 0; k < e->scenarios->items.count; k++) {
    ObjScenario *s = AS_SCENARIO(e->scenarios->items.items[k]);
    ObjList *series = scenario_series(I, s);
    for (int i = 0; i < series->items.count; i++) {
      ObjSeries *se = AS_SERIES(ITEM(series, i, 2));
      UnitId u = results_series_unit(se);
      Value unit = u == UNIT_NONE ? NIL_VAL : OBJ_VAL(unit_name(I, u));
      for (int y = 0; y < se->values.count; y++) {
        Value v = se->values.items[y];
        if (!num_is(v)) continue;
        ObjList *row = add_row(I, t);
        list_append(I, row, OBJ_VAL(s->name));
        list_append(I, row, INT_VAL(se->first_year + y));
        list_append(I, row, ITEM(series, i, 0));
        list_append(I, row, ITEM(series, i, 1));
        list_append(I, row, unit);
        v.unit = UNIT_NONE;
        list_append(I, row, v);
        for (int st = 0; many && st < 3; st++) {
          ObjSeries *p = stat_series(I, se, STATS[st]);
          Value pv = p ? results_series_get(p, se->first_year + y) : NIL_VAL;
          pv.unit = UNIT_NONE;
          list_append(I, row, pv);
        }
      }
    }
  }
}

/* The years first..last of the scenarios, one row each, the year first. */
static void year_rows(Interp *I, LibTable *t, int64_t first, int64_t last) {
  add_column(I, t, "year");
  for (int64_t y = first; y <= last; y++) list_append(I, add_row(I, t), INT_VAL(y));
}

/* The most a sheet holds (Excel's limits). */
#define XLSX_MAX_ROWS 1048576
#define XLSX_MAX_COLS 16384

/* One scenario's sheet: a row per year, a column per series (with its
 * p5, p50 and p95 after it when the scenario has several runs). */
static void wide_table(Interp *I, Export *e, ObjScenario *s) {
  LibTable *t = new_table(I, e, s->name->chars);
  ObjList *series = scenario_series(I, s);
  year_rows(I, t, s->first_year, s->last_year);
  for (int i = 0; i < series->items.count; i++) {
    ObjSeries *se = AS_SERIES(ITEM(series, i, 2));
    const char *name = str_printf(I, "%s.%s", AS_CSTRING(ITEM(series, i, 0)), AS_CSTRING(ITEM(series, i, 1)))->chars;
    for (int st = -1; st < (se->stats ? 3 : 0); st++) {
      ObjSeries *col = st < 0 ? se : stat_series(I, se, STATS[st]);
      add_column(I, t, st < 0 ? (se->stats ? str_printf(I, "%s mean", name)->chars : name)
                              : str_printf(I, "%s %s", name, STATS[st])->chars);
      for (int r = 0; r < t->rows->items.count; r++)
        list_append(I, AS_LIST(t->rows->items.items[r]), col ? results_series_get(col, s->first_year + r) : NIL_VAL);
    }
  }
}

/* The columns of a comparison table (report_compare) into t, whose rows
 * are the years from `first`: each scenario's values (and its p5 and p95
 * when `spread` and it has several runs), then each one's change from the
 * first, as compare prints them.  Headings start with `prefix`. */
static void compare_columns(Interp *I, LibTable *t, Value table, int64_t first, const char *prefix, bool spread) {
  ObjRecord *tr = AS_RECORD(table);
  ObjList *names = AS_LIST(world_field(I, tr, "scenarios")), *years = AS_LIST(world_field(I, tr, "years"));
  ObjList *values = AS_LIST(world_field(I, tr, "values")), *changes = AS_LIST(world_field(I, tr, "changes"));
  ObjList *spreads = AS_LIST(world_field(I, tr, "spread")), *ranges = AS_LIST(world_field(I, tr, "ranges"));
  int n = names->items.count, nrows = t->rows->items.count;
  for (int i = 0; i < n; i++) {
    const char *name = AS_CSTRING(names->items.items[i]);
    bool with_range = spread && !IS_FALSY(spreads->items.items[i]);
    for (int part = 0; part < (with_range ? 3 : 1); part++) {
      add_column(I, t, str_printf(I, "%s%s%s", prefix, name, part == 0 ? "" : part == 1 ? " p5" : " p95")->chars);
      for (int r = 0; r < nrows; r++) {
        Value v = NIL_VAL;
        int y = (int)(first + r - years->items.items[0].as.i);
        if (y >= 0 && y < years->items.count) {
          if (part == 0) v = ITEM(values, y, i);
          else {
            Value pair = ITEM(ranges, y, i);
            if (IS_LIST(pair)) v = AS_LIST(pair)->items.items[part - 1];
          }
        }
        list_append(I, AS_LIST(t->rows->items.items[r]), v);
      }
    }
  }
  for (int i = 1; i < n; i++) {
    add_column(I, t, str_printf(I, "%s%s-%s", prefix, AS_CSTRING(names->items.items[i]), AS_CSTRING(names->items.items[0]))->chars);
    for (int r = 0; r < nrows; r++) {
      int y = (int)(first + r - years->items.items[0].as.i);
      Value d = y >= 0 && y < years->items.count ? ITEM(changes, y, i - 1) : NIL_VAL;
      list_append(I, AS_LIST(t->rows->items.items[r]), d);
    }
  }
}

static void compare_table(Interp *I, Export *e, Value table) {
  ObjRecord *tr = AS_RECORD(table);
  ObjList *years = AS_LIST(world_field(I, tr, "years"));
  LibTable *t = new_table(I, e, str_printf(I, "compare %s", AS_CSTRING(world_field(I, tr, "path")))->chars);
  if (years->items.count == 0) {
    add_column(I, t, "year");
    return;
  }
  int64_t first = years->items.items[0].as.i;
  year_rows(I, t, first, years->items.items[years->items.count - 1].as.i);
  compare_columns(I, t, table, first, "", true);
}

/* Several scenarios: every path the first has and all the others have
 * too, compared as compare does, side by side ("A.jobs base", ...). */
static void comparison_table(Interp *I, Export *e) {
  int n = e->scenarios->items.count;
  ObjScenario *ss[64];
  int64_t first = INT64_MAX, last = INT64_MIN;
  for (int i = 0; i < n; i++) {
    ss[i] = AS_SCENARIO(e->scenarios->items.items[i]);
    if (ss[i]->first_year < first) first = ss[i]->first_year;
    if (ss[i]->last_year > last) last = ss[i]->last_year;
  }
  LibTable *t = new_table(I, e, "comparison");
  year_rows(I, t, first, last);
  ObjList *series = scenario_series(I, ss[0]);
  for (int i = 0; i < series->items.count; i++) {
    const char *path = str_printf(I, "%s.%s", AS_CSTRING(ITEM(series, i, 0)), AS_CSTRING(ITEM(series, i, 1)))->chars;
    bool everywhere = true;
    for (int k = 1; k < n && everywhere; k++) everywhere = has_series(I, ss[k], path);
    if (everywhere)
      compare_columns(I, t, report_compare(I, ss, n, path), first, str_printf(I, "%s ", path)->chars, false);
  }
}

/* why S.X.f[Y]: the value before, each rule's contribution, the value after. */
static void why_table(Interp *I, Export *e, ObjRecord *why) {
  LibTable *t = new_table(I, e, "why");
  add_column(I, t, "line");
  add_column(I, t, "rule");
  add_column(I, t, "amount");
  ObjList *row = add_row(I, t);
  list_append(I, row, OBJ_VAL(str_new(I, "before")));
  list_append(I, row, NIL_VAL);
  list_append(I, row, world_field(I, why, "before"));
  ObjList *contributions = AS_LIST(world_field(I, why, "contributions"));
  for (int i = 0; i < contributions->items.count; i++) {
    ObjRecord *c = AS_RECORD(contributions->items.items[i]);
    row = add_row(I, t);
    list_append(I, row, OBJ_VAL(str_new(I, "rule")));
    list_append(I, row, world_field(I, c, "rule"));
    list_append(I, row, world_field(I, c, "amount"));
  }
  row = add_row(I, t);
  list_append(I, row, OBJ_VAL(str_new(I, "after")));
  list_append(I, row, NIL_VAL);
  list_append(I, row, world_field(I, why, "after"));
}

/* Records (audit's findings, or any list of records): a row each, a
 * column per field, in the order the fields first appear. */
static void rows_table(Interp *I, Export *e, ObjList *records, const char *name) {
  LibTable *t = new_table(I, e, name);
  ObjRecord *cols = record_new(I); /* field name -> its column */
  for (int r = 0; r < records->items.count; r++) {
    ObjRecord *rec = AS_RECORD(records->items.items[r]);
    for (int i = 0; i < rec->count; i++) {
      Value at;
      if (record_get(cols, rec->keys[i], &at)) continue;
      record_set(I, cols, rec->keys[i], INT_VAL(t->header->items.count));
      list_append(I, t->header, OBJ_VAL(rec->keys[i]));
    }
  }
  for (int r = 0; r < records->items.count; r++) {
    ObjRecord *rec = AS_RECORD(records->items.items[r]);
    ObjList *row = add_row(I, t);
    for (int c = 0; c < t->header->items.count; c++) {
      Value v = NIL_VAL;
      record_get(rec, AS_STRING(t->header->items.items[c]), &v);
      list_append(I, row, cell(I, v));
    }
  }
}

static bool has_fields(Interp *I, ObjRecord *r, const char *const *names) {
  for (; *names; names++) {
    Value v;
    if (!record_get(r, world_name(I, *names), &v)) return false;
  }
  return true;
}

static bool is_compare_table(Interp *I, Value v) {
  static const char *const fields[] = {"path", "unit", "scenarios", "years", "values", "changes", "spread", "ranges", NULL};
  return IS_RECORD(v) && has_fields(I, AS_RECORD(v), fields);
}

static bool is_why(Interp *I, Value v) {
  static const char *const fields[] = {"before", "after", "contributions", NULL};
  return IS_RECORD(v) && !IS_ENTITY(v) && has_fields(I, AS_RECORD(v), fields) &&
         IS_LIST(world_field(I, AS_RECORD(v), "contributions"));
}

_Noreturn static void cannot_export(Interp *I, Value v) {
  interp_throw(I, "export: a %s cannot be exported; give a run scenario, a list of them, or what compare(...), why "
                  "or audit returns",
               value_type_name(v));
}

/* What v holds, as scenarios or tables. */
static void gather(Interp *I, Export *e, Value v) {
  e->names = list_new(I);
  if (IS_SCENARIO(v)) {
    e->scenarios = list_new(I);
    list_append(I, e->scenarios, OBJ_VAL(results_scenario(I, "export", v)));
    return;
  }
  if (is_compare_table(I, v)) return compare_table(I, e, v);
  if (is_why(I, v)) return why_table(I, e, AS_RECORD(v));
  if (IS_RECORD(v)) {
    ObjList *one = list_new(I);
    list_append(I, one, v);
    return rows_table(I, e, one, "record");
  }
  if (!IS_LIST(v)) cannot_export(I, v);
  ObjList *l = AS_LIST(v);
  int scen = 0, tables = 0, whys = 0;
  for (int i = 0; i < l->items.count; i++) {
    Value x = l->items.items[i];
    if (IS_SCENARIO(x)) scen++;
    else if (is_compare_table(I, x)) tables++;
    else if (is_why(I, x)) whys++;
    else if (!IS_RECORD(x)) cannot_export(I, x);
  }
  int n = l->items.count;
  if (scen && scen < n) {
    int other = 0;
    while (IS_SCENARIO(l->items.items[other])) other++;
    interp_throw(I, "export: a list of scenarios cannot hold anything else (item %d is a %s)", other + 1,
                 value_type_name(l->items.items[other]));
  }
  if (scen) {
    if (n > 64) interp_throw(I, "export: at most 64 scenarios in one file");
    e->scenarios = list_new(I);
    for (int i = 0; i < n; i++) {
      ObjScenario *s = results_scenario(I, "export", l->items.items[i]);
      for (int k = 0; k < e->scenarios->items.count; k++)
        if (AS_SCENARIO(e->scenarios->items.items[k]) == s)
          interp_throw(I, "export: scenario %s is in the list twice", s->name->chars);
      list_append(I, e->scenarios, OBJ_VAL(s));
    }
    return;
  }
  if (n > 0 && tables + whys == n) {
    for (int i = 0; i < n; i++) {
      if (is_compare_table(I, l->items.items[i])) compare_table(I, e, l->items.items[i]);
      else why_table(I, e, AS_RECORD(l->items.items[i]));
    }
    return;
  }
  rows_table(I, e, l, "rows");
}

/* ---- CSV ------------------------------------------------------------------- */

static void write_csv_export(Interp *I, Export *e, Buffer *out) {
  if (e->scenarios) long_table(I, e);
  if (e->ntables > 1)
    interp_throw(I, "export: a CSV file holds one table and this export has %d; export each to its own file, or "
                    "write .xlsx or .json",
                 e->ntables);
  lib_table_units(I, &e->tables[0]);
  if (!lib_csv_table(I, out, &e->tables[0])) vm_print_failed(I);
}

/* ---- JSON ------------------------------------------------------------------ */

/* v as a JSON number: exact integers and terminating decimals with their
 * exact digits (json-c writes the text given), doubles in their shortest
 * exact form; a fraction that does not terminate as its nearest double,
 * inf and nan as null.  In those three cases the value's own text ("1/3",
 * "inf", "nan") is added to `exact` under `key`, so nothing is lost
 * silently. */
static json_object *json_number(Interp *I, Value v, json_object **exact, const char *key) {
  v.unit = UNIT_NONE;
  if (v.type == VAL_INT) return json_object_new_int64(v.as.i);
  Buffer b;
  buf_init(&b);
  num_format(I, &b, v);
  double d = num_to_double(v);
  json_object *out = NULL;
  bool inexact = memchr(b.data, '/', b.len) || !isfinite(d);
  if (!inexact) out = json_object_new_double_s(d, b.data);
  else {
    if (!*exact) *exact = json_object_new_object();
    json_object_object_add(*exact, key, json_object_new_string(b.data));
    if (isfinite(d)) {
      buf_clear(&b);
      num_format(I, &b, FLOAT_VAL(d));
      out = json_object_new_double_s(d, b.data);
    }
  }
  buf_free(&b);
  return out;
}

static json_object *json_text(Interp *I, Value v) {
  if (IS_NIL(v)) return NULL;
  if (IS_STRING(v)) return json_object_new_string_len(AS_CSTRING(v), AS_STRING(v)->length);
  if (IS_BOOL(v)) return json_object_new_boolean(v.as.b);
  return json_object_new_string(AS_CSTRING(cell(I, v)));
}

static json_object *json_unit(Interp *I, UnitId u) {
  return u == UNIT_NONE ? NULL : json_object_new_string(unit_name(I, u)->chars);
}

/* A series' numbers as an array, with the exact text of those JSON cannot
 * hold under exact[name][year]. */
static json_object *json_series(Interp *I, ObjSeries *se, json_object *exact, const char *name) {
  json_object *a = json_object_new_array(), *ex = NULL;
  for (int y = 0; y < se->values.count; y++) {
    Value v = se->values.items[y];
    char year[24];
    snprintf(year, sizeof year, "%lld", (long long)(se->first_year + y));
    json_object_array_add(a, num_is(v) ? json_number(I, v, &ex, year) : NULL);
  }
  if (ex) json_object_object_add(exact, name, ex);
  return a;
}

static json_object *json_scenario(Interp *I, ObjScenario *s) {
  json_object *o = json_object_new_object(), *list = json_object_new_array();
  json_object_object_add(o, "name", json_object_new_string(s->name->chars));
  json_object *years = json_object_new_array();
  json_object_array_add(years, json_object_new_int64(s->first_year));
  json_object_array_add(years, json_object_new_int64(s->last_year));
  json_object_object_add(o, "years", years);
  json_object_object_add(o, "runs", json_object_new_int64(s->runs));
  json_object_object_add(o, "series", list);
  ObjList *series = scenario_series(I, s);
  for (int i = 0; i < series->items.count; i++) {
    ObjSeries *se = AS_SERIES(ITEM(series, i, 2));
    json_object *so = json_object_new_object(), *exact = json_object_new_object();
    json_object_array_add(list, so);
    json_object_object_add(so, "entity", json_text(I, ITEM(series, i, 0)));
    json_object_object_add(so, "field", json_text(I, ITEM(series, i, 1)));
    json_object_object_add(so, "unit", json_unit(I, results_series_unit(se)));
    json_object_object_add(so, "first_year", json_object_new_int64(se->first_year));
    json_object_object_add(so, "values", json_series(I, se, exact, "values"));
    for (int st = 0; st < 3; st++) {
      ObjSeries *p = stat_series(I, se, STATS[st]);
      if (p) json_object_object_add(so, STATS[st], json_series(I, p, exact, STATS[st]));
    }
    if (json_object_object_length(exact)) json_object_object_add(so, "exact", exact);
    else json_object_put(exact);
  }
  return o;
}

static json_object *json_table(Interp *I, ObjString *name, LibTable *t) {
  json_object *o = json_object_new_object(), *cols = json_object_new_array(), *rows = json_object_new_array();
  json_object_object_add(o, "name", json_object_new_string(name->chars));
  json_object_object_add(o, "columns", cols);
  json_object_object_add(o, "rows", rows);
  int ncols = t->header->items.count;
  /* the member that keeps exact texts: "exact", unless a column has that
   * name ("exact_" then, and so on) */
  Buffer member;
  buf_init(&member);
  buf_puts(&member, "exact");
  for (int c = 0; c < ncols; c++)
    if (strcmp(AS_CSTRING(t->header->items.items[c]), member.data) == 0) {
      buf_putc(&member, '_');
      c = -1;
    }
  const char *exact_key = str_take_buffer(I, &member)->chars;
  for (int c = 0; c < ncols; c++) {
    json_object *col = json_object_new_object();
    json_object_object_add(col, "name", json_text(I, t->header->items.items[c]));
    json_object_object_add(col, "unit", json_unit(I, (UnitId)t->units->items.items[c].as.i));
    json_object_array_add(cols, col);
  }
  for (int r = 0; r < t->rows->items.count; r++) {
    json_object *row = json_object_new_object(), *exact = NULL;
    json_object_array_add(rows, row);
    for (int c = 0; c < ncols; c++) {
      Value v = AS_LIST(t->rows->items.items[r])->items.items[c];
      const char *key = AS_CSTRING(t->header->items.items[c]);
      json_object_object_add(row, key, num_is(v) ? json_number(I, v, &exact, key) : json_text(I, v));
    }
    if (exact) json_object_object_add(row, exact_key, exact);
  }
  return o;
}

typedef struct {
  Export *e;
  json_object *root;
} JsonJob;

static void json_job(Interp *I, void *ud) {
  JsonJob *job = ud;
  Export *e = job->e;
  job->root = json_object_new_object();
  json_object *list = json_object_new_array();
  json_object_object_add(job->root, e->scenarios ? "scenarios" : "tables", list);
  if (e->scenarios) {
    for (int i = 0; i < e->scenarios->items.count; i++)
      json_object_array_add(list, json_scenario(I, AS_SCENARIO(e->scenarios->items.items[i])));
    return;
  }
  for (int i = 0; i < e->ntables; i++) {
    lib_table_units(I, &e->tables[i]);
    json_object_array_add(list, json_table(I, AS_STRING(e->names->items.items[i]), &e->tables[i]));
  }
}

/* json-c's objects are malloc'd: built in a protected call, freed whatever
 * happens. */
static void write_json_export(Interp *I, Export *e, Buffer *out) {
  JsonJob job = {e, NULL};
  if (!interp_pcall(I, json_job, &job)) {
    json_object_put(job.root);
    interp_rethrow(I);
  }
  const char *text = json_object_to_json_string_ext(job.root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
  if (text) {
    buf_puts(out, text);
    buf_putc(out, '\n');
  }
  json_object_put(job.root);
  if (!text) interp_throw(I, "export: out of memory while writing the JSON text");
}

/* ---- xlsx ------------------------------------------------------------------ */

/* A sheet name Excel accepts: none of []:*?/\, no quote at either end, at
 * most 31 characters, not "History" (Excel keeps it), and unlike every
 * name already taken, ignoring case (as Excel does): "name (2)" then. */
static ObjString *sheet_name(Interp *I, const char *want, ObjList *taken) {
  char base[160]; /* 31 characters of at most 4 bytes each */
  int chars = 0;
  size_t n = 0;
  for (const unsigned char *p = (const unsigned char *)want; *p && n < sizeof base - 1; p++) {
    bool starts_char = (*p & 0xC0) != 0x80;
    if (starts_char && chars == 31) break;
    chars += starts_char;
    base[n++] = strchr("[]:*?/\\", *p) ? '_' : (char)*p;
  }
  base[n] = '\0';
  if (n == 0) strcpy(base, "Sheet");
  if (base[0] == '\'') base[0] = '_';
  if (base[strlen(base) - 1] == '\'') base[strlen(base) - 1] = '_';
  for (int k = 1;; k++) {
    char name[160];
    if (k == 1) snprintf(name, sizeof name, "%s", base);
    else {
      /* cut the base (at a character) so that " (k)" fits in 31 */
      char suffix[16];
      int slen = snprintf(suffix, sizeof suffix, " (%d)", k);
      size_t cut = 0;
      int c = 0;
      for (size_t i = 0; base[i]; i++) {
        if (((unsigned char)base[i] & 0xC0) != 0x80) {
          if (c == 31 - slen) break;
          c++;
        }
        cut = i + 1;
      }
      snprintf(name, sizeof name, "%.*s%s", (int)cut, base, suffix);
    }
    bool free_name = strcasecmp(name, "History") != 0;
    for (int i = 0; free_name && i < taken->items.count; i++)
      if (strcasecmp(AS_CSTRING(taken->items.items[i]), name) == 0) free_name = false;
    if (free_name) {
      ObjString *s = str_new(I, name);
      list_append(I, taken, OBJ_VAL(s));
      return s;
    }
  }
}

typedef struct {
  Export *e;
  lxw_workbook *wb;
  const char *path; /* the name of the file being exported, for messages */
} XlsxJob;

static void xlsx_check(Interp *I, XlsxJob *job, lxw_error err, const char *sheet) {
  if (err != LXW_NO_ERROR)
    interp_throw(I, "export: cannot write sheet '%s' of '%s': %s", sheet, job->path, lxw_strerror(err));
}

/* A table of a row per year (a scenario's, the comparison) wider than a
 * sheet, turned round: a row per column (its heading, its unit, then its
 * value in each year), the years across. */
static void turn_round(Interp *I, LibTable *t) {
  LibTable r = {list_new(I), list_new(I), list_new(I)};
  add_column(I, &r, "series");
  add_column(I, &r, "unit");
  for (int y = 0; y < t->rows->items.count; y++)
    add_column(I, &r, str_printf(I, "%lld", (long long)ITEM(t->rows, y, 0).as.i)->chars);
  for (int c = 1; c < t->header->items.count; c++) {
    ObjList *row = add_row(I, &r);
    UnitId u = (UnitId)t->units->items.items[c].as.i;
    list_append(I, row, t->header->items.items[c]);
    list_append(I, row, u == UNIT_NONE ? NIL_VAL : OBJ_VAL(unit_name(I, u)));
    for (int y = 0; y < t->rows->items.count; y++) {
      Value v = ITEM(t->rows, y, c);
      v.unit = UNIT_NONE;
      list_append(I, row, v);
    }
  }
  lib_table_units(I, &r);
  *t = r;
}

static void xlsx_sheet(Interp *I, XlsxJob *job, lxw_format *bold, ObjString *name, LibTable *t) {
  bool by_year = t->header->items.count > 0 && strcmp(AS_CSTRING(t->header->items.items[0]), "year") == 0;
  if (by_year && t->header->items.count > XLSX_MAX_COLS) turn_round(I, t);
  int ncols = t->header->items.count, nrows = t->rows->items.count;
  if (ncols > XLSX_MAX_COLS || nrows + 1 > XLSX_MAX_ROWS)
    interp_throw(I, "export: sheet '%s' would have %d columns and %d rows, more than a spreadsheet holds (%d and %d); "
                    "export to .csv or .json",
                 name->chars, ncols, nrows + 1, XLSX_MAX_COLS, XLSX_MAX_ROWS);
  lxw_worksheet *ws = workbook_add_worksheet(job->wb, name->chars);
  if (!ws) interp_throw(I, "export: cannot add sheet '%s' to '%s'", name->chars, job->path);
  for (int c = 0; c < ncols; c++)
    xlsx_check(I, job, worksheet_write_string(ws, 0, (lxw_col_t)c, lib_table_heading(I, t, c)->chars, bold),
               name->chars);
  for (int r = 0; r < nrows; r++) {
    ObjList *row = AS_LIST(t->rows->items.items[r]);
    for (int c = 0; c < ncols; c++) {
      Value v = row->items.items[c];
      lxw_row_t at = (lxw_row_t)r + 1;
      lxw_error err = LXW_NO_ERROR;
      double d = num_is(v) ? num_to_double(v) : 0;
      if (num_is(v) && isfinite(d)) err = worksheet_write_number(ws, at, (lxw_col_t)c, d, NULL);
      else if (num_is(v)) /* a spreadsheet has no inf or nan: their names, as text */
        err = worksheet_write_string(ws, at, (lxw_col_t)c, isnan(d) ? "nan" : d > 0 ? "inf" : "-inf", NULL);
      else if (IS_BOOL(v)) err = worksheet_write_boolean(ws, at, (lxw_col_t)c, v.as.b, NULL);
      else if (!IS_NIL(v)) err = worksheet_write_string(ws, at, (lxw_col_t)c, AS_CSTRING(cell(I, v)), NULL);
      xlsx_check(I, job, err, name->chars);
    }
  }
  worksheet_freeze_panes(ws, 1, 0);
  worksheet_set_column(ws, 0, (lxw_col_t)(ncols > 0 ? ncols - 1 : 0), 14, NULL);
}

static void xlsx_job(Interp *I, void *ud) {
  XlsxJob *job = ud;
  Export *e = job->e;
  lxw_format *bold = workbook_add_format(job->wb);
  format_set_bold(bold);
  ObjList *taken = list_new(I);
  ObjList *names = list_new(I); /* the sheet name of each table */
  if (e->scenarios) {
    for (int i = 0; i < e->scenarios->items.count; i++) wide_table(I, e, AS_SCENARIO(e->scenarios->items.items[i]));
    if (e->scenarios->items.count > 1) comparison_table(I, e);
  }
  for (int i = 0; i < e->ntables; i++)
    list_append(I, names, OBJ_VAL(sheet_name(I, AS_CSTRING(e->names->items.items[i]), taken)));
  for (int i = 0; i < e->ntables; i++) {
    lib_table_units(I, &e->tables[i]);
    xlsx_sheet(I, job, bold, AS_STRING(names->items.items[i]), &e->tables[i]);
  }
}

/* Read a whole binary file; NULL with errno set. */
static char *read_all(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  char *data = NULL;
  size_t cap = 0;
  *len = 0;
  for (;;) {
    if (*len == cap) {
      cap = cap ? 2 * cap : 65536;
      char *more = realloc(data, cap);
      if (!more) {
        free(data);
        fclose(f);
        errno = ENOMEM;
        return NULL;
      }
      data = more;
    }
    size_t got = fread(data + *len, 1, cap - *len, f);
    *len += got;
    if (got == 0) break;
  }
  bool bad = ferror(f);
  fclose(f);
  if (bad) {
    free(data);
    errno = EIO;
    return NULL;
  }
  return data;
}

/* The workbook goes to a private temporary file (libxlsxwriter writes only
 * to a file name), which is read back, removed, and written to the target
 * as every export is. */
static void write_xlsx_export(Interp *I, Export *e, const char *path) {
  const char *dir = getenv("TMPDIR");
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s/clusim-xlsx-XXXXXX", dir && *dir ? dir : "/tmp");
  int fd = mkstemp(tmp);
  if (fd < 0) interp_throw(I, "export: cannot make a temporary file for '%s': %s", path, strerror(errno));
  close(fd);
  /* rows are written in order, so each can go to libxlsxwriter's own
   * temporary files (in the same folder) as soon as it is complete, rather
   * than every cell staying in memory until the end; zip64 for a workbook
   * over 4 GB */
  char tmp_dir[4096];
  snprintf(tmp_dir, sizeof tmp_dir, "%s", dir && *dir ? dir : "/tmp");
  lxw_workbook_options options = {.constant_memory = LXW_TRUE, .tmpdir = tmp_dir, .use_zip64 = LXW_TRUE};
  XlsxJob job = {e, workbook_new_opt(tmp, &options), path};
  if (!job.wb) {
    unlink(tmp);
    interp_throw(I, "export: cannot start the workbook for '%s'", path);
  }
  bool ok = interp_pcall(I, xlsx_job, &job);
  lxw_error err = workbook_close(job.wb); /* frees it, error or not */
  if (!ok) {
    unlink(tmp);
    interp_rethrow(I);
  }
  if (err != LXW_NO_ERROR) {
    unlink(tmp);
    interp_throw(I, "export: cannot write '%s': %s", path, lxw_strerror(err));
  }
  size_t len = 0;
  char *data = read_all(tmp, &len);
  int read_errno = errno;
  unlink(tmp);
  if (!data) interp_throw(I, "export: cannot read the workbook back from its temporary file: %s", strerror(read_errno));
  const char *why = lib_write_file(path, data, len);
  free(data);
  if (why) interp_throw(I, "export: cannot write '%s': %s", path, why);
}

/* ---- export ---------------------------------------------------------------- */

typedef enum { FORMAT_CSV, FORMAT_JSON, FORMAT_XLSX } Format;

static Format format_of(Interp *I, const char *path) {
  const char *dot = strrchr(path, '.');
  const char *slash = strrchr(path, '/');
  if (dot && (!slash || dot > slash)) {
    if (strcasecmp(dot, ".csv") == 0) return FORMAT_CSV;
    if (strcasecmp(dot, ".json") == 0) return FORMAT_JSON;
    if (strcasecmp(dot, ".xlsx") == 0) return FORMAT_XLSX;
  }
  interp_throw(I, "export: cannot tell the format of '%s' from its name: end it in .csv, .json or .xlsx (or .svg for "
                  "a chart)",
               path);
}

/* CSV and JSON: the text of the file, built in a Buffer. */
typedef struct {
  Format f;
  Export e;
} TextJob;

static void build_text(Interp *I, Buffer *out, void *ud) {
  TextJob *job = ud;
  if (job->f == FORMAT_CSV) write_csv_export(I, &job->e, out);
  else write_json_export(I, &job->e, out);
}

/* %export(what, path): what is a scenario, a list of them, or what
 * compare(...), why or audit returned (export A, B to F passes [A, B]). */
static Value f_export(Interp *I, int argc, Value *args) {
  if (!IS_STRING(args[1]))
    interp_throw(I, "export: the file name must be a string, such as \"results.csv\", not %s", value_type_name(args[1]));
  const char *path = AS_CSTRING(args[1]);
  const char *dot = strrchr(path, '.');
  if (plot_is_charts(I, args[0]) || (dot && strcasecmp(dot, ".svg") == 0)) { /* a chart, from plot(...) */
    if (!plot_is_charts(I, args[0]))
      interp_throw(I, "export: an SVG file holds a chart: give what plot(...) returns, not a %s",
                   value_type_name(args[0]));
    plot_write_svg(I, "export", args[0], path);
    return NIL_VAL;
  }
  TextJob job = {.f = format_of(I, path)};
  gather(I, &job.e, args[0]);
  if (job.f == FORMAT_XLSX) {
    write_xlsx_export(I, &job.e, path);
    return NIL_VAL;
  }
  lib_build_file(I, "export", path, build_text, &job);
  return NIL_VAL;
}

void world_export_open(Interp *I) { lib_register(I, "%export", f_export, 2, 2, NULL); }
