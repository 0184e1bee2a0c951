/* format.h - numbers as people read them: the one place that decides how
 * a number looks where a person reads it (tables, why, audit findings, the
 * prompt's listings, a printed series), as opposed to its exact form.
 *
 * Which function for which output:
 *
 *   value_print / num_format   the EXACT form, the language's contract:
 *                              `print x` of a plain number, str(x), exact(x);
 *                              and every output for machines: CSV, JSON and
 *                              spreadsheet cells (results_format_csv, or the
 *                              double itself in a typed cell), never the
 *                              forms below.
 *   format_number              one number in running text or a listing:
 *                              why, audit findings (format(x) in Clusim),
 *                              :params, :world, :help, an HTML report's text.
 *   format_share               a number known to be a share: 35%, 8.5%,
 *                              33.333% (a param declared in percent, a
 *                              cluster field with `share: true`).
 *   format_value               any value in people's form, with FORMAT_*
 *                              flags: numbers as format_number (or as a
 *                              share), inside lists and records too; text
 *                              and the rest as print shows them.  A printed
 *                              series (world_results.c) uses it.
 *   format_compact             a number in a narrow table column or on an
 *                              axis: compare, a chart's y-axis, an HTML
 *                              report's tables (2.50M, 150.0k, 47.99); the
 *                              same as results_format_human.
 *   format_compact_share       a share in such a column or on an axis:
 *                              30.0%; format_compact_points its change in
 *                              percentage points: 2.0pp.
 *
 * The rules of format_number (format.c explains each):
 *   - exact numbers that terminate are shown exactly, with thousands
 *     separators (1,200; 1,250.50 EUR; a year too, unless FORMAT_YEARS);
 *     past 18 decimals (the exact value of a double) as an estimate;
 *   - money (the core's unit of money, EUR, to the first power: EUR,
 *     EUR/year, EUR/job) shows the cent only when there are cents:
 *     1,110,000 EUR, 1,250.50 EUR; an estimate of money is rounded to the
 *     cent;
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
 *                   their unit once (a series): money still shows cents;
 *   FORMAT_POINTS   numbers with no unit are changes of a share, in
 *                   percentage points: 0.015 -> 1.5pp (why). */
enum { FORMAT_SHARE = 1, FORMAT_YEARS = 2, FORMAT_NO_UNIT = 4, FORMAT_POINTS = 8 };

void format_value(Interp *I, Buffer *b, Value v, unsigned flags);
/* format_value(I, b, v, 0) and format_value(I, b, v, FORMAT_SHARE). */
void format_number(Interp *I, Buffer *b, Value v);
void format_share(Interp *I, Buffer *b, Value v);
void format_compact(Interp *I, Buffer *b, Value v);
/* A share in a table column or on an axis, in percent: 30.0%, 0.012%;
 * a change of a share in percentage points: 2.0pp.  A number with a unit
 * is not a share: format_compact. */
void format_compact_share(Interp *I, Buffer *b, Value v);
void format_compact_points(Interp *I, Buffer *b, Value v);

/* An inexact number (no unit) in people's form; money rounds to the cent. */
void format_estimate(Buffer *b, double d, bool money);

#endif
