/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * In-kernel counting (-c, trace(counts = True)): per syscall, per errno,
 * per descriptor, per process, duration histograms.
 * Included by tracer.bpf.c, in the order it names.
 */
#ifndef __STRACE_EBPF_COUNT_BPF_H__
#define __STRACE_EBPF_COUNT_BPF_H__

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
 * A lean count: calls and errors per syscall and nothing else (-c whose
 * columns show no time, trace(counts = True) whose scripts read no time,
 * no per-process or per-descriptor counts, no process events). sys_exit
 * counts a native call by itself, from its number in the saved registers:
 * no slot per thread, no clock, and sys_enter returns at once for it. The
 * launch's execve and 32-bit calls still take the whole path (the first
 * arms the trace, the others are sent for the summary's table of their
 * own).
 */
static __always_inline bool count_lean(void)
{
	return config.count == COUNT_ONLY && config.no_clock && !config.count_aggs && !config.proc_events;
}

/* syscall_nr is the number of the call the saved registers regs made. */
static __always_inline long syscall_nr(struct pt_regs *regs)
{
	/* regs is a BTF pointer (tp_btf): a plain load, no helper call. */
#if defined(__TARGET_ARCH_x86)
	return (long)regs->orig_ax;
#elif defined(__TARGET_ARCH_arm64)
	return (long)regs->syscallno;
#endif
}

/* count_exit counts the returning call of the lean count and says so;
 * false: the call is one sys_exit's whole path handles. */
static __always_inline bool count_exit(u64 *ctx, u64 id)
{
	if (in_compat())
		return false;
	long nr = syscall_nr((struct pt_regs *)ctx[0]);
	if (nr == -1)
		nr = config.sigreturn_nr;
	if (is_execve(nr))
		return false;
	if (nr < 0 || nr >= MAX_NR || !wanted(nr) || !process_traced(id >> 32, bpf_get_current_task_btf()))
		return true;
	s64 ret = (s64)ctx[1];
	bool err = is_error(ret);
	if (config.failed_only && !err)
		return true;
	u32 key = nr;
	if (ret == 0) {
		/* A new child's or thread's return: its call is the parent's. */
		struct sc_desc *d = bpf_map_lookup_elem(&sc_table, &key);
		if (d && (d->flags & SC_CHILD_RET))
			return true;
	}
	struct sc_stat *st = bpf_map_lookup_elem(&sc_stats, &key);
	if (st) {
		st->calls++;
		if (err)
			st->errors++;
	}
	return true;
}

#endif /* __STRACE_EBPF_COUNT_BPF_H__ */
