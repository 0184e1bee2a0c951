/* world_run.c - `run`: a scenario simulated year by year on the world, in
 * place, with every rule's writes logged and every field kept as series. */
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "lib.h"
#include "memory.h"
#include "num.h"
#include "vm.h"
#include "world.h"
#include "world_results.h"

/* ---- running in place, restoring afterwards --------------------------------
 *
 * A run works on the base world's own entity records, so that every
 * reference to an entity - a global name, a fund's recipient, a list in a
 * script variable - sees the run's state.  Before the run each entity
 * record, each record nested in it and each list it holds is shadowed (its
 * fields copied aside); after the run, error or not, the shadows are put
 * back, so the base world is exactly as it was.  Entities that a scenario
 * body declares are removed again with the world lists' own shadows.
 */

static void shadow_value(Interp *I, ObjList *sh, Value v, ObjRecord *owner);

static void shadow_record(Interp *I, ObjList *sh, ObjRecord *r, ObjRecord *owner) {
  ObjRecord *saved = record_new(I);
  for (int i = 0; i < r->count; i++) record_set(I, saved, r->keys[i], r->values[i]);
  list_append(I, sh, OBJ_VAL(r));
  list_append(I, sh, OBJ_VAL(saved));
  for (int i = 0; i < r->count; i++) shadow_value(I, sh, r->values[i], owner);
}

static void shadow_list(Interp *I, ObjList *sh, ObjList *l) {
  ObjList *saved = list_new(I);
  for (int i = 0; i < l->items.count; i++) list_append(I, saved, l->items.items[i]);
  list_append(I, sh, OBJ_VAL(l));
  list_append(I, sh, OBJ_VAL(saved));
}

static void shadow_value(Interp *I, ObjList *sh, Value v, ObjRecord *owner) {
  if (IS_RECORD(v) && AS_RECORD(v)->tag == KIND_RECORD && AS_RECORD(v)->owner == owner)
    shadow_record(I, sh, AS_RECORD(v), owner);
  else if (IS_LIST(v)) shadow_list(I, sh, AS_LIST(v));
}

static ObjList *shadow_world(Interp *I, WorldState *w) {
  ObjList *sh = list_new(I);
  shadow_list(I, sh, w->cluster_declared); /* beside the clusters, in step with them */
  shadow_list(I, sh, w->param_reads);      /* what the run's bodies declare with params is theirs */
  for (int k = KIND_REGION; k < KIND_COUNT; k++) {
    shadow_list(I, sh, w->entities[k]);
    for (int i = 0; i < w->entities[k]->items.count; i++) {
      ObjRecord *e = AS_RECORD(w->entities[k]->items.items[i]);
      shadow_record(I, sh, e, e);
    }
  }
  return sh;
}

#define SWAP(T, a, b) do { T t_ = (a); (a) = (b); (b) = t_; } while (0)

/* Put every shadowed record and list back as it was (swapping storage, so
 * the objects keep their identity). */
static void restore_world(ObjList *sh) {
  for (int i = sh->items.count - 2; i >= 0; i -= 2) {
    Value live = sh->items.items[i], saved = sh->items.items[i + 1];
    if (IS_LIST(live)) {
      SWAP(ValueArray, AS_LIST(live)->items, AS_LIST(saved)->items);
    } else {
      ObjRecord *r = AS_RECORD(live), *b = AS_RECORD(saved);
      SWAP(int, r->count, b->count);
      SWAP(int, r->capacity, b->capacity);
      SWAP(ObjString **, r->keys, b->keys);
      SWAP(Value *, r->values, b->values);
      SWAP(int *, r->index, b->index);
      SWAP(int, r->index_capacity, b->index_capacity);
    }
  }
}


/* ---- recording writes ---------------------------------------------------------- */

void world_record_write(Interp *I, ObjRecord *r, ObjString *key, Value before, Value after) {
  ObjScenario *s = I->world->running;
  if (!s || I->world->current_rule < 0 || !r->owner || s->run_index > 0) return;
  if (s->nwrites == s->writes_capacity) {
    int cap = GROW_CAPACITY(s->writes_capacity);
    s->writes = GROW_ARRAY(I, WriteEntry, s->writes, s->writes_capacity, cap);
    s->writes_capacity = cap;
  }
  s->writes[s->nwrites++] = (WriteEntry){I->world->current_rule, (int32_t)I->world->current_year, r->owner, r->path, key,
                                         before, after};
}

