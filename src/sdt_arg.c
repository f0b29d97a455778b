/* SDT argument specs on x86-64.
 *
 * <sys/sdt.h> records each probe argument as the assembler operand GCC chose
 * for it, prefixed by its size: "N@OPERAND", N negative for a signed value.
 * On x86-64 GCC emits (AT&T syntax):
 *
 *   8@%rbp          register (any width name: %rax %eax %ax %al, %r8 %r8d
 *                   %r8w %r8b, %sil, ...)
 *   -4@112(%rsp)    memory at register + displacement
 *   8@-24(%rbp)     negative displacement
 *   8@(%rax)        memory, no displacement
 *   -8@$5           an immediate constant
 *
 * Anything else (SSE registers, index/scale addressing "(%rax,%rbx,8)",
 * symbolic displacements "var(%rip)", high-byte registers %ah) is rejected
 * with a message that names the part we do not understand: a tracer that
 * guesses an argument's location reads garbage.
 *
 * Register numbers follow the DWARF x86-64 numbering (rax 0, rdx 1, rcx 2,
 * rbx 3, rsi 4, rdi 5, rbp 6, rsp 7, r8-r15 8-15, rip 16), the order
 * SystemTap and the psABI use.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "sdt_arg.h"

struct reg_name {
	const char *name;
	int reg;      /* DWARF number */
	int width;    /* bytes */
};

/* Canonical 64-bit names, indexed by DWARF number. */
static const char *const reg64[] = {
	"rax", "rdx", "rcx", "rbx", "rsi", "rdi", "rbp", "rsp",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rip",
};

static const struct reg_name reg_names[] = {
	{"rax", 0, 8}, {"eax", 0, 4}, {"ax", 0, 2}, {"al", 0, 1},
	{"rdx", 1, 8}, {"edx", 1, 4}, {"dx", 1, 2}, {"dl", 1, 1},
	{"rcx", 2, 8}, {"ecx", 2, 4}, {"cx", 2, 2}, {"cl", 2, 1},
	{"rbx", 3, 8}, {"ebx", 3, 4}, {"bx", 3, 2}, {"bl", 3, 1},
	{"rsi", 4, 8}, {"esi", 4, 4}, {"si", 4, 2}, {"sil", 4, 1},
	{"rdi", 5, 8}, {"edi", 5, 4}, {"di", 5, 2}, {"dil", 5, 1},
	{"rbp", 6, 8}, {"ebp", 6, 4}, {"bp", 6, 2}, {"bpl", 6, 1},
	{"rsp", 7, 8}, {"esp", 7, 4}, {"sp", 7, 2}, {"spl", 7, 1},
	{"r8", 8, 8}, {"r8d", 8, 4}, {"r8w", 8, 2}, {"r8b", 8, 1},
	{"r9", 9, 8}, {"r9d", 9, 4}, {"r9w", 9, 2}, {"r9b", 9, 1},
	{"r10", 10, 8}, {"r10d", 10, 4}, {"r10w", 10, 2}, {"r10b", 10, 1},
	{"r11", 11, 8}, {"r11d", 11, 4}, {"r11w", 11, 2}, {"r11b", 11, 1},
	{"r12", 12, 8}, {"r12d", 12, 4}, {"r12w", 12, 2}, {"r12b", 12, 1},
	{"r13", 13, 8}, {"r13d", 13, 4}, {"r13w", 13, 2}, {"r13b", 13, 1},
	{"r14", 14, 8}, {"r14d", 14, 4}, {"r14w", 14, 2}, {"r14b", 14, 1},
	{"r15", 15, 8}, {"r15d", 15, 4}, {"r15w", 15, 2}, {"r15b", 15, 1},
	{"rip", 16, 8},
};
#define NREG_NAMES (sizeof(reg_names) / sizeof(reg_names[0]))

/* Intel's spelling of the low byte of r8-r15 ("r8l") means the same as GAS's "r8b". */
static const struct reg_name *lookup_reg(const char *name)
{
	char alias[8];
	size_t len = strlen(name);

	for (size_t i = 0; i < NREG_NAMES; i++)
		if (strcmp(reg_names[i].name, name) == 0)
			return &reg_names[i];
	if (len >= 3 && len < sizeof(alias) && name[0] == 'r' && name[len - 1] == 'l' &&
	    isdigit((unsigned char)name[1])) {
		memcpy(alias, name, len + 1);
		alias[len - 1] = 'b';
		for (size_t i = 0; i < NREG_NAMES; i++)
			if (strcmp(reg_names[i].name, alias) == 0)
				return &reg_names[i];
	}
	return NULL;
}

static const char *reg_name_for(int reg, int width)
{
	for (size_t i = 0; i < NREG_NAMES; i++)
		if (reg_names[i].reg == reg && reg_names[i].width == width)
			return reg_names[i].name;
	return "?";
}

/* Parses "%name" at s into out's register fields; returns chars consumed or -1. */
static int parse_reg(const char *s, const char *whole, struct sdt_arg *out,
		     char *err, size_t errlen)
{
	char name[16];
	size_t n = 0;
	const struct reg_name *r;

	if (*s != '%')
		return err_set(err, errlen, "SDT argument '%s': expected a register like %%rax", whole);
	s++;
	while (n < sizeof(name) - 1 && isalnum((unsigned char)s[n])) {
		name[n] = s[n];
		n++;
	}
	name[n] = '\0';
	if (n == 0)
		return err_set(err, errlen, "SDT argument '%s': empty register name", whole);
	if (strcmp(name, "ah") == 0 || strcmp(name, "bh") == 0 ||
	    strcmp(name, "ch") == 0 || strcmp(name, "dh") == 0)
		return err_set(err, errlen,
			       "SDT argument '%s': high-byte register %%%s is not supported",
			       whole, name);
	r = lookup_reg(name);
	if (!r)
		return err_set(err, errlen,
			       "SDT argument '%s': register %%%s is not a general-purpose x86-64 register",
			       whole, name);
	out->reg = r->reg;
	out->reg_name = reg64[r->reg];
	out->reg_width = r->width;
	return (int)n + 1;
}

