/*
 * tracefds operates on descriptor 9 in every way strace's -e trace-fds=9
 * matches (an argument first or elsewhere, a dirfd, poll's and select's
 * sets, mmap's fifth argument, epoll_ctl's third, both of dup2's and
 * copy_file_range's), and on descriptor 8 the same way, for the calls
 * trace-fds=9 leaves out.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <unistd.h>

static void use(int fd)
{
	char c;
	struct stat st;
	struct pollfd p = {.fd = fd, .events = POLLIN};
	fd_set set;
	struct timeval tv = {0, 0};
	int ep = epoll_create1(0);
	struct epoll_event ev = {.events = EPOLLIN};

	read(fd, &c, 1);
	fstat(fd, &st);
	lseek(fd, 0, SEEK_SET);
	poll(&p, 1, 0);
	FD_ZERO(&set);
	FD_SET(fd, &set);
	select(fd + 1, &set, NULL, NULL, &tv);
	munmap(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0), 4096);
	epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
	close(ep);
	openat(fd, "tracefds.none", O_RDONLY);
	copy_file_range(0, NULL, fd, NULL, 0, 0);
}

int main(void)
{
	int fd = open("/etc/passwd", O_RDONLY);

	dup2(fd, 9);
	dup2(fd, 8);
	close(fd);
	use(9);
	use(8);
	close(9);
	close(8);
	return 0;
}
