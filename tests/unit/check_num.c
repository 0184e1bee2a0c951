/* check_num.c - Check tests for the numeric tower: overflow, exactness, printing, rounding, guards. */
#include <gmp.h> /* before num.h, which uses mpz_t without including it */

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "interp.h"
#include "num.h"
#include "object.h"
#include "state.h"
#include "suites.h"

/* Each test gets a fresh interpreter (a zeroed InterpOptions: no stdlib). */
static Interp *I;

static void setup(void) { I = interp_new(&(InterpOptions){0}); }
static void teardown(void) { interp_free(I); }

/* ---- helpers ---------------------------------------------------------- */

/* A number from test notation: a literal with optional sign ("-7", "2.5M"),
 * "a/b" for an exact quotient, a leading '~' for inexact ("~0.1", "~1/3",
 * "~inf", "~-inf", "~nan", "~-0"). */
static Value N(const char *s) {
  if (s[0] == '~') {
    if (!strcmp(s, "~inf")) return FLOAT_VAL(INFINITY);
    if (!strcmp(s, "~-inf")) return FLOAT_VAL(-INFINITY);
    if (!strcmp(s, "~nan")) return FLOAT_VAL(NAN);
    if (!strcmp(s, "~-0")) return FLOAT_VAL(-0.0);
    return num_inexact(I, N(s + 1));
  }
  const char *slash = strchr(s, '/');
  if (slash) {
    char head[256];
    snprintf(head, sizeof head, "%.*s", (int)(slash - s), s);
    return num_div(I, N(head), N(slash + 1));
  }
  Value v;
  ck_assert_msg(num_parse(I, s, &v), "cannot parse test number '%s'", s);
  return v;
}

const char *check_num_text(Interp *I_, Value v) {
  static char outs[4][4096];
  static int next;
  char *out = outs[next++ % 4];
  Buffer b;
  buf_init(&b);
  num_format(I_, &b, v);
  snprintf(out, sizeof outs[0], "%s", b.data);
  buf_free(&b);
  return out;
}

static const char *P(Value v) { return check_num_text(I, v); }

/* The representation: i (int64), b (bigint), r (rational, on the heap or an
 * inline decimal), f (double). */
static char K(Value v) {
  if (IS_INT(v)) return 'i';
  if (IS_FLOAT(v)) return 'f';
  if (IS_BIGINT(v)) return 'b';
  if (IS_RATIONAL(v) || IS_DEC(v)) return 'r'; /* either form of a rational (value.h) */
  return '?';
}

static Value apply(char op, Value a, Value b) {
  switch (op) {
  case '+': return num_add(I, a, b);
  case '-': return num_sub(I, a, b);
  case '*': return num_mul(I, a, b);
  case '/': return num_div(I, a, b);
  case '%': return num_mod(I, a, b);
  case '^': return num_pow(I, a, b);
  }
  ck_abort_msg("bad op %c", op);
  return NIL_VAL;
}

static void check_value(Value v, char kind, const char *want, const char *what) {
  ck_assert_msg(K(v) == kind && !strcmp(P(v), want), "%s: got %s (%c), want %s (%c)", what, P(v),
                K(v), want, kind);
  ck_assert_uint_eq(v.unit, 0);
}

/* Something to run under interp_pcall. */
typedef struct {
  enum { J_OP, J_LITERAL, J_PARSE, J_ROUND, J_EXACT, J_CMP, J_NEG } kind;
  char op;
  Value a, b;
  const char *text;
  int64_t digits;
  RoundMode mode;
} Job;

static void run_job(Interp *I_, void *ud) {
  Job *j = ud;
  Value v;
  switch (j->kind) {
  case J_OP: apply(j->op, j->a, j->b); break;
  case J_LITERAL: num_parse_literal(I_, j->text, &v); break;
  case J_PARSE: num_parse(I_, j->text, &v); break;
  case J_ROUND: num_round(I_, j->a, j->digits, j->mode); break;
  case J_EXACT: num_exact(I_, j->a); break;
  case J_CMP: num_cmp(I_, j->a, j->b); break;
  case J_NEG: num_neg(I_, j->a); break;
  }
}

static void expect_error(Job j, const char *want, const char *what) {
  ck_assert_msg(!interp_pcall(I, run_job, &j), "%s: no error", what);
  const char *msg = interp_error_message(I);
  ck_assert_msg(msg && strstr(msg, want), "%s: error '%s' lacks '%s'", what, msg ? msg : "(null)",
                want);
}

/* ---- arithmetic ------------------------------------------------------- */

