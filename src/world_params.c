/* world_params.c - the model's params: `param NAME = VALUE in LOW..HIGH
 * "doc"` and its bounds, checked on every value a param takes (its
 * default, a scenario's `set`, an assignment); `set`; and what
 * declarations read of params, so that a `set` a declaration no longer
 * sees warns. */
#include <string.h>

#include "format.h"
#include "lib.h"
#include "num.h"
#include "vm.h"
#include "world.h"
#include "world_results.h"

/* ---- params and their bounds -------------------------------------------------
 *
 * A param may declare the range of values that make sense for it,
 * `param growth_rate = 10% in 0%..100% "..."`: its record then has `low`
 * and `high` (numbers with the default's unit), and every value it takes -
 * the default, a scenario's `set`, an assignment (the core's param_write
 * hook) - must lie between them, both included. */

/* The record of the param called `name`, or NULL. */
static ObjRecord *param_record(Interp *I, ObjString *name) {
  ObjList *ps = I->world->params;
  for (int i = 0; i < ps->items.count; i++) {
    ObjRecord *p = AS_RECORD(ps->items.items[i]);
    if (AS_STRING(world_field(I, p, "name")) == name) return p;
  }
  return NULL;
}

bool world_param_share(Interp *I, ObjString *name) {
  ObjRecord *p = param_record(I, name);
  Value v = p ? world_field(I, p, "share") : NIL_VAL;
  return IS_BOOL(v) && v.as.b;
}

/* A param's value as people read it (format.h), a share as a percentage. */
static ObjString *for_people(Interp *I, Value v, bool share) {
  Buffer b;
  buf_init(&b);
  format_value(I, &b, v, FORMAT_YEARS | (share ? FORMAT_SHARE : 0));
  ObjString *s = str_new(I, b.data);
  buf_free(&b);
  return s;
}

/* Whether v lies within the bounds of param p (true when it has none). */
static bool within_bounds(Interp *I, ObjRecord *p, Value v) {
  Value lo = world_field(I, p, "low"), hi = world_field(I, p, "high");
  if (IS_NIL(lo)) return true;
  if (!num_is(v) || v.unit != lo.unit) return false;
  int above = num_cmp(I, v, lo), below = num_cmp(I, v, hi); /* 2: unordered, a NaN */
  return (above == 0 || above == 1) && (below == 0 || below == -1);
}

/* An error unless v lies within the bounds of param p; `how` says where
 * the value comes from ("set growth_rate", "param growth_rate") and `what`
 * what it is ("", "the default "). */
static void check_bounds(Interp *I, ObjRecord *p, Value v, const char *how, const char *what) {
  if (within_bounds(I, p, v)) return;
  Value lo = world_field(I, p, "low"), hi = world_field(I, p, "high");
  ObjString *vs = world_printed(I, v), *los = world_printed(I, lo), *his = world_printed(I, hi);
  if (!num_is(v) || v.unit != lo.unit) {
    Buffer b;
    buf_init(&b);
    ObjString *want = str_new(I, world_unit_text(I, lo.unit, &b));
    buf_free(&b);
    interp_throw(I, "%s: %s%s must be a number in %s, like its bounds %s..%s", how, what, vs->chars, want->chars,
                 los->chars, his->chars);
  }
  /* 10 meant as 10%: say so when v/100 fits (a whole number typed, not drawn) */
  const char *hint = "";
  int64_t whole;
  if (num_to_int64(v, &whole) && v.unit == UNIT_NONE && lo.unit == UNIT_NONE) {
    Value pc = num_div(I, v, INT_VAL(100));
    if (within_bounds(I, p, pc))
      hint = str_printf(I, " (did you mean %s%%?)", vs->chars)->chars;
  }
  ObjScenario *s = I->world->applying;
  if (s && s->runs > 1)
    interp_throw(I, "%s: %s%s is outside its bounds %s..%s%s, in run %lld of scenario %s (a random draw? keep it "
                    "within them, e.g. with max and min)",
                 how, what, vs->chars, los->chars, his->chars, hint, (long long)s->run_index + 1, s->name->chars);
  interp_throw(I, "%s: %s%s is outside its bounds %s..%s%s", how, what, vs->chars, los->chars, his->chars, hint);
}

void world_check_param_bounds(Interp *I, ObjString *name, Value v, const char *how) {
  ObjRecord *p = param_record(I, name);
  if (p) check_bounds(I, p, v, how, "");
}

