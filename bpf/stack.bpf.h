/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * -k: the user stack of a call.
 * Included by tracer.bpf.c, in the order it names.
 */
#ifndef __STRACE_EBPF_STACK_BPF_H__
#define __STRACE_EBPF_STACK_BPF_H__

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

#endif /* __STRACE_EBPF_STACK_BPF_H__ */