static const struct {
  const char *a;
  char op;
  const char *b;
  char kind;
  const char *want;
} ARITH[] = {
    /* int64 overflow becomes GMP, and comes back when it fits again */
    {"9223372036854775807", '+', "1", 'b', "9223372036854775808"},
    {"-9223372036854775808", '-', "1", 'b', "-9223372036854775809"},
    {"-9223372036854775808", '/', "-1", 'b', "9223372036854775808"},
    {"-9223372036854775808", '*', "-1", 'b', "9223372036854775808"},
    {"-9223372036854775808", '%', "-1", 'i', "0"},
    {"-9223372036854775808", '+', "-9223372036854775808", 'b', "-18446744073709551616"},
    {"9223372036854775807", '*', "9223372036854775807", 'b', "85070591730234615847396907784232501249"},
    {"9223372036854775808", '-', "1", 'i', "9223372036854775807"},
    {"-9223372036854775809", '+', "1", 'i', "-9223372036854775808"},
    {"9223372036854775808", '*', "0", 'i', "0"},
    {"18446744073709551616", '/', "2", 'b', "9223372036854775808"},
    {"18446744073709551616", '/', "4", 'i', "4611686018427387904"},
    {"18446744073709551616", '/', "3", 'r', "18446744073709551616/3"},
    {"18446744073709551616", '%', "10", 'i', "6"},
    {"-18446744073709551616", '%', "10", 'i', "4"},
    {"18446744073709551616", '%', "-18446744073709551617", 'i', "-1"},
    {"-18446744073709551616", '%', "18446744073709551617", 'i', "1"},
    {"-18446744073709551616", '%', "36893488147419103233", 'b', "18446744073709551617"},
    {"3000000000", '*', "3000000000", 'i', "9000000000000000000"},
    {"4000000000", '*', "4000000000", 'b', "16000000000000000000"},
    /* exact division */
    {"6", '/', "3", 'i', "2"},
    {"1", '/', "3", 'r', "1/3"},
    {"7", '/', "2", 'r', "3.5"},
    {"-7", '/', "2", 'r', "-3.5"},
    {"7", '/', "-2", 'r', "-3.5"},
    {"-1", '/', "3", 'r', "-1/3"},
    {"-3", '/', "100", 'r', "-0.03"},
    {"1", '/', "-9223372036854775808", 'r', "-0.000000000000000000108420217248550443400745280086994171142578125"},
    {"1", '/', "-9223372036854775807", 'r', "-1/9223372036854775807"},
    {"-9223372036854775808", '/', "2", 'i', "-4611686018427387904"},
    {"1/3", '+', "2/3", 'i', "1"},
    {"1/2", '+', "1/3", 'r', "5/6"},
    {"1/2", '-', "1/2", 'i', "0"},
    {"1/3", '*', "3", 'i', "1"},
    {"2/3", '/', "4/3", 'r', "0.5"},
    {"0.1", '+', "0.2", 'r', "0.3"},
    {"1/3", '+', "9223372036854775808", 'r', "27670116110564327425/3"},
    /* floored modulo */
    {"-7", '%', "3", 'i', "2"},
    {"7", '%', "-3", 'i', "-2"},
    {"7", '%', "3", 'i', "1"},
    {"-7", '%', "-3", 'i', "-1"},
    {"6", '%', "-3", 'i', "0"},
    {"7/2", '%', "1", 'r', "0.5"},
    {"-7/2", '%', "1", 'r', "0.5"},
    {"7/2", '%', "-1", 'r', "-0.5"},
    {"1/3", '%', "1/4", 'r', "1/12"},
    {"5", '%', "3/2", 'r', "0.5"},
    {"~-7", '%', "~3", 'f', "2.0"},
    {"~7", '%', "~-3", 'f', "-2.0"},
    {"~6", '%', "~-3", 'f', "-0.0"},
    {"~7.5", '%', "2", 'f', "1.5"},
    /* inexact contaminates; IEEE for inexact division by zero */
    {"1", '+', "~0.5", 'f', "1.5"},
    {"~0.1", '+', "~0.2", 'f', "0.30000000000000004"},
    {"1", '/', "~0", 'f', "inf"},
    {"~-1", '/', "0", 'f', "-inf"},
    {"0", '/', "~0", 'f', "nan"},
    {"~1", '%', "0", 'f', "nan"},
    {"1/3", '*', "~3", 'f', "1.0"},
    /* powers */
    {"2", '^', "10", 'i', "1024"},
    {"2", '^', "62", 'i', "4611686018427387904"},
    {"2", '^', "63", 'b', "9223372036854775808"},
    {"-2", '^', "63", 'i', "-9223372036854775808"},
    {"-2", '^', "64", 'b', "18446744073709551616"},
    {"3", '^', "40", 'b', "12157665459056928801"},
    {"2", '^', "-1", 'r', "0.5"},
    {"2", '^', "-3", 'r', "0.125"},
    {"3", '^', "-2", 'r', "1/9"},
    {"-3", '^', "-3", 'r', "-1/27"},
    {"2/3", '^', "2", 'r', "4/9"},
    {"-2/3", '^', "-3", 'r', "-3.375"},
    {"11/10", '^', "30", 'r', "17.449402268886407318558803753801"},
    {"9223372036854775808", '^', "2", 'b', "85070591730234615865843651857942052864"},
    {"0", '^', "0", 'i', "1"},
    {"7/2", '^', "0", 'i', "1"},
    {"0", '^', "5", 'i', "0"},
    {"1", '^', "-5", 'i', "1"},
    {"-1", '^', "-5", 'i', "-1"},
    {"1", '^', "100000000000000000000000", 'i', "1"},
    {"-1", '^', "100000000000000000000001", 'i', "-1"},
    {"-1", '^', "100000000000000000000000", 'i', "1"},
    {"0", '^', "100000000000000000000000", 'i', "0"},
    {"4", '^', "1/2", 'f', "2.0"},
    {"4", '^', "~2", 'f', "16.0"},
    {"~2", '^', "3", 'f', "8.0"},
    {"~0", '^', "0", 'f', "1.0"},
    {"~2", '^', "-1", 'f', "0.5"},
};

START_TEST(test_arith_table) {
  for (size_t i = 0; i < sizeof ARITH / sizeof ARITH[0]; i++) {
    char what[256];
    snprintf(what, sizeof what, "%s %c %s", ARITH[i].a, ARITH[i].op, ARITH[i].b);
    Value v = apply(ARITH[i].op, N(ARITH[i].a), N(ARITH[i].b));
    check_value(v, ARITH[i].kind, ARITH[i].want, what);
  }
}
END_TEST

START_TEST(test_one_third_times_three) {
  Value third = num_div(I, INT_VAL(1), INT_VAL(3));
  ck_assert_str_eq(P(third), "1/3");
  Value one = num_mul(I, third, INT_VAL(3));
  ck_assert(IS_INT(one));
  ck_assert_int_eq(one.as.i, 1);
  /* and by repeated addition */
  Value sum = INT_VAL(0);
  for (int i = 0; i < 3; i++) sum = num_add(I, sum, third);
  ck_assert(IS_INT(sum) && sum.as.i == 1);
}
END_TEST

START_TEST(test_point_one_plus_point_two) {
  Value a, b, c;
  ck_assert(num_parse_literal(I, "0.1", &a));
  ck_assert(num_parse_literal(I, "0.2", &b));
  ck_assert(num_parse_literal(I, "0.3", &c));
  Value s = num_add(I, a, b);
  ck_assert(num_eq(s, c));
  ck_assert_int_eq(num_cmp(I, s, c), 0);
  ck_assert_str_eq(P(s), "0.3");
  Value f = num_add(I, num_inexact(I, a), num_inexact(I, b));
  ck_assert(!num_eq(f, c));
  ck_assert_str_eq(P(f), "0.30000000000000004");
}
END_TEST

/* Sums and products near the int64 edges agree with GMP. */
START_TEST(test_overflow_loop) {
  static const int64_t edge[] = {INT64_MIN, INT64_MIN + 1, -4611686018427387904, -3037000500, -2, -1,
                                 0,         1,            2,                    3037000500,
                                 4611686018427387904,     INT64_MAX - 1,       INT64_MAX};
  size_t n = sizeof edge / sizeof edge[0];
  mpz_t x, y, r;
  mpz_inits(x, y, r, NULL);
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < n; j++) {
      mpz_set_si(x, edge[i]);
      mpz_set_si(y, edge[j]);
      Value a = INT_VAL(edge[i]), b = INT_VAL(edge[j]);
      const char ops[] = "+-*%/";
      for (const char *op = ops; *op; op++) {
        if ((*op == '%' || *op == '/') && edge[j] == 0) continue;
        Value v = apply(*op, a, b);
        Value want;
        if (*op == '/') {
          mpq_t q;
          mpq_init(q);
          mpq_set_num(q, x);
          mpq_set_den(q, y);
          mpq_canonicalize(q); /* also makes the denominator positive */
          want = num_from_mpq(I, q);
          mpq_clear(q);
        } else {
          if (*op == '+') mpz_add(r, x, y);
          if (*op == '-') mpz_sub(r, x, y);
          if (*op == '*') mpz_mul(r, x, y);
          if (*op == '%') mpz_fdiv_r(r, x, y);
          want = num_from_mpz(I, r);
        }
        ck_assert_msg(num_eq(v, want) && K(v) == K(want), "%lld %c %lld: got %s want %s",
                      (long long)edge[i], *op, (long long)edge[j], P(v), P(want));
      }
    }
  mpz_clears(x, y, r, NULL);
}
END_TEST

