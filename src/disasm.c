/* disasm.c - prints bytecode as text, decoding operands from opcodes.h. */
#include "disasm.h"

#include <stdio.h>
#include <stdlib.h>

#include "diag.h"
#include "opcodes.h"
#include "state.h"

/* Names and operand formats by opcode, from the one list in opcodes.h:
 * nothing here knows any particular instruction. */
static const char *const op_names[OP__COUNT] = {
#define X(name, operands, doc) #name,
    CLUSIM_OPCODES(X)
#undef X
};

static const char *const op_operands[OP__COUNT] = {
#define X(name, operands, doc) operands,
    CLUSIM_OPCODES(X)
#undef X
};

/* The longest opcode name: operands start in one column after it. */
#define NAME_WIDTH 18

/* A string constant longer than this is cut short with "..." (stdlib help
 * texts would otherwise fill the screen). */
#define SHOWN_CONSTANT_MAX 60

static int u16_at(const Chunk *c, int at) { return c->code[at] | (c->code[at + 1] << 8); }

static int u24_at(const Chunk *c, int at) { return u16_at(c, at) | (c->code[at + 2] << 16); }

static void put_function_name(Buffer *out, ObjFunction *fn) {
  const char *kind = fn->declared_as ? fn->declared_as : "fn";
  if (fn->name) buf_printf(out, "<%s %s>", kind, fn->name->chars);
  else buf_printf(out, "<%s anonymous>", kind);
}

static void put_constant(Interp *I, Buffer *out, const Chunk *c, int k) {
  buf_printf(out, "#%d ", k);
  if (k >= c->constants.count) {
    buf_puts(out, "(no such constant)");
    return;
  }
  Value v = c->constants.items[k];
  if (IS_OBJ_TYPE(v, OBJ_FUNCTION)) { /* value_print says only "<fn>" */
    put_function_name(out, AS_FUNCTION(v));
    return;
  }
  size_t start = out->len;
  value_print(I, out, v, true);
  if (out->len - start > SHOWN_CONSTANT_MAX) {
    size_t cut = start + SHOWN_CONSTANT_MAX;
    while (cut > start && ((unsigned char)out->data[cut] & 0xC0) == 0x80) cut--;
    out->len = cut;
    out->data[cut] = '\0';
    buf_puts(out, "...");
  }
}

static void put_global(Interp *I, Buffer *out, int g) {
  if (g < I->nglobals) buf_printf(out, "g%d %s", g, I->global_names[g]->chars);
  else buf_printf(out, "g%d (no such global)", g);
}

/* Bytes of an operand of each kind (opcodes.h); 0 for an unknown letter. */
static int operand_width(char kind) {
  switch (kind) {
  case 'l':
  case 'u':
  case 'i':
  case 'n':
  case 'h': return 1;
  case 'k':
  case 'q':
  case 'g':
  case 'N':
  case 'f':
  case 'b':
  case 'c': return 2; /* c: then its capture pairs */
  case 'K':
  case 'G':
  case 'C': return 3;
  default: return 0;
  }
}

/* The closure's function of a CLOSURE operand, or NULL. */
static ObjFunction *closure_function(const Chunk *c, int k) {
  if (k >= c->constants.count || !IS_OBJ_TYPE(c->constants.items[k], OBJ_FUNCTION)) return NULL;
  return AS_FUNCTION(c->constants.items[k]);
}

/* Where the instruction at `offset` ends (the next one starts), or -1 if
 * its operands run past the end of the chunk. */
static int instruction_end(const Chunk *c, int offset) {
  int op = c->code[offset];
  int end = offset + 1;
  if (op >= OP__COUNT) return end;
  for (const char *f = op_operands[op]; *f; f++) {
    end += operand_width(*f);
    if ((*f == 'c' || *f == 'C') && end <= c->count) {
      ObjFunction *fn = closure_function(c, *f == 'c' ? u16_at(c, end - 2) : u24_at(c, end - 3));
      if (fn) end += 2 * fn->upvalue_count;
    }
  }
  return end <= c->count ? end : -1;
}

/* Append the line of the instruction at `offset` and return the next
 * offset.  With `starts` (a flag per code offset), a jump whose target is
 * not the start of an instruction says so: the compiler got it wrong. */
