/* Stop requests: SIGINT/SIGTERM (and --duration, via request_stop) ask the
 * engine to detach cleanly and flush what it received.  A second SIGINT
 * restores the default action, so a third one kills a stuck pytrace. */
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>

#include "signals.h"

static volatile sig_atomic_t stop_flag, sent_sig;
static void (*last_resort)(void);

static void on_stop(int sig, siginfo_t *si, void *uctx)
{
	(void)uctx;
	if (stop_flag && sig == SIGINT) {
		if (last_resort)
			last_resort();
		signal(SIGINT, SIG_DFL);
	}
	stop_flag = 1;
	/* A terminal's Ctrl-C comes from the kernel to the whole foreground
	 * process group; kill(1) and timeout(1) send to pytrace alone. */
	if (si && (si->si_code == SI_USER || si->si_code == SI_QUEUE) && !sent_sig)
		sent_sig = sig;
}

int stop_signal_sent(void)
{
	return sent_sig;
}

bool stop_requested(void)
{
	return stop_flag != 0;
}

void request_stop(void)
{
	stop_flag = 1;
}

void signals_set_last_resort(void (*fn)(void))
{
	last_resort = fn;
}

void signals_install(void)
{
	struct sigaction sa;
	sigset_t stops;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_stop;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: blocking reads/polls return EINTR and see the flag. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* A closed stdout (| head) shows up as EPIPE on write, not as a kill. */
	signal(SIGPIPE, SIG_IGN);
	/* What a parent left behind must not make pytrace deaf or blind: stop
	 * signals blocked would never be seen, and SIGCHLD ignored reaps the
	 * command and stap behind pytrace's back (waitpid never sees them end). */
	signal(SIGCHLD, SIG_DFL);
	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGHUP);
	pthread_sigmask(SIG_UNBLOCK, &stops, NULL);
}

int signals_thread_create(pthread_t *t, void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(t, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}
