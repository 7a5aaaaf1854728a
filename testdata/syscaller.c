/*
 * syscaller makes known system calls with marker arguments, for the
 * integration tests (in the spirit of tracee's syscaller and the original
 * strace.ebpf test_syscalls).
 *
 *   syscaller basic [status]   markers, then exit with status (default 0)
 *   syscaller fork             child and grandchild; the grandchild sleeps 20 ms, then opens a marker
 *   syscaller loop N           a marker openat every 20 ms, N times
 *   syscaller kill             kills itself with SIGKILL
 *   syscaller threads          a second thread opens a marker
 *   syscaller block            after 300 ms, reads stdin (blocks until it closes)
 *   syscaller poll             poll and ppoll on a pipe (ready, timeout)
 *   syscaller iov              writev/readv on a pipe, pwritev/preadv on files
 *   syscaller ioctl            TCGETS and TIOCSWINSZ/TIOCGWINSZ on a pty master, TCGETS on /dev/null
 *   syscaller epoll            epoll_wait and epoll_pwait on a pipe
 *   syscaller msg              sendmsg/recvmsg on a socketpair and on UDP loopback
 *   syscaller select           select and pselect6 on a pipe (ready, timeout, a signal mask)
 *   syscaller threads2         two pthreads the main thread waits for (futex),
 *                              then a child that runs /bin/true (fork, execve, wait4)
 *   syscaller ioctl2           FIONBIO, FIONREAD, FIOCLEX, FIONCLEX on a pipe,
 *                              TIOCSPTLCK, TIOCGPTN, TIOCGPGRP, TIOCSPGRP and
 *                              FICLONE on a pty
 *   syscaller cmsg             SCM_RIGHTS and SCM_CREDENTIALS over a unix socketpair,
 *                              the sent byte a string literal (sendmsg, recvmsg)
 *   syscaller mmsg             sendmmsg and recvmmsg of two, then five datagrams on a unix
 *                              socketpair (more than the four captured), a failing recvmmsg
 *   syscaller prctl            prctl's common options: names, signals, capabilities, dump modes
 *   syscaller forkexec         fork, then the child runs /bin/echo with a long
 *                              argument and 40 short ones, all string literals
 *                              (read-only data the child has not touched)
 *   syscaller structs          calls whose struct arguments strace decodes: itimers, POSIX
 *                              and timerfd timers, timezone, rusage, tms, capabilities,
 *                              siginfo (queued signals), utimbuf and timeval[2], sched_param,
 *                              waitid
 *   syscaller longtail         the long tail of strace's decoders: file locks, seals, priorities,
 *                              xattrs, splice, mounts, netlink sockets, utimensat, terminal
 *                              ioctls, message queues, openat2, sigevent, sched_attr, sendfile,
 *                              getresuid, getcpu, fchown -1, a 600-entry getdents64
 *   syscaller signals          signals at delivery: a tgkill of SIGUSR1 to itself, whose handler
 *                              closes a marker; a tgkill of SIGURG, ignored; a child's exit, its
 *                              SIGCHLD ignored, while the parent waits in wait4; a child that
 *                              sleeps, killed by SIGTERM (the kernel's fatal-signal path)
 *   syscaller clone3           clone3 with CLONE_PIDFD (and CLONE_PARENT_SETTID), with a set_tid
 *                              array the kernel refuses; mincore's vector of a mapping
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <linux/netlink.h>
#include <linux/openat2.h>
#include <linux/io_uring.h>
#include <mqueue.h>
#include <pty.h>
#include <dirent.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/times.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sched.h>
#include <utime.h>
#include <sys/ioctl.h>
#include <linux/fs.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <termios.h>
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

static void *slow_thread(void *arg)
{
	struct timespec ts = {0, 30 * 1000 * 1000};
	nanosleep(&ts, NULL); /* the main thread is in pthread_join by then */
	marker_open(arg);
	return NULL;
}

static void threads2_mode(void)
{
	pthread_t t;
	pid_t child;
	int status;

	pthread_create(&t, NULL, slow_thread, "/nonexistent/thread-1");
	pthread_join(t, NULL);
	pthread_create(&t, NULL, slow_thread, "/nonexistent/thread-2");
	pthread_join(t, NULL);
	child = fork();
	if (child == 0) {
		char *argv[] = {"true", NULL};
		execve("/bin/true", argv, argv + 1);
		_exit(127);
	}
	waitpid(child, &status, 0);
}

