/* num.c - the numeric tower: int64 fast paths, GMP integers and rationals, doubles. */
#include <gmp.h> /* before num.h, which uses mpz_t/mpq_t without including it */

#include "num.h"
#include "memory.h"

#include <ctype.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "interp.h"
#include "object.h"
#include "state.h"

/* The int64 <-> mpz conversions below use GMP's `long` functions
 * (mpz_set_si, mpz_get_si, mpz_fits_slong_p, mpq_cmp_si). */
_Static_assert(sizeof(long) == sizeof(int64_t), "clusim needs a 64-bit long");

#define NOINLINE __attribute__((noinline))
#define LOG2_10 3.321928094887362347870319429489390175864831393
#define TWO63 9223372036854775808.0 /* 2^63: int64 values lie in [-TWO63, TWO63) */

/* ------------------------------------------------------------------ */
/* Classification                                                     */
/* ------------------------------------------------------------------ */


bool num_is_exact(Value v) { return v.type == VAL_INT || IS_DEC(v) || IS_BIGINT(v) || IS_RATIONAL(v); }

bool num_is_integer(Value v) {
  if (v.type == VAL_INT || IS_BIGINT(v)) return true;
  if (v.type == VAL_FLOAT) return isfinite(v.as.d) && v.as.d == floor(v.as.d);
  return false;
}

static bool is_exact_int(Value v) { return v.type == VAL_INT || IS_BIGINT(v); }

_Noreturn static void not_a_number(Interp *I, Value v) {
  interp_throw(I, "expected a number, got %s", value_type_name(v));
}

/* Inline: every operation checks both operands, and the VM's slow path
 * calls here for each unit-carrying or decimal operation. */
static inline void check_num(Interp *I, Value v) {
  if (UNLIKELY(!num_is(v))) not_a_number(I, v);
}

static Value strip_unit(Value v) {
  v.unit = 0;
  return v;
}

/* ------------------------------------------------------------------ */
/* Inline decimals                                                    */
/* ------------------------------------------------------------------ */

/* An exact decimal m / 10^s lives in the Value itself (value.h): the
 * mantissa in the payload, the scale 1..DEC_MAX_SCALE in the type code.
 * The arithmetic below works on an int64 or a decimal alike, an int64
 * being a decimal of scale 0, with the compiler's overflow builtins; when
 * a mantissa would overflow, or a quotient does not terminate, it answers
 * false and the caller takes the GMP road, whose results come back to
 * this form through the canonicalising constructors (dec_from_nd).  These
 * fast paths skip the digit guard, as the int64 ones do: their results
 * have at most 19 digits. */

static const int64_t POW10[DEC_MAX_SCALE + 1] = {
    1,           10,           100,           1000,           10000,           100000,
    1000000,     10000000,     100000000,     1000000000,     10000000000,     100000000000,
    1000000000000, 10000000000000, 100000000000000, 1000000000000000, 10000000000000000,
    100000000000000000, 1000000000000000000};

