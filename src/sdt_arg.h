/* SDT argument specs as GCC emits them on x86-64: "8@%rbp", "-4@%eax",
 * "-4@112(%rsp)", "8@-24(%rbp)", "-8@$5". A pure parser, unit tested. */
#ifndef PYTRACE_SDT_ARG_H
#define PYTRACE_SDT_ARG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum sdt_arg_type { SDT_ARG_CONST, SDT_ARG_REG, SDT_ARG_MEM };

struct sdt_arg {
	enum sdt_arg_type type;
	int size;                  /* bytes: 1, 2, 4, 8 */
	bool is_signed;            /* a leading '-' on the size */
	int reg;                   /* DWARF-ordered x86-64 register number, -1 for const */
	const char *reg_name;      /* canonical 64-bit name ("rax"), static storage */
	int reg_width;             /* width of the register as written: 8, 4, 2, 1 */
	int64_t disp;              /* memory displacement (SDT_ARG_MEM) */
	int64_t value;             /* constant (SDT_ARG_CONST) */
};

/* Parse one argument at s; on success returns the number of characters
 * consumed (> 0). On error returns -1 and fills err. */
int sdt_arg_parse(const char *s, struct sdt_arg *out, char *err, size_t errlen);

/* Parse a whole space-separated spec string into at most max arguments;
 * returns the count, or -1 with err filled. */
int sdt_args_parse(const char *spec, struct sdt_arg *out, int max, char *err, size_t errlen);

/* Print an argument back in a readable form ("8@%rbp" style), for `list`. */
int sdt_arg_format(const struct sdt_arg *a, char *buf, size_t len);

#endif
