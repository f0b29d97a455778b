/* The stap engine: generate a SystemTap script from the plan (stapgen.c),
 * run `stap` on it, and parse what the script prints (the raw format) into
 * the pipeline.
 *
 * How it runs:
 *  - Everything stap needs lives in a private directory (mkdtemp, 0700,
 *    removed afterwards): the script and a FIFO the module's output is
 *    written to (`stap -o FIFO`).
 *  - -c: pytrace runs the command itself, as the bpf engine does (spawn.h:
 *    forked first and held), and gives stap its pid (`stap -x PID`; the
 *    script follows its descendants through the target_set tapset).  The
 *    command is released when the script's RAW_READY line arrives: stap's
 *    process tracking has reached it (the header, from `probe begin`,
 *    comes before stap registers its other probes: too early).  So the
 *    command's life is supervise.h's, the same for both engines: its
 *    status is pytrace's, signals reach it as from a shell, --duration
 *    stops stap and lets it run on.  (With `stap -c`, stap owned the
 *    command: stopping stap ended it, and its status had to be fished out
 *    through a wrapper script.)  With -u it runs as that user, as under
 *    bpf (spawn.h switches ids, groups, HOME, USER, LOGNAME).
 *  - stap runs in a process group of its own, so a terminal's Ctrl-C does
 *    not cut the trace while the command ends; pytrace stops it when
 *    supervise.h says so, and it gets SIGTERM if pytrace dies
 *    (PR_SET_PDEATHSIG).  Its stdin is /dev/null, its stdout and stderr
 *    are a pipe pytrace reads.
 *  - -p: `stap -x PID`; the script exits when PID ends.
 *  - stap runs with -v so its "Pass N:" lines say whether it compiles (a
 *    cache miss, seconds) or reuses its cache; pytrace says "compiling" once
 *    and swallows the pass lines.  -DSTP_NO_OVERLOAD keeps stap from
 *    aborting a busy trace as "probe overhead exceeded", -DMAXSKIPPED
 *    turns "too many skipped probes" from an abort into a count,
 *    -DMAXSTRINGLEN=1024 keeps long file paths whole, and -s sets the
 *    transport buffer from --buffer-size (MiB, rounded up).
 *  - Lost events come from stap's own end-of-run warnings on stderr:
 *    "Number of errors: N, skipped probes: M" (M events lost), and from
 *    the script's own count of the lines it emitted, which ends the stream,
 *    against the lines that arrived (account_losses(); stap's "There were
 *    N transport failures" is the lower bound when that count is lost too,
 *    and the trace is then marked incomplete).  Counted with
 *    pipeline_lost(), not printed.
 *    Other stap messages pass through with a "pytrace: stap: " prefix; any
 *    other stderr line is the traced command's own and passes unchanged.
 *  - Stopping (Ctrl-C, --duration, closed output; supervise.h decides):
 *    SIGINT to stap, which runs the script's end, flushes, and exits;
 *    pytrace keeps reading the stream to its end so nothing stap already
 *    produced is lost.  SIGTERM and SIGKILL follow on supervise.h's clock
 *    (stapio takes a second signal as the same request; a third aborts).
 *  - The stream itself (reading the FIFO, putting the per-CPU buffers back
 *    in time order) is stap_stream.c. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "engine.h"
#include "exitcodes.h"
#include "log.h"
#include "probe_checks.h"
#include "proc_stat.h"
#include "proc_tree.h"
#include "raw.h"
#include "signals.h"
#include "spawn.h"
#include "stap_agg_stream.h"
#include "stap_stream.h"
#include "stapgen.h"
#include "supervise.h"
#include "xmalloc.h"

#define POLL_MS         50    /* also the output's tick (pipeline_tick) */
#define READY_WAIT_NS   (10ull * 1000000000ull)   /* -c: the ready line, at most */

/* --- the private directory --- */

struct workdir {
	char *dir, *script, *fifo;
};

/* stap -c parses its argument with wordexp(3): the directory must hold
 * nothing it would expand or split. */
