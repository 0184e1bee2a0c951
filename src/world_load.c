/* world_load.c - entities from data: `load cluster from "clusters.csv"
 * {name: "Cluster", members.sme: "SMEs", budget: "Budget (kEUR)" in 1000 EUR
 * / year}` declares one entity per row of a CSV file (read by csvread.c).
 *
 * The compiler turns the statement into %load(keyword, path, map), the map
 * a list of triples: a field path, the column it comes from, and the unit
 * its numbers are in (nil: the cell as it is).  Each row becomes the
 * record a declaration would have written, `{members: {sme: 12}, budget:
 * 250000 EUR / year}`, and is declared by world_declare: the same checks
 * and the same messages as a declaration, each message then placed at
 * the file, line and cell the field came from.  An empty cell gives no
 * field (the default applies). */
#include <stdarg.h>
#include <string.h>

#include "csvread.h"
#include "diag.h"
#include "lib.h"
#include "num.h"
#include "opcodes.h"
#include "parse.h"
#include "vm.h"
#include "world.h"

/* One load: the file read, the map resolved to column numbers. */
typedef struct Load {
  EntityKind kind;
  const char *path;
  CsvTable t;
  ObjList *map; /* triples: field path, column name, unit or nil */
  int *column;  /* each field's column, from 0 (map entries / 3) */
  int nfields;
  int name_field;
} Load;

#define FIELD_PATH(L, f) AS_STRING((L)->map->items.items[3 * (f)])
#define FIELD_UNIT(L, f) ((L)->map->items.items[3 * (f) + 2])

/* ---- the column map ---------------------------------------------------------- */

/* The number of the header's column named `name` (from 0), or -1. */
static int column_named(const CsvTable *t, const char *name) {
  for (int i = 0; i < t->header->items.count; i++)
    if (strcmp(AS_CSTRING(t->header->items.items[i]), name) == 0) return i;
  return -1;
}

/* The map's checks that need no file: strings for columns, numbers for
 * units, fields a declaration may give, a name. */
static void check_map(Interp *I, Load *L) {
  const char *kind = world_kind_names[L->kind];
  ObjString *label = str_printf(I, "from %s", L->path);
  L->name_field = -1;
  for (int f = 0; f < L->nfields; f++) {
    const char *path = FIELD_PATH(L, f)->chars;
    Value column = L->map->items.items[3 * f + 1], unit = FIELD_UNIT(L, f);
    if (!IS_STRING(column))
      interp_throw_at_field(I, path, "load: '%s' must name its column with a string, such as \"Budget (EUR)\", not %s",
                            path, value_type_name(column));
    if (!IS_NIL(unit) && !num_is(unit))
      interp_throw_at_field(I, path, "load: '%s' in ...: the unit must be a number with a unit, such as EUR / year, not %s",
                            path, value_type_name(unit));
    if (strcmp(path, "name") == 0) {
      if (!IS_NIL(unit)) interp_throw_at_field(I, path, "load: 'name' is a name, not a number: remove 'in ...'");
      L->name_field = f;
      continue;
    }
    world_check_field_path(I, L->kind, label->chars, path);
  }
  if (L->name_field < 0)
    interp_throw(I, "load %s %s: the column map needs the names: name: \"COLUMN\"", kind, label->chars);
}

/* Each field's column in the file's header (an error at the map's field
 * when there is none, with the closest column name). */