/* The core's hook on an assignment to a param (`growth_rate = 12%`). */
static void param_write(Interp *I, int g, Value v) {
  ObjRecord *p = param_record(I, I->global_names[g]);
  if (p) check_bounds(I, p, v, str_printf(I, "param %s", I->global_names[g]->chars)->chars, "");
}

/* %param(name, default, doc, low, high): low and high are nil without bounds */
static Value f_param(Interp *I, int argc, Value *args) {
  ObjString *name = AS_STRING(args[0]);
  ObjList *ps = I->world->params;
  ObjRecord *p = record_new(I);
  world_set_field(I, p, "name", args[0]);
  world_set_field(I, p, "default", args[1]);
  world_set_field(I, p, "doc", args[2]);
  bool share = argc > 5 && IS_BOOL(args[5]) && args[5].as.b; /* declared in percent */
  world_set_field(I, p, "share", BOOL_VAL(share));
  Value lo = args[3], hi = args[4], def = args[1];
  if (!IS_NIL(lo) || !IS_NIL(hi)) {
    if (!num_is(def))
      interp_throw(I, "param %s: only a number can have bounds, not %s", name->chars, value_type_name(def));
    for (int i = 0; i < 2; i++) {
      Value b = i ? hi : lo;
      if (!num_is(b) || b.unit != def.unit) {
        Buffer x, y;
        buf_init(&x);
        buf_init(&y);
        ObjString *want = str_new(I, world_unit_text(I, def.unit, &x));
        ObjString *got = str_new(I, num_is(b) ? world_unit_text(I, b.unit, &y) : value_type_name(b));
        buf_free(&x);
        buf_free(&y);
        interp_throw(I, "param %s: its %s bound must be a number in %s, like its default, not %s", name->chars,
                     i ? "upper" : "lower", want->chars, got->chars);
      }
    }
    if (num_cmp(I, lo, hi) > 0) /* 2 (a NaN) too */
      interp_throw(I, "param %s: the bounds %s..%s are empty (the lower one comes first)", name->chars,
                   world_printed(I, lo)->chars, world_printed(I, hi)->chars);
    world_set_field(I, p, "low", lo);
    world_set_field(I, p, "high", hi);
    check_bounds(I, p, def, str_printf(I, "param %s", name->chars)->chars, "the default ");
  }
  bool replaced = false;
  for (int i = 0; i < ps->items.count; i++)
    if (AS_STRING(world_field(I, AS_RECORD(ps->items.items[i]), "name")) == name) {
      ps->items.items[i] = OBJ_VAL(p);
      replaced = true;
    }
  if (!replaced) list_append(I, ps, OBJ_VAL(p));
  const char *doc = IS_STRING(args[2]) ? AS_CSTRING(args[2]) : "a model parameter";
  if (!IS_NIL(lo))
    doc = str_printf(I, "%s; from %s to %s", doc, for_people(I, lo, share)->chars, for_people(I, hi, share)->chars)->chars;
  global_define(I, name->chars, args[1], GLOBAL_PARAM, doc);
  return NIL_VAL;
}

/* ---- what declarations read of params ------------------------------------------
 *
 * `fund P -> A { amount: budget }` takes the value budget has when the
 * declaration runs; a `set budget = ...` after it (a child scenario's, a
 * later line of the same body, a sweep's case over a declaration of the
 * base world) changes what the rules read but not the fund's amount.  That
 * is the language's order (a scenario applies its parent's body, then its
 * own), but a number that silently stays where it was is the worst kind of
 * answer, so the compiler passes each declaration the names its fields
 * read (a 4th argument of %fund and %entity), the declaration notes the
 * params among them with their values (WorldState.param_reads), and a
 * `set` of such a param to another value warns, naming the declaration and
 * what it keeps. */

static ObjString *declaration_text(Interp *I, Value e) {
  ObjRecord *r = AS_RECORD(e);
  if (r->tag == KIND_FUND)
    return str_printf(I, "fund %s -> %s", world_entity_name(I, AS_RECORD(world_field(I, r, "programme"))),
                      world_entity_name(I, AS_RECORD(world_field(I, r, "recipient"))));
  return str_printf(I, "%s %s", world_kind_names[r->tag], world_entity_name(I, r));
}

