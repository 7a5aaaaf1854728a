/*
 * threadexec.c: execve from a thread other than the main one. The kernel's
 * exec kills the other threads and gives the caller the group leader's id,
 * so the trace shows one process: its exec as the pid's, no thread exit.
 * The new image is /bin/true (argv[1] overrides it).
 */
#include <pthread.h>
#include <string.h>
#include <unistd.h>

static char *prog = "/bin/true";

static void *run(void *arg)
{
	(void)arg;
	char *argv[] = {prog, "marker-threadexec", NULL};
	/* Touch the strings: a page never read yet cannot be read at enter,
	 * and the "<unfinished ...>" line would show addresses. */
	volatile size_t n = strlen(argv[0]) + strlen(argv[1]);
	(void)n;
	execv(prog, argv);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc > 1)
		prog = argv[1];
	pthread_t t;
	pthread_create(&t, NULL, run, NULL);
	pthread_join(t, NULL);
	return 1;
}
