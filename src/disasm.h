/* disasm.h - the bytecode disassembler: what the compiler made, one line
 * per instruction (clusim --dump-bytecode). */
#ifndef CLUSIM_DISASM_H
#define CLUSIM_DISASM_H

#include "buffer.h"
#include "object.h"

/* Append the listing of fn's chunk to out: a header naming the function,
 * one line per instruction, then the listings of the functions among its
 * constants (the bodies of the closures it makes), depth first. */
void disasm_chunk(Interp *I, Buffer *out, ObjFunction *fn);

/* Append the line of the one instruction at `offset` of chunk c and return
 * the offset of the next instruction (for tracing). */
int disasm_instruction(Interp *I, Buffer *out, Chunk *c, int offset);

#endif
