/* supervise.h's policy against real -c commands (spawn.h): a signal sent to
 * pytrace alone reaches the command; one the command ignores is followed by
 * SIGTERM after the grace and SIGKILL after the kill grace, to the main
 * process and the engine's group members; --duration detaches and the
 * final wait still passes signals on; the processes left are named.  The
 * clock is passed in, so the escalation's steps are checked without
 * waiting seconds; the signals and the processes are real.  Each scenario
 * runs in a process of its own: the stop flag (signals.c) is per process. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "clock.h"
#include "signals.h"
#include "spawn.h"
#include "supervise.h"

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "%s:%d: failed: %s\n", __FILE__, __LINE__, #c); \
			return 1; } } while (0)

/* scenario() in a child process: its status, 0 when every CHECK held. */
static int in_child(int (*scenario)(void), const char *stderr_to)
{
	pid_t pid;
	int st;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (stderr_to && !freopen(stderr_to, "w", stderr))
			_exit(99);
		int rc = scenario();

		fflush(stderr);
		_exit(rc);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 100 + WTERMSIG(st);
}

/* scenario() in a child process, as in_child(); what it wrote on stderr
 * goes into buf. */
static int stderr_of(int (*scenario)(void), char *buf, size_t len)
{
	char path[] = "/tmp/pytrace-test-supervise.XXXXXX";
	int fd = mkstemp(path), rc;
	FILE *f;

	assert_true(fd >= 0);
	close(fd);
	rc = in_child(scenario, path);
	f = fopen(path, "r");
	assert_non_null(f);
	buf[fread(buf, 1, len - 1, f)] = '\0';
	fclose(f);
	unlink(path);
	return rc;
}

