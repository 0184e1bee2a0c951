" Vim syntax file
" Language:    Clusim (cluster-policy scenarios, *.clu)
" Maintainer:  the Clusim project (editors/README.md)
" The keyword lists are checked against the scanner (grammar/lexer.l) and
" the built-ins by tests/editors/check_editors.sh: a keyword added to the
" language without being added here fails `make check`.

if exists("b:current_syntax")
  finish
endif

let s:cpo_save = &cpo
set cpo&vim

syn case match

" Comments run from # to the end of the line.
syn keyword cluTodo contained TODO FIXME XXX NOTE
syn match   cluComment "#.*$" contains=cluTodo,@Spell

" Strings: escapes and {interpolation}.
syn region  cluString start=+"+ skip=+\\\\\|\\"+ end=+"+ contains=cluEscape,cluInterp,@Spell
syn match   cluEscape contained +\\[nt"\\{}]+
syn region  cluInterp contained matchgroup=cluInterpDelim start=+{+ end=+}+ contains=TOP,cluString

" Numbers: 250_000, 2.5, 1e6, and the suffixes k, M, bn and %.
syn match   cluNumber "\<\d[0-9_]*\(\.\d[0-9_]*\)\=\([eE][+-]\=\d\+\)\=\(k\|M\|bn\)\=\>"
syn match   cluNumber "\<\d[0-9_]*\(\.\d[0-9_]*\)\=\([eE][+-]\=\d\+\)\=%"

" Keywords, as the scanner knows them.
syn keyword cluConditional if else
syn keyword cluRepeat      for while in
syn keyword cluStatement   break continue return let fn import assert print
syn keyword cluOperator    and or not mod
syn keyword cluBoolean     true false
syn keyword cluConstant    nil
syn keyword cluDeclaration region cluster programme fund partnership param rule unit
syn keyword cluScenario    scenario extends set run compare on plot why audit export to report
syn keyword cluScenario    sweep over cases show

" Built-in functions (the C library and stdlib/prelude.clu).
syn keyword cluBuiltin abs active append ceil clusters contains cos exact exp filter floor
syn keyword cluBuiltin funds inexact join keys ledger len ln log10 map max min num paid
syn keyword cluBuiltin partnerships passed_on pay programmes random random_normal range
syn keyword cluBuiltin read_csv regions round schema seed sin sort sqrt str sum tan trunc
syn keyword cluBuiltin type unit_of value_of values write_csv mean share compound

" The built-in units.
syn keyword cluUnit EUR year

syn match   cluArrow "->"
syn match   cluRange "\.\."

hi def link cluTodo        Todo
hi def link cluComment     Comment
hi def link cluString      String
hi def link cluEscape      SpecialChar
hi def link cluInterpDelim Delimiter
hi def link cluNumber      Number
hi def link cluConditional Conditional
hi def link cluRepeat      Repeat
hi def link cluStatement   Statement
hi def link cluOperator    Operator
hi def link cluBoolean     Boolean
hi def link cluConstant    Constant
hi def link cluDeclaration Structure
hi def link cluScenario    Keyword
hi def link cluBuiltin     Function
hi def link cluUnit        Type
hi def link cluArrow       Operator
hi def link cluRange       Operator

let b:current_syntax = "clusim"

let &cpo = s:cpo_save
unlet s:cpo_save
