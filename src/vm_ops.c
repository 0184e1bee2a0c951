/* vm_ops.c - what the dispatch loop (vm.c) cannot do inline: arithmetic
 * beyond its int64 and double fast paths (exact decimals, then vm_arith and
 * num.c), comparisons and equality with unit checks, indexing of lists,
 * strings, ranges and records, text building and printing, assertions and
 * the steps of `for` over anything but a counting range.  Each may raise an
 * error with interp_throw; the loop saves its instruction pointer before
 * calling one, so the error points at the instruction that failed.  The
 * loop's private entry points are declared in vm_ops.h; the ones other
 * modules use, in vm.h.
 */
#include "vm_ops.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memory.h"
#include "num.h"
#include "opcodes.h"
#include "state.h"
#include "unit.h"

/* ---- operations -------------------------------------------------------- */

static const char *unit_name(Interp *I, Buffer *b, UnitId u) {
  buf_clear(b);
  if (u == UNIT_NONE) buf_puts(b, "a plain number");
  else unit_format(&I->units, b, u);
  return b->data;
}

/* Messages quote text built in Buffers: it becomes a heap string first
 * (str_take_buffer frees the Buffer), because interp_throw does not return
 * to free it. */
void vm_check_same_unit(Interp *I, const char *what, Value a, Value b) {
  if (a.unit == b.unit) return;
  Buffer t;
  buf_init(&t);
  unit_name(I, &t, a.unit);
  ObjString *x = str_take_buffer(I, &t);
  buf_init(&t);
  unit_name(I, &t, b.unit);
  ObjString *y = str_take_buffer(I, &t);
  interp_throw(I, "cannot %s %s and %s", what, x->chars, y->chars);
}

const char *vm_a_type(Value v) {
  const char *t = value_type_name(v);
  return (t[0] == 'a' || t[0] == 'e' || t[0] == 'i' || t[0] == 'o' || t[0] == 'u') ? "an" : "a";
}

static _Noreturn void type_error(Interp *I, const char *verb, Value a, Value b) {
  interp_throw(I, "cannot %s %s %s and %s %s", verb, vm_a_type(a), value_type_name(a), vm_a_type(b),
               value_type_name(b));
}

void vm_print_failed(Interp *I) {
  if (I->interrupted) {
    I->interrupted = 0;
    interp_throw_interrupt(I);
  }
  interp_throw(I, "text too long: printing this value gives more than %d bytes (a list or record that holds "
                  "the same list many times over?)", CLUSIM_MAX_TEXT);
}

Value vm_concat(Interp *I, int n, Value *parts) {
  ObjString *strs[256];
  bool all_strings = n <= 256;
  for (int i = 0; all_strings && i < n; i++) {
    if (IS_STRING(parts[i])) strs[i] = AS_STRING(parts[i]);
    else all_strings = false;
  }
  if (all_strings) return OBJ_VAL(str_concat(I, n, strs));
  Buffer b;
  buf_init(&b);
  for (int i = 0; i < n; i++)
    if (!value_print(I, &b, parts[i], false) || b.len > CLUSIM_MAX_TEXT) {
      buf_free(&b);
      vm_print_failed(I);
    }
  return OBJ_VAL(str_take_buffer(I, &b));
}

static Value list_concat(Interp *I, ObjList *a, ObjList *b) {
  if ((int64_t)a->items.count + b->items.count > CLUSIM_MAX_LIST)
    interp_throw(I, "a list cannot hold more than %d elements (these two lists together have %lld)", CLUSIM_MAX_LIST,
                 (long long)a->items.count + b->items.count);
  ObjList *l = list_new(I);
  for (int i = 0; i < a->items.count; i++) list_append(I, l, a->items.items[i]);
  for (int i = 0; i < b->items.count; i++) list_append(I, l, b->items.items[i]);
  return OBJ_VAL(l);
}

/* +, - and * of exact decimals, and of int64s that meet one, through
 * num.h's inline num_dec_add and num_dec_mul (whose results have no unit):
 * true with the result in *r when it stays inline and the units allow it
 * without unit.c (one unit for + and -, a plain factor for *).  The
 * dispatch loop's fast paths (fast_add...) leave decimals to this call,
 * made before its slow way (vm_arith), as decimal code inline there would
 * cost the int64 and double ways registers. */
__attribute__((noinline)) bool vm_dec_arith(int op, Value a, Value b, Value *r) {
  switch (op) {
  case OP_ADD:
  case OP_SUB:
    if (a.unit != b.unit || !num_dec_add(a, b, op == OP_SUB, r)) return false;
    r->unit = a.unit;
    return true;
  case OP_MUL:
    if ((a.unit != UNIT_NONE && b.unit != UNIT_NONE) || !num_dec_mul(a, b, r)) return false;
    r->unit = a.unit | b.unit;
    return true;
  default: return false;
  }
}

