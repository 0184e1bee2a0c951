/* libmath.c - rounding, exactness, elementary functions and random numbers. */
#include <math.h>
#include <stdio.h>

#include "lib.h"
#include "num.h"
#include "state.h"
#include "unit.h"

typedef struct {
  const char *fn;
  int64_t digits;
  RoundMode mode;
} Rounding;

static Value round_one(Interp *I, Value x, void *ud) {
  Rounding *r = ud;
  if (!num_is(x)) interp_throw(I, "%s: expected numbers, not %s", r->fn, value_type_name(x));
  Value y = num_round(I, x, r->digits, r->mode);
  y.unit = x.unit;
  return y;
}

/* round(x, digits) and the like; of a series (or another foreign value
 * that maps), each of its numbers. */
static Value rounding(Interp *I, const char *fn, int argc, Value *args, RoundMode mode) {
  int64_t digits = argc > 1 ? lib_int_arg(I, fn, args, 1) : 0;
  if (digits > 1000 || digits < -1000) interp_throw(I, "%s: digits must be between -1000 and 1000", fn);
  Rounding r = {fn, digits, mode};
  if (IS_FOREIGN(args[0]) && AS_FOREIGN(args[0])->cls->map)
    return AS_FOREIGN(args[0])->cls->map(I, args[0].as.o, round_one, &r);
  return round_one(I, lib_number_arg(I, fn, args, 0), &r);
}

static Value f_round(Interp *I, int argc, Value *args) {
  return rounding(I, "round", argc, args, ROUND_HALF_EVEN);
}
static Value f_floor(Interp *I, int argc, Value *args) { return rounding(I, "floor", argc, args, ROUND_FLOOR); }
static Value f_ceil(Interp *I, int argc, Value *args) { return rounding(I, "ceil", argc, args, ROUND_CEIL); }
static Value f_trunc(Interp *I, int argc, Value *args) { return rounding(I, "trunc", argc, args, ROUND_TRUNC); }

static Value f_exact(Interp *I, int argc, Value *args) {
  Value x = lib_number_arg(I, "exact", args, 0);
  Value r = num_exact(I, x);
  r.unit = x.unit;
  return r;
}

static Value f_inexact(Interp *I, int argc, Value *args) {
  Value x = lib_number_arg(I, "inexact", args, 0);
  Value r = num_inexact(I, x);
  r.unit = x.unit;
  return r;
}

/* Elementary functions take plain numbers and give inexact results. */
static double plain_double(Interp *I, const char *fn, Value *args) {
  Value x = lib_number_arg(I, fn, args, 0);
  if (x.unit != UNIT_NONE) interp_throw(I, "%s: needs a plain number, not one with a unit", fn);
  return num_to_double(x);
}

#define ELEMENTARY(name, expr)                                  \
  static Value f_##name(Interp *I, int argc, Value *args) {     \
    double x = plain_double(I, #name, args);                    \
    return FLOAT_VAL(expr);                                     \
  }
ELEMENTARY(exp, exp(x))
ELEMENTARY(ln, log(x))
ELEMENTARY(log10, log10(x))
ELEMENTARY(sin, sin(x))
ELEMENTARY(cos, cos(x))
ELEMENTARY(tan, tan(x))

/* sqrt keeps units whose exponents are even: sqrt(4 EUR^2) is 2.0 EUR. */
static Value f_sqrt(Interp *I, int argc, Value *args) {
  Value x = lib_number_arg(I, "sqrt", args, 0);
  UnitId u = UNIT_NONE;
  if (x.unit != UNIT_NONE) {
    UnitVector v = I->units.vectors[x.unit];
    UnitId half = UNIT_NONE;
    for (int b = 0; b < I->units.nbases; b++) {
      if (v.exp[b] % 2) interp_throw(I, "sqrt: the unit of the argument has no square root");
    }
    /* Build the half-exponent unit by multiplying base units. */
    for (int b = 0; b < I->units.nbases; b++) {
      UnitId base;
      unit_lookup(&I->units, I->units.base_names[b], &base);
      UnitId p = unit_pow(I, &I->units, base, v.exp[b] / 2);
      half = unit_mul(I, &I->units, half, p);
    }
    u = half;
  }
  Value r = FLOAT_VAL(sqrt(num_to_double(x)));
  r.unit = u;
  return r;
}