static void ioctl2_mode(void)
{
	int p[2], on = 1, off = 0, n = -1;
	pid_t pgrp;
	if (pipe(p) != 0)
		exit(99);
	ioctl(p[0], FIONBIO, &on);
	ioctl(p[0], FIONBIO, &off);
	if (write(p[1], "abc", 3) != 3)
		exit(99);
	ioctl(p[0], FIONREAD, &n);
	ioctl(p[0], FIOCLEX);
	ioctl(p[0], FIONCLEX);
	ioctl(p[0], TIOCGPGRP, &pgrp); /* ENOTTY */
	close(p[0]);
	close(p[1]);
	int fd = open("/dev/ptmx", O_RDWR | O_NOCTTY);
	if (fd >= 0) {
		int unlock = 0, ptn = -1, src;
		ioctl(fd, TIOCSPTLCK, &unlock);
		ioctl(fd, TIOCGPTN, &ptn);
		ioctl(fd, TIOCGPGRP, &pgrp);
		pgrp = getpgrp();
		ioctl(fd, TIOCSPGRP, &pgrp); /* ENOTTY: not our terminal */
		src = open("/dev/null", O_RDONLY);
		ioctl(fd, FICLONE, src); /* cp --reflink=auto; not a file */
		close(src);
		close(fd);
	}
}

static void poll_mode(void)
{
	int p[2];
	char c;
	if (pipe(p) != 0)
		exit(99);
	if (write(p[1], "x", 1) != 1)
		exit(99);
	struct pollfd fds[3] = {{p[0], POLLIN, 0}, {p[1], POLLOUT, 0}, {-1, POLLIN, 0}};
	poll(fds, 3, 100);
	if (read(p[0], &c, 1) != 1)
		exit(99);
	struct pollfd one = {p[0], POLLIN | POLLPRI, 0};
	poll(&one, 1, 0); /* timeout */
	struct timespec ts = {0, 1000};
	if (write(p[1], "y", 1) != 1)
		exit(99);
	ppoll(fds, 2, &ts, NULL);
	ppoll(&one, 1, &ts, NULL); /* still ready */
	if (read(p[0], &c, 1) != 1)
		exit(99);
	ppoll(&one, 1, &ts, NULL); /* timeout */
	close(p[0]);
	close(p[1]);
}

static void iov_mode(void)
{
	int p[2];
	char a[4], b[64], big[48];
	if (pipe(p) != 0)
		exit(99);
	struct iovec out[3] = {{"hello ", 6}, {"world\n", 6}, {"", 0}};
	writev(p[1], out, 3);
	struct iovec in[2] = {{a, sizeof(a)}, {b, sizeof(b)}};
	readv(p[0], in, 2);
	memset(big, 'z', sizeof(big));
	struct iovec bigv[1] = {{big, sizeof(big)}};
	writev(p[1], bigv, 1);
	readv(p[0], in, 2);
	close(p[0]);
	close(p[1]);
	int fd = open("/dev/null", O_WRONLY);
	pwritev(fd, out, 2, 0);
	close(fd);
	fd = open("/dev/zero", O_RDONLY);
	preadv(fd, in, 2, 0);
	close(fd);
	writev(MARKER_FD, out, 2); /* EBADF */
}

static void ioctl_mode(void)
{
	struct termios t;
	struct winsize ws = {24, 80, 0, 0};
	int fd = open("/dev/ptmx", O_RDWR | O_NOCTTY);
	if (fd >= 0) {
		ioctl(fd, TCGETS, &t);
		ioctl(fd, TIOCSWINSZ, &ws);
		ioctl(fd, TIOCGWINSZ, &ws);
		close(fd);
	}
	fd = open("/dev/null", O_RDONLY);
	ioctl(fd, TCGETS, &t); /* ENOTTY */
	ioctl(fd, TIOCGWINSZ, &ws); /* ENOTTY */
	close(fd);
}

