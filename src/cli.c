/* The command line: words and options into one struct options.
 * Every usage error is one line plus a pointer to --help, exit status 2. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "engine.h"
#include "event.h"
#include "exitcodes.h"
#include "filter.h"
#include "log.h"
#include "xmalloc.h"

enum long_only {
	OPT_PYTHON = 256, OPT_ENGINE, OPT_PRINT_SCRIPT, OPT_REPLAY, OPT_COLOR,
	OPT_LINES, OPT_GC, OPT_IMPORTS, OPT_AUDIT, OPT_ALL,
	OPT_INCLUDE, OPT_EXCLUDE, OPT_FUNCTION, OPT_NO_STDLIB, OPT_MAX_DEPTH,
	OPT_MIN_DURATION, OPT_PID, OPT_TID, OPT_SUMMARY, OPT_SUMMARY_FORMAT,
	OPT_SUMMARY_FILE, OPT_STARTUP,
	OPT_STRICT, OPT_NO_FOLLOW, OPT_NO_ENTRY_FIX, OPT_DURATION,
	OPT_BUFFER_SIZE, OPT_JSON, OPT_FLAME_BY, OPT_NO_KERNEL_SUMMARY, OPT_INTERVAL, OPT_SORT,
};

static const struct option long_options[] = {
	{ "command",        required_argument, NULL, 'c' },
	{ "attach",         required_argument, NULL, 'p' },
	{ "user",           required_argument, NULL, 'u' },
	{ "python",         required_argument, NULL, OPT_PYTHON },
	{ "engine",         required_argument, NULL, OPT_ENGINE },
	{ "print-script",   no_argument,       NULL, OPT_PRINT_SCRIPT },
	{ "replay",         required_argument, NULL, OPT_REPLAY },
	{ "format",         required_argument, NULL, 'f' },
	{ "output",         required_argument, NULL, 'o' },
	{ "color",          required_argument, NULL, OPT_COLOR },
	{ "colour",         required_argument, NULL, OPT_COLOR },
	{ "lines",          no_argument,       NULL, OPT_LINES },
	{ "gc",             no_argument,       NULL, OPT_GC },
	{ "imports",        no_argument,       NULL, OPT_IMPORTS },
	{ "audit",          no_argument,       NULL, OPT_AUDIT },
	{ "all",            no_argument,       NULL, OPT_ALL },
	{ "include",        required_argument, NULL, OPT_INCLUDE },
	{ "exclude",        required_argument, NULL, OPT_EXCLUDE },
	{ "function",       required_argument, NULL, OPT_FUNCTION },
	{ "no-stdlib",      no_argument,       NULL, OPT_NO_STDLIB },
	{ "max-depth",      required_argument, NULL, OPT_MAX_DEPTH },
	{ "min-duration",   required_argument, NULL, OPT_MIN_DURATION },
	{ "pid",            required_argument, NULL, OPT_PID },
	{ "tid",            required_argument, NULL, OPT_TID },
	{ "summary",        no_argument,       NULL, OPT_SUMMARY },
	{ "summary-format", required_argument, NULL, OPT_SUMMARY_FORMAT },
	{ "summary-file",   required_argument, NULL, OPT_SUMMARY_FILE },
	{ "no-kernel-summary", no_argument,    NULL, OPT_NO_KERNEL_SUMMARY },
	{ "startup",        no_argument,       NULL, OPT_STARTUP },
	{ "strict",         no_argument,       NULL, OPT_STRICT },
	{ "no-follow",      no_argument,       NULL, OPT_NO_FOLLOW },
	{ "no-entry-fix",   no_argument,       NULL, OPT_NO_ENTRY_FIX },
	{ "duration",       required_argument, NULL, OPT_DURATION },
	{ "buffer-size",    required_argument, NULL, OPT_BUFFER_SIZE },
	{ "json",           no_argument,       NULL, OPT_JSON },
	{ "flame-by",       required_argument, NULL, OPT_FLAME_BY },
	{ "interval",       required_argument, NULL, OPT_INTERVAL },
	{ "iterations",     required_argument, NULL, 'n' },
	{ "sort",           required_argument, NULL, OPT_SORT },
	{ "quiet",          no_argument,       NULL, 'q' },
	{ "help",           no_argument,       NULL, 'h' },
	{ "version",        no_argument,       NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

void cli_usage(FILE *out)
{
	fputs(
"Usage: pytrace [OPTIONS] -c \"COMMAND\"     trace a command, exit with its status\n"
"       pytrace [OPTIONS] -p PID           attach to a running python, Ctrl-C to detach\n"
"       pytrace [OPTIONS] --replay FILE    re-render a saved raw trace (- = stdin)\n"
"       pytrace list [PYTHON | -p PID | -c \"COMMAND\"] [--json]\n"
"       pytrace doctor                     which engines can run here, and why not\n"
"       pytrace tapset [PYTHON]            print a SystemTap tapset for PYTHON\n"
"       pytrace top [OPTIONS] -c \"COMMAND\" | -p PID\n"
"                                          a live per-function view (calls, calls/s,\n"
"                                          total, self, mean, max), aggregated in\n"
"                                          the kernel; keys c t s sort, p pause, q quit\n"
"\n"
"Shows every Python call and return as an indented tree, by probing CPython's\n"
"static markers (USDT). Needs root (or CAP_SYS_ADMIN; CAP_BPF+CAP_PERFMON are\n"
"not enough for uprobes; CAP_SYS_PTRACE too for -p on another user's process)\n"
"to trace live.\n"
"\n"
"Target:\n"
"  -c, --command CMD       run CMD through /bin/sh and trace the pythons it runs\n"
"  -p, --attach PID        attach to the running python PID\n"
"  -u, --user USER         run the -c command as USER (uid, groups, HOME,\n"
"                          USER, LOGNAME), like strace -u; needs root\n"
"      --python PATH       probe this interpreter instead of discovering it\n"
"      --no-follow         -c: do not trace child python processes\n"
"      --duration SEC      stop tracing after SEC seconds\n"
"\n"
"Markers (calls and returns are always traced):\n"
"      --lines             line events\n"
"      --gc                garbage collection start/done\n"
"      --imports           module import find/load start/done\n"
"      --audit             audit events (sys.audit)\n"
"      --all               all of the above\n"
"      --no-entry-fix      CPython 3.11: do not raise the line semaphore that\n"
"                          makes function__entry fire (see pytrace(1))\n"
"\n"
"Engine:\n"
"      --engine NAME       auto (default), stap or bpf\n"
"      --print-script      print the generated SystemTap script and exit\n"
"      --buffer-size SIZE  event buffer (e.g. 64M); larger loses fewer events\n"
"      --strict            lost events or skipped input lines are an error\n"
"\n"
"Filters (combinable; a hidden call's children move up one level):\n"
"      --include GLOB      only files matching GLOB (repeatable)\n"
"      --exclude GLOB      drop files matching GLOB (repeatable)\n"
"      --function GLOB     only functions matching GLOB (repeatable)\n"
"      --no-stdlib         drop <frozen ...> modules and the standard library\n"
"      --max-depth N       show at most N levels of calls\n"
"      --min-duration DUR  drop calls shorter than DUR (250us, 3ms, 1.5s)\n"
"      --pid N, --tid N    only these processes / threads (repeatable)\n"
"\n"
"Output:\n"
"  -f, --format FMT        text (default), json, chrome, folded, summary, raw,\n"
"                          speedscope, svg (an interactive flame graph)\n"
"  -o, --output FILE       write the trace to FILE instead of stdout;\n"
"                          FILE.gz is written gzip-compressed\n"
"      --flame-by WHAT     folded, svg: a root frame per process or per\n"
"                          thread (process, thread), or none (default)\n"
"      --color WHEN        auto (default: on a terminal), always, never\n"
"      --startup           text of -c: show each python's start-up (hidden\n"
"                          until its first call outside the stdlib)\n"
"      --summary           after the trace, a per-function table on stderr\n"
"      --summary-format F  table (default) or markdown\n"
"      --summary-file FILE the --summary table appended to FILE, not stderr\n"
"                          (CI: --summary-format markdown --summary-file\n"
"                          \"$GITHUB_STEP_SUMMARY\")\n"
"      --no-kernel-summary -f summary: count every event in pytrace, not in\n"
"                          the kernel (see pytrace(1))\n"
"  -q, --quiet             no informational messages, no status line\n"
"      --json              list: print JSON\n"
"  -h, --help              this help\n"
"  -V, --version           version\n"
"\n"
"top (also takes -c, -p, -u, --python, --engine, --duration, --no-follow,\n"
"--no-entry-fix, --buffer-size, --strict, --include, --exclude, --function,\n"
"--no-stdlib, --pid):\n"
"      --interval SEC      refresh every SEC seconds (default 1; 0.5, 250ms)\n"
"  -n, --iterations N      stop after N refreshes (CI: without a terminal,\n"
"                          one table per refresh on stdout)\n"
"      --sort KEY          calls (default), total or self\n"
"\n"
"Exit status: with -c the command's status (128+N if killed by signal N);\n"
"  0 success, 1 runtime error, 2 usage error, 4 target cannot be traced (not\n"
"  found, not a python, or lacks the markers), 5 no engine can run here or\n"
"  missing privileges, 6 --strict and events lost or input lines skipped,\n"
"  7 --strict and no python event was captured (live traces).\n", out);
}

static _Noreturn void usage_error(const char *fmt, ...) PRINTF_LIKE(1, 2);

/* An option whose value is a glob the shell may have expanded. */
static bool glob_option(const char *a)
{
	return strcmp(a, "--include") == 0 || strcmp(a, "--exclude") == 0 ||
	       strcmp(a, "--function") == 0;
}
static _Noreturn void usage_error(const char *fmt, ...)
{
	va_list ap;
	fputs("pytrace: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see pytrace --help)\n", stderr);
	exit(EXIT_USAGE);
}

