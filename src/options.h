/* Everything the command line can say, parsed once by main.c (cli.c). */
#ifndef PYTRACE_OPTIONS_H
#define PYTRACE_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum command { CMD_TRACE, CMD_LIST, CMD_DOCTOR, CMD_TAPSET, CMD_REPLAY };
enum engine_kind { ENGINE_AUTO, ENGINE_STAP, ENGINE_BPF };
enum format { FMT_TEXT, FMT_JSON, FMT_CHROME, FMT_FOLDED, FMT_SUMMARY, FMT_RAW,
	       FMT_SPEEDSCOPE };
enum flame_by { FLAME_BY_NONE, FLAME_BY_PROCESS, FLAME_BY_THREAD };
enum color_mode { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };
enum summary_format { SUMMARY_TABLE, SUMMARY_MARKDOWN };

struct str_list {
	const char **v;
	size_t n, cap;
};

struct options {
	enum command command;

	/* what to trace */
	const char *command_line;      /* -c CMD */
	pid_t pid;                     /* -p PID (0: none) */
	const char *python;            /* --python PATH: overrides discovery */
	const char *list_target;       /* `list PYTHON` positional */
	bool json;                     /* `list --json` */
	const char *replay;            /* --replay FILE ("-" = stdin) */
	unsigned markers;              /* MARK() bits, default MARKS_CALLS */

	/* engines */
	enum engine_kind engine;
	bool print_script;             /* --print-script (stap) */
	bool entry_fix;                /* 3.11 entry fix, off with --no-entry-fix */
	bool follow;                   /* trace child pythons, off with --no-follow */
	double duration;               /* --duration SEC, 0 = until exit/Ctrl-C */
	size_t buffer_size;            /* --buffer-size BYTES, 0 = engine default */

	/* filters */
	struct str_list include;       /* --include GLOB on file path */
	struct str_list exclude;       /* --exclude GLOB on file path */
	struct str_list functions;     /* --function GLOB */
	bool no_stdlib;
	int max_depth;                 /* -1 = unlimited */
	uint64_t min_duration_ns;      /* 0 = off */
	struct str_list pids;          /* --pid N (as given; validated numbers) */
	struct str_list tids;          /* --tid N */

	/* output */
	enum format format;
	const char *output;            /* -o FILE, NULL = stdout */
	enum color_mode color;
	bool summary;                  /* --summary: table on stderr after a text trace */
	enum summary_format summary_format;
	enum flame_by flame_by;        /* --flame-by: root frames in folded and svg */

	bool strict;                   /* lost events / skipped input lines are errors */
	bool quiet;
};

void str_list_add(struct str_list *l, const char *s);

#endif
