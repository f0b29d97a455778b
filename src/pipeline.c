/* The pipeline: events -> per-thread stacks -> filters -> renderers.
 *
 * Each event is placed in its thread's tree (stacks.c), tested against the
 * filters (filter.c, rules in filter.h) and handed to the renderer(s) as a
 * tree event. --min-duration needs to know a call's duration before its
 * call line can be shown, so per thread, while a call is pending (neither
 * returned nor older than DUR), the shown events after it are held in the
 * thread's hold buffer. A pending call that returns too early is dropped
 * with everything held since it; one that lasts long enough releases what
 * was held up to the next pending call. Only threads inside a pending call
 * buffer anything, and only events newer than DUR.
 *
 * A live trace's output is written by a thread of its own (output.h).
 * While its reader is too far behind, new events are dropped, not queued:
 * the event loop (and any process the engine holds) never waits for a
 * reader.  A dropped call drops its return too, and a return whose call
 * was shown is always kept, so every format stays well formed; what was
 * dropped is counted lost and shown as a lost record where it happened. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "filter.h"
#include "intern.h"
#include "log.h"
#include "output.h"
#include "picture.h"
#include "pipeline.h"
#include "render.h"
#include "stacks.h"
#include "status.h"
#include "xmalloc.h"

/* tev.flags: decided at push time, the event is not to be shown. */
#define EVF_DROPPED 0x80000000u

/* What the pipeline decides about a call on a thread's stack; frames[i]
 * goes with the thread's stack[i] (stacks.c owns the call itself). */
struct pframe {
	uint64_t child_ns;    /* durations of the shown children */
	int32_t depth;        /* shown depth (visible ancestors) */
	int32_t vis_parent;   /* stack index of the nearest visible ancestor, -1 */
	bool visible;
	bool pending;         /* --min-duration: not yet known to last long enough */
	bool dropped;         /* shown, but dropped: the output was behind */
	size_t hold_at;       /* hold buffer length when the call came */
};

/* The pipeline's state of one thread (by thread index). */
struct pthread {
	struct thread *th;
	int8_t selected;      /* passes --pid/--tid; -1: not decided yet */
	int32_t nvisible;     /* visible frames on the stack = depth of a new shown call */
	uint64_t last_ts;     /* timestamps are made monotonic per thread */
	struct pframe *frames;
	size_t frames_cap;
	/* --min-duration: events held while a call is pending */
	struct tev *held;
	size_t nheld, held_head, held_cap;
	ptrdiff_t first_pending;  /* stack index of the outermost pending call, -1 */
};

/* A process's start-up (hide_startup). */
struct startup {
	bool started;              /* ran code outside the standard library */
	bool seen_call;            /* a call came: hiding applies */
	uint64_t hidden;           /* events not shown */
};

struct pipeline {
	bool strict;
	int64_t wall_offset;       /* render_ctx.wall_offset points here */
	bool live;                 /* a live trace: /proc is current */
	struct intern *in;
	struct stacks *st;
	struct filter *flt;
	struct out out;            /* the trace (stdout or -o FILE) */
	struct out err_out;        /* --summary: the table on stderr */
	bool have_err_out;
	struct renderer *r[2];
	int nr;
	struct pthread *pth;       /* by thread index */
	size_t npth, pth_cap;
	size_t nprocs_seen;        /* processes told to the renderers (meta) */
	unsigned shown;            /* MARK() bits of the kinds shown */
	uint64_t t0;               /* engine timestamp of the first event */
	bool have_t0;
	uint64_t now;              /* latest relative timestamp seen */
	uint64_t min_dur;
	int32_t max_depth;
	uint64_t next_deadline;    /* earliest moment a pending call becomes long enough */
	uint64_t events, lost, skipped;
	uint64_t out_lost;         /* of lost: dropped because the output was behind */
	uint64_t py_events;        /* marker events (not comm, not lost) */
	uint64_t drop_pending;     /* dropped, not yet shown as a lost record */
	bool behind;               /* the output's reader is behind (this event) */
	bool summary_file;         /* err_out is --summary-file, not stderr */
	bool hide_startup;         /* text of -c: start-up collapsed into one line */
	bool in_startup;           /* this event is start-up: hidden */
	struct startup *startup;   /* per process index */
	size_t startup_cap;
	struct status *status;     /* the status line on stderr, or NULL */
	uint64_t end_engine_ts;    /* pipeline_end_at, 0: the last event's time */
	char incomplete[256];      /* why the lost count is only a lower bound */
	uint32_t null_id;
	bool match_returns;        /* pipeline_match_returns() */
};

