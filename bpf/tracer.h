/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The kernel contract: every constant, enum and struct that user space
 * shares with the programs (engine/, through bpf2go -type), and struct
 * config, the session's settings.
 * Included by tracer.bpf.c, in the order it names.
 */
#ifndef __STRACE_EBPF_TRACER_H__
#define __STRACE_EBPF_TRACER_H__

/*
 * The sizes and bits user space decodes records and writes tables by:
 * bpf2go -type turns them into Go constants (TracerSharedLimits*,
 * TracerSharedBits*), so that nothing is copied by hand. Other packages
 * that keep a copy (format/, stack/, script/) have it checked against these
 * by a test.
 */
enum shared_limits : u32 {
	ARRAY_MAX = 32,          /* elements of an array captured (strace shows 32 at the default --strsize) */
	SOCKADDR_MAX = 128,      /* bytes of a msghdr's address captured */
	HIST_SLOTS = 32,         /* slots of a duration histogram (sc_hist) */
	STACK_HDR = 32,          /* an ITEM_STACK's header: sp, fp, lr, counts */
	STACK_WINDOW_MAX = 0xff8, /* bytes of user stack copied with -k; a mask too */
	FOLLOW_CHILDREN = 2,     /* config.follow_fork for -F */
	FPROG_MAX = 256,         /* instructions of a seccomp filter program captured (strace -v prints them all) */
};

enum shared_bits : u32 {
	/* fd_args, per syscall (fd.bpf.h): bit i, argument i is a descriptor;
	 * bit FD_DIRFD_SHIFT + i, a directory descriptor (AT_FDCWD: the cwd). */
	FD_RET = 1 << 6,         /* the return value is a descriptor */
	FD_PAIR = 1 << 7,        /* a successful call wrote two descriptors at argument FD_PAIR_ARG(mask) (pipe, socketpair) */
	FD_DIRFD_SHIFT = 8,
	FD_PAIR_SHIFT = 14,
	/* In a captured iovec array, an iov_base whose buffer was read is
	 * replaced by the bytes read, with bit IOV_CAPTURED_BIT set (a bit
	 * number: BTF enums are 32 bits). */
	IOV_CAPTURED_BIT = 63,
	/* capture_mmsg: the last four bytes of an mmsghdr's copy, where its
	 * iovecs start in the item, with this bit. */
	MMSG_IOV_MARK = 0x80000000U,
};

/* Kept in BTF for bpf2go (an enum no declaration uses is left out). */
const enum shared_limits *unused_shared_limits __attribute__((unused));
const enum shared_bits *unused_shared_bits __attribute__((unused));

#define MAX_NR 1024      /* syscall numbers below this are filtered and described */
/* x86's TS_COMPAT (arch/x86/include/asm/thread_info.h), in the task's
 * thread_info.status while it is in a syscall made in 32-bit mode (a -m32
 * program, or int 0x80 from 64-bit code): set on entry, cleared on return. */
#define TS_COMPAT 0x0002
#define MAX_ITEMS 8      /* captured pieces of user memory per record */
#define DATA_MAX 8192    /* bytes of captured memory per record */
#define STR_MAX 4096     /* PATH_MAX: a path is captured whole */

/*
 * The enums shared with Go have a fixed underlying type, the width of the
 * field that holds them, and type those fields: bpf2go (-type in gen.go)
 * emits them as Go types and constants, so that C and Go agree by
 * construction.
 */

