/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Signals: records of delivered signals, and the ignored ones held until
 * their thread would take them.
 * Included by tracer.bpf.c, in the order it names.
 */
#ifndef __STRACE_EBPF_SIGNAL_BPF_H__
#define __STRACE_EBPF_SIGNAL_BPF_H__

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
	r->hdr.ts = stamp_now();
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
#define CORE_SIGS ((1U << 3) | (1U << 4) | (1U << 5) | (1U << 6) | (1U << 7) | (1U << 8) | \
		   (1U << 11) | (1U << 24) | (1U << 25) | (1U << 31))

static __always_inline bool fatal_now(struct task_struct *task, int sig)
{
	/* SIGKILL (strace shows none), SIGCHLD, SIGCONT, SIGSTOP ... SIGTTOU,
	 * SIGURG, SIGWINCH: not killed through this path. */
	if (sig <= 0 || sig > 64 || sig == 9 || (sig >= 17 && sig <= 23) || sig == 28)
		return false;
	/* Nor the core-dumping ones (sig_kernel_coredump: SIGQUIT, SIGILL,
	 * SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGSEGV, SIGXCPU, SIGXFSZ,
	 * SIGSYS): complete_signal leaves them to the thread, and
	 * signal_deliver sees them; held too, they would show twice. */
	if (sig < 32 && ((1U << sig) & CORE_SIGS))
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

#endif /* __STRACE_EBPF_SIGNAL_BPF_H__ */
