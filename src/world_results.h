/* world_results.h - the results API: scenarios and their series, found
 * and read the same way by every output (compare, why, export, audit...).
 *
 * A scenario is a foreign object (object.h) holding its declaration and,
 * once run, its results: a record from entity name (and "total", the sum
 * over clusters) to a record of series, nested as the entity's fields are
 * (S.X.members.sme).  A series holds one field's values year by year.
 */
#ifndef CLUSIM_WORLD_RESULTS_H
#define CLUSIM_WORLD_RESULTS_H

#include "buffer.h"
#include "object.h"
#include "unit.h"

/* A series: one field's values, year by year, from first_year.  Series of
 * a scenario with several runs hold the mean and have `stats` (the series
 * mean, p5, p50, p95).  Series are values: arithmetic between two series
 * of the same years, or a series and a number, gives a series year by
 * year, units checked as for numbers; sum, min, max, mean and len take
 * their years' values, round/floor/ceil/trunc/abs each value. */
typedef struct ObjSeries {
  ObjForeign base;
  int64_t first_year;
  ValueArray values;
  ObjRecord *stats;
  /* computed by arithmetic (S.X.jobs - B.X.jobs, round(series)): its values
   * only, from the means of many-run scenarios when it was (from_runs) */
  bool computed, from_runs;
} ObjSeries;

/* One logged write, for `why`. */
typedef struct {
  int32_t rule;   /* index in the scenario's rule list */
  int32_t year;
  ObjRecord *entity;
  ObjString *prefix; /* path of the nested record written to, or NULL */
  ObjString *key;
  Value before, after;
} WriteEntry;

typedef struct ObjScenario {
  ObjForeign base;
  ObjString *name;
  struct ObjScenario *parent;
  ObjClosure *body; /* applies `years:`, `set`, declarations; NULL for none */
  bool has_run;
  bool interrupted; /* Ctrl-C stopped its runs: it kept the first `runs` of them */
  int64_t first_year, last_year, runs, seed;
  int64_t run_index; /* the run in progress; only run 0 keeps its ledger and writes */
  ObjRecord *results;    /* entity name -> record of series; "total" too */
  ObjRecord *first_results; /* with several runs: the first run's own results (for why) */
  ObjRecord *params;     /* the params as the (first) run had them, after `set` */
  ObjRecord *set_params; /* those of them the scenario's `set`s changed */
  ObjList *ledger;       /* records: year, programme, recipient, purpose, amount... */
  ObjList *entities;     /* the run's world (kept alive for the write log) */
  ObjList *rule_names;   /* strings, by rule index */
  WriteEntry *writes;
  int nwrites, writes_capacity;
} ObjScenario;

extern const ForeignClass results_scenario_class, results_series_class;

#define IS_SCENARIO(v) IS_FOREIGN_OF(v, &results_scenario_class)
#define IS_SERIES(v) IS_FOREIGN_OF(v, &results_series_class)
#define AS_SCENARIO(v) ((ObjScenario *)(v).as.o)
#define AS_SERIES(v) ((ObjSeries *)(v).as.o)

ObjScenario *results_scenario_new(Interp *I, ObjString *name);
ObjSeries *results_series_new(Interp *I, int64_t first_year);
/* Forget a scenario's write log (before it runs again). */
void results_clear_writes(Interp *I, ObjScenario *s);

/* v as a scenario that has been run, or an error naming built-in `fn`. */
ObjScenario *results_scenario(Interp *I, const char *fn, Value v);
/* The series at a dotted path such as "X.members.sme" of a run scenario
 * (its mean series for several runs); raises a clear error if there is
 * none. */
ObjSeries *results_series_at(Interp *I, ObjScenario *s, const char *path);
/* The value of a series in `year`, nil outside it. */
Value results_series_get(ObjSeries *se, int64_t year);
static inline int64_t results_series_last(ObjSeries *se) { return se->first_year + se->values.count - 1; }
/* The unit of a series' numbers (UNIT_NONE if it has none). */
UnitId results_series_unit(ObjSeries *se);

/* Numbers as people read them in tables: 2.50M, 150.0k, 47.99, 12. */
void results_format_human(Interp *I, Buffer *b, Value v);
/* A number for a CSV cell: exact decimals as they are, a fraction that
 * does not terminate to 15 significant digits, no unit. */
void results_format_csv(Interp *I, Buffer *b, Value v);

#endif
