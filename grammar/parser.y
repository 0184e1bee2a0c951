/* parser.y - the Clusim grammar: a pure Bison parser with locations that
 * builds the syntax tree of ast.h.
 *
 * Statements are separated by newlines or `;`.  The newline filter (yylex,
 * at the end of this file) drops the newlines that do not end a statement,
 * so the grammar only ever sees meaningful ones.  Error recovery happens at
 * statement level (`stmt: error`), so one pass reports several errors; the
 * filter helps it by skipping bracketed groups whole (see yylex).
 */
%define api.pure full
%define parse.error custom
%define lr.default-reduction accepting
%locations
%expect 0
%param {ParseState *ps}

%code requires {
#include "ast.h"
#include "parse.h"
}

%code provides {
int clusim_raw_lex(YYSTYPE *yylval, YYLTYPE *yylloc, void *scanner);
}

%code {
#include <stdarg.h>
#include <stdio.h>

#include "diag.h"
#include "state.h"

static int yylex(YYSTYPE *lval, YYLTYPE *lloc, ParseState *ps);
static void yyerror(YYLTYPE *loc, ParseState *ps, const char *msg);
static void enter_block(ParseState *ps, YYLTYPE brace);
static void start_recovery(ParseState *ps);

#define L(l) ((SrcLoc){(l).first_line, (l).first_column})
#define NEW(kind, l) ast_new(ps->arena, kind, L(l))
#define APPEND(list, n) ast_append(ps->arena, &(list), n)

/* The bounds of a param, `in LOW..HIGH`: parsed as the range operator, but
 * its two sides are kept apart and evaluated as numbers of any kind (0%..100%,
 * 0.5..1.5, 0 EUR / year..1M EUR / year), never as a range of whole numbers. */
static Node *param_bounds(ParseState *ps, YYLTYPE l, Node *range) {
  if (range->kind == N_BINARY && range->op == DOTDOT) return range;
  parse_error(ps, L(l), "the bounds of a param are written LOW..HIGH, as in 'param growth_rate = 10%% in 0%%..100%%'");
  return NULL;
}

/* `load KIND from PATH {FIELD: COLUMN [in UNIT], ...}`: `from` is a word
 * of this statement only (scripts have variables named from), checked
 * here; `kind` is the entity keyword. */
static Node *load_stmt(ParseState *ps, YYLTYPE l, const char *kind, YYLTYPE fl, const char *from, Node *path,
                       Node *fields) {
  if (strcmp(from, "from") != 0)
    parse_error(ps, L(fl), "expected 'from' after 'load %s', as in 'load %s from \"%ss.csv\" {name: \"Name\"}'",
                kind, kind, kind);
  Node *n = ast_new(ps->arena, N_LOAD, L(l));
  n->str = (char *)kind;
  n->a = path;
  n->list = fields->list;
  return n;
}

/* A dotted field path of a load's column map (members.sme). */
static char *dotted(ParseState *ps, const char *a, const char *b) {
  size_t na = strlen(a), nb = strlen(b);
  char *s = arena_alloc(ps->arena, na + 1 + nb + 1);
  memcpy(s, a, na);
  s[na] = '.';
  memcpy(s + na + 1, b, nb + 1);
  return s;
}

/* A field name written as a number, as in {2026: 100k EUR / year, 2027: ...}
 * (a fund's schedule): whole numbers in plain digits only, so that the name
 * is the number as it prints ("2026"), never "2_026" or "2.026e3". */
static char *year_key(ParseState *ps, YYLTYPE l, char *text) {
  bool digits = text[0] != '\0' && (text[0] != '0' || text[1] == '\0');
  for (const char *p = text; *p && digits; p++) digits = *p >= '0' && *p <= '9';
  if (!digits)
    parse_error(ps, L(l), "a field name written as a number must be a whole number in plain digits, such as 2026");
  return text;
}

/* sweep S over ... / cases ... / sensitivity SHARE [over NAMES] [show|on OUTPUTS]:
 * `sensitivity` is a word of this statement only, not a keyword. */
static Node *sweep_node(ParseState *ps, YYLTYPE l, char *scenario, int how, Node *spec, Node *outputs,
                        Node *params) {
  Node *n = ast_new(ps->arena, N_SWEEP, L(l));
  n->str = scenario;
  n->op = how;
  n->a = spec;
  n->b = outputs;
  if (params) n->list = params->list;
  return n;
}

/* One `NAME in VALUES` of a sweep's grid, added to the record of them. */
static Node *sweep_axis(ParseState *ps, YYLTYPE l, Node *grid, char *name, Node *values) {
  if (!grid) grid = ast_new(ps->arena, N_RECORD, L(l));
  Node *f = ast_new(ps->arena, N_FIELD_INIT, L(l));
  f->str = name;
  f->a = values;
  ast_append(ps->arena, &grid->list, f);
  return grid;
}

static char sensitivity_word(ParseState *ps, YYLTYPE l, const char *word) {
  if (strcmp(word, "sensitivity") != 0)
    parse_error(ps, L(l), "'%s' is not a kind of sweep: write 'sweep S over NAME in [...]', 'sweep S cases [...]' "
                          "or 'sweep S sensitivity 10%% on PATH'", word);
  return 's';
}

/* plot ITEMS [on PATHS] [to FILE], the statement, or plot(ITEMS), the
 * function form. */
static Node *plot_node(ParseState *ps, YYLTYPE l, bool statement, Node *items, Node *paths, Node *file) {
  Node *n = ast_new(ps->arena, N_PLOT, L(l));
  n->op = statement;
  n->a = items;
  n->b = paths;
  n->c = file;
  return n;
}

static Node *binary(ParseState *ps, int op, YYLTYPE l, Node *a, Node *b) {
  Node *n = ast_new(ps->arena, N_BINARY, L(l));
  n->op = op;
  n->a = a;
  n->b = b;
  return n;
}
}

