/* Command-line parsing (cli.c). Usage errors exit with status 2. */
#ifndef PYTRACE_CLI_H
#define PYTRACE_CLI_H

#include <stdio.h>

#include "options.h"

void cli_parse(int argc, char **argv, struct options *o);
void cli_usage(FILE *out);

#endif
