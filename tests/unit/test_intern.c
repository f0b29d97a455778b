/* String interning: stable dense ids, byte-exact (NULs, high bytes),
 * survives table growth and many long strings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "intern.h"

static void test_basic(void **state)
{
	(void)state;
	struct intern *in = intern_new();
	assert_int_equal(intern_id(in, "", 0), 0);
	uint32_t a = intern_id(in, "fib", 3);
	uint32_t b = intern_id(in, "fib.py", 6);
	assert_int_not_equal(a, b);
	assert_int_equal(intern_id(in, "fib", 3), a);
	assert_int_equal(intern_id(in, "fib.pyX", 6), b);   /* length counts, not NUL */
	assert_string_equal(intern_str(in, a)->s, "fib");
	assert_int_equal(intern_str(in, b)->len, 6);
	uint32_t z = intern_id(in, "a\0b", 3);
	assert_int_not_equal(z, intern_id(in, "a", 1));
	assert_memory_equal(intern_str(in, z)->s, "a\0b", 3);
	intern_free(in);
}

static void test_many(void **state)
{
	(void)state;
	struct intern *in = intern_new();
	char buf[5000];
	enum { N = 100000 };
	for (int i = 0; i < N; i++) {
		int n = snprintf(buf, sizeof(buf), "/some/long/path/%d/module_%d.py", i % 97, i);
		assert_int_equal(intern_id(in, buf, (size_t)n), (uint32_t)i + 1);
	}
	assert_int_equal(intern_count(in), N + 1);
	for (int i = N - 1; i >= 0; i -= 7) {
		int n = snprintf(buf, sizeof(buf), "/some/long/path/%d/module_%d.py", i % 97, i);
		assert_int_equal(intern_id(in, buf, (size_t)n), (uint32_t)i + 1);
		assert_memory_equal(intern_str(in, (uint32_t)i + 1)->s, buf, (size_t)n);
	}
	/* strings larger than an arena chunk */
	memset(buf, 'x', sizeof(buf));
	uint32_t big = intern_id(in, buf, sizeof(buf));
	assert_int_equal(intern_id(in, buf, sizeof(buf)), big);
	assert_int_equal(intern_str(in, big)->len, sizeof(buf));
	intern_free(in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_many),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