static bool want_color(enum color_mode color, int fd)
{
	if (color == COLOR_ALWAYS)
		return true;
	if (color == COLOR_NEVER)
		return false;
	const char *term = getenv("TERM");
	const char *no_color = getenv("NO_COLOR");
	return isatty(fd) && !(no_color && *no_color) && !(term && strcmp(term, "dumb") == 0);
}

struct pipeline *pipeline_new(const struct pipeline_config *c, char *err, size_t errlen)
{
	const struct render_ops *ops = c->format;
	if (!ops) {
		err_set(err, errlen, "unknown output format");
		return NULL;
	}
	struct pipeline *p = xcalloc(1, sizeof(*p));
	p->strict = c->strict;
	p->flt = filter_new(c->filter, err, errlen);
	if (!p->flt) {
		free(p);
		return NULL;
	}
	if (out_open(&p->out, c->output, err, errlen) < 0) {
		filter_free(p->flt);
		free(p);
		return NULL;
	}
	if (c->live && out_go_live(&p->out, err, errlen) < 0) {
		out_close(&p->out, NULL, 0);
		filter_free(p->flt);
		free(p);
		return NULL;
	}
	p->hide_startup = c->hide_startup && ops == &render_text && filter_code_all(p->flt);
	if (c->live && status_wanted(p->out.fd))
		p->status = status_start();
	p->in = intern_new();
	p->st = stacks_new();
	p->null_id = intern_id(p->in, "<null>", 6);
	p->shown = c->markers ? c->markers : MARKS_ALL;
	p->min_dur = c->filter->min_duration_ns;
	p->max_depth = c->filter->max_depth < 0 ? INT32_MAX : c->filter->max_depth;
	p->next_deadline = UINT64_MAX;

	p->wall_offset = wall_clock_offset_ns(c->render.live);
	p->live = c->render.live;
	struct render_ctx ctx = {
		.out = &p->out, .in = p->in, .set = c->render,
		.color = ops == &render_text && want_color(c->color, p->out.fd),
		.null_id = p->null_id, .wall_offset = &p->wall_offset,
	};
	p->r[p->nr++] = ops->create(&ctx);
	if (c->summary_file) {
		p->summary_file = true;
		if (out_open_append(&p->err_out, c->summary_file, err, errlen) < 0) {
			pipeline_free(p);
			return NULL;
		}
		p->have_err_out = true;
		ctx.out = &p->err_out;
		ctx.color = false;
		p->r[p->nr++] = render_summary.create(&ctx);
	} else if (c->summary && ops != &render_summary) {
		out_init_fd(&p->err_out, STDERR_FILENO, "standard error");
		p->have_err_out = true;
		ctx.out = &p->err_out;
		ctx.color = false;
		p->r[p->nr++] = render_summary.create(&ctx);
	}
	return p;
}

void pipeline_free(struct pipeline *p)
{
	if (!p)
		return;
	status_stop(p->status);
	free(p->startup);
	for (int i = 0; i < p->nr; i++)
		p->r[i]->ops->destroy(p->r[i]);
	for (size_t i = 0; i < p->npth; i++) {
		free(p->pth[i].frames);
		free(p->pth[i].held);
	}
	free(p->pth);
	if (p->have_err_out)
		out_close(&p->err_out, NULL, 0);
	out_close(&p->out, NULL, 0);
	stacks_free(p->st);
	intern_free(p->in);
	filter_free(p->flt);
	free(p);
}

int pipeline_output_closed(const struct pipeline *p)
{
	return out_is_closed(&p->out);
}

void pipeline_end_at(struct pipeline *p, uint64_t ts)
{
	p->end_engine_ts = ts;
}

void pipeline_tick(struct pipeline *p)
{
	out_tick(&p->out);
	if (p->status)
		status_update(p->status, p->py_events, p->lost, p->st->nprocs);
}

int pipeline_output_error(const struct pipeline *p, char *err, size_t errlen)
{
	if (!p->out.err)
		return 0;
	return err_set(err, errlen, "error writing %s: %s", p->out.name, strerror(p->out.err));
}

uint64_t pipeline_python_events(const struct pipeline *p)
{
	return p->py_events;
}

int pipeline_data_lost(const struct pipeline *p)
{
	return p->lost > 0 || p->skipped > 0 || p->incomplete[0];
}

