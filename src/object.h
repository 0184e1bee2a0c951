/* object.h - heap objects: strings, big numbers, lists, records, functions.
 *
 * Every heap object starts with an Obj header that links it into the
 * interpreter's list of all objects (for the mark-and-sweep collector in
 * memory.c).  A Value of type VAL_OBJ points at one of these.
 */
#ifndef CLUSIM_OBJECT_H
#define CLUSIM_OBJECT_H

#include <gmp.h>
#include <stdarg.h>

#include "chunk.h"
#include "common.h"
#include "value.h"

typedef enum {
  OBJ_STRING,
  OBJ_BIGINT,   /* exact integer outside int64: mpz_t */
  OBJ_RATIONAL, /* exact non-integer rational: mpq_t, reduced, den > 1 */
  OBJ_LIST,
  OBJ_RECORD,
  OBJ_RANGE,
  OBJ_FUNCTION, /* compiled code; only ever seen wrapped in a closure */
  OBJ_CLOSURE,
  OBJ_UPVALUE,
  OBJ_NATIVE,
  OBJ_FOREIGN,  /* an object of a host module, known to the core by its class */
} ObjType;

struct Obj {
  ObjType type;
  bool marked;
  struct Obj *next;
};

/* Strings are immutable.  Names, field keys, constants and every string of
 * up to STR_SHORT bytes are interned: two equal ones are the same object,
 * so record-field lookup compares pointers.  Longer strings built at run
 * time are not interned; equality compares their hash, length and bytes. */
#define STR_SHORT 40
typedef struct ObjString {
  Obj obj;
  uint32_t hash;
  int length;
  char chars[]; /* NUL-terminated */
} ObjString;

typedef struct {
  Obj obj;
  mpz_t z;
} ObjBigInt;

/* A rational's parts live either in GMP's own limb arrays (rational_new,
 * rational_take: inline_limbs 0) or, for one made by rational_copy, in
 * the object itself, after it: both parts, inline_limbs limbs in all, one
 * allocation instead of three.  Either way the object is never a GMP
 * destination once made (numbers are immutable), so GMP never reallocates
 * or frees the inline limbs; rational_clear frees the others. */
typedef struct {
  Obj obj;
  mpq_t q;
  size_t inline_limbs;
  mp_limb_t limbs[];
} ObjRational;

typedef struct {
  Obj obj;
  ValueArray items; /* 0-based inside; the language indexes from 1 */
} ObjList;

/* A record keeps its fields in insertion order (that is how it prints).
 * Field names are interned strings, so lookup is a linear scan comparing
 * pointers; records beyond RECORD_INDEX_MIN fields also get a hash index
 * of field positions.
 *
 * A record may belong to a host module (the world's entities and the
 * records nested in them are records of the world).  Such a record has a
 * class, `cls`, that says how it prints, how it compares and what a write
 * to one of its fields does (the VM calls `on_write` after each write, so
 * the host can log it); `tag`, `owner` and `path` are the host's to use -
 * the core only keeps `owner` and `path` alive.  A plain record has no
 * class and a tag of 0. */
struct ObjRecord;
typedef struct RecordClass {
  const char *type_name; /* as value_type_name reports it */
  bool by_identity;      /* equal only to itself (not field by field) */
  /* print it; NULL prints it as a plain record.  `nested` is true when it
   * is printed inside another value */
  void (*print)(Interp *I, struct Buffer *b, struct ObjRecord *r, bool nested);
  /* after a write to field `key` (by the VM or by record_write) */
  void (*on_write)(Interp *I, struct ObjRecord *r, ObjString *key, Value before, Value after);
} RecordClass;

typedef struct ObjRecord {
  Obj obj;
  int count, capacity;
  ObjString **keys;
  Value *values;
  int *index;               /* hash index of field positions, for large records (or NULL) */
  int index_capacity;
  const RecordClass *cls;   /* NULL for a plain record */
  uint8_t tag;              /* the host's: what kind of record this is (0: plain) */
  struct ObjRecord *owner;  /* the host's: the record this one belongs to, or NULL */
  ObjString *path;          /* the host's: this record's field path in `owner` */
} ObjRecord;

#define RECORD_INDEX_MIN 12

/* An inclusive integer range lo..hi (empty when hi < lo).  Its length,
 * hi - lo + 1, does not always fit in int64 (-5..INT64_MAX has more than
 * INT64_MAX elements), so positions are counted in uint64_t: element i
 * (from 0) is lo + i, for i from 0 to range_last(r) = hi - lo, both
 * computed modulo 2^64 where they are exact.  vm_range_length gives the
 * length as an exact number. */
