/* compile.c - walks the syntax tree and emits bytecode for the VM.
 *
 * Names are resolved here, once: a local variable becomes a stack slot of
 * its function's frame, a variable of an enclosing function an upvalue
 * (closures capture variables, as in Lua), and a top-level name a slot in
 * the interpreter's global array.  The VM never looks a name up by string.
 *
 * Nothing runs while compiling.  A name of a stdlib file that is loaded on
 * first use (the state-aid audit) is only looked up in a table: it gets
 * its global slot like any other, and the file is marked for the link
 * step, which loads it after compilation and before the program runs
 * (interp.c, "linking").
 *
 * The compiler also keeps count of how deep the value stack can grow in
 * each function (max_slots), so the VM checks stack space once per call
 * instead of once per push.
 */
#include "compile.h"
#include "compile_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "diag.h"
#include "memory.h"
#include "num.h"
#include "opcodes.h"
#include "parser.h"
#include "state.h"
#include "unit.h"


/* ---- errors ---------------------------------------------------------- */

void compile_error_at(Compiler *c, SrcLoc loc, const char *fmt, ...) {
  if (c->nerrors++ >= DIAG_MAX_ERRORS) {
    if (!c->stopped) fprintf(c->I->err, "%s: error: too many errors; stopping\n", source_name(c->src));
    c->stopped = true;
    return;
  }
  Buffer b;
  buf_init(&b);
  va_list ap;
  va_start(ap, fmt);
  diag_format(&b, c->src, loc, "error", fmt, ap);
  va_end(ap);
  fputs(b.data, c->I->err);
  buf_free(&b);
}

/* The closest known name or keyword to `name` (diag_similar), or NULL. */
static const char *suggest(Compiler *c, const char *name) {
  const char *best = NULL;
  int best_d = 0, d;
  for (FnCompiler *fc = c->fc; fc; fc = fc->enclosing)
    for (int i = 0; i < fc->nlocals; i++) {
      if (fc->locals[i].name[0] == '(') continue;
      if (diag_similar(name, fc->locals[i].name, &d) && (!best || d < best_d)) best_d = d, best = fc->locals[i].name;
    }
  for (int i = 0; i < c->I->nglobals; i++) {
    /* names this program declares count too, though they have no value
     * yet; hidden built-ins (%entity...) are no names of the language */
    const char *g = c->I->global_names[i]->chars;
    if (g[0] != '%' && diag_similar(name, g, &d) && (!best || d < best_d)) best_d = d, best = g;
  }
  /* keywords that may stand where a name does: tru, nill, prnt(x) */
  static const char *const words[] = {"true", "false", "nil", "print", "assert", "return", "why", "audit"};
  for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
    if (diag_similar(name, words[i], &d) && (!best || d < best_d)) best_d = d, best = words[i];
  return best;
}

/* ---- emitting -------------------------------------------------------- */

Chunk *compile_chunk(Compiler *c) { return &c->fc->fn->chunk; }

void compile_emit(Compiler *c, uint8_t byte, SrcLoc loc) { chunk_write(c->I, compile_chunk(c), byte, loc); }

static void adjust(Compiler *c, int effect) {
  c->fc->depth += effect;
  if (c->fc->depth > c->fc->max_depth) c->fc->max_depth = c->fc->depth;
}

void compile_emit_op(Compiler *c, OpCode op, int effect, SrcLoc loc) {
  compile_emit(c, (uint8_t)op, loc);
  adjust(c, effect);
}

void compile_emit_u16(Compiler *c, int v, SrcLoc loc) {
  compile_emit(c, (uint8_t)(v & 0xff), loc);
  compile_emit(c, (uint8_t)((v >> 8) & 0xff), loc);
}

/* Constant indexes and global slots are u16 operands, or u24 in the wide
 * forms of the instructions (opcodes.h): 16,777,216 of each at most. */
#define MAX_INDEX 0xffffff

int compile_make_constant(Compiler *c, Value v, SrcLoc loc) {
  int k = chunk_add_constant(c->I, compile_chunk(c), v);
  if (k > MAX_INDEX) {
    compile_error_at(c, loc, "too many constants in one function (at most %d)", MAX_INDEX + 1);
    return 0;
  }
  return k;
}

/* The wide form of an instruction that takes one constant or global slot. */
static OpCode wide_form(OpCode op) {
  switch (op) {
  case OP_CONST: return OP_CONST_W;
  case OP_GET_GLOBAL: return OP_GET_GLOBAL_W;
  case OP_SET_GLOBAL: return OP_SET_GLOBAL_W;
  case OP_DEFINE_GLOBAL: return OP_DEFINE_GLOBAL_W;
  case OP_GET_FIELD: return OP_GET_FIELD_W;
  case OP_SET_FIELD: return OP_SET_FIELD_W;
  case OP_CLOSURE: return OP_CLOSURE_W;
  case OP_IMPORT: return OP_IMPORT_W;
  default: return op;
  }
}

/* Emit `op` with its one index operand (a constant or a global slot): the
 * plain form with a u16 for an index below 65,536, else the wide form. */
void compile_emit_indexed(Compiler *c, OpCode op, int effect, int index, SrcLoc loc) {
  if (index > MAX_INDEX) {
    compile_error_at(c, loc, "too many names in one session (at most %d)", MAX_INDEX + 1);
    index = 0;
  }
  if (index <= 0xffff) {
    compile_emit_op(c, op, effect, loc);
    compile_emit_u16(c, index, loc);
    return;
  }
  compile_emit_op(c, wide_form(op), effect, loc);
  compile_emit_u16(c, index & 0xffff, loc);
  compile_emit(c, (uint8_t)(index >> 16), loc);
}

void compile_emit_constant(Compiler *c, Value v, SrcLoc loc) {
  if (IS_INT(v) && v.unit == 0 && v.as.i >= -128 && v.as.i <= 127) {
    compile_emit_op(c, OP_SMALLINT, 1, loc);
    compile_emit(c, (uint8_t)(int8_t)v.as.i, loc);
    return;
  }
  compile_emit_indexed(c, OP_CONST, 1, compile_make_constant(c, v, loc), loc);
}

int compile_name_constant(Compiler *c, const char *name, SrcLoc loc) {
  return compile_make_constant(c, OBJ_VAL(str_new(c->I, name)), loc);
}

/* GET_FIELD and SET_FIELD: the name's constant, then the VM's cache of the
 * field's position (opcodes.h, operand h). */
void compile_emit_field(Compiler *c, OpCode op, int effect, const char *name, SrcLoc loc) {
  compile_emit_indexed(c, op, effect, compile_name_constant(c, name, loc), loc);
  compile_emit(c, 0, loc);
}

