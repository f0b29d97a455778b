/* Subcommands; each returns the process exit status. */
#ifndef PYTRACE_COMMANDS_H
#define PYTRACE_COMMANDS_H

#include "options.h"

int cmd_list(const struct options *o);     /* cmd_list.c   */
int cmd_doctor(const struct options *o);   /* cmd_doctor.c */
int cmd_tapset(const struct options *o);   /* cmd_tapset.c (stap engine) */
int cmd_replay(const struct options *o);   /* replay.c     */
int cmd_trace(const struct options *o);    /* trace.c      */
int cmd_top(const struct options *o);      /* cmd_top.c    */

#endif
