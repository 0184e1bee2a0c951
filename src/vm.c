/* vm.c - the dispatch loop, calls and error reports.
 *
 * A stack machine in the style of clox: each call gets a window of the
 * shared value stack (slot 0 the callee, then arguments, then locals).
 * Dispatch uses computed goto where the compiler supports it.  The common
 * cases - arithmetic and comparisons of int64s and doubles (see "inline
 * arithmetic"), counting loops, fields found where they were last found -
 * are handled inline; everything else (big numbers, rationals, units that
 * combine, strings, indexing, printing) goes to the out-of-line operations
 * of vm_ops.c, which may raise an error with interp_throw.  Before calling
 * anything that may raise, the loop saves its instruction pointer into the
 * frame (SAVE), so the error can point at the instruction that failed.
 */
#include "vm_ops.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "memory.h"
#include "num.h"
#include "opcodes.h"
#include "state.h"
#include "unit.h"

void vm_init(Interp *I) {
  I->stack = mem_realloc_raw(I, NULL, sizeof(Value) * CLUSIM_STACK_SLOTS);
  I->sp = I->stack;
  I->stack_end = I->stack + CLUSIM_STACK_SLOTS;
  I->frame_count = 0;
  I->open_upvalues = NULL;
}

void vm_free(Interp *I) {
  free(I->stack);
  I->stack = I->sp = I->stack_end = NULL;
}

/* ---- upvalues ---------------------------------------------------------- */

static ObjUpvalue *capture_upvalue(Interp *I, Value *local) {
  ObjUpvalue *prev = NULL, *u = I->open_upvalues;
  while (u && u->location > local) {
    prev = u;
    u = u->next_open;
  }
  if (u && u->location == local) return u;
  ObjUpvalue *created = upvalue_new(I, local);
  created->next_open = u;
  if (prev) prev->next_open = created;
  else I->open_upvalues = created;
  return created;
}

static void close_upvalues(Interp *I, Value *last) {
  while (I->open_upvalues && I->open_upvalues->location >= last) {
    ObjUpvalue *u = I->open_upvalues;
    u->closed = *u->location;
    u->location = &u->closed;
    I->open_upvalues = u->next_open;
  }
}

void vm_unwind(Interp *I, int frame_count, Value *sp) {
  close_upvalues(I, sp);
  I->frame_count = frame_count;
  I->sp = sp;
}

/* ---- error reports ----------------------------------------------------- */

static SrcLoc frame_loc(CallFrame *f) {
  Chunk *c = &f->closure->function->chunk;
  int at = (int)(f->ip - c->code) - 1;
  if (at < 0) at = 0;
  if (at >= c->count) at = c->count - 1;
  return c->count > 0 ? c->locs[at] : (SrcLoc){0, 0};
}

static void describe_frame_link(Interp *I, Buffer *out, int i) {
  ObjFunction *fn = I->frames[i].closure->function;
  CallFrame *caller = &I->frames[i - 1];
  SrcLoc at = frame_loc(caller);
  const char *where = source_name(caller->closure->function->chunk.source);
  if (fn->declared_as && fn->name) {
    buf_printf(out, "  in %s %s", fn->declared_as, fn->name->chars);
    if (I->host.frame_context) I->host.frame_context(I, out, fn);
    buf_printf(out, ", run from %s:%d:%d\n", where, at.line, at.col);
  } else if (fn->name)
    buf_printf(out, "  in fn %s, called from %s:%d:%d\n", fn->name->chars, where, at.line, at.col);
  else if (!fn->is_script)
    buf_printf(out, "  in an anonymous fn, called from %s:%d:%d\n", where, at.line, at.col);
  else
    buf_printf(out, "  in %s, imported from %s:%d:%d\n", source_name(fn->chunk.source), where,
               at.line, at.col);
}

/* The message with its location and caret, then the chain of calls that
 * led there, innermost first (long chains are shortened in the middle). */
void vm_describe_error(Interp *I, Buffer *out, const char *message) {
  vm_describe_error_at(I, out, message, NULL);
}

void vm_describe_error_at(Interp *I, Buffer *out, const char *message, const SrcLoc *at) {
  if (I->frame_count == 0) {
    buf_printf(out, "error: %s\n", message);
    return;
  }
  CallFrame *top = &I->frames[I->frame_count - 1];
  SrcLoc loc = at ? *at : frame_loc(top);
  Source *src = top->closure->function->chunk.source;
  buf_printf(out, "%s:%d:%d: error: %s\n", source_name(src), loc.line, loc.col, message);
  diag_quote(out, src, loc);
  int n = I->frame_count;
  for (int i = n - 1; i >= 1; i--) {
    if (n > 24 && i == n - 11) {
      int skip = n - 22;
      buf_printf(out, "  ... %d more calls ...\n", skip);
      i -= skip - 1;
      continue;
    }
    describe_frame_link(I, out, i);
  }
}

int vm_current_line(Interp *I) {
  return I->frame_count > 0 ? frame_loc(&I->frames[I->frame_count - 1]).line : 0;
}

bool vm_describe_warning(Interp *I, Buffer *out, const char *message) {
  if (I->frame_count == 0) {
    buf_printf(out, "warning: %s\n", message);
    return true;
  }
  CallFrame *top = &I->frames[I->frame_count - 1];
  if (top->ip == I->last_warning_ip) return false;
  I->last_warning_ip = top->ip;
  SrcLoc loc = frame_loc(top);
  Source *src = top->closure->function->chunk.source;
  buf_printf(out, "%s:%d:%d: warning: %s\n", source_name(src), loc.line, loc.col, message);
  diag_quote(out, src, loc);
  return true;
}

/* ---- calls ------------------------------------------------------------- */

static _Noreturn void arity_error(Interp *I, const char *name, int expected_min, int expected_max,
                                  int got) {
  if (expected_max < 0)
    interp_throw(I, "%s expects at least %d argument%s, got %d", name, expected_min,
                 expected_min == 1 ? "" : "s", got);
  if (expected_min == expected_max)
    interp_throw(I, "%s expects %d argument%s, got %d", name, expected_min,
                 expected_min == 1 ? "" : "s", got);
  interp_throw(I, "%s expects %d to %d arguments, got %d", name, expected_min, expected_max, got);
}