static int emit_jump(Compiler *c, OpCode op, int effect, SrcLoc loc) {
  compile_emit_op(c, op, effect, loc);
  compile_emit_u16(c, 0xffff, loc);
  return compile_chunk(c)->count - 2;
}

static void patch_jump(Compiler *c, int at, SrcLoc loc) {
  int jump = compile_chunk(c)->count - at - 2;
  if (jump > 0xffff) {
    compile_error_at(c, loc, "this block is too long to jump over");
    return;
  }
  compile_chunk(c)->code[at] = (uint8_t)(jump & 0xff);
  compile_chunk(c)->code[at + 1] = (uint8_t)((jump >> 8) & 0xff);
}

static void emit_loop(Compiler *c, int target, SrcLoc loc) {
  compile_emit_op(c, OP_LOOP, 0, loc);
  int offset = compile_chunk(c)->count - target + 2;
  if (offset > 0xffff) compile_error_at(c, loc, "this loop body is too long");
  compile_emit_u16(c, offset, loc);
}

static void patch_add(Compiler *c, PatchList *p, int at) {
  if (p->count == p->capacity) {
    int cap = p->capacity ? p->capacity * 2 : 4;
    int *q = arena_alloc(c->arena, sizeof(int) * (size_t)cap);
    if (p->count) memcpy(q, p->at, sizeof(int) * (size_t)p->count);
    p->at = q;
    p->capacity = cap;
  }
  p->at[p->count++] = at;
}

/* ---- scopes and names ------------------------------------------------ */

/* Unit names are reserved: a variable called `year` would silently change
 * what `2M EUR / year` means. */
bool compile_check_not_unit(Compiler *c, const char *name, SrcLoc loc) {
  UnitId u;
  if (!unit_lookup(&c->I->units, name, &u)) return true;
  const char *alt = strcmp(name, "year") == 0 ? "y" : strcmp(name, "EUR") == 0 ? "amount" : "n";
  compile_error_at(c, loc, "'%s' is a unit and cannot be used as a name; choose another name, such as '%s'",
           name, alt);
  return false;
}

void compile_begin_scope(Compiler *c) { c->fc->scope_depth++; }

/* Emit the pops for locals deeper than `depth`, without forgetting them
 * (used by break and continue, which leave the scope only on one path). */
static void emit_pops_to(Compiler *c, int depth, SrcLoc loc) {
  FnCompiler *fc = c->fc;
  for (int i = fc->nlocals - 1; i >= 0 && fc->locals[i].depth > depth; i--) {
    compile_emit(c, fc->locals[i].captured ? OP_CLOSE_UPVALUE : OP_POP, loc);
  }
}

static void end_scope(Compiler *c, SrcLoc loc) {
  FnCompiler *fc = c->fc;
  fc->scope_depth--;
  while (fc->nlocals > 0 && fc->locals[fc->nlocals - 1].depth > fc->scope_depth) {
    compile_emit_op(c, fc->locals[fc->nlocals - 1].captured ? OP_CLOSE_UPVALUE : OP_POP, -1, loc);
    fc->nlocals--;
  }
}

static int add_local(Compiler *c, const char *name, SrcLoc loc) {
  FnCompiler *fc = c->fc;
  if (fc->nlocals == MAX_LOCALS) {
    compile_error_at(c, loc, "too many local variables in one function (at most %d)", MAX_LOCALS);
    return 0;
  }
  fc->locals[fc->nlocals] = (Local){name, fc->scope_depth, false};
  return fc->nlocals++;
}

static int resolve_local(FnCompiler *fc, const char *name) {
  for (int i = fc->nlocals - 1; i >= 0; i--)
    if (strcmp(fc->locals[i].name, name) == 0) return i;
  return -1;
}

static int add_upvalue(Compiler *c, FnCompiler *fc, uint8_t index, bool is_local, SrcLoc loc) {
  int n = fc->fn->upvalue_count;
  for (int i = 0; i < n; i++)
    if (fc->upvalues[i].index == index && fc->upvalues[i].is_local == is_local) return i;
  if (n == MAX_UPVALUES) {
    compile_error_at(c, loc, "too many captured variables in one function");
    return 0;
  }
  fc->upvalues[n] = (Upvalue){index, is_local};
  return fc->fn->upvalue_count++;
}

static int resolve_upvalue(Compiler *c, FnCompiler *fc, const char *name, SrcLoc loc) {
  if (!fc->enclosing) return -1;
  int local = resolve_local(fc->enclosing, name);
  if (local >= 0) {
    fc->enclosing->locals[local].captured = true;
    return add_upvalue(c, fc, (uint8_t)local, true, loc);
  }
  int up = resolve_upvalue(c, fc->enclosing, name, loc);
  if (up >= 0) return add_upvalue(c, fc, (uint8_t)up, false, loc);
  return -1;
}

bool compile_at_top_level(Compiler *c) { return c->fc->is_script && c->fc->scope_depth == 0; }

static bool inside_function(Compiler *c) { return !c->fc->is_script; }

/* The global slot of `name`, or -1.  A stdlib name whose file is not loaded
 * yet (and that has no value from elsewhere) gets its slot here, and its
 * file is marked for the link step, which loads it after compilation and
 * before the program runs (interp.c: interp_link). */
static int find_global(Compiler *c, const char *name) {
  ObjString *s = str_new(c->I, name);
  int g = global_find(c->I, s);
  if ((g < 0 || IS_UNDEF(c->I->globals[g])) && link_need(c->I, s)) g = global_slot(c->I, s);
  return g;
}

typedef enum { NAME_LOCAL, NAME_UPVALUE, NAME_GLOBAL, NAME_UNKNOWN } NameKind;

static NameKind resolve_name(Compiler *c, const char *name, SrcLoc loc, int *index) {
  int i = resolve_local(c->fc, name);
  if (i >= 0) {
    *index = i;
    return NAME_LOCAL;
  }
  i = resolve_upvalue(c, c->fc, name, loc);
  if (i >= 0) {
    *index = i;
    return NAME_UPVALUE;
  }
  i = find_global(c, name);
  if (i >= 0) {
    *index = i;
    return NAME_GLOBAL;
  }
  /* A name not known yet may still be defined before it is used: at the
   * prompt, inside a function (defined on a later line), or by an import. */
  if (c->defer_unknown_globals || (c->I->repl && inside_function(c))) {
    *index = global_slot(c->I, str_new(c->I, name));
    return NAME_GLOBAL;
  }
  return NAME_UNKNOWN;
}

