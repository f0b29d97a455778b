/* Everything the command line can say, parsed once by main.c (cli.c).
 * Only the command layer (main, cli, the cmd_* files, trace.c, replay.c,
 * plan_build) reads it: the pipeline gets a pipeline_config, renderers
 * their render_settings, engines the plan. */
#ifndef PYTRACE_OPTIONS_H
#define PYTRACE_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "filter.h"
#include "pipeline.h"
#include "render.h"
#include "top_model.h"

struct engine_ops;

enum command { CMD_TRACE, CMD_LIST, CMD_DOCTOR, CMD_TAPSET, CMD_REPLAY, CMD_TOP };
struct options {
	enum command command;

	/* what to trace */
	const char *command_line;      /* -c CMD */
	const char *user;              /* -u USER: run the -c command as USER */
	pid_t pid;                     /* -p PID (0: none) */
	const char *python;            /* --python PATH: overrides discovery */
	const char *list_target;       /* `list PYTHON` positional */
	bool json;                     /* `list --json` */
	const char *replay;            /* --replay FILE ("-" = stdin) */
	unsigned markers;              /* MARK() bits, default MARKS_CALLS */

	/* engines */
	const struct engine_ops *engine;   /* --engine NAME (engines[]); NULL: auto */
	bool print_script;             /* --print-script (stap) */
	bool entry_fix;                /* 3.11 entry fix, off with --no-entry-fix */
	bool follow;                   /* trace child pythons, off with --no-follow */
	double duration;               /* --duration SEC, 0 = until exit/Ctrl-C */
	size_t buffer_size;            /* --buffer-size BYTES, 0 = engine default */

	/* filters: --include, --exclude, --function, --no-stdlib, --max-depth,
	 * --min-duration, --pid, --tid */
	struct filter_spec filter;

	/* output */
	const struct render_ops *format;   /* -f NAME (render_formats[]) */
	const char *output;            /* -o FILE, NULL = stdout */
	enum color_mode color;
	bool summary;                  /* --summary: table on stderr after a text trace */
	bool kernel_summary;           /* -f summary alone computed by the engine
					* (summary_kernel.h); off with --no-kernel-summary */
	enum summary_format summary_format;
	const char *summary_file;      /* --summary-file: the table appended there */
	bool show_startup;             /* --startup: -c text shows interpreter start-up */
	enum flame_by flame_by;        /* --flame-by: root frames in folded and svg */

	/* pytrace top */
	uint64_t interval_ns;          /* --interval, default 1 s */
	long iterations;               /* -n N: stop after N refreshes, 0 = no limit */
	enum top_sort top_sort;        /* --sort: the first order */

	bool strict;                   /* lost events / skipped input lines are errors */
	bool quiet;
};

/* The pipeline's part of the options (pointers into o, which outlives it). */
void options_pipeline_config(const struct options *o, struct pipeline_config *c);

#endif
