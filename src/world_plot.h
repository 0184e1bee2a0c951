/* world_plot.h - line charts of result series: computed as a chart record,
 * then drawn in the terminal (braille or ASCII) or as SVG.
 *
 * A chart is a record anyone can read (the `plot` statement, the HTML
 * report, an export):
 *   {title: "A.jobs", unit: "EUR" or nil, share: false, years: [2025, 2026, ...],
 *    lines: [{label, values: [one number or nil per year],
 *             p5: [...] or nil, p95: [...] or nil}]}
 * `share` is true when every series is a share (ObjSeries.share): the y
 * axis is then in percent.  `values` is the series (the mean of a many-run
 * scenario); p5 and p95 are its 5th and 95th percentiles, nil for a
 * scenario of one run.  A value that is nil (the series has no number that
 * year) is a gap in the line.  Where a line has the same numbers as an
 * earlier one, which it hides, the legend says so (computed when drawn,
 * from the values: world_plot.c, "lines on lines").
 *
 * A chart over something else than years (a sweep's output against a
 * param) has, in place of `years`, two fields:
 *   {title, unit, share, x: ["500k", "1M", "2M"], x_title: "budget (EUR)", lines}
 * `x` the labels of the points, in order, drawn evenly spaced (a
 * categorical axis), and `x_title` the axis's name (nil: none); each list
 * of a line then has one number or nil per label.  A chart of years has
 * neither field; a record with both draws `x`. */
#ifndef CLUSIM_WORLD_PLOT_H
#define CLUSIM_WORLD_PLOT_H

#include "buffer.h"
#include "world_results.h"

#define PLOT_MAX_LINES 64 /* lines on one chart */

/* `plot S, T on X.field`: one line per scenario, labelled by its name.  The
 * path may end in .mean .p5 .p50 .p95 (as compare's).  Raises a clear error
 * for a scenario not run, an unknown path, or series of different units. */
Value plot_chart(Interp *I, ObjScenario **ss, int n, const char *path);

/* `plot S.X.field, T.X.field`: one line per series, labelled labels[i].
 * A series with statistics (of a many-run scenario) gets its p5..p95 band.
 * The title is the path the labels share after their first part, or the
 * labels themselves. */
Value plot_chart_series(Interp *I, ObjSeries **series, ObjString **labels, int n);

/* A chart over the labels x (strings) instead of years, named x_title
 * (NULL: no name): lines are records {label, values, p5, p95} as in a chart
 * of years, one number or nil per label.  Its unit is that of the numbers;
 * numbers of different units, or none at all, raise as plot_chart does. */
Value plot_chart_x(Interp *I, ObjString *title, ObjString *x_title, ObjList *x, ObjList *lines, bool share);

/* The chart as text `width` columns wide (at least 40): braille dots and
 * ANSI colours when `unicode` and `colour`, else the ASCII markers * o + x
 * with a legend; p5..p95 bands as light shading (ASCII: dots).  A line
 * that lies on an earlier one says so in the legend ("B (same as A in
 * every year)", "(same as A in 2025..2027)").  A chart of labels (`x`)
 * writes them under their ticks, every second, third... when they would
 * touch, and its x_title under them; its notes name the labels ("at 1M"). */
void plot_print_text(Interp *I, Buffer *out, Value chart, bool unicode, bool colour, int width);

/* Print the charts (a list) as the plot statement does: in the terminal's
 * style and width, or ASCII 80 columns wide for a file or a pipe. */
void plot_print_charts(Interp *I, ObjList *charts);

/* The chart as a standalone SVG document (XML prolog, then the <svg>):
 * the legend as in the text, and a line dashed where it lies on an earlier
 * one. */
void plot_svg(Interp *I, Buffer *out, Value chart);
/* Only the <svg> element, for a chart inline in HTML. */
void plot_svg_element(Interp *I, Buffer *out, Value chart);
/* Whether v is a chart record (as plot(...) returns it), or a list of
 * them (plot(...) of several paths). */
bool plot_is_charts(Interp *I, Value v);
/* Write the chart, or the list of charts one under the other, to the SVG
 * file `path`; messages begin with `who` ("plot", "export"). */
void plot_write_svg(Interp *I, const char *who, Value charts, const char *path);

/* The y axis: from lo..hi (any order, equal, or with a NaN or infinity
 * left out by the caller), a range *axis_lo..*axis_hi that holds them, cut
 * into *intervals (1 to 10) of a round *step (1, 2, 2.5 or 5 times a power
 * of ten).  A flat range is widened around its value. */
void plot_scale(double lo, double hi, double *axis_lo, double *axis_hi, double *step, int *intervals);

#endif
