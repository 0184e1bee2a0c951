/* value.c - equality, hashing and printing of Values. */
#include "value.h"

#include <stdio.h>
#include <stdlib.h>

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

/* ---- equality ------------------------------------------------------------
 *
 * Lists and records compare element by element, as deep as they go, with
 * an explicit stack instead of C recursion (two lists nested ten thousand
 * deep compare like any others).  Lists and records may contain themselves
 * or share parts, so the comparison remembers every pair of containers it
 * has begun to compare: meeting a pair again, it goes on as if that pair
 * were equal.  If any difference is found the answer is false at once, so
 * an assumption can only stand when no element contradicts it - this is
 * equality of the (possibly infinite) trees the values unfold to, and each
 * pair is compared once, so shared parts cost nothing more and cycles end. */

/* Equality of two values that are not both lists or both plain records:
 * *descend is set instead when they are, with the same number of elements
 * (their elements must then be compared). */
static bool shallow_equal(Value a, Value b, bool *descend) {
  *descend = false;
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
  case OBJ_LIST:
    if (AS_LIST(a)->items.count != AS_LIST(b)->items.count) return false;
    *descend = AS_LIST(a)->items.count > 0;
    return true;
  case OBJ_RECORD: {
    ObjRecord *x = AS_RECORD(a), *y = AS_RECORD(b);
    if ((x->cls && x->cls->by_identity) || (y->cls && y->cls->by_identity)) return false;
    if (x->count != y->count) return false;
    *descend = x->count > 0;
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

/* A pair of containers being compared, and the next element to compare. */
typedef struct {
  Obj *a, *b;
  int next;
} EqFrame;

/* The pairs met so far: an open-addressing hash set.  Small comparisons
 * (most of them) stay in the arrays on the C stack; bigger ones move to
 * malloc'd scratch. */
#define EQ_SMALL 16
typedef struct {
  Obj **slots; /* 2 per entry; NULL: empty */
  size_t cap, count;
  Obj *small[4 * EQ_SMALL];
} PairSet;

static size_t pair_hash(const Obj *a, const Obj *b) {
  uint64_t h = (uint64_t)(uintptr_t)a * 0x9E3779B97F4A7C15u ^ (uint64_t)(uintptr_t)b * 0xC2B2AE3D27D4EB4Fu;
  return (size_t)(h ^ (h >> 29));
}

/* Add the pair; false when it was there already. */
static bool pairs_add(PairSet *s, Obj *a, Obj *b) {
  if (s->cap == 0) {
    memset(s->small, 0, sizeof s->small);
    s->slots = s->small;
    s->cap = 2 * EQ_SMALL;
  }
  if ((s->count + 1) * 2 > s->cap) {
    size_t cap = s->cap * 2;
    Obj **slots = calloc(cap * 2, sizeof(Obj *));
    if (!slots) mem_error(NULL);
    for (size_t i = 0; i < s->cap; i++) {
      if (!s->slots[2 * i]) continue;
      size_t h = pair_hash(s->slots[2 * i], s->slots[2 * i + 1]) & (cap - 1);
      while (slots[2 * h]) h = (h + 1) & (cap - 1);
      slots[2 * h] = s->slots[2 * i];
      slots[2 * h + 1] = s->slots[2 * i + 1];
    }
    if (s->slots != s->small) free(s->slots);
    s->slots = slots;
    s->cap = cap;
  }
  size_t h = pair_hash(a, b) & (s->cap - 1);
  for (; s->slots[2 * h]; h = (h + 1) & (s->cap - 1))
    if (s->slots[2 * h] == a && s->slots[2 * h + 1] == b) return false;
  s->slots[2 * h] = a;
  s->slots[2 * h + 1] = b;
  s->count++;
  return true;
}

bool value_equal(Value a, Value b) {
  bool descend;
  bool eq = shallow_equal(a, b, &descend);
  if (!descend) return eq;
  EqFrame small[EQ_SMALL];
  EqFrame *stack = small;
  size_t n = 0, cap = EQ_SMALL;
  PairSet seen;
  seen.cap = seen.count = 0;
  bool result = true;
  pairs_add(&seen, a.as.o, b.as.o);
  Value x = a, y = b; /* a pair of containers to go into */
  for (;;) {
    if (IS_OBJ(x)) { /* push the pair (x, y) */
      if (n == cap) {
        cap *= 2;
        EqFrame *grown = stack == small ? malloc(cap * sizeof *stack) : realloc(stack, cap * sizeof *stack);
        if (!grown) mem_error(NULL);
        if (stack == small) memcpy(grown, small, sizeof small);
        stack = grown;
      }
      stack[n++] = (EqFrame){x.as.o, y.as.o, 0};
      x = NIL_VAL;
    }
    if (n == 0) break;
    EqFrame *f = &stack[n - 1];
    Value ea, eb;
    if (f->a->type == OBJ_LIST) {
      ObjList *la = (ObjList *)f->a, *lb = (ObjList *)f->b;
      if (f->next == la->items.count) {
        n--;
        continue;
      }
      ea = la->items.items[f->next];
      eb = lb->items.items[f->next];
    } else {
      ObjRecord *ra = (ObjRecord *)f->a, *rb = (ObjRecord *)f->b;
      if (f->next == ra->count) {
        n--;
        continue;
      }
      ea = ra->values[f->next];
      if (!record_get(rb, ra->keys[f->next], &eb)) {
        result = false;
        break;
      }
    }
    f->next++;
    if (!shallow_equal(ea, eb, &descend)) {
      result = false;
      break;
    }
    if (descend && pairs_add(&seen, ea.as.o, eb.as.o)) {
      x = ea;
      y = eb;
    }
  }
  if (stack != small) free(stack);
  if (seen.slots != seen.small) free(seen.slots);
  return result;
}

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
  default: return "number"; /* an inline decimal (VAL_DEC...VAL_DEC_LAST) */
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

/* ---- printing ------------------------------------------------------------
 *
 * A value prints as a tree, but lists and records are shared by reference:
 * a list may hold itself (`append(a, a)`), or hold one list twice at each
 * of sixty levels, which as a tree has 2^60 leaves.  Three guards keep
 * printing finite and stoppable:
 *
 *   - a list or record that is already being printed further up (on the
 *     path from the value printed down to here) prints as [...] or {...}:
 *     each cycle is shown once, as the prompt of Python does;
 *   - below PRINT_MAX_DEPTH levels a value prints as `...`;
 *   - the text stops at CLUSIM_MAX_TEXT bytes, and at Ctrl-C
 *     (I->interrupted, checked at each element): printing then ends with
 *     `...` and value_print returns false, so that the caller, which knows
 *     what the text was for, raises an error (vm_print_failed) instead of
 *     using a text cut short.  Printing itself never raises: its callers
 *     hold Buffers that a raise would leak.
 *
 * The path lives in the Printer, on the C stack, one entry per level.  A
 * record class's print hook (an entity) may call value_print again; that
 * call has a path of its own, and the outer printer checks the text's
 * length again when the hook returns. */
#define PRINT_MAX_DEPTH 64

typedef struct {
  Interp *I;
  Buffer *b;
  size_t start; /* b->len when printing began: the text so far is b->len - start */
  bool cut;     /* stopped: too long, or interrupted */
  int depth;
  const Obj *path[PRINT_MAX_DEPTH + 1];
} Printer;

static void print_value(Printer *p, Value v, bool repr);

/* False, after marking the text as cut, when printing must stop. */
static bool go_on(Printer *p) {
  if (p->cut) return false;
  if (p->b->len - p->start <= CLUSIM_MAX_TEXT && !p->I->interrupted) return true;
  p->cut = true;
  buf_puts(p->b, "...");
  return false;
}

static bool on_path(Printer *p, const Obj *o) {
  for (int i = 0; i < p->depth; i++)
    if (p->path[i] == o) return true;
  return false;
}

static void print_fields(Printer *p, ObjRecord *r) {
  buf_putc(p->b, '{');
  for (int i = 0; i < r->count && go_on(p); i++) {
    if (i) buf_puts(p->b, ", ");
    buf_printf(p->b, "%s: ", r->keys[i]->chars);
    print_value(p, r->values[i], true);
  }
  buf_putc(p->b, '}');
}

/* A list's or record's elements, one level further down its path. */
static void print_container(Printer *p, Value v) {
  const Obj *o = v.as.o;
  if (on_path(p, o)) {
    buf_puts(p->b, IS_LIST(v) ? "[...]" : "{...}");
    return;
  }
  p->path[p->depth++] = o;
  if (IS_LIST(v)) {
    ValueArray *a = &AS_LIST(v)->items;
    buf_putc(p->b, '[');
    for (int i = 0; i < a->count && go_on(p); i++) {
      if (i) buf_puts(p->b, ", ");
      print_value(p, a->items[i], true);
    }
    buf_putc(p->b, ']');
  } else {
    print_fields(p, AS_RECORD(v));
  }
  p->depth--;
}

static void print_value(Printer *p, Value v, bool repr) {
  Interp *I = p->I;
  Buffer *b = p->b;
  if (p->depth > PRINT_MAX_DEPTH) {
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
  case OBJ_LIST: print_container(p, v); return;
  case OBJ_FOREIGN:
    AS_FOREIGN(v)->cls->print(I, b, v.as.o);
    go_on(p);
    return;
  case OBJ_RECORD: {
    ObjRecord *r = AS_RECORD(v);
    if (r->cls && r->cls->print) {
      r->cls->print(I, b, r, p->depth > 0);
      go_on(p);
      return;
    }
    print_container(p, v);
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

void value_print_fields(Interp *I, Buffer *b, ObjRecord *r, int depth) {
  Printer p = {.I = I, .b = b, .start = b->len, .cut = false, .depth = 0};
  if (depth > PRINT_MAX_DEPTH) {
    buf_puts(b, "...");
    return;
  }
  /* the record is on its own path, so a field holding it prints as {...} */
  p.path[p.depth++] = (const Obj *)r;
  print_fields(&p, r);
}

bool value_print(Interp *I, Buffer *b, Value v, bool repr) {
  Printer p = {.I = I, .b = b, .start = b->len, .cut = false, .depth = 0};
  print_value(&p, v, repr);
  return !p.cut && go_on(&p);
}
