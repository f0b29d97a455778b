/* Slices: the tree events of one thread as properly nested intervals, for
 * the formats that draw time (chrome, speedscope). A shown call opens a
 * slice that its return closes; gc start/done and import start/done open
 * and close slices of their own (a finalizer or a module body runs inside
 * them). Whatever is still open when the trace ends is closed there,
 * innermost first, in one order that nests. A done without its start (the
 * trace began inside it) and a return whose call was not seen open nothing:
 * slicer_event returns false for them and the renderer shows an instant. */
#ifndef PYTRACE_SLICES_H
#define PYTRACE_SLICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "render.h"

enum slice_kind { SLICE_CALL, SLICE_GC, SLICE_IMPORT };

struct slice {
	enum slice_kind kind;
	uint32_t func, file;  /* call: function and file; import: module in func */
	int64_t num;          /* call: line of the call; gc: generation */
	uint64_t start;       /* ns since the start of the trace */
	int32_t depth;        /* call: shown depth */
	uint32_t tag;         /* the renderer's own, set by open, seen by close */
};

struct slice_ops {
	void (*open)(void *ctx, const struct render_thread *th, struct slice *s);
	/* unreturned: closed because the trace ended */
	void (*close)(void *ctx, const struct render_thread *th, const struct slice *s, uint64_t ts,
		      bool unreturned);
};

struct slice_stack {
	const struct render_thread *th;
	struct slice *v;
	size_t n, cap;
};

struct slicer {
	const struct slice_ops *ops;
	void *ctx;
	struct slice_stack *stacks;   /* per thread index */
	size_t nstacks;
};

void slicer_init(struct slicer *sl, const struct slice_ops *ops, void *ctx);
void slicer_free(struct slicer *sl);
/* true when e opened or closed a slice; false for every other event. */
bool slicer_event(struct slicer *sl, const struct tev *e);
/* The thread ended: its stack goes when nothing is open on it. */
void slicer_thread_end(struct slicer *sl, const struct render_thread *th);
/* Close what is open on every thread at end (innermost first); returns
 * how many calls were closed that way. */
uint64_t slicer_finish(struct slicer *sl, uint64_t end);

#endif
