/* repl.h - the interactive prompt. */
#ifndef CLUSIM_REPL_H
#define CLUSIM_REPL_H

#include "interp.h"

/* Read, run and print at the prompt until :quit or end of input; frees the
 * interpreter (which :reset may have replaced, with the same options) and
 * returns the exit status. */
int repl_run(Interp *I, const InterpOptions *opts);

#endif
