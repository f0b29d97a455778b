/* Command-line parsing (cli.c). Usage errors exit with status 2. */
#ifndef PYTRACE_CLI_H
#define PYTRACE_CLI_H

#include <stdio.h>

#include "options.h"

void cli_parse(int argc, char **argv, struct options *o);
void cli_usage(FILE *out);
/* Free what cli_parse allocated (the repeatable options' lists). */
void options_free(struct options *o);

#endif