%union {
  char *str;
  Node *node;
}

%token <str> NUMBER "number" STRING "string" STR_HEAD "string with {...}" STR_MID "string part"
%token <str> STR_TAIL "string end" IDENT "name"
%token LET "let" FN "fn" RETURN "return" IF "if" ELSE "else" WHILE "while" FOR "for"
%token IN "in" BREAK "break" CONTINUE "continue" AND "and" OR "or" NOT "not"
%token TRUE "true" FALSE "false" NIL "nil" IMPORT "import" ASSERT "assert" PRINT "print"
%token REGION "region" CLUSTER "cluster" PROGRAMME "programme" FUND "fund"
%token PARTNERSHIP "partnership" PARAM "param" SET "set" RULE "rule" SCENARIO "scenario"
%token EXTENDS "extends" RUN "run" COMPARE "compare" ON "on" PLOT "plot" WHY "why"
%token AUDIT "audit" EXPORT "export" TO "to" REPORT "report" SWEEP "sweep" OVER "over"
%token CASES "cases" SHOW "show" UNIT "unit" MOD "mod"
%token LOAD "load"
%token EQ "==" NE "!=" LE "<=" GE ">=" DOTDOT ".." ARROW "->" NEWLINE "end of line"

%type <node> stmts stmt_list stmt block else_part expr postfix primary string interp_rest
%type <node> args expr_list params record fields field fn_body decl scen_body scen_items scen_item
%type <node> name_list sweep_axes sweep_out plot_paths plot_path
%type <str> field_name load_kind load_path
%type <node> load_fields load_field

%precedence FNBODY
%left OR
%left AND
%precedence NOT
%nonassoc EQ NE '<' LE '>' GE
%nonassoc DOTDOT
%left '+' '-'
%left '*' '/' MOD
%precedence UMINUS
%right '^'
%precedence '.' '[' '('

%%

program
  : stmts                         { ps->root = $1; }
  ;

stmts
  : opt_seps                      { $$ = NEW(N_BLOCK, @$); }
  | opt_seps stmt_list opt_seps   { $$ = $2; }
  ;

stmt_list
  : stmt                          { $$ = NEW(N_BLOCK, @1); if ($1) APPEND($$->list, $1); }
  | stmt_list seps stmt           { $$ = $1; if ($3) APPEND($$->list, $3); }
  ;

seps : sep | seps sep ;
opt_seps : %empty | seps ;
/* After an error, a statement separator ends the recovery, so the next
 * line's errors are reported too. */
sep : NEWLINE { yyerrok; } | ';' { yyerrok; } ;

block
  : '{' { enter_block(ps, @1); } stmts '}'
                                  { $$ = $3; }
  ;