/* xoshiro256** by Blackman and Vigna, seeded through splitmix64: fast,
 * and the same numbers on every machine for the same seed. */
static uint64_t splitmix(uint64_t *x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15u);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  return z ^ (z >> 31);
}

void lib_random_seed(Interp *I, uint64_t seed) {
  for (int i = 0; i < 4; i++) I->rng[i] = splitmix(&seed);
  I->rng_has_spare = false;
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t next_u64(Interp *I) {
  uint64_t *s = I->rng;
  uint64_t result = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

static double next_double(Interp *I) { return (double)(next_u64(I) >> 11) * 0x1.0p-53; }

static Value f_random(Interp *I, int argc, Value *args) { return FLOAT_VAL(next_double(I)); }

/* Normal deviates by the polar Box-Muller method (a spare is kept). */
static double next_normal(Interp *I) {
  if (I->rng_has_spare) {
    I->rng_has_spare = false;
    return I->rng_spare;
  }
  double u, v, s;
  do {
    u = 2 * next_double(I) - 1;
    v = 2 * next_double(I) - 1;
    s = u * u + v * v;
  } while (s >= 1 || s == 0);
  double m = sqrt(-2 * log(s) / s);
  I->rng_spare = v * m;
  I->rng_has_spare = true;
  return u * m;
}

static Value f_random_normal(Interp *I, int argc, Value *args) {
  Value mean = lib_number_arg(I, "random_normal", args, 0);
  Value sd = lib_number_arg(I, "random_normal", args, 1);
  if (mean.unit != sd.unit) interp_throw(I, "random_normal: the mean and the deviation need the same unit");
  Value r = FLOAT_VAL(num_to_double(mean) + num_to_double(sd) * next_normal(I));
  r.unit = mean.unit;
  return r;
}

static Value f_seed(Interp *I, int argc, Value *args) {
  lib_random_seed(I, (uint64_t)lib_int_arg(I, "seed", args, 0));
  return NIL_VAL;
}

void lib_math_open(Interp *I) {
  lib_random_seed(I, 42);
  lib_register(I, "round", f_round, 1, 2,
               "round(x) or round(x, digits): round half to even; always an exact number");
  lib_register(I, "floor", f_floor, 1, 2, "floor(x) or floor(x, digits): round down; exact");
  lib_register(I, "ceil", f_ceil, 1, 2, "ceil(x) or ceil(x, digits): round up; exact");
  lib_register(I, "trunc", f_trunc, 1, 2, "trunc(x) or trunc(x, digits): round towards zero; exact");
  lib_register(I, "exact", f_exact, 1, 1, "exact(x): the exact number an inexact x stands for");
  lib_register(I, "inexact", f_inexact, 1, 1, "inexact(x): x as an inexact (floating-point) number");
  lib_register(I, "sqrt", f_sqrt, 1, 1, "sqrt(x): the square root (inexact)");
  lib_register(I, "exp", f_exp, 1, 1, "exp(x): e to the power x (inexact)");
  lib_register(I, "ln", f_ln, 1, 1, "ln(x): the natural logarithm (inexact)");
  lib_register(I, "log10", f_log10, 1, 1, "log10(x): the base-10 logarithm (inexact)");
  lib_register(I, "sin", f_sin, 1, 1, "sin(x): the sine of x radians (inexact)");
  lib_register(I, "cos", f_cos, 1, 1, "cos(x): the cosine of x radians (inexact)");
  lib_register(I, "tan", f_tan, 1, 1, "tan(x): the tangent of x radians (inexact)");
  lib_register(I, "random", f_random, 0, 0, "random(): an inexact number in [0, 1) from the seeded stream");
  lib_register(I, "random_normal", f_random_normal, 2, 2,
               "random_normal(mean, sd): a normally distributed inexact number");
  lib_register(I, "seed", f_seed, 1, 1, "seed(n): restart the random stream from seed n (reproducible)");
}
