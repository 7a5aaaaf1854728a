//go:build ignore

// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * strace.ebpf kernel side: one generic program pair on the raw sys_enter and
 * sys_exit tracepoints. Every filter runs here, before anything reaches the
 * ring buffer: the traced-task set, the syscall set and the failed-only
 * status. Which argument of which syscall is captured (a string, an input or
 * output buffer, a struct) comes from sc_table, written by user space before
 * the programs are attached, so there is no per-syscall program.
 */
#include "include/vmlinux_min.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

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
	CAP_PRCTL = 23,        /* prctl's arg2, by option: PR_SET_NAME's string at enter, at exit PR_GET_NAME's name, PR_GET_TID_ADDRESS's pointer, PR_GET_PDEATHSIG's or PR_GET_CHILD_SUBREAPER's int */
	CAP_CLONE_ARGS = 24,   /* clone3: the struct (args[size_arg] bytes, up to size) and its set_tid array at enter; at exit the pidfd written (CLONE_PIDFD) */
	CAP_PAGEVEC = 25,      /* mincore: a byte per page (1 << size bytes) of args[size_arg] bytes, up to ARRAY_MAX, at exit */
};

/* Item kinds in records (internal/event's DataKind, checked by engine's tests). */
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
#define FOLLOW_CHILDREN 2   /* config.follow_fork for -F */
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
};

/* Keys of sc_filter and sc_table: a native call's number, or a 32-bit
 * call's number plus SC_COMPAT_BASE. */
enum sc_key : u32 {
	SC_COMPAT_BASE = MAX_NR,
};

#define ARGV_MAX 32   /* argv strings captured; more are marked with ITEM_STR_TRUNC */
#define COUNT_MAX 1024 /* envp entries counted */
#define SOCKADDR_MAX 128
#define SIGINFO_SIZE 48
#define ARRAY_MAX 32  /* elements of an array captured (strace shows 32 at the default --strsize) */
#define MSGHDR_SIZE 56 /* struct user_msghdr on 64-bit architectures */
#define CMSG_MAX 128   /* bytes of a msghdr's control messages captured */
#define MMSGHDR_SIZE 64 /* struct mmsghdr: the msghdr, msg_len, padding */
#define PR_GET_PDEATHSIG 2
#define PR_SET_NAME 15
#define PR_GET_NAME 16
#define PR_GET_CHILD_SUBREAPER 37
#define PR_GET_TID_ADDRESS 40
#define MMSG_MAX 8      /* mmsghdrs of a sendmmsg/recvmmsg captured (one item each, two while read: 7 fit) */

/* ioctl_caps values: the bytes of the argument to read, and when. */
enum ioctl_cap : u32 {
	IOCTL_SIZE_MASK = 0xffff,
	IOCTL_AT_ENTER = 1 << 16, /* the argument is read at enter (else at exit on success) */
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
#define HIST_SLOTS 32
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
	u64 ts;       /* bpf_ktime_get_ns() at enter */
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

struct record {
	struct event_hdr hdr;
	/* Captures start below DATA_MAX; the slack past it lets the verifier
	 * check a masked offset plus a full read. */
	u8 data[DATA_MAX + STR_MAX];
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
	u32 filter_syscalls; /* sc_filter holds the traced syscalls */
	s32 execve_nr;
	s32 execveat_nr;
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
	/* With count: also a duration histogram per syscall (sc_hists) and
	 * counts per process (proc_stats), for scripts' kernel_hist() and
	 * kernel_procs(). */
	u32 count_aggs;
};

volatile const struct config config = {
	.execve_nr = -1,
	.execveat_nr = -1,
	.buf_max = 32,
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, u32);   /* tgid */
	__type(value, enum task_state); /* | the exec tid << 2 while TASK_EXECING */
} tasks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2 * MAX_NR);
	__type(key, enum sc_key); /* a native nr, or a 32-bit nr + SC_COMPAT_BASE */
	__type(value, u8); /* 1: trace this syscall */
} sc_filter SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2 * MAX_NR);
	__type(key, enum sc_key); /* a native nr, or a 32-bit nr + SC_COMPAT_BASE */
	__type(value, struct sc_desc);
} sc_table SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, u32);   /* ioctl command */
	__type(value, enum ioctl_cap); /* bytes of its argument to read, | IOCTL_AT_ENTER */
} ioctl_caps SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, u32); /* tid */
	__type(value, struct pending);
} pendings SEC(".maps");

/* What a thread's slot is made with (sys_enter). */
static const struct pending zero_pending = {};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 16384);
	__type(key, u32); /* tid */
	__type(value, struct record);
} recs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct record);
} scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);
} lost SEC(".maps");

/* An ignored signal, held until its thread would take it (show_held). */
struct held_sig {
	s32 sig;
	u32 pad;
	u8 info[SIGINFO_SIZE];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, u32); /* tid */
	__type(value, struct held_sig);
} held_sigs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MAX_NR);
	__type(key, u32); /* syscall number */
	__type(value, struct sc_stat);
} sc_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MAX_NR);
	__type(key, u32); /* syscall number */
	__type(value, struct sc_hist);
} sc_hists SEC(".maps");

/* Failed calls per (syscall, errno), for kernel_errors(): the key is
 * nr << 12 | errno. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4096);
	__type(key, u32);
	__type(value, u64);
} err_stats SEC(".maps");

/* Calls on a descriptor (a syscall whose first argument is one) per
 * (process, fd), for kernel_fds(). */
struct fd_key {
	u32 tgid;
	s32 fd;
};
struct fd_stat {
	u64 calls;
	u64 errors;
	u64 ns;
};
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct fd_key);
	__type(value, struct fd_stat);
} fd_stats SEC(".maps");

/* Bounded: a process past the limit is not counted per process (its calls
 * still are per syscall). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 8192);
	__type(key, u32); /* tgid */
	__type(value, struct proc_stat);
} proc_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20); /* resized by user space */
} events SEC(".maps");

static __always_inline void count_lost(void)
{
	u32 zero = 0;
	u64 *n = bpf_map_lookup_elem(&lost, &zero);
	if (n)
		__sync_fetch_and_add(n, 1);
}

/*
 * Records never wake the reader: a wakeup per record would cost more than
 * the record. The reader polls the ring on a short deadline instead; only
 * past the lossless high-water mark does each record wake it at once.
 */
static __always_inline u64 wake_flags(void)
{
	if (config.ring_high_mark && bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= config.ring_high_mark)
		return BPF_RB_FORCE_WAKEUP;
	return BPF_RB_NO_WAKEUP;
}

static __always_inline bool is_execve(long nr)
{
	return nr == config.execve_nr || nr == config.execveat_nr;
}

/* system_traced says whether a system-wide trace traces tgid: not the
 * tracer, not the readers of its output. */
static __always_inline bool system_traced(u32 tgid)
{
	if (tgid == config.tracer_tgid)
		return false;
	for (int i = 0; i < EXCLUDE_MAX; i++) {
		if (config.exclude_tgid[i] && tgid == config.exclude_tgid[i])
			return false;
	}
	return true;
}

/* is_traced decides whether syscall nr of thread tid of tgid is of interest. */
static __always_inline bool is_traced(u32 tgid, u32 tid, long nr)
{
	if (config.system_wide)
		return system_traced(tgid);
	u32 *st = bpf_map_lookup_elem(&tasks, &tgid);
	if (!st)
		return false;
	u32 v = *st;
	switch (TASK_STATE(v)) {
	case TASK_ARMED:
		if (!is_execve(nr))
			return false;
		*st = TASK_EXECING | (tid << 2);
		return true;
	case TASK_EXECING:
		return tid == TASK_EXEC_TID(v);
	}
	return true;
}

/* exec_done ends TASK_EXECING when the launched command's execve returns. */
static __always_inline void exec_done(u32 tgid)
{
	u32 *st = bpf_map_lookup_elem(&tasks, &tgid);
	if (st && TASK_STATE(*st) == TASK_EXECING)
		*st = TASK_TRACED;
}

/* process_traced says whether tgid's process events (exits, signals) are traced. */
static __always_inline bool process_traced(u32 tgid)
{
	if (config.system_wide)
		return system_traced(tgid);
	u32 *st = bpf_map_lookup_elem(&tasks, &tgid);
	return st && TASK_STATE(*st) == TASK_TRACED;
}

/*
 * in_compat says the current syscall was made in 32-bit mode. Only x86_64
 * has such a mode here; a kernel whose thread_info has no status field
 * (not x86) makes none.
 */
static __always_inline bool in_compat(void)
{
#if defined(__TARGET_ARCH_x86)
	struct task_struct *t = bpf_get_current_task_btf();
	if (bpf_core_field_exists(t->thread_info.status))
		return t->thread_info.status & TS_COMPAT;
#endif
	return false;
}

/* sc_key is the key of syscall nr in sc_filter and sc_table, -1 out of range. */
static __always_inline long sc_key(long nr, bool compat)
{
	if (nr < 0 || nr >= MAX_NR)
		return -1;
	return compat ? nr + SC_COMPAT_BASE : nr;
}

static __always_inline bool wanted(long key)
{
	if (!config.filter_syscalls)
		return true;
	if (key < 0 || key >= 2 * MAX_NR)
		return false;
	u32 key32 = key;
	u8 *on = bpf_map_lookup_elem(&sc_filter, &key32);
	return on && *on;
}

static __always_inline bool is_error(s64 ret)
{
	return ret < 0 && ret >= -4095;
}

/* count_call adds a finished call to sc_stats, sc_hists and proc_stats
 * (config.count). */
/* log2_slot is the hist slot of v: 0 for 0, else its bit length, at most
 * HIST_SLOTS - 1. */
static __always_inline u32 log2_slot(u64 v)
{
	u32 n = 0;
	if (v >> 32) {
		v >>= 32;
		n += 32;
	}
	if (v >> 16) {
		v >>= 16;
		n += 16;
	}
	if (v >> 8) {
		v >>= 8;
		n += 8;
	}
	if (v >> 4) {
		v >>= 4;
		n += 4;
	}
	if (v >> 2) {
		v >>= 2;
		n += 2;
	}
	if (v >> 1) {
		v >>= 1;
		n += 1;
	}
	n += v; /* v is 0 or 1 */
	return n < HIST_SLOTS ? n : HIST_SLOTS - 1;
}

/* count_key adds one to a per-CPU hash counter, making it first. */
static __always_inline void count_err(u32 key)
{
	u64 *n = bpf_map_lookup_elem(&err_stats, &key);
	if (!n) {
		u64 zero = 0;
		bpf_map_update_elem(&err_stats, &key, &zero, BPF_NOEXIST);
		n = bpf_map_lookup_elem(&err_stats, &key);
		if (!n)
			return;
	}
	(*n)++;
}