static void epoll_mode(void)
{
	int p[2];
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 5}, got[8];
	if (pipe(p) != 0)
		exit(99);
	int ep = epoll_create1(EPOLL_CLOEXEC);
	epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
	ev.events = EPOLLOUT;
	ev.data.fd = p[1];
	epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev);
	if (write(p[1], "x", 1) != 1)
		exit(99);
	epoll_wait(ep, got, 8, 100);
	epoll_pwait(ep, got, 1, 100, NULL);
	char c;
	if (read(p[0], &c, 1) != 1)
		exit(99);
	epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL);
	epoll_wait(ep, got, 8, 0); /* timeout */
	close(ep);
	close(p[0]);
	close(p[1]);
}

static void prctl_mode(void)
{
	char name[16];
	int v;
	void *tid;
	prctl(PR_SET_NAME, "worker-thread-name");
	prctl(PR_GET_NAME, name);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_GET_PDEATHSIG, &v);
	prctl(PR_GET_DUMPABLE);
	prctl(PR_SET_DUMPABLE, 1);
	prctl(PR_CAPBSET_READ, 21); /* CAP_SYS_ADMIN */
	prctl(PR_CAPBSET_READ, 60); /* no such capability */
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	prctl(PR_GET_CHILD_SUBREAPER, &v);
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, 13, 0, 0); /* CAP_NET_RAW */
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	prctl(PR_GET_KEEPCAPS);
	prctl(PR_SET_TIMERSLACK, 50000);
	prctl(PR_GET_TID_ADDRESS, &tid);
}

static void mmsg_round(int from, int to, int n)
{
	char out[8][8] = {"one", "two", "three", "four", "five", "six", "seven", "eight"};
	struct iovec oiov[8], iiov[8];
	struct mmsghdr om[8], im[8];
	char in[8][16];
	memset(om, 0, sizeof(om));
	memset(im, 0, sizeof(im));
	for (int i = 0; i < n; i++) {
		oiov[i].iov_base = out[i];
		oiov[i].iov_len = strlen(out[i]);
		om[i].msg_hdr.msg_iov = &oiov[i];
		om[i].msg_hdr.msg_iovlen = 1;
		iiov[i].iov_base = in[i];
		iiov[i].iov_len = sizeof(in[i]);
		im[i].msg_hdr.msg_iov = &iiov[i];
		im[i].msg_hdr.msg_iovlen = 1;
	}
	sendmmsg(from, om, n, MSG_NOSIGNAL);
	recvmmsg(to, im, n, MSG_DONTWAIT, NULL);
}

static void mmsg_mode(void)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) != 0)
		exit(1);
	mmsg_round(sv[0], sv[1], 2); /* as the resolver does */
	mmsg_round(sv[0], sv[1], 5); /* more than the four captured */
	struct mmsghdr m;
	memset(&m, 0, sizeof(m));
	recvmmsg(sv[1], &m, 1, MSG_DONTWAIT, NULL); /* EAGAIN */
}

static void cmsg_mode(void)
{
	int sv[2], one = 1;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		exit(1);
	setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &one, sizeof(one));
	union {
		char b[CMSG_SPACE(sizeof(int) * 2)];
		struct cmsghdr align;
	} u;
	memset(&u, 0, sizeof(u));
	struct iovec iov = {(void *)"x", 1};
	struct msghdr m = {0};
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = u.b;
	m.msg_controllen = sizeof(u.b);
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int) * 2);
	int fds[2] = {0, 1};
	memcpy(CMSG_DATA(c), fds, sizeof(fds));
	sendmsg(sv[0], &m, 0);
	char buf[64], cb[256];
	struct iovec riov = {buf, sizeof(buf)};
	struct msghdr r = {0};
	r.msg_iov = &riov;
	r.msg_iovlen = 1;
	r.msg_control = cb;
	r.msg_controllen = sizeof(cb);
	recvmsg(sv[1], &r, MSG_CMSG_CLOEXEC);
}

