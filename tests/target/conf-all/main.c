/* conf-all: conformance programs one after another in one boot, each a
 * subtest of one KTAP document, so that a target boots once for all of
 * them instead of once per program:
 *
 *   make run CMDLINE="init=/bin/conf-all conf-threads conf-clocks"
 *
 * Each argument names a program /bin/<name>, started with posix_spawn as
 * our child with KEEL_CONF_DEPTH one deeper than ours, which makes conf.h
 * indent its KTAP by four spaces: its cases are a subtest, its own
 * "<name>: done: ..." line is inside it.  The subtest's result line here
 * says how the program ended: "ok" for exit status 0; "not ok" after a
 * diagnostic for another status, a signal, or a program that could not
 * start.  The next program starts only once this one has been waited for,
 * so that the names its servers held are gone (taskman drops them when a
 * server ends).  Last comes "conf-all: done: P passed, F failed" over the
 * programs; the exit status is 1 if any failed.
 *
 * A child is as its own boot made it, but for its pid, its parent (conf-all,
 * not taskman), the privileges taskman gives only the first program (a
 * child has the driver calls and may map the PCIe host where the board has
 * one, so that conf-devices can start pci-server), and KEEL_CONF_DEPTH in
 * an environment that is otherwise conf-all's. */
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <keel/hwinfo.h>
#include <keel/neutrino.h>
#include <conf.h>

extern char **environ;

#define DEPTH_VAR "KEEL_CONF_DEPTH"

/* Our environment without DEPTH_VAR, then DEPTH_VAR=depth; NULL when out of
 * memory. */
static char **child_environ(int depth)
{
	static char var[32];
	size_t n = 0, k = 0, len = strlen(DEPTH_VAR "=");

	while (environ && environ[n])
		n++;
	char **env = calloc(n + 2, sizeof *env);
	if (!env)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], DEPTH_VAR "=", len))
			env[k++] = environ[i];
	snprintf(var, sizeof var, DEPTH_VAR "=%d", depth);
	env[k] = var;
	return env;
}

/* Runs /bin/<name> to its end; true if it exited with status 0, else a
 * diagnostic line (at our level) says how it ended. */
static bool run_one(const char *name, char **env)
{
	char path[128];
	char *argv[] = { path, NULL };
	pid_t pid;
	int status, err;

	struct _hw_device d;
	posix_spawnattr_t sa;

	snprintf(path, sizeof path, "/bin/%s", name);
	posix_spawnattr_init(&sa);
	posix_spawnattr_setflags(&sa, POSIX_SPAWN_KEEL_IOPRIV);
	if (HwInfoDevice_r("pci-host-ecam-generic", 0, &d) == 0)
		posix_spawnattr_keel_device(&sa, "pci-host-ecam-generic");
	err = posix_spawn(&pid, path, NULL, &sa, argv, env);
	posix_spawnattr_destroy(&sa);
	if (err) {
		conf_line("# %s: cannot start: %s", path, strerror(err));
		return false;
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			conf_line("# %s: waitpid: %s", path, strerror(errno));
			return false;
		}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return true;
	if (WIFEXITED(status))
		conf_line("# %s exited with status %d", name, WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		conf_line("# %s was killed by signal %d (%s)", name, WTERMSIG(status),
			  strsignal(WTERMSIG(status)));
	else
		conf_line("# %s ended with wait status %#x", name, (unsigned)status);
	return false;
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0;
	const char *d = getenv(DEPTH_VAR);
	char **env = child_environ((d ? atoi(d) : 0) + 1);

	if (!env) {
		conf_line("conf-all: out of memory");
		return 2;
	}
	conf_line("KTAP version 1");
	conf_line("1..%d", argc - 1);
	for (int i = 1; i < argc; i++) {
		conf_line("    # Subtest: %s", argv[i]);
		bool ok = run_one(argv[i], env);
		conf_line("%s %d %s", ok ? "ok" : "not ok", i, argv[i]);
		ok ? passed++ : failed++;
	}
	conf_line("conf-all: done: %d passed, %d failed", passed, failed);
	return failed ? 1 : 0;
}