/* count_fd adds a call on descriptor fd of the current process. */
static __always_inline void count_fd(s32 fd, bool err, u64 ns)
{
	struct fd_key k = {.tgid = bpf_get_current_pid_tgid() >> 32, .fd = fd};
	struct fd_stat *fs = bpf_map_lookup_elem(&fd_stats, &k);
	if (!fs) {
		struct fd_stat init = {};
		bpf_map_update_elem(&fd_stats, &k, &init, BPF_NOEXIST);
		fs = bpf_map_lookup_elem(&fd_stats, &k);
		if (!fs)
			return;
	}
	fs->calls++;
	fs->ns += ns;
	if (err)
		fs->errors++;
}

/* Not inlined: its keys and zeroed values stay out of sys_exit's frame,
 * which is the bottom of the deepest capture chain. */
static __noinline void count_call(long nr, s64 ret, u64 ns, u64 now, u64 arg0)
{
	if (nr < 0 || nr >= MAX_NR)
		return;
	u32 key = nr;
	struct sc_stat *st = bpf_map_lookup_elem(&sc_stats, &key);
	if (!st)
		return;
	/* Per CPU, and a task does not migrate inside a BPF program: plain adds. */
	st->calls++;
	st->ns += ns;
	bool err = is_error(ret);
	if (err)
		st->errors++;
	if (!config.count_aggs)
		return;

	struct sc_hist *h = bpf_map_lookup_elem(&sc_hists, &key);
	if (h) {
		u32 slot = log2_slot(ns / 1000);
		if (slot < HIST_SLOTS)
			h->slots[slot]++;
	}

	u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct proc_stat *ps = bpf_map_lookup_elem(&proc_stats, &tgid);
	if (!ps) {
		struct proc_stat init = {};
		bpf_map_update_elem(&proc_stats, &tgid, &init, BPF_NOEXIST);
		ps = bpf_map_lookup_elem(&proc_stats, &tgid);
		if (!ps)
			return;
	}
	if (!ps->calls || (ret == 0 && is_execve(nr))) {
		/* Two plain loads from the task, as fill_hdr. */
		struct task_struct *t = bpf_get_current_task_btf();
		const u64 *comm = (const u64 *)t->comm;
		((u64 *)ps->comm)[0] = comm[0];
		((u64 *)ps->comm)[1] = comm[1];
		ps->comm_ns = now;
	}
	ps->calls++;
	ps->ns += ns;
	if (err)
		ps->errors++;

	if (err)
		count_err((u32)nr << 12 | (u32)(-ret));
	struct sc_desc *d = bpf_map_lookup_elem(&sc_table, &key);
	if (d && (d->flags & SC_FD0))
		count_fd((s32)arg0, err, ns);
}

/*
 * read_args copies the six syscall arguments out of the user pt_regs with as
 * few probe reads as the layout allows (each read is a helper call).
 */
static __always_inline void read_args(struct pt_regs *regs, u64 *args)
{
	/* regs is a BTF pointer (tp_btf): plain loads, no helper call. */
#if defined(__TARGET_ARCH_x86)
	args[0] = regs->di;
	args[1] = regs->si;
	args[2] = regs->dx;
	args[3] = regs->r10;
	args[4] = regs->r8;
	args[5] = regs->r9;
#elif defined(__TARGET_ARCH_arm64)
	args[0] = regs->orig_x0;
	args[1] = regs->user_regs.regs[1];
	args[2] = regs->user_regs.regs[2];
	args[3] = regs->user_regs.regs[3];
	args[4] = regs->user_regs.regs[4];
	args[5] = regs->user_regs.regs[5];
#endif
}

/* read_args_compat copies the six arguments of a 32-bit call: i386's
 * registers, 32 bits each, as the kernel's ia32 entry reads them. */
static __always_inline void read_args_compat(struct pt_regs *regs, u64 *args)
{
#if defined(__TARGET_ARCH_x86)
	args[0] = (u32)regs->bx;
	args[1] = (u32)regs->cx;
	args[2] = (u32)regs->dx;
	args[3] = (u32)regs->si;
	args[4] = (u32)regs->di;
	args[5] = (u32)regs->bp;
#endif
}

/* put_item describes the record's item n (the next one) and counts it. */
static __always_inline void put_item(struct record *rec, u8 n, u8 arg, u8 kind, u16 len)
{
	rec->hdr.items[n & (MAX_ITEMS - 1)].arg = arg;
	rec->hdr.items[n & (MAX_ITEMS - 1)].kind = kind;
	rec->hdr.items[n & (MAX_ITEMS - 1)].len = len;
	rec->hdr.nitems = n + 1;
}

/*
 * capture_arg reads one argument's user memory into rec->data at off and
 * describes it in the next item; it returns the new end of the data, or off
 * unchanged when nothing was read (bad pointer, record full). Buffers are
 * cut at config.buf_max bytes; structs (CAPTURE_WHOLE) are read entirely.
 *
 * It is a global function so that the verifier checks it once, not once per
 * call site and argument: that keeps loading fast.
 */
#define CAPTURE_WHOLE (1 << 16)
#define CAPTURE_KERNEL (1 << 17) /* ITEM_STR: the string is in kernel memory */
#define CAPTURE_MMSG (1 << 18)   /* capture_msghdr: an mmsghdr */
/* A netlink socket's buffer: whole, up to NETLINK_MAX bytes, not config.buf_max. */
#define CAPTURE_NETLINK (1 << 19)
#define NETLINK_MAX (STR_MAX - 1)

__noinline int capture_arg(struct record *rec, u32 off, u32 how, u64 ptr, u64 len)
{
	u8 arg = how & 0xff;
	u8 kind = (how >> 8) & 0xff;
	long got;

	if (!rec || !ptr)
		return off;
	u8 n = rec->hdr.nitems;
	if (n >= MAX_ITEMS || off > DATA_MAX - STR_MAX)
		return off;
	/* Mask in asm: the compiler would drop a C mask it can prove redundant,
	 * and the verifier needs it. */
	u64 o = off;
	asm volatile("%[o] &= 0x1fff" : [o] "+r"(o));
	if (kind == ITEM_STR) {
		/* -n/--filenames caps strings below PATH_MAX. */
		u32 max = config.str_max && config.str_max < STR_MAX ? config.str_max : STR_MAX;
		if (how & CAPTURE_KERNEL)
			got = bpf_probe_read_kernel_str(&rec->data[o], max, (const void *)ptr);
		else
			got = bpf_probe_read_user_str(&rec->data[o], max, (const void *)ptr);
		if (got <= 0)
			return off;
		/*
		 * got counts the NUL, which the helper always writes. A string
		 * that filled the limit may have been cut (at STR_MAX the kernel
		 * would fail such a path with ENAMETOOLONG): say so.
		 */
		if (got == max)
			kind = ITEM_STR_TRUNC;
		got--;
	} else {
		if (how & CAPTURE_NETLINK) {
			if (len > NETLINK_MAX)
				len = NETLINK_MAX;
		} else if (!(how & CAPTURE_WHOLE) && len > config.buf_max)
			len = config.buf_max;
		if (len > STR_MAX)
			len = STR_MAX;
		if (len == 0)
			return off;
		if (bpf_probe_read_user(&rec->data[o], len, (const void *)ptr) != 0)
			return off;
		got = len;
	}
	put_item(rec, n, arg, kind, got);
	return o + got;
}

/*
 * capture_argv reads argument strings, each cut at config.buf_max+1 bytes (so that
 * the formatter can tell a longer one), back to back with their NULs, as one
 * item; more than ARGV_MAX is marked ITEM_STR_TRUNC. With end 0, ptr is
 * execve's NULL-terminated array of pointers; otherwise the strings lie
 * back to back from ptr to end, as a successful execve copied them to the
 * new image's stack (mm->arg_start, mm->arg_end).
 */
__noinline int capture_argv(struct record *rec, u32 off, u32 arg, u64 ptr, u64 end)
{
	if (!rec || !ptr || (end && end <= ptr))
		return off;
	u8 n = rec->hdr.nitems;
	if (n >= MAX_ITEMS)
		return off;
	u32 start = off;
	u8 kind = ITEM_STR;
	u32 lim = config.buf_max + 2;
	if (lim > 256)
		lim = 256;
	bool failed = false;
	for (int i = 0; i < ARGV_MAX + 1; i++) {
		u64 p = ptr;
		if (end) {
			if (p >= end)
				break;
		} else {
			if (bpf_probe_read_user(&p, sizeof(p), (const void *)(ptr + 8 * i)) != 0) {
				failed = true;
				break;
			}
			if (!p)
				break;
		}
		if (i == ARGV_MAX || off > DATA_MAX - STR_MAX) {
			kind = ITEM_STR_TRUNC;
			break;
		}
		u64 o = off;
		asm volatile("%[o] &= 0x1fff" : [o] "+r"(o));
		/* Whole, to find the next one in an area; then cut. */
		long got = bpf_probe_read_user_str(&rec->data[o], STR_MAX, (const void *)p);
		if (got <= 0) {
			failed = true;
			break;
		}
		if (end)
			ptr += got;
		if (got > lim) {
			u64 cut = o + lim - 1;
			asm volatile("%[c] &= 0x1fff" : [c] "+r"(cut));
			rec->data[cut] = 0;
			got = lim;
		}
		off = o + got;
	}
	/*
	 * A string or a pointer not faulted in yet (flock's "-c" in read-only
	 * data the child never touched) fails the read: no item rather than
	 * an argv cut short, so that the caller reads the whole array again
	 * (the exec's copy on the new stack, or at exit).
	 */
	if ((failed && !end) || (off == start && kind == ITEM_STR))
		return start;
	put_item(rec, n, arg, kind, off - start);
	return off;
}

/* capture_count stores the length of a NULL-terminated pointer array as a
 * 4-byte ITEM_BUF_IN item. */
__noinline int capture_count(struct record *rec, u32 off, u32 arg, u64 ptr)
{
	if (!rec || !ptr)
		return off;
	u8 n = rec->hdr.nitems;
	if (n >= MAX_ITEMS || off > DATA_MAX - STR_MAX)
		return off;
	u32 count = 0;
	for (int i = 0; i < COUNT_MAX / 8; i++) {
		u64 p[8];
		if (bpf_probe_read_user(p, sizeof(p), (const void *)(ptr + 64 * i)) != 0)
			break;
		int j;
		for (j = 0; j < 8; j++) {
			if (!p[j])
				break;
		}
		count += j;
		if (j < 8)
			break;
	}
	u64 o = off;
	asm volatile("%[o] &= 0x1fff" : [o] "+r"(o));
	__builtin_memcpy(&rec->data[o], &count, sizeof(count));
	put_item(rec, n, arg, ITEM_BUF_IN, sizeof(count));
	return o + sizeof(count);
}

