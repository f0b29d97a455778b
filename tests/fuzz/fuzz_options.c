/* Fuzz the option-value parsers: --min-duration and the globs. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), err[256];
	uint64_t ns;

	memcpy(s, data, size);
	s[size] = '\0';
	(void)parse_duration_ns(s, &ns, err, sizeof(err));
	(void)parse_glob(s, err, sizeof(err));
	free(s);
	return 0;
}