/* Capture kinds in sc_table. */
enum cap_kind : u8 {
	CAP_NONE = 0,
	CAP_STR = 1,        /* NUL-terminated string, at enter */
	CAP_BUF_IN = 2,     /* buffer sized by argument size_arg, at enter */
	CAP_BUF_OUT = 3,    /* buffer sized by the return value, at exit */
	CAP_STRUCT_IN = 4,  /* fixed-size struct, at enter */
	CAP_STRUCT_OUT = 5, /* fixed-size struct, at exit on success */
	CAP_ARGV = 6,       /* NULL-terminated array of strings (execve argv), at enter */
	CAP_COUNT = 7,      /* NULL-terminated array: only its length (envp), at enter */
	CAP_SOCKADDR = 8,   /* sockaddr sized by *(int *)args[size_arg], in and out */
	CAP_SIGMASK = 9,    /* rt_sigreturn: the signal mask in the frame on the stack */
	CAP_DIRENTS = 10,   /* getdents: the number of entries, at exit */
	CAP_ARRAY_INOUT = 11, /* poll: args[size_arg] elements of size bytes, at enter and at exit */
	CAP_ARRAY_OUT = 12,   /* epoll_wait: as many elements of size bytes as the return value, at exit */
	CAP_IOV_IN = 13,      /* writev: iovec array (args[size_arg] long) and its buffers' start, at enter */
	CAP_IOV_OUT = 14,     /* readv: the same at exit, buffers up to the return value */
	CAP_IOCTL = 15,       /* ioctl's argument: size and moment from ioctl_caps[args[size_arg]] */
	CAP_STRUCT_INOUT = 16, /* fixed-size struct, at enter and at exit on success (ppoll's timeout) */
	CAP_MSGHDR_IN = 17,    /* sendmsg: the msghdr, then its iovecs as CAP_IOV_IN, at enter */
	CAP_FDSETS = 19,       /* select: this argument and the next two fd_sets, args[size_arg] fds, at enter and exit */
	CAP_MSGHDR_OUT = 18,   /* recvmsg: the msghdr at enter, then as CAP_MSGHDR_IN at exit, buffers up to the return value */
	CAP_STRUCT_DEREF = 20, /* a struct whose first word points to 8 more bytes, read too (pselect6's sigmask), at enter */
	CAP_STRUCT_OUT_ERR = 21, /* fixed-size struct, at exit when the call failed (nanosleep's time left) */
	CAP_MMSG = 22,         /* sendmmsg/recvmmsg: as many mmsghdrs as returned (up to MMSG_MAX), at exit */
	CAP_ENVP = 26,         /* -v: execve's envp, its strings as CAP_ARGV's (after a successful exec, from mm->env_start..env_end) */
	CAP_PRCTL = 23,        /* prctl's arg2, by option: PR_SET_NAME's string at enter, PR_SET_SECCOMP's filter (arg3, capture_fprog) at enter, at exit PR_GET_NAME's name, PR_GET_TID_ADDRESS's pointer, PR_GET_PDEATHSIG's or PR_GET_CHILD_SUBREAPER's int */
	CAP_CLONE_ARGS = 24,   /* clone3: the struct (args[size_arg] bytes, up to size) and its set_tid array at enter; at exit the pidfd written (CLONE_PIDFD) */
	CAP_PAGEVEC = 25,      /* mincore: a byte per page (1 << size bytes) of args[size_arg] bytes, up to ARRAY_MAX, at exit */
	CAP_OP_ARG = 28,       /* an argument read as the operation in args[size_arg] says (quotactl's command shifted right by size >> 8, io_uring_register's opcode): op_caps[(size & 0xff) << 24 | op] gives the size and the moment */
	CAP_SECCOMP = 27,      /* seccomp's uargs: SECCOMP_SET_MODE_FILTER's sock_fprog and its instructions at enter (capture_fprog), the other operations' as CAP_STRUCT_INOUT */
};

/* Item kinds in records (internal/event's DataKind, checked by engine's tests). */
/*
 * What each capture kind is (cap_table, written by user space from its one
 * table, engine/capkinds.go): when it reads, whether a failed read at enter
 * is tried again at exit.
 */
enum cap_props : u8 {
	CAP_AT_ENTER = 1,   /* read at enter */
	CAP_AT_EXIT = 2,    /* read at exit */
	CAP_ERR_ONLY = 4,   /* at exit only when the call failed */
	CAP_RETRY = 8,      /* a failed read at enter (a page not faulted in yet) is tried again at exit */
	CAP_BUFFERS = 16,   /* only with buffer capture (config.buffers); strings are always read */
};
#define CAP_KIND_MAX 32

enum item_kind : u8 {
	ITEM_STR = 1,
	ITEM_BUF_IN = 2,
	ITEM_BUF_OUT = 3,
	ITEM_STR_TRUNC = 4,
	ITEM_STACK = 5, /* -k: the user stack (capture_stack), arg 0 */
	ITEM_FD = 6,    /* -y: what a descriptor refers to (capture_fd in fd.bpf.h) */
};

/*
 * Task states in the tasks map, in the low two bits of the value. While
 * TASK_EXECING, the high bits hold the tid of the thread in execve: only it
 * is traced until the call returns, so the launcher's other threads, still
 * alive until the exec replaces them, never show up.
 */