static void push_lost(struct pipeline *p, uint64_t n, int32_t pid, int32_t tid);

static inline void deliver(struct pipeline *p, const struct tev *e)
{
	if (__builtin_expect(e->flags & EVF_DROPPED, 0)) {
		p->drop_pending++;
		p->out_lost++;
		p->lost++;
		return;
	}
	if (__builtin_expect(p->drop_pending != 0, 0)) {
		uint64_t n = p->drop_pending;

		p->drop_pending = 0;
		p->lost -= n;   /* push_lost counts them again */
		push_lost(p, n, 0, 0);
	}
	if (__builtin_expect(e->kind == EV_LOST, 0)) {
		for (int k = 0; k < p->nr; k++)
			if (p->r[k]->ops->lost)
				p->r[k]->ops->lost(p->r[k], e);
		return;
	}
	p->r[0]->ops->event(p->r[0], e);
	if (p->nr > 1)
		p->r[1]->ops->event(p->r[1], e);
}

/* --- the hold buffer (--min-duration) --- */

static void hold(struct pthread *pt, const struct tev *e)
{
	if (pt->nheld == pt->held_cap) {
		if (pt->held_head > pt->held_cap / 4) {
			/* Compact: shift the unreleased events down, and the
			 * positions the pending calls remember with them. */
			size_t shift = pt->held_head;
			memmove(pt->held, pt->held + shift, (pt->nheld - shift) * sizeof(*pt->held));
			pt->nheld -= shift;
			pt->held_head = 0;
			for (size_t i = (size_t)pt->first_pending; i < pt->th->n; i++)
				pt->frames[i].hold_at -= shift;
		} else {
			pt->held = xgrow(pt->held, &pt->held_cap, pt->nheld + 1, sizeof(*pt->held));
		}
	}
	pt->held[pt->nheld++] = *e;
}

static void release(struct pipeline *p, struct pthread *pt, size_t upto)
{
	for (size_t i = pt->held_head; i < upto; i++)
		deliver(p, &pt->held[i]);
	pt->held_head = upto;
	if (pt->first_pending < 0 && pt->held_head == pt->nheld)
		pt->held_head = pt->nheld = 0;
}

/* The outermost pending call is long enough: show it and what followed it
 * up to the next pending call. */
static void confirm_first(struct pipeline *p, struct pthread *pt)
{
	size_t fp = (size_t)pt->first_pending;
	size_t upto;
	pt->frames[fp].pending = false;
	if (fp + 1 < pt->th->n) {
		pt->first_pending = (ptrdiff_t)fp + 1;
		upto = pt->frames[fp + 1].hold_at;
	} else {
		pt->first_pending = -1;
		upto = pt->nheld;
	}
	release(p, pt, upto);
}

static void confirm_due(struct pipeline *p)
{
	uint64_t next = UINT64_MAX;
	for (size_t i = 0; i < p->npth; i++) {
		struct pthread *pt = &p->pth[i];
		while (pt->first_pending >= 0) {
			const struct frame *f = &pt->th->stack[pt->first_pending];
			if (p->now - f->start < p->min_dur) {
				if (f->start + p->min_dur < next)
					next = f->start + p->min_dur;
				break;
			}
			confirm_first(p, pt);
		}
	}
	p->next_deadline = next;
}

static inline void emit(struct pipeline *p, struct pthread *pt, const struct tev *e)
{
	if (pt->first_pending >= 0)
		hold(pt, e);
	else
		deliver(p, e);
}

/* --- threads and processes --- */

static void tell_meta(struct pipeline *p, enum render_meta what, const struct render_proc *proc,
		      const struct render_thread *th)
{
	for (int k = 0; k < p->nr; k++)
		if (p->r[k]->ops->meta)
			p->r[k]->ops->meta(p->r[k], what, proc, th);
}

/* Processes stacks.c created since the last call: tell the renderers,
 * with the command line of a live one (it is running: its event came). */
static void tell_new_procs(struct pipeline *p)
{
	while (p->nprocs_seen < p->st->nprocs) {
		struct render_proc *pr = p->st->procs[p->nprocs_seen++];
		if (p->live)
			pr->cmdline = proc_cmdline_id(p->in, pr->pid);
		tell_meta(p, META_PROCESS, pr, NULL);
	}
}

/* A thread seen for the first time (its index is the next one): decide
 * whether the filters keep it, and tell the renderers. */