/* Note the params among `names` (strings, or nil: none) that declaration
 * e read, in place of what an earlier declaration it replaced read. */
void world_note_param_reads(Interp *I, Value e, Value names) {
  if (!IS_ENTITY(e)) return;
  ValueArray *reads = &I->world->param_reads->items;
  int kept = 0;
  for (int i = 0; i < reads->count; i++)
    if (world_field(I, AS_RECORD(reads->items[i]), "entity").as.o != e.as.o) reads->items[kept++] = reads->items[i];
  reads->count = kept;
  if (!IS_LIST(names)) return;
  ObjList *l = AS_LIST(names);
  for (int i = 0; i < l->items.count; i++) {
    ObjString *name = AS_STRING(l->items.items[i]);
    int g = global_find(I, name);
    if (g < 0 || I->global_kinds[g] != GLOBAL_PARAM) continue;
    ObjRecord *r = record_new(I);
    list_append(I, I->world->param_reads, OBJ_VAL(r));
    world_set_field(I, r, "entity", e);
    world_set_field(I, r, "param", OBJ_VAL(name));
    world_set_field(I, r, "value", I->globals[g]);
    world_set_field(I, r, "what", OBJ_VAL(declaration_text(I, e)));
    world_set_field(I, r, "line", INT_VAL(vm_current_line(I)));
  }
}

static bool in_world(Interp *I, ObjRecord *e) {
  ObjList *l = I->world->entities[e->tag];
  for (int i = 0; i < l->items.count; i++)
    if (AS_RECORD(l->items.items[i]) == e) return true;
  return false;
}

/* Before `set name = v`: warn if declarations still in the world read the
 * param with another value, naming the first three (a scenario of several
 * runs warns in its first run only). */
static void warn_declared_with(Interp *I, ObjString *name, Value v) {
  ObjScenario *s = I->world->applying;
  if (s && s->run_index > 0) return;
  ObjList *reads = I->world->param_reads;
  Buffer list;
  buf_init(&list);
  int found = 0;
  for (int i = 0; i < reads->items.count; i++) {
    ObjRecord *r = AS_RECORD(reads->items.items[i]);
    Value was = world_field(I, r, "value");
    if (AS_STRING(world_field(I, r, "param")) != name || (was.tag == v.tag && value_equal(was, v)) ||
        !in_world(I, AS_RECORD(world_field(I, r, "entity"))))
      continue;
    if (found++ >= 3) continue;
    buf_printf(&list, "%s%s (line %lld) ", found > 1 ? ", " : "", AS_CSTRING(world_field(I, r, "what")),
               (long long)world_field(I, r, "line").as.i);
    format_number(I, &list, was);
  }
  if (found == 0) {
    buf_free(&list);
    return;
  }
  if (found > 3) buf_printf(&list, " and %d more", found - 3);
  ObjString *declared = str_take_buffer(I, &list);
  Buffer b;
  buf_init(&b);
  format_number(I, &b, v);
  ObjString *now = str_take_buffer(I, &b);
  interp_warn(I,
              "set %s = %s%s%s: what was declared with %s before it keeps the value it read: %s; a set changes what "
              "the rules read, not a declaration made before it (declare it after the set, or give the value itself)",
              name->chars, now->chars, s ? " in scenario " : "", s ? s->name->chars : "", name->chars,
              declared->chars);
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
    Buffer a, b;
    buf_init(&a);
    buf_init(&b);
    ObjString *want = str_new(I, world_unit_text(I, old.unit, &a));
    ObjString *got = str_new(I, world_unit_text(I, args[1].unit, &b));
    buf_free(&a);
    buf_free(&b);
    interp_throw(I, "set %s: the value must have the unit of its default (%s), not %s", name->chars, want->chars,
                 got->chars);
  }
  ObjRecord *p = param_record(I, name);
  if (p) check_bounds(I, p, args[1], str_printf(I, "set %s", name->chars)->chars, "");
  warn_declared_with(I, name, args[1]);
  if (I->world->body_sets && !I->world->setting_case) record_set(I, I->world->body_sets, name, BOOL_VAL(true));
  I->globals[g] = args[1];
  return NIL_VAL;
}

void world_params_open(Interp *I) {
  lib_register(I, "%param", f_param, 5, 6, NULL);
  I->host.param_write = param_write;
  lib_register(I, "%set", f_set, 2, 2, NULL);
}