static void unknown_name(Compiler *c, const char *name, SrcLoc loc, bool assigning) {
  const char *s = suggest(c, name);
  if (assigning)
    compile_error_at(c, loc, "unknown name '%s' (use 'let %s = ...' to declare it)", name, name);
  else if (s)
    compile_error_at(c, loc, "unknown name '%s' (did you mean '%s'?)", name, s);
  else
    compile_error_at(c, loc, "unknown name '%s'", name);
}

/* ---- expressions ----------------------------------------------------- */

static void stmt(Compiler *c, Node *n);
static void block(Compiler *c, Node *n);

typedef struct {
  Compiler *c;
  const char *text;
  Value result;
  bool ok;
} LiteralJob;

static void parse_literal_job(Interp *I, void *ud) {
  LiteralJob *job = ud;
  job->ok = num_parse_literal(I, job->text, &job->result);
}

/* Turn a number literal into its exact value; literals beyond the digit
 * guard become a compile error at the literal. */
static bool literal_value(Compiler *c, Node *n, Value *out) {
  LiteralJob job = {c, n->str, NIL_VAL, false};
  if (!interp_pcall(c->I, parse_literal_job, &job)) {
    compile_error_at(c, n->loc, "%s", interp_error_message(c->I));
    return false;
  }
  if (!job.ok) {
    compile_error_at(c, n->loc, "malformed number '%s'", n->str);
    return false;
  }
  *out = job.result;
  return true;
}

/* The value of a number literal or a quantity (N_NUMBER, N_QUANTITY);
 * nil after reporting an error (the program will not run). */
static Value literal_constant(Compiler *c, Node *n) {
  Value v = NIL_VAL;
  if (n->kind == N_NUMBER) {
    if (!literal_value(c, n, &v)) v = NIL_VAL;
    return v;
  }
  UnitId u;
  if (!unit_lookup(&c->I->units, n->str, &u)) {
    compile_error_at(c, n->loc, "'%s' is not a unit (declare it first with 'unit %s')", n->str, n->str);
  } else if (literal_value(c, n->a, &v)) {
    v.unit = u;
  } else {
    v = NIL_VAL;
  }
  return v;
}

/* A number literal or a quantity (`0.01 EUR`, whose `a` is a number literal). */
static bool number_literal(Node *n) { return n->kind == N_NUMBER || n->kind == N_QUANTITY; }

static void number(Compiler *c, Node *n) {
  Value v = literal_constant(c, n);
  if (IS_NIL(v)) compile_emit_op(c, OP_NIL, 1, n->loc);
  else compile_emit_constant(c, v, n->loc);
}

static void quantity(Compiler *c, Node *n) { compile_emit_constant(c, literal_constant(c, n), n->loc); }

void compile_get_name(Compiler *c, const char *name, SrcLoc loc) {
  int index;
  switch (resolve_name(c, name, loc, &index)) {
  case NAME_LOCAL:
    compile_emit_op(c, OP_GET_LOCAL, 1, loc);
    compile_emit(c, (uint8_t)index, loc);
    break;
  case NAME_UPVALUE:
    compile_emit_op(c, OP_GET_UPVALUE, 1, loc);
    compile_emit(c, (uint8_t)index, loc);
    break;
  case NAME_GLOBAL: compile_emit_indexed(c, OP_GET_GLOBAL, 1, index, loc); break;
  case NAME_UNKNOWN:
    unknown_name(c, name, loc, false);
    compile_emit_op(c, OP_NIL, 1, loc);
    break;
  }
}

static OpCode binary_op(int tok) {
  switch (tok) {
  case '+': return OP_ADD;
  case '-': return OP_SUB;
  case '*': return OP_MUL;
  case '/': return OP_DIV;
  case MOD: return OP_MOD;
  case '^': return OP_POW;
  case EQ: return OP_EQ;
  case NE: return OP_NE;
  case '<': return OP_LT;
  case LE: return OP_LE;
  case '>': return OP_GT;
  case GE: return OP_GE;
  case DOTDOT: return OP_RANGE;
  default: return OP_NIL;
  }
}

/* A plain small integer literal (no unit), for the ADD_INT fast path. */
static bool small_int_literal(Compiler *c, Node *n, int64_t *out) {
  if (n->kind != N_NUMBER) return false;
  for (const char *p = n->str; *p; p++)
    if (*p < '0' || *p > '9') return false;
  if (strlen(n->str) > 3) return false;
  *out = atoi(n->str);
  return *out <= 127;
}

/* A name that is a local or a defined global, for the operand-carrying
 * instructions (ADD_LOCAL, INC_GLOBAL...); false for anything else. */
static bool simple_name(Compiler *c, Node *n, NameKind *kind, int *index) {
  if (n->kind != N_NAME || resolve_local(c->fc, n->str) >= 0) {
    if (n->kind != N_NAME) return false;
    *kind = NAME_LOCAL;
    *index = resolve_local(c->fc, n->str);
    return true;
  }
  if (resolve_upvalue(c, c->fc, n->str, n->loc) >= 0) return false;
  int g = find_global(c, n->str);
  if (g < 0 || g > 0xffff || c->I->global_kinds[g] == GLOBAL_UNIT) return false; /* no wide forms */
  *kind = NAME_GLOBAL;
  *index = g;
  return true;
}

/* The operator of a constant-operand instruction: ADD_K... for `a op k`,
 * K_ADD... for `k op a` (k_first); OP_NIL for other operators. */
static OpCode constant_op(int tok, bool k_first) {
  switch (tok) {
  case '+': return k_first ? OP_K_ADD : OP_ADD_K;
  case '-': return k_first ? OP_K_SUB : OP_SUB_K;
  case '*': return k_first ? OP_K_MUL : OP_MUL_K;
  case '/': return k_first ? OP_K_DIV : OP_DIV_K;
  default: return OP_NIL;
  }
}

/* A number literal, or a quantity such as `0.01 EUR`, as the constant
 * operand of ADD_K... (q in opcodes.h: the constant's index, flagged
 * K_UNIT when it has a unit), or -1 (not a literal, or a function with
 * too many constants for the operand). */
static int number_operand(Compiler *c, Node *n) {
  if (!number_literal(n) || compile_chunk(c)->constants.count >= K_UNIT) return -1;
  Value v = literal_constant(c, n);
  int k = compile_make_constant(c, v, n->loc);
  return v.unit != UNIT_NONE ? k | K_UNIT : k;
}

