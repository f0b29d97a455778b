/* Fuzz the SDT argument-spec parser: any bytes in, no crash; whatever
 * parses must print back to a spec that parses to the same arguments. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sdt_arg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sdt_arg a[12], b[12];
	char err[256], text[64];
	char *spec = malloc(size + 1);
	int n;

	memcpy(spec, data, size);
	spec[size] = '\0';
	n = sdt_args_parse(spec, a, 12, err, sizeof(err));
	for (int i = 0; i < n; i++) {
		if (sdt_arg_format(&a[i], text, sizeof(text)) < 0)
			abort();
		if (sdt_args_parse(text, b, 1, err, sizeof(err)) != 1)
			abort();
		if (a[i].type != b[0].type || a[i].size != b[0].size ||
		    a[i].is_signed != b[0].is_signed || a[i].reg != b[0].reg ||
		    (a[i].type == SDT_ARG_MEM && a[i].disp != b[0].disp) ||
		    (a[i].type == SDT_ARG_CONST && a[i].value != b[0].value))
			abort();
	}
	free(spec);
	return 0;
}