START_TEST(test_neg_abs) {
  Value m = INT_VAL(INT64_MIN);
  check_value(num_neg(I, m), 'b', "9223372036854775808", "-INT64_MIN");
  check_value(num_abs(I, m), 'b', "9223372036854775808", "abs(INT64_MIN)");
  check_value(num_neg(I, num_neg(I, m)), 'i', "-9223372036854775808", "--INT64_MIN");
  check_value(num_abs(I, INT_VAL(-5)), 'i', "5", "abs(-5)");
  check_value(num_abs(I, N("-1/3")), 'r', "1/3", "abs(-1/3)");
  check_value(num_neg(I, N("1/3")), 'r', "-1/3", "-(1/3)");
  check_value(num_abs(I, N("-18446744073709551616")), 'b', "18446744073709551616", "abs(-2^64)");
  check_value(num_neg(I, N("~0")), 'f', "-0.0", "-(0.0)");
  check_value(num_abs(I, N("~-2.5")), 'f', "2.5", "abs(-2.5)");
  /* results drop the unit */
  Value u = INT_VAL(3);
  u.unit = 5;
  ck_assert_uint_eq(num_neg(I, u).unit, 0);
  ck_assert_uint_eq(num_abs(I, u).unit, 0);
  ck_assert_uint_eq(num_add(I, u, u).unit, 0);
  ck_assert_uint_eq(num_exact(I, u).unit, 0);
}
END_TEST

/* ---- literals and parsing ---------------------------------------------- */

static const struct {
  const char *text;
  char kind;
  const char *want;
} LITERALS[] = {
    {"42", 'i', "42"},
    {"0", 'i', "0"},
    {"007", 'i', "7"},
    {"0.000", 'i', "0"},
    {"0e999999999999999999999", 'i', "0"},
    {"1_000_000", 'i', "1000000"},
    {"2.5", 'r', "2.5"},
    {"2.0", 'i', "2"},
    {"0.125", 'r', "0.125"},
    {"1e6", 'i', "1000000"},
    {"1E3", 'i', "1000"},
    {"1e+2", 'i', "100"},
    {"3.2e-2", 'r', "0.032"},
    {"2.5M", 'i', "2500000"},
    {"400k", 'i', "400000"},
    {"1.5k", 'i', "1500"},
    {"1bn", 'i', "1000000000"},
    {"2.75bn", 'i', "2750000000"},
    {"12%", 'r', "0.12"},
    {"0.5%", 'r', "0.005"},
    {"100%", 'i', "1"},
    {"12.5%", 'r', "0.125"},
    {"2.5e-3k", 'r', "2.5"},
    {"1_000.000_1", 'r', "1000.0001"},
    {"9223372036854775807", 'i', "9223372036854775807"},
    {"9223372036854775808", 'b', "9223372036854775808"},
    {"1e18", 'i', "1000000000000000000"},
    {"1e19", 'b', "10000000000000000000"},
    {"10bn", 'i', "10000000000"},
    {"123456789012345678901234567890", 'b', "123456789012345678901234567890"},
    {"0.1234567890123456789012345", 'r', "0.1234567890123456789012345"},
    {"1e-30", 'r', "0.000000000000000000000000000001"},
};

static const char *MALFORMED[] = {
    "",    "1e",   "1.",  ".5",  "1__0", "1_",  "_1",  "1x",    "1kk",  "1b",   "e5",  "1e+",
    "1.e5", "1M%", "0x10", "1 000", "1e5.5", "inf", "nan", "1,5", "1.5.2", "1e1_0", "-1", "+1",
    " 1",  "1 ",   "1K",  "1m",  "1B",   "1bn%", "%",   "1e-",   "1._5", "1_.5",
};

START_TEST(test_literals) {
  for (size_t i = 0; i < sizeof LITERALS / sizeof LITERALS[0]; i++) {
    Value v;
    ck_assert_msg(num_parse_literal(I, LITERALS[i].text, &v), "refused %s", LITERALS[i].text);
    check_value(v, LITERALS[i].kind, LITERALS[i].want, LITERALS[i].text);
  }
  /* 12% is 3/25, 0.5% is 1/200 */
  Value v;
  ck_assert(num_parse_literal(I, "12%", &v) && num_eq(v, N("3/25")));
  ck_assert(num_parse_literal(I, "0.5%", &v) && num_eq(v, N("1/200")));
  for (size_t i = 0; i < sizeof MALFORMED / sizeof MALFORMED[0]; i++)
    ck_assert_msg(!num_parse_literal(I, MALFORMED[i], &v), "accepted '%s'", MALFORMED[i]);
}
END_TEST

START_TEST(test_parse) {
  static const struct {
    const char *text;
    char kind;
    const char *want;
  } ok[] = {
      {" -2.5 ", 'r', "-2.5"},     {"+12%", 'r', "0.12"},
      {"-0", 'i', "0"},            {"\t400k\n", 'i', "400000"},
      {"-9223372036854775808", 'i', "-9223372036854775808"},
      {"-9223372036854775809", 'b', "-9223372036854775809"},
      {"-1/3", 'r', "-1/3"}, /* via N: a quotient */
  };
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
    check_value(N(ok[i].text), ok[i].kind, ok[i].want, ok[i].text);
  static const char *bad[] = {"", "  ", "--1", "- 1", "+-1", "inf", "-inf", "nan", "1 2", "1e", "abc", "0.1.2"};
  Value v;
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    ck_assert_msg(!num_parse(I, bad[i], &v), "accepted '%s'", bad[i]);
}
END_TEST

/* Literals are built from their digits, never through a double: they
 * agree with GMP reading the same digits as a fraction. */
START_TEST(test_literal_exactness_loop) {
  srand(12345);
  mpq_t q;
  mpq_init(q);
  for (int t = 0; t < 500; t++) {
    char text[64], frac[64];
    int nint = 1 + rand() % 12, nfrac = rand() % 12, p = 0;
    for (int i = 0; i < nint; i++) text[p++] = (char)('0' + rand() % 10);
    int f = 0;
    for (int i = 0; i < nfrac; i++) frac[f++] = (char)('0' + rand() % 10);
    frac[f] = '\0';
    text[p] = '\0';
    char lit[160], gmp[160];
    snprintf(lit, sizeof lit, "%s%s%s", text, nfrac ? "." : "", frac);
    char den[32] = "1";
    for (int i = 0; i < nfrac; i++) den[i + 1] = '0';
    den[nfrac + 1] = '\0';
    snprintf(gmp, sizeof gmp, "%s%s/%s", text, frac, den);
    mpq_set_str(q, gmp, 10);
    mpq_canonicalize(q);
    Value v;
    ck_assert_msg(num_parse_literal(I, lit, &v), "refused %s", lit);
    Value want = num_from_mpq(I, q);
    ck_assert_msg(num_eq(v, want) && K(v) == K(want), "%s: got %s", lit, P(v));
  }
  mpq_clear(q);
}
END_TEST

/* ---- printing ---------------------------------------------------------- */

