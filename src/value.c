/* value.c - equality, hashing and printing of Values. */
#include "value.h"

#include <stdio.h>

#include "memory.h"
#include "num.h"
#include "object.h"
#include "state.h"
#include "unit.h"

void valarr_init(ValueArray *a) {
  a->count = a->capacity = 0;
  a->items = NULL;
}

void valarr_push(Interp *I, ValueArray *a, Value v) {
  if (a->count == a->capacity) {
    int cap = GROW_CAPACITY(a->capacity);
    a->items = GROW_ARRAY(I, Value, a->items, a->capacity, cap);
    a->capacity = cap;
  }
  a->items[a->count++] = v;
}

void valarr_free(Interp *I, ValueArray *a) {
  FREE_ARRAY(I, Value, a->items, a->capacity);
  valarr_init(a);
}

static bool equal_depth(Value a, Value b, int depth) {
  if (depth > 200) return false;
  bool an = num_is(a), bn = num_is(b);
  if (an || bn) return an && bn && a.unit == b.unit && num_eq(a, b);
  if (a.type != b.type) return false;
  switch (a.type) {
  case VAL_NIL: return true;
  case VAL_BOOL: return a.as.b == b.as.b;
  case VAL_OBJ: break;
  default: return false;
  }
  if (a.as.o == b.as.o) return true;
  if (OBJ_TYPE(a) != OBJ_TYPE(b)) return false;
  switch (OBJ_TYPE(a)) {
  case OBJ_LIST: {
    ValueArray *x = &AS_LIST(a)->items, *y = &AS_LIST(b)->items;
    if (x->count != y->count) return false;
    for (int i = 0; i < x->count; i++)
      if (!equal_depth(x->items[i], y->items[i], depth + 1)) return false;
    return true;
  }
  case OBJ_RECORD: {
    ObjRecord *x = AS_RECORD(a), *y = AS_RECORD(b);
    if ((x->cls && x->cls->by_identity) || (y->cls && y->cls->by_identity)) return false;
    if (x->count != y->count) return false;
    for (int i = 0; i < x->count; i++) {
      Value v;
      if (!record_get(y, x->keys[i], &v) || !equal_depth(x->values[i], v, depth + 1)) return false;
    }
    return true;
  }
  case OBJ_RANGE:
    return AS_RANGE(a)->lo == AS_RANGE(b)->lo && AS_RANGE(a)->hi == AS_RANGE(b)->hi;
  case OBJ_STRING: {
    ObjString *x = AS_STRING(a), *y = AS_STRING(b);
    return x->length == y->length && x->hash == y->hash &&
           memcmp(x->chars, y->chars, (size_t)x->length) == 0;
  }
  default: return false; /* functions compare by identity */
  }
}

bool value_equal(Value a, Value b) { return equal_depth(a, b, 0); }

uint32_t value_hash(Value v) {
  if (num_is(v)) return num_hash(v) ^ v.unit;
  switch (v.type) {
  case VAL_NIL: return 1;
  case VAL_BOOL: return v.as.b ? 3 : 2;
  case VAL_OBJ:
    if (IS_STRING(v)) return AS_STRING(v)->hash;
    return (uint32_t)((uintptr_t)v.as.o >> 4);
  default: return 0;
  }
}

const char *value_type_name(Value v) {
  switch (v.type) {
  case VAL_NIL: return "nil";
  case VAL_BOOL: return "bool";
  case VAL_INT:
  case VAL_FLOAT: return "number";
  case VAL_UNDEF: return "undefined";
  case VAL_OBJ: break;
  }
  switch (OBJ_TYPE(v)) {
  case OBJ_STRING: return "string";
  case OBJ_BIGINT:
  case OBJ_RATIONAL: return "number";
  case OBJ_LIST: return "list";
  case OBJ_RECORD: return AS_RECORD(v)->cls ? AS_RECORD(v)->cls->type_name : "record";
  case OBJ_RANGE: return "range";
  case OBJ_FUNCTION:
  case OBJ_CLOSURE:
  case OBJ_NATIVE: return "function";
  case OBJ_UPVALUE: return "upvalue";
  case OBJ_FOREIGN: return AS_FOREIGN(v)->cls->type_name;
  }
  return "?";
}

static void print_string_repr(Buffer *b, ObjString *s) {
  buf_putc(b, '"');
  for (int i = 0; i < s->length; i++) {
    char c = s->chars[i];
    switch (c) {
    case '"': buf_puts(b, "\\\""); break;
    case '\\': buf_puts(b, "\\\\"); break;
    case '\n': buf_puts(b, "\\n"); break;
    case '\t': buf_puts(b, "\\t"); break;
    case '{': buf_puts(b, "\\{"); break;
    default: buf_putc(b, c);
    }
  }
  buf_putc(b, '"');
}

static void print_depth(Interp *I, Buffer *b, Value v, bool repr, int depth);

void value_print_fields(Interp *I, Buffer *b, ObjRecord *r, int depth) {
  buf_putc(b, '{');
  for (int i = 0; i < r->count; i++) {
    if (i) buf_puts(b, ", ");
    buf_printf(b, "%s: ", r->keys[i]->chars);
    print_depth(I, b, r->values[i], true, depth + 1);
  }
  buf_putc(b, '}');
}

static void print_depth(Interp *I, Buffer *b, Value v, bool repr, int depth) {
  if (depth > 64) {
    buf_puts(b, "...");
    return;
  }
  if (num_is(v)) {
    num_format(I, b, v);
    if (v.unit != UNIT_NONE) {
      buf_putc(b, ' ');
      unit_format(&I->units, b, v.unit);
    }
    return;
  }
  switch (v.type) {
  case VAL_NIL: buf_puts(b, "nil"); return;
  case VAL_BOOL: buf_puts(b, v.as.b ? "true" : "false"); return;
  case VAL_UNDEF: buf_puts(b, "<undefined>"); return;
  default: break;
  }
  switch (OBJ_TYPE(v)) {
  case OBJ_STRING:
    if (repr) print_string_repr(b, AS_STRING(v));
    else buf_put(b, AS_CSTRING(v), (size_t)AS_STRING(v)->length);
    return;
  case OBJ_LIST: {
    ValueArray *a = &AS_LIST(v)->items;
    buf_putc(b, '[');
    for (int i = 0; i < a->count; i++) {
      if (i) buf_puts(b, ", ");
      print_depth(I, b, a->items[i], true, depth + 1);
    }
    buf_putc(b, ']');
    return;
  }
  case OBJ_FOREIGN: AS_FOREIGN(v)->cls->print(I, b, v.as.o); return;
  case OBJ_RECORD: {
    ObjRecord *r = AS_RECORD(v);
    if (r->cls && r->cls->print) {
      r->cls->print(I, b, r, depth > 0);
      return;
    }
    value_print_fields(I, b, r, depth);
    return;
  }
  case OBJ_RANGE:
    buf_printf(b, "%lld..%lld", (long long)AS_RANGE(v)->lo, (long long)AS_RANGE(v)->hi);
    return;
  case OBJ_CLOSURE: {
    ObjString *name = AS_CLOSURE(v)->function->name;
    buf_printf(b, "<fn %s>", name ? name->chars : "anonymous");
    return;
  }
  case OBJ_FUNCTION: buf_puts(b, "<fn>"); return;
  case OBJ_NATIVE: buf_printf(b, "<built-in fn %s>", AS_NATIVE(v)->name->chars); return;
  default: buf_puts(b, "<?>"); return;
  }
}

void value_print(Interp *I, Buffer *b, Value v, bool repr) { print_depth(I, b, v, repr, 0); }
