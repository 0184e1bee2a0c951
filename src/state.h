/* state.h - the inside of an Interp, shared by the interpreter's modules.
 *
 * Only the interpreter's own modules include this; embedders and main.c
 * see the opaque Interp of interp.h.
 */
#ifndef CLUSIM_STATE_H
#define CLUSIM_STATE_H

#include <setjmp.h>
#include <signal.h>
#include <stdio.h>

#include "buffer.h"
#include "interp.h"
#include "object.h"
#include "table.h"
#include "unit.h"

typedef struct CallFrame {
  ObjClosure *closure;
  uint8_t *ip;   /* saved when the frame calls out; the running frame's ip is in the VM */
  Value *slots;  /* slot 0 is the callee itself, then the arguments, then locals */
  int native_boundary; /* true: returning from this frame leaves vm_run (a call from C) */
} CallFrame;

/* A protected call's landing site (interp_pcall, the VM's entry). */
typedef struct ErrorJmp {
  struct ErrorJmp *prev;
  jmp_buf buf;
} ErrorJmp;

/* Source texts are kept for the whole session so that any chunk can quote
 * the line an error occurred on.  `lines` indexes where each line starts
 * (diag.c builds it at the first message about the text, and
 * diag_forget_lines frees it), so that quoting a line costs no pass over
 * the text before it. */
struct Source {
  struct Source *next;
  char *name;
  char *text;
  size_t *lines; /* lines[i]: offset of line i + 1; NULL until needed */
  int nlines;
};

/* What we know about each global slot. */
typedef enum {
  GLOBAL_VAR = 0,
  GLOBAL_BUILTIN, /* a built-in function: may be shadowed by `let` */
  GLOBAL_UNIT,    /* a unit constant such as EUR: may not be redefined */
  GLOBAL_PARAM,   /* a model parameter (param NAME = ...) */
  GLOBAL_STDLIB,  /* a function of the stdlib (the model and the audit call it) */
} GlobalKind;

/* What a host module - the world of regions, clusters and scenarios -
 * plugs into the core, which never names it: its roots for the collector,
 * its clean-up, words it adds to a rule's line in a call chain, the check
 * of a param's bounds and help on its own names. */
typedef struct HostHooks {
  void (*mark)(Interp *I);
  void (*free)(Interp *I);
  /* words after "in rule NAME" in a call chain, e.g. " (year 2027)" */
  void (*frame_context)(Interp *I, Buffer *out, struct ObjFunction *fn);
  /* before an assignment `NAME = v` to a param (GLOBAL_PARAM) at slot g;
   * may raise an error (a value outside the param's bounds) */
  void (*param_write)(Interp *I, int g, Value v);
  /* :help NAME for a name that is not a global (a rule): its explanation,
   * or NULL */
  const char *(*help)(Interp *I, const char *name);
} HostHooks;

/* A stdlib file loaded on first use (the state-aid audit).  Its top-level
 * `fn` and `param` names are known from start-up, in Interp.autoload, so
 * that the compiler can bind them without loading anything; a compilation
 * that names one sets `needed`, and the link step between compiling and
 * running (interp_link) loads the file.  Once loaded, its names leave
 * Interp.autoload and are ordinary globals. */
#define CLUSIM_MAX_LAZY_FILES 4
typedef struct LazyFile {
  const char *name; /* file name in the stdlib directory */
  bool needed;      /* a compiled program names it: the next link loads it */
} LazyFile;

struct Interp {
  /* memory */
  Obj *objects;
  size_t bytes_allocated, next_gc;
  int gray_count, gray_capacity;
  Obj **gray;
  bool gc_enabled;
  bool out_of_memory; /* mem_error raised: interp_eval collects after the error */
  size_t mem_limit;   /* test aid (mem_set_limit): 0 = no limit */
  /* num.c's work space for the parts of a rational result, reused from
   * one operation to the next (results are copied out: rational_copy) */
  mpz_t scratch_num, scratch_den;

  Table strings; /* interned strings */

  /* globals: resolved to slot numbers at compile time */
  Table global_index; /* name -> INT slot */
  int nglobals, globals_capacity;
  Value *globals;
  ObjString **global_names;
  uint8_t *global_kinds;   /* GlobalKind */
  const char **global_docs; /* help text (static strings) or NULL */

  UnitTable units;

  /* the VM */
  Value *stack, *sp, *stack_end;
  CallFrame frames[CLUSIM_MAX_FRAMES];
  int frame_count;
  int c_calls; /* vm_call entries from C now active (CLUSIM_MAX_C_CALLS) */
  ObjUpvalue *open_upvalues;

