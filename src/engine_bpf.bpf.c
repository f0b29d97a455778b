// SPDX-License-Identifier: GPL-2.0
/* Kernel side of the bpf engine.
 *
 * One USDT program serves every CPython marker: the attachment's cookie says
 * which event kind the marker produces (see bpf_attach.c).  Events go into one
 * ring buffer as variable-sized records (engine_bpf.h), built in a per-CPU
 * scratch buffer and copied out with only the bytes used.
 *
 * Speed comes from not waking the reader: records are submitted with
 * BPF_RB_NO_WAKEUP and user space drains the ring on a ~10 ms timer.  Only
 * when the ring passes a fill threshold (a burst) is the reader woken, so the
 * ring does not overflow while the reader sleeps.  And from small records: a
 * call, return or line names its code by an id (code_id), whose strings
 * crossed the ring once, in a definition record; the frame on top of the
 * thread's stack vouches for its own strings (code_stacks), other events
 * have theirs checked against the id's fingerprint.
 *
 * Which processes are traced is decided here, by the `procs` map keyed by
 * tgid: user space seeds it (the -p pid, or the -c child), and for -c the
 * fork/exit tracepoints keep it in step with the command's process tree.
 *
 * The marker probes of -c are planted for every process that maps the
 * interpreter file, but CPython guards each marker with its semaphore, and
 * user space raises the semaphores only in the memory of the processes it
 * traces: a bystander never reaches a probe.  So every traced process that
 * starts a python image is stopped (SIGSTOP) until user space has raised
 * them: at exec when the markers are in the executable (or the file is new
 * to us: user space examines it), and when it maps libpython's writable
 * data when they live in the library.  A fork copies the raised counters
 * with the rest of the memory: the child's first call is traced with no
 * stop at all. */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "engine_bpf.h"
/* event.h (the kinds and flags) includes <stdint.h>, which would drag in
 * the host's libc headers; vmlinux.h already has the fixed-width types. */
#define _STDINT_H 1
#include "event.h"

char LICENSE[] SEC("license") = "GPL";

#define SIGSTOP_NR 19
#define NR_MMAP    9          /* x86-64 */
#define VM_WRITE_F 0x2

/* Set by user space before load. */
const volatile __u64 wake_threshold = 1 << 20;  /* bytes pending that force a wake-up */
const volatile bool follow_children = true;     /* trace forks of a traced python */
/* The bench's floor (PYTRACE_FLOOR, not documented for users): the marker
 * probes and semaphores as for a trace, with an empty program body. */
const volatile bool floor_only = false;

/* The last code id given (code_id): ids are unique in a trace. */
__u32 last_code_id = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20);               /* resized by user space */
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct bpf_proc);
} procs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct bpf_file_key);
	__type(value, __u8);
} files SEC(".maps");

/* Marker files (executable or libpython) -> their semaphores' offsets. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct bpf_file_key);
	__uint(value_size, BPF_SEMA_VALUE_SIZE);
} marker_files SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BPF_MAX_SITES);
	__type(key, __u32);
	__type(value, struct bpf_site);
} sites SEC(".maps");

/* Code ids (code_id): (process, function pointer, file pointer) -> the id
 * its strings were defined under, and their fingerprint.  LRU: an evicted
 * code is defined again under a new id when it runs next.  Entries of a
 * process that exited or exec'd stay until evicted, harmlessly: an id
 * names its process and strings, and code_id hands one out only for the
 * same tgid and strings of the same fingerprint (an old image's, a reused
 * pid's), which is what a new definition would say.  Deleting them cost a
 * walk of the whole map at every exit and exec (~0.85 ms each). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct bpf_code_key);
	__type(value, struct bpf_code_val);
} codes SEC(".maps");

/* Each thread's frames (struct code_stack), and an empty one to start a
 * thread's from (too big for the BPF stack). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct code_stack);
} code_stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct code_stack);
} empty_code_stack SEC(".maps");

/* Room for a header plus both strings at their worst-case offsets; the
 * masks below keep every offset provably inside it for the verifier. */
