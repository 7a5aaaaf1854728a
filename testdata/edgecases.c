// edgecases: syscalls with invalid flags, unknown constants and NULL
// pointers, for comparing strace.ebpf -l strace with the system strace
// (fidelity/edge_test.go). Every call fails or does nothing; the modes
// group them by what they exercise:
//
//	edgecases flags    flag sets with unknown bits, flags printed by name
//	edgecases enums    constants no table names (strace's XXX_??? comments)
//	edgecases null     NULL and unmapped pointers
//	edgecases ioctl    ioctl requests of the common subsystems
//	edgecases more     process, prctl, socket option, fd, memory, xattr,
//	                   timer and signal calls with odd arguments
//	edgecases real     valid calls of real programs whose results strace
//	                   decodes (io_uring, ioprio, membarrier, seccomp,
//	                   mempolicy, mqueue, mount data, a timer's siginfo)
//	edgecases structs  structures behind pointers: seccomp filter programs,
//	                   io_uring_register's and quotactl's structs (traced
//	                   with and without -v)
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/seccomp.h>
#include <linux/filter.h>
#include <linux/dqblk_xfs.h>
#include <sys/uio.h>
#include <linux/perf_event.h>
#include <linux/loop.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/quota.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <poll.h>
#include <sys/select.h>
#include <sys/epoll.h>
#include <linux/ptrace.h>
#include <linux/io_uring.h>
#include <linux/membarrier.h>
#include <mqueue.h>
#include <pty.h>

#define BAD ((void *)8) /* an unmapped address */

static void flags(void)
{
	syscall(SYS_pidfd_open, 0, O_NONBLOCK);         /* PIDFD_NONBLOCK, pid 0: EINVAL */
	syscall(SYS_pidfd_open, -1, 0x1000);            /* unknown bit */
	syscall(SYS_fspick, -1, "", 1);                 /* FSPICK_CLOEXEC */
	syscall(SYS_fspick, -1, "", 0x80);              /* unknown bit */
	syscall(SYS_fsopen, "nofs", 1);                 /* FSOPEN_CLOEXEC */
	syscall(SYS_fsmount, -1, 1, 0x20);              /* FSMOUNT_CLOEXEC, MOUNT_ATTR_NOATIME? */
	syscall(SYS_open_tree, -1, "", 0x80001);        /* OPEN_TREE_CLONE|OPEN_TREE_CLOEXEC */
	syscall(SYS_move_mount, -1, "", -1, "", 0x44);  /* MOVE_MOUNT_F_EMPTY_PATH|MOVE_MOUNT_T_EMPTY_PATH */
	syscall(SYS_mount_setattr, -1, "", 0x1100, NULL, 0);
	faccessat(-1, "x", 8, 0);                       /* unknown mode bit */
	syscall(SYS_faccessat2, -1, "x", R_OK, 0x100);  /* AT_SYMLINK_NOFOLLOW */
	syscall(SYS_fchownat, -1, "x", 1, 2, 0x1100);
	syscall(SYS_unlinkat, -1, "x", 0x200);          /* AT_REMOVEDIR */
	syscall(SYS_linkat, -1, "x", -1, "y", 0x400);   /* AT_SYMLINK_FOLLOW */
	syscall(SYS_utimensat, -1, "x", NULL, 0x100);
	syscall(SYS_openat, -1, "x", O_WRONLY | O_CREAT | O_TRUNC | 0x40000000, 0644);
	syscall(SYS_fallocate, -1, 3, 0, 1);            /* FALLOC_FL_KEEP_SIZE|FALLOC_FL_PUNCH_HOLE */
	syscall(SYS_fallocate, -1, 0x1000, 0, 1);
	syscall(SYS_mlock2, 0, 0, 1);                   /* MLOCK_ONFAULT */
	syscall(SYS_mlock2, 0, 0, 2);
	syscall(SYS_membarrier, 0, 1, 0);               /* QUERY, FLAG_CPU */
	syscall(SYS_seccomp, 1, 1, NULL);               /* SECCOMP_SET_MODE_FILTER, TSYNC */
	syscall(SYS_userfaultfd, 0x10);
	syscall(SYS_preadv2, -1, NULL, 0, 0, 0, 3);     /* RWF_HIPRI|RWF_DSYNC */
	syscall(SYS_sync_file_range, -1, 0, 0, 7);
	syscall(SYS_perf_event_open, NULL, 0, -1, -1, 8);
	syscall(SYS_dup3, 0, 0, 0x80000 | 0x1);         /* O_CLOEXEC|0x1 */
	syscall(SYS_pipe2, NULL, 0x4000);
	syscall(SYS_mmap, NULL, 0, 0x10, 0x40000000, -1, 0);
	syscall(SYS_mprotect, NULL, 0, 0x40);
	syscall(SYS_msync, NULL, 0, 8);
	syscall(SYS_mlockall, 8);
	syscall(SYS_renameat2, -1, "x", -1, "y", 8);
	syscall(SYS_getrandom, NULL, 0, 8);
	syscall(SYS_eventfd2, 0, 1 | 0x10);
	syscall(SYS_timerfd_create, 1, 1);
	syscall(SYS_inotify_init1, 1);
	syscall(SYS_epoll_create1, 1);
	syscall(SYS_memfd_create, "x", 0x100);
	syscall(SYS_close_range, 5, 4, 1);
	syscall(SYS_flock, -1, 0x10);
	syscall(SYS_statx, -1, "x", 0x100000, 0x10000, NULL);
	syscall(SYS_accept4, -1, NULL, NULL, 1);
	syscall(SYS_socket, AF_INET, SOCK_STREAM | 0x100, 0);
	syscall(SYS_sendto, -1, NULL, 0, 0x80000000, NULL, 0);
	syscall(SYS_umount2, "/nonexistent", 0x10);
	syscall(SYS_unshare, 0x1);
	syscall(SYS_setns, -1, 0x20000);
	syscall(SYS_waitid, 7, 0, NULL, 0x80, NULL);
	syscall(SYS_clock_nanosleep, 0, 2, NULL, NULL);
	syscall(SYS_timer_settime, 0, 2, NULL, NULL);
	syscall(SYS_getxattr, "x", "user.x", NULL, 0);
	syscall(SYS_setxattr, "x", "user.x", NULL, 0, 4);
	syscall(SYS_splice, -1, NULL, -1, NULL, 0, 0x10);
}

