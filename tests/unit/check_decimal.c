/* check_decimal.c - Check tests for the inline decimal tier: every result
 * checked against GMP rationals (value and canonical form) on random and
 * boundary inputs, and printing, doubles and hashes against the heap form. */
#include <gmp.h> /* before num.h, which uses mpz_t without including it */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "interp.h"
#include "num.h"
#include "object.h"
#include "state.h"
#include "suites.h"

static Interp *I;

static void setup(void) { I = interp_new(&(InterpOptions){0}); }
static void teardown(void) { interp_free(I); }

/* ---- a fixed random stream (splitmix64) ------------------------------- */

static uint64_t rng_state;

static uint64_t rnd(void) {
  uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  return z ^ (z >> 31);
}

static int64_t rnd_range(int64_t lo, int64_t hi) { return lo + (int64_t)(rnd() % (uint64_t)(hi - lo + 1)); }

static const int64_t P10[19] = {1,
                                10,
                                100,
                                1000,
                                10000,
                                100000,
                                1000000,
                                10000000,
                                100000000,
                                1000000000,
                                10000000000,
                                100000000000,
                                1000000000000,
                                10000000000000,
                                100000000000000,
                                1000000000000000,
                                10000000000000000,
                                100000000000000000,
                                1000000000000000000};

/* A mantissa: small, 32-bit, full 64-bit, or near an edge of int64 or of
 * 10^18, where overflow into GMP begins. */
static int64_t rnd_mantissa(void) {
  int64_t k = rnd_range(0, 1000);
  switch (rnd() % 8) {
  case 0: return rnd_range(-1000, 1000);
  case 1: return (int32_t)rnd();
  case 2: return (int64_t)rnd();
  case 3: return INT64_MAX - k;
  case 4: return INT64_MIN + k;
  case 5: return (rnd() & 1 ? 1 : -1) * (P10[18] - k);
  case 6: return rnd_range(-99999, 99999) * P10[rnd() % 14];
  default: return rnd_range(-100000000, 100000000);
  }
}

static int rnd_scale(void) {
  switch (rnd() % 4) {
  case 0: return 1;
  case 1: return 2;
  case 2: return DEC_MAX_SCALE;
  default: return (int)rnd_range(1, DEC_MAX_SCALE);
  }
}

/* ---- the reference: GMP and the canonical form it implies ------------- */

/* The form value.h promises for the canonical rational q: 'i' int64, 'b'
 * bigint, 'd' inline decimal (then *m, *s), 'r' heap rational. */
static char expected_form(mpq_srcptr q, int64_t *m, int *s) {
  if (mpz_cmp_ui(mpq_denref(q), 1) == 0) return mpz_fits_slong_p(mpq_numref(q)) ? 'i' : 'b';
  mpz_t d, five, t;
  mpz_inits(d, t, NULL);
  mpz_init_set_ui(five, 5);
  mp_bitcnt_t twos = mpz_scan1(mpq_denref(q), 0);
  mpz_tdiv_q_2exp(d, mpq_denref(q), twos);
  mp_bitcnt_t fives = mpz_remove(d, d, five);
  char form = 'r';
  mp_bitcnt_t scale = twos > fives ? twos : fives;
  if (mpz_cmp_ui(d, 1) == 0 && scale <= DEC_MAX_SCALE) {
    mpz_ui_pow_ui(t, 10, scale);
    mpz_mul(t, t, mpq_numref(q));
    mpz_divexact(t, t, mpq_denref(q));
    if (mpz_fits_slong_p(t) && mpz_cmp_si(t, INT64_MIN) != 0) {
      form = 'd';
      *m = mpz_get_si(t);
      *s = (int)scale;
    }
  }
  mpz_clears(d, five, t, NULL);
  return form;
}

static char form_of(Value v) {
  if (IS_INT(v)) return 'i';
  if (IS_DEC(v)) return 'd';
  if (IS_BIGINT(v)) return 'b';
  if (IS_RATIONAL(v)) return 'r';
  if (IS_FLOAT(v)) return 'f';
  return '?';
}

static const char *P(Value v) { return check_num_text(I, v); }

/* The same rational held on the heap, bypassing the canonical form: what
 * every decimal was before the inline tier, and so the reference for its
 * printing, its double and its hash. */
static Value heap_twin(mpq_srcptr q) {
  ObjRational *o = rational_new(I);
  mpq_set(o->q, q);
  return OBJ_VAL(o);
}

static bool same_double(double x, double y) { return memcmp(&x, &y, sizeof x) == 0; }

/* v must be exactly q, in the canonical form, and a decimal must print,
 * convert to double and hash as its heap twin does; its text must read
 * back as the same value. */