/* ---- results --------------------------------------------------------------------- */

static ObjRecord *child_record(Interp *I, ObjRecord *parent, ObjString *key) {
  Value v;
  if (record_get(parent, key, &v) && IS_RECORD(v)) return AS_RECORD(v);
  ObjRecord *r = record_new(I);
  record_set(I, parent, key, OBJ_VAL(r));
  return r;
}

/* The series of a field, at position `at` of its results record `into`
 * (-1: not there yet), made for the scenario's years if it is new. */
static ObjSeries *field_series(Interp *I, ObjRecord *into, int at, ObjString *key, ObjScenario *sc, int64_t year) {
  if (at >= 0 && IS_SERIES(into->values[at])) return AS_SERIES(into->values[at]);
  ObjSeries *s = results_series_new(I, year);
  int64_t years = sc->last_year - year + 1;
  if (years > 0 && years <= 1000) {
    s->values.items = GROW_ARRAY(I, Value, s->values.items, 0, (int)years);
    s->values.capacity = (int)years;
  }
  record_set(I, into, key, OBJ_VAL(s));
  return s;
}

/* Add the numeric fields of a record (recursively) to series in `into`.
 * Records of the same kind keep their fields in the same order year after
 * year, and so do their results: a cursor finds most fields at once. */
static void snapshot_record(Interp *I, ObjRecord *r, ObjRecord *into, ObjScenario *sc, int64_t year) {
  int cursor = 0;
  for (int i = 0; i < r->count; i++) {
    Value v = r->values[i];
    bool numeric = num_is(v), nested = IS_RECORD(v) && AS_RECORD(v)->tag == KIND_RECORD;
    if (!numeric && !nested) continue;
    ObjString *key = r->keys[i];
    int at = cursor < into->count && into->keys[cursor] == key ? cursor : record_find(into, key);
    cursor = at >= 0 ? at + 1 : into->count + 1; /* a new field goes last */
    if (numeric) {
      ObjSeries *s = field_series(I, into, at, key, sc, year);
      if (at < 0) s->share = r->tag == KIND_CLUSTER && world_cluster_share(I, key);
      while (s->first_year + s->values.count < year) valarr_push(I, &s->values, NIL_VAL);
      valarr_push(I, &s->values, v);
    } else {
      ObjRecord *child = at >= 0 && IS_RECORD(into->values[at]) ? AS_RECORD(into->values[at]) : NULL;
      if (!child) {
        child = record_new(I);
        record_set(I, into, key, OBJ_VAL(child));
      }
      snapshot_record(I, AS_RECORD(v), child, sc, year);
    }
  }
}

/* Sums over clusters, field by field, where units agree (a field whose
 * units differ between clusters gets no total). */
static void add_totals(Interp *I, ObjRecord *total, ObjRecord *r) {
  /* Clusters declared alike keep their fields in the same order, and the
   * totals hold a subsequence of them: a cursor finds most fields at once. */
  int cursor = 0;
  for (int i = 0; i < r->count; i++) {
    Value v = r->values[i];
    bool numeric = num_is(v), nested = IS_RECORD(v) && AS_RECORD(v)->tag == KIND_RECORD;
    if (!numeric && !nested) continue;
    int at = cursor < total->count && total->keys[cursor] == r->keys[i] ? cursor : record_find(total, r->keys[i]);
    if (at >= 0) cursor = at + 1;
    if (numeric) {
      if (at < 0) {
        record_set(I, total, r->keys[i], v);
        cursor = total->count;
      } else if (num_is(total->values[at]) && total->values[at].unit == v.unit) {
        Value sum = num_add(I, total->values[at], v);
        sum.unit = v.unit;
        total->values[at] = sum;
      } else {
        total->values[at] = BOOL_VAL(false); /* mixed units or types: no total */
      }
    } else {
      add_totals(I, child_record(I, total, r->keys[i]), AS_RECORD(v));
      if (at < 0) cursor = total->count;
    }
  }
}

