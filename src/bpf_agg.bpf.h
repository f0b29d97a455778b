/* The bpf engine's aggregate mode (kernel side; included by
 * engine_bpf.bpf.c after its helpers; user side: bpf_agg.c).
 *
 * Instead of a record per event, each entry pushes a frame on its thread's
 * stack (function id, start, callees' time) and each return pops it and
 * adds the call to its function's sums: calls, total (only when no
 * activation of the same function is open below it on the thread:
 * recursion counts once), self (duration minus the callees that returned),
 * sum and max.  That is the user-space summary's arithmetic
 * (render_summary.c), done where the events happen.
 *
 * A function is its code object's name and file pointers in one process;
 * its strings are read once, when the key is new, and sent as one BEV_FN
 * record with the id.  Per event: a stack lookup, and for an entry the key
 * lookup; no string is read.
 *
 * Never silent: an entry deeper than AGG_DEPTH is counted (AGG_OVERFLOW,
 * with its return), and so is a function or thread that finds its map
 * full (AGG_MAP_FULL); returns with nothing open are AGG_ORPHANS (with
 * the returns of threads --pid/--tid leave out: see agg_stack_now). */
#ifndef PYTRACE_BPF_AGG_BPF_H
#define PYTRACE_BPF_AGG_BPF_H

const volatile bool aggregate = false;   /* set before load: this mode */
const volatile bool agg_select = false;  /* --pid/--tid given: agg_ids says who */

__u32 next_fn_id;                        /* ids handed out (some wasted by races) */
bool agg_match_returns;                  /* set by user space for a 3.15 python */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, AGG_MAX_FNS);
	__type(key, struct agg_fn_key);
	__type(value, __u32);
} fn_ids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, AGG_MAX_FNS);
	__type(key, __u32);
	__type(value, struct agg_stat);
} fn_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, AGG_MAX_THREADS);
	__type(key, __u32);
	__type(value, struct agg_stack);
} stacks SEC(".maps");

/* An empty stack to start a thread's from (too big for the BPF stack). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct agg_stack);
} empty_stack SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, AGG_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} agg_counts SEC(".maps");

/* --pid/--tid, as filter.h says: a thread is kept when its process is a
 * --pid or it is a --tid.  Key: the id; value: unused. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u8);
} agg_ids SEC(".maps");

static __always_inline bool agg_selected(__u64 pid_tgid)
{
	__u32 tgid = pid_tgid >> 32, tid = (__u32)pid_tgid;

	return !agg_select || bpf_map_lookup_elem(&agg_ids, &tgid) ||
	       bpf_map_lookup_elem(&agg_ids, &tid);
}

static __always_inline void agg_count(__u32 slot, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(&agg_counts, &slot);

	if (v)
		*v += n;
}

/* The thread's stack, a new (empty) one when it has none; NULL when the
 * map is full. */
static __always_inline struct agg_stack *agg_stack_of(__u32 tid, __u32 tgid)
{
	struct agg_stack *st = bpf_map_lookup_elem(&stacks, &tid);
	__u32 zero = 0;

	if (st)
		return st;
	st = bpf_map_lookup_elem(&empty_stack, &zero);
	if (!st)
		return NULL;
	if (bpf_map_update_elem(&stacks, &tid, st, BPF_NOEXIST) < 0)
		return NULL;   /* full (the thread itself cannot race us) */
	st = bpf_map_lookup_elem(&stacks, &tid);
	if (st)
		st->tgid = tgid;
	return st;
}

/* The thread's stack for a return or a generator's creation; NULL when it
 * has none.  --pid/--tid are asked at entries only (agg_selected, two
 * lookups): a thread left out never gets a stack, and a stack made for
 * this process was made for a selected thread (the selection is fixed
 * for the run).  A stack another process's thread left (its calls open,
 * its tid reused since) is this thread's only when it is selected too. */
static __always_inline struct agg_stack *agg_stack_now(__u64 pid_tgid)
{
	__u32 tid = (__u32)pid_tgid;
	struct agg_stack *st = bpf_map_lookup_elem(&stacks, &tid);

	if (st && agg_select && st->tgid != pid_tgid >> 32 && !agg_selected(pid_tgid))
		return NULL;
	return st;
}

/* The id of (tgid, func, file), a new one (and its BEV_FN record) when the
 * key is new; AGG_NO_FN when the maps are full. */
static __always_inline __u32 agg_fn(struct pt_regs *ctx, const struct bpf_site *site,
				    struct agg_stack *st, __u64 pid_tgid, long func, long file)
{
	struct agg_fn_key k = { .func = func, .file = file, .tgid = pid_tgid >> 32 };
	struct scratch *s;
	__u32 *idp = bpf_map_lookup_elem(&fn_ids, &k);
	__u32 id;
	long line = 0;

