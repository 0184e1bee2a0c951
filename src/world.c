/* world.c - declarations, scenarios, the yearly loop, results, ledger,
 * compare, why and export (see world.h for the model of a run). */
#include "world.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib.h"
#include "memory.h"
#include "num.h"
#include "opcodes.h"
#include "state.h"
#include "unit.h"
#include "vm.h"

static const char *kind_names[KIND_COUNT] = {"record", "region", "cluster", "programme",
                                             "partnership", "fund"};

/* ---- objects -------------------------------------------------------------- */

static ObjSeries *series_new(Interp *I, int64_t first_year) {
  ObjSeries *s = (ObjSeries *)obj_alloc(I, sizeof(ObjSeries), OBJ_SERIES);
  s->first_year = first_year;
  valarr_init(&s->values);
  s->stats = NULL;
  return s;
}

static ObjScenario *scenario_new(Interp *I, ObjString *name) {
  ObjScenario *s = (ObjScenario *)obj_alloc(I, sizeof(ObjScenario), OBJ_SCENARIO);
  s->name = name;
  s->parent = NULL;
  s->body = NULL;
  s->has_run = false;
  s->first_year = s->last_year = 0;
  s->runs = 1;
  s->seed = 1;
  s->results = NULL;
  s->first_results = NULL;
  s->params = NULL;
  s->set_params = NULL;
  s->ledger = NULL;
  s->entities = NULL;
  s->rule_names = NULL;
  s->writes = NULL;
  s->nwrites = s->writes_capacity = 0;
  return s;
}

size_t world_obj_size(Obj *o) {
  return o->type == OBJ_SERIES ? sizeof(ObjSeries) : sizeof(ObjScenario);
}

static void clear_writes(Interp *I, ObjScenario *s) {
  FREE_ARRAY(I, WriteEntry, s->writes, s->writes_capacity);
  s->writes = NULL;
  s->nwrites = s->writes_capacity = 0;
}

void world_free_obj(Interp *I, Obj *o) {
  if (o->type == OBJ_SERIES) valarr_free(I, &((ObjSeries *)o)->values);
  else clear_writes(I, (ObjScenario *)o);
}