static Value call_native(Interp *I, ObjNative *n, int argc, Value *args) {
  if (argc < n->min_args || (n->max_args >= 0 && argc > n->max_args))
    arity_error(I, n->name->chars, n->min_args, n->max_args, argc);
  return n->fn(I, argc, args);
}

static _Noreturn void call_error(Interp *I, ObjFunction *f, int argc) {
  if (argc != f->arity) {
    ObjString *name = str_printf(I, "fn %s", f->name ? f->name->chars : "(anonymous)");
    arity_error(I, name->chars, f->arity, f->arity, argc);
  }
  if (I->frame_count == CLUSIM_MAX_FRAMES)
    interp_throw(I, "recursion too deep (more than %d nested calls)", CLUSIM_MAX_FRAMES);
  interp_throw(I, "recursion too deep (the value stack is full)");
}

/* Push a frame for a closure whose callee and arguments are on the stack
 * (inline: the dispatch loop's CALL is one of the hottest paths). */
static inline CallFrame *push_frame(Interp *I, ObjClosure *cl, int argc, Value *sp, bool boundary) {
  ObjFunction *f = cl->function;
  if (UNLIKELY(argc != f->arity || I->frame_count == CLUSIM_MAX_FRAMES ||
               sp + f->max_slots + 64 > I->stack_end))
    call_error(I, f, argc);
  CallFrame *frame = &I->frames[I->frame_count++];
  frame->closure = cl;
  frame->ip = f->chunk.code;
  frame->slots = sp - argc - 1;
  frame->native_boundary = boundary;
  return frame;
}

static Value run(Interp *I);

/* Each call from C into the VM nests C functions too (the built-in, this
 * function, the dispatch loop): I->c_calls counts the ones active, so that
 * recursion through a callback (fn g(n) = map([n], fn(x) = g(x))) ends in
 * an error before the C stack overflows.  interp_pcall puts the count back
 * when an error unwinds. */
Value vm_call(Interp *I, Value callee, int argc, Value *args) {
  if (I->sp + argc + 1 + 64 > I->stack_end) interp_throw(I, "recursion too deep (the value stack is full)");
  if (UNLIKELY(I->c_calls >= CLUSIM_MAX_C_CALLS))
    interp_throw(I, "recursion too deep (more than %d nested calls through built-in functions such as map, filter and sort)",
                 CLUSIM_MAX_C_CALLS);
  I->c_calls++;
  Value *base = I->sp;
  *I->sp++ = callee;
  for (int i = 0; i < argc; i++) *I->sp++ = args[i];
  Value result;
  if (IS_NATIVE(callee)) {
    result = call_native(I, AS_NATIVE(callee), argc, base + 1);
  } else if (IS_CLOSURE(callee)) {
    push_frame(I, AS_CLOSURE(callee), argc, I->sp, true);
    result = run(I);
  } else {
    interp_throw(I, "cannot call %s %s", vm_a_type(callee), value_type_name(callee));
  }
  I->c_calls--;
  I->sp = base;
  return result;
}

Value vm_run_toplevel(Interp *I, ObjFunction *f) {
  ObjClosure *cl = closure_new(I, f);
  return vm_call(I, OBJ_VAL(cl), 0, NULL);
}

/* ---- the dispatch loop -------------------------------------------------- */

#if defined(__GNUC__) && !defined(CLUSIM_NO_COMPUTED_GOTO)
#define DISPATCH_TABLE 1
#endif

/* A global's value, or the error for one not defined yet. */
static inline Value global_value(Interp *I, uint16_t g, CallFrame *frame, uint8_t *ip) {
  Value v = I->globals[g];
  if (UNLIKELY(IS_UNDEF(v))) {
    frame->ip = ip;
    interp_throw(I, "unknown name '%s' (it is not defined yet)", I->global_names[g]->chars);
  }
  return v;
}

/* ---- inline arithmetic ---------------------------------------------------
 *
 * The fast paths of the dispatch loop, on the numbers a Value holds inline:
 * int64s that do not overflow, doubles, and an int64 with a double (which
 * gives a double, the int64 converted as num_to_double converts it).  Each
 * writes the result into *r (tag and payload, as two 8-byte stores) and
 * returns true, or returns false for everything else - units that need
 * unit.c, big and exact non-integer numbers, an int64 result that
 * overflows, other types - which the loop hands to vm_arith, whose results
 * are the same and which raises every error.  They test exact types only,
 * so a new kind of number takes the generic way until it gets a fast path.
 */

#ifndef TAG_FLOAT
#define TAG_FLOAT MAKE_TAG(VAL_FLOAT, 0)
#endif

/* Two inline numbers, at least one a double, as doubles. */
static inline bool float_pair(Value a, Value b, double *x, double *y) {
  if (a.type == VAL_FLOAT) {
    *x = a.as.d;
    if (b.type == VAL_FLOAT) *y = b.as.d;
    else if (b.type == VAL_INT) *y = (double)b.as.i;
    else return false;
    return true;
  }
  if (a.type != VAL_INT || b.type != VAL_FLOAT) return false;
  *x = (double)a.as.i;
  *y = b.as.d;
  return true;
}

static inline void set_int(Value *r, UnitId unit, int64_t i) {
  r->tag = MAKE_TAG(VAL_INT, unit);
  r->as.i = i;
}

static inline void set_float(Value *r, UnitId unit, double d) {
  r->tag = MAKE_TAG(VAL_FLOAT, unit);
  r->as.d = d;
}

