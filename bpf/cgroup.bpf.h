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

/* in_cgroups says whether t is in one of the target cgroups or below. */
static __always_inline bool in_cgroups(struct task_struct *t)
{
	/* Unrolled (6.1's verifier refuses some loops' shape); the verifier
	 * drops the targets past config.cgroups, a constant to it. */
#pragma unroll
	for (int i = 0; i < CGROUP_MAX; i++) {
		if (i >= config.cgroups)
			return false;
		const volatile struct cgroup_target *c = &config.cgroup[i];
		if (cgroup_ancestor_id(t, c->ssid, c->level) == c->id)
			return true;
	}
	return false;
}

#endif /* __STRACE_EBPF_CGROUP_BPF_H__ */