typedef struct {
  Obj obj;
  int64_t lo, hi;
} ObjRange;

static inline bool range_empty(const ObjRange *r) { return r->hi < r->lo; }
/* hi - lo (the last position) of a range that is not empty. */
static inline uint64_t range_last(const ObjRange *r) { return (uint64_t)r->hi - (uint64_t)r->lo; }
/* The element at position i (0 <= i <= range_last). */
static inline int64_t range_at(const ObjRange *r, uint64_t i) { return (int64_t)((uint64_t)r->lo + i); }

typedef struct ObjFunction {
  Obj obj;
  int arity;
  int upvalue_count;
  int max_slots; /* stack slots the body needs beyond its frame base */
  bool is_script; /* the top level of a file or prompt line (not a fn) */
  /* the declaration it was compiled from when not a `fn` ("rule",
   * "scenario"): call chains say "in rule NAME", "run from" */
  const char *declared_as;
  Chunk chunk;
  ObjString *name; /* NULL for a script's top level */
} ObjFunction;

typedef struct ObjUpvalue {
  Obj obj;
  Value *location; /* points into the stack while open, at `closed` after */
  Value closed;
  struct ObjUpvalue *next_open;
} ObjUpvalue;

typedef struct {
  Obj obj;
  ObjFunction *function;
  int upvalue_count;
  ObjUpvalue *upvalues[];
} ObjClosure;

/* A built-in function.  It receives its arguments in args[0..argc-1] (on
 * the VM stack, so they stay alive) and returns the result; errors are
 * raised with interp_throw. */
typedef Value (*NativeFn)(Interp *I, int argc, Value *args);

typedef struct {
  Obj obj;
  NativeFn fn;
  int min_args, max_args; /* max_args < 0: variadic */
  ObjString *name;
  const char *help; /* one line, shown by :help NAME */
} ObjNative;

/* A foreign object: a heap object of a host module, like a Lua userdata
 * with its metatable.  The world's scenarios and series are foreign
 * objects; the core (collector, printer, field and index access) reaches
 * them only through their class.  A host type embeds ObjForeign as its
 * first member and allocates with foreign_new. */
typedef struct ForeignClass {
  const char *type_name; /* as value_type_name reports it */
  size_t size;           /* bytes of the whole object */
  void (*mark)(Interp *I, Obj *o);  /* mark the objects it refers to */
  void (*free)(Interp *I, Obj *o);  /* free what it owns beyond `size` (or NULL) */
  void (*print)(Interp *I, struct Buffer *b, Obj *o);
  /* o.name and o[idx]: true with *out set when found; false when the type
   * has no such thing (the VM then reports it); or raise an error of their
   * own with interp_throw.  Either may be NULL. */
  bool (*get_field)(Interp *I, Obj *o, ObjString *name, Value *out);
  bool (*get_index)(Interp *I, Obj *o, Value idx, Value *out);
  /* Arithmetic where a or b is of this class: a op b for op one of
   * OP_ADD..OP_POW (opcodes.h), or -a for OP_NEG (b is nil).  Raises its
   * own errors.  NULL: the type has no arithmetic (the VM reports it). */
  Value (*arith)(Interp *I, int op, Value a, Value b);
  /* The elements as a fresh list, for the built-ins that take a list (sum,
   * min, max, mean, map, sort, len...).  NULL: it has none. */
  ObjList *(*elements)(Interp *I, Obj *o);
  /* A new object of the same class holding fn(x, ud) for each element x,
   * for the built-ins that apply to each number (round, floor, abs...).
   * NULL: it has none. */
  Value (*map)(Interp *I, Obj *o, Value (*fn)(Interp *I, Value x, void *ud), void *ud);
} ForeignClass;

typedef struct ObjForeign {
  Obj obj;
  const ForeignClass *cls;
} ObjForeign;