/* + and - (sub): one unit, kept */
static inline bool fast_add_sub(Value a, Value b, Value *r, bool sub) {
  double x, y;
  int64_t i;
  if (a.unit != b.unit) return false;
  if (a.type == VAL_INT && b.type == VAL_INT) {
    if (sub ? __builtin_sub_overflow(a.as.i, b.as.i, &i) : __builtin_add_overflow(a.as.i, b.as.i, &i))
      return false;
    set_int(r, a.unit, i);
    return true;
  }
  if (!float_pair(a, b, &x, &y)) return false;
  set_float(r, a.unit, sub ? x - y : x + y);
  return true;
}
#define fast_add(a, b, r) fast_add_sub(a, b, r, false)
#define fast_sub(a, b, r) fast_add_sub(a, b, r, true)

/* *: a plain number times a number keeps the other's unit (unit_mul) */
static inline bool fast_mul(Value a, Value b, Value *r) {
  double x, y;
  int64_t i;
  if (a.unit != UNIT_NONE && b.unit != UNIT_NONE) return false;
  UnitId u = a.unit | b.unit;
  if (a.type == VAL_INT && b.type == VAL_INT) {
    if (__builtin_mul_overflow(a.as.i, b.as.i, &i)) return false;
    set_int(r, u, i);
    return true;
  }
  if (!float_pair(a, b, &x, &y)) return false;
  set_float(r, u, x * y);
  return true;
}

/* /: by a plain number the unit stays, by the same unit it goes
 * (unit_div); int64s only when the quotient is whole (num_div) */
static inline bool fast_div(Value a, Value b, Value *r) {
  double x, y;
  UnitId u;
  if (b.unit == UNIT_NONE) u = a.unit;
  else if (a.unit == b.unit) u = UNIT_NONE;
  else return false;
  if (a.type == VAL_INT && b.type == VAL_INT) {
    if (b.as.i == 0 || b.as.i == -1 || a.as.i % b.as.i != 0) return false;
    set_int(r, u, a.as.i / b.as.i);
    return true;
  }
  if (!float_pair(a, b, &x, &y)) return false;
  set_float(r, u, x / y);
  return true;
}

/* mod of int64s, floored as num_mod (the sign of b); one unit, kept */
static inline bool fast_mod(Value a, Value b, Value *r) {
  if (a.tag != b.tag || a.type != VAL_INT || b.as.i == 0 || b.as.i == -1) return false;
  int64_t m = a.as.i % b.as.i;
  if (m != 0 && (m < 0) != (b.as.i < 0)) m += b.as.i;
  set_int(r, a.unit, m);
  return true;
}

/* For a comparison: two inline numbers of one unit, at least one a double,
 * as doubles that compare as the numbers do - an int64 only within 2^53,
 * where its double is exact (num_cmp compares exactly).  A NaN makes every
 * ordering false, as num_cmp's "unordered" does. */
static inline bool float_order_pair(Value a, Value b, double *x, double *y) {
  const int64_t exact = INT64_C(1) << 53;
  if (a.unit != b.unit || !float_pair(a, b, x, y)) return false;
  if (a.type == VAL_INT) return a.as.i >= -exact && a.as.i <= exact;
  if (b.type == VAL_INT) return b.as.i >= -exact && b.as.i <= exact;
  return true;
}

/* Three-way comparison of inline numbers with a double among them, as
 * num_cmp gives it (2: unordered, a NaN), or NOT_INLINE: vm_compare must
 * decide. */
#define NOT_INLINE 3
static inline int float_cmp(Value a, Value b) {
  double x, y;
  if (!float_order_pair(a, b, &x, &y)) return NOT_INLINE;
  return x < y ? -1 : x > y ? 1 : x == y ? 0 : 2;
}

/* The position of field `name` in r, or -1: first where the instruction's
 * cache (opcodes.h, h) says, checked against the key there; on a miss by
 * name, and the cache then remembers the position (if it fits in a byte). */
static inline int cached_field(ObjRecord *r, ObjString *name, uint8_t *cache) {
  int at = *cache;
  if (LIKELY(at < r->count && r->keys[at] == name)) return at;
  at = record_find(r, name);
  if (at >= 0) *cache = at <= UINT8_MAX ? (uint8_t)at : 0;
  return at;
}

