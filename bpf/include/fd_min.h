/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The kernel types -y reads to tell what a file descriptor refers to (the
 * task's file table, the dentry chain and mounts of a file, a socket's
 * addresses), with CO-RE's ___fd flavour: the suffix is dropped when
 * fields are matched against the running kernel's BTF, so these local
 * declarations do not clash with vmlinux_min.h's.
 */
#ifndef __FD_MIN_H__
#define __FD_MIN_H__

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

struct super_block___fd {
	unsigned long s_magic;
};

struct inode___fd {
	unsigned short i_mode;
	unsigned long i_ino;
	struct super_block___fd *i_sb;
	__u32 i_rdev;
};

struct qstr___fd {
	const unsigned char *name;
};

struct hlist_bl_node___fd {
	void *next;
	void **pprev;
};

struct dentry___fd {
	struct dentry___fd *d_parent;
	struct inode___fd *d_inode;
	struct qstr___fd d_name;
	struct hlist_bl_node___fd d_hash;
};

struct vfsmount___fd {
	struct dentry___fd *mnt_root;
};

struct mount___fd {
	struct mount___fd *mnt_parent;
	struct dentry___fd *mnt_mountpoint;
	struct vfsmount___fd mnt;
};

struct path___fd {
	struct vfsmount___fd *mnt;
	struct dentry___fd *dentry;
};

struct file___fd {
	struct path___fd f_path;
	struct inode___fd *f_inode;
	void *private_data;
};

struct fdtable___fd {
	unsigned int max_fds;
	struct file___fd **fd;
};

struct files_struct___fd {
	struct fdtable___fd *fdt;
};

struct fs_struct___fd {
	struct path___fd root;
	struct path___fd pwd;
};

struct task_struct___fd {
	struct files_struct___fd *files;
	struct fs_struct___fd *fs;
};

struct in6_addr___fd {
	union {
		__u8 u6_addr8[16];
	} in6_u;
};

struct sock_common___fd {
	__be32 skc_daddr;
	__be32 skc_rcv_saddr;
	__be16 skc_dport;
	__u16 skc_num;
	unsigned short skc_family;
	struct in6_addr___fd skc_v6_daddr;
	struct in6_addr___fd skc_v6_rcv_saddr;
};

struct socket___fd;

struct sock___fd {
	struct sock_common___fd __sk_common;
	__u16 sk_protocol;
	__u16 sk_type;
	struct socket___fd *sk_socket;
	unsigned long sk_ino; /* Linux 6.17+ */
};

struct socket___fd {
	struct sock___fd *sk;
};

struct socket_alloc___fd {
	struct socket___fd socket;
	struct inode___fd vfs_inode;
};

struct sockaddr_un___fd {
	unsigned short sun_family;
	char sun_path[108];
};

struct unix_address___fd {
	int len;
	struct sockaddr_un___fd name[0];
};

struct unix_sock___fd {
	struct unix_address___fd *addr;
	struct sock___fd *peer;
};

struct netlink_sock___fd {
	__u32 portid;
};

#pragma clang attribute pop

#endif /* __FD_MIN_H__ */
