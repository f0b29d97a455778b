/* The engines pytrace knows, in --engine auto's order (engine.h). */
#include <stdbool.h>

#include "engine.h"

const struct engine_ops *const engines[] = { &engine_stap, &engine_bpf, NULL };

const struct engine_ops *engine_fallback(const struct engine_ops *const *list,
					 const struct engine_ops *e,
					 const struct trace_plan *plan, char *why, size_t len)
{
	char skip[256];
	size_t i = 0;

	if (e->available(plan, why, len))
		return NULL;
	while (list[i] && list[i] != e)
		i++;
	for (i = list[i] ? i + 1 : 0; list[i]; i++)
		if (list[i]->available(plan, skip, sizeof(skip)))
			return list[i];
	return NULL;
}

