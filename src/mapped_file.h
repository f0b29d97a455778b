/* A regular file mapped read-only that may shrink while it is read.
 *
 * Touching a mapped page past a file's new end raises SIGBUS, which would
 * kill pytrace in the middle of a replay when another program truncates
 * or rewrites the trace. While a file is mapped here, a SIGBUS inside its
 * mapping puts zero pages over the rest of it (so the faulting read
 * completes, reading zeros) and records the shrink; the reader asks
 * mapped_file_shrunk() and stops with an error. A SIGBUS anywhere else
 * keeps its default action. One file at a time (the replay's input). */
#ifndef PYTRACE_MAPPED_FILE_H
#define PYTRACE_MAPPED_FILE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

struct mapped_file {
	const char *data;
	size_t size;
	volatile sig_atomic_t shrunk;   /* set by the SIGBUS handler */
};

/* Map size bytes of fd. Returns 0, or -1 (errno set) when it cannot be
 * mapped (the caller reads it instead) or another file is mapped. */
int mapped_file_open(struct mapped_file *m, int fd, size_t size);
/* The file shrank under the mapping: what was read after the shrink may
 * be zeros instead of the file's bytes. (Inline: asked once per line.) */
static inline bool mapped_file_shrunk(const struct mapped_file *m)
{
	return m->shrunk != 0;
}
void mapped_file_close(struct mapped_file *m);

#endif
