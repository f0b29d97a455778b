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

	cli_parse(argc, argv, &o);
	switch (o.command) {
	case CMD_LIST:   return cmd_list(&o);
	case CMD_DOCTOR: return cmd_doctor(&o);
	case CMD_TAPSET: return cmd_tapset(&o);
	case CMD_REPLAY: return cmd_replay(&o);
	case CMD_TRACE:  return cmd_trace(&o);
	}
	return EXIT_PYTRACE_ERROR;
}
