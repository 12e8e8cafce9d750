/*
 * helper_gcov.c - coverage builds only (`make coverage` defines
 * TX_GCOV as the absolute build directory): lets the processes that
 * live in a run's namespaces write their coverage counts.
 *
 * Those processes (PID 1 of the namespaces, which becomes the reaper,
 * and the script's process up to its execve) see a root without the
 * build directory, run as the run's uid, and end with _exit(), which
 * skips libgcov's dump at exit.  So, in coverage builds only:
 * - the Makefile prepares HELPER_GCOV_DIR, hard links to the helper's
 *   .gcda files that any uid may write, and nothing else;
 * - hns_setup_root() binds that directory at HELPER_GCOV_INNER in the
 *   new root and calls hgcov_inside(), which points libgcov there
 *   (GCOV_PREFIX is read at each dump); Landlock lets the script's
 *   process write there too (libgcov dumps in its execve);
 * - execve() and _exit() are wrapped (the link adds --wrap) to dump
 *   first (with -std=c11 gcc does not redirect execve to libgcov's own
 *   dumping wrapper).
 * A normal build compiles this file to nothing and changes nothing.
 */
#include "sandbox/helper.h"

#ifdef TX_GCOV

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

void __gcov_dump(void);
void __gcov_reset(void);
void __real__exit(int code) __attribute__((noreturn));
void __wrap__exit(int code) __attribute__((noreturn));
int __real_execve(const char *path, char *const argv[], char *const envp[]);
int __wrap_execve(const char *path, char *const argv[], char *const envp[]);

void hgcov_inside(void)
{
	char n[16];
	int strip = 0;

	/* TX_GCOV/src/sandbox/x.gcda -> HELPER_GCOV_INNER/src/sandbox/x.gcda */
	for (const char *p = TX_GCOV; *p; p++)
		if (*p == '/')
			strip++;
	snprintf(n, sizeof(n), "%d", strip);
	setenv("GCOV_PREFIX", HELPER_GCOV_INNER, 1);
	setenv("GCOV_PREFIX_STRIP", n, 1);
}

int __wrap_execve(const char *path, char *const argv[], char *const envp[])
{
	int rc, e;

	__gcov_dump();
	rc = __real_execve(path, argv, envp);
	/* Still here: count what follows from zero, dumped again at exit. */
	e = errno;
	__gcov_reset();
	errno = e;
	return rc;
}

void __wrap__exit(int code)
{
	__gcov_dump();
	__real__exit(code);
}

#else

/* ISO C wants at least one declaration in a translation unit. */
typedef int hgcov_unused;

#endif
