/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Which tasks and calls are traced; the lost count and the ring's wakeups;
 * an exec's new thread id.
 * Included by tracer.bpf.c, in the order it names.
 */
#ifndef __STRACE_EBPF_TASK_BPF_H__
#define __STRACE_EBPF_TASK_BPF_H__

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

/* system_traced says whether a system-wide trace traces t, of tgid: not the
 * tracer, not the readers of its output; with --cgroup, a task of the
 * target cgroups. */
static __always_inline bool system_traced(u32 tgid, struct task_struct *t)
{
	if (tgid == config.tracer_tgid)
		return false;
	for (int i = 0; i < EXCLUDE_MAX; i++) {
		if (config.exclude_tgid[i] && tgid == config.exclude_tgid[i])
			return false;
	}
	return !config.cgroups || cgroup_traced(tgid, t);
}

/* is_traced decides whether syscall nr of thread tid of tgid is of interest. */
static __always_inline bool is_traced(u32 tgid, u32 tid, long nr)
{
	if (config.system_wide)
		return system_traced(tgid, bpf_get_current_task_btf());
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

/* process_traced says whether the process events (exits, signals) of t, of tgid, are traced. */
static __always_inline bool process_traced(u32 tgid, struct task_struct *t)
{
	if (config.system_wide)
		return system_traced(tgid, t);
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

#endif /* __STRACE_EBPF_TASK_BPF_H__ */
