/* The bpf engine: CPython's markers through libbpf's USDT support and one
 * BPF ring buffer (kernel side: engine_bpf.bpf.c, record: engine_bpf.h).
 *
 * Markers fire only while their semaphore is raised, and pytrace raises the
 * semaphores in the memory of the processes it traces (sema.h), never
 * through the kernel's uprobe reference counter, which would raise them in
 * every process mapping the file.
 *
 * -p PID: the markers of the interpreter file that process maps are probed
 * for that process only (uprobes filter by address space, so all threads),
 * then its semaphores raised.
 *
 * -c CMD: uprobes are inode based, so the markers of an interpreter file are
 * probed once for every process (pid -1); a process outside the command's
 * tree keeps its semaphores at 0 and never reaches them.  The BPF side
 * keeps the command's process tree (fork/exit tracepoints maintain a map of
 * traced pids) and stops (SIGSTOP) a traced process that starts a python
 * image until we have raised its semaphores; a file nobody predicted is
 * examined there, and attached to if it is a python with markers
 * (bpf_exec_hold.c).  A fork inherits the raised counters with its memory.
 *
 * Speed: records are submitted without waking us; we drain every ~10 ms and
 * get woken only when the ring passes a fill threshold.  A call, return or
 * line is a 24-byte record naming its code by id: a code's strings cross
 * the ring once (a BEV_DEF record, interned here once, define_code), and
 * the kernel side checks them on every event, so memory CPython freed and
 * reused for another name gets a new id, never the old name.
 *
 * Detaching is lowering the semaphores we raised, then closing the links
 * (the kernel removes the uprobes), so a -p target, or a -c process that
 * outlives the trace, runs at its untraced speed.  If pytrace dies, the
 * watchdog lowers them (bpf_watchdog.h). */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf_agg.h"
#include "bpf_attach.h"
#include "bpf_call_hold.h"
#include "bpf_exec_hold.h"
#include "bpf_watchdog.h"
#include "clock.h"
#include "engine.h"
#include "engine_bpf.h"
#include "exitcodes.h"
#include "intern.h"
#include "log.h"
#include "markers.h"
#include "probe_checks.h"
#include "sema.h"
#include "signals.h"
#include "spawn.h"
#include "supervise.h"
#include "xmalloc.h"

#include "engine_bpf.skel.h"

#define DEFAULT_RING_BYTES  (16u << 20)
#define AGG_RING_BYTES      (1u << 20)   /* aggregate: names, holds, exits only */
#define MIN_RING_BYTES      4096u
#define DRAIN_INTERVAL_MS   10
#define RECORDS_PER_ROUND   200000   /* then look at the clock and the target */

struct bpf_run {
	const struct trace_plan *plan;
	struct pipeline *p;           /* run: the events go there */
	const struct agg_sink *sink;  /* aggregate: tables go there (p is NULL) */
	struct bpf_agg *agg;
	struct engine_bpf *skel;     /* generated from engine_bpf.bpf.c */
	struct ring_buffer *rb;
	struct bpf_links markers;     /* marker probes */
	struct bpf_links tracepoints; /* fork/exit/exec (-c), exit (-p), libpython mapping */
	struct bpf_sites sites;       /* marker sites' argument specs */
	bool lib_hook;                /* waiting for libpython mappings (on_sys_exit) */
	struct spawn child;
	pid_t command_pgid;           /* the process group the command starts in (ours) */
	pid_t *left;                  /* after teardown: the command's processes then known */
	size_t nleft;
	bool failed;                  /* setup failed: the error says it all */
	bool have_child;
	struct bpf_watchdog watchdog; /* resumes held processes, lowers semaphores if we die */
	int pidfd;                    /* -p: readable once the target exits */
	struct exec_hold hold;        /* -c: processes stopped at exec (bpf_exec_hold.c) */
	struct supervisor sup;        /* when to stop, and the command's end (supervise.h) */

	struct sema_set *sets;        /* marker files probed, and their semaphores */
	size_t nsets, capsets;
	/* -c, CPython 3.15: the two function uprobes the tree needs are
	 * reachable code (no semaphore guards them), so they are attached per
	 * traced process when its semaphores go up, never for every process. */
	struct coro_probes *coros;
	size_t ncoros, capcoros;
	bool told_entry_fix;
	bool told_line_aborts;        /* said why a 3.11 assertion build lacks entries */
	bool hold_calls;              /* a 3.15 target: creation entries are dropped */
	bool told_creation;
	struct call_hold calls;       /* bpf_call_hold.h */
	bool hold_throws;             /* a 3.15 target: thrown-into frames get their call */
	struct throw_hold throws;
	size_t round;                 /* records handled in this drain round */
	uint64_t events;              /* marker events pushed */
	uint64_t lost_reported;       /* lost events already told to the pipeline */
	uint64_t cutoff_ns;           /* detaching: drop events after this (0: none) */
	unsigned termed;              /* processes other than the target ended by SIGTERM */
	uint64_t holds, held_ns;      /* processes held, and for how long in all */
	struct code_def *codes;       /* by code id (BEV_DEF records); 0: none */
	size_t ncodes, capcodes;
	uint64_t ring_bytes;          /* bytes the records took in the ring (PYTRACE_RING_STATS) */
};

/* A code id's definition: its process, and its strings as ids in the
 * pipeline's intern table. */
struct code_def {
	int32_t pid;
	uint32_t func, file;
	uint8_t flags;               /* EVF_*_TRUNC, EVF_*_NULL; BEVF_CODE: defined */
};

/* A 3.15 marker file's _Py_MakeCoro / _PyEval_EvalFrameDefault offsets
 * (0: absent), and the processes they are attached to already. */
