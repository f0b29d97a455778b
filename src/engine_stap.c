/* The stap engine: generate a SystemTap script from the plan (stapgen.c),
 * run `stap` on it, and parse what the script prints (the raw format) into
 * the pipeline.
 *
 * How it runs:
 *  - Everything stap needs lives in a private directory (mkdtemp, 0700,
 *    removed afterwards): the script, a FIFO the module's output is written
 *    to (`stap -o FIFO`), and for -c a small shell wrapper.  The output goes
 *    through a FIFO, not stap's stdout, because a -c command inherits
 *    stap's stdout: the program's own prints would land in the trace.
 *  - -c: `stap -c "/bin/sh DIR/run.sh"`.  stap holds the command back until
 *    its probes are in place.  stap does not report the command's status,
 *    so the wrapper runs the command with /bin/sh -c and writes `$?` to
 *    DIR/status (128+N after signal N, as a shell reports it); that file is
 *    pytrace's exit status.  The wrapper ignores nothing: it traps
 *    SIGINT/SIGTERM/SIGHUP with a no-op so a Ctrl-C still reaches the
 *    command (traps reset on exec) while the wrapper lives to record it.
 *    With -u the wrapper runs the command through setpriv (the user's ids,
 *    groups, HOME, USER, LOGNAME), which execs it: still the process stap
 *    follows.
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
#include "raw.h"
#include "spawn.h"
#include "stap_agg_stream.h"
#include "stap_stream.h"
#include "stapgen.h"
#include "supervise.h"
#include "xmalloc.h"

#define POLL_MS         50    /* also the output's tick (pipeline_tick) */

/* --- the private directory --- */

struct workdir {
	char *dir, *script, *fifo, *wrapper, *status;
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
	w->wrapper = xasprintf("%s/run.sh", w->dir);
	w->status = xasprintf("%s/status", w->dir);
	return 0;
}