void world_blacken(Interp *I, Obj *o) {
  if (o->type == OBJ_SERIES) {
    ObjSeries *s = (ObjSeries *)o;
    for (int i = 0; i < s->values.count; i++) gc_mark_value(I, s->values.items[i]);
    gc_mark_obj(I, (Obj *)s->stats);
    return;
  }
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

static void mark_world(Interp *I, World *w) {
  if (!w) return;
  for (int k = 0; k < KIND_COUNT; k++) gc_mark_obj(I, (Obj *)w->entities[k]);
}

void world_mark_roots(Interp *I) {
  mark_world(I, I->base_world);
  mark_world(I, I->world);
  gc_mark_obj(I, (Obj *)I->params);
  gc_mark_obj(I, (Obj *)I->rules);
  gc_mark_obj(I, (Obj *)I->scenarios);
  gc_mark_obj(I, (Obj *)I->running);
  gc_mark_obj(I, (Obj *)I->applying);
  for (int i = 0; i < 64; i++) gc_mark_obj(I, (Obj *)I->name_cache[i].name);
}

static World *world_alloc(Interp *I) {
  World *w = calloc(1, sizeof *w);
  if (!w) {
    fputs("clusim: out of memory\n", stderr);
    exit(1);
  }
  for (int k = 0; k < KIND_COUNT; k++) w->entities[k] = list_new(I);
  return w;
}

/* ---- small helpers --------------------------------------------------------- */

/* The interned string for a field name given as a C string literal,
 * cached by the literal's address (the rules ask for the same few names
 * millions of times). */
static ObjString *name_of(Interp *I, const char *literal) {
  unsigned slot = (unsigned)(((uintptr_t)literal >> 3) & 63u);
  if (I->name_cache[slot].literal == literal) return I->name_cache[slot].name;
  ObjString *s = str_new(I, literal);
  I->name_cache[slot].literal = literal;
  I->name_cache[slot].name = s;
  return s;
}

static Value field(Interp *I, ObjRecord *r, const char *name) {
  Value v;
  return record_get(r, name_of(I, name), &v) ? v : NIL_VAL;
}

static void set_field(Interp *I, ObjRecord *r, const char *name, Value v) {
  record_set(I, r, name_of(I, name), v);
}

static const char *entity_name(Interp *I, ObjRecord *e) {
  Value n = field(I, e, "name");
  return IS_STRING(n) ? AS_CSTRING(n) : "?";
}

static UnitId unit_eur(Interp *I) {
  UnitId u;
  unit_lookup(&I->units, "EUR", &u);
  return u;
}

static UnitId unit_year(Interp *I) {
  UnitId u;
  unit_lookup(&I->units, "year", &u);
  return u;
}

static UnitId unit_eur_per_year(Interp *I) {
  return unit_div(I, &I->units, unit_eur(I), unit_year(I));
}

static const char *unit_text(Interp *I, UnitId u, char *buf, size_t n) {
  Buffer b;
  buf_init(&b);
  if (u == UNIT_NONE) buf_puts(&b, "a plain number");
  else unit_format(&I->units, &b, u);
  snprintf(buf, n, "%s", b.data);
  buf_free(&b);
  return buf;
}

static bool is_zero(Value v) { return num_is(v) && num_eq(v, INT_VAL(0)); }

static bool negative(Interp *I, Value v) {
  Value zero = INT_VAL(0);
  int c = num_cmp(I, v, zero);
  return c == -1;
}

/* ---- checking declared fields ---------------------------------------------- */

static _Noreturn void decl_error(Interp *I, RecordKind kind, const char *name, const char *fmt, ...)
    PRINTF_LIKE(4, 5);
static _Noreturn void decl_error(Interp *I, RecordKind kind, const char *name, const char *fmt, ...) {
  char msg[700];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  interp_throw(I, "%s %s: %s", kind_names[kind], name, msg);
}

static void check_unit(Interp *I, RecordKind kind, const char *name, ObjRecord *r, const char *f,
                       UnitId want, bool required, bool non_negative) {
  Value v = field(I, r, f);
  if (IS_NIL(v)) {
    if (required) decl_error(I, kind, name, "the field '%s' is missing", f);
    return;
  }
  char a[100], b[100];
  if (!num_is(v))
    decl_error(I, kind, name, "'%s' must be a number in %s, not %s", f, unit_text(I, want, a, sizeof a),
               value_type_name(v));
  if (v.unit != want)
    decl_error(I, kind, name, "'%s' must be in %s, not %s", f, unit_text(I, want, a, sizeof a),
               unit_text(I, v.unit, b, sizeof b));
  if (non_negative && negative(I, v)) decl_error(I, kind, name, "'%s' must not be negative", f);
}

static void check_choice(Interp *I, RecordKind kind, const char *name, ObjRecord *r, const char *f,
                         const char *const *choices, const char *fallback) {
  Value v = field(I, r, f);
  if (IS_NIL(v)) {
    if (fallback) set_field(I, r, f, OBJ_VAL(str_new(I, fallback)));
    return;
  }
  char list[300] = "";
  for (int i = 0; choices[i]; i++) {
    if (IS_STRING(v) && strcmp(AS_CSTRING(v), choices[i]) == 0) return;
    snprintf(list + strlen(list), sizeof list - strlen(list), "%s\"%s\"", i ? ", " : "", choices[i]);
  }
  decl_error(I, kind, name, "'%s' must be one of %s", f, list);
}

static ObjRecord *check_entity_ref(Interp *I, RecordKind kind, const char *name, Value v,
                                   RecordKind want, const char *what) {
  if (!IS_ENTITY(v) || AS_RECORD(v)->kind != want)
    decl_error(I, kind, name, "%s must be a declared %s, not %s", what, kind_names[want],
               IS_ENTITY(v) ? kind_names[AS_RECORD(v)->kind] : value_type_name(v));
  return AS_RECORD(v);
}

static void check_range(Interp *I, RecordKind kind, const char *name, ObjRecord *r, bool required) {
  Value y = field(I, r, "years");
  if (IS_NIL(y)) {
    if (required) decl_error(I, kind, name, "the field 'years' is missing (for example years: 2026..2030)");
    return;
  }
  if (!IS_RANGE(y)) decl_error(I, kind, name, "'years' must be a range of years such as 2026..2030");
  ObjRange *g = AS_RANGE(y);
  if (g->hi < g->lo) decl_error(I, kind, name, "'years' %lld..%lld is empty", (long long)g->lo, (long long)g->hi);
  if (g->lo < 1900 || g->hi > 2300)
    decl_error(I, kind, name, "'years' %lld..%lld is not a range of calendar years", (long long)g->lo,
               (long long)g->hi);
}

static const double label_thresholds[] = {20, 40, 60, 80};
static const char *const labels[] = {"none", "bronze", "silver", "gold", NULL};

static void check_cluster(Interp *I, const char *name, ObjRecord *r) {
  const RecordKind k = KIND_CLUSTER;
  Value reg = field(I, r, "region");
  if (!IS_NIL(reg)) check_entity_ref(I, k, name, reg, KIND_REGION, "'region'");
  Value m = field(I, r, "members");
  ObjRecord *members;
  if (IS_NIL(m)) {
    members = record_new(I);
    set_field(I, r, "members", OBJ_VAL(members));
  } else if (!IS_RECORD(m) || AS_RECORD(m)->kind != KIND_RECORD) {
    decl_error(I, k, name, "'members' must be a record such as {sme: 620, large: 80, research: 40}");
  } else {
    members = AS_RECORD(m);
  }
  const char *types[] = {"sme", "large", "research"};
  for (int i = 0; i < 3; i++) {
    Value v = field(I, members, types[i]);
    if (IS_NIL(v)) {
      set_field(I, members, types[i], INT_VAL(0));
      continue;
    }
    if (!num_is(v) || v.unit != UNIT_NONE)
      decl_error(I, k, name, "members.%s must be a plain number", types[i]);
    if (negative(I, v)) decl_error(I, k, name, "members.%s must not be negative", types[i]);
  }
  for (int i = 0; i < members->count; i++) {
    const char *key = members->keys[i]->chars;
    if (strcmp(key, "sme") && strcmp(key, "large") && strcmp(key, "research"))
      decl_error(I, k, name, "unknown member type '%s' (expected sme, large or research)", key);
  }
  check_unit(I, k, name, r, "jobs", UNIT_NONE, false, true);
  check_unit(I, k, name, r, "staff", UNIT_NONE, false, true);
  check_unit(I, k, name, r, "budget", unit_eur_per_year(I), false, true);
  check_choice(I, k, name, r, "label", labels, "none");
  Value share = field(I, r, "export_share");
  if (!IS_NIL(share)) {
    check_unit(I, k, name, r, "export_share", UNIT_NONE, false, true);
    if (num_cmp(I, share, INT_VAL(1)) == 1) decl_error(I, k, name, "'export_share' must be between 0%% and 100%%");
  }
  if (IS_NIL(field(I, r, "jobs"))) set_field(I, r, "jobs", INT_VAL(0));
  if (IS_NIL(field(I, r, "staff"))) set_field(I, r, "staff", INT_VAL(0));
  if (IS_NIL(field(I, r, "budget"))) {
    Value zero = INT_VAL(0);
    zero.unit = unit_eur_per_year(I);
    set_field(I, r, "budget", zero);
  }
  if (IS_NIL(field(I, r, "export_share"))) set_field(I, r, "export_share", INT_VAL(0));
  Value ex = field(I, r, "excellence");
  if (IS_NIL(ex)) {
    const char *label = AS_CSTRING(field(I, r, "label"));
    for (int i = 0; labels[i]; i++)
      if (strcmp(label, labels[i]) == 0) set_field(I, r, "excellence", INT_VAL((int64_t)label_thresholds[i]));
  } else {
    check_unit(I, k, name, r, "excellence", UNIT_NONE, false, true);
    if (num_cmp(I, ex, INT_VAL(100)) == 1) decl_error(I, k, name, "'excellence' is a score from 0 to 100");
  }
  if (IS_NIL(field(I, r, "scaleups"))) set_field(I, r, "scaleups", INT_VAL(0));
  if (IS_NIL(field(I, r, "service_level"))) set_field(I, r, "service_level", INT_VAL(0));
  if (IS_NIL(field(I, r, "income"))) {
    ObjRecord *inc = record_new(I);
    Value zero = INT_VAL(0);
    zero.unit = unit_eur_per_year(I);
    set_field(I, inc, "fees", zero);
    set_field(I, inc, "public", zero);
    set_field(I, r, "income", OBJ_VAL(inc));
  }
}

static const char *const levels[] = {"eu", "national", "regional", NULL};
static const char *const aids[] = {"gber27", "de_minimis", "notified", "none", NULL};
static const char *const purposes[] = {"operating", "investment", "internationalisation", "scaleup",
                                       "training", NULL};
static const char *const zones[] = {"a", "c", "none", NULL};

static void check_fields(Interp *I, RecordKind kind, const char *name, ObjRecord *r) {
  switch (kind) {
  case KIND_REGION:
    if (!IS_NIL(field(I, r, "country")) && !IS_STRING(field(I, r, "country")))
      decl_error(I, kind, name, "'country' must be a string such as \"FR\"");
    check_choice(I, kind, name, r, "aid_zone", zones, "none");
    break;
  case KIND_CLUSTER: check_cluster(I, name, r); break;
  case KIND_PROGRAMME:
    check_choice(I, kind, name, r, "level", levels, NULL);
    check_unit(I, kind, name, r, "budget", unit_eur(I), true, true);
    check_choice(I, kind, name, r, "aid", aids, "none");
    if (!num_is_exact(field(I, r, "budget")))
      decl_error(I, kind, name, "'budget' is money and must be exact (round it with round(x, 2))");
    break;
  case KIND_PARTNERSHIP: {
    Value m = field(I, r, "members");
    if (!IS_LIST(m)) decl_error(I, kind, name, "'members' must be a list of clusters, such as [A, B]");
    ObjList *l = AS_LIST(m);
    if (l->items.count < 2)
      decl_error(I, kind, name, "a partnership needs at least two clusters, it has %d", l->items.count);
    for (int i = 0; i < l->items.count; i++) {
      char what[40];
      snprintf(what, sizeof what, "member %d", i + 1);
      check_entity_ref(I, kind, name, l->items.items[i], KIND_CLUSTER, what);
      for (int k = 0; k < i; k++)
        if (l->items.items[k].as.o == l->items.items[i].as.o)
          decl_error(I, kind, name, "lists cluster %s twice; a partnership needs at least two different clusters",
                     entity_name(I, AS_RECORD(l->items.items[i])));
    }
    check_range(I, kind, name, r, false);
    break;
  }
  default: break;
  }
}

/* ---- declarations ------------------------------------------------------------ */

static void say_replaced(Interp *I, const char *what) {
  fprintf(I->err, "note: %s replaces the earlier declaration\n", what);
  fflush(I->err);
}

/* A list of the entities in a world as user code sees it (a copy). */
static Value entity_list(Interp *I, RecordKind kind) {
  ObjList *src = I->world->entities[kind];
  ObjList *l = list_new(I);
  for (int i = 0; i < src->items.count; i++) list_append(I, l, src->items.items[i]);
  return OBJ_VAL(l);
}

static int find_entity(Interp *I, World *w, const char *name, RecordKind *kind_out) {
  for (int k = KIND_REGION; k < KIND_FUND; k++) {
    ObjList *l = w->entities[k];
    for (int i = 0; i < l->items.count; i++)
      if (strcmp(entity_name(I, AS_RECORD(l->items.items[i])), name) == 0) {
        *kind_out = (RecordKind)k;
        return i;
      }
  }
  return -1;
}

static void mark_owned(ObjRecord *r, ObjRecord *owner, ObjString *path, Interp *I) {
  r->owner = owner;
  r->path = path;
  for (int i = 0; i < r->count; i++) {
    Value v = r->values[i];
    if (IS_RECORD(v) && AS_RECORD(v)->kind == KIND_RECORD) {
      ObjString *p = path ? str_printf(I, "%s.%s", path->chars, r->keys[i]->chars) : r->keys[i];
      mark_owned(AS_RECORD(v), owner, p, I);
    }
  }
}

/* Give `into` exactly the fields of `from` (a checked new declaration). */
static void replace_fields(Interp *I, ObjRecord *into, ObjRecord *from) {
  into->count = 0;
  FREE_ARRAY(I, int, into->index, into->index_capacity);
  into->index = NULL;
  into->index_capacity = 0;
  for (int i = 0; i < from->count; i++) record_set(I, into, from->keys[i], from->values[i]);
  mark_owned(into, into, NULL, I);
}

/* %entity(kind, name, fields): declare a region, cluster, programme or
 * partnership in the current world and bind its name. */
static Value f_entity(Interp *I, int argc, Value *args) {
  RecordKind kind = (RecordKind)args[0].as.i;
  ObjString *name = AS_STRING(args[1]);
  ObjRecord *r = AS_RECORD(args[2]);
  if (!IS_NIL(field(I, r, "name")))
    decl_error(I, kind, name->chars, "'name' is set from the declaration; remove the field");
  /* the entity is the record itself, with its name first */
  ObjRecord *e = record_new(I);
  e->kind = (uint8_t)kind;
  set_field(I, e, "name", OBJ_VAL(name));
  for (int i = 0; i < r->count; i++) record_set(I, e, r->keys[i], r->values[i]);
  check_fields(I, kind, name->chars, e);
  mark_owned(e, e, NULL, I);
  RecordKind old_kind;
  int at = find_entity(I, I->world, name->chars, &old_kind);
  if (at >= 0 && old_kind != kind)
    interp_throw(I, "'%s' is already a %s; give the %s another name", name->chars, kind_names[old_kind],
                 kind_names[kind]);
  if (at >= 0) {
    /* replace in place: everything that refers to the entity sees the new one */
    ObjRecord *old = AS_RECORD(I->world->entities[kind]->items.items[at]);
    replace_fields(I, old, e);
    e = old;
    char what[300];
    snprintf(what, sizeof what, "%s %s", kind_names[kind], name->chars);
    if (!I->applying) say_replaced(I, what);
  } else {
    int g = global_find(I, name);
    if (g >= 0 && !IS_UNDEF(I->globals[g]) && !IS_ENTITY(I->globals[g]) && !I->applying)
      interp_throw(I, "'%s' is already a name (%s); give the %s another name", name->chars,
                   value_type_name(I->globals[g]), kind_names[kind]);
    list_append(I, I->world->entities[kind], OBJ_VAL(e));
  }
  global_define(I, name->chars, OBJ_VAL(e), GLOBAL_VAR, NULL);
  return OBJ_VAL(e);
}

static bool in_range(Value range, int64_t year) {
  if (!IS_RANGE(range)) return false;
  return AS_RANGE(range)->lo <= year && year <= AS_RANGE(range)->hi;
}

/* %fund(programme, recipient, fields) */
static Value f_fund(Interp *I, int argc, Value *args) {
  char name[300];
  const char *pn = IS_ENTITY(args[0]) ? entity_name(I, AS_RECORD(args[0])) : "?";
  const char *rn = IS_ENTITY(args[1]) ? entity_name(I, AS_RECORD(args[1])) : "?";
  snprintf(name, sizeof name, "%s -> %s", pn, rn);
  const RecordKind k = KIND_FUND;
  check_entity_ref(I, k, name, args[0], KIND_PROGRAMME, "the paying side");
  if (!IS_ENTITY(args[1]) || AS_RECORD(args[1])->kind != KIND_CLUSTER)
    decl_error(I, k, name, "the recipient must be a declared cluster");
  ObjRecord *r = AS_RECORD(args[2]);
  ObjRecord *f = record_new(I);
  f->kind = KIND_FUND;
  set_field(I, f, "programme", args[0]);
  set_field(I, f, "recipient", args[1]);
  for (int i = 0; i < r->count; i++) record_set(I, f, r->keys[i], r->values[i]);
  check_unit(I, k, name, f, "amount", unit_eur_per_year(I), true, true);
  if (!num_is_exact(field(I, f, "amount")))
    decl_error(I, k, name, "'amount' is money and must be exact (round it with round(x, 2))");
  if (is_zero(field(I, f, "amount"))) decl_error(I, k, name, "'amount' is zero: a fund must pay something");
  check_range(I, k, name, f, true);
  Value p = field(I, f, "purpose");
  if (IS_NIL(p)) decl_error(I, k, name, "the field 'purpose' is missing");
  check_choice(I, k, name, f, "purpose", purposes, NULL);
  check_unit(I, k, name, f, "eligible_costs", unit_eur_per_year(I), false, true);
  check_unit(I, k, name, f, "per_sme", unit_eur(I), false, true);
  if (IS_NIL(field(I, f, "eligible_costs"))) set_field(I, f, "eligible_costs", field(I, f, "amount"));
  mark_owned(f, f, NULL, I);
  /* the same programme, recipient and purpose: replace */
  ObjList *funds = I->world->entities[KIND_FUND];
  for (int i = 0; i < funds->items.count; i++) {
    ObjRecord *g = AS_RECORD(funds->items.items[i]);
    if (value_equal(field(I, g, "programme"), args[0]) && value_equal(field(I, g, "recipient"), args[1]) &&
        value_equal(field(I, g, "purpose"), p)) {
      replace_fields(I, g, f);
      f = g;
      char what[400];
      snprintf(what, sizeof what, "fund %s (%s)", name, AS_CSTRING(p));
      if (!I->applying) say_replaced(I, what);
      return OBJ_VAL(f);
    }
  }
  list_append(I, funds, OBJ_VAL(f));
  return OBJ_VAL(f);
}

/* %param(name, default, doc) */
static Value f_param(Interp *I, int argc, Value *args) {
  ObjString *name = AS_STRING(args[0]);
  ObjList *ps = I->params;
  ObjRecord *p = record_new(I);
  set_field(I, p, "name", args[0]);
  set_field(I, p, "default", args[1]);
  set_field(I, p, "doc", args[2]);
  bool replaced = false;
  for (int i = 0; i < ps->items.count; i++)
    if (AS_STRING(field(I, AS_RECORD(ps->items.items[i]), "name")) == name) {
      ps->items.items[i] = OBJ_VAL(p);
      replaced = true;
    }
  if (!replaced) list_append(I, ps, OBJ_VAL(p));
  const char *doc = IS_STRING(args[2]) ? AS_CSTRING(args[2]) : "a model parameter";
  global_define(I, name->chars, args[1], GLOBAL_PARAM, doc);
  return NIL_VAL;
}

/* %rule(name, over, body): over() gives the entities, body(x) runs per entity */
static Value f_rule(Interp *I, int argc, Value *args) {
  ObjRecord *r = record_new(I);
  set_field(I, r, "name", args[0]);
  set_field(I, r, "over", args[1]);
  set_field(I, r, "body", args[2]);
  ObjList *rs = I->rules;
  for (int i = 0; i < rs->items.count; i++)
    if (AS_STRING(field(I, AS_RECORD(rs->items.items[i]), "name")) == AS_STRING(args[0])) {
      rs->items.items[i] = OBJ_VAL(r);
      char what[300];
      snprintf(what, sizeof what, "rule %s", AS_CSTRING(args[0]));
      say_replaced(I, what);
      return NIL_VAL;
    }
  list_append(I, rs, OBJ_VAL(r));
  return NIL_VAL;
}

/* %scenario(name, parent, body) */
static Value f_scenario(Interp *I, int argc, Value *args) {
  ObjString *name = AS_STRING(args[0]);
  ObjScenario *s = scenario_new(I, name);
  if (!IS_NIL(args[1])) {
    if (!IS_SCENARIO(args[1])) interp_throw(I, "scenario %s extends something that is not a scenario", name->chars);
    s->parent = AS_SCENARIO(args[1]);
    for (ObjScenario *p = s->parent; p; p = p->parent)
      if (p->name == name) interp_throw(I, "scenario %s extends itself", name->chars);
  }
  if (IS_CLOSURE(args[2])) s->body = AS_CLOSURE(args[2]);
  int g = global_find(I, name);
  if (g >= 0 && !IS_UNDEF(I->globals[g]) && !IS_SCENARIO(I->globals[g]))
    interp_throw(I, "'%s' is already a name (%s); give the scenario another name", name->chars,
                 value_type_name(I->globals[g]));
  if (g >= 0 && IS_SCENARIO(I->globals[g])) {
    char what[300];
    snprintf(what, sizeof what, "scenario %s", name->chars);
    say_replaced(I, what);
  }
  list_append(I, I->scenarios, OBJ_VAL(s));
  global_define(I, name->chars, OBJ_VAL(s), GLOBAL_VAR, NULL);
  return OBJ_VAL(s);
}

/* %scenario_field(name, value): years, runs, seed inside a scenario body */
static Value f_scenario_field(Interp *I, int argc, Value *args) {
  ObjScenario *s = I->running;
  const char *f = AS_CSTRING(args[0]);
  if (!s) interp_throw(I, "'%s:' belongs inside a scenario", f);
  Value v = args[1];
  if (strcmp(f, "years") == 0) {
    if (!IS_RANGE(v) || AS_RANGE(v)->hi <= AS_RANGE(v)->lo)
      interp_throw(I, "scenario %s: 'years' must be a range of at least two years, such as 2025..2035",
                   s->name->chars);
    ObjRange *r = AS_RANGE(v);
    if (r->lo < 1900 || r->hi > 2300 || r->hi - r->lo > 200)
      interp_throw(I, "scenario %s: 'years' %lld..%lld is not a sensible span of calendar years",
                   s->name->chars, (long long)r->lo, (long long)r->hi);
    s->first_year = r->lo;
    s->last_year = r->hi;
  } else if (strcmp(f, "runs") == 0 || strcmp(f, "seed") == 0) {
    int64_t n;
    if (!num_is(v) || !num_to_int64(v, &n) || v.unit != UNIT_NONE || n < (f[0] == 'r' ? 1 : 0))
      interp_throw(I, "scenario %s: '%s' must be a whole number%s", s->name->chars, f,
                   f[0] == 'r' ? " of at least 1" : "");
    if (f[0] == 'r' && n > 100000) interp_throw(I, "scenario %s: at most 100000 runs", s->name->chars);
    if (f[0] == 'r') {
      s->runs = n;
    } else { /* draws after `seed:` come from this seed's stream for this run */
      s->seed = n;
      lib_random_seed(I, (uint64_t)s->seed * 0x9E3779B97F4A7C15u + (uint64_t)s->run_index);
    }
  } else {
    interp_throw(I, "scenario %s: unknown setting '%s' (expected years, runs or seed)", s->name->chars, f);
  }
  return NIL_VAL;
}

/* %set(name, value): override a param for this run */
static Value f_set(Interp *I, int argc, Value *args) {
  ObjString *name = AS_STRING(args[0]);
  int g = global_find(I, name);
  if ((g < 0 || I->global_kinds[g] != GLOBAL_PARAM) && interp_autoload(I, name->chars)) g = global_find(I, name);
  if (g < 0 || I->global_kinds[g] != GLOBAL_PARAM)
    interp_throw(I, "set: '%s' is not a param (declare it with param %s = ... \"doc\")", name->chars,
                 name->chars);
  Value old = I->globals[g];
  if (num_is(old) && num_is(args[1]) && old.unit != args[1].unit) {
    char a[100], b[100];
    interp_throw(I, "set %s: the value must have the unit of its default (%s), not %s", name->chars,
                 unit_text(I, old.unit, a, sizeof a), unit_text(I, args[1].unit, b, sizeof b));
  }
  I->globals[g] = args[1];
  return NIL_VAL;
}

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
  if (IS_RECORD(v) && AS_RECORD(v)->kind == KIND_RECORD && AS_RECORD(v)->owner == owner)
    shadow_record(I, sh, AS_RECORD(v), owner);
  else if (IS_LIST(v)) shadow_list(I, sh, AS_LIST(v));
}

