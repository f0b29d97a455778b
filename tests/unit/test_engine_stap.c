/* The stap engine's run loop against a stand-in `stap` (a shell script put
 * first on PATH): real stap cannot load its module on the project's
 * machines.  The stand-in behaves like stap's driver in what the engine
 * relies on: it writes the module's output to the -o file (our FIFO), is
 * given the held -c command's pid with -x (pytrace runs the command),
 * prints stap's pass lines and end-of-run warnings on stderr, and on
 * SIGINT ends the run after a last flush. */
#include <stdarg.h>
#include <stddef.h>
#include <grp.h>
#include <pwd.h>
#include <setjmp.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "engine.h"
#include "exitcodes.h"
#include "pipeline.h"
#include "plan.h"
#include "signals.h"
#include "stapgen.h"
#include "xmalloc.h"

static const char fake_stap[] =
	"#!/bin/sh\n"
	"out= cmd= x= script=\n"
	"while [ $# -gt 0 ]; do\n"
	"  case \"$1\" in\n"
	"  -o) out=$2; shift;; -c) cmd=$2; shift;; -x) x=$2; shift;; -s) shift;;\n"
	"  -v|-D*) ;;\n"
	"  *) script=$1;;\n"
	"  esac; shift\n"
	"done\n"
	"echo \"$@ $out $cmd $x\" > /dev/null\n"
	"echo 'Pass 1: parsed user script and 480 library scripts' >&2\n"
	"echo 'Pass 3: translated to C into \"/tmp/x/stap.c\"' >&2\n"
	"grep -q 'probe begin' \"$script\" || { echo 'ERROR: no script' >&2; exit 9; }\n"
	"if [ \"$FAKE_STAP_MODE\" = fail ]; then\n"
	"  echo 'semantic error: while resolving probe point: no match' >&2; exit 1\n"
	"fi\n"
	"if [ \"$FAKE_STAP_MODE\" = taskwork ]; then\n"   /* stap 4.8-2 on Debian 12's 6.1.192 */
	"  echo \"/usr/share/systemtap/runtime/stp_task_work.c:107:40: error: passing argument 2 of"
	" '(bool (*)(struct task_struct *, struct callback_head *))kallsyms_task_work_cancel'"
	" from incompatible pointer type [-Werror=incompatible-pointer-types]\" >&2\n"
	"  echo 'Pass 4: compilation failed.  [man error::pass4]' >&2; exit 1\n"
	"fi\n"
	"[ \"$FAKE_STAP_MODE\" = slow ] && sleep 1   # a long compile\n"
	"exec 3>\"$out\"\n"
	"# traps before the first line: pytrace may stop us as soon as it is read\n"
	"if grep -q target_set_pid \"$script\"; then\n"
	"  # -c: pytrace runs the command and gives its pid, held until now\n"
	"  [ -n \"$x\" ] && kill -0 \"$x\" || { echo \"ERROR: -x '$x' is no process\" >&2; exit 1; }\n"
	"  # pytrace says when the command is done; out of time order, as\n"
	"  # two CPUs' buffers can arrive (exec: a process replaced its image\n"
	"  # between its call and a return)\n"
	"  if [ \"$FAKE_STAP_MODE\" = exec ]; then\n"
	"    trap 'echo \"return 2000 10 10 5 \\\"h\\\" \\\"b.py\\\"\" >&3;"
	" echo \"# pytrace-exec 10 1500        \" >&3;"
	" echo \"call 1000 10 10 5 \\\"f\\\" \\\"a.py\\\"\" >&3;"
	" echo \"# pytrace-emitted 2\" >&3; exit 0' INT\n"
	"  else\n"
	"  trap 'echo \"return 2000 10 10 5 \\\"f\\\" \\\"a.py\\\"\" >&3;"
	" echo \"call 1000 10 10 5 \\\"f\\\" \\\"a.py\\\"\" >&3;"
	" echo \"not a raw line\" >&3;"
	" if [ \"$FAKE_STAP_MODE\" = gap ]; then echo \"# pytrace-emitted 12   \" >&3;"
	" else echo \"# pytrace-emitted 3\" >&3; fi;"
	" echo \"WARNING: Number of errors: 0, skipped probes: 5\" >&2; exit 0' INT\n"
	"  fi\n"
	"  echo 'pytrace-raw 1' >&3\n"
	"  sleep 0.2\n"
	"  # still held: the header alone must not start it\n"
	"  case $(readlink /proc/$x/exe) in */sh|*/dash|*/bash)\n"
	"    echo 'ERROR: the command started before the ready line' >&2; exit 1;; esac\n"
	"  echo '# pytrace-ready    ' >&3\n"
	"else\n"
	"  trap 'echo \"return 3000 10 10 5 \\\"f\\\" \\\"a.py\\\"\" >&3;"
	" echo \"WARNING: There were 2 transport failures. Try stap -s\" >&2; exit 0' INT\n"
	"  echo 'pytrace-raw 1' >&3\n"
	"  echo 'call 1000 10 10 5 \"f\" \"a.py\"' >&3\n"
	"fi\n"
	"while :; do sleep 0.02; done\n";