enum task_state : u32 {
	TASK_TRACED = 1,
	TASK_ARMED = 2,   /* launched command: tracing starts at its execve */
	TASK_EXECING = 3, /* in that execve */
};
#define TASK_STATE(v) ((v) & 3)
#define TASK_CHILD (1 << 2) /* with TASK_TRACED: a child followed by -F, whose own children are not */
#define EXCLUDE_MAX 4 /* config.exclude_tgid */
#define TASK_EXEC_TID(v) ((v) >> 2)

/* Record flags (decoded into internal/event's Kind and Flags by engine/decode.go). */
enum ev_flags : u16 {
	EV_NORETURN = 1 << 0,
	EV_EXIT = 1 << 1,   /* a traced thread exited: ret is its wait status */
	EV_SIGNAL = 1 << 2, /* a signal was delivered: nr is the signal, one item the siginfo */
	EV_ENTERED = 1 << 3, /* a call went to sleep: its enter half (args, enter captures) */
	EV_NETLINK = 1 << 4, /* args[0] is an AF_NETLINK socket: its messages were captured whole, pad is its protocol */
	EV_COMPAT = 1 << 5,  /* made in 32-bit mode: nr and args are i386's */
	EV_UNENTERED = 1 << 6, /* its entry was not seen: sent from its exit (send_unentered), ts is the exit's */
};

/* Keys of sc_filter and sc_table: a native call's number, or a 32-bit
 * call's number plus SC_COMPAT_BASE. */
enum sc_key : u32 {
	SC_COMPAT_BASE = MAX_NR,
};

#define ARGV_MAX 32   /* argv strings captured; more are marked with ITEM_STR_TRUNC */
#define COUNT_MAX 1024 /* envp entries counted */
#define SIGINFO_SIZE 48
#define MSGHDR_SIZE 56 /* struct user_msghdr on 64-bit architectures */
#define CMSG_MAX 128   /* bytes of a msghdr's control messages captured */
#define MMSGHDR_SIZE 64 /* struct mmsghdr: the msghdr, msg_len, padding */
#define PR_GET_PDEATHSIG 2
#define PR_SET_NAME 15
#define PR_GET_NAME 16
#define PR_GET_CHILD_SUBREAPER 37
#define PR_GET_TID_ADDRESS 40
#define PR_SET_SECCOMP 22
#define SECCOMP_MODE_FILTER 2
#define SECCOMP_SET_MODE_FILTER 1
#define MMSG_MAX 8      /* mmsghdrs of a sendmmsg/recvmmsg captured (one item each, two while read: 7 fit) */

/* ioctl_caps values: the bytes of the argument to read, and when. */
enum ioctl_cap : u32 {
	IOCTL_SIZE_MASK = 0xffff,
	IOCTL_AT_ENTER = 1 << 16, /* the argument is read at enter (else at exit on success) */
};

/*
 * op_caps values (CAP_OP_ARG): size + elem * args[count_arg] bytes, cut at
 * OP_MAX, when flags say; with ptr_off, at enter, the array of
 * args[count_arg] elements of ptr_elem bytes (up to ARRAY_MAX) that the
 * struct's u64 at ptr_off points to, after it in the same item, then the
 * same for ptr2_off and ptr2_elem; with count_at, the elements are counted
 * by the struct's u32 at count_at - 1 instead (capture_behind).
 */
enum op_cap_flags : u8 {
	OP_AT_ENTER = 1, /* read at enter */
	OP_AT_EXIT = 2,  /* read at exit on success */
	OP_STR = 4,      /* a string (quotactl's Q_QUOTAON path), at enter */
};
#define OP_MAX 1024

struct op_cap {
	u16 size;
	u16 elem;
	enum op_cap_flags flags;
	u8 count_arg;
	u8 ptr_off;
	u8 ptr_elem;
	u8 ptr2_off;
	u8 ptr2_elem;
	u8 count_at;
	u8 pad;
};

/* config.count: -c and -C count in the kernel (sc_stats). */
enum count_mode : u32 {
	COUNT_OFF = 0,
	COUNT_ALSO = 1, /* count, and send every record too (-C) */
	COUNT_ONLY = 2, /* count, and send no record per call (-c) */
};

/* A syscall's counts in sc_stats, per CPU: summed by user space. */
struct sc_stat {
	u64 calls;
	u64 errors;
	u64 ns; /* enter to exit */
};

/* A syscall's durations in sc_hists, per CPU: slot i counts the calls of
 * [2^(i-1), 2^i) µs (slot 0: under 1 µs), as hist() in scripts; the last
 * slot holds every longer call. */
