/* Renderers: one small ops struct per output format (render_*.c). They
 * receive the tree events the pipeline decided to show, in order per
 * thread, with depth, duration and self time already computed, and learn
 * about processes and threads through descriptors and the meta hook.
 * A new format is written against this header alone (plus output.h and
 * escape.h to format), and listed in render_formats (render.c). */
#ifndef PYTRACE_RENDER_H
#define PYTRACE_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "intern.h"
#include "output.h"

/* A traced process as renderers see it (owned by the pipeline, valid until
 * finish; the fields change as the trace goes on). */
struct render_proc {
	int32_t pid;
	uint32_t index;       /* dense, in order of appearance */
	uint32_t comm;        /* intern id of the process name, 0 = unknown */
	uint32_t cmdline;     /* intern id of its command line, 0 = unknown: read
				 from /proc when a live trace first sees it, or
				 from a replayed raw file's end (raw.h) */
	uint32_t nthreads;    /* distinct threads seen, shown or not */
};

/* A thread as renderers see it. */
struct render_thread {
	int32_t pid, tid;
	uint32_t index;       /* dense, in order of appearance: per-thread caches */
	const struct render_proc *proc;
};

/* A tree event: an event placed in its thread's tree, with the depth it is
 * shown at and, on returns, its duration and self time. */
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
	const struct render_thread *th;   /* NULL for comm and lost events */
};

/* What the meta hook tells. */
enum render_meta {
	META_PROCESS,         /* a process appeared (its first event or name) */
	META_THREAD,          /* a thread the filters keep appeared */
};

enum summary_format { SUMMARY_TABLE, SUMMARY_MARKDOWN };
enum flame_by { FLAME_BY_NONE, FLAME_BY_PROCESS, FLAME_BY_THREAD };

/* What renderers render from besides the events: each reads its own. */
struct render_settings {
	bool live;                      /* a live trace (not --replay): /proc and clocks are current */
	enum summary_format summary_format;   /* summary */
	enum flame_by flame_by;         /* folded, svg (--flame-by) */
};

struct render_ctx {
	struct out *out;
	struct intern *in;
	struct render_settings set;
	bool color;
	uint32_t null_id;       /* intern id of the "<null>" placeholder */
	/* CLOCK_REALTIME - CLOCK_MONOTONIC in ns (the engines stamp events
	 * with CLOCK_MONOTONIC), 0 while unknown; a replay learns it from the
	 * raw file, so read it at finish. */
	const int64_t *wall_offset;
};

struct renderer {
	const struct render_ops *ops;
	struct render_ctx ctx;
};

struct render_ops {
	const char *name;
	struct renderer *(*create)(const struct render_ctx *ctx);
	void (*event)(struct renderer *r, const struct tev *e);
	/* Optional: the engine lost e->num events here (e->ts: where in the
	 * trace; pid/tid 0 when not known).  Without it nothing is shown, but
	 * the count still reaches the end-of-trace report. */
	void (*lost)(struct renderer *r, const struct tev *e);
	/* Optional: a process or a shown thread appeared (th NULL for a
	 * process), before its first event; names arrive as EV_COMM events. */
	void (*meta)(struct renderer *r, enum render_meta what, const struct render_proc *proc,
		     const struct render_thread *th);
	/* A shown call still open when the trace ended (innermost first);
	 * call->dur and call->self are its time up to the end. */
	void (*unreturned)(struct renderer *r, const struct tev *call, uint64_t end_ts);
	/* Optional: a shown thread ended with no call open; what the renderer
	 * keeps per thread for open calls can go (the thread may come back:
	 * a reused tid, from depth 0). */
	void (*thread_end)(struct renderer *r, const struct render_thread *th);
	void (*finish)(struct renderer *r, uint64_t end_ts);
	void (*destroy)(struct renderer *r);
};

extern const struct render_ops render_text;
extern const struct render_ops render_json;
extern const struct render_ops render_chrome;
extern const struct render_ops render_folded;
extern const struct render_ops render_summary;
extern const struct render_ops render_raw;
extern const struct render_ops render_speedscope;
extern const struct render_ops render_svg;

/* Every output format, as -f names them (ops->name), NULL-terminated. */
extern const struct render_ops *const render_formats[];
/* The format called name, or NULL. */
const struct render_ops *render_format(const char *name);

/* Per-thread state of a renderer, by render_thread index: the slot of th
 * in an array of `size`-byte elements, grown (zeroed) on demand. */
void *render_thread_slot(void **v, size_t *n, const struct render_thread *th, size_t size);

/* The processes and shown threads, in order of appearance, as the meta
 * hook reports them: for formats that list them at the end. */
struct render_roster {
	const struct render_proc **procs;
	bool *proc_shown;     /* has a shown thread */
	size_t nprocs, procs_cap, shown_cap;
	const struct render_thread **threads;
	size_t nthreads, threads_cap;
};
void render_roster_meta(struct render_roster *ro, enum render_meta what,
			const struct render_proc *proc, const struct render_thread *th);
/* The process pid as told, or a stand-in {pid} without a name. */
struct render_proc render_roster_proc(const struct render_roster *ro, int32_t pid);
void render_roster_free(struct render_roster *ro);

#endif