/* A binary operation whose left operand is on the stack already. */
static void binary_rest(Compiler *c, Node *n) {
  int64_t k;
  if ((n->op == '+' || n->op == '-') && small_int_literal(c, n->b, &k)) {
    compile_emit_op(c, OP_ADD_INT, 0, n->loc);
    compile_emit(c, (uint8_t)(int8_t)(n->op == '+' ? k : -k), n->loc);
    return;
  }
  NameKind kind;
  int index;
  if ((n->op == '+' || n->op == '-') && simple_name(c, n->b, &kind, &index)) {
    if (kind == NAME_LOCAL) {
      compile_emit_op(c, n->op == '+' ? OP_ADD_LOCAL : OP_SUB_LOCAL, 0, n->loc);
      compile_emit(c, (uint8_t)index, n->loc);
    } else {
      compile_emit_op(c, n->op == '+' ? OP_ADD_GLOBAL : OP_SUB_GLOBAL, 0, n->loc);
      compile_emit_u16(c, index, n->loc);
    }
    return;
  }
  OpCode op_k = constant_op(n->op, false);
  int kindex;
  if (op_k != OP_NIL && (kindex = number_operand(c, n->b)) >= 0) {
    compile_emit_op(c, op_k, 0, n->loc);
    compile_emit_u16(c, kindex, n->loc);
    return;
  }
  compile_expr(c, n->b);
  compile_emit_op(c, binary_op(n->op), -1, n->loc);
}

/* A call whose callee is on the stack already. */
static void call_rest(Compiler *c, Node *n) {
  if (n->list.count > 255) {
    compile_error_at(c, n->loc, "too many arguments (at most 255)");
    return;
  }
  for (int i = 0; i < n->list.count; i++) compile_expr(c, n->list.items[i]);
  compile_emit_op(c, OP_CALL, -n->list.count, n->loc);
  compile_emit(c, (uint8_t)n->list.count, n->loc);
}

/* Nodes whose code starts with their left operand `a` (operators but the
 * power, `and`, `or`, fields, indexes, calls). */
static bool left_first(Node *n) {
  switch (n->kind) {
  case N_BINARY: return n->op != '^';
  case N_AND:
  case N_OR:
  case N_FIELD:
  case N_INDEX:
  case N_CALL: return true;
  default: return false;
  }
}

/* The rest of a left-first node, its left operand being on the stack. */
static void left_first_rest(Compiler *c, Node *n) {
  switch (n->kind) {
  case N_BINARY: binary_rest(c, n); break;
  case N_AND:
  case N_OR: {
    int j = emit_jump(c, n->kind == N_AND ? OP_JUMP_IF_FALSE_KEEP : OP_JUMP_IF_TRUE_KEEP, -1, n->loc);
    compile_expr(c, n->b);
    patch_jump(c, j, n->loc);
    break;
  }
  case N_FIELD: compile_emit_field(c, OP_GET_FIELD, 0, n->str, n->loc); break;
  case N_INDEX:
    compile_expr(c, n->b);
    compile_emit_op(c, OP_GET_INDEX, -1, n->loc);
    break;
  case N_CALL: call_rest(c, n); break;
  default: break;
  }
}

/* A chain of left-first nodes leaning left - a sum of many terms
 * `1 + 1 + ... + 1`, a path `a.b.c`, calls `f(x)(y)` - is compiled by a
 * loop down its left spine, not by recursion: a generated sum of 100,000
 * terms is long, not deep.  Only real nesting (parentheses, right
 * operands, arguments) counts against MAX_EXPR_DEPTH. */
static void left_chain(Compiler *c, Node *n) {
  int count = 0;
  for (Node *m = n; left_first(m); m = m->a) count++;
  Node *few[16];
  Node **spine = count <= 16 ? few : arena_alloc(c->arena, sizeof(Node *) * (size_t)count);
  int i = count;
  for (Node *m = n; left_first(m); m = m->a) spine[--i] = m; /* spine[0]: the innermost */
  /* Names are resolved in the order the recursive walk met them, the
   * outermost right operand first (it decides on ADD_LOCAL...), so that
   * upvalues keep their numbers. */
  for (i = count - 1; i >= 0; i--) {
    Node *m = spine[i];
    int64_t k;
    NameKind kind;
    int index;
    if (m->kind == N_BINARY && (m->op == '+' || m->op == '-') && !small_int_literal(c, m->b, &k))
      simple_name(c, m->b, &kind, &index);
  }
  /* a number first (1 - x, 0.5 * x): the other operand, then K_SUB... */
  Node *first = spine[0];
  OpCode op_k = first->kind == N_BINARY ? constant_op(first->op, true) : OP_NIL;
  int k;
  if (op_k != OP_NIL && !number_literal(first->b) && (k = number_operand(c, first->a)) >= 0) {
    compile_expr(c, first->b);
    compile_emit_op(c, op_k, 0, first->loc);
    compile_emit_u16(c, k, first->loc);
    i = 1;
  } else {
    compile_expr(c, first->a);
    i = 0;
  }
  for (; i < count; i++) left_first_rest(c, spine[i]);
}

static void list_literal(Compiler *c, Node *n) {
  if (n->list.count > 0xffff) {
    compile_error_at(c, n->loc, "list literal too long");
    return;
  }
  for (int i = 0; i < n->list.count; i++) compile_expr(c, n->list.items[i]);
  compile_emit_op(c, OP_LIST, 1 - n->list.count, n->loc);
  compile_emit_u16(c, n->list.count, n->loc);
}

static void record_literal(Compiler *c, Node *n) {
  if (n->list.count > 0xffff) {
    compile_error_at(c, n->loc, "record literal too long");
    return;
  }
  for (int i = 0; i < n->list.count; i++) {
    Node *f = n->list.items[i];
    for (int j = 0; j < i; j++)
      if (strcmp(n->list.items[j]->str, f->str) == 0)
        compile_error_at(c, f->loc, "field '%s' is given twice", f->str);
    compile_emit_constant(c, OBJ_VAL(str_new(c->I, f->str)), f->loc);
    compile_expr(c, f->a);
  }
  compile_emit_op(c, OP_RECORD, 1 - 2 * n->list.count, n->loc);
  compile_emit_u16(c, n->list.count, n->loc);
}

static void interpolation(Compiler *c, Node *n) {
  if (n->list.count > 255) {
    compile_error_at(c, n->loc, "too many interpolations in one string");
    return;
  }
  int parts = 0;
  for (int i = 0; i < n->list.count; i++) {
    Node *p = n->list.items[i];
    if (p->kind == N_STRING && p->str[0] == '\0') continue;
    compile_expr(c, p);
    parts++;
  }
  compile_emit_op(c, OP_CONCAT, 1 - parts, n->loc);
  compile_emit(c, (uint8_t)parts, n->loc);
}