static void enums(void)
{
	syscall(SYS_prctl, 0x43, 0, 0, 0, 0);
	syscall(SYS_lseek, -1, 0, 9);
	syscall(SYS_fcntl, -1, 0x7f);
	syscall(SYS_madvise, NULL, 0, 0x99);
	syscall(SYS_fadvise64, -1, 0, 0, 9);
	syscall(SYS_clock_gettime, 0x7b, NULL);
	syscall(SYS_getrlimit, 0x55, NULL);
	syscall(SYS_getrusage, 5, NULL);
	syscall(SYS_getitimer, 9, NULL);
	syscall(SYS_getpriority, 9, 0);
	syscall(SYS_epoll_ctl, -1, 9, -1, NULL);
	syscall(SYS_shutdown, -1, 9);
	syscall(SYS_socket, 0x99, 0, 0);
	syscall(SYS_rt_sigprocmask, 9, NULL, NULL, 8);
	syscall(SYS_kcmp, 0, 0, 0x55, 0, 0);
	syscall(SYS_keyctl, 0x999, 0, 0, 0, 0);
	syscall(SYS_membarrier, 0x800, 0, 0);
	syscall(SYS_seccomp, 9, 0, NULL);
	syscall(SYS_fsconfig, -1, 0x99, NULL, NULL, 0);
	syscall(SYS_io_uring_register, -1, 0x99, NULL, 0);
	syscall(SYS_ioprio_get, 9, 0);
	syscall(SYS_syslog, 0x99, NULL, 0);
	syscall(SYS_arch_prctl, 0x9999, 0);
	syscall(SYS_reboot, 0, 0, 0, NULL);
	syscall(SYS_sched_setscheduler, 0, 0x99, NULL);
	syscall(SYS_waitid, 9, 0, NULL, WEXITED, NULL);
	syscall(SYS_setsockopt, -1, 0x99, 1, NULL, 0);
	syscall(SYS_getsockopt, -1, SOL_SOCKET, 0x1a0, NULL, NULL);
}

static void null(void)
{
	syscall(SYS_open, NULL, O_RDONLY);
	syscall(SYS_stat, NULL, NULL);
	syscall(SYS_stat, BAD, BAD);
	syscall(SYS_read, -1, NULL, 0);
	syscall(SYS_write, -1, BAD, 4);
	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, NULL);
	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, BAD);
	syscall(SYS_nanosleep, NULL, NULL);
	syscall(SYS_getrlimit, RLIMIT_NOFILE, NULL);
	syscall(SYS_rt_sigaction, SIGUSR1, BAD, NULL, 8);
	syscall(SYS_rt_sigprocmask, SIG_BLOCK, BAD, NULL, 8);
	syscall(SYS_uname, NULL);
	syscall(SYS_sysinfo, NULL);
	syscall(SYS_pipe, NULL);
	syscall(SYS_wait4, -1, NULL, WNOHANG, NULL);
	syscall(SYS_getcwd, NULL, 0);
	syscall(SYS_readlink, NULL, NULL, 0);
	syscall(SYS_poll, NULL, 0, 0);
	syscall(SYS_select, 0, NULL, NULL, NULL, BAD);
	syscall(SYS_connect, -1, NULL, 0);
	syscall(SYS_bind, -1, BAD, 16);
	syscall(SYS_sendmsg, -1, NULL, 0);
	syscall(SYS_execve, NULL, NULL, NULL);
	syscall(SYS_getdents64, -1, NULL, 0);
	syscall(SYS_capget, NULL, NULL);
	syscall(SYS_sched_getaffinity, 0, 0, NULL);
	syscall(SYS_timer_create, CLOCK_MONOTONIC, BAD, BAD);
}