static struct pthread *new_pthread(struct pipeline *p, struct thread *th)
{
	p->pth = xgrow(p->pth, &p->pth_cap, p->npth + 1, sizeof(*p->pth));
	struct pthread *pt = &p->pth[p->npth++];
	memset(pt, 0, sizeof(*pt));
	pt->th = th;
	pt->first_pending = -1;
	pt->selected = filter_thread_ok(p->flt, th->rt.pid, th->rt.tid);
	tell_new_procs(p);
	if (pt->selected)
		tell_meta(p, META_THREAD, th->proc, &th->rt);
	return pt;
}

/* --- start-up (text of a -c trace) ---
 * A process's events before its first call outside the standard library
 * (site, encodings, <frozen importlib...>, runpy: about 3,000 calls for
 * `python3 app.py`) are its start-up: not shown, counted in one line where
 * the user's code starts.  Code that site.py runs (.pth files: exec'd
 * strings, site-packages hooks) is start-up too.  Their frames take no
 * level, so the user's code starts at depth 0.  --startup shows all. */

static bool path_ends(const struct istr *s, const char *tail)
{
	size_t n = strlen(tail);

	return s->len >= n && memcmp(s->s + s->len - n, tail, n) == 0;
}

/* Is site.py (the start-up's .pth processing) running on this thread? */
static bool in_site(struct pipeline *p, const struct thread *th)
{
	for (size_t i = th->n; i-- > 0;) {
		const struct istr *s = intern_str(p->in, th->stack[i].file);

		if (path_ends(s, "/site.py") || path_ends(s, "<frozen site>"))
			return true;
	}
	return false;
}

static struct startup *startup_of(struct pipeline *p, const struct render_proc *proc)
{
	if (proc->index >= p->startup_cap)
		p->startup = xgrow_zero(p->startup, &p->startup_cap, (size_t)proc->index + 1,
					sizeof(*p->startup));
	return &p->startup[proc->index];
}

static void startup_line(struct pipeline *p, const struct render_proc *proc, uint64_t ts,
			 const char *what)
{
	char line[320];
	int n = snprintf(line, sizeof(line), "%8llu pytrace: PID %d: %llu events of interpreter "
			 "start-up %s (--startup shows them)\n", (unsigned long long)(ts / 1000),
			 (int)proc->pid, (unsigned long long)startup_of(p, proc)->hidden, what);

	out_put(&p->out, line, (size_t)n);
}

static void startup_check(struct pipeline *p, struct thread *th, const struct tev *e)
{
	struct startup *pr = startup_of(p, th->proc);

	p->in_startup = false;
	if (pr->started)
		return;
	/* A python whose calls are not traced (3.12-3.14 at exec) has no
	 * start-up to hide: it begins with the process's first call. */
	if (e->kind != EV_CALL && !pr->seen_call)
		return;
	if (e->kind == EV_CALL) {
		pr->seen_call = true;
		const struct istr *s = intern_str(p->in, e->file);

		/* "<string>" is `python -c`'s code only as the outermost
		 * frame; called from the library it is an exec'd helper
		 * (namedtuple's __new__, a .pth line). */
		bool user = !path_is_stdlib(s->s, s->len) && !(s->s[0] == '<' && th->n > 0);

		if (user && !in_site(p, th)) {
			pr->started = true;
			if (pr->hidden)
				startup_line(p, th->proc, e->ts, "hidden");
			return;
		}
	}
	pr->hidden++;
	p->in_startup = true;
}

/* --- events --- */

static inline uint64_t rel_ts(struct pipeline *p, uint64_t ts)
{
	if (!p->have_t0) {
		p->t0 = ts;
		p->have_t0 = true;
	}
	return ts >= p->t0 ? ts - p->t0 : 0;
}

static void push_lost(struct pipeline *p, uint64_t n, int32_t pid, int32_t tid)
{
	p->lost += n;
	struct tev e = { .kind = EV_LOST, .ts = p->now, .engine_ts = p->t0 + p->now,
			 .num = (int64_t)n, .pid = pid, .tid = tid };
	deliver(p, &e);
}

void pipeline_lost(struct pipeline *p, uint64_t n)
{
	push_lost(p, n, 0, 0);
}

void pipeline_incomplete(struct pipeline *p, const char *why)
{
	snprintf(p->incomplete, sizeof(p->incomplete), "%s", why);
}

