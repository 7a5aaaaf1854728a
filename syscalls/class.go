package syscalls

import "strings"

// Class is a set of strace syscall classes (the %file, %network, ... sets
// of strace's -e trace=).
type Class uint32

// The classes, with strace's names.
const (
	File       Class = 1 << iota // %file: takes a file name
	Desc                         // %desc: takes or returns a file descriptor
	Network                      // %network, %net
	Process                      // %process: process lifecycle
	Signal                       // %signal
	IPC                          // %ipc: SysV IPC
	Memory                       // %memory: memory mapping
	Creds                        // %creds: user/group ids and capabilities
	Clock                        // %clock: reads or changes the system clock
	Stat                         // %stat: stat variants
	LStat                        // %lstat: lstat variants
	FStat                        // %fstat: fstat and fstatat variants
	StatLike                     // %%stat: every stat-like call
	StatFS                       // %statfs: statfs variants
	FStatFS                      // %fstatfs: fstatfs variants
	StatFSLike                   // %%statfs: every statfs-like call
	Pure                         // %pure: never fail, take no arguments
)

var classNames = []struct {
	c    Class
	name string
}{
	{File, "%file"}, {Desc, "%desc"}, {Network, "%network"}, {Process, "%process"},
	{Signal, "%signal"}, {IPC, "%ipc"}, {Memory, "%memory"}, {Creds, "%creds"},
	{Clock, "%clock"}, {Stat, "%stat"}, {LStat, "%lstat"}, {FStat, "%fstat"},
	{StatLike, "%%stat"}, {StatFS, "%statfs"}, {FStatFS, "%fstatfs"},
	{StatFSLike, "%%statfs"}, {Pure, "%pure"},
}

// ClassByName returns the class called name: strace's names with or without
// the leading "%" ("file", "%file", "net", "%network", "%%stat").
func ClassByName(name string) (Class, bool) {
	if name == "net" || name == "%net" {
		return Network, true
	}
	for _, cn := range classNames {
		if name == cn.name || name == strings.TrimPrefix(cn.name, "%") {
			return cn.c, true
		}
	}
	return 0, false
}

// Names returns strace's names of the classes in c, such as
// ["%file", "%desc"], in the order of the constants.
func (c Class) Names() []string {
	var names []string
	for _, cn := range classNames {
		if c&cn.c != 0 {
			names = append(names, cn.name)
		}
	}
	return names
}

// String returns the names of the classes in c joined by "|", or "0".
func (c Class) String() string {
	if c == 0 {
		return "0"
	}
	return strings.Join(c.Names(), "|")
}
