/* num.h - the numeric tower: exact integers (int64 fast path, GMP mpz
 * beyond), exact rationals (GMP mpq) and inexact numbers (double).
 *
 * These functions work on the numeric part of a Value only; they ignore
 * and clear `unit` (unit arithmetic is the caller's business, see unit.h).
 * Results are always in canonical form (see value.h): exact decimals that
 * fit stay inline (VAL_DEC), computed on their int64 mantissas, and go
 * through GMP only when a mantissa would overflow or a quotient does not
 * terminate.  Errors - exact division by zero, results beyond the digit
 * guard, a non-numeric operand - are raised with interp_throw and never
 * return.
 *
 * Mixing: if either operand is inexact the result is inexact; otherwise it
 * is exact.  Comparisons between exact and inexact numbers are exact
 * (mathematical), as in Python; NaN is unordered.
 */
#ifndef CLUSIM_NUM_H
#define CLUSIM_NUM_H

#include <gmp.h>

#include "buffer.h"
#include "object.h"
#include "common.h"
#include "value.h"

/* ---- inline decimals --------------------------------------------------
 *
 * An exact decimal m / 10^s lives in the Value itself (value.h): the
 * mantissa in the payload, the scale 1..DEC_MAX_SCALE in the type code.
 * The arithmetic below works on an int64 or a decimal alike, an int64
 * being a decimal of scale 0, with the compiler's overflow builtins; when
 * a mantissa would overflow, or a quotient does not terminate, it answers
 * false and the caller takes the GMP road, whose results come back to
 * this form through the canonicalising constructors (dec_from_nd).  These
 * fast paths skip the digit guard, as the int64 ones do: their results
 * have at most 19 digits.  They live here, inline, so that the VM's fast
 * paths (vm.c) call them directly; they ignore units, as num_add does. */

/* 10^0 .. 10^DEC_MAX_SCALE */
extern const int64_t num_pow10[DEC_MAX_SCALE + 1];

/* An int64 (scale 0) or an inline decimal as mantissa and scale. */
static inline bool num_dec_get(Value v, int64_t *m, int *s) {
  if (v.type == VAL_INT) {
    *m = v.as.i;
    *s = 0;
    return true;
  }
  if (IS_DEC(v)) {
    *m = v.as.i;
    *s = DEC_SCALE(v);
    return true;
  }
  return false;
}

/* The canonical Value of m / 10^s (0 <= s <= 2 * DEC_MAX_SCALE): trailing
 * zeros stripped, an int64 at scale 0.  False when it has no inline form
 * (a scale still above DEC_MAX_SCALE, or the mantissa INT64_MIN, which
 * the canonical form leaves out so that negation never overflows). */
static inline bool num_dec_make(int64_t m, int s, Value *out) {
  while (s > 0 && m % 10 == 0) {
    m /= 10;
    s--;
  }
  if (s == 0) {
    *out = INT_VAL(m);
    return true;
  }
  if (s > DEC_MAX_SCALE || m == INT64_MIN) return false;
  *out = DEC_VAL(m, s);
  return true;
}

/* Bring two mantissas to the larger of their scales, which is stored in *s. */
static inline bool num_dec_align(int64_t *x, int sx, int64_t *y, int sy, int *s) {
  *s = sx > sy ? sx : sy;
  if (sx < *s && __builtin_mul_overflow(*x, num_pow10[*s - sx], x)) return false;
  if (sy < *s && __builtin_mul_overflow(*y, num_pow10[*s - sy], y)) return false;
  return true;
}

/* a + b or a - b (sub) of int64s or decimals, when the result is inline */
static inline bool num_dec_add(Value a, Value b, bool sub, Value *out) {
  int64_t x, y, r;
  int sx, sy, s;
  if (!num_dec_get(a, &x, &sx) || !num_dec_get(b, &y, &sy) || !num_dec_align(&x, sx, &y, sy, &s)) return false;
  if (sub ? __builtin_sub_overflow(x, y, &r) : __builtin_add_overflow(x, y, &r)) return false;
  return num_dec_make(r, s, out);
}

