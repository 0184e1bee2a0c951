/* libcore.c - built-ins on values, lists, records and strings. */
#include <stdio.h>
#include <stdlib.h>

#include "lib.h"
#include "num.h"
#include "opcodes.h"
#include "state.h"
#include "unit.h"
#include "vm.h"


void lib_register(Interp *I, const char *name, NativeFn fn, int min_args, int max_args,
                  const char *help) {
  ObjNative *n = native_new(I, name, fn, min_args, max_args, help);
  global_define(I, name, OBJ_VAL(n), GLOBAL_BUILTIN, help);
}

static _Noreturn void arg_error(Interp *I, const char *fn, int i, const char *want, Value got) {
  interp_throw(I, "%s: argument %d must be %s, not %s", fn, i + 1, want, value_type_name(got));
}

ObjString *lib_string_arg(Interp *I, const char *fn, Value *args, int i) {
  if (!IS_STRING(args[i])) arg_error(I, fn, i, "a string", args[i]);
  return AS_STRING(args[i]);
}

ObjList *lib_list_arg(Interp *I, const char *fn, Value *args, int i) {
  if (!IS_LIST(args[i])) arg_error(I, fn, i, "a list", args[i]);
  return AS_LIST(args[i]);
}

ObjRecord *lib_record_arg(Interp *I, const char *fn, Value *args, int i) {
  if (!IS_RECORD(args[i])) arg_error(I, fn, i, "a record", args[i]);
  return AS_RECORD(args[i]);
}

Value lib_number_arg(Interp *I, const char *fn, Value *args, int i) {
  if (!num_is(args[i])) arg_error(I, fn, i, "a number", args[i]);
  return args[i];
}

int64_t lib_int_arg(Interp *I, const char *fn, Value *args, int i) {
  int64_t n;
  if (!num_is(args[i]) || !num_to_int64(args[i], &n) || args[i].unit != UNIT_NONE)
    arg_error(I, fn, i, "a whole number", args[i]);
  return n;
}

bool lib_is_callable(Value v) { return IS_CLOSURE(v) || IS_NATIVE(v); }

/* A list, a range or a foreign value that has elements (a series: its
 * values year by year) as a list of its elements. */
static ObjList *elements(Interp *I, const char *fn, Value v) {
  if (IS_LIST(v)) return AS_LIST(v);
  if (IS_FOREIGN(v) && AS_FOREIGN(v)->cls->elements) return AS_FOREIGN(v)->cls->elements(I, v.as.o);
  if (IS_RANGE(v)) {
    ObjRange *r = AS_RANGE(v);
    if (range_empty(r)) return list_new(I);
    if (range_last(r) >= CLUSIM_MAX_LIST) /* unsigned: no overflow however long */
      interp_throw(I, "%s: the range %lld..%lld is too long to make a list of (a list holds at most %d elements)",
                   fn, (long long)r->lo, (long long)r->hi, CLUSIM_MAX_LIST);
    ObjList *l = list_new(I);
    for (uint64_t i = 0; i <= range_last(r); i++) list_append(I, l, INT_VAL(range_at(r, i)));
    return l;
  }
  interp_throw(I, "%s: expected a list or a range, not %s", fn, value_type_name(v));
}

static Value f_len(Interp *I, int argc, Value *args) {
  Value v = args[0];
  if (IS_STRING(v)) return INT_VAL(vm_utf8_length(AS_STRING(v)));
  if (IS_LIST(v)) return INT_VAL(AS_LIST(v)->items.count);
  if (IS_RECORD(v)) return INT_VAL(AS_RECORD(v)->count);
  if (IS_RANGE(v)) return vm_range_length(I, AS_RANGE(v));
  if (IS_FOREIGN(v) && AS_FOREIGN(v)->cls->elements)
    return INT_VAL(AS_FOREIGN(v)->cls->elements(I, v.as.o)->items.count);
  interp_throw(I, "len: cannot take the length of a %s", value_type_name(v));
}

static Value f_str(Interp *I, int argc, Value *args) {
  if (IS_STRING(args[0])) return args[0];
  return vm_concat(I, 1, args);
}

static Value f_num(Interp *I, int argc, Value *args) {
  if (num_is(args[0])) return args[0];
  ObjString *s = lib_string_arg(I, "num", args, 0);
  Value v;
  if (!num_parse(I, s->chars, &v)) interp_throw(I, "num: cannot read \"%s\" as a number", s->chars);
  return v;
}

static Value f_type(Interp *I, int argc, Value *args) {
  return OBJ_VAL(str_new(I, value_type_name(args[0])));
}

static Value f_sum(Interp *I, int argc, Value *args) {
  ObjList *l = elements(I, "sum", args[0]);
  if (l->items.count == 0) return INT_VAL(0);
  Value acc = l->items.items[0];
  for (int i = 1; i < l->items.count; i++) acc = vm_arith(I, OP_ADD, acc, l->items.items[i]);
  return acc;
}