static void workdir_remove(struct workdir *w)
{
	if (!w->dir)
		return;
	unlink(w->script);
	unlink(w->fifo);
	unlink(w->wrapper);
	unlink(w->status);
	rmdir(w->dir);
	free(w->dir);
	free(w->script);
	free(w->fifo);
	free(w->wrapper);
	free(w->status);
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

/* s in single quotes for /bin/sh: every byte literal, ' as '\''. */
static char *sh_quote(const char *s)
{
	size_t n = 2;
	for (const char *p = s; *p; p++)
		n += *p == '\'' ? 4 : 1;
	char *out = xmalloc(n + 1), *o = out;
	*o++ = '\'';
	for (const char *p = s; *p; p++) {
		if (*p == '\'') {
			memcpy(o, "'\\''", 4);
			o += 4;
		} else {
			*o++ = *p;
		}
	}
	*o++ = '\'';
	*o = '\0';
	return out;
}

/* The setpriv (util-linux) that -u runs the command through, or NULL. */
static const char *setpriv_path(void)
{
	static const char *const where[] = { "/usr/bin/setpriv", "/bin/setpriv" };

	for (size_t i = 0; i < sizeof(where) / sizeof(where[0]); i++)
		if (access(where[i], X_OK) == 0)
			return where[i];
	return NULL;
}

/* -u: "setpriv --reuid=U --regid=G --groups=... -- env HOME=.. USER=..
 * LOGNAME=.. " before the command: the user's ids, groups and the three
 * variables spawn_user_resolve set (its envp ends with them), as the bpf
 * engine's own fork does.  setpriv execs, so the command is the same
 * process stap's target_set follows. */
static char *user_prefix(const struct spawn_user *u)
{
	char *groups = xstrdup(""), *env = xstrdup("");
	size_t n = 0;

	for (int i = 0; i < u->ngroups; i++) {
		char *g = xasprintf("%s%s%u", groups, i ? "," : "", (unsigned)u->groups[i]);
		free(groups);
		groups = g;
	}
	while (u->envp[n])
		n++;
	for (size_t i = n >= 3 ? n - 3 : 0; i < n; i++) {   /* HOME, USER, LOGNAME */
		char *q = sh_quote(u->envp[i]), *e = xasprintf("%s %s", env, q);
		free(q);
		free(env);
		env = e;
	}
	char *prefix = xasprintf("%s --reuid=%u --regid=%u %s%s -- /usr/bin/env%s ", setpriv_path(),
				 (unsigned)u->uid, (unsigned)u->gid,
				 u->ngroups ? "--groups=" : "--clear-groups", groups, env);
	free(groups);
	free(env);
	return prefix;
}

static int write_wrapper(const struct workdir *w, const char *command, const struct spawn_user *user,
			 char *err, size_t errlen)
{
	char *cmd = sh_quote(command), *status = sh_quote(w->status), *text;
	char *as = user ? user_prefix(user) : xstrdup("");
	int rc;

	text = xasprintf("# pytrace: runs the -c command under stap and records its status.\n"
			 "trap : INT TERM HUP\n"
			 "%s/bin/sh -c %s\n"
			 "pytrace_status=$?\n"
			 "echo \"$pytrace_status\" > %s\n"
			 "exit \"$pytrace_status\"\n", as, cmd, status);
	rc = write_file(w->wrapper, text, err, errlen);
	free(text);
	free(as);
	free(cmd);
	free(status);
	return rc;
}

/* --- stap's stderr --- */

struct stap_run {
	const struct trace_plan *plan;
	struct pipeline *p;           /* run: the events go there */
	const struct agg_sink *sink;  /* aggregate: tables go there (p is NULL) */
	pid_t pid;
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

static char **stap_argv(const struct trace_plan *plan, const struct workdir *w)
{
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
	if (plan->command) {
		argv[n++] = xstrdup("-c");
		argv[n++] = xasprintf("/bin/sh %s", w->wrapper);
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
		signal(SIGPIPE, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		/* The -c command inherits stap's stdout: with the trace on
		 * ours, its output goes where pytrace's own words go. */
		if (r->plan->command_out_to_err)
			dup2(STDERR_FILENO, STDOUT_FILENO);
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

static bool stream_started(const struct stap_run *r)
{
	return r->sink ? r->agg.header_seen : stap_stream_header_seen(&r->stream);
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

/* The main loop: read the stream and stap's stderr until stap ends.
 * When supervise.h says tracing stops, stap is asked (SIGINT: it runs the
 * script's end and flushes) and escalated on its clock. */
static int run_loop(struct stap_run *r, struct run_result *res)
{
	struct supervisor sup;
	struct escalation stap_stop = { 0 };
	bool started = false;
	int wstatus = 0;

	supervise_init(&sup, NULL, r->plan->duration, NULL, NULL);
	for (;;) {
		struct pollfd fds[2];
		int nfds = 0;
		if (!r->stream.eof && !stream_bad(r))
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
		uint64_t start = r->sink ? r->agg.start_ns : r->stream.start_ns;
		/* --duration counts from the stream's start (the module runs),
		 * not from the compile. */
		if (!started && start) {
			supervise_started(&sup, start);
			started = true;
		}
		if (!stap_stop.since) {
			/* The sink has seen enough (top -n N): as at --duration. */
			if (supervise_tick(&sup, r->p, res, now) != SUP_TRACE ||
			    (r->sink && r->agg.stop)) {
				res->interrupted = true;
				kill(r->pid, SIGINT);
				escalation_begin(&stap_stop, now);
			}
		} else {
			int sig = escalation_due(&stap_stop, now);

			if (sig)
				kill(r->pid, sig);
		}
	}
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	return 128 + (WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0);
}

static int read_status(const char *path, int *status)
{
	FILE *f = fopen(path, "r");
	int v, ok;

	if (!f)
		return -1;
	ok = fscanf(f, "%d", &v) == 1;
	fclose(f);
	if (!ok)
		return -1;
	*status = v;
	return 0;
}

/* What stap_run would refuse before starting stap: no -c/-p, or a plan
 * stapgen cannot write a script for (a -c python not known in advance, a
 * path stap would read as a glob). */
static bool stap_can_trace(const struct trace_plan *plan, char *why, size_t len)
{
	if (!plan->command && plan->pid <= 0)
		return err_set(why, len, "the stap engine traces -c CMD or -p PID"), false;
	if (plan->user && !setpriv_path())
		return err_set(why, len, "-u USER with the stap engine runs the command through "
			       "setpriv, which is not installed (apt-get install util-linux)"), false;
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
	struct spawn_user user;
	bool have_user = false;
	char *script;
	char **argv;
	int stap_status, rc = -1;

	*exit_code = EXIT_PYTRACE_ERROR;
	res->exit_status = 0;
	if (!plan->command && plan->pid <= 0)
		return err_set(err, errlen, "the stap engine traces -c CMD or -p PID");
	if (plan->user && !setpriv_path()) {   /* --engine stap -u: say why, as auto's would */
		stap_can_trace(plan, err, errlen);
		return -1;
	}
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
	if (plan->user) {
		if (spawn_user_resolve(plan->user, &user, err, errlen) < 0) {
			*exit_code = EXIT_USAGE;
			goto out;
		}
		have_user = true;
	}
	if (write_file(w.script, script, err, errlen) < 0 ||
	    (plan->command && write_wrapper(&w, plan->command, have_user ? &user : NULL, err,
					    errlen) < 0))
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
	argv = stap_argv(plan, &w);
	rc = spawn_stap(&r, argv, err, errlen);
	free_argv(argv);
	if (rc < 0)
		goto out;

	stap_status = run_loop(&r, res);
	rc = 0;
	if (stream_bad(&r)) {
		rc = err_set(err, errlen, "%s", sink ? r.agg.bad_why : r.stream.bad_why);
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
	if (plan->command) {
		int status;
		if (read_status(w.status, &status) == 0) {
			res->exit_status = status;
			res->target_exited = true;
		} else if (rc == 0) {
			/* Stopped before the command ended: report it as interrupted. */
			res->exit_status = 128 + SIGINT;
		}
	} else if (rc == 0) {
		res->target_exited = !res->interrupted;
	}
	if (rc == 0)
		*exit_code = EXIT_OK;
out:
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
	if (have_user)
		spawn_user_free(&user);
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
