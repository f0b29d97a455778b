/* The record the bpf engine's kernel side (engine_bpf.bpf.c) writes into its
 * ring buffer and the user side (engine_bpf.c) reads.  Shared by both, so
 * it uses only fixed-width types that exist in vmlinux.h and in libc.
 *
 * Two record layouts share their first 14 bytes (ts, tid, kind, flags):
 *  - struct bpf_code_event (flags has BEVF_CODE), 24 bytes: a call, return
 *    or line event, naming its code (function and file) by an id that a
 *    BEV_DEF record defined earlier in the ring.  The common case: the
 *    strings cross the ring once per code object and process, not per event.
 *  - struct bpf_event, variable-sized: the header, then func_len bytes of
 *    the first string, then file_len bytes of the second (no NUL).  Code
 *    definitions, the other marker kinds (gc, import, audit) and pytrace's
 *    own records (comm, exit, exec...). */
#ifndef PYTRACE_ENGINE_BPF_H
#define PYTRACE_ENGINE_BPF_H

#ifndef __VMLINUX_H__
#include <linux/types.h>   /* __u8 ... __s64, which vmlinux.h also has */
#endif

/* Slots of the per-CPU `lost` map. */
#define LOST_EVENTS 0    /* marker events */
#define LOST_META   1    /* comm, exit and exec records */
#define LOST_SLOTS  2

/* Bounds on copied strings; longer ones are cut and flagged (EVF_*_TRUNC). */
#define BEV_FUNC_MAX 256
#define BEV_FILE_MAX 512

/* Record kinds: the event kinds of event.h, plus engine-internal ones. */
#define BEV_EXEC 100     /* a traced process exec'd a python or a file not seen yet, and is
			  * stopped (SIGSTOP) until user space resolves it */
#define BEV_CORO 102     /* CPython 3.15: _Py_MakeCoro ran, so the thread's
			  * last call record was a generator's or coroutine's
			  * creation, not a call (bpf_call_hold.h) */
#define BEV_EXIT 101     /* a traced python process ended: num is its
			  * kernel exit code (status << 8, or the signal),
			  * the first string its name */
#define BEV_THROW 104    /* CPython 3.15: a frame resumes with an exception
			  * thrown into it (_PyEval_EvalFrameDefault with
			  * throwflag): no function__entry fires for it */
#define BEV_NEWIMAGE 105  /* a traced python process exec'd a file known not
			  * to be a python (no hold): its stacks end there */
#define BEV_FN 106       /* aggregate mode: a function key seen for the first
			  * time (bpf_agg.bpf.h): num is its id << 32 | the
			  * line of that entry (32 bits), pid its process,
			  * the strings its name and file */
#define BEV_DEF 107      /* a code id (num) of process pid is function STR1
			  * in file STR2 (flags: EVF_*_TRUNC, EVF_*_NULL);
			  * ids are unique in a trace, never reused */
#define BEV_THREAD_END 108  /* a thread (tid) of a traced python process (pid)
			      * ended, not its main thread: what user space
			      * kept for it can go */
#define BEV_QUIET 109    /* a process forked by a traced one and not followed
			  * (--no-follow) inherited its raised semaphores:
			  * user space lowers them (pid: the child) */
/* (next free record kind: 110) */
#define BEV_MAP  103     /* a traced process awaiting libpython mapped the
			  * writable data of a marker file (num: address);
			  * stopped (SIGSTOP) until its semaphores are up */

#define BEVF_CODE 0x80  /* in flags: the record is a struct bpf_code_event */

struct bpf_event {
	__u64 ts;            /* bpf_ktime_get_ns() */
	__u32 tid;
	__u8 kind;           /* enum ev_kind, or BEV_* */
	__u8 flags;          /* EVF_* of event.h */
	__u16 func_len;
	__s64 num;           /* line / gc generation / collected / found */
	__u32 pid;
	__u16 file_len;
	__u8 pad[2];
	/* followed by func_len bytes, then file_len bytes */
};

/* A call, return or line event of a code already defined (BEV_DEF): the
 * process is the definition's. */
struct bpf_code_event {
	__u64 ts;
	__u32 tid;
	__u8 kind;           /* EV_CALL, EV_RETURN, EV_LINE */
	__u8 flags;          /* BEVF_CODE */
	__u16 pad;
	__u32 id;            /* the code's definition */
	__s32 line;
};

/* Bytes of a record of either layout. */
static inline __u64 bpf_record_size(const struct bpf_event *rec)
{
	if (rec->flags & BEVF_CODE)
		return sizeof(struct bpf_code_event);
	return sizeof(*rec) + rec->func_len + rec->file_len;
}

/* Key and value of the code-id map: which (function, file) string
 * pointers of a process have an id, and the fingerprint of the strings
 * they pointed to when it was given (the hash of both strings, their
 * lengths and flags): a pointer freed and reused for another name no
 * longer matches and gets a new id. */
struct bpf_code_key {
	__u32 tgid;
	__u32 pad;
	__u64 func, file;    /* the marker's string arguments */
};

/* Per thread (key: tid), the frames entered and not returned yet, as
 * code ids: while a frame runs, its code object holds its name and file,
 * so a return with the pointers of the frame on top, or a call with those
 * (recursion), is that code: no need to read the strings again. */
#define CODE_FRAMES 32       /* kept per thread (a power of two) */
struct code_frame {
	__u64 func, file;
	__u32 id;            /* 0: its event was lost, no id */
	__u32 pad;
};

struct code_stack {
	__u32 tgid;
	__u32 n;             /* frames kept */
	__u32 over;          /* frames entered above them, not kept */
	__u32 pad;
	struct code_frame f[CODE_FRAMES];
};