static void more(void)
{
	syscall(SYS_pidfd_send_signal, -1, 0, NULL, 1);
	syscall(SYS_pidfd_getfd, -1, 3, 1);
	syscall(SYS_kcmp, 0, 0, 0, 1, 2);              /* KCMP_FILE */
	syscall(SYS_wait4, -1, NULL, 0x10000, NULL);
	syscall(SYS_setns, -1, 0);
	syscall(SYS_prctl, PR_SET_MM, 0x99, 0, 0, 0);
	syscall(SYS_prctl, PR_SET_DUMPABLE, 9, 0, 0, 0);
	syscall(SYS_prctl, PR_CAPBSET_READ, 0x99, 0, 0, 0);
	syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 0, 1, 0, 0);
	syscall(SYS_getsockopt, -1, SOL_SOCKET, 0x1a, NULL, NULL);
	syscall(SYS_getsockopt, -1, 0 /* SOL_IP */, 0x99, NULL, NULL);
	syscall(SYS_getsockopt, -1, 6 /* SOL_TCP */, 0x99, NULL, NULL);
	syscall(SYS_setsockopt, -1, SOL_SOCKET, SO_REUSEADDR, NULL, 4);
	syscall(SYS_fcntl, -1, F_SETFL, O_NONBLOCK | O_APPEND);
	syscall(SYS_fcntl, -1, F_SETFD, 3);
	syscall(SYS_fcntl, -1, F_ADD_SEALS, 0x40);
	syscall(SYS_fcntl, -1, F_SETLEASE, 9);
	syscall(SYS_fcntl, -1, F_NOTIFY, 0x80000000);
	syscall(SYS_close_range, 3, 2, 8);
	syscall(SYS_mbind, NULL, 0, 0x99, NULL, 0, 8);
	syscall(SYS_set_mempolicy, 0x99, NULL, 0);
	syscall(SYS_get_mempolicy, NULL, NULL, 0, NULL, 8);
	syscall(SYS_memfd_create, "x", 0x80);
	syscall(SYS_pkey_alloc, 1, 4);
	syscall(SYS_pkey_mprotect, NULL, 0, 0x10, 1);
	syscall(SYS_userfaultfd, O_CLOEXEC | 2);
	syscall(SYS_setxattr, "x", "user.x", "v", 1, 8);
	syscall(SYS_getxattr, NULL, NULL, NULL, 0);
	syscall(SYS_listxattr, NULL, NULL, 0);
	syscall(SYS_quotactl, 0x99, NULL, 0, NULL);
	syscall(SYS_quotactl, QCMD(Q_SYNC, USRQUOTA), NULL, 0, NULL);
	syscall(SYS_quotactl, QCMD(Q_GETFMT, GRPQUOTA), "/nonexistent", 0, NULL);
	syscall(SYS_quotactl, QCMD(0x5801, PRJQUOTA), "/nonexistent", 0, NULL); /* Q_XQUOTAON */
	syscall(SYS_quotactl, QCMD(Q_QUOTAOFF, 7), "/x", 5, BAD);
	syscall(SYS_quotactl, QCMD(Q_GETQUOTA, USRQUOTA), "/nonexistent", -1, NULL);
	syscall(SYS_timer_create, 0x99, NULL, NULL);
	syscall(SYS_timerfd_settime, -1, 4, NULL, NULL);
	syscall(SYS_clock_nanosleep, 0x99, 0, NULL, NULL);
	syscall(SYS_ioprio_set, 1, 0, 0x6007);
	syscall(SYS_sched_setattr, 0, NULL, 8);
	syscall(SYS_epoll_ctl, -1, EPOLL_CTL_ADD, -1, NULL);
	syscall(SYS_inotify_add_watch, -1, NULL, 0x80000000);
	syscall(SYS_fanotify_init, 0x99, O_RDONLY);
	syscall(SYS_personality, 0xffffffff);
	syscall(SYS_mremap, NULL, 0, 0, 8, NULL);
	syscall(SYS_madvise, NULL, 0, MADV_DONTNEED);
	syscall(SYS_socket, AF_UNIX, SOCK_STREAM, 9);
	syscall(SYS_socket, AF_NETLINK, SOCK_RAW, 99);
	syscall(SYS_shutdown, -1, SHUT_RDWR);
	syscall(SYS_access, "x", 8);
	syscall(SYS_mknodat, -1, "x", 0170777, 0);
	syscall(SYS_umask, 0777777);
	syscall(SYS_kill, -1, 99);
	syscall(SYS_rt_sigaction, 99, NULL, NULL, 8);
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, NULL, NULL, 9);
	syscall(SYS_sched_getscheduler, -1);
	syscall(SYS_ptrace, 0x9999, 0, NULL, NULL);
	syscall(SYS_futex, NULL, 0x99, 0, NULL, NULL, 0);
	syscall(SYS_swapon, "x", 0x18000);
}