struct coro_probes {
	uint64_t dev, ino;
	char *file;
	uint64_t makecoro, evalframe;
	pid_t *pids;
	size_t npids, cappids;
};

/* ---- small helpers ---- */

static size_t ring_bytes(size_t asked)
{
	size_t n = MIN_RING_BYTES;

	if (asked == 0)
		return DEFAULT_RING_BYTES;
	while (n < asked && n < ((size_t)1 << 31))
		n <<= 1;
	return n;
}

/* The key the BPF side sees for a file: the kernel's dev_t and inode. */
static struct bpf_file_key kernel_file_key(const struct stat *st)
{
	struct bpf_file_key k = {
		.dev = ((uint64_t)major(st->st_dev) << 20) | minor(st->st_dev),
		.ino = st->st_ino,
	};
	return k;
}

static void remember_file(struct bpf_run *r, const struct stat *st, __u8 what)
{
	struct bpf_file_key k = kernel_file_key(st);

	bpf_map__update_elem(r->skel->maps.files, &k, sizeof(k), &what, sizeof(what), BPF_ANY);
}

static void add_proc(struct bpf_run *r, pid_t pid, bool is_python)
{
	__u32 key = pid;
	struct bpf_proc v = { .is_python = is_python };

	bpf_map__update_elem(r->skel->maps.procs, &key, sizeof(key), &v, sizeof(v), BPF_ANY);
}

/* Change flags of a traced process's entry (-1: leave as it is). */
static void proc_flags(struct bpf_run *r, pid_t pid, int is_python, int raised, int held,
		       int await_lib)
{
	__u32 key = pid;
	struct bpf_proc v;

	if (bpf_map__lookup_elem(r->skel->maps.procs, &key, sizeof(key), &v, sizeof(v), 0) < 0)
		return;
	if (is_python >= 0)
		v.is_python = is_python;
	if (raised >= 0)
		v.raised = raised;
	if (held >= 0)
		v.held = held;
	if (await_lib >= 0)
		v.await_lib = await_lib;
	bpf_map__update_elem(r->skel->maps.procs, &key, sizeof(key), &v, sizeof(v), BPF_EXIST);
}

/* Attach c's 3.15 function uprobes (those file has) to pid. */
static int coro_attach(struct bpf_run *r, const struct coro_probes *c, const char *file,
		       pid_t pid, char *err, size_t errlen)
{
	if (c->makecoro && bpf_attach_uprobe_at(&r->markers, r->skel->progs.on_coro, file,
						c->makecoro, pid, "_Py_MakeCoro", err, errlen) < 0)
		return -1;
	if (c->evalframe && bpf_attach_uprobe_at(&r->markers, r->skel->progs.on_evalframe,
						 file, c->evalframe, pid,
						 "_PyEval_EvalFrameDefault", err, errlen) < 0)
		return -1;
	return 0;
}

/* Attach the 3.15 function uprobes of set's file to pid, once per process.
 * A process that cannot be probed (it exited meanwhile) keeps a correct
 * depth: creation entries then show as calls closed by their caller. */
static void attach_coros(struct bpf_run *r, const struct sema_set *set, pid_t pid)
{
	for (size_t i = 0; i < r->ncoros; i++) {
		struct coro_probes *c = &r->coros[i];
		char err[512];

		if (c->dev != set->dev || c->ino != set->ino)
			continue;
		for (size_t k = 0; k < c->npids; k++)
			if (c->pids[k] == pid)
				return;
		if (coro_attach(r, c, c->file, pid, err, sizeof(err)) < 0) {
			if (kill(pid, 0) == 0)
				warn_msg("PID %d: %s; its generator creations may show as calls",
					 (int)pid, err);
			return;
		}
		c->pids = xgrow(c->pids, &c->cappids, c->npids + 1, sizeof(*c->pids));
		c->pids[c->npids++] = pid;
		return;
	}
}

/* Raise the semaphores of every marker file pid maps.  Returns how many
 * counters went up (0: none of our files' data is mapped yet). */
static int raise_in(struct bpf_run *r, pid_t pid)
{
	int total = 0;

	for (size_t i = 0; i < r->nsets; i++) {
		char err[256];
		int n = sema_adjust(pid, &r->sets[i], +1, err, sizeof(err));

		if (n < 0 && errno != ESRCH)
			warn_msg("%s; PID %d is not traced%s", err, (int)pid, errno == EPERM ?
				 " (pytrace may not ptrace it: root, or CAP_SYS_PTRACE for another "
				 "user's process)" : "");
		if (n > 0) {
			total += n;
			attach_coros(r, &r->sets[i], pid);
		}
	}
	if (total > 0)
		proc_flags(r, pid, 1, 1, -1, -1);
	return total;
}

/* --no-follow: a child of a traced python is not traced, so the counters
 * it inherited go back down (its markers stop reaching the probes). */
static void lower_in(struct bpf_run *r, pid_t pid)
{
	for (size_t i = 0; i < r->nsets; i++) {
		char err[256];

		if (sema_adjust(pid, &r->sets[i], -1, err, sizeof(err)) < 0 && errno != ESRCH)
			warn_msg("%s; the untraced PID %d keeps CPython's slower tracing path", err,
				 (int)pid);
	}
	proc_flags(r, pid, -1, 0, -1, -1);
}

/* ---- records -> events ---- */

/* A traced python ended: say so when it was killed (its events stop
 * there), and for -p how the target ended. */
