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