static void ioctls(void)
{
	struct winsize ws;
	syscall(SYS_ioctl, -1, TCGETS, NULL);
	syscall(SYS_ioctl, -1, TCSETS, NULL);
	syscall(SYS_ioctl, -1, TIOCGWINSZ, &ws);
	syscall(SYS_ioctl, -1, TCFLSH, 2);
	syscall(SYS_ioctl, -1, TCSBRK, 1);
	syscall(SYS_ioctl, -1, TIOCSCTTY, 0);
	syscall(SYS_ioctl, -1, TIOCNOTTY);
	syscall(SYS_ioctl, -1, FIONREAD, NULL);
	syscall(SYS_ioctl, -1, SIOCGIFCONF, NULL);
	syscall(SYS_ioctl, -1, SIOCGIFFLAGS, NULL);
	syscall(SYS_ioctl, -1, SIOCGIFINDEX, NULL);
	syscall(SYS_ioctl, -1, SIOCGIFHWADDR, NULL);
	syscall(SYS_ioctl, -1, BLKGETSIZE64, NULL);
	syscall(SYS_ioctl, -1, BLKSSZGET, NULL);
	syscall(SYS_ioctl, -1, BLKFLSBUF);
	syscall(SYS_ioctl, -1, BLKROGET, NULL);
	syscall(SYS_ioctl, -1, LOOP_SET_FD, 3);
	syscall(SYS_ioctl, -1, LOOP_CLR_FD);
	syscall(SYS_ioctl, -1, LOOP_GET_STATUS64, NULL);
	syscall(SYS_ioctl, -1, LOOP_CTL_GET_FREE);
	syscall(SYS_ioctl, -1, FS_IOC_GETFLAGS, NULL);
	syscall(SYS_ioctl, -1, FS_IOC_SETFLAGS, NULL);
	syscall(SYS_ioctl, -1, FS_IOC_GETVERSION, NULL);
	syscall(SYS_ioctl, -1, FIFREEZE, 0);
	syscall(SYS_ioctl, -1, FICLONE, 3);
	syscall(SYS_ioctl, -1, PERF_EVENT_IOC_ENABLE, 0);
	syscall(SYS_ioctl, -1, PERF_EVENT_IOC_DISABLE, 0);
	syscall(SYS_ioctl, -1, PERF_EVENT_IOC_RESET, 0);
	syscall(SYS_ioctl, -1, PERF_EVENT_IOC_ID, NULL);
	syscall(SYS_ioctl, -1, SECCOMP_IOCTL_NOTIF_RECV, NULL);
	syscall(SYS_ioctl, -1, SECCOMP_IOCTL_NOTIF_SEND, NULL);
	syscall(SYS_ioctl, -1, SECCOMP_IOCTL_NOTIF_ID_VALID, NULL);
	syscall(SYS_ioctl, -1, 0xdead, NULL);
}

static void on_signal(int sig)
{
	(void)sig;
}