struct sc_hist {
	u64 slots[HIST_SLOTS];
};

/* A process's counts in proc_stats, per CPU: summed by user space, which
 * takes the comm read last (comm_ns) over the CPUs. comm is read at the
 * process's first counted call on the CPU and again after each counted
 * successful exec. */
struct proc_stat {
	u64 calls;
	u64 errors;
	u64 ns;
	u64 comm_ns; /* when comm was read */
	char comm[16];
};

/* sc_desc.flags */
enum sc_flags : u8 {
	SC_NORETURN = 1 << 0,
	SC_HAS_ENTER_CAP = 1 << 1,
	SC_HAS_EXIT_CAP = 1 << 2,
	SC_ERR_CAP = 1 << 3, /* an exit capture is read when the call fails (CAP_STRUCT_OUT_ERR) */
	SC_SOCK_FD = 1 << 4, /* args[0] is a socket: an AF_NETLINK one has its messages captured whole */
	SC_FD0 = 1 << 5,     /* args[0] is a file descriptor: counted per (process, fd) in fd_stats */
	SC_CHILD_RET = 1 << 6, /* returns a second time, 0, in the new child or thread (fork, clone): the lean count skips that return */
};

struct arg_cap {
	enum cap_kind kind;
	u8 size_arg; /* CAP_BUF_IN: argument holding the length */
	u16 size;    /* CAP_STRUCT_*: size in bytes */
};

struct sc_desc {
	struct arg_cap cap[6];
	enum sc_flags flags;
	u8 pad[3];
};

struct item {
	u8 arg;  /* argument position */
	enum item_kind kind;
	u16 len; /* bytes in data */
};

/* The fixed part of every record in the ring buffer; data follows. */
struct event_hdr {
	u64 ts;       /* when it entered (stamp.bpf.h) */
	u64 duration; /* ns from enter to exit */
	u64 args[6];
	s64 ret;
	u32 pid; /* tgid */
	u32 tid;
	s32 nr;
	enum ev_flags flags;
	u8 nitems;
	u8 pad;
	struct item items[MAX_ITEMS];
	char comm[16];
};

/*
 * The state of one call's captures, kept in the thread's record between
 * its enter and its exit and through the loops that capture in steps (in
 * the record, not in registers the verifier would follow through every
 * iteration). Never sent: records are sent up to the end of their data.
 */
struct cap_state {
	u64 end;       /* the end of the enter captures: where exit captures go */
	u64 iov_left;  /* capture_iov: bytes left of the call's limit */
	u64 iov_pos;   /* capture_iov: where the next buffer goes */
	u64 iov_max;   /* capture_iov: bytes of each buffer read (config.buf_max, NETLINK_MAX) */
	u64 iov_failed; /* capture_iov: a buffer could not be read */
	u64 env_start, env_end; /* -v: execve's new environment (sched_process_exec) */
	/* capture_fd's walk up a path: the dentry and mount reached, the
	 * item's start << 32 | the position of the next name, the root. */
	u64 fd_dentry, fd_mnt, fd_pos, fd_root_dentry, fd_root_mnt;
	u8 retry;      /* the arguments enter could not read, read again at exit */
};

struct record {
	struct event_hdr hdr;
	/* Captures start below DATA_MAX; the slack past it lets the verifier
	 * check a masked offset plus a full read. */
	u8 data[DATA_MAX + STR_MAX];
	struct cap_state st;
};

/*
 * A thread's pending slot stays in the map between calls (it is removed when
 * the thread exits): reusing it in place is much cheaper than an insert and
 * a delete per syscall.
 */
enum pending_state : u32 {
	P_ACTIVE = 1 << 0,  /* entered, exit not seen yet */
	P_HAS_REC = 1 << 1, /* captured data waits in recs */
	P_EXEC_ONLY = 1 << 2, /* the launch's execve, filtered out: only end TASK_EXECING */
	P_TRACED = 1 << 3,    /* the thread is known to be traced */
	P_MARKED = 1 << 4,    /* its enter half was sent (EV_ENTERED) */
	P_SIGNAL = 1 << 5,    /* an ignored signal waits in held_sigs (show_held) */
	P_NETLINK = 1 << 6,   /* args[0] is an AF_NETLINK socket (SC_SOCK_FD), its protocol at P_PROTO_SHIFT */
	P_COMPAT = 1 << 7,    /* the call was made in 32-bit mode */
	P_SEEDED = 1 << 16,   /* written by user space at -p attach (engine/attach.go): the call may have returned meanwhile */
};
#define P_PROTO_SHIFT 8