#define OBJ_TYPE(v) ((v).as.o->type)
#define IS_OBJ_TYPE(v, t) (IS_OBJ(v) && OBJ_TYPE(v) == (t))
#define IS_STRING(v) IS_OBJ_TYPE(v, OBJ_STRING)
#define IS_BIGINT(v) IS_OBJ_TYPE(v, OBJ_BIGINT)
#define IS_RATIONAL(v) IS_OBJ_TYPE(v, OBJ_RATIONAL)
#define IS_LIST(v) IS_OBJ_TYPE(v, OBJ_LIST)
#define IS_RECORD(v) IS_OBJ_TYPE(v, OBJ_RECORD)
#define IS_RANGE(v) IS_OBJ_TYPE(v, OBJ_RANGE)
#define IS_CLOSURE(v) IS_OBJ_TYPE(v, OBJ_CLOSURE)
#define IS_NATIVE(v) IS_OBJ_TYPE(v, OBJ_NATIVE)
#define IS_FOREIGN(v) IS_OBJ_TYPE(v, OBJ_FOREIGN)
#define IS_FOREIGN_OF(v, c) (IS_FOREIGN(v) && AS_FOREIGN(v)->cls == (c))

#define AS_STRING(v) ((ObjString *)(v).as.o)
#define AS_CSTRING(v) (((ObjString *)(v).as.o)->chars)
#define AS_BIGINT(v) ((ObjBigInt *)(v).as.o)
#define AS_RATIONAL(v) ((ObjRational *)(v).as.o)
#define AS_LIST(v) ((ObjList *)(v).as.o)
#define AS_RECORD(v) ((ObjRecord *)(v).as.o)
#define AS_RANGE(v) ((ObjRange *)(v).as.o)
#define AS_FUNCTION(v) ((ObjFunction *)(v).as.o)
#define AS_CLOSURE(v) ((ObjClosure *)(v).as.o)
#define AS_NATIVE(v) ((ObjNative *)(v).as.o)
#define AS_FOREIGN(v) ((ObjForeign *)(v).as.o)

struct Buffer;

/* Constructors.  All allocate through memory.c and may therefore only be
 * called where a collection cannot run (collections run only at VM safe
 * points, never inside these). */
ObjString *str_copy(Interp *I, const char *chars, int length); /* interned */
ObjString *str_make(Interp *I, const char *chars, int length); /* runtime text */
ObjString *str_concat(Interp *I, int n, ObjString **parts);
ObjString *str_new(Interp *I, const char *cstr);
ObjString *str_printf(Interp *I, const char *fmt, ...) PRINTF_LIKE(2, 3); /* interned */
ObjString *str_vprintf(Interp *I, const char *fmt, va_list ap);
/* Runtime text from malloc'd chars or a Buffer's contents, which are
 * freed (the Buffer left empty) in every case, even on an error. */
ObjString *str_take(Interp *I, char *chars, size_t length);
ObjString *str_take_buffer(Interp *I, struct Buffer *b);
ObjBigInt *bigint_new(Interp *I);     /* mpz initialised to 0 */
ObjRational *rational_new(Interp *I); /* mpq initialised to 0 */
/* A big integer taking z's value, a rational taking n/d (canonical): the
 * arguments are cleared in every case, even on an error. */
ObjBigInt *bigint_take(Interp *I, mpz_ptr z);
ObjRational *rational_take(Interp *I, mpz_ptr n, mpz_ptr d);
/* A rational holding a copy of n/d (canonical) in its own block. */
ObjRational *rational_copy(Interp *I, mpz_srcptr n, mpz_srcptr d);
void rational_clear(ObjRational *r); /* frees limbs GMP allocated, if any */
ObjList *list_new(Interp *I);
void list_append(Interp *I, ObjList *l, Value v);
ObjRecord *record_new(Interp *I);
/* Lookup returns false when the field is absent. */
bool record_get(ObjRecord *r, ObjString *key, Value *out);
int record_find(ObjRecord *r, ObjString *key); /* position of the field, or -1 */
void record_set(Interp *I, ObjRecord *r, ObjString *key, Value v);
/* record_set, then tell the record's class (as a write by the VM does). */
void record_write(Interp *I, ObjRecord *r, ObjString *key, Value v);
/* Remove field `key`, keeping the order of the others; false if absent. */
bool record_remove(Interp *I, ObjRecord *r, ObjString *key);
ObjRange *range_new(Interp *I, int64_t lo, int64_t hi);
ObjFunction *function_new(Interp *I, Source *src);
ObjClosure *closure_new(Interp *I, ObjFunction *f);
ObjUpvalue *upvalue_new(Interp *I, Value *slot);
ObjForeign *foreign_new(Interp *I, const ForeignClass *cls); /* cls->size bytes, zeroed */
ObjNative *native_new(Interp *I, const char *name, NativeFn fn, int min_args,
                      int max_args, const char *help);

uint32_t hash_bytes(const char *s, size_t n);
uint32_t hash_string(const char *s, int n);

#endif
