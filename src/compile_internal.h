/* compile_internal.h - what the two halves of the compiler share:
 * compile.c (names, expressions, statements, functions) and
 * compile_world.c (the world's declarations and statements, which compile
 * to calls of hidden built-ins).  Not for the rest of the interpreter,
 * which sees compile.h only.  The functions they share are global symbols
 * of the library, so their names start with compile_ (compile_expr,
 * compile_emit_op); those private to one file are static and short. */
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
bool compile_at_top_level(Compiler *c);
void compile_begin_scope(Compiler *c);
bool compile_check_not_unit(Compiler *c, const char *name, SrcLoc loc);
Chunk *compile_chunk(Compiler *c);
void compile_emit(Compiler *c, uint8_t byte, SrcLoc loc);
void compile_emit_constant(Compiler *c, Value v, SrcLoc loc);
void compile_emit_field(Compiler *c, OpCode op, int effect, const char *name, SrcLoc loc);
void compile_emit_indexed(Compiler *c, OpCode op, int effect, int index, SrcLoc loc);
void compile_emit_op(Compiler *c, OpCode op, int effect, SrcLoc loc);
void compile_emit_u16(Compiler *c, int v, SrcLoc loc);
ObjFunction *compile_end_fn(Compiler *c, SrcLoc loc);
void compile_error_at(Compiler *c, SrcLoc loc, const char *fmt, ...) PRINTF_LIKE(3, 4);
void compile_expr(Compiler *c, Node *n);
void compile_function(Compiler *c, Node *n, const char *name);
void compile_get_name(Compiler *c, const char *name, SrcLoc loc);
void compile_init_fn(Compiler *c, FnCompiler *fc, const char *name, bool is_script);
int compile_make_constant(Compiler *c, Value v, SrcLoc loc);
int compile_name_constant(Compiler *c, const char *name, SrcLoc loc);

/* compile_world.c: the world's declarations and statements. */
void compile_audit_expr(Compiler *c, Node *n, bool print);
void compile_compare_stmt(Compiler *c, Node *n);
void compile_entity_decl(Compiler *c, Node *n);
void compile_export_stmt(Compiler *c, Node *n);
void compile_fund_decl(Compiler *c, Node *n);
void compile_load_decl(Compiler *c, Node *n);
void compile_param_decl(Compiler *c, Node *n);
void compile_plot_expr(Compiler *c, Node *n, bool print);
void compile_report_expr(Compiler *c, Node *n);
void compile_rule_decl(Compiler *c, Node *n);
void compile_run_stmt(Compiler *c, Node *n);
void compile_scenario_decl(Compiler *c, Node *n);
void compile_sweep_stmt(Compiler *c, Node *n);
void compile_why_expr(Compiler *c, Node *n, bool print);

#endif