/* An int64 (scale 0) or an inline decimal as mantissa and scale. */
static inline bool dec_get(Value v, int64_t *m, int *s) {
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
static inline bool dec_make(int64_t m, int s, Value *out) {
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
static inline bool dec_align(int64_t *x, int sx, int64_t *y, int sy, int *s) {
  *s = sx > sy ? sx : sy;
  if (sx < *s && __builtin_mul_overflow(*x, POW10[*s - sx], x)) return false;
  if (sy < *s && __builtin_mul_overflow(*y, POW10[*s - sy], y)) return false;
  return true;
}

static inline bool dec_add(Value a, Value b, bool sub, Value *out) {
  int64_t x, y, r;
  int sx, sy, s;
  if (!dec_get(a, &x, &sx) || !dec_get(b, &y, &sy) || !dec_align(&x, sx, &y, sy, &s)) return false;
  if (sub ? __builtin_sub_overflow(x, y, &r) : __builtin_add_overflow(x, y, &r)) return false;
  return dec_make(r, s, out);
}

static inline bool dec_mul(Value a, Value b, Value *out) {
  int64_t x, y, r;
  int sx, sy;
  if (!dec_get(a, &x, &sx) || !dec_get(b, &y, &sy) || __builtin_mul_overflow(x, y, &r)) return false;
  return dec_make(r, sx + sy, out);
}

/* Floored modulo of aligned mantissas (false for b = 0: an error). */
static inline bool dec_mod(Value a, Value b, Value *out) {
  int64_t x, y;
  int sx, sy, s;
  if (!dec_get(a, &x, &sx) || !dec_get(b, &y, &sy) || y == 0 || !dec_align(&x, sx, &y, sy, &s))
    return false;
  int64_t r = y == -1 ? 0 : x % y; /* INT64_MIN % -1 traps in C */
  if (r != 0 && ((r < 0) != (y < 0))) r += y;
  return dec_make(r, s, out);
}

static uint64_t gcd_u64(uint64_t u, uint64_t v);

/* x/10^sx divided by y/10^sy (y not 0) is (x/y) * 10^(sy-sx).  With x/y
 * reduced to n/d, it terminates only when d = 2^a * 5^b; then it is
 * n * 2^(k-a) * 5^(k-b) / 10^(k + sx - sy) with k = max(a, b). */
static bool dec_div(Value a, Value b, Value *out) {
  int64_t x, y;
  int sx, sy;
  if (!dec_get(a, &x, &sx) || !dec_get(b, &y, &sy)) return false;
  bool neg = (x < 0) != (y < 0);
  uint64_t n = x < 0 ? -(uint64_t)x : (uint64_t)x, d = y < 0 ? -(uint64_t)y : (uint64_t)y;
  uint64_t g = gcd_u64(n, d);
  n /= g;
  d /= g;
  int twos = __builtin_ctzll(d), fives = 0;
  d >>= twos;
  while (d % 5 == 0) {
    d /= 5;
    fives++;
  }
  if (d != 1) return false; /* does not terminate */
  int k = twos > fives ? twos : fives, s = k + sx - sy;
  if (s > DEC_MAX_SCALE) return false;
  /* the factor making the denominator 10^k: 5^(twos-fives) <= 5^27 or 2^(fives-twos) */
  uint64_t f = 1;
  for (int i = fives; i < twos; i++)
    if (__builtin_mul_overflow(f, 5, &f)) return false;
  if (fives > twos) {
    if (fives - twos > 62) return false;
    f = UINT64_C(1) << (fives - twos);
  }
  if (__builtin_mul_overflow(n, f, &n)) return false;
  if (s < 0) { /* an integer: 10^-s <= 10^DEC_MAX_SCALE */
    if (__builtin_mul_overflow(n, (uint64_t)POW10[-s], &n)) return false;
    s = 0;
  }
  if (n > (uint64_t)INT64_MAX) return false;
  return dec_make(neg ? -(int64_t)n : (int64_t)n, s, out);
}

/* Three-way compare of two int64s or decimals: exact in 128 bits. */
static int dec_cmp(int64_t x, int sx, int64_t y, int sy) {
  __int128 X = (__int128)x * POW10[sx > sy ? 0 : sy - sx];
  __int128 Y = (__int128)y * POW10[sy > sx ? 0 : sx - sy];
  return (X > Y) - (X < Y);
}

/* A decimal m / 10^s reduced to lowest terms: |m| / 2^i 5^j over
 * 10^s / 2^i 5^j (both below 2^64); returns the sign of m. */
static int dec_reduce(Value v, uint64_t *num, uint64_t *den) {
  int64_t m = v.as.i;
  int s = DEC_SCALE(v);
  uint64_t n = m < 0 ? -(uint64_t)m : (uint64_t)m, d = (uint64_t)POW10[s];
  int twos = __builtin_ctzll(n);
  if (twos > s) twos = s;
  n >>= twos;
  d >>= twos;
  for (int fives = 0; fives < s && n % 5 == 0; fives++) {
    n /= 5;
    d /= 5;
  }
  *num = n;
  *den = d;
  return m < 0 ? -1 : 1;
}

/* The canonical inline form of the reduced fraction +-n/d (d > 1), if it
 * has one: d must divide 10^DEC_MAX_SCALE, the smallest scale s with
 * d | 10^s is used (so the mantissa has no trailing zero: n is prime to
 * d), and the mantissa must fit in int64 (INT64_MIN left out). */
static bool dec_from_nd(bool neg, uint64_t n, uint64_t d, Value *out) {
  if (d < 2 || d > (uint64_t)POW10[DEC_MAX_SCALE] || (uint64_t)POW10[DEC_MAX_SCALE] % d != 0) return false;
  int twos = __builtin_ctzll(d), fives = 0;
  for (uint64_t t = d >> twos; t > 1; t /= 5) fives++;
  int s = twos > fives ? twos : fives;
  uint64_t m;
  if (__builtin_mul_overflow(n, (uint64_t)POW10[s] / d, &m) || m > (uint64_t)INT64_MAX) return false;
  *out = DEC_VAL(neg ? -(int64_t)m : (int64_t)m, s);
  return true;
}

/* m / 10^s as the nearest double.  Both are exact doubles when |m| < 2^53
 * (10^s is exact up to 10^22), and IEEE division rounds correctly. */
static double ratio_to_double(mpz_srcptr n, mpz_srcptr d);
static void z_roinit_u(mpz_ptr z, mp_limb_t *limb, uint64_t mag, int sign);

static double dec_to_double(Value v) {
  int64_t m = v.as.i;
  int s = DEC_SCALE(v);
  if (m > -(INT64_C(1) << 53) && m < (INT64_C(1) << 53)) return (double)m / (double)POW10[s];
  mpz_t n, d;
  mp_limb_t nl, dl;
  z_roinit_u(n, &nl, m < 0 ? -(uint64_t)m : (uint64_t)m, m < 0 ? -1 : 1);
  z_roinit_u(d, &dl, (uint64_t)POW10[s], 1);
  return ratio_to_double(n, d);
}

/* The printed form: the digits of |m| with a point s places from the right. */
static void dec_format(Buffer *b, Value v) {
  int64_t m = v.as.i;
  size_t s = (size_t)DEC_SCALE(v);
  char digs[24];
  int len = snprintf(digs, sizeof digs, "%llu", (unsigned long long)(m < 0 ? -(uint64_t)m : (uint64_t)m));
  if (m < 0) buf_putc(b, '-');
  if ((size_t)len <= s) {
    buf_puts(b, "0.");
    for (size_t i = (size_t)len; i < s; i++) buf_putc(b, '0');
    buf_puts(b, digs);
  } else {
    buf_put(b, digs, (size_t)len - s);
    buf_putc(b, '.');
    buf_puts(b, digs + (size_t)len - s);
  }
}

/* ------------------------------------------------------------------ */
/* Moving values in and out of GMP                                    */
/* ------------------------------------------------------------------ */

/* Turn the integer in z into a canonical Value and clear z.  The result
 * object, if one is needed, takes over z's limbs (bigint_take, which
 * clears z even when memory runs out: no temporary leaks on that error). */
static Value take_z(Interp *I, mpz_ptr z) {
  if (mpz_fits_slong_p(z)) {
    Value v = INT_VAL((int64_t)mpz_get_si(z));
    mpz_clear(z);
    return v;
  }
  ObjBigInt *o = bigint_take(I, z);
  mem_account_limbs(I, &o->obj);
  return OBJ_VAL(o);
}

/* A canonical rational n/d (d > 0, gcd 1) as a Value, clearing n and d:
 * an integer or an inline decimal when that is what it is, else a new
 * rational object that takes over the limbs (rational_take: cleared even
 * on an error). */
static Value take_nd(Interp *I, mpz_ptr n, mpz_ptr d) {
  if (mpz_cmp_ui(d, 1) == 0) {
    mpz_clear(d);
    return take_z(I, n);
  }
  Value v;
  if (mpz_size(n) == 1 && mpz_size(d) == 1 &&
      dec_from_nd(mpz_sgn(n) < 0, mpz_getlimbn(n, 0), mpz_getlimbn(d, 0), &v)) {
    mpz_clear(n);
    mpz_clear(d);
    return v;
  }
  ObjRational *o = rational_take(I, n, d);
  mem_account_limbs(I, &o->obj);
  return OBJ_VAL(o);
}

/* The same for a canonical rational q, which is cleared. */
static Value take_q(Interp *I, mpq_ptr q) {
  mpz_t n, d;
  mpz_init(n);
  mpz_init(d);
  mpz_swap(n, mpq_numref(q));
  mpz_swap(d, mpq_denref(q));
  mpq_clear(q);
  return take_nd(I, n, d);
}

Value num_from_mpz(Interp *I, const mpz_t z) {
  if (mpz_fits_slong_p(z)) return INT_VAL((int64_t)mpz_get_si(z));
  ObjBigInt *o = bigint_new(I);
  mpz_set(o->z, z);
  mem_account_limbs(I, &o->obj);
  return OBJ_VAL(o);
}

Value num_from_mpq(Interp *I, const mpq_t q) {
  if (mpz_cmp_ui(mpq_denref(q), 1) == 0) return num_from_mpz(I, mpq_numref(q));
  Value v;
  if (mpz_size(mpq_numref(q)) == 1 && mpz_size(mpq_denref(q)) == 1 &&
      dec_from_nd(mpq_sgn(q) < 0, mpz_getlimbn(mpq_numref(q), 0), mpz_getlimbn(mpq_denref(q), 0), &v))
    return v;
  ObjRational *o = rational_new(I);
  mpq_set(o->q, q);
  mem_account_limbs(I, &o->obj);
  return OBJ_VAL(o);
}

/* Finite doubles load as the exact value they denote; inf and nan (which
 * have none) load as 0 - callers check for them first. */
void num_get_mpq(Value x, mpq_t out) {
  switch (x.type) {
  case VAL_INT: mpq_set_si(out, (long)x.as.i, 1); return;
  case VAL_FLOAT:
    if (isfinite(x.as.d)) mpq_set_d(out, x.as.d);
    else mpq_set_ui(out, 0, 1);
    return;
  default:
    if (IS_DEC(x)) {
      uint64_t n, d;
      int sign = dec_reduce(x, &n, &d);
      mpz_set_ui(mpq_numref(out), n);
      if (sign < 0) mpz_neg(mpq_numref(out), mpq_numref(out));
      mpz_set_ui(mpq_denref(out), d);
    } else if (IS_BIGINT(x)) {
      mpq_set_z(out, AS_BIGINT(x)->z);
    } else if (IS_RATIONAL(x)) {
      mpq_set(out, AS_RATIONAL(x)->q);
    } else {
      mpq_set_ui(out, 0, 1);
    }
  }
}

/* Read-only views of exact numbers as GMP values, without copying limbs.
 * A bigint or rational lends its own mpz/mpq; an int64 is described by a
 * stack mpz over one limb (as MPZ_ROINIT_N does: alloc 0, never written),
 * and the denominator of an integer is a shared limb 1; a decimal by two
 * stack limbs holding its reduced numerator and denominator.  GMP never writes
 * through an mpz_srcptr/mpq_srcptr, so nothing is allocated or cleared. */
_Static_assert(GMP_NUMB_BITS == 64 && GMP_NAIL_BITS == 0 && sizeof(mp_limb_t) == sizeof(unsigned long),
               "clusim needs 64-bit GMP limbs without nails");

static mp_limb_t limb_one = 1; /* never written: only read through views */

/* |value| = mag, sign -1, 0 or 1 (0 only with mag 0) */
static void z_roinit_u(mpz_ptr z, mp_limb_t *limb, uint64_t mag, int sign) {
  *limb = mag;
  z->_mp_alloc = 0;
  z->_mp_size = mag ? sign : 0;
  z->_mp_d = limb;
}

static void z_roinit(mpz_ptr z, mp_limb_t *limb, int64_t i) {
  z_roinit_u(z, limb, i < 0 ? -(uint64_t)i : (uint64_t)i, i < 0 ? -1 : 1);
}

typedef struct {
  __mpq_struct q;
  mp_limb_t limb, den_limb;
} QTmp;

/* An exact integer (int64 or bigint) as an mpz; `t` provides the storage. */
static mpz_srcptr zview(Value v, QTmp *t) {
  if (IS_BIGINT(v)) return AS_BIGINT(v)->z;
  z_roinit(&t->q._mp_num, &t->limb, v.as.i);
  return &t->q._mp_num;
}

/* Any exact number as an mpq. */
static mpq_srcptr qview(Value v, QTmp *t) {
  if (IS_RATIONAL(v)) return AS_RATIONAL(v)->q;
  if (IS_DEC(v)) {
    uint64_t n, d;
    int sign = dec_reduce(v, &n, &d);
    z_roinit_u(&t->q._mp_num, &t->limb, n, sign);
    z_roinit_u(&t->q._mp_den, &t->den_limb, d, 1);
    return &t->q;
  }
  if (IS_BIGINT(v)) t->q._mp_num = *AS_BIGINT(v)->z; /* a shallow, read-only copy */
  else z_roinit(&t->q._mp_num, &t->limb, v.as.i);
  t->q._mp_den._mp_alloc = 0;
  t->q._mp_den._mp_size = 1;
  t->q._mp_den._mp_d = &limb_one;
  return &t->q;
}

/* An output mpq that has allocated nothing yet (mpq_init allocates a limb
 * for each part; mpz_init does not): GMP sizes it on the first store. */
static void q_init_lazy(mpq_ptr q) {
  mpz_init(mpq_numref(q));
  mpz_init(mpq_denref(q));
}

/* ------------------------------------------------------------------ */
/* The digit guard                                                    */
/* ------------------------------------------------------------------ */

static int64_t max_digits(Interp *I) {
  return I->max_digits > 0 ? I->max_digits : CLUSIM_DEFAULT_MAX_DIGITS;
}

/* The largest exact result we build, in bits.  Capped far below what GMP
 * can represent at all (about 2^37 bits), so GMP never aborts. */
static double limit_bits(Interp *I) {
  double bits = (double)max_digits(I) * LOG2_10;
  return bits > 1e11 ? 1e11 : bits;
}

_Noreturn static void digits_error(Interp *I, const char *op) {
  interp_throw(I, "exact result of '%s' would have more than %lld digits; use inexact() or round()",
               op, (long long)max_digits(I));
}

/* Raise the digit-guard error when an estimated result size is too big. */
static void guard(Interp *I, double bits, const char *op) {
  if (bits > limit_bits(I)) digits_error(I, op);
}

/* mpz_sizeinbase(z, 2) without the library call: bits of |z|, 1 for 0. */
static double zbits(mpz_srcptr z) {
  size_t n = mpz_size(z);
  if (n == 0) return 1;
  return (double)(n * GMP_NUMB_BITS - (size_t)__builtin_clzl(z->_mp_d[n - 1]));
}

static double u64bits(uint64_t m) { return m ? 64 - __builtin_clzll(m) : 1; }

/* Size in bits of |numerator| and of the denominator of an exact number
 * in lowest terms. */
static double num_bits(Value v) {
  uint64_t n, d;
  if (v.type == VAL_INT) return u64bits(v.as.i < 0 ? -(uint64_t)v.as.i : (uint64_t)v.as.i);
  if (IS_DEC(v)) return dec_reduce(v, &n, &d), u64bits(n);
  if (IS_BIGINT(v)) return zbits(AS_BIGINT(v)->z);
  return zbits(mpq_numref(AS_RATIONAL(v)->q));
}

static double den_bits(Value v) {
  uint64_t n, d;
  if (IS_DEC(v)) return dec_reduce(v, &n, &d), u64bits(d);
  return IS_RATIONAL(v) ? zbits(mpq_denref(AS_RATIONAL(v)->q)) : 1;
}

static double max2(double a, double b) { return a > b ? a : b; }

/* ------------------------------------------------------------------ */
/* Conversion to double                                               */
/* ------------------------------------------------------------------ */

/* n/d (d > 0, or NULL for 1) rounded correctly to the nearest double.
 * GMP's mpz_get_d and mpq_get_d truncate, which would make inexact(1/10)
 * differ from the literal 0.1.  We take a quotient of 56-57 bits plus a
 * sticky bit for the remainder, then round it by hand to the precision of
 * the target binade (53 bits, fewer among the subnormals), so there is
 * exactly one rounding. */
static double ratio_to_double(mpz_srcptr n, mpz_srcptr d) {
  int sign = mpz_sgn(n);
  if (sign == 0) return 0.0;
  /* Fast path: numerator and denominator exact as doubles (below 2^53);
   * IEEE division of exact operands is correctly rounded. Money such as
   * 1234567/100 EUR takes this path. */
  if (mpz_sizeinbase(n, 2) <= 53 && (!d || mpz_sizeinbase(d, 2) <= 53))
    return (double)mpz_get_si(n) / (d ? (double)mpz_get_si(d) : 1.0);
  long nb = (long)mpz_sizeinbase(n, 2);
  long db = d ? (long)mpz_sizeinbase(d, 2) : 1;
  long e = nb - db; /* 2^(e-1) < |n|/d < 2^(e+1) */
  if (e > 1025) return sign * HUGE_VAL;
  if (e < -1078) return sign * 0.0;
  long k = 56 - e; /* floor(|n|/d * 2^k) lies in [2^55, 2^57) */
  mpz_t N, D, Q, R;
  mpz_inits(N, D, Q, R, NULL);
  mpz_abs(N, n);
  if (d) mpz_set(D, d);
  else mpz_set_ui(D, 1);
  if (k >= 0) mpz_mul_2exp(N, N, (mp_bitcnt_t)k);
  else mpz_mul_2exp(D, D, (mp_bitcnt_t)-k);
  mpz_tdiv_qr(Q, R, N, D);
  uint64_t q = mpz_get_ui(Q);
  bool sticky = mpz_sgn(R) != 0;
  mpz_clears(N, D, Q, R, NULL);

  long top = (63 - __builtin_clzll(q)) - k; /* floor(log2(|n|/d)) */
  long lsb = top - 52;                      /* weight of the last mantissa bit */
  if (lsb < -1074) lsb = -1074;
  long s = lsb + k; /* low bits of q that do not fit: at least 3 */
  uint64_t m = 0;
  if (s < 64) {
    m = q >> s;
    uint64_t rem = q & ((UINT64_C(1) << s) - 1), half = UINT64_C(1) << (s - 1);
    if (rem > half || (rem == half && (sticky || (m & 1)))) m++;
  }
  double r = ldexp((double)m, (int)lsb);
  return sign < 0 ? -r : r;
}

double num_to_double(Value x) {
  switch (x.type) {
  case VAL_INT: return (double)x.as.i;
  case VAL_FLOAT: return x.as.d;
  default:
    if (IS_DEC(x)) return dec_to_double(x);
    if (IS_BIGINT(x)) return ratio_to_double(AS_BIGINT(x)->z, NULL);
    if (IS_RATIONAL(x))
      return ratio_to_double(mpq_numref(AS_RATIONAL(x)->q), mpq_denref(AS_RATIONAL(x)->q));
    return NAN;
  }
}

bool num_to_int64(Value x, int64_t *out) {
  if (x.type != VAL_INT) return false;
  *out = x.as.i;
  return true;
}

Value num_inexact(Interp *I, Value x) {
  check_num(I, x);
  return FLOAT_VAL(num_to_double(x));
}

/* A double that holds an integer in int64 range (the cast is then exact). */
static bool double_fits_int64(double d) { return d >= -TWO63 && d < TWO63 && d == floor(d); }

Value num_exact(Interp *I, Value x) {
  check_num(I, x);
  if (x.type != VAL_FLOAT) return strip_unit(x);
  double d = x.as.d;
  if (isnan(d)) interp_throw(I, "cannot make nan exact");
  if (isinf(d)) interp_throw(I, "cannot make %s exact", d > 0 ? "inf" : "-inf");
  if (double_fits_int64(d)) return INT_VAL((int64_t)d);
  mpq_t q;
  mpq_init(q);
  mpq_set_d(q, d);
  mpq_canonicalize(q);
  return take_q(I, q);
}

/* ------------------------------------------------------------------ */
/* Arithmetic                                                         */
/* ------------------------------------------------------------------ */

/* Binary gcd of two words, branch-free inside the loop. */
static uint64_t gcd_u64(uint64_t u, uint64_t v) {
  if (u == 0) return v;
  if (v == 0) return u;
  int shift = __builtin_ctzll(u | v);
  u >>= __builtin_ctzll(u);
  do {
    v >>= __builtin_ctzll(v); /* u and v odd */
    uint64_t lo = u < v ? u : v, diff = u < v ? v - u : u - v;
    u = lo;
    v = diff;
  } while (v);
  return u << shift;
}

/* Hensel (2-adic) division by a one-limb d = m * 2^sh, m odd.  A pass
 * from the low limb up with q_i = (l_i - c) * m^-1 mod B and carry
 * c = high(q_i * m) + borrow yields q with q*m = L + c*B^k for the k limbs
 * L seen so far.  So m divides L exactly when the final carry is 0, and
 * then q = L/m; and since B is a unit mod m, gcd(L, m) = gcd(c, m) in any
 * case.  Unlike mpn_mod_1 and mpn_divexact_1 this gives quotient and
 * divisibility in one pass, and two such chains can share a loop. */
typedef struct {
  mp_limb_t m, inv;
  int sh;
} Hensel;

static void hensel_init(Hensel *h, mp_limb_t d) {
  h->sh = __builtin_ctzl(d);
  h->m = d >> h->sh;
  mp_limb_t inv = (3 * h->m) ^ 2; /* m * inv == 1 mod 2^5; Newton doubles the bits */
  for (int i = 0; i < 4; i++) inv *= 2 - h->m * inv;
  h->inv = inv;
}

static inline mp_limb_t hensel_step(const Hensel *h, mp_limb_t l, mp_limb_t *c) {
  mp_limb_t x = l - *c, q = x * h->inv;
  *c = (mp_limb_t)(((unsigned __int128)q * h->m) >> 64) + (x > l);
  return q;
}

/* Limb i of b >> sh (b has n limbs). */
static inline mp_limb_t shifted_limb(const mp_limb_t *bp, size_t n, size_t i, int sh) {
  if (!sh) return bp[i];
  return (bp[i] >> sh) | (i + 1 < n ? bp[i + 1] << (GMP_NUMB_BITS - sh) : 0);
}

/* If d (> 0) divides b (> 0), set q = b/d and return true; otherwise
 * return false (q is then garbage).  q must not be b. */
static bool divexact_try(mpz_ptr q, mpz_srcptr b, mp_limb_t d) {
  size_t n = mpz_size(b);
  const mp_limb_t *bp = mpz_limbs_read(b);
  Hensel h;
  hensel_init(&h, d);
  if (n == 0 || (bp[0] & ((UINT64_C(1) << h.sh) - 1))) return false;
  mp_limb_t *qp = mpz_limbs_write(q, (mp_size_t)n), c = 0;
  for (size_t i = 0; i < n; i++) qp[i] = hensel_step(&h, shifted_limb(bp, n, i, h.sh), &c);
  if (c != 0) return false;
  mpz_limbs_finish(q, (mp_size_t)n);
  return true;
}

/* If d (> 1) divides b (> 0), set n = |a| + b/d, *g2 = gcd(n, d) and
 * return true; otherwise return false (n is then garbage).  One pass:
 * the quotient limbs of b/d go straight into the sum, and a second Hensel
 * chain over the sum's limbs finds its odd common factor with d (the
 * power of 2 comes from its low bits).  n must not be a or b. */
static bool add_quotient(mpz_ptr n, mpz_srcptr a, mpz_srcptr b, mp_limb_t d, mp_limb_t *g2) {
  size_t na = mpz_size(a), nb = mpz_size(b), len = na > nb ? na : nb;
  const mp_limb_t *ap = mpz_limbs_read(a), *bp = mpz_limbs_read(b);
  Hensel h;
  hensel_init(&h, d);
  if (nb == 0 || (bp[0] & ((UINT64_C(1) << h.sh) - 1))) return false;
  mp_limb_t *np = mpz_limbs_write(n, (mp_size_t)len + 1);
  mp_limb_t cb = 0, cn = 0, cy = 0; /* carries: b's chain, n's chain, the sum */
  for (size_t i = 0; i < len; i++) {
    mp_limb_t q = i < nb ? hensel_step(&h, shifted_limb(bp, nb, i, h.sh), &cb) : 0;
    mp_limb_t ai = i < na ? ap[i] : 0;
    mp_limb_t t = ai + q, c1 = t < ai;
    t += cy;
    cy = c1 + (t < cy);
    np[i] = t;
    (void)hensel_step(&h, t, &cn);
  }
  if (cb != 0) return false;
  np[len] = cy;
  (void)hensel_step(&h, cy, &cn);
  mpz_limbs_finish(n, (mp_size_t)len + 1);
  int tz = np[0] ? __builtin_ctzl(np[0]) : GMP_NUMB_BITS; /* n > 0: b/d >= 1 */
  *g2 = ((mp_limb_t)1 << (tz < h.sh ? tz : h.sh)) * gcd_u64(cn, h.m);
  return true;
}


/* A "small" exact number: numerator and denominator of at most one limb
 * each (all int64s, and the 1/k, 3/7 of everyday arithmetic). */
static bool small_exact(Value v, int *sign, unsigned long *num, unsigned long *den) {
  if (v.type == VAL_INT) {
    *sign = (v.as.i > 0) - (v.as.i < 0);
    *num = v.as.i < 0 ? -(uint64_t)v.as.i : (uint64_t)v.as.i;
    *den = 1;
    return true;
  }
  if (IS_DEC(v)) {
    *sign = dec_reduce(v, num, den);
    return true;
  }
  if (IS_RATIONAL(v)) {
    mpq_srcptr q = AS_RATIONAL(v)->q;
    if (mpz_size(mpq_numref(q)) != 1 || mpz_size(mpq_denref(q)) != 1) return false;
    *sign = mpz_sgn(mpq_numref(q));
    *num = mpz_getlimbn(mpq_numref(q), 0);
    *den = mpz_getlimbn(mpq_denref(q), 0);
    return true;
  }
  return false;
}

/* x + s*c/d (s = +1 or -1; c, d one limb each, d > 0, c/d in lowest terms),
 * negated when `neg`; x is any exact number a/b.  With g = gcd(b, d),
 * b = g*b', d = g*d':  a/b + c/d = (a*d' + c*b') / (b'*g*d'), and the only
 * common factors of t = a*d' + c*b' and the denominator are those of
 * gcd(t, g) (t is prime to b' and to d').  So the result is
 * (t/g2) / (b' * (d/g2)) with g2 = gcd(t, g): a few linear passes over
 * the big operand and word-sized gcds, instead of mpq_add's general
 * products, gcds and temporaries.  The outputs are allocated once at
 * their final size. */
static Value add_small(Interp *I, Value x, int s, unsigned long c, unsigned long d, bool neg) {
  QTmp tx;
  mpq_srcptr qx = qview(x, &tx);
  mpz_srcptr a = mpq_numref(qx), b = mpq_denref(qx);
  size_t na = mpz_size(a), nb = mpz_size(b);
  mpz_t n, r;
  mpz_init2(n, (mp_bitcnt_t)((na > nb ? na : nb) + 2) * GMP_NUMB_BITS);
  mpz_init2(r, (mp_bitcnt_t)(nb + 1) * GMP_NUMB_BITS);
  /* The usual case of adding 1/k to a sum of 1/i: c = 1 and d | b, so the
   * result is (|a| + b/d) / b, reduced by gcd(|a| + b/d, d) - one pass. */
  bool d_divides_b = true;
  if (d != 1 && c == 1 && mpz_sgn(a) == s) {
    unsigned long g2;
    if (add_quotient(n, a, b, d, &g2)) {
      if (s < 0) mpz_neg(n, n);
      if (g2 > 1) {
        mpz_divexact_ui(n, n, g2);
        mpz_divexact_ui(r, b, g2);
      } else {
        mpz_set(r, b);
      }
      if (neg) mpz_neg(n, n);
      return take_nd(I, n, r);
    }
    d_divides_b = false;
  }
  /* g = gcd(b, d), and r = b' = b/g when g > 1: one pass when d | b,
   * otherwise b mod d gives g. */
  unsigned long g = 1;
  if (d != 1) {
    if (d_divides_b && divexact_try(r, b, d)) {
      g = d;
    } else if ((g = gcd_u64(mpz_tdiv_ui(b, d), d)) > 1) {
      mpz_divexact_ui(r, b, g);
    }
  }
  if (g == 1) {
    mpz_mul_ui(n, a, d);
    if (s < 0) mpz_submul_ui(n, b, c);
    else mpz_addmul_ui(n, b, c);
    mpz_mul_ui(r, b, d);
  } else {
    if (d == g && c == 1) { /* a/b + 1/d with d | b: one pass */
      if (s < 0) mpz_sub(n, a, r);
      else mpz_add(n, a, r);
    } else {
      if (d == g) mpz_set(n, a);
      else mpz_mul_ui(n, a, d / g);
      if (s < 0) mpz_submul_ui(n, r, c);
      else mpz_addmul_ui(n, r, c);
    }
    unsigned long g2 = 1;
    if (mpz_sgn(n) != 0) {
      unsigned long t = mpz_tdiv_ui(n, g); /* |n| mod g */
      g2 = t == 0 ? g : gcd_u64(t, g);
    }
    if (g2 > 1) mpz_divexact_ui(n, n, g2);
    if (g2 == 1 && d == g) mpz_set(r, b); /* b' * d = b */
    else mpz_mul_ui(r, r, d / g2);
  }
  if (mpz_sgn(n) == 0) {
    mpz_clear(n);
    mpz_clear(r);
    return INT_VAL(0);
  }
  if (neg) mpz_neg(n, n);
  return take_nd(I, n, r);
}

/* Shared by + and -, when the operands are not two int64s or decimals
 * whose result fits (dec_add); `sub` picks the operation.  Out of line,
 * as the other slow paths below: the inline paths then need no frame. */
NOINLINE static Value add_sub(Interp *I, Value a, Value b, bool sub) {
  check_num(I, a);
  check_num(I, b);
  if (a.type == VAL_FLOAT || b.type == VAL_FLOAT) {
    double x = num_to_double(a), y = num_to_double(b);
    return FLOAT_VAL(sub ? x - y : x + y);
  }
  const char *op = sub ? "-" : "+";
  QTmp ta, tb;
  if (is_exact_int(a) && is_exact_int(b)) {
    guard(I, max2(num_bits(a), num_bits(b)) + 1, op);
    mpz_t r;
    mpz_init(r);
    mpz_srcptr x = zview(a, &ta), y = zview(b, &tb);
    if (sub) mpz_sub(r, x, y);
    else mpz_add(r, x, y);
    return take_z(I, r);
  }
  guard(I,
        max2(max2(num_bits(a) + den_bits(b), num_bits(b) + den_bits(a)) + 1,
             den_bits(a) + den_bits(b)),
        op);
  int s;
  unsigned long c, d;
  if (small_exact(b, &s, &c, &d)) return add_small(I, a, sub ? -s : s, c, d, false);
  if (small_exact(a, &s, &c, &d)) /* a + b = b + a;  a - b = -(b - a) */
    return add_small(I, b, sub ? -s : s, c, d, sub);
  mpq_t r;
  q_init_lazy(r);
  mpq_srcptr x = qview(a, &ta), y = qview(b, &tb);
  if (sub) mpq_sub(r, x, y);
  else mpq_add(r, x, y);
  return take_q(I, r);
}

/* Each operation first tries int64s and decimals inline (dec_add...),
 * which succeed only for numbers, then checks its operands. */
Value num_add(Interp *I, Value a, Value b) {
  Value v;
  if (LIKELY(dec_add(a, b, false, &v))) return v;
  return add_sub(I, a, b, false);
}

Value num_sub(Interp *I, Value a, Value b) {
  Value v;
  if (LIKELY(dec_add(a, b, true, &v))) return v;
  return add_sub(I, a, b, true);
}

NOINLINE static Value mul_slow(Interp *I, Value a, Value b) {
  check_num(I, a);
  check_num(I, b);
  if (a.type == VAL_FLOAT || b.type == VAL_FLOAT)
    return FLOAT_VAL(num_to_double(a) * num_to_double(b));
  guard(I, max2(num_bits(a) + num_bits(b), den_bits(a) + den_bits(b)), "*");
  QTmp ta, tb;
  if (is_exact_int(a) && is_exact_int(b)) {
    mpz_t r;
    mpz_init(r);
    mpz_mul(r, zview(a, &ta), zview(b, &tb));
    return take_z(I, r);
  }
  mpq_t r;
  q_init_lazy(r);
  mpq_mul(r, qview(a, &ta), qview(b, &tb));
  return take_q(I, r);
}

Value num_mul(Interp *I, Value a, Value b) {
  Value v;
  if (LIKELY(dec_mul(a, b, &v))) return v;
  return mul_slow(I, a, b);
}

static bool is_exact_zero(Value v) { return v.type == VAL_INT && v.as.i == 0; }

/* p/q for int64s with q not 0 or -1 and not dividing p: reduced with one
 * word gcd, then an inline decimal when it terminates and fits, else
 * stored straight into a new rational (whose parts already have a limb
 * each, so nothing more is allocated). */
static Value ratio_int64(Interp *I, int64_t p, int64_t q) {
  uint64_t up = p < 0 ? -(uint64_t)p : (uint64_t)p, uq = q < 0 ? -(uint64_t)q : (uint64_t)q;
  uint64_t g = up == 1 ? 1 : gcd_u64(up, uq);
  Value v;
  if (dec_from_nd((p < 0) != (q < 0), up / g, uq / g, &v)) return v;
  ObjRational *o = rational_new(I);
  mpz_set_ui(mpq_numref(o->q), up / g);
  if ((p < 0) != (q < 0)) mpz_neg(mpq_numref(o->q), mpq_numref(o->q));
  mpz_set_ui(mpq_denref(o->q), uq / g);
  mem_account_limbs(I, &o->obj);
  return OBJ_VAL(o);
}

/* Exact division gives an exact rational: 7/2 is 7/2, 6/3 is the integer 2. */
Value num_div(Interp *I, Value a, Value b) {
  check_num(I, a);
  check_num(I, b);
  if (a.type == VAL_FLOAT || b.type == VAL_FLOAT)
    return FLOAT_VAL(num_to_double(a) / num_to_double(b));
  if (is_exact_zero(b)) interp_throw(I, "division by zero");
  Value v;
  if ((IS_DEC(a) || IS_DEC(b)) && dec_div(a, b, &v)) return v;
  bool ints = a.type == VAL_INT && b.type == VAL_INT;
  if (ints) {
    if (b.as.i == -1) return num_neg(I, a); /* INT64_MIN / -1 overflows int64 */
    if (a.as.i % b.as.i == 0) return INT_VAL(a.as.i / b.as.i);
  }
  guard(I, max2(num_bits(a) + den_bits(b), den_bits(a) + num_bits(b)), "/");
  if (ints) return ratio_int64(I, a.as.i, b.as.i);
  QTmp ta, tb;
  mpq_t r;
  q_init_lazy(r);
  mpq_div(r, qview(a, &ta), qview(b, &tb));
  return take_q(I, r);
}

/* Floored modulo: the result has the sign of b.  For exact rationals
 * a = na/da, b = nb/db: a mod b = ((na*db) fmod (nb*da)) / (da*db), since
 * floor(a/b) = floor((na*db) / (nb*da)) - one integer division, no mpq
 * floor.  Doubles use fmod, shifted into b's sign. */
NOINLINE static Value mod_slow(Interp *I, Value a, Value b) {
  check_num(I, a);
  check_num(I, b);
  if (a.type == VAL_FLOAT || b.type == VAL_FLOAT) {
    double x = num_to_double(a), y = num_to_double(b);
    double r = fmod(x, y);
    if (r != 0) {
      if ((r < 0) != (y < 0)) r += y;
    } else {
      r = copysign(0.0, y);
    }
    return FLOAT_VAL(r);
  }
  if (is_exact_zero(b)) interp_throw(I, "division by zero");
  QTmp ta, tb;
  if (is_exact_int(a) && is_exact_int(b)) {
    mpz_t r;
    mpz_init(r);
    mpz_fdiv_r(r, zview(a, &ta), zview(b, &tb));
    return take_z(I, r);
  }
  guard(I, max2(max2(num_bits(a) + den_bits(b), num_bits(b) + den_bits(a)), den_bits(a) + den_bits(b)),
        "mod");
  mpq_t r;
  mpz_t x, y;
  q_init_lazy(r);
  mpz_inits(x, y, NULL);
  mpq_srcptr qa = qview(a, &ta), qb = qview(b, &tb);
  mpz_mul(x, mpq_numref(qa), mpq_denref(qb));
  mpz_mul(y, mpq_numref(qb), mpq_denref(qa));
  mpz_fdiv_r(mpq_numref(r), x, y);
  mpz_mul(mpq_denref(r), mpq_denref(qa), mpq_denref(qb));
  mpq_canonicalize(r);
  mpz_clears(x, y, NULL);
  return take_q(I, r);
}

Value num_mod(Interp *I, Value a, Value b) {
  Value v;
  if (LIKELY(dec_mod(a, b, &v))) return v;
  return mod_slow(I, a, b);
}

Value num_neg(Interp *I, Value a) {
  check_num(I, a);
  switch (a.type) {
  case VAL_INT:
    if (a.as.i != INT64_MIN) return INT_VAL(-a.as.i);
    break;
  case VAL_FLOAT: return FLOAT_VAL(-a.as.d);
  default: break;
  }
  if (IS_DEC(a)) { /* the canonical mantissa is never INT64_MIN */
    a.as.i = -a.as.i;
    return strip_unit(a);
  }
  if (is_exact_int(a)) {
    QTmp t;
    mpz_t r;
    mpz_init(r);
    mpz_neg(r, zview(a, &t));
    return take_z(I, r);
  }
  mpq_t r;
  q_init_lazy(r);
  mpq_neg(r, AS_RATIONAL(a)->q);
  return take_q(I, r);
}

Value num_abs(Interp *I, Value a) {
  check_num(I, a);
  switch (a.type) {
  case VAL_INT: return a.as.i < 0 ? num_neg(I, a) : strip_unit(a);
  case VAL_FLOAT: return FLOAT_VAL(fabs(a.as.d));
  default: break;
  }
  if (IS_DEC(a)) return a.as.i < 0 ? num_neg(I, a) : strip_unit(a);
  if (IS_BIGINT(a)) return mpz_sgn(AS_BIGINT(a)->z) < 0 ? num_neg(I, a) : strip_unit(a);
  return mpq_sgn(AS_RATIONAL(a)->q) < 0 ? num_neg(I, a) : strip_unit(a);
}

/* log2 |z| for z != 0, good to double precision even for huge z. */
static double log2_abs(mpz_srcptr z) {
  long e;
  double d = mpz_get_d_2exp(&e, z);
  return (double)e + log2(fabs(d));
}

/* Exact power with an int64 exponent; the base is exact and not 0, 1, -1.
 * The size of the result is |e| * log2|base| for the numerator and the
 * denominator alike; checking it first keeps mpz_pow_ui from ever being
 * asked for something GMP cannot hold. */
/* base^n (n > 0) in int64 by square-and-multiply; false on overflow. */
static bool pow_int64(int64_t base, uint64_t n, int64_t *out) {
  int64_t r = 1;
  for (;;) {
    if ((n & 1) && __builtin_mul_overflow(r, base, &r)) return false;
    n >>= 1;
    if (!n) break;
    if (__builtin_mul_overflow(base, base, &base)) return false;
  }
  *out = r;
  return true;
}

static Value pow_exact(Interp *I, Value a, int64_t e) {
  uint64_t ue = e < 0 ? -(uint64_t)e : (uint64_t)e;
  int64_t r;
  if (a.type == VAL_INT && e > 0 && pow_int64(a.as.i, ue, &r)) return INT_VAL(r);
  /* A decimal m/10^s: m has no trailing zero, so neither has m^e, and the
   * result is m^e / 10^(s*e) when that scale and m^e fit. */
  Value v;
  if (IS_DEC(a) && e > 0 && ue <= DEC_MAX_SCALE / (unsigned)DEC_SCALE(a) && pow_int64(a.as.i, ue, &r) &&
      dec_make(r, DEC_SCALE(a) * (int)ue, &v))
    return v;
  QTmp t;
  mpq_srcptr q = qview(a, &t);
  double lnum, lden = 0;
  if (a.type == VAL_INT) {
    lnum = log2(fabs((double)a.as.i));
  } else if (IS_BIGINT(a)) {
    lnum = log2_abs(AS_BIGINT(a)->z);
  } else {
    lnum = log2_abs(mpq_numref(q));
    lden = log2_abs(mpq_denref(q));
  }
  /* Every base here has |num| >= 2 or den >= 2, so this also bounds e. */
  guard(I, (double)ue * max2(lnum, lden), "^");
  mpz_t n, d;
  mpz_inits(n, d, NULL);
  mpz_pow_ui(n, mpq_numref(q), (unsigned long)ue);
  mpz_pow_ui(d, mpq_denref(q), (unsigned long)ue);
  if (e < 0) {
    mpz_swap(n, d);
    if (mpz_sgn(d) < 0) {
      mpz_neg(n, n);
      mpz_neg(d, d);
    }
  }
  /* powers of coprime numbers are coprime: already in lowest terms */
  return take_nd(I, n, d);
}

/* a ^ b.  Exact base and exact integer exponent stay exact; everything
 * else goes through pow().  0^negative is a division by zero. */
Value num_pow(Interp *I, Value a, Value b) {
  check_num(I, a);
  check_num(I, b);
  if (!num_is_exact(a) || !is_exact_int(b))
    return FLOAT_VAL(pow(num_to_double(a), num_to_double(b)));
  int sign_e = b.type == VAL_INT ? (b.as.i > 0) - (b.as.i < 0) : mpz_sgn(AS_BIGINT(b)->z);
  if (sign_e == 0) return INT_VAL(1);
  if (a.type == VAL_INT) {
    if (a.as.i == 0) {
      if (sign_e < 0) interp_throw(I, "division by zero");
      return INT_VAL(0);
    }
    if (a.as.i == 1) return INT_VAL(1);
    if (a.as.i == -1) {
      bool odd = b.type == VAL_INT ? (b.as.i & 1) : mpz_odd_p(AS_BIGINT(b)->z);
      return INT_VAL(odd ? -1 : 1);
    }
  }
  if (b.type != VAL_INT) digits_error(I, "^"); /* |base| != 1 to a bigint power */
  return pow_exact(I, a, b.as.i);
}

/* ------------------------------------------------------------------ */
/* Comparison and hashing                                             */
/* ------------------------------------------------------------------ */

static int sgn(int x) { return (x > 0) - (x < 0); }

/* Compare an exact number with a double, exactly. */
static int cmp_exact_double(Value x, double d) {
  if (isnan(d)) return 2;
  if (isinf(d)) return d > 0 ? -1 : 1;
  if (x.type == VAL_INT && x.as.i >= -(INT64_C(1) << 53) && x.as.i <= (INT64_C(1) << 53)) {
    double xd = (double)x.as.i; /* exact */
    return (xd > d) - (xd < d);
  }
  mpq_t t;
  mpq_init(t);
  mpq_set_d(t, d);
  int r;
  QTmp tx;
  if (x.type == VAL_INT) r = -mpq_cmp_si(t, (long)x.as.i, 1);
  else if (IS_BIGINT(x)) r = -mpq_cmp_z(t, AS_BIGINT(x)->z);
  else r = mpq_cmp(qview(x, &tx), t);
  mpq_clear(t);
  return sgn(r);
}

/* Three-way comparison of two numbers; 2 when unordered. */
static int cmp(Value a, Value b) {
  if (a.type == VAL_INT && b.type == VAL_INT) return (a.as.i > b.as.i) - (a.as.i < b.as.i);
  if (a.type == VAL_FLOAT && b.type == VAL_FLOAT) {
    if (isnan(a.as.d) || isnan(b.as.d)) return 2;
    return (a.as.d > b.as.d) - (a.as.d < b.as.d);
  }
  if (b.type == VAL_FLOAT) return cmp_exact_double(a, b.as.d);
  if (a.type == VAL_FLOAT) {
    int r = cmp_exact_double(b, a.as.d);
    return r == 2 ? 2 : -r;
  }
  int64_t x, y;
  int sx, sy;
  if (dec_get(a, &x, &sx) && dec_get(b, &y, &sy)) return dec_cmp(x, sx, y, sy);
  /* both exact, at least one a heap object */
  if (IS_DEC(a) || IS_DEC(b)) {
    QTmp ta, tb;
    return sgn(mpq_cmp(qview(a, &ta), qview(b, &tb)));
  }
  if (IS_RATIONAL(a) || IS_RATIONAL(b)) {
    if (!IS_RATIONAL(b)) {
      if (b.type == VAL_INT) return sgn(mpq_cmp_si(AS_RATIONAL(a)->q, (long)b.as.i, 1));
      return sgn(mpq_cmp_z(AS_RATIONAL(a)->q, AS_BIGINT(b)->z));
    }
    if (!IS_RATIONAL(a)) {
      if (a.type == VAL_INT) return -sgn(mpq_cmp_si(AS_RATIONAL(b)->q, (long)a.as.i, 1));
      return -sgn(mpq_cmp_z(AS_RATIONAL(b)->q, AS_BIGINT(a)->z));
    }
    return sgn(mpq_cmp(AS_RATIONAL(a)->q, AS_RATIONAL(b)->q));
  }
  if (a.type == VAL_INT) return -sgn(mpz_cmp_si(AS_BIGINT(b)->z, (long)a.as.i));
  if (b.type == VAL_INT) return sgn(mpz_cmp_si(AS_BIGINT(a)->z, (long)b.as.i));
  return sgn(mpz_cmp(AS_BIGINT(a)->z, AS_BIGINT(b)->z));
}

int num_cmp(Interp *I, Value a, Value b) {
  int64_t x, y;
  int sx, sy;
  if (dec_get(a, &x, &sx) && dec_get(b, &y, &sy)) return dec_cmp(x, sx, y, sy);
  check_num(I, a);
  check_num(I, b);
  return cmp(a, b);
}

bool num_eq(Value a, Value b) {
  if (!num_is(a) || !num_is(b)) return false;
  return cmp(a, b) == 0;
}

static uint32_t mix64(uint64_t x) {
  x ^= x >> 33;
  x *= UINT64_C(0xff51afd7ed558ccd);
  x ^= x >> 33;
  x *= UINT64_C(0xc4ceb9fe1a85ec53);
  x ^= x >> 33;
  return (uint32_t)x;
}

/* A double with an int64 value hashes like that int64; others by bits. */
static uint32_t hash_double(double d) {
  if (double_fits_int64(d)) return mix64((uint64_t)(int64_t)d);
  if (isnan(d)) return 0x7ff80000u;
  uint64_t bits;
  memcpy(&bits, &d, sizeof bits);
  return mix64(bits ^ UINT64_C(0x9e3779b97f4a7c15));
}

/* Equal numbers hash equal: canonical forms make exact-vs-exact equality
 * structural, and an exact number equal to a double converts to exactly
 * that double (num_to_double rounds correctly), so hashing big integers
 * and rationals through their nearest double is consistent with hashing
 * doubles.  Different big numbers near one double merely collide. */
uint32_t num_hash(Value v) {
  if (v.type == VAL_INT) return mix64((uint64_t)v.as.i);
  return hash_double(num_to_double(v));
}

/* ------------------------------------------------------------------ */
/* Rounding                                                           */
/* ------------------------------------------------------------------ */

/* round(x, digits) where digits exceeds the digit limit: fine only when x
 * already has at most `digits` decimals (its denominator divides
 * 10^digits), which is then the answer; otherwise the result would have
 * `digits` decimals, more than the limit allows. */
static Value round_fine(Interp *I, Value x, int64_t digits) {
  mpq_t q;
  mpz_t t, five;
  mpq_init(q);
  mpz_init(t);
  mpz_init_set_ui(five, 5);
  num_get_mpq(x, q);
  mp_bitcnt_t twos = mpz_scan1(mpq_denref(q), 0);
  mpz_tdiv_q_2exp(t, mpq_denref(q), twos);
  mp_bitcnt_t fives = mpz_remove(t, t, five);
  bool ok = mpz_cmp_ui(t, 1) == 0 && (uint64_t)twos <= (uint64_t)digits &&
            (uint64_t)fives <= (uint64_t)digits;
  mpz_clears(t, five, NULL);
  if (ok) return take_q(I, q);
  mpq_clear(q);
  digits_error(I, "round");
}

/* round(x, digits) where 10^-digits exceeds the digit limit: the answer is
 * 0 when |x| is below half that power (always, for numbers within the
 * limit), or +-10^-digits for floor of a negative and ceil of a positive x,
 * which is too big to build. */
static Value round_coarse(Interp *I, Value x, int64_t digits, RoundMode mode) {
  double ub; /* an upper bound of log2|x| */
  int sign;
  if (x.type == VAL_FLOAT) {
    int ex;
    frexp(x.as.d, &ex);
    ub = ex;
    sign = (x.as.d > 0) - (x.as.d < 0);
  } else {
    ub = num_bits(x) - den_bits(x) + 1;
    sign = x.type == VAL_INT || IS_DEC(x) ? (x.as.i > 0) - (x.as.i < 0)
           : IS_BIGINT(x)                 ? mpz_sgn(AS_BIGINT(x)->z)
                                          : mpq_sgn(AS_RATIONAL(x)->q);
  }
  if (sign == 0) return INT_VAL(0);
  if (ub + 1 >= -(double)digits * LOG2_10) digits_error(I, "round");
  if ((mode == ROUND_FLOOR && sign < 0) || (mode == ROUND_CEIL && sign > 0)) digits_error(I, "round");
  return INT_VAL(0);
}

/* Rounding of an int64 or a decimal m/10^s in int64 arithmetic, when the
 * divisor 10^(s - digits) fits: false otherwise (then GMP does it). */
static bool round_small(Value x, int64_t digits, RoundMode mode, Value *out) {
  int64_t m;
  int s;
  if (!dec_get(x, &m, &s)) return false;
  if (digits >= s) {
    *out = strip_unit(x);
    return true;
  }
  if (s - digits > DEC_MAX_SCALE) return false;
  int64_t p = POW10[s - digits], q = m / p, r = m % p;
  switch (mode) {
  case ROUND_FLOOR: q -= r < 0; break;
  case ROUND_CEIL: q += r > 0; break;
  case ROUND_TRUNC: break;
  case ROUND_HALF_EVEN: {
    uint64_t ur = r < 0 ? -(uint64_t)r : (uint64_t)r, half = (uint64_t)p / 2; /* p is even */
    if (ur > half || (ur == half && (q & 1))) q += m < 0 ? -1 : 1;
    break;
  }
  }
  if (digits >= 0) return dec_make(q, (int)digits, out);
  if (__builtin_mul_overflow(q, POW10[-digits], &q)) return false;
  *out = INT_VAL(q);
  return true;
}

/* Round x to `digits` decimals (negative: to tens, hundreds...).  The
 * result is always exact; a double is rounded from the exact binary value
 * it holds.  We scale to an integer quotient N/D (x * 10^digits), round
 * that by the mode, and scale back. */
Value num_round(Interp *I, Value x, int64_t digits, RoundMode mode) {
  check_num(I, x);
  if (x.type == VAL_FLOAT) {
    double d = x.as.d;
    if (isnan(d)) interp_throw(I, "cannot round nan");
    if (isinf(d)) interp_throw(I, "cannot round %s", d > 0 ? "inf" : "-inf");
    if (digits >= 0 && double_fits_int64(d)) return INT_VAL((int64_t)d);
  } else if (digits >= 0 && is_exact_int(x)) {
    return strip_unit(x);
  }
  int64_t maxd = max_digits(I);
  if (digits > maxd) return round_fine(I, x, digits);
  if (digits < -maxd) return round_coarse(I, x, digits, mode);
  Value v;
  if (round_small(x, digits, mode, &v)) return v;

  unsigned long ad = (unsigned long)(digits < 0 ? -digits : digits);
  mpq_t q;
  mpz_t p, N, D, n, r;
  mpq_init(q);
  mpz_inits(p, N, D, n, r, NULL);
  num_get_mpq(x, q);
  mpz_ui_pow_ui(p, 10, ad);
  if (digits >= 0) {
    mpz_mul(N, mpq_numref(q), p);
    mpz_set(D, mpq_denref(q));
  } else {
    mpz_set(N, mpq_numref(q));
    mpz_mul(D, mpq_denref(q), p);
  }
  switch (mode) {
  case ROUND_FLOOR: mpz_fdiv_q(n, N, D); break;
  case ROUND_CEIL: mpz_cdiv_q(n, N, D); break;
  case ROUND_TRUNC: mpz_tdiv_q(n, N, D); break;
  case ROUND_HALF_EVEN: {
    mpz_fdiv_qr(n, r, N, D); /* 0 <= r < D */
    mpz_mul_2exp(r, r, 1);
    int c = mpz_cmp(r, D);
    if (c > 0 || (c == 0 && mpz_odd_p(n))) mpz_add_ui(n, n, 1);
    break;
  }
  }
  if (digits >= 0) {
    mpz_swap(mpq_numref(q), n);
    mpz_swap(mpq_denref(q), p);
    mpq_canonicalize(q);
    mpz_clears(p, N, D, n, r, NULL);
    v = take_q(I, q);
  } else {
    mpz_mul(N, n, p);
    mpq_clear(q);
    mpz_clears(p, D, n, r, NULL);
    v = take_z(I, N);
  }
  return v;
}

/* ------------------------------------------------------------------ */
/* Parsing                                                            */
/* ------------------------------------------------------------------ */

/* Scratch digit strings for printing, where there is no interpreter (and
 * GMP temporaries are live): running out of memory prints and exits. */
static void *xmalloc(size_t n) { return mem_realloc_raw(NULL, NULL, n ? n : 1); }

/* Skip a run of digits starting at s[*i] (which must be a digit); single
 * '_' separators are allowed between digits only, so "1_000" is fine and
 * "1__0", "1_" stop at the '_' (and so fail to parse). */
static bool scan_digits(const char *s, size_t len, size_t *i, bool underscores) {
  if (*i >= len || !isdigit((unsigned char)s[*i])) return false;
  while (*i < len) {
    if (isdigit((unsigned char)s[*i])) (*i)++;
    else if (underscores && s[*i] == '_' && *i + 1 < len && isdigit((unsigned char)s[*i + 1])) (*i)++;
    else break;
  }
  return true;
}

/* Parse the literal s[0..len) (no sign, no spaces): mantissa digits,
 * optional fraction, optional exponent, optional suffix.  The value is
 * M * 10^E with M the mantissa digits as an integer, built from the
 * decimal digits (never through a double).  The size of the result is
 * known from the digit count and E before anything is allocated, so the
 * digit guard can refuse 1e999999999 cheaply. */
static bool parse_body(Interp *I, const char *s, size_t len, Value *out) {
  size_t i = 0, int_end, frac_start = 0, frac_end = 0;
  if (!scan_digits(s, len, &i, true)) return false;
  int_end = i;
  if (i < len && s[i] == '.') {
    i++;
    frac_start = i;
    if (!scan_digits(s, len, &i, true)) return false;
    frac_end = i;
  }
  int64_t exp = 0;
  bool exp_huge = false;
  if (i < len && (s[i] == 'e' || s[i] == 'E')) {
    i++;
    bool neg = false;
    if (i < len && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
    size_t start = i;
    if (!scan_digits(s, len, &i, false)) return false;
    for (size_t j = start; j < i; j++) {
      if (exp > INT64_C(100000000000000)) exp_huge = true;
      else exp = exp * 10 + (s[j] - '0');
    }
    if (neg) exp = -exp;
  }
  if (i < len) {
    if (s[i] == 'k') exp += 3, i++;
    else if (s[i] == 'M') exp += 6, i++;
    else if (s[i] == '%') exp -= 2, i++;
    else if (len - i >= 2 && s[i] == 'b' && s[i + 1] == 'n') exp += 9, i += 2;
  }
  if (i != len) return false;

  /* Count the significant digits of the mantissa (leading zeros and '_'
   * skipped) and the decimal places, then copy those digits into digs. */
  size_t nd = 0, nfrac = 0;
  for (size_t j = frac_start; j < frac_end; j++) nfrac += s[j] != '_';
  bool leading = true;
  for (int part = 0; part < 2; part++)
    for (size_t j = part ? frac_start : 0, end = part ? frac_end : int_end; j < end; j++) {
      if (s[j] == '_' || (leading && s[j] == '0')) continue;
      leading = false;
      nd++;
    }
  if (nd == 0) {
    *out = INT_VAL(0);
    return true;
  }
  int64_t maxd = max_digits(I);
  int64_t E = exp - (int64_t)nfrac;
  if (exp_huge || (int64_t)nd + E > maxd || -E > maxd)
    interp_throw(I, "number %.*s would have more than %lld digits", (int)(len > 60 ? 60 : len), s,
                 (long long)maxd);

  /* digs is freed below before anything that can raise */
  char small[32];
  char *digs = nd < sizeof small ? small : mem_realloc_raw(I, NULL, nd + 1);
  size_t k = 0;
  leading = true;
  for (int part = 0; part < 2; part++)
    for (size_t j = part ? frac_start : 0, end = part ? frac_end : int_end; j < end; j++) {
      if (s[j] == '_' || (leading && s[j] == '0')) continue;
      leading = false;
      digs[k++] = s[j];
    }
  digs[k] = '\0';

  /* int64 fast path for the common small integers (2.5M, 400k, 1_000_000) */
  if (nd <= 18 && E >= 0 && E <= 18) {
    int64_t m = strtoll(digs, NULL, 10), r = m;
    bool ovf = false;
    for (int64_t j = 0; j < E && !ovf; j++) ovf = __builtin_mul_overflow(r, (int64_t)10, &r);
    if (!ovf) {
      if (digs != small) free(digs);
      *out = INT_VAL(r);
      return true;
    }
  } else if (nd <= 18 && E < 0 && E >= -DEC_MAX_SCALE) { /* 2.0, 1.50k, 0.01 */
    int64_t m = strtoll(digs, NULL, 10); /* at most 18 digits: dec_make cannot fail */
    if (digs != small) free(digs);
    return dec_make(m, (int)-E, out);
  }
  mpq_t q;
  mpz_t p;
  mpq_init(q);
  mpz_init(p);
  mpz_set_str(mpq_numref(q), digs, 10);
  if (digs != small) free(digs);
  mpz_ui_pow_ui(p, 10, (unsigned long)(E < 0 ? -E : E));
  if (E >= 0) mpz_mul(mpq_numref(q), mpq_numref(q), p);
  else mpz_swap(mpq_denref(q), p);
  mpz_clear(p);
  mpq_canonicalize(q);
  *out = take_q(I, q);
  return true;
}

bool num_parse_literal(Interp *I, const char *text, Value *out) {
  return parse_body(I, text, strlen(text), out);
}

/* Like a literal, with an optional sign and surrounding whitespace. */
bool num_parse(Interp *I, const char *text, Value *out) {
  const char *s = text;
  while (isspace((unsigned char)*s)) s++;
  bool neg = false;
  if (*s == '+' || *s == '-') neg = *s++ == '-';
  size_t len = strlen(s);
  while (len > 0 && isspace((unsigned char)s[len - 1])) len--;
  Value v;
  if (!parse_body(I, s, len, &v)) return false;
  *out = neg ? num_neg(I, v) : v;
  return true;
}

/* ------------------------------------------------------------------ */
/* Printing                                                           */
/* ------------------------------------------------------------------ */

static void put_mpz(Buffer *b, mpz_srcptr z) {
  size_t n = mpz_sizeinbase(z, 10) + 2;
  char small[64];
  char *s = n <= sizeof small ? small : xmalloc(n);
  mpz_get_str(s, 10, z);
  buf_puts(b, s);
  if (s != small) free(s);
}

/* An exact rational: a terminating decimal when the denominator is
 * 2^a * 5^b (then x * 10^max(a,b) is an integer and has no trailing zero
 * to strip), otherwise n/d. */
static void format_rational(Buffer *b, mpq_srcptr q) {
  mpz_t t, five, m;
  mpz_inits(t, m, NULL);
  mpz_init_set_ui(five, 5);
  mp_bitcnt_t twos = mpz_scan1(mpq_denref(q), 0);
  mpz_tdiv_q_2exp(t, mpq_denref(q), twos);
  mp_bitcnt_t fives = mpz_remove(t, t, five);
  if (mpz_cmp_ui(t, 1) != 0) {
    put_mpz(b, mpq_numref(q));
    buf_putc(b, '/');
    put_mpz(b, mpq_denref(q));
  } else {
    mp_bitcnt_t places = twos > fives ? twos : fives;
    mpz_abs(m, mpq_numref(q));
    mpz_mul_2exp(m, m, places - twos);
    mpz_ui_pow_ui(t, 5, places - fives);
    mpz_mul(m, m, t);
    size_t n = mpz_sizeinbase(m, 10) + 2;
    char *s = xmalloc(n);
    mpz_get_str(s, 10, m);
    size_t len = strlen(s);
    if (mpq_sgn(q) < 0) buf_putc(b, '-');
    if (len <= places) {
      buf_puts(b, "0.");
      for (size_t i = len; i < places; i++) buf_putc(b, '0');
      buf_puts(b, s);
    } else {
      buf_put(b, s, len - places);
      buf_putc(b, '.');
      buf_puts(b, s + len - places);
    }
    free(s);
  }
  mpz_clears(t, five, m, NULL);
}

/* A double as the shortest digit string that reads back as the same
 * double (trying 1 to 17 significant digits), laid out as Python's repr:
 * positional for exponents -4..15 (always with a '.', so "2.0" shows it is
 * inexact), scientific otherwise ("1e+300", "1.5e-07"). */
static void format_double(Buffer *b, double d) {
  if (isnan(d)) {
    buf_puts(b, "nan");
    return;
  }
  if (isinf(d)) {
    buf_puts(b, d > 0 ? "inf" : "-inf");
    return;
  }
  char tmp[48];
  for (int prec = 1; prec <= 17; prec++) {
    snprintf(tmp, sizeof tmp, "%.*e", prec - 1, d);
    if (strtod(tmp, NULL) == d) break;
  }
  /* tmp is [-]D[.DDD]e(+|-)XX: split into sign, digits and exponent */
  const char *p = tmp;
  bool neg = *p == '-';
  if (neg) p++;
  char digs[24];
  int nd = 0;
  for (; *p && *p != 'e'; p++)
    if (isdigit((unsigned char)*p)) digs[nd++] = *p;
  while (nd > 1 && digs[nd - 1] == '0') nd--;
  digs[nd] = '\0';
  int ex = atoi(p + 1);
  if (neg) buf_putc(b, '-');
  if (ex < -4 || ex >= 16) {
    buf_putc(b, digs[0]);
    if (nd > 1) {
      buf_putc(b, '.');
      buf_put(b, digs + 1, (size_t)nd - 1);
    }
    buf_printf(b, "e%c%02d", ex < 0 ? '-' : '+', ex < 0 ? -ex : ex);
  } else if (ex < 0) {
    buf_puts(b, "0.");
    for (int i = -1; i > ex; i--) buf_putc(b, '0');
    buf_puts(b, digs);
  } else {
    for (int i = 0; i <= ex; i++) buf_putc(b, i < nd ? digs[i] : '0');
    buf_putc(b, '.');
    if (nd > ex + 1) buf_puts(b, digs + ex + 1);
    else buf_putc(b, '0');
  }
}

void num_format(Interp *I, Buffer *b, Value x) {
  switch (x.type) {
  case VAL_INT: buf_printf(b, "%lld", (long long)x.as.i); return;
  case VAL_FLOAT: format_double(b, x.as.d); return;
  default:
    if (IS_DEC(x)) dec_format(b, x);
    else if (IS_BIGINT(x)) put_mpz(b, AS_BIGINT(x)->z);
    else if (IS_RATIONAL(x)) format_rational(b, AS_RATIONAL(x)->q);
    else buf_puts(b, "?");
  }
}

/* ------------------------------------------------------------------ */
/* GMP's allocator                                                    */
/* ------------------------------------------------------------------ */

/* GMP's manual (Custom Allocation): the allocation functions "must
 * terminate program execution" when they fail; "a longjmp or throwing a
 * C++ exception will have undefined results".  So these never raise: with
 * no interpreter, mem_realloc_raw takes mem_error's print-and-exit path.
 * Sizes are checked before large operations (the digit guard), so this is
 * a last resort. */
static void *gmp_alloc(size_t n) { return mem_realloc_raw(NULL, NULL, n); }

static void *gmp_realloc(void *p, size_t old_size, size_t new_size) {
  (void)old_size;
  return mem_realloc_raw(NULL, p, new_size);
}

static void gmp_free(void *p, size_t size) {
  (void)size;
  free(p);
}

/* GMP aborts when its allocator fails; ours reports and exits cleanly
 * instead (through mem_error, the one out-of-memory path).  Installing it
 * twice is harmless. */
void num_setup_gmp(void) {
  static bool done = false;
  if (done) return;
  mp_set_memory_functions(gmp_alloc, gmp_realloc, gmp_free);
  done = true;
}