#define SCRATCH_DATA 2048
struct scratch {
	struct bpf_event ev;
	char data[SCRATCH_DATA];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch SEC(".maps");

/* Records the full ring turned away, per CPU: slot LOST_EVENTS counts
 * marker events (what the user's trace misses), slot LOST_META pytrace's
 * own records (process names, exits, execs), reported apart so that
 * received + lost adds up to the events the target fired. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LOST_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

static __always_inline void count_lost(__u8 kind)
{
	__u32 slot = kind < EV_COMM ? LOST_EVENTS : LOST_META;
	__u64 *n = bpf_map_lookup_elem(&lost, &slot);

	if (n)
		*n += 1;
}

/* Put one record of size bytes into the ring; false when it is full (the
 * caller counts what was lost). */
static __always_inline bool ring_put(void *rec, __u64 size, bool force_wake)
{
	/* Wake the reader when this record takes the ring past the threshold,
	 * not for every record above it: a reader that is busy draining gains
	 * nothing from more wake-ups, and each one costs the traced thread. */
	if (!force_wake) {
		__u64 pending = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);

		force_wake = pending < wake_threshold && pending + size >= wake_threshold;
	}
	return bpf_ringbuf_output(&events, rec, size,
				  force_wake ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP) == 0;
}

/* Bytes used in the scratch buffer (bounded for the verifier; real sizes
 * are <= ~800). */
static __always_inline __u64 scratch_size(const struct scratch *s)
{
	return (sizeof(struct bpf_event) + s->ev.func_len + s->ev.file_len) & 2047;
}

/* Copy one record out of the scratch buffer; only the bytes used.  A full
 * ring counts the record as lost and returns false. */
static __always_inline bool submit(struct scratch *s, bool force_wake)
{
	__u64 size = scratch_size(s);

	if (size < sizeof(struct bpf_event))
		return false;
	if (!ring_put(s, size, force_wake)) {
		count_lost(s->ev.kind);
		return false;
	}
	return true;
}

/* Copy a user string of at most max bytes to dst (which has max + 2 bytes of
 * room).  Reading one byte more than kept tells a cut string from one that
 * fits exactly.  NULL and unreadable pointers never fault: they are flagged. */
static __always_inline __u16 copy_user_str(char *dst, __u32 max, const void *src,
					   __u8 *flags, __u8 trunc_flag, __u8 null_flag)
{
	long n;

	if (!src) {
		*flags |= null_flag;
		return 0;
	}
	n = bpf_probe_read_user_str(dst, max + 2, src);
	if (n <= 0) {
		/* Unreadable (e.g. not paged in): shown as an empty, cut string. */
		*flags |= trunc_flag;
		return 0;
	}
	n -= 1;  /* the NUL */
	if (n > max) {
		*flags |= trunc_flag;
		n = max;
	}
	return n;
}

/* A fingerprint of n bytes at data (8-byte aligned) and a seed: each word
 * goes through a bijective mix, so two strings of equal seed that differ
 * in one word always differ here; more differences collide with
 * probability 2^-64. */