#define MAX_EXPR_DEPTH 2000

static void expr_inner(Compiler *c, Node *n);

/* Expressions nest by recursion here; a generated expression thousands of
 * levels deep is refused rather than allowed to overflow the C stack. */
void compile_expr(Compiler *c, Node *n) {
  if (c->expr_depth >= MAX_EXPR_DEPTH) {
    if (!c->too_deep)
      compile_error_at(c, n->loc, "this expression is nested too deeply (more than %d levels)", MAX_EXPR_DEPTH);
    c->too_deep = true;
    compile_emit_op(c, OP_NIL, 1, n->loc);
    return;
  }
  c->expr_depth++;
  expr_inner(c, n);
  c->expr_depth--;
}

static void expr_inner(Compiler *c, Node *n) {
  switch (n->kind) {
  case N_NUMBER: number(c, n); break;
  case N_QUANTITY: quantity(c, n); break;
  case N_STRING: compile_emit_constant(c, OBJ_VAL(str_new(c->I, n->str)), n->loc); break;
  case N_INTERP: interpolation(c, n); break;
  case N_TRUE: compile_emit_op(c, OP_TRUE, 1, n->loc); break;
  case N_FALSE: compile_emit_op(c, OP_FALSE, 1, n->loc); break;
  case N_NIL: compile_emit_op(c, OP_NIL, 1, n->loc); break;
  case N_NAME: compile_get_name(c, n->str, n->loc); break;
  case N_UNARY:
    compile_expr(c, n->a);
    compile_emit_op(c, n->op == NOT ? OP_NOT : OP_NEG, 0, n->loc);
    break;
  case N_BINARY:
    if (n->op == '^') { /* right-associative: nesting */
      compile_expr(c, n->a);
      compile_expr(c, n->b);
      compile_emit_op(c, OP_POW, -1, n->loc);
    } else {
      left_chain(c, n);
    }
    break;
  case N_AND:
  case N_OR:
  case N_CALL:
  case N_INDEX:
  case N_FIELD: left_chain(c, n); break;
  case N_LIST: list_literal(c, n); break;
  case N_RECORD: record_literal(c, n); break;
  case N_FN: compile_function(c, n, NULL); break;
  case N_WHY: compile_why_expr(c, n, false); break;
  case N_AUDIT: compile_audit_expr(c, n, false); break;
  case N_REPORT: compile_report_expr(c, n); break;
  case N_PLOT: compile_plot_expr(c, n, false); break;
  case N_TUPLE:
    compile_error_at(c, n->loc, "a parenthesised list of values is only allowed after print; use [ ] for a list");
    compile_emit_op(c, OP_NIL, 1, n->loc);
    break;
  default:
    compile_error_at(c, n->loc, "internal error: unexpected node %d in an expression", n->kind);
    compile_emit_op(c, OP_NIL, 1, n->loc);
  }
}

/* ---- functions ------------------------------------------------------- */

void compile_init_fn(Compiler *c, FnCompiler *fc, const char *name, bool is_script) {
  memset(fc, 0, sizeof *fc);
  fc->enclosing = c->fc;
  fc->is_script = is_script;
  fc->fn = function_new(c->I, c->src);
  fc->fn->is_script = is_script;
  if (name) fc->fn->name = str_new(c->I, name);
  c->fc = fc;
  /* Slot 0 holds the function being called. */
  fc->locals[fc->nlocals++] = (Local){"(callee)", 0, false};
  fc->depth = fc->max_depth = 1;
}

ObjFunction *compile_end_fn(Compiler *c, SrcLoc loc) {
  compile_emit_op(c, OP_NIL, 1, loc);
  compile_emit_op(c, OP_RETURN, -1, loc);
  ObjFunction *f = c->fc->fn;
  f->max_slots = c->fc->max_depth + 2;
  c->fc = c->fc->enclosing;
  return f;
}

/* Compile a function literal or declaration body and emit the CLOSURE
 * that builds it at run time. */
void compile_function(Compiler *c, Node *n, const char *name) {
  FnCompiler fc;
  compile_init_fn(c, &fc, name, false);
  fc.fn->arity = n->list.count;
  if (n->list.count > 255) compile_error_at(c, n->loc, "too many parameters (at most 255)");
  compile_begin_scope(c);
  for (int i = 0; i < n->list.count; i++) {
    Node *p = n->list.items[i];
    compile_check_not_unit(c, p->str, p->loc);
    for (int j = 0; j < i; j++)
      if (strcmp(n->list.items[j]->str, p->str) == 0)
        compile_error_at(c, p->loc, "parameter '%s' is given twice", p->str);
    add_local(c, p->str, p->loc);
    adjust(c, 1);
  }
  if (n->op) {
    compile_expr(c, n->a);
    compile_emit_op(c, OP_RETURN, -1, n->a->loc);
  } else {
    block(c, n->a);
  }
  Upvalue ups[MAX_UPVALUES];
  memcpy(ups, fc.upvalues, sizeof ups);
  ObjFunction *f = compile_end_fn(c, n->loc);
  compile_emit_indexed(c, OP_CLOSURE, 1, compile_make_constant(c, OBJ_VAL(f), n->loc), n->loc);
  for (int i = 0; i < f->upvalue_count; i++) {
    compile_emit(c, ups[i].is_local ? 1 : 0, n->loc);
    compile_emit(c, ups[i].index, n->loc);
  }
}

/* ---- statements ------------------------------------------------------ */

static void define_variable(Compiler *c, const char *name, SrcLoc loc) {
  if (compile_at_top_level(c)) {
    compile_emit_indexed(c, OP_DEFINE_GLOBAL, -1, global_slot(c->I, str_new(c->I, name)), loc);
  } else {
    add_local(c, name, loc); /* the value on the stack becomes the local */
  }
}

/* A top-level name must not replace a built-in, a stdlib function or a
 * param: the model and the audit call them, and would silently break.  The
 * names of a stdlib file not loaded yet are known with their kind. */
static void check_not_reserved(Compiler *c, const char *name, SrcLoc loc) {
  if (!compile_at_top_level(c)) return;
  ObjString *s = str_new(c->I, name);
  int g = global_find(c->I, s);
  int kind = g >= 0 && !IS_UNDEF(c->I->globals[g]) ? c->I->global_kinds[g] : link_kind(c->I, s);
  switch (kind) {
  case GLOBAL_BUILTIN:
    compile_error_at(c, loc, "'%s' is a built-in function; choose another name, such as 'my_%s'", name, name);
    break;
  case GLOBAL_STDLIB:
    compile_error_at(
        c, loc,
        "'%s' is a function of the stdlib (the model or the audit uses it); choose another name, such as 'my_%s'", name,
        name);
    break;
  case GLOBAL_PARAM:
    compile_error_at(c, loc, "'%s' is a param; change it with '%s = ...' or with 'set %s = ...' in a scenario", name,
                     name, name);
    break;
  default: break;
  }
}