START_TEST(test_format_doubles) {
  static const struct {
    double d;
    const char *want;
  } t[] = {
      {0.1, "0.1"},
      {2.0, "2.0"},
      {-2.0, "-2.0"},
      {0.0, "0.0"},
      {-0.0, "-0.0"},
      {1e300, "1e+300"},
      {1e-300, "1e-300"},
      {100.0, "100.0"},
      {123.456, "123.456"},
      {1e15, "1000000000000000.0"},
      {1e16, "1e+16"},
      {1.5e-7, "1.5e-07"},
      {0.0001, "0.0001"},
      {0.00001, "1e-05"},
      {5e-324, "5e-324"},
      {DBL_MAX, "1.7976931348623157e+308"},
      {1.0 / 3.0, "0.3333333333333333"},
      {0.1 + 0.2, "0.30000000000000004"},
      {9007199254740993.0, "9007199254740992.0"},
      {INFINITY, "inf"},
      {-INFINITY, "-inf"},
      {NAN, "nan"},
  };
  for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
    check_value(FLOAT_VAL(t[i].d), 'f', t[i].want, t[i].want);
}
END_TEST

/* Every printed double reads back as the same double and shows that it is
 * inexact. */
START_TEST(test_format_roundtrip_loop) {
  srand(777);
  for (int t = 0; t < 20000; t++) {
    uint64_t bits = ((uint64_t)rand() << 42) ^ ((uint64_t)rand() << 21) ^ (uint64_t)rand();
    double d;
    memcpy(&d, &bits, sizeof d);
    if (!isfinite(d)) continue;
    const char *s = P(FLOAT_VAL(d));
    ck_assert_msg(strtod(s, NULL) == d, "%s does not round-trip (%a)", s, d);
    ck_assert_msg(strchr(s, '.') || strchr(s, 'e'), "%s does not look inexact", s);
    /* significant digits: from the first to the last nonzero one */
    int first = -1, last = -1, pos = 0;
    for (const char *p = s; *p && *p != 'e'; p++) {
      if (*p < '0' || *p > '9') continue;
      if (*p != '0') {
        if (first < 0) first = pos;
        last = pos;
      }
      pos++;
    }
    ck_assert_msg(first < 0 || last - first < 17, "%s too long", s);
  }
}
END_TEST

START_TEST(test_format_exact) {
  static const struct {
    const char *x, *want;
  } t[] = {
      {"-42", "-42"},
      {"2500000", "2500000"},
      {"5/2", "2.5"},
      {"1/8", "0.125"},
      {"-3/100", "-0.03"},
      {"1/1024", "0.0009765625"},
      {"1/3", "1/3"},
      {"-1/3", "-1/3"},
      {"1/7", "1/7"},
      {"1/6", "1/6"},
      {"7/20", "0.35"},
      {"123456789/1000", "123456.789"},
      {"-1/1180591620717411303424", "-0.000000000000000000000847032947254300339068322500679641962051391601"
                                   "5625"},
      {"1/18446744073709551617", "1/18446744073709551617"},
  };
  for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
    Value v = N(t[i].x);
    ck_assert_msg(!strcmp(P(v), t[i].want), "%s: got %s want %s", t[i].x, P(v), t[i].want);
  }
}
END_TEST

/* ---- rounding ---------------------------------------------------------- */

static const struct {
  const char *x;
  int64_t digits;
  RoundMode mode;
  char kind;
  const char *want;
} ROUNDS[] = {
    {"2.5", 0, ROUND_HALF_EVEN, 'i', "2"},
    {"3.5", 0, ROUND_HALF_EVEN, 'i', "4"},
    {"-2.5", 0, ROUND_HALF_EVEN, 'i', "-2"},
    {"-3.5", 0, ROUND_HALF_EVEN, 'i', "-4"},
    {"2.51", 0, ROUND_HALF_EVEN, 'i', "3"},
    {"-2.49", 0, ROUND_HALF_EVEN, 'i', "-2"},
    {"0.125", 2, ROUND_HALF_EVEN, 'r', "0.12"},
    {"0.375", 2, ROUND_HALF_EVEN, 'r', "0.38"},
    {"~2.675", 2, ROUND_HALF_EVEN, 'r', "2.67"},
    {"~0.5", 0, ROUND_HALF_EVEN, 'i', "0"},
    {"~1.5", 0, ROUND_HALF_EVEN, 'i', "2"},
    {"~-0.5", 0, ROUND_HALF_EVEN, 'i', "0"},
    {"~2", 0, ROUND_HALF_EVEN, 'i', "2"},
    {"~1e20", 0, ROUND_HALF_EVEN, 'b', "100000000000000000000"},
    {"~1e20", -19, ROUND_HALF_EVEN, 'b', "100000000000000000000"},
    {"~0.1", 30, ROUND_HALF_EVEN, 'r', "0.100000000000000005551115123126"},
    {"~0.1", 2000, ROUND_HALF_EVEN, 'r', "0.1000000000000000055511151231257827021181583404541015625"},
    {"~0.1", 200000, ROUND_HALF_EVEN, 'r', "0.1000000000000000055511151231257827021181583404541015625"},
    {"1/3", 3, ROUND_HALF_EVEN, 'r', "0.333"},
    {"2/3", 3, ROUND_HALF_EVEN, 'r', "0.667"},
    {"1234", -2, ROUND_HALF_EVEN, 'i', "1200"},
    {"1250", -2, ROUND_HALF_EVEN, 'i', "1200"},
    {"1350", -2, ROUND_HALF_EVEN, 'i', "1400"},
    {"-1250", -2, ROUND_HALF_EVEN, 'i', "-1200"},
    {"1234", 0, ROUND_HALF_EVEN, 'i', "1234"},
    {"1234", 5, ROUND_FLOOR, 'i', "1234"},
    {"5", -200000, ROUND_HALF_EVEN, 'i', "0"},
    {"-5", -200000, ROUND_CEIL, 'i', "0"},
    {"5", -200000, ROUND_FLOOR, 'i', "0"},
    {"18446744073709551616", -10, ROUND_HALF_EVEN, 'b', "18446744070000000000"},
    {"-2.5", 0, ROUND_FLOOR, 'i', "-3"},
    {"-2.5", 0, ROUND_CEIL, 'i', "-2"},
    {"-2.5", 0, ROUND_TRUNC, 'i', "-2"},
    {"2.5", 0, ROUND_FLOOR, 'i', "2"},
    {"2.5", 0, ROUND_CEIL, 'i', "3"},
    {"2.7", 0, ROUND_TRUNC, 'i', "2"},
    {"-1/3", 2, ROUND_FLOOR, 'r', "-0.34"},
    {"-1/3", 2, ROUND_CEIL, 'r', "-0.33"},
    {"-1/3", 2, ROUND_TRUNC, 'r', "-0.33"},
    {"~-2.7", 0, ROUND_TRUNC, 'i', "-2"},
    {"~-0.5", 0, ROUND_FLOOR, 'i', "-1"},
    {"~-0.5", 0, ROUND_CEIL, 'i', "0"},
    {"-1234", -2, ROUND_FLOOR, 'i', "-1300"},
    {"-1234", -2, ROUND_CEIL, 'i', "-1200"},
    {"~-1234.5", -1, ROUND_TRUNC, 'i', "-1230"},
};