static void real(void)
{
	struct io_uring_params p;
	memset(&p, 0, sizeof p);
	int ring = syscall(SYS_io_uring_setup, 4, &p);
	int fds[2] = {0, 1};
	syscall(SYS_io_uring_enter, ring, 0, 0, IORING_ENTER_GETEVENTS, NULL, 0);
	syscall(SYS_io_uring_register, ring, IORING_REGISTER_FILES, fds, 2);
	syscall(SYS_io_uring_register, ring, IORING_UNREGISTER_FILES, NULL, 0);
	close(ring);
	syscall(SYS_ioprio_get, 1, 0);                  /* IOPRIO_WHO_PROCESS */
	syscall(SYS_ioprio_set, 1, 0, (2 << 13) | 4);   /* IOPRIO_CLASS_BE, 4 */
	syscall(SYS_ioprio_get, 1, 0);
	syscall(SYS_ioprio_set, 1, 0, 0);
	syscall(SYS_ioprio_get, 9, 0);
	syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
	syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0);
	syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0);
	unsigned action = SECCOMP_RET_KILL_PROCESS;
	struct seccomp_notif_sizes sizes;
	syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action);
	syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes);
	int mode = -1;
	unsigned long mask[2] = {0};
	syscall(SYS_get_mempolicy, &mode, NULL, 0, NULL, 0);
	syscall(SYS_get_mempolicy, &mode, mask, 128, NULL, 0);
	syscall(SYS_get_mempolicy, NULL, NULL, 0, NULL, 0);
	unsigned long node0[2] = {1, 0};
	syscall(SYS_set_mempolicy, 2, node0, 65);      /* MPOL_BIND, node 0 */
	syscall(SYS_get_mempolicy, &mode, mask, 65, NULL, 0);
	syscall(SYS_set_mempolicy, 0, NULL, 0);
	void *area = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	syscall(SYS_mbind, area, 4096, 2, node0, 3, 0);
	syscall(SYS_mbind, area, 4096, 2, BAD, 3, 0);
	struct mq_attr at = {.mq_maxmsg = 4, .mq_msgsize = 16};
	int q = syscall(SYS_mq_open, "edgecases", O_CREAT | O_RDWR, 0600, &at);
	char buf[16];
	unsigned prio;
	struct timespec ts = {0, 1000};
	syscall(SYS_mq_timedsend, q, "hello", 5, 3, &ts);
	syscall(SYS_mq_timedreceive, q, buf, sizeof buf, &prio, &ts);
	syscall(SYS_mq_timedreceive, q, buf, sizeof buf, &prio, &ts);
	syscall(SYS_mq_timedsend, q, "x", 1, 0, NULL);
	syscall(SYS_mq_timedreceive, q, buf, sizeof buf, NULL, NULL);
	close(q);
	syscall(SYS_mq_unlink, "edgecases");
	int ep = epoll_create1(0);
	struct epoll_event ev[2];
	struct timespec t2 = {0, 1000000};
	syscall(SYS_epoll_pwait2, ep, ev, 2, &t2, NULL, 8);
	close(ep);
	syscall(SYS_mount, "none", "/nonexistent", "tmpfs", MS_NOSUID, "size=1m,mode=755");
	syscall(SYS_mount, "none", "/nonexistent", "proc", 0, "hidepid=2");
	syscall(SYS_mount, "/x", "/nonexistent", "none", MS_BIND, "x");
	syscall(SYS_mount, "/x", "/nonexistent", "none", MS_REMOUNT, "ro");
	syscall(SYS_mount, "/x", "/nonexistent", NULL, 0, NULL);
	int mfd, sfd;
	if (openpty(&mfd, &sfd, NULL, NULL, NULL) == 0) {
		ioctl(mfd, TCFLSH, TCIFLUSH);
		ioctl(sfd, TCSBRK, 1);
		ioctl(sfd, TIOCSCTTY, 0);
		ioctl(sfd, TIOCNOTTY);
		close(mfd);
		close(sfd);
	}
	void *a = mmap(NULL, 8192, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	void *b = mremap(a, 8192, 16384, MREMAP_MAYMOVE);
	void *c = mmap(NULL, 65536, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mremap(b, 16384, 16384, MREMAP_MAYMOVE | MREMAP_FIXED, c);
	signal(SIGUSR1, on_signal);
	timer_t tid;
	struct sigevent se = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1};
	se.sigev_value.sival_int = 42;
	syscall(SYS_timer_create, CLOCK_MONOTONIC, &se, &tid);
	struct itimerspec its = {.it_value = {0, 1000000}};
	syscall(SYS_timer_settime, tid, 0, &its, NULL);
	pause();
	syscall(SYS_timer_delete, tid);
	syscall(SYS_execveat, AT_FDCWD, "/nonexistent", (char *[]){"x", NULL}, (char *[]){NULL}, 0);
}