static Value extreme(Interp *I, const char *fn, int argc, Value *args, int sign) {
  Value *items = args;
  int n = argc;
  if (argc == 1) {
    if (!IS_LIST(args[0]) && !IS_RANGE(args[0]) && !(IS_FOREIGN(args[0]) && AS_FOREIGN(args[0])->cls->elements))
      interp_throw(I, "%s: give two or more values, or one list", fn);
    ObjList *l = elements(I, fn, args[0]);
    items = l->items.items;
    n = l->items.count;
    if (n == 0) interp_throw(I, "%s: the list is empty", fn);
  }
  Value best = items[0];
  for (int i = 1; i < n; i++) {
    int c = vm_compare(I, items[i], best);
    if (c != 2 && c * sign > 0) best = items[i];
  }
  return best;
}

static Value f_min(Interp *I, int argc, Value *args) { return extreme(I, "min", argc, args, -1); }
static Value f_max(Interp *I, int argc, Value *args) { return extreme(I, "max", argc, args, 1); }

static Value abs_one(Interp *I, Value x, void *ud) {
  (void)ud;
  if (!num_is(x)) interp_throw(I, "abs: expected numbers, not %s", value_type_name(x));
  Value r = num_abs(I, x);
  r.unit = x.unit;
  return r;
}

static Value f_abs(Interp *I, int argc, Value *args) {
  if (IS_FOREIGN(args[0]) && AS_FOREIGN(args[0])->cls->map) return AS_FOREIGN(args[0])->cls->map(I, args[0].as.o, abs_one, NULL);
  return abs_one(I, lib_number_arg(I, "abs", args, 0), NULL);
}

static Value f_keys(Interp *I, int argc, Value *args) {
  ObjRecord *r = lib_record_arg(I, "keys", args, 0);
  ObjList *l = list_new(I);
  for (int i = 0; i < r->count; i++) list_append(I, l, OBJ_VAL(r->keys[i]));
  return OBJ_VAL(l);
}

static Value f_values(Interp *I, int argc, Value *args) {
  ObjRecord *r = lib_record_arg(I, "values", args, 0);
  ObjList *l = list_new(I);
  for (int i = 0; i < r->count; i++) list_append(I, l, r->values[i]);
  return OBJ_VAL(l);
}

static Value f_append(Interp *I, int argc, Value *args) {
  ObjList *l = lib_list_arg(I, "append", args, 0);
  list_append(I, l, args[1]);
  return args[0];
}

static Value f_range(Interp *I, int argc, Value *args) {
  int64_t lo = 1, hi;
  if (argc == 1) {
    hi = lib_int_arg(I, "range", args, 0);
  } else {
    lo = lib_int_arg(I, "range", args, 0);
    hi = lib_int_arg(I, "range", args, 1);
  }
  return OBJ_VAL(range_new(I, lo, hi));
}

static Value f_map(Interp *I, int argc, Value *args) {
  ObjList *src = elements(I, "map", args[0]);
  if (!lib_is_callable(args[1])) interp_throw(I, "map: argument 2 must be a function");
  ObjList *out = list_new(I);
  interp_push_root(I, OBJ_VAL(src));
  interp_push_root(I, OBJ_VAL(out));
  for (int i = 0; i < src->items.count; i++)
    list_append(I, out, vm_call(I, args[1], 1, &src->items.items[i]));
  interp_pop_roots(I, 2);
  return OBJ_VAL(out);
}

static Value f_filter(Interp *I, int argc, Value *args) {
  ObjList *src = elements(I, "filter", args[0]);
  if (!lib_is_callable(args[1])) interp_throw(I, "filter: argument 2 must be a function");
  ObjList *out = list_new(I);
  interp_push_root(I, OBJ_VAL(src));
  interp_push_root(I, OBJ_VAL(out));
  for (int i = 0; i < src->items.count; i++) {
    Value item = src->items.items[i];
    if (!IS_FALSY(vm_call(I, args[1], 1, &item))) list_append(I, out, item);
  }
  interp_pop_roots(I, 2);
  return OBJ_VAL(out);
}

/* Stable merge sort of items[lo, hi) by keys, using tmp (same length).
 * Keys and items travel together; every array is a rooted list, so a
 * comparison that raises an error leaks nothing. */
static void merge_sort(Interp *I, Value *items, Value *keys, Value *ti, Value *tk, int lo, int hi) {
  if (hi - lo < 2) return;
  int mid = lo + (hi - lo) / 2;
  merge_sort(I, items, keys, ti, tk, lo, mid);
  merge_sort(I, items, keys, ti, tk, mid, hi);
  int i = lo, j = mid, k = lo;
  while (i < mid && j < hi) {
    int c = vm_compare(I, keys[j], keys[i]);
    if (c == 2) interp_throw(I, "sort: cannot order nan");
    if (c < 0) ti[k] = items[j], tk[k++] = keys[j++];
    else ti[k] = items[i], tk[k++] = keys[i++];
  }
  while (i < mid) ti[k] = items[i], tk[k++] = keys[i++];
  while (j < hi) ti[k] = items[j], tk[k++] = keys[j++];
  for (k = lo; k < hi; k++) items[k] = ti[k], keys[k] = tk[k];
}

