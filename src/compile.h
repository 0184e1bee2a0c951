/* compile.h - from syntax tree to bytecode. */
#ifndef CLUSIM_COMPILE_H
#define CLUSIM_COMPILE_H

#include "ast.h"
#include "object.h"

/* Compile a parsed program into the function that runs its top level.
 * Names are resolved to local slots, upvalues or global slots here.
 * Errors are printed (as many as found) and NULL is returned. */
ObjFunction *compile_program(Interp *I, Source *src, Node *root, Arena *arena);

#endif