static void report_exit(struct bpf_run *r, const struct bpf_event *rec, const char *comm)
{
	int code = (int)rec->num, sig = code & 0x7f;
	int len = rec->func_len;

	if (sig) {
		const char *abbrev = sigabbrev_np(sig);
		bool main_target = (pid_t)rec->pid == r->plan->pid ||
				   (r->have_child && (pid_t)rec->pid == r->child.pid);
		char msg[160];

		snprintf(msg, sizeof(msg), "PID %d (%.*s) was killed by signal %d%s%s%s%s",
			 (int)rec->pid, len, comm, sig, abbrev ? " (SIG" : "", abbrev ? abbrev : "",
			 abbrev ? ")" : "", code & 0x80 ? ", core dumped" : "");
		/* A pool worker ended by its parent with SIGTERM is business as
		 * usual (counted, said once at the end); the main target
		 * killed, or any SIGKILL/SIGSEGV, is not. */
		if (sig == SIGTERM && !main_target)
			r->termed++;
		else
			warn_msg("%s", msg);
	} else if (!r->have_child && (pid_t)rec->pid == r->plan->pid) {
		info_msg("PID %d (%.*s) exited with status %d", (int)rec->pid, len, comm,
			 (code >> 8) & 0xff);
	}
}

/* A BEV_DEF record: code id num is these strings in process pid.  They are
 * interned here, once: the events naming the id are pushed with the ids. */
static void define_code(struct bpf_run *r, const struct bpf_event *rec)
{
	struct intern *in = pipeline_strings(r->p);
	const char *strings = (const char *)rec + sizeof(*rec);
	uint64_t id = (uint64_t)rec->num;
	struct code_def *d;

	if (id == 0 || id > UINT32_MAX)
		return;
	if (id >= r->ncodes) {
		r->codes = xgrow_zero(r->codes, &r->capcodes, id + 1, sizeof(*r->codes));
		r->ncodes = id + 1;
	}
	d = &r->codes[id];
	d->pid = (int32_t)rec->pid;
	d->flags = rec->flags | BEVF_CODE;
	d->func = rec->func_len ? intern_id(in, strings, rec->func_len) : 0;
	d->file = rec->file_len ? intern_id(in, strings + rec->func_len, rec->file_len) : 0;
}

/* A call, return or line naming its code by id. */
static void push_code_event(struct bpf_run *r, const struct bpf_code_event *rec)
{
	const struct code_def *d = rec->id < r->ncodes ? &r->codes[rec->id] : NULL;
	struct event ev;

	if (!d || !d->flags)
		return;   /* cannot happen: the definition comes first in the ring */
	memset(&ev, 0, sizeof(ev));
	ev.kind = rec->kind;
	ev.flags = d->flags & ~BEVF_CODE;
	ev.ts = rec->ts;
	ev.pid = d->pid;
	ev.tid = (int32_t)rec->tid;
	ev.num = rec->line;
	pipeline_push_interned(r->p, &ev, d->func, d->file);
}

static int push_record(struct bpf_run *r, const struct bpf_event *rec)
{
	const char *strings = (const char *)rec + sizeof(*rec);
	struct event ev;

	/* Detaching removes the probes one by one (~0.1 s each), entry before
	 * return: events after the detach point would be half a tree. */
	if (r->cutoff_ns && rec->ts > r->cutoff_ns && rec->kind != EV_COMM)
		return 0;
	if (rec->flags & BEVF_CODE) {
		push_code_event(r, (const struct bpf_code_event *)rec);
		r->events++;
		return ++r->round >= RECORDS_PER_ROUND ? -EAGAIN : 0;
	}
	memset(&ev, 0, sizeof(ev));
	ev.kind = rec->kind;
	ev.flags = rec->flags;
	ev.ts = rec->ts;
	ev.pid = rec->pid;
	ev.tid = rec->tid;
	ev.num = rec->num;
	if (marker_kind(rec->kind)->has_func && !(rec->flags & EVF_FUNC_NULL)) {
		ev.func = strings;
		ev.func_len = rec->func_len;
	}
	if (marker_kind(rec->kind)->file_arg && !(rec->flags & EVF_FILE_NULL)) {
		ev.file = strings + rec->func_len;
		ev.file_len = rec->file_len;
	}
	pipeline_push(r->p, &ev);
	if (rec->kind != EV_COMM)
		r->events++;
	/* A producer faster than us would keep one drain going forever. */
	if (++r->round >= RECORDS_PER_ROUND)
		return -EAGAIN;
	return 0;
}

static int flush_thrown(struct bpf_run *r, struct thrown *t)
{
	int rc = 0;

	for (size_t i = 0; i < t->nrecs; i++)
		if (push_record(r, (const struct bpf_event *)t->recs[i]) < 0)
			rc = -EAGAIN;
	throw_hold_done(t);
	return rc;
}

/* After the creation filter: a thread inside a thrown-into frame (3.15)
 * is held until that frame returns (bpf_call_hold.h). */
static int pass_on(struct bpf_run *r, const struct bpf_event *rec)
{
	struct thrown *t;

	if (rec->kind == BEV_THROW) {
		if (r->hold_throws)
			throw_hold_mark(&r->throws, rec->tid, rec->ts);
		return 0;
	}
	t = r->hold_throws ? throw_hold_find(&r->throws, rec->tid) : NULL;
	if (!t)
		return push_record(r, rec);
	if (throw_hold_take(t, rec) || t->nrecs >= THROW_HOLD_MAX)
		return flush_thrown(r, t);
	return 0;
}

/* Let through the held calls older than `before` (every one: UINT64_MAX). */
static void release_calls(struct bpf_run *r, uint64_t before)
{
	for (size_t i = 0; i < r->calls.n; i++) {
		struct held_call *c = &r->calls.v[i];

		if (c->size && c->ts < before) {
			pass_on(r, (const struct bpf_event *)c->rec);
			call_hold_clear(c);
		}
	}
}

static struct sema_set *find_set(struct bpf_run *r, uint64_t dev, uint64_t ino);

