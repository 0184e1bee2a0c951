/* opcodes.h - the instruction set, as one X-macro list used by the VM's
 * dispatch table (vm.c) and by the disassembler (disasm.c).
 *
 * X(name, operands, description).  An instruction is its opcode byte
 * followed by its operands, one letter of `operands` for each, in order:
 *
 *   k  u16  index into the chunk's constants
 *   g  u16  global slot (I->globals; its name is in I->global_names)
 *   l  u8   local slot of the running frame (slot 0 holds the callee)
 *   u  u8   upvalue index of the running closure
 *   i  s8   small integer immediate
 *   n  u8   count (arguments, parts, values; ASSERT: 1 if a message follows)
 *   N  u16  count (list items, record fields)
 *   f  u16  forward jump: the target is the end of the instruction + offset
 *   b  u16  backward jump: the target is the end of the instruction - offset
 *   c  u16  constant holding a function, then for each upvalue of that
 *           function a pair of u8 (is_local, index): capture the running
 *           frame's local slot `index`, or the running closure's upvalue
 *   h  u8   inline cache of GET_FIELD and SET_FIELD: the position of the
 *           field in the last record the instruction found it in, written
 *           by the VM (0 when compiled); tried first, checked against the
 *           record's key there, so a record of another shape only misses.
 *           The disassembler does not show it.
 *   q  u16  the constant operand of ADD_K...: a number constant's index
 *           (below K_UNIT), plus K_UNIT when the constant carries a unit
 *           (`0.01 EUR`), so that the VM keeps such a constant from its
 *           doubles' way without loading it first.
 *   K, G, C  the same as k, g and c, but u24: the operands of the wide
 *           forms (NAME_W) of the instructions that take one constant or
 *           global slot, for a function with more than 65,536 constants or
 *           a session with more than 65,536 globals (generated scripts).
 *           The compiler emits them only for such an index, so ordinary
 *           code stays compact; the fused instructions (ADD_GLOBAL, ADD_K,
 *           LT_JUMP_GK...) have no wide form: the compiler falls back to the
 *           plain instructions for a wide index.
 *
 * u16 and u24 operands are little-endian.  A jump operand is always the last one,
 * so "the end of the instruction" is where ip points once it is read.  The
 * description names the operands and gives the stack effect as
 * before -- after.  The disassembler decodes every instruction from this
 * table alone, so a new instruction needs no code there.
 */
#ifndef CLUSIM_OPCODES_H
#define CLUSIM_OPCODES_H

