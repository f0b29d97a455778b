/* The engines pytrace knows, in --engine auto's order, and the choice
 * among them (engine.h). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "engine.h"
#include "exitcodes.h"
#include "log.h"
#include "summary_kernel.h"

const struct engine_ops *const engines[] = { &engine_stap, &engine_bpf, NULL };

/* Can e run here (for_top: and aggregate plan's interpreter)?  false with
 * why. */
static bool engine_serves(const struct engine_ops *e, bool for_top,
			  const struct trace_plan *plan, char *why, size_t len)
{
	if (for_top && !e->aggregate) {
		snprintf(why, len, "it cannot aggregate in the kernel (yet)");
		return false;
	}
	if (for_top && plan && !summary_kernel_follows(e, plan)) {
		snprintf(why, len, "its aggregation does not follow CPython %d.%d's markers",
			 plan->target.py_major, plan->target.py_minor);
		return false;
	}
	return e->available(plan, why, len);
}

const struct engine_ops *engine_choose(const struct engine_ops *wanted, bool for_top,
				       const struct trace_plan *plan, int *exit_code,
				       char *note, size_t notelen)
{
	char why[256] = "", first_why[256] = "", all[1024] = "";

	*exit_code = EXIT_NO_ENGINE;
	for (size_t i = 0; engines[i]; i++) {
		const struct engine_ops *e = engines[i];

		if (wanted && e != wanted)
			continue;
		why[0] = '\0';
		if (engine_serves(e, for_top, plan, why, sizeof(why))) {
			if (!wanted && i > 0 && note)
				snprintf(note, notelen, "engine: %s (%s cannot run here: %s)", e->name,
					 engines[0]->name, first_why);
			return e;
		}
		if (wanted) {
			if (for_top)
				error_msg("pytrace top cannot use the %s engine: %s", e->name, why);
			else
				error_msg("the %s engine cannot run here: %s", e->name, why);
			hint_msg("%s", !for_top || e->aggregate
				 ? e->unavailable_hint
				 : "leave --engine out: pytrace top picks one that can");
			return NULL;
		}
		if (i == 0)
			snprintf(first_why, sizeof(first_why), "%s", why);
		snprintf(all + strlen(all), sizeof(all) - strlen(all), "%s%s: %s", i ? "; " : "",
			 e->name, why);
	}
	error_msg("no engine can run%s here: %s", for_top ? " pytrace top" : "", all);
	hint_msg("`pytrace doctor` lists what each engine needs");
	return NULL;
}

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