/* -p: the target exec'd (held at exec).  Its probes follow it into the
 * new image when that runs the same interpreter file, and its semaphores
 * go up again; another program cannot be traced by these probes: say so
 * and detach. */
static void pid_exec(struct bpf_run *r, pid_t pid)
{
	struct py_target t;
	char err[512];
	struct stat st;
	bool same = false;

	if (target_from_pid(pid, &t, err, sizeof(err)) == 0) {
		same = t.marker_file && stat(t.marker_file, &st) == 0 &&
		       find_set(r, ((uint64_t)major(st.st_dev) << 20) | minor(st.st_dev), st.st_ino);
		if (same) {
			raise_in(r, pid);
			info_msg("PID %d exec'd %s: still traced (the calls open at the exec end "
				 "there, as never returned)", (int)pid, t.exe);
		} else {
			warn_msg("PID %d exec'd %s, which is not the interpreter pytrace probes in it "
				 "(%s): it can no longer be traced; detaching (attach again with -p %d)",
				 (int)pid, t.exe, r->plan->target.marker_file, (int)pid);
		}
		target_free(&t);
	}
	proc_flags(r, pid, -1, -1, 0, -1);
	kill(pid, SIGCONT);
	if (!same)
		request_stop();
}

static int handle_record(void *ctx, void *data, size_t size)
{
	struct bpf_run *r = ctx;
	const struct bpf_event *rec = data;

	if (size < sizeof(struct bpf_code_event) || bpf_record_size(rec) > size)
		return 0;   /* cannot happen with our own kernel side */
	r->ring_bytes += 8 + ((size + 7) & ~(size_t)7);   /* the ring's header, alignment */
	if (rec->flags & BEVF_CODE) {
		if (!r->hold_calls && !r->hold_throws)
			return push_record(r, rec);   /* the common case */
	} else if (rec->kind == BEV_DEF) {
		define_code(r, rec);   /* before any use, and never cut off */
		return 0;
	}
	/* A held process waits for us: deal with it before anything else in
	 * this drain, and never behind the output. */
	/* A new image: the old one's open calls end here. */
	if (rec->kind == BEV_EXEC || rec->kind == BEV_NEWIMAGE) {
		if (r->agg)
			bpf_agg_exec(r->agg, (int32_t)rec->pid, rec->ts);
		else
			pipeline_exec(r->p, (int32_t)rec->pid, rec->ts);
	}
	if (rec->kind == BEV_NEWIMAGE)
		return 0;
	if (rec->kind == BEV_EXEC && !r->have_child) {
		if (r->cutoff_ns) {
			proc_flags(r, (pid_t)rec->pid, -1, -1, 0, -1);
			kill((pid_t)rec->pid, SIGCONT);
		} else {
			pid_exec(r, (pid_t)rec->pid);
		}
		return 0;
	}
	if (rec->kind == BEV_EXEC || rec->kind == BEV_MAP) {
		exec_hold_handle(&r->hold, (pid_t)rec->pid, rec->kind == BEV_EXEC, r->cutoff_ns != 0);
		r->holds++;
		r->held_ns += now_ns() - rec->ts;
		return 0;
	}
	if (rec->kind == BEV_QUIET) {
		lower_in(r, (pid_t)rec->pid);
		return 0;
	}
	if (rec->kind == BEV_EXIT || rec->kind == BEV_THREAD_END) {
		if (rec->kind == BEV_EXIT && !r->failed)
			report_exit(r, rec, (const char *)data + sizeof(*rec));
		if (!r->agg)
			pipeline_thread_end(r->p, (int32_t)rec->pid, (int32_t)rec->tid);
		return 0;
	}
	if (r->agg) {
		bpf_agg_record(r->agg, rec);
		return 0;
	}
	if (rec->kind >= EV__COUNT && rec->kind != BEV_CORO && rec->kind != BEV_THROW)
		return 0;
	if (r->hold_calls) {
		struct held_call *c = call_hold_find(&r->calls, rec->tid);
		int rc = 0;

		if (rec->kind == BEV_CORO) {
			if (c) {   /* that call was the creation */
				call_hold_clear(c);
				r->calls.dropped++;
			}
			return 0;
		}
		if (c) {
			rc = pass_on(r, (const struct bpf_event *)c->rec);
			call_hold_clear(c);
		}
		if (rec->kind == EV_CALL) {
			call_hold_put(&r->calls, rec->tid, rec->ts, rec, bpf_record_size(rec));
			return rc;
		}
		return pass_on(r, rec) < 0 ? -EAGAIN : rc;
	}
	if (rec->kind == BEV_CORO)
		return 0;
	return pass_on(r, rec);
}

/* ---- attaching to an interpreter ---- */

static int lib_hook(struct bpf_run *r, char *err, size_t errlen);

static struct sema_set *find_set(struct bpf_run *r, uint64_t dev, uint64_t ino)
{
	for (size_t i = 0; i < r->nsets; i++)
		if (r->sets[i].dev == dev && r->sets[i].ino == ino)
			return &r->sets[i];
	return NULL;
}

/* Probe the markers of t's marker file for pid (-1: every process mapping
 * it; the BPF side filters, the semaphores decide) and remember which
 * semaphores to raise in it.  entry_fix adds the line marker's. */
