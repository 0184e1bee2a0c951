/* world.h - the world: entities, params, rules and scenarios, shared by
 * the world_*.c modules.
 *
 * The world is Clusim's domain, plugged into a core that never names it
 * (see HostHooks in state.h, RecordClass and ForeignClass in object.h):
 *
 *   world_state.c       the world's state on the interpreter, its GC roots,
 *                       the field and unit helpers below, set-up
 *   world_decl.c        declarations and their schema checks: regions,
 *                       clusters, programmes, partnerships, funds, rules,
 *                       scenarios; clusters() and friends
 *   world_params.c      params and their bounds, `set`, and what
 *                       declarations read of params
 *   world_run.c         `run`: shadow and restore the world, apply the
 *                       scenario, the year loop, the write log, snapshots
 *   world_montecarlo.c  scenarios of several runs: worker processes and
 *                       statistics (mean, p5, p50, p95)
 *   world_ledger.c      pay(), paid(), passed_on(), ledger(), active(),
 *                       contains()
 *   world_results.[ch]  the results API: scenario and series objects,
 *                       lookups, people's number formatting
 *   world_report.[ch]   compare, why and listings: computed as values,
 *                       then printed
 *   world_export.c      export to CSV
 *   world_audit.c       the state-aid audit (written in Clusim) called with
 *                       a scenario's params
 *   world_sweep.[ch]    sweeps (a scenario once per case of a grid or a
 *                       list of param values) and sensitivity
 *   world_html.c        `report`: scenarios, params, comparisons, why and
 *                       the audit as one self-contained HTML page
 *
 * The base world is what top-level declarations build: regions, clusters,
 * programmes, partnerships (records with a kind, bound to global names)
 * and funds (records identified by programme, recipient, purpose and
 * years: funds on the same three pay in different years).  Each kind has a
 * schema of its fields (world_decl.c); a cluster's, but for its name and
 * payments, is declared in Clusim by the stdlib (schema("cluster", ...) in
 * stdlib/model.clu).
 * Params are globals with a default and a doc line; rules are pairs of
 * closures (the list to run over, the body to run per entity) with a doc.
 *
 * Running a scenario works in place on the base world's own records (see
 * world_run.c): it shadows them, applies the bodies of the scenario's
 * ancestors and its own (which may `set` params and declare more
 * entities), runs every rule once per entity for each simulated year, and
 * puts everything back afterwards.  Every write a rule makes to an entity
 * field is logged, so `why` can explain any number, and the fields of
 * every entity are kept year by year as series (world_results.h).
 */
#ifndef CLUSIM_WORLD_H
#define CLUSIM_WORLD_H

#include <stdio.h>

#include "buffer.h"
#include "object.h"
#include "state.h"
#include "unit.h"

/* Entities are records of the world's entity class; their kind is the
 * record's tag.  0 is a plain record (a record nested in an entity, such
 * as c.members, has tag 0 and the world's nested-record class). */
typedef enum {
  KIND_RECORD = 0,
  KIND_REGION,
  KIND_CLUSTER,
  KIND_PROGRAMME,
  KIND_PARTNERSHIP,
  KIND_FUND,
  KIND_COUNT
} EntityKind;

extern const char *const world_kind_names[KIND_COUNT];
/* What a fund may pay for (NULL-terminated). */
extern const char *const world_fund_purposes[];
extern const RecordClass world_entity_class; /* an entity: owner is itself */
extern const RecordClass world_part_class;   /* a record nested in an entity */

#define IS_ENTITY(v) (IS_RECORD(v) && AS_RECORD(v)->cls == &world_entity_class)
#define IS_ENTITY_OF(v, k) (IS_ENTITY(v) && AS_RECORD(v)->tag == (k))

struct ObjScenario;

