#include <stdlib.h>
#include <string.h>

#include "stacks.h"
#include "xmalloc.h"

static inline uint32_t hash_id(uint64_t k)
{
	k ^= k >> 31;
	k *= 0x9e3779b97f4a7c15ULL;
	k ^= k >> 29;
	return (uint32_t)k;
}

struct stacks *stacks_new(void)
{
	struct stacks *st = xcalloc(1, sizeof(*st));
	st->tmask = st->pmask = 64 - 1;
	st->tmap = xcalloc(st->tmask + 1, sizeof(*st->tmap));
	st->pmap = xcalloc(st->pmask + 1, sizeof(*st->pmap));
	return st;
}

void stacks_free(struct stacks *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < st->nthreads; i++) {
		free(st->threads[i]->stack);
		free(st->threads[i]);
	}
	for (size_t i = 0; i < st->nprocs; i++)
		free(st->procs[i]);
	free(st->threads);
	free(st->procs);
	free(st->tmap);
	free(st->pmap);
	free(st);
}

static uint64_t thread_key(int32_t pid, int32_t tid)
{
	return ((uint64_t)(uint32_t)pid << 32) | (uint32_t)tid;
}

/* Rebuild a map at twice the size; key(i) gives the key of entry i. */
static uint32_t *rehash(uint32_t *map, size_t *mask, size_t n,
			uint64_t (*key)(const struct stacks *, size_t), const struct stacks *st)
{
	size_t size = (*mask + 1) * 2;
	uint32_t *m = xcalloc(size, sizeof(*m));
	for (size_t i = 0; i < n; i++) {
		size_t j = hash_id(key(st, i)) & (size - 1);
		while (m[j])
			j = (j + 1) & (size - 1);
		m[j] = (uint32_t)i + 1;
	}
	free(map);
	*mask = size - 1;
	return m;
}

static uint64_t proc_key_at(const struct stacks *st, size_t i)
{
	return (uint32_t)st->procs[i]->pid;
}

static uint64_t thread_key_at(const struct stacks *st, size_t i)
{
	return thread_key(st->threads[i]->rt.pid, st->threads[i]->rt.tid);
}

struct render_proc *stacks_proc(struct stacks *st, int32_t pid)
{
	size_t j = hash_id((uint32_t)pid) & st->pmask;
	while (st->pmap[j]) {
		struct render_proc *p = st->procs[st->pmap[j] - 1];
		if (p->pid == pid)
			return p;
		j = (j + 1) & st->pmask;
	}
	struct render_proc *p = xcalloc(1, sizeof(*p));
	p->pid = pid;
	p->index = (uint32_t)st->nprocs;
	st->procs = xgrow(st->procs, &st->procs_cap, st->nprocs + 1, sizeof(*st->procs));
	st->procs[st->nprocs++] = p;
	st->pmap[j] = (uint32_t)st->nprocs;
	if (st->nprocs * 2 > st->pmask + 1)
		st->pmap = rehash(st->pmap, &st->pmask, st->nprocs, proc_key_at, st);
	return p;
}

struct thread *stacks_thread_slow(struct stacks *st, int32_t pid, int32_t tid)
{
	uint64_t key = thread_key(pid, tid);
	size_t j = hash_id(key) & st->tmask;
	while (st->tmap[j]) {
		struct thread *t = st->threads[st->tmap[j] - 1];
		if (t->rt.pid == pid && t->rt.tid == tid)
			return t;
		j = (j + 1) & st->tmask;
	}
	struct thread *t = xcalloc(1, sizeof(*t));
	t->rt.pid = pid;
	t->rt.tid = tid;
	t->proc = stacks_proc(st, pid);
	t->rt.proc = t->proc;
	t->proc->nthreads++;
	st->threads = xgrow(st->threads, &st->threads_cap, st->nthreads + 1, sizeof(*st->threads));
	t->rt.index = (uint32_t)st->nthreads;
	st->threads[st->nthreads++] = t;
	st->tmap[j] = (uint32_t)st->nthreads;
	if (st->nthreads * 2 > st->tmask + 1)
		st->tmap = rehash(st->tmap, &st->tmask, st->nthreads, thread_key_at, st);
	return t;
}

struct frame *stacks_call(struct stacks *st, struct thread *th, uint32_t func,
			  uint32_t file, int64_t line, uint64_t ts)
{
	if (th->n == th->cap)
		th->stack = xgrow(th->stack, &th->cap, th->n + 1, sizeof(*th->stack));
	struct frame *f = &th->stack[th->n++];
	memset(f, 0, sizeof(*f));
	f->func = func;
	f->file = file;
	f->line = line;
	f->start = ts;
	st->calls++;
	return f;
}

bool stacks_return(struct stacks *st, struct thread *th, uint64_t ts,
		   struct frame *out, uint64_t *dur)
{
	st->returns++;
	if (th->n == 0) {
		st->orphans++;
		return false;
	}
	*out = th->stack[--th->n];
	*dur = ts - out->start;   /* ts is monotonic per thread */
	return true;
}

uint64_t stacks_unreturned(const struct stacks *st)
{
	uint64_t n = 0;
	for (size_t i = 0; i < st->nthreads; i++)
		n += st->threads[i]->n;
	return n;
}