static void let_stmt(Compiler *c, Node *n) {
  compile_check_not_unit(c, n->str, n->loc);
  check_not_reserved(c, n->str, n->loc);
  compile_expr(c, n->a);
  define_variable(c, n->str, n->loc);
}

static void fn_decl(Compiler *c, Node *n) {
  compile_check_not_unit(c, n->str, n->loc);
  check_not_reserved(c, n->str, n->loc);
  if (compile_at_top_level(c)) {
    compile_function(c, n, n->str);
    define_variable(c, n->str, n->loc);
  } else {
    /* Declare first so that the body can call itself. */
    compile_emit_op(c, OP_NIL, 1, n->loc);
    int slot = add_local(c, n->str, n->loc);
    compile_function(c, n, n->str);
    compile_emit_op(c, OP_SET_LOCAL, -1, n->loc);
    compile_emit(c, (uint8_t)slot, n->loc);
  }
}

static void assign_stmt(Compiler *c, Node *n) {
  Node *t = n->a;
  switch (t->kind) {
  case N_NAME: {
    int index;
    NameKind kind = resolve_name(c, t->str, t->loc, &index);
    if (kind == NAME_UNKNOWN) {
      unknown_name(c, t->str, t->loc, true);
      return;
    }
    if (kind == NAME_GLOBAL && c->I->global_kinds[index] == GLOBAL_UNIT) {
      compile_check_not_unit(c, t->str, t->loc);
      return;
    }
    /* x = x + k (a small integer): update in place (the fused
     * instructions have no wide form: a global slot beyond 65,535 takes
     * the plain way) */
    Node *v = n->b;
    int64_t k;
    bool fusable = kind == NAME_LOCAL || (kind == NAME_GLOBAL && index <= 0xffff);
    if (fusable && v->kind == N_BINARY &&
        (v->op == '+' || v->op == '-') && v->a->kind == N_NAME && strcmp(v->a->str, t->str) == 0 &&
        small_int_literal(c, v->b, &k)) {
      int8_t step = (int8_t)(v->op == '+' ? k : -k);
      if (kind == NAME_LOCAL) {
        compile_emit_op(c, OP_INC_LOCAL, 0, v->loc);
        compile_emit(c, (uint8_t)index, v->loc);
      } else {
        compile_emit_op(c, OP_INC_GLOBAL, 0, v->loc);
        compile_emit_u16(c, index, v->loc);
      }
      compile_emit(c, (uint8_t)step, v->loc);
      return;
    }
    /* x = x + e, x = x - e: accumulate in place (the commonest update in a model) */
    if (fusable && v->kind == N_BINARY &&
        (v->op == '+' || v->op == '-') && v->a->kind == N_NAME && strcmp(v->a->str, t->str) == 0) {
      compile_expr(c, v->b);
      if (kind == NAME_LOCAL) {
        compile_emit_op(c, v->op == '+' ? OP_ADDTO_LOCAL : OP_SUBFROM_LOCAL, -1, v->loc);
        compile_emit(c, (uint8_t)index, v->loc);
      } else {
        compile_emit_op(c, v->op == '+' ? OP_ADDTO_GLOBAL : OP_SUBFROM_GLOBAL, -1, v->loc);
        compile_emit_u16(c, index, v->loc);
      }
      return;
    }
    compile_expr(c, n->b);
    if (kind == NAME_LOCAL) {
      compile_emit_op(c, OP_SET_LOCAL, -1, n->loc);
      compile_emit(c, (uint8_t)index, n->loc);
    } else if (kind == NAME_UPVALUE) {
      compile_emit_op(c, OP_SET_UPVALUE, -1, n->loc);
      compile_emit(c, (uint8_t)index, n->loc);
    } else {
      compile_emit_indexed(c, OP_SET_GLOBAL, -1, index, n->loc);
    }
    break;
  }
  case N_FIELD: {
    compile_expr(c, t->a);
    compile_expr(c, n->b);
    compile_emit_field(c, OP_SET_FIELD, -2, t->str, t->loc);
    break;
  }
  case N_INDEX:
    compile_expr(c, t->a);
    compile_expr(c, t->b);
    compile_expr(c, n->b);
    compile_emit_op(c, OP_SET_INDEX, -3, t->loc);
    break;
  default:
    compile_error_at(c, n->loc, "cannot assign to this expression (assign to a name, a field or an element)");
  }
}

/* Compile a condition and a jump taken when it is false.  `a < b` uses
 * the fused compare-and-jump. */
static int condition_jump(Compiler *c, Node *cond) {
  if (cond->kind == N_BINARY) {
    OpCode op = OP_NIL;
    switch (cond->op) {
    case '<': op = OP_LT_JUMP; break;
    case LE: op = OP_LE_JUMP; break;
    case '>': op = OP_GT_JUMP; break;
    case GE: op = OP_GE_JUMP; break;
    case EQ: op = OP_EQ_JUMP; break;
    case NE: op = OP_NE_JUMP; break;
    default: break;
    }
    Value k;
    OpCode op_k = op == OP_LT_JUMP ? OP_LT_JUMP_K : op == OP_LE_JUMP ? OP_LE_JUMP_K
                : op == OP_GT_JUMP ? OP_GT_JUMP_K : op == OP_GE_JUMP ? OP_GE_JUMP_K : OP_NIL;
    /* the fused forms take a u16 constant: none in a function with more */
    if (compile_chunk(c)->constants.count > 0xffff) op_k = OP_NIL;
    NameKind kind;
    int index;
    if (op_k != OP_NIL && cond->b->kind == N_NUMBER && simple_name(c, cond->a, &kind, &index) &&
        literal_value(c, cond->b, &k)) {
      /* a variable compared with a constant (while i <= 100): one instruction */
      int which = op_k - OP_LT_JUMP_K;
      if (kind == NAME_LOCAL) {
        compile_emit_op(c, (OpCode)(OP_LT_JUMP_LK + which), 0, cond->loc);
        compile_emit(c, (uint8_t)index, cond->loc);
      } else {
        compile_emit_op(c, (OpCode)(OP_LT_JUMP_GK + which), 0, cond->loc);
        compile_emit_u16(c, index, cond->loc);
      }
      compile_emit_u16(c, compile_make_constant(c, k, cond->loc), cond->loc);
      compile_emit_u16(c, 0xffff, cond->loc);
      return compile_chunk(c)->count - 2;
    }
    if (op_k != OP_NIL && cond->b->kind == N_NUMBER && literal_value(c, cond->b, &k)) {
      /* comparing with a constant: one instruction fewer */
      compile_expr(c, cond->a);
      compile_emit_op(c, op_k, -1, cond->loc);
      compile_emit_u16(c, compile_make_constant(c, k, cond->loc), cond->loc);
      compile_emit_u16(c, 0xffff, cond->loc);
      return compile_chunk(c)->count - 2;
    }
    if (op != OP_NIL) {
      compile_expr(c, cond->a);
      compile_expr(c, cond->b);
      return emit_jump(c, op, -2, cond->loc);
    }
  }
  compile_expr(c, cond);
  return emit_jump(c, OP_JUMP_IF_FALSE, -1, cond->loc);
}

