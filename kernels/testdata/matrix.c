// matrix: the kernel matrix's workload (kernels/run). A fixed series of
// calls whose strace lines hold no address, pid or time, so the same golden
// file (matrix.golden, made with the system's strace) holds on every kernel
// and both architectures: the calls are the ones glibc makes by the same
// syscall on x86-64 and arm64 (openat, not open; unlinkat, not unlink).
#define _GNU_SOURCE
#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char text[] = "hello from the kernel matrix\n";

int main(void) {
	char buf[64];
	int fd;

	getuid();
	// Failing calls: a missing path, a closed descriptor, a bad one.
	openat(AT_FDCWD, "/nonexistent/matrix", O_RDONLY);
	close(77);
	read(-1, NULL, 0);

	// A file written, read back and removed.
	fd = openat(AT_FDCWD, "/tmp/matrix.txt", O_WRONLY | O_CREAT | O_TRUNC, 0600);
	write(fd, text, strlen(text));
	close(fd);
	fd = openat(AT_FDCWD, "/tmp/matrix.txt", O_RDONLY | O_CLOEXEC);
	fcntl(fd, F_GETFD);
	read(fd, buf, sizeof buf);
	read(fd, buf, sizeof buf);
	close(fd);
	unlinkat(AT_FDCWD, "/tmp/matrix.txt", 0);
	unlinkat(AT_FDCWD, "/tmp/matrix.txt", 0);

	fd = openat(AT_FDCWD, "/dev/null", O_WRONLY);
	write(fd, "x", 1);
	close(fd);
	return 0;
}