/* seccomp_filters: filter programs, valid, invalid, empty, NULL and unmapped. */
static void seccomp_filters(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 4),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0xc000003e, 0, 3),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 5),
		BPF_STMT(0xffff, 0x1234),               /* unknown bits: EINVAL */
		BPF_STMT(BPF_MISC | BPF_TXA | 0x8, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_filter g[] = {
		BPF_STMT(BPF_ST, 1),
		BPF_STMT(BPF_ST | 0x40, 1),
		BPF_STMT(BPF_LDX | BPF_W | BPF_MEM, 2),
		BPF_STMT(BPF_LD | BPF_H | 0xe0, 2),
		BPF_STMT(BPF_ALU | BPF_X | BPF_AND, 0),
		BPF_STMT(BPF_ALU | 0xf8, 0),
		BPF_STMT(BPF_RET | 0x18, 0x12345678),
	};
	struct sock_filter allow[40];
	for (int i = 0; i < 40; i++)
		allow[i] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	allow[39].code = 0xffff; /* EINVAL */
	struct sock_fprog p = {6, f}, q = {7, g}, z = {0, f}, n = {3, NULL};
	struct sock_fprog bad = {2, BAD}, many = {40, allow}, one = {1, allow};
	syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0x100, &p);
	syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &p);
	syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &q);
	syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &z);
	syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &n);
	syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &bad);
	syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, BAD);
	syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, NULL);
	syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_LOG, &many);
	prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &p, 0, 0);
	prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &z, 0, 0);
	prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, BAD, 0, 0);
	prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, NULL, 0, 0);
	prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &many, 0, 0);
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &one, 0, 0); /* installed: allows all */
	syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &one);
}

/* quotas: quotactl's structs by command, read and written. */
static void quotas(void)
{
	struct if_dqblk dq = {.dqb_bhardlimit = 100, .dqb_bsoftlimit = 50, .dqb_curspace = 4096,
			      .dqb_ihardlimit = 10, .dqb_isoftlimit = 5, .dqb_curinodes = 2,
			      .dqb_btime = 1000, .dqb_itime = 2000, .dqb_valid = QIF_ALL | 0x80};
	struct if_dqinfo di = {.dqi_bgrace = 604800, .dqi_igrace = 86400, .dqi_flags = 1 | 0x100,
			       .dqi_valid = IIF_ALL | 0x10};
	struct fs_disk_quota fq = {.d_version = 1, .d_flags = FS_USER_QUOTA | 0x10, .d_fieldmask = 0x3,
				   .d_id = 1000, .d_blk_hardlimit = 8, .d_blk_softlimit = 4,
				   .d_ino_hardlimit = 3, .d_ino_softlimit = 2, .d_bcount = 1,
				   .d_icount = 1, .d_itimer = -1, .d_btimer = 7, .d_iwarns = 1,
				   .d_bwarns = 2, .d_rtb_hardlimit = 9, .d_rtb_softlimit = 8,
				   .d_rtbcount = 7, .d_rtbtimer = 6, .d_rtbwarns = 5};
	unsigned flag = FS_QUOTA_UDQ_ACCT | FS_QUOTA_GDQ_ENFD | 0x100, fmt = 0;
	char out[256];
	syscall(SYS_quotactl, QCMD(Q_SETQUOTA, USRQUOTA), "/nonexistent", 1000, &dq);
	syscall(SYS_quotactl, QCMD(Q_SETQUOTA, GRPQUOTA), "/nonexistent", 0, BAD);
	syscall(SYS_quotactl, QCMD(Q_SETQUOTA, USRQUOTA), "/nonexistent", 0, NULL);
	syscall(SYS_quotactl, QCMD(Q_GETQUOTA, USRQUOTA), "/nonexistent", 1000, out);
	syscall(SYS_quotactl, QCMD(Q_GETNEXTQUOTA, PRJQUOTA), "/nonexistent", 1000, out);
	syscall(SYS_quotactl, QCMD(Q_SETINFO, USRQUOTA), "/nonexistent", 0, &di);
	syscall(SYS_quotactl, QCMD(Q_SETINFO, USRQUOTA), "/nonexistent", 0, BAD);
	syscall(SYS_quotactl, QCMD(Q_GETINFO, USRQUOTA), "/nonexistent", 0, out);
	syscall(SYS_quotactl, QCMD(Q_GETFMT, USRQUOTA), "/nonexistent", 0, &fmt);
	syscall(SYS_quotactl, QCMD(Q_QUOTAON, USRQUOTA), "/nonexistent", QFMT_VFS_V0, "/aquota.user");
	syscall(SYS_quotactl, QCMD(Q_QUOTAON, USRQUOTA), "/nonexistent", 99, BAD);
	syscall(SYS_quotactl, QCMD(Q_XSETQLIM, USRQUOTA), "/nonexistent", 1000, &fq);
	syscall(SYS_quotactl, QCMD(Q_XGETQUOTA, USRQUOTA), "/nonexistent", 1000, out);
	syscall(SYS_quotactl, QCMD(Q_XGETNEXTQUOTA, USRQUOTA), "/nonexistent", 1000, out);
	syscall(SYS_quotactl, QCMD(Q_XQUOTAON, USRQUOTA), "/nonexistent", 0, &flag);
	syscall(SYS_quotactl, QCMD(Q_XQUOTAOFF, USRQUOTA), "/nonexistent", 0, NULL);
	syscall(SYS_quotactl, QCMD(Q_XQUOTARM, USRQUOTA), "/nonexistent", 0, &flag);
	syscall(SYS_quotactl, QCMD(Q_XGETQSTAT, USRQUOTA), "/nonexistent", 0, out);
	syscall(SYS_quotactl, QCMD(Q_XGETQSTATV, USRQUOTA), "/nonexistent", 0, out);
	syscall(SYS_quotactl_fd, 0, QCMD(Q_SETQUOTA, USRQUOTA), 1000, &dq);
	syscall(SYS_quotactl_fd, -1, QCMD(Q_XQUOTARM, PRJQUOTA), 0, &flag);
	syscall(SYS_quotactl_fd, 0, QCMD(Q_GETQUOTA, USRQUOTA), 1000, out);
}

