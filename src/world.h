/* world.h - entities, params, rules, scenarios, the year loop and results.
 *
 * The base world is what top-level declarations build: regions, clusters,
 * programmes, partnerships (records with a kind, bound to global names) and
 * funds (records identified by programme, recipient and purpose).  Params
 * are globals with a default and a doc line; rules are pairs of closures
 * (the list to run over, the body to run per entity).
 *
 * Running a scenario copies the base world, binds the entity names and
 * params to the copy, applies the bodies of the scenario's ancestors and
 * its own (which may `set` params and declare more entities), then runs
 * every rule once per entity for each simulated year.  Every write a rule
 * makes to an entity field is logged, so `why` can explain any number, and
 * the fields of every entity are kept year by year as series.  Neither the
 * base world nor another scenario is touched.
 */
#ifndef CLUSIM_WORLD_H
#define CLUSIM_WORLD_H

#include <stdio.h>

#include "buffer.h"
#include "object.h"

/* A series: one field's values, year by year, from first_year.  Series of
 * a scenario with several runs hold the mean and have `stats` (the series
 * mean, p5, p50, p95). */
typedef struct ObjSeries {
  Obj obj;
  int64_t first_year;
  ValueArray values;
  ObjRecord *stats;
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
  Obj obj;
  ObjString *name;
  struct ObjScenario *parent;
  ObjClosure *body; /* applies `years:`, `set`, declarations; NULL for none */
  bool has_run;
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

#define IS_SCENARIO(v) IS_OBJ_TYPE(v, OBJ_SCENARIO)
#define IS_SERIES(v) IS_OBJ_TYPE(v, OBJ_SERIES)
#define AS_SCENARIO(v) ((ObjScenario *)(v).as.o)
#define AS_SERIES(v) ((ObjSeries *)(v).as.o)

/* The set of entities that rules and built-ins see: the base world, or a
 * copy while a scenario runs. */
typedef struct World {
  ObjList *entities[KIND_COUNT]; /* by kind, in declaration order */
} World;

void world_init(Interp *I);
void world_free(Interp *I);
void world_open_lib(Interp *I);

/* GC and object hooks (memory.c) */
void world_mark_roots(Interp *I);
void world_blacken(Interp *I, Obj *o);
size_t world_obj_size(Obj *o);
void world_free_obj(Interp *I, Obj *o);

/* A field write the VM saw on a record with an owner: logged when a rule
 * is running. */
void world_record_write(Interp *I, ObjRecord *r, ObjString *key, Value before, Value after);

/* Value lookups the VM delegates: S.X, series.mean, series[year]. */
bool world_get_field(Interp *I, Value obj, ObjString *name, Value *out);
bool world_get_index(Interp *I, Value obj, Value idx, Value *out);
void world_print(Interp *I, struct Buffer *b, Value v);

/* For the prompt's :world, :rules, :params. */
void world_list(Interp *I, FILE *out, const char *what);

#endif