/* A displacement or constant as GCC emits it: decimal ("010" is ten, not
 * octal eight), optionally signed; an explicit 0x prefix (hand-written
 * assembly) is hexadecimal. */
static int parse_int64(const char *s, int64_t *v, const char **end)
{
	const char *p = s;
	int base = 10;
	char *e;

	if (*p == '-' || *p == '+')
		p++;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && isxdigit((unsigned char)p[2]))
		base = 16;
	else if (!isdigit((unsigned char)*p))
		return -1;
	errno = 0;
	long long x = strtoll(s, &e, base);
	if (e == s || errno == ERANGE)
		return -1;
	*v = x;
	*end = e;
	return 0;
}

int sdt_arg_parse(const char *s, struct sdt_arg *out, char *err, size_t errlen)
{
	const char *p = s, *e;
	char whole[64];
	size_t wl = strcspn(s, " \t\n");
	int size, n;

	memset(out, 0, sizeof(*out));
	out->reg = -1;
	snprintf(whole, sizeof(whole), "%.*s", (int)(wl < 60 ? wl : 60), s);
	if (wl == 0)
		return err_set(err, errlen, "SDT argument is empty");

	/* size: "8@", "-4@" */
	if (*p == '-') {
		out->is_signed = true;
		p++;
	}
	if (!isdigit((unsigned char)*p))
		return err_set(err, errlen, "SDT argument '%s': expected a size like 8@ or -4@", whole);
	size = 0;
	while (isdigit((unsigned char)*p) && size < 100)
		size = size * 10 + (*p++ - '0');
	if (*p != '@')
		return err_set(err, errlen, "SDT argument '%s': expected '@' after the size", whole);
	p++;
	if (size != 1 && size != 2 && size != 4 && size != 8)
		return err_set(err, errlen, "SDT argument '%s': size %d is not 1, 2, 4 or 8",
			       whole, size);
	out->size = size;

	if (*p == '$') {                             /* -8@$5 */
		out->type = SDT_ARG_CONST;
		if (parse_int64(p + 1, &out->value, &e) < 0)
			return err_set(err, errlen, "SDT argument '%s': constant is not a number", whole);
		p = e;
	} else if (*p == '%') {                      /* 8@%rbp */
		out->type = SDT_ARG_REG;
		if ((n = parse_reg(p, whole, out, err, errlen)) < 0)
			return -1;
		p += n;
	} else {                                     /* -4@112(%rsp), 8@(%rax) */
		out->type = SDT_ARG_MEM;
		if (*p == '-' || *p == '+' || isdigit((unsigned char)*p)) {
			if (parse_int64(p, &out->disp, &e) < 0)
				return err_set(err, errlen, "SDT argument '%s': bad displacement", whole);
			p = e;
		} else if (*p != '(') {
			return err_set(err, errlen,
				       "SDT argument '%s': symbolic or unknown operand is not supported "
				       "(only register, disp(%%reg) and $constant)", whole);
		}
		if (*p != '(')
			return err_set(err, errlen, "SDT argument '%s': expected '(' after the displacement",
				       whole);
		p++;
		if ((n = parse_reg(p, whole, out, err, errlen)) < 0)
			return -1;
		p += n;
		if (*p == ',')
			return err_set(err, errlen,
				       "SDT argument '%s': index/scale addressing is not supported", whole);
		if (*p != ')')
			return err_set(err, errlen, "SDT argument '%s': expected ')'", whole);
		p++;
		if (out->reg_width != 8)
			return err_set(err, errlen,
				       "SDT argument '%s': memory operand needs a 64-bit base register", whole);
	}
	if (*p && !isspace((unsigned char)*p))
		return err_set(err, errlen, "SDT argument '%s': unexpected text after the operand", whole);
	return (int)(p - s);
}

int sdt_args_parse(const char *spec, struct sdt_arg *out, int max, char *err, size_t errlen)
{
	const char *p = spec;
	int count = 0, n;

	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		if (count >= max)
			return err_set(err, errlen, "SDT argument spec '%s' has more than %d arguments",
				       spec, max);
		if ((n = sdt_arg_parse(p, &out[count], err, errlen)) < 0)
			return -1;
		count++;
		p += n;
	}
	return count;
}

int sdt_arg_format(const struct sdt_arg *a, char *buf, size_t len)
{
	const char *sign = a->is_signed ? "-" : "";

	switch (a->type) {
	case SDT_ARG_CONST:
		return snprintf(buf, len, "%s%d@$%" PRId64, sign, a->size, a->value);
	case SDT_ARG_REG:
		return snprintf(buf, len, "%s%d@%%%s", sign, a->size, reg_name_for(a->reg, a->reg_width));
	case SDT_ARG_MEM:
		if (a->disp)
			return snprintf(buf, len, "%s%d@%" PRId64 "(%%%s)", sign, a->size, a->disp,
					reg_name_for(a->reg, a->reg_width));
		return snprintf(buf, len, "%s%d@(%%%s)", sign, a->size,
				reg_name_for(a->reg, a->reg_width));
	}
	return snprintf(buf, len, "?");
}