static int instruction(Interp *I, Buffer *out, Chunk *c, int offset, const bool *starts) {
  SrcLoc loc = c->locs[offset];
  char where[32];
  snprintf(where, sizeof where, "%d:%d", loc.line, loc.col);
  buf_printf(out, "%04d %7s  ", offset, where);
  int op = c->code[offset];
  if (op >= OP__COUNT) {
    buf_printf(out, "??? (byte %d is no opcode)\n", op);
    return offset + 1;
  }
  const char *fmt = op_operands[op];
  if (!*fmt) {
    buf_printf(out, "%s\n", op_names[op]);
    return offset + 1;
  }
  buf_printf(out, "%-*s ", NAME_WIDTH, op_names[op]);
  int end = instruction_end(c, offset);
  if (end < 0) {
    buf_puts(out, "(truncated)\n");
    return c->count;
  }
  int at = offset + 1;
  for (const char *f = fmt; *f; f++) {
    int width = operand_width(*f);
    if (*f == 'h') { /* the VM's cache: no part of the program */
      at += width;
      continue;
    }
    if (f != fmt) buf_puts(out, ", ");
    int x = width == 1 ? c->code[at] : width == 2 ? u16_at(c, at) : width == 3 ? u24_at(c, at) : 0;
    at += width;
    switch (*f) {
    case 'k':
    case 'K': put_constant(I, out, c, x); break;
    case 'q': put_constant(I, out, c, x & (K_UNIT - 1)); break;
    case 'g':
    case 'G': put_global(I, out, x); break;
    case 'l': buf_printf(out, "slot %d", x); break;
    case 'u': buf_printf(out, "upvalue %d", x); break;
    case 'i': buf_printf(out, "%d", (int8_t)x); break;
    case 'n':
    case 'N': buf_printf(out, "%d", x); break;
    case 'f':
    case 'b': {
      int target = *f == 'f' ? end + x : end - x;
      buf_printf(out, "%c%d -> %04d", *f == 'f' ? '+' : '-', x, target);
      if (starts && (target < 0 || target >= c->count || !starts[target]))
        buf_puts(out, " (not an instruction start)");
      break;
    }
    case 'c':
    case 'C': {
      put_constant(I, out, c, x);
      ObjFunction *fn = closure_function(c, x);
      for (int i = 0; fn && i < fn->upvalue_count; i++, at += 2)
        buf_printf(out, "%s%s %d", i ? ", " : " captures ", c->code[at] ? "local" : "upvalue",
                   c->code[at + 1]);
      break;
    }
    default: buf_printf(out, "(operand format '%c' unknown)", *f); break;
    }
  }
  buf_putc(out, '\n');
  return end;
}

int disasm_instruction(Interp *I, Buffer *out, Chunk *c, int offset) {
  return instruction(I, out, c, offset, NULL);
}

/* Mark where each instruction starts, so that jumps can be checked. */
static bool *instruction_starts(const Chunk *c) {
  bool *starts = calloc((size_t)c->count + 1, sizeof *starts);
  if (!starts) return NULL;
  for (int at = 0; at >= 0 && at < c->count; at = instruction_end(c, at)) starts[at] = true;
  return starts;
}

void disasm_chunk(Interp *I, Buffer *out, ObjFunction *fn) {
  Chunk *c = &fn->chunk;
  buf_puts(out, "== ");
  if (fn->is_script) {
    buf_printf(out, "<script %s> (", source_name(c->source));
  } else {
    put_function_name(out, fn);
    buf_printf(out, " (%d param%s, %d upvalue%s, ", fn->arity, fn->arity == 1 ? "" : "s",
               fn->upvalue_count, fn->upvalue_count == 1 ? "" : "s");
  }
  buf_printf(out, "%d bytes, %d constant%s, %d stack slots) ==\n", c->count, c->constants.count,
             c->constants.count == 1 ? "" : "s", fn->max_slots);
  bool *starts = instruction_starts(c);
  for (int at = 0; at < c->count;) at = instruction(I, out, c, at, starts);
  free(starts);
  for (int k = 0; k < c->constants.count; k++) {
    Value v = c->constants.items[k];
    if (!IS_OBJ_TYPE(v, OBJ_FUNCTION)) continue;
    buf_putc(out, '\n');
    disasm_chunk(I, out, AS_FUNCTION(v));
  }
}
