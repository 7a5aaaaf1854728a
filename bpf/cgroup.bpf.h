/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * --cgroup, --container, --unit: whether a task is in one of the target
 * cgroups (config.cgroup) or below one, from the task's own cgroup
 * pointers, so that processes that join later are traced from their first
 * call. No helper is needed: bpf_get_current_ancestor_cgroup_id knows only
 * the current task and the unified hierarchy, and signal_generate asks
 * about another task, a v1 target about a v1 hierarchy.
 * Included by tracer.bpf.c, in the order it names.
 */
#ifndef __STRACE_EBPF_CGROUP_BPF_H__
#define __STRACE_EBPF_CGROUP_BPF_H__

/* cgroup_ancestor_id is the id of the ancestor at level (the cgroup itself
 * at its own level) of t's cgroup in the hierarchy of ssid (-1: unified);
 * 0 when t's cgroup is above level. */
static __always_inline u64 cgroup_ancestor_id(struct task_struct *t, s32 ssid, u32 level)
{
	struct css_set *cs = BPF_CORE_READ(t, cgroups);
	struct cgroup *cg = NULL;
	if (ssid < 0) {
		cg = BPF_CORE_READ(cs, dfl_cgrp);
	} else {
		struct cgroup_subsys_state *css = NULL;
		u64 off = bpf_core_field_offset(struct css_set, subsys) + (u64)ssid * sizeof(css);
		if (bpf_probe_read_kernel(&css, sizeof(css), (void *)cs + off) != 0 || !css)
			return 0;
		cg = BPF_CORE_READ(css, cgroup);
	}
	if (!cg || BPF_CORE_READ(cg, level) < (int)level)
		return 0;
	if (bpf_core_field_exists(struct cgroup___new, ancestors)) {
		struct cgroup *anc = NULL;
		u64 off = bpf_core_field_offset(struct cgroup___new, ancestors) + (u64)level * sizeof(anc);
		if (bpf_probe_read_kernel(&anc, sizeof(anc), (void *)cg + off) != 0 || !anc)
			return 0;
		return BPF_CORE_READ(anc, kn, id);
	}
	u64 id = 0;
	u64 off = bpf_core_field_offset(struct cgroup___old, ancestor_ids) + (u64)level * sizeof(id);
	bpf_probe_read_kernel(&id, sizeof(id), (void *)cg + off);
	return id;
}

/*
 * Which target each traced process was found in (1 + its index in
 * config.cgroup), written when the filter first admits one of its threads:
 * user space names each event's container by it (engine/cgroup_attr.go),
 * even for a process gone before its events are read, and removes the
 * entry at the process's exit. User space sizes it to 1 without targets.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, u32);   /* tgid */
	__type(value, u32); /* 1 + target index */
} cgroup_of SEC(".maps");

/* in_cgroups says which target cgroup t is in or below: 1 + its index in
 * config.cgroup, 0 for none. */
static __always_inline u32 in_cgroups(struct task_struct *t)
{
	/* Unrolled (6.1's verifier refuses some loops' shape); the verifier
	 * drops the targets past config.cgroups, a constant to it. */
#pragma unroll
	for (int i = 0; i < CGROUP_MAX; i++) {
		if (i >= config.cgroups)
			return 0;
		const volatile struct cgroup_target *c = &config.cgroup[i];
		if (cgroup_ancestor_id(t, c->ssid, c->level) == c->id)
			return i + 1;
	}
	return 0;
}

/* cgroup_traced says whether t, of tgid, is in a target cgroup, and notes
 * which (cgroup_of). With one target every traced process is its own:
 * nothing to note. */
static __always_inline bool cgroup_traced(u32 tgid, struct task_struct *t)
{
	u32 n = in_cgroups(t);
	if (n && config.cgroups > 1)
		bpf_map_update_elem(&cgroup_of, &tgid, &n, BPF_ANY);
	return n != 0;
}

#endif /* __STRACE_EBPF_CGROUP_BPF_H__ */
