// Package bpf holds the kernel side of strace.ebpf: the C programs and the Go
// bindings bpf2go generates from them. The generated *_bpfel.go and *.o files
// are committed, so building needs no clang; `make generate` rebuilds them.
package bpf

//go:generate go tool bpf2go -cc ${BPF_CLANG} -cflags ${BPF_CFLAGS} -target amd64,arm64 -type event_hdr -type sc_desc -type item Tracer tracer.bpf.c
