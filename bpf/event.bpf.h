/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * A call's record: the thread's buffer, and the record sent when the
 * call returns.
 * Included by tracer.bpf.c, in the order it names.
 */
#ifndef __STRACE_EBPF_EVENT_BPF_H__
#define __STRACE_EBPF_EVENT_BPF_H__

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

/* send_exit sends the call that pp holds, which returns. */
static __always_inline int send_exit(u64 *ctx, u64 id, struct pending *pp)
{
	u32 tid = (u32)id;
	s64 ret = (s64)ctx[1];
	u64 now = stamp_event();
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

/*
 * send_unentered sends a call of a traced thread whose entry sys_enter
 * never saw, from its exit. The kernel skips a program when an instance
 * of it already runs on that CPU: where syscall tracepoints run with
 * preemption enabled (7.x), a task preempted in the middle of sys_enter
 * holds its CPU's slot, and every call made there meanwhile goes unseen.
 * A call that seccomp refuses (SECCOMP_RET_ERRNO) never reaches the entry
 * tracepoint either. The registers still hold the call's number and
 * arguments; it has no start time (its ts is the exit's) and no enter
 * captures.
 */
static __noinline void send_unentered(u64 *ctx, u64 id)
{
	struct pt_regs *regs = (struct pt_regs *)ctx[0];
	s64 ret = (s64)ctx[1];
	if (config.failed_only && !is_error(ret))
		return;
	bool compat = in_compat();
	/* Always timed, before the reservation (stamp.bpf.h): user space
	 * drops the ones that come after it began to detach (engine.go,
	 * stop). */
	u64 now = stamp_now();
	struct event_hdr *h = bpf_ringbuf_reserve(&events, sizeof(*h), 0);
	if (!h) {
		count_lost();
		return;
	}
#if defined(__TARGET_ARCH_x86)
	long nr = BPF_CORE_READ(regs, orig_ax);
	if (compat) {
		h->args[0] = (u32)BPF_CORE_READ(regs, bx);
		h->args[1] = (u32)BPF_CORE_READ(regs, cx);
		h->args[2] = (u32)BPF_CORE_READ(regs, dx);
		h->args[3] = (u32)BPF_CORE_READ(regs, si);
		h->args[4] = (u32)BPF_CORE_READ(regs, di);
		h->args[5] = (u32)BPF_CORE_READ(regs, bp);
	} else {
		h->args[0] = BPF_CORE_READ(regs, di);
		h->args[1] = BPF_CORE_READ(regs, si);
		h->args[2] = BPF_CORE_READ(regs, dx);
		h->args[3] = BPF_CORE_READ(regs, r10);
		h->args[4] = BPF_CORE_READ(regs, r8);
		h->args[5] = BPF_CORE_READ(regs, r9);
	}
#elif defined(__TARGET_ARCH_arm64)
	long nr = BPF_CORE_READ(regs, syscallno);
	h->args[0] = BPF_CORE_READ(regs, orig_x0);
	h->args[1] = BPF_CORE_READ(regs, user_regs.regs[1]);
	h->args[2] = BPF_CORE_READ(regs, user_regs.regs[2]);
	h->args[3] = BPF_CORE_READ(regs, user_regs.regs[3]);
	h->args[4] = BPF_CORE_READ(regs, user_regs.regs[4]);
	h->args[5] = BPF_CORE_READ(regs, user_regs.regs[5]);
#endif
	if (config.count && !compat) {
		count_call(nr, ret, 0, now, h->args[0]);
		if (config.count == COUNT_ONLY) {
			bpf_ringbuf_discard(h, BPF_RB_NO_WAKEUP);
			return;
		}
	}
	fill_hdr(h, id, nr, now, now);
	h->ret = ret;
	h->flags = EV_UNENTERED | (compat ? EV_COMPAT : 0);
	h->nitems = 0;
	h->pad = 0;
	bpf_ringbuf_submit(h, wake_flags());
}

#endif /* __STRACE_EBPF_EVENT_BPF_H__ */
