/* pytrace --replay FILE: render a saved raw trace ("-" = standard input)
 * with any format and filter, without privileges. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "exitcodes.h"
#include "log.h"
#include "pipeline.h"
#include "raw.h"

/* Would writing the output destroy the input?  -o naming the same file
 * (also through a link or /dev/stdout), or no -o with standard output
 * being that file: opening the output truncates it before a line is read. */
static bool output_is_input(int in_fd, const char *output)
{
	struct stat in, out;
	bool to_stdout = !output || strcmp(output, "-") == 0;

	if (fstat(in_fd, &in) < 0 || !S_ISREG(in.st_mode))
		return false;
	if (to_stdout ? fstat(STDOUT_FILENO, &out) < 0 : stat(output, &out) < 0)
		return false;   /* -o FILE does not exist yet: a new file */
	return in.st_dev == out.st_dev && in.st_ino == out.st_ino;
}

int cmd_replay(const struct options *o)
{
	char err[512];
	const char *name = o->replay ? o->replay : "-";
	bool is_stdin = strcmp(name, "-") == 0;
	int fd = is_stdin ? STDIN_FILENO : open(name, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		error_msg("cannot open %s: %s", name, strerror(errno));
		return EXIT_PYTRACE_ERROR;
	}
	if (output_is_input(fd, o->output)) {
		error_msg("%s is both the trace to replay and the output: writing would destroy it",
			  is_stdin ? "standard input" : name);
		hint_msg("write the output to another file (-o OTHER)");
		if (!is_stdin)
			close(fd);
		return EXIT_USAGE;
	}
	/* A reader that goes away (| head) ends the replay quietly via EPIPE. */
	signal(SIGPIPE, SIG_IGN);
	struct pipeline_config pc;
	options_pipeline_config(o, &pc);
	struct pipeline *p = pipeline_new(&pc, err, sizeof(err));
	if (!p) {
		error_msg("%s", err);
		if (!is_stdin)
			close(fd);
		return EXIT_PYTRACE_ERROR;
	}
	struct raw_stats st;
	int status = EXIT_OK;
	if (raw_read_stream(fd, is_stdin ? "standard input" : name, p, NULL, &st, err, sizeof(err)) < 0) {
		error_msg("%s", err);
		status = EXIT_PYTRACE_ERROR;
	}
	if (!is_stdin)
		close(fd);
	/* Nothing usable (not a raw trace, unknown version): no trace, no report. */
	if (status != EXIT_OK && st.events == 0) {
		pipeline_free(p);
		return status;
	}
	if (pipeline_finish(p, err, sizeof(err)) < 0) {
		error_msg("%s", err);
		if (status == EXIT_OK)
			status = o->strict && pipeline_data_lost(p) ? EXIT_DATA_LOSS : EXIT_PYTRACE_ERROR;
	}
	pipeline_free(p);
	return status;
}