stmt
  : LET IDENT '=' expr            { $$ = NEW(N_LET, @2); $$->str = $2; $$->a = $4; }
  | expr '=' expr                 { $$ = NEW(N_ASSIGN, @2); $$->a = $1; $$->b = $3; }
  | IF expr block else_part       { $$ = NEW(N_IF, @1); $$->a = $2; $$->b = $3; $$->c = $4; }
  | WHILE expr block              { $$ = NEW(N_WHILE, @1); $$->a = $2; $$->b = $3; }
  | FOR IDENT IN expr block       { $$ = NEW(N_FOR, @2); $$->str = $2; $$->a = $4; $$->b = $5; }
  | BREAK                         { $$ = NEW(N_BREAK, @1); }
  | CONTINUE                      { $$ = NEW(N_CONTINUE, @1); }
  | RETURN                        { $$ = NEW(N_RETURN, @1); }
  | RETURN expr                   { $$ = NEW(N_RETURN, @1); $$->a = $2; }
  | FN IDENT '(' params ')' fn_body
                                  { $$ = NEW(N_FNDECL, @2); $$->str = $2; $$->list = $4->list;
                                    $$->a = $6; $$->op = $6->kind != N_BLOCK; }
  | IMPORT STRING                 { $$ = NEW(N_IMPORT, @2); $$->str = $2; }
  | ASSERT expr                   { $$ = NEW(N_ASSERT, @2); $$->a = $2; }
  | ASSERT expr ',' expr          { $$ = NEW(N_ASSERT, @2); $$->a = $2; $$->b = $4; }
  | PRINT                         { $$ = NEW(N_PRINT, @1); }
  | PRINT '(' ')'                 { $$ = NEW(N_PRINT, @1); }
  | PRINT expr_list               { $$ = $2; $$->kind = N_PRINT; $$->loc = L(@1); }
  | UNIT IDENT                    { $$ = NEW(N_UNIT_DECL, @2); $$->str = $2; }
  | decl                          { $$ = $1; }
  | LOAD load_kind IDENT expr '{' load_fields opt_field_sep '}'
                                  { $$ = load_stmt(ps, @1, $2, @3, $3, $4, $6); }
  | PARAM IDENT '=' expr          { $$ = NEW(N_PARAM, @2); $$->str = $2; $$->a = $4; }
  | PARAM IDENT '=' expr STRING   { $$ = NEW(N_PARAM, @2); $$->str = $2; $$->a = $4;
                                    $$->b = NEW(N_STRING, @5); $$->b->str = $5; }
  | PARAM IDENT '=' expr IN expr  { $$ = NEW(N_PARAM, @2); $$->str = $2; $$->a = $4;
                                    $$->c = param_bounds(ps, @6, $6); }
  | PARAM IDENT '=' expr IN expr STRING
                                  { $$ = NEW(N_PARAM, @2); $$->str = $2; $$->a = $4;
                                    $$->b = NEW(N_STRING, @7); $$->b->str = $7;
                                    $$->c = param_bounds(ps, @6, $6); }
  | RULE IDENT FOR IDENT IN expr block
                                  { $$ = NEW(N_RULE, @2); $$->str = $2; $$->a = NEW(N_NAME, @4);
                                    $$->a->str = $4; $$->b = $6; $$->c = $7; }
  | RULE IDENT STRING FOR IDENT IN expr block
                                  { $$ = NEW(N_RULE, @2); $$->str = $2; $$->a = NEW(N_NAME, @5);
                                    $$->a->str = $5; $$->b = $7; $$->c = $8;
                                    Node *doc = NEW(N_STRING, @3); doc->str = $3; APPEND($$->list, doc); }
  | SCENARIO IDENT scen_body      { $$ = $3; $$->kind = N_SCENARIO; $$->loc = L(@2); $$->str = $2; }
  | SCENARIO IDENT EXTENDS IDENT scen_body
                                  { $$ = $5; $$->kind = N_SCENARIO; $$->loc = L(@2); $$->str = $2;
                                    $$->a = NEW(N_NAME, @4); $$->a->str = $4; }
  | RUN name_list                 { $$ = $2; $$->kind = N_RUN; $$->loc = L(@1); }
  | COMPARE name_list ON expr_list
                                  { $$ = NEW(N_COMPARE, @1); $$->a = $2; $$->b = $4; }
  | EXPORT expr_list TO expr      { $$ = NEW(N_EXPORT, @1); $$->a = $2; $$->b = $4; }
  | SWEEP IDENT OVER sweep_axes sweep_out
                                  { $$ = sweep_node(ps, @2, $2, 'o', $4, $5, NULL); }
  | SWEEP IDENT CASES postfix sweep_out
                                  { $$ = sweep_node(ps, @2, $2, 'c', $4, $5, NULL); }
  | SWEEP IDENT IDENT postfix sweep_out
                                  { $$ = sweep_node(ps, @2, $2, sensitivity_word(ps, @3, $3), $4, $5, NULL); }
  | SWEEP IDENT IDENT postfix OVER name_list sweep_out
                                  { $$ = sweep_node(ps, @2, $2, sensitivity_word(ps, @3, $3), $4, $7, $6); }
  | REPORT name_list TO expr      { $$ = NEW(N_REPORT, @1); $$->a = $2; $$->c = $4; }
  | REPORT name_list ON expr_list TO expr
                                  { $$ = NEW(N_REPORT, @1); $$->a = $2; $$->b = $4; $$->c = $6; }
  | PLOT plot_paths               { $$ = plot_node(ps, @1, true, $2, NULL, NULL); }
  | PLOT plot_paths TO expr       { $$ = plot_node(ps, @1, true, $2, NULL, $4); }
  | PLOT plot_paths ON expr_list  { $$ = plot_node(ps, @1, true, $2, $4, NULL); }
  | PLOT plot_paths ON expr_list TO expr
                                  { $$ = plot_node(ps, @1, true, $2, $4, $6); }
  | expr                          { $$ = NEW(N_EXPR_STMT, @1); $$->a = $1; }
  | error                         { $$ = NULL; }
  ;

decl
  : REGION IDENT record           { $$ = NEW(N_ENTITY, @2); $$->op = REGION; $$->str = $2; $$->a = $3; }
  | CLUSTER IDENT record          { $$ = NEW(N_ENTITY, @2); $$->op = CLUSTER; $$->str = $2; $$->a = $3; }
  | PROGRAMME IDENT record        { $$ = NEW(N_ENTITY, @2); $$->op = PROGRAMME; $$->str = $2; $$->a = $3; }
  | PARTNERSHIP IDENT record      { $$ = NEW(N_ENTITY, @2); $$->op = PARTNERSHIP; $$->str = $2; $$->a = $3; }
  | FUND postfix ARROW postfix record
                                  { $$ = NEW(N_FUND, @1); $$->a = $2; $$->b = $4; $$->c = $5; }
  ;

