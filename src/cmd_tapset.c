/* `pytrace tapset [PYTHON]`: print the SystemTap tapset (probe aliases
 * pytrace.function.entry, ...) for an interpreter; `make install` uses it to
 * install the tapset for the python found at install time. */
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "exitcodes.h"
#include "log.h"
#include "stapgen.h"
#include "target.h"

#define DEFAULT_PYTHON "/usr/bin/python3.11"

int cmd_tapset(const struct options *o)
{
	const char *python = o->list_target ? o->list_target : o->python ? o->python : DEFAULT_PYTHON;
	struct py_target t;
	char err[512] = "";
	char *text;
	int code = EXIT_OK;

	if (target_from_path(python, &t, err, sizeof(err)) < 0) {
		error_msg("%s", err);
		return EXIT_NO_MARKERS;
	}
	text = stapgen_tapset(&t, err, sizeof(err));
	if (!text) {
		error_msg("%s", err);
		hint_msg("`pytrace list %s` shows which markers it has", python);
		code = EXIT_NO_MARKERS;
	} else {
		if (fputs(text, stdout) == EOF || fflush(stdout) != 0) {
			error_msg("cannot write the tapset to standard output");
			code = EXIT_PYTRACE_ERROR;
		}
		free(text);
	}
	target_free(&t);
	return code;
}