void pipeline_wall_clock(struct pipeline *p, int64_t offset_ns)
{
	p->wall_offset = offset_ns;
}

void pipeline_proc_cmdline(struct pipeline *p, int32_t pid, const char *s, size_t len)
{
	for (size_t i = 0; i < p->st->nprocs; i++)
		if (p->st->procs[i]->pid == pid)
			p->st->procs[i]->cmdline = intern_id(p->in, s, len);
}

void pipeline_skipped(struct pipeline *p, uint64_t n)
{
	p->skipped += n;
}

static void push_comm(struct pipeline *p, const struct event *ev)
{
	if (!filter_pid_ok(p->flt, ev->pid))
		return;
	struct render_proc *pr = stacks_proc(p->st, ev->pid);
	tell_new_procs(p);
	pr->comm = (ev->flags & EVF_FUNC_NULL) ? 0 : intern_id(p->in, ev->func, ev->func_len);
	struct tev e = {
		.kind = EV_COMM, .flags = ev->flags & (EVF_FUNC_TRUNC | EVF_FUNC_NULL),
		.ts = p->have_t0 && ev->ts >= p->t0 ? ev->ts - p->t0 : 0, .engine_ts = ev->ts,
		.pid = ev->pid, .tid = ev->tid, .func = pr->comm ? pr->comm : p->null_id,
	};
	deliver(p, &e);
}

static void push_call(struct pipeline *p, struct pthread *pt, struct tev *e)
{
	struct thread *th = pt->th;
	int32_t depth = pt->nvisible;
	bool vis = (p->shown & MARK(EV_CALL)) && depth < p->max_depth && !p->in_startup &&
		   filter_code_ok(p->flt, p->in, e->func, e->file);
	ptrdiff_t parent = (ptrdiff_t)th->n - 1;
	struct frame *sf = stacks_call(p->st, th, e->func, e->file, e->num, e->ts);
	sf->flags = e->flags;
	if (th->n > pt->frames_cap)
		pt->frames = xgrow(pt->frames, &pt->frames_cap, th->n, sizeof(*pt->frames));
	struct pframe *f = &pt->frames[th->n - 1];
	memset(f, 0, sizeof(*f));
	f->vis_parent = -1;
	f->visible = vis;
	f->depth = depth;
	if (parent >= 0) {
		const struct pframe *pf = &pt->frames[parent];
		f->vis_parent = pf->visible ? (int32_t)parent : pf->vis_parent;
	}
	if (vis)
		pt->nvisible++;
	f->dropped = vis && p->behind;
	if (f->dropped)
		e->flags |= EVF_DROPPED;
	if (p->min_dur) {
		f->pending = true;
		f->hold_at = pt->nheld;
		if (pt->first_pending < 0) {
			pt->first_pending = (ptrdiff_t)th->n - 1;
			if (e->ts + p->min_dur < p->next_deadline)
				p->next_deadline = e->ts + p->min_dur;
		}
	}
	if (vis) {
		e->depth = depth;
		emit(p, pt, e);
	}
}

static void pop_return(struct pipeline *p, struct pthread *pt, struct tev *e);

static inline bool frame_is(const struct frame *f, const struct tev *e)
{
	return f->func == e->func && f->file == e->file;
}

void pipeline_target_stdlib(struct pipeline *p, const struct py_target *t)
{
	filter_add_target_stdlib(p->flt, t);
}

void pipeline_match_returns(struct pipeline *p)
{
	p->match_returns = true;
}

static void push_return(struct pipeline *p, struct pthread *pt, struct tev *e)
{
	struct thread *th = pt->th;

	if (p->match_returns && th->n > 0 && !frame_is(&th->stack[th->n - 1], e)) {
		ptrdiff_t k = (ptrdiff_t)th->n - 2;

		while (k >= 0 && !frame_is(&th->stack[k], e))
			k--;
		if (k >= 0) {
			/* Calls above it never returned (a 3.15 creation entry
			 * nothing took away): closed now. */
			while ((ptrdiff_t)th->n - 1 > k) {
				const struct frame *f = &th->stack[th->n - 1];
				struct tev r = *e;

				r.func = f->func;
				r.file = f->file;
				r.num = f->line;
				r.flags = f->flags;
				pop_return(p, pt, &r);
			}
		} else {
			/* Its entry never fired (3.15: a generator thrown into):
			 * the call is shown at the return's moment. */
			struct tev c = *e;

			c.kind = EV_CALL;
			push_call(p, pt, &c);
		}
	}
	pop_return(p, pt, e);
}