/* capture_dirents counts the linux_dirent64 records in the first len bytes
 * at ptr (d_reclen is at offset 16) and stores the count as a 4-byte item. */
#define DIRENTS_MAX 2048 /* glibc reads 32 KiB, at most 1365 of the shortest records */
__noinline int capture_dirents(struct record *rec, u32 off, u32 arg, u64 ptr, u64 len)
{
	if (!rec || !ptr)
		return off;
	u8 n = rec->hdr.nitems;
	if (n >= MAX_ITEMS || off > DATA_MAX - STR_MAX)
		return off;
	u32 count = 0;
	u64 pos = 0;
	for (int i = 0; i < DIRENTS_MAX; i++) {
		if (pos >= len)
			break;
		u16 reclen = 0;
		if (bpf_probe_read_user(&reclen, sizeof(reclen), (const void *)(ptr + pos + 16)) != 0 || !reclen)
			break;
		pos += reclen;
		count++;
	}
	u64 o = off;
	asm volatile("%[o] &= 0x1fff" : [o] "+r"(o));
	__builtin_memcpy(&rec->data[o], &count, sizeof(count));
	put_item(rec, n, arg, ITEM_BUF_OUT, sizeof(count));
	return o + sizeof(count);
}

/*
 * iov_elem reads the start of the buffer of the iovec at rec->data[io]
 * (see capture_iov), at rec->hdr.args[2], up to config.buf_max bytes and to the
 * rec->hdr.args[1] bytes left of the limit, and updates both. It returns 0
 * to go on, 1 to stop. A global function of its own, so that the verifier
 * checks it once instead of once per iteration and path of the loop.
 */
__noinline int iov_elem(struct record *rec, u32 io)
{
	if (!rec)
		return 1;
	u64 pos = rec->hdr.args[2];
	u64 limit = rec->hdr.args[1];
	u64 i = io;
	asm volatile("%[i] &= 0x1fff" : [i] "+r"(i));
	u64 base = *(u64 *)&rec->data[i];
	u64 l = *(u64 *)&rec->data[i + 8];
	if (!base)
		return 0; /* left as it is: strace's iov_base=NULL */
	if (l > limit)
		l = limit;
	limit -= l;
	if (l > rec->hdr.args[4]) /* config.buf_max, or NETLINK_MAX (capture_iov) */
		l = rec->hdr.args[4];
	if (pos > DATA_MAX || l > STR_MAX || pos + l > DATA_MAX)
		return 1;
	if (l) {
		u64 po = pos;
		asm volatile("%[po] &= 0x1fff" : [po] "+r"(po));
		if (bpf_probe_read_user(&rec->data[po], l & 0xfff, (const void *)base) != 0) {
			rec->hdr.args[3] = 1; /* a buffer could not be read */
			return 1;
		}
	}
	*(u64 *)&rec->data[i] = l | (1ULL << 63);
	rec->hdr.args[2] = pos + l;
	rec->hdr.args[1] = limit;
	return 0;
}

/*
 * capture_iov reads an iovec array of cnt elements (iov_cnt) and then,
 * back to back, the first bytes of each buffer: up to config.buf_max bytes, and in
 * all up to limit bytes (a readv's return value), as one item. In the copy
 * of the array, an iov_base whose buffer was read is replaced by the number
 * of bytes read with bit 63 set, so the item describes itself.
 */
__noinline int capture_iov(struct record *rec, u32 off, u32 how, u64 ptr, u64 limit)
{
	u8 arg = how & 0xff;
	u8 kind = (how >> 8) & 0xff;
	u32 cnt = how >> 24; /* BPF functions take five arguments: the count rides in how */

	if (!rec || !ptr)
		return off;
	u8 n = rec->hdr.nitems;
	if (n >= MAX_ITEMS || off > DATA_MAX - STR_MAX)
		return off;
	if (cnt > ARRAY_MAX)
		cnt = ARRAY_MAX;
	if (cnt == 0)
		return off;
	u64 o = off;
	asm volatile("%[o] &= 0x1fff" : [o] "+r"(o));
	u32 alen = cnt * 16;
	if (bpf_probe_read_user(&rec->data[o], alen & 0x3ff, (const void *)ptr) != 0)
		return off;
	/* The loop's state lives in the record, not in registers the verifier
	 * would follow through every iteration. */
	rec->hdr.args[1] = limit;
	rec->hdr.args[2] = o + alen;
	rec->hdr.args[4] = (how & CAPTURE_NETLINK) ? NETLINK_MAX : config.buf_max;
	for (u32 i = 0; i < ARRAY_MAX; i++) {
		if (i >= cnt || iov_elem(rec, o + 16 * i))
			break;
	}
	u64 pos = rec->hdr.args[2];
	if (pos < o || pos > DATA_MAX)
		return off;
	put_item(rec, n, arg, kind, pos - o);
	return pos;
}

/*
 * msghdr_extras appends, after the msghdr copied at rec->data[o], the
 * address (msg_name, up to SOCKADDR_MAX bytes) and the control messages
 * (msg_control, up to CMSG_MAX) it names, to item n, each as long as the
 * header says (a failed read leaves zeros), so that user space finds them.
 * It returns the new end. Its own function, reading the header's fields
 * from the record, so that capture_msghdr keeps few values across calls.
 */
static __noinline u32 msghdr_extras(struct record *rec, u64 o, u32 next, u8 n)
{
	o &= 0x1fff;
	u64 name = *(u64 *)&rec->data[o];
	u32 namelen = *(u32 *)&rec->data[o + 8];
	if (name && namelen) {
		if (namelen > SOCKADDR_MAX)
			namelen = SOCKADDR_MAX;
		u64 no = next;
		asm volatile("%[no] &= 0x1fff" : [no] "+r"(no));
		bpf_probe_read_user(&rec->data[no], namelen & 0xff, (const void *)name);
		rec->hdr.items[n & (MAX_ITEMS - 1)].len += namelen;
		next = no + namelen;
	}
	u64 ctl = *(u64 *)&rec->data[o + 32];
	u64 ctllen = *(u64 *)&rec->data[o + 40];
	if (ctl && ctllen) {
		if (ctllen > CMSG_MAX)
			ctllen = CMSG_MAX;
		u64 co = next;
		asm volatile("%[co] &= 0x1fff" : [co] "+r"(co));
		bpf_probe_read_user(&rec->data[co], ctllen & 0xff, (const void *)ctl);
		rec->hdr.items[n & (MAX_ITEMS - 1)].len += ctllen;
		next = co + ctllen;
	}
	return next;
}

/*
 * capture_msghdr reads a msghdr and the address it names as one item, then its iovec array and
 * buffers (capture_iov) as the next item of the same argument and kind.
 */
__noinline int capture_msghdr(struct record *rec, u32 off, u32 how, u64 ptr, u64 limit)
{
	if (!rec)
		return off;
	u32 size = (how & CAPTURE_MMSG) ? MMSGHDR_SIZE : MSGHDR_SIZE;
	u32 next = capture_arg(rec, off, (how & 0xffff) | CAPTURE_WHOLE, ptr, size);
	if (next == off)
		return off;
	u64 o = next - size;
	asm volatile("%[o] &= 0x1fff" : [o] "+r"(o));
	if (how & CAPTURE_MMSG) {
		/* An mmsghdr: its buffers up to the bytes it carried (msg_len). */
		u32 mlen = *(u32 *)&rec->data[o + MSGHDR_SIZE];
		if (limit > mlen)
			limit = mlen;
	}
	next = msghdr_extras(rec, o, next, rec->hdr.nitems - 1);
	asm volatile("%[o] &= 0x1fff" : [o] "+r"(o));
	u64 cnt = *(u64 *)&rec->data[o + 24];
	if (cnt > ARRAY_MAX)
		cnt = ARRAY_MAX;
	u8 items = rec->hdr.nitems;
	next = capture_iov(rec, next, (how & (0xffff | CAPTURE_NETLINK)) | (cnt << 24), *(u64 *)&rec->data[o + 16], limit);
	if ((how & CAPTURE_MMSG) && rec->hdr.nitems == items && items < MAX_ITEMS) {
		/* An empty iovec item keeps an mmsghdr's two items paired. */
		put_item(rec, items, how & 0xff, (how >> 8) & 0xff, 0);
	}
	return next;
}

/*
 * capture_mmsg reads, at exit, the first cnt (at most MMSG_MAX) mmsghdrs of
 * sendmmsg's or recvmmsg's vector, each as capture_msghdr does, then made
 * one item: the header with msg_len (and address, control messages), then
 * the iovecs with their buffers up to msg_len. The header's last four
 * bytes, padding in user memory, say where the iovecs start
 * (MMSG_IOV_MARK | offset), so user space can split the item.
 */
#define MMSG_IOV_MARK 0x80000000U
__noinline int capture_mmsg(struct record *rec, u32 off, u32 how, u64 ptr, u64 cnt)
{
	if (!rec || !ptr)
		return off;
	for (int j = 0; j < MMSG_MAX; j++) {
		if (j >= cnt)
			break;
		u8 items = rec->hdr.nitems;
		if (items + 2 > MAX_ITEMS)
			break;
		u32 next = capture_msghdr(rec, off, how | CAPTURE_MMSG, ptr + MMSGHDR_SIZE * j, ~0ULL);
		if (rec->hdr.nitems != items + 2)
			break;
		u8 h = items & (MAX_ITEMS - 1), v = (items + 1) & (MAX_ITEMS - 1);
		u16 base = rec->hdr.items[h].len;
		u64 o = off;
		asm volatile("%[o] &= 0x1fff" : [o] "+r"(o));
		*(u32 *)&rec->data[o + MSGHDR_SIZE + 4] = MMSG_IOV_MARK | base;
		rec->hdr.items[h].len = base + rec->hdr.items[v].len;
		rec->hdr.nitems = items + 1;
		off = next;
	}
	return off;
}

#define FDSET_MAX 128 /* bytes of an fd_set captured: 1024 descriptors */

/*
 * capture_fdsets reads select's three fd_sets (arguments arg, arg+1,
 * arg+2), each of the bytes args[sa] descriptors need (whole longs), back to
 * back as one item; a NULL set takes no room. sa rides in how's top byte.
 */