/* The world's state, hung off the interpreter as I->world. */
typedef struct WorldState {
  ObjList *entities[KIND_COUNT]; /* by kind, in declaration order */
  ObjList *params;    /* records {name, default, doc} in declaration order */
  ObjList *rules;     /* records {name, over, body} in declaration order */
  ObjList *scenarios; /* declared scenarios */
  /* entity name -> INT(kind << 32 | position in its kind's list), so that a
   * declaration finds an earlier one of the same name at once.  A run's
   * restore may shorten the lists: an entry is checked on use (its
   * position must hold an entity of that name), never trusted. */
  Table entity_index;
  /* The cluster's schema, declared in Clusim by the stdlib (schema(), in
   * world_decl.c): {fields: {NAME: spec, ...}, check: fn or nil}; NULL
   * until declared.  Beside the clusters, in the same order, the names of
   * the fields each declaration gave (a list of strings per cluster): a
   * field it did not give, whose default is a function, is computed again
   * at the start of every run (world_cluster_defaults). */
  ObjRecord *cluster_schema;
  ObjList *cluster_declared;
  /* What declarations read of params: records {entity, param, value, line}
   * for each param a declaration's fields named (the compiler lists the
   * names), so that a later `set` of the param to another value warns that
   * the declaration keeps the value it read.  A run's bodies add to it; the
   * run's restore takes their entries away again. */
  ObjList *param_reads;
  struct ObjScenario *running;  /* the scenario being run, or NULL */
  struct ObjScenario *applying; /* the scenario whose body is being applied */
  /* while the bodies apply: the params their `set`s gave a value (name ->
   * true), so that sensitivity scales a param again only where a body set
   * it after the case's value (world_sweep_apply); NULL otherwise */
  ObjRecord *body_sets;
  bool setting_case; /* world_sweep_apply is setting a case's value */
  int current_rule;   /* index of the running rule, -1 outside rules */
  int64_t current_year;
  /* field names the C code asks for, by the address of the C string
   * literal naming them (world_name), each with the position the field
   * last had in a record read by world_field: records of one kind have
   * their fields in the same order, so it is nearly always right */
  struct {
    const char *literal;
    ObjString *name;
    int at;
  } name_cache[64];
  UnitId eur, eur_per_year; /* world_eur(), world_eur_per_year(), once known (0: not yet) */
} WorldState;

/* Set up the world on a new interpreter: its state, its hooks into the
 * core and its built-in functions. */
void world_open(Interp *I);

/* Each module registers its built-ins (called by world_open). */
void world_decl_open(Interp *I);
void world_params_open(Interp *I);
void world_load_open(Interp *I);
void world_run_open(Interp *I);
void world_ledger_open(Interp *I);
void world_report_open(Interp *I);
void world_export_open(Interp *I);
void world_plot_open(Interp *I);
void world_audit_open(Interp *I);
void world_sweep_open(Interp *I);
void world_html_open(Interp *I);

/* ---- helpers shared by the world's modules ---- */

/* The interned string for a field name given as a C string literal (cached
 * by the literal's address: the rules ask for the same few names millions
 * of times).  Only for literals. */
ObjString *world_name(Interp *I, const char *literal);
static inline unsigned world_name_slot(const char *literal) { return (unsigned)(((uintptr_t)literal >> 3) & 63u); }
/* r.name, or nil when absent; set r.name (record_set, not logged).
 * world_field tries first the position the field had the last time (the
 * C code reads the same fields of thousands of entities: f_active 6
 * million times in a big world's Monte Carlo runs), then world_field_find. */
Value world_field_find(Interp *I, ObjRecord *r, const char *literal);
static inline Value world_field(Interp *I, ObjRecord *r, const char *literal) {
  WorldState *w = I->world;
  unsigned slot = world_name_slot(literal);
  if (w->name_cache[slot].literal == literal) {
    int at = w->name_cache[slot].at;
    if (at < r->count && r->keys[at] == w->name_cache[slot].name) return r->values[at];
  }
  return world_field_find(I, r, literal);
}
void world_set_field(Interp *I, ObjRecord *r, const char *literal, Value v);
/* Whether `name` is a field of the user's own: it carries a tag of one or
 * two letters and an underscore (my_score, ab_priority), so that the
 * schema of each kind of entity (world_decl.c) never mistakes it for a
 * misspelt field. */
bool world_own_field(const char *name);
/* Whether the cluster's schema says field `field` is a share (`share:
 * true`): people's outputs show it as a percentage (format.h). */