static int attach_target(struct bpf_run *r, const struct py_target *t, pid_t pid,
			 bool entry_fix, char *err, size_t errlen)
{
	struct bpf_file_key key;
	struct sema_set set;
	struct stat st;

	if (stat(t->marker_file, &st) < 0)
		return err_set(err, errlen, "%s: %s", t->marker_file, strerror(errno));
	sema_set_init(&set, &st);
	if (pid < 0 && find_set(r, set.dev, set.ino))
		return 0;
	r->sites.map_fd = bpf_map__fd(r->skel->maps.sites);
	/* Entries and returns pair up (the kernel side's code_frames):
	 * <= 3.10, and 3.11 with the entry fix; not 3.15 (a generator's
	 * creation fires an entry alone). */
	r->sites.paired = t->health == HEALTH_FULL ||
			  (t->health == HEALTH_ENTRY_NEEDS_LINE && entry_fix);
	if (bpf_attach_markers(&r->markers, r->skel->progs.on_marker, &r->sites, t->sdt,
			       t->marker_file, pid, r->plan->markers, &set, err, errlen) < 0)
		return -1;
	if (r->p)
		engine_target_seen(r->p, t);
	/* 3.15: the kernel matches returns to calls by function. */
	if (t->health == HEALTH_RETURN_ON_YIELD && r->sink)
		r->skel->bss->agg_match_returns = true;
	if (t->health == HEALTH_RETURN_ON_YIELD && (r->plan->markers & MARK(EV_CALL))) {
		/* 3.15: a generator's or coroutine's creation fires
		 * function__entry; _Py_MakeCoro, right after, tells it apart.
		 * A frame resumed by throw() or close() fires no entry:
		 * _PyEval_EvalFrameDefault's throwflag says where it starts. */
		struct coro_probes c = { .dev = set.dev, .ino = set.ino,
					 .makecoro = t->sdt->makecoro_offset,
					 .evalframe = t->sdt->evalframe_offset };

		if (!c.makecoro && !r->told_creation) {
			warn_msg("%s does not export _Py_MakeCoro: each generator or coroutine "
				 "created shows as a call that never returns (CPython %d.%d fires "
				 "function__entry on creation)", t->marker_file, t->py_major,
				 t->py_minor);
			r->told_creation = true;
		}
		r->hold_calls |= c.makecoro != 0;
		r->hold_throws |= c.evalframe != 0;
		if (pid >= 0) {
			if (coro_attach(r, &c, t->marker_file, pid, err, errlen) < 0)
				return -1;
		} else if (c.makecoro || c.evalframe) {
			/* -c: per traced process, when raise_in raises its semaphores */
			c.file = xstrdup(t->marker_file);
			r->coros = xgrow(r->coros, &r->capcoros, r->ncoros + 1, sizeof(*r->coros));
			r->coros[r->ncoros++] = c;
		}
	}
	if (entry_fix) {
		const struct sdt_note *line = sdt_find(t->sdt, PY_PROVIDER, "line");

		if (!line || !line->semaphore_offset)
			return err_set(err, errlen, "%s: the CPython 3.11 entry fix needs the line "
				       "marker's semaphore, which this file lacks; use --no-entry-fix",
				       t->marker_file);
		sema_set_add(&set, line->semaphore_offset);
	}
	key = kernel_file_key(&st);
	if (bpf_map__update_elem(r->skel->maps.marker_files, &key, sizeof(key), &set, sizeof(set),
				 BPF_ANY) < 0)
		return err_set(err, errlen, "cannot record %s in the marker-file map: %s",
			       t->marker_file, strerror(errno));
	r->sets = xgrow(r->sets, &r->capsets, r->nsets + 1, sizeof(*r->sets));
	r->sets[r->nsets++] = set;
	/* Markers in a library: ld.so maps it after exec, we stop the process then. */
	if (pid < 0 && strcmp(t->marker_file, t->exe) != 0 && lib_hook(r, err, errlen) < 0)
		return -1;
	if (!entry_fix && !r->told_line_aborts && marker_line_aborts(t) &&
	    marker_entry_fix_needed(t->health, r->plan->markers)) {
		warn_msg("%s: %s", t->marker_file, marker_line_aborts_caveat(t));
		r->told_line_aborts = true;
	}
	if (entry_fix && !r->told_entry_fix) {
		info_msg("CPython %d.%d: raising the line marker's semaphore so function__entry "
			 "fires for every frame (--no-entry-fix turns this off)",
			 t->py_major, t->py_minor);
		r->told_entry_fix = true;
	}
	return 0;
}

/* The holds' callbacks (bpf_exec_hold.h). */
static int hold_attach(void *ctx, const struct py_target *t, bool entry_fix, char *err, size_t errlen)
{
	return attach_target(ctx, t, -1, entry_fix, err, errlen);
}

static bool hold_known_python(void *ctx, const struct stat *exe)
{
	struct bpf_run *r = ctx;
	struct bpf_file_key key = kernel_file_key(exe);
	__u8 what = 0;

	return bpf_map__lookup_elem(r->skel->maps.files, &key, sizeof(key), &what, sizeof(what),
				    0) == 0 && what == BFILE_PYTHON;
}

static void hold_examined(void *ctx, pid_t pid, const struct stat *exe, bool python)
{
	remember_file(ctx, exe, python ? BFILE_PYTHON : BFILE_OTHER);
	(void)pid;
}

static void hold_raise(void *ctx, pid_t pid, bool at_exec)
{
	struct bpf_run *r = ctx;

	if (raise_in(r, pid) == 0 && at_exec)
		proc_flags(r, pid, 1, -1, -1, 1);   /* libpython comes later */
}

static void hold_resume(void *ctx, pid_t pid)
{
	proc_flags(ctx, pid, -1, -1, 0, -1);
}

/* ---- setup ---- */