/* Arithmetic on anything: units, big and inexact numbers, strings, lists. */
Value vm_arith(Interp *I, int op, Value a, Value b) {
  Value r;
  if (vm_dec_arith(op, a, b, &r)) return r;
  if (!num_is(a) || !num_is(b)) {
    if (IS_FOREIGN(a) && AS_FOREIGN(a)->cls->arith) return AS_FOREIGN(a)->cls->arith(I, op, a, b);
    if (IS_FOREIGN(b) && AS_FOREIGN(b)->cls->arith) return AS_FOREIGN(b)->cls->arith(I, op, a, b);
    if (op == OP_ADD && IS_STRING(a) && IS_STRING(b)) {
      Value parts[2] = {a, b};
      return vm_concat(I, 2, parts);
    }
    if (op == OP_ADD && IS_LIST(a) && IS_LIST(b)) return list_concat(I, AS_LIST(a), AS_LIST(b));
    static const char *verbs[] = {[OP_ADD] = "add", [OP_SUB] = "subtract", [OP_MUL] = "multiply",
                                  [OP_DIV] = "divide", [OP_MOD] = "take mod of",
                                  [OP_POW] = "raise"};
    if ((IS_STRING(a) || IS_STRING(b)) && op == OP_ADD)
      interp_throw(I, "cannot add %s %s and %s %s (use str(x) or \"{x}\" to build text)", vm_a_type(a),
                   value_type_name(a), vm_a_type(b), value_type_name(b));
    type_error(I, verbs[op], a, b);
  }
  switch (op) {
  case OP_ADD:
    vm_check_same_unit(I, "add", a, b);
    r = num_add(I, a, b);
    r.unit = a.unit;
    return r;
  case OP_SUB:
    vm_check_same_unit(I, "subtract", a, b);
    r = num_sub(I, a, b);
    r.unit = a.unit;
    return r;
  case OP_MUL: {
    UnitId u = (a.unit | b.unit) ? unit_mul(I, &I->units, a.unit, b.unit) : UNIT_NONE;
    r = num_mul(I, a, b);
    r.unit = u;
    return r;
  }
  case OP_DIV: {
    UnitId u = (a.unit | b.unit) ? unit_div(I, &I->units, a.unit, b.unit) : UNIT_NONE;
    r = num_div(I, a, b);
    r.unit = u;
    return r;
  }
  case OP_MOD:
    vm_check_same_unit(I, "take mod of", a, b);
    r = num_mod(I, a, b);
    r.unit = a.unit;
    return r;
  case OP_POW: {
    if (b.unit != UNIT_NONE) interp_throw(I, "an exponent must be a plain number");
    UnitId u = UNIT_NONE;
    if (a.unit != UNIT_NONE) {
      int64_t n;
      if (!num_to_int64(b, &n))
        interp_throw(I, "a number with a unit can only be raised to a whole power");
      u = unit_pow(I, &I->units, a.unit, n);
    }
    r = num_pow(I, a, b);
    r.unit = u;
    return r;
  }
  }
  interp_throw(I, "internal error: bad arithmetic operator");
}

int vm_compare(Interp *I, Value a, Value b) {
  if (num_is(a) && num_is(b)) {
    vm_check_same_unit(I, "compare", a, b);
    return num_cmp(I, a, b);
  }
  if (IS_STRING(a) && IS_STRING(b)) {
    int c = strcmp(AS_CSTRING(a), AS_CSTRING(b));
    return (c > 0) - (c < 0);
  }
  type_error(I, "compare", a, b);
}

bool vm_values_equal_checked(Interp *I, Value a, Value b) {
  if (num_is(a) && num_is(b)) {
    vm_check_same_unit(I, "compare", a, b);
    return num_eq(a, b);
  }
  return value_equal(a, b);
}

/* 1-based index into a list, string or range, checked. */
static int64_t check_index(Interp *I, Value idx, int64_t count, const char *what) {
  int64_t i;
  if (!num_is(idx) || !num_to_int64(idx, &i) || idx.unit != UNIT_NONE)
    interp_throw(I, "%s index must be a whole number, not %s", what, value_type_name(idx));
  if (i < 1 || i > count)
    interp_throw(I, "index %lld is out of range (the %s has %lld element%s; the first is 1)",
                 (long long)i, what, (long long)count, count == 1 ? "" : "s");
  return i - 1;
}