load_kind
  : REGION { $$ = "region"; } | CLUSTER { $$ = "cluster"; } | PROGRAMME { $$ = "programme"; }
  | PARTNERSHIP { $$ = "partnership"; }
  ;

load_fields
  : load_field                    { $$ = NEW(N_BLOCK, @1); APPEND($$->list, $1); }
  | load_fields field_sep load_field { $$ = $1; APPEND($$->list, $3); }
  ;

load_field
  : load_path ':' expr            { $$ = NEW(N_FIELD_INIT, @1); $$->str = $1; $$->a = $3; }
  | load_path ':' expr IN expr    { $$ = NEW(N_FIELD_INIT, @1); $$->str = $1; $$->a = $3; $$->b = $5; }
  ;

load_path
  : field_name                    { $$ = $1; }
  | load_path '.' field_name      { $$ = dotted(ps, $1, $3); }
  ;

name_list
  : IDENT                         { $$ = NEW(N_BLOCK, @1); Node *n = NEW(N_NAME, @1); n->str = $1; APPEND($$->list, n); }
  | name_list ',' IDENT           { $$ = $1; Node *n = NEW(N_NAME, @3); n->str = $3; APPEND($$->list, n); }
  ;

sweep_axes
  : IDENT IN postfix              { $$ = sweep_axis(ps, @1, NULL, $1, $3); }
  | sweep_axes AND IDENT IN postfix
                                  { $$ = sweep_axis(ps, @3, $1, $3, $5); }
  ;

sweep_out
  : %empty                        { $$ = NULL; }
  | SHOW expr_list                { $$ = $2; }
  | ON expr_list                  { $$ = $2; }
  | SHOW expr_list PLOT           { $$ = $2; $$->op = 'p'; }
  | ON expr_list PLOT             { $$ = $2; $$->op = 'p'; }
  | SHOW expr_list PLOT TO expr   { $$ = $2; $$->op = 'p'; $$->a = $5; }
  | ON expr_list PLOT TO expr     { $$ = $2; $$->op = 'p'; $$->a = $5; }
/* What `plot` draws: series (S.X.jobs) or, before `on`, scenario names. */
plot_paths
  : plot_path                     { $$ = NEW(N_BLOCK, @1); APPEND($$->list, $1); }
  | plot_paths ',' plot_path      { $$ = $1; APPEND($$->list, $3); }
  ;

plot_path
  : IDENT                         { $$ = NEW(N_NAME, @1); $$->str = $1; }
  | plot_path '.' field_name      { $$ = NEW(N_FIELD, @3); $$->a = $1; $$->str = $3; }
  ;

scen_body
  : '{' opt_seps '}'              { $$ = NEW(N_BLOCK, @1); }
  | '{' opt_seps scen_items opt_seps '}'  { $$ = $3; }
  ;

scen_items
  : scen_item                     { $$ = NEW(N_BLOCK, @1); APPEND($$->list, $1); }
  | scen_items scen_sep scen_item { $$ = $1; APPEND($$->list, $3); }
  ;

scen_sep : seps | ',' | ',' seps ;

scen_item
  : field_name ':' expr           { $$ = NEW(N_FIELD_INIT, @1); $$->str = $1; $$->a = $3; }
  | SET IDENT '=' expr            { $$ = NEW(N_SET, @2); $$->str = $2; $$->a = $4; }
  | decl                          { $$ = $1; }
  ;

fn_body
  : block                         { $$ = $1; }
  | '=' expr %prec FNBODY         { $$ = $2; }
  ;

else_part
  : %empty                        { $$ = NULL; }
  | ELSE block                    { $$ = $2; }
  | ELSE IF expr block else_part  { $$ = NEW(N_IF, @2); $$->a = $3; $$->b = $4; $$->c = $5; }
  ;

params
  : %empty                        { $$ = NEW(N_BLOCK, @$); }
  | IDENT                         { $$ = NEW(N_BLOCK, @1); Node *p = NEW(N_NAME, @1); p->str = $1; APPEND($$->list, p); }
  | params ',' IDENT              { $$ = $1; Node *p = NEW(N_NAME, @3); p->str = $3; APPEND($$->list, p); }
  ;

