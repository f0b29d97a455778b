/* cmd_trace: plan, engine, pipeline, exit status.
 * --engine auto prefers stap (the reference engine) where it can run and
 * otherwise says in one line why it took bpf. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "engine.h"
#include "exitcodes.h"
#include "log.h"
#include "plan.h"
#include "signals.h"
#include "stapgen.h"
#include "summary_kernel.h"

static int print_script(const struct options *o, struct trace_plan *plan)
{
	bool aggregate = summary_kernel_fits(o, &engine_stap, plan);
	char err[512] = "";

	if (aggregate)
		summary_kernel_plan(plan);
	if (stap_print_script(plan, aggregate, stdout, err, sizeof(err)) < 0) {
		error_msg("%s", err);
		return EXIT_PYTRACE_ERROR;
	}
	if (fflush(stdout) != 0) {
		error_msg("cannot write the script to standard output");
		return EXIT_PYTRACE_ERROR;
	}
	return EXIT_OK;
}

void engine_target_seen(struct pipeline *p, const struct py_target *t)
{
	pipeline_target_stdlib(p, t);
	if (t->health == HEALTH_RETURN_ON_YIELD)
		pipeline_match_returns(p);
}

int cmd_trace(const struct options *o)
{
	struct trace_plan plan;
	struct run_result res = { 0 };
	const struct engine_ops *engine = NULL;
	struct pipeline *p;
	char err[512] = "", note[320] = "";
	int code = EXIT_OK, rc;

	/* The engine first: without privileges, looking at the target fails
	 * too ("permission denied"), and the real problem is the engine. */
	if (!o->print_script) {
		engine = engine_choose(o->engine, false, NULL, &code, note, sizeof(note));
		if (!engine)
			return code;
	}
	rc = plan_build(o, &plan, err, sizeof(err));
	if (rc != 0) {
		error_msg("%s", err);
		return rc;
	}
	if (o->print_script) {
		code = print_script(o, &plan);
		plan_free(&plan);
		return code;
	}
	if (!o->engine) {
		/* auto: stap runs here but cannot express this plan (a -c
		 * python it cannot know in advance...): the next engine can. */
		char why[256] = "";
		const struct engine_ops *next = engine_fallback(engines, engine, &plan, why,
								sizeof(why));
		if (next) {
			snprintf(note, sizeof(note), "engine: %s (%s cannot trace this: %s)",
				 next->name, engine->name, why);
			engine = next;
		}
	}
	if (note[0])
		info_msg("%s", note);
	if (summary_kernel_fits(o, engine, &plan)) {
		code = summary_kernel_run(o, &plan, engine);
		plan_free(&plan);
		return code;
	}
	struct pipeline_config pc;
	options_pipeline_config(o, &pc);
	/* Start-up ends at the first call of the user's code: without call
	 * markers (3.12-3.14) there is no such call. */
	if (plan.events_only || !(plan.markers & MARK(EV_CALL)))
		pc.hide_startup = false;
	p = pipeline_new(&pc, err, sizeof(err));
	if (!p) {
		error_msg("%s", err);
		plan_free(&plan);
		return EXIT_PYTRACE_ERROR;
	}

	if (plan.have_target)
		engine_target_seen(p, &plan.target);
	signals_install();
	err[0] = '\0';
	code = EXIT_PYTRACE_ERROR;
	rc = engine->run(&plan, p, &res, &code, err, sizeof(err));
	if (rc < 0)
		error_msg("%s", err[0] ? err : "tracing failed");
	/* Failed before anything was traced: that one line is the whole story,
	 * no "0 events" report after it. */
	if (rc < 0 && pipeline_python_events(p) == 0)
		log_quiet = 1;

	err[0] = '\0';
	if (pipeline_finish(p, err, sizeof(err)) < 0) {
		error_msg("%s", err);
		if (rc == 0)
			code = o->strict && pipeline_data_lost(p) ? EXIT_DATA_LOSS
								    : EXIT_PYTRACE_ERROR;
		rc = -1;
	}
	/* CI asks --strict to fail on an empty trace: a python without
	 * markers, a wrong path or a command not found all look like one. */
	if (rc == 0 && o->strict && pipeline_python_events(p) == 0) {
		error_msg("no python event was captured (--strict makes this an error)");
		if (o->command_line)
			hint_msg("`pytrace list -c \"COMMAND\"` says whether its python has markers");
		else
			hint_msg("`pytrace list -p %d` says whether it has markers", (int)o->pid);
		code = EXIT_NO_EVENTS;
		rc = -1;
	}
	pipeline_free(p);
	plan_free(&plan);
	if (rc < 0)
		return code;
	/* With -c, pytrace's status is the command's. */
	return o->command_line ? res.exit_status : EXIT_OK;
}
