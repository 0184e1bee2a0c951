/* object.c - constructors for heap objects (see object.h). */
#include "object.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buffer.h"
#include "memory.h"
#include "state.h"

/* FNV-1a: simple, and good enough for identifiers and short strings. */
uint32_t hash_bytes(const char *s, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++) {
    h ^= (uint8_t)s[i];
    h *= 16777619u;
  }
  return h;
}

/* Short strings hash every byte; long ones a sample of 32 bytes, so that
 * hashing a long text is O(1) (as Lua does). */
uint32_t hash_string(const char *s, int n) {
  if (n <= STR_SHORT) return hash_bytes(s, (size_t)n);
  uint32_t h = 2166136261u ^ (uint32_t)n;
  int step = n / 32;
  for (int i = 0; i < n; i += step) {
    h ^= (uint8_t)s[i];
    h *= 16777619u;
  }
  return h;
}

/* NULL when memory runs out. */
static ObjString *try_alloc_string(Interp *I, int length, uint32_t hash) {
  ObjString *s = (ObjString *)obj_try_alloc(I, sizeof(ObjString) + (size_t)length + 1, OBJ_STRING);
  if (!s) return NULL;
  s->hash = hash;
  s->length = length;
  s->chars[length] = '\0';
  return s;
}

static ObjString *alloc_string(Interp *I, int length, uint32_t hash) {
  ObjString *s = try_alloc_string(I, length, hash);
  if (!s) mem_error(I);
  return s;
}

/* Runtime text: short strings are interned, long ones are not (building a
 * long text must not cost a table lookup, and equality compares them by
 * content - see value_equal). */
ObjString *str_make(Interp *I, const char *chars, int length) {
  if (length <= STR_SHORT) return str_copy(I, chars, length);
  ObjString *s = alloc_string(I, length, hash_string(chars, length));
  memcpy(s->chars, chars, (size_t)length);
  return s;
}

/* Runtime text (as str_make) made from malloc'd chars, which are freed in
 * every case - also when the text is too long or memory runs out, before
 * the error is raised - so that text built in scratch memory never leaks. */
ObjString *str_take(Interp *I, char *chars, size_t length) {
  if (length > CLUSIM_MAX_TEXT) {
    free(chars);
    interp_throw(I, "text too long (more than %d bytes)", CLUSIM_MAX_TEXT);
  }
  int n = (int)length;
  if (n <= STR_SHORT) { /* interned: copy it out first, then let go */
    char buf[STR_SHORT + 1];
    memcpy(buf, chars, length);
    free(chars);
    return str_copy(I, buf, n);
  }
  ObjString *s = try_alloc_string(I, n, hash_string(chars, n));
  if (s) memcpy(s->chars, chars, length);
  free(chars);
  if (!s) mem_error(I);
  return s;
}

ObjString *str_take_buffer(Interp *I, Buffer *b) {
  size_t n = b->len;
  return str_take(I, buf_take(b), n);
}

/* Concatenate strings without an intermediate buffer. */
ObjString *str_concat(Interp *I, int n, ObjString **parts) {
  size_t total = 0;
  for (int i = 0; i < n; i++) total += (size_t)parts[i]->length;
  if (total > CLUSIM_MAX_TEXT) interp_throw(I, "text too long (more than %d bytes)", CLUSIM_MAX_TEXT);
  if (total <= STR_SHORT) {
    char buf[STR_SHORT + 1];
    size_t at = 0;
    for (int i = 0; i < n; i++) {
      memcpy(buf + at, parts[i]->chars, (size_t)parts[i]->length);
      at += (size_t)parts[i]->length;
    }
    return str_copy(I, buf, (int)total);
  }
  ObjString *s = alloc_string(I, (int)total, 0);
  size_t at = 0;
  for (int i = 0; i < n; i++) {
    memcpy(s->chars + at, parts[i]->chars, (size_t)parts[i]->length);
    at += (size_t)parts[i]->length;
  }
  s->hash = hash_string(s->chars, s->length);
  return s;
}

/* Names, field keys and constants: always interned, so that they can be
 * compared by pointer. */
ObjString *str_copy(Interp *I, const char *chars, int length) {
  uint32_t hash = hash_string(chars, length);
  ObjString *s = table_find_string(&I->strings, chars, length, hash);
  if (s) return s;
  s = alloc_string(I, length, hash);
  memcpy(s->chars, chars, (size_t)length);
  table_set(I, &I->strings, s, NIL_VAL);
  return s;
}

ObjString *str_new(Interp *I, const char *cstr) { return str_copy(I, cstr, (int)strlen(cstr)); }

/* Formatted straight into a new string object, so that no scratch memory
 * is held when an allocation raises; when the text is interned already,
 * the new object is garbage and the interned one is returned. */
ObjString *str_vprintf(Interp *I, const char *fmt, va_list ap) {
  va_list again;
  va_copy(again, ap);
  int n = vsnprintf(NULL, 0, fmt, ap);
  if (n < 0) n = 0;
  ObjString *s = alloc_string(I, n, 0);
  vsnprintf(s->chars, (size_t)n + 1, fmt, again);
  va_end(again);
  s->hash = hash_string(s->chars, n);
  ObjString *old = table_find_string(&I->strings, s->chars, n, s->hash);
  if (old) return old;
  table_set(I, &I->strings, s, NIL_VAL);
  return s;
}

