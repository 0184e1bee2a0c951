/* world_sweep.h - the arithmetic of a sweep's grid of cases, apart from the
 * interpreter so that it can be tested (and, for shards, computed) alone.
 *
 * A grid over n params, param i with sizes[i] values, has the product of
 * the sizes as cases.  Case k (from 0) takes value digits[i] of param i,
 * the digits of k written in the mixed radix of the sizes, the last param
 * varying fastest: the order of nested for loops written in the order the
 * params are named (`over a in [1, 2] and b in [3, 4]`: (1,3) (1,4) (2,3)
 * (2,4)).  A case's values depend only on k and the sizes, never on which
 * other cases run.
 */
#ifndef CLUSIM_WORLD_SWEEP_H
#define CLUSIM_WORLD_SWEEP_H

#include <stdint.h>

/* At most this many cases in one sweep. */
#define SWEEP_MAX_CASES 10000

/* The number of cases of the grid, or -1 when it is more than `limit`
 * (without overflowing, however many and large the sizes); 0 if a size is
 * 0 or less. */
int64_t sweep_grid_size(const int64_t *sizes, int n, int64_t limit);
/* The digits of case k (0 <= k < the grid's size). */
void sweep_grid_case(const int64_t *sizes, int n, int64_t k, int64_t *digits);

#endif