static void check_exact(Value v, mpq_srcptr q, const char *what) {
  int64_t m = 0;
  int s = 0;
  char want = expected_form(q, &m, &s), got = form_of(v);
  ck_assert_msg(got == want, "%s: form %c, want %c (%s)", what, got, want, P(v));
  ck_assert_msg(v.unit == 0, "%s: a unit", what);
  mpq_t t;
  mpq_init(t);
  num_get_mpq(v, t);
  ck_assert_msg(mpq_equal(t, q), "%s: got %s", what, P(v));
  mpq_clear(t);
  if (want != 'd') return;
  ck_assert_msg(v.as.i == m && DEC_SCALE(v) == s, "%s: mantissa %lld scale %d, want %lld scale %d", what,
                (long long)v.as.i, DEC_SCALE(v), (long long)m, s);
  Value twin = heap_twin(q);
  char text[512];
  snprintf(text, sizeof text, "%s", P(v));
  ck_assert_msg(!strcmp(text, P(twin)), "%s: prints %s, the heap form %s", what, text, P(twin));
  double d = num_to_double(v);
  ck_assert_msg(same_double(d, num_to_double(twin)), "%s: double %.17g, heap %.17g", what, d,
                num_to_double(twin));
  ck_assert_msg(same_double(d, strtod(text, NULL)), "%s: double %.17g, strtod %.17g", what, d,
                strtod(text, NULL));
  ck_assert_msg(num_hash(v) == num_hash(twin), "%s: hash differs from the heap form", what);
  ck_assert_msg(num_eq(v, twin) && num_cmp(I, v, twin) == 0, "%s: not equal to its heap form", what);
  Value back;
  ck_assert_msg(num_parse(I, text, &back) && back.tag == v.tag && back.as.i == v.as.i,
                "%s: %s does not read back", what, text);
}

/* A random exact number and its value in q: mostly decimals (near the
 * edges too), also int64s, bigints and rationals that do not terminate. */
static Value rnd_exact(mpq_ptr q) {
  int kind = (int)(rnd() % 10);
  if (kind < 6) {
    mpz_set_si(mpq_numref(q), rnd_mantissa());
    mpz_ui_pow_ui(mpq_denref(q), 10, (unsigned long)rnd_scale());
  } else if (kind == 6) {
    mpq_set_si(q, rnd_mantissa(), 1);
  } else if (kind == 7) {
    mpq_set_si(q, rnd_range(-1000, 1000), (unsigned long)rnd_range(1, 60));
  } else if (kind == 8) { /* beyond int64: a bigint or a long decimal */
    mpz_set_si(mpq_numref(q), rnd_mantissa());
    mpz_mul_2exp(mpq_numref(q), mpq_numref(q), 8);
    mpz_ui_pow_ui(mpq_denref(q), 10, (unsigned long)rnd_range(0, 3));
  } else { /* a scale beyond DEC_MAX_SCALE, or a power of 2 */
    mpz_set_si(mpq_numref(q), rnd_range(-99, 99));
    if (rnd() & 1) mpz_ui_pow_ui(mpq_denref(q), 10, (unsigned long)rnd_range(17, 22));
    else mpz_ui_pow_ui(mpq_denref(q), 2, (unsigned long)rnd_range(1, 70));
  }
  mpq_canonicalize(q);
  Value v = num_from_mpq(I, q);
  check_exact(v, q, "input");
  return v;
}

static int sgn(int x) { return (x > 0) - (x < 0); }

