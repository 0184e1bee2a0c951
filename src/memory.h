/* memory.h - allocation and the mark-and-sweep garbage collector.
 *
 * Every allocation of heap memory goes through mem_realloc, which keeps
 * count of the bytes in use (the allocators are described below).
 * Collections run only at VM safe points (calls, returns and loop
 * back-edges: SAFE_POINT in vm.c), where every live value
 * is reachable from the roots - the value stack, the call frames, the
 * globals and the compiler's functions in progress.  C code between safe
 * points may therefore hold object pointers in locals without rooting them.
 */
#ifndef CLUSIM_MEMORY_H
#define CLUSIM_MEMORY_H

#include "common.h"
#include "object.h"

/* ---- allocation -------------------------------------------------------------
 *
 * Two allocators and one way to fail, as Lua has luaM_realloc_ and a memory
 * error:
 *
 *   mem_realloc      heap memory the collector counts (objects and the arrays
 *                    they own); bytes_allocated decides when to collect.
 *                    mem_try_realloc is the same but returns NULL when
 *                    memory runs out (see below).
 *   mem_realloc_raw  memory the collector does not count: the value stack,
 *                    source texts, the unit table, scratch arrays.  Freed
 *                    with free() (or mem_realloc_raw(I, p, 0)), so it may be
 *                    handed to libraries that free it (readline).
 *
 * They return NULL only when asked for 0 bytes (which frees p).  When memory
 * runs out they call mem_error, which raises the ordinary runtime error
 * "out of memory" if a protected call is active (interp_pcall: the prompt
 * goes on, a script stops with status 1 and the usual message) and
 * otherwise prints "clusim: out of memory" and exits with status 1.
 *
 * A raise unwinds to the innermost interp_pcall, so the caller of an
 * allocator must not have left its own structures inconsistent: update a
 * capacity only after the allocation succeeded, allocate a replacement
 * before freeing what it replaces.  Nor may it hold memory that only it
 * knows about (a Buffer, a GMP temporary): such a caller uses the try
 * forms (mem_try_realloc, obj_try_alloc return NULL instead of raising),
 * lets go, and then calls mem_error - as str_take and num.c's take_z do.
 * A Buffer held across a raising allocation elsewhere leaks when memory
 * runs out there (the price of not rooting every Buffer; world.c still
 * has such places).
 *
 * Code with no interpreter to tell passes I = NULL and always gets the
 * print-and-exit: Buffer (it builds the error message of every raise, so
 * it cannot raise itself), the syntax-tree arena (filled by the Bison
 * parser, whose own stack a longjmp would leak), GMP's allocator (GMP
 * cannot be unwound: its documentation says the allocation functions must
 * not return when they fail) and the collector's gray stack (a raise in
 * the middle of marking would leave objects marked).
 */
void *mem_realloc(Interp *I, void *p, size_t old_size, size_t new_size);
void *mem_try_realloc(Interp *I, void *p, size_t old_size, size_t new_size);
void *mem_realloc_raw(Interp *I, void *p, size_t new_size);
char *mem_strdup(Interp *I, const char *s);
/* The one out-of-memory path (see above); I may be NULL. */
_Noreturn void mem_error(Interp *I);

/* Test aid, for the unit tests only: make mem_realloc fail (and so raise
 * "out of memory") whenever the counted heap would grow beyond `limit`
 * bytes.  0 removes the limit (the default).  Only counted memory obeys
 * it; mem_realloc_raw and GMP's limbs do not. */
void mem_set_limit(Interp *I, size_t limit);

#define ALLOCATE(I, type, n) ((type *)mem_realloc(I, NULL, 0, sizeof(type) * (size_t)(n)))
#define FREE_ARRAY(I, type, p, n) mem_realloc(I, p, sizeof(type) * (size_t)(n), 0)
#define GROW_ARRAY(I, type, p, old_n, new_n) \
  ((type *)mem_realloc(I, p, sizeof(type) * (size_t)(old_n), sizeof(type) * (size_t)(new_n)))
#define GROW_CAPACITY(c) ((c) < 8 ? 8 : (c) * 2)

/* A new object, linked into the heap's list with its header set; the
 * caller fills in the rest before anything else can allocate.  The try
 * form returns NULL when memory runs out. */
Obj *obj_alloc(Interp *I, size_t size, ObjType type);
Obj *obj_try_alloc(Interp *I, size_t size, ObjType type);
/* Count the GMP limbs of a filled big number as allocated memory, so that
 * dead big numbers trigger collections (they are freed in free_obj). */
void mem_account_limbs(Interp *I, Obj *o);

/* Whether a safe point should collect now.  Built with -DCLUSIM_STRESS_GC
 * (make check-gc), every safe point collects: a value that C code holds
 * without rooting it is then freed at once, and the sanitizers see it. */
#ifdef CLUSIM_STRESS_GC
#define GC_DUE(I) true
#else
#define GC_DUE(I) ((I)->bytes_allocated > (I)->next_gc)
#endif

void gc_collect(Interp *I);
void gc_mark_value(Interp *I, Value v);
void gc_mark_obj(Interp *I, Obj *o);
/* Free every object (interp_free). */
void gc_free_all(Interp *I);

#endif
