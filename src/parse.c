/* parse.c - runs the scanner and parser over one source text. */
#include "parse.h"

#include <stdarg.h>
#include <stdio.h>

#include "diag.h"
#include "parser.h"
#include "lexer.h"
#include "memory.h"
#include "state.h"

void parse_error(ParseState *ps, SrcLoc loc, const char *fmt, ...) {
  if (ps->nerrors++ >= DIAG_MAX_ERRORS) {
    if (!ps->stopped) buf_printf(&ps->messages, "%s: error: too many errors; stopping\n", source_name(ps->src));
    ps->stopped = true;
    return;
  }
  va_list ap;
  va_start(ap, fmt);
  diag_format(&ps->messages, ps->src, loc, "error", fmt, ap);
  va_end(ap);
}

/* A UTF-8 byte-order mark, which some editors put at the start of a file. */
#define BOM "\xEF\xBB\xBF"

Node *parse_source(Interp *I, Source *src, Arena *arena, bool allow_incomplete, bool *incomplete) {
  ParseState ps;
  memset(&ps, 0, sizeof ps);
  ps.I = I;
  ps.src = src;
  ps.arena = arena;
  ps.line = 1;
  ps.col = 1;
  ps.last_token = NEWLINE;
  buf_init(&ps.messages);
  buf_init(&ps.strbuf);

  yyscan_t scanner;
  if (yylex_init_extra(&ps, &scanner) != 0) { /* it fails only for want of memory */
    buf_free(&ps.messages);
    buf_free(&ps.strbuf);
    mem_error(I);
  }
  ps.scanner = scanner;
  const char *text = src->text;
  if (strncmp(text, BOM, 3) == 0) text += 3; /* not part of the program (diag_quote skips it too) */
  YY_BUFFER_STATE buf = yy_scan_bytes(text, (int)strlen(text), scanner);
  int rc = yyparse(&ps);
  yy_delete_buffer(buf, scanner);
  yylex_destroy(scanner);

  if (rc != 0 && ps.nerrors == 0) {
    parse_error(&ps, (SrcLoc){ps.line, ps.col}, "the program is nested too deeply");
  }
  bool failed = rc != 0 || ps.nerrors > 0;
  if (incomplete) *incomplete = failed && ps.incomplete;
  if (failed && !(allow_incomplete && ps.incomplete)) {
    fputs(ps.messages.data, I->err);
    fflush(I->err);
  }
  buf_free(&ps.messages);
  buf_free(&ps.strbuf);
  return failed ? NULL : ps.root;
}
