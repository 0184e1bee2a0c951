/* world_shard.h - the runs of many-run scenarios beyond one machine.
 *
 * Run k of a scenario is seeded from (seed, k) alone, so runs can be
 * computed anywhere.  `clusim --shard K/N script.clu` runs the script with
 * every many-run scenario computing run 0 (the shape of its results) and
 * only its share of the other runs: run k (k >= 1) belongs to shard
 * ((k - 1) mod N) + 1.  It prints nothing and writes no file but its part
 * file, which holds those runs' rows of numbers.  `clusim merge
 * PARTS...` runs the script again, taking every run k >= 1 from the parts
 * instead of computing it: its output is byte for byte that of a run in
 * one process, since the statistics see the same numbers in the same
 * order.
 *
 * A part file is
 *   "CLUSIM-PART 3\n", u64 script hash, i64 K, i64 N, i64 count of
 *   strings, each (i64 length, bytes): the script's path, its arguments,
 *   blocks "RUNS", i64 seq, i64 name length, name, i64 runs, i64 seed,
 *          i64 np, i64 count, u64 inputs, then count x (i64 k, np
 *          doubles),
 *   "END!", i64 number of blocks.
 * `inputs` is the digest of every file the script had read when the
 * scenario began (interp_note_input: its imports, the standard library,
 * its data files) and of this clusim's version: a merge refuses a block
 * whose shard read other files than it did, before it uses the block's
 * runs (the script's own text is in the script hash).
 * Every u64, i64 and double is 8 bytes, least significant first, whatever
 * the byte order of the machine that writes or reads it (an i64 in two's
 * complement, a double as its IEEE 754 binary64 bits): parts made on any
 * machines merge on any other.  Format 1 held them in the byte order of
 * its machine; a merge refuses it, and any other format, by its first line.
 * seq counts the many-run scenarios run by the script (the same scenario
 * run twice is two blocks); the end mark proves the file is whole.
 */
#ifndef CLUSIM_WORLD_SHARD_H
#define CLUSIM_WORLD_SHARD_H

#include <stdint.h>

#include "buffer.h"
#include "common.h"

typedef struct RunShards RunShards;

/* The 8 bytes of a part file's numbers (see above), and back. */
void shard_encode_u64(unsigned char out[8], uint64_t v);
uint64_t shard_decode_u64(const unsigned char in[8]);
void shard_encode_i64(unsigned char out[8], int64_t v);
int64_t shard_decode_i64(const unsigned char in[8]);
void shard_encode_double(unsigned char out[8], double d);
double shard_decode_double(const unsigned char in[8]);

/* "K/N" with 1 <= K <= N <= 1,000,000. */
bool shard_parse(const char *text, int64_t *k, int64_t *n);
/* A hash of the script's text and arguments, which part files carry so
 * that merging refuses parts of another script. */
uint64_t shard_script_hash(const char *text, size_t len, int argc, char **argv);

/* Begin shard K of N, its part file written to `path` (under a temporary
 * name until shard_finish, which a signal or exit() ending the process
 * first removes), recording `strings`: the script's path and its
 * arguments, for the merge.  False with a message in `err`. */
bool shard_start(Interp *I, int64_t k, int64_t n, const char *path, uint64_t hash, int nstrings, char **strings,
                 Buffer *err);
/* The script's path and arguments a part file records (*argc strings in a
 * malloc'd, NULL-terminated *argv, each malloc'd).  False with a message. */
bool shard_part_script(const char *path, int *argc, char ***argv, Buffer *err);
/* Begin merging the part files; false with a message in `err` (a file
 * missing, damaged, of another script, a shard missing or given twice). */
bool shard_merge_start(Interp *I, int nparts, char **parts, uint64_t hash, Buffer *err);
/* After the script ran (ok: without an error): a shard renames its part
 * file into place (or removes it); a merge checks that it used every
 * block.  Frees the state.  False with a message in `err`. */
bool shard_finish(Interp *I, bool ok, Buffer *err);

/* For world_montecarlo.c.  In a shard: whether it is one, its first run
 * and the step to its next, the block of a scenario begun, a run's row
 * written; shard_abandon removes the unfinished part file (before the
 * process ends by a signal).  In a merge: whether it is one, the next
 * scenario's blocks found and checked, run k's row read. */
struct ObjScenario;
bool shard_writing(Interp *I);
bool shard_merging(Interp *I);
int64_t shard_first_run(Interp *I);
int64_t shard_run_step(Interp *I);
void shard_begin_scenario(Interp *I, struct ObjScenario *s, int np);
void shard_write_run(Interp *I, int64_t k, const double *row, int np);
void shard_abandon(Interp *I);
void shard_merge_scenario(Interp *I, struct ObjScenario *s, int np);
void shard_read_run(Interp *I, int64_t k, double *row, int np);

#endif
