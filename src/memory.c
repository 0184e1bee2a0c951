/* memory.c - allocation, the out-of-memory error, and the mark-and-sweep collector. */
#include "memory.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>

#include "state.h"

/* glibc's "fastbins" keep freed small blocks apart, unmerged, until a
 * larger request sweeps them all together (malloc_consolidate): after a
 * collection has freed a few hundred thousand objects that costs much and
 * scatters what is allocated next.  Without them (M_MXFAST 0), a freed
 * block goes to the per-thread cache or is merged with its neighbours at
 * once: a big world's Monte Carlo runs (1,000 clusters, 20 runs) took 25%
 * less time.  Set once, before main; glibc only (elsewhere nothing). */
#if defined(__GLIBC__) && defined(M_MXFAST)
__attribute__((constructor)) static void mem_tune_malloc(void) { mallopt(M_MXFAST, 0); }
#endif

void mem_error(Interp *I) {
  if (I && I->err_jmp) {
    I->out_of_memory = true;
    interp_throw(I, "out of memory");
  }
  fputs("clusim: out of memory\n", stderr);
  exit(1);
}

void *mem_try_realloc(Interp *I, void *p, size_t old_size, size_t new_size) {
  if (new_size == 0) {
    free(p);
    I->bytes_allocated -= old_size;
    return NULL;
  }
  if (UNLIKELY(I->mem_limit != 0) && new_size > old_size &&
      I->bytes_allocated + (new_size - old_size) > I->mem_limit)
    return NULL;
  void *q = realloc(p, new_size);
  if (!q) return NULL;
  I->bytes_allocated += new_size;
  I->bytes_allocated -= old_size;
  return q;
}

void *mem_realloc(Interp *I, void *p, size_t old_size, size_t new_size) {
  void *q = mem_try_realloc(I, p, old_size, new_size);
  if (!q && new_size != 0) mem_error(I);
  return q;
}

void *mem_realloc_raw(Interp *I, void *p, size_t new_size) {
  if (new_size == 0) {
    free(p);
    return NULL;
  }
  void *q = realloc(p, new_size);
  if (!q) mem_error(I);
  return q;
}

char *mem_strdup(Interp *I, const char *s) {
  size_t n = strlen(s) + 1;
  return memcpy(mem_realloc_raw(I, NULL, n), s, n);
}

void mem_set_limit(Interp *I, size_t limit) { I->mem_limit = limit; }

Obj *obj_try_alloc(Interp *I, size_t size, ObjType type) {
  Obj *o = mem_try_realloc(I, NULL, 0, size);
  if (!o) return NULL;
  o->type = type;
  o->marked = false;
  o->next = I->objects;
  I->objects = o;
  return o;
}

Obj *obj_alloc(Interp *I, size_t size, ObjType type) {
  Obj *o = obj_try_alloc(I, size, type);
  if (!o) mem_error(I);
  return o;
}

static size_t limb_bytes(Obj *o) {
  if (o->type == OBJ_BIGINT) return (size_t)((ObjBigInt *)o)->z->_mp_alloc * sizeof(mp_limb_t);
  if (o->type == OBJ_RATIONAL) {
    mpq_ptr q = ((ObjRational *)o)->q;
    if (((ObjRational *)o)->inline_limbs) return 0; /* counted in obj_size */
    return (size_t)(mpq_numref(q)->_mp_alloc + mpq_denref(q)->_mp_alloc) * sizeof(mp_limb_t);
  }
  return 0;
}

void mem_account_limbs(Interp *I, Obj *o) { I->bytes_allocated += limb_bytes(o); }

static size_t obj_size(Obj *o) {
  switch (o->type) {
  case OBJ_STRING: return sizeof(ObjString) + (size_t)((ObjString *)o)->length + 1;
  case OBJ_BIGINT: return sizeof(ObjBigInt);
  case OBJ_RATIONAL: return sizeof(ObjRational) + ((ObjRational *)o)->inline_limbs * sizeof(mp_limb_t);
  case OBJ_LIST: return sizeof(ObjList);
  case OBJ_RECORD: return sizeof(ObjRecord);
  case OBJ_RANGE: return sizeof(ObjRange);
  case OBJ_FUNCTION: return sizeof(ObjFunction);
  case OBJ_CLOSURE:
    return sizeof(ObjClosure) + sizeof(ObjUpvalue *) * (size_t)((ObjClosure *)o)->upvalue_count;
  case OBJ_UPVALUE: return sizeof(ObjUpvalue);
  case OBJ_NATIVE: return sizeof(ObjNative);
  case OBJ_FOREIGN: return ((ObjForeign *)o)->cls->size;
  }
  return 0;
}