/* urings: io_uring_register's arguments by opcode. */
static void urings(void)
{
	struct io_uring_params p;
	memset(&p, 0, sizeof p);
	int ring = syscall(SYS_io_uring_setup, 4, &p);
	char page[4096];
	struct iovec iov[2] = {{page, 4096}, {page + 4096 - 100, 100}};
	syscall(SYS_io_uring_register, ring, IORING_REGISTER_BUFFERS, iov, 2);
	syscall(SYS_io_uring_register, ring, IORING_UNREGISTER_BUFFERS, NULL, 0);
	syscall(SYS_io_uring_register, ring, IORING_REGISTER_BUFFERS, BAD, 1);
	int fds[3] = {0, -1, -2};
	syscall(SYS_io_uring_register, ring, IORING_REGISTER_FILES, fds, 2);
	struct io_uring_files_update fu = {.offset = 1, .fds = (unsigned long)fds};
	syscall(SYS_io_uring_register, ring, IORING_REGISTER_FILES_UPDATE, &fu, 3);
	fu.resv = 2;
	fu.fds = (unsigned long)BAD;
	syscall(SYS_io_uring_register, ring, IORING_REGISTER_FILES_UPDATE, &fu, 1);
	fu.fds = 0;
	syscall(SYS_io_uring_register, ring, IORING_REGISTER_FILES_UPDATE, &fu, 0);
	syscall(SYS_io_uring_register, ring, IORING_REGISTER_FILES_UPDATE, BAD, 1);
	__u64 tags[3] = {0, 7, 0x10};
	struct io_uring_rsrc_register rr = {.nr = 3, .data = (unsigned long)fds, .tags = (unsigned long)tags};
	syscall(SYS_io_uring_register, ring, IORING_REGISTER_FILES2, &rr, sizeof rr);
	struct io_uring_rsrc_update2 u2 = {.offset = 1, .data = (unsigned long)fds, .tags = (unsigned long)tags, .nr = 2};
	syscall(SYS_io_uring_register, ring, IORING_REGISTER_FILES_UPDATE2, &u2, sizeof u2);
	rr.nr = 2;
	rr.data = (unsigned long)iov;
	rr.tags = 0;
	rr.flags = 1;
	rr.resv2 = 5;
	syscall(SYS_io_uring_register, ring, IORING_REGISTER_BUFFERS2, &rr, sizeof rr);
	u2.data = (unsigned long)iov;
	u2.tags = (unsigned long)BAD;
	u2.nr = 1;
	u2.resv = 3;
	syscall(SYS_io_uring_register, ring, IORING_REGISTER_BUFFERS_UPDATE, &u2, sizeof u2);
	u2.data = (unsigned long)BAD;
	syscall(SYS_io_uring_register, ring, IORING_REGISTER_BUFFERS_UPDATE, &u2, sizeof u2);
	u2.nr = 0;
	syscall(SYS_io_uring_register, ring, IORING_REGISTER_FILES_UPDATE2, &u2, sizeof u2);
	syscall(SYS_io_uring_register, ring, IORING_REGISTER_FILES2, &rr, 16);
	syscall(SYS_io_uring_register, ring, IORING_REGISTER_FILES2, BAD, sizeof rr);
	syscall(SYS_io_uring_register, ring, IORING_UNREGISTER_FILES, NULL, 0);
	struct {
		struct io_uring_probe p;
		struct io_uring_probe_op ops[4];
	} probe;
	memset(&probe, 0, sizeof probe);
	syscall(SYS_io_uring_register, ring, IORING_REGISTER_PROBE, &probe, 4);
	memset(&probe, 0, sizeof probe);
	syscall(SYS_io_uring_register, ring, IORING_REGISTER_PROBE, &probe, 0);
	probe.p.resv = 1;
	syscall(SYS_io_uring_register, ring, IORING_REGISTER_PROBE, &probe, 2);
	syscall(SYS_io_uring_register, ring, IORING_REGISTER_PROBE, BAD, 2);
	struct io_uring_restriction r[5];
	memset(r, 0, sizeof r);
	r[0].opcode = IORING_RESTRICTION_REGISTER_OP;
	r[0].register_op = IORING_REGISTER_PROBE;
	r[1].opcode = IORING_RESTRICTION_SQE_OP;
	r[1].sqe_op = IORING_OP_READV;
	r[2].opcode = IORING_RESTRICTION_SQE_FLAGS_ALLOWED;
	r[2].sqe_flags = IOSQE_FIXED_FILE | IOSQE_ASYNC | 0x80;
	r[3].opcode = 9;
	r[3].register_op = 7;
	r[4].opcode = IORING_RESTRICTION_SQE_OP;
	r[4].sqe_op = 200;
	r[4].resv = 3;
	syscall(SYS_io_uring_register, ring, IORING_REGISTER_RESTRICTIONS, r, 5);
	unsigned workers[3] = {0, 0, 7};
	syscall(SYS_io_uring_register, ring, IORING_REGISTER_IOWQ_MAX_WORKERS, workers, 2);
	workers[0] = 4;
	workers[1] = 8;
	syscall(SYS_io_uring_register, ring, IORING_REGISTER_IOWQ_MAX_WORKERS, workers, 2);
	syscall(SYS_io_uring_register, ring, IORING_REGISTER_IOWQ_MAX_WORKERS, workers, 3);
	struct io_uring_rsrc_update u[2] = {{.offset = -1, .data = ring}, {.offset = 5, .resv = 1, .data = 0}};
	syscall(SYS_io_uring_register, ring, IORING_REGISTER_RING_FDS, u, 1);
	syscall(SYS_io_uring_register, ring, IORING_UNREGISTER_RING_FDS, u, 2);
	syscall(SYS_io_uring_register, ring, IORING_REGISTER_RING_FDS, BAD, 1);
	struct io_uring_buf_reg br = {.ring_addr = 0x1000, .ring_entries = 8, .bgid = 3};
	syscall(SYS_io_uring_register, ring, IORING_REGISTER_PBUF_RING, &br, 1);
	br.pad = 1;
	br.resv[1] = 2;
	syscall(SYS_io_uring_register, ring, IORING_UNREGISTER_PBUF_RING, &br, 1);
	syscall(SYS_io_uring_register, ring, IORING_REGISTER_PBUF_RING, NULL, 1);
	unsigned char cpus[8] = {3};
	syscall(SYS_io_uring_register, ring, IORING_REGISTER_IOWQ_AFF, cpus, 8);
	syscall(SYS_io_uring_register, ring, IORING_UNREGISTER_IOWQ_AFF, NULL, 0);
	syscall(SYS_io_uring_register, ring, 99, BAD, 1);
	close(ring);
}

