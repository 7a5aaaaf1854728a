/*
 * injcaller makes calls whose results it prints, for the fault injection
 * tests (-e inject=, -e fault=): the same program runs under the system's
 * strace and under strace.ebpf, and both its output and the traces must
 * agree.
 *
 *   injcaller files     4 times: openat of /dev/null, a write to it, close;
 *                       then umask twice and getppid != 0
 *   injcaller signal    a SIGUSR1 handler that writes a marker; umask 3 times
 *   injcaller fork      a child makes umask 3 times, then the parent does
 *   injcaller net       connect to 127.0.0.1:9 (discard), 3 times, each on a new socket
 *   injcaller slow N    umask N times, each after 1 ms (a long run to kill a tracer in),
 *                       then "done N bad M": M umask results that are no mask (an error)
 *   injcaller threads   umask once, then a thread makes umask 3 times, then another
 *                       (one after the other: counts are per thread)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void say(const char *what, long r)
{
	char line[128];
	int n;
	if (r < 0)
		n = snprintf(line, sizeof line, "%s -1 %s\n", what, strerrorname_np(errno));
	else
		n = snprintf(line, sizeof line, "%s %ld\n", what, r);
	/* stdout is a file or a pipe: unbuffered, so a fork keeps no copy. */
	if (write(1, line, n) < 0)
		_exit(3);
}

static void on_usr1(int sig)
{
	(void)sig;
	static const char m[] = "SIGUSR1 handled\n";
	if (write(1, m, sizeof m - 1) < 0)
		_exit(3);
}

static void umasks(int n)
{
	for (int i = 0; i < n; i++)
		say("umask", (long)umask(022));
}

static void *umask_thread(void *arg)
{
	(void)arg;
	umasks(3);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	if (!strcmp(argv[1], "files")) {
		for (int i = 0; i < 4; i++) {
			int fd = open("/dev/null", O_WRONLY);
			say("open", fd);
			if (fd < 0)
				continue;
			say("write", write(fd, "x", 1));
			say("close", close(fd));
		}
		umasks(2);
		say("getppid", (long)(getppid() != 0));
		return 0;
	}
	if (!strcmp(argv[1], "signal")) {
		signal(SIGUSR1, on_usr1);
		umasks(3);
		return 0;
	}
	if (!strcmp(argv[1], "fork")) {
		pid_t pid = fork();
		if (pid == 0) {
			umasks(3);
			_exit(0);
		}
		int st;
		waitpid(pid, &st, 0);
		umasks(3);
		return 0;
	}
	if (!strcmp(argv[1], "net")) {
		struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(9)};
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		for (int i = 0; i < 3; i++) {
			int s = socket(AF_INET, SOCK_STREAM, 0);
			say("connect", connect(s, (struct sockaddr *)&sin, sizeof sin));
			close(s);
		}
		return 0;
	}
	if (!strcmp(argv[1], "threads")) {
		umasks(1);
		for (int i = 0; i < 2; i++) {
			pthread_t t;
			pthread_create(&t, NULL, umask_thread, NULL);
			pthread_join(t, NULL);
		}
		return 0;
	}
	if (!strcmp(argv[1], "slow") && argc > 2) {
		int n = atoi(argv[2]), bad = 0;
		struct timespec ms = {0, 1000000};
		for (int i = 0; i < n; i++) {
			nanosleep(&ms, NULL);
			/* umask never fails: -ENOSYS comes back as a huge mask */
			if ((unsigned long)syscall(SYS_umask, 022) > 0777)
				bad++;
		}
		char line[64];
		int k = snprintf(line, sizeof line, "done %d bad %d\n", n, bad);
		if (write(1, line, k) < 0)
			return 3;
		return 0;
	}
	return 2;
}