static void find_columns(Interp *I, Load *L) {
  for (int f = 0; f < L->nfields; f++) {
    const char *path = FIELD_PATH(L, f)->chars, *want = AS_CSTRING(L->map->items.items[3 * f + 1]);
    L->column[f] = column_named(&L->t, want);
    if (L->column[f] >= 0) continue;
    const char *near = NULL;
    int best = 0, d;
    for (int i = 0; i < L->t.header->items.count; i++) {
      const char *h = AS_CSTRING(L->t.header->items.items[i]);
      if (diag_similar(want, h, &d) && (!near || d < best)) near = h, best = d;
    }
    interp_throw_at_field(I, path, "load: %s has no column '%s' for '%s'%s%s%s", L->path, want, path,
                          near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
  }
}

/* ---- the rows ------------------------------------------------------------------ */

/* An error about the cell of field `f` in row `row`: "FILE:LINE:CELL:
 * message", located in the script at the map's field. */
static _Noreturn void cell_error(Interp *I, Load *L, int row, int f, const char *fmt, ...) PRINTF_LIKE(5, 6);
static _Noreturn void cell_error(Interp *I, Load *L, int row, int f, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  ObjString *msg = str_vprintf(I, fmt, ap);
  va_end(ap);
  int col = L->column[f];
  interp_throw_at_field(I, FIELD_PATH(L, f)->chars, "%s:%d:%d: %s", L->path, csv_cell_line(&L->t, row, col), col + 1,
                        msg->chars);
}

/* Is s a name a script could write: a letter or _, then letters, digits
 * and _, and no keyword? */
static bool valid_name(const char *s) {
  if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_')) return false;
  for (const char *p = s; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_'))
      return false;
  for (int i = 0; parse_keyword(i); i++)
    if (strcmp(parse_keyword(i), s) == 0) return false;
  return true;
}

/* The name of row `row`'s entity, checked: a valid name, new to the
 * script, not twice in the file (`seen`: name -> line). */
static ObjString *row_name(Interp *I, Load *L, int row, ObjRecord *seen) {
  const char *kind = world_kind_names[L->kind];
  int f = L->name_field, line = (int)L->t.lines->items.items[row].as.i;
  Value v = AS_LIST(L->t.rows->items.items[row])->items.items[L->column[f]];
  if (IS_NIL(v)) cell_error(I, L, row, f, "the %s has no name (an empty cell)", kind);
  if (!IS_STRING(v) || !valid_name(AS_CSTRING(v))) {
    ObjString *text = IS_STRING(v) ? AS_STRING(v) : str_new(I, "");
    if (!IS_STRING(v)) {
      Buffer b;
      buf_init(&b);
      value_print(I, &b, v, false);
      text = str_new(I, b.data);
      buf_free(&b);
    }
    cell_error(I, L, row, f,
               "'%s' cannot be the name of a %s: a name is a letter or _ and then letters, digits and _ "
               "(Aerospace_Valley), and not a keyword",
               text->chars, kind);
  }
  ObjString *name = AS_STRING(v);
  Value earlier;
  if (record_get(seen, name, &earlier))
    cell_error(I, L, row, f, "%s %s is in the file twice: on line %lld and on line %d", kind, name->chars,
               (long long)earlier.as.i, line);
  UnitId u;
  if (unit_lookup(&I->units, name->chars, &u)) cell_error(I, L, row, f, "'%s' is a unit, not a name for a %s", name->chars, kind);
  int g = global_find(I, name);
  if (g >= 0 && !IS_UNDEF(I->globals[g])) {
    Value old = I->globals[g];
    ObjString *what = IS_ENTITY(old) ? str_printf(I, "the %s %s", world_kind_names[AS_RECORD(old)->tag], name->chars)
                                     : str_new(I, value_type_name(old));
    cell_error(I, L, row, f, "'%s' is already a name (%s); a loaded %s cannot replace it", name->chars, what->chars,
               kind);
  }
  record_set(I, seen, name, INT_VAL(line));
  return name;
}

/* The value of field `f` from its cell `v` (not nil): times the unit, or
 * the entity a reference field names. */
static Value field_value(Interp *I, Load *L, int row, int f, Value v, const char *ename) {
  const char *path = FIELD_PATH(L, f)->chars, *kind = world_kind_names[L->kind];
  Value unit = FIELD_UNIT(L, f);
  if (!IS_NIL(unit)) {
    if (!num_is(v))
      cell_error(I, L, row, f, "%s %s: '%s' must be a number (in the unit after 'in'), not the text \"%s\"", kind,
                 ename, path, AS_CSTRING(v));
    return vm_arith(I, OP_MUL, v, unit);
  }
  EntityKind ref = strchr(path, '.') ? KIND_RECORD : world_field_ref_kind(I, L->kind, path);
  if (ref != KIND_RECORD && IS_STRING(v)) {
    ObjRecord *e = world_find_entity(I, ref, AS_STRING(v));
    if (!e) cell_error(I, L, row, f, "%s %s: '%s' names no %s '%s'", kind, ename, path, world_kind_names[ref], AS_CSTRING(v));
    return OBJ_VAL(e);
  }
  return v;
}

/* The record a declaration of row `row` would have written. */
static ObjRecord *row_record(Interp *I, Load *L, int row, const char *ename) {
  ObjList *cells = AS_LIST(L->t.rows->items.items[row]);
  ObjRecord *r = record_new(I);
  for (int f = 0; f < L->nfields; f++) {
    Value v = cells->items.items[L->column[f]];
    if (f == L->name_field || IS_NIL(v)) continue;
    v = field_value(I, L, row, f, v, ename);
    const char *path = FIELD_PATH(L, f)->chars, *dot = strchr(path, '.');
    if (!dot) {
      record_set(I, r, FIELD_PATH(L, f), v);
      continue;
    }
    ObjString *top = str_copy(I, path, (int)(dot - path));
    Value parts;
    if (!record_get(r, top, &parts)) {
      parts = OBJ_VAL(record_new(I));
      record_set(I, r, top, parts);
    }
    record_set(I, AS_RECORD(parts), str_new(I, dot + 1), v);
  }
  return r;
}

typedef struct {
  Load *L;
  int field;
} FieldMatch;

/* Is path[0..len) one of the map's fields, or the record holding some
 * (members for members.sme)?  The first such field, in *ud. */
static bool map_field(const char *path, size_t len, void *ud) {
  FieldMatch *m = ud;
  for (int f = 0; f < m->L->nfields; f++) {
    const char *p = FIELD_PATH(m->L, f)->chars;
    if (strncmp(p, path, len) == 0 && (p[len] == '\0' || p[len] == '.')) {
      m->field = f;
      return true;
    }
  }
  return false;
}

typedef struct {
  Load *L;
  ObjString *name;
  ObjRecord *r;
} Declare;

static void declare(Interp *I, void *ud) {
  Declare *d = ud;
  world_declare(I, d->L->kind, d->name, d->r);
}

/* Declare row `row`'s entity; a failed check is raised again at the cell
 * of the field its message names first (the name's cell when it names
 * none). */
static void load_row(Interp *I, Load *L, int row, ObjRecord *seen) {
  ObjString *name = row_name(I, L, row, seen);
  Declare d = {L, name, row_record(I, L, row, name->chars)};
  interp_push_root(I, OBJ_VAL(d.r));
  if (!interp_pcall(I, declare, &d)) {
    if (strcmp(interp_error_message(I), "interrupted") == 0) interp_rethrow(I);
    ObjString *msg = str_new(I, interp_error_message(I));
    FieldMatch m = {L, L->name_field};
    interp_message_fields(msg->chars, map_field, &m);
    cell_error(I, L, row, m.field, "%s", msg->chars);
  }
  interp_pop_roots(I, 1);
}

/* %load(keyword, path, map). */
static Value f_load(Interp *I, int argc, Value *args) {
  Load L = {.kind = KIND_RECORD, .map = AS_LIST(args[2])};
  for (int k = KIND_REGION; k < KIND_COUNT; k++)
    if (strcmp(AS_CSTRING(args[0]), world_kind_names[k]) == 0) L.kind = (EntityKind)k;
  if (!IS_STRING(args[1]))
    interp_throw(I, "load: the file must be given by its name, a string, not %s", value_type_name(args[1]));
  L.path = AS_CSTRING(args[1]);
  L.nfields = L.map->items.count / 3;
  check_map(I, &L);
  csv_read_file(I, "load", L.path, &L.t);
  ObjRecord *seen = record_new(I);
  interp_push_root(I, OBJ_VAL(L.t.header));
  interp_push_root(I, OBJ_VAL(L.t.rows));
  interp_push_root(I, OBJ_VAL(L.t.lines));
  interp_push_root(I, OBJ_VAL(seen));
  int column[L.nfields > 0 ? L.nfields : 1]; /* at most 21,845 (the compiler's limit) */
  L.column = column;
  find_columns(I, &L);
  for (int row = 0; row < L.t.rows->items.count; row++) load_row(I, &L, row, seen);
  interp_pop_roots(I, 4);
  return NIL_VAL;
}

void world_load_open(Interp *I) { lib_register(I, "%load", f_load, 3, 3, NULL); }
