/* sdt_arg: every operand form GCC emits on x86-64, every register name,
 * and every error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sdt_arg.h"

static struct sdt_arg parse_ok(const char *s)
{
	struct sdt_arg a;
	char err[256] = "";
	int n = sdt_arg_parse(s, &a, err, sizeof(err));
	if (n != (int)strcspn(s, " "))
		fail_msg("'%s': consumed %d (err: %s)", s, n, err);
	return a;
}

static void expect_error(const char *s, const char *needle)
{
	struct sdt_arg a;
	char err[256] = "";
	int n = sdt_arg_parse(s, &a, err, sizeof(err));
	if (n != -1)
		fail_msg("'%s' parsed (%d) but should fail", s, n);
	if (!strstr(err, needle))
		fail_msg("'%s': error '%s' lacks '%s'", s, err, needle);
}

static void test_register(void **state)
{
	(void)state;
	struct sdt_arg a = parse_ok("8@%rbp");
	assert_int_equal(a.type, SDT_ARG_REG);
	assert_int_equal(a.size, 8);
	assert_false(a.is_signed);
	assert_int_equal(a.reg, 6);
	assert_string_equal(a.reg_name, "rbp");
	assert_int_equal(a.reg_width, 8);

	a = parse_ok("-4@%eax");
	assert_int_equal(a.type, SDT_ARG_REG);
	assert_int_equal(a.size, 4);
	assert_true(a.is_signed);
	assert_int_equal(a.reg, 0);
	assert_string_equal(a.reg_name, "rax");
	assert_int_equal(a.reg_width, 4);
}

static void test_memory(void **state)
{
	(void)state;
	struct sdt_arg a = parse_ok("-4@112(%rsp)");
	assert_int_equal(a.type, SDT_ARG_MEM);
	assert_int_equal(a.size, 4);
	assert_true(a.is_signed);
	assert_int_equal(a.reg, 7);
	assert_int_equal(a.disp, 112);

	a = parse_ok("8@-24(%rbp)");
	assert_int_equal(a.type, SDT_ARG_MEM);
	assert_int_equal(a.reg, 6);
	assert_int_equal(a.disp, -24);
	assert_false(a.is_signed);

	a = parse_ok("2@(%r13)");
	assert_int_equal(a.type, SDT_ARG_MEM);
	assert_int_equal(a.size, 2);
	assert_int_equal(a.reg, 13);
	assert_int_equal(a.disp, 0);

	a = parse_ok("1@0x10(%rip)");
	assert_int_equal(a.reg, 16);
	assert_int_equal(a.disp, 16);
}

static void test_constant(void **state)
{
	(void)state;
	struct sdt_arg a = parse_ok("-8@$5");
	assert_int_equal(a.type, SDT_ARG_CONST);
	assert_int_equal(a.size, 8);
	assert_true(a.is_signed);
	assert_int_equal(a.value, 5);
	assert_int_equal(a.reg, -1);

	a = parse_ok("-4@$-5");
	assert_int_equal(a.value, -5);
	a = parse_ok("8@$1099511627776");
	assert_true(a.value == (int64_t)1 << 40);
	a = parse_ok("1@$0");
	assert_int_equal(a.value, 0);
	assert_int_equal(a.size, 1);
}

/* Every general-purpose register name, all widths, with its DWARF number. */
/* GCC writes displacements and constants in decimal, leading zeros
 * included: "010" is ten (strtoll with base 0 would read octal eight). */
static void test_decimal_not_octal(void **state)
{
	(void)state;
	struct sdt_arg a = parse_ok("8@010(%rbp)");
	assert_int_equal(a.disp, 10);
	a = parse_ok("-4@-010(%rsp)");
	assert_int_equal(a.disp, -10);
	a = parse_ok("8@09(%rax)");          /* not an octal number at all */
	assert_int_equal(a.disp, 9);
	a = parse_ok("4@$010");
	assert_int_equal(a.value, 10);
	a = parse_ok("4@$-0x10");            /* an explicit 0x stays hexadecimal */
	assert_int_equal(a.value, -16);
}