static char dir[] = "/tmp/pytrace-test-engine-stap.XXXXXX";
static char *trace_out, *err_out, *tmpdir;
static const char *run_user;   /* -u for the next run_engine */
static double run_duration;   /* --duration for the next run_engine */

static int setup(void **state)
{
	(void)state;
	char *bin, *path;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	bin = xasprintf("%s/bin", dir);
	tmpdir = xasprintf("%s/tmp", dir);
	mkdir(bin, 0700);
	mkdir(tmpdir, 0700);
	path = xasprintf("%s/stap", bin);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(fake_stap, f);
	fclose(f);
	chmod(path, 0755);
	free(path);
	path = xasprintf("%s:%s", bin, getenv("PATH"));
	setenv("PATH", path, 1);
	setenv("TMPDIR", tmpdir, 1);
	free(path);
	free(bin);
	trace_out = xasprintf("%s/trace.raw", dir);
	err_out = xasprintf("%s/stderr", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char *cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	free(cmd);
	return 0;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;
	int c;
	assert_non_null(f);
	FILE *m = open_memstream(&buf, &len);
	while ((c = fgetc(f)) != EOF)
		fputc(c, m);
	fclose(m);
	fclose(f);
	return buf;
}

struct outcome {
	int rc, exit_code, finish_rc;
	struct run_result res;
	char err[512], finish_err[512];
	char *trace, *stderr_text;
};

/* Run the engine with stderr captured; --strict so lost events show up
 * in pipeline_finish's error.  A plan and a pipeline config: no options. */
static void run_engine(const char *command, pid_t pid, struct outcome *out)
{
	struct filter_spec filter = { .max_depth = -1 };
	struct pipeline_config pc = {
		.filter = &filter, .markers = MARKS_CALLS, .format = &render_raw,
		.output = trace_out, .live = true, .strict = true,
	};
	struct trace_plan plan;
	struct pipeline *p;
	int saved = dup(STDERR_FILENO);
	FILE *ef;

	memset(&plan, 0, sizeof(plan));
	plan.have_target = true;
	plan.markers = MARKS_CALLS;
	plan.command = command;
	plan.user = run_user;
	plan.pid = pid;
	plan.follow = true;
	plan.duration = run_duration;
	plan.target.exe = plan.target.marker_file = (char *)"/usr/bin/python3.11";
	memset(out, 0, sizeof(*out));

	p = pipeline_new(&pc, out->err, sizeof(out->err));
	assert_non_null(p);
	ef = fopen(err_out, "w");
	assert_non_null(ef);
	fflush(stderr);
	dup2(fileno(ef), STDERR_FILENO);
	out->exit_code = -1;
	out->rc = engine_stap.run(&plan, p, &out->res, &out->exit_code, out->err, sizeof(out->err));
	out->finish_rc = pipeline_finish(p, out->finish_err, sizeof(out->finish_err));
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	fclose(ef);
	pipeline_free(p);
	out->trace = slurp(trace_out);
	out->stderr_text = slurp(err_out);
}

static void free_outcome(struct outcome *o)
{
	free(o->trace);
	free(o->stderr_text);
}

static int entries_in(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;
	assert_non_null(d);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void test_command_status_and_stream(void **state)
{
	(void)state;
	struct outcome o;

	run_engine("echo 'the program speaks' >&2; exit 3", 0, &o);
	if (o.rc != 0)
		fail_msg("run failed: %s\n%s", o.err, o.stderr_text);
	assert_int_equal(o.exit_code, EXIT_OK);
	assert_int_equal(o.res.exit_status, 3);
	assert_true(o.res.target_exited);
	assert_false(o.res.interrupted);
	/* both events made it through the FIFO and the raw parser, and the
	 * call written after the return comes out first (timestamp order) */
	const char *call = strstr(o.trace, "call "), *ret = strstr(o.trace, "return ");
	assert_non_null(call);
	assert_non_null(ret);
	assert_true(call < ret);
	/* "skipped probes: 5" is 5 lost events, a malformed line 1 skipped */
	assert_int_equal(o.finish_rc, -1);
	assert_non_null(strstr(o.finish_err, "5 events lost"));
	if (!strstr(o.finish_err, "1 malformed input line skipped"))
		fail_msg("finish: %s", o.finish_err);
	/* stderr: one "compiling" note, no pass lines, the program's line as is */
	assert_non_null(strstr(o.stderr_text, "pytrace: stap: compiling the probe module"));
	assert_null(strstr(o.stderr_text, "Pass 1:"));
	assert_non_null(strstr(o.stderr_text, "\nthe program speaks\n"));
	assert_null(strstr(o.stderr_text, "skipped probes"));
	/* started on the script's ready line, not on the fallback */
	assert_null(strstr(o.stderr_text, "did not say it tracks"));
	/* the private directory is gone */
	assert_int_equal(entries_in(tmpdir), 0);
	free_outcome(&o);
}

static void test_command_killed_by_signal(void **state)
{
	(void)state;
	struct outcome o;

	run_engine("kill -TERM $$", 0, &o);
	assert_int_equal(o.rc, 0);
	assert_int_equal(o.res.exit_status, 128 + SIGTERM);
	free_outcome(&o);
}

static void test_command_with_quotes(void **state)
{
	(void)state;
	struct outcome o;

	run_engine("test \"$(printf '%s' 'it'\\''s')\" = \"it's\" && exit 7", 0, &o);
	assert_int_equal(o.rc, 0);
	assert_int_equal(o.res.exit_status, 7);
	free_outcome(&o);
}

/* -u: the command pytrace runs and gives stap runs as the user, with the
 * user's ids, groups, HOME, USER and LOGNAME (spawn.h, as with the bpf
 * engine), and its status still comes back. */
static void test_command_as_user(void **state)
{
	(void)state;
	struct outcome o;
	struct passwd *pw = getpwnam("nobody");
	char want[512];

	if (geteuid() != 0 || !pw) {
		skip();
		return;
	}
	gid_t groups[64];
	int ngroups = 64;
	size_t len;

	assert_true(getgrouplist(pw->pw_name, pw->pw_gid, groups, &ngroups) >= 0);
	len = (size_t)snprintf(want, sizeof(want), "as-user %u %u", (unsigned)pw->pw_uid,
			       (unsigned)pw->pw_gid);
	for (int i = 0; i < ngroups; i++)   /* id -G: the primary group, then the others */
		if (groups[i] != pw->pw_gid)
			len += (size_t)snprintf(want + len, sizeof(want) - len, " %u", (unsigned)groups[i]);
	snprintf(want + len, sizeof(want) - len, " %s nobody nobody\n", pw->pw_dir);
	run_user = "nobody";
	run_engine("echo as-user $(id -u) $(id -G) $HOME $USER $LOGNAME >&2; exit 5", 0, &o);
	run_user = NULL;
	if (o.rc != 0)
		fail_msg("run failed: %s\n%s", o.err, o.stderr_text);
	assert_int_equal(o.res.exit_status, 5);
	if (!strstr(o.stderr_text, want))
		fail_msg("wanted \"%s\" in:\n%s", want, o.stderr_text);
	free_outcome(&o);

	run_user = "no-such-user-xyz";
	run_engine("true", 0, &o);
	run_user = NULL;
	assert_int_equal(o.rc, -1);
	assert_int_equal(o.exit_code, EXIT_USAGE);
	assert_non_null(strstr(o.err, "no-such-user-xyz: no such user"));
	assert_int_equal(entries_in(tmpdir), 0);
	free_outcome(&o);
}

/* --duration with -c: stap is stopped, the command runs to its end and
 * its status is pytrace's (stap -c used to end it with stap). */
static void test_duration_lets_the_command_finish(void **state)
{
	(void)state;
	struct outcome o;

	run_duration = 0.2;
	run_engine("sleep 0.8; exit 7", 0, &o);
	run_duration = 0;
	assert_int_equal(o.rc, 0);
	assert_int_equal(o.res.exit_status, 7);
	assert_true(o.res.interrupted);
	assert_non_null(strstr(o.stderr_text, "the command runs on untraced to its end"));
	assert_non_null(strstr(o.trace, "call 1000"));   /* stap's flush still arrived */
	free_outcome(&o);
}

static void to_self(int sig)
{
	(void)sig;
	kill(getpid(), SIGTERM);   /* as kill(1) would: SI_USER */
}

/* kill -TERM on pytrace reaches the -c command (stap no longer owns it),
 * and the trace is still flushed.  In a process of its own: a stop
 * request cannot be taken back. */
static void test_signal_reaches_the_command(void **state)
{
	(void)state;
	pid_t pid;
	int st;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct outcome o;
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = to_self;
		sigaction(SIGALRM, &sa, NULL);
		signals_install();
		alarm(1);
		run_engine("exec sleep 30", 0, &o);
		if (o.rc != 0 || o.res.exit_status != 128 + SIGTERM || !o.res.interrupted ||
		    !strstr(o.trace, "call 1000")) {
			fprintf(stderr, "rc %d, status %d, interrupted %d\n%s\n", o.rc,
				o.res.exit_status, o.res.interrupted, o.stderr_text);
			_exit(1);
		}
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* -p on a process that ends while stap starts (compiles, loads): one
 * line, status 4, as with the bpf engine; and one that ends while traced,
 * which a real script may never see end (it ended while stap attached):
 * the trace ends all the same. */
static void test_pid_target_ends(void **state)
{
	(void)state;
	struct outcome o;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	setenv("FAKE_STAP_MODE", "slow", 1);
	run_engine(NULL, pid, &o);   /* a zombie by now: it has ended */
	unsetenv("FAKE_STAP_MODE");
	assert_int_equal(o.rc, -1);
	assert_int_equal(o.exit_code, EXIT_NO_MARKERS);
	if (!strstr(o.err, "exited before pytrace could attach"))
		fail_msg("err: %s", o.err);
	free_outcome(&o);
	waitpid(pid, NULL, 0);

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		usleep(300000);
		_exit(0);
	}
	run_engine(NULL, pid, &o);   /* the stand-in never exits by itself */
	waitpid(pid, NULL, 0);
	assert_int_equal(o.rc, 0);
	assert_true(o.res.target_exited);
	assert_false(o.res.interrupted);
	assert_non_null(strstr(o.trace, "return 3000"));   /* stap's last flush */
	free_outcome(&o);
}

static void on_alarm(int sig)
{
	(void)sig;
	request_stop();
}

/* Ctrl-C: SIGINT to stap, and what stap flushes on its way out still
 * reaches the trace. */
static void test_stop_flushes(void **state)
{
	(void)state;
	struct outcome o;
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	alarm(1);
	run_engine(NULL, getpid(), &o);
	assert_int_equal(o.rc, 0);
	assert_true(o.res.interrupted);
	assert_non_null(strstr(o.trace, "return 3000"));   /* written after the SIGINT */
	/* transport failures: a lower bound, and the trace is incomplete */
	if (!strstr(o.finish_err, "the trace is incomplete") || !strstr(o.finish_err, "at least 2 lost"))
		fail_msg("finish: %s", o.finish_err);
	assert_int_equal(entries_in(tmpdir), 0);
	free_outcome(&o);
}

static void test_stap_failure(void **state)
{
	(void)state;
	struct outcome o;

	setenv("FAKE_STAP_MODE", "fail", 1);
	run_engine("true", 0, &o);
	unsetenv("FAKE_STAP_MODE");
	assert_int_equal(o.rc, -1);
	assert_int_equal(o.exit_code, EXIT_PYTRACE_ERROR);
	assert_non_null(strstr(o.err, "stap failed"));
	if (!strstr(o.err, "semantic error"))
		fail_msg("err: %s", o.err);
	assert_non_null(strstr(o.stderr_text, "pytrace: stap: semantic error"));
	assert_int_equal(entries_in(tmpdir), 0);
	free_outcome(&o);
}

/* The script's own count says 12 lines were emitted, 3 arrived (one of
 * them malformed): 9 lost, exactly, so not "incomplete"; no count at all
 * (test_stop_flushes) is. */
static void test_emitted_count(void **state)
{
	(void)state;
	struct outcome o;

	setenv("FAKE_STAP_MODE", "gap", 1);
	run_engine("true", 0, &o);
	unsetenv("FAKE_STAP_MODE");
	assert_int_equal(o.rc, 0);
	assert_int_equal(o.finish_rc, -1);
	/* 9 from the count, 5 skipped probes */
	if (!strstr(o.finish_err, "14 events lost") || strstr(o.finish_err, "incomplete"))
		fail_msg("finish: %s", o.finish_err);
	free_outcome(&o);
}

/* An exec line ends the old image's calls at its time, in timestamp order
 * with the events around it (they arrive out of order): f, called before
 * the exec, never returned; h's return after it has no call. */
static void test_exec_ends_the_old_image(void **state)
{
	(void)state;
	struct outcome o;

	setenv("FAKE_STAP_MODE", "exec", 1);
	run_engine("true", 0, &o);
	unsetenv("FAKE_STAP_MODE");
	assert_int_equal(o.rc, 0);
	if (!strstr(o.stderr_text, "1 call, 1 return without a call"))
		fail_msg("stderr: %s", o.stderr_text);
	free_outcome(&o);
}

/* stap 4.8 cannot compile for a 6.1.192+ kernel: the error says what it
 * is and the way out, not only "stap failed". */
static void test_stap_task_work_failure(void **state)
{
	(void)state;
	struct outcome o;

	setenv("FAKE_STAP_MODE", "taskwork", 1);
	run_engine("true", 0, &o);
	unsetenv("FAKE_STAP_MODE");
	assert_int_equal(o.rc, -1);
	if (!strstr(o.err, "task_work_cancel") || !strstr(o.err, "systemtap 5.2") ||
	    !strstr(o.err, "--engine bpf"))
		fail_msg("err: %s", o.err);
	free_outcome(&o);
}

/* --engine auto and a plan stap cannot express: stap says why, and the
 * next engine that can run and trace it is taken. */
static bool yes(const struct trace_plan *plan, char *why, size_t len)
{
	(void)plan;
	(void)why;
	(void)len;
	return true;
}

static bool no(const struct trace_plan *plan, char *why, size_t len)
{
	(void)plan;
	snprintf(why, len, "not here");
	return false;
}

/* Runs here, but not this plan. */
static bool picky(const struct trace_plan *plan, char *why, size_t len)
{
	if (!plan)
		return true;
	snprintf(why, len, "not this plan");
	return false;
}

static void test_fallback_for_plan(void **state)
{
	(void)state;
	struct trace_plan plan;
	char why[256] = "";

	memset(&plan, 0, sizeof(plan));
	plan.markers = MARKS_CALLS;
	plan.command = "./run.sh";
	snprintf(plan.guess_error, sizeof(plan.guess_error), "./run.sh picks its python itself");
	assert_false(stapgen_plan_ok(&plan, NULL, why, sizeof(why)));
	assert_non_null(strstr(why, "--python"));
	plan.have_target = true;
	plan.target.exe = plan.target.marker_file = (char *)"/usr/bin/python3.11";
	assert_true(stapgen_plan_ok(&plan, NULL, why, sizeof(why)));
	plan.target.exe = plan.target.marker_file = (char *)"/opt/py[3]/python3.11";
	assert_false(stapgen_plan_ok(&plan, NULL, why, sizeof(why)));
	assert_non_null(strstr(why, "glob"));
	plan.target.exe = plan.target.marker_file = (char *)"/usr/bin/python3.11";

	const struct engine_ops first = { .name = "first", .available = picky };
	const struct engine_ops down = { .name = "down", .available = no };
	const struct engine_ops any = { .name = "any", .available = yes };
	const struct engine_ops *const list[] = { &first, &down, &any, NULL };
	const struct engine_ops *const none[] = { &first, &down, NULL };

	assert_ptr_equal(engine_fallback(list, &first, &plan, why, sizeof(why)), &any);
	assert_string_equal(why, "not this plan");
	assert_null(engine_fallback(none, &first, &plan, why, sizeof(why)));
	assert_null(engine_fallback(list, &any, &plan, why, sizeof(why)));   /* any traces it */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fallback_for_plan),
		cmocka_unit_test(test_command_status_and_stream),
		cmocka_unit_test(test_command_killed_by_signal),
		cmocka_unit_test(test_command_with_quotes),
		cmocka_unit_test(test_command_as_user),
		cmocka_unit_test(test_stap_failure),
		cmocka_unit_test(test_stap_task_work_failure),
		cmocka_unit_test(test_emitted_count),
		cmocka_unit_test(test_exec_ends_the_old_image),
		cmocka_unit_test(test_pid_target_ends),
		cmocka_unit_test(test_duration_lets_the_command_finish),
		cmocka_unit_test(test_signal_reaches_the_command),
		/* last: a stop request cannot be taken back */
		cmocka_unit_test(test_stop_flushes),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
