/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Reading a call's arguments and the user memory they point to into the
 * thread's record, as sc_desc says: at enter, at exit, again at exit what
 * enter could not read, and at exec what the new image holds.
 * Included by tracer.bpf.c, in the order it names.
 */
#ifndef __STRACE_EBPF_CAPTURE_BPF_H__
#define __STRACE_EBPF_CAPTURE_BPF_H__

/* cap_props_of is what capture kind k is (enum cap_props). */
static __always_inline u8 cap_props_of(u32 k)
{
	u8 *v = bpf_map_lookup_elem(&cap_table, &k);
	return v ? *v : 0;
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
		/*
		 * One byte past the limit (data has room: off <= DATA_MAX -
		 * STR_MAX), so that a string of max-1 bytes, a whole 4095-byte
		 * path, is told from a longer one.
		 */
		if (how & CAPTURE_KERNEL)
			got = bpf_probe_read_kernel_str(&rec->data[o], max + 1, (const void *)ptr);
		else
			got = bpf_probe_read_user_str(&rec->data[o], max + 1, (const void *)ptr);
		if (got <= 0)
			return off;
		/*
		 * got counts the NUL, which the helper always writes. A string
		 * that filled the limit plus one was cut: it keeps max-1 bytes,
		 * marked so (at STR_MAX the kernel fails such a path with
		 * ENAMETOOLONG).
		 */
		if (got > max) {
			kind = ITEM_STR_TRUNC;
			got = max;
		}
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
	/* Unrolled: as a loop, clang closes it by falling into its header,
	 * which Linux 6.1's verifier refuses ("back-edge", headroom_test.go). */
#pragma clang loop unroll(full)
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
 * (see capture_iov), at rec->st.iov_pos, up to config.buf_max bytes and to the
 * rec->st.iov_left bytes left of the limit, and updates both. It returns 0
 * to go on, 1 to stop (at once when more, the element's being within the
 * array, is 0). A global function of its own, so that the verifier
 * checks it once instead of once per iteration and path of the loop.
 */
__noinline int iov_elem(struct record *rec, u32 io, u32 more)
{
	if (!rec || !more)
		return 1;
	u64 pos = rec->st.iov_pos;
	u64 limit = rec->st.iov_left;
	u64 i = io;
	asm volatile("%[i] &= 0x1fff" : [i] "+r"(i));
	u64 base = *(u64 *)&rec->data[i];
	u64 l = *(u64 *)&rec->data[i + 8];
	if (!base)
		return 0; /* left as it is: strace's iov_base=NULL */
	if (l > limit)
		l = limit;
	limit -= l;
	if (l > rec->st.iov_max) /* config.buf_max, or NETLINK_MAX (capture_iov) */
		l = rec->st.iov_max;
	if (pos > DATA_MAX || l > STR_MAX || pos + l > DATA_MAX)
		return 1;
	if (l) {
		u64 po = pos;
		asm volatile("%[po] &= 0x1fff" : [po] "+r"(po));
		if (bpf_probe_read_user(&rec->data[po], l & 0xfff, (const void *)base) != 0) {
			rec->st.iov_failed = 1; /* a buffer could not be read */
			return 1;
		}
	}
	*(u64 *)&rec->data[i] = l | (1ULL << IOV_CAPTURED_BIT);
	rec->st.iov_pos = pos + l;
	rec->st.iov_left = limit;
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
	rec->st.iov_left = limit;
	rec->st.iov_pos = o + alen;
	rec->st.iov_max = (how & CAPTURE_NETLINK) ? NETLINK_MAX : config.buf_max;
	/* Unrolled, as capture_argv's loop. */
#pragma clang loop unroll(full)
	for (u32 i = 0; i < ARRAY_MAX; i++) {
		/* The count is iov_elem's to check: a loop that ends on it has
		 * no constant trip count for clang to unroll. */
		if (iov_elem(rec, o + 16 * i, i < cnt))
			break;
	}
	u64 pos = rec->st.iov_pos;
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
		/*
		 * The masks are kept (asm): clang drops them as items is known
		 * to be below 7, and 6.12's verifier loses that bound through
		 * the comparison above (items + 2, a linked register), then
		 * refuses the unbounded index ("math between mem pointer and
		 * register with unbounded min value").
		 */
		u64 h = items, v = items + 1;
		asm volatile("%[h] &= 7" : [h] "+r"(h));
		asm volatile("%[v] &= 7" : [v] "+r"(v));
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

#define FPROG_SIZE 16 /* struct sock_fprog: u16 len, padding, the instructions' address */

/*
 * capture_fprog reads a struct sock_fprog (seccomp's and prctl's filter
 * program) and after it, in the same item, its first instructions, 8 bytes
 * each, up to FPROG_MAX (strace -v prints them all; real filters have a
 * few hundred at most): a longer item says they were read.
 */
__noinline int capture_fprog(struct record *rec, u32 off, u32 arg, u64 ptr)
{
	if (!rec || arg > 5)
		return off;
	u32 next = capture_arg(rec, off, how(arg, ITEM_BUF_IN, CAPTURE_WHOLE), ptr, FPROG_SIZE);
	if (next == off)
		return off;
	u64 o = off;
	asm volatile("%[o] &= 0x1fff" : [o] "+r"(o));
	u64 n = *(u16 *)&rec->data[o];
	u64 insns = *(u64 *)&rec->data[o + 8];
	if (!insns || !n)
		return next;
	if (n > FPROG_MAX)
		n = FPROG_MAX;
	u64 no = next;
	asm volatile("%[no] &= 0x1fff" : [no] "+r"(no));
	if (bpf_probe_read_user(&rec->data[no], (n * 8) & 0xfff, (const void *)insns) != 0)
		return next;
	u8 it = rec->hdr.nitems - 1;
	rec->hdr.items[it & (MAX_ITEMS - 1)].len += n * 8;
	return no + n * 8;
}

/*
 * capture_behind appends to rec's last item, which ends at next and holds
 * at o a struct, the arrays the struct points to: for each (offset of the
 * pointer, element size) pair of spec (two, 16 bits each; an offset of 0
 * ends the list), cnt elements up to ARRAY_MAX; a NULL pointer or no
 * elements reads nothing, a read that fails ends the list. A global
 * function, verified once.
 */
__noinline int capture_behind(struct record *rec, u32 o, u32 next, u32 spec, u32 cnt)
{
	if (!rec)
		return next;
	if (cnt > ARRAY_MAX)
		cnt = ARRAY_MAX;
	for (int k = 0; k < 2; k++) {
		u32 s = (spec >> (16 * k)) & 0xffff;
		u32 po = s & 0x3f, pe = (s >> 8) & 0x1f;
		if (!po)
			break;
		u64 oo = o;
		asm volatile("%[oo] &= 0x1fff" : [oo] "+r"(oo));
		u64 arr = *(u64 *)&rec->data[oo + po];
		if (!arr || !cnt || !pe)
			continue;
		u64 n = (u64)cnt * pe;
		/*
		 * Mask in asm: before 6.x the verifier knows nothing of a
		 * product of two registers, and the compiler drops a C mask
		 * it proves redundant.
		 */
		asm volatile("%[n] &= 0x3ff" : [n] "+r"(n));
		u64 no = next;
		asm volatile("%[no] &= 0x1fff" : [no] "+r"(no));
		if (bpf_probe_read_user(&rec->data[no], n, (const void *)arr) != 0)
			break;
		u8 it = rec->hdr.nitems - 1;
		rec->hdr.items[it & (MAX_ITEMS - 1)].len += n;
		next = no + n;
	}
	return next;
}

/*
 * capture_op reads argument i (io = i | off << 8) as its operation says
 * (CAP_OP_ARG): sel is the capture's size_arg | size << 8, moment
 * OP_AT_ENTER or OP_AT_EXIT. A global function, verified once.
 */
__noinline int capture_op(struct record *rec, struct pending *p, u32 io, u32 sel, u32 moment)
{
	u32 i = io & 0xff, off = io >> 8;
	if (!rec || !p || i >= 6)
		return off;
	u32 sa = sel & 0xff, shift = (sel >> 16) & 31;
	u32 op = (u32)p->args[sa < 6 ? sa : 0] >> shift;
	u32 key = ((sel >> 8) & 0xff) << 24 | (op & 0xffffff);
	struct op_cap *c = bpf_map_lookup_elem(&op_caps, &key);
	if (!c || !(c->flags & moment))
		return off;
	if (c->flags & OP_STR)
		return capture_arg(rec, off, how(i, ITEM_STR, 0), p->args[i], 0);
	u8 ca = c->count_arg;
	u64 cnt = (u32)p->args[ca < 6 ? ca : 0];
	u64 len = c->size + (u64)c->elem * cnt;
	if (len > OP_MAX)
		len = OP_MAX;
	u32 next = capture_arg(rec, off, how(i, moment == OP_AT_ENTER ? ITEM_BUF_IN : ITEM_BUF_OUT, CAPTURE_WHOLE),
			       p->args[i], len);
	if (next == off || !c->ptr_off || moment != OP_AT_ENTER)
		return next;
	/* The arrays the struct points to (IORING_REGISTER_FILES_UPDATE's fds). */
	u64 o = off;
	asm volatile("%[o] &= 0x1fff" : [o] "+r"(o));
	u32 at = c->count_at;
	if (at)
		cnt = *(u32 *)&rec->data[o + ((at - 1) & 0x3f)];
	return capture_behind(rec, o, next, c->ptr_off | c->ptr_elem << 8 | c->ptr2_off << 16 | c->ptr2_elem << 24, cnt);
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
	else if (k == CAP_SECCOMP && p->args[0] == SECCOMP_SET_MODE_FILTER)
		next = capture_fprog(rec, off, i, p->args[i]);
	else if (k == CAP_STRUCT_IN || k == CAP_STRUCT_INOUT || k == CAP_SECCOMP)
		next = capture_arg(rec, off, how(i, ITEM_BUF_IN, CAPTURE_WHOLE),
				   p->args[i], d->cap[i].size);
	else if (k == CAP_STRUCT_DEREF)
		next = capture_deref(rec, off, i, p->args[i], d->cap[i].size);
	else if (k == CAP_CLONE_ARGS)
		next = capture_clone_args(rec, off, i, p->args[i], clone_args_size(p, d, i));
	else if (k == CAP_OP_ARG)
		next = capture_op(rec, p, io, d->cap[i].size_arg | (u32)d->cap[i].size << 8, OP_AT_ENTER);
	else if (k == CAP_PRCTL && p->args[0] == PR_SET_NAME)
		next = capture_arg(rec, off, how(i, ITEM_STR, 0), p->args[i], 0);
	else if (k == CAP_PRCTL && p->args[0] == PR_SET_SECCOMP && p->args[1] == SECCOMP_MODE_FILTER)
		next = capture_fprog(rec, off, 2, p->args[2]);
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
		rec->st.iov_failed = 0;
		if (k == CAP_IOV_IN) {
			u8 sa = d->cap[i].size_arg;
			next = capture_iov(rec, off, how(i, ITEM_BUF_IN, iov_cnt(p->args[sa < 6 ? sa : 0])),
					   p->args[i], ~0ULL);
		} else
			next = capture_msghdr(rec, off, how(i, ITEM_BUF_IN, nl_flag(p)), p->args[i], ~0ULL);
		if (rec->st.iov_failed) {
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
 * leaving in rec->st.retry the arguments to read again at exit and in
 * rec->st.end the end of the data. Like capture_arg it is a global
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
		if (rec->hdr.nitems == items && p->args[i] && (cap_props_of(k) & CAP_RETRY))
			retry |= 1 << i;
		items = rec->hdr.nitems;
		off = next;
	}
	rec->st.retry = retry;
	/* Remember where exit captures go. */
	rec->st.end = off;
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
	else if (k == CAP_OP_ARG)
		off = capture_op(rec, p, io, d->cap[i].size_arg | (u32)d->cap[i].size << 8, OP_AT_ENTER);
	else if (k == CAP_PRCTL && p->args[0] == PR_SET_NAME)
		off = capture_arg(rec, off, how(i, ITEM_STR, 0), p->args[i], 0);
	else if (k == CAP_PRCTL && p->args[0] == PR_SET_SECCOMP && p->args[1] == SECCOMP_MODE_FILTER)
		off = capture_fprog(rec, off, 2, p->args[2]);
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
	else if (k == CAP_STRUCT_OUT || k == CAP_STRUCT_INOUT ||
		 (k == CAP_SECCOMP && p->args[0] != SECCOMP_SET_MODE_FILTER))
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
	} else if (k == CAP_OP_ARG)
		off = capture_op(rec, p, i | off << 8, d->cap[i].size_arg | (u32)d->cap[i].size << 8, OP_AT_EXIT);
	else if (k == CAP_PAGEVEC) {
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
		return rec->st.end;
	u32 off = rec->st.end;
	u8 retry = rec->st.retry;
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
	u32 off = rec->st.end;
	u8 retry = rec->st.retry;
	u64 env_start = rec->st.env_start, env_end = rec->st.env_end; /* set by sched_process_exec */
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
	rec->st.end = off;
	rec->st.retry = 0; /* nothing to read again at exit: that memory is gone */
	return 0;
}

#endif /* __STRACE_EBPF_CAPTURE_BPF_H__ */