static void msg_mode(void)
{
	int sv[2];
	char a[4], b[64];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		exit(99);
	struct iovec out[2] = {{"hello ", 6}, {"world\n", 6}};
	struct msghdr m = {.msg_iov = out, .msg_iovlen = 2};
	sendmsg(sv[0], &m, 0);
	struct iovec in[2] = {{a, sizeof(a)}, {b, sizeof(b)}};
	struct msghdr r = {.msg_iov = in, .msg_iovlen = 2};
	recvmsg(sv[1], &r, 0);
	recvmsg(sv[1], &r, MSG_DONTWAIT); /* EAGAIN */
	close(sv[0]);
	close(sv[1]);

	/* UDP on loopback: msg_name in both directions. */
	struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)}, from;
	socklen_t alen = sizeof(addr);
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	if (u < 0 || bind(u, (struct sockaddr *)&addr, sizeof(addr)) != 0 ||
	    getsockname(u, (struct sockaddr *)&addr, &alen) != 0)
		exit(99);
	struct msghdr um = {.msg_name = &addr, .msg_namelen = sizeof(addr), .msg_iov = out, .msg_iovlen = 1};
	sendmsg(u, &um, 0);
	struct msghdr ur = {.msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = in, .msg_iovlen = 2};
	recvmsg(u, &ur, 0);
	close(u);
}

static void select_mode(void)
{
	int p[2];
	char c;
	fd_set r, w;
	if (pipe(p) != 0)
		exit(99);
	if (write(p[1], "x", 1) != 1)
		exit(99);
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(p[0], &r);
	FD_SET(p[1], &w);
	struct timeval tv = {0, 100000};
	select(p[1] + 1, &r, &w, NULL, &tv);
	if (read(p[0], &c, 1) != 1)
		exit(99);
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	tv.tv_sec = 0;
	tv.tv_usec = 0;
	select(p[0] + 1, &r, NULL, NULL, &tv); /* timeout */
	FD_SET(p[0], &r);
	FD_SET(p[1], &w);
	struct timespec ts = {0, 100000};
	pselect(p[1] + 1, &r, &w, NULL, &ts, NULL);
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	pselect(p[1] + 1, &r, &w, NULL, &ts, &mask);
	close(p[0]);
	close(p[1]);
}

/* structs_mode makes the calls of the struct printers with values that do
 * not change between runs (disarmed timers, no children yet ...). */
static void structs_mode(void)
{
	struct itimerval itv = {{0, 0}, {0, 0}};
	getitimer(ITIMER_REAL, &itv);
	struct itimerval arm = {{0, 250000}, {100, 0}};
	setitimer(ITIMER_VIRTUAL, &arm, NULL);
	struct itimerval zero = {{0, 0}, {0, 0}};
	setitimer(ITIMER_VIRTUAL, &zero, &itv); /* the time left varies: not printed by the test */
	setitimer(ITIMER_VIRTUAL, &zero, &itv);

	struct timezone tz;
	syscall(SYS_gettimeofday, NULL, &tz);
	struct timezone badtz = {10000, 0};
	syscall(SYS_settimeofday, NULL, &badtz); /* EINVAL: out of range */

	struct rusage ru;
	getrusage(RUSAGE_CHILDREN, &ru); /* no child yet: zeros */
	struct tms tms;
	syscall(SYS_times, &tms);

	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct caps[2];
	syscall(SYS_capget, &hdr, caps);
	syscall(SYS_capset, &hdr, caps); /* the same sets: no change */
	struct __user_cap_header_struct hdr1 = {_LINUX_CAPABILITY_VERSION_1, 0};
	syscall(SYS_capget, &hdr1, caps);

	sigset_t usr1;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGUSR1;
	si.si_code = SI_QUEUE;
	si.si_pid = getpid();
	si.si_uid = getuid();
	si.si_value.sival_int = 42;
	syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, &si);
	struct timespec none = {0, 0};
	siginfo_t got;
	syscall(SYS_rt_sigtimedwait, &usr1, &got, &none, 8);
	syscall(SYS_rt_tgsigqueueinfo, getpid(), gettid(), SIGUSR1, &si);
	syscall(SYS_rt_sigtimedwait, &usr1, &got, &none, 8);
	syscall(SYS_rt_sigtimedwait, &usr1, &got, &none, 8); /* EAGAIN */

	int fd = open("structs.tmp", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	close(fd);
	struct utimbuf ub = {1000000000, 1234567890};
	syscall(SYS_utime, "structs.tmp", &ub); /* glibc's utime calls utimensat */
	struct timeval tv2[2] = {{1000000000, 5}, {1234567890, 999999}};
	syscall(SYS_utimes, "structs.tmp", tv2);
	syscall(SYS_futimesat, AT_FDCWD, "structs.tmp", tv2);
	unlink("structs.tmp");

	struct sched_param sp = {0};
	sched_getparam(0, &sp);
	sched_setparam(0, &sp);
	sched_setscheduler(0, SCHED_OTHER, &sp);
	struct sched_param bad = {5};
	sched_setscheduler(0, SCHED_OTHER, &bad); /* EINVAL */

	timer_t tid;
	struct sigevent sev;
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_NONE;
	if (timer_create(CLOCK_MONOTONIC, &sev, &tid) == 0) {
		struct itimerspec its = {{0, 0}, {100, 0}}, old, zits = {{0, 0}, {0, 0}};
		timer_settime(tid, 0, &its, &old);
		timer_settime(tid, 0, &zits, NULL);
		timer_delete(tid);
	}
	int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	if (tfd >= 0) {
		struct itimerspec its = {{1, 500}, {100, 0}}, old, zits = {{0, 0}, {0, 0}};
		timerfd_settime(tfd, 0, &its, &old);
		timerfd_settime(tfd, 0, &zits, NULL);
		timerfd_gettime(tfd, &old);
		close(tfd);
	}

	pid_t child = fork();
	if (child == 0)
		_exit(3);
	siginfo_t info;
	waitid(P_PID, child, &info, WEXITED);
}

