/* parse.h - from source text to syntax tree (grammar/lexer.l, grammar/parser.y).
 *
 * The scanner produces raw tokens, including every newline.  A filter
 * between scanner and parser (parser.y: yylex) decides which newlines end a
 * statement: none inside ( ) or [ ], none after a binary operator, a comma,
 * `{` or `->`, never two in a row, and none before `else`.
 */
#ifndef CLUSIM_PARSE_H
#define CLUSIM_PARSE_H

#include "ast.h"
#include "buffer.h"
#include "common.h"

#define PARSE_MAX_NEST 256

/* The state of one parse, shared by scanner and parser. */
typedef struct ParseState {
  Interp *I;
  Source *src;
  Arena *arena;
  void *scanner;
  Node *root;
  int nerrors;
  bool stopped;      /* too many errors: the scanner feeds the end of the text */
  bool incomplete;   /* the text ended inside an unfinished construct */
  Buffer messages;   /* diagnostics, printed unless the parse is incomplete */

  /* scanner position (1-based line, column in characters) */
  int line, col;
  SrcLoc tok_start;
  /* string scanning: text of the current piece, and the stack of
   * interpolations in progress (brace depth inside each) */
  Buffer strbuf;
  SrcLoc str_start;
  int interp_depth[PARSE_MAX_NEST];
  int ninterp;
  bool str_after_interp;

  /* newline filter */
  char brackets[PARSE_MAX_NEST]; /* '(' '[' '{' open, innermost last */
  int nbrackets;
  int last_token;

  /* error recovery (parser.y: yylex).  For each open bracket: where it
   * is, and whether it opened a block of statements (the parser says so
   * as it enters the block); the entries above nbrackets keep the last
   * closed brackets' for one more token. */
  SrcLoc bracket_at[PARSE_MAX_NEST];
  bool bracket_block[PARSE_MAX_NEST];
  int tok_depth;     /* nbrackets before the last token delivered */
  bool recovering;   /* skipping to the end of the statement in error */
  int recover_depth; /* ... at this bracket depth (its block's) */
  /* the statement being read: how many tokens so far, and the first one
   * when it is a name (a misspelt keyword?) */
  int stmt_tokens;
  const char *stmt_word;
  SrcLoc stmt_word_at;

  SrcLoc last_end; /* just after the last token: where 'unexpected end of input' points */
  bool have_peek;
  int peek_token;
  union {
    char *str;
  } peek_val;
  SrcLoc peek_loc, peek_end;
} ParseState;

/* Parse a whole source. Returns the N_BLOCK of its statements, or NULL when
 * there were errors (already printed, unless ps->incomplete and
 * allow_incomplete, in which case nothing is printed). */
Node *parse_source(Interp *I, Source *src, Arena *arena, bool allow_incomplete, bool *incomplete);

/* The i-th keyword of the language, NULL past the last (for completion). */
const char *parse_keyword(int i);

/* Record a located message (scanner and parser); past DIAG_MAX_ERRORS,
 * only "too many errors; stopping", once, and the scanner stops. */
void parse_error(ParseState *ps, SrcLoc loc, const char *fmt, ...) PRINTF_LIKE(3, 4);

#endif