	if (idp)
		return *idp;
	id = __sync_fetch_and_add(&next_fn_id, 1);
	if (!bpf_map_lookup_elem(&fn_stats, &id))
		return AGG_NO_FN;   /* beyond the map */
	if (site->num_arg)
		line = site_arg(ctx, &site->arg[(site->num_arg - 1) & (BPF_SITE_ARGS - 1)]);
	if (bpf_map_update_elem(&fn_ids, &k, &id, BPF_NOEXIST) < 0) {
		/* Another CPU added it first (this id is wasted), or full. */
		idp = bpf_map_lookup_elem(&fn_ids, &k);
		return idp ? *idp : AGG_NO_FN;
	}
	st->last_new = id + 1;
	st->last_key = k;
	s = scratch_for(BEV_FN, pid_tgid);
	if (!s)
		return id;
	s->ev.num = (__s64)((__u64)id << 32 | (__u32)line);
	if (site->func_arg)
		s->ev.func_len = copy_user_str(s->data, BEV_FUNC_MAX, (const void *)func,
					       &s->ev.flags, EVF_FUNC_TRUNC, EVF_FUNC_NULL);
	if (site->file_arg)
		s->ev.file_len = copy_user_str(s->data + (s->ev.func_len & 511), BEV_FILE_MAX,
					       (const void *)file, &s->ev.flags, EVF_FILE_TRUNC,
					       EVF_FILE_NULL);
	submit(s, false);
	return id;
}

/* The id of the marker's function (its name and file pointers): from the
 * thread's cache, else from agg_fn. */
static __always_inline __u32 agg_id_of(struct pt_regs *ctx, const struct bpf_site *site,
				       struct agg_stack *st, __u64 pid_tgid)
{
	long func = 0, file = 0;
	struct agg_cached *c;
	__u32 id;

	if (site->func_arg)
		func = site_arg(ctx, &site->arg[(site->func_arg - 1) & (BPF_SITE_ARGS - 1)]);
	if (site->file_arg)
		file = site_arg(ctx, &site->arg[(site->file_arg - 1) & (BPF_SITE_ARGS - 1)]);
	c = &st->cache[((func >> 4) ^ (func >> 9) ^ (file >> 4)) & (AGG_CACHE - 1)];
	if (c->id1 && c->func == func && c->file == file)
		return c->id1 - 1;
	id = agg_fn(ctx, site, st, pid_tgid, func, file);
	if (id == AGG_NO_FN) {
		agg_count(AGG_MAP_FULL, 1);
		return id;
	}
	c->func = func;
	c->file = file;
	c->id1 = id + 1;
	return id;
}

/* Is no activation of id open in the d frames below?  Recursion: the
 * innermost activation below is usually the caller. */
static __always_inline __u32 agg_outermost(const struct agg_stack *st, __u32 d, __u32 id)
{
	if (!st->open_by_id[id & 255])
		return 1;
	for (int k = 1; k <= AGG_DEPTH; k++) {
		int i = (int)d - k;

		if (i < 0)
			break;
		if (st->f[i & (AGG_DEPTH - 1)].fn == id)
			return 0;
	}
	return 1;
}

/* Open a frame of id (AGG_PENDING: its function comes with its return)
 * on the thread's stack. */
static __always_inline void agg_push(struct agg_stack *st, __u32 id, __u32 outer)
{
	__u32 d = st->depth;
	struct agg_frame *fr = &st->f[d & (AGG_DEPTH - 1)];

	fr->start = bpf_ktime_get_ns();
	fr->child = 0;
	fr->fn = id;
	fr->outer = outer;
	st->open_by_id[id & 255]++;
	st->depth = d + 1;
	if (id < AGG_PENDING)
		st->events++;   /* not a thrown-into frame (no entry), nor map-full (counted) */
}

/* The thread's stack when a new frame fits on it; NULL (counted) when the
 * thread has no stack (map full) or is deeper than kept (the frame is
 * counted in depth, not kept). */
static __always_inline struct agg_stack *agg_room(__u64 pid_tgid)
{
	struct agg_stack *st = agg_stack_of((__u32)pid_tgid, pid_tgid >> 32);

	if (!st) {
		agg_count(AGG_MAP_FULL, 1);
		return NULL;
	}
	if (st->depth >= AGG_DEPTH) {
		st->depth++;
		st->overflow++;
		return NULL;
	}
	return st;
}

static __always_inline void agg_entry(struct pt_regs *ctx, const struct bpf_site *site,
				      __u64 pid_tgid)
{
	struct agg_stack *st = agg_room(pid_tgid);
	__u32 id;

	if (!st)
		return;
	id = agg_id_of(ctx, site, st, pid_tgid);
	agg_push(st, id, agg_outermost(st, st->depth, id));
}

/* Close frame d (the top) at now as a call of id (outermost or not);
 * false when id has no sums (map full: counted). */
