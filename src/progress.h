/* progress.h - a progress bar with an estimate of the time left, on
 * standard error, for work that takes longer than about a second (the runs
 * of a scenario, the cases of a sweep).
 *
 * It shows only when standard error is a terminal, and only once the work
 * has taken PROGRESS_DELAY seconds, so quick work and output to files or
 * pipes never see it.  CLUSIM_PROGRESS=0 turns it off; CLUSIM_PROGRESS=now
 * shows it at once (still on a terminal only; for the prompt tests).  The
 * bar is one line redrawn in place and erased at the end, so what the work
 * prints afterwards starts on a clean line.
 *
 *   progress_start(&p, I->err, "run uncertain", 1000, "runs");
 *   for (...) { ...; progress_update(&p, done); }
 *   progress_end(&p);
 */
#ifndef CLUSIM_PROGRESS_H
#define CLUSIM_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

#include "buffer.h"
#include "common.h"

#define PROGRESS_DELAY 1.0 /* seconds before the bar appears */

typedef struct {
  FILE *out; /* NULL: not shown (not a terminal, or turned off) */
  char what[80], unit[16];
  int64_t total;
  double start, shown_at, delay;
  bool drawn, unicode;
} Progress;

void progress_start(Progress *p, FILE *err, const char *what, int64_t total, const char *unit);
/* `done` of the total are finished: redraws at most ten times a second. */
void progress_update(Progress *p, int64_t done);
/* Erase the bar, if it was drawn. */
void progress_end(Progress *p);

/* The bar's text, without the carriage return: `what`, a bar, the share
 * done, done/total `unit` and the time left estimated from `elapsed`
 * seconds, fitted into `width` columns (the bar shrinks first, then goes).
 * Unicode block characters, or ASCII. */
void progress_format(Buffer *b, const char *what, int64_t done, int64_t total, const char *unit, double elapsed,
                     int width, bool unicode);
/* "12 s", "3 min 20 s", "2 h 05 min": a time left, rounded up. */
void progress_format_duration(Buffer *b, double seconds);

/* Whether the locale's characters are UTF-8 (LC_ALL, else LC_CTYPE, else
 * LANG names UTF-8), for output that can draw with Unicode characters. */
bool locale_is_utf8(void);
/* The width in columns of the output f: the terminal's when f is one,
 * else $COLUMNS when it is set (scripts and tests), else 0: a file or a
 * pipe takes lines of any length.  Charts, compare's tables and the
 * progress bar all ask here. */
int output_columns(FILE *f);

#endif
