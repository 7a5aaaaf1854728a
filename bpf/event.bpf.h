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

#endif /* __STRACE_EBPF_EVENT_BPF_H__ */