static void pop_return(struct pipeline *p, struct pthread *pt, struct tev *e)
{
	struct thread *th = pt->th;
	struct frame sf;
	uint64_t dur;
	if (!stacks_return(p->st, th, e->ts, &sf, &dur)) {
		/* The call was not seen: shown at the outermost level without a
		 * duration; it lasted at least since the trace started. */
		if ((p->shown & MARK(EV_RETURN)) && pt->nvisible < p->max_depth &&
		    (!p->min_dur || e->ts >= p->min_dur) && !p->in_startup &&
		    filter_code_ok(p->flt, p->in, e->func, e->file)) {
			e->depth = pt->nvisible;
			if (p->behind)
				e->flags |= EVF_DROPPED;
			emit(p, pt, e);
		}
		return;
	}
	ptrdiff_t idx = (ptrdiff_t)th->n;
	struct pframe f = pt->frames[idx];
	if (f.visible)
		pt->nvisible--;
	if (f.pending && dur < p->min_dur) {
		/* Too short: dropped with everything held since its call. */
		pt->nheld = f.hold_at;
		if (pt->first_pending == idx) {
			pt->first_pending = -1;
			pt->nheld = pt->held_head = 0;
		}
		return;
	}
	if (f.visible) {
		if (f.vis_parent >= 0)
			pt->frames[f.vis_parent].child_ns += dur;
		if (f.dropped)
			e->flags |= EVF_DROPPED;
		e->depth = f.depth;
		e->dur = dur;
		e->self = dur > f.child_ns ? dur - f.child_ns : 0;
		e->has_dur = true;
		emit(p, pt, e);
	}
	if (f.pending && pt->first_pending == idx) {
		pt->first_pending = -1;
		release(p, pt, pt->nheld);
	}
}

static void push_other(struct pipeline *p, struct pthread *pt, struct tev *e)
{
	int32_t depth = pt->nvisible;
	if (!(p->shown & MARK(e->kind)) || depth >= p->max_depth || p->in_startup)
		return;
	if (e->kind == EV_LINE && !filter_code_ok(p->flt, p->in, e->func, e->file))
		return;
	/* With --include/--exclude/--function/--no-stdlib, gc, import and
	 * audit events show only inside a shown call: outside every one (an
	 * excluded file's code, start-up) they belong to code not asked for. */
	if (e->kind != EV_LINE && depth == 0 && !filter_code_all(p->flt))
		return;
	if (p->behind)
		e->flags |= EVF_DROPPED;
	e->depth = depth;
	emit(p, pt, e);
}

/* pipeline_push and pipeline_push_interned: func and file are intern ids
 * already (interned), or ev's strings to intern. */
static void push_event(struct pipeline *p, const struct event *ev, bool interned,
		       uint32_t func, uint32_t file)
{
	p->events++;
	if (out_is_closed(&p->out))
		return;
	p->behind = out_behind(&p->out);
	if ((unsigned)ev->kind >= EV__COUNT)
		return;
	if (ev->kind == EV_LOST) {
		push_lost(p, ev->num > 0 ? (uint64_t)ev->num : 0, ev->pid, ev->tid);
		return;
	}
	if (ev->kind == EV_COMM) {
		push_comm(p, ev);
		return;
	}
	p->py_events++;
	/* The trace starts at its first marker event, whatever the filters
	 * keep, so an event shows the same time under every filter. */
	uint64_t ts = rel_ts(p, ev->ts);
	struct thread *th = stacks_thread(p->st, ev->pid, ev->tid);
	struct pthread *pt = th->rt.index < p->npth ? &p->pth[th->rt.index] : new_pthread(p, th);
	if (!pt->selected)
		return;

	struct tev e;
	e.kind = ev->kind;
	e.flags = ev->flags;
	e.engine_ts = ev->ts;
	e.ts = ts;
	if (e.ts < pt->last_ts)
		e.ts = pt->last_ts;
	pt->last_ts = e.ts;
	if (e.ts > p->now)
		p->now = e.ts;
	e.num = ev->num;
	e.pid = ev->pid;
	e.tid = ev->tid;
	e.th = &th->rt;
	e.dur = e.self = 0;
	e.has_dur = false;
	/* A return (or line) usually names the function on top of its stack,
	 * and a call is often in its caller's file: try those ids first. */
	uint32_t func_hint = 0, file_hint = 0;
	if (!interned && th->n) {
		const struct frame *top = &th->stack[th->n - 1];
		func_hint = ev->kind == EV_CALL ? 0 : top->func;
		file_hint = top->file;
	}
	e.func = (ev->flags & EVF_FUNC_NULL) ? p->null_id
		 : interned ? func
		 : ev->func_len ? intern_id_hint(p->in, ev->func, ev->func_len, func_hint) : 0;
	e.file = (ev->flags & EVF_FILE_NULL) ? p->null_id
		 : interned ? file
		 : ev->file_len ? intern_id_hint(p->in, ev->file, ev->file_len, file_hint) : 0;

	if (p->now >= p->next_deadline)
		confirm_due(p);
	if (p->hide_startup)
		startup_check(p, th, &e);
	switch (ev->kind) {
	case EV_CALL:
		push_call(p, pt, &e);
		break;
	case EV_RETURN:
		push_return(p, pt, &e);
		break;
	default:
		push_other(p, pt, &e);
		break;
	}
}

