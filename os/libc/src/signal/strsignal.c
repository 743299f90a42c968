/* strsignal, psignal, psiginfo (POSIX.1-2017) for Keel's signal numbers
 * (the package's tables are on its own). */
#include <signal.h>
#include <stdio.h>
#include <string.h>

static const char *const names[] = {
	[SIGHUP] = "Hangup", [SIGINT] = "Interrupt", [SIGQUIT] = "Quit",
	[SIGILL] = "Illegal instruction", [SIGTRAP] = "Trace trap", [SIGABRT] = "Aborted",
	[SIGEMT] = "EMT trap", [SIGFPE] = "Floating point exception", [SIGKILL] = "Killed",
	[SIGBUS] = "Bus error", [SIGSEGV] = "Segmentation fault", [SIGSYS] = "Bad system call",
	[SIGPIPE] = "Broken pipe", [SIGALRM] = "Alarm clock", [SIGTERM] = "Terminated",
	[SIGUSR1] = "User signal 1", [SIGUSR2] = "User signal 2", [SIGCHLD] = "Child status",
	[SIGPWR] = "Power failure", [SIGWINCH] = "Window changed", [SIGURG] = "Urgent I/O",
	[SIGPOLL] = "I/O possible", [SIGSTOP] = "Stopped (signal)", [SIGTSTP] = "Stopped",
	[SIGCONT] = "Continued", [SIGVTALRM] = "Virtual timer expired",
	[SIGPROF] = "Profiling timer expired", [SIGTTIN] = "Stopped (tty input)",
	[SIGTTOU] = "Stopped (tty output)", [SIGXCPU] = "CPU time limit exceeded",
	[SIGXFSZ] = "File size limit exceeded",
};

char *strsignal(int sig)
{
	static char other[32];

	if (sig > 0 && (size_t)sig < sizeof names / sizeof names[0] && names[sig])
		return (char *)names[sig];
	if (sig >= SIGRTMIN && sig <= SIGRTMAX)
		snprintf(other, sizeof other, "Real-time signal %d", sig - SIGRTMIN);
	else
		snprintf(other, sizeof other, "Unknown signal %d", sig);
	return other;
}

void psignal(int sig, const char *s)
{
	if (s && *s)
		fprintf(stderr, "%s: %s\n", s, strsignal(sig));
	else
		fprintf(stderr, "%s\n", strsignal(sig));
}

void psiginfo(const siginfo_t *info, const char *s)
{
	psignal(info->si_signo, s);
}