static int load(struct bpf_run *r, int *exit_code, char *err, size_t errlen)
{
	size_t bytes = ring_bytes(r->plan->buffer_size);
	int rc;

	r->skel = engine_bpf__open();
	if (!r->skel)
		return err_set(err, errlen, "cannot open the BPF object: %s (%s)", strerror(errno),
			       bpf_last_libbpf_message());
	if (r->sink && !r->plan->buffer_size)
		bytes = AGG_RING_BYTES;
	r->skel->rodata->wake_threshold = bytes / 4;
	r->skel->rodata->follow_children = r->plan->follow;
	/* make bench's floor: the probes, empty (not for users: no trace). */
	r->skel->rodata->floor_only = getenv("PYTRACE_FLOOR") != NULL;
	bpf_map__set_max_entries(r->skel->maps.events, bytes);
	if (r->sink)
		bpf_agg_configure(r->skel, r->plan);
	else
		bpf_agg_unused(r->skel);
	rc = engine_bpf__load(r->skel);
	if (rc < 0) {
		if (rc == -EPERM || rc == -EACCES) {
			*exit_code = EXIT_NO_ENGINE;
			return err_set(err, errlen, "loading BPF programs was refused: the bpf engine "
				       "needs root, or CAP_SYS_ADMIN (`pytrace doctor` says what is missing)");
		}
		return err_set(err, errlen, "cannot load the BPF programs: %s (%s)", strerror(-rc),
			       bpf_last_libbpf_message());
	}
	r->rb = ring_buffer__new(bpf_map__fd(r->skel->maps.events), handle_record, r, NULL);
	if (!r->rb)
		return err_set(err, errlen, "cannot map the BPF ring buffer: %s", strerror(errno));
	return 0;
}

static int attach_tracepoint(struct bpf_run *r, struct bpf_program *prog, const char *what,
			     char *err, size_t errlen)
{
	struct bpf_link *link = bpf_program__attach(prog);

	if (!link)
		return err_set(err, errlen, "cannot attach to the %s tracepoint: %s (%s)", what,
			       strerror(errno), bpf_last_libbpf_message());
	r->tracepoints.v = xgrow(r->tracepoints.v, &r->tracepoints.cap, r->tracepoints.n + 1,
				 sizeof(*r->tracepoints.v));
	r->tracepoints.v[r->tracepoints.n++] = link;
	return 0;
}

static int lib_hook(struct bpf_run *r, char *err, size_t errlen)
{
	if (r->lib_hook)
		return 0;
	r->lib_hook = true;
	return attach_tracepoint(r, r->skel->progs.on_sys_exit, "sys_exit", err, errlen);
}

static int setup_command(struct bpf_run *r, char *err, size_t errlen)
{
	const struct trace_plan *plan = r->plan;

	add_proc(r, r->child.pid, false);
	if (attach_tracepoint(r, r->skel->progs.on_fork, "sched_process_fork", err, errlen) < 0 ||
	    attach_tracepoint(r, r->skel->progs.on_exit, "sched_process_exit", err, errlen) < 0 ||
	    attach_tracepoint(r, r->skel->progs.on_exec, "sched_process_exec", err, errlen) < 0)
		return -1;
	if (plan->have_target) {
		struct stat st;

		if (attach_target(r, &plan->target, -1, plan->entry_fix, err, errlen) < 0)
			return -1;
		/* The predicted python needs no examining at exec, unless its
		 * markers are in a libpython: which one it loads depends on the
		 * environment each process runs it with, so each is examined. */
		if (!plan->target.in_library && stat(plan->target.exe, &st) == 0)
			remember_file(r, &st, BFILE_PYTHON);
	}
	return 0;
}

static int setup_pid(struct bpf_run *r, char *err, size_t errlen)
{
	const struct trace_plan *plan = r->plan;

	if (!plan->have_target)
		return err_set(err, errlen, "PID %d: no interpreter to attach to", (int)plan->pid);
	add_proc(r, plan->pid, true);
	r->pidfd = (int)syscall(SYS_pidfd_open, plan->pid, 0);
	/* The exit tracepoint tells how the target ended; the exec one holds
	 * it when it replaces its image (pid_exec). */
	if (attach_tracepoint(r, r->skel->progs.on_exit, "sched_process_exit", err, errlen) < 0 ||
	    attach_tracepoint(r, r->skel->progs.on_exec, "sched_process_exec", err, errlen) < 0 ||
	    attach_target(r, &plan->target, plan->pid, plan->entry_fix, err, errlen) < 0)
		return -1;
	raise_in(r, plan->pid);
	return 0;
}

/* ---- the loop ---- */

static bool pid_exited(struct bpf_run *r)
{
	struct pollfd pfd = { .fd = r->pidfd, .events = POLLIN };

	if (r->pidfd < 0)
		return kill(r->plan->pid, 0) < 0 && errno == ESRCH;
	return poll(&pfd, 1, 0) > 0;
}

/* The processes of the command's tree the kernel side knows (procs). */
static pid_t *tree_pids(struct bpf_run *r, size_t *n)
{
	__u32 key, next;
	void *prev = NULL;
	pid_t *v = NULL;
	size_t cap = 0;

	*n = 0;
	while (bpf_map__get_next_key(r->skel->maps.procs, prev, &next, sizeof(next)) == 0) {
		key = next;
		prev = &key;
		v = xgrow(v, &cap, *n + 1, sizeof(*v));
		v[(*n)++] = (pid_t)next;
	}
	return v;
}

/* The command's processes besides the main one (the tree the fork/exit
 * tracepoints keep), as supervise.h asks for them.  After teardown
 * (--duration, a closed output: the command runs on), the tree is the one
 * known then. */
static int each_other_process(void *ctx, bool group_only, int sig, char *some, size_t len)
{
	struct bpf_run *r = ctx;
	size_t used = 0, count = r->nleft;
	pid_t *pids = r->skel ? tree_pids(r, &count) : r->left;
	int n = 0;

	for (size_t i = 0; i < count; i++) {
		pid_t pid = pids[i];

		if (pid == getpid() || pid == r->child.pid || kill(pid, 0) < 0)
			continue;
		if (group_only && getpgid(pid) != r->command_pgid)
			continue;
		if (sig)
			kill(pid, sig);
		if (some && n < 5 && used < len)
			used += (size_t)snprintf(some + used, len - used, "%s%d", n ? ", " : "", (int)pid);
		n++;
	}
	if (pids != r->left)
		free(pids);
	return n;
}