static bool wordexp_safe(const char *s)
{
	for (; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-", *s))
			return false;
	return true;
}

static int workdir_make(struct workdir *w, char *err, size_t errlen)
{
	const char *tmp = getenv("TMPDIR");
	char *tmpl;

	memset(w, 0, sizeof(*w));
	if (!tmp || !*tmp || tmp[0] != '/' || !wordexp_safe(tmp))
		tmp = "/tmp";
	tmpl = xasprintf("%s/pytrace-stap.XXXXXX", tmp);
	if (!mkdtemp(tmpl)) {
		err_set(err, errlen, "cannot create a directory in %s for stap: %s", tmp, strerror(errno));
		free(tmpl);
		return -1;
	}
	w->dir = tmpl;
	w->script = xasprintf("%s/trace.stp", w->dir);
	w->fifo = xasprintf("%s/stream", w->dir);
	return 0;
}

static void workdir_remove(struct workdir *w)
{
	if (!w->dir)
		return;
	unlink(w->script);
	unlink(w->fifo);
	rmdir(w->dir);
	free(w->dir);
	free(w->script);
	free(w->fifo);
	memset(w, 0, sizeof(*w));
}

static int write_file(const char *path, const char *text, char *err, size_t errlen)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return err_set(err, errlen, "cannot create %s: %s", path, strerror(errno));
	if (fputs(text, f) == EOF) {
		fclose(f);
		return err_set(err, errlen, "cannot write %s: %s", path, strerror(errno));
	}
	if (fclose(f) != 0)
		return err_set(err, errlen, "cannot write %s: %s", path, strerror(errno));
	return 0;
}

/* --- stap's stderr --- */

struct stap_run {
	const struct trace_plan *plan;
	struct pipeline *p;           /* run: the events go there */
	const struct agg_sink *sink;  /* aggregate: tables go there (p is NULL) */
	pid_t pid;                    /* stap */
	struct spawn child;           /* -c: the command */
	bool have_child, released;
	bool asked;                   /* stap was asked to stop (SIGINT) */
	bool told_no_ready;
	bool gone_early;              /* -p: the target ended before stap ran */
	uint64_t gone_at;             /* -p: when the target was first seen gone */
	struct proc_tree tree;        /* -c: the command's processes */
	struct supervisor sup;
	int out_fd, err_fd;
	bool err_eof;
	struct stap_stream stream;
	struct stap_agg_stream agg;
	/* stderr */
	char *ebuf;
	size_t ecap, efill;
	bool said_compiling;
	bool task_work_api;      /* stap 4.8 vs a 6.1.192+ kernel (probe_checks.h) */
	unsigned long long transport_failures;
	char last_error[256];
};

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void stap_stderr_line(struct stap_run *r, char *line)
{
	unsigned long long a, b;

	/* gcc's words for STAP_TASK_WORK_WHAT, seen in pass 4 */
	if (strstr(line, "kallsyms_task_work_cancel") && strstr(line, "incompatible"))
		r->task_work_api = true;
	if (starts_with(line, "Pass ")) {
		/* "Pass 3: translated to C ..." only on a cache miss; a hit says
		 * "Pass 3: using cached ...". */
		if (starts_with(line, "Pass 3: translated") && !r->said_compiling) {
			info_msg("stap: compiling the probe module (the first run takes a while; "
				 "later runs reuse stap's cache)");
			r->said_compiling = true;
		}
		return;
	}
	if (sscanf(line, "WARNING: Number of errors: %llu, skipped probes: %llu", &a, &b) == 2) {
		if (b && r->p)
			pipeline_lost(r->p, b);
		else if (b)
			warn_msg("stap skipped %llu probe hits: the table misses them", b);
		if (a)
			warn_msg("stap: %llu error%s in the probes (events may be missing)",
				 a, a == 1 ? "" : "s");
		return;
	}
	if (sscanf(line, "WARNING: There were %llu transport failures", &a) == 1) {
		r->transport_failures = a;   /* account_losses() decides */
		return;
	}
	if (starts_with(line, "WARNING: Skipped due to"))
		return;   /* details of the skipped count above (stap -t) */
	if (starts_with(line, "WARNING:") || starts_with(line, "ERROR:") ||
	    strstr(line, "semantic error:") == line || strstr(line, "parse error:") == line ||
	    starts_with(line, "Tip:") || starts_with(line, "Missing separate debuginfos")) {
		if (starts_with(line, "ERROR:") || strstr(line, "error:"))
			snprintf(r->last_error, sizeof(r->last_error), "%s", line);
		fprintf(stderr, "pytrace: stap: %s\n", line);
		return;
	}
	/* The traced command shares stap's stderr: its lines pass unchanged. */
	fprintf(stderr, "%s\n", line);
}

