/* format.h - numbers as people read them: the one place that decides how
 * a number looks where a person reads it (tables, why, audit findings, the
 * prompt's listings, a printed series), as opposed to its exact form.
 *
 * Which function for which output:
 *
 *   value_print / num_format   the EXACT form, the language's contract:
 *                              `print x` of a plain number, str(x), exports
 *                              and CSV cells (results_format_csv), exact(x).
 *   format_number              one number in running text or a listing:
 *                              why, audit findings, :params, :world.
 *   format_share               a number known to be a share (a param
 *                              declared in percent): 35%, 8.5%, 33.333%.
 *   format_value               any value in people's form: numbers as
 *                              format_number (or format_share), inside
 *                              lists and records too; text and the rest as
 *                              print shows them.
 *   format_compact             a number in a narrow table column: compare,
 *                              chart axes (2.50M, 150.0k, 47.99).
 *
 * The rules of format_number (format.c explains each):
 *   - exact numbers that terminate are shown exactly, with thousands
 *     separators (1,200; 1,250.50 EUR; a year too, unless FORMAT_YEARS);
 *   - money (a unit of EUR to the first power: EUR, EUR/year, EUR/job)
 *     shows the cent only when there are cents: 1,110,000 EUR,
 *     1,250.50 EUR; an estimate of money is rounded to the cent;
 *   - estimates (inexact numbers, and exact fractions that do not
 *     terminate, 1/3) to 5 significant digits, but never fewer than the
 *     digits of the integer part (47.996, 0.33333, 12,346, 1,234,568);
 *   - beyond 10^15 and below 10^-4 (a cent for money) a power of ten
 *     (1e+300, 1e-12); inf, -inf and nan as such; -0.0 as 0.
 */
#ifndef CLUSIM_FORMAT_H
#define CLUSIM_FORMAT_H

#include "buffer.h"
#include "value.h"

/* The significant digits of an estimate. */
#define FORMAT_DIGITS 5

/* How format_value shows its numbers (flags, or 0 for none):
 *   FORMAT_SHARE    numbers with no unit are shares: 0.35 -> 35%;
 *   FORMAT_YEARS    an exact whole number of four digits with no unit is
 *                   written without a separator, as a year (2026, not
 *                   2,026): for a listing that mixes years with amounts
 *                   (:params);
 *   FORMAT_NO_UNIT  the number without its unit, for numbers that give
 *                   their unit once (a series): money still shows cents. */
enum { FORMAT_SHARE = 1, FORMAT_YEARS = 2, FORMAT_NO_UNIT = 4 };

void format_value(Interp *I, Buffer *b, Value v, unsigned flags);
/* format_value(I, b, v, 0) and format_value(I, b, v, FORMAT_SHARE). */
void format_number(Interp *I, Buffer *b, Value v);
void format_share(Interp *I, Buffer *b, Value v);
void format_compact(Interp *I, Buffer *b, Value v);

/* An inexact number (no unit) in people's form; money rounds to the cent. */
void format_estimate(Buffer *b, double d, bool money);

#endif
