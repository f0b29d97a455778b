/* proc_tree.h against real process trees started as a -c command
 * (spawn.h): background children, a setsid daemon (counted, never
 * signalled with the group, still known after its parent is gone), an
 * orphan left in the group (counted and signalled), and pytrace's own other
 * children (never the command's). */
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
#include "proc_tree.h"
#include "spawn.h"

static void start(const char *cmd, struct spawn *child, struct proc_tree *t)
{
	char err[256];

	assert_int_equal(spawn_command(cmd, false, NULL, child, err, sizeof(err)), 0);
	proc_tree_init(t, child->pid);
	assert_int_equal(spawn_release(child, err, sizeof(err)), 0);
}

/* Wait (5 s at most) until the command has n other processes (in its
 * process group only, when group_only). */
static int count_soon(struct proc_tree *t, bool group_only, int n)
{
	int got = -1;

	for (int i = 0; i < 100; i++) {
		got = proc_tree_others(t, group_only, 0, NULL, 0);
		if (got == n)
			break;
		usleep(50000);
	}
	return got;
}

static int others_soon(struct proc_tree *t, int n)
{
	return count_soon(t, false, n);
}

static void reap(struct spawn *child)
{
	while (!spawn_poll(child))
		usleep(10000);
}

static void test_children_and_a_daemon(void **state)
{
	(void)state;
	struct spawn child;
	struct proc_tree t;
	char some[96];
	pid_t helper;

	/* pytrace's own other child (stap, a watchdog): never the command's */
	helper = fork();
	assert_true(helper >= 0);
	if (helper == 0) {
		pause();
		_exit(0);
	}
	start("sleep 30 & setsid sleep 30 & wait", &child, &t);
	assert_int_equal(others_soon(&t, 2), 2);
	/* the daemon left the group (its setsid() may come a moment after
	 * its fork is seen) */
	assert_int_equal(count_soon(&t, true, 1), 1);
	assert_int_equal(proc_tree_others(&t, false, 0, some, sizeof(some)), 2);
	/* SIGTERM to the group: the shell and the background sleep end, the
	 * daemon lives on, now a child of init, and is still known */
	kill(child.pid, SIGTERM);
	assert_int_equal(proc_tree_others(&t, true, SIGTERM, NULL, 0), 1);
	reap(&child);
	assert_int_equal(others_soon(&t, 1), 1);
	assert_int_equal(proc_tree_others(&t, true, 0, NULL, 0), 0);
	assert_int_equal(proc_tree_others(&t, false, SIGKILL, NULL, 0), 1);
	assert_int_equal(others_soon(&t, 0), 0);
	kill(helper, SIGKILL);
	waitpid(helper, NULL, 0);
	proc_tree_free(&t);
}

/* A subshell's background child outlives the subshell: an orphan, still
 * in the command's group, is the command's. */
static void test_orphan_in_the_group(void **state)
{
	(void)state;
	struct spawn child;
	struct proc_tree t;

	start("(sleep 30 &); exec sleep 30", &child, &t);
	assert_int_equal(others_soon(&t, 1), 1);
	assert_int_equal(proc_tree_others(&t, true, SIGKILL, NULL, 0), 1);
	assert_int_equal(others_soon(&t, 0), 0);
	kill(child.pid, SIGKILL);
	reap(&child);
	proc_tree_free(&t);
}

/* The look is rate-limited unless forced. */
static void test_look_rate(void **state)
{
	(void)state;
	struct spawn child;
	struct proc_tree t;
	uint64_t now = now_ns();

	start("exec sleep 30", &child, &t);
	proc_tree_look(&t, now, false);
	assert_int_equal(t.looked_ns, now);
	proc_tree_look(&t, now + PROC_TREE_SCAN_NS - 1, false);
	assert_int_equal(t.looked_ns, now);
	proc_tree_look(&t, now + PROC_TREE_SCAN_NS, false);
	assert_int_equal(t.looked_ns, now + PROC_TREE_SCAN_NS);
	kill(child.pid, SIGKILL);
	reap(&child);
	proc_tree_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_children_and_a_daemon),
		cmocka_unit_test(test_orphan_in_the_group),
		cmocka_unit_test(test_look_rate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
