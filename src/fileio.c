/* fileio.c - the one whole-file reader (see fileio.h): scripts, imports, the stdlib, CSV. */
#include "fileio.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "buffer.h"

char *fileio_read_stream(FILE *f, size_t *len, const char **why) {
  struct stat st;
  if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
    *why = "it is a directory";
    return NULL;
  }
  Buffer b;
  buf_init(&b);
  char chunk[8192];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) buf_put(&b, chunk, n);
  if (ferror(f)) {
    buf_free(&b);
    *why = errno == EISDIR ? "it is a directory" : "read error";
    return NULL;
  }
  if (memchr(b.data, '\0', b.len)) {
    buf_free(&b);
    *why = "it is not a text file";
    return NULL;
  }
  if (len) *len = b.len;
  return buf_take(&b);
}

char *fileio_read(const char *path, size_t *len, const char **why) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    switch (errno) {
    case ENOENT:
    case ENOTDIR: *why = "no such file"; break;
    case EACCES: *why = "permission denied"; break;
    case EISDIR: *why = "it is a directory"; break;
    default: *why = "cannot open it"; break;
    }
    return NULL;
  }
  char *text = fileio_read_stream(f, len, why);
  fclose(f);
  return text;
}