struct bpf_code_val {
	__u64 fingerprint;
	__u32 id;
	__u32 pad;
};

/* Value of the traced-process map (key: tgid). */
struct bpf_proc {
	__u8 comm_sent;      /* EV_COMM already emitted for this process */
	__u8 is_python;      /* exec'd a known interpreter (for --no-follow) */
	__u8 raised;         /* user space raised semaphores in this image
			      * (copied at fork with the memory; an exec clears it) */
	__u8 held;           /* stopped by us (SIGSTOP) and not resumed yet */
	__u8 await_lib;      /* its libpython is yet to be mapped: stop then */
	__u8 quiet;          /* in the tree, but not traced (--no-follow) */
	__u8 pad[2];
};

/* One probed marker site: the event kind it produces and where its
 * arguments are (the USDT argument specs, resolved by user space; up to
 * BPF_SITE_ARGS of them are read).  The
 * uprobe's BPF cookie is the site's index in the `sites` map. */
#define BPF_MAX_SITES 256
#define BPF_SITE_ARGS 4      /* a power of two */
#define BARG_NONE  0
#define BARG_CONST 1         /* val */
#define BARG_REG   2         /* the register at reg_off in struct pt_regs */
#define BARG_MEM   3         /* memory at that register + val */
struct bpf_site_arg {
	__s64 val;
	__s16 reg_off;
	__u8 type;           /* BARG_* */
	__u8 size;           /* 1, 2, 4, 8 */
	__u8 is_signed;
	__u8 pad[3];
};

struct bpf_site {
	struct bpf_site_arg arg[BPF_SITE_ARGS];
	__u32 kind;          /* enum ev_kind */
	/* Which argument (1-based, 0: none) carries the function, the file and
	 * the number (markers.c's table): the kernel side has no per-kind
	 * knowledge. */
	__u8 func_arg, file_arg, num_arg;
	/* The interpreter fires a return for every entry, in order (CPython
	 * <= 3.10; 3.11 with the entry fix): a frame entered and not returned
	 * is alive, and with it its code's strings (code_frames). */
	__u8 paired;
};

/* Value of the marker-file map (key: struct bpf_file_key): the file offsets
 * of the semaphores pytrace raises in a traced process mapping the file.
 * Same layout as struct sema_set (sema.h); the watchdog reads it to lower
 * them if pytrace dies. */
#define BPF_SEMA_VALUE_SIZE 104

/* Key of the known-executables map: files already examined at exec. */
struct bpf_file_key {
	__u64 dev;           /* kernel dev_t: major << 20 | minor */
	__u64 ino;
};

/* Value of the known-executables map. */
#define BFILE_OTHER  1       /* not a traceable python: let it run */
#define BFILE_PYTHON 2       /* an attached interpreter */

/* ---- aggregate mode (bpf_agg.bpf.h; user side bpf_agg.c) ----
 * Per thread a stack of the calls open (their function id, start, and the
 * time of their returned callees); per function id the sums. */
#define AGG_DEPTH       128      /* frames kept per thread (a power of two) */
#define AGG_MAX_FNS     32768    /* function ids (fewer with many CPUs: bpf_agg.c) */
#define AGG_MAX_THREADS 2048     /* threads with a stack at once */
#define AGG_NO_FN       0xffffffffu  /* a frame whose function found the map full */
#define AGG_PENDING     0xfffffffeu  /* 3.15: a thrown-into frame, named at its return */

/* A function: its code object's name and file pointers, in one process.
 * The strings are read once, when the key is new (a BEV_FN record). */
struct agg_fn_key {
	__u64 func, file;
	__u32 tgid;
	__u32 pad;
};

/* Value of fn_stats (index: the id), per CPU: no atomics on the way. */
struct agg_stat {
	__u64 calls;         /* completed calls */
	__u64 total;         /* outermost activations on their thread only */
	__u64 self;          /* duration minus the returned callees' */
	__u64 sum;           /* every completed call's duration */
	__u64 max;
};

struct agg_frame {
	__u64 start;
	__u64 child;         /* durations of its callees that returned */
	__u32 fn;            /* id, AGG_NO_FN */
	__u32 outer;         /* no activation of fn below it on the stack */
};

/* A thread's recent functions: most calls are to a function called
 * before, found here without hashing the key (agg_fn). */
#define AGG_CACHE 16         /* a power of two */
struct agg_cached {
	__u64 func, file;
	__u32 id1;           /* id + 1; 0: empty */
	__u32 pad;
};

/* Value of stacks (key: tid). */
struct agg_stack {
	__u32 depth;         /* calls open; frames above AGG_DEPTH are not kept */
	__u32 tgid;
	__u64 events;        /* entries and returns aggregated on this thread */
	__u64 overflow;      /* of them deeper than AGG_DEPTH */
	__u32 last_new;      /* id + 1 of the last function this thread named */
	__u32 pad;
	struct agg_fn_key last_key;   /* and its key (3.15: a creation unnames it) */
	/* Open frames per function id & 255: 0 says no activation of the
	 * function is open below a new call without looking (recursion). */
	__u8 open_by_id[256];
	struct agg_cached cache[AGG_CACHE];
	struct agg_frame f[AGG_DEPTH];
};

/* Slots of the per-CPU agg_counts map. */
#define AGG_EVENTS   0   /* entries and returns aggregated (of the threads gone:
			  * a live thread counts in its stack) */
#define AGG_OVERFLOW 1   /* entries and returns deeper than AGG_DEPTH (ditto) */
#define AGG_MAP_FULL 2   /* events of a function or thread that found its map full */
#define AGG_ORPHANS  3   /* returns with no call open on their thread */
#define AGG_SLOTS    4

#endif
