/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
#ifndef __STRACE_EBPF_STAMP_BPF_H__
#define __STRACE_EBPF_STAMP_BPF_H__

/*
 * When things happen, for the records' ts and duration.
 *
 * By default the monotonic clock. With config.stamps nothing shows a time,
 * and the only use of ts is to order events (the strace format's
 * "<unfinished ...>" split: did another thread's line come between this
 * call's entry and its exit?). The ring's producer position orders them as
 * well, for one load instead of a clock read (100-300 ns under kvm-clock
 * in a PVM guest): a call's entry is stamped twice the position then, a
 * record twice the position before its reservation, plus one. A record
 * reserved after a call entered is stamped after the entry even when no
 * other record came between; one reserved before is stamped before it.
 * Stamps are in no unit: user space compares them and never shows them.
 * Without any time (config.no_clock) both are 0.
 */
static __always_inline u64 stamp_entry(void)
{
	if (config.no_clock)
		return 0;
	if (config.stamps)
		return bpf_ringbuf_query(&events, BPF_RB_PROD_POS) << 1;
	return bpf_ktime_get_ns();
}

static __always_inline u64 stamp_event(void)
{
	if (config.no_clock)
		return 0;
	if (config.stamps)
		return (bpf_ringbuf_query(&events, BPF_RB_PROD_POS) << 1) | 1;
	return bpf_ktime_get_ns();
}

/* stamp_now is for the events timed even without config.no_clock's
 * times (signals, thread exits, calls seen only at their exit): a stamp
 * when events are stamped, else the clock. */
static __always_inline u64 stamp_now(void)
{
	if (config.stamps)
		return (bpf_ringbuf_query(&events, BPF_RB_PROD_POS) << 1) | 1;
	return bpf_ktime_get_ns();
}

#endif /* __STRACE_EBPF_STAMP_BPF_H__ */