__noinline int capture_fdsets(struct record *rec, u32 off, u32 how, struct pending *p)
{
	u8 arg = how & 0xff;
	u8 kind = (how >> 8) & 0xff;
	u8 sa = how >> 24;

	if (!rec || !p)
		return off;
	u8 n = rec->hdr.nitems;
	if (n >= MAX_ITEMS || off > DATA_MAX - STR_MAX || arg > 3)
		return off;
	u64 si = sa;
	asm volatile("%[si] &= 7" : [si] "+r"(si));
	if (si > 5)
		return off;
	u64 nfds = p->args[si] & 0xffffffff;
	u64 size = (nfds + 63) / 64 * 8;
	if (size > FDSET_MAX)
		size = FDSET_MAX;
	if (size == 0)
		return off;
	u64 o = off;
	asm volatile("%[o] &= 0x1fff" : [o] "+r"(o));
	u64 pos = o;
#pragma unroll
	for (int j = 0; j < 3; j++) {
		u64 a = arg + j;
		asm volatile("%[a] &= 7" : [a] "+r"(a));
		if (a > 5)
			break;
		u64 ptr = p->args[a];
		if (!ptr)
			continue;
		u64 po = pos;
		asm volatile("%[po] &= 0x1fff" : [po] "+r"(po));
		if (bpf_probe_read_user(&rec->data[po], size & 0xff, (const void *)ptr) != 0)
			return off;
		pos = po + size;
	}
	put_item(rec, n, arg, kind, pos - o);
	return pos;
}

/* iov_cnt is how(...)'s flags for capture_iov: the element count, cut at ARRAY_MAX. */
static __always_inline u32 iov_cnt(u64 cnt)
{
	return (cnt > ARRAY_MAX ? ARRAY_MAX : cnt) << 24;
}

/* array_len is the byte size of cnt elements of size bytes, cut at ARRAY_MAX elements. */
static __always_inline u64 array_len(u64 cnt, u16 size)
{
	if (cnt > ARRAY_MAX)
		cnt = ARRAY_MAX;
	return cnt * size;
}

/* ioctl_cap says how much of an ioctl's argument to read, and when. */
static __always_inline u32 ioctl_cap(u64 cmd)
{
	u32 key = (u32)cmd;
	u32 *v = bpf_map_lookup_elem(&ioctl_caps, &key);
	return v ? *v : 0;
}

/* read_len reads the int a socklen_t pointer points to, 0 on failure. */
static __always_inline u64 read_len(u64 ptr)
{
	u32 v = 0;
	if (ptr)
		bpf_probe_read_user(&v, sizeof(v), (const void *)ptr);
	return v;
}

/*
 * sigframe_mask is where rt_sigreturn finds the signal mask to restore: the
 * uc_sigmask of the rt_sigframe on the user stack.
 */
static __always_inline u64 sigframe_mask(u64 sp)
{
#if defined(__TARGET_ARCH_x86)
	/* sp is past pretcode: frame = sp - 8; uc at +8; uc_sigmask at uc+296. */
	return sp + 296;
#elif defined(__TARGET_ARCH_arm64)
	/* frame = sp: siginfo (128), then uc: uc_sigmask at uc+40. */
	return sp + 168;
#endif
}

/* user_sp is the user stack pointer in a syscall's saved registers. */
static __always_inline u64 user_sp(struct pt_regs *regs)
{
#if defined(__TARGET_ARCH_x86)
	return regs->sp;
#elif defined(__TARGET_ARCH_arm64)
	return regs->user_regs.sp;
#endif
}

static __always_inline u32 how(int arg, u32 kind, u32 flags)
{
	return arg | (kind << 8) | flags;
}

/* describe returns the capture description of sc_key key. */
static __always_inline struct sc_desc *describe(long key)
{
	if (key < 0 || key >= 2 * MAX_NR)
		return NULL;
	u32 key32 = key;
	return bpf_map_lookup_elem(&sc_table, &key32);
}

static __always_inline void fill_hdr(struct event_hdr *h, u64 id, long nr, u64 ts, u64 now)
{
	/* Without the clock, a slot seeded by user space (-p) still holds
	 * an entry time: no record carries one. */
	h->ts = config.no_clock ? 0 : ts;
	h->duration = config.no_clock ? 0 : now - ts;
	h->pid = id >> 32;
	h->tid = (u32)id;
	h->nr = nr;
	/* The name as two plain loads from the task (a BTF pointer), not
	 * bpf_get_current_comm's locked copy. */
	struct task_struct *t = bpf_get_current_task_btf();
	const u64 *comm = (const u64 *)t->comm;
	((u64 *)h->comm)[0] = comm[0];
	((u64 *)h->comm)[1] = comm[1];
}

/* nl_flag is how(...)'s flag for a call's buffers: whole on a netlink socket. */
static __always_inline u32 nl_flag(struct pending *p)
{
	return (p->state & P_NETLINK) ? CAPTURE_NETLINK : 0;
}

/*
 * netlink_proto returns the protocol (NETLINK_ROUTE ...) of fd when it is
 * an AF_NETLINK socket of the current process (its file's inode is a
 * socket, whose sock's family is AF_NETLINK), else -1.
 */
static __always_inline int netlink_proto(u64 fd)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct fdtable *fdt = BPF_CORE_READ(t, files, fdt);
	if (!fdt || fd >= BPF_CORE_READ(fdt, max_fds))
		return -1;
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *f = NULL;
	if (bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]) != 0 || !f)
		return -1;
	if ((BPF_CORE_READ(f, f_inode, i_mode) & 0170000) != 0140000) /* S_IFSOCK */
		return -1;
	struct socket *sock = BPF_CORE_READ(f, private_data);
	struct sock *sk = sock ? BPF_CORE_READ(sock, sk) : NULL;
	if (!sk || BPF_CORE_READ(sk, __sk_common.skc_family) != 16) /* AF_NETLINK */
		return -1;
	return BPF_CORE_READ(sk, sk_protocol) & 0xff;
}

/*
 * send_hdr sends a record without captures, written in place in the ring
 * buffer: no copy of a header built on the stack. Its items are not
 * written: nitems is 0.
 */
static __always_inline void send_hdr(u64 id, long nr, u64 ts, u64 now, const u64 *args, s64 ret, u16 flags, u8 pad)
{
	struct event_hdr *h = bpf_ringbuf_reserve(&events, sizeof(*h), 0);
	if (!h) {
		count_lost();
		return;
	}
	fill_hdr(h, id, nr, ts, now);
	__builtin_memcpy(h->args, args, sizeof(h->args));
	h->ret = ret;
	h->flags = flags;
	h->nitems = 0;
	h->pad = pad;
	bpf_ringbuf_submit(h, wake_flags());
}

/*
 * capture_deref reads a struct of size bytes (at most 64) and, when its
 * first word is a pointer, the 8 bytes it points to, after it in the same
 * item: a longer item says the second read worked.
 */
__noinline int capture_deref(struct record *rec, u32 off, u32 arg, u64 ptr, u32 size)
{
	if (!rec || size < 8 || size > 64)
		return off;
	u32 next = capture_arg(rec, off, how(arg, ITEM_BUF_IN, CAPTURE_WHOLE), ptr, size);
	if (next == off)
		return off;
	u64 o = off;
	asm volatile("%[o] &= 0x1fff" : [o] "+r"(o));
	u64 inner = *(u64 *)&rec->data[o];
	if (!inner)
		return next;
	u64 no = next;
	asm volatile("%[no] &= 0x1fff" : [no] "+r"(no));
	if (bpf_probe_read_user(&rec->data[no], 8, (const void *)inner) != 0)
		return next;
	u8 n = rec->hdr.nitems - 1;
	rec->hdr.items[n & (MAX_ITEMS - 1)].len += 8;
	return no + 8;
}

#define CLONE_PIDFD 0x1000
#define CLONE_ARGS_SET_TID 64 /* offsetof(struct clone_args, set_tid) */

/*
 * capture_clone_args reads clone3's struct clone_args, size bytes (at most
 * max), and after it, in the same item, the set_tid array it points to (up
 * to ARRAY_MAX pids): a longer item says the array was read.
 */
__noinline int capture_clone_args(struct record *rec, u32 off, u32 arg, u64 ptr, u64 size)
{
	if (!rec || arg > 5)
		return off;
	u32 next = capture_arg(rec, off, how(arg, ITEM_BUF_IN, CAPTURE_WHOLE), ptr, size);
	if (next == off || size < CLONE_ARGS_SET_TID + 16)
		return next;
	u64 o = off;
	asm volatile("%[o] &= 0x1fff" : [o] "+r"(o));
	u64 tids = *(u64 *)&rec->data[o + CLONE_ARGS_SET_TID];
	u64 n = *(u64 *)&rec->data[o + CLONE_ARGS_SET_TID + 8];
	if (!tids || !n)
		return next;
	if (n > ARRAY_MAX)
		n = ARRAY_MAX;
	u64 no = next;
	asm volatile("%[no] &= 0x1fff" : [no] "+r"(no));
	if (bpf_probe_read_user(&rec->data[no], (n * 4) & 0xff, (const void *)tids) != 0)
		return next;
	u8 it = rec->hdr.nitems - 1;
	rec->hdr.items[it & (MAX_ITEMS - 1)].len += n * 4;
	return no + n * 4;
}

/* clone_args_size is how much of clone3's struct to read: args[size_arg], at most the table's size. */
static __always_inline u64 clone_args_size(struct pending *p, struct sc_desc *d, int i)
{
	u8 sa = d->cap[i].size_arg;
	u64 size = p->args[sa < 6 ? sa : 0];
	return size > d->cap[i].size ? d->cap[i].size : size;
}

/*
 * enter_arg reads argument i's memory at enter, as sc_desc says, at offset
 * off of rec's data (io = i | off << 8), and returns the new end. The loops
 * over the arguments call it: a global function is verified once, which
 * keeps loading fast however many capture kinds there are.
 */