static void snapshot(Interp *I, ObjScenario *s, int64_t year) {
  ObjRecord *res = s->results;
  for (int k = KIND_REGION; k < KIND_FUND; k++) {
    ObjList *l = I->world->entities[k];
    for (int i = 0; i < l->items.count; i++) {
      ObjRecord *e = AS_RECORD(l->items.items[i]);
      snapshot_record(I, e, child_record(I, res, AS_STRING(world_field(I, e, "name"))), s, year);
    }
  }
  /* total: the sum over all clusters */
  ObjRecord *sums = record_new(I);
  ObjList *cl = I->world->entities[KIND_CLUSTER];
  for (int i = 0; i < cl->items.count; i++) add_totals(I, sums, AS_RECORD(cl->items.items[i]));
  snapshot_record(I, sums, child_record(I, res, str_new(I, "total")), s, year);
}

/* ---- running --------------------------------------------------------------------- */

static void apply_bodies(Interp *I, ObjScenario *s) {
  if (s->parent) apply_bodies(I, s->parent);
  if (s->body) vm_call(I, OBJ_VAL(s->body), 0, NULL);
}

/* Each year starts with no payments: the records of this year's payments
 * to each cluster and of the part it passes on, by purpose (pay). */
static void reset_payments(Interp *I) {
  static const char *const fields[] = {"payments", "passed_on"};
  ObjList *cl = I->world->entities[KIND_CLUSTER];
  for (int i = 0; i < cl->items.count; i++) {
    ObjRecord *c = AS_RECORD(cl->items.items[i]);
    for (int k = 0; k < 2; k++) {
      ObjRecord *p = record_new(I);
      world_mark_owned(I, p, c, world_name(I, fields[k]));
      world_set_field(I, c, fields[k], OBJ_VAL(p));
    }
  }
}

typedef struct {
  ObjScenario *s;
  int64_t index;
  int g_year;
} RunJob;

