/* memory.h - allocation and the mark-and-sweep garbage collector.
 *
 * Every allocation of interpreter memory goes through mem_realloc, which
 * keeps count of the bytes in use.  Collections run only at VM safe points
 * (calls, returns and loop back-edges: SAFE_POINT in vm.c), where every live value
 * is reachable from the roots - the value stack, the call frames, the
 * globals and the compiler's functions in progress.  C code between safe
 * points may therefore hold object pointers in locals without rooting them.
 */
#ifndef CLUSIM_MEMORY_H
#define CLUSIM_MEMORY_H

#include "common.h"
#include "object.h"

void *mem_realloc(Interp *I, void *p, size_t old_size, size_t new_size);

#define ALLOCATE(I, type, n) ((type *)mem_realloc(I, NULL, 0, sizeof(type) * (size_t)(n)))
#define FREE_ARRAY(I, type, p, n) mem_realloc(I, p, sizeof(type) * (size_t)(n), 0)
#define GROW_ARRAY(I, type, p, old_n, new_n) \
  ((type *)mem_realloc(I, p, sizeof(type) * (size_t)(old_n), sizeof(type) * (size_t)(new_n)))
#define GROW_CAPACITY(c) ((c) < 8 ? 8 : (c) * 2)

Obj *obj_alloc(Interp *I, size_t size, ObjType type);
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