ObjString *str_printf(Interp *I, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  ObjString *s = str_vprintf(I, fmt, ap);
  va_end(ap);
  return s;
}

ObjBigInt *bigint_new(Interp *I) {
  ObjBigInt *b = (ObjBigInt *)obj_alloc(I, sizeof(ObjBigInt), OBJ_BIGINT);
  mpz_init(b->z);
  return b;
}

ObjRational *rational_new(Interp *I) {
  ObjRational *r = (ObjRational *)obj_alloc(I, sizeof(ObjRational), OBJ_RATIONAL);
  r->inline_limbs = 0;
  mpq_init(r->q);
  return r;
}

/* z as a read-only copy of `from` whose limbs are at `limbs`. */
static void z_inline(mpz_ptr z, mp_limb_t *limbs, mpz_srcptr from) {
  size_t n = mpz_size(from);
  memcpy(limbs, mpz_limbs_read(from), n * sizeof(mp_limb_t));
  z->_mp_alloc = (int)n;
  z->_mp_size = from->_mp_size;
  z->_mp_d = limbs;
}

ObjRational *rational_copy(Interp *I, mpz_srcptr n, mpz_srcptr d) {
  size_t nn = mpz_size(n), nd = mpz_size(d); /* both at least 1: n != 0, d > 1 */
  ObjRational *r = (ObjRational *)obj_alloc(I, sizeof(ObjRational) + (nn + nd) * sizeof(mp_limb_t), OBJ_RATIONAL);
  r->inline_limbs = nn + nd;
  z_inline(mpq_numref(r->q), r->limbs, n);
  z_inline(mpq_denref(r->q), r->limbs + nn, d);
  return r;
}

void rational_clear(ObjRational *r) {
  if (r->inline_limbs == 0) mpq_clear(r->q);
}

/* The take forms clear the caller's GMP temporaries in every case - also
 * when memory runs out, before the error is raised - so they never leak. */
ObjBigInt *bigint_take(Interp *I, mpz_ptr z) {
  ObjBigInt *b = (ObjBigInt *)obj_try_alloc(I, sizeof(ObjBigInt), OBJ_BIGINT);
  if (!b) {
    mpz_clear(z);
    mem_error(I);
  }
  mpz_init(b->z);
  mpz_swap(b->z, z);
  mpz_clear(z);
  return b;
}

ObjRational *rational_take(Interp *I, mpz_ptr n, mpz_ptr d) {
  ObjRational *r = (ObjRational *)obj_try_alloc(I, sizeof(ObjRational), OBJ_RATIONAL);
  if (!r) {
    mpz_clear(n);
    mpz_clear(d);
    mem_error(I);
  }
  r->inline_limbs = 0;
  mpz_init(mpq_numref(r->q)); /* allocates nothing (mpq_init would: a limb each) */
  mpz_init(mpq_denref(r->q));
  mpz_swap(mpq_numref(r->q), n);
  mpz_swap(mpq_denref(r->q), d);
  mpz_clear(n);
  mpz_clear(d);
  return r;
}

ObjList *list_new(Interp *I) {
  ObjList *l = (ObjList *)obj_alloc(I, sizeof(ObjList), OBJ_LIST);
  valarr_init(&l->items);
  return l;
}

/* Lists grow up to CLUSIM_MAX_LIST elements: a program that doubles a list
 * in a loop stops with an error long before memory runs out. */
void list_append(Interp *I, ObjList *l, Value v) {
  if (UNLIKELY(l->items.count >= CLUSIM_MAX_LIST))
    interp_throw(I, "a list cannot hold more than %d elements", CLUSIM_MAX_LIST);
  valarr_push(I, &l->items, v);
}

ObjRecord *record_new(Interp *I) {
  ObjRecord *r = (ObjRecord *)obj_alloc(I, sizeof(ObjRecord), OBJ_RECORD);
  r->count = r->capacity = 0;
  r->keys = NULL;
  r->values = NULL;
  r->cls = NULL;
  r->tag = 0;
  r->owner = NULL;
  r->path = NULL;
  r->index = NULL;
  r->index_capacity = 0;
  return r;
}

/* Position of key in a large record's hash index (open addressing over
 * field positions + 1; 0 marks an empty slot). */
static int index_find(ObjRecord *r, ObjString *key) {
  uint32_t mask = (uint32_t)r->index_capacity - 1;
  for (uint32_t h = key->hash & mask;; h = (h + 1) & mask) {
    int at = r->index[h];
    if (at == 0) return -1;
    if (r->keys[at - 1] == key) return at - 1;
  }
}

static void index_insert(ObjRecord *r, int pos) {
  uint32_t mask = (uint32_t)r->index_capacity - 1;
  uint32_t h = r->keys[pos]->hash & mask;
  while (r->index[h] != 0) h = (h + 1) & mask;
  r->index[h] = pos + 1;
}

