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
  int renamed;        /* names made from a text that differs from them */
  ObjList *examples;  /* the first few, "'Basque Energy' -> Basque_Energy" */
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

/* ---- names from text -------------------------------------------------------------
 *
 * A spreadsheet names its clusters as people write them: "Basque Energy",
 * "Pôle Mer Bretagne", "Nord-Est".  A script names them as Clusim names
 * are written, so a loaded name is made from the text: letters and digits
 * kept, the accented Latin letters of Europe's languages (U+00C0..U+017F)
 * without their accents (ô -> o, ł -> l, ß -> ss), every run of anything
 * else (spaces, signs, other scripts) one _, none at either end, and a _
 * in front of a leading digit: Basque_Energy, Pole_Mer_Bretagne,
 * Nord_Est.  The load warns once when it changed any name, with examples,
 * and a cell of a reference field (a cluster's region) finds the entity by
 * its text or by the name made from it. */

/* The ASCII letters of U+00C0..U+017F ("" for the signs × and ÷). */
static const char *const LATIN_BASE[0x180 - 0xC0] = {
  "A", "A", "A", "A", "A", "A", "AE", "C",  /* U+00C0 */
  "E", "E", "E", "E", "I", "I", "I", "I",  /* U+00C8 */
  "D", "N", "O", "O", "O", "O", "O", "",   /* U+00D0 */
  "O", "U", "U", "U", "U", "Y", "TH", "ss", /* U+00D8 */
  "a", "a", "a", "a", "a", "a", "ae", "c",  /* U+00E0 */
  "e", "e", "e", "e", "i", "i", "i", "i",  /* U+00E8 */
  "d", "n", "o", "o", "o", "o", "o", "",   /* U+00F0 */
  "o", "u", "u", "u", "u", "y", "th", "y",  /* U+00F8 */
  "A", "a", "A", "a", "A", "a", "C", "c",  /* U+0100 */
  "C", "c", "C", "c", "C", "c", "D", "d",  /* U+0108 */
  "D", "d", "E", "e", "E", "e", "E", "e",  /* U+0110 */
  "E", "e", "E", "e", "G", "g", "G", "g",  /* U+0118 */
  "G", "g", "G", "g", "H", "h", "H", "h",  /* U+0120 */
  "I", "i", "I", "i", "I", "i", "I", "i",  /* U+0128 */
  "I", "i", "IJ", "ij", "J", "j", "K", "k", /* U+0130 */
  "k", "L", "l", "L", "l", "L", "l", "L",  /* U+0138 */
  "l", "L", "l", "N", "n", "N", "n", "N",  /* U+0140 */
  "n", "n", "N", "n", "O", "o", "O", "o",  /* U+0148 */
  "O", "o", "OE", "oe", "R", "r", "R", "r", /* U+0150 */
  "R", "r", "S", "s", "S", "s", "S", "s",  /* U+0158 */
  "S", "s", "T", "t", "T", "t", "T", "t",  /* U+0160 */
  "U", "u", "U", "u", "U", "u", "U", "u",  /* U+0168 */
  "U", "u", "U", "u", "W", "w", "Y", "y",  /* U+0170 */
  "Y", "Z", "z", "Z", "z", "Z", "z", "s",  /* U+0178 */
};

static bool ascii_alnum(unsigned char ch) {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_';
}

/* The name made from text s (see above) into b, empty when s has no
 * letter or digit to make one of. */
void world_name_from_text(const char *s, Buffer *b) {
  const unsigned char *p = (const unsigned char *)s;
  bool gap = false;
  while (*p) {
    const char *add = NULL;
    char one[2] = {0, 0};
    size_t step = 1;
    if (ascii_alnum(*p)) {
      one[0] = (char)*p;
      add = one;
    } else if ((*p & 0xE0) == 0xC0 && (p[1] & 0xC0) == 0x80) { /* two bytes of UTF-8 */
      unsigned cp = ((unsigned)(*p & 0x1F) << 6) | (unsigned)(p[1] & 0x3F);
      if (cp >= 0xC0 && cp < 0x180 && *LATIN_BASE[cp - 0xC0]) add = LATIN_BASE[cp - 0xC0];
      step = 2;
    } else if (*p >= 0x80) { /* a character of more bytes, or a stray byte: a gap */
      while ((p[step] & 0xC0) == 0x80) step++;
    }
    if (add) {
      if (gap && b->len > 0) buf_putc(b, '_');
      if (b->len == 0 && add[0] >= '0' && add[0] <= '9') buf_putc(b, '_');
      buf_puts(b, add);
      gap = false;
    } else {
      gap = true;
    }
    p += step;
  }
}

static bool is_keyword(const char *s) {
  for (int i = 0; parse_keyword(i); i++)
    if (strcmp(parse_keyword(i), s) == 0) return true;
  return false;
}