static void scoped_block(Compiler *c, Node *n) {
  compile_begin_scope(c);
  block(c, n);
  end_scope(c, n->loc);
}

static void if_stmt(Compiler *c, Node *n) {
  int else_jump = condition_jump(c, n->a);
  scoped_block(c, n->b);
  if (n->c) {
    int end_jump = emit_jump(c, OP_JUMP, 0, n->loc);
    patch_jump(c, else_jump, n->loc);
    if (n->c->kind == N_IF) if_stmt(c, n->c);
    else scoped_block(c, n->c);
    patch_jump(c, end_jump, n->loc);
  } else {
    patch_jump(c, else_jump, n->loc);
  }
}

static void push_loop(Compiler *c, Loop *l, int break_depth, int continue_depth, int target) {
  memset(l, 0, sizeof *l);
  l->prev = c->fc->loop;
  l->break_depth = break_depth;
  l->continue_depth = continue_depth;
  l->continue_target = target;
  c->fc->loop = l;
}

static void pop_loop(Compiler *c, Loop *l, SrcLoc loc) {
  for (int i = 0; i < l->breaks.count; i++) patch_jump(c, l->breaks.at[i], loc);
  c->fc->loop = l->prev;
}

static void while_stmt(Compiler *c, Node *n) {
  int start = compile_chunk(c)->count;
  int exit_jump = condition_jump(c, n->a);
  Loop loop;
  push_loop(c, &loop, c->fc->scope_depth, c->fc->scope_depth, start);
  scoped_block(c, n->b);
  emit_loop(c, start, n->loc);
  patch_jump(c, exit_jump, n->loc);
  pop_loop(c, &loop, n->loc);
}

/* for x in XS { body }: the iterable, the iteration state and x live in
 * three hidden slots.  FOR_NEXT loads the first element (or skips the
 * loop); FOR_LOOP, at the bottom, loads the next one and jumps back, so a
 * round costs one dispatch of loop control.  A range written in the loop
 * (for y in 2025..2030) builds no range: FOR_RANGE and FOR_RANGE_LOOP
 * count in the hidden slots.  When the body captures x, its
 * upvalue is closed at the end of every round, so each closure keeps the x
 * of its own round. */
static void for_stmt(Compiler *c, Node *n) {
  compile_check_not_unit(c, n->str, n->loc);
  compile_begin_scope(c);
  /* over a range written in place (for y in 2025..2030), a fused counting
   * loop: FOR_RANGE checks the bounds as RANGE does and keeps the loop's
   * state in the hidden slots, FOR_RANGE_LOOP counts it down */
  bool counting = n->a->kind == N_BINARY && n->a->op == DOTDOT;
  int exit_jump;
  if (counting) {
    compile_expr(c, n->a->a);
    compile_expr(c, n->a->b);
    exit_jump = emit_jump(c, OP_FOR_RANGE, 1, n->a->loc);
  } else {
    compile_expr(c, n->a);
    compile_emit_op(c, OP_FOR_PREP, 2, n->a->loc);
  }
  int iter_slot = add_local(c, counting ? "(for counter)" : "(for iterable)", n->loc);
  add_local(c, counting ? "(for count)" : "(for state)", n->loc);
  int var_slot = add_local(c, n->str, n->loc);
  if (!counting) {
    compile_emit_op(c, OP_FOR_NEXT, 0, n->loc);
    compile_emit(c, (uint8_t)iter_slot, n->loc);
    compile_emit_u16(c, 0xffff, n->loc);
    exit_jump = compile_chunk(c)->count - 2;
  }
  int body_start = compile_chunk(c)->count;
  Loop loop;
  push_loop(c, &loop, c->fc->scope_depth, c->fc->scope_depth, -1);
  scoped_block(c, n->b);
  for (int i = 0; i < loop.continues.count; i++) patch_jump(c, loop.continues.at[i], n->loc);
  if (c->fc->locals[var_slot].captured) {
    compile_emit_op(c, OP_CLOSE_SLOT, 0, n->loc);
    compile_emit(c, (uint8_t)var_slot, n->loc);
  }
  compile_emit_op(c, counting ? OP_FOR_RANGE_LOOP : OP_FOR_LOOP, 0, n->loc);
  compile_emit(c, (uint8_t)iter_slot, n->loc);
  int offset = compile_chunk(c)->count - body_start + 2;
  if (offset > 0xffff) compile_error_at(c, n->loc, "this loop body is too long");
  compile_emit_u16(c, offset, n->loc);
  patch_jump(c, exit_jump, n->loc);
  pop_loop(c, &loop, n->loc);
  end_scope(c, n->loc);
}

static void break_stmt(Compiler *c, Node *n, bool is_break) {
  Loop *l = c->fc->loop;
  if (!l) {
    compile_error_at(c, n->loc, "'%s' outside a loop", is_break ? "break" : "continue");
    return;
  }
  emit_pops_to(c, is_break ? l->break_depth : l->continue_depth, n->loc);
  if (is_break) {
    patch_add(c, &l->breaks, emit_jump(c, OP_JUMP, 0, n->loc));
  } else if (l->continue_target >= 0) {
    emit_loop(c, l->continue_target, n->loc);
  } else {
    patch_add(c, &l->continues, emit_jump(c, OP_JUMP, 0, n->loc));
  }
}