/* What sys_enter leaves for sys_exit, per thread. */
struct pending {
	u64 ts;
	u64 args[6];
	s32 nr;
	enum pending_state state;
};

/*
 * --cgroup, --container, --unit: a target cgroup. A task is in it, or in
 * one of its descendants, when its cgroup's ancestor at level is the cgroup
 * whose id is id, in the unified (v2) hierarchy (ssid -1) or in the v1
 * hierarchy of subsystem ssid (its line in /proc/cgroups, counted from 0).
 */
#define CGROUP_MAX 4
struct cgroup_target {
	u64 id;
	u32 level;
	s32 ssid;
};

/*
 * The session's settings, set by user space before loading (engine/engine.go,
 * through the generated TracerConfig). The verifier sees a frozen read-only
 * map: each field reads as a constant and the branches it decides are
 * removed, as with separate constants.
 */
struct config {
	u32 tracer_tgid;
	/* Calibration (--calibrate): the syscall programs return at once, to
	 * measure what the tracepoints alone cost. */
	u32 calibrate;
	u32 system_wide;
	u32 follow_fork; /* 1: every descendant (-f); FOLLOW_CHILDREN: children only (-F) */
	u32 failed_only;
	/* A traced thread's call whose entry sys_enter never saw is sent from
	 * its exit (send_unentered); 0 where an unseen entry is normal (a
	 * syscall filter: filtered calls are not entered; fault injection:
	 * the calls answered without running are made in user space). */
	u32 unentered;
	u32 filter_syscalls; /* sc_filter holds the traced syscalls */
	s32 execve_nr;
	s32 execveat_nr;
	/* rt_sigreturn's number: the lean count's sys_exit sees -1 for it (it
	 * restores the registers, the call's number with them). */
	s32 sigreturn_nr;
	u32 buf_max;     /* bytes of a buffer captured */
	u32 proc_events; /* send thread exits and signal deliveries */
	u32 enter_marks; /* send a call's enter half when it sleeps */
	/* -k: 0 off; otherwise each traced call's user stack is captured at
	 * enter (capture_stack) with this many bytes of stack from sp (rounded
	 * down to a multiple of 8, at most STACK_WINDOW_MAX; 1: none) for
	 * unwinding in user space. */
	u32 stack_trace;
	/* Lossless tracing (engine/freeze.go): bytes queued in the ring from
	 * which each record wakes the reader at once, to freeze the traced
	 * cgroup; 0: off. */
	u64 ring_high_mark;
	/* -y: the descriptors of fd_args are described (fd.bpf.h). */
	u32 decode_fds;
	/* -n/--filenames: bytes of a string argument read with its NUL (at
	 * most STR_MAX); 0: STR_MAX, a whole path. */
	u32 str_max;
	/* System-wide: processes not traced besides the tracer, the readers
	 * of its output pipe (strace.ebpf | cat), whose reads of the trace
	 * would fill it; 0: none. */
	u32 exclude_tgid[EXCLUDE_MAX];
	/* -c, -C: calls, errors and time per syscall in sc_stats. */
	enum count_mode count;
	/* Buffers and structs are captured (sc_table holds their kinds);
	 * without, only strings are, and the verifier never sees the code
	 * that reads the others: loading is faster. */
	u32 buffers;
	/* Nothing shows when calls happen or how long they take (hex without
	 * -t, -r, -T): syscall records carry no time (ts and duration 0),
	 * and the clock is not read. */
	u32 no_clock;
	/* Times only order the events (the strace format without -t, -r, -T:
	 * its "<unfinished ...>" split): ts and duration are stamps from the
	 * ring's producer position (stamp.bpf.h), not the clock, which costs
	 * 100-300 ns a read on some virtual machines. */
	u32 stamps;
	/* With count: also a duration histogram per syscall (sc_hists) and
	 * counts per process (proc_stats), for scripts' kernel_hist() and
	 * kernel_procs(). */
	u32 count_aggs;
	/* A system-wide trace narrowed to the tasks of cgroup[0..cgroups)
	 * (cgroup.bpf.h); 0: every task. */
	u32 cgroups;
	struct cgroup_target cgroup[CGROUP_MAX];
};

#endif /* __STRACE_EBPF_TRACER_H__ */