START_TEST(test_round_table) {
  for (size_t i = 0; i < sizeof ROUNDS / sizeof ROUNDS[0]; i++) {
    char what[128];
    snprintf(what, sizeof what, "round(%s, %lld, mode %d)", ROUNDS[i].x, (long long)ROUNDS[i].digits,
             (int)ROUNDS[i].mode);
    Value v = num_round(I, N(ROUNDS[i].x), ROUNDS[i].digits, ROUNDS[i].mode);
    ck_assert_msg(num_is_exact(v), "%s is inexact", what);
    check_value(v, ROUNDS[i].kind, ROUNDS[i].want, what);
  }
}
END_TEST

/* The reference for rounding, computed independently with GMP: r = x
 * rounded to `digits` decimals by `mode` (scale, then round by comparing
 * with the floor). */
void check_ref_round(mpq_ptr r, mpq_srcptr x, int digits, RoundMode mode) {
  mpz_t p, n;
  mpq_t fl;
  mpz_inits(p, n, NULL);
  mpq_init(fl);
  mpz_ui_pow_ui(p, 10, (unsigned long)abs(digits));
  mpq_set(r, x);
  if (digits >= 0) mpz_mul(mpq_numref(r), mpq_numref(r), p);
  else mpz_mul(mpq_denref(r), mpq_denref(r), p);
  mpq_canonicalize(r);
  mpz_fdiv_q(n, mpq_numref(r), mpq_denref(r));
  mpq_set_z(fl, n);
  mpq_sub(fl, r, fl); /* 0 <= r - floor(r) < 1 */
  if (mpq_sgn(fl) != 0) {
    int c = mpq_cmp_ui(fl, 1, 2);
    if (mode == ROUND_CEIL || (mode == ROUND_TRUNC && mpq_sgn(r) < 0) ||
        (mode == ROUND_HALF_EVEN && (c > 0 || (c == 0 && mpz_odd_p(n)))))
      mpz_add_ui(n, n, 1);
  }
  mpq_set_z(r, n);
  if (digits >= 0) mpz_mul(mpq_denref(r), mpq_denref(r), p);
  else mpz_mul(mpq_numref(r), mpq_numref(r), p);
  mpq_canonicalize(r);
  mpz_clears(p, n, NULL);
  mpq_clear(fl);
}

/* Rounding agrees with the reference. */
START_TEST(test_round_loop) {
  srand(4242);
  mpq_t q, s;
  mpq_inits(q, s, NULL);
  for (int t = 0; t < 2000; t++) {
    long num = (long)(rand() % 2000001) - 1000000, den = 1 + rand() % 1000;
    int digits = rand() % 7 - 3;
    RoundMode mode = (RoundMode)(rand() % 4);
    mpq_set_si(q, num, (unsigned long)den);
    mpq_canonicalize(q);
    Value x = num_from_mpq(I, q);
    Value v = num_round(I, x, digits, mode);
    check_ref_round(s, q, digits, mode);
    Value want = num_from_mpq(I, s);
    ck_assert_msg(num_eq(v, want), "round(%ld/%ld, %d, %d): got %s", num, den, digits, (int)mode,
                  P(v));
  }
  mpq_clears(q, s, NULL);
}
END_TEST

/* ---- exact and inexact ------------------------------------------------- */

START_TEST(test_exact_inexact) {
  Value e = num_exact(I, FLOAT_VAL(0.1));
  check_value(e, 'r', "0.1000000000000000055511151231257827021181583404541015625", "exact(0.1)");
  ck_assert(num_eq(e, N("3602879701896397/36028797018963968")));
  ck_assert(!num_eq(e, N("1/10")));
  Value back = num_inexact(I, e);
  ck_assert(IS_FLOAT(back) && back.as.d == 0.1);
  Value tenth = num_inexact(I, N("1/10"));
  ck_assert(IS_FLOAT(tenth) && tenth.as.d == 0.1);
  ck_assert(num_to_double(N("1/3")) == 1.0 / 3.0);
  ck_assert(num_to_double(N("2/3")) == 2.0 / 3.0);
  check_value(num_exact(I, FLOAT_VAL(2.0)), 'i', "2", "exact(2.0)");
  check_value(num_exact(I, FLOAT_VAL(-0.0)), 'i', "0", "exact(-0.0)");
  check_value(num_exact(I, FLOAT_VAL(1e20)), 'b', "100000000000000000000", "exact(1e20)");
  check_value(num_exact(I, FLOAT_VAL(-9223372036854775808.0)), 'i', "-9223372036854775808", "exact(-2^63)");
  check_value(num_exact(I, FLOAT_VAL(9223372036854775808.0)), 'b', "9223372036854775808", "exact(2^63)");
  check_value(num_exact(I, N("1/3")), 'r', "1/3", "exact(1/3)");
  check_value(num_inexact(I, INT_VAL(2)), 'f', "2.0", "inexact(2)");
  check_value(num_inexact(I, N("18446744073709551617")), 'f', "1.8446744073709552e+19", "inexact(2^64+1)");
  int64_t i64;
  ck_assert(num_to_int64(INT_VAL(-7), &i64) && i64 == -7);
  ck_assert(!num_to_int64(N("9223372036854775808"), &i64));
  ck_assert(!num_to_int64(N("1/2"), &i64));
  ck_assert(!num_to_int64(FLOAT_VAL(3.0), &i64));
}
END_TEST

/* exact then inexact gives back every finite double. */
START_TEST(test_exact_roundtrip_loop) {
  srand(99);
  for (int t = 0; t < 20000; t++) {
    uint64_t bits = ((uint64_t)rand() << 42) ^ ((uint64_t)rand() << 21) ^ (uint64_t)rand();
    double d;
    memcpy(&d, &bits, sizeof d);
    if (!isfinite(d)) continue;
    Value e = num_exact(I, FLOAT_VAL(d));
    ck_assert(num_is_exact(e));
    ck_assert(num_eq(e, FLOAT_VAL(d)));
    double back = num_to_double(e);
    ck_assert_msg((back == d && signbit(back) == signbit(d)) || (d == 0 && back == 0),
                  "%a came back as %a", d, back);
  }
}
END_TEST

/* inexact() of an exact decimal is correctly rounded: it matches strtod
 * (correctly rounded in glibc) on the same digits, subnormals and
 * overflow included. */
START_TEST(test_inexact_rounding_loop) {
  srand(2024);
  for (int t = 0; t < 5000; t++) {
    char text[80];
    int p = 0, nd = 1 + rand() % 25;
    text[p++] = (char)('1' + rand() % 9);
    for (int i = 1; i < nd; i++) text[p++] = (char)('0' + rand() % 10);
    int ex = rand() % 660 - 340;
    snprintf(text + p, sizeof text - (size_t)p, "e%d", ex);
    Value v;
    ck_assert_msg(num_parse_literal(I, text, &v), "refused %s", text);
    double want = strtod(text, NULL), got = num_to_double(v);
    ck_assert_msg(got == want, "%s: got %a want %a", text, got, want);
  }
  /* halfway cases between doubles: ties to even */
  static const char *ties[] = {"9007199254740993", "9007199254740995", "18014398509481986",
                               "4.9406564584124654e-324", "2.4703282292062327e-324",
                               "2.4703282292062328e-324", "1.7976931348623158e308",
                               "1.7976931348623157e308", "179769313486231580793728971405301e276"};
  for (size_t i = 0; i < sizeof ties / sizeof ties[0]; i++) {
    Value v;
    ck_assert(num_parse_literal(I, ties[i], &v));
    ck_assert_msg(num_to_double(v) == strtod(ties[i], NULL), "%s", ties[i]);
  }
  ck_assert(num_to_double(num_neg(I, N("1/3"))) == -1.0 / 3.0);
}
END_TEST

