/* The engines pytrace knows, in --engine auto's order (engine.h). */
#include <string.h>

#include "engine.h"

const struct engine_ops *const engines[] = { &engine_stap, &engine_bpf, NULL };

const struct engine_ops *engine_by_name(const char *name)
{
	for (size_t i = 0; engines[i]; i++)
		if (strcmp(engines[i]->name, name) == 0)
			return engines[i];
	return NULL;
}
