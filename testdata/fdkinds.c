/*
 * fdkinds opens and closes one descriptor of each kind strace's
 * --decode-fds keywords tell apart: a file, a device, a socket, a pidfd
 * (of itself), an eventfd and a signalfd; then a child's pidfd from
 * clone3, closed before the child is reaped.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/sched.h>
#include <stdint.h>
#include <string.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	sigset_t m;
	int fd;

	fd = open("/etc/hostname", O_RDONLY);
	close(fd);
	fd = open("/dev/null", O_RDONLY);
	close(fd);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	close(fd);
	fd = syscall(SYS_pidfd_open, getpid(), 0);
	close(fd);
	fd = eventfd(3, 0);
	close(fd);
	sigemptyset(&m);
	sigaddset(&m, SIGUSR1);
	fd = signalfd(-1, &m, 0);
	close(fd);

	struct clone_args ca;
	int pidfd = -1;
	memset(&ca, 0, sizeof(ca));
	ca.flags = CLONE_PIDFD;
	ca.pidfd = (uintptr_t)&pidfd;
	ca.exit_signal = SIGCHLD;
	long child = syscall(SYS_clone3, &ca, sizeof(ca));
	if (child == 0)
		_exit(0);
	close(pidfd);
	wait4(child, NULL, 0, NULL);
	return 0;
}