__noinline int enter_arg(struct record *rec, struct pending *p, struct sc_desc *d, u64 sp, u32 io)
{
	u32 i = io & 0xff, off = io >> 8, next = off;
	if (!rec || !p || !d || i >= 6)
		return off;
	u8 k = d->cap[i].kind;
	if (!config.buffers && k != CAP_STR)
		return off;
	if (k == CAP_STR)
		next = capture_arg(rec, off, how(i, ITEM_STR, 0), p->args[i], 0);
	else if (k == CAP_BUF_IN) {
		u8 sa = d->cap[i].size_arg;
		u64 len = p->args[sa < 6 ? sa : 0];
		u16 whole = d->cap[i].size;
		if (whole) {
			/* A sized struct (sockaddr): whole, up to size. */
			if (len > whole)
				len = whole;
			next = capture_arg(rec, off, how(i, ITEM_BUF_IN, CAPTURE_WHOLE),
					   p->args[i], len);
		} else
			next = capture_arg(rec, off, how(i, ITEM_BUF_IN, nl_flag(p)), p->args[i], len);
	} else if (k == CAP_ARGV || k == CAP_ENVP)
		next = capture_argv(rec, off, i, p->args[i], 0);
	else if (k == CAP_COUNT)
		next = capture_count(rec, off, i, p->args[i]);
	else if (k == CAP_SOCKADDR) {
		/* The length the caller offers, before the kernel changes it. */
		u8 sa = d->cap[i].size_arg;
		next = capture_arg(rec, off, how(sa, ITEM_BUF_IN, CAPTURE_WHOLE),
				   p->args[sa < 6 ? sa : 0], 4);
	} else if (k == CAP_SIGMASK)
		next = capture_arg(rec, off, how(i, ITEM_BUF_IN, CAPTURE_WHOLE),
				   sigframe_mask(sp), 8);
	else if (k == CAP_STRUCT_IN || k == CAP_STRUCT_INOUT)
		next = capture_arg(rec, off, how(i, ITEM_BUF_IN, CAPTURE_WHOLE),
				   p->args[i], d->cap[i].size);
	else if (k == CAP_STRUCT_DEREF)
		next = capture_deref(rec, off, i, p->args[i], d->cap[i].size);
	else if (k == CAP_CLONE_ARGS)
		next = capture_clone_args(rec, off, i, p->args[i], clone_args_size(p, d, i));
	else if (k == CAP_PRCTL && p->args[0] == PR_SET_NAME)
		next = capture_arg(rec, off, how(i, ITEM_STR, 0), p->args[i], 0);
	else if (k == CAP_ARRAY_INOUT) {
		u8 sa = d->cap[i].size_arg;
		next = capture_arg(rec, off, how(i, ITEM_BUF_IN, CAPTURE_WHOLE), p->args[i],
				   array_len(p->args[sa < 6 ? sa : 0], d->cap[i].size));
	} else if (k == CAP_IOV_IN || k == CAP_MSGHDR_IN) {
		/*
		 * A buffer not faulted in yet (a string literal right after
		 * exec) fails the read: drop the whole capture, and exit reads
		 * it again, after the call itself faulted it in.
		 */
		u8 before = rec->hdr.nitems;
		rec->hdr.args[3] = 0;
		if (k == CAP_IOV_IN) {
			u8 sa = d->cap[i].size_arg;
			next = capture_iov(rec, off, how(i, ITEM_BUF_IN, iov_cnt(p->args[sa < 6 ? sa : 0])),
					   p->args[i], ~0ULL);
		} else
			next = capture_msghdr(rec, off, how(i, ITEM_BUF_IN, nl_flag(p)), p->args[i], ~0ULL);
		if (rec->hdr.args[3]) {
			rec->hdr.nitems = before;
			next = off;
		}
	} else if (k == CAP_FDSETS)
		next = capture_fdsets(rec, off, how(i, ITEM_BUF_IN, d->cap[i].size_arg << 24), p);
	else if (k == CAP_MSGHDR_OUT)
		/* strace shows msg_namelen of a failed recvmsg: the header at enter. */
		next = capture_arg(rec, off, how(i, ITEM_BUF_IN, CAPTURE_WHOLE), p->args[i], MSGHDR_SIZE);
	else if (k == CAP_IOCTL) {
		u8 sa = d->cap[i].size_arg;
		u32 c = ioctl_cap(p->args[sa < 6 ? sa : 0]);
		if (c & IOCTL_AT_ENTER)
			next = capture_arg(rec, off, how(i, ITEM_BUF_IN, CAPTURE_WHOLE), p->args[i],
					   c & IOCTL_SIZE_MASK);
	}
	return next;
}

/*
 * enter_captures reads the arguments sc_desc asks for at enter into rec,
 * leaving in rec->hdr.pad the arguments to read again at exit and in
 * rec->hdr.args[0] the end of the data. Like capture_arg it is a global
 * function: the verifier checks its loop once, which keeps loading fast.
 */
__noinline int enter_captures(struct record *rec, struct pending *p, struct sc_desc *d, u64 sp)
{
	if (!rec || !p || !d)
		return 0;
	u32 off = 0, next;
	u8 retry = 0, items = 0;
	rec->hdr.nitems = 0;
	for (int i = 0; i < 6; i++) {
		u8 k = d->cap[i].kind;
		if (k == CAP_NONE)
			continue;
		next = enter_arg(rec, p, d, sp, i | off << 8);
		/*
		 * A page not faulted in yet (fresh after fork or exec) can't
		 * be read here; the syscall itself faults it in, so try again
		 * at exit. Failure is no new item (an empty string is one).
		 */
		if (rec->hdr.nitems == items && p->args[i] &&
		    (k == CAP_STR || k == CAP_BUF_IN || k == CAP_STRUCT_IN || k == CAP_STRUCT_INOUT || k == CAP_STRUCT_DEREF ||
		     k == CAP_ARRAY_INOUT || k == CAP_IOV_IN || k == CAP_MSGHDR_IN || k == CAP_ARGV || k == CAP_ENVP || k == CAP_PRCTL ||
		     k == CAP_CLONE_ARGS))
			retry |= 1 << i;
		items = rec->hdr.nitems;
		off = next;
	}
	rec->hdr.pad = retry;
	/* Remember where exit captures go. */
	rec->hdr.args[0] = off;
	return 0;
}

/* retry_arg reads again at exit what enter_arg could not (io as there). */
__noinline int retry_arg(struct record *rec, struct pending *p, struct sc_desc *d, u32 io)
{
	u32 i = io & 0xff, off = io >> 8;
	if (!rec || !p || !d || i >= 6)
		return off;
	u8 k = d->cap[i].kind;
	if (!config.buffers && k != CAP_STR)
		return off;
	if (k == CAP_STR)
		off = capture_arg(rec, off, how(i, ITEM_STR, 0), p->args[i], 0);
	else if (k == CAP_ARGV || k == CAP_ENVP)
		off = capture_argv(rec, off, i, p->args[i], 0);
	else if (k == CAP_BUF_IN) {
		u8 sa = d->cap[i].size_arg;
		off = capture_arg(rec, off, how(i, ITEM_BUF_IN, nl_flag(p)), p->args[i],
				  p->args[sa < 6 ? sa : 0]);
	} else if (k == CAP_STRUCT_IN || k == CAP_STRUCT_INOUT)
		off = capture_arg(rec, off, how(i, ITEM_BUF_IN, CAPTURE_WHOLE), p->args[i],
				  d->cap[i].size);
	else if (k == CAP_STRUCT_DEREF)
		off = capture_deref(rec, off, i, p->args[i], d->cap[i].size);
	else if (k == CAP_CLONE_ARGS)
		off = capture_clone_args(rec, off, i, p->args[i], clone_args_size(p, d, i));
	else if (k == CAP_PRCTL && p->args[0] == PR_SET_NAME)
		off = capture_arg(rec, off, how(i, ITEM_STR, 0), p->args[i], 0);
	else if (k == CAP_ARRAY_INOUT) {
		u8 sa = d->cap[i].size_arg;
		off = capture_arg(rec, off, how(i, ITEM_BUF_IN, CAPTURE_WHOLE), p->args[i],
				  array_len(p->args[sa < 6 ? sa : 0], d->cap[i].size));
	} else if (k == CAP_IOV_IN) {
		u8 sa = d->cap[i].size_arg;
		off = capture_iov(rec, off, how(i, ITEM_BUF_IN, iov_cnt(p->args[sa < 6 ? sa : 0])),
				  p->args[i], ~0ULL);
	} else if (k == CAP_MSGHDR_IN)
		off = capture_msghdr(rec, off, how(i, ITEM_BUF_IN, nl_flag(p)), p->args[i], ~0ULL);
	return off;
}

/* exit_arg reads argument i's memory at exit, as sc_desc says (io as for enter_arg). */
__noinline int exit_arg(struct record *rec, struct pending *p, struct sc_desc *d, s64 ret, u32 io)
{
	u32 i = io & 0xff, off = io >> 8;
	if (!rec || !p || !d || i >= 6)
		return off;
	u8 k = d->cap[i].kind;
	if (!config.buffers)
		return off; /* strings are read at enter */
	if (is_error(ret)) {
		/* Only what a failed call writes (SC_ERR_CAP). */
		if (k == CAP_STRUCT_OUT_ERR)
			off = capture_arg(rec, off, how(i, ITEM_BUF_OUT, CAPTURE_WHOLE), p->args[i],
					  d->cap[i].size);
		return off;
	}
	if (k == CAP_BUF_OUT && ret > 0) {
		u16 whole = d->cap[i].size;
		if (whole)
			off = capture_arg(rec, off, how(i, ITEM_BUF_OUT, CAPTURE_WHOLE), p->args[i],
					  ret < whole ? ret : whole);
		else
			off = capture_arg(rec, off, how(i, ITEM_BUF_OUT, nl_flag(p)), p->args[i], ret);
	} else if (k == CAP_DIRENTS && ret >= 0)
		off = capture_dirents(rec, off, i, p->args[i], ret);
	else if (k == CAP_STRUCT_OUT || k == CAP_STRUCT_INOUT)
		off = capture_arg(rec, off, how(i, ITEM_BUF_OUT, CAPTURE_WHOLE),
				  p->args[i], d->cap[i].size);
	else if (k == CAP_ARRAY_INOUT && ret > 0) {
		u8 sa = d->cap[i].size_arg;
		off = capture_arg(rec, off, how(i, ITEM_BUF_OUT, CAPTURE_WHOLE), p->args[i],
				  array_len(p->args[sa < 6 ? sa : 0], d->cap[i].size));
	} else if (k == CAP_ARRAY_OUT && ret > 0)
		off = capture_arg(rec, off, how(i, ITEM_BUF_OUT, CAPTURE_WHOLE), p->args[i],
				  array_len(ret, d->cap[i].size));
	else if (k == CAP_IOV_OUT) {
		u8 sa = d->cap[i].size_arg;
		off = capture_iov(rec, off, how(i, ITEM_BUF_OUT, iov_cnt(p->args[sa < 6 ? sa : 0])),
				  p->args[i], ret);
	} else if (k == CAP_FDSETS && ret > 0)
		off = capture_fdsets(rec, off, how(i, ITEM_BUF_OUT, d->cap[i].size_arg << 24), p);
	else if (k == CAP_MSGHDR_OUT)
		off = capture_msghdr(rec, off, how(i, ITEM_BUF_OUT, nl_flag(p)), p->args[i], ret);
	else if (k == CAP_MMSG && ret > 0)
		off = capture_mmsg(rec, off, how(i, ITEM_BUF_OUT, 0), p->args[i], ret);
	else if (k == CAP_CLONE_ARGS && ret > 0) {
		/* The parent: the pidfd the kernel wrote where pidfd points. */
		u64 head[2] = {};
		if (bpf_probe_read_user(head, sizeof(head), (const void *)p->args[i]) == 0 &&
		    (head[0] & CLONE_PIDFD) && head[1])
			off = capture_arg(rec, off, how(i, ITEM_BUF_OUT, CAPTURE_WHOLE), head[1], 4);
	} else if (k == CAP_PAGEVEC) {
		u8 sa = d->cap[i].size_arg;
		u64 shift = d->cap[i].size & 31;
		u64 n = (p->args[sa < 6 ? sa : 0] + (1ULL << shift) - 1) >> shift;
		if (n > ARRAY_MAX)
			n = ARRAY_MAX;
		off = capture_arg(rec, off, how(i, ITEM_BUF_OUT, CAPTURE_WHOLE), p->args[i], n);
	}
	else if (k == CAP_PRCTL) {
		u64 opt = p->args[0];
		u32 n = opt == PR_GET_NAME ? 16 : opt == PR_GET_TID_ADDRESS ? 8 :
			(opt == PR_GET_PDEATHSIG || opt == PR_GET_CHILD_SUBREAPER) ? 4 : 0;
		if (n)
			off = capture_arg(rec, off, how(i, ITEM_BUF_OUT, CAPTURE_WHOLE), p->args[i], n);
	}
	else if (k == CAP_IOCTL) {
		u8 sa = d->cap[i].size_arg;
		u32 c = ioctl_cap(p->args[sa < 6 ? sa : 0]);
		if (c && !(c & IOCTL_AT_ENTER))
			off = capture_arg(rec, off, how(i, ITEM_BUF_OUT, CAPTURE_WHOLE), p->args[i],
					  c & IOCTL_SIZE_MASK);
	}
	else if (k == CAP_SOCKADDR) {
		u8 sa = d->cap[i].size_arg;
		u64 lp = p->args[sa < 6 ? sa : 0];
		u64 len = read_len(lp);
		off = capture_arg(rec, off, how(sa, ITEM_BUF_OUT, CAPTURE_WHOLE), lp, 4);
		if (len > SOCKADDR_MAX)
			len = SOCKADDR_MAX;
		off = capture_arg(rec, off, how(i, ITEM_BUF_OUT, CAPTURE_WHOLE), p->args[i], len);
	}
	return off;
}