static ObjList *shadow_world(Interp *I, World *w) {
  ObjList *sh = list_new(I);
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

static void free_world(World *w) { free(w); }

/* ---- recording writes ---------------------------------------------------------- */

void world_record_write(Interp *I, ObjRecord *r, ObjString *key, Value before, Value after) {
  ObjScenario *s = I->running;
  if (!s || I->current_rule < 0 || !r->owner || s->run_index > 0) return;
  if (s->nwrites == s->writes_capacity) {
    int cap = GROW_CAPACITY(s->writes_capacity);
    s->writes = GROW_ARRAY(I, WriteEntry, s->writes, s->writes_capacity, cap);
    s->writes_capacity = cap;
  }
  s->writes[s->nwrites++] = (WriteEntry){I->current_rule, (int32_t)I->current_year, r->owner, r->path, key,
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

static void append_point(Interp *I, ObjRecord *into, ObjString *key, Value v, int64_t year) {
  Value sv;
  ObjSeries *s;
  if (record_get(into, key, &sv) && IS_SERIES(sv)) {
    s = AS_SERIES(sv);
  } else {
    s = series_new(I, year);
    record_set(I, into, key, OBJ_VAL(s));
  }
  while (s->first_year + s->values.count < year) valarr_push(I, &s->values, NIL_VAL);
  valarr_push(I, &s->values, v);
}

/* Add the numeric fields of a record (recursively) to series in `into`. */
static void snapshot_record(Interp *I, ObjRecord *r, ObjRecord *into, int64_t year) {
  for (int i = 0; i < r->count; i++) {
    Value v = r->values[i];
    if (num_is(v)) append_point(I, into, r->keys[i], v, year);
    else if (IS_RECORD(v) && AS_RECORD(v)->kind == KIND_RECORD)
      snapshot_record(I, AS_RECORD(v), child_record(I, into, r->keys[i]), year);
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
    bool numeric = num_is(v), nested = IS_RECORD(v) && AS_RECORD(v)->kind == KIND_RECORD;
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
      snapshot_record(I, e, child_record(I, res, AS_STRING(field(I, e, "name"))), year);
    }
  }
  /* total: the sum over all clusters */
  ObjRecord *sums = record_new(I);
  ObjList *cl = I->world->entities[KIND_CLUSTER];
  for (int i = 0; i < cl->items.count; i++) add_totals(I, sums, AS_RECORD(cl->items.items[i]));
  snapshot_record(I, sums, child_record(I, res, str_new(I, "total")), year);
}

/* ---- running --------------------------------------------------------------------- */

typedef struct {
  int g;
  Value v;
  uint8_t kind;
} SavedGlobal;

typedef struct {
  SavedGlobal *items;
  int count, capacity;
} SavedGlobals;

static void save_global(SavedGlobals *s, Interp *I, int g) {
  for (int i = 0; i < s->count; i++)
    if (s->items[i].g == g) return;
  if (s->count == s->capacity) {
    s->capacity = s->capacity ? s->capacity * 2 : 64;
    s->items = realloc(s->items, sizeof(SavedGlobal) * (size_t)s->capacity);
    if (!s->items) {
      fputs("clusim: out of memory\n", stderr);
      exit(1);
    }
  }
  s->items[s->count++] = (SavedGlobal){g, I->globals[g], I->global_kinds[g]};
}

static void apply_bodies(Interp *I, ObjScenario *s) {
  if (s->parent) apply_bodies(I, s->parent);
  if (s->body) vm_call(I, OBJ_VAL(s->body), 0, NULL);
}

static void reset_payments(Interp *I) {
  ObjList *cl = I->world->entities[KIND_CLUSTER];
  for (int i = 0; i < cl->items.count; i++) {
    ObjRecord *c = AS_RECORD(cl->items.items[i]);
    ObjRecord *p = record_new(I);
    p->owner = c;
    p->path = str_new(I, "payments");
    set_field(I, c, "payments", OBJ_VAL(p));
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
  World *w = I->world;
  s->run_index = index;
  lib_random_seed(I, (uint64_t)s->seed * 0x9E3779B97F4A7C15u + (uint64_t)index);
  ObjList *before = list_new(I); /* param values before the bodies' `set`s */
  for (int i = 0; i < I->params->items.count; i++) {
    int g = global_find(I, AS_STRING(field(I, AS_RECORD(I->params->items.items[i]), "name")));
    list_append(I, before, g >= 0 ? I->globals[g] : NIL_VAL);
  }
  interp_push_root(I, OBJ_VAL(before));
  I->applying = s;
  apply_bodies(I, s);
  I->applying = NULL;
  if (index == 0) { /* the params this run uses (S.params), and those its scenario set */
    ObjRecord *ps = record_new(I), *changed = record_new(I);
    for (int i = 0; i < I->params->items.count; i++) {
      ObjString *name = AS_STRING(field(I, AS_RECORD(I->params->items.items[i]), "name"));
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
  /* funds paying in the base year only get a warning: the base year is data */
  ObjList *funds = w->entities[KIND_FUND];
  for (int i = 0; i < funds->items.count && index == 0; i++) {
    ObjRecord *f = AS_RECORD(funds->items.items[i]);
    if (in_range(field(I, f, "years"), s->first_year))
      fprintf(I->err, "warning: scenario %s: fund %s -> %s pays nothing in %lld, the base year (the declared data)\n",
              s->name->chars, entity_name(I, AS_RECORD(field(I, f, "programme"))),
              entity_name(I, AS_RECORD(field(I, f, "recipient"))), (long long)s->first_year);
  }
  ObjList *progs = w->entities[KIND_PROGRAMME];
  for (int i = 0; i < progs->items.count; i++) {
    ObjRecord *p = AS_RECORD(progs->items.items[i]);
    set_field(I, p, "remaining", field(I, p, "budget"));
  }
  I->current_year = s->first_year;
  I->globals[g_year] = INT_VAL(s->first_year);
  reset_payments(I);
  snapshot(I, s, s->first_year);
  ObjList *rules = I->rules;
  for (int64_t y = s->first_year + 1; y <= s->last_year; y++) {
    I->current_year = y;
    I->globals[g_year] = INT_VAL(y);
    reset_payments(I);
    for (int r = 0; r < rules->items.count; r++) {
      ObjRecord *rule = AS_RECORD(rules->items.items[r]);
      Value over = vm_call(I, field(I, rule, "over"), 0, NULL);
      if (!IS_LIST(over))
        interp_throw(I, "rule %s must run over a list, such as clusters(), not %s",
                     AS_CSTRING(field(I, rule, "name")), value_type_name(over));
      interp_push_root(I, over);
      Value body = field(I, rule, "body");
      for (int i = 0; i < AS_LIST(over)->items.count; i++) {
        I->current_rule = r;
        Value x = AS_LIST(over)->items.items[i];
        vm_call(I, body, 1, &x);
        I->current_rule = -1;
      }
      interp_pop_roots(I, 1);
    }
    snapshot(I, s, y);
  }
}

/* One run of a scenario (for runs > 1, run `index`). Fills s->results. */
static void run_once(Interp *I, ObjScenario *s, int64_t index) {
  World *w = I->world;
  ObjList *shadows = shadow_world(I, w);
  interp_push_root(I, OBJ_VAL(shadows));
  /* names and params a scenario body may rebind are put back afterwards */
  SavedGlobals saved = {0};
  for (int k = KIND_REGION; k < KIND_FUND; k++)
    for (int i = 0; i < w->entities[k]->items.count; i++) {
      ObjRecord *e = AS_RECORD(w->entities[k]->items.items[i]);
      save_global(&saved, I, global_slot(I, AS_STRING(field(I, e, "name"))));
    }
  for (int i = 0; i < I->params->items.count; i++) {
    int g = global_find(I, AS_STRING(field(I, AS_RECORD(I->params->items.items[i]), "name")));
    if (g >= 0) save_global(&saved, I, g);
  }
  for (int i = 0; i < I->nglobals; i++)
    if (IS_SCENARIO(I->globals[i]) || IS_UNDEF(I->globals[i])) save_global(&saved, I, i);
  int g_year = global_find(I, str_new(I, "current_year"));
  save_global(&saved, I, g_year);

  RunJob job = {s, index, g_year};
  bool failed = !interp_pcall(I, run_body, &job);
  I->current_rule = -1;
  I->applying = NULL;
  /* keep the first run's entities alive with the scenario (its write log refers to them) */
  if (index == 0) {
    ObjList *all = list_new(I);
    for (int k = 0; k < KIND_COUNT; k++)
      for (int i = 0; i < w->entities[k]->items.count; i++) list_append(I, all, w->entities[k]->items.items[i]);
    s->entities = all;
  }
  restore_world(shadows);
  for (int i = 0; i < saved.count; i++) {
    I->globals[saved.items[i].g] = saved.items[i].v;
    I->global_kinds[saved.items[i].g] = saved.items[i].kind;
  }
  free(saved.items);
  if (failed) {
    I->running = NULL;
    interp_rethrow(I); /* the message and call chain are already built */
  }
  interp_pop_roots(I, 1);
}

/* ---- several runs (Monte Carlo) ----------------------------------------------------
 *
 * Run 0 fixes the shape of the results (which entities, fields and years).
 * Every run's numbers are flattened into a row of doubles in that shape; the
 * rows give each point's mean and 5th, 50th and 95th percentiles.  Run k is
 * seeded from (seed, k) alone, so the rows - and the statistics - are the
 * same whichever process computes them: with --jobs N, N worker processes
 * (fork) each compute every N-th run and send their rows back through a pipe.
 */

static int count_points(ObjRecord *shape) {
  int n = 0;
  for (int i = 0; i < shape->count; i++) {
    Value v = shape->values[i];
    if (IS_SERIES(v)) n += AS_SERIES(v)->values.count;
    else if (IS_RECORD(v)) n += count_points(AS_RECORD(v));
  }
  return n;
}

static void flatten(Interp *I, ObjRecord *shape, ObjRecord *r, double *out, int *n) {
  for (int i = 0; i < shape->count; i++) {
    Value v = shape->values[i], w = NIL_VAL;
    if (r) record_get(r, shape->keys[i], &w);
    if (IS_SERIES(v)) {
      ObjSeries *sv = AS_SERIES(v);
      ObjSeries *sw = IS_SERIES(w) ? AS_SERIES(w) : NULL;
      for (int k = 0; k < sv->values.count; k++) {
        int64_t at = sv->first_year + k - (sw ? sw->first_year : 0);
        Value x = (sw && at >= 0 && at < sw->values.count) ? sw->values.items[at] : NIL_VAL;
        out[(*n)++] = num_is(x) ? num_to_double(x) : NAN;
      }
    } else if (IS_RECORD(v)) {
      flatten(I, AS_RECORD(v), IS_RECORD(w) ? AS_RECORD(w) : NULL, out, n);
    }
  }
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Linear interpolation between order statistics (as numpy's default). */
static double percentile(const double *sorted, int n, double p) {
  double pos = p * (n - 1);
  int lo = (int)floor(pos);
  int hi = lo + 1 < n ? lo + 1 : lo;
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

static Value stat_value(double d, UnitId unit) {
  if (isnan(d)) return NIL_VAL;
  Value v = FLOAT_VAL(d);
  v.unit = unit;
  return v;
}

/* Build mean series (with .p5 .p50 .p95) in the shape of run 0. */
static ObjRecord *aggregate(Interp *I, ObjRecord *shape, const double *m, int runs, int np, int *n,
                            double *scratch) {
  ObjRecord *out = record_new(I);
  for (int i = 0; i < shape->count; i++) {
    Value v = shape->values[i];
    if (IS_RECORD(v)) {
      record_set(I, out, shape->keys[i], OBJ_VAL(aggregate(I, AS_RECORD(v), m, runs, np, n, scratch)));
      continue;
    }
    if (!IS_SERIES(v)) continue;
    ObjSeries *sv = AS_SERIES(v);
    UnitId unit = UNIT_NONE;
    for (int k = 0; k < sv->values.count; k++)
      if (num_is(sv->values.items[k])) unit = sv->values.items[k].unit;
    ObjSeries *mean = series_new(I, sv->first_year), *p5 = series_new(I, sv->first_year),
              *p50 = series_new(I, sv->first_year), *p95 = series_new(I, sv->first_year);
    for (int k = 0; k < sv->values.count; k++, (*n)++) {
      int cnt = 0;
      double sum = 0;
      for (int r = 0; r < runs; r++) {
        double d = m[(size_t)r * (size_t)np + (size_t)*n];
        if (isnan(d)) continue;
        scratch[cnt++] = d;
        sum += d;
      }
      if (cnt == 0) {
        valarr_push(I, &mean->values, NIL_VAL);
        valarr_push(I, &p5->values, NIL_VAL);
        valarr_push(I, &p50->values, NIL_VAL);
        valarr_push(I, &p95->values, NIL_VAL);
        continue;
      }
      qsort(scratch, (size_t)cnt, sizeof(double), cmp_double);
      valarr_push(I, &mean->values, stat_value(sum / cnt, unit));
      valarr_push(I, &p5->values, stat_value(percentile(scratch, cnt, 0.05), unit));
      valarr_push(I, &p50->values, stat_value(percentile(scratch, cnt, 0.50), unit));
      valarr_push(I, &p95->values, stat_value(percentile(scratch, cnt, 0.95), unit));
    }
    ObjRecord *stats = record_new(I);
    set_field(I, stats, "mean", OBJ_VAL(mean));
    set_field(I, stats, "p5", OBJ_VAL(p5));
    set_field(I, stats, "p50", OBJ_VAL(p50));
    set_field(I, stats, "p95", OBJ_VAL(p95));
    mean->stats = stats;
    record_set(I, out, shape->keys[i], OBJ_VAL(mean));
  }
  return out;
}

/* Run k and flatten its numbers into row. */
static void run_row(Interp *I, ObjScenario *s, ObjRecord *shape, int64_t k, double *row) {
  s->run_index = k;
  s->results = record_new(I);
  run_once(I, s, k);
  int n = 0;
  flatten(I, shape, s->results, row, &n);
}

static bool write_all(int fd, const void *p, size_t n) {
  const char *c = p;
  while (n > 0) {
    ssize_t w = write(fd, c, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    c += w;
    n -= (size_t)w;
  }
  return true;
}

typedef struct {
  Interp *I;
  ObjScenario *s;
  ObjRecord *shape;
  double *m;
  int np, jobs;
} ManyRuns;

/* A worker: runs worker+1, worker+1+jobs, ... writing each row straight
 * into the shared matrix; an error sends the message (at most 32 KiB, so
 * the write never blocks) through the pipe. Never returns. */
typedef struct {
  ManyRuns *mr;
  int w;
} WorkerJob;

static void worker_runs(Interp *I, void *ud) {
  WorkerJob *job = ud;
  ManyRuns *mr = job->mr;
  for (int64_t k = 1 + job->w; k < mr->s->runs; k += mr->jobs)
    run_row(I, mr->s, mr->shape, k, mr->m + (size_t)k * (size_t)mr->np);
}

static _Noreturn void worker(ManyRuns *mr, int w, int fd) {
  Interp *I = mr->I;
  WorkerJob job = {mr, w};
  if (interp_pcall(I, worker_runs, &job)) _exit(0);
  size_t len = I->traceback.len < 32768 ? I->traceback.len : 32768;
  write_all(fd, I->traceback.data, len);
  _exit(1);
}

static void many_runs_parallel(ManyRuns *mr) {
  Interp *I = mr->I;
  int jobs = mr->jobs;
  int fds[64];
  pid_t pids[64];
  int started = 0;
  fflush(NULL);
  for (int w = 0; w < jobs; w++) {
    int p[2];
    if (pipe(p) != 0) break;
    pid_t pid = fork();
    if (pid < 0) {
      close(p[0]);
      close(p[1]);
      break;
    }
    if (pid == 0) {
      close(p[0]);
      for (int k = 0; k < w; k++) close(fds[k]);
      worker(mr, w, p[1]);
    }
    close(p[1]);
    fds[w] = p[0];
    pids[w] = pid;
    started++;
  }
  bool bad = started < jobs;
  for (int w = 0; w < started; w++) {
    int st;
    while (waitpid(pids[w], &st, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) bad = true;
  }
  Buffer err;
  buf_init(&err);
  for (int w = 0; w < started; w++) {
    char chunk[4096];
    ssize_t n;
    while ((n = read(fds[w], chunk, sizeof chunk)) > 0 || (n < 0 && errno == EINTR))
      if (n > 0 && err.len < 65536) buf_put(&err, chunk, (size_t)n);
    close(fds[w]);
  }
  if (bad) {
    if (err.len) fputs(err.data, I->err);
    buf_free(&err);
    if (started < jobs) interp_throw(I, "run: cannot start %d worker processes; try --jobs 1", jobs);
    interp_throw(I, "run: scenario %s failed in a worker process%s", mr->s->name->chars,
                 err.len ? " (the error is above)" : "");
  }
  buf_free(&err);
}

typedef struct {
  ManyRuns *mr;
  bool parallel;
  double *scratch;
} ManyJob;

/* Runs 1..N-1 into the matrix (run 0 is its first row), then the statistics. */
static void many_runs_body(Interp *I, void *ud) {
  ManyJob *job = ud;
  ManyRuns *mr = job->mr;
  ObjScenario *s = mr->s;
  int n = 0;
  flatten(I, mr->shape, mr->shape, mr->m, &n);
  if (job->parallel) many_runs_parallel(mr);
  else
    for (int64_t k = 1; k < s->runs; k++) run_row(I, s, mr->shape, k, mr->m + (size_t)k * (size_t)mr->np);
  n = 0;
  s->results = aggregate(I, mr->shape, mr->m, (int)s->runs, mr->np, &n, job->scratch);
  s->first_results = mr->shape;
  s->run_index = 0;
}

static void many_runs(Interp *I, ObjScenario *s) {
  ObjRecord *shape = s->results;
  interp_push_root(I, OBJ_VAL(shape));
  int np = count_points(shape);
  size_t cells = (size_t)(np ? np : 1) * (size_t)s->runs;
  if (cells > ((size_t)1 << 28))
    interp_throw(I, "run: %lld runs of scenario %s would keep too many numbers (%zu); use fewer runs",
                 (long long)s->runs, s->name->chars, cells);
  int jobs = I->jobs > 0 ? I->jobs : 1;
  if (jobs > 64) jobs = 64;
  if (jobs > s->runs - 1) jobs = (int)(s->runs - 1);
  /* workers write their rows straight into a matrix shared with them */
  bool shared = jobs > 1;
  size_t bytes = sizeof(double) * cells;
  double *m = shared ? mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0)
                     : malloc(bytes);
  if (shared && m == MAP_FAILED) {
    shared = false;
    jobs = 1;
    m = malloc(bytes);
  }
  double *scratch = malloc(sizeof(double) * (size_t)s->runs);
  if (!m || !scratch) {
    fputs("clusim: out of memory\n", stderr);
    exit(1);
  }
  /* the matrix is plain memory: free it on the way out of an error too */
  ManyRuns mr = {I, s, shape, m, np, jobs};
  ManyJob job = {&mr, shared, scratch};
  bool ok = interp_pcall(I, many_runs_body, &job);
  if (shared) munmap(m, bytes);
  else free(m);
  free(scratch);
  if (!ok) interp_rethrow(I);
  interp_pop_roots(I, 1);
}

static void report_exhausted(Interp *I, ObjScenario *s) {
  ObjList *seen = list_new(I);
  for (int i = 0; i < s->ledger->items.count; i++) {
    ObjRecord *e = AS_RECORD(s->ledger->items.items[i]);
    Value unpaid = field(I, e, "unpaid"), prog = field(I, e, "programme");
    if (!num_is(unpaid) || is_zero(unpaid)) continue;
    bool again = false;
    for (int k = 0; k < seen->items.count; k++) again |= value_equal(seen->items.items[k], prog);
    if (again) continue;
    list_append(I, seen, prog);
    Value year = field(I, e, "year");
    Value total = unpaid;
    for (int k = i + 1; k < s->ledger->items.count; k++) {
      ObjRecord *o = AS_RECORD(s->ledger->items.items[k]);
      if (value_equal(field(I, o, "programme"), prog) && value_equal(field(I, o, "year"), year)) {
        total = num_add(I, total, field(I, o, "unpaid"));
        total.unit = unpaid.unit;
      }
    }
    unpaid = total;
    Buffer b;
    buf_init(&b);
    value_print(I, &b, unpaid, false);
    fprintf(I->err, "note: scenario %s: the envelope of programme %s ran out in %lld (%s unpaid that year)\n",
            s->name->chars, AS_CSTRING(prog), (long long)field(I, e, "year").as.i, b.data);
    buf_free(&b);
  }
  fflush(I->err);
}

static Value f_run(Interp *I, int argc, Value *args) {
  ObjList *l = AS_LIST(args[0]);
  /* every param exists before a run saves them (the audit's load on first use) */
  interp_autoload_all(I);
  for (int i = 0; i < l->items.count; i++) {
    Value v = l->items.items[i];
    if (!IS_SCENARIO(v)) interp_throw(I, "run: expected a scenario, not %s", value_type_name(v));
    ObjScenario *s = AS_SCENARIO(v);
    if (I->running) interp_throw(I, "run: scenario %s cannot be run while another one runs", s->name->chars);
    s->has_run = false;
    s->first_results = NULL;
    s->results = record_new(I);
    s->ledger = list_new(I);
    s->rule_names = list_new(I);
    for (int r = 0; r < I->rules->items.count; r++)
      list_append(I, s->rule_names, field(I, AS_RECORD(I->rules->items.items[r]), "name"));
    clear_writes(I, s);
    s->first_year = s->last_year = 0;
    s->runs = 1;
    s->run_index = 0;
    I->running = s;
    run_once(I, s, 0);
    if (s->runs > 1) many_runs(I, s);
    I->running = NULL;
    s->has_run = true;
    report_exhausted(I, s);
  }
  return NIL_VAL;
}

/* ---- ledger ------------------------------------------------------------------------ */

static ObjRecord *fund_arg(Interp *I, const char *fn, Value v) {
  if (!IS_ENTITY(v) || AS_RECORD(v)->kind != KIND_FUND) interp_throw(I, "%s: expected a fund, not %s", fn, value_type_name(v));
  return AS_RECORD(v);
}

/* The ledger entry of one payment (the first run of a scenario keeps them). */
static void add_ledger_entry(Interp *I, ObjScenario *s, ObjRecord *f, ObjRecord *p, ObjRecord *c,
                             Value purpose, Value paid, Value unpaid) {
  ObjRecord *e = record_new(I);
  set_field(I, e, "year", INT_VAL(I->current_year));
  set_field(I, e, "programme", field(I, p, "name"));
  set_field(I, e, "recipient", field(I, c, "name"));
  set_field(I, e, "purpose", purpose);
  set_field(I, e, "amount", paid);
  Value elig = field(I, f, "eligible_costs");
  Value elig_year = num_mul(I, elig, INT_VAL(1));
  elig_year.unit = unit_eur(I);
  set_field(I, e, "eligible_costs", elig_year);
  set_field(I, e, "unpaid", unpaid);
  set_field(I, e, "aid", field(I, p, "aid"));
  set_field(I, e, "level", field(I, p, "level"));
  Value region = field(I, c, "region");
  set_field(I, e, "region", IS_ENTITY(region) ? field(I, AS_RECORD(region), "name") : NIL_VAL);
  set_field(I, e, "aid_zone", IS_ENTITY(region) ? field(I, AS_RECORD(region), "aid_zone") : OBJ_VAL(str_new(I, "none")));
  set_field(I, e, "sme_members", field(I, AS_RECORD(field(I, c, "members")), "sme"));
  if (!IS_NIL(field(I, f, "per_sme"))) set_field(I, e, "per_sme", field(I, f, "per_sme"));
  list_append(I, s->ledger, OBJ_VAL(e));
}

/* pay(f): this year's payment of fund f from its programme's envelope. */
static Value f_pay(Interp *I, int argc, Value *args) {
  ObjRecord *f = fund_arg(I, "pay", args[0]);
  ObjScenario *s = I->running;
  if (!s || I->current_rule < 0) interp_throw(I, "pay: funds pay only inside rules, during a run");
  ObjRecord *p = AS_RECORD(field(I, f, "programme"));
  ObjRecord *c = AS_RECORD(field(I, f, "recipient"));
  Value amount = field(I, f, "amount");
  if (!num_is_exact(amount))
    interp_throw(I, "pay: fund %s -> %s has an inexact amount; money must be exact (use round(x, 2))",
                 entity_name(I, p), entity_name(I, c));
  Value due = num_mul(I, amount, INT_VAL(1));
  due.unit = unit_eur(I);
  Value left = field(I, p, "remaining");
  Value paid = due;
  Value unpaid = INT_VAL(0);
  unpaid.unit = unit_eur(I);
  if (num_cmp(I, left, due) < 0) {
    paid = left;
    unpaid = num_sub(I, due, left);
    unpaid.unit = unit_eur(I);
  }
  Value rest = num_sub(I, left, paid);
  rest.unit = unit_eur(I);
  set_field(I, p, "remaining", rest);
  world_record_write(I, p, str_new(I, "remaining"), left, rest);
  Value purpose = field(I, f, "purpose");
  if (s->run_index == 0) add_ledger_entry(I, s, f, p, c, purpose, paid, unpaid);
  /* this year's payments to the recipient, by purpose */
  Value pay_rec = field(I, c, "payments");
  if (IS_RECORD(pay_rec)) {
    ObjString *key = AS_STRING(purpose);
    Value cur;
    bool had = record_get(AS_RECORD(pay_rec), key, &cur);
    Value sum = had ? num_add(I, cur, paid) : paid;
    sum.unit = unit_eur(I);
    record_set(I, AS_RECORD(pay_rec), key, sum);
    world_record_write(I, AS_RECORD(pay_rec), key, had ? cur : NIL_VAL, sum);
  }
  return paid;
}

/* paid(c) or paid(c, purpose): this year's payments to c. */
static Value f_paid(Interp *I, int argc, Value *args) {
  if (!IS_ENTITY(args[0])) interp_throw(I, "paid: expected a cluster, not %s", value_type_name(args[0]));
  Value total = INT_VAL(0);
  total.unit = unit_eur(I);
  ObjString *want = NULL;
  if (argc > 1) {
    want = lib_string_arg(I, "paid", args, 1);
    bool known = false;
    for (int k = 0; purposes[k]; k++) known |= strcmp(purposes[k], want->chars) == 0;
    if (!known)
      interp_throw(I, "paid: unknown purpose \"%s\" (operating, investment, internationalisation, scaleup or training)",
                   want->chars);
    want = str_copy(I, want->chars, want->length);
  }
  Value pr = field(I, AS_RECORD(args[0]), "payments");
  if (!IS_RECORD(pr)) return total;
  ObjRecord *r = AS_RECORD(pr);
  for (int i = 0; i < r->count; i++) {
    if (want && r->keys[i] != want) continue;
    total = num_add(I, total, r->values[i]);
    total.unit = unit_eur(I);
  }
  return total;
}

static Value f_ledger(Interp *I, int argc, Value *args) {
  if (!IS_SCENARIO(args[0])) interp_throw(I, "ledger: expected a scenario, not %s", value_type_name(args[0]));
  ObjScenario *s = AS_SCENARIO(args[0]);
  if (!s->has_run) interp_throw(I, "ledger: scenario %s has not been run yet (use run %s)", s->name->chars, s->name->chars);
  ObjList *l = list_new(I);
  for (int i = 0; i < s->ledger->items.count; i++) list_append(I, l, s->ledger->items.items[i]);
  return OBJ_VAL(l);
}

static Value f_active(Interp *I, int argc, Value *args) {
  if (!IS_RECORD(args[0])) interp_throw(I, "active: expected a fund or partnership, not %s", value_type_name(args[0]));
  Value years = field(I, AS_RECORD(args[0]), "years");
  if (IS_NIL(years)) return BOOL_VAL(true); /* no years: always active */
  return BOOL_VAL(in_range(years, I->current_year));
}

static Value f_contains(Interp *I, int argc, Value *args) {
  if (IS_RANGE(args[0])) {
    int64_t n;
    return BOOL_VAL(num_is(args[1]) && num_to_int64(args[1], &n) && in_range(args[0], n));
  }
  ObjList *l = lib_list_arg(I, "contains", args, 0);
  for (int i = 0; i < l->items.count; i++)
    if (value_equal(l->items.items[i], args[1])) return BOOL_VAL(true);
  return BOOL_VAL(false);
}

static Value f_clusters(Interp *I, int argc, Value *args) { return entity_list(I, KIND_CLUSTER); }
static Value f_regions(Interp *I, int argc, Value *args) { return entity_list(I, KIND_REGION); }
static Value f_programmes(Interp *I, int argc, Value *args) { return entity_list(I, KIND_PROGRAMME); }
static Value f_funds(Interp *I, int argc, Value *args) { return entity_list(I, KIND_FUND); }
static Value f_partnerships(Interp *I, int argc, Value *args) { return entity_list(I, KIND_PARTNERSHIP); }

/* ---- reading results ---------------------------------------------------------------- */

static ObjScenario *run_scenario_arg(Interp *I, const char *fn, Value v) {
  if (!IS_SCENARIO(v)) interp_throw(I, "%s: expected a scenario, not %s", fn, value_type_name(v));
  ObjScenario *s = AS_SCENARIO(v);
  if (!s->has_run) interp_throw(I, "%s: scenario %s has not been run yet (use run %s)", fn, s->name->chars, s->name->chars);
  return s;
}

bool world_get_field(Interp *I, Value obj, ObjString *name, Value *out) {
  if (IS_SCENARIO(obj)) {
    ObjScenario *s = AS_SCENARIO(obj);
    if (strcmp(name->chars, "name") == 0) {
      *out = OBJ_VAL(s->name);
      return true;
    }
    if (!s->has_run)
      interp_throw(I, "scenario %s has not been run yet (use run %s)", s->name->chars, s->name->chars);
    if (strcmp(name->chars, "params") == 0 && s->params && !record_get(s->results, name, out)) {
      *out = OBJ_VAL(s->params);
      return true;
    }
    if (record_get(s->results, name, out)) return true;
    interp_throw(I, "scenario %s has no results for '%s' (entities are named as declared; 'total' sums the clusters)",
                 s->name->chars, name->chars);
  }
  if (IS_SERIES(obj)) {
    ObjSeries *s = AS_SERIES(obj);
    if (s->stats && record_get(s->stats, name, out)) return true;
    if (strcmp(name->chars, "mean") == 0) {
      *out = obj;
      return true;
    }
    interp_throw(I, "a series has no field '%s'; index it by year, as in series[2030]%s", name->chars,
                 s->stats ? ", or use .mean .p5 .p50 .p95" : "");
  }
  return false;
}

bool world_get_index(Interp *I, Value obj, Value idx, Value *out) {
  if (!IS_SERIES(obj)) return false;
  ObjSeries *s = AS_SERIES(obj);
  int64_t y;
  if (!num_is(idx) || !num_to_int64(idx, &y))
    interp_throw(I, "a series is indexed by a year, such as [2030]");
  int64_t last = s->first_year + s->values.count - 1;
  if (y < s->first_year || y > last)
    interp_throw(I, "year %lld is outside this series (%lld..%lld)", (long long)y, (long long)s->first_year,
                 (long long)last);
  *out = s->values.items[y - s->first_year];
  return true;
}

void world_print(Interp *I, Buffer *b, Value v) {
  if (IS_SCENARIO(v)) {
    buf_printf(b, "<scenario %s%s>", AS_SCENARIO(v)->name->chars, AS_SCENARIO(v)->has_run ? ", run" : "");
    return;
  }
  ObjSeries *s = AS_SERIES(v);
  buf_putc(b, '{');
  for (int i = 0; i < s->values.count; i++) {
    if (i) buf_puts(b, ", ");
    buf_printf(b, "%lld: ", (long long)(s->first_year + i));
    value_print(I, b, s->values.items[i], true);
  }
  buf_putc(b, '}');
}

/* The series at path "X.members.sme" of a run scenario. */
static ObjSeries *series_at(Interp *I, ObjScenario *s, const char *path) {
  char buf[512];
  snprintf(buf, sizeof buf, "%s", path);
  Value cur = OBJ_VAL(s->results);
  char *save = NULL;
  for (char *part = strtok_r(buf, ".", &save); part; part = strtok_r(NULL, ".", &save)) {
    if (!IS_RECORD(cur) || !record_get(AS_RECORD(cur), str_new(I, part), &cur))
      interp_throw(I, "scenario %s has no results for '%s'", s->name->chars, path);
  }
  if (!IS_SERIES(cur)) interp_throw(I, "'%s' is not a numeric field of scenario %s", path, s->name->chars);
  return AS_SERIES(cur);
}

/* Numbers as people read them in tables: 2.50M, 150.0k, 33.3%. */
static void human(Interp *I, Buffer *b, Value v) {
  if (!num_is(v)) {
    value_print(I, b, v, false);
    return;
  }
  double d = num_to_double(v);
  double a = fabs(d);
  if (isnan(d) || isinf(d)) buf_printf(b, "%g", d);
  else if (a >= 1e9) buf_printf(b, "%.2fbn", d / 1e9);
  else if (a >= 1e6) buf_printf(b, "%.2fM", d / 1e6);
  else if (a >= 1e4) buf_printf(b, "%.1fk", d / 1e3);
  else if (a >= 100 || d == floor(d)) buf_printf(b, "%.0f", d);
  else buf_printf(b, "%.2f", d);
}

static Value f_compare(Interp *I, int argc, Value *args) {
  ObjList *scen = AS_LIST(args[0]);
  ObjList *paths = AS_LIST(args[1]);
  int n = scen->items.count;
  ObjScenario *ss[64];
  if (n > 64) interp_throw(I, "compare: at most 64 scenarios at once");
  for (int i = 0; i < n; i++) ss[i] = run_scenario_arg(I, "compare", scen->items.items[i]);
  Buffer out;
  buf_init(&out);
  for (int p = 0; p < paths->items.count; p++) {
    const char *path = AS_CSTRING(paths->items.items[p]);
    ObjSeries *se[64];
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    UnitId unit = UNIT_NONE;
    for (int i = 0; i < n; i++) {
      se[i] = series_at(I, ss[i], path);
      if (se[i]->first_year < lo) lo = se[i]->first_year;
      if (se[i]->first_year + se[i]->values.count - 1 > hi) hi = se[i]->first_year + se[i]->values.count - 1;
      for (int k = 0; k < se[i]->values.count; k++)
        if (num_is(se[i]->values.items[k])) unit = se[i]->values.items[k].unit;
    }
    buf_printf(&out, "%s", path);
    if (unit != UNIT_NONE) {
      buf_puts(&out, " (");
      unit_format(&I->units, &out, unit);
      buf_putc(&out, ')');
    }
    buf_putc(&out, '\n');
    buf_printf(&out, "  %-6s", "year");
    for (int i = 0; i < n; i++) buf_printf(&out, " %12.12s", ss[i]->name->chars);
    for (int i = 1; i < n; i++) {
      char head[40];
      snprintf(head, sizeof head, "%.10s-%.10s", ss[i]->name->chars, ss[0]->name->chars);
      buf_printf(&out, " %21.21s", head);
    }
    buf_putc(&out, '\n');
    for (int64_t y = lo; y <= hi; y++) {
      buf_printf(&out, "  %-6lld", (long long)y);
      Value vals[64];
      for (int i = 0; i < n; i++) {
        int64_t k = y - se[i]->first_year;
        vals[i] = (k >= 0 && k < se[i]->values.count) ? se[i]->values.items[k] : NIL_VAL;
        Buffer c;
        buf_init(&c);
        if (IS_NIL(vals[i])) buf_puts(&c, "-");
        else human(I, &c, vals[i]);
        buf_printf(&out, " %12s", c.data);
        buf_free(&c);
      }
      for (int i = 1; i < n; i++) {
        Buffer c;
        buf_init(&c);
        if (num_is(vals[0]) && num_is(vals[i]) && vals[0].unit == vals[i].unit) {
          Value d = num_sub(I, vals[i], vals[0]);
          double base = num_to_double(vals[0]);
          if (!is_zero(d)) buf_putc(&c, num_cmp(I, d, INT_VAL(0)) > 0 ? '+' : '-');
          human(I, &c, num_abs(I, d));
          buf_printf(&out, " %12s", c.data);
          if (base != 0) buf_printf(&out, " %+7.1f%%", 100.0 * num_to_double(d) / fabs(base));
          else buf_printf(&out, " %8s", "");
        } else {
          buf_printf(&out, " %12s %8s", "-", "");
        }
        buf_free(&c);
      }
      buf_putc(&out, '\n');
    }
  }
  fputs(out.data, I->out);
  fflush(I->out);
  buf_free(&out);
  return NIL_VAL;
}

/* why(S, "X.f.g", year, print): the value the year before, each rule's
 * contribution that year, the value after.  Contributions are exact
 * differences of the values each write replaced (exact(new) - exact(old)),
 * so they add up exactly: before + sum == after, with before and after
 * given exactly too.  A change made outside rules (by the core's payments)
 * is shown as its own line so that the sum still holds. */
static Value f_why(Interp *I, int argc, Value *args) {
  ObjScenario *s = run_scenario_arg(I, "why", args[0]);
  const char *path = AS_CSTRING(args[1]);
  int64_t year;
  if (!num_is(args[2]) || !num_to_int64(args[2], &year)) interp_throw(I, "why: the year must be a whole number");
  bool print = IS_BOOL(args[3]) && args[3].as.b;
  /* a scenario of several runs explains its first run (the one with a write log) */
  ObjRecord *res = s->results;
  if (s->first_results) s->results = s->first_results;
  ObjSeries *se = series_at(I, s, path);
  s->results = res;
  if (year <= se->first_year || year >= se->first_year + se->values.count)
    interp_throw(I, "why: %s has no change to explain in %lld (it runs %lld..%lld; the first year is the declared data)",
                 path, (long long)year, (long long)se->first_year,
                 (long long)(se->first_year + se->values.count - 1));
  Value before = se->values.items[year - 1 - se->first_year];
  Value after = se->values.items[year - se->first_year];
  if (!num_is(before) || !num_is(after)) interp_throw(I, "why: %s has no value in %lld", path, (long long)(year - 1));
  UnitId unit = after.unit;
  /* split "X.members.sme" into the entity and the field path */
  const char *dot = strchr(path, '.');
  if (!dot) interp_throw(I, "why: give an entity and a field, as in S.X.jobs[2030]");
  char ename[256], fpath[256];
  snprintf(ename, sizeof ename, "%.*s", (int)(dot - path), path);
  snprintf(fpath, sizeof fpath, "%s", dot + 1);
  int nrules = s->rule_names->items.count;
  Value *sums = calloc((size_t)nrules + 1, sizeof(Value));
  bool *touched = calloc((size_t)nrules + 1, sizeof(bool));
  if (!sums || !touched) {
    fputs("clusim: out of memory\n", stderr);
    exit(1);
  }
  ObjList *contributions = list_new(I);
  Value ex_before = num_exact(I, before), ex_after = num_exact(I, after);
  Value total = INT_VAL(0);
  for (int i = 0; i < s->nwrites; i++) {
    WriteEntry *w = &s->writes[i];
    if (w->year != year) continue;
    if (strcmp(ename, "total") == 0 ? w->entity->kind != KIND_CLUSTER : strcmp(entity_name(I, w->entity), ename) != 0)
      continue;
    char full[300];
    if (w->prefix) snprintf(full, sizeof full, "%s.%s", w->prefix->chars, w->key->chars);
    else snprintf(full, sizeof full, "%s", w->key->chars);
    if (strcmp(full, fpath) != 0) continue;
    if (!num_is(w->before) || !num_is(w->after) || num_is(w->before) != num_is(w->after)) continue;
    Value d = num_sub(I, num_exact(I, w->after), num_exact(I, w->before));
    int r = w->rule >= 0 && w->rule < nrules ? w->rule : nrules;
    sums[r] = touched[r] ? num_add(I, sums[r], d) : d;
    touched[r] = true;
    total = num_add(I, total, d);
  }
  for (int r = 0; r <= nrules; r++) {
    if (!touched[r]) continue;
    ObjRecord *c = record_new(I);
    set_field(I, c, "rule", r < nrules ? s->rule_names->items.items[r] : OBJ_VAL(str_new(I, "(outside rules)")));
    Value a = sums[r];
    a.unit = unit;
    set_field(I, c, "amount", a);
    list_append(I, contributions, OBJ_VAL(c));
  }
  Value rest = num_sub(I, num_sub(I, ex_after, ex_before), total);
  if (!is_zero(rest)) {
    ObjRecord *c = record_new(I);
    set_field(I, c, "rule", OBJ_VAL(str_new(I, "(outside rules)")));
    rest.unit = unit;
    set_field(I, c, "amount", rest);
    list_append(I, contributions, OBJ_VAL(c));
  }
  free(sums);
  free(touched);
  res = record_new(I);
  ex_before.unit = unit;
  ex_after.unit = unit;
  set_field(I, res, "before", ex_before);
  set_field(I, res, "after", ex_after);
  set_field(I, res, "contributions", OBJ_VAL(contributions));
  if (print) {
    Buffer b, v;
    buf_init(&b);
    buf_init(&v);
    buf_printf(&b, "why %s.%s[%lld]%s\n", s->name->chars, path, (long long)year,
               s->first_results ? " (the first of the scenario's runs)" : "");
    char label[64];
    snprintf(label, sizeof label, "%lld (before)", (long long)(year - 1));
    value_print(I, &v, before, false);
    buf_printf(&b, "  %-30s %s\n", label, v.data);
    for (int i = 0; i < contributions->items.count; i++) {
      ObjRecord *c = AS_RECORD(contributions->items.items[i]);
      Value a = field(I, c, "amount");
      /* contributions are exact; long fractions are shown to 12 decimals */
      Value shown = a;
      if (!num_eq(num_round(I, a, 12, ROUND_HALF_EVEN), a)) {
        shown = num_round(I, a, 12, ROUND_HALF_EVEN);
        shown.unit = a.unit;
      }
      buf_clear(&v);
      if (num_cmp(I, a, INT_VAL(0)) >= 0) buf_putc(&v, '+');
      value_print(I, &v, shown, false);
      buf_printf(&b, "  %-30s %s\n", AS_CSTRING(field(I, c, "rule")), v.data);
    }
    snprintf(label, sizeof label, "%lld (after)", (long long)year);
    buf_clear(&v);
    value_print(I, &v, after, false);
    buf_printf(&b, "  %-30s %s\n", label, v.data);
    fputs(b.data, I->out);
    fflush(I->out);
    buf_free(&v);
    buf_free(&b);
  }
  return OBJ_VAL(res);
}

typedef struct {
  Value fn;
  Value *args;
  Value result;
} AuditJob;

static void audit_job(Interp *I, void *ud) {
  AuditJob *job = ud;
  job->result = vm_call(I, job->fn, 2, job->args);
}

/* %audit(S, print): the state-aid audit (stdlib/stateaid.clu), run with
 * the params that S's scenario `set` (so a scenario's own thresholds count;
 * every other threshold is the current one, so a law changed after the run
 * applies); the params are put back afterwards, error or not. */
static Value f_audit(Interp *I, int argc, Value *args) {
  ObjScenario *s = run_scenario_arg(I, "audit", args[0]);
  int fg = global_find(I, str_new(I, "state_aid_audit"));
  if ((fg < 0 || !lib_is_callable(I->globals[fg])) && interp_autoload(I, "state_aid_audit"))
    fg = global_find(I, str_new(I, "state_aid_audit"));
  if (fg < 0 || !lib_is_callable(I->globals[fg]))
    interp_throw(I, "audit: the state-aid audit (stdlib/stateaid.clu) is not loaded");
  SavedGlobals saved = {0};
  ObjRecord *sets = s->set_params;
  for (int i = 0; sets && i < sets->count; i++) {
    int g = global_find(I, sets->keys[i]);
    if (g < 0) continue;
    save_global(&saved, I, g);
    I->globals[g] = sets->values[i];
  }
  AuditJob job = {I->globals[fg], args, NIL_VAL};
  bool ok = interp_pcall(I, audit_job, &job);
  for (int i = 0; i < saved.count; i++) I->globals[saved.items[i].g] = saved.items[i].v;
  free(saved.items);
  if (!ok) interp_rethrow(I);
  return job.result;
}

/* ---- export --------------------------------------------------------------------------- */

static void csv_number(Interp *I, Buffer *b, Value v) {
  if (!num_is(v)) return;
  Value plain = v;
  plain.unit = UNIT_NONE;
  Buffer t;
  buf_init(&t);
  num_format(I, &t, plain);
  if (strchr(t.data, '/')) { /* a rational that does not terminate: 15 significant digits */
    buf_clear(&t);
    buf_printf(&t, "%.15g", num_to_double(plain));
  }
  buf_puts(b, t.data);
  buf_free(&t);
}

static void export_record(Interp *I, Buffer *b, ObjScenario *s, const char *entity, const char *prefix,
                          ObjRecord *r) {
  for (int i = 0; i < r->count; i++) {
    char path[400];
    if (prefix) snprintf(path, sizeof path, "%s.%s", prefix, r->keys[i]->chars);
    else snprintf(path, sizeof path, "%s", r->keys[i]->chars);
    Value v = r->values[i];
    if (IS_RECORD(v)) {
      export_record(I, b, s, entity, path, AS_RECORD(v));
    } else if (IS_SERIES(v)) {
      ObjSeries *se = AS_SERIES(v);
      for (int k = 0; k < se->values.count; k++) {
        if (!num_is(se->values.items[k])) continue;
        buf_printf(b, "%s,%lld,%s,%s,", s->name->chars, (long long)(se->first_year + k), entity, path);
        csv_number(I, b, se->values.items[k]);
        buf_putc(b, '\n');
      }
    }
  }
}

static Value f_export(Interp *I, int argc, Value *args) {
  ObjScenario *s = run_scenario_arg(I, "export", args[0]);
  if (!IS_STRING(args[1])) interp_throw(I, "export: the file name must be a string, such as \"results.csv\"");
  const char *path = AS_CSTRING(args[1]);
  Buffer b;
  buf_init(&b);
  buf_puts(&b, "scenario,year,entity,field,value\n");
  for (int i = 0; i < s->results->count; i++) {
    Value v = s->results->values[i];
    if (IS_RECORD(v)) export_record(I, &b, s, s->results->keys[i]->chars, NULL, AS_RECORD(v));
  }
  const char *why = lib_write_file(path, b.data, b.len);
  buf_free(&b);
  if (why) interp_throw(I, "export: cannot write '%s': %s", path, why);
  return NIL_VAL;
}

/* ---- listing for the prompt -------------------------------------------------------------- */

void world_list(Interp *I, FILE *out, const char *what) {
  Buffer b;
  buf_init(&b);
  if (strcmp(what, "params") == 0) {
    interp_autoload_all(I);
    if (I->params->items.count == 0) buf_puts(&b, "no params declared\n");
    for (int i = 0; i < I->params->items.count; i++) {
      ObjRecord *p = AS_RECORD(I->params->items.items[i]);
      buf_printf(&b, "  %-34s ", AS_CSTRING(field(I, p, "name")));
      Buffer v;
      buf_init(&v);
      value_print(I, &v, field(I, p, "default"), false);
      buf_printf(&b, "%-22s %s\n", v.data, IS_STRING(field(I, p, "doc")) ? AS_CSTRING(field(I, p, "doc")) : "");
      buf_free(&v);
    }
  } else if (strcmp(what, "rules") == 0) {
    if (I->rules->items.count == 0) buf_puts(&b, "no rules declared\n");
    for (int i = 0; i < I->rules->items.count; i++)
      buf_printf(&b, "  %d. %s\n", i + 1, AS_CSTRING(field(I, AS_RECORD(I->rules->items.items[i]), "name")));
  } else {
    bool any = false;
    for (int k = KIND_REGION; k < KIND_COUNT; k++) {
      ObjList *l = I->base_world->entities[k];
      if (l->items.count == 0) continue;
      any = true;
      buf_printf(&b, "%ss:", kind_names[k]);
      for (int i = 0; i < l->items.count; i++) {
        ObjRecord *e = AS_RECORD(l->items.items[i]);
        if (k == KIND_FUND)
          buf_printf(&b, "%s %s -> %s (%s)", i ? "," : "", entity_name(I, AS_RECORD(field(I, e, "programme"))),
                     entity_name(I, AS_RECORD(field(I, e, "recipient"))), AS_CSTRING(field(I, e, "purpose")));
        else buf_printf(&b, " %s", entity_name(I, e));
      }
      buf_putc(&b, '\n');
    }
    if (I->scenarios->items.count) {
      any = true;
      buf_puts(&b, "scenarios:");
      for (int i = 0; i < I->scenarios->items.count; i++)
        buf_printf(&b, " %s", AS_SCENARIO(I->scenarios->items.items[i])->name->chars);
      buf_putc(&b, '\n');
    }
    if (!any) buf_puts(&b, "the world is empty: declare regions, clusters, programmes and funds\n");
  }
  fputs(b.data, out);
  buf_free(&b);
}

/* ---- set-up ----------------------------------------------------------------------------------- */

void world_init(Interp *I) {
  I->base_world = world_alloc(I);
  I->world = I->base_world;
  I->params = list_new(I);
  I->rules = list_new(I);
  I->scenarios = list_new(I);
  I->current_rule = -1;
  I->running = NULL;
  I->applying = NULL;
}

void world_free(Interp *I) {
  free_world(I->base_world);
  I->base_world = I->world = NULL;
}

void world_open_lib(Interp *I) {
  /* called by the compiled declarations: names users cannot type */
  lib_register(I, "%entity", f_entity, 3, 3, NULL);
  lib_register(I, "%fund", f_fund, 3, 3, NULL);
  lib_register(I, "%param", f_param, 3, 3, NULL);
  lib_register(I, "%rule", f_rule, 3, 3, NULL);
  lib_register(I, "%scenario", f_scenario, 3, 3, NULL);
  lib_register(I, "%scenario_field", f_scenario_field, 2, 2, NULL);
  lib_register(I, "%set", f_set, 2, 2, NULL);
  lib_register(I, "%run", f_run, 1, 1, NULL);
  lib_register(I, "%compare", f_compare, 2, 2, NULL);
  lib_register(I, "%why", f_why, 4, 4, NULL);
  lib_register(I, "%export", f_export, 2, 2, NULL);
  lib_register(I, "%audit", f_audit, 2, 2, NULL);
  lib_register(I, "clusters", f_clusters, 0, 0, "clusters(): the declared clusters, in order (in a run: the run's)");
  lib_register(I, "regions", f_regions, 0, 0, "regions(): the declared regions, in order");
  lib_register(I, "programmes", f_programmes, 0, 0, "programmes(): the declared programmes, in order");
  lib_register(I, "funds", f_funds, 0, 0, "funds(): the declared funds, in order");
  lib_register(I, "partnerships", f_partnerships, 0, 0, "partnerships(): the declared partnerships, in order");
  lib_register(I, "ledger", f_ledger, 1, 1,
               "ledger(S): the payments of run scenario S as records (year, programme, recipient, purpose, amount...)");
  lib_register(I, "pay", f_pay, 1, 1,
               "pay(f): in a rule, pay fund f's amount for this year from its programme's envelope; returns what was paid");
  lib_register(I, "paid", f_paid, 1, 2, "paid(c) or paid(c, purpose): this year's payments to c, in EUR");
  lib_register(I, "active", f_active, 1, 1, "active(x): whether fund or partnership x runs in the current year");
  lib_register(I, "contains", f_contains, 2, 2, "contains(xs, v): whether list or range xs holds v");
  global_define(I, "current_year", INT_VAL(0), GLOBAL_VAR, "the year being simulated, inside rules");
}
