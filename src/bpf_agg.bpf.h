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
 * full (AGG_MAP_FULL); returns with nothing open are AGG_ORPHANS. */
#ifndef PYTRACE_BPF_AGG_BPF_H
#define PYTRACE_BPF_AGG_BPF_H

const volatile bool aggregate = false;   /* set before load: this mode */

__u32 next_fn_id;                        /* ids handed out (some wasted by races) */

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

static __always_inline void agg_count(__u32 slot, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(&agg_counts, &slot);

	if (v)
		*v += n;
}

static __always_inline struct agg_stack *agg_stack_of(__u32 tid, __u32 tgid, bool create)
{
	struct agg_stack *st = bpf_map_lookup_elem(&stacks, &tid);
	__u32 zero = 0;

	if (st || !create)
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

/* The id of (tgid, func, file), a new one (and its BEV_FN record) when the
 * key is new; AGG_NO_FN when the maps are full. */
static __always_inline __u32 agg_fn(struct pt_regs *ctx, const struct bpf_site *site,
				    __u64 pid_tgid, long func, long file)
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

static __always_inline void agg_entry(struct pt_regs *ctx, const struct bpf_site *site,
				      __u64 pid_tgid)
{
	long func = 0, file = 0;
	struct agg_stack *st = agg_stack_of((__u32)pid_tgid, pid_tgid >> 32, true);
	struct agg_frame *fr;
	struct agg_cached *c;
	__u32 d, id, outer = 1;

	if (!st) {
		agg_count(AGG_MAP_FULL, 1);
		return;
	}
	d = st->depth;
	if (d >= AGG_DEPTH) {
		st->depth = d + 1;
		st->overflow++;
		return;
	}
	if (site->func_arg)
		func = site_arg(ctx, &site->arg[(site->func_arg - 1) & (BPF_SITE_ARGS - 1)]);
	if (site->file_arg)
		file = site_arg(ctx, &site->arg[(site->file_arg - 1) & (BPF_SITE_ARGS - 1)]);
	c = &st->cache[((func >> 4) ^ (func >> 9) ^ (file >> 4)) & (AGG_CACHE - 1)];
	if (c->id1 && c->func == func && c->file == file) {
		id = c->id1 - 1;
	} else {
		id = agg_fn(ctx, site, pid_tgid, func, file);
		if (id != AGG_NO_FN) {
			c->func = func;
			c->file = file;
			c->id1 = id + 1;
		}
	}
	if (id == AGG_NO_FN)
		agg_count(AGG_MAP_FULL, 1);
	/* Recursion, when a frame of an id like this one is open: the
	 * innermost activation below is usually the caller. */
	if (st->open_by_id[id & 255]) {
		for (int k = 1; k <= AGG_DEPTH; k++) {
			int i = (int)d - k;

			if (i < 0)
				break;
			if (st->f[i & (AGG_DEPTH - 1)].fn == id) {
				outer = 0;
				break;
			}
		}
	}
	fr = &st->f[d & (AGG_DEPTH - 1)];
	fr->start = bpf_ktime_get_ns();
	fr->child = 0;
	fr->fn = id;
	fr->outer = outer;
	st->open_by_id[id & 255]++;
	st->depth = d + 1;
	st->events++;
}

static __always_inline void agg_return(__u64 pid_tgid)
{
	struct agg_stack *st = agg_stack_of((__u32)pid_tgid, pid_tgid >> 32, false);
	__u64 now = bpf_ktime_get_ns(), dur, self;
	struct agg_frame *fr;
	struct agg_stat *stat;
	__u32 d, id;

	if (!st || st->depth == 0) {
		agg_count(AGG_ORPHANS, 1);
		return;
	}
	d = st->depth - 1;
	st->depth = d;
	if (d >= AGG_DEPTH) {
		st->overflow++;
		return;
	}
	fr = &st->f[d & (AGG_DEPTH - 1)];
	dur = now > fr->start ? now - fr->start : 0;
	self = dur > fr->child ? dur - fr->child : 0;
	if (d > 0)
		st->f[(d - 1) & (AGG_DEPTH - 1)].child += dur;
	id = fr->fn;
	st->open_by_id[id & 255]--;
	stat = bpf_map_lookup_elem(&fn_stats, &id);
	if (!stat) {
		agg_count(AGG_MAP_FULL, 1);
		return;
	}
	/* This CPU's sums: a thread runs on one CPU at a time. */
	stat->calls++;
	stat->sum += dur;
	stat->self += self;
	if (fr->outer)
		stat->total += dur;
	if (dur > stat->max)
		stat->max = dur;
	st->events++;
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
