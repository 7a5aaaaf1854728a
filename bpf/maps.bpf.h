/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The maps and the config variable.
 * Included by tracer.bpf.c, in the order it names.
 */
#ifndef __STRACE_EBPF_MAPS_BPF_H__
#define __STRACE_EBPF_MAPS_BPF_H__

volatile const struct config config = {
	.execve_nr = -1,
	.execveat_nr = -1,
	.sigreturn_nr = -1,
	.buf_max = 32,
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* created in µs, not ms: elements come as used */
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
	__uint(max_entries, 64);
	__type(key, u32);   /* a table (the capture's size & 0xff) << 24 | the operation */
	__type(value, struct op_cap);
} op_caps SEC(".maps");

/* The enum cap_props of each capture kind. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, CAP_KIND_MAX);
	__type(key, u32);
	__type(value, enum cap_props);
} cap_table SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* created in µs, not ms: elements come as used */
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
	__uint(map_flags, BPF_F_NO_PREALLOC); /* created in µs, not ms: elements come as used */
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
	__uint(map_flags, BPF_F_NO_PREALLOC); /* created in µs, not ms: elements come as used */
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
	__uint(map_flags, BPF_F_NO_PREALLOC); /* created in µs, not ms: elements come as used */
	__uint(max_entries, 16384);
	__type(key, struct fd_key);
	__type(value, struct fd_stat);
} fd_stats SEC(".maps");

/* Bounded: a process past the limit is not counted per process (its calls
 * still are per syscall). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* created in µs, not ms: elements come as used */
	__uint(max_entries, 8192);
	__type(key, u32); /* tgid */
	__type(value, struct proc_stat);
} proc_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20); /* resized by user space */
} events SEC(".maps");

#endif /* __STRACE_EBPF_MAPS_BPF_H__ */
