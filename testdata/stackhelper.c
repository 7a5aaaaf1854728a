/*
 * stackhelper opens a marker path from a function of its own, for the -k
 * tests: built with -fno-omit-frame-pointer, its stack at the openat is
 * libc's open wrapper, open_marker, main, then libc's start code.
 *
 *   stackhelper [path]   open path (default /dev/null) from open_marker
 */
#include <fcntl.h>
#include <unistd.h>

__attribute__((noinline)) int open_marker(const char *path)
{
	int fd = open(path, O_RDONLY);
	if (fd >= 0)
		close(fd);
	return fd;
}

int main(int argc, char **argv)
{
	return open_marker(argc > 1 ? argv[1] : "/dev/null") < 0;
}
