/*
 * fdkinds opens and closes one descriptor of each kind strace's
 * --decode-fds keywords tell apart: a file, a device, a socket, a pidfd
 * (of itself), an eventfd and a signalfd.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
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
	return 0;
}
