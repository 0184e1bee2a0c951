/* format.c - numbers as people read them (format.h says which function
 * each output calls).  The exact form stays num_format's; this file only
 * decides how much of a number a reader needs and how to group its digits.
 *
 * Nothing here raises between taking memory and giving it back: num_format
 * and num_mul, which may raise, run before a scratch string is taken, and
 * the Buffer functions do not raise (memory.h), so an error in the middle
 * of a report leaks nothing. */
#include "format.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "memory.h"
#include "num.h"
#include "object.h"
#include "state.h"
#include "unit.h"

/* ---- digits ------------------------------------------------------------------- */

/* Append the number written in s (an optional '-', digits, an optional
 * fraction; nothing else) with its integer part grouped by three:
 * "-1234567.5" -> "-1,234,567.5".  `group` false leaves it as it is. */
static void put_grouped(Buffer *b, const char *s, bool group) {
  if (*s == '-') buf_putc(b, *s++);
  size_t n = strspn(s, "0123456789");
  for (size_t i = 0; i < n; i++) {
    buf_putc(b, s[i]);
    if (group && i + 1 < n && (n - i - 1) % 3 == 0) buf_putc(b, ',');
  }
  buf_puts(b, s + n);
}

/* Drop the trailing zeros of a fraction, and its point if nothing is left:
 * "12.500" -> "12.5", "10.000" -> "10". */
static void trim_fraction(char *s) {
  char *dot = strchr(s, '.');
  if (!dot || strpbrk(s, "eE")) return;
  char *end = s + strlen(s);
  while (end > dot + 1 && end[-1] == '0') end--;
  if (end == dot + 1) end = dot;
  *end = '\0';
}

/* The number of digits of the integer part of a (1 <= a < 1e15), taken
 * from its printed form so that it agrees with the rounding of printf. */
static int integer_digits(double a) {
  char t[32];
  snprintf(t, sizeof t, "%.0f", floor(a));
  return (int)strlen(t);
}

/* An estimate: see format.h.  printf rounds the double's exact value
 * correctly, so a carry (99,999.96 -> 100,000, 9.99996 -> 10) comes out
 * right; a money amount rounds to the cent and shows it only when there are
 * cents (1,250.50, not 1,250.5; 1,110,000, not 1,110,000.00). */
void format_estimate(Buffer *b, double d, bool money) {
  char t[64];
  double a = fabs(d);
  if (!isfinite(d)) {
    buf_puts(b, isnan(d) ? "nan" : d > 0 ? "inf" : "-inf");
    return;
  }
  if (a == 0) { /* -0.0 too: a reader has no use for the sign of zero */
    buf_putc(b, '0');
    return;
  }
  if (a >= 1e15 || a < (money ? 0.005 : 1e-4)) { /* a power of ten, never a wall of digits or a false 0 */
    snprintf(t, sizeof t, "%.*g", FORMAT_DIGITS, d);
    buf_puts(b, t);
    return;
  }
  if (money) {
    snprintf(t, sizeof t, "%.2f", d);
    size_t n = strlen(t);
    if (n >= 3 && strcmp(t + n - 3, ".00") == 0) t[n - 3] = '\0';
  } else if (a < 1) {
    snprintf(t, sizeof t, "%.*g", FORMAT_DIGITS, d); /* 0.33333; %g keeps to a point here (a >= 1e-4) */
  } else {
    int decimals = FORMAT_DIGITS - integer_digits(a);
    snprintf(t, sizeof t, "%.*f", decimals > 0 ? decimals : 0, d);
    trim_fraction(t);
  }
  put_grouped(b, t, true);
}

/* ---- numbers -------------------------------------------------------------------- */

/* Exact numbers whose decimals run past this are shown as estimates (the
 * exact value of a double has up to 1,074 of them); DEC_MAX_SCALE is the
 * most an inline exact decimal has. */
#define EXACT_MAX_DECIMALS DEC_MAX_SCALE

/* The exact value v (its unit unwritten) in people's form, or false when it has none
 * to show exactly (a fraction that does not terminate, or too many
 * decimals): then nothing is written. */
static bool put_exact(Interp *I, Buffer *b, Value v, bool money, unsigned flags) {
  size_t at = b->len;
  num_format(I, b, v);
  const char *dot = strchr(b->data + at, '.');
  size_t decimals = dot ? strlen(dot + 1) : 0;
  if (strchr(b->data + at, '/') || decimals > EXACT_MAX_DECIMALS) {
    b->len = at;
    b->data[at] = '\0';
    return false;
  }
  char *text = mem_realloc_raw(I, NULL, b->len - at + 1);
  memcpy(text, b->data + at, b->len - at + 1);
  b->len = at;
  b->data[at] = '\0';
  size_t digits = strspn(text + (*text == '-'), "0123456789");
  /* FORMAT_YEARS: a whole number of four digits with no unit may be a year */
  bool year = (flags & FORMAT_YEARS) && digits == 4 && !dot && v.unit == UNIT_NONE;
  put_grouped(b, text, digits >= 4 && !year);
  if (money && decimals == 1) buf_putc(b, '0'); /* 1,250.5 EUR -> 1,250.50 EUR */
  mem_realloc_raw(I, text, 0);
  return true;
}

/* v's unit after its number: " EUR/year"; nothing for none. */
static void put_unit(Interp *I, Buffer *b, UnitId u) {
  if (u == UNIT_NONE) return;
  buf_putc(b, ' ');
  unit_format(&I->units, b, u);
}

