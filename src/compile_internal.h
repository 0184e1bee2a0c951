/* compile_internal.h - what the two halves of the compiler share:
 * compile.c (names, expressions, statements, functions) and
 * compile_world.c (the world's declarations and statements, which compile
 * to calls of hidden built-ins).  Not for the rest of the interpreter,
 * which sees compile.h only. */
#ifndef CLUSIM_COMPILE_INTERNAL_H
#define CLUSIM_COMPILE_INTERNAL_H

#include "ast.h"
#include "chunk.h"
#include "common.h"
#include "object.h"
#include "opcodes.h"

#define MAX_LOCALS 256
#define MAX_UPVALUES 255

typedef struct {
  const char *name;
  int depth;
  bool captured;
} Local;

typedef struct {
  uint8_t index;
  bool is_local;
} Upvalue;

/* Jumps still to be patched (a loop's breaks and continues).  The array
 * lives in the parse's arena, like the nodes: it needs no freeing, and an
 * out-of-memory error that unwinds the compiler leaves nothing behind. */
typedef struct PatchList {
  int count, capacity;
  int *at;
} PatchList;

typedef struct Loop {
  struct Loop *prev;
  int break_depth;     /* locals deeper than this are popped by `break` */
  int continue_depth;  /* ... and by `continue` */
  int continue_target; /* code offset to LOOP back to, or -1: patch forward */
  PatchList breaks, continues;
} Loop;

typedef struct FnCompiler {
  struct FnCompiler *enclosing;
  ObjFunction *fn;
  Local locals[MAX_LOCALS];
  int nlocals;
  int scope_depth;
  Upvalue upvalues[MAX_UPVALUES];
  Loop *loop;
  int depth, max_depth; /* value-stack depth above the frame base */
  bool is_script;
} FnCompiler;

typedef struct {
  Interp *I;
  Source *src;
  FnCompiler *fc;
  int nerrors;
  bool stopped; /* too many errors (DIAG_MAX_ERRORS): the rest is not compiled */
  bool defer_unknown_globals; /* the program imports files: their names appear at run time */
  int expr_depth;
  bool too_deep;
  Arena *arena; /* the parse's arena, for nodes the compiler makes up */
} Compiler;

/* compile.c: errors, emitting, names, expressions, functions. */
bool at_top_level(Compiler *c);
void begin_scope(Compiler *c);
bool check_not_unit(Compiler *c, const char *name, SrcLoc loc);
Chunk *chunk(Compiler *c);
void emit(Compiler *c, uint8_t byte, SrcLoc loc);
void emit_constant(Compiler *c, Value v, SrcLoc loc);
void emit_field(Compiler *c, OpCode op, int effect, const char *name, SrcLoc loc);
void emit_indexed(Compiler *c, OpCode op, int effect, int index, SrcLoc loc);
void emit_op(Compiler *c, OpCode op, int effect, SrcLoc loc);
void emit_u16(Compiler *c, int v, SrcLoc loc);
ObjFunction *end_fn(Compiler *c, SrcLoc loc);
void error_at(Compiler *c, SrcLoc loc, const char *fmt, ...) PRINTF_LIKE(3, 4);
void expr(Compiler *c, Node *n);
void function(Compiler *c, Node *n, const char *name);
void get_name(Compiler *c, const char *name, SrcLoc loc);
void init_fn(Compiler *c, FnCompiler *fc, const char *name, bool is_script);
int make_constant(Compiler *c, Value v, SrcLoc loc);
int name_constant(Compiler *c, const char *name, SrcLoc loc);

/* compile_world.c: the world's declarations and statements. */
void audit_expr(Compiler *c, Node *n, bool print);
void compare_stmt(Compiler *c, Node *n);
void entity_decl(Compiler *c, Node *n);
void export_stmt(Compiler *c, Node *n);
void fund_decl(Compiler *c, Node *n);
void load_decl(Compiler *c, Node *n);
void param_decl(Compiler *c, Node *n);
void plot_expr(Compiler *c, Node *n, bool print);
void report_expr(Compiler *c, Node *n);
void rule_decl(Compiler *c, Node *n);
void run_stmt(Compiler *c, Node *n);
void scenario_decl(Compiler *c, Node *n);
void sweep_stmt(Compiler *c, Node *n);
void why_expr(Compiler *c, Node *n, bool print);

#endif
