/* fileio.h - reading a whole file or stream into memory, saying in plain words why it failed. */
#ifndef CLUSIM_FILEIO_H
#define CLUSIM_FILEIO_H

#include <stdio.h>

#include "common.h"

/* Read the whole file at `path` (fileio_read) or what is left of stream
 * `f` (fileio_read_stream; the stream is not closed).  On success return
 * the text, NUL-terminated and malloc'd (the caller frees it), and its
 * length in *len when len is not NULL.  On failure return NULL and set
 * *why to one of
 *
 *   "no such file"          "permission denied"     "it is a directory"
 *   "it is not a text file" (it holds a NUL byte)   "read error"
 *   "cannot open it"        (any other reason fopen gives)
 *
 * for messages such as "cannot read 'x.clu': no such file".  Memory comes
 * from a Buffer: running out of it prints and exits (memory.h). */
char *fileio_read(const char *path, size_t *len, const char **why);
char *fileio_read_stream(FILE *f, size_t *len, const char **why);

#endif
