/* Per-thread stacks: depth, durations, orphan returns never going below
 * zero, unreturned calls counted, threads and processes kept apart. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "stacks.h"

static void test_depth_and_duration(void **state)
{
	(void)state;
	struct stacks *st = stacks_new();
	struct thread *t = stacks_thread(st, 10, 10);
	struct frame f;
	uint64_t dur;
	stacks_call(st, t, 1, 2, 5, 100);
	stacks_call(st, t, 3, 2, 9, 150);
	assert_int_equal(t->n, 2);
	assert_true(stacks_return(st, t, 400, &f, &dur));
	assert_int_equal(f.func, 3);
	assert_int_equal(dur, 250);
	assert_true(stacks_return(st, t, 1000, &f, &dur));
	assert_int_equal(f.func, 1);
	assert_int_equal(dur, 900);
	/* a return with nothing open: an orphan, the depth stays 0 */
	assert_false(stacks_return(st, t, 1100, &f, &dur));
	assert_false(stacks_return(st, t, 1200, &f, &dur));
	assert_int_equal(t->n, 0);
	assert_int_equal(st->orphans, 2);
	stacks_call(st, t, 1, 2, 5, 1300);
	assert_int_equal(st->calls, 3);
	assert_int_equal(stacks_unreturned(st), 1);
	stacks_free(st);
}

static void test_threads(void **state)
{
	(void)state;
	struct stacks *st = stacks_new();
	struct thread *threads[300];
	for (int i = 0; i < 300; i++) {
		threads[i] = stacks_thread(st, 100 + i / 3, 1000 + i);
		for (int k = 0; k <= i % 5; k++)
			stacks_call(st, threads[i], (uint32_t)k, 0, 0, (uint64_t)k);
	}
	for (int i = 0; i < 300; i++) {
		assert_ptr_equal(stacks_thread(st, 100 + i / 3, 1000 + i), threads[i]);
		assert_int_equal(threads[i]->n, (size_t)(i % 5) + 1);
		assert_int_equal(threads[i]->proc->pid, 100 + i / 3);
		assert_int_equal(threads[i]->proc->nthreads, 3);
		assert_int_equal(threads[i]->rt.index, (uint32_t)i);
	}
	assert_int_equal(st->nprocs, 100);
	/* same tid in two processes: two threads */
	assert_ptr_not_equal(stacks_thread(st, 1, 5), stacks_thread(st, 2, 5));
	/* deep stacks grow */
	struct thread *d = stacks_thread(st, 9, 9);
	for (int i = 0; i < 100000; i++)
		stacks_call(st, d, 1, 1, 1, (uint64_t)i);
	assert_int_equal(d->n, 100000);
	stacks_free(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_depth_and_duration),
		cmocka_unit_test(test_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