/* The protected part of a run: apply the scenario, simulate every year. */
static void run_body(Interp *I, void *ud) {
  RunJob *job = ud;
  ObjScenario *s = job->s;
  int64_t index = job->index;
  int g_year = job->g_year;
  WorldState *w = I->world;
  s->run_index = index;
  lib_random_seed(I, (uint64_t)s->seed * 0x9E3779B97F4A7C15u + (uint64_t)index);
  ObjList *before = list_new(I); /* param values before the bodies' `set`s */
  for (int i = 0; i < I->world->params->items.count; i++) {
    int g = global_find(I, AS_STRING(world_field(I, AS_RECORD(I->world->params->items.items[i]), "name")));
    list_append(I, before, g >= 0 ? I->globals[g] : NIL_VAL);
  }
  interp_push_root(I, OBJ_VAL(before));
  I->world->applying = s;
  world_sweep_apply(I, s, true); /* a sweep's case: its values before the bodies, for what they declare */
  I->world->body_sets = record_new(I);
  apply_bodies(I, s);
  world_sweep_apply(I, s, false); /* ... and over the bodies' own sets */
  I->world->body_sets = NULL;
  I->world->applying = NULL;
  if (index == 0) { /* the params this run uses (S.params), and those its scenario set */
    ObjRecord *ps = record_new(I), *changed = record_new(I);
    for (int i = 0; i < I->world->params->items.count; i++) {
      ObjString *name = AS_STRING(world_field(I, AS_RECORD(I->world->params->items.items[i]), "name"));
      int g = global_find(I, name);
      if (g < 0) continue;
      record_set(I, ps, name, I->globals[g]);
      Value old = before->items.items[i];
      if (!(old.tag == I->globals[g].tag && value_equal(old, I->globals[g])))
        record_set(I, changed, name, I->globals[g]);
    }
    s->params = ps;
    s->set_params = changed;
  }
  interp_pop_roots(I, 1);
  if (s->first_year == 0)
    interp_throw(I, "scenario %s has no years (give it years: 2025..2035, or extend one that has)",
                 s->name->chars);
  /* funds paying in the base year only get a warning: the base year is
   * data; so do funds whose years lie wholly outside the scenario's */
  ObjList *funds = w->entities[KIND_FUND];
  for (int i = 0; i < funds->items.count && index == 0; i++) {
    ObjRecord *f = AS_RECORD(funds->items.items[i]);
    Value years = world_field(I, f, "years");
    const char *pn = world_entity_name(I, AS_RECORD(world_field(I, f, "programme")));
    const char *rn = world_entity_name(I, AS_RECORD(world_field(I, f, "recipient")));
    if (world_in_range(years, s->first_year))
      fprintf(I->err, "warning: scenario %s: fund %s -> %s pays nothing in %lld, the base year (the declared data)\n",
              s->name->chars, pn, rn, (long long)s->first_year);
    else if (IS_RANGE(years) && (AS_RANGE(years)->hi < s->first_year || AS_RANGE(years)->lo > s->last_year))
      fprintf(I->err,
              "warning: scenario %s: fund %s -> %s (%s) pays nothing: its years %lld..%lld lie outside the "
              "scenario's %lld..%lld\n",
              s->name->chars, pn, rn, AS_CSTRING(world_field(I, f, "purpose")), (long long)AS_RANGE(years)->lo,
              (long long)AS_RANGE(years)->hi, (long long)s->first_year, (long long)s->last_year);
  }
  fflush(I->err);
  ObjList *progs = w->entities[KIND_PROGRAMME];
  for (int i = 0; i < progs->items.count; i++) {
    ObjRecord *p = AS_RECORD(progs->items.items[i]);
    world_set_field(I, p, "remaining", world_field(I, p, "budget"));
  }
  I->world->current_year = s->first_year;
  I->globals[g_year] = INT_VAL(s->first_year);
  /* the defaults that depend on params (a cluster's capacity...), with the scenario's */
  world_cluster_defaults(I);
  reset_payments(I);
  snapshot(I, s, s->first_year);
  ObjList *rules = I->world->rules;
  for (int64_t y = s->first_year + 1; y <= s->last_year; y++) {
    I->world->current_year = y;
    I->globals[g_year] = INT_VAL(y);
    reset_payments(I);
    for (int r = 0; r < rules->items.count; r++) {
      ObjRecord *rule = AS_RECORD(rules->items.items[r]);
      Value over = vm_call(I, world_field(I, rule, "over"), 0, NULL);
      if (!IS_LIST(over))
        interp_throw(I, "rule %s must run over a list, such as clusters(), not %s",
                     AS_CSTRING(world_field(I, rule, "name")), value_type_name(over));
      interp_push_root(I, over);
      Value body = world_field(I, rule, "body");
      for (int i = 0; i < AS_LIST(over)->items.count; i++) {
        I->world->current_rule = r;
        Value x = AS_LIST(over)->items.items[i];
        vm_call(I, body, 1, &x);
        I->world->current_rule = -1;
      }
      interp_pop_roots(I, 1);
    }
    snapshot(I, s, y);
  }
}

/* One run of a scenario (for runs > 1, run `index`). Fills s->results. */
void world_run_once(Interp *I, ObjScenario *s, int64_t index) {
  WorldState *w = I->world;
  ObjList *shadows = shadow_world(I, w);
  interp_push_root(I, OBJ_VAL(shadows));
  /* names and params a scenario body may rebind are put back afterwards */
  ObjList *saved = interp_save_begin(I);
  for (int k = KIND_REGION; k < KIND_FUND; k++)
    for (int i = 0; i < w->entities[k]->items.count; i++) {
      ObjRecord *e = AS_RECORD(w->entities[k]->items.items[i]);
      interp_save_global(I, saved, global_slot(I, AS_STRING(world_field(I, e, "name"))));
    }
  for (int i = 0; i < w->params->items.count; i++) {
    int g = global_find(I, AS_STRING(world_field(I, AS_RECORD(w->params->items.items[i]), "name")));
    if (g >= 0) interp_save_global(I, saved, g);
  }
  for (int i = 0; i < I->nglobals; i++)
    if (IS_SCENARIO(I->globals[i]) || IS_UNDEF(I->globals[i])) interp_save_global(I, saved, i);
  int g_year = global_find(I, world_name(I, "current_year"));
  interp_save_global(I, saved, g_year);

  RunJob job = {s, index, g_year};
  /* a shard skips the assertions on its partial statistics, never those of
   * a run: the merge reads the runs it did not compute, unchecked */
  bool skip_asserts = I->skip_asserts;
  I->skip_asserts = false;
  bool failed = !interp_pcall(I, run_body, &job);
  I->skip_asserts = skip_asserts;
  I->world->current_rule = -1;
  I->world->applying = NULL;
  I->world->body_sets = NULL;
  I->world->setting_case = false;
  /* keep the first run's entities alive with the scenario (its write log refers to them) */
  if (index == 0) {
    ObjList *all = list_new(I);
    for (int k = 0; k < KIND_COUNT; k++)
      for (int i = 0; i < w->entities[k]->items.count; i++) list_append(I, all, w->entities[k]->items.items[i]);
    s->entities = all;
  }
  restore_world(shadows);
  interp_restore_globals(I, saved);
  if (failed) {
    I->world->running = NULL;
    interp_rethrow(I); /* the message and call chain are already built */
  }
  interp_pop_roots(I, 2);
}