/*
 * exit_captures reads again what enter could not, then what sc_desc asks
 * for at exit, and returns the end of rec's data. A global function, for
 * the same reason as enter_captures.
 */
__noinline int exit_captures(struct record *rec, struct pending *p, struct sc_desc *d, s64 ret)
{
	if (!rec || !p)
		return 0;
	if (!d)
		return rec->hdr.args[0];
	u32 off = rec->hdr.args[0];
	u8 retry = rec->hdr.pad;
	if (d && retry) {
		for (int i = 0; i < 6; i++) {
			if (!(retry & (1 << i)))
				continue;
			off = retry_arg(rec, p, d, i | off << 8);
		}
	}
	if (d && (d->flags & SC_HAS_EXIT_CAP) && (!is_error(ret) || (d->flags & SC_ERR_CAP))) {
		for (int i = 0; i < 6; i++) {
			if (d->cap[i].kind != CAP_NONE)
				off = exit_arg(rec, p, d, ret, i | off << 8);
		}
	}
	return off;
}

/*
 * capture_stack appends the user stack of the current call to rec as one
 * ITEM_STACK item: sp, the frame pointer and (arm64) the link register, the
 * number of return addresses the kernel's frame-pointer walk found and the
 * bytes of stack copied, then those addresses (bpf_get_stack), then up to
 * config.stack_trace bytes (a multiple of 8) of the stack from sp, which user space unwinds with the
 * binaries' .eh_frame where frame pointers are missing. It returns the new
 * end of the data.
 */
#ifndef BPF_F_USER_STACK
#define BPF_F_USER_STACK (1ULL << 8)
#endif
#define STACK_DEPTH 127         /* kernel.perf_event_max_stack's default */
#define STACK_HDR 32
#define STACK_WINDOW_MAX 0xff8 /* a mask too */
static __always_inline u32 capture_stack(void *ctx, struct pt_regs *regs, struct record *rec, u32 off)
{
	u8 n = rec->hdr.nitems;
	if (n >= MAX_ITEMS || off > DATA_MAX - STR_MAX)
		return off;
	u64 o = off;
	asm volatile("%[o] &= 0x1fff" : [o] "+r"(o));
	u64 *h = (u64 *)&rec->data[o];
#if defined(__TARGET_ARCH_x86)
	h[0] = regs->sp;
	h[1] = regs->bp;
	h[2] = 0;
#elif defined(__TARGET_ARCH_arm64)
	h[0] = regs->user_regs.sp;
	h[1] = regs->user_regs.regs[29];
	h[2] = regs->user_regs.regs[30];
#endif
	u64 ips = o + STACK_HDR;
	asm volatile("%[i] &= 0x1fff" : [i] "+r"(ips));
	long got = bpf_get_stack(ctx, &rec->data[ips], STACK_DEPTH * 8, BPF_F_USER_STACK);
	if (got < 8)
		return off;
	u64 w = o + STACK_HDR + got;
	/* The window takes what is left below DATA_MAX - STR_MAX, so that the
	 * exit captures still fit after it. */
	u32 size = config.stack_trace & STACK_WINDOW_MAX;
	if (w >= DATA_MAX - STR_MAX)
		size = 0;
	else if (size > DATA_MAX - STR_MAX - w)
		size = DATA_MAX - STR_MAX - w;
	asm volatile("%[w] &= 0x1fff" : [w] "+r"(w));
	/* The window may run past the top of the stack: try smaller ones. */
	size &= STACK_WINDOW_MAX;
	/*
	 * sp's page is in use; the next ones may never have been touched (the
	 * gap exec leaves above the first frames), and an absent page fails
	 * the whole read: the rest of the window is a second read, dropped
	 * when it fails.
	 */
	u32 first = 4096 - (h[0] & 4095);
	if (first > size)
		first = size;
	first &= STACK_WINDOW_MAX;
	if (size && bpf_probe_read_user(&rec->data[w], first, (const void *)h[0]) != 0)
		size = 0;
	if (size > first) {
		u64 w2 = w + first;
		asm volatile("%[w] &= 0x1fff" : [w] "+r"(w2));
		if (bpf_probe_read_user(&rec->data[w2], (size - first) & STACK_WINDOW_MAX, (const void *)(h[0] + first)) != 0)
			size = first;
	}
	size &= STACK_WINDOW_MAX;
	h[3] = (u64)size << 32 | (u32)(got / 8);
	put_item(rec, n, 0, ITEM_STACK, STACK_HDR + got + size);
	return o + STACK_HDR + got + size;
}

#include "fd.bpf.h"

/* thread_rec returns tid's record buffer, creating it the first time. */
static __always_inline struct record *thread_rec(u32 tid)
{
	/*
	 * A thread's record buffer stays in recs until the thread exits:
	 * creating it copies a whole record, so it is done once.
	 */
	struct record *rec = bpf_map_lookup_elem(&recs, &tid);
	if (!rec) {
		u32 zero = 0;
		struct record *tmpl = bpf_map_lookup_elem(&scratch, &zero);
		if (tmpl) {
			tmpl->hdr.nitems = 0;
			bpf_map_update_elem(&recs, &tid, tmpl, BPF_NOEXIST);
		}
		rec = bpf_map_lookup_elem(&recs, &tid);
	}
	return rec;
}

static __noinline void show_held(u64 id);

SEC("tp_btf/sys_enter")
int sys_enter(u64 *ctx)
{
	if (config.calibrate)
		return 0;
	struct pt_regs *regs = (struct pt_regs *)ctx[0];
	long nr = (long)ctx[1];
	/*
	 * A 32-bit call's number is i386's: its filter entry is another, and
	 * it is never the launch's execve. Without a syscall filter, the mode
	 * is read only for the calls of traced tasks (below), and for the
	 * numbers of execve, which is_traced must tell apart.
	 */
	bool compat = (config.filter_syscalls || is_execve(nr)) && in_compat();
	long key = sc_key(nr, compat);
	bool exec = !compat && is_execve(nr);

	/*
	 * The syscall filter first: it costs an array lookup, and drops most
	 * calls of a filtered trace before any per-task work. The launch's
	 * execve must still be seen returning, even when filtered out.
	 */
	bool want = wanted(key);
	if (!want && (config.system_wide || !exec))
		return 0;

	u64 id = bpf_get_current_pid_tgid();
	u32 tid = (u32)id;
	/*
	 * A thread's slot remembers that it is traced: its next calls skip
	 * the tasks lookup.
	 */
	struct pending *slot = bpf_map_lookup_elem(&pendings, &tid);
	if (!(slot && (slot->state & P_TRACED)) && !is_traced(id >> 32, tid, compat ? -1 : nr))
		return 0;
	/* A signal that came while the thread ran in user space. */
	if (slot && (slot->state & P_SIGNAL))
		show_held(id);
	if (!config.filter_syscalls && !is_execve(nr) && in_compat()) {
		compat = true;
		key = sc_key(nr, true);
	}
	/*
	 * The call is written in place in the thread's slot (made the first
	 * time), not built on the stack: this frame is the bottom of the
	 * deepest capture chain. P_ACTIVE, set last, says it is complete.
	 */
	if (!slot) {
		bpf_map_update_elem(&pendings, &tid, &zero_pending, BPF_NOEXIST);
		slot = bpf_map_lookup_elem(&pendings, &tid);
		if (!slot) {
			count_lost();
			return 0;
		}
	}
	struct pending *p = slot;
	/* A launch's execve: look the task up until it returns. */
	u32 state = (!config.system_wide && exec) ? 0 : P_TRACED;
	if (!want)
		state |= P_EXEC_ONLY;
	u64 ts = config.no_clock ? 0 : bpf_ktime_get_ns();
	p->ts = ts;
	p->nr = nr;
	/* -c counts native calls in the kernel and sends no record of them;
	 * 32-bit calls are sent, for the summary's table of their own. */
	bool count_only = config.count == COUNT_ONLY && !compat;
	if (compat) {
		state |= P_COMPAT;
		read_args_compat(regs, p->args);
	} else if (!count_only || config.count_aggs) {
		/* kernel_fds() counts by the first argument. */
		read_args(regs, p->args);
	}
	u16 evc = compat ? EV_COMPAT : 0;

	struct sc_desc *d = describe(key);
	u8 flags = d ? d->flags : 0;
	if (flags & SC_SOCK_FD) {
		int proto = netlink_proto(p->args[0]);
		if (proto >= 0)
			state |= P_NETLINK | (proto << P_PROTO_SHIFT);
	}
	p->state = state;

	if (flags & SC_NORETURN) {
		/* exit and exit_group never reach sys_exit: send them now
		 * (they are not counted: they have no end). */
		if (config.failed_only || count_only)
			return 0;
		/* No stack for a 32-bit call: strace -k shows none either. */
		struct record *rec = config.stack_trace && !compat ? thread_rec(tid) : NULL;
		if (rec) {
			rec->hdr.nitems = 0;
			u64 size = sizeof(struct event_hdr) + capture_stack(ctx, regs, rec, 0);
			fill_hdr(&rec->hdr, id, nr, ts, ts);
			__builtin_memcpy(rec->hdr.args, p->args, sizeof(rec->hdr.args));
			rec->hdr.ret = 0;
			rec->hdr.flags = EV_NORETURN | evc;
			rec->hdr.pad = 0;
			if (size > sizeof(struct record))
				size = sizeof(struct record);
			if (bpf_ringbuf_output(&events, rec, size, wake_flags()) != 0)
				count_lost();
			return 0;
		}
		send_hdr(id, nr, ts, ts, p->args, 0, EV_NORETURN | evc, 0);
		return 0;
	}

	u16 fdm = compat ? 0 : fd_mask(nr);
	if (!count_only &&
	    ((d && (flags & (SC_HAS_ENTER_CAP | SC_HAS_EXIT_CAP))) || config.stack_trace || fdm) && !(state & P_EXEC_ONLY)) {
		struct record *rec = thread_rec(tid);
		if (rec) {
			if (d) {
				enter_captures(rec, p, d, user_sp(regs));
			} else {
				rec->hdr.nitems = 0;
				rec->hdr.args[0] = 0;
				rec->hdr.pad = 0;
			}
			/* execve's stack is read at exit, as strace -k shows it. */
			if (config.stack_trace && !exec && !compat)
				rec->hdr.args[0] = capture_stack(ctx, regs, rec, rec->hdr.args[0]);
			if (fdm & (FD_RET - 1))
				rec->hdr.args[0] = capture_fd_args(rec, p, fdm, rec->hdr.args[0]);
			state |= P_HAS_REC;
		} else {
			count_lost();
		}
	}
	p->state = state | P_ACTIVE;
	return 0;
}

