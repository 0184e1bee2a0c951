/* diag.c - compiler-style diagnostics with a quoted line and a caret. */
#include "diag.h"

#include <stdio.h>

#include "state.h"

const char *source_name(Source *src) { return src && src->name ? src->name : "<input>"; }

/* Quote line `loc.line` of the source and put a caret under `loc.col`.
 * Columns count characters (UTF-8 sequences count once); tabs before the
 * column are copied into the caret line so that it lines up. */
void diag_quote(Buffer *b, Source *src, SrcLoc loc) {
  if (!src || !src->text || loc.line < 1) return;
  const char *p = src->text;
  for (int line = 1; line < loc.line && *p; p++)
    if (*p == '\n') line++;
  const char *end = p;
  while (*end && *end != '\n') end++;
  if (p == end && !*p && loc.line > 1) {
    /* error at the very end of the text: quote nothing */
  }
  buf_printf(b, "%5d | ", loc.line);
  buf_put(b, p, (size_t)(end - p));
  buf_puts(b, "\n      | ");
  int col = 1;
  for (const char *q = p; q < end && col < loc.col; q++) {
    if (((unsigned char)*q & 0xC0) == 0x80) continue;
    buf_putc(b, *q == '\t' ? '\t' : ' ');
    col++;
  }
  while (col < loc.col) {
    buf_putc(b, ' ');
    col++;
  }
  buf_puts(b, "^\n");
}

void diag_format(Buffer *b, Source *src, SrcLoc loc, const char *severity, const char *fmt,
                 va_list ap) {
  if (loc.line > 0)
    buf_printf(b, "%s:%d:%d: %s: ", source_name(src), loc.line, loc.col, severity);
  else
    buf_printf(b, "%s: %s: ", source_name(src), severity);
  buf_vprintf(b, fmt, ap);
  buf_putc(b, '\n');
  diag_quote(b, src, loc);
}

void diag_report(Interp *I, Source *src, SrcLoc loc, const char *severity, const char *fmt, ...) {
  Buffer b;
  buf_init(&b);
  va_list ap;
  va_start(ap, fmt);
  diag_format(&b, src, loc, severity, fmt, ap);
  va_end(ap);
  fputs(b.data, I->err);
  fflush(I->err);
  buf_free(&b);
}