static __always_inline __u64 fingerprint(const char *data, __u32 n, __u64 seed)
{
	__u64 h = seed * 0x9e3779b97f4a7c15ull;

	for (__u32 i = 0; i < (BEV_FUNC_MAX + BEV_FILE_MAX) / 8 + 1; i++) {
		__u32 at = i * 8;
		__u64 w;

		if (at >= n)
			break;
		w = *(const __u64 *)(data + at);
		if (n - at < 8)
			w &= (1ull << ((n - at) * 8)) - 1;
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	return h;
}

/* The id of the code whose marker passed the strings at func and file (a
 * site's function and file arguments), in the process of s (scratch_for).
 * The strings are read on every call, but cross the ring only when the
 * (process, func, file) pointers are new, or point to other strings than
 * when their id was given (a code object freed and its memory reused):
 * then a BEV_DEF record defines a new id, before any record using it.
 * Returns 0 when the ring had no room for the definition (the caller
 * counts its event lost).  Leaves s->data holding both strings
 * (s->ev.func_len, file_len, flags), usable by the caller. */
static __always_inline __u32 code_id(struct scratch *s, __u64 func, __u64 file)
{
	struct bpf_code_key key = { .tgid = s->ev.pid, .func = func, .file = file };
	struct bpf_code_val v = {}, *known;
	__u64 seed;
	__u32 off;

	s->ev.kind = BEV_DEF;
	s->ev.flags = 0;
	s->ev.func_len = copy_user_str(s->data, BEV_FUNC_MAX, (const void *)func,
				       &s->ev.flags, EVF_FUNC_TRUNC, EVF_FUNC_NULL);
	off = s->ev.func_len & 511;
	s->ev.file_len = copy_user_str(s->data + off, BEV_FILE_MAX, (const void *)file,
				       &s->ev.flags, EVF_FILE_TRUNC, EVF_FILE_NULL);
	seed = s->ev.func_len | (__u64)s->ev.file_len << 16 | (__u64)s->ev.flags << 32;
	v.fingerprint = fingerprint(s->data, (s->ev.func_len + s->ev.file_len) & 1023, seed);
	known = bpf_map_lookup_elem(&codes, &key);
	if (known && known->fingerprint == v.fingerprint)
		return known->id;
	/* Defined before the map says so: a thread that finds the id in the
	 * map puts its record behind the definition. */
	v.id = __sync_fetch_and_add(&last_code_id, 1) + 1;
	s->ev.num = v.id;
	if (!ring_put(s, scratch_size(s), false))
		return 0;
	bpf_map_update_elem(&codes, &key, &v, BPF_ANY);
	return v.id;
}

/* The thread's frames (engine_bpf.h, struct code_stack): empty when new,
 * or when the tid was another process's.  NULL when the map refuses. */
static __always_inline struct code_stack *code_stack_of(__u32 tid, __u32 tgid)
{
	struct code_stack *st = bpf_map_lookup_elem(&code_stacks, &tid);
	__u32 zero = 0;

	if (!st) {
		st = bpf_map_lookup_elem(&empty_code_stack, &zero);
		if (!st || bpf_map_update_elem(&code_stacks, &tid, st, BPF_NOEXIST) < 0)
			return NULL;
		st = bpf_map_lookup_elem(&code_stacks, &tid);
		if (!st)
			return NULL;
	}
	if (st->tgid != tgid) {
		st->tgid = tgid;
		st->n = 0;
		st->over = 0;
	}
	return st;
}

/* The id the thread's frames already give an event of (func, file): the
 * frame on top is alive (entered, not returned), so its code and strings
 * are.  A return or line of that frame, or a call from it to the same code
 * (recursion).  0: none, the strings must be checked (code_id). */
static __always_inline __u32 frames_id(const struct code_stack *st, __u32 kind, __u64 func,
				       __u64 file)
{
	const struct code_frame *top;
	__u32 n = st->n;

	if (n == 0 || n > CODE_FRAMES)
		return 0;
	top = &st->f[(n - 1) & (CODE_FRAMES - 1)];
	if (top->func != func || top->file != file)
		return 0;
	/* A return or line above the frames kept is another frame's. */
	if (kind != EV_CALL && st->over)
		return 0;
	return top->id;
}

/* The thread's frames after the event: a call pushes, a return pops.  A
 * return that is not the top frame's (frames entered before the trace)
 * empties the stack: frames are only ever trusted while in step. */
static __always_inline void frames_step(struct code_stack *st, __u32 kind, __u64 func,
					__u64 file, __u32 id)
{
	struct code_frame *f;
	__u32 n = st->n;

	if (kind == EV_CALL) {
		if (st->over || n >= CODE_FRAMES) {
			st->over++;
			return;
		}
		f = &st->f[n & (CODE_FRAMES - 1)];
		f->func = func;
		f->file = file;
		f->id = id;
		st->n = n + 1;
	} else if (kind == EV_RETURN) {
		if (st->over) {
			st->over--;
			return;
		}
		f = &st->f[(n - 1) & (CODE_FRAMES - 1)];
		st->n = n && n <= CODE_FRAMES && f->func == func && f->file == file ? n - 1 : 0;
	}
}

/* A thread ended or replaced its image: its frames go. */
static __always_inline void forget_frames(__u32 tid)
{
	bpf_map_delete_elem(&code_stacks, &tid);
}

static __always_inline struct scratch *scratch_for(__u32 kind, __u64 pid_tgid)
{
	__u32 zero = 0;
	struct scratch *s = bpf_map_lookup_elem(&scratch, &zero);

	if (!s)
		return NULL;
	s->ev.ts = bpf_ktime_get_ns();
	s->ev.pid = pid_tgid >> 32;
	s->ev.tid = (__u32)pid_tgid;
	s->ev.kind = kind;
	s->ev.flags = 0;
	s->ev.num = 0;
	s->ev.func_len = 0;
	s->ev.file_len = 0;
	return s;
}

/* One EV_COMM per process, before its first marker event. */
static __always_inline void emit_comm(__u64 pid_tgid)
{
	struct scratch *s = scratch_for(EV_COMM, pid_tgid);
	char comm[16];
	__u16 n = 0;

	if (!s)
		return;
	bpf_get_current_comm(comm, sizeof(comm));
	for (int i = 0; i < 16; i++) {
		if (!comm[i])
			break;
		s->data[i] = comm[i];
		n++;
	}
	s->ev.func_len = n;
	submit(s, false);
}

/* The register at byte offset off of struct pt_regs (x86-64: 21 registers
 * of 8 bytes, the layout of user_regs_struct that bpf_attach.c's offsets
 * come from).  Constant-offset context reads, no helper call: the verifier
 * allows no variable offset into the context. */
static __always_inline unsigned long reg_at(struct pt_regs *ctx, int off)
{
	switch (off) {
	case 0:   return ctx->r15;
	case 8:   return ctx->r14;
	case 16:  return ctx->r13;
	case 24:  return ctx->r12;
	case 32:  return ctx->bp;
	case 40:  return ctx->bx;
	case 48:  return ctx->r11;
	case 56:  return ctx->r10;
	case 64:  return ctx->r9;
	case 72:  return ctx->r8;
	case 80:  return ctx->ax;
	case 88:  return ctx->cx;
	case 96:  return ctx->dx;
	case 104: return ctx->si;
	case 112: return ctx->di;
	case 120: return ctx->orig_ax;
	case 128: return ctx->ip;
	case 136: return ctx->cs;
	case 144: return ctx->flags;
	case 152: return ctx->sp;
	case 160: return ctx->ss;
	default:  return 0;
	}
}

/* A marker argument, as the site's spec says (libbpf's bpf_usdt_arg does
 * the same for its own specs). */
static __always_inline long site_arg(struct pt_regs *ctx, const struct bpf_site_arg *a)
{
	unsigned long v = 0;
	int shift;

	switch (a->type) {
	case BARG_CONST:
		return a->val;
	case BARG_REG:
		v = reg_at(ctx, a->reg_off);
		break;
	case BARG_MEM:
		v = reg_at(ctx, a->reg_off);
		if (bpf_probe_read_user(&v, sizeof(v), (void *)(v + a->val)) < 0)
			return 0;
		break;
	default:
		return 0;
	}
	shift = 64 - 8 * (a->size & 15);
	if (shift > 0 && shift < 64) {
		if (a->is_signed)
			v = (unsigned long)(((long)(v << shift)) >> shift);
		else
			v = (v << shift) >> shift;
	}
	return (long)v;
}

#include "bpf_agg.bpf.h"

SEC("uprobe")
int on_marker(struct pt_regs *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	struct bpf_proc *proc = bpf_map_lookup_elem(&procs, &tgid);
	/* The cookie is the site's index in `sites`: its kind, which note
	 * argument carries the function, the file and the number, and where
	 * each argument is. */
	__u32 id = (__u32)bpf_get_attach_cookie(ctx);
	long num = 0, func = 0, file = 0;
	struct bpf_site *site;
	struct scratch *s;
	__u32 kind, off;

	if (floor_only)
		return 0;
	if (!proc || proc->quiet)
		return 0;
	site = bpf_map_lookup_elem(&sites, &id);
	if (!site)
		return 0;
	kind = site->kind;
	if (kind >= EV_COMM)
		return 0;
	if (!proc->comm_sent) {
		proc->comm_sent = 1;
		emit_comm(pid_tgid);
	}
	if (aggregate) {
		/* --pid/--tid: asked at entries, a return follows its entry's
		 * answer (agg_stack_now). */
		if (kind == EV_CALL && agg_selected(pid_tgid))
			agg_entry(ctx, site, pid_tgid);
		else if (kind == EV_RETURN)
			agg_return(ctx, site, pid_tgid);
		return 0;
	}
	s = scratch_for(kind, pid_tgid);
	if (!s)
		return 0;

	if (site->num_arg)
		num = site_arg(ctx, &site->arg[(site->num_arg - 1) & (BPF_SITE_ARGS - 1)]);
	/* Calls, returns and lines: a small record naming the code by id. */
	if (site->func_arg && site->file_arg) {
		struct bpf_code_event ce = { .ts = s->ev.ts, .tid = s->ev.tid, .kind = kind,
					     .flags = BEVF_CODE, .line = num };
		struct code_stack *st = NULL;

		func = site_arg(ctx, &site->arg[(site->func_arg - 1) & (BPF_SITE_ARGS - 1)]);
		file = site_arg(ctx, &site->arg[(site->file_arg - 1) & (BPF_SITE_ARGS - 1)]);
		if (site->paired)
			st = code_stack_of(ce.tid, tgid);
		if (st)
			ce.id = frames_id(st, kind, func, file);
		if (!ce.id)
			ce.id = code_id(s, func, file);
		if (st)
			frames_step(st, kind, func, file, ce.id);
		if (!ce.id || !ring_put(&ce, sizeof(ce), false))
			count_lost(kind);
		return 0;
	}
	s->ev.num = num;
	if (site->func_arg) {
		func = site_arg(ctx, &site->arg[(site->func_arg - 1) & (BPF_SITE_ARGS - 1)]);
		s->ev.func_len = copy_user_str(s->data, BEV_FUNC_MAX, (const void *)func,
					       &s->ev.flags, EVF_FUNC_TRUNC, EVF_FUNC_NULL);
	}
	if (site->file_arg) {
		file = site_arg(ctx, &site->arg[(site->file_arg - 1) & (BPF_SITE_ARGS - 1)]);
		off = s->ev.func_len & 511;
		s->ev.file_len = copy_user_str(s->data + off, BEV_FILE_MAX, (const void *)file,
					       &s->ev.flags, EVF_FILE_TRUNC, EVF_FILE_NULL);
	}
	submit(s, false);
	return 0;
}

/* CPython 3.15: a generator or coroutine is being created (_Py_MakeCoro);
 * user space drops the thread's function__entry that came just before. */
SEC("uprobe")
int on_coro(struct pt_regs *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	struct scratch *s;

	if (!bpf_map_lookup_elem(&procs, &tgid))
		return 0;
	if (aggregate) {
		agg_creation(pid_tgid);   /* of an entry's stack: agg_stack_now */
		return 0;
	}
	s = scratch_for(BEV_CORO, pid_tgid);
	if (s)
		submit(s, false);
	return 0;
}

/* CPython 3.15: _PyEval_EvalFrameDefault(tstate, frame, throwflag): with
 * throwflag set, a suspended generator or coroutine resumes to raise an
 * exception thrown into it (throw(), close()), and function__entry does not
 * fire; user space shows its call from here. */
SEC("uprobe")
int on_evalframe(struct pt_regs *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	struct scratch *s;

	if (!PT_REGS_PARM3(ctx) || !bpf_map_lookup_elem(&procs, &tgid))
		return 0;
	if (aggregate) {
		if (agg_selected(pid_tgid))
			agg_thrown(pid_tgid);
		return 0;
	}
	s = scratch_for(BEV_THROW, pid_tgid);
	if (s)
		submit(s, false);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = parent->tgid, ctgid = child->tgid;
	struct bpf_proc *proc, v = {};

	if (ptgid == ctgid)
		return 0;   /* a new thread: the process is already in the map */
	proc = bpf_map_lookup_elem(&procs, &ptgid);
	if (!proc)
		return 0;
	/* Not followed: kept in the tree (signals, lowering the semaphores it
	 * inherited) but quiet, and so are its own children. */
	v.quiet = proc->quiet || (proc->is_python && !follow_children);
	v.is_python = proc->is_python;
	v.raised = proc->raised;   /* the counters came with the memory */
	bpf_map_update_elem(&procs, &ctgid, &v, BPF_ANY);
	/* A quiet child would trap at every marker for nothing: user space
	 * lowers what it inherited. */
	if (v.quiet && v.raised) {
		struct scratch *s = scratch_for(BEV_QUIET, ((__u64)ctgid << 32) | ctgid);

		if (s)
			submit(s, false);
	}
	return 0;
}

/* A thread of a traced python ended (user space frees its stacks: a
 * program that starts and joins 40,000 threads must not keep 40,000). */
static __always_inline void thread_end(__u32 tgid)
{
	struct bpf_proc *proc = bpf_map_lookup_elem(&procs, &tgid);
	struct scratch *s;

	if (!proc || !proc->is_python || proc->quiet)
		return;
	s = scratch_for(BEV_THREAD_END, bpf_get_current_pid_tgid());
	if (s)
		submit(s, false);
}

/* A traced python that ends is reported (how, so user space can say it was
 * killed); then it leaves the map.  Attached for -p too. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(on_exit, struct task_struct *p)
{
	__u32 tgid = p->tgid;
	struct bpf_proc *proc;
	struct scratch *s;

	/* Every task on the host passes here: only the mode's own map. */
	if (aggregate)
		agg_thread_exit(p->pid);
	else
		forget_frames(p->pid);
	if (p->pid != p->tgid) {
		thread_end(tgid);
		return 0;
	}
	proc = bpf_map_lookup_elem(&procs, &tgid);
	if (!proc)
		return 0;
	if (proc->is_python && !proc->quiet) {
		s = scratch_for(BEV_EXIT, bpf_get_current_pid_tgid());
		if (s) {
			s->ev.num = p->exit_code;
			for (int i = 0; i < 16; i++) {
				if (!p->comm[i])
					break;
				s->data[i] = p->comm[i];
				s->ev.func_len++;
			}
			submit(s, false);
		}
	}
	bpf_map_delete_elem(&procs, &tgid);
	return 0;
}