/* Every operation on a and b (values qa, qb) against GMP. */
static void check_pair(Value a, mpq_srcptr qa, Value b, mpq_srcptr qb) {
  char what[1200];
  char ta[512], tb[512];
  snprintf(ta, sizeof ta, "%s", P(a));
  snprintf(tb, sizeof tb, "%s", P(b));
  mpq_t r, t;
  mpq_inits(r, t, NULL);
  static const char ops[] = "+-*/%";
  for (const char *op = ops; *op; op++) {
    if ((*op == '/' || *op == '%') && mpq_sgn(qb) == 0) continue;
    Value v;
    switch (*op) {
    case '+': v = num_add(I, a, b), mpq_add(r, qa, qb); break;
    case '-': v = num_sub(I, a, b), mpq_sub(r, qa, qb); break;
    case '*': v = num_mul(I, a, b), mpq_mul(r, qa, qb); break;
    case '/': v = num_div(I, a, b), mpq_div(r, qa, qb); break;
    default: /* floored: a - b * floor(a / b) */
      v = num_mod(I, a, b);
      mpq_div(t, qa, qb);
      mpz_fdiv_q(mpq_numref(t), mpq_numref(t), mpq_denref(t));
      mpz_set_ui(mpq_denref(t), 1);
      mpq_mul(t, t, qb);
      mpq_sub(r, qa, t);
      break;
    }
    snprintf(what, sizeof what, "%s %c %s", ta, *op, tb);
    check_exact(v, r, what);
  }
  snprintf(what, sizeof what, "compare %s with %s", ta, tb);
  int c = sgn(mpq_cmp(qa, qb));
  ck_assert_msg(num_cmp(I, a, b) == c, "%s: %d, want %d", what, num_cmp(I, a, b), c);
  ck_assert_msg(num_eq(a, b) == (c == 0), "%s: equality", what);
  ck_assert_msg(c != 0 || num_hash(a) == num_hash(b), "%s: equal but hash differently", what);
  /* against a double: the comparison is exact, arithmetic inexact */
  double d = num_to_double(b) * (rnd() & 1 ? 1 : 1 + 0x1p-52);
  mpq_set_d(t, d);
  ck_assert_msg(num_cmp(I, a, FLOAT_VAL(d)) == sgn(mpq_cmp(qa, t)), "compare %s with %.17g", ta, d);
  Value f = num_add(I, a, FLOAT_VAL(d));
  ck_assert_msg(IS_FLOAT(f) && same_double(f.as.d, num_to_double(a) + d), "%s + %.17g", ta, d);
  /* one-operand operations */
  snprintf(what, sizeof what, "-%s", ta);
  mpq_neg(r, qa);
  check_exact(num_neg(I, a), r, what);
  snprintf(what, sizeof what, "abs(%s)", ta);
  mpq_abs(r, qa);
  check_exact(num_abs(I, a), r, what);
  int digits = (int)rnd_range(-20, 22);
  RoundMode mode = (RoundMode)(rnd() % 4);
  snprintf(what, sizeof what, "round(%s, %d, mode %d)", ta, digits, (int)mode);
  check_ref_round(r, qa, digits, mode);
  check_exact(num_round(I, a, digits, mode), r, what);
  int e = (int)rnd_range(-4, 6);
  if (mpq_sgn(qa) != 0 || e >= 0) {
    snprintf(what, sizeof what, "%s ^ %d", ta, e);
    mpz_pow_ui(mpq_numref(r), mpq_numref(qa), (unsigned long)abs(e));
    mpz_pow_ui(mpq_denref(r), mpq_denref(qa), (unsigned long)abs(e));
    if (e < 0) mpq_inv(r, r);
    check_exact(num_pow(I, a, INT_VAL(e)), r, what);
  }
  snprintf(what, sizeof what, "exact(inexact(%s))", ta);
  mpq_set_d(r, num_to_double(a));
  check_exact(num_exact(I, num_inexact(I, a)), r, what);
  mpq_clears(r, t, NULL);
}

/* ---- the tests -------------------------------------------------------- */

/* Random pairs, fixed seed: every operation agrees with GMP. */
START_TEST(test_random_against_gmp) {
  rng_state = 20261130;
  mpq_t qa, qb;
  mpq_inits(qa, qb, NULL);
  for (int i = 0; i < 20000; i++) {
    Value a = rnd_exact(qa), b = rnd_exact(qb);
    check_pair(a, qa, b, qb);
  }
  mpq_clears(qa, qb, NULL);
}
END_TEST

/* Every pair of mantissas at the edges (int64's, 10^18's, 1) at the
 * smallest and largest scales, and integers at int64's edges. */
START_TEST(test_boundaries_against_gmp) {
  rng_state = 7;
  static const int64_t mants[] = {INT64_MAX,     INT64_MAX - 1,  INT64_MIN + 1,  INT64_MIN,
                                  1,             -1,             3,              -7,
                                  999999999999999999, -999999999999999999, 3037000499, 4611686018427387903};
  static const int scales[] = {0, 1, 2, 17, 18, 19};
  enum { NM = sizeof mants / sizeof mants[0], NS = sizeof scales / sizeof scales[0] };
  mpq_t q[NM * NS];
  Value v[NM * NS];
  for (int i = 0; i < NM; i++)
    for (int j = 0; j < NS; j++) {
      mpq_ptr x = q[i * NS + j];
      mpq_init(x);
      mpz_set_si(mpq_numref(x), mants[i]);
      mpz_ui_pow_ui(mpq_denref(x), 10, (unsigned long)scales[j]);
      mpq_canonicalize(x);
      v[i * NS + j] = num_from_mpq(I, x);
      check_exact(v[i * NS + j], x, "edge input");
    }
  for (int i = 0; i < NM * NS; i++)
    for (int j = 0; j < NM * NS; j++) check_pair(v[i], q[i], v[j], q[j]);
  for (int i = 0; i < NM * NS; i++) mpq_clear(q[i]);
}
END_TEST

