/* diag.h - compiler-style diagnostics: `file:line:col: error: message`,
 * the source line, and a caret under the column. */
#ifndef CLUSIM_DIAG_H
#define CLUSIM_DIAG_H

#include <stdarg.h>

#include "buffer.h"
#include "chunk.h"
#include "common.h"

/* After this many errors in one text, a parse or a compilation stops with
 * "FILE: error: too many errors; stopping", as compilers do: a generated
 * script that goes wrong on every line says so twenty times, not 100,000
 * times. */
#define DIAG_MAX_ERRORS 20

/* Append a full diagnostic (header, quoted line, caret) to b.  `severity`
 * is "error", "warning" or "note". */
void diag_format(Buffer *b, Source *src, SrcLoc loc, const char *severity, const char *fmt,
                 va_list ap);
/* Format and write a diagnostic to the interpreter's error stream. */
void diag_report(Interp *I, Source *src, SrcLoc loc, const char *severity, const char *fmt, ...)
    PRINTF_LIKE(5, 6);
/* Append just the quoted source line and caret. */
void diag_quote(Buffer *b, Source *src, SrcLoc loc);
/* Free the index of line starts that messages about `src` built. */
void diag_forget_lines(Source *src);
const char *source_name(Source *src);

/* "Did you mean": is the known name `known` close enough to what was typed
 * to suggest it?  Close means within a third of the typed name's length in
 * edits (at least one edit): inserting, deleting or changing a letter, or
 * swapping two neighbours, with case ignored, and fewer edits than it has
 * letters ('P' is not close to 'A').  A name is not close to itself.  *distance gets the number of edits, for choosing the closest. */
bool diag_similar(const char *typed, const char *known, int *distance);

#endif