/* ---- comparison and hashing ------------------------------------------- */

static const struct {
  const char *a, *b;
  int want;
} CMPS[] = {
    {"1/3", "~1/3", 1}, /* the double 1/3 is a little below 1/3 */
    {"1", "~1", 0},
    {"~0.1", "1/10", 1},
    {"0.1", "~0.1", -1},
    {"~0.5", "1/2", 0},
    {"1", "2", -1},
    {"9223372036854775808", "~9223372036854775808", 0},
    {"9223372036854775807", "~9223372036854775808", -1},
    {"9007199254740993", "~9007199254740992", 1},
    {"-9007199254740993", "~-9007199254740992", -1},
    {"1000000000000000000000000000000", "~inf", -1},
    {"~-inf", "-1000000000000000000000000000000", -1},
    {"~inf", "~inf", 0},
    {"1/3", "1/2", -1},
    {"1/3", "0", 1},
    {"-1/3", "-9223372036854775809", 1},
    {"18446744073709551616", "18446744073709551617", -1},
    {"-18446744073709551616", "5", -1},
    {"5", "18446744073709551616", -1},
    {"18446744073709551617/2", "18446744073709551616", -1},
    {"18446744073709551617/2", "9223372036854775808", 1},
    {"~0", "~-0", 0},
    {"0", "~-0", 0},
    {"~nan", "1", 2},
    {"1", "~nan", 2},
    {"~nan", "~nan", 2},
    {"1/3", "~nan", 2},
    {"~nan", "~inf", 2},
};

START_TEST(test_compare_table) {
  for (size_t i = 0; i < sizeof CMPS / sizeof CMPS[0]; i++) {
    Value a = N(CMPS[i].a), b = N(CMPS[i].b);
    int c = num_cmp(I, a, b), r = num_cmp(I, b, a);
    ck_assert_msg(c == CMPS[i].want, "cmp(%s, %s) = %d, want %d", CMPS[i].a, CMPS[i].b, c, CMPS[i].want);
    ck_assert_msg(r == (c == 2 ? 2 : -c), "cmp(%s, %s) not antisymmetric", CMPS[i].b, CMPS[i].a);
    ck_assert_msg(num_eq(a, b) == (c == 0), "eq(%s, %s) disagrees with cmp", CMPS[i].a, CMPS[i].b);
  }
  ck_assert(!num_eq(NIL_VAL, INT_VAL(0)));
  ck_assert(!num_eq(BOOL_VAL(true), INT_VAL(1)));
}
END_TEST

START_TEST(test_hash_equal_numbers) {
  static const char *pairs[][2] = {
      {"1", "~1"},
      {"0", "~-0"},
      {"0", "~0"},
      {"-5", "~-5"},
      {"9223372036854775808", "~9223372036854775808"},
      {"-9223372036854775808", "~-9223372036854775808"},
      {"1180591620717411303424", "~1180591620717411303424"},
      {"1/2", "~0.5"},
      {"3/4", "~0.75"},
      {"-1/1024", "~-0.0009765625"},
      {"4000000000", "~4e9"},
      {"6/3", "2"},
  };
  for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
    Value a = N(pairs[i][0]), b = N(pairs[i][1]);
    ck_assert_msg(num_eq(a, b), "%s != %s", pairs[i][0], pairs[i][1]);
    ck_assert_msg(num_hash(a) == num_hash(b), "hash(%s) != hash(%s)", pairs[i][0], pairs[i][1]);
  }
  /* exact(d) == d for random doubles, so their hashes agree */
  srand(5);
  for (int t = 0; t < 5000; t++) {
    uint64_t bits = ((uint64_t)rand() << 42) ^ ((uint64_t)rand() << 21) ^ (uint64_t)rand();
    double d;
    memcpy(&d, &bits, sizeof d);
    if (!isfinite(d)) continue;
    ck_assert(num_hash(num_exact(I, FLOAT_VAL(d))) == num_hash(FLOAT_VAL(d)));
  }
  for (int64_t k = -1000; k <= 1000; k++)
    ck_assert(num_hash(INT_VAL(k)) == num_hash(FLOAT_VAL((double)k)));
  /* not all the same */
  ck_assert(num_hash(INT_VAL(1)) != num_hash(INT_VAL(2)));
}
END_TEST

START_TEST(test_predicates) {
  ck_assert(num_is(INT_VAL(1)) && num_is(FLOAT_VAL(1)) && num_is(N("1/2")) && num_is(N("1e30")));
  ck_assert(!num_is(NIL_VAL) && !num_is(BOOL_VAL(true)));
  ck_assert(num_is_exact(INT_VAL(1)) && num_is_exact(N("1/2")) && num_is_exact(N("1e30")));
  ck_assert(!num_is_exact(FLOAT_VAL(1)));
  ck_assert(num_is_integer(INT_VAL(1)) && num_is_integer(N("1e30")) && num_is_integer(FLOAT_VAL(3.0)));
  ck_assert(!num_is_integer(N("1/2")) && !num_is_integer(FLOAT_VAL(0.5)));
  ck_assert(!num_is_integer(FLOAT_VAL(INFINITY)) && !num_is_integer(FLOAT_VAL(NAN)));
}
END_TEST

/* ---- errors and the digit guard --------------------------------------- */