expr
  : expr OR expr                  { $$ = NEW(N_OR, @2); $$->a = $1; $$->b = $3; }
  | expr AND expr                 { $$ = NEW(N_AND, @2); $$->a = $1; $$->b = $3; }
  | NOT expr                      { $$ = NEW(N_UNARY, @1); $$->op = NOT; $$->a = $2; }
  | expr EQ expr                  { $$ = binary(ps, EQ, @2, $1, $3); }
  | expr NE expr                  { $$ = binary(ps, NE, @2, $1, $3); }
  | expr '<' expr                 { $$ = binary(ps, '<', @2, $1, $3); }
  | expr LE expr                  { $$ = binary(ps, LE, @2, $1, $3); }
  | expr '>' expr                 { $$ = binary(ps, '>', @2, $1, $3); }
  | expr GE expr                  { $$ = binary(ps, GE, @2, $1, $3); }
  | expr DOTDOT expr              { $$ = binary(ps, DOTDOT, @2, $1, $3); }
  | expr '+' expr                 { $$ = binary(ps, '+', @2, $1, $3); }
  | expr '-' expr                 { $$ = binary(ps, '-', @2, $1, $3); }
  | expr '*' expr                 { $$ = binary(ps, '*', @2, $1, $3); }
  | expr '/' expr                 { $$ = binary(ps, '/', @2, $1, $3); }
  | expr MOD expr                 { $$ = binary(ps, MOD, @2, $1, $3); }
  | expr '^' expr                 { $$ = binary(ps, '^', @2, $1, $3); }
  | '-' expr %prec UMINUS         { $$ = NEW(N_UNARY, @1); $$->op = '-'; $$->a = $2; }
  | postfix %prec FNBODY          { $$ = $1; }
  ;

postfix
  : primary                       { $$ = $1; }
  | postfix '.' field_name        { $$ = NEW(N_FIELD, @3); $$->a = $1; $$->str = $3; }
  | postfix '[' expr ']'          { $$ = NEW(N_INDEX, @2); $$->a = $1; $$->b = $3; }
  | postfix '(' ')'               { $$ = NEW(N_CALL, @2); $$->a = $1; }
  | postfix '(' args opt_comma ')' { $$ = $3; $$->kind = N_CALL; $$->loc = L(@2); $$->a = $1; }
  ;

args
  : expr                          { $$ = NEW(N_BLOCK, @1); APPEND($$->list, $1); }
  | args ',' expr                 { $$ = $1; APPEND($$->list, $3); }
  ;

expr_list
  : expr                          { $$ = NEW(N_BLOCK, @1); APPEND($$->list, $1); }
  | expr_list ',' expr            { $$ = $1; APPEND($$->list, $3); }
  ;

opt_comma : %empty | ',' ;

primary
  : NUMBER                        { $$ = NEW(N_NUMBER, @1); $$->str = $1; }
  | NUMBER IDENT                  { Node *n = NEW(N_NUMBER, @1); n->str = $1;
                                    $$ = NEW(N_QUANTITY, @2); $$->a = n; $$->str = $2; }
  | string                        { $$ = $1; }
  | TRUE                          { $$ = NEW(N_TRUE, @1); }
  | FALSE                         { $$ = NEW(N_FALSE, @1); }
  | NIL                           { $$ = NEW(N_NIL, @1); }
  | IDENT                         { $$ = NEW(N_NAME, @1); $$->str = $1; }
  | '(' expr ')'                  { $$ = $2; }
  | '(' expr ',' args opt_comma ')'
                                  { $$ = NEW(N_TUPLE, @1); APPEND($$->list, $2);
                                    for (int i = 0; i < $4->list.count; i++) APPEND($$->list, $4->list.items[i]); }
  | '[' ']'                       { $$ = NEW(N_LIST, @1); }
  | '[' args opt_comma ']'        { $$ = $2; $$->kind = N_LIST; $$->loc = L(@1); }
  | record                        { $$ = $1; }
  | FN '(' params ')' fn_body     { $$ = NEW(N_FN, @1); $$->list = $3->list; $$->a = $5;
                                    $$->op = $5->kind != N_BLOCK; }
  | WHY postfix %prec FNBODY      { $$ = NEW(N_WHY, @1); $$->a = $2; }
  | AUDIT primary                 { $$ = NEW(N_AUDIT, @1); $$->a = $2; }
  | COMPARE '(' args opt_comma ')' { $$ = $3; $$->kind = N_CALL; $$->loc = L(@2);
                                    $$->a = NEW(N_NAME, @1); $$->a->str = "compare"; }
  | SWEEP '(' args opt_comma ')'  { $$ = $3; $$->kind = N_CALL; $$->loc = L(@2);
                                    $$->a = NEW(N_NAME, @1); $$->a->str = "sweep"; }
  | REPORT '(' args opt_comma ')' { $$ = $3; $$->kind = N_REPORT; $$->loc = L(@1); $$->op = 1; }
  | PLOT '(' args opt_comma ')'   { $$ = plot_node(ps, @1, false, $3, NULL, NULL); }
  ;

string
  : STRING                        { $$ = NEW(N_STRING, @1); $$->str = $1; }
  | STR_HEAD expr interp_rest     { $$ = $3; Node *s = NEW(N_STRING, @1); s->str = $1;
                                    /* interp_rest collected the tail in reverse order */
                                    NodeList parts = {0, 0, NULL};
                                    APPEND(parts, s); APPEND(parts, $2);
                                    for (int i = $3->list.count - 1; i >= 0; i--) APPEND(parts, $3->list.items[i]);
                                    $$->list = parts; $$->loc = L(@1); }
  ;

