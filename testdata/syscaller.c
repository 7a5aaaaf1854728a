/*
 * syscaller makes known system calls with marker arguments, for the
 * integration tests (in the spirit of tracee's syscaller and the original
 * strace.ebpf test_syscalls).
 *
 *   syscaller basic [status]   markers, then exit with status (default 0)
 *   syscaller fork             child and grandchild; the grandchild opens a marker
 *   syscaller loop N           a marker openat every 20 ms, N times
 *   syscaller kill             kills itself with SIGKILL
 *   syscaller threads          a second thread opens a marker
 *   syscaller block            after 300 ms, reads stdin (blocks until it closes)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MARKER_FD 0x12345678

static void marker_open(const char *path)
{
	int fd = open(path, O_RDONLY);
	if (fd >= 0)
		close(fd);
}

static void basic(void)
{
	char longpath[400];
	const char msg[] = "syscaller: hello marker\n";

	marker_open("/nonexistent/strace-ebpf-marker");

	/* A path longer than NAME_MAX (255): captured whole. */
	strcpy(longpath, "/nonexistent/");
	while (strlen(longpath) < 300)
		strcat(longpath, "long-path-component-");
	strcat(longpath, "end");
	marker_open(longpath);

	if (write(1, msg, sizeof(msg) - 1) != sizeof(msg) - 1)
		exit(99);
	close(MARKER_FD); /* EBADF */
}

static void *thread_main(void *arg)
{
	(void)arg;
	marker_open("/nonexistent/thread-marker");
	return NULL;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "basic";

	if (!strcmp(mode, "basic")) {
		basic();
		return argc > 2 ? atoi(argv[2]) : 0;
	}
	if (!strcmp(mode, "fork")) {
		pid_t child = fork();
		if (child == 0) {
			pid_t grandchild = fork();
			if (grandchild == 0) {
				marker_open("/nonexistent/grandchild-marker");
				_exit(0);
			}
			waitpid(grandchild, NULL, 0);
			_exit(0);
		}
		waitpid(child, NULL, 0);
		return 0;
	}
	if (!strcmp(mode, "loop")) {
		int n = argc > 2 ? atoi(argv[2]) : 100;
		struct timespec ts = {0, 20 * 1000 * 1000};
		for (int i = 0; i < n; i++) {
			marker_open("/nonexistent/loop-marker");
			nanosleep(&ts, NULL);
		}
		return 0;
	}
	if (!strcmp(mode, "kill")) {
		kill(getpid(), SIGKILL);
		return 1;
	}
	if (!strcmp(mode, "threads")) {
		pthread_t t;
		pthread_create(&t, NULL, thread_main, NULL);
		pthread_join(t, NULL);
		return 0;
	}
	if (!strcmp(mode, "block")) {
		char c;
		struct timespec ts = {0, 300 * 1000 * 1000};
		nanosleep(&ts, NULL);
		return read(0, &c, 1) < 0;
	}
	fprintf(stderr, "syscaller: unknown mode %s\n", mode);
	return 2;
}