static int start(const char *cmd, struct spawn *child)
{
	char err[256];

	if (spawn_command(cmd, false, NULL, child, err, sizeof(err)) < 0 ||
	    spawn_release(child, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

/* The engine's view of the rest of the command: a count to report, and
 * the signals supervise sent to the group. */
static int fake_count;
static int fake_sigs[8], fake_nsigs;

static int fake_others(void *ctx, bool group_only, int sig, char *some, size_t len)
{
	(void)ctx;
	if (sig && fake_nsigs < 8)
		fake_sigs[fake_nsigs++] = sig;
	if (!group_only && some && len)
		snprintf(some, len, "4242");
	return group_only ? 0 : fake_count;
}

/* Ticks at time now until a verdict other than SUP_TRACE, for at most
 * about 5 s of real time (the command needs to be reaped). */
static enum supervise_verdict tick_until(struct supervisor *s, struct run_result *res,
					 uint64_t now)
{
	enum supervise_verdict v = SUP_TRACE;

	for (int i = 0; i < 500 && v == SUP_TRACE; i++) {
		v = supervise_tick(s, NULL, res, now);
		if (v == SUP_TRACE)
			usleep(10000);
	}
	return v;
}

static void test_escalation_clock(void **state)
{
	(void)state;
	struct escalation e = { 0 };
	uint64_t t = 1000;

	assert_int_equal(escalation_due(&e, t + SUPERVISE_GRACE_NS * 10), 0);   /* not asked */
	escalation_begin(&e, t);
	assert_int_equal(escalation_due(&e, t), 0);
	assert_int_equal(escalation_due(&e, t + SUPERVISE_GRACE_NS - 1), 0);
	assert_int_equal(escalation_due(&e, t + SUPERVISE_GRACE_NS), SIGTERM);
	assert_int_equal(escalation_due(&e, t + SUPERVISE_GRACE_NS), 0);        /* once */
	assert_int_equal(escalation_due(&e, t + SUPERVISE_GRACE_NS + SUPERVISE_KILL_NS - 1), 0);
	assert_int_equal(escalation_due(&e, t + SUPERVISE_GRACE_NS + SUPERVISE_KILL_NS), SIGKILL);
	assert_int_equal(escalation_due(&e, UINT64_MAX), 0);
}

/* kill(1) on pytrace: the command gets the same signal at once. */
static int forwarded(void)
{
	struct spawn child;
	struct supervisor s;
	struct run_result res = { 0 };

	CHECK(start("exec sleep 30", &child) == 0);
	supervise_init(&s, &child, 0, fake_others, NULL);
	supervise_started(&s, now_ns());
	signals_install();
	kill(getpid(), SIGTERM);
	CHECK(tick_until(&s, &res, now_ns()) == SUP_DONE);
	CHECK(res.interrupted && res.target_exited);
	CHECK(spawn_exit_code(&child) == 128 + SIGTERM);
	CHECK(s.esc.step == 0);              /* the command's own end, no escalation */
	CHECK(fake_nsigs == 1 && fake_sigs[0] == SIGTERM);   /* its group got it too */
	return 0;
}

static void test_signal_to_pytrace_reaches_the_command(void **state)
{
	(void)state;
	assert_int_equal(in_child(forwarded, NULL), 0);
}

/* A command ignoring SIGINT and SIGTERM: SIGTERM after the grace (ignored),
 * SIGKILL after the kill grace, to the main process and the group. */
static int escalated(void)
{
	struct spawn child;
	struct supervisor s;
	struct run_result res = { 0 };
	uint64_t t0 = now_ns();

	CHECK(start("trap '' INT TERM; exec sleep 30", &child) == 0);
	usleep(100000);   /* the shell has set its traps */
	supervise_init(&s, &child, 0, fake_others, NULL);
	supervise_started(&s, t0);
	signals_install();
	kill(getpid(), SIGINT);
	CHECK(supervise_tick(&s, NULL, &res, t0) == SUP_TRACE);
	CHECK(res.interrupted);
	CHECK(supervise_tick(&s, NULL, &res, t0 + SUPERVISE_GRACE_NS - 1) == SUP_TRACE);
	CHECK(fake_nsigs == 1 && fake_sigs[0] == SIGINT);    /* passed on, ignored */
	CHECK(supervise_tick(&s, NULL, &res, t0 + SUPERVISE_GRACE_NS) == SUP_TRACE);
	CHECK(fake_nsigs == 2 && fake_sigs[1] == SIGTERM);
	usleep(200000);
	CHECK(supervise_tick(&s, NULL, &res, t0 + SUPERVISE_GRACE_NS) == SUP_TRACE);
	CHECK(!child.reaped);                /* SIGTERM ignored too */
	CHECK(tick_until(&s, &res, t0 + SUPERVISE_GRACE_NS + SUPERVISE_KILL_NS) == SUP_DONE);
	CHECK(fake_nsigs == 3 && fake_sigs[2] == SIGKILL);
	CHECK(spawn_exit_code(&child) == 128 + SIGKILL);
	return 0;
}

static void test_ignored_stop_escalates_to_sigkill(void **state)
{
	(void)state;
	assert_int_equal(in_child(escalated, NULL), 0);
}

/* --duration: tracing stops, the command runs to its end with its status. */
static int duration(void)
{
	struct spawn child;
	struct supervisor s;
	struct run_result res = { 0 };
	uint64_t t0 = now_ns();

	CHECK(start("sleep 0.5; exit 7", &child) == 0);
	supervise_init(&s, &child, 0.1, fake_others, NULL);
	supervise_started(&s, t0);
	signals_install();
	CHECK(supervise_tick(&s, NULL, &res, t0 + 50000000ull) == SUP_TRACE);
	CHECK(supervise_tick(&s, NULL, &res, t0 + 100000000ull) == SUP_DETACH);
	CHECK(res.interrupted && !res.target_exited);
	CHECK(!spawn_poll(&child));          /* not ended by the detach */
	supervise_wait(&s, &res);
	CHECK(child.reaped && spawn_exit_code(&child) == 7);
	CHECK(fake_nsigs == 0);
	return 0;
}

static void test_duration_lets_the_command_finish(void **state)
{
	(void)state;
	assert_int_equal(in_child(duration, NULL), 0);
}

/* After --duration, a kill(1) on pytrace still reaches the command. */
static int wait_forwards(void)
{
	struct spawn child;
	struct supervisor s;
	struct run_result res = { 0 };
	uint64_t t0 = now_ns();

	CHECK(start("exec sleep 30", &child) == 0);
	supervise_init(&s, &child, 0.1, fake_others, NULL);
	supervise_started(&s, t0);
	signals_install();
	CHECK(supervise_tick(&s, NULL, &res, t0 + 200000000ull) == SUP_DETACH);
	kill(getpid(), SIGHUP);
	supervise_wait(&s, &res);
	CHECK(spawn_exit_code(&child) == 128 + SIGHUP);
	CHECK(s.esc.step == 0);
	return 0;
}

static void test_final_wait_passes_signals_on(void **state)
{
	(void)state;
	assert_int_equal(in_child(wait_forwards, NULL), 0);
}

/* The main process ends with others of the command still running. */
static int left(void)
{
	struct spawn child;
	struct supervisor s;
	struct run_result res = { 0 };

	CHECK(start("exit 0", &child) == 0);
	fake_count = 3;
	supervise_init(&s, &child, 0, fake_others, NULL);
	supervise_started(&s, now_ns());
	CHECK(tick_until(&s, &res, now_ns()) == SUP_DONE);
	CHECK(res.target_exited && !res.interrupted);
	return 0;
}

static void test_processes_left_are_named(void **state)
{
	(void)state;
	char buf[512];

	assert_int_equal(stderr_of(left, buf, sizeof(buf)), 0);
	assert_non_null(strstr(buf, "3 of its processes still run (PID 4242)"));
}

/* A main process SIGKILL does not end (stuck in the kernel) is given up
 * SPAWN_GIVEUP_NS after the SIGKILL, never waited for without end.  One
 * pytrace cannot reap stands in for it: a grandchild, whose end waitpid
 * never sees. */
static int hopeless(void)
{
	struct supervisor s;
	struct run_result res = { 0 };
	uint64_t t0 = now_ns(), killed = t0 + SUPERVISE_GRACE_NS + SUPERVISE_KILL_NS;
	struct spawn child = { .go_fd = -1 };
	int fds[2];
	pid_t a;

	CHECK(pipe(fds) == 0);
	a = fork();
	CHECK(a >= 0);
	if (a == 0) {
		pid_t b = fork();

		if (b == 0) {
			execlp("sleep", "sleep", "30", (char *)NULL);
			_exit(127);
		}
		_exit(write(fds[1], &b, sizeof(b)) == sizeof(b) ? 0 : 1);
	}
	CHECK(read(fds[0], &child.pid, sizeof(child.pid)) == sizeof(child.pid));
	CHECK(waitpid(a, NULL, 0) == a);
	supervise_init(&s, &child, 0, fake_others, NULL);
	supervise_started(&s, t0);
	signals_install();
	kill(getpid(), SIGINT);
	CHECK(supervise_tick(&s, NULL, &res, t0) == SUP_TRACE);
	CHECK(supervise_tick(&s, NULL, &res, t0 + SUPERVISE_GRACE_NS) == SUP_TRACE);
	CHECK(supervise_tick(&s, NULL, &res, killed) == SUP_TRACE);
	CHECK(fake_nsigs == 3 && fake_sigs[2] == SIGKILL);
	CHECK(supervise_tick(&s, NULL, &res, killed + SPAWN_GIVEUP_NS - 1) == SUP_TRACE);
	CHECK(!child.given_up);
	CHECK(supervise_tick(&s, NULL, &res, killed + SPAWN_GIVEUP_NS) == SUP_DONE);
	CHECK(child.given_up && !child.reaped && res.target_exited);
	CHECK(spawn_exit_code(&child) == 128 + SIGKILL);
	supervise_wait(&s, &res);            /* nothing left to wait for */
	return 0;
}

static void test_unkillable_command_is_given_up(void **state)
{
	(void)state;
	char buf[512];

	assert_int_equal(stderr_of(hopeless, buf, sizeof(buf)), 0);
	assert_non_null(strstr(buf, "after SIGKILL"));
	assert_non_null(strstr(buf, "pytrace stops waiting for it"));
}

/* The final wait gives up the same way (the clock is real there: the
 * escalation is set as if SIGKILL went out SPAWN_GIVEUP_NS ago). */
static int wait_hopeless(void)
{
	struct supervisor s;
	struct run_result res = { 0 };
	struct spawn child = { .go_fd = -1 };
	uint64_t now = now_ns();

	child.pid = getpid();    /* never ours to reap; not signalled below */
	supervise_init(&s, &child, 0, fake_others, NULL);
	s.stopping = true;
	s.esc.since = now - (SUPERVISE_GRACE_NS + SUPERVISE_KILL_NS + SPAWN_GIVEUP_NS);
	s.esc.step = 2;
	supervise_wait(&s, &res);
	CHECK(child.given_up && spawn_exit_code(&child) == 128 + SIGKILL);
	CHECK(fake_nsigs == 0);
	return 0;
}

static void test_final_wait_gives_up_too(void **state)
{
	(void)state;
	assert_int_equal(in_child(wait_hopeless, "/dev/null"), 0);
}

/* A held command that does not exit when the tracer gives up (here:
 * stopped) is killed, not waited for without end. */
static void test_abort_kills_a_held_child_that_stays(void **state)
{
	(void)state;
	struct spawn child;
	char err[256];

	assert_int_equal(spawn_command("exit 0", false, NULL, &child, err, sizeof(err)), 0);
	kill(child.pid, SIGSTOP);
	spawn_abort(&child);
	assert_true(child.reaped);
	assert_int_equal(spawn_exit_code(&child), 128 + SIGKILL);
}

/* -p: a stop or --duration detaches; supervise_wait has nothing to wait for. */
static int pid_mode(void)
{
	struct supervisor s;
	struct run_result res = { 0 };
	uint64_t t0 = now_ns();

	supervise_init(&s, NULL, 1, NULL, NULL);
	supervise_started(&s, t0);
	signals_install();
	CHECK(supervise_tick(&s, NULL, &res, t0) == SUP_TRACE);
	CHECK(supervise_tick(&s, NULL, &res, t0 + 1000000000ull) == SUP_DETACH);
	CHECK(res.interrupted && !res.target_exited);
	supervise_wait(&s, &res);
	return 0;
}

static void test_pid_mode_detaches(void **state)
{
	(void)state;
	assert_int_equal(in_child(pid_mode, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escalation_clock),
		cmocka_unit_test(test_signal_to_pytrace_reaches_the_command),
		cmocka_unit_test(test_ignored_stop_escalates_to_sigkill),
		cmocka_unit_test(test_duration_lets_the_command_finish),
		cmocka_unit_test(test_final_wait_passes_signals_on),
		cmocka_unit_test(test_processes_left_are_named),
		cmocka_unit_test(test_pid_mode_detaches),
		cmocka_unit_test(test_unkillable_command_is_given_up),
		cmocka_unit_test(test_final_wait_gives_up_too),
		cmocka_unit_test(test_abort_kills_a_held_child_that_stays),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