/* v's number in people's form, without its unit. */
static void put_magnitude(Interp *I, Buffer *b, Value v, unsigned flags) {
  bool money = unit_is_money(&I->units, v.unit);
  if (v.type == VAL_FLOAT || !put_exact(I, b, v, money, flags)) {
    double d = num_to_double(v);
    if (isfinite(d) || v.type == VAL_FLOAT) format_estimate(b, d, money);
    else num_format(I, b, v); /* an exact fraction beyond the doubles: its exact form */
  }
}

/* A number with the flags of format_value; see format.h. */
static void put_number(Interp *I, Buffer *b, Value v, unsigned flags) {
  if ((flags & (FORMAT_SHARE | FORMAT_POINTS)) && v.unit == UNIT_NONE) {
    if (v.type == VAL_FLOAT && !isfinite(v.as.d)) {
      format_estimate(b, v.as.d, false);
      return;
    }
    put_magnitude(I, b, v.type == VAL_FLOAT ? FLOAT_VAL(v.as.d * 100) : num_mul(I, v, INT_VAL(100)), 0);
    buf_puts(b, (flags & FORMAT_POINTS) ? "pp" : "%");
    return;
  }
  put_magnitude(I, b, v, flags);
  if (!(flags & FORMAT_NO_UNIT)) put_unit(I, b, v.unit);
}

void format_number(Interp *I, Buffer *b, Value v) { format_value(I, b, v, 0); }

void format_share(Interp *I, Buffer *b, Value v) { format_value(I, b, v, FORMAT_SHARE); }

/* ---- values ---------------------------------------------------------------------- */

/* Lists and records nest; past this depth (or a cycle, which the depth
 * also stops) they print as print shows them. */
#define FORMAT_MAX_DEPTH 4

static void put_value(Interp *I, Buffer *b, Value v, unsigned flags, bool nested, int depth) {
  if (num_is(v)) {
    put_number(I, b, v, flags);
  } else if (depth < FORMAT_MAX_DEPTH && IS_LIST(v)) {
    ObjList *l = AS_LIST(v);
    buf_putc(b, '[');
    for (int i = 0; i < l->items.count; i++) {
      if (i) buf_puts(b, ", ");
      put_value(I, b, l->items.items[i], flags, true, depth + 1);
    }
    buf_putc(b, ']');
  } else if (depth < FORMAT_MAX_DEPTH && IS_RECORD(v) && !AS_RECORD(v)->cls) {
    ObjRecord *r = AS_RECORD(v);
    buf_putc(b, '{');
    for (int i = 0; i < r->count; i++) {
      buf_printf(b, "%s%s: ", i ? ", " : "", r->keys[i]->chars);
      put_value(I, b, r->values[i], flags, true, depth + 1);
    }
    buf_putc(b, '}');
  } else {
    value_print(I, b, v, nested);
  }
}

void format_value(Interp *I, Buffer *b, Value v, unsigned flags) { put_value(I, b, v, flags, false, 0); }

/* ---- tables ---------------------------------------------------------------------- */

/* Short enough for a column of a dozen characters: 2.50M, 150.0k, 47.99,
 * 12.  Beyond a million billion, and below 0.005 but not zero, a power of
 * ten (a 300-digit "bn" column, or 0.00 for a number that is not 0, would
 * mislead).  No unit: the table's heading gives it. */
void format_compact(Interp *I, Buffer *b, Value v) {
  if (!num_is(v)) {
    value_print(I, b, v, false);
    return;
  }
  double d = num_to_double(v);
  double a = fabs(d);
  if (isnan(d) || isinf(d)) buf_printf(b, "%g", d);
  else if (a >= 1e15 || (a > 0 && a < 0.005)) buf_printf(b, "%.2e", d);
  else if (a >= 1e9) buf_printf(b, "%.2fbn", d / 1e9);
  else if (a >= 1e6) buf_printf(b, "%.2fM", d / 1e6);
  else if (a >= 1e4) buf_printf(b, "%.1fk", d / 1e3);
  else if (a >= 100 || d == floor(d)) buf_printf(b, "%.0f", d);
  else buf_printf(b, "%.2f", d);
}

/* A share in a narrow column or on an axis, in percent with one decimal
 * (0.3 -> 30.0%, 0.3245 -> 32.5%), or with `suffix` "pp" for a change of
 * a share, in percentage points (0.02 -> 2.0pp).  A share that is not 0
 * but below 0.05% in magnitude gets two significant digits (0.00012 ->
 * 0.012%): "0.0%" would hide that it is not 0.  No sign is added. */
static void put_compact_percent(Buffer *b, double d, const char *suffix) {
  double p = d * 100;
  if (isnan(p) || isinf(p)) buf_printf(b, "%g", p);
  else if (p == 0) buf_printf(b, "0%s", suffix);
  else if (fabs(p) < 0.05) buf_printf(b, "%.2g%s", p, suffix);
  else buf_printf(b, "%.1f%s", p, suffix);
}

void format_compact_share(Interp *I, Buffer *b, Value v) {
  if (!num_is(v) || v.unit != UNIT_NONE) {
    format_compact(I, b, v);
    return;
  }
  put_compact_percent(b, num_to_double(v), "%");
}

void format_compact_points(Interp *I, Buffer *b, Value v) {
  if (!num_is(v) || v.unit != UNIT_NONE) {
    format_compact(I, b, v);
    return;
  }
  put_compact_percent(b, num_to_double(v), "pp");
}