static void drain_stderr(struct stap_run *r, bool final)
{
	for (;;) {
		if (r->ecap - r->efill < 4096) {
			r->ecap = r->ecap ? 2 * r->ecap : 16384;
			r->ebuf = xrealloc(r->ebuf, r->ecap);
		}
		ssize_t n = read(r->err_fd, r->ebuf + r->efill, r->ecap - r->efill - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				r->err_eof = true;
			break;
		}
		r->efill += (size_t)n;
		char *start = r->ebuf, *nl;
		while ((nl = memchr(start, '\n', r->efill - (size_t)(start - r->ebuf)))) {
			*nl = '\0';
			stap_stderr_line(r, start);
			start = nl + 1;
		}
		r->efill -= (size_t)(start - r->ebuf);
		memmove(r->ebuf, start, r->efill);
	}
	if ((final || r->err_eof) && r->efill) {
		r->ebuf[r->efill] = '\0';
		stap_stderr_line(r, r->ebuf);
		r->efill = 0;
	}
}

/* --- running stap --- */

static char **stap_argv(const struct stap_run *r, const struct workdir *w)
{
	const struct trace_plan *plan = r->plan;
	char **argv = xcalloc(24, sizeof(*argv));
	int n = 0;

	argv[n++] = xstrdup("stap");
	argv[n++] = xstrdup("-v");
	argv[n++] = xstrdup("-o");
	argv[n++] = xstrdup(w->fifo);
	if (plan->buffer_size) {
		size_t mb = (plan->buffer_size + (1u << 20) - 1) >> 20;
		if (mb > 4095)
			mb = 4095;
		argv[n++] = xstrdup("-s");
		argv[n++] = xasprintf("%zu", mb);
	}
	argv[n++] = xstrdup("-DSTP_NO_OVERLOAD");
	argv[n++] = xstrdup("-DMAXSKIPPED=1000000");
	argv[n++] = xstrdup("-DMAXSTRINGLEN=1024");
	if (r->have_child) {
		argv[n++] = xstrdup("-x");
		argv[n++] = xasprintf("%d", (int)r->child.pid);
	} else if (plan->pid) {
		argv[n++] = xstrdup("-x");
		argv[n++] = xasprintf("%d", (int)plan->pid);
	}
	argv[n++] = xstrdup(w->script);
	argv[n] = NULL;
	return argv;
}

static void free_argv(char **argv)
{
	for (char **a = argv; *a; a++)
		free(*a);
	free(argv);
}