bool world_cluster_share(Interp *I, ObjString *field);
/* What declaration e read of params: the params among `names` (the
 * strings the compiler lists, or nil), with their values, in place of what
 * an earlier declaration it replaced read; a later `set` of one of them to
 * another value warns (world_params.c). */
void world_note_param_reads(Interp *I, Value e, Value names);
/* Whether param `name` was declared in percent (`param x = 10% ...`):
 * people's outputs show its values as percentages. */
bool world_param_share(Interp *I, ObjString *name);
/* A write to field `key` that entity part r did not have: an error unless
 * the entity's schema knows the field or it is a field of the user's own
 * (the field is removed again before the error). */
void world_check_write(Interp *I, ObjRecord *r, ObjString *key);
/* Declaring entities (world_decl.c), for `load` (world_load.c): declare
 * one (as a declaration does, checks and messages alike); check a field
 * path a declaration may give; the kind a field refers to (KIND_RECORD:
 * none); the entity of a kind by name (NULL: none). */
Value world_declare(Interp *I, EntityKind kind, ObjString *name, ObjRecord *r);
void world_check_field_path(Interp *I, EntityKind kind, const char *label, const char *path);
EntityKind world_field_ref_kind(Interp *I, EntityKind kind, const char *name);
ObjRecord *world_find_entity(Interp *I, EntityKind kind, ObjString *name);
/* The name `load` makes from the text of a cell, into b: Latin letters
 * (accents dropped: ô -> o, ł -> l) and digits kept, every run of anything
 * else one _, none at either end, a _ before a leading digit ("Pôle Mer"
 * -> Pole_Mer, "3D Print" -> _3D_Print); empty when the text has none. */
void world_name_from_text(const char *text, Buffer *b);
/* The declared name of an entity ("?" if it has none). */
const char *world_entity_name(Interp *I, ObjRecord *e);
/* Mark r and the records nested in it as parts of entity `owner` (their
 * writes are logged under `path`). */
void world_mark_owned(Interp *I, ObjRecord *r, ObjRecord *owner, ObjString *path);

UnitId world_eur(Interp *I);
UnitId world_eur_per_year(Interp *I);
/* The name of a unit as messages give it ("EUR/year", "a plain number"). */
const char *world_unit_text(Interp *I, UnitId u, Buffer *b);
/* The text of v as print shows it, strings quoted: for messages. */
ObjString *world_printed(Interp *I, Value v);
bool world_is_zero(Value v);
static inline bool world_in_range(Value range, int64_t year) {
  return IS_RANGE(range) && AS_RANGE(range)->lo <= year && year <= AS_RANGE(range)->hi;
}

/* Compute again, for every cluster, the fields its declaration did not
 * give and whose default in the cluster's schema is a function of the
 * cluster (capacity from capacity_headroom...): at the start of a run,
 * after the scenario's `set`s (world_decl.c). */
void world_cluster_defaults(Interp *I);

/* A write the VM or a built-in made to an entity field: logged for `why`
 * while a rule of the first run of a scenario is running. */
void world_record_write(Interp *I, ObjRecord *r, ObjString *key, Value before, Value after);

/* One run of scenario s, run `index` of its runs (world_run.c); the runs
 * after the first of a scenario of several runs (world_montecarlo.c). */
void world_run_once(Interp *I, struct ObjScenario *s, int64_t index);
void world_many_runs(Interp *I, struct ObjScenario *s);
/* Run scenario s as `run` does: every run, its results, its notes
 * (world_run.c; every param loaded first: interp_autoload_all). */
void world_run_scenario(Interp *I, struct ObjScenario *s);
/* A sweep's case (world_sweep.c): set the params its `overrides` name,
 * at the start of each run, before the scenario's bodies (`early`: so what
 * the bodies declare with a param, a fund's amount, reads the case's
 * value) and again after them (over the bodies' own sets); scale them
 * (sensitivity) after the bodies only.  Nothing for a declared scenario. */
void world_sweep_apply(Interp *I, struct ObjScenario *s, bool early);
/* An error unless v lies within the declared bounds of param `name` (none:
 * no error); `how` begins the message ("sweep growth_rate"). */
void world_check_param_bounds(Interp *I, ObjString *name, Value v, const char *how);


#endif
