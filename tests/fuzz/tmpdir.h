/*
 * tmpdir.h - a harness's temporary directory (its database), removed when the fuzzer
 * ends, however it ends.
 *
 * libFuzzer leaves by _Exit (-max_total_time, -runs, a crash): no atexit handler
 * runs.  So a child made before any thread waits for the end of a pipe that only the
 * fuzzer holds open, and removes the directory once the fuzzer is gone.  The
 * directory is on tmpfs when there is one: database writes never wait for a disk.
 */
#ifndef VOXCART_FUZZ_TMPDIR_H
#define VOXCART_FUZZ_TMPDIR_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

/* Makes the directory (its name into dir, cap >= 64); -1 on failure. */
static int fuzz_tmpdir(char *dir, size_t cap)
{
	snprintf(dir, cap, "%s/voxcart-fuzz-XXXXXX",
		 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (!mkdtemp(dir))
		return -1;
	int p[2];
	if (pipe(p) != 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(p[1]);
		char c;
		while (read(p[0], &c, 1) != 0)
			;
		char *argv[] = { "rm", "-rf", dir, NULL };
		execvp("rm", argv);
		_exit(1);
	}
	close(p[0]);
	/* p[1] stays open in the fuzzer (not in what it runs) until it ends */
	fcntl(p[1], F_SETFD, FD_CLOEXEC);
	return 0;
}

#endif