static void print_stmt(Compiler *c, Node *n) {
  NodeList *args = &n->list;
  if (args->count == 1 && args->items[0]->kind == N_TUPLE) args = &args->items[0]->list;
  if (args->count > 255) {
    compile_error_at(c, n->loc, "too many values to print at once (at most 255)");
    return;
  }
  for (int i = 0; i < args->count; i++) compile_expr(c, args->items[i]);
  compile_emit_op(c, OP_PRINT, -args->count, n->loc);
  compile_emit(c, (uint8_t)args->count, n->loc);
}

static void unit_decl(Compiler *c, Node *n) {
  if (!compile_at_top_level(c)) {
    compile_error_at(c, n->loc, "'unit' declarations belong at the top level of a script");
    return;
  }
  UnitId u;
  if (unit_lookup(&c->I->units, n->str, &u)) return; /* declaring twice is harmless */
  int g = global_find(c->I, str_new(c->I, n->str));
  if (g >= 0 && c->I->global_kinds[g] != GLOBAL_UNIT && !IS_UNDEF(c->I->globals[g])) {
    compile_error_at(c, n->loc, "'%s' is already a name; a unit needs a name of its own", n->str);
    return;
  }
  if (c->I->units.nbases >= UNIT_MAX_BASES) {
    compile_error_at(c, n->loc, "too many units (at most %d)", UNIT_MAX_BASES);
    return;
  }
  /* Units are known from here on, at compile time: `5 job` is a constant. */
  u = unit_declare(c->I, &c->I->units, n->str);
  Value one = INT_VAL(1);
  one.unit = u;
  global_define(c->I, n->str, one, GLOBAL_UNIT, "a unit declared with 'unit'");
}

static void stmt(Compiler *c, Node *n) {
  switch (n->kind) {
  case N_LET: let_stmt(c, n); break;
  case N_ASSIGN: assign_stmt(c, n); break;
  case N_IF: if_stmt(c, n); break;
  case N_WHILE: while_stmt(c, n); break;
  case N_FOR: for_stmt(c, n); break;
  case N_BREAK: break_stmt(c, n, true); break;
  case N_CONTINUE: break_stmt(c, n, false); break;
  case N_RETURN:
    if (c->fc->is_script) {
      compile_error_at(c, n->loc, "'return' outside a function");
      break;
    }
    if (n->a) compile_expr(c, n->a);
    else compile_emit_op(c, OP_NIL, 1, n->loc);
    compile_emit_op(c, OP_RETURN, -1, n->loc);
    break;
  case N_FNDECL: fn_decl(c, n); break;
  case N_IMPORT: {
    if (!compile_at_top_level(c)) {
      compile_error_at(c, n->loc, "'import' belongs at the top level of a script");
      break;
    }
    compile_emit_indexed(c, OP_IMPORT, 0, compile_make_constant(c, OBJ_VAL(str_new(c->I, n->str)), n->loc), n->loc);
    break;
  }
  case N_ASSERT:
    compile_expr(c, n->a);
    if (n->b) compile_expr(c, n->b);
    compile_emit_op(c, OP_ASSERT, n->b ? -2 : -1, n->loc);
    compile_emit(c, n->b ? 1 : 0, n->loc);
    break;
  case N_PRINT: print_stmt(c, n); break;
  case N_UNIT_DECL: unit_decl(c, n); break;
  case N_ENTITY: compile_entity_decl(c, n); break;
  case N_FUND: compile_fund_decl(c, n); break;
  case N_LOAD: compile_load_decl(c, n); break;
  case N_PARAM: compile_param_decl(c, n); break;
  case N_RULE: compile_rule_decl(c, n); break;
  case N_SCENARIO: compile_scenario_decl(c, n); break;
  case N_RUN: compile_run_stmt(c, n); break;
  case N_COMPARE: compile_compare_stmt(c, n); break;
  case N_EXPORT: compile_export_stmt(c, n); break;
  case N_SWEEP: compile_sweep_stmt(c, n); break;
  case N_REPORT:
    compile_report_expr(c, n);
    compile_emit_op(c, OP_POP, -1, n->loc);
    break;
  case N_PLOT:
    compile_plot_expr(c, n, true);
    compile_emit_op(c, OP_POP, -1, n->loc);
    break;
  case N_EXPR_STMT:
    if (n->a->kind == N_WHY) { /* a why of its own prints its breakdown */
      compile_why_expr(c, n->a, true);
      compile_emit_op(c, OP_POP, -1, n->loc);
      break;
    }
    if (n->a->kind == N_AUDIT) { /* so does an audit */
      compile_audit_expr(c, n->a, true);
      compile_emit_op(c, OP_POP, -1, n->loc);
      break;
    }
    if (n->a->kind == N_PLOT) { /* and plot(...) draws its chart */
      compile_plot_expr(c, n->a, true);
      compile_emit_op(c, OP_POP, -1, n->loc);
      break;
    }
    compile_expr(c, n->a);
    if (c->I->repl && compile_at_top_level(c)) compile_emit_op(c, OP_ECHO, -1, n->loc);
    else compile_emit_op(c, OP_POP, -1, n->loc);
    break;
  default: compile_error_at(c, n->loc, "internal error: unexpected node %d as a statement", n->kind);
  }
}

static void block(Compiler *c, Node *n) {
  for (int i = 0; i < n->list.count && !c->stopped; i++) stmt(c, n->list.items[i]);
}

/* Top-level `let` and `fn` names get their global slots before any code is
 * compiled, so a function may call one declared further down the script. */
static void predeclare(Compiler *c, Node *root) {
  for (int i = 0; i < root->list.count; i++) {
    Node *s = root->list.items[i];
    if (s->kind == N_LET || s->kind == N_FNDECL || s->kind == N_ENTITY || s->kind == N_PARAM ||
        s->kind == N_SCENARIO) {
      UnitId u;
      if (!unit_lookup(&c->I->units, s->str, &u)) global_slot(c->I, str_new(c->I, s->str));
      if (s->kind == N_SCENARIO) /* entities a scenario declares are names too */
        for (int j = 0; j < s->list.count; j++)
          if (s->list.items[j]->kind == N_ENTITY) global_slot(c->I, str_new(c->I, s->list.items[j]->str));
    } else if (s->kind == N_IMPORT) {
      c->defer_unknown_globals = true;
    }
  }
}

ObjFunction *compile_program(Interp *I, Source *src, Node *root, Arena *arena) {
  Compiler c;
  memset(&c, 0, sizeof c);
  c.I = I;
  c.src = src;
  c.arena = arena;
  predeclare(&c, root);
  FnCompiler fc;
  compile_init_fn(&c, &fc, NULL, true);
  block(&c, root);
  ObjFunction *f = compile_end_fn(&c, root->loc);
  return c.nerrors ? NULL : f;
}
