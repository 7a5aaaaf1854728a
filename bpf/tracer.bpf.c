//go:build ignore

// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * strace.ebpf kernel side: one generic program pair on the raw sys_enter and
 * sys_exit tracepoints. Every filter runs here, before anything reaches the
 * ring buffer: the traced-task set, the syscall set and the failed-only
 * status. Which argument of which syscall is captured (a string, an input or
 * output buffer, a struct) comes from sc_table, written by user space before
 * the programs are attached, so there is no per-syscall program.
 *
 * This file holds the programs alone; the rest is in headers by concern:
 * tracer.h (the contract with user space: every shared constant, enum and
 * struct), maps.bpf.h, cgroup.bpf.h and task.bpf.h (which tasks are traced), count.bpf.h
 * (in-kernel counting), capture.bpf.h (user memory into the record),
 * stack.bpf.h (-k), fd.bpf.h (-y), event.bpf.h (a call's record sent),
 * signal.bpf.h. bpf/headroom_test.go checks the objects' stack, size and
 * control flow against the oldest verifier supported.
 */
#include "include/vmlinux_min.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#include "tracer.h"
#include "maps.bpf.h"
#include "stamp.bpf.h"
#include "cgroup.bpf.h"
#include "task.bpf.h"
#include "count.bpf.h"
#include "capture.bpf.h"
#include "stack.bpf.h"
#include "fd.bpf.h"
#include "event.bpf.h"
#include "signal.bpf.h"

SEC("tp_btf/sys_enter")
int sys_enter(u64 *ctx)
{
	if (config.calibrate)
		return 0;
	struct pt_regs *regs = (struct pt_regs *)ctx[0];
	long nr = (long)ctx[1];
	/* The lean count's native calls are counted at exit alone. */
	if (count_lean() && !is_execve(nr) && !in_compat())
		return 0;
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
	/* The previous call's exit went unseen (the kernel skipped sys_exit:
	 * see send_unentered): it is lost, and said so. */
	if (slot && (slot->state & (P_ACTIVE | P_SEEDED)) == P_ACTIVE)
		count_lost();
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
	u64 ts = stamp_entry();
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
				rec->st.end = 0;
				rec->st.retry = 0;
			}
			/* execve's stack is read at exit, as strace -k shows it. */
			if (config.stack_trace && !exec && !compat)
				rec->st.end = capture_stack(ctx, regs, rec, rec->st.end);
			if (fdm & (FD_RET - 1))
				rec->st.end = capture_fd_args(rec, p, fdm, rec->st.end);
			state |= P_HAS_REC;
		} else {
			count_lost();
		}
	}
	p->state = state | P_ACTIVE;
	return 0;
}

/* tp_btf, as sys_enter: the saved registers are a typed pointer, read
 * with plain loads (the lean count reads the call's number from them). */
SEC("tp_btf/sys_exit")
int sys_exit(u64 *ctx)
{
	if (config.calibrate)
		return 0;
	u64 id = bpf_get_current_pid_tgid();
	if (count_lean() && count_exit(ctx, id))
		return 0;
	u32 tid = (u32)id;
	struct pending *pp = bpf_map_lookup_elem(&pendings, &tid);
	if (!pp)
		return 0;
	if (pp->state & P_ACTIVE) {
		send_exit(ctx, id, pp);
		pp->state &= P_TRACED | P_SIGNAL;
	} else if (config.unentered && (pp->state & P_TRACED)) {
		send_unentered(ctx, id);
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

	/* Tell user space that a traced thread ended, with its status (-Z
	 * keeps it, as strace keeps "+++ exited"). */
	if (config.proc_events && process_traced(tgid, task)) {
		struct event_hdr h = {};
		u64 now = stamp_now();
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

SEC("raw_tracepoint/signal_generate")
int signal_generate(struct bpf_raw_tracepoint_args *ctx)
{
	if (!config.proc_events)
		return 0;
	struct task_struct *task = (struct task_struct *)ctx->args[2];
	int result = (int)ctx->args[4];
	if (result != TRACE_SIGNAL_IGNORED &&
	    (result != TRACE_SIGNAL_DELIVERED || !fatal_now(task, (int)ctx->args[0])))
		return 0;
	u32 tid = BPF_CORE_READ(task, pid);
	u32 tgid = BPF_CORE_READ(task, tgid);
	if (!process_traced(tgid, task))
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
	if (!config.proc_events)
		return 0;
	if (!process_traced(tgid, bpf_get_current_task_btf()))
		return 0;
	show_held(id); /* an ignored signal sent before this one */
	struct sig_record sr = {};
	struct sig_record *r = &sr;
	u64 now = stamp_now();
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
	/* Where enter captures end (the capture state, kept until the exit). */
	u64 off = rec->st.end;
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
	return 0;
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
	if (!rec || !rec->st.retry)
		return 0;
	struct task_struct *task = (struct task_struct *)ctx->args[0];
	struct linux_binprm *bprm = (struct linux_binprm *)ctx->args[2];
	u64 filename = pp->nr == config.execve_nr ? (u64)BPF_CORE_READ(bprm, filename) : 0;
	u64 start = BPF_CORE_READ(task, mm, arg_start);
	u64 end = BPF_CORE_READ(task, mm, arg_end);
	/* -v's envp: a fifth bound does not fit in the call's arguments. */
	rec->st.env_start = BPF_CORE_READ(task, mm, env_start);
	rec->st.env_end = BPF_CORE_READ(task, mm, env_end);
	return exec_captures(rec, describe(pp->nr), filename, start, end);
}