/* Records lost in one slot of the `lost` map (LOST_EVENTS, LOST_META),
 * summed over CPUs. */
static uint64_t total_lost(struct bpf_run *r, __u32 slot)
{
	return bpf_percpu_sum(r->skel->maps.lost, slot);
}

/* Tell the pipeline about events the full ring dropped since the last
 * drain, so the trace shows where the gap is, not only that there was one. */
static void report_lost(struct bpf_run *r)
{
	uint64_t lost = r->p ? total_lost(r, LOST_EVENTS) : 0;

	if (lost > r->lost_reported) {
		pipeline_lost(r->p, lost - r->lost_reported);
		r->lost_reported = lost;
	}
}

/* Drain the ring until the target ends or supervise.h says stop. */
static void trace_loop(struct bpf_run *r, struct run_result *res)
{
	int timeout = DRAIN_INTERVAL_MS;

	supervise_started(&r->sup, now_ns());
	for (;;) {
		uint64_t read_all_before = 0;

		r->round = 0;
		ring_buffer__poll(r->rb, timeout);
		if (r->round < RECORDS_PER_ROUND) {
			uint64_t t = now_ns();

			ring_buffer__consume(r->rb);
			/* The ring was emptied: what was written before t is read. */
			if (r->round < RECORDS_PER_ROUND)
				read_all_before = t;
		}
		timeout = r->round >= RECORDS_PER_ROUND ? 0 : DRAIN_INTERVAL_MS;
		report_lost(r);
		if (r->p)
			pipeline_tick(r->p);

		uint64_t now = now_ns();
		/* A held call goes through when its thread wrote nothing for
		 * CALL_HOLD_NS, judged by what was read, not by the clock alone:
		 * a reader behind the ring would let through creation entries
		 * whose _Py_MakeCoro record is still unread. */
		if (r->hold_calls && read_all_before)
			release_calls(r, read_all_before - CALL_HOLD_NS);
		if (!r->have_child && pid_exited(r)) {
			res->target_exited = true;
			return;
		}
		/* The sink has seen enough (top -n N): as when --duration passes,
		 * tracing stops and a -c command runs on to its end. */
		if (r->agg && !r->sup.stopping && !bpf_agg_tick(r->agg, now)) {
			res->interrupted = true;
			if (r->have_child)
				return;
			request_stop();
		}
		if (supervise_tick(&r->sup, r->p, res, now) != SUP_TRACE)
			return;
	}
}

/* Lower what we raised (processes that outlive the trace run at full
 * speed), detach (no new events, no new holds), then drain what is left,
 * resuming any process still held. */
static void teardown(struct bpf_run *r)
{
	r->cutoff_ns = now_ns();
	/* bpf_ktime_get_ns() is CLOCK_MONOTONIC: the same clock. */
	if (r->p)
		pipeline_end_at(r->p, r->cutoff_ns);
	if (r->skel)
		bpf_lower_raised(bpf_map__fd(r->skel->maps.procs),
				 bpf_map__fd(r->skel->maps.marker_files));
	bpf_links_destroy(&r->tracepoints);
	bpf_links_destroy(&r->markers);
	if (r->rb) {
		do
			r->round = 0;
		while (ring_buffer__consume(r->rb) == -EAGAIN);
	}
	release_calls(r, UINT64_MAX);
	call_hold_free(&r->calls);
	for (size_t i = 0; i < r->throws.n; i++)
		flush_thrown(r, &r->throws.v[i]);
	throw_hold_free(&r->throws);
	/* The semaphores are down and the probes gone: the sums are final. */
	if (r->agg && !r->failed)
		bpf_agg_final(r->agg, r->cutoff_ns);
	if (r->agg)
		r->events = bpf_agg_events(r->agg);
	bpf_agg_free(r->agg);
	r->agg = NULL;
	bpf_watchdog_stop(&r->watchdog);
	if (r->skel) {
		uint64_t meta = total_lost(r, LOST_META);

		report_lost(r);
		if (meta && r->sink)
			warn_msg("the full buffer dropped %llu of pytrace's own records (function "
				 "names, exits): such functions show as \"<name lost>\"; a larger "
				 "--buffer-size avoids it", (unsigned long long)meta);
		else if (meta)
			warn_msg("the full buffer also dropped %llu of pytrace's own records "
				 "(process names, exits): names may show as \"python\"; "
				 "a larger --buffer-size avoids it", (unsigned long long)meta);
	}
	/* For make bench: what a new process pays for being traced. */
	if (r->holds && getenv("PYTRACE_HOLD_STATS"))
		info_msg("held %llu processes, %.3f ms each on average", (unsigned long long)r->holds,
			 (double)r->held_ns / (double)r->holds / 1e6);
	/* For make bench: what an event costs in the ring, definitions and
	 * pytrace's own records included. */
	if (r->events && getenv("PYTRACE_RING_STATS")) {
		struct rusage ru;
		double cpu = 0;

		/* pytrace's own CPU (reader and writer threads), not the command's */
		if (getrusage(RUSAGE_SELF, &ru) == 0)
			cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
			      ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) / 1e6;
		info_msg("ring: %llu bytes for %llu events (%.1f bytes per event), %zu code ids; "
			 "pytrace used %.3f s of CPU (%.2f M events per CPU second)",
			 (unsigned long long)r->ring_bytes, (unsigned long long)r->events,
			 (double)r->ring_bytes / (double)r->events, r->ncodes ? r->ncodes - 1 : 0,
			 cpu, cpu > 0 ? (double)r->events / cpu / 1e6 : 0.0);
	}
	ring_buffer__free(r->rb);
	if (r->skel && r->have_child)
		r->left = tree_pids(r, &r->nleft);
	engine_bpf__destroy(r->skel);
	r->skel = NULL;
	if (r->pidfd >= 0)
		close(r->pidfd);
	free(r->sets);
	for (size_t i = 0; i < r->ncoros; i++) {
		free(r->coros[i].file);
		free(r->coros[i].pids);
	}
	free(r->coros);
	free(r->codes);
}