START_TEST(test_errors) {
  Value big = N("18446744073709551616");
  struct {
    Job job;
    const char *want;
    const char *what;
  } t[] = {
      {{.kind = J_OP, .op = '/', .a = INT_VAL(1), .b = INT_VAL(0)}, "division by zero", "1/0"},
      {{.kind = J_OP, .op = '/', .a = N("1/3"), .b = INT_VAL(0)}, "division by zero", "(1/3)/0"},
      {{.kind = J_OP, .op = '/', .a = big, .b = INT_VAL(0)}, "division by zero", "2^64/0"},
      {{.kind = J_OP, .op = '%', .a = INT_VAL(1), .b = INT_VAL(0)}, "division by zero", "1 mod 0"},
      {{.kind = J_OP, .op = '%', .a = N("1/3"), .b = INT_VAL(0)}, "division by zero", "1/3 mod 0"},
      {{.kind = J_OP, .op = '%', .a = big, .b = INT_VAL(0)}, "division by zero", "2^64 mod 0"},
      {{.kind = J_OP, .op = '^', .a = INT_VAL(0), .b = INT_VAL(-1)}, "division by zero", "0^-1"},
      {{.kind = J_OP, .op = '^', .a = INT_VAL(0), .b = N("-100000000000000000000")}, "division by zero",
       "0^-10^20"},
      {{.kind = J_OP, .op = '^', .a = INT_VAL(2), .b = INT_VAL(10000000)},
       "exact result of '^' would have more than 100000 digits; use inexact() or round()", "2^(10^7)"},
      {{.kind = J_OP, .op = '^', .a = INT_VAL(2), .b = big}, "digits", "2^(2^64)"},
      {{.kind = J_OP, .op = '^', .a = N("1/2"), .b = INT_VAL(-10000000)}, "digits", "(1/2)^-(10^7)"},
      {{.kind = J_OP, .op = '^', .a = N("-2/3"), .b = INT_VAL(INT64_MIN)}, "digits", "(-2/3)^INT64_MIN"},
      {{.kind = J_OP, .op = '^', .a = INT_VAL(10), .b = INT_VAL(100001)}, "digits", "10^100001"},
      {{.kind = J_OP, .op = '^', .a = INT_VAL(3), .b = INT_VAL(INT64_MAX)}, "digits", "3^INT64_MAX"},
      {{.kind = J_OP, .op = '+', .a = NIL_VAL, .b = INT_VAL(1)}, "expected a number", "nil + 1"},
      {{.kind = J_OP, .op = '*', .a = INT_VAL(1), .b = BOOL_VAL(true)}, "expected a number", "1 * true"},
      {{.kind = J_CMP, .a = INT_VAL(1), .b = NIL_VAL}, "expected a number", "cmp(1, nil)"},
      {{.kind = J_NEG, .a = NIL_VAL}, "expected a number", "-nil"},
      {{.kind = J_LITERAL, .text = "1e999999999"}, "digits", "1e999999999"},
      {{.kind = J_LITERAL, .text = "1e-999999999"}, "digits", "1e-999999999"},
      {{.kind = J_LITERAL, .text = "1e99999999999999999999999999"}, "digits", "1e(huge)"},
      {{.kind = J_LITERAL, .text = "1e100000"}, "digits", "1e100000"},
      {{.kind = J_PARSE, .text = "-1e999999999"}, "digits", "parse -1e999999999"},
      {{.kind = J_ROUND, .a = FLOAT_VAL(INFINITY)}, "cannot round inf", "round(inf)"},
      {{.kind = J_ROUND, .a = FLOAT_VAL(-INFINITY), .mode = ROUND_FLOOR}, "cannot round -inf", "floor(-inf)"},
      {{.kind = J_ROUND, .a = FLOAT_VAL(NAN)}, "cannot round nan", "round(nan)"},
      {{.kind = J_ROUND, .a = N("1/3"), .digits = 200000}, "digits", "round(1/3, 200000)"},
      {{.kind = J_ROUND, .a = INT_VAL(-5), .digits = -200000, .mode = ROUND_FLOOR}, "digits",
       "floor(-5, -200000)"},
      {{.kind = J_ROUND, .a = INT_VAL(5), .digits = INT64_MIN, .mode = ROUND_CEIL}, "digits",
       "ceil(5, INT64_MIN)"},
      {{.kind = J_EXACT, .a = FLOAT_VAL(INFINITY)}, "cannot make inf exact", "exact(inf)"},
      {{.kind = J_EXACT, .a = FLOAT_VAL(NAN)}, "cannot make nan exact", "exact(nan)"},
  };
  for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) expect_error(t[i].job, t[i].want, t[i].what);
}
END_TEST

/* Exact + - * / over a mix of int64s, one-limb and many-limb bigints and
 * rationals (big denominators divisible by small ones, powers of two up to
 * 2^63, 2^64-1, both signs) agree with GMP and come out canonical. */
static Value Q(const char *num, const char *den) {
  Value n, d;
  ck_assert(num_parse(I, num, &n) && num_parse(I, den, &d));
  return num_div(I, n, d);
}