void options_free(struct options *o)
{
	filter_spec_free(&o->filter);
	memset(o, 0, sizeof(*o));
}

/* A whole decimal number in [min, max], or a usage error naming the option. */
static long parse_long(const char *opt, const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		usage_error("%s wants a whole number from %ld to %ld, not '%s'", opt, min, max, s);
	return v;
}

/* SIZE with an optional K, M or G suffix (powers of 1024). */
static size_t parse_size(const char *opt, const char *s)
{
	char *end;
	unsigned long long v;
	int shift = 0;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || s[0] == '-')
		usage_error("%s wants a size such as 64M, not '%s'", opt, s);
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	default: break;
	}
	if (*end == 'i' || *end == 'B' || *end == 'b')
		end += (end[0] == 'i' && (end[1] == 'B' || end[1] == 'b')) ? 2 : 1;
	if (*end || v == 0 || v > (1ULL << 40) >> shift)
		usage_error("%s wants a size such as 64M, not '%s'", opt, s);
	return (size_t)(v << shift);
}

static int pick(const char *opt, const char *s, const char *const *names)
{
	for (int i = 0; names[i]; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	{
		char list[256] = "";
		for (int i = 0; names[i]; i++) {
			strncat(list, i ? ", " : "", sizeof(list) - strlen(list) - 1);
			strncat(list, names[i], sizeof(list) - strlen(list) - 1);
		}
		usage_error("%s wants one of %s, not '%s'", opt, list, s);
	}
}

/* -f NAME: a format of the registry (render_formats[]). */
static const struct render_ops *pick_format(const char *s)
{
	const char *names[16];
	size_t n = 0;

	for (size_t i = 0; render_formats[i] && n < 15; i++)
		names[n++] = render_formats[i]->name;
	names[n] = NULL;
	return render_formats[pick("-f", s, names)];
}

/* --engine NAME: auto (NULL), or an engine of the registry (engines[]). */
static const struct engine_ops *pick_engine(const char *s)
{
	const char *names[16] = { "auto" };
	size_t n = 1;

	for (size_t i = 0; engines[i] && n < 15; i++)
		names[n++] = engines[i]->name;
	names[n] = NULL;
	int k = pick("--engine", s, names);
	return k ? engines[k - 1] : NULL;
}

static void add_glob(struct str_list *l, const char *opt, const char *s)
{
	char err[256];
	if (parse_glob(s, err, sizeof(err)) < 0)
		usage_error("%s: %s", opt, err);
	str_list_add(l, s);
}

/* --pid/--tid: parsed here, once; the filter and the stap script get numbers. */
static void add_id(struct id_list *l, const char *opt, const char *s)
{
	int32_t id;

	if (parse_id(s, &id) < 0)
		usage_error("%s wants a whole number from %ld to %ld, not '%s'", opt, 1L,
			    (long)INT32_MAX, s);
	id_list_add(l, id);
}

static const char *const flame_by_names[] = { "none", "process", "thread", NULL };
static const char *const color_names[] = { "auto", "always", "never", NULL };
static const char *const summary_names[] = { "table", "markdown", NULL };
static const char *const sort_names[] = { "calls", "total", "self", NULL };

/* --duration, --interval: plain seconds, or a duration with a unit like
 * --min-duration's; above 0. */
static double parse_seconds(const char *opt, const char *s)
{
	uint64_t ns;
	char *end, err[256];
	double sec = strtod(s, &end);

	if (end != s && !*end && sec > 0 && sec < 1e9)
		return sec;
	if (parse_duration_ns(s, &ns, err, sizeof(err)) == 0 && ns > 0)
		return (double)ns / 1e9;
	usage_error("%s wants seconds above 0 (e.g. 2 or 1.5s), not '%s'", opt, s);
}

/* Options of a trace that pytrace top has no use for: its output is its
 * own table, computed in the kernel from calls and returns alone. */
static bool trace_only(int c)
{
	switch (c) {
	case 'f': case 'o': case OPT_REPLAY: case OPT_PRINT_SCRIPT: case OPT_COLOR:
	case OPT_LINES: case OPT_GC: case OPT_IMPORTS: case OPT_AUDIT: case OPT_ALL:
	case OPT_MAX_DEPTH: case OPT_MIN_DURATION: case OPT_SUMMARY: case OPT_SUMMARY_FORMAT:
	case OPT_SUMMARY_FILE: case OPT_STARTUP: case OPT_JSON: case OPT_FLAME_BY:
	case OPT_NO_KERNEL_SUMMARY:
		return true;
	default:
		return false;
	}
}

/* An option's name as typed ("--format"), for messages. */
static const char *option_name(int c)
{
	for (const struct option *o = long_options; o->name; o++)
		if (o->val == c)
			return o->name;
	return "?";
}

static enum command command_word(const char *w)
{
	if (strcmp(w, "list") == 0)
		return CMD_LIST;
	if (strcmp(w, "doctor") == 0)
		return CMD_DOCTOR;
	if (strcmp(w, "tapset") == 0)
		return CMD_TAPSET;
	if (strcmp(w, "top") == 0)
		return CMD_TOP;
	return CMD_TRACE;
}

void cli_parse(int argc, char **argv, struct options *o)
{
	int c, first = 1, not_top = 0, top_only = 0;
	char err[256];

	memset(o, 0, sizeof(*o));
	o->markers = MARKS_CALLS;
	o->entry_fix = true;
	o->kernel_summary = true;
	o->follow = true;
	o->filter.max_depth = -1;
	o->format = &render_text;
	o->interval_ns = 1000000000ull;

	if (argc > 1 && argv[1][0] != '-' && command_word(argv[1]) != CMD_TRACE) {
		o->command = command_word(argv[1]);
		first = 2;
	}
	/* getopt_long starts at optind; skip the subcommand word. */
	optind = first;
	opterr = 0;
again:
	while ((c = getopt_long(argc, argv, "+:c:p:u:f:o:n:qhV", long_options, NULL)) != -1) {
		if (trace_only(c) && !not_top)
			not_top = c;
		if ((c == OPT_INTERVAL || c == 'n' || c == OPT_SORT) && !top_only)
			top_only = c;
		switch (c) {
		case 'u':              o->user = optarg; break;
		case 'c':
			if (!optarg[0])
				usage_error("-c wants a command, e.g. -c \"python3 app.py\"");
			if (o->command_line)
				usage_error("-c given twice: trace one command (join them: -c \"a; b\")");
			o->command_line = optarg;
			break;
		case 'p':
			if (o->pid)
				usage_error("-p given twice: pytrace attaches to one process at a time");
			o->pid = (pid_t)parse_long("-p", optarg, 1, INT_MAX);
			break;
		case OPT_PYTHON:       o->python = optarg; break;
		case OPT_ENGINE:       o->engine = pick_engine(optarg); break;
		case OPT_PRINT_SCRIPT: o->print_script = true; break;
		case OPT_REPLAY:       o->replay = optarg; break;
		case 'f':
			o->format = pick_format(optarg);
			break;
		case 'o':
			if (!optarg[0])
				usage_error("-o wants a file name");
			o->output = optarg;
			break;
		case OPT_COLOR:        o->color = pick("--color", optarg, color_names); break;
		case OPT_LINES:        o->markers |= MARKS_LINES; break;
		case OPT_GC:           o->markers |= MARKS_GC; break;
		case OPT_IMPORTS:      o->markers |= MARKS_IMPORTS; break;
		case OPT_AUDIT:        o->markers |= MARKS_AUDIT; break;
		case OPT_ALL:          o->markers |= MARKS_ALL; break;
		case OPT_INCLUDE:      add_glob(&o->filter.include, "--include", optarg); break;
		case OPT_EXCLUDE:      add_glob(&o->filter.exclude, "--exclude", optarg); break;
		case OPT_FUNCTION:     add_glob(&o->filter.functions, "--function", optarg); break;
		case OPT_NO_STDLIB:    o->filter.no_stdlib = true; break;
		case OPT_MAX_DEPTH:
			o->filter.max_depth = (int)parse_long("--max-depth", optarg, 1, 1000000);
			break;
		case OPT_MIN_DURATION:
			if (parse_duration_ns(optarg, &o->filter.min_duration_ns, err, sizeof(err)) < 0)
				usage_error("--min-duration: %s", err);
			break;
		case OPT_PID:
			add_id(&o->filter.pids, "--pid", optarg);
			break;
		case OPT_TID:
			add_id(&o->filter.tids, "--tid", optarg);
			break;
		case OPT_SUMMARY:      o->summary = true; break;
		case OPT_STARTUP:      o->show_startup = true; break;
		case OPT_SUMMARY_FILE:
			o->summary = true;
			o->summary_file = optarg;
			break;
		case OPT_SUMMARY_FORMAT:
			o->summary_format = pick("--summary-format", optarg, summary_names);
			break;
		case OPT_STRICT:       o->strict = true; break;
		case OPT_NO_FOLLOW:    o->follow = false; break;
		case OPT_NO_ENTRY_FIX: o->entry_fix = false; break;
		case OPT_NO_KERNEL_SUMMARY: o->kernel_summary = false; break;
		case OPT_DURATION:     o->duration = parse_seconds("--duration", optarg); break;
		case OPT_INTERVAL: {
			double sec = parse_seconds("--interval", optarg);
			if (sec < 0.01 || sec > 86400)
				usage_error("--interval wants from 0.01 to 86400 seconds, not '%s'",
					    optarg);
			o->interval_ns = (uint64_t)(sec * 1e9);
			break;
		}
		case 'n':
			o->iterations = parse_long("-n", optarg, 1, LONG_MAX);
			break;
		case OPT_SORT:         o->top_sort = (enum top_sort)pick("--sort", optarg, sort_names); break;
		case OPT_BUFFER_SIZE:  o->buffer_size = parse_size("--buffer-size", optarg); break;
		case OPT_JSON:         o->json = true; break;
		case OPT_FLAME_BY:     o->flame_by = pick("--flame-by", optarg, flame_by_names); break;
		case 'q':              o->quiet = true; break;
		case 'h':
			cli_usage(stdout);
			exit(EXIT_OK);
		case 'V':
			printf("pytrace %s\n", PYTRACE_VERSION);
			exit(EXIT_OK);
		case ':':
			usage_error("option %s wants an argument", argv[optind - 1]);
		default:
			if (optopt && optopt < 256)
				usage_error("unknown option -%c", optopt);
			usage_error("unknown option %s", argv[optind - 1]);
		}
	}

	/* `list PYTHON --json`: options may follow the one positional word. */
	if (optind < argc && (o->command == CMD_LIST || o->command == CMD_TAPSET) &&
	    !o->list_target && argv[optind][0] != '-') {
		o->list_target = argv[optind++];
		goto again;
	}
	/* Positional words: `list PYTHON`, `tapset PYTHON`; nothing for a trace. */
	if (optind < argc) {
		if ((o->command == CMD_LIST || o->command == CMD_TAPSET) && optind == argc - 1 &&
		    !o->list_target)
			o->list_target = argv[optind];
		else if (optind >= 2 && glob_option(argv[optind - 2]))
			usage_error("unexpected argument '%s': the shell expanded the glob after %s "
				    "into file names; quote the glob so pytrace gets it: %s 'GLOB'",
				    argv[optind], argv[optind - 2], argv[optind - 2]);
		else if (o->command == CMD_TRACE || o->command == CMD_TOP)
			usage_error("unexpected argument '%s'; to trace a command, quote it: -c \"%s ...\"",
				    argv[optind], argv[optind]);
		else
			usage_error("unexpected argument '%s'", argv[optind]);
	}

	if (o->command_line && o->pid)
		usage_error("-c and -p are exclusive: trace a new command or attach to a running one");
	if (o->user && !o->command_line)
		usage_error("-u USER runs the -c command as USER; it goes with -c only");
	if (o->replay && (o->command_line || o->pid || o->python))
		usage_error("--replay reads a saved trace; it does not go with -c, -p or --python");
	if (o->replay && (o->engine || o->duration > 0 || o->buffer_size ||
			  !o->follow || !o->entry_fix))
		usage_error("--replay reads a saved trace; --engine, --duration, --buffer-size, "
			    "--no-follow and --no-entry-fix are for live tracing");
	if (o->list_target && (o->command_line || o->pid))
		usage_error("list takes one target: a PYTHON path, -p PID or -c COMMAND");

	switch (o->command) {
	case CMD_TRACE:
		if (o->replay)
			o->command = CMD_REPLAY;   /* --lines etc. select what is shown */
		else if (!o->command_line && !o->pid && !(o->print_script && o->python))
			usage_error("nothing to trace: give -c \"COMMAND\", -p PID or --replay FILE");
		if (o->print_script && o->engine && o->engine != &engine_stap)
			usage_error("--print-script prints the stap engine's script; it does not go with --engine bpf");
		if (o->print_script && o->replay)
			usage_error("--print-script does not go with --replay");
		break;
	case CMD_DOCTOR:
		if (o->command_line || o->pid)
			usage_error("doctor takes no target");
		if (o->json)
			usage_error("doctor has no --json output; its lines are the report");
		break;
	case CMD_TAPSET:
		if (o->command_line || o->pid)
			usage_error("tapset takes a PYTHON path, not -c or -p");
		break;
	case CMD_TOP:
		if (not_top)
			usage_error("top does not take --%s: it shows its own per-function table",
				    option_name(not_top));
		if (!o->command_line && !o->pid)
			usage_error("top needs a target: give -c \"COMMAND\" or -p PID");
		if (o->filter.tids.n)
			usage_error("top counts per process, not per thread: --tid goes with a trace "
				    "(pytrace -f summary --tid N)");
		break;
	default:
		break;
	}
	if (top_only && o->command != CMD_TOP)
		usage_error("--%s is for pytrace top", option_name(top_only));
	if (o->flame_by != FLAME_BY_NONE && o->format != &render_folded && o->format != &render_svg)
		usage_error("--flame-by shapes the flame graphs; use it with -f folded or -f svg");
	if (o->format == &render_summary && o->summary && !o->summary_file)
		o->summary = false;   /* the trace is the summary already */
	log_quiet = o->quiet;
}
