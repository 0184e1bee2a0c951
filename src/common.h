/* common.h - includes, limits and small macros shared by every Clusim module. */
#ifndef CLUSIM_COMMON_H
#define CLUSIM_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define CLUSIM_VERSION "0.1.0"

/* Limits that protect the interpreter from runaway programs. */
#define CLUSIM_MAX_FRAMES 10000      /* call depth before "recursion too deep" */
#define CLUSIM_STACK_SLOTS (1 << 19) /* value stack, shared by all frames */
#define CLUSIM_DEFAULT_MAX_DIGITS 100000
/* Calls from C back into the VM that may be nested (a callback of map,
 * filter or sort calling map again...): each one also nests C functions on
 * the C stack, which CLUSIM_MAX_FRAMES alone does not bound.  Lua has the
 * same limit for the same reason (LUAI_MAXCCALLS). */
#define CLUSIM_MAX_C_CALLS 200
/* The largest list (elements) and text (bytes) a program may build: a
 * clear error long before memory runs out (doc/language.md, "Limits").
 * The fuzzing build sets smaller ones (Makefile: FUZZ_CFLAGS), so that an
 * input reaching them fails in well under the fuzzer's timeout. */
#ifndef CLUSIM_MAX_LIST
#define CLUSIM_MAX_LIST 10000000
#endif
#ifndef CLUSIM_MAX_TEXT
#define CLUSIM_MAX_TEXT 100000000
#endif

#if defined(__GNUC__)
#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)
#define PRINTF_LIKE(a, b) __attribute__((format(printf, a, b)))
#else
#define LIKELY(x) (x)
#define UNLIKELY(x) (x)
#define PRINTF_LIKE(a, b)
#endif

typedef struct Interp Interp;

#endif