static void free_obj(Interp *I, Obj *o) {
  I->bytes_allocated -= limb_bytes(o);
  switch (o->type) {
  case OBJ_BIGINT: mpz_clear(((ObjBigInt *)o)->z); break;
  case OBJ_RATIONAL: rational_clear((ObjRational *)o); break;
  case OBJ_LIST: valarr_free(I, &((ObjList *)o)->items); break;
  case OBJ_RECORD: {
    ObjRecord *r = (ObjRecord *)o;
    FREE_ARRAY(I, ObjString *, r->keys, r->capacity);
    FREE_ARRAY(I, Value, r->values, r->capacity);
    FREE_ARRAY(I, int, r->index, r->index_capacity);
    break;
  }
  case OBJ_FUNCTION: chunk_free(I, &((ObjFunction *)o)->chunk); break;
  case OBJ_FOREIGN:
    if (((ObjForeign *)o)->cls->free) ((ObjForeign *)o)->cls->free(I, o);
    break;
  default: break;
  }
  mem_realloc(I, o, obj_size(o), 0);
}

void gc_mark_obj(Interp *I, Obj *o) {
  if (!o || o->marked) return;
  o->marked = true;
  if (I->gray_count == I->gray_capacity) {
    /* No raise here (I = NULL: print and exit): this runs in the middle of
     * a collection, and unwinding from it would leave objects marked and
     * the gray stack half full. */
    int cap = GROW_CAPACITY(I->gray_capacity);
    I->gray = mem_realloc_raw(NULL, I->gray, sizeof(Obj *) * (size_t)cap);
    I->gray_capacity = cap;
  }
  I->gray[I->gray_count++] = o;
}

void gc_mark_value(Interp *I, Value v) {
  if (IS_OBJ(v)) gc_mark_obj(I, v.as.o);
}

static void mark_array(Interp *I, ValueArray *a) {
  for (int i = 0; i < a->count; i++) gc_mark_value(I, a->items[i]);
}

/* Mark everything an object refers to. */
static void blacken(Interp *I, Obj *o) {
  switch (o->type) {
  case OBJ_LIST: mark_array(I, &((ObjList *)o)->items); break;
  case OBJ_RECORD: {
    ObjRecord *r = (ObjRecord *)o;
    for (int i = 0; i < r->count; i++) {
      gc_mark_obj(I, (Obj *)r->keys[i]);
      gc_mark_value(I, r->values[i]);
    }
    gc_mark_obj(I, (Obj *)r->owner);
    gc_mark_obj(I, (Obj *)r->path);
    break;
  }
  case OBJ_FUNCTION: {
    ObjFunction *f = (ObjFunction *)o;
    gc_mark_obj(I, (Obj *)f->name);
    mark_array(I, &f->chunk.constants);
    break;
  }
  case OBJ_CLOSURE: {
    ObjClosure *c = (ObjClosure *)o;
    gc_mark_obj(I, (Obj *)c->function);
    for (int i = 0; i < c->upvalue_count; i++) gc_mark_obj(I, (Obj *)c->upvalues[i]);
    break;
  }
  case OBJ_UPVALUE: gc_mark_value(I, ((ObjUpvalue *)o)->closed); break;
  case OBJ_NATIVE: gc_mark_obj(I, (Obj *)((ObjNative *)o)->name); break;
  case OBJ_FOREIGN: ((ObjForeign *)o)->cls->mark(I, o); break;
  default: break;
  }
}

static void mark_roots(Interp *I) {
  for (Value *v = I->stack; v < I->sp; v++) gc_mark_value(I, *v);
  for (int i = 0; i < I->frame_count; i++) gc_mark_obj(I, (Obj *)I->frames[i].closure);
  for (ObjUpvalue *u = I->open_upvalues; u; u = u->next_open) gc_mark_obj(I, (Obj *)u);
  for (int i = 0; i < I->nglobals; i++) {
    gc_mark_value(I, I->globals[i]);
    gc_mark_obj(I, (Obj *)I->global_names[i]);
  }
  table_mark(I, &I->global_index);
  table_mark(I, &I->imported);
  table_mark(I, &I->autoload);
  gc_mark_obj(I, (Obj *)I->args);
  if (I->host.mark) I->host.mark(I);
}

void gc_collect(Interp *I) {
  if (!I->gc_enabled) return;
  mark_roots(I);
  while (I->gray_count > 0) blacken(I, I->gray[--I->gray_count]);
  table_remove_white(&I->strings);
  Obj **link = &I->objects;
  while (*link) {
    Obj *o = *link;
    if (o->marked) {
      o->marked = false;
      link = &o->next;
    } else {
      *link = o->next;
      free_obj(I, o);
    }
  }
  I->next_gc = I->bytes_allocated * 2;
  if (I->next_gc < (size_t)1 << 20) I->next_gc = (size_t)1 << 20;
}

void gc_free_all(Interp *I) {
  Obj *o = I->objects;
  while (o) {
    Obj *next = o->next;
    free_obj(I, o);
    o = next;
  }
  I->objects = NULL;
  free(I->gray);
  I->gray = NULL;
  I->gray_count = I->gray_capacity = 0;
}