/* send_exit sends the call that pp holds, which returns. */
static __always_inline int send_exit(struct bpf_raw_tracepoint_args *ctx, u64 id, struct pending *pp)
{
	u32 tid = (u32)id;
	s64 ret = (s64)ctx->args[1];
	u64 now = config.no_clock ? 0 : bpf_ktime_get_ns();
	/* pp is read in place (no copy on the stack, which the capture chain
	 * below would pay for); sys_exit clears its state after. */
	struct pending *p = pp;
	u32 state = p->state;
	bool compat = state & P_COMPAT;
	u16 evc = compat ? EV_COMPAT : 0;
	bool exec = !compat && is_execve(p->nr);
	if (!config.system_wide && exec)
		exec_done(id >> 32);
	if (state & P_EXEC_ONLY)
		return 0;

	if (config.failed_only && !is_error(ret))
		return 0;

	/* -c, -C: native calls are counted here (32-bit ones by the summary,
	 * from their records). */
	if (config.count && !compat) {
		count_call(p->nr, ret, now - p->ts, now, p->args[0]);
		if (config.count == COUNT_ONLY)
			return 0;
	}

	if (!(state & P_HAS_REC)) {
		u16 fl = evc;
		u8 pad = 0;
		if (state & P_NETLINK) {
			fl |= EV_NETLINK;
			pad = state >> P_PROTO_SHIFT;
		}
		send_hdr(id, p->nr, p->ts, now, p->args, ret, fl, pad);
		return 0;
	}

	struct record *rec = bpf_map_lookup_elem(&recs, &tid);
	if (!rec) {
		count_lost();
		return 0;
	}
	u32 off = exit_captures(rec, p, describe(sc_key(p->nr, compat)), ret);
	u16 fdm = compat ? 0 : fd_mask(p->nr);
	if ((fdm & FD_RET) && ret >= 0)
		off = capture_fd(rec, off, FD_AT_EXIT << 8, ret);
	if ((fdm & FD_PAIR) && ret == 0)
		off = capture_fd_pair(rec, off, p->args[FD_PAIR_ARG(fdm)]);
	if (config.stack_trace && exec) {
		struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
		if (regs)
			off = capture_stack(ctx, regs, rec, off);
	}
	if (off > DATA_MAX)
		off = DATA_MAX;
	fill_hdr(&rec->hdr, id, p->nr, p->ts, now);
	__builtin_memcpy(rec->hdr.args, p->args, sizeof(rec->hdr.args));
	rec->hdr.ret = ret;
	rec->hdr.flags = evc | ((state & P_NETLINK) ? EV_NETLINK : 0);
	rec->hdr.pad = (state & P_NETLINK) ? state >> P_PROTO_SHIFT : 0;
	u64 size = sizeof(struct event_hdr) + off;
	if (size > sizeof(struct record))
		size = sizeof(struct record);
	if (bpf_ringbuf_output(&events, rec, size, wake_flags()) != 0)
		count_lost();
	return 0;
}

SEC("raw_tracepoint/sys_exit")
int sys_exit(struct bpf_raw_tracepoint_args *ctx)
{
	if (config.calibrate)
		return 0;
	u64 id = bpf_get_current_pid_tgid();
	u32 tid = (u32)id;
	struct pending *pp = bpf_map_lookup_elem(&pendings, &tid);
	if (!pp)
		return 0;
	if (pp->state & P_ACTIVE) {
		send_exit(ctx, id, pp);
		pp->state &= P_TRACED | P_SIGNAL;
	}
	/* An ignored signal that came during the call: strace sees it when
	 * the call returns to user space, after the call's line. */
	if (pp->state & P_SIGNAL)
		show_held(id);
	return 0;
}

SEC("raw_tracepoint/sched_process_fork")
int sched_process_fork(struct bpf_raw_tracepoint_args *ctx)
{
	if (!config.follow_fork || config.system_wide)
		return 0;
	struct task_struct *parent = (struct task_struct *)ctx->args[0];
	struct task_struct *child = (struct task_struct *)ctx->args[1];
	u32 ptgid = BPF_CORE_READ(parent, tgid);
	u32 ctgid = BPF_CORE_READ(child, tgid);
	if (ptgid == ctgid)
		return 0; /* a new thread: its group is already traced */
	u32 *st = bpf_map_lookup_elem(&tasks, &ptgid);
	if (!st || TASK_STATE(*st) != TASK_TRACED)
		return 0;
	u32 v = TASK_TRACED;
	if (config.follow_fork == FOLLOW_CHILDREN) {
		/* -F: the traced processes' children, not theirs. */
		if (*st & TASK_CHILD)
			return 0;
		v |= TASK_CHILD;
	}
	bpf_map_update_elem(&tasks, &ctgid, &v, BPF_ANY);
	return 0;
}

SEC("raw_tracepoint/sched_process_exit")
int sched_process_exit(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *task = (struct task_struct *)ctx->args[0];
	u32 tid = BPF_CORE_READ(task, pid);
	u32 tgid = BPF_CORE_READ(task, tgid);

	bpf_map_delete_elem(&pendings, &tid);
	bpf_map_delete_elem(&recs, &tid);
	show_held(bpf_get_current_pid_tgid());

	/* Tell user space that a traced thread ended, with its status. */
	if (config.proc_events && !config.failed_only && process_traced(tgid)) {
		struct event_hdr h = {};
		u64 now = bpf_ktime_get_ns();
		/*
		 * A group leader killed because another thread execs lives on
		 * as that thread (de_thread gives it the leader's id): nr names
		 * the thread, strace's "+++ superseded by execve in pid N +++".
		 */
		s32 by = -1;
		if (tid == tgid && bpf_core_field_exists(task->signal->group_exec_task)) {
			struct task_struct *gx = BPF_CORE_READ(task, signal, group_exec_task);
			if (gx && gx != task)
				by = BPF_CORE_READ(gx, pid);
		}
		fill_hdr(&h, (u64)tgid << 32 | tid, by, now, now);
		h.ret = BPF_CORE_READ(task, exit_code);
		h.flags = EV_EXIT;
		if (bpf_ringbuf_output(&events, &h, sizeof(h), wake_flags()) != 0)
			count_lost();
	}

	if (!config.system_wide && BPF_CORE_READ(task, signal, live.counter) == 0)
		bpf_map_delete_elem(&tasks, &tgid);
	return 0;
}

struct sig_record {
	struct event_hdr hdr;
	u8 info[SIGINFO_SIZE];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct sig_record);
} sig_scratch SEC(".maps");

/*
 * A signal the target ignores is dropped when it is sent, never delivered;
 * strace (through ptrace, which keeps such signals) still shows it, when the
 * thread would take it: on the way back to user space, after the line of
 * the call that was running (the tgkill that sent it, the wait4 that a
 * SIGCHLD woke). So an ignored signal is held in held_sigs, the thread's
 * pending slot marked P_SIGNAL, and sent by show_held at the thread's next
 * syscall exit, syscall entry, signal delivery or exit.
 */
#define TRACE_SIGNAL_DELIVERED 0
#define TRACE_SIGNAL_IGNORED 1

/* send_signal sends a signal record, with its siginfo when has_info. */
static __always_inline int send_signal(struct sig_record *r, bool has_info)
{
	r->hdr.flags = EV_SIGNAL;
	r->hdr.nitems = has_info ? 1 : 0;
	r->hdr.items[0].arg = 0;
	r->hdr.items[0].kind = ITEM_BUF_OUT;
	r->hdr.items[0].len = SIGINFO_SIZE;
	if (bpf_ringbuf_output(&events, r, sizeof(*r), wake_flags()) != 0)
		count_lost();
	return 0;
}

/* send_held sends hs as signal sig of thread tid of tgid, named from task. */
static __always_inline void send_held(struct held_sig *hs, u32 tgid, u32 tid, struct task_struct *task)
{
	u32 zero = 0;
	struct sig_record *r = bpf_map_lookup_elem(&sig_scratch, &zero);
	if (!r)
		return;
	__builtin_memset(&r->hdr, 0, sizeof(r->hdr));
	r->hdr.ts = bpf_ktime_get_ns();
	r->hdr.pid = tgid;
	r->hdr.tid = tid;
	r->hdr.nr = hs->sig;
	bpf_probe_read_kernel(r->hdr.comm, sizeof(r->hdr.comm), task->comm);
	__builtin_memcpy(r->info, hs->info, SIGINFO_SIZE);
	send_signal(r, true);
}

/* show_held sends the ignored signal held for the current thread, if any.
 * Not inlined, to keep its locals out of the syscall programs' frames. */
static __noinline void show_held(u64 id)
{
	u32 tid = (u32)id;
	struct held_sig *hs = bpf_map_lookup_elem(&held_sigs, &tid);
	if (hs) {
		send_held(hs, id >> 32, tid, bpf_get_current_task_btf());
		bpf_map_delete_elem(&held_sigs, &tid);
	}
	struct pending *pp = bpf_map_lookup_elem(&pendings, &tid);
	if (pp)
		pp->state &= ~P_SIGNAL;
}

