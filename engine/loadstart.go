package engine

import (
	"fmt"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"

	"github.com/strace-ebpf/strace.ebpf/bpf"
)

// earlyLoad is the part of loading that needs nothing from the object:
// the ring buffer (its size is the session's) and the kernel's BTF, each
// started on a goroutine of its own as load begins.
type earlyLoad struct {
	s     *Session
	ringc chan ringResult
	btfc  chan btfResult
	ring  *ebpf.Map
}

type ringResult struct {
	m   *ebpf.Map
	err error
}

type btfResult struct {
	types *btf.Spec
	err   error
	took  time.Duration
}

// startLoad starts the ring's creation and the BTF parse. The caller
// holds sharedBTF's lock.
func (s *Session) startLoad() *earlyLoad {
	e := &earlyLoad{s: s, ringc: make(chan ringResult, 1), btfc: make(chan btfResult, 1)}
	go func() {
		m, err := ebpf.NewMap(&ebpf.MapSpec{Name: bpf.TracerMapEvents, Type: ebpf.RingBuf, MaxEntries: uint32(s.cfg.RingSize)})
		s.mark("ring")
		e.ringc <- ringResult{m, err}
	}()
	// One parse of the kernel's BTF serves the CO-RE relocations and the
	// tp_btf programs' attach targets (the collection's cache), and every
	// later load of this process (the load test loads hundreds).
	if sharedBTF.cache == nil {
		sharedBTF.cache = btf.NewCache()
	}
	cache := sharedBTF.cache
	go func() {
		t := time.Now()
		types, err := cache.Kernel()
		if err == nil {
			prewarmCORE(types)
		}
		s.mark("kernel BTF")
		e.btfc <- btfResult{types, err, time.Since(t)}
	}()
	return e
}

// coreTypes are the kernel types the object's CO-RE relocations name
// (TestCORETypesPrewarmed keeps the list whole). Decoding them is most of
// the relocations' cost: task_struct alone reaches most of the kernel's
// types.
var coreTypes = []string{
	"bpf_raw_tracepoint_args", "cgroup", "cgroup_subsys_state", "css_set",
	"dentry", "fdtable", "file", "files_struct", "fs_struct", "inode",
	"k_sigaction", "kernfs_node", "linux_binprm", "mm_struct", "mount",
	"netlink_sock", "pt_regs", "sighand_struct", "signal_struct", "sock",
	"socket", "socket_alloc", "super_block", "task_struct", "unix_address",
	"unix_sock", "vfsmount",
}

// prewarmCORE decodes coreTypes while the object is still being read,
// instead of when the first program's relocations ask for them: the
// decoder keeps what it decoded, and the relocations find it there.
// A type this kernel lacks is the relocations' business, not this one's.
func prewarmCORE(types *btf.Spec) {
	for _, name := range coreTypes {
		types.AnyTypesByName(name)
	}
}

// wait returns the ring, the BTF cache and the kernel's types. The ring
// stays e's: close releases it (the collection holds its own copy).
func (e *earlyLoad) wait() (*ebpf.Map, *btf.Cache, *btf.Spec, error) {
	b := <-e.btfc
	e.btfc = nil
	e.s.debugf("kernel BTF parsed in %v", b.took.Round(time.Microsecond))
	r := <-e.ringc
	e.ringc = nil
	e.ring = r.m
	if r.err != nil {
		return nil, nil, nil, fmt.Errorf("creating the ring buffer (%d bytes): %w", e.s.cfg.RingSize, r.err)
	}
	if b.err != nil {
		return nil, nil, nil, fmt.Errorf("loading kernel BTF: %w", b.err)
	}
	return r.m, sharedBTF.cache, b.types, nil
}

// close waits for what was started and releases the ring.
func (e *earlyLoad) close() {
	if e.btfc != nil {
		<-e.btfc
	}
	if e.ringc != nil {
		if r := <-e.ringc; r.m != nil {
			r.m.Close()
		}
	}
	if e.ring != nil {
		e.ring.Close()
	}
}