/* sched_attr as the kernel defines it (glibc has no header for it). */
struct sc_sched_attr {
	uint32_t size, sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime, sched_deadline, sched_period;
	uint32_t sched_util_min, sched_util_max;
};

/* longtail_mode makes calls whose arguments strace names or decodes in
 * its own way, with values that do not change between runs. */
static void longtail_mode(void)
{
	int fd = open("longtail.tmp", O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return;
	write(fd, "0123456789", 10);
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 5};
	fcntl(fd, F_SETLK, &fl);
	fl.l_type = F_RDLCK;
	fl.l_start = 2;
	fcntl(fd, F_GETLK, &fl);
	fl.l_type = F_UNLCK;
	fl.l_start = 0;
	fcntl(fd, F_SETLKW, &fl);
	struct flock ofd = {.l_type = F_RDLCK, .l_whence = SEEK_CUR, .l_start = 0, .l_len = 0};
	fcntl(fd, F_OFD_SETLK, &ofd);
	ofd.l_type = F_WRLCK;
	fcntl(fd, F_OFD_GETLK, &ofd);
	flock(fd, LOCK_SH | LOCK_NB);

	int mfd = memfd_create("sealed", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd >= 0) {
		fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW);
		fcntl(mfd, F_GET_SEALS);
		close(mfd);
	}

	getpriority(PRIO_PROCESS, 0);
	setpriority(PRIO_PROCESS, 0, 0);
	struct itimerval itv;
	getitimer(ITIMER_PROF, &itv);

	setxattr("longtail.tmp", "user.k", "v", 1, XATTR_CREATE);
	setxattr("longtail.tmp", "user.k", "w", 1, XATTR_REPLACE);
	char xbuf[64];
	listxattr("longtail.tmp", xbuf, 0);
	listxattr("longtail.tmp", xbuf, sizeof(xbuf));
	getxattr("longtail.tmp", "user.k", xbuf, sizeof(xbuf));
	removexattr("longtail.tmp", "user.k");

	int p[2];
	if (pipe(p) == 0) {
		loff_t off = 0;
		splice(fd, &off, p[1], NULL, 4, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		int q[2];
		if (pipe(q) == 0) {
			tee(p[0], q[1], 4, SPLICE_F_NONBLOCK);
			close(q[0]);
			close(q[1]);
		}
		struct iovec v = {"vm", 2};
		vmsplice(p[1], &v, 1, SPLICE_F_GIFT);
		close(p[0]);
		close(p[1]);
	}
	umount2("/nonexistent-mount", MNT_DETACH);

	int nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (nl >= 0)
		close(nl);

	sched_getscheduler(0);
	sched_get_priority_max(SCHED_FIFO);
	struct sc_sched_attr sa;
	memset(&sa, 0, sizeof(sa));
	syscall(SYS_sched_getattr, 0, &sa, sizeof(sa), 0);
	syscall(SYS_sched_setattr, 0, &sa, 0);

	struct timespec ts2[2] = {{0, UTIME_NOW}, {0, UTIME_OMIT}};
	utimensat(AT_FDCWD, "longtail.tmp", ts2, 0);
	struct timespec ts3[2] = {{1000000000, 0}, {1234567890, 123456789}};
	utimensat(AT_FDCWD, "longtail.tmp", ts3, AT_SYMLINK_NOFOLLOW);
	utimensat(fd, NULL, NULL, 0);

	int out = open("/dev/null", O_WRONLY);
	off_t soff = 0;
	sendfile(out, fd, &soff, 10);
	sendfile(out, fd, NULL, 10);
	close(out);

	uid_t r, e, s;
	getresuid(&r, &e, &s);
	gid_t gr, ge, gs;
	getresgid(&gr, &ge, &gs);
	unsigned cpu, node;
	syscall(SYS_getcpu, &cpu, &node, NULL);
	fchown(fd, -1, -1);
	void *m = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(m, 4096);

	struct mq_attr ma = {.mq_maxmsg = 4, .mq_msgsize = 16};
	mqd_t q = mq_open("/sc-longtail", O_RDWR | O_CREAT | O_EXCL, 0600, &ma);
	if (q != (mqd_t)-1) {
		struct mq_attr got;
		mq_getattr(q, &got);
		struct sigevent nev;
		memset(&nev, 0, sizeof(nev));
		nev.sigev_notify = SIGEV_SIGNAL;
		nev.sigev_signo = SIGUSR2;
		nev.sigev_value.sival_int = 7;
		mq_notify(q, &nev);
		mq_notify(q, NULL);
		mq_close(q);
		mq_unlink("/sc-longtail");
	}

	struct open_how how = {.flags = O_RDONLY | O_CLOEXEC, .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH};
	int o2 = syscall(SYS_openat2, AT_FDCWD, "longtail.tmp", &how, sizeof(how));
	if (o2 >= 0)
		close(o2);

	timer_t tid;
	struct sigevent tev;
	memset(&tev, 0, sizeof(tev));
	tev.sigev_notify = SIGEV_SIGNAL;
	tev.sigev_signo = SIGALRM;
	tev.sigev_value.sival_int = 3;
	if (timer_create(CLOCK_REALTIME, &tev, &tid) == 0)
		timer_delete(tid);

	close(fd);
	unlink("longtail.tmp");

	int mfd2, sfd;
	if (openpty(&mfd2, &sfd, NULL, NULL, NULL) == 0) {
		int n;
		ioctl(sfd, TIOCOUTQ, &n);
		pid_t sid;
		ioctl(sfd, TIOCGSID, &sid); /* ENOTTY: not our controlling terminal */
		struct termios t;
		tcgetattr(sfd, &t);
		tcsetattr(sfd, TCSANOW, &t);
		close(sfd);
		close(mfd2);
	}

	/* Edge cases: a thread-directed sigevent, open_how with a mode,
	 * sched_attr keeping policy and parameters, uids left unchanged, an
	 * unknown capability version, failed lock calls. */
	struct sigevent tidev;
	memset(&tidev, 0, sizeof(tidev));
	tidev.sigev_notify = SIGEV_THREAD_ID;
	tidev.sigev_signo = SIGRTMIN;
	tidev._sigev_un._tid = gettid();
	timer_t tid2;
	if (syscall(SYS_timer_create, CLOCK_MONOTONIC, &tidev, &tid2) == 0)
		syscall(SYS_timer_delete, tid2);
	struct open_how chow = {.flags = O_WRONLY | O_CREAT | O_TRUNC, .mode = 0640};
	int cfd = syscall(SYS_openat2, AT_FDCWD, "longtail.tmp", &chow, sizeof(chow));
	if (cfd >= 0)
		close(cfd);
	unlink("longtail.tmp");
	struct sc_sched_attr keep;
	memset(&keep, 0, sizeof(keep));
	keep.size = 48;
	keep.sched_flags = 0x10 | 0x08; /* SCHED_FLAG_KEEP_PARAMS | SCHED_FLAG_KEEP_POLICY */
	syscall(SYS_sched_setattr, 0, &keep, 0);
	syscall(SYS_setresuid, -1, -1, -1);
	struct __user_cap_header_struct badhdr = {0x12345678, 0};
	struct __user_cap_data_struct bcaps[2];
	syscall(SYS_capget, &badhdr, bcaps);
	struct flock bfl = {.l_type = F_RDLCK};
	fcntl(99, F_GETLK, &bfl);
	fcntl(99, F_SETLK, &bfl);

	/* Flag orders and names of fd-creating calls, sockopts, an
	 * all-zero termios, epoll_ctl's ignored event. */
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	int sfd2 = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
	int tfd2 = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC);
	struct itimerspec zero2 = {{0, 0}, {0, 0}};
	timerfd_settime(tfd2, TFD_TIMER_ABSTIME, &zero2, NULL);
	syscall(SYS_pkey_alloc, 0, 1); /* PKEY_DISABLE_ACCESS: EINVAL or ENOSPC without pkeys */
	int nl2 = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	int one = 1;
	setsockopt(nl2, 270 /* SOL_NETLINK */, 11 /* NETLINK_EXT_ACK */, &one, sizeof(one));
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event eev = {.events = EPOLLIN, .data.u64 = 9};
	epoll_ctl(ep, EPOLL_CTL_ADD, efd, &eev);
	epoll_ctl(ep, EPOLL_CTL_DEL, efd, &eev);
	int dn = open("/dev/null", O_RDWR);
	struct termios zt;
	memset(&zt, 0, sizeof(zt));
	ioctl(dn, TCSETSW, &zt); /* ENOTTY */
	close(dn);
	close(ep);
	close(nl2);
	close(tfd2);
	close(sfd2);
	close(efd);

	/* io_uring_setup: set at enter, filled at exit; a failure (no
	 * entries) shows the struct as it was. */
	struct io_uring_params up;
	memset(&up, 0, sizeof(up));
	int ur = syscall(SYS_io_uring_setup, 4, &up);
	if (ur >= 0)
		close(ur);
	memset(&up, 0, sizeof(up));
	syscall(SYS_io_uring_setup, 0, &up);

	mkdir("many", 0755);
	char name[32];
	for (int i = 0; i < 600; i++) {
		snprintf(name, sizeof(name), "many/f%03d", i);
		close(open(name, O_WRONLY | O_CREAT, 0644));
	}
	int dfd = open("many", O_RDONLY | O_DIRECTORY);
	static char dbuf[65536];
	while (syscall(SYS_getdents64, dfd, dbuf, sizeof(dbuf)) > 0)
		;
	close(dfd);
	for (int i = 0; i < 600; i++) {
		snprintf(name, sizeof(name), "many/f%03d", i);
		unlink(name);
	}
	rmdir("many");
}