static bool bpf_available(const struct trace_plan *plan, char *why, size_t len)
{
	(void)plan;   /* every plan the CLI builds */
	return bpf_can_run(why, len);
}

/* run and aggregate: the same process lifecycle, events to p or tables
 * to sink. */
static int bpf_start(const struct trace_plan *plan, struct pipeline *p,
		     const struct agg_sink *sink, struct run_result *res, int *exit_code,
		     char *err, size_t errlen)
{
	struct bpf_run r = { .plan = plan, .p = p, .sink = sink, .pidfd = -1 };
	int rc;

	*exit_code = EXIT_PYTRACE_ERROR;
	res->exit_status = 0;
	if (!plan->command && plan->pid <= 0)
		return err_set(err, errlen, "the bpf engine traces -c CMD or -p PID");
	r.hold = (struct exec_hold){ .plan = plan, .ctx = &r, .attach = hold_attach,
				     .known_python = hold_known_python, .examined = hold_examined,
				     .raise = hold_raise, .resume = hold_resume };
	bpf_capture_libbpf_messages();
	/* Fork before any BPF object exists, so the command inherits none. */
	if (plan->command) {
		struct spawn_user user;

		if (plan->user && spawn_user_resolve(plan->user, &user, err, errlen) < 0) {
			*exit_code = EXIT_USAGE;
			return -1;
		}
		rc = spawn_command(plan->command, plan->command_out_to_err, plan->user ? &user : NULL,
				   &r.child, err, errlen);
		if (plan->user)
			spawn_user_free(&user);
		if (rc < 0)
			return -1;
		r.have_child = true;
		r.command_pgid = getpgrp();
	}
	supervise_init(&r.sup, r.have_child ? &r.child : NULL, plan->duration, each_other_process, &r);
	rc = load(&r, exit_code, err, errlen);
	if (rc == 0 && sink)
		r.agg = bpf_agg_new(sink, r.skel, plan, now_ns());
	/* Before any process can be held or raised. */
	if (rc == 0)
		rc = bpf_watchdog_start(&r.watchdog, bpf_map__fd(r.skel->maps.procs),
					bpf_map__fd(r.skel->maps.marker_files), err, errlen);
	if (rc == 0)
		rc = plan->command ? setup_command(&r, err, errlen) : setup_pid(&r, err, errlen);
	if (rc == 0 && r.have_child)
		rc = spawn_release(&r.child, err, errlen);
	if (rc < 0) {
		if (r.have_child)
			spawn_abort(&r.child);
		/* A short-lived -p target: say that, not what libbpf saw. */
		if (!plan->command && r.skel && kill(plan->pid, 0) < 0 && errno == ESRCH) {
			*exit_code = EXIT_NO_MARKERS;
			err_set(err, errlen, "PID %d exited before pytrace could attach", (int)plan->pid);
		}
		r.failed = true;   /* nothing more to say than err */
		teardown(&r);
		free(r.left);
		return -1;
	}
	trace_loop(&r, res);
	teardown(&r);
	/* --duration or a closed output: the command runs on to its end. */
	supervise_wait(&r.sup, res);
	free(r.left);
	if (r.termed)
		info_msg("%u %s of the command ended by SIGTERM (as a pool's workers are at its "
			 "end): %s there", r.termed, r.termed == 1 ? "process" : "processes",
			 r.termed == 1 ? "its trace ends" : "their traces end");
	if (r.have_child) {
		res->exit_status = spawn_exit_code(&r.child);
		if (r.events == 0 && !res->interrupted &&
		    (res->exit_status == 127 || res->exit_status == 126))
			warn_msg("nothing was traced: the shell could not %s the command (exit %d, "
				 "its message is above)%s", res->exit_status == 127 ? "find" : "run",
				 res->exit_status, geteuid() == 0 && !getenv("VIRTUAL_ENV") &&
				 getenv("SUDO_USER") ? "; under sudo, PATH and a virtualenv are "
				 "root's: give the full path, or use sudo -E" : "");
		else if (r.events == 0 && !res->interrupted)
			warn_msg("no python events: the command ran no python whose markers pytrace "
				 "could probe (pyenv and Docker pythons are built without --with-dtrace); "
				 "run an interpreter that has them (`pytrace list PYTHON` tells)");
	}
	*exit_code = EXIT_OK;
	return 0;
}

static int bpf_run(const struct trace_plan *plan, struct pipeline *p, struct run_result *res,
		   int *exit_code, char *err, size_t errlen)
{
	return bpf_start(plan, p, NULL, res, exit_code, err, errlen);
}

static int bpf_aggregate(const struct trace_plan *plan, const struct agg_sink *sink,
			 struct run_result *res, int *exit_code, char *err, size_t errlen)
{
	return bpf_start(plan, NULL, sink, res, exit_code, err, errlen);
}

const struct engine_ops engine_bpf = {
	.name = "bpf",
	.unavailable_hint = "`pytrace doctor` lists what each engine needs",
	.available = bpf_available,
	.checks = bpf_checks,
	.run = bpf_run,
	.aggregate = bpf_aggregate,
};