/* Overflow into GMP and back again, and the forms at the edges. */
START_TEST(test_overflow_and_back) {
  Value big, tenth, one;
  ck_assert(num_parse(I, "922337203685477580.7", &big)); /* mantissa INT64_MAX */
  ck_assert(IS_DEC(big) && big.as.i == INT64_MAX && DEC_SCALE(big) == 1);
  ck_assert(num_parse(I, "0.1", &tenth) && IS_DEC(tenth));
  Value over = num_add(I, big, tenth);
  ck_assert(IS_RATIONAL(over));
  ck_assert_str_eq(P(over), "922337203685477580.8");
  Value back = num_sub(I, over, tenth);
  ck_assert(IS_DEC(back) && back.as.i == INT64_MAX && DEC_SCALE(back) == 1);
  /* the mantissa INT64_MIN is left out, so negation never overflows */
  Value low = num_div(I, INT_VAL(INT64_MIN), INT_VAL(10));
  ck_assert(IS_RATIONAL(low));
  ck_assert_str_eq(P(low), "-922337203685477580.8");
  ck_assert(IS_RATIONAL(num_neg(I, low)));
  ck_assert(IS_DEC(num_add(I, low, tenth)));
  /* the largest scale is inline, the next one on the heap */
  ck_assert(num_parse(I, "1e-18", &one) && IS_DEC(one) && DEC_SCALE(one) == DEC_MAX_SCALE);
  Value tiny = num_mul(I, one, tenth);
  ck_assert(IS_RATIONAL(tiny));
  ck_assert_str_eq(P(tiny), "0.0000000000000000001");
  ck_assert(IS_DEC(num_mul(I, tiny, INT_VAL(10))));
  /* a product whose mantissa overflows but whose value fits */
  Value half;
  ck_assert(num_parse(I, "0.5", &half));
  Value prod = num_mul(I, half, INT_VAL(0));
  ck_assert(IS_INT(prod) && prod.as.i == 0);
  prod = num_mul(I, half, INT_VAL(INT64_MAX - 1));
  ck_assert(IS_INT(prod) && prod.as.i == INT64_MAX / 2);
  /* GMP results come back inline: 1/3 + 1/6 = 0.5, 1/3 * 3 = 1 */
  Value third = num_div(I, INT_VAL(1), INT_VAL(3));
  ck_assert(IS_RATIONAL(third));
  Value sum = num_add(I, third, num_div(I, INT_VAL(1), INT_VAL(6)));
  ck_assert(IS_DEC(sum) && sum.as.i == 5 && DEC_SCALE(sum) == 1);
  ck_assert(IS_INT(num_mul(I, third, INT_VAL(3))));
}
END_TEST

/* Division inline when the quotient terminates, else a heap rational. */
START_TEST(test_division_forms) {
  static const struct {
    const char *a, *b, *want;
    char form;
  } T[] = {
      {"1", "8", "0.125", 'd'},       {"0.3", "0.12", "2.5", 'd'},  {"1", "0.3", "10/3", 'r'},
      {"0.01", "4", "0.0025", 'd'},   {"2.5", "0.5", "5", 'i'},     {"-7", "0.02", "-350", 'i'},
      {"1", "1024", "0.0009765625", 'd'}, {"1", "2", "0.5", 'd'},  {"0.1", "3", "1/30", 'r'},
      {"123.45", "-0.05", "-2469", 'i'}, {"1", "262144", "0.000003814697265625", 'd'}, /* scale 18 */
      {"1", "524288", "0.0000019073486328125", 'r'},                                 /* scale 19 */
  };
  for (size_t i = 0; i < sizeof T / sizeof T[0]; i++) {
    Value a, b;
    ck_assert(num_parse(I, T[i].a, &a) && num_parse(I, T[i].b, &b));
    Value v = num_div(I, a, b);
    ck_assert_msg(form_of(v) == T[i].form && !strcmp(P(v), T[i].want), "%s / %s: %s (%c), want %s (%c)",
                  T[i].a, T[i].b, P(v), form_of(v), T[i].want, T[i].form);
  }
}
END_TEST

Suite *decimal_suite(void) {
  Suite *s = suite_create("decimal");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 60);
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_random_against_gmp);
  tcase_add_test(tc, test_boundaries_against_gmp);
  tcase_add_test(tc, test_overflow_and_back);
  tcase_add_test(tc, test_division_forms);
  suite_add_tcase(s, tc);
  return s;
}