/* Byte offset of the i-th (0-based) UTF-8 character, or -1. */
static int utf8_offset(ObjString *s, int64_t i) {
  int64_t n = 0;
  for (int off = 0; off < s->length; off++) {
    if (((unsigned char)s->chars[off] & 0xC0) == 0x80) continue;
    if (n++ == i) return off;
  }
  return -1;
}

static int utf8_char_len(const char *p, int max) {
  int n = 1;
  while (n < max && ((unsigned char)p[n] & 0xC0) == 0x80) n++;
  return n;
}

int64_t vm_utf8_length(ObjString *s) {
  int64_t n = 0;
  for (int i = 0; i < s->length; i++)
    if (((unsigned char)s->chars[i] & 0xC0) != 0x80) n++;
  return n;
}

Value vm_range_length(Interp *I, ObjRange *r) {
  if (range_empty(r)) return INT_VAL(0);
  if (range_last(r) < (uint64_t)INT64_MAX) return INT_VAL((int64_t)range_last(r) + 1);
  return num_add(I, num_sub(I, INT_VAL(r->hi), INT_VAL(r->lo)), INT_VAL(1));
}

/* r[idx], counted from 1, checked: positions are unsigned (see ObjRange). */
static Value range_index(Interp *I, ObjRange *r, Value idx) {
  int64_t i;
  if (!num_is(idx) || !num_to_int64(idx, &i) || idx.unit != UNIT_NONE)
    interp_throw(I, "range index must be a whole number, not %s", value_type_name(idx));
  if (i >= 1 && !range_empty(r) && (uint64_t)(i - 1) <= range_last(r)) return INT_VAL(range_at(r, (uint64_t)(i - 1)));
  Value n = vm_range_length(I, r);
  Buffer b;
  buf_init(&b);
  num_format(I, &b, n);
  ObjString *count = str_take_buffer(I, &b);
  interp_throw(I, "index %lld is out of range (the range has %s element%s; the first is 1)", (long long)i,
               count->chars, num_eq(n, INT_VAL(1)) ? "" : "s");
}

Value vm_get_index(Interp *I, Value obj, Value idx) {
  if (IS_LIST(obj)) {
    ObjList *l = AS_LIST(obj);
    return l->items.items[check_index(I, idx, l->items.count, "list")];
  }
  if (IS_STRING(obj)) {
    ObjString *s = AS_STRING(obj);
    int64_t i = check_index(I, idx, vm_utf8_length(s), "string");
    int off = utf8_offset(s, i);
    return OBJ_VAL(str_copy(I, s->chars + off, utf8_char_len(s->chars + off, s->length - off)));
  }
  if (IS_RANGE(obj)) return range_index(I, AS_RANGE(obj), idx);
  Value found;
  if (IS_FOREIGN(obj) && AS_FOREIGN(obj)->cls->get_index &&
      AS_FOREIGN(obj)->cls->get_index(I, obj.as.o, idx, &found))
    return found;
  if (IS_RECORD(obj)) {
    if (!IS_STRING(idx)) interp_throw(I, "a record is indexed by a field name (a string)");
    Value v;
    /* field keys are interned (object.h), and so is every short string: a
     * long one is looked up, never made, for a record has no key that is
     * not in the table */
    ObjString *key = AS_STRING(idx);
    if (key->length > STR_SHORT) key = table_find_string(&I->strings, key->chars, key->length, key->hash);
    if (!key || !record_get(AS_RECORD(obj), key, &v))
      interp_throw(I, "this record has no field '%s'", AS_CSTRING(idx));
    return v;
  }
  interp_throw(I, "cannot index %s %s", vm_a_type(obj), value_type_name(obj));
}

void vm_set_index(Interp *I, Value obj, Value idx, Value v) {
  if (IS_LIST(obj)) {
    ObjList *l = AS_LIST(obj);
    l->items.items[check_index(I, idx, l->items.count, "list")] = v;
    return;
  }
  if (IS_RECORD(obj)) {
    if (!IS_STRING(idx)) interp_throw(I, "a record is indexed by a field name (a string)");
    ObjRecord *r = AS_RECORD(obj);
    ObjString *key = AS_STRING(idx); /* interned if short (get_index) */
    if (key->length > STR_SHORT) key = str_copy(I, key->chars, key->length);
    record_write(I, r, key, v);
    return;
  }
  interp_throw(I, "cannot assign to an element of %s %s", vm_a_type(obj), value_type_name(obj));
}

