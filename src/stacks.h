/* Per-thread call stacks: depth, duration of each call on its return,
 * returns whose call was not seen (attached mid-call: counted, never a
 * negative depth) and calls never returned (counted at the end).
 *
 * Also the tree event (struct tev): an event placed in its thread's tree,
 * with the depth it is shown at and, on returns, its duration and self
 * time. The pipeline builds them; renderers consume them. */
#ifndef PYTRACE_STACKS_H
#define PYTRACE_STACKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"

struct thread;

struct tev {
	enum ev_kind kind;
	uint32_t flags;       /* EVF_* */
	uint64_t ts;          /* ns since the start of the trace */
	uint64_t engine_ts;   /* the engine's own timestamp (raw output) */
	uint64_t dur, self;   /* returns with has_dur: duration, minus shown children */
	int64_t num;          /* line / gc generation / collected / found / lost */
	int32_t pid, tid;
	uint32_t func, file;  /* intern ids */
	int32_t depth;        /* shown depth, 0 = outermost */
	bool has_dur;         /* false on a return whose call was not seen */
	struct thread *th;    /* NULL for lost events */
};

struct proc {
	int32_t pid;
	uint32_t comm;        /* intern id of the process name, 0 = unknown */
	uint32_t nthreads;    /* distinct tids seen */
	uint32_t version;     /* bumped when comm or nthreads changes */
};

struct frame {
	uint32_t func, file;
	uint32_t flags;
	int64_t line;
	uint64_t start;
	uint64_t child_ns;    /* durations of the shown children */
	int32_t depth;        /* shown depth (visible ancestors) */
	int32_t vis_parent;   /* stack index of the nearest visible ancestor, -1 */
	bool visible;
	bool pending;         /* --min-duration: not yet known to last long enough */
	bool dropped;         /* shown, but dropped: the output was behind */
	size_t hold_at;       /* hold buffer length when the call came */
};

struct thread {
	int32_t pid, tid;
	uint32_t index;       /* dense, for renderers' per-thread caches */
	int8_t selected;      /* passes --pid/--tid; -1: not decided yet */
	struct proc *proc;
	struct frame *stack;
	size_t n, cap;
	int32_t nvisible;     /* visible frames on the stack = depth of a new shown call */
	uint64_t last_ts;     /* timestamps are made monotonic per thread */
	/* --min-duration: events held while a call is pending */
	struct tev *held;
	size_t nheld, held_head, held_cap;
	ptrdiff_t first_pending;  /* stack index of the outermost pending call, -1 */
};

struct stacks {
	struct thread **threads;
	size_t nthreads, threads_cap;
	struct proc **procs;
	size_t nprocs, procs_cap;
	/* open-addressing maps: (pid,tid) -> thread, pid -> proc */
	uint32_t *tmap, *pmap;     /* index + 1, 0 = empty */
	size_t tmask, pmask;
	struct thread *last;       /* the thread of the previous event */
	uint64_t calls, returns, orphans;
};

struct stacks *stacks_new(void);
void stacks_free(struct stacks *st);

/* The thread (created on first sight, with its process). */
struct thread *stacks_thread_slow(struct stacks *st, int32_t pid, int32_t tid);
static inline struct thread *stacks_thread(struct stacks *st, int32_t pid, int32_t tid)
{
	if (st->last && st->last->tid == tid && st->last->pid == pid)
		return st->last;
	return st->last = stacks_thread_slow(st, pid, tid);
}
struct proc *stacks_proc(struct stacks *st, int32_t pid);

/* A call: push a frame (visibility etc. are the caller's). */
struct frame *stacks_call(struct stacks *st, struct thread *th, uint32_t func,
			  uint32_t file, int64_t line, uint64_t ts);
/* A return: pop the top frame into *out and set *dur. Returns false for a
 * return whose call was not seen (empty stack): counted as an orphan. */
bool stacks_return(struct stacks *st, struct thread *th, uint64_t ts,
		   struct frame *out, uint64_t *dur);

/* Calls still open on every thread (never returned). */
uint64_t stacks_unreturned(const struct stacks *st);

#endif
