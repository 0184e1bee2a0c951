/* world_state.c - the world's state on the interpreter, its record classes,
 * its hooks into the core, and the helpers its modules share. */
#include "world.h"

#include <string.h>

#include "memory.h"
#include "num.h"
#include "world_results.h"

const char *const world_kind_names[KIND_COUNT] = {"record", "region", "cluster", "programme", "partnership",
                                                  "fund"};

/* ---- entities and their parts ----------------------------------------------- */

/* An entity prints as `cluster {name: "X", ...}`; inside another value, as
 * its kind and name alone: `<cluster X>`. */
static void entity_print(Interp *I, Buffer *b, ObjRecord *r, bool nested) {
  Value name;
  bool named = record_get(r, world_name(I, "name"), &name) && IS_STRING(name);
  const char *kind = world_kind_names[r->tag < KIND_COUNT ? r->tag : 0];
  if (nested) {
    if (named) buf_printf(b, "<%s %s>", kind, AS_CSTRING(name));
    else buf_printf(b, "<%s>", kind);
    return;
  }
  buf_printf(b, "%s ", kind);
  value_print_fields(I, b, r, 0);
}

/* Every write to an entity or a record nested in it.  A field the record
 * did not have (before is nil) must be one its schema knows: a misspelt
 * field in a rule is an error, not a new field nothing reads. */
static void part_write(Interp *I, ObjRecord *r, ObjString *key, Value before, Value after) {
  if (IS_NIL(before)) world_check_write(I, r, key);
  world_record_write(I, r, key, before, after);
}

const RecordClass world_entity_class = {"entity", true, entity_print, part_write};
const RecordClass world_part_class = {"record", false, NULL, part_write};

void world_mark_owned(Interp *I, ObjRecord *r, ObjRecord *owner, ObjString *path) {
  r->owner = owner;
  r->path = path;
  if (r != owner) r->cls = &world_part_class;
  for (int i = 0; i < r->count; i++) {
    Value v = r->values[i];
    if (IS_RECORD(v) && AS_RECORD(v)->tag == KIND_RECORD) {
      ObjString *p = path ? str_printf(I, "%s.%s", path->chars, r->keys[i]->chars) : r->keys[i];
      world_mark_owned(I, AS_RECORD(v), owner, p);
    }
  }
}

/* ---- fields, names and units -------------------------------------------------- */

/* The name cache's slot for `literal`, filled. */
static unsigned name_slot(Interp *I, const char *literal) {
  WorldState *w = I->world;
  unsigned slot = world_name_slot(literal);
  if (w->name_cache[slot].literal == literal) return slot;
  ObjString *s = str_new(I, literal);
  w->name_cache[slot].literal = literal;
  w->name_cache[slot].name = s;
  w->name_cache[slot].at = 0;
  return slot;
}

ObjString *world_name(Interp *I, const char *literal) { return I->world->name_cache[name_slot(I, literal)].name; }

/* world_field (world.h) when the field is not where it was last time. */
Value world_field_find(Interp *I, ObjRecord *r, const char *literal) {
  unsigned slot = name_slot(I, literal);
  ObjString *key = I->world->name_cache[slot].name;
  int at = I->world->name_cache[slot].at;
  if (at < r->count && r->keys[at] == key) return r->values[at];
  at = record_find(r, key);
  if (at < 0) return NIL_VAL;
  I->world->name_cache[slot].at = at;
  return r->values[at];
}

void world_set_field(Interp *I, ObjRecord *r, const char *literal, Value v) {
  record_set(I, r, world_name(I, literal), v);
}

const char *world_entity_name(Interp *I, ObjRecord *e) {
  Value n = world_field(I, e, "name");
  return IS_STRING(n) ? AS_CSTRING(n) : "?";
}

/* The units of money, looked up by name once (a unit's id never changes). */
UnitId world_eur(Interp *I) {
  WorldState *w = I->world;
  if (!w->eur) {
    UnitId u = UNIT_NONE;
    if (unit_lookup(&I->units, "EUR", &u)) w->eur = u;
    return u;
  }
  return w->eur;
}

UnitId world_eur_per_year(Interp *I) {
  WorldState *w = I->world;
  if (!w->eur_per_year) {
    UnitId year = UNIT_NONE;
    if (!unit_lookup(&I->units, "year", &year)) return unit_div(I, &I->units, world_eur(I), year);
    w->eur_per_year = unit_div(I, &I->units, world_eur(I), year);
  }
  return w->eur_per_year;
}

ObjString *world_printed(Interp *I, Value v) {
  Buffer b;
  buf_init(&b);
  value_print(I, &b, v, true);
  return str_take_buffer(I, &b); /* frees b, even when it raises */
}

const char *world_unit_text(Interp *I, UnitId u, Buffer *b) {
  buf_clear(b);
  if (u == UNIT_NONE) buf_puts(b, "a plain number");
  else unit_format(&I->units, b, u);
  return b->data;
}

bool world_is_zero(Value v) { return num_is(v) && num_eq(v, INT_VAL(0)); }

/* ---- hooks into the core -------------------------------------------------------- */

static void world_mark(Interp *I) {
  WorldState *w = I->world;
  for (int k = 0; k < KIND_COUNT; k++) gc_mark_obj(I, (Obj *)w->entities[k]);
  gc_mark_obj(I, (Obj *)w->params);
  gc_mark_obj(I, (Obj *)w->rules);
  gc_mark_obj(I, (Obj *)w->scenarios);
  table_mark(I, &w->entity_index);
  gc_mark_obj(I, (Obj *)w->cluster_schema);
  gc_mark_obj(I, (Obj *)w->cluster_declared);
  gc_mark_obj(I, (Obj *)w->param_reads);
  gc_mark_obj(I, (Obj *)w->running);
  gc_mark_obj(I, (Obj *)w->applying);
  gc_mark_obj(I, (Obj *)w->body_sets);
  for (int i = 0; i < 64; i++) gc_mark_obj(I, (Obj *)w->name_cache[i].name);
}

static void world_free(Interp *I) {
  table_free(I, &I->world->entity_index);
  FREE_ARRAY(I, WorldState, I->world, 1);
  I->world = NULL;
}

static void world_frame_context(Interp *I, Buffer *out, ObjFunction *fn) {
  if (strcmp(fn->declared_as, "rule") == 0) buf_printf(out, " (year %lld)", (long long)I->world->current_year);
}

void world_open(Interp *I) {
  WorldState *w = ALLOCATE(I, WorldState, 1);
  memset(w, 0, sizeof *w);
  I->world = w;
  table_init(&w->entity_index);
  for (int k = 0; k < KIND_COUNT; k++) w->entities[k] = list_new(I);
  w->params = list_new(I);
  w->rules = list_new(I);
  w->scenarios = list_new(I);
  w->cluster_declared = list_new(I);
  w->param_reads = list_new(I);
  w->current_rule = -1;
  I->host.mark = world_mark;
  I->host.free = world_free;
  I->host.frame_context = world_frame_context;
  world_decl_open(I);
  world_params_open(I);
  world_load_open(I);
  world_run_open(I);
  world_ledger_open(I);
  world_report_open(I);
  world_export_open(I);
  world_plot_open(I);
  world_audit_open(I);
  world_sweep_open(I);
  world_html_open(I);
}
