/* diag.c - compiler-style diagnostics with a quoted line and a caret. */
#include "diag.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

#include "state.h"

const char *source_name(Source *src) { return src && src->name ? src->name : "<input>"; }

/* Index where each line of src's text starts, once: a script with
 * thousands of errors (or a generated one of 200,000 lines) would
 * otherwise be scanned from its start again for every message.  Without
 * memory for the index, lines are found by scanning, as before. */
static void index_lines(Source *src) {
  if (src->lines) return;
  int n = 1;
  for (const char *p = src->text; *p; p++)
    if (*p == '\n') n++;
  size_t *lines = malloc(sizeof *lines * (size_t)n);
  if (!lines) return;
  int i = 0;
  lines[i++] = 0;
  for (const char *p = src->text; *p; p++)
    if (*p == '\n') lines[i++] = (size_t)(p + 1 - src->text);
  src->lines = lines;
  src->nlines = n;
}

void diag_forget_lines(Source *src) {
  free(src->lines);
  src->lines = NULL;
  src->nlines = 0;
}

/* The start of line `line` (from 1), or the end of the text past its last line. */
static const char *line_start(Source *src, int line) {
  index_lines(src);
  if (src->lines) return line <= src->nlines ? src->text + src->lines[line - 1] : src->text + strlen(src->text);
  const char *p = src->text;
  for (int l = 1; l < line && *p; p++)
    if (*p == '\n') l++;
  return p;
}

/* Quote line `loc.line` of the source and put a caret under `loc.col`.
 * Columns count characters (UTF-8 sequences count once); tabs before the
 * column are copied into the caret line so that it lines up.  A byte-order
 * mark at the start of the text is not part of its first line (the
 * scanner skips it too). */
void diag_quote(Buffer *b, Source *src, SrcLoc loc) {
  if (!src || !src->text || loc.line < 1) return;
  const char *p = line_start(src, loc.line);
  if (p == src->text && strncmp(p, "\xEF\xBB\xBF", 3) == 0) p += 3;
  const char *end = p;
  while (*end && *end != '\n') end++;
  if (p == end && !*p && loc.line > 1) {
    /* error at the very end of the text: quote nothing */
  }
  /* A very long line (generated code) is shown as a window around the
   * column, so that the message stays readable. */
  int col = 1;
  bool cut_left = false, cut_right = false;
  if (end - p > 160) {
    const char *at = p;
    for (int c = 1; at < end && c < loc.col; at++)
      if (((unsigned char)*at & 0xC0) != 0x80) c++;
    const char *from = at - p > 60 ? at - 60 : p;
    while (from > p && ((unsigned char)*from & 0xC0) == 0x80) from--;
    const char *to = end - at > 60 ? at + 60 : end;
    while (to < end && ((unsigned char)*to & 0xC0) == 0x80) to++;
    cut_left = from > p;
    cut_right = to < end;
    for (const char *q = p; q < from; q++)
      if (((unsigned char)*q & 0xC0) != 0x80) col++;
    if (cut_left) col -= 3; /* the "..." stands in front */
    p = from;
    end = to;
  }
  buf_printf(b, "%5d | %s", loc.line, cut_left ? "..." : "");
  buf_put(b, p, (size_t)(end - p));
  buf_puts(b, cut_right ? "...\n      | " : "\n      | ");
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

/* Edit distance with swaps of neighbours (optimal string alignment),
 * ignoring case; names over 64 characters are never close. */
static int distance(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  if (la > 64 || lb > 64) return 1000;
  int d[65][65];
  for (size_t i = 0; i <= la; i++) d[i][0] = (int)i;
  for (size_t j = 0; j <= lb; j++) d[0][j] = (int)j;
  for (size_t i = 1; i <= la; i++)
    for (size_t j = 1; j <= lb; j++) {
      int ai = tolower((unsigned char)a[i - 1]), bj = tolower((unsigned char)b[j - 1]);
      int m = d[i - 1][j - 1] + (ai != bj);
      if (d[i - 1][j] + 1 < m) m = d[i - 1][j] + 1;
      if (d[i][j - 1] + 1 < m) m = d[i][j - 1] + 1;
      if (i > 1 && j > 1 && ai == tolower((unsigned char)b[j - 2]) && tolower((unsigned char)a[i - 2]) == bj &&
          d[i - 2][j - 2] + 1 < m)
        m = d[i - 2][j - 2] + 1;
      d[i][j] = m;
    }
  return d[la][lb];
}

bool diag_similar(const char *typed, const char *known, int *dist) {
  if (strcmp(typed, known) == 0) return false;
  int len = (int)strlen(typed), most = len / 3;
  if (most < 1) most = 1;
  int d = distance(typed, known);
  if (dist) *dist = d;
  return d <= most && (d < len || d == 0); /* 'P' is not close to 'A' */
}
