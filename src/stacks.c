#include <stdlib.h>
#include <string.h>

#include "stacks.h"
#include "xmalloc.h"

struct stacks *stacks_new(void)
{
	struct stacks *st = xcalloc(1, sizeof(*st));
	hmap_init(&st->tmap, 64);
	hmap_init(&st->pmap, 64);
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
	hmap_free(&st->tmap);
	hmap_free(&st->pmap);
	free(st);
}

static uint64_t thread_key(int32_t pid, int32_t tid)
{
	return ((uint64_t)(uint32_t)pid << 32) | (uint32_t)tid;
}

struct render_proc *stacks_proc(struct stacks *st, int32_t pid)
{
	uint32_t h = hmap_hash64((uint32_t)pid);
	size_t pos = hmap_pos(&st->pmap, h);
	for (uint32_t id; (id = hmap_next(&st->pmap, &pos, h)) != HMAP_NONE;)
		if (st->procs[id]->pid == pid)
			return st->procs[id];
	struct render_proc *p = xcalloc(1, sizeof(*p));
	p->pid = pid;
	p->index = (uint32_t)st->nprocs;
	st->procs = xgrow(st->procs, &st->procs_cap, st->nprocs + 1, sizeof(*st->procs));
	st->procs[st->nprocs++] = p;
	hmap_insert(&st->pmap, pos, h, p->index);
	return p;
}

struct thread *stacks_thread_slow(struct stacks *st, int32_t pid, int32_t tid)
{
	uint32_t h = hmap_hash64(thread_key(pid, tid));
	size_t pos = hmap_pos(&st->tmap, h);
	for (uint32_t id; (id = hmap_next(&st->tmap, &pos, h)) != HMAP_NONE;)
		if (st->threads[id]->rt.pid == pid && st->threads[id]->rt.tid == tid)
			return st->threads[id];
	struct thread *t = xcalloc(1, sizeof(*t));
	t->rt.pid = pid;
	t->rt.tid = tid;
	t->proc = stacks_proc(st, pid);
	t->rt.proc = t->proc;
	t->proc->nthreads++;
	st->threads = xgrow(st->threads, &st->threads_cap, st->nthreads + 1, sizeof(*st->threads));
	t->rt.index = (uint32_t)st->nthreads;
	st->threads[st->nthreads++] = t;
	hmap_insert(&st->tmap, pos, h, t->rt.index);
	return t;
}

struct thread *stacks_thread_ended(struct stacks *st, int32_t pid, int32_t tid)
{
	uint32_t h = hmap_hash64(thread_key(pid, tid));
	size_t pos = hmap_pos(&st->tmap, h);
	for (uint32_t id; (id = hmap_next(&st->tmap, &pos, h)) != HMAP_NONE;) {
		struct thread *t = st->threads[id];
		if (t->rt.pid != pid || t->rt.tid != tid)
			continue;
		if (t->n)
			return NULL;   /* its open calls are reported at the end */
		free(t->stack);
		t->stack = NULL;
		t->cap = 0;
		return t;
	}
	return NULL;
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