static int spawn_stap(struct stap_run *r, char **argv, char *err, size_t errlen)
{
	pid_t parent = getpid();
	int errpipe[2];

	if (pipe2(errpipe, O_CLOEXEC) < 0)
		return err_set(err, errlen, "cannot create a pipe for stap: %s", strerror(errno));
	r->pid = fork();
	if (r->pid < 0) {
		close(errpipe[0]);
		close(errpipe[1]);
		return err_set(err, errlen, "cannot start stap: %s", strerror(errno));
	}
	if (r->pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		signal(SIGPIPE, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		/* Stopped by pytrace, not by a terminal's Ctrl-C; never left
		 * running (with a module loaded) when pytrace dies. */
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(127);
		if (null >= 0)
			dup2(null, STDIN_FILENO);
		dup2(errpipe[1], STDOUT_FILENO);
		dup2(errpipe[1], STDERR_FILENO);
		execvp(argv[0], argv);
		fprintf(stderr, "ERROR: cannot run stap: %s\n", strerror(errno));
		_exit(127);
	}
	close(errpipe[1]);
	r->err_fd = errpipe[0];
	fcntl(r->err_fd, F_SETFL, O_NONBLOCK);
	return 0;
}

/* What the transport lost.  The script ends its stream with the number of
 * lines it emitted (RAW_EMITTED): against the lines that arrived, that is
 * the exact loss.  Without it the end of the stream is gone: count stap's
 * transport failures (each loses at least one message, and in stap 4.8 one
 * can desynchronise its reader and lose a stretch) as a lower bound and
 * call the trace incomplete. */
static void account_losses(struct stap_run *r)
{
	const struct raw_lines *l = &r->stream.lines;
	uint64_t got = r->stream.seq + l->st.skipped, lost = r->transport_failures;
	char why[256];

	if (l->have_emitted) {
		if (l->emitted > got && l->emitted - got > lost)
			lost = l->emitted - got;
		if (lost)
			pipeline_lost(r->p, lost);
		return;
	}
	if (lost)
		pipeline_lost(r->p, lost);
	if (lost)
		snprintf(why, sizeof(why), "stap's transport dropped output %llu time%s and the end "
			 "of its stream is missing: at least %llu lost, the real count is unknown",
			 r->transport_failures, r->transport_failures == 1 ? "" : "s",
			 r->transport_failures);
	else
		snprintf(why, sizeof(why), "the end of stap's stream (its count of emitted events) "
			 "never arrived: events at the end may be missing");
	pipeline_incomplete(r->p, why);
}

/* Read what stap wrote: events into the pipeline, or tables to the sink. */
static void drain_stream(struct stap_run *r, bool final)
{
	if (r->sink) {
		stap_agg_stream_drain(&r->agg, r->out_fd, final);
		return;
	}
	stap_stream_drain(&r->stream, r->out_fd, final);
	stap_stream_release(&r->stream, final);
	if (!final)
		pipeline_tick(r->p);
}

static bool stream_bad(const struct stap_run *r)
{
	return r->sink ? r->agg.bad : r->stream.bad;
}

/* stap closed the stream: poll() would say POLLHUP at once on every turn. */
static bool stream_eof(const struct stap_run *r)
{
	return r->sink ? r->agg.eof : r->stream.eof;
}

static bool stream_started(const struct stap_run *r)
{
	return r->sink ? r->agg.header_seen : stap_stream_header_seen(&r->stream);
}

/* When the stream's header arrived (0: not yet). */
static uint64_t stream_start(const struct stap_run *r)
{
	return r->sink ? r->agg.start_ns : r->stream.start_ns;
}

/* The script's RAW_READY line arrived (-c: stap tracks the command). */
static bool stream_ready(const struct stap_run *r)
{
	return r->sink ? r->agg.ready : stap_stream_ready(&r->stream);
}

/* Aggregate: the table of stap's end probe is the final one; without it
 * (stap killed) the last table that came is. */
static void agg_final(struct stap_run *r)
{
	if (r->agg.final_seen)
		return;
	if (r->agg.tables) {
		warn_msg("stap's last table never arrived: the table is the one of %.1f s before "
			 "the end", r->agg.now ? (double)(now_ns() - r->agg.now) / 1e9 : 0.0);
		r->sink->snapshot(r->sink->arg, &r->agg.t, true);
	} else {
		warn_msg("stap ended before printing a table: nothing was counted");
	}
}

/* -p: the target process is gone (or a zombie: it has ended). */
static bool pid_target_gone(const struct stap_run *r)
{
	char state;

	if (r->have_child || r->plan->pid <= 0)
		return false;
	state = proc_state(r->plan->pid);
	return state ? state == 'Z' : errno == ENOENT;
}

/* What to do before tracing starts (stap compiles, loads): a stop, a held
 * command gone (a terminal's Ctrl-C) or a -p target gone ends the run. */
static enum supervise_verdict before_start(struct stap_run *r)
{
	if (stop_requested() || (r->have_child && spawn_poll(&r->child)))
		return SUP_DETACH;
	if (pid_target_gone(r)) {
		r->gone_early = true;
		return SUP_DETACH;
	}
	return SUP_TRACE;
}

/* -p: the target ended.  The script exits at its end by itself, but not
 * for a target that ended while stap was attaching: after a grace, the
 * trace ends as when the script exits. */
static enum supervise_verdict target_ended(struct stap_run *r, uint64_t now)
{
	if (!pid_target_gone(r))
		return SUP_TRACE;
	if (!r->gone_at)
		r->gone_at = now;
	return now - r->gone_at >= SUPERVISE_GRACE_NS ? SUP_DONE : SUP_TRACE;
}

/* Can tracing start?  -p: the stream began.  -c: the script's ready line
 * came (stap tracks the held command), or, should it never come,
 * READY_WAIT_NS after the header. */
static bool can_start_now(struct stap_run *r, uint64_t now)
{
	uint64_t start = stream_start(r);

	if (!start)
		return false;
	if (!r->have_child || stream_ready(r))
		return true;
	if (now - start < READY_WAIT_NS)
		return false;
	if (!r->told_no_ready)
		warn_msg("stap did not say it tracks the command within %llu s: starting it anyway "
			 "(its first calls may be missing)", READY_WAIT_NS / 1000000000ull);
	r->told_no_ready = true;
	return true;
}

/* Tracing starts: the command may run, --duration counts from here.
 * false when the command cannot start. */
static bool on_start(struct stap_run *r, uint64_t at)
{
	char err[256];

	if (r->have_child) {
		if (spawn_release(&r->child, err, sizeof(err)) < 0) {
			warn_msg("%s", err);
			return false;
		}
		r->released = true;
	}
	supervise_started(&r->sup, at);
	return true;
}

/* stap is still there SPAWN_GIVEUP_NS after SIGKILL: stuck in the kernel
 * (its module's unload, say).  Waiting on would hang pytrace with it; what
 * it wrote is read, and pytrace goes on without it. */
static void stap_given_up(struct stap_run *r)
{
	spawn_say_stuck(r->pid, "stap");
	drain_stream(r, true);
	drain_stderr(r, true);
}

/* The main loop: read the stream and stap's stderr until stap ends.
 * When supervise.h says tracing stops, stap is asked (SIGINT: it runs the
 * script's end and flushes) and escalated on the same clock. */
static int run_loop(struct stap_run *r, struct run_result *res)
{
	struct escalation stap_stop = { 0 };
	bool started = false;
	int wstatus = 0;

	for (;;) {
		struct pollfd fds[2];
		int nfds = 0;
		if (!stream_eof(r) && !stream_bad(r))
			fds[nfds++] = (struct pollfd){ .fd = r->out_fd, .events = POLLIN };
		if (!r->err_eof)
			fds[nfds++] = (struct pollfd){ .fd = r->err_fd, .events = POLLIN };
		if (nfds)
			poll(fds, (nfds_t)nfds, POLL_MS);
		else
			usleep(POLL_MS * 1000);
		drain_stream(r, false);
		drain_stderr(r, false);

		pid_t w = waitpid(r->pid, &wstatus, WNOHANG);
		if (w == r->pid) {
			/* stap is gone: what it wrote is in the pipes already. */
			drain_stream(r, true);
			drain_stderr(r, true);
			break;
		}

		uint64_t now = now_ns();
		if (stap_stop.since) {
			int sig = escalation_due(&stap_stop, now);

			if (sig)
				kill(r->pid, sig);
			if (escalation_hopeless(&stap_stop, now)) {
				stap_given_up(r);
				wstatus = SIGKILL;
				break;
			}
			continue;
		}
		/* --duration counts from the stream's start (-c: the command's),
		 * not from the compile. */
		enum supervise_verdict v = SUP_DETACH;
		bool can_start = can_start_now(r, now);
		if (!started && can_start && on_start(r, r->have_child ? now : stream_start(r)))
			started = true;
		if (r->released)
			proc_tree_look(&r->tree, now, false);
		if (started)
			v = supervise_tick(&r->sup, r->p, res, now);
		else if (!can_start)
			v = before_start(r);
		if (v == SUP_TRACE && started)
			v = target_ended(r, now);
		/* The sink has seen enough (top -n N): as at --duration. */
		if (v == SUP_TRACE && r->sink && r->agg.stop)
			v = SUP_DETACH;
		if (v != SUP_TRACE) {
			if (v == SUP_DETACH)
				res->interrupted = true;
			kill(r->pid, SIGINT);
			r->asked = true;
			escalation_begin(&stap_stop, now);
		}
	}
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	return 128 + (WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0);
}

/* What stap_run would refuse before starting stap: no -c/-p, or a plan
 * stapgen cannot write a script for (a -c python not known in advance, a
 * path stap would read as a glob). */
static bool stap_can_trace(const struct trace_plan *plan, char *why, size_t len)
{
	if (!plan->command && plan->pid <= 0)
		return err_set(why, len, "the stap engine traces -c CMD or -p PID"), false;
	return stapgen_plan_ok(plan, NULL, why, len);
}

static bool stap_available(const struct trace_plan *plan, char *why, size_t len)
{
	return stap_can_run(why, len) && (!plan || stap_can_trace(plan, why, len));
}

/* run and aggregate: one way of running stap, events to p or tables to
 * sink. */
static int stap_start(const struct trace_plan *plan, struct pipeline *p,
		      const struct agg_sink *sink, struct run_result *res, int *exit_code,
		      char *err, size_t errlen)
{
	struct stap_run r = { .plan = plan, .p = p, .sink = sink, .out_fd = -1, .err_fd = -1 };
	struct workdir w;
	char *script;
	char **argv;
	int stap_status, rc = -1;

	*exit_code = EXIT_PYTRACE_ERROR;
	res->exit_status = 0;
	if (!plan->command && plan->pid <= 0)
		return err_set(err, errlen, "the stap engine traces -c CMD or -p PID");
	if (sink) {
		/* stap's timer counts ms; a table at least every interval. */
		unsigned ms = sink->interval_ns ? (unsigned)((sink->interval_ns + 999999) / 1000000)
						: 0;

		script = stapgen_agg_script(plan, NULL, ms, err, errlen);
	} else {
		script = stapgen_script(plan, NULL, err, errlen);
	}
	if (!script)
		return -1;   /* a plan stap cannot express: bpf may still trace it */
	if (plan->entry_fix && !(plan->markers & MARK(EV_LINE)))
		info_msg("CPython %d.%d: probing the line marker so function__entry fires for every "
			 "frame (stap traps on every line; --no-entry-fix turns this off)",
			 plan->target.py_major, plan->target.py_minor);
	if (workdir_make(&w, err, errlen) < 0) {
		free(script);
		return -1;
	}
	stap_stream_init(&r.stream, p);
	if (sink)
		stap_agg_stream_init(&r.agg, sink);
	if (write_file(w.script, script, err, errlen) < 0)
		goto out;
	if (mkfifo(w.fifo, 0600) < 0) {
		err_set(err, errlen, "cannot create %s: %s", w.fifo, strerror(errno));
		goto out;
	}
	/* Non-blocking: opening a FIFO's read end waits for a writer otherwise,
	 * and a stap that fails to compile never opens it.  Until a writer
	 * comes, poll() reports nothing (no POLLHUP) and read() returns 0, so
	 * EOF only counts once stap has exited. */
	r.out_fd = open(w.fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (r.out_fd < 0) {
		err_set(err, errlen, "cannot open %s: %s", w.fifo, strerror(errno));
		goto out;
	}
	/* The command first (held; it inherits none of stap's pipes), so
	 * stap can be given its pid. */
	if (plan->command) {
		struct spawn_user user;

		if (plan->user && spawn_user_resolve(plan->user, &user, err, errlen) < 0) {
			*exit_code = EXIT_USAGE;
			goto out;
		}
		rc = spawn_command(plan->command, plan->command_out_to_err, plan->user ? &user : NULL,
				   &r.child, err, errlen);
		if (plan->user)
			spawn_user_free(&user);
		if (rc < 0)
			goto out;
		r.have_child = true;
		proc_tree_init(&r.tree, r.child.pid);
	}
	supervise_init(&r.sup, r.have_child ? &r.child : NULL, plan->duration, proc_tree_others,
		       &r.tree);
	argv = stap_argv(&r, &w);
	rc = spawn_stap(&r, argv, err, errlen);
	free_argv(argv);
	if (rc < 0)
		goto out;

	stap_status = run_loop(&r, res);
	rc = 0;
	if (stream_bad(&r)) {
		rc = err_set(err, errlen, "%s", sink ? r.agg.bad_why : r.stream.bad_why);
	} else if (r.gone_early) {   /* as the bpf engine says it */
		rc = err_set(err, errlen, "PID %d exited before pytrace could attach", (int)plan->pid);
		*exit_code = EXIT_NO_MARKERS;
	} else if (!stream_started(&r) && r.task_work_api) {
		rc = err_set(err, errlen, "stap cannot compile its module for this kernel: %s; %s",
			     STAP_TASK_WORK_WHAT, STAP_TASK_WORK_FIX);
	} else if (!stream_started(&r)) {
		rc = err_set(err, errlen, "stap failed (exit status %d)%s%s", stap_status,
			     r.last_error[0] ? ": " : "", r.last_error);
	} else if (stap_status != 0 && !res->interrupted) {
		warn_msg("stap exited with status %d; the trace may be incomplete", stap_status);
	}
	if (rc == 0 && sink)
		agg_final(&r);
	else if (rc == 0)
		account_losses(&r);
	if (r.released) {
		/* --duration, a closed output, or stap gone by itself: the
		 * command runs on to its end, and its status is pytrace's. */
		if (!r.asked && !spawn_poll(&r.child))
			warn_msg("stap ended before the command: it runs on untraced to its end");
		supervise_wait(&r.sup, res);
		res->exit_status = spawn_exit_code(&r.child);
	} else if (r.have_child && rc == 0) {
		/* Stopped before the command began: report it as interrupted. */
		res->exit_status = 128 + SIGINT;
	} else if (!r.have_child && rc == 0) {
		res->target_exited = !res->interrupted;
	}
	if (rc == 0)
		*exit_code = EXIT_OK;
out:
	if (r.have_child && !r.released)
		spawn_abort(&r.child);   /* never started: it exits running nothing */
	if (r.have_child)
		proc_tree_free(&r.tree);
	if (r.out_fd >= 0)
		close(r.out_fd);
	if (r.err_fd >= 0)
		close(r.err_fd);
	stap_stream_free(&r.stream);
	if (sink)
		stap_agg_stream_free(&r.agg);
	free(r.ebuf);
	workdir_remove(&w);
	free(script);
	return rc;
}

static int stap_run(const struct trace_plan *plan, struct pipeline *p, struct run_result *res,
		    int *exit_code, char *err, size_t errlen)
{
	return stap_start(plan, p, NULL, res, exit_code, err, errlen);
}

static int stap_aggregate(const struct trace_plan *plan, const struct agg_sink *sink,
			  struct run_result *res, int *exit_code, char *err, size_t errlen)
{
	return stap_start(plan, NULL, sink, res, exit_code, err, errlen);
}

const struct engine_ops engine_stap = {
	.name = "stap",
	.unavailable_hint = "use --engine bpf (or --engine auto); `pytrace doctor` explains",
	.available = stap_available,
	.checks = stap_checks,
	.run = stap_run,
	.aggregate = stap_aggregate,
};
