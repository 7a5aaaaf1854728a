// Package bpf holds the kernel side of strace.ebpf: the C programs and the Go
// bindings bpf2go generates from them. The generated *_bpfel.go and *.o files
// are committed, so building needs no clang; `make generate` rebuilds them.
//
// Every struct and enum shared with Go is generated from the C: -type names
// the enums (whose constants become Go constants), and the types of maps and
// variables come along, among them TracerConfig, the type of the variable
// config (naming it with -type would be ambiguous: the variable has the same
// name).
package bpf

//go:generate go tool bpf2go -cc ${BPF_CLANG} -cflags ${BPF_CFLAGS} -target amd64,arm64 -type event_hdr -type sc_desc -type item -type pending -type cap_kind -type item_kind -type task_state -type ev_flags -type sc_flags -type pending_state -type ioctl_cap -type op_cap -type op_cap_flags -type fd_info -type fd_flags -type sc_key -type count_mode -type sc_stat -type fd_key -type fd_stat -type sc_hist -type proc_stat -type cap_props -type shared_limits -type shared_bits -type cgroup_target Tracer tracer.bpf.c
