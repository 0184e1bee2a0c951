/* vm_ops.h - the out-of-line operations of the dispatch loop (vm_ops.c),
 * private to vm.c and vm_ops.c. */
#ifndef CLUSIM_VM_OPS_H
#define CLUSIM_VM_OPS_H

#include "vm.h"

const char *vm_a_type(Value v); /* "a" or "an", for messages */
bool vm_dec_arith(int op, Value a, Value b, Value *r);
bool vm_values_equal_checked(Interp *I, Value a, Value b);
Value vm_get_index(Interp *I, Value obj, Value idx);
void vm_set_index(Interp *I, Value obj, Value idx, Value v);
_Noreturn void vm_no_field(Interp *I, Value obj, ObjString *name);
void vm_print_values(Interp *I, int n, Value *vals);
void vm_echo_value(Interp *I, Value v);
_Noreturn void vm_assert_failed(Interp *I, bool has_msg, Value msg);
void vm_range_bounds(Interp *I, Value a, Value b, int64_t *lo, int64_t *hi);
void vm_check_iterable(Interp *I, Value v);
bool vm_for_advance(Interp *I, Value *it);

#endif