static void test_all_register_names(void **state)
{
	(void)state;
	static const struct { const char *names[4]; int dwarf; } regs[] = {
		{{"rax", "eax", "ax", "al"}, 0},   {{"rdx", "edx", "dx", "dl"}, 1},
		{{"rcx", "ecx", "cx", "cl"}, 2},   {{"rbx", "ebx", "bx", "bl"}, 3},
		{{"rsi", "esi", "si", "sil"}, 4},  {{"rdi", "edi", "di", "dil"}, 5},
		{{"rbp", "ebp", "bp", "bpl"}, 6},  {{"rsp", "esp", "sp", "spl"}, 7},
		{{"r8", "r8d", "r8w", "r8b"}, 8},  {{"r9", "r9d", "r9w", "r9b"}, 9},
		{{"r10", "r10d", "r10w", "r10b"}, 10}, {{"r11", "r11d", "r11w", "r11b"}, 11},
		{{"r12", "r12d", "r12w", "r12b"}, 12}, {{"r13", "r13d", "r13w", "r13b"}, 13},
		{{"r14", "r14d", "r14w", "r14b"}, 14}, {{"r15", "r15d", "r15w", "r15b"}, 15},
	};
	static const int widths[4] = {8, 4, 2, 1};

	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		for (int w = 0; w < 4; w++) {
			char spec[32], back[32];
			snprintf(spec, sizeof(spec), "-%d@%%%s", widths[w], regs[i].names[w]);
			struct sdt_arg a = parse_ok(spec);
			assert_int_equal(a.type, SDT_ARG_REG);
			assert_int_equal(a.reg, regs[i].dwarf);
			assert_int_equal(a.reg_width, widths[w]);
			assert_string_equal(a.reg_name, regs[i].names[0]);
			/* formatting gives back the spec as written */
			sdt_arg_format(&a, back, sizeof(back));
			assert_string_equal(back, spec);
		}
	}
	/* Intel's r8l spelling is GAS's r8b */
	struct sdt_arg a = parse_ok("1@%r9l");
	assert_int_equal(a.reg, 9);
	assert_int_equal(a.reg_width, 1);
}

static void test_format_roundtrip(void **state)
{
	(void)state;
	static const char *const specs[] = {
		"-4@112(%rsp)", "8@-24(%rbp)", "-8@$5", "8@(%rax)", "-4@$-5", "2@%r10w",
	};
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		char back[64];
		struct sdt_arg a = parse_ok(specs[i]);
		sdt_arg_format(&a, back, sizeof(back));
		assert_string_equal(back, specs[i]);
	}
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("8@%xmm0", "not a general-purpose");
	expect_error("8@(%rax,%rbx,8)", "index/scale");
	expect_error("8@8(%rax,%rbx,8)", "index/scale");
	expect_error("-8@fixture_global_value(%rip)", "symbolic");
	expect_error("1@%ah", "high-byte");
	expect_error("1@%bh", "high-byte");
	expect_error("garbage", "size");
	expect_error("%rax", "size");
	expect_error("8%rax", "'@'");
	expect_error("3@%rax", "size 3");
	expect_error("16@%rax", "size 16");
	expect_error("8@$", "constant");
	expect_error("8@$x", "constant");
	expect_error("8@%", "empty register");
	expect_error("8@12%rax", "'('");
	expect_error("8@12(%rax", "')'");
	expect_error("8@12(rax)", "register");
	expect_error("8@12(%eax)", "64-bit base");
	expect_error("8@%raxx", "not a general-purpose");
	expect_error("8@%rax)", "unexpected text");
	expect_error("", "empty");
}

static void test_spec_list(void **state)
{
	(void)state;
	struct sdt_arg v[12];
	char err[256];

	assert_int_equal(sdt_args_parse("8@%rbp 8@%r12 -4@%eax", v, 12, err, sizeof(err)), 3);
	assert_int_equal(v[0].reg, 6);
	assert_int_equal(v[1].reg, 12);
	assert_int_equal(v[2].reg, 0);
	assert_true(v[2].is_signed);
	assert_int_equal(sdt_args_parse("", v, 12, err, sizeof(err)), 0);
	assert_int_equal(sdt_args_parse("  -4@112(%rsp)  ", v, 12, err, sizeof(err)), 1);
	assert_int_equal(v[0].disp, 112);
	/* 4 arguments (CPython 3.16's module argument): read the count, never assume 3 */
	assert_int_equal(sdt_args_parse("8@%rbp 8@%r12 -4@%eax 8@%rbx", v, 12, err, sizeof(err)), 4);
	/* too many */
	assert_int_equal(sdt_args_parse("8@%rax 8@%rax 8@%rax", v, 2, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "more than 2"));
	/* one bad argument fails the list and names it */
	assert_int_equal(sdt_args_parse("8@%rbp 8@%xmm1", v, 12, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "xmm1"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_register),
		cmocka_unit_test(test_memory),
		cmocka_unit_test(test_constant),
		cmocka_unit_test(test_decimal_not_octal),
		cmocka_unit_test(test_all_register_names),
		cmocka_unit_test(test_format_roundtrip),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_spec_list),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