static void report_exhausted(Interp *I, ObjScenario *s) {
  ObjList *seen = list_new(I);
  for (int i = 0; i < s->ledger->items.count; i++) {
    ObjRecord *e = AS_RECORD(s->ledger->items.items[i]);
    Value unpaid = world_field(I, e, "unpaid"), prog = world_field(I, e, "programme");
    if (!num_is(unpaid) || world_is_zero(unpaid)) continue;
    bool again = false;
    for (int k = 0; k < seen->items.count; k++) again |= value_equal(seen->items.items[k], prog);
    if (again) continue;
    list_append(I, seen, prog);
    Value year = world_field(I, e, "year");
    Value total = unpaid;
    for (int k = i + 1; k < s->ledger->items.count; k++) {
      ObjRecord *o = AS_RECORD(s->ledger->items.items[k]);
      if (value_equal(world_field(I, o, "programme"), prog) && value_equal(world_field(I, o, "year"), year)) {
        total = num_add(I, total, world_field(I, o, "unpaid"));
        total.unit = unpaid.unit;
      }
    }
    unpaid = total;
    Buffer b;
    buf_init(&b);
    format_number(I, &b, unpaid);
    fprintf(I->err, "note: scenario %s: the envelope of programme %s ran out in %lld (%s unpaid that year)\n",
            s->name->chars, AS_CSTRING(prog), (long long)world_field(I, e, "year").as.i, b.data);
    buf_free(&b);
  }
  fflush(I->err);
}

/* Run scenario s: all its runs, its results, its notes.  The caller has
 * loaded every param (interp_autoload_all). */
void world_run_scenario(Interp *I, ObjScenario *s) {
  if (I->world->running) interp_throw(I, "run: scenario %s cannot be run while another one runs", s->name->chars);
  s->has_run = false;
  s->interrupted = false;
  s->first_results = NULL;
  s->results = record_new(I);
  s->ledger = list_new(I);
  s->rule_names = list_new(I);
  for (int r = 0; r < I->world->rules->items.count; r++)
    list_append(I, s->rule_names, world_field(I, AS_RECORD(I->world->rules->items.items[r]), "name"));
  results_clear_writes(I, s);
  s->first_year = s->last_year = 0;
  s->runs = 1;
  s->run_index = 0;
  I->world->running = s;
  world_run_once(I, s, 0);
  if (s->runs > 1) world_many_runs(I, s);
  I->world->running = NULL;
  s->has_run = true;
  report_exhausted(I, s);
  if (s->interrupted) interp_throw_interrupt(I); /* it keeps what it has; the statement stops */
}

static Value f_run(Interp *I, int argc, Value *args) {
  ObjList *l = AS_LIST(args[0]);
  /* every param exists before a run saves them (the audit's load on first use) */
  interp_autoload_all(I);
  for (int i = 0; i < l->items.count; i++) {
    Value v = l->items.items[i];
    if (!IS_SCENARIO(v)) interp_throw(I, "run: expected a scenario, not %s", value_type_name(v));
    world_run_scenario(I, AS_SCENARIO(v));
  }
  return NIL_VAL;
}


void world_run_open(Interp *I) {
  lib_register(I, "%run", f_run, 1, 1, NULL);
  global_define(I, "current_year", INT_VAL(0), GLOBAL_VAR, "the year being simulated, inside rules");
}