static void index_rebuild(Interp *I, ObjRecord *r) {
  int cap = 32;
  while (cap < r->count * 3) cap *= 2;
  int *index = ALLOCATE(I, int, cap); /* first: if memory runs out, the old index is still whole */
  FREE_ARRAY(I, int, r->index, r->index_capacity);
  r->index = index;
  r->index_capacity = cap;
  memset(r->index, 0, sizeof(int) * (size_t)cap);
  for (int i = 0; i < r->count; i++) index_insert(r, i);
}

int record_find(ObjRecord *r, ObjString *key) {
  if (r->index) return index_find(r, key);
  for (int i = 0; i < r->count; i++)
    if (r->keys[i] == key) return i;
  return -1;
}

bool record_get(ObjRecord *r, ObjString *key, Value *out) {
  int i = record_find(r, key);
  if (i < 0) return false;
  *out = r->values[i];
  return true;
}

void record_set(Interp *I, ObjRecord *r, ObjString *key, Value v) {
  int i = record_find(r, key);
  if (i >= 0) {
    r->values[i] = v;
    return;
  }
  if (r->count == r->capacity) {
    int cap = GROW_CAPACITY(r->capacity);
    r->keys = GROW_ARRAY(I, ObjString *, r->keys, r->capacity, cap);
    r->values = GROW_ARRAY(I, Value, r->values, r->capacity, cap);
    r->capacity = cap;
  }
  r->keys[r->count] = key;
  r->values[r->count] = v;
  r->count++;
  /* records beyond a dozen fields (results of big worlds, CSV rows) get a
   * hash index so that lookups stay O(1) */
  if (r->count > RECORD_INDEX_MIN || r->index) { /* an index, once made, stays (record_remove) */
    if (!r->index || r->count * 2 > r->index_capacity) index_rebuild(I, r);
    else index_insert(r, r->count - 1);
  }
}

bool record_remove(Interp *I, ObjRecord *r, ObjString *key) {
  int i = record_find(r, key);
  if (i < 0) return false;
  memmove(&r->keys[i], &r->keys[i + 1], sizeof(ObjString *) * (size_t)(r->count - i - 1));
  memmove(&r->values[i], &r->values[i + 1], sizeof(Value) * (size_t)(r->count - i - 1));
  r->count--;
  if (r->index) index_rebuild(I, r); /* positions moved: index them again */
  return true;
}

ObjRange *range_new(Interp *I, int64_t lo, int64_t hi) {
  ObjRange *r = (ObjRange *)obj_alloc(I, sizeof(ObjRange), OBJ_RANGE);
  r->lo = lo;
  r->hi = hi;
  return r;
}

ObjFunction *function_new(Interp *I, Source *src) {
  ObjFunction *f = (ObjFunction *)obj_alloc(I, sizeof(ObjFunction), OBJ_FUNCTION);
  f->arity = 0;
  f->upvalue_count = 0;
  f->max_slots = 0;
  f->is_script = false;
  f->declared_as = NULL;
  f->name = NULL;
  chunk_init(&f->chunk, src);
  return f;
}

ObjClosure *closure_new(Interp *I, ObjFunction *f) {
  size_t size = sizeof(ObjClosure) + sizeof(ObjUpvalue *) * (size_t)f->upvalue_count;
  ObjClosure *c = (ObjClosure *)obj_alloc(I, size, OBJ_CLOSURE);
  c->function = f;
  c->upvalue_count = f->upvalue_count;
  for (int i = 0; i < f->upvalue_count; i++) c->upvalues[i] = NULL;
  return c;
}

ObjUpvalue *upvalue_new(Interp *I, Value *slot) {
  ObjUpvalue *u = (ObjUpvalue *)obj_alloc(I, sizeof(ObjUpvalue), OBJ_UPVALUE);
  u->location = slot;
  u->closed = NIL_VAL;
  u->next_open = NULL;
  return u;
}

void record_write(Interp *I, ObjRecord *r, ObjString *key, Value v) {
  if (!r->cls || !r->cls->on_write) {
    record_set(I, r, key, v);
    return;
  }
  int i = record_find(r, key); /* once: the old value, and where the new one goes */
  Value old = NIL_VAL;
  if (i >= 0) {
    old = r->values[i];
    r->values[i] = v;
  } else {
    record_set(I, r, key, v);
  }
  r->cls->on_write(I, r, key, old, v);
}

ObjForeign *foreign_new(Interp *I, const ForeignClass *cls) {
  ObjForeign *f = (ObjForeign *)obj_alloc(I, cls->size, OBJ_FOREIGN);
  memset((char *)f + sizeof(Obj), 0, cls->size - sizeof(Obj));
  f->cls = cls;
  return f;
}

ObjNative *native_new(Interp *I, const char *name, NativeFn fn, int min_args, int max_args,
                      const char *help) {
  ObjString *s = str_new(I, name); /* first: an out-of-memory error must not find n half made */
  ObjNative *n = (ObjNative *)obj_alloc(I, sizeof(ObjNative), OBJ_NATIVE);
  n->fn = fn;
  n->min_args = min_args;
  n->max_args = max_args;
  n->name = s;
  n->help = help;
  return n;
}
