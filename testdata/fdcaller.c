/*
 * fdcaller uses descriptors of every kind -y and -yy describe, for the
 * options tests: files (a number reused for another file, one dup2'ed over
 * stdin, one unlinked), a device, a pipe, TCP and UDP over loopback, unix
 * sockets (a connected pair, an abstract bound datagram socket), an
 * eventfd, a writev and a readv on a pipe, and a short-lived child that
 * reads a file and exits at once.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static void readfile(const char *path)
{
	char c;
	int fd = open(path, O_RDONLY);
	read(fd, &c, 1);
	close(fd);
}

int main(void)
{
	char c = 'x';
	int fd, p[2], sv[2];

	readfile("/etc/hostname");
	readfile("/etc/passwd");
	fd = open("/etc/hostname", O_RDONLY);
	dup2(fd, 0);
	close(fd);
	read(0, &c, 1);

	fd = open("/dev/null", O_WRONLY);
	write(fd, &c, 1);
	close(fd);

	fd = open("fdcaller.tmp", O_CREAT | O_RDWR | O_TRUNC, 0600);
	unlink("fdcaller.tmp");
	write(fd, &c, 1);
	close(fd);

	pipe(p);
	write(p[1], &c, 1);
	read(p[0], &c, 1);
	close(p[0]);
	close(p[1]);

	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM, 0);
	bind(l, (struct sockaddr *)&a, sizeof(a));
	listen(l, 1);
	getsockname(l, (struct sockaddr *)&a, &alen);
	int cl = socket(AF_INET, SOCK_STREAM, 0);
	connect(cl, (struct sockaddr *)&a, sizeof(a));
	int s = accept(l, NULL, NULL);
	write(cl, &c, 1);
	read(s, &c, 1);
	close(s);
	close(cl);
	close(l);

	struct sockaddr_in u = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t ulen = sizeof(u);
	int u1 = socket(AF_INET, SOCK_DGRAM, 0);
	bind(u1, (struct sockaddr *)&u, sizeof(u));
	getsockname(u1, (struct sockaddr *)&u, &ulen);
	int u2 = socket(AF_INET, SOCK_DGRAM, 0);
	connect(u2, (struct sockaddr *)&u, sizeof(u));
	write(u2, &c, 1);
	read(u1, &c, 1);
	close(u2);
	close(u1);

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	write(sv[0], &c, 1);
	read(sv[1], &c, 1);
	/* Left open: strace caches a socket's -yy description by inode, so a
	 * pair closed one after the other would show the first close's peer. */

	struct sockaddr_un un = {.sun_family = AF_UNIX};
	memcpy(un.sun_path, "\0fdcaller", 9);
	int ud = socket(AF_UNIX, SOCK_DGRAM, 0);
	bind(ud, (struct sockaddr *)&un, offsetof(struct sockaddr_un, sun_path) + 9);
	close(ud);

	fd = eventfd(0, 0);
	unsigned long long one = 1;
	write(fd, &one, sizeof(one));
	close(fd);

	/* Vectors, for -e read= and -e write=. */
	pipe(p);
	struct iovec wv[2] = {{"ab", 2}, {"cde", 3}};
	writev(p[1], wv, 2);
	char b1[2], b2[5];
	struct iovec rv[2] = {{b1, sizeof(b1)}, {b2, sizeof(b2)}};
	readv(p[0], rv, 2);
	close(p[0]);
	close(p[1]);

	if (fork() == 0) {
		readfile("/etc/hostname");
		_exit(0);
	}
	wait(NULL);
	return 0;
}
