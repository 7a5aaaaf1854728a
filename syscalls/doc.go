// Package syscalls describes Linux system calls for the architectures
// strace.ebpf traces (amd64 and arm64): numbers, names, argument names, C
// types and kinds (what the kernel side captures, how the formatter prints
// them), strace's syscall classes (%file, %network, ...), errno and signal
// names, and flag tables for strace-style rendering.
//
// The tables are generated from the committed files in input/ by
// internal/gen (go generate ./syscalls); input/update.sh refreshes those
// inputs from the machine's kernel headers and tracefs. The package is pure
// Go and needs no privileges.
package syscalls

//go:generate go run ./internal/gen -in input -out .