/*
 * fatal_now says whether the kernel takes its fatal-signal shortcut for
 * sig sent to task (complete_signal): a signal whose default action kills,
 * not handled, not blocked. The whole group then gets SIGKILL, and
 * signal_deliver never sees sig; strace (ptrace keeps the signal) prints
 * it before "+++ killed by". Held like an ignored signal, it is shown when
 * the thread ends (or returns from the call the signal interrupted).
 */
static __always_inline bool fatal_now(struct task_struct *task, int sig)
{
	/* SIGKILL (strace shows none), SIGCHLD, SIGCONT, SIGSTOP ... SIGTTOU,
	 * SIGURG, SIGWINCH: not killed through this path. */
	if (sig <= 0 || sig > 64 || sig == 9 || (sig >= 17 && sig <= 23) || sig == 28)
		return false;
	u64 blocked = 0;
	bpf_probe_read_kernel(&blocked, sizeof(blocked), &task->blocked);
	if (blocked & (1ULL << (sig - 1)))
		return false;
	struct sighand_struct *sh = BPF_CORE_READ(task, sighand);
	if (!sh)
		return false;
	u64 at = (u64)sh + bpf_core_field_offset(struct sighand_struct, action) +
		 (u64)(sig - 1) * bpf_core_type_size(struct k_sigaction) +
		 bpf_core_field_offset(struct k_sigaction, sa.sa_handler);
	u64 handler = 1;
	bpf_probe_read_kernel(&handler, sizeof(handler), (void *)at);
	return handler == 0; /* SIG_DFL */
}

SEC("raw_tracepoint/signal_generate")
int signal_generate(struct bpf_raw_tracepoint_args *ctx)
{
	if (config.failed_only || !config.proc_events)
		return 0;
	struct task_struct *task = (struct task_struct *)ctx->args[2];
	int result = (int)ctx->args[4];
	if (result != TRACE_SIGNAL_IGNORED &&
	    (result != TRACE_SIGNAL_DELIVERED || !fatal_now(task, (int)ctx->args[0])))
		return 0;
	u32 tid = BPF_CORE_READ(task, pid);
	u32 tgid = BPF_CORE_READ(task, tgid);
	if (!process_traced(tgid))
		return 0;
	struct held_sig hs = {};
	int sig = (int)ctx->args[0];
	hs.sig = sig;
	u64 info = ctx->args[1];
	if (info > 1) {
		if (bpf_probe_read_kernel(hs.info, SIGINFO_SIZE, (void *)info) != 0)
			return 0;
	} else {
		/* SEND_SIG_NOINFO: from user space; SEND_SIG_PRIV: from the kernel. */
		s32 *w = (s32 *)hs.info;
		w[0] = sig;
		w[2] = info ? 0x80 : 0;
		w[4] = bpf_get_current_pid_tgid() >> 32;
		w[5] = (u32)bpf_get_current_uid_gid();
	}
	struct pending *pp = bpf_map_lookup_elem(&pendings, &tid);
	struct held_sig *old = bpf_map_lookup_elem(&held_sigs, &tid);
	if (old) /* two before the thread ran: the first goes now */
		send_held(old, tgid, tid, task);
	/* A thread that made no traced call yet has no slot to mark. */
	if (!pp || bpf_map_update_elem(&held_sigs, &tid, &hs, BPF_ANY) != 0) {
		if (old)
			bpf_map_delete_elem(&held_sigs, &tid);
		send_held(&hs, tgid, tid, task);
		return 0;
	}
	pp->state |= P_SIGNAL;
	return 0;
}

SEC("raw_tracepoint/signal_deliver")
int signal_deliver(struct bpf_raw_tracepoint_args *ctx)
{
	u64 id = bpf_get_current_pid_tgid();
	u32 tgid = id >> 32;
	if (config.failed_only || !config.proc_events)
		return 0;
	if (!process_traced(tgid))
		return 0;
	show_held(id); /* an ignored signal sent before this one */
	struct sig_record sr = {};
	struct sig_record *r = &sr;
	u64 now = bpf_ktime_get_ns();
	fill_hdr(&r->hdr, id, (long)ctx->args[0], now, now);
	bool has_info = bpf_probe_read_kernel(r->info, SIGINFO_SIZE, (void *)ctx->args[1]) == 0;
	return send_signal(r, has_info);
}

/*
 * A traced thread that goes to sleep in a syscall sends the enter half of
 * the call (EV_ENTERED), once: strace shows such a call as
 * "read(0, <unfinished ...>" where it entered when another thread's line
 * comes before it returns, and only a call that sleeps can be overtaken
 * like that. prev is current here, so the current-task helpers describe it.
 */
SEC("raw_tracepoint/sched_switch")
int sched_switch(struct bpf_raw_tracepoint_args *ctx)
{
	if (!config.enter_marks || ctx->args[0] /* preempted, not asleep */)
		return 0;
	u64 id = bpf_get_current_pid_tgid();
	u32 tid = (u32)id;
	struct pending *pp = bpf_map_lookup_elem(&pendings, &tid);
	if (!pp || (pp->state & (P_ACTIVE | P_MARKED | P_EXEC_ONLY)) != P_ACTIVE)
		return 0;
	pp->state |= P_MARKED;
	struct pending p = *pp;

	struct record *rec = NULL;
	if (p.state & P_HAS_REC)
		rec = bpf_map_lookup_elem(&recs, &tid);
	if (!rec) {
		struct event_hdr h = {};
		fill_hdr(&h, id, p.nr, p.ts, p.ts);
		__builtin_memcpy(h.args, p.args, sizeof(h.args));
		h.flags = EV_ENTERED | ((p.state & P_COMPAT) ? EV_COMPAT : 0);
		if (bpf_ringbuf_output(&events, &h, sizeof(h), wake_flags()) != 0)
			count_lost();
		return 0;
	}
	/* The record holds, until the exit, where enter captures end and which
	 * to read again: keep them across the send. */
	u64 off = rec->hdr.args[0];
	u8 retry = rec->hdr.pad;
	if (off > DATA_MAX)
		off = DATA_MAX;
	fill_hdr(&rec->hdr, id, p.nr, p.ts, p.ts);
	__builtin_memcpy(rec->hdr.args, p.args, sizeof(rec->hdr.args));
	rec->hdr.ret = 0;
	rec->hdr.flags = EV_ENTERED | ((p.state & P_NETLINK) ? EV_NETLINK : 0) | ((p.state & P_COMPAT) ? EV_COMPAT : 0);
	rec->hdr.pad = (p.state & P_NETLINK) ? p.state >> P_PROTO_SHIFT : 0;
	u64 size = sizeof(struct event_hdr) + off;
	if (size > sizeof(struct record))
		size = sizeof(struct record);
	if (bpf_ringbuf_output(&events, rec, size, wake_flags()) != 0)
		count_lost();
	rec->hdr.args[0] = off;
	rec->hdr.pad = retry;
	return 0;
}

/*
 * exec_captures reads, when an execve succeeds, what its enter could not:
 * after fork the path and argv strings of the new program often sit in
 * pages the child has not touched (a parent's read-only data), which a BPF
 * read cannot fault in, and at exit the old image is gone. The kernel has
 * copied both by now: execve's path is bprm->filename, the strings are on
 * the new stack (filename is 0 for execveat, whose path is relative to a
 * directory). A global function, as the other captures.
 */
__noinline int exec_captures(struct record *rec, struct sc_desc *d, u64 filename, u64 start, u64 end)
{
	if (!rec || !d)
		return 0;
	u32 off = rec->hdr.args[0];
	u8 retry = rec->hdr.pad;
	u64 env_start = rec->hdr.args[4], env_end = rec->hdr.args[5]; /* set by sched_process_exec */
	for (int i = 0; i < 6; i++) {
		if (!(retry & (1 << i)))
			continue;
		u8 k = d->cap[i].kind;
		if (k == CAP_STR && filename)
			off = capture_arg(rec, off, how(i, ITEM_STR, CAPTURE_KERNEL), filename, 0);
		else if (k == CAP_ARGV && config.buffers)
			off = capture_argv(rec, off, i, start, end);
		else if (k == CAP_ENVP)
			off = capture_argv(rec, off, i, env_start, env_end);
	}
	rec->hdr.args[0] = off;
	rec->hdr.pad = 0; /* nothing to read again at exit: that memory is gone */
	return 0;
}

/*
 * exec_rekey moves what sys_enter left for an execve made by a thread other
 * than the group leader: the kernel's de_thread gave the caller the
 * leader's id, under which the call returns (old is the id it entered
 * with).
 */
static __always_inline void exec_rekey(u32 old, u32 tid)
{
	struct pending *op = bpf_map_lookup_elem(&pendings, &old);
	if (!op)
		return;
	bpf_map_update_elem(&pendings, &tid, op, BPF_ANY);
	bpf_map_delete_elem(&pendings, &old);
	struct record *orec = bpf_map_lookup_elem(&recs, &old);
	if (orec) {
		bpf_map_update_elem(&recs, &tid, orec, BPF_ANY);
		bpf_map_delete_elem(&recs, &old);
	}
}

SEC("raw_tracepoint/sched_process_exec")
int sched_process_exec(struct bpf_raw_tracepoint_args *ctx)
{
	u32 tid = (u32)bpf_get_current_pid_tgid();
	u32 old = (u32)ctx->args[1];
	if (old != tid)
		exec_rekey(old, tid);
	struct pending *pp = bpf_map_lookup_elem(&pendings, &tid);
	if (!pp || (pp->state & (P_ACTIVE | P_HAS_REC | P_COMPAT)) != (P_ACTIVE | P_HAS_REC) || !is_execve(pp->nr))
		return 0;
	struct record *rec = bpf_map_lookup_elem(&recs, &tid);
	if (!rec || !rec->hdr.pad)
		return 0;
	struct task_struct *task = (struct task_struct *)ctx->args[0];
	struct linux_binprm *bprm = (struct linux_binprm *)ctx->args[2];
	u64 filename = pp->nr == config.execve_nr ? (u64)BPF_CORE_READ(bprm, filename) : 0;
	u64 start = BPF_CORE_READ(task, mm, arg_start);
	u64 end = BPF_CORE_READ(task, mm, arg_end);
	/* -v's envp: a fifth bound does not fit in the call's arguments. */
	rec->hdr.args[4] = BPF_CORE_READ(task, mm, env_start);
	rec->hdr.args[5] = BPF_CORE_READ(task, mm, env_end);
	return exec_captures(rec, describe(pp->nr), filename, start, end);
}