void pipeline_push(struct pipeline *p, const struct event *ev)
{
	push_event(p, ev, false, 0, 0);
}

void pipeline_push_interned(struct pipeline *p, const struct event *ev, uint32_t func,
			    uint32_t file)
{
	push_event(p, ev, true, func, file);
}

struct intern *pipeline_strings(struct pipeline *p)
{
	return p->in;
}

/* --- the end --- */

static void finish_thread(struct pipeline *p, struct pthread *pt, uint64_t end)
{
	const struct thread *th = pt->th;
	size_t open = th->n;
	while (pt->first_pending >= 0) {
		const struct frame *f = &th->stack[pt->first_pending];
		if (end - f->start >= p->min_dur) {
			confirm_first(p, pt);
			continue;
		}
		/* Never returned, and shorter than DUR so far: not shown. */
		open = (size_t)pt->first_pending;
		pt->nheld = pt->frames[pt->first_pending].hold_at;
		pt->first_pending = -1;
	}
	release(p, pt, pt->nheld);
	/* Innermost first: the open shown call inside a frame is the one
	 * handled just before it, and its time is not the frame's own. */
	uint64_t inner = 0;
	for (size_t i = open; i-- > 0;) {
		const struct frame *f = &th->stack[i];
		const struct pframe *pf = &pt->frames[i];
		if (!pf->visible)
			continue;
		uint64_t dur = end - f->start, used = pf->child_ns + inner;
		inner = dur;
		if (pf->dropped)
			continue;
		struct tev e = {
			.kind = EV_CALL, .flags = f->flags, .ts = f->start, .dur = dur,
			.self = dur > used ? dur - used : 0,
			.num = f->line, .pid = th->rt.pid, .tid = th->rt.tid, .func = f->func,
			.file = f->file, .depth = pf->depth, .th = &th->rt,
		};
		for (int k = 0; k < p->nr; k++)
			if (p->r[k]->ops->unreturned)
				p->r[k]->ops->unreturned(p->r[k], &e, end);
	}
}

void pipeline_exec(struct pipeline *p, int32_t pid, uint64_t engine_ts)
{
	if (!p->have_t0)
		return;   /* nothing traced yet */
	uint64_t ts = rel_ts(p, engine_ts);
	for (size_t i = 0; i < p->npth; i++) {
		struct pthread *pt = &p->pth[i];
		struct thread *th = pt->th;
		if (th->rt.pid != pid || th->n == 0)
			continue;
		/* The old image's open calls end here, as calls never returned
		 * do at the end; the new image starts with an empty stack. */
		if (pt->selected > 0)
			finish_thread(p, pt, ts);
		th->n = 0;
		pt->nvisible = 0;
		pt->first_pending = -1;
		pt->nheld = pt->held_head = 0;
	}
}

void pipeline_thread_end(struct pipeline *p, int32_t pid, int32_t tid)
{
	struct thread *th = stacks_thread_ended(p->st, pid, tid);

	if (!th || th->rt.index >= p->npth)
		return;
	struct pthread *pt = &p->pth[th->rt.index];
	free(pt->frames);
	free(pt->held);
	pt->frames = NULL;
	pt->held = NULL;
	pt->frames_cap = pt->held_cap = 0;
	pt->nvisible = 0;
	pt->first_pending = -1;
	pt->nheld = pt->held_head = 0;
	if (pt->selected > 0)
		for (int i = 0; i < p->nr; i++)
			if (p->r[i]->ops->thread_end)
				p->r[i]->ops->thread_end(p->r[i], &th->rt);
}