interp_rest
  : STR_TAIL                      { $$ = NEW(N_INTERP, @1); Node *s = NEW(N_STRING, @1); s->str = $1; APPEND($$->list, s); }
  | STR_MID expr interp_rest      { $$ = $3; Node *s = NEW(N_STRING, @1); s->str = $1;
                                    APPEND($$->list, $2); APPEND($$->list, s); }
  ;

record
  : '{' '}'                       { $$ = NEW(N_RECORD, @1); }
  | '{' fields opt_field_sep '}'  { $$ = $2; $$->loc = L(@1); }
  ;

fields
  : field                         { $$ = NEW(N_RECORD, @1); APPEND($$->list, $1); }
  | fields field_sep field        { $$ = $1; APPEND($$->list, $3); }
  ;

field_sep : ',' | NEWLINE ;
opt_field_sep : %empty | field_sep ;

field
  : field_name ':' expr           { $$ = NEW(N_FIELD_INIT, @1); $$->str = $1; $$->a = $3; }
  | NUMBER ':' expr               { $$ = NEW(N_FIELD_INIT, @1); $$->str = year_key(ps, @1, $1); $$->a = $3; }
  ;

field_name
  : IDENT                         { $$ = $1; }
  | LET { $$ = "let"; } | FN { $$ = "fn"; } | RETURN { $$ = "return"; } | IF { $$ = "if"; }
  | ELSE { $$ = "else"; } | WHILE { $$ = "while"; } | FOR { $$ = "for"; } | IN { $$ = "in"; }
  | BREAK { $$ = "break"; } | CONTINUE { $$ = "continue"; } | AND { $$ = "and"; }
  | OR { $$ = "or"; } | NOT { $$ = "not"; } | TRUE { $$ = "true"; } | FALSE { $$ = "false"; }
  | NIL { $$ = "nil"; } | IMPORT { $$ = "import"; } | ASSERT { $$ = "assert"; }
  | PRINT { $$ = "print"; } | REGION { $$ = "region"; } | CLUSTER { $$ = "cluster"; }
  | PROGRAMME { $$ = "programme"; } | FUND { $$ = "fund"; } | PARTNERSHIP { $$ = "partnership"; }
  | LOAD { $$ = "load"; }
  | PARAM { $$ = "param"; } | SET { $$ = "set"; } | RULE { $$ = "rule"; }
  | SCENARIO { $$ = "scenario"; } | EXTENDS { $$ = "extends"; } | RUN { $$ = "run"; }
  | COMPARE { $$ = "compare"; } | ON { $$ = "on"; } | PLOT { $$ = "plot"; } | WHY { $$ = "why"; }
  | AUDIT { $$ = "audit"; } | EXPORT { $$ = "export"; } | TO { $$ = "to"; }
  | REPORT { $$ = "report"; } | SWEEP { $$ = "sweep"; } | OVER { $$ = "over"; }
  | CASES { $$ = "cases"; } | SHOW { $$ = "show"; } | UNIT { $$ = "unit"; } | MOD { $$ = "mod"; }
  ;

%%

static void yyerror(YYLTYPE *loc, ParseState *ps, const char *msg) {
  if (strcmp(msg, "memory exhausted") == 0) msg = "the program is nested too deeply";
  parse_error(ps, L(*loc), "%s", msg);
}

/* Token names as users read them: "let", not "\"let\"". */
static void put_symbol(Buffer *b, yysymbol_kind_t sym) {
  const char *name = yysymbol_name(sym);
  if (name[0] == '"') {
    buf_putc(b, '\'');
    buf_put(b, name + 1, strlen(name) - 2);
    buf_putc(b, '\'');
  } else if (strcmp(name, "end of file") == 0) {
    buf_puts(b, "end of input");
  } else {
    buf_puts(b, name);
  }
}

/* The keywords that begin a statement, and what their statement takes
 * next: 'n' a name, 's' a string, 'e' an expression. */
static const struct {
  const char *word;
  char takes;
} statement_keywords[] = {
    {"let", 'n'},      {"fn", 'n'},          {"for", 'n'},       {"unit", 'n'},    {"region", 'n'},
    {"cluster", 'n'},  {"programme", 'n'},   {"partnership", 'n'}, {"param", 'n'}, {"rule", 'n'},
    {"scenario", 'n'}, {"run", 'n'},         {"compare", 'n'},   {"set", 'n'},     {"import", 's'},
    {"print", 'e'},    {"return", 'e'},      {"assert", 'e'},    {"if", 'e'},      {"while", 'e'},
    {"export", 'e'},   {"why", 'e'},         {"audit", 'e'},     {"fund", 'e'},    {"sweep", 'n'},
    {"plot", 'n'},     {"report", 'n'},
};

/* A token that can begin an expression but cannot follow a name. */
static bool begins_expression(yysymbol_kind_t t) {
  switch (t) {
  case YYSYMBOL_IDENT: case YYSYMBOL_NUMBER: case YYSYMBOL_STRING: case YYSYMBOL_STR_HEAD:
  case YYSYMBOL_NOT: case YYSYMBOL_TRUE: case YYSYMBOL_FALSE: case YYSYMBOL_NIL: case YYSYMBOL_FN:
  case YYSYMBOL_WHY: case YYSYMBOL_AUDIT: case YYSYMBOL_SWEEP: case YYSYMBOL_PLOT:
    return true;
  default:
    return false;
  }
}