static __always_inline bool agg_close(struct agg_stack *st, __u32 d, __u64 now, __u32 id,
				      __u32 outer)
{
	struct agg_frame *fr = &st->f[d & (AGG_DEPTH - 1)];
	__u64 dur = now > fr->start ? now - fr->start : 0;
	__u64 self = dur > fr->child ? dur - fr->child : 0;
	struct agg_stat *stat;

	if (d > 0)
		st->f[(d - 1) & (AGG_DEPTH - 1)].child += dur;
	st->open_by_id[fr->fn & 255]--;
	stat = bpf_map_lookup_elem(&fn_stats, &id);
	if (!stat) {
		agg_count(AGG_MAP_FULL, 1);
		return false;
	}
	/* This CPU's sums, no atomics: the program runs with migration
	 * disabled, and only a preempting thread of the same CPU running
	 * this very update could lose one (never seen in the tests). */
	stat->calls++;
	stat->sum += dur;
	stat->self += self;
	if (outer)
		stat->total += dur;
	if (dur > stat->max)
		stat->max = dur;
	return true;
}

/* The frame below d that rid is open in, -1 when none. */
static __always_inline int agg_find(const struct agg_stack *st, __u32 d, __u32 rid)
{
	for (int k = 1; k <= AGG_DEPTH; k++) {
		int i = (int)d - k;

		if (i < 0)
			break;
		if (st->f[i & (AGG_DEPTH - 1)].fn == rid)
			return i;
	}
	return -1;
}

static __always_inline void agg_return(struct pt_regs *ctx, const struct bpf_site *site,
				       __u64 pid_tgid)
{
	struct agg_stack *st = agg_stack_now(pid_tgid);
	__u32 d, id, rid, outer;
	__u64 now;
	int k;

	if (!st || st->depth == 0) {
		agg_count(AGG_ORPHANS, 1);
		return;
	}
	d = st->depth - 1;
	if (d >= AGG_DEPTH) {
		st->depth = d;
		st->overflow++;
		return;
	}
	now = bpf_ktime_get_ns();
	id = st->f[d & (AGG_DEPTH - 1)].fn;
	outer = st->f[d & (AGG_DEPTH - 1)].outer;
	if (id == AGG_PENDING) {
		/* 3.15, a frame thrown into: its return names it. */
		id = agg_id_of(ctx, site, st, pid_tgid);
		outer = agg_outermost(st, d, id);
	} else if (agg_match_returns) {
		/* 3.15: a return is matched to its call by function, as the
		 * pipeline does (pipeline_match_returns). */
		rid = agg_id_of(ctx, site, st, pid_tgid);
		if (rid != id && rid != AGG_NO_FN) {
			k = agg_find(st, d, rid);
			if (k < 0) {
				/* No call of it open: a call at this moment. */
				struct agg_stat *stat = bpf_map_lookup_elem(&fn_stats, &rid);

				if (stat) {
					stat->calls++;
					st->events++;
				}
				return;
			}
			/* The calls above it never returned: closed now. */
			for (int j = 0; j < AGG_DEPTH && (int)d > k; j++) {
				__u32 fn = st->f[d & (AGG_DEPTH - 1)].fn;

				if (fn == AGG_PENDING)
					st->open_by_id[fn & 255]--;
				else
					agg_close(st, d, now, fn, st->f[d & (AGG_DEPTH - 1)].outer);
				d--;
			}
			id = rid;
			outer = st->f[d & (AGG_DEPTH - 1)].outer;
		}
	}
	st->depth = d;
	if (agg_close(st, d, now, id, outer))
		st->events++;
}

/* CPython 3.15: _Py_MakeCoro right after a function__entry of this thread:
 * that entry was a generator's or coroutine's creation, not a call. */
static __always_inline void agg_creation(__u64 pid_tgid)
{
	struct agg_stack *st = agg_stack_now(pid_tgid);
	__u32 d, id;

	if (!st || st->depth == 0)
		return;
	d = st->depth - 1;
	st->depth = d;
	if (d >= AGG_DEPTH) {
		st->overflow--;   /* not an event after all */
		return;
	}
	id = st->f[d & (AGG_DEPTH - 1)].fn;
	st->open_by_id[id & 255]--;
	if (id < AGG_PENDING)
		st->events--;
	/* Named by this creation: its first call names it again, with that
	 * call's line (the user-space summary never sees the creation). */
	if (st->last_new == id + 1) {
		bpf_map_delete_elem(&fn_ids, &st->last_key);
		for (int i = 0; i < AGG_CACHE; i++)
			if (st->cache[i].id1 == id + 1)
				st->cache[i].id1 = 0;
		st->last_new = 0;
	}
}

/* CPython 3.15: a frame resumes with an exception thrown into it, and no
 * function__entry fires: its call starts here, named by its return. */
static __always_inline void agg_thrown(__u64 pid_tgid)
{
	struct agg_stack *st = agg_room(pid_tgid);

	if (st)
		agg_push(st, AGG_PENDING, 0);
}

/* A thread ended: its stack goes unless calls are open on it (they are
 * shown as never returned, as user space shows them, at the end). */
static __always_inline void agg_thread_exit(__u32 tid)
{
	struct agg_stack *st;

	if (!aggregate)
		return;
	st = bpf_map_lookup_elem(&stacks, &tid);
	if (!st || st->depth != 0)
		return;
	/* Its counts stay in the totals. */
	agg_count(AGG_EVENTS, st->events);
	agg_count(AGG_OVERFLOW, st->overflow);
	bpf_map_delete_elem(&stacks, &tid);
}

#endif
