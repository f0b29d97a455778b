/* bpf_call_hold: the held call of each thread (3.15 creation entries), and
 * thrown-into frames whose call is put back where they resumed, nested. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bpf_call_hold.h"
#include "engine_bpf.h"
#include "event.h"

/* A record: kind, ts, tid and a function name (no file). */
static struct bpf_event *rec(int kind, uint64_t ts, uint32_t tid, const char *func)
{
	size_t n = strlen(func);
	struct bpf_event *e = calloc(1, sizeof(*e) + n);
	e->kind = (uint8_t)kind;
	e->ts = ts;
	e->tid = tid;
	e->func_len = (uint16_t)n;
	memcpy((char *)e + sizeof(*e), func, n);
	return e;
}

/* "call f@ts return f@ts ..." of the held records */
static void expect_recs(const struct thrown *t, const char *want)
{
	char got[512] = "";
	for (size_t i = 0; i < t->nrecs; i++) {
		const struct bpf_event *e = (const struct bpf_event *)t->recs[i];
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s %.*s@%llu",
			 i ? " " : "", e->kind == EV_CALL ? "call" : "return", (int)e->func_len,
			 (const char *)e + sizeof(*e), (unsigned long long)e->ts);
	}
	assert_string_equal(got, want);
}

static bool take(struct thrown *t, int kind, uint64_t ts, const char *func)
{
	struct bpf_event *e = rec(kind, ts, t->tid, func);
	bool done = throw_hold_take(t, e);
	free(e);
	return done;
}

static void test_thrown_frame_gets_its_call(void **state)
{
	struct throw_hold h = {0};
	struct thrown *t;

	(void)state;
	assert_null(throw_hold_find(&h, 7));
	throw_hold_mark(&h, 7, 100);
	t = throw_hold_find(&h, 7);
	assert_non_null(t);
	assert_null(throw_hold_find(&h, 8));
	/* the generator's finally calls cleanup, then the generator returns */
	assert_false(take(t, EV_CALL, 110, "cleanup"));
	assert_false(take(t, EV_RETURN, 120, "cleanup"));
	assert_true(take(t, EV_RETURN, 130, "gen"));
	expect_recs(t, "call gen@100 call cleanup@110 return cleanup@120 return gen@130");
	throw_hold_done(t);
	assert_null(throw_hold_find(&h, 7));
	throw_hold_free(&h);
}

static void test_nested_marks(void **state)
{
	struct throw_hold h = {0};
	struct thrown *t;

	(void)state;
	throw_hold_mark(&h, 1, 10);                  /* throw into outer */
	t = throw_hold_find(&h, 1);
	assert_false(take(t, EV_CALL, 11, "helper"));
	throw_hold_mark(&h, 1, 12);                  /* helper throws into inner */
	assert_false(take(t, EV_RETURN, 13, "inner"));
	assert_false(take(t, EV_RETURN, 14, "helper"));
	assert_true(take(t, EV_RETURN, 15, "outer"));
	expect_recs(t, "call outer@10 call helper@11 call inner@12 return inner@13 "
		       "return helper@14 return outer@15");
	throw_hold_done(t);
	/* the slot is reused for another thread */
	throw_hold_mark(&h, 2, 20);
	t = throw_hold_find(&h, 2);
	assert_true(take(t, EV_RETURN, 21, "g"));
	expect_recs(t, "call g@20 return g@21");
	throw_hold_free(&h);
}

static void test_held_calls(void **state)
{
	struct call_hold h = {0};
	struct bpf_event *a = rec(EV_CALL, 5, 3, "gen"), *b = rec(EV_CALL, 6, 4, "f");
	struct held_call *c;

	(void)state;
	assert_null(call_hold_find(&h, 3));
	call_hold_put(&h, 3, a->ts, a, sizeof(*a) + a->func_len);
	call_hold_put(&h, 4, b->ts, b, sizeof(*b) + b->func_len);
	c = call_hold_find(&h, 3);
	assert_non_null(c);
	assert_memory_equal(c->rec, a, sizeof(*a) + a->func_len);
	call_hold_clear(c);
	assert_null(call_hold_find(&h, 3));
	assert_non_null(call_hold_find(&h, 4));
	call_hold_free(&h);
	free(a);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_thrown_frame_gets_its_call),
		cmocka_unit_test(test_nested_marks),
		cmocka_unit_test(test_held_calls),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
