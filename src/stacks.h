/* Per-thread call stacks: depth, duration of each call on its return,
 * returns whose call was not seen (attached mid-call: counted, never a
 * negative depth) and calls never returned (counted at the end).  Also
 * the registry of threads and processes, whose public part renderers see
 * (render.h).  What the pipeline decides about a call (visible, pending,
 * depth shown...) is the pipeline's own (pipeline.c). */
#ifndef PYTRACE_STACKS_H
#define PYTRACE_STACKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hmap.h"
#include "render.h"

struct frame {
	uint32_t func, file;
	uint32_t flags;
	int64_t line;
	uint64_t start;
};

struct thread {
	struct render_thread rt;   /* pid, tid, index, proc: what renderers see */
	struct render_proc *proc;  /* rt.proc, writable */
	struct frame *stack;
	size_t n, cap;
};

struct stacks {
	struct thread **threads;   /* by index */
	size_t nthreads, threads_cap;
	struct render_proc **procs;   /* by index */
	size_t nprocs, procs_cap;
	struct hmap tmap, pmap;    /* (pid,tid) -> thread, pid -> proc (indexes) */
	struct thread *last;       /* the thread of the previous event */
	uint64_t calls, returns, orphans;
};

struct stacks *stacks_new(void);
void stacks_free(struct stacks *st);

/* The thread (created on first sight, with its process). */
struct thread *stacks_thread_slow(struct stacks *st, int32_t pid, int32_t tid);
static inline struct thread *stacks_thread(struct stacks *st, int32_t pid, int32_t tid)
{
	if (st->last && st->last->rt.tid == tid && st->last->rt.pid == pid)
		return st->last;
	return st->last = stacks_thread_slow(st, pid, tid);
}
struct render_proc *stacks_proc(struct stacks *st, int32_t pid);
/* The engine says the thread ended: with no call open, its stack is freed
 * and the thread returned (it stays registered, small, for the renderers
 * and a reused tid); NULL when unknown or calls are open. */
struct thread *stacks_thread_ended(struct stacks *st, int32_t pid, int32_t tid);

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
