/* SPDX-License-Identifier: GPL-3.0-or-later */
/* measure [-o FILE] -- COMMAND [ARGS...]
 * Runs COMMAND once and prints
 * "exit utime_us stime_us maxrss_kb wall_us minor_faults".
 * Why a C wrapper and not os.wait4 in Python: Linux records a child's peak RSS
 * from the address space it had before exec, and a child forked (or vforked)
 * from a Python interpreter starts with the interpreter's ~10 MB. Forked from
 * this small program, ru_maxrss is the command's own. The command's stdout and
 * stderr go to FILE (default /dev/null). */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *out = "/dev/null";
	int i = 1;
	if (i + 1 < argc && strcmp(argv[i], "-o") == 0) {
		out = argv[i + 1];
		i += 2;
	}
	if (i < argc && strcmp(argv[i], "--") == 0)
		i++;
	if (i >= argc) {
		fprintf(stderr, "usage: measure [-o FILE] -- COMMAND [ARGS...]\n");
		return 64;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		execv(argv[i], argv + i);
		_exit(127);
	}
	int status = 0;
	struct rusage ru;
	if (pid < 0 || wait4(pid, &status, 0, &ru) < 0)
		return 70;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	long wall = (t1.tv_sec - t0.tv_sec) * 1000000L + (t1.tv_nsec - t0.tv_nsec) / 1000;
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	printf("%d %ld %ld %ld %ld %ld\n", code,
	       (long)ru.ru_utime.tv_sec * 1000000L + ru.ru_utime.tv_usec,
	       (long)ru.ru_stime.tv_sec * 1000000L + ru.ru_stime.tv_usec, ru.ru_maxrss, wall,
	       ru.ru_minflt);
	return 0;
}
