/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * -y: what a file descriptor refers to, read from the task's file table at
 * the call (included by tracer.bpf.c). strace reads /proc when it prints;
 * here the kernel tells at the call, so short-lived processes and reused
 * descriptors come out right. Only with config.decode_fds.
 *
 * One ITEM_FD item per descriptor: struct fd_info, then for a file the
 * names of its path from the leaf up (each NUL-terminated; user space puts
 * them in order), for a bound unix socket its sun_path bytes.
 */
#include "include/fd_min.h"

#define FD_PAIR_ARG(m) (((m) >> FD_PAIR_SHIFT) & 3)
#define AT_FDCWD -100
#define FD_DEPTH 48        /* dentries and mounts walked up */
#define FD_NAME_MAX 256    /* NAME_MAX and its NUL */
#define S_IFMT 0170000
#define S_IFSOCK 0140000
#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define AF_NETLINK 16

/* struct fd_info.flags */
enum fd_flags : u8 {
	FD_AT_EXIT = 1 << 0, /* the return value, read at exit (else an argument, at enter) */
	FD_DELETED = 1 << 1, /* the file was unlinked: " (deleted)" */
	FD_CUT = 1 << 2,     /* the path was deeper than the walk: its top is missing */
	FD_PSEUDO = 1 << 3,  /* a pseudo file (pipe, socket, anon inode): the one name is its dentry's */
	FD_PEER = 1 << 4,    /* AF_UNIX: daddr's first 8 bytes are the peer's inode */
	FD_CWD = 1 << 5,     /* AT_FDCWD: the working directory */
};

struct fd_info {
	u64 ino;       /* the inode number */
	u32 fd;
	u32 magic;     /* the file system's s_magic (pipefs, sockfs, anon_inodefs) */
	u16 mode;      /* i_mode */
	enum fd_flags flags;
	u8 family;     /* a socket's address family */
	u16 protocol;  /* sk_protocol */
	u16 type;      /* sk_type */
	u16 sport;     /* local port, host order */
	u16 dport;     /* remote port, network order */
	u32 rdev;      /* a device's number (i_rdev) */
	u8 saddr[16];  /* local address (AF_INET: 4 bytes); AF_NETLINK: the port id */
	u8 daddr[16];  /* remote address; AF_UNIX: the peer's inode */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_NR);
	__type(key, u32);
	__type(value, u16); /* bit i: argument i is a descriptor; FD_RET: the return value is one; FD_DIRFD_SHIFT */
} fd_args SEC(".maps");

/* fd_mask is syscall nr's descriptor arguments, 0 without -y. */
static __always_inline u16 fd_mask(long nr)
{
	if (!config.decode_fds || nr < 0 || nr >= MAX_NR)
		return 0;
	u32 key = nr;
	u16 *m = bpf_map_lookup_elem(&fd_args, &key);
	return m ? *m : 0;
}

/*
 * fd_step walks one step up from a file's dentry, its state in
 * rec->hdr.args (free while captures run): [1] the dentry, [2] its mount,
 * [3] the data end | the item's start << 32, [4] and [5] the task's root.
 * A dentry's name is appended; a mount's root crosses to where it is
 * mounted. It returns 0 to go on, 1 at the root, 2 when the data is full.
 * A global function: the verifier checks it once, not once per step.
 */
__noinline int fd_step(struct record *rec)
{
	if (!rec)
		return 1;
	struct dentry___fd *d = (struct dentry___fd *)rec->st.fd_dentry;
	struct vfsmount___fd *mnt = (struct vfsmount___fd *)rec->st.fd_mnt;
	u64 pos = rec->st.fd_pos & 0xffffffff, start = rec->st.fd_pos >> 32;
	if ((u64)d == rec->st.fd_root_dentry && (u64)mnt == rec->st.fd_root_mnt)
		return 1;
	u64 moff = bpf_core_field_offset(struct mount___fd, mnt);
	if (d == BPF_CORE_READ(mnt, mnt_root)) {
		struct mount___fd *m = (struct mount___fd *)((u64)mnt - moff);
		struct mount___fd *up = BPF_CORE_READ(m, mnt_parent);
		if (!up || up == m)
			return 1;
		rec->st.fd_dentry = (u64)BPF_CORE_READ(m, mnt_mountpoint);
		rec->st.fd_mnt = (u64)up + moff;
		return 0;
	}
	struct dentry___fd *parent = BPF_CORE_READ(d, d_parent);
	if (!parent || parent == d)
		return 1;
	if (pos > DATA_MAX || pos + FD_NAME_MAX > start + STR_MAX)
		return 2;
	u64 po = pos;
	asm volatile("%[po] &= 0x1fff" : [po] "+r"(po));
	long got = bpf_probe_read_kernel_str(&rec->data[po], FD_NAME_MAX, BPF_CORE_READ(d, d_name.name));
	if (got <= 0)
		return 1;
	rec->st.fd_dentry = (u64)parent;
	rec->st.fd_pos = start << 32 | (po + got);
	return 0;
}

