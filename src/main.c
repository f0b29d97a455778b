/* pytrace: trace CPython call hierarchies through the interpreter's static
 * markers. main parses the command line and hands over to one command;
 * only commands decide exit statuses. */
#include "cli.h"
#include "commands.h"
#include "exitcodes.h"
#include "options.h"

int main(int argc, char **argv)
{
	struct options o;
	int status = EXIT_PYTRACE_ERROR;

	cli_parse(argc, argv, &o);
	switch (o.command) {
	case CMD_LIST:   status = cmd_list(&o); break;
	case CMD_DOCTOR: status = cmd_doctor(&o); break;
	case CMD_TAPSET: status = cmd_tapset(&o); break;
	case CMD_REPLAY: status = cmd_replay(&o); break;
	case CMD_TRACE:  status = cmd_trace(&o); break;
	case CMD_TOP:    status = cmd_top(&o); break;
	}
	options_free(&o);
	return status;
}
