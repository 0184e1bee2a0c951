/* lib.h - the built-in functions, grouped by theme in lib*.c. */
#ifndef CLUSIM_LIB_H
#define CLUSIM_LIB_H

#include "object.h"

void lib_open_all(Interp *I);
void lib_core_open(Interp *I);
void lib_math_open(Interp *I);
void lib_io_open(Interp *I);

void lib_register(Interp *I, const char *name, NativeFn fn, int min_args, int max_args,
                  const char *help);

/* Argument checks: each raises a clear error naming the function. */
ObjString *lib_string_arg(Interp *I, const char *fn, Value *args, int i);
ObjList *lib_list_arg(Interp *I, const char *fn, Value *args, int i);
ObjRecord *lib_record_arg(Interp *I, const char *fn, Value *args, int i);
Value lib_number_arg(Interp *I, const char *fn, Value *args, int i);
int64_t lib_int_arg(Interp *I, const char *fn, Value *args, int i);
bool lib_is_callable(Value v);

/* Write a file through a temporary file and a rename; NULL or the reason. */
const char *lib_write_file(const char *path, const char *data, size_t len);
/* Set by `clusim --shard`: the script writes no file (its numbers are a
 * shard's; the merge writes the files), and lib_write_file does nothing. */
extern bool lib_files_off;

/* Seed the random stream (also done at start-up with a fixed seed). */
void lib_random_seed(Interp *I, uint64_t seed);

#endif