_Noreturn void vm_no_field(Interp *I, Value obj, ObjString *name) {
  if (!IS_RECORD(obj))
    interp_throw(I, "cannot read field '%s' of %s %s", name->chars, vm_a_type(obj),
                 value_type_name(obj));
  ObjRecord *r = AS_RECORD(obj);
  if (r->count == 0) interp_throw(I, "this record has no field '%s' (it has no fields)", name->chars);
  Buffer b;
  buf_init(&b);
  for (int i = 0; i < r->count && i < 12; i++) {
    if (i) buf_puts(&b, ", ");
    buf_puts(&b, r->keys[i]->chars);
  }
  if (r->count > 12) buf_puts(&b, ", ...");
  ObjString *fields = str_take_buffer(I, &b);
  interp_throw(I, "this record has no field '%s' (its fields: %s)", name->chars, fields->chars);
}

/* A write to the output stream that failed (a full disk, a closed file)
 * is an error at the statement that printed: the output is incomplete. */
void vm_check_output(Interp *I) {
  if (!ferror(I->out)) return;
  int e = errno;
  clearerr(I->out);
  interp_throw(I, "cannot write the output: %s", e ? strerror(e) : "input/output error");
}

/* Write the text printed, whole lines at a time; Buffer b is freed. */
static void write_out(Interp *I, Buffer *b, bool flush) {
  errno = 0;
  fwrite(b->data, 1, b->len, I->out);
  buf_free(b);
  if (flush) fflush(I->out);
  vm_check_output(I);
}

void vm_print_values(Interp *I, int n, Value *vals) {
  Buffer b;
  buf_init(&b);
  for (int i = 0; i < n; i++) {
    if (i) buf_putc(&b, ' ');
    if (!value_print(I, &b, vals[i], false) || b.len > CLUSIM_MAX_TEXT) {
      buf_free(&b);
      vm_print_failed(I);
    }
  }
  buf_putc(&b, '\n');
  write_out(I, &b, I->repl);
}

void vm_echo_value(Interp *I, Value v) {
  if (IS_NIL(v)) return;
  Buffer b;
  buf_init(&b);
  if (!value_print(I, &b, v, true)) {
    buf_free(&b);
    vm_print_failed(I);
  }
  buf_putc(&b, '\n');
  write_out(I, &b, true);
}

_Noreturn void vm_assert_failed(Interp *I, bool has_msg, Value msg) {
  if (!has_msg) interp_throw(I, "assertion failed");
  Buffer b;
  buf_init(&b);
  if (!value_print(I, &b, msg, false)) {
    buf_free(&b);
    vm_print_failed(I);
  }
  ObjString *text = str_take_buffer(I, &b);
  interp_throw(I, "assertion failed: %s", text->chars);
}

/* The bounds of lo..hi, checked. */
void vm_range_bounds(Interp *I, Value a, Value b, int64_t *lo, int64_t *hi) {
  if (LIKELY(a.tag == TAG_INT && b.tag == TAG_INT)) {
    *lo = a.as.i;
    *hi = b.as.i;
    return;
  }
  if (!num_is(a) || !num_is(b) || !num_to_int64(a, lo) || !num_to_int64(b, hi) || a.unit || b.unit)
    interp_throw(I, "a range needs two whole numbers without units, as in 2025..2030");
}

/* Prepare iteration: returns the iteration state (an index). */
void vm_check_iterable(Interp *I, Value v) {
  if (IS_RANGE(v) || IS_LIST(v) || IS_STRING(v)) return;
  if (IS_RECORD(v))
    interp_throw(I, "cannot loop over a record directly; use keys(r) or values(r)");
  interp_throw(I, "cannot loop over %s %s", vm_a_type(v), value_type_name(v));
}

/* Load the next element of a for loop into it[2]; it[0] is the iterable,
 * it[1] the position (index, or byte offset in a string). For ranges the
 * position counts from 0 and is advanced by FOR_LOOP itself. */
bool vm_for_advance(Interp *I, Value *it) {
  ObjType t = OBJ_TYPE(it[0]);
  int64_t idx = it[1].as.i;
  if (t == OBJ_RANGE) {
    ObjRange *r = AS_RANGE(it[0]);
    if (range_empty(r) || (uint64_t)idx > range_last(r)) return false;
    it[2] = INT_VAL(range_at(r, (uint64_t)idx));
    return true;
  }
  if (t == OBJ_LIST) {
    ObjList *l = AS_LIST(it[0]);
    if (idx >= l->items.count) return false;
    it[2] = l->items.items[idx];
    it[1].as.i = idx + 1;
    return true;
  }
  ObjString *s = AS_STRING(it[0]);
  if (idx >= s->length) return false;
  int n = utf8_char_len(s->chars + idx, s->length - (int)idx);
  it[2] = OBJ_VAL(str_copy(I, s->chars + idx, n));
  it[1].as.i = idx + n;
  return true;
}