/* a * b of int64s or decimals, when the result is inline */
static inline bool num_dec_mul(Value a, Value b, Value *out) {
  int64_t x, y, r;
  int sx, sy;
  if (!num_dec_get(a, &x, &sx) || !num_dec_get(b, &y, &sy) || __builtin_mul_overflow(x, y, &r)) return false;
  return num_dec_make(r, sx + sy, out);
}

/* int, float, decimal, bigint or rational (inline: the VM's slow paths ask often) */
static inline bool num_is(Value v) {
  return v.type == VAL_INT || v.type == VAL_FLOAT || IS_DEC(v) ||
         (v.type == VAL_OBJ && (v.as.o->type == OBJ_BIGINT || v.as.o->type == OBJ_RATIONAL));
}
bool num_is_exact(Value v); /* int, decimal, bigint or rational */
bool num_is_integer(Value v); /* exact integer, or a double with integral value */

Value num_add(Interp *I, Value a, Value b);
Value num_sub(Interp *I, Value a, Value b);
Value num_mul(Interp *I, Value a, Value b);
Value num_div(Interp *I, Value a, Value b);
/* Floored modulo: the result has the sign of b (as Python and Lua). */
Value num_mod(Interp *I, Value a, Value b);
/* a ^ b: exact when a is exact and b an exact integer (negative b gives the
 * reciprocal); inexact otherwise. Guarded against huge results. */
Value num_pow(Interp *I, Value a, Value b);
Value num_neg(Interp *I, Value a);
Value num_abs(Interp *I, Value a);

/* Three-way compare: -1, 0, 1; returns 2 when unordered (a NaN). */
int num_cmp(Interp *I, Value a, Value b);
bool num_eq(Value a, Value b); /* exact mathematical equality; NaN != NaN */
uint32_t num_hash(Value v);    /* equal numbers hash equal (exact vs inexact too) */

/* round(x, digits) half to even; floor/ceil/trunc to `digits` decimals.
 * Always exact, also for inexact x (whose exact binary value is used).
 * Raises an error for inf/nan. digits may be negative (round to tens...). */
typedef enum { ROUND_HALF_EVEN, ROUND_FLOOR, ROUND_CEIL, ROUND_TRUNC } RoundMode;
Value num_round(Interp *I, Value x, int64_t digits, RoundMode mode);

Value num_exact(Interp *I, Value x);   /* double -> exact rational it denotes */
Value num_inexact(Interp *I, Value x); /* -> nearest double */
double num_to_double(Value x);
/* Exact integer that fits in int64: store it and return true. */
bool num_to_int64(Value x, int64_t *out);

/* Parse a Clusim number literal: digits with optional `_` separators, an
 * optional fraction and exponent, and an optional attached suffix k, M, bn
 * or %.  The result is exact.  Returns false on malformed text. */
bool num_parse_literal(Interp *I, const char *text, Value *out);
/* Parse a number as written by a user in data (num("2.5"), CSV cells):
 * same syntax as literals, plus a leading sign; "inf"/"nan" are refused. */
bool num_parse(Interp *I, const char *text, Value *out);

/* Append the printed form: terminating exact decimals as decimals
 * ("2.5", "2500000"), other rationals as n/d ("1/3"), doubles as the
 * shortest string that round-trips, always marked inexact ("2.0", "0.1",
 * "1e+300", "inf", "-inf", "nan"). */
void num_format(Interp *I, Buffer *b, Value x);

/* Canonicalising constructors used by other modules. */
Value num_from_mpz(Interp *I, const mpz_t z);
Value num_from_mpq(Interp *I, const mpq_t q); /* q must be canonical (mpq_canonicalize) */
/* Load any exact Value into an initialised mpq. */
void num_get_mpq(Value x, mpq_t out);

/* Route GMP's allocations through Clusim (once per process). */
void num_setup_gmp(void);

#endif
