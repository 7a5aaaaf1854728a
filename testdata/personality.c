/*
 * personality.c: syscalls made in 32-bit mode, for the personality tests.
 *
 * Built with -m32 it is an i386 program: open(2) is i386's number 5.
 * Built for x86_64 it makes the same i386 open through int 0x80 from 64-bit
 * code (its path copied below 4 GiB, where a 32-bit register reaches), then
 * returns to 64-bit calls. Both mark their calls: the path "marker-personality"
 * and close(0x12345678). With an argument ("block"), each then reads one
 * byte of stdin in 32-bit mode, blocking until it is written or closed.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char marker[] = "marker-personality";

int main(int argc, char **argv)
{
	(void)argv;
#if defined(__i386__)
	char c;
	syscall(SYS_open, marker, O_RDONLY);
	syscall(SYS_close, 0x12345678);
	if (argc > 1)
		syscall(SYS_read, 0, &c, 1);
#elif defined(__x86_64__)
	char *low = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (low == MAP_FAILED)
		return 2;
	memcpy(low, marker, sizeof(marker));
	long ret;
	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(5), "b"(low), "c"(O_RDONLY), "d"(0) : "memory");
	syscall(SYS_close, 0x12345678);
	if (argc > 1) /* i386's read(0, low, 1) */
		__asm__ volatile("int $0x80" : "=a"(ret) : "a"(3), "b"(0), "c"(low), "d"(1) : "memory");
#endif
	return 0;
}