/* Run the top frame until it returns across a native boundary. */
static Value run(Interp *I) {
  CallFrame *frame = &I->frames[I->frame_count - 1];
  uint8_t *ip = frame->ip;
  Value *slots = frame->slots;
  Value *consts = frame->closure->function->chunk.constants.items;
  double *knum = frame->closure->function->chunk.knum;
  Value *sp = I->sp;
  uint32_t wide; /* the operand of a wide form (opcodes.h: K, G, C), for the shared body */

#define READ_BYTE() (*ip++)
#define READ_U16() (ip += 2, (uint16_t)(ip[-2] | (ip[-1] << 8)))
#define READ_U24() (ip += 3, (uint32_t)ip[-3] | (uint32_t)ip[-2] << 8 | (uint32_t)ip[-1] << 16)
#define SAVE() (frame->ip = ip, I->sp = sp)
#define LOAD_FRAME()                                          \
  do {                                                        \
    frame = &I->frames[I->frame_count - 1];                   \
    ip = frame->ip;                                           \
    slots = frame->slots;                                     \
    consts = frame->closure->function->chunk.constants.items; \
    knum = frame->closure->function->chunk.knum;              \
  } while (0)
#define PUSH(v) (*sp++ = (v))
#define POP() (*--sp)
/* Copy a value that is already in memory (a slot, a global, a field) onto
 * the stack, or back: field by field, as Lua's setobj does.  The fast paths
 * below write a result's payload alone, or tag and payload as two 8-byte
 * stores; a whole-Value copy is a single 16-byte load, which cannot take
 * its data from two pending stores and waits for them to reach the cache
 * (a store-forwarding stall, some 15 cycles per round of a loop). */
#define COPY(dst, src)                          \
  do {                                          \
    Value *d_ = (dst);                          \
    const Value *s_ = (src);                    \
    d_->tag = s_->tag;                          \
    d_->as.i = s_->as.i;                        \
  } while (0)
#define PUSH_FROM(src) \
  do {                 \
    COPY(sp, (src));   \
    sp++;              \
  } while (0)
#define PEEK(n) (sp[-1 - (n)])
#ifdef CLUSIM_FUZZING
/* The fuzzer's step budget (I->fuzz_steps): once used up, every safe point
 * interrupts, as Ctrl-C does. */
#define FUZZ_STEP()                                               \
  do {                                                            \
    if (I->fuzz_steps > 0 && --I->fuzz_steps == 0) {              \
      I->fuzz_steps = 1;                                          \
      I->interrupted = 1;                                         \
    }                                                             \
  } while (0)
#else
#define FUZZ_STEP() ((void)0)
#endif
#define SAFE_POINT()                                                        \
  do {                                                                      \
    FUZZ_STEP();                                                            \
    if (UNLIKELY(I->interrupted)) {                                         \
      I->interrupted = 0;                                                   \
      SAVE();                                                               \
      interp_throw_interrupt(I);                                            \
    }                                                                       \
    if (UNLIKELY(GC_DUE(I))) {                                              \
      SAVE();                                                               \
      gc_collect(I);                                                        \
    }                                                                       \
  } while (0)

#ifdef DISPATCH_TABLE
  static void *labels[] = {
#define X(name, n, doc) &&L_##name,
      CLUSIM_OPCODES(X)
#undef X
  };
#define CASE(name) L_##name:
#define NEXT goto *labels[*ip++]
  NEXT;
#else
#define CASE(name) case OP_##name:
#define NEXT goto dispatch
dispatch:
  switch (*ip++) {
#endif

  CASE(CONST) {
    PUSH(consts[READ_U16()]);
    NEXT;
  }
  CASE(CONST_W) {
    PUSH(consts[READ_U24()]);
    NEXT;
  }
  CASE(SMALLINT) {
    PUSH(INT_VAL((int8_t)READ_BYTE()));
    NEXT;
  }
  CASE(NIL) {
    PUSH(NIL_VAL);
    NEXT;
  }
  CASE(TRUE) {
    PUSH(BOOL_VAL(true));
    NEXT;
  }
  CASE(FALSE) {
    PUSH(BOOL_VAL(false));
    NEXT;
  }
  CASE(POP) {
    sp--;
    NEXT;
  }
  CASE(GET_LOCAL) {
    PUSH_FROM(&slots[READ_BYTE()]);
    NEXT;
  }
  CASE(SET_LOCAL) {
    sp--;
    COPY(&slots[READ_BYTE()], sp);
    NEXT;
  }
  /* The wide forms read their u24 operand and go on in the plain form's body. */
  CASE(GET_GLOBAL_W) {
    wide = READ_U24();
    goto get_global;
  }
  CASE(SET_GLOBAL_W) {
    wide = READ_U24();
    goto set_global;
  }
  CASE(DEFINE_GLOBAL_W) {
    wide = READ_U24();
    goto define_global;
  }
  CASE(GET_FIELD_W) {
    wide = READ_U24();
    goto get_field;
  }
  CASE(SET_FIELD_W) {
    wide = READ_U24();
    goto set_field;
  }
  CASE(CLOSURE_W) {
    wide = READ_U24();
    goto closure;
  }
  CASE(IMPORT_W) {
    wide = READ_U24();
    goto import;
  }
  CASE(GET_GLOBAL) {
    wide = READ_U16();
  get_global:;
    uint32_t g = wide;
    Value *v = &I->globals[g];
    if (UNLIKELY(IS_UNDEF(*v))) {
      SAVE();
      interp_throw(I, "unknown name '%s' (it is not defined yet)", I->global_names[g]->chars);
    }
    PUSH_FROM(v);
    NEXT;
  }
  CASE(SET_GLOBAL) {
    wide = READ_U16();
  set_global:;
    uint32_t g = wide;
    if (UNLIKELY(IS_UNDEF(I->globals[g]))) {
      SAVE();
      interp_throw(I, "unknown name '%s' (use 'let %s = ...' to declare it)",
                   I->global_names[g]->chars, I->global_names[g]->chars);
    }
    if (UNLIKELY(I->global_kinds[g] == GLOBAL_PARAM) && I->host.param_write) { /* the host checks its bounds */
      SAVE();
      I->host.param_write(I, g, PEEK(0));
    }
    sp--;
    COPY(&I->globals[g], sp);
    NEXT;
  }
  CASE(DEFINE_GLOBAL) {
    wide = READ_U16();
  define_global:;
    uint32_t g = wide;
    I->globals[g] = POP();
    if (I->global_kinds[g] == GLOBAL_BUILTIN) I->global_kinds[g] = GLOBAL_VAR;
    NEXT;
  }
  CASE(GET_UPVALUE) {
    PUSH_FROM(frame->closure->upvalues[READ_BYTE()]->location);
    NEXT;
  }
  CASE(SET_UPVALUE) {
    sp--;
    COPY(frame->closure->upvalues[READ_BYTE()]->location, sp);
    NEXT;
  }
  CASE(CLOSE_UPVALUE) {
    close_upvalues(I, sp - 1);
    sp--;
    NEXT;
  }
  /* The byte after the name is the instruction's inline cache (opcodes.h,
   * h): the position where the field was last found.  A record of another
   * shape only misses (its key there is another), then the field is looked
   * up by name and its position kept for the next time. */
  CASE(GET_FIELD) {
    wide = READ_U16();
  get_field:;
    uint8_t *cache = ip++;
    ObjString *name = AS_STRING(consts[wide]);
    Value obj = PEEK(0);
    if (LIKELY(IS_RECORD(obj))) {
      ObjRecord *r = AS_RECORD(obj);
      int at = cached_field(r, name, cache);
      if (LIKELY(at >= 0)) {
        COPY(&sp[-1], &r->values[at]);
        NEXT;
      }
    }
    SAVE();
    Value found;
    if (IS_FOREIGN(obj) && AS_FOREIGN(obj)->cls->get_field &&
        AS_FOREIGN(obj)->cls->get_field(I, obj.as.o, name, &found)) {
      sp[-1] = found;
      NEXT;
    }
    vm_no_field(I, obj, name);
  }
  CASE(SET_FIELD) {
    wide = READ_U16();
  set_field:;
    uint8_t *cache = ip++;
    ObjString *name = AS_STRING(consts[wide]);
    Value obj = PEEK(1);
    if (UNLIKELY(!IS_RECORD(obj))) {
      SAVE();
      interp_throw(I, "cannot set field '%s' of %s %s", name->chars, vm_a_type(obj),
                   value_type_name(obj));
    }
    ObjRecord *r = AS_RECORD(obj);
    sp -= 2;
    if (UNLIKELY(r->cls != NULL)) { /* a host's record: its class hears of the write */
      SAVE();
      record_write(I, r, name, sp[1]);
      NEXT;
    }
    int at = cached_field(r, name, cache);
    if (LIKELY(at >= 0)) {
      COPY(&r->values[at], &sp[1]);
      NEXT;
    }
    SAVE();
    record_set(I, r, name, sp[1]); /* a new field */
    NEXT;
  }
  CASE(GET_INDEX) {
    SAVE();
    Value v = vm_get_index(I, PEEK(1), PEEK(0));
    sp -= 1;
    sp[-1] = v;
    NEXT;
  }
  CASE(SET_INDEX) {
    SAVE();
    vm_set_index(I, PEEK(2), PEEK(1), PEEK(0));
    sp -= 3;
    NEXT;
  }

/* a op b on the two top values: inline (fast_add...) or through vm_arith */
#define ARITH(op, fast)                          \
  {                                              \
    Value b = sp[-1], a = sp[-2];                \
    if (LIKELY(fast(a, b, &sp[-2]))) {           \
      sp--;                                      \
      NEXT;                                      \
    }                                            \
    SLOW_ARITH(op);                              \
  }
#define SLOW_ARITH(op)                    \
  {                                       \
    if (vm_dec_arith(op, sp[-2], sp[-1], &sp[-2])) { \
      sp--;                               \
      NEXT;                               \
    }                                     \
    SAVE();                               \
    Value r = vm_arith(I, op, sp[-2], sp[-1]); \
    sp--;                                 \
    sp[-1] = r;                           \
    NEXT;                                 \
  }

  CASE(ADD) ARITH(OP_ADD, fast_add);
  CASE(SUB) ARITH(OP_SUB, fast_sub);
  CASE(MUL) ARITH(OP_MUL, fast_mul);
  CASE(DIV) ARITH(OP_DIV, fast_div);
  CASE(MOD) ARITH(OP_MOD, fast_mod);
  CASE(POW) SLOW_ARITH(OP_POW);
  CASE(ADD_INT) {
    int8_t k = (int8_t)READ_BYTE();
    Value a = sp[-1];
    int64_t r;
    if (LIKELY(a.tag == TAG_INT && !__builtin_add_overflow(a.as.i, k, &r))) {
      sp[-1].as.i = r;
      NEXT;
    }
    if (a.tag == TAG_FLOAT) { /* x - 3 as x + -3: IEEE subtraction is that addition */
      sp[-1].as.d = a.as.d + k;
      NEXT;
    }
    SAVE();
    /* `x - 3` is compiled as adding -3: report it as the subtraction it is */
    sp[-1] = k < 0 ? vm_arith(I, OP_SUB, a, INT_VAL(-(int64_t)k)) : vm_arith(I, OP_ADD, a, INT_VAL(k));
    NEXT;
  }
  /* a op k and k op a, k a number constant (operand q, opcodes.h): a
   * double meets a constant without a unit in the constant's double,
   * converted once (Chunk.knum), as vm_arith would convert it; anything
   * else, constants with a unit included, takes the way of ADD...  Each
   * names the condition on a for the double's way (any unit is kept by *
   * and by / k), then the double's expression. */
#define ARITH_K(opcode, fast, float_ok, float_result, k_first)                     \
  {                                                                              \
    uint16_t k_ = READ_U16();                                                    \
    Value a = sp[-1];                                                            \
    if (LIKELY(float_ok && k_ < K_UNIT)) {                                       \
      sp[-1].as.d = float_result;                                                \
      NEXT;                                                                      \
    }                                                                            \
    Value k = consts[k_ & (K_UNIT - 1)];                                         \
    if (LIKELY(k_first ? fast(k, a, &sp[-1]) : fast(a, k, &sp[-1]))) NEXT;       \
    if (k_first ? vm_dec_arith(opcode, k, a, &sp[-1]) : vm_dec_arith(opcode, a, k, &sp[-1])) NEXT; \
    SAVE();                                                                      \
    sp[-1] = k_first ? vm_arith(I, opcode, k, a) : vm_arith(I, opcode, a, k);    \
    NEXT;                                                                        \
  }
  CASE(ADD_K) ARITH_K(OP_ADD, fast_add, a.tag == TAG_FLOAT, a.as.d + knum[k_], false);
  CASE(SUB_K) ARITH_K(OP_SUB, fast_sub, a.tag == TAG_FLOAT, a.as.d - knum[k_], false);
  CASE(MUL_K) ARITH_K(OP_MUL, fast_mul, a.type == VAL_FLOAT, a.as.d * knum[k_], false);
  CASE(DIV_K) ARITH_K(OP_DIV, fast_div, a.type == VAL_FLOAT, a.as.d / knum[k_], false);
  CASE(K_ADD) ARITH_K(OP_ADD, fast_add, a.tag == TAG_FLOAT, knum[k_] + a.as.d, true);
  CASE(K_SUB) ARITH_K(OP_SUB, fast_sub, a.tag == TAG_FLOAT, knum[k_] - a.as.d, true);
  CASE(K_MUL) ARITH_K(OP_MUL, fast_mul, a.type == VAL_FLOAT, knum[k_] * a.as.d, true);
  CASE(K_DIV) ARITH_K(OP_DIV, fast_div, a.tag == TAG_FLOAT, knum[k_] / a.as.d, true);
  CASE(NEG) {
    Value a = sp[-1];
    if (LIKELY(a.type == VAL_INT && a.as.i != INT64_MIN)) {
      sp[-1].as.i = -a.as.i;
      NEXT;
    }
    if (a.type == VAL_FLOAT) {
      sp[-1].as.d = -a.as.d;
      NEXT;
    }
    SAVE();
    if (IS_FOREIGN(a) && AS_FOREIGN(a)->cls->arith) {
      sp[-1] = AS_FOREIGN(a)->cls->arith(I, OP_NEG, a, NIL_VAL);
      NEXT;
    }
    if (!num_is(a)) interp_throw(I, "cannot negate %s %s", vm_a_type(a), value_type_name(a));
    Value r = num_neg(I, a);
    r.unit = a.unit;
    sp[-1] = r;
    NEXT;
  }
  CASE(NOT) {
    sp[-1] = BOOL_VAL(IS_FALSY(sp[-1]));
    NEXT;
  }
/* eq = (a == b), r = (a cmp_op b): int64s and doubles inline, anything
 * else through values_equal_checked and vm_compare (units, errors). */
#define TEST_EQUAL(a, b, eq)                                 \
  do {                                                       \
    if ((a).tag == (b).tag && (a).type == VAL_INT) {         \
      eq = (a).as.i == (b).as.i;                             \
      break;                                                 \
    }                                                        \
    int c_ = float_cmp(a, b);                                \
    if (c_ != NOT_INLINE) {                                  \
      eq = c_ == 0;                                          \
      break;                                                 \
    }                                                        \
    SAVE();                                                  \
    eq = vm_values_equal_checked(I, a, b);                      \
  } while (0)
#define TEST_ORDER(a, b, cmp_op, r)                          \
  do {                                                       \
    if (LIKELY((a).tag == (b).tag && (a).type == VAL_INT)) { \
      r = (a).as.i cmp_op (b).as.i;                          \
      break;                                                 \
    }                                                        \
    int c_ = float_cmp(a, b);                                \
    if (c_ == NOT_INLINE) {                                  \
      SAVE();                                                \
      c_ = vm_compare(I, a, b);                              \
    }                                                        \
    r = c_ != 2 && c_ cmp_op 0;                              \
  } while (0)

  CASE(EQ) {
    Value b = sp[-1], a = sp[-2];
    bool eq;
    TEST_EQUAL(a, b, eq);
    sp--;
    sp[-1] = BOOL_VAL(eq);
    NEXT;
  }
  CASE(NE) {
    Value b = sp[-1], a = sp[-2];
    bool eq;
    TEST_EQUAL(a, b, eq);
    sp--;
    sp[-1] = BOOL_VAL(!eq);
    NEXT;
  }
#define COMPARE(cmp_op)            \
  {                                \
    Value b = sp[-1], a = sp[-2];  \
    bool r;                        \
    TEST_ORDER(a, b, cmp_op, r);   \
    sp--;                          \
    sp[-1] = BOOL_VAL(r);          \
    NEXT;                          \
  }
  CASE(LT) COMPARE(<);
  CASE(LE) COMPARE(<=);
  CASE(GT) COMPARE(>);
  CASE(GE) COMPARE(>=);

  CASE(RANGE) {
    int64_t lo, hi;
    SAVE();
    vm_range_bounds(I, sp[-2], sp[-1], &lo, &hi);
    Value r = OBJ_VAL(range_new(I, lo, hi));
    sp--;
    sp[-1] = r;
    NEXT;
  }
  CASE(JUMP) {
    uint16_t off = READ_U16();
    ip += off;
    NEXT;
  }
  CASE(JUMP_IF_FALSE) {
    uint16_t off = READ_U16();
    if (IS_FALSY(sp[-1])) ip += off;
    sp--;
    NEXT;
  }
  CASE(JUMP_IF_FALSE_KEEP) {
    uint16_t off = READ_U16();
    if (IS_FALSY(sp[-1])) ip += off;
    else sp--;
    NEXT;
  }
  CASE(JUMP_IF_TRUE_KEEP) {
    uint16_t off = READ_U16();
    if (!IS_FALSY(sp[-1])) ip += off;
    else sp--;
    NEXT;
  }
  CASE(LOOP) {
    uint16_t off = READ_U16();
    ip -= off;
    SAFE_POINT();
    NEXT;
  }
#define COMPARE_JUMP(cmp_op)       \
  {                                \
    uint16_t off = READ_U16();     \
    Value b = sp[-1], a = sp[-2];  \
    bool r;                        \
    TEST_ORDER(a, b, cmp_op, r);   \
    sp -= 2;                       \
    if (!r) ip += off;             \
    NEXT;                          \
  }
  CASE(LT_JUMP) COMPARE_JUMP(<);
  CASE(LE_JUMP) COMPARE_JUMP(<=);
  CASE(GT_JUMP) COMPARE_JUMP(>);
  CASE(GE_JUMP) COMPARE_JUMP(>=);
#define COMPARE_JUMP_K(cmp_op)        \
  {                                   \
    Value b = consts[READ_U16()];     \
    uint16_t off = READ_U16();        \
    Value a = sp[-1];                 \
    bool r;                           \
    TEST_ORDER(a, b, cmp_op, r);      \
    sp--;                             \
    if (!r) ip += off;                \
    NEXT;                             \
  }
#define COMPARE_VAR_JUMP_K(cmp_op, fetch) \
  {                                       \
    Value a = fetch;                      \
    Value b = consts[READ_U16()];         \
    uint16_t off = READ_U16();            \
    bool r;                               \
    TEST_ORDER(a, b, cmp_op, r);          \
    if (!r) ip += off;                    \
    NEXT;                                 \
  }
  CASE(LT_JUMP_LK) COMPARE_VAR_JUMP_K(<, slots[READ_BYTE()]);
  CASE(LE_JUMP_LK) COMPARE_VAR_JUMP_K(<=, slots[READ_BYTE()]);
  CASE(GT_JUMP_LK) COMPARE_VAR_JUMP_K(>, slots[READ_BYTE()]);
  CASE(GE_JUMP_LK) COMPARE_VAR_JUMP_K(>=, slots[READ_BYTE()]);
  CASE(LT_JUMP_GK) { uint16_t g = READ_U16(); COMPARE_VAR_JUMP_K(<, global_value(I, g, frame, ip)); }
  CASE(LE_JUMP_GK) { uint16_t g = READ_U16(); COMPARE_VAR_JUMP_K(<=, global_value(I, g, frame, ip)); }
  CASE(GT_JUMP_GK) { uint16_t g = READ_U16(); COMPARE_VAR_JUMP_K(>, global_value(I, g, frame, ip)); }
  CASE(GE_JUMP_GK) { uint16_t g = READ_U16(); COMPARE_VAR_JUMP_K(>=, global_value(I, g, frame, ip)); }
  CASE(LT_JUMP_K) COMPARE_JUMP_K(<);
  CASE(LE_JUMP_K) COMPARE_JUMP_K(<=);
  CASE(GT_JUMP_K) COMPARE_JUMP_K(>);
  CASE(GE_JUMP_K) COMPARE_JUMP_K(>=);

#define ARITH_WITH(opcode, fast, operand)     \
  {                                           \
    Value b = operand, a = sp[-1];            \
    if (LIKELY(fast(a, b, &sp[-1]))) NEXT;    \
    SAVE();                                   \
    sp[-1] = vm_arith(I, opcode, a, b);       \
    NEXT;                                     \
  }
  CASE(ADD_LOCAL) ARITH_WITH(OP_ADD, fast_add, slots[READ_BYTE()]);
  CASE(SUB_LOCAL) ARITH_WITH(OP_SUB, fast_sub, slots[READ_BYTE()]);
  CASE(ADD_GLOBAL) {
    uint16_t g = READ_U16();
    ARITH_WITH(OP_ADD, fast_add, global_value(I, g, frame, ip));
  }
  CASE(SUB_GLOBAL) {
    uint16_t g = READ_U16();
    ARITH_WITH(OP_SUB, fast_sub, global_value(I, g, frame, ip));
  }
  /* v = v + k, k a small integer (negative for v - k) */
#define INCREMENT(v, k, check)                                                                   \
  {                                                                                              \
    int64_t r;                                                                                   \
    if (LIKELY(v->tag == TAG_INT && !__builtin_add_overflow(v->as.i, k, &r))) {                  \
      v->as.i = r;                                                                               \
      NEXT;                                                                                      \
    }                                                                                            \
    if (v->tag == TAG_FLOAT) {                                                                   \
      v->as.d += k;                                                                              \
      NEXT;                                                                                      \
    }                                                                                            \
    SAVE();                                                                                      \
    Value cur = check;                                                                           \
    *v = k < 0 ? vm_arith(I, OP_SUB, cur, INT_VAL(-(int64_t)k)) : vm_arith(I, OP_ADD, cur, INT_VAL(k)); \
    NEXT;                                                                                        \
  }
  CASE(INC_LOCAL) {
    Value *v = &slots[READ_BYTE()];
    int8_t k = (int8_t)READ_BYTE();
    INCREMENT(v, k, *v);
  }
  CASE(INC_GLOBAL) {
    uint16_t g = READ_U16();
    int8_t k = (int8_t)READ_BYTE();
    Value *v = &I->globals[g];
    INCREMENT(v, k, global_value(I, g, frame, ip));
  }
  /* t = t + v, t = t - v */
#define ACCUMULATE(opcode, fast, target, check) \
  {                                             \
    Value *t = target;                          \
    Value b = sp[-1];                           \
    sp--;                                       \
    if (LIKELY(fast(*t, b, t))) NEXT;           \
    if (vm_dec_arith(opcode, *t, b, t)) NEXT;      \
    SAVE();                                     \
    check;                                      \
    *t = vm_arith(I, opcode, *t, b);            \
    NEXT;                                       \
  }
  CASE(ADDTO_LOCAL) ACCUMULATE(OP_ADD, fast_add, &slots[READ_BYTE()], (void)0);
  CASE(SUBFROM_LOCAL) ACCUMULATE(OP_SUB, fast_sub, &slots[READ_BYTE()], (void)0);
  CASE(ADDTO_GLOBAL) {
    uint16_t g = READ_U16();
    ACCUMULATE(OP_ADD, fast_add, &I->globals[g], global_value(I, g, frame, ip));
  }
  CASE(SUBFROM_GLOBAL) {
    uint16_t g = READ_U16();
    ACCUMULATE(OP_SUB, fast_sub, &I->globals[g], global_value(I, g, frame, ip));
  }
#define EQUALITY_JUMP(want_equal)         \
  {                                       \
    uint16_t off = READ_U16();            \
    Value b = sp[-1], a = sp[-2];         \
    bool eq;                              \
    TEST_EQUAL(a, b, eq);                 \
    sp -= 2;                              \
    if (eq != (want_equal)) ip += off;    \
    NEXT;                                 \
  }
  CASE(EQ_JUMP) EQUALITY_JUMP(true);
  CASE(NE_JUMP) EQUALITY_JUMP(false);
  CASE(FOR_PREP) {
    SAVE();
    vm_check_iterable(I, sp[-1]);
    PUSH(INT_VAL(0));
    PUSH(NIL_VAL);
    NEXT;
  }
  CASE(FOR_NEXT) {
    uint8_t slot = READ_BYTE();
    uint16_t off = READ_U16();
    if (!vm_for_advance(I, slots + slot)) ip += off;
    NEXT;
  }
  CASE(FOR_LOOP) {
    uint8_t slot = READ_BYTE();
    uint16_t off = READ_U16();
    SAFE_POINT();
    Value *it = slots + slot;
    if (LIKELY(IS_LIST(it[0]))) { /* for_advance's list case, inline */
      ObjList *l = AS_LIST(it[0]);
      int64_t idx = it[1].as.i;
      if (idx < l->items.count) {
        COPY(&it[2], &l->items.items[idx]);
        it[1].as.i = idx + 1;
        ip -= off;
      }
      NEXT;
    }
    if (IS_RANGE(it[0])) {
      ObjRange *r = AS_RANGE(it[0]);
      uint64_t idx = (uint64_t)++it[1].as.i; /* the range is not empty: FOR_NEXT ran first */
      if (idx <= range_last(r)) {
        it[2] = INT_VAL(range_at(r, idx));
        ip -= off;
      }
      NEXT;
    }
    SAVE();
    if (vm_for_advance(I, it)) ip -= off;
    NEXT;
  }
  /* for x in lo..hi, fused (Lua's FORPREP and FORLOOP): no range object,
   * and the loop's state stays in its three hidden slots as plain int64s:
   * the counter (the next x but one), the count of rounds left after this
   * one (hi - lo at the start, counted in uint64_t: -5..INT64_MAX has more
   * than INT64_MAX rounds), then x itself.  The body may assign x or the
   * variables of the bounds: the rounds do not change. */
  CASE(FOR_RANGE) {
    uint16_t off = READ_U16();
    int64_t lo, hi;
    Value *it = sp - 2;
    if (UNLIKELY(it[0].tag != TAG_INT || it[1].tag != TAG_INT)) {
      SAVE();
      vm_range_bounds(I, it[0], it[1], &lo, &hi);
    } else {
      lo = it[0].as.i;
      hi = it[1].as.i;
    }
    it[0].tag = it[1].tag = it[2].tag = TAG_INT;
    it[0].as.i = it[2].as.i = lo;
    it[1].as.i = (int64_t)((uint64_t)hi - (uint64_t)lo);
    sp++;
    if (hi < lo) ip += off;
    NEXT;
  }
  CASE(FOR_RANGE_LOOP) {
    uint8_t slot = READ_BYTE();
    uint16_t off = READ_U16();
    Value *it = slots + slot;
    if (it[1].as.i != 0) {
      SAFE_POINT();
      it[1].as.i = (int64_t)((uint64_t)it[1].as.i - 1);
      int64_t x = (int64_t)((uint64_t)it[0].as.i + 1);
      it[0].as.i = x;
      it[2].tag = TAG_INT;
      it[2].as.i = x;
      ip -= off;
    }
    NEXT;
  }
  CASE(CLOSE_SLOT) {
    close_upvalues(I, slots + READ_BYTE());
    NEXT;
  }
  CASE(CALL) {
    int argc = READ_BYTE();
    Value callee = sp[-1 - argc];
    if (LIKELY(IS_CLOSURE(callee))) {
      SAVE();
      SAFE_POINT();
      push_frame(I, AS_CLOSURE(callee), argc, sp, false);
      LOAD_FRAME();
      NEXT;
    }
    SAVE();
    if (IS_NATIVE(callee)) {
      Value r = call_native(I, AS_NATIVE(callee), argc, sp - argc);
      sp -= argc;
      sp[-1] = r;
      NEXT;
    }
    interp_throw(I, "cannot call %s %s", vm_a_type(callee), value_type_name(callee));
  }
  CASE(CLOSURE) {
    wide = READ_U16();
  closure:;
    ObjFunction *f = AS_FUNCTION(consts[wide]);
    SAVE();
    ObjClosure *cl = closure_new(I, f);
    PUSH(OBJ_VAL(cl));
    for (int i = 0; i < cl->upvalue_count; i++) {
      uint8_t is_local = READ_BYTE();
      uint8_t index = READ_BYTE();
      cl->upvalues[i] = is_local ? capture_upvalue(I, slots + index) : frame->closure->upvalues[index];
    }
    NEXT;
  }
  CASE(RETURN) {
    if (I->open_upvalues) close_upvalues(I, slots);
    I->frame_count--;
    if (frame->native_boundary) {
      I->sp = slots;
      return sp[-1];
    }
    COPY(slots, &sp[-1]); /* the result takes the callee's place */
    sp = slots + 1;
    LOAD_FRAME();
    NEXT;
  }
  CASE(LIST) {
    int n = READ_U16();
    SAVE();
    ObjList *l = list_new(I);
    for (int i = 0; i < n; i++) list_append(I, l, sp[i - n]);
    sp -= n;
    PUSH(OBJ_VAL(l));
    NEXT;
  }
  CASE(RECORD) {
    int n = READ_U16();
    SAVE();
    ObjRecord *r = record_new(I);
    for (int i = 0; i < n; i++) record_set(I, r, AS_STRING(sp[2 * (i - n)]), sp[2 * (i - n) + 1]);
    sp -= 2 * n;
    PUSH(OBJ_VAL(r));
    NEXT;
  }
  CASE(CONCAT) {
    int n = READ_BYTE();
    SAVE();
    Value s = vm_concat(I, n, sp - n);
    sp -= n;
    PUSH(s);
    NEXT;
  }
  CASE(PRINT) {
    int n = READ_BYTE();
    SAVE();
    vm_print_values(I, n, sp - n);
    sp -= n;
    NEXT;
  }
  CASE(ECHO) {
    SAVE();
    vm_echo_value(I, sp[-1]);
    sp--;
    NEXT;
  }
  CASE(ASSERT) {
    int has_msg = READ_BYTE();
    Value cond = sp[-1 - has_msg];
    if (IS_FALSY(cond) && !I->skip_asserts) {
      SAVE();
      vm_assert_failed(I, has_msg, sp[-1]);
    }
    sp -= 1 + has_msg;
    NEXT;
  }
  CASE(IMPORT) {
    wide = READ_U16();
  import:;
    ObjString *path = AS_STRING(consts[wide]);
    SAVE();
    interp_import(I, path, frame->closure->function->chunk.source);
    NEXT;
  }

#ifndef DISPATCH_TABLE
  }
  interp_throw(I, "internal error: bad opcode");
#endif
}
