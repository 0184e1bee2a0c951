/* opcodes.h - the instruction set, as one X-macro list used by the VM's
 * dispatch table and by the disassembler.
 *
 * X(name, operand bytes, description).  Operands are little-endian:
 * u8 is one byte, u16 two.  Stack effects are given as before -- after.
 */
#ifndef CLUSIM_OPCODES_H
#define CLUSIM_OPCODES_H

#define CLUSIM_OPCODES(X)                                                              \
  X(CONST, 2, "u16 constant -- value")                                                  \
  X(SMALLINT, 1, "s8 immediate -- integer")                                             \
  X(NIL, 0, "-- nil")                                                                   \
  X(TRUE, 0, "-- true")                                                                 \
  X(FALSE, 0, "-- false")                                                               \
  X(POP, 0, "value --")                                                                 \
  X(GET_LOCAL, 1, "u8 slot -- value")                                                   \
  X(SET_LOCAL, 1, "u8 slot: value --")                                                  \
  X(GET_GLOBAL, 2, "u16 global -- value (error if undefined)")                          \
  X(SET_GLOBAL, 2, "u16 global: value -- (error if undefined)")                         \
  X(DEFINE_GLOBAL, 2, "u16 global: value --")                                           \
  X(GET_UPVALUE, 1, "u8 index -- value")                                                \
  X(SET_UPVALUE, 1, "u8 index: value --")                                               \
  X(CLOSE_UPVALUE, 0, "value -- (closes the upvalue of the top slot)")                  \
  X(GET_FIELD, 2, "u16 name: record -- value")                                          \
  X(SET_FIELD, 2, "u16 name: record value --")                                          \
  X(GET_INDEX, 0, "object index -- value")                                              \
  X(SET_INDEX, 0, "object index value --")                                              \
  X(ADD, 0, "a b -- a+b")                                                               \
  X(SUB, 0, "a b -- a-b")                                                               \
  X(MUL, 0, "a b -- a*b")                                                               \
  X(DIV, 0, "a b -- a/b")                                                               \
  X(MOD, 0, "a b -- a mod b")                                                           \
  X(POW, 0, "a b -- a^b")                                                               \
  X(ADD_INT, 1, "s8 k: a -- a+k")                                                       \
  X(NEG, 0, "a -- -a")                                                                  \
  X(NOT, 0, "a -- not a")                                                               \
  X(EQ, 0, "a b -- a==b")                                                               \
  X(NE, 0, "a b -- a!=b")                                                               \
  X(LT, 0, "a b -- a<b")                                                                \
  X(LE, 0, "a b -- a<=b")                                                               \
  X(GT, 0, "a b -- a>b")                                                                \
  X(GE, 0, "a b -- a>=b")                                                               \
  X(RANGE, 0, "lo hi -- lo..hi")                                                        \
  X(JUMP, 2, "u16 forward offset")                                                      \
  X(JUMP_IF_FALSE, 2, "u16 offset: cond --")                                            \
  X(JUMP_IF_FALSE_KEEP, 2, "u16 offset: cond -- cond (jump) or -- (fall through)")      \
  X(JUMP_IF_TRUE_KEEP, 2, "u16 offset: cond -- cond (jump) or -- (fall through)")       \
  X(LOOP, 2, "u16 backward offset (a safe point)")                                      \
  X(LT_JUMP, 2, "u16 offset: a b -- (jump unless a<b)")                                 \
  X(FOR_PREP, 0, "iterable -- iterable state var (checks the value is iterable)")       \
  X(FOR_NEXT, 3, "u8 slot, u16 exit offset: first element into var, or jump past loop") \
  X(FOR_LOOP, 3, "u8 slot, u16 back offset: next element into var and jump back (safe point)") \
  X(CLOSE_SLOT, 1, "u8 slot: close upvalues of this slot (a captured loop variable)")     \
  X(LE_JUMP, 2, "u16 offset: a b -- (jump unless a<=b)")                                \
  X(GT_JUMP, 2, "u16 offset: a b -- (jump unless a>b)")                                 \
  X(GE_JUMP, 2, "u16 offset: a b -- (jump unless a>=b)")                                \
  X(EQ_JUMP, 2, "u16 offset: a b -- (jump unless a==b)")                                \
  X(NE_JUMP, 2, "u16 offset: a b -- (jump unless a!=b)")                                \
  X(LT_JUMP_K, 4, "u16 constant, u16 offset: a -- (jump unless a<k)")                   \
  X(LE_JUMP_K, 4, "u16 constant, u16 offset: a -- (jump unless a<=k)")                  \
  X(GT_JUMP_K, 4, "u16 constant, u16 offset: a -- (jump unless a>k)")                   \
  X(GE_JUMP_K, 4, "u16 constant, u16 offset: a -- (jump unless a>=k)")                  \
  X(LT_JUMP_LK, 5, "u8 slot, u16 constant, u16 offset: (jump unless local<k)")        \
  X(LE_JUMP_LK, 5, "u8 slot, u16 constant, u16 offset: (jump unless local<=k)")       \
  X(GT_JUMP_LK, 5, "u8 slot, u16 constant, u16 offset: (jump unless local>k)")        \
  X(GE_JUMP_LK, 5, "u8 slot, u16 constant, u16 offset: (jump unless local>=k)")       \
  X(LT_JUMP_GK, 6, "u16 global, u16 constant, u16 offset: (jump unless global<k)")    \
  X(LE_JUMP_GK, 6, "u16 global, u16 constant, u16 offset: (jump unless global<=k)")   \
  X(GT_JUMP_GK, 6, "u16 global, u16 constant, u16 offset: (jump unless global>k)")    \
  X(GE_JUMP_GK, 6, "u16 global, u16 constant, u16 offset: (jump unless global>=k)")   \
  X(ADD_LOCAL, 1, "u8 slot: a -- a+local")                                              \
  X(SUB_LOCAL, 1, "u8 slot: a -- a-local")                                              \
  X(ADD_GLOBAL, 2, "u16 global: a -- a+global")                                         \
  X(SUB_GLOBAL, 2, "u16 global: a -- a-global")                                         \
  X(INC_LOCAL, 2, "u8 slot, s8 k: -- (local = local + k)")                              \
  X(ADDTO_LOCAL, 1, "u8 slot: v -- (local = local + v)")                                \
  X(SUBFROM_LOCAL, 1, "u8 slot: v -- (local = local - v)")                              \
  X(ADDTO_GLOBAL, 2, "u16 global: v -- (global = global + v)")                          \
  X(SUBFROM_GLOBAL, 2, "u16 global: v -- (global = global - v)")                        \
  X(INC_GLOBAL, 3, "u16 global, s8 k: -- (global = global + k)")                        \
  X(CALL, 1, "u8 argc: fn args -- result")                                              \
  X(CLOSURE, 2, "u16 function, then (is_local, index) per upvalue -- closure")          \
  X(RETURN, 0, "value -- (to the caller)")                                              \
  X(LIST, 2, "u16 n: items -- list")                                                    \
  X(RECORD, 2, "u16 n: (name value)* -- record")                                        \
  X(CONCAT, 1, "u8 n: parts -- string (interpolation)")                                 \
  X(PRINT, 1, "u8 n: values --")                                                        \
  X(ECHO, 0, "value -- (prompt: print the value of an expression statement)")           \
  X(ASSERT, 1, "u8 has_message: cond [message] --")                                     \
  X(IMPORT, 2, "u16 path --")

typedef enum {
#define X(name, n, doc) OP_##name,
  CLUSIM_OPCODES(X)
#undef X
      OP__COUNT
} OpCode;

#endif