/* struct clone_args of <linux/sched.h>, which clashes with <sched.h>. */
struct clone3_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};

static void clone3_mode(void)
{
	int pidfd = -1;
	pid_t ptid = 0;
	struct clone3_args a;
	memset(&a, 0, sizeof(a));
	a.flags = CLONE_PIDFD;
	a.pidfd = (uint64_t)(uintptr_t)&pidfd;
	a.exit_signal = SIGCHLD;
	long p = syscall(SYS_clone3, &a, sizeof(a));
	if (p == 0)
		_exit(0);
	waitpid(p, NULL, 0);
	close(pidfd);
	a.flags = CLONE_PIDFD | CLONE_PARENT_SETTID;
	a.parent_tid = (uint64_t)(uintptr_t)&ptid;
	p = syscall(SYS_clone3, &a, sizeof(a));
	if (p == 0)
		_exit(0);
	waitpid(p, NULL, 0);
	close(pidfd);
	pid_t tids[2] = {999999, 999998};
	memset(&a, 0, sizeof(a));
	a.exit_signal = SIGCHLD;
	a.set_tid = (uint64_t)(uintptr_t)tids;
	a.set_tid_size = 2;
	syscall(SYS_clone3, &a, sizeof(a));
	long page = sysconf(_SC_PAGESIZE);
	char *m = mmap(NULL, 5 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	m[0] = 1;
	m[2 * page] = 1;
	unsigned char vec[5];
	mincore(m, 5 * page, vec);
	munmap(m, 5 * page);
}

static void usr1_handler(int sig)
{
	close(0x5151);
}

static void signals_mode(void)
{
	struct sigaction sa = {0};
	sa.sa_handler = usr1_handler;
	sigaction(SIGUSR1, &sa, NULL);
	syscall(SYS_tgkill, getpid(), gettid(), SIGUSR1);
	close(0x5152);
	syscall(SYS_tgkill, getpid(), gettid(), SIGURG);
	close(0x5153);
	pid_t child = fork();
	if (child == 0) {
		struct timespec nap = {0, 20 * 1000 * 1000};
		nanosleep(&nap, NULL);
		_exit(7);
	}
	int st;
	wait4(child, &st, 0, NULL);
	close(0x5154);
	/* The sleeper says it is about to sleep: on a loaded machine it
	 * may not have run at all 50ms after the fork. */
	int ready[2];
	if (pipe(ready) != 0)
		_exit(1);
	pid_t sleeper = fork();
	if (sleeper == 0) {
		struct timespec nap = {5, 0};
		write(ready[1], "r", 1);
		nanosleep(&nap, NULL);
		_exit(0);
	}
	char c;
	read(ready[0], &c, 1);
	struct timespec nap = {0, 50 * 1000 * 1000};
	nanosleep(&nap, NULL);
	kill(sleeper, SIGTERM);
	wait4(sleeper, &st, 0, NULL);
	close(0x5155);
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
				/* Long enough for both waits to block first. */
				struct timespec nap = {0, 20 * 1000 * 1000};
				nanosleep(&nap, NULL);
				marker_open("/nonexistent/grandchild-marker");
				_exit(0);
			}
			waitpid(grandchild, NULL, 0);
			_exit(0);
		}
		waitpid(child, NULL, 0);
		return 0;
	}
	if (!strcmp(mode, "seccomp")) {
		/* getppid refused by seccomp with EPERM: the call never reaches
		 * the entry tracepoint, only the exit one. */
		struct sock_filter f[] = {
			BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		};
		struct sock_fprog prog = {sizeof(f) / sizeof(f[0]), f};
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
		    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0)
			return 2;
		syscall(SYS_getppid);
		marker_open("/nonexistent/seccomp-marker");
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
	if (!strcmp(mode, "poll")) {
		poll_mode();
		return 0;
	}
	if (!strcmp(mode, "iov")) {
		iov_mode();
		return 0;
	}
	if (!strcmp(mode, "ioctl")) {
		ioctl_mode();
		return 0;
	}
	if (!strcmp(mode, "epoll")) {
		epoll_mode();
		return 0;
	}
	if (!strcmp(mode, "msg")) {
		msg_mode();
		return 0;
	}
	if (!strcmp(mode, "select")) {
		select_mode();
		return 0;
	}
	if (!strcmp(mode, "prctl")) {
		prctl_mode();
		return 0;
	}
	if (!strcmp(mode, "mmsg")) {
		mmsg_mode();
		return 0;
	}
	if (!strcmp(mode, "clone3")) {
		clone3_mode();
		return 0;
	}
	if (!strcmp(mode, "signals")) {
		signals_mode();
		return 0;
	}
	if (!strcmp(mode, "cmsg")) {
		cmsg_mode();
		return 0;
	}
	if (!strcmp(mode, "forkexec")) {
		pid_t child = fork();
		if (child == 0) {
			execl("/bin/echo", "echo", "an argument longer than strace's thirty-two bytes",
			      "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14",
			      "15", "16", "17", "18", "19", "20", "21", "22", "23", "24", "25", "26", "27",
			      "28", "29", "30", "31", "32", "33", "34", "35", "36", "37", "38", "39", "40",
			      (char *)NULL);
			_exit(127);
		}
		waitpid(child, NULL, 0);
		return 0;
	}
	if (!strcmp(mode, "threads2")) {
		threads2_mode();
		return 0;
	}
	if (!strcmp(mode, "ioctl2")) {
		ioctl2_mode();
		return 0;
	}
	if (!strcmp(mode, "longtail")) {
		longtail_mode();
		return 0;
	}
	if (!strcmp(mode, "structs")) {
		structs_mode();
		return 0;
	}
	fprintf(stderr, "syscaller: unknown mode %s\n", mode);
	return 2;
}