static Value f_sort(Interp *I, int argc, Value *args) {
  ObjList *src = elements(I, "sort", args[0]);
  if (argc == 2 && !lib_is_callable(args[1])) interp_throw(I, "sort: argument 2 must be a function");
  int n = src->items.count;
  ObjList *out = list_new(I), *keys = list_new(I), *ti = list_new(I), *tk = list_new(I);
  interp_push_root(I, OBJ_VAL(src));
  interp_push_root(I, OBJ_VAL(out));
  interp_push_root(I, OBJ_VAL(keys));
  interp_push_root(I, OBJ_VAL(ti));
  interp_push_root(I, OBJ_VAL(tk));
  for (int i = 0; i < n; i++) {
    Value item = src->items.items[i];
    list_append(I, out, item);
    list_append(I, ti, NIL_VAL);
    list_append(I, tk, NIL_VAL);
    list_append(I, keys, argc == 2 ? vm_call(I, args[1], 1, &item) : item);
  }
  merge_sort(I, out->items.items, keys->items.items, ti->items.items, tk->items.items, 0, n);
  interp_pop_roots(I, 5);
  return OBJ_VAL(out);
}

static Value f_join(Interp *I, int argc, Value *args) {
  ObjList *l = elements(I, "join", args[0]);
  const char *sep = argc > 1 ? lib_string_arg(I, "join", args, 1)->chars : "";
  Buffer b;
  buf_init(&b);
  for (int i = 0; i < l->items.count; i++) {
    if (i) buf_puts(&b, sep);
    if (!value_print(I, &b, l->items.items[i], false) || b.len > CLUSIM_MAX_TEXT) {
      buf_free(&b);
      vm_print_failed(I);
    }
  }
  return OBJ_VAL(str_take_buffer(I, &b));
}

static Value f_unit_of(Interp *I, int argc, Value *args) {
  Value x = lib_number_arg(I, "unit_of", args, 0);
  Buffer b;
  buf_init(&b);
  unit_format(&I->units, &b, x.unit);
  ObjString *s = str_take_buffer(I, &b);
  return OBJ_VAL(str_copy(I, s->chars, s->length)); /* interned, as names are */
}

static Value f_value_of(Interp *I, int argc, Value *args) {
  Value x = lib_number_arg(I, "value_of", args, 0);
  x.unit = UNIT_NONE;
  return x;
}

void lib_core_open(Interp *I) {
  lib_register(I, "len", f_len, 1, 1, "len(x): the number of characters, elements or fields of x");
  lib_register(I, "str", f_str, 1, 1, "str(x): x as text, as print shows it");
  lib_register(I, "num", f_num, 1, 1, "num(s): the exact number written in the string s, e.g. num(\"2.5\")");
  lib_register(I, "type", f_type, 1, 1,
               "type(x): the type of x: number, string, bool, nil, list, record, range or function");
  lib_register(I, "sum", f_sum, 1, 1, "sum(xs): the sum of a list of numbers (with their unit); 0 if empty");
  lib_register(I, "min", f_min, 1, -1, "min(a, b, ...) or min(xs): the smallest value (units must match)");
  lib_register(I, "max", f_max, 1, -1, "max(a, b, ...) or max(xs): the largest value (units must match)");
  lib_register(I, "abs", f_abs, 1, 1, "abs(x): the absolute value of x, keeping its unit");
  lib_register(I, "keys", f_keys, 1, 1, "keys(r): the field names of record r, in order");
  lib_register(I, "values", f_values, 1, 1, "values(r): the field values of record r, in order");
  lib_register(I, "append", f_append, 2, 2, "append(xs, v): add v at the end of list xs; returns xs");
  lib_register(I, "range", f_range, 1, 2, "range(a, b): the range a..b; range(n): 1..n");
  lib_register(I, "map", f_map, 2, 2, "map(xs, f): a new list of f(x) for each x of xs");
  lib_register(I, "filter", f_filter, 2, 2, "filter(xs, f): a new list of the x of xs for which f(x) is true");
  lib_register(I, "sort", f_sort, 1, 2,
               "sort(xs) or sort(xs, key): a new list, sorted (by key(x) when a key function is given)");
  lib_register(I, "join", f_join, 1, 2, "join(xs, sep): the elements of xs as text, separated by sep");
  lib_register(I, "unit_of", f_unit_of, 1, 1, "unit_of(x): the unit of x as a string, \"\" for a plain number");
  lib_register(I, "value_of", f_value_of, 1, 1, "value_of(x): x without its unit");
}

void lib_open_all(Interp *I) {
  lib_core_open(I);
  lib_math_open(I);
  lib_io_open(I);
}