static const char *plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

int pipeline_finish(struct pipeline *p, char *err, size_t errlen)
{
	uint64_t end = p->now;
	int rc = 0;

	status_stop(p->status);   /* gone before the report line */
	p->status = NULL;
	if (p->hide_startup)
		for (size_t i = 0; i < p->st->nprocs; i++) {
			const struct render_proc *proc = p->st->procs[i];
			struct startup *sp = startup_of(p, proc);

			if (!sp->started && sp->hidden)
				startup_line(p, proc, end, "hidden: it ran no code outside the "
					     "standard library");
		}
	if (p->have_t0 && p->end_engine_ts > p->t0 + end)
		end = p->end_engine_ts - p->t0;
	if (p->drop_pending) {
		p->lost -= p->drop_pending;
		push_lost(p, p->drop_pending, 0, 0);
		p->drop_pending = 0;
	}
	for (size_t i = 0; i < p->npth; i++)
		if (p->pth[i].selected > 0)
			finish_thread(p, &p->pth[i], end);
	for (int k = 0; k < p->nr; k++)
		p->r[k]->ops->finish(p->r[k], end);

	char outname[256];
	snprintf(outname, sizeof(outname), "%s", p->out.name);
	if (out_close(&p->out, err, errlen) < 0)
		rc = -1;
	bool broken = p->out.broken_pipe;   /* known once the writer is done */
	if (p->have_err_out) {
		/* --summary-file's write errors count; stderr's cannot be said. */
		if (out_close(&p->err_out, rc < 0 ? NULL : err, errlen) < 0 && p->summary_file)
			rc = -1;
		p->have_err_out = false;
	}
	if (broken)
		return rc;   /* the reader went away (| head): stop quietly */

	uint64_t unreturned = stacks_unreturned(p->st);
	info_msg("%llu %s, %llu %s, %llu %s without a call, %llu %s never returned, "
		 "%llu lost, %llu %s skipped",
		 (unsigned long long)p->events, plural(p->events, "event", "events"),
		 (unsigned long long)p->st->calls, plural(p->st->calls, "call", "calls"),
		 (unsigned long long)p->st->orphans, plural(p->st->orphans, "return", "returns"),
		 (unsigned long long)unreturned, plural(unreturned, "call", "calls"),
		 (unsigned long long)p->lost,
		 (unsigned long long)p->skipped, plural(p->skipped, "input line", "input lines"));
	if (rc < 0)
		return rc;
	if (p->incomplete[0]) {
		if (p->strict)
			return err_set(err, errlen, "the trace is incomplete: %s (--strict makes this an error)",
				       p->incomplete);
		warn_msg("the trace is incomplete: %s", p->incomplete);
	}
	if (p->strict && pipeline_data_lost(p)) {
		char lost[384] = "", skipped[64] = "";
		if (p->lost)
			snprintf(lost, sizeof(lost), "%llu %s lost", (unsigned long long)p->lost,
				 plural(p->lost, "event", "events"));
		if (p->out_lost)
			snprintf(lost + strlen(lost), sizeof(lost) - strlen(lost),
				 " (%llu dropped because %s was not read fast enough)",
				 (unsigned long long)p->out_lost, outname);
		if (p->skipped)
			snprintf(skipped, sizeof(skipped), "%llu malformed input %s skipped",
				 (unsigned long long)p->skipped, plural(p->skipped, "line", "lines"));
		return err_set(err, errlen, "%s%s%s (--strict makes this an error)", lost,
			       p->lost && p->skipped ? ", " : "", skipped);
	}
	if (p->lost > p->out_lost)
		warn_msg("%llu %s lost: the trace has gaps (a larger --buffer-size helps a live trace)",
			 (unsigned long long)(p->lost - p->out_lost),
			 plural(p->lost - p->out_lost, "event was", "events were"));
	if (p->out_lost)
		warn_msg("%llu %s dropped because %s was not read fast enough (a slow or paused "
			 "reader); -o FILE keeps up", (unsigned long long)p->out_lost,
			 plural(p->out_lost, "event was", "events were"), outname);
	if (p->skipped)
		warn_msg("%llu malformed input %s skipped (listed above)",
			 (unsigned long long)p->skipped, plural(p->skipped, "line", "lines"));
	return 0;
}