static void structs(void)
{
	seccomp_filters();
	quotas();
	urings();
}

/*
 * opts: calls for strace's options (fidelity/edge_test.go runs this mode
 * with -e raw=, verbose=, decode-fds= and a trace= set of numbers,
 * suffixed regexes and classes): descriptors of a device, a pipe and a
 * file, structures and arrays to print as addresses or whole, arguments
 * to print raw.
 */
static void opts(void)
{
	char c = 0;
	int p[2];
	struct stat st;
	struct pollfd pfd;
	struct timeval tv = {0, 0};
	fd_set set;
	sigset_t mask;
	int fd = open("/dev/null", O_RDONLY);

	pipe(p);
	write(p[1], &c, 1);
	pfd.fd = p[0];
	pfd.events = POLLIN;
	poll(&pfd, 1, 0);
	FD_ZERO(&set);
	FD_SET(p[0], &set);
	select(p[0] + 1, &set, NULL, NULL, &tv);
	read(p[0], &c, 1);
	fstat(fd, &st);
	lseek(fd, 0, SEEK_SET);
	lseek(fd, -1, SEEK_CUR);
	umask(022);
	umask(0777);
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR2);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sigprocmask(SIG_UNBLOCK, &mask, NULL);
	dup2(fd, 7);
	close(7);
	close(fd);
	close(p[0]);
	close(p[1]);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	if (!strcmp(argv[1], "flags"))
		flags();
	else if (!strcmp(argv[1], "enums"))
		enums();
	else if (!strcmp(argv[1], "null"))
		null();
	else if (!strcmp(argv[1], "more"))
		more();
	else if (!strcmp(argv[1], "ioctl"))
		ioctls();
	else if (!strcmp(argv[1], "real"))
		real();
	else if (!strcmp(argv[1], "structs"))
		structs();
	else if (!strcmp(argv[1], "opts"))
		opts();
	else
		return 2;
	return 0;
}
