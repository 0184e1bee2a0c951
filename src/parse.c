/* parse.c - runs the scanner and parser over one source text. */
#include "parse.h"

#include <stdio.h>

#include "parser.h"
#include "lexer.h"
#include "memory.h"
#include "state.h"

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
  YY_BUFFER_STATE buf = yy_scan_bytes(src->text, (int)strlen(src->text), scanner);
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
