/* The aggregated call tree behind the flame graph formats (folded, svg):
 * one node per distinct call path, weighted by the self time of the calls
 * that returned along it. --flame-by puts a process frame (and a thread
 * frame under it) at the root of each thread's paths. */
#ifndef PYTRACE_FLAME_H
#define PYTRACE_FLAME_H

#include <stddef.h>
#include <stdint.h>

#include "hmap.h"
#include "render.h"

enum flame_root { FLAME_CALL, FLAME_PROC, FLAME_THREAD };

struct flame_node {
	uint32_t parent;      /* node index; 0 is the root, which has no frame */
	uint32_t func, file;  /* FLAME_CALL: intern ids */
	int64_t line;         /* FLAME_CALL: line of the first call; else pid or tid */
	uint64_t self_ns;     /* self time of the calls that returned here */
	uint64_t calls;       /* calls that returned here */
	uint64_t open_ns;     /* self time of calls never returned, to the end */
	enum flame_root root;
};

struct flame_stack {
	uint32_t *v;          /* node at each shown depth */
	size_t cap;
	uint32_t base;        /* the thread's root frame, 0 for none */
};

struct flame {
	enum flame_by by;
	struct flame_node *nodes;
	size_t nnodes, nodes_cap;
	struct hmap map;      /* (parent, root, func, file) -> node index */
	struct flame_stack *stacks;   /* per thread index */
	size_t nstacks;
};

void flame_init(struct flame *f, enum flame_by by);
void flame_free(struct flame *f);
/* A shown call or a return with its duration; other kinds are ignored. */
void flame_event(struct flame *f, const struct tev *e);

/* The thread ended with no call open: its stack goes. */
void flame_thread_end(struct flame *f, const struct render_thread *th);

/* A shown call still open at the end (call->self: its time to the end). */
void flame_unreturned(struct flame *f, const struct tev *call);

/* Self time of node i in whole microseconds, as folded writes it. */
static inline uint64_t flame_self_us(const struct flame *f, size_t i)
{
	return (f->nodes[i].self_ns + 500) / 1000;
}

/* Time of node i's calls that never returned, in whole microseconds. */
static inline uint64_t flame_open_us(const struct flame *f, size_t i)
{
	return (f->nodes[i].open_ns + 500) / 1000;
}

#endif
