/* pytrace top's terminal modes (top_term.h).  Plain ANSI escapes and
 * termios: alternate screen (?1049), cursor (?25). */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "signals.h"
#include "top_term.h"

#define ENTER_SCREEN "\033[?1049h\033[?25l\033[H\033[2J"
#define LEAVE_SCREEN "\033[0m\033[?25h\033[?1049l"

static struct termios saved;
static volatile sig_atomic_t entered;

bool top_term_usable(void)
{
	const char *term = getenv("TERM");

	return isatty(STDIN_FILENO) && isatty(STDOUT_FILENO) && term && *term &&
	       strcmp(term, "dumb") != 0;
}

void top_term_leave(void)
{
	if (!entered)
		return;
	entered = 0;
	if (write(STDOUT_FILENO, LEAVE_SCREEN, sizeof(LEAVE_SCREEN) - 1) < 0) {
		/* the terminal went away: nothing to restore on screen */
	}
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
}

/* A crash leaves the terminal usable, then dies as it would have. */
static void on_fatal(int sig)
{
	top_term_leave();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void at_exit(void)
{
	top_term_leave();
}

int top_term_enter(void)
{
	static bool hooked;
	static const int fatal[] = { SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL, SIGQUIT };
	struct termios raw;

	if (tcgetattr(STDIN_FILENO, &saved) < 0)
		return -1;
	raw = saved;
	/* Keys one by one, unechoed; Ctrl-C and Ctrl-Z arrive as keys (ISIG
	 * off), so they never reach the traced command. */
	raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO | ISIG | IEXTEN);
	raw.c_iflag &= ~(tcflag_t)(IXON | ICRNL);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	if (!hooked) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_fatal;
		sigemptyset(&sa.sa_mask);
		for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
			sigaction(fatal[i], &sa, NULL);
		atexit(at_exit);
		/* A stuck pytrace made killable by repeated SIGINTs gives the
		 * terminal back first. */
		signals_set_last_resort(top_term_leave);
		hooked = true;
	}
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw) < 0)
		return -1;
	entered = 1;
	if (write(STDOUT_FILENO, ENTER_SCREEN, sizeof(ENTER_SCREEN) - 1) < 0) {
		top_term_leave();
		return -1;
	}
	return 0;
}

void top_term_size(int *cols, int *rows)
{
	struct winsize ws;

	*cols = 80;
	*rows = 24;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0) {
		*cols = ws.ws_col;
		*rows = ws.ws_row;
	}
}