START_TEST(test_rational_arith_loop) {
  Value vals[64];
  size_t nv = 0;
  static const char *ints[] = {"0", "1", "-1", "2", "-3", "12", "3037000500", "-9223372036854775808",
                               "9223372036854775807", "18446744073709551615", "-18446744073709551615",
                               "18446744073709551616", "-1180591620717411303424"};
  for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) vals[nv++] = N(ints[i]);
  static const char *fracs[][2] = {
      {"1", "2"}, {"-3", "4"}, {"5", "6"}, {"1", "4999"}, {"-1", "5000"}, {"7", "9223372036854775808"},
      {"1", "18446744073709551615"}, {"-18446744073709551615", "7"}, {"18446744073709551615", "9223372036854775808"},
      {"1", "9223372036854775807"}, {"3", "1180591620717411303424"}, {"-5", "340282366920938463463374607431768211457"},
      {"123456789012345678901234567890", "7"}, {"7", "123456789012345678901234567891"}};
  for (size_t i = 0; i < sizeof fracs / sizeof fracs[0]; i++) vals[nv++] = Q(fracs[i][0], fracs[i][1]);
  /* partial harmonic sums (denominators rich in small factors), and
   * some with 2^63, 2^64-1 or a big power of two in the denominator */
  Value h = INT_VAL(0);
  for (int k = 1; k <= 90; k++) {
    h = num_add(I, h, num_div(I, INT_VAL(1), INT_VAL(k)));
    if (k == 20 || k == 45 || k == 90) {
      vals[nv++] = h;
      vals[nv++] = num_neg(I, h);
    }
  }
  Value p63 = N("9223372036854775808"), m64 = N("18446744073709551615");
  vals[nv++] = num_div(I, h, p63);
  vals[nv++] = num_div(I, num_neg(I, h), m64);
  vals[nv++] = num_div(I, num_add(I, h, INT_VAL(1)), num_mul(I, p63, m64));
  vals[nv++] = num_div(I, INT_VAL(-5), num_pow(I, INT_VAL(2), INT_VAL(200)));
  vals[nv++] = num_div(I, num_pow(I, INT_VAL(3), INT_VAL(100)), num_pow(I, INT_VAL(2), INT_VAL(130)));
  vals[nv++] = num_div(I, num_pow(I, INT_VAL(10), INT_VAL(40)), num_mul(I, num_pow(I, INT_VAL(7), INT_VAL(40)), INT_VAL(3)));
  ck_assert(nv <= sizeof vals / sizeof vals[0]);

  mpq_t x, y, want, got;
  mpq_inits(x, y, want, got, NULL);
  for (size_t i = 0; i < nv; i++)
    for (size_t j = 0; j < nv; j++) {
      num_get_mpq(vals[i], x);
      num_get_mpq(vals[j], y);
      for (const char *op = "+-*/"; *op; op++) {
        if (*op == '/' && mpq_sgn(y) == 0) continue;
        Value v = apply(*op, vals[i], vals[j]);
        if (*op == '+') mpq_add(want, x, y);
        if (*op == '-') mpq_sub(want, x, y);
        if (*op == '*') mpq_mul(want, x, y);
        if (*op == '/') mpq_div(want, x, y);
        Value w = num_from_mpq(I, want);
        ck_assert_msg(num_is_exact(v) && K(v) == K(w), "%s %c %s: got %s (%c) want %s (%c)",
                      P(vals[i]), *op, P(vals[j]), P(v), K(v), P(w), K(w));
        num_get_mpq(v, got); /* mpq_equal needs both canonical: catches an unreduced result */
        ck_assert_msg(mpq_equal(got, want), "%s %c %s: got %s want %s", P(vals[i]), *op,
                      P(vals[j]), P(v), P(w));
        if (IS_RATIONAL(v)) {
          mpq_srcptr q = AS_RATIONAL(v)->q;
          ck_assert(mpz_cmp_ui(mpq_denref(q), 1) > 0);
        }
      }
    }

  /* a/b + 1/3 with 3 | b where the sum's middle limb is all ones and takes
   * a carry: b/3 = 2^128 + 2^64 - 1, a = a2*2^128 + (2^64 - 1)*2^64 + 1 */
  mpz_t bq, an;
  mpz_inits(bq, an, NULL);
  mpz_set_ui(bq, 1);
  mpz_mul_2exp(bq, bq, 128);
  mpz_add_ui(bq, bq, UINT64_MAX);
  for (unsigned long a2 = 5;; a2++) {
    mpz_set_ui(an, a2);
    mpz_mul_2exp(an, an, 64);
    mpz_add_ui(an, an, UINT64_MAX);
    mpz_mul_2exp(an, an, 64);
    mpz_add_ui(an, an, 1);
    mpz_gcd(mpq_numref(x), an, bq);
    if (mpz_cmp_ui(mpq_numref(x), 1) == 0 && mpz_fdiv_ui(an, 3) != 0) break;
  }
  mpz_mul_ui(bq, bq, 3);
  for (int sign = 1; sign >= -1; sign -= 2) {
    mpz_set(mpq_numref(x), an);
    if (sign < 0) mpz_neg(mpq_numref(x), mpq_numref(x));
    mpz_set(mpq_denref(x), bq);
    mpq_set_si(y, sign, 3);
    mpq_add(want, x, y);
    Value v = num_add(I, num_from_mpq(I, x), num_from_mpq(I, y));
    num_get_mpq(v, got);
    ck_assert_msg(mpq_equal(got, want), "carry through an all-ones limb (sign %d): got %s", sign, P(v));
  }
  mpz_clears(bq, an, NULL);

  /* running sums of +-c/k, as in the harmonic benchmark, against GMP */
  mpq_set_ui(want, 0, 1);
  Value acc = INT_VAL(0);
  uint64_t seed = 12345;
  for (int k = 1; k <= 700; k++) {
    seed = seed * 6364136223846793005u + 1442695040888963407u;
    int64_t c = (seed >> 60) % 4 == 0 ? -1 : (int64_t)(seed >> 61) + 1; /* -1, 1..8 */
    int64_t den = (seed >> 33) % 3 == 0 ? k : (int64_t)(k % 64 + 1) * (k % 5 + 1);
    Value t = num_div(I, INT_VAL(c), INT_VAL(den));
    bool sub = (seed >> 20) & 1, flip = (seed >> 21) & 1;
    mpq_set_si(x, c, (unsigned long)den);
    mpq_canonicalize(x);
    if (flip) { /* t +- acc instead of acc +- t */
      acc = sub ? num_sub(I, t, acc) : num_add(I, t, acc);
      if (sub) mpq_sub(want, x, want);
      else mpq_add(want, x, want);
    } else {
      acc = sub ? num_sub(I, acc, t) : num_add(I, acc, t);
      if (sub) mpq_sub(want, want, x);
      else mpq_add(want, want, x);
    }
    num_get_mpq(acc, got);
    ck_assert_msg(mpq_equal(got, want), "running sum step %d", k);
    ck_assert_msg(K(acc) == K(num_from_mpq(I, want)), "running sum step %d: kind %c", k, K(acc));
  }
  mpq_clears(x, y, want, got, NULL);
}
END_TEST

/* Results just under the limit are built; the operation that would cross
 * it is refused, naming the operator. */
START_TEST(test_digit_guard) {
  Value x = num_pow(I, INT_VAL(10), INT_VAL(60000)); /* 60001 digits */
  ck_assert(IS_BIGINT(x));
  expect_error((Job){.kind = J_OP, .op = '*', .a = x, .b = x}, "exact result of '*'", "x*x");
  expect_error((Job){.kind = J_OP, .op = '^', .a = x, .b = INT_VAL(2)}, "exact result of '^'", "x^2");
  Value y = num_pow(I, INT_VAL(10), INT_VAL(99990));
  Value z = num_mul(I, y, INT_VAL(9));
  ck_assert(num_cmp(I, z, y) == 1);
  Value inv = num_div(I, INT_VAL(1), x); /* den of 60001 digits */
  expect_error((Job){.kind = J_OP, .op = '/', .a = inv, .b = x}, "exact result of '/'", "inv/x");
  expect_error((Job){.kind = J_OP, .op = '+', .a = inv, .b = num_div(I, INT_VAL(1), num_add(I, x, INT_VAL(1)))},
               "exact result of '+'", "inv+inv'");
  /* inexact is not guarded */
  Value f = num_pow(I, FLOAT_VAL(2), INT_VAL(10000000));
  ck_assert(IS_FLOAT(f) && isinf(f.as.d));
  /* (11/10)^30 is exact; 2^300000 (90309 digits) is allowed */
  Value p = num_pow(I, N("11/10"), INT_VAL(30));
  ck_assert(IS_RATIONAL(p));
  ck_assert(IS_BIGINT(num_pow(I, INT_VAL(2), INT_VAL(300000))));
  /* the limit is a setting */
  I->max_digits = 20;
  ck_assert(IS_INT(num_pow(I, INT_VAL(10), INT_VAL(18))));
  expect_error((Job){.kind = J_OP, .op = '^', .a = INT_VAL(10), .b = INT_VAL(25)},
               "more than 20 digits", "10^25 with max 20");
  expect_error((Job){.kind = J_LITERAL, .text = "1e25"}, "more than 20 digits", "1e25 with max 20");
  Value v;
  ck_assert(num_parse_literal(I, "1e15", &v));
}
END_TEST

Suite *num_suite(void) {
  Suite *s = suite_create("num");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_arith_table);
  tcase_add_test(tc, test_one_third_times_three);
  tcase_add_test(tc, test_point_one_plus_point_two);
  tcase_add_test(tc, test_overflow_loop);
  tcase_add_test(tc, test_rational_arith_loop);
  tcase_add_test(tc, test_neg_abs);
  tcase_add_test(tc, test_literals);
  tcase_add_test(tc, test_parse);
  tcase_add_test(tc, test_literal_exactness_loop);
  tcase_add_test(tc, test_format_doubles);
  tcase_add_test(tc, test_format_roundtrip_loop);
  tcase_add_test(tc, test_format_exact);
  tcase_add_test(tc, test_round_table);
  tcase_add_test(tc, test_round_loop);
  tcase_add_test(tc, test_exact_inexact);
  tcase_add_test(tc, test_exact_roundtrip_loop);
  tcase_add_test(tc, test_inexact_rounding_loop);
  tcase_add_test(tc, test_compare_table);
  tcase_add_test(tc, test_hash_equal_numbers);
  tcase_add_test(tc, test_predicates);
  tcase_add_test(tc, test_errors);
  tcase_add_test(tc, test_digit_guard);
  suite_add_tcase(s, tc);
  return s;
}