/* Stop the current process until user space resumes it.  The record's
 * room is reserved first (a full ring: no stop, nobody would resume it),
 * the SIGSTOP is pending before the record is published, and only then
 * can user space see it: its SIGCONT always comes after the stop (a
 * SIGSTOP sent after the SIGCONT would stop the process for good). */
static __always_inline void hold(struct bpf_proc *proc, __u8 kind, __s64 num)
{
	struct bpf_event *ev = bpf_ringbuf_reserve(&events, sizeof(*ev), 0);

	if (!ev) {
		count_lost(kind);
		return;
	}
	__builtin_memset(ev, 0, sizeof(*ev));
	ev->ts = bpf_ktime_get_ns();
	ev->pid = bpf_get_current_pid_tgid() >> 32;
	ev->tid = (__u32)bpf_get_current_pid_tgid();
	ev->kind = kind;
	ev->num = num;
	proc->held = 1;
	bpf_send_signal(SIGSTOP_NR);
	bpf_ringbuf_submit(ev, BPF_RB_FORCE_WAKEUP);
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 tgid = p->tgid;
	struct bpf_proc *proc = bpf_map_lookup_elem(&procs, &tgid);
	struct bpf_file_key key = {};
	struct inode *inode;
	__u8 *known;

	if (!proc)
		return 0;
	forget_frames(p->pid);
	forget_frames(old_pid);
	proc->comm_sent = 0;   /* the process has a new name now */
	proc->raised = 0;      /* and a new image, with its counters at 0 */
	proc->await_lib = 0;
	if (proc->quiet)
		return 0;
	inode = bprm->file->f_inode;
	key.dev = inode->i_sb->s_dev;
	key.ino = inode->i_ino;
	known = bpf_map_lookup_elem(&files, &key);
	if (known && *known == BFILE_OTHER) {
		/* The python image is gone: tell user space, its stacks end. */
		if (proc->is_python) {
			struct scratch *s = scratch_for(BEV_NEWIMAGE, bpf_get_current_pid_tgid());

			if (s)
				submit(s, false);
		}
		proc->is_python = 0;
		return 0;
	}
	/* A python (its semaphores go up now, or when libpython is mapped),
	 * or a file user space has not seen: hold the process before its
	 * first instruction. */
	hold(proc, BEV_EXEC, (__s64)key.ino);
	return 0;
}

struct vma_match {
	bool found;
};

static long match_marker_vma(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	struct vma_match *m = data;
	struct bpf_file_key key = {};
	struct file *f = vma->vm_file;

	if (!f || !(vma->vm_flags & VM_WRITE_F))
		return 0;
	key.dev = f->f_inode->i_sb->s_dev;
	key.ino = f->f_inode->i_ino;
	m->found = bpf_map_lookup_elem(&marker_files, &key) != NULL;
	return 0;
}

/* Attached only while some traced python keeps its markers in a library:
 * ld.so maps libpython after exec, so the semaphores can go up only then. */
SEC("tp_btf/sys_exit")
int BPF_PROG(on_sys_exit, struct pt_regs *regs, long ret)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct bpf_proc *proc = bpf_map_lookup_elem(&procs, &tgid);
	struct vma_match m = { false };

	if (!proc || !proc->await_lib || regs->orig_ax != NR_MMAP || (ret < 0 && ret > -4096))
		return 0;
	bpf_find_vma(bpf_get_current_task_btf(), (__u64)ret, match_marker_vma, &m, 0);
	if (!m.found)
		return 0;
	proc->await_lib = 0;
	hold(proc, BEV_MAP, ret);
	return 0;
}
