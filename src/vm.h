/* vm.h - the bytecode interpreter. */
#ifndef CLUSIM_VM_H
#define CLUSIM_VM_H

#include "buffer.h"
#include "object.h"

void vm_init(Interp *I);
void vm_free(Interp *I);

/* Call a function value (closure or built-in) with arguments and return
 * its result.  Usable from built-ins (map, sort...) and from C. Errors
 * unwind with interp_throw. */
Value vm_call(Interp *I, Value callee, int argc, Value *args);

/* Run a compiled top-level function. */
Value vm_run_toplevel(Interp *I, ObjFunction *f);

/* Unwind the VM to a saved depth after an error (closing upvalues). */
void vm_unwind(Interp *I, int frame_count, Value *sp);

/* Build the located message and call chain for a runtime error raised
 * while the VM was running (called by interp_throw). */
void vm_describe_error(Interp *I, Buffer *out, const char *message);
/* The same, located at `at` in the running function's source instead of
 * at the running instruction (NULL: there). */
void vm_describe_error_at(Interp *I, Buffer *out, const char *message, const SrcLoc *at);
/* A warning at the running instruction, without the call chain; false
 * (nothing written) when the last warning was made there. */
bool vm_describe_warning(Interp *I, Buffer *out, const char *message);
/* The line of the running instruction (0 outside any code). */
int vm_current_line(Interp *I);

/* Helpers shared with the built-in libraries. */
Value vm_concat(Interp *I, int n, Value *parts);
/* Raise the error for a value_print that returned false: "interrupted"
 * (Ctrl-C), or a text too long.  Free your Buffers first. */
_Noreturn void vm_print_failed(Interp *I);
/* Raise "cannot write the output" if writing to I->out has failed. */
void vm_check_output(Interp *I);
void vm_check_same_unit(Interp *I, const char *what, Value a, Value b);
/* Three-way compare of numbers (same unit) or strings; raises otherwise. */
int vm_compare(Interp *I, Value a, Value b);
Value vm_arith(Interp *I, int op, Value a, Value b);
/* The number of elements of a range, exact (a big integer for the
 * longest ranges, which have up to 2^64 elements). */
Value vm_range_length(Interp *I, ObjRange *r);
/* The length of a string in characters (UTF-8 code points). */
int64_t vm_utf8_length(ObjString *s);

#endif
