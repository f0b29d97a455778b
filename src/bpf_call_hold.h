/* CPython 3.15 fires function__entry when a generator or coroutine is
 * *created* (the frame starts, RETURN_GENERATOR returns the new object at
 * once, with no function__return).  Nothing in the marker's arguments tells
 * that entry from a real call, but the creation goes on to call the exported
 * _Py_MakeCoro in the same thread before anything else runs there.  So the
 * bpf engine keeps each thread's latest call record back until the thread's
 * next record: a BEV_CORO record (the uprobe on _Py_MakeCoro) drops it, any
 * other record lets it through first.  A call whose thread goes quiet is let
 * through after CALL_HOLD_NS. */
#ifndef PYTRACE_BPF_CALL_HOLD_H
#define PYTRACE_BPF_CALL_HOLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CALL_HOLD_NS 20000000ull   /* 20 ms: the creation's _Py_MakeCoro follows in µs */

struct held_call {
	uint32_t tid;              /* 0: free slot */
	uint64_t ts;
	size_t size;
	unsigned char *rec;        /* a copy of the call record, `size` bytes */
	size_t cap;
};

struct call_hold {
	struct held_call *v;
	size_t n, cap;             /* n: slots in use (a thread keeps its slot) */
	uint64_t dropped;          /* creation entries dropped */
};

/* The slot of tid, NULL when it holds nothing. */
struct held_call *call_hold_find(struct call_hold *h, uint32_t tid);
/* Keep a copy of a call record for tid (whose slot must be empty). */
void call_hold_put(struct call_hold *h, uint32_t tid, uint64_t ts, const void *rec, size_t size);
/* Empty a slot after its record was passed on or dropped. */
static inline void call_hold_clear(struct held_call *c) { c->ts = 0; c->size = 0; }
void call_hold_free(struct call_hold *h);


/* CPython 3.15 resumes a generator or coroutine that has an exception thrown
 * into it (throw(), close() with a try around its yield) without firing
 * function__entry; only its return fires.  A BEV_THROW record (the uprobe on
 * _PyEval_EvalFrameDefault with throwflag set) marks where that frame
 * starts; the thread's records are then held until the frame's return (the
 * first return with no call open since the mark), and a call copied from
 * that return, at the mark's time, goes in at the mark.  Marks nest. */
#define THROW_HOLD_MAX 100000      /* records held at most; then let through as they are */

struct throw_mark {
	uint64_t ts;
	size_t pos;                /* where its call goes in recs */
	int depth;                 /* calls open (since the first mark) at the mark */
};

struct thrown {
	uint32_t tid;
	struct throw_mark *marks;
	size_t nmarks, capmarks;
	unsigned char **recs;      /* copies of the held records, in order */
	size_t nrecs, caprecs;
	int depth;
};

struct throw_hold {
	struct thrown *v;
	size_t n, cap;
};

struct bpf_event;
/* The thread's held state, NULL when no mark is open. */
struct thrown *throw_hold_find(struct throw_hold *h, uint32_t tid);
void throw_hold_mark(struct throw_hold *h, uint32_t tid, uint64_t ts);
/* Hold a record of a thread with a mark open; true when its outermost
 * thrown frame returned: t->recs is then ready to pass on (throw_hold_done). */
bool throw_hold_take(struct thrown *t, const struct bpf_event *rec);
/* Forget the held records (passed on) and marks. */
void throw_hold_done(struct thrown *t);
void throw_hold_free(struct throw_hold *h);

#endif