/* A statement that begins with a name and goes wrong at its second token
 * (`clustr Aero {`, `scenarion s {`, `compar a, b on X.y`) is most likely a
 * misspelt keyword: the keyword close to that name whose statement takes
 * what came second, or NULL. */
static const char *misspelt_keyword(ParseState *ps, yysymbol_kind_t got) {
  if (ps->stmt_tokens != 2 || !ps->stmt_word) return NULL;
  const char *best = NULL;
  int best_d = 0;
  for (size_t i = 0; i < sizeof statement_keywords / sizeof statement_keywords[0]; i++) {
    char takes = statement_keywords[i].takes;
    bool fits = takes == 'n' ? got == YYSYMBOL_IDENT
              : takes == 's' ? got == YYSYMBOL_STRING
              : begins_expression(got);
    int d;
    if (fits && diag_similar(ps->stmt_word, statement_keywords[i].word, &d) && (!best || d < best_d)) {
      best = statement_keywords[i].word;
      best_d = d;
    }
  }
  return best;
}

static int yyreport_syntax_error(const yypcontext_t *ctx, ParseState *ps) {
  yysymbol_kind_t got = yypcontext_token(ctx);
  YYLTYPE *loc = yypcontext_location(ctx);
  if (got == YYSYMBOL_YYEOF && ps->nerrors == 0) ps->incomplete = true;
  start_recovery(ps);
  const char *keyword = misspelt_keyword(ps, got);
  if (keyword) {
    parse_error(ps, ps->stmt_word_at, "syntax error: '%s' is not a keyword (did you mean '%s'?)", ps->stmt_word,
                keyword);
    return 0;
  }
  Buffer b;
  buf_init(&b);
  buf_puts(&b, "syntax error: unexpected ");
  put_symbol(&b, got);
  yysymbol_kind_t expected[6];
  int n = yypcontext_expected_tokens(ctx, expected, 6);
  if (n > 0 && n <= 4) {
    buf_puts(&b, ", expected ");
    for (int i = 0; i < n; i++) {
      if (i) buf_puts(&b, i == n - 1 ? " or " : ", ");
      put_symbol(&b, expected[i]);
    }
  }
  SrcLoc at = L(*loc);
  if (got == YYSYMBOL_YYEOF) at = ps->last_end.line ? ps->last_end : (SrcLoc){ps->line, ps->col};
  parse_error(ps, at, "%s", b.data);
  buf_free(&b);
  return 0;
}

/* Does a newline after this token continue the statement? */
static bool continues_line(int tok) {
  switch (tok) {
  case '+': case '-': case '*': case '/': case '^': case '<': case '>': case '=':
  case ',': case '{': case '(': case '[': case '.': case ':': case EQ: case NE:
  case LE: case GE: case DOTDOT: case ARROW: case AND: case OR: case NOT: case MOD:
  case NEWLINE: case ';': case 0:
    return true;
  default:
    return false;
  }
}

/* Can this token only begin a new statement (never continue an
 * expression)?  After a closing `}` such a token starts the next statement
 * even on the same line: `if n < 2 { return n } return fib(n - 1)`. */
static bool starts_statement(int tok) {
  switch (tok) {
  case IDENT: case NUMBER: case STRING: case STR_HEAD: case LET: case FN: case RETURN:
  case IF: case WHILE: case FOR: case BREAK: case CONTINUE: case PRINT: case ASSERT:
  case IMPORT: case UNIT: case TRUE: case FALSE: case NIL: case NOT: case REGION: case CLUSTER:
  case PROGRAMME: case PARTNERSHIP: case FUND: case PARAM: case RULE: case SCENARIO: case RUN:
  case COMPARE: case WHY: case EXPORT: case SET: case AUDIT: case SWEEP: case REPORT: case PLOT:
  case LOAD:
    return true;
  default:
    return false;
  }
}

static int next_raw(YYSTYPE *lval, YYLTYPE *lloc, ParseState *ps) {
  if (ps->have_peek) {
    ps->have_peek = false;
    lval->str = ps->peek_val.str;
    lloc->first_line = ps->peek_loc.line;
    lloc->first_column = ps->peek_loc.col;
    lloc->last_line = ps->peek_end.line;
    lloc->last_column = ps->peek_end.col;
    return ps->peek_token;
  }
  return clusim_raw_lex(lval, lloc, ps->scanner);
}

/* The newline filter (see the comment at the top of parse.h) and the
 * bracket tracking it relies on. */