/* The name made from the text of row `row`'s cell of field f (a name, or
 * an error about the cell). */
static ObjString *made_name(Interp *I, Load *L, int row, int f, ObjString *text) {
  const char *kind = world_kind_names[L->kind];
  Buffer b;
  buf_init(&b);
  world_name_from_text(text->chars, &b);
  ObjString *made = str_take_buffer(I, &b);
  ObjString *name = str_copy(I, made->chars, made->length); /* interned, as names and record keys are */
  if (name->length == 0)
    cell_error(I, L, row, f,
               "'%s' gives no name for a %s: a name is made of its Latin letters and digits (spaces and signs become "
               "_); add a column of names",
               text->chars, kind);
  if (is_keyword(name->chars))
    cell_error(I, L, row, f, "'%s' cannot be the name of a %s: %s is a keyword of the language", text->chars, kind, name->chars);
  return name;
}

/* The text of a name's cell (a number, 2026, as it prints). */
static ObjString *cell_text(Interp *I, Value v) {
  if (IS_STRING(v)) return AS_STRING(v);
  Buffer b;
  buf_init(&b);
  value_print(I, &b, v, false);
  return str_take_buffer(I, &b);
}

/* The name of row `row`'s entity, made from its cell and checked: new to
 * the script, not twice in the file (`seen`: name -> row).  A name that
 * differs from its text is counted, the first few kept for the warning. */
static ObjString *row_name(Interp *I, Load *L, int row, ObjRecord *seen) {
  const char *kind = world_kind_names[L->kind];
  int f = L->name_field, line = (int)L->t.lines->items.items[row].as.i;
  Value v = AS_LIST(L->t.rows->items.items[row])->items.items[L->column[f]];
  if (IS_NIL(v)) cell_error(I, L, row, f, "the %s has no name (an empty cell)", kind);
  ObjString *text = cell_text(I, v);
  ObjString *name = made_name(I, L, row, f, text);
  Value earlier;
  if (record_get(seen, name, &earlier)) {
    int other = (int)earlier.as.i;
    ObjString *was = cell_text(I, AS_LIST(L->t.rows->items.items[other])->items.items[L->column[f]]);
    long long at = (long long)L->t.lines->items.items[other].as.i;
    if (value_equal(OBJ_VAL(was), OBJ_VAL(text)))
      cell_error(I, L, row, f, "%s %s is in the file twice: on line %lld and on line %d", kind, name->chars, at, line);
    cell_error(I, L, row, f, "'%s' on line %lld and '%s' on line %d both make the name %s: one %s each needs a name "
                             "of its own",
               was->chars, at, text->chars, line, name->chars, kind);
  }
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
  record_set(I, seen, name, INT_VAL(row));
  if (!value_equal(OBJ_VAL(name), OBJ_VAL(text))) { /* long strings are not interned: compare the texts */
    if (L->renamed < 3)
      list_append(I, L->examples, OBJ_VAL(str_printf(I, "'%s' -> %s", text->chars, name->chars)));
    L->renamed++;
  }
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
    if (!e) { /* a loaded entity, by the name made from its text */
      Buffer b;
      buf_init(&b);
      world_name_from_text(AS_CSTRING(v), &b);
      ObjString *made = str_take_buffer(I, &b);
      e = world_find_entity(I, ref, str_copy(I, made->chars, made->length));
    }
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
  L.examples = list_new(I);
  interp_push_root(I, OBJ_VAL(L.examples));
  int column[L.nfields > 0 ? L.nfields : 1]; /* at most 21,845 (the compiler's limit) */
  L.column = column;
  find_columns(I, &L);
  for (int row = 0; row < L.t.rows->items.count; row++) load_row(I, &L, row, seen);
  if (L.renamed > 0) {
    Buffer b;
    buf_init(&b);
    for (int i = 0; i < L.examples->items.count; i++)
      buf_printf(&b, "%s%s", i ? ", " : "", AS_CSTRING(L.examples->items.items[i]));
    ObjString *shown = str_take_buffer(I, &b);
    int more = L.renamed - L.examples->items.count;
    interp_warn(I,
                "load %s from %s: %d name%s made from the text of column '%s' (spaces and signs as _, accents "
                "dropped): %s%s",
                world_kind_names[L.kind], L.path, L.renamed, L.renamed == 1 ? "" : "s",
                AS_CSTRING(L.map->items.items[3 * L.name_field + 1]), shown->chars,
                more > 0 ? str_printf(I, " and %d more", more)->chars : "");
  }
  interp_pop_roots(I, 5);
  return NIL_VAL;
}

void world_load_open(Interp *I) { lib_register(I, "%load", f_load, 3, 3, NULL); }
