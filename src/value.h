/* value.h - the tagged Value that every Clusim datum travels in.
 *
 * A Value is 16 bytes: a type tag, a unit id and an 8-byte payload.  Small
 * exact integers (anything that fits in int64_t), short exact decimals and
 * inexact numbers (doubles) live inline, so arithmetic on them never
 * allocates.  Everything else - big integers, other rationals, strings,
 * lists, records, functions - is a pointer to a heap object (object.h).
 *
 * Exact decimals (the compact form of Java's BigDecimal): the rational
 * m / 10^s is held inline as the int64 mantissa m in the payload and the
 * scale s (1..DEC_MAX_SCALE) in the type code itself, VAL_DEC + s - 1, so
 * money such as 12.34 EUR (1234, scale 2) costs no allocation.  It is a
 * representation of an exact rational, not a type of its own: users see a
 * "number" that prints, compares, hashes and computes exactly as the same
 * rational held by GMP would (num.c does the arithmetic on mantissas and
 * falls back to GMP on overflow or on a quotient that does not terminate).
 *
 * `unit` is an interned unit id (unit.h); 0 means "no unit".  It is only
 * meaningful for numbers and is always 0 for every other type, so that
 * unit-less arithmetic pays a single compare.
 *
 * Canonical forms (relied on by equality and hashing):
 *   - an exact integer that fits in int64 is always VAL_INT, never a bignum;
 *   - a rational with denominator 1 is an integer;
 *   - rationals are reduced with a positive denominator;
 *   - an exact non-integer n/d whose reduced denominator divides 10^18 is
 *     always the inline decimal m / 10^s with the smallest such scale s
 *     (so m is not a multiple of 10), provided |m| <= INT64_MAX; otherwise
 *     it is a heap rational (OBJ_RATIONAL).  So 0.5, 0.01 and 1/8 are
 *     decimals, 1/3 and 2^-20 are heap rationals, and equal numbers always
 *     have the same form: every path that builds a rational, GMP's results
 *     included, goes through num.c's canonicalising constructors.
 */
#ifndef CLUSIM_VALUE_H
#define CLUSIM_VALUE_H

#include "common.h"

#define DEC_MAX_SCALE 18 /* 10^18 is the largest power of ten in int64 */

typedef enum {
  VAL_NIL,
  VAL_BOOL,
  VAL_INT,   /* exact integer, inline */
  VAL_FLOAT, /* inexact number (IEEE double), inline */
  VAL_OBJ,   /* heap object: see ObjType */
  VAL_UNDEF, /* a global slot that has not been defined yet (never user-visible) */
  VAL_DEC,   /* exact decimal of scale 1, inline; the codes up to VAL_DEC_LAST: */
  VAL_DEC_LAST = VAL_DEC + DEC_MAX_SCALE - 1, /* ... scales 2..DEC_MAX_SCALE (see above) */
} ValueType;

typedef struct Obj Obj;

/* `tag` overlays type and unit, so the VM's fast paths test both with one
 * 64-bit compare (TAG_INT: an exact integer without a unit). */
typedef struct Value {
  union {
    struct {
      uint32_t type;
      uint32_t unit;
    };
    uint64_t tag;
  };
  union {
    bool b;
    int64_t i;
    double d;
    Obj *o;
  } as;
} Value;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define MAKE_TAG(type, unit) (((uint64_t)(type) << 32) | (uint32_t)(unit))
#else
#define MAKE_TAG(type, unit) (((uint64_t)(unit) << 32) | (uint32_t)(type))
#endif
#define TAG_INT MAKE_TAG(VAL_INT, 0)

#define NIL_VAL ((Value){.type = VAL_NIL, .unit = 0, .as.i = 0})
#define UNDEF_VAL ((Value){.type = VAL_UNDEF, .unit = 0, .as.i = 0})
#define BOOL_VAL(x) ((Value){.type = VAL_BOOL, .unit = 0, .as.b = (x)})
#define INT_VAL(x) ((Value){.type = VAL_INT, .unit = 0, .as.i = (x)})
#define FLOAT_VAL(x) ((Value){.type = VAL_FLOAT, .unit = 0, .as.d = (x)})
#define OBJ_VAL(x) ((Value){.type = VAL_OBJ, .unit = 0, .as.o = (Obj *)(x)})
/* mantissa m, scale s in 1..DEC_MAX_SCALE: only num.c builds these, canonical */
#define DEC_VAL(m, s) ((Value){.type = VAL_DEC + (s) - 1, .unit = 0, .as.i = (m)})

#define IS_NIL(v) ((v).type == VAL_NIL)
#define IS_BOOL(v) ((v).type == VAL_BOOL)
#define IS_INT(v) ((v).type == VAL_INT)
#define IS_FLOAT(v) ((v).type == VAL_FLOAT)
#define IS_OBJ(v) ((v).type == VAL_OBJ)
#define IS_UNDEF(v) ((v).type == VAL_UNDEF)
#define IS_DEC(v) ((uint32_t)((v).type - VAL_DEC) < DEC_MAX_SCALE)
#define DEC_SCALE(v) ((int)((v).type - VAL_DEC) + 1)
#define IS_FALSY(v) ((v).type == VAL_NIL || ((v).type == VAL_BOOL && !(v).as.b))

/* A dynamic array of Values (constants, list storage, stacks). */
typedef struct {
  int count, capacity;
  Value *items;
} ValueArray;

struct Buffer;

void valarr_init(ValueArray *a);
void valarr_push(Interp *I, ValueArray *a, Value v);
void valarr_free(Interp *I, ValueArray *a);

/* Deep equality: numbers exactly (units must match), lists and records
 * element by element, everything else by identity. */
bool value_equal(Value a, Value b);
uint32_t value_hash(Value v);
/* The name of a value's type as users see it: "number", "string", ... */
const char *value_type_name(Value v);
/* Append the printed form: `print` style (strings raw) or `repr` style
 * (strings quoted, as the prompt echoes them).  A list or record inside
 * itself prints as [...] or {...}.  Returns false when the text was cut
 * short, ending in "...": longer than CLUSIM_MAX_TEXT bytes, or Ctrl-C
 * (I->interrupted is then set); the caller should raise an error rather
 * than use it (vm_print_failed).  Printing never raises. */
bool value_print(Interp *I, struct Buffer *b, Value v, bool repr);
/* A record's fields as `{a: 1, b: "x"}` (for record classes that print a
 * header of their own first); depth as in nested printing. */
struct ObjRecord;
void value_print_fields(Interp *I, struct Buffer *b, struct ObjRecord *r, int depth);

#endif