static int filter_token(YYSTYPE *lval, YYLTYPE *lloc, ParseState *ps) {
  for (;;) {
    int tok = next_raw(lval, lloc, ps);
    if (tok == NEWLINE) {
      bool in_parens = ps->nbrackets > 0 && ps->brackets[ps->nbrackets - 1] != '{';
      if (in_parens || continues_line(ps->last_token)) continue;
      /* Look ahead: a newline before `else` does not end the `if`. */
      YYSTYPE v;
      YYLTYPE l;
      int next;
      do {
        next = clusim_raw_lex(&v, &l, ps->scanner);
      } while (next == NEWLINE);
      if (next != ELSE || ps->last_token != '}') {
        ps->have_peek = true;
        ps->peek_token = next;
        ps->peek_val.str = v.str;
        ps->peek_loc = (SrcLoc){l.first_line, l.first_column};
        ps->peek_end = (SrcLoc){l.last_line, l.last_column};
        ps->last_token = NEWLINE;
        return NEWLINE;
      }
      tok = next;
      *lval = v;
      *lloc = l;
    }
    if (ps->last_token == '}' && starts_statement(tok)) {
      ps->have_peek = true;
      ps->peek_token = tok;
      ps->peek_val.str = lval->str;
      ps->peek_loc = (SrcLoc){lloc->first_line, lloc->first_column};
      ps->peek_end = (SrcLoc){lloc->last_line, lloc->last_column};
      ps->last_token = NEWLINE;
      return NEWLINE;
    }
    switch (tok) {
    case '(': case '[': case '{': case STR_HEAD:
      if (ps->nbrackets < PARSE_MAX_NEST) {
        ps->bracket_at[ps->nbrackets] = (SrcLoc){lloc->first_line, lloc->first_column};
        ps->bracket_block[ps->nbrackets] = false;
        ps->brackets[ps->nbrackets++] = tok == STR_HEAD ? '(' : (char)tok;
      }
      break;
    case ')': case ']': case '}': case STR_TAIL:
      if (ps->nbrackets > 0) ps->nbrackets--;
      break;
    default:
      break;
    }
    ps->last_token = tok;
    if (tok != 0) ps->last_end = (SrcLoc){lloc->last_line, lloc->last_column + 1};
    return tok;
  }
}

/* ---- error recovery ------------------------------------------------------
 *
 * After a syntax error Bison pops back to the innermost `stmt: error` and
 * drops tokens up to the end of the statement.  Token by token, that goes
 * wrong when the statement holds brackets: after `clustr Aero {` the next
 * newline is inside the braces, so the recovery ends there, the fields are
 * read as statements and the closing `}` is a second, spurious error.  So
 * while Bison recovers, the filter hands it only the tokens at the depth of
 * the block it recovers in: a group opened at that depth is skipped whole,
 * up to its closing bracket, and so is the rest of a group (a record, a
 * call) that was open at the error.  The recovery ends at the end of the
 * statement (a newline or `;` at that depth), at the bracket that closes
 * the block, or at the end of the text.
 *
 * The block Bison recovers in is the innermost one open before the token in
 * error: the grammar marks a brace as a block's when it enters the block
 * (enter_block); a brace the parser never entered as a block (a record, a
 * scenario's body) has no `stmt: error` inside.
 */

static void enter_block(ParseState *ps, YYLTYPE brace) {
  SrcLoc at = L(brace);
  /* the brace is open, or just closed by the lookahead: `{}` */
  for (int i = ps->nbrackets < PARSE_MAX_NEST ? ps->nbrackets : PARSE_MAX_NEST - 1; i >= 0; i--)
    if (ps->bracket_at[i].line == at.line && ps->bracket_at[i].col == at.col) {
      ps->bracket_block[i] = true;
      return;
    }
}

static void start_recovery(ParseState *ps) {
  int depth = 0;
  for (int i = ps->tok_depth - 1; i >= 0; i--)
    if (ps->bracket_block[i]) {
      depth = i + 1;
      break;
    }
  ps->recovering = true;
  ps->recover_depth = depth;
}

/* Track the statement being read, for misspelt_keyword. */
static void note_statement(ParseState *ps, int tok, YYSTYPE *lval, YYLTYPE *lloc) {
  if (tok == NEWLINE || tok == ';' || tok == '{' || tok == '}') {
    ps->stmt_tokens = 0;
    ps->stmt_word = NULL;
    return;
  }
  if (ps->stmt_tokens++ == 0) {
    ps->stmt_word = tok == IDENT ? lval->str : NULL;
    ps->stmt_word_at = L(*lloc);
  }
}

/* What the parser reads: the filtered tokens, less those error recovery
 * skips; only the end of the text once there were too many errors. */
static int yylex(YYSTYPE *lval, YYLTYPE *lloc, ParseState *ps) {
  for (;;) {
    if (ps->stopped) return YYEOF;
    int before = ps->nbrackets;
    int tok = filter_token(lval, lloc, ps);
    if (tok == YYerror) { /* the scanner reported it: Bison recovers without a report */
      ps->tok_depth = before;
      start_recovery(ps);
      return tok;
    }
    if (ps->recovering) {
      int after = ps->nbrackets;
      if (tok != YYEOF && before > ps->recover_depth) continue;     /* inside a skipped group */
      if (tok != YYEOF && before == ps->recover_depth && after > before) continue; /* a group opens */
      if (tok == YYEOF || before < ps->recover_depth || after < before || tok == NEWLINE || tok == ';')
        ps->recovering = false;
    }
    ps->tok_depth = before;
    note_statement(ps, tok, lval, lloc);
    return tok;
  }
}