  /* errors */
  ErrorJmp *err_jmp;
  Buffer errmsg;
  Buffer traceback;
  const uint8_t *last_warning_ip; /* interp_warn: the instruction that warned last */
  bool interrupt_raised;          /* the error being raised is "interrupted" (Ctrl-C) */
  volatile sig_atomic_t interrupted;
#ifdef CLUSIM_FUZZING
  /* tests/fuzz/: safe points left before the run is interrupted as by
   * Ctrl-C (vm.c, FUZZ_STEP), so that `while true {}` ends; 0 = no budget */
  int64_t fuzz_steps;
#endif

  /* sources, settings, streams */
  Source *sources;
  Table imported; /* absolute path -> true */
  /* stdlib names whose file is not loaded yet -> INT: the file's index in
   * `lazy` and the name's GlobalKind (interp.c: LAZY_ENTRY) */
  Table autoload;
  LazyFile lazy[CLUSIM_MAX_LAZY_FILES];
  int nlazy;
  int64_t max_digits;
  /* a digest of this clusim's version and every file read as input so far
   * (imports, the standard library, data files): interp_note_input */
  uint64_t inputs_digest;
  bool repl;
  bool skip_asserts; /* InterpOptions.skip_asserts */
  FILE *out, *err;
  /* where progress bars go (progress.h): err, unless the prompt records a
   * transcript, whose err is a tee that is no terminal: then the terminal */
  FILE *progress;
  char *stdlib_dir;
  const char *stdlib_origin; /* where stdlib_dir came from, for messages */
  char *stdlib_problem;      /* why the stdlib did not load (interp_stdlib_problem), or NULL */
  ObjList *args;

  /* the host module (the world, world.h): its state, opaque to the core,
   * and what it plugs into the core */
  struct WorldState *world;
  HostHooks host;
  int jobs; /* worker processes for work that can be spread (--jobs) */
  struct RunShards *shards; /* --shard or merge (world_shard.c), else NULL */

  /* random numbers: xoshiro256** state, seeded by seed(n) */
  uint64_t rng[4];
  bool rng_has_spare;
  double rng_spare;
};

/* Keep a value alive while C code runs VM code (which may collect): it
 * goes on the value stack, which the collector marks.  Pops must match
 * pushes; an error unwinds the stack anyway (interp_pcall). */
void interp_push_root(Interp *I, Value v);
static inline void interp_pop_roots(Interp *I, int n) { I->sp -= n; }

/* Globals that C code changes for a while and puts back afterwards (a
 * run's entity names and params, the audit's params).  The saved values
 * live in a list pushed on the value stack, so they stay alive across
 * calls into the VM and an error unwinds them with the stack: never keep
 * a Value in C memory of your own across such a call.
 *   ObjList *saved = interp_save_begin(I);   (pushes one root)
 *   interp_save_global(I, saved, g); ...     (the first save of g counts)
 *   interp_restore_globals(I, saved);        (then interp_pop_roots(I, 1)) */
ObjList *interp_save_begin(Interp *I);
void interp_save_global(Interp *I, ObjList *saved, int g);
void interp_restore_globals(Interp *I, ObjList *saved);

/* Run the file an `import` names (found beside `from`, then in the stdlib),
 * once per session. */
void interp_import(Interp *I, ObjString *path, Source *from);

Source *interp_add_source(Interp *I, const char *name, const char *text);

/* Globals */
int global_slot(Interp *I, ObjString *name); /* find or create */
int global_find(Interp *I, ObjString *name); /* -1 if none */
void global_define(Interp *I, const char *name, Value v, GlobalKind kind, const char *doc);

/* Linking: stdlib names bound between compiling and running (interp.c).
 * The compiler only asks; nothing is loaded until interp_link. */
int link_kind(Interp *I, ObjString *name); /* its GlobalKind if a stdlib name not loaded yet, else -1 */
bool link_need(Interp *I, ObjString *name); /* if it is one, mark its file needed: true */
/* Call `found` for each top-level `fn NAME` and `param NAME` of a stdlib
 * file's text (kind GLOBAL_STDLIB or GLOBAL_PARAM), found without parsing:
 * each such declaration starts at the first column of its line. */
void link_scan_decls(const char *text, void (*found)(void *ud, const char *name, size_t len, int kind), void *ud);
/* Load every needed stdlib file (this runs their code; the collector may
 * run, so the caller roots what it holds).  False if one failed (printed). */
bool interp_link(Interp *I);

#endif