/* fd_socket fills info from a socket's own fields; it returns the data end.
 * (Not inlined: its prototype brings struct fd_info into the BTF for bpf2go.) */
static __noinline u64 fd_socket(struct record *rec, struct fd_info *info, struct file___fd *f, u64 pos)
{
	struct socket___fd *sock = BPF_CORE_READ(f, private_data);
	struct sock___fd *sk = BPF_CORE_READ(sock, sk);
	if (!sk)
		return pos;
	u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	info->family = family;
	info->protocol = BPF_CORE_READ(sk, sk_protocol);
	info->type = BPF_CORE_READ(sk, sk_type);
	if (family == AF_INET || family == AF_INET6) {
		info->sport = BPF_CORE_READ(sk, __sk_common.skc_num);
		info->dport = BPF_CORE_READ(sk, __sk_common.skc_dport);
		if (family == AF_INET) {
			bpf_core_read(info->saddr, 4, &sk->__sk_common.skc_rcv_saddr);
			bpf_core_read(info->daddr, 4, &sk->__sk_common.skc_daddr);
		} else {
			bpf_core_read(info->saddr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
			bpf_core_read(info->daddr, 16, &sk->__sk_common.skc_v6_daddr);
		}
		return pos;
	}
	if (family == AF_NETLINK) {
		u32 portid = BPF_CORE_READ((struct netlink_sock___fd *)sk, portid);
		__builtin_memcpy(info->saddr, &portid, 4);
		return pos;
	}
	if (family != AF_UNIX)
		return pos;
	struct unix_sock___fd *u = (struct unix_sock___fd *)sk;
	struct sock___fd *peer = BPF_CORE_READ(u, peer);
	if (peer) {
		/* Newer kernels keep a socket's inode number in the sock, past
		 * its close (what sock_diag reports, and strace); older ones
		 * only through its struct socket. */
		u64 pino = 0;
		if (bpf_core_field_exists(peer->sk_ino))
			pino = BPF_CORE_READ(peer, sk_ino);
		else {
			struct socket_alloc___fd *ps = (struct socket_alloc___fd *)BPF_CORE_READ(peer, sk_socket);
			if (ps)
				pino = BPF_CORE_READ(ps, vfs_inode.i_ino);
		}
		if (pino) {
			__builtin_memcpy(info->daddr, &pino, 8);
			info->flags |= FD_PEER;
		}
	}
	struct unix_address___fd *addr = BPF_CORE_READ(u, addr);
	if (!addr)
		return pos;
	int len = BPF_CORE_READ(addr, len) - 2;
	if (len <= 0)
		return pos;
	if (len > 108)
		len = 108;
	u64 po = pos;
	asm volatile("%[po] &= 0x1fff" : [po] "+r"(po));
	if (bpf_core_read(&rec->data[po], len & 0x7f, &addr->name[0].sun_path) != 0)
		return pos;
	return po + len;
}

/*
 * capture_fd appends an ITEM_FD item for descriptor fd of the current task
 * (how: the argument | fd_flags << 8 | CAPTURE_CWD for a directory
 * descriptor, whose AT_FDCWD is the working directory), or nothing when fd
 * is not open.
 */
#define CAPTURE_CWD (1 << 16)
__noinline int capture_fd(struct record *rec, u32 off, u32 how, u64 fd)
{
	if (!rec)
		return off;
	u8 n = rec->hdr.nitems;
	bool cwd = (how & CAPTURE_CWD) && (s32)fd == AT_FDCWD;
	if (n >= MAX_ITEMS || off > DATA_MAX - STR_MAX || ((s32)fd < 0 && !cwd))
		return off;
	fd = (u32)fd;
	struct task_struct___fd *t = (struct task_struct___fd *)bpf_get_current_task_btf();
	struct file___fd *f = NULL;
	struct inode___fd *inode;
	if (cwd) {
		inode = BPF_CORE_READ(t, fs, pwd.dentry, d_inode);
	} else {
		struct fdtable___fd *fdt = BPF_CORE_READ(t, files, fdt);
		if (!fdt || fd >= BPF_CORE_READ(fdt, max_fds))
			return off;
		struct file___fd **arr = BPF_CORE_READ(fdt, fd);
		if (bpf_probe_read_kernel(&f, sizeof(f), &arr[fd]) != 0 || !f)
			return off;
		inode = BPF_CORE_READ(f, f_inode);
	}
	u64 o = off;
	asm volatile("%[o] &= 0x1fff" : [o] "+r"(o));
	struct fd_info *info = (struct fd_info *)&rec->data[o];
	__builtin_memset(info, 0, sizeof(*info));
	info->ino = BPF_CORE_READ(inode, i_ino);
	info->mode = BPF_CORE_READ(inode, i_mode);
	info->magic = BPF_CORE_READ(inode, i_sb, s_magic);
	info->rdev = BPF_CORE_READ(inode, i_rdev);
	info->fd = fd;
	info->flags = ((how >> 8) & 0xff) | (cwd ? FD_CWD : 0);
	u64 pos = o + sizeof(*info);
	if (f && (info->mode & S_IFMT) == S_IFSOCK) {
		pos = fd_socket(rec, info, f, pos);
	} else {
		struct dentry___fd *d;
		struct vfsmount___fd *mnt;
		if (cwd) {
			d = BPF_CORE_READ(t, fs, pwd.dentry);
			mnt = BPF_CORE_READ(t, fs, pwd.mnt);
		} else {
			d = BPF_CORE_READ(f, f_path.dentry);
			mnt = BPF_CORE_READ(f, f_path.mnt);
		}
		struct dentry___fd *parent = BPF_CORE_READ(d, d_parent);
		if (parent == d && d != BPF_CORE_READ(mnt, mnt_root)) {
			/* A pseudo file's dentry stands alone: its name is all. */
			info->flags |= FD_PSEUDO;
			u64 po = pos;
			asm volatile("%[po] &= 0x1fff" : [po] "+r"(po));
			long got = bpf_probe_read_kernel_str(&rec->data[po], FD_NAME_MAX, BPF_CORE_READ(d, d_name.name));
			if (got > 0)
				pos = po + got;
		} else {
			if (parent != d && !BPF_CORE_READ(d, d_hash.pprev))
				info->flags |= FD_DELETED;
			rec->st.fd_dentry = (u64)d;
			rec->st.fd_mnt = (u64)mnt;
			rec->st.fd_pos = o << 32 | pos;
			rec->st.fd_root_dentry = (u64)BPF_CORE_READ(t, fs, root.dentry);
			rec->st.fd_root_mnt = (u64)BPF_CORE_READ(t, fs, root.mnt);
			int r = 2;
			for (int i = 0; i < FD_DEPTH; i++) {
				r = fd_step(rec);
				if (r)
					break;
			}
			if (r != 1)
				info->flags |= FD_CUT;
			pos = rec->st.fd_pos & 0xffffffff;
		}
	}
	if (pos < o || pos > DATA_MAX + STR_MAX)
		return off;
	put_item(rec, n, how & 0xff, ITEM_FD, pos - o);
	return pos;
}

/* capture_fd_pair appends, at exit, the items of the two descriptors a
 * pipe or socketpair wrote at ptr. */
__noinline int capture_fd_pair(struct record *rec, u32 off, u64 ptr)
{
	s32 fds[2];
	if (!rec || bpf_probe_read_user(fds, sizeof(fds), (const void *)ptr) != 0)
		return off;
	off = capture_fd(rec, off, FD_AT_EXIT << 8, fds[0]);
	return capture_fd(rec, off, FD_AT_EXIT << 8, fds[1]);
}

/* capture_fd_args appends the items of the descriptor arguments in mask, at enter. */
__noinline int capture_fd_args(struct record *rec, struct pending *p, u32 mask, u32 off)
{
	if (!rec || !p)
		return off;
	for (int i = 0; i < 6; i++) {
		if (mask & (1 << i))
			off = capture_fd(rec, off, i | ((mask & (1 << (FD_DIRFD_SHIFT + i))) ? CAPTURE_CWD : 0), p->args[i]);
	}
	return off;
}
