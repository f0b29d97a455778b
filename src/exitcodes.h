/* pytrace's own exit statuses, defined once and printed by --help.
 * With -c, pytrace otherwise exits with the traced command's status
 * (128+N when the command was killed by signal N). */
#ifndef PYTRACE_EXITCODES_H
#define PYTRACE_EXITCODES_H

#define EXIT_OK             0
#define EXIT_PYTRACE_ERROR  1   /* runtime failure: I/O, engine error, internal */
#define EXIT_USAGE          2   /* bad command line */
#define EXIT_NO_MARKERS     4   /* target is not a python, or lacks the markers asked for */
#define EXIT_NO_ENGINE      5   /* no engine can run here, or missing privileges */
#define EXIT_DATA_LOSS      6   /* --strict: events lost or input lines skipped */
#define EXIT_NO_EVENTS      7   /* --strict: no python event was captured */

#endif