#define CLUSIM_OPCODES(X)                                                                  \
  X(CONST, "k", "constant -- value")                                                        \
  X(SMALLINT, "i", "immediate -- integer")                                                  \
  X(NIL, "", "-- nil")                                                                      \
  X(TRUE, "", "-- true")                                                                    \
  X(FALSE, "", "-- false")                                                                  \
  X(POP, "", "value --")                                                                    \
  X(GET_LOCAL, "l", "slot -- value")                                                        \
  X(SET_LOCAL, "l", "slot: value --")                                                       \
  X(GET_GLOBAL, "g", "global -- value (error if undefined)")                                \
  X(SET_GLOBAL, "g", "global: value -- (error if undefined)")                               \
  X(DEFINE_GLOBAL, "g", "global: value --")                                                 \
  X(GET_UPVALUE, "u", "index -- value")                                                     \
  X(SET_UPVALUE, "u", "index: value --")                                                    \
  X(CLOSE_UPVALUE, "", "value -- (closes the upvalue of the top slot)")                     \
  X(GET_FIELD, "kh", "name: record -- value")                                               \
  X(SET_FIELD, "kh", "name: record value --")                                               \
  X(GET_INDEX, "", "object index -- value")                                                 \
  X(SET_INDEX, "", "object index value --")                                                 \
  X(ADD, "", "a b -- a+b")                                                                  \
  X(SUB, "", "a b -- a-b")                                                                  \
  X(MUL, "", "a b -- a*b")                                                                  \
  X(DIV, "", "a b -- a/b")                                                                  \
  X(MOD, "", "a b -- a mod b")                                                              \
  X(POW, "", "a b -- a^b")                                                                  \
  X(ADD_INT, "i", "k: a -- a+k")                                                            \
  X(ADD_K, "q", "constant (a number): a -- a+k")                                            \
  X(SUB_K, "q", "constant (a number): a -- a-k")                                            \
  X(MUL_K, "q", "constant (a number): a -- a*k")                                            \
  X(DIV_K, "q", "constant (a number): a -- a/k")                                            \
  X(K_ADD, "q", "constant (a number): a -- k+a")                                            \
  X(K_SUB, "q", "constant (a number): a -- k-a")                                            \
  X(K_MUL, "q", "constant (a number): a -- k*a")                                            \
  X(K_DIV, "q", "constant (a number): a -- k/a")                                            \
  X(NEG, "", "a -- -a")                                                                     \
  X(NOT, "", "a -- not a")                                                                  \
  X(EQ, "", "a b -- a==b")                                                                  \
  X(NE, "", "a b -- a!=b")                                                                  \
  X(LT, "", "a b -- a<b")                                                                   \
  X(LE, "", "a b -- a<=b")                                                                  \
  X(GT, "", "a b -- a>b")                                                                   \
  X(GE, "", "a b -- a>=b")                                                                  \
  X(RANGE, "", "lo hi -- lo..hi")                                                           \
  X(JUMP, "f", "offset")                                                                    \
  X(JUMP_IF_FALSE, "f", "offset: cond --")                                                  \
  X(JUMP_IF_FALSE_KEEP, "f", "offset: cond -- cond (jump) or -- (fall through)")            \
  X(JUMP_IF_TRUE_KEEP, "f", "offset: cond -- cond (jump) or -- (fall through)")             \
  X(LOOP, "b", "offset (a safe point)")                                                     \
  X(LT_JUMP, "f", "offset: a b -- (jump unless a<b)")                                       \
  X(FOR_PREP, "", "iterable -- iterable state var (checks the value is iterable)")          \
  X(FOR_NEXT, "lf", "slot, exit offset: first element into var, or jump past the loop")     \
  X(FOR_LOOP, "lb", "slot, back offset: next element into var and jump back (safe point)")  \
  X(CLOSE_SLOT, "l", "slot: close upvalues of this slot (a captured loop variable)")        \
  X(FOR_RANGE, "f", "exit offset: lo hi -- counter count var (jump if lo..hi is empty)")    \
  X(FOR_RANGE_LOOP, "lb", "slot, back offset: next integer into var, jump back (safe point)") \
  X(LE_JUMP, "f", "offset: a b -- (jump unless a<=b)")                                      \
  X(GT_JUMP, "f", "offset: a b -- (jump unless a>b)")                                       \
  X(GE_JUMP, "f", "offset: a b -- (jump unless a>=b)")                                      \
  X(EQ_JUMP, "f", "offset: a b -- (jump unless a==b)")                                      \
  X(NE_JUMP, "f", "offset: a b -- (jump unless a!=b)")                                      \
  X(LT_JUMP_K, "kf", "constant, offset: a -- (jump unless a<k)")                            \
  X(LE_JUMP_K, "kf", "constant, offset: a -- (jump unless a<=k)")                           \
  X(GT_JUMP_K, "kf", "constant, offset: a -- (jump unless a>k)")                            \
  X(GE_JUMP_K, "kf", "constant, offset: a -- (jump unless a>=k)")                           \
  X(LT_JUMP_LK, "lkf", "slot, constant, offset: (jump unless local<k)")                     \
  X(LE_JUMP_LK, "lkf", "slot, constant, offset: (jump unless local<=k)")                    \
  X(GT_JUMP_LK, "lkf", "slot, constant, offset: (jump unless local>k)")                     \
  X(GE_JUMP_LK, "lkf", "slot, constant, offset: (jump unless local>=k)")                    \
  X(LT_JUMP_GK, "gkf", "global, constant, offset: (jump unless global<k)")                  \
  X(LE_JUMP_GK, "gkf", "global, constant, offset: (jump unless global<=k)")                 \
  X(GT_JUMP_GK, "gkf", "global, constant, offset: (jump unless global>k)")                  \
  X(GE_JUMP_GK, "gkf", "global, constant, offset: (jump unless global>=k)")                 \
  X(ADD_LOCAL, "l", "slot: a -- a+local")                                                   \
  X(SUB_LOCAL, "l", "slot: a -- a-local")                                                   \
  X(ADD_GLOBAL, "g", "global: a -- a+global")                                               \
  X(SUB_GLOBAL, "g", "global: a -- a-global")                                               \
  X(INC_LOCAL, "li", "slot, k: -- (local = local + k)")                                     \
  X(ADDTO_LOCAL, "l", "slot: v -- (local = local + v)")                                     \
  X(SUBFROM_LOCAL, "l", "slot: v -- (local = local - v)")                                   \
  X(ADDTO_GLOBAL, "g", "global: v -- (global = global + v)")                                \
  X(SUBFROM_GLOBAL, "g", "global: v -- (global = global - v)")                              \
  X(INC_GLOBAL, "gi", "global, k: -- (global = global + k)")                                \
  X(CALL, "n", "argc: fn args -- result")                                                   \
  X(CLOSURE, "c", "function, captures -- closure")                                          \
  X(RETURN, "", "value -- (to the caller)")                                                 \
  X(LIST, "N", "n: items -- list")                                                          \
  X(RECORD, "N", "n: (name value)* -- record")                                              \
  X(CONCAT, "n", "n: parts -- string (interpolation)")                                      \
  X(PRINT, "n", "n: values --")                                                             \
  X(ECHO, "", "value -- (prompt: print the value of an expression statement)")              \
  X(ASSERT, "n", "has_message: cond [message] --")                                          \
  X(IMPORT, "k", "path --")                                                                 \
  X(CONST_W, "K", "constant -- value")                                                      \
  X(GET_GLOBAL_W, "G", "global -- value (error if undefined)")                              \
  X(SET_GLOBAL_W, "G", "global: value -- (error if undefined)")                             \
  X(DEFINE_GLOBAL_W, "G", "global: value --")                                               \
  X(GET_FIELD_W, "Kh", "name: record -- value")                                             \
  X(SET_FIELD_W, "Kh", "name: record value --")                                             \
  X(CLOSURE_W, "C", "function, captures -- closure")                                        \
  X(IMPORT_W, "K", "path --")

/* The flag of a q operand: the constant carries a unit. */
#define K_UNIT 0x8000

typedef enum {
#define X(name, operands, doc) OP_##name,
  CLUSIM_OPCODES(X)
#undef X
      OP__COUNT
} OpCode;

#endif
