# strace.ebpf — build, test, benchmark. `make help` lists the targets.

GO         ?= go
# The pinned compiler for the BPF objects (Debian's clang-16); the committed
# objects are what it builds, and CI checks that they still are.
BPF_CLANG  ?= clang-16
BPF_CFLAGS ?= -O2 -g -Wall -Werror

.PHONY: all build install generate check-generated test bench fuzz kernels help clean

all: build ## build ./strace.ebpf (no clang needed)

build: ## build ./strace.ebpf (with its VCS revision for --version)
	$(GO) build -buildvcs=auto -o strace.ebpf ./cmd/strace.ebpf

PREFIX ?= /usr/local
install: build ## install the binary, the man page, the bash and zsh completions, the example scripts (found by -s NAME) and the docs under PREFIX (/usr/local)
	install -D -m 0755 strace.ebpf $(DESTDIR)$(PREFIX)/bin/strace.ebpf
	install -d $(DESTDIR)$(PREFIX)/share/strace.ebpf/examples $(DESTDIR)$(PREFIX)/share/doc/strace.ebpf
	install -m 0644 examples/*.star examples/*.lua $(DESTDIR)$(PREFIX)/share/strace.ebpf/examples/
	install -m 0644 README.md docs/*.md docs/json-schema.json $(DESTDIR)$(PREFIX)/share/doc/strace.ebpf/
	install -D -m 0644 docs/strace.ebpf.1 $(DESTDIR)$(PREFIX)/share/man/man1/strace.ebpf.1
	install -D -m 0644 docs/completion/strace.ebpf.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/strace.ebpf
	install -D -m 0644 docs/completion/_strace.ebpf $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_strace.ebpf

generate: ## rebuild the BPF objects and the generated syscall tables (needs clang-16)
	cd bpf && BPF_CLANG=$(BPF_CLANG) BPF_CFLAGS="$(BPF_CFLAGS)" $(GO) generate ./...
	$(GO) generate ./syscalls

check-generated: generate ## fail when committed generated files differ from their sources
	git diff --exit-code --stat -- bpf syscalls

test: ## vet and run every test with the race detector; BPF tests need root (STRACE_EBPF_REQUIRE_BPF=1 makes them fail instead of skip)
	$(GO) vet ./...
	$(GO) test -race -timeout 40m ./...

bench: ## the dd workload bare and traced in each mode: ratio to bare, ns per syscall (dd's CPU time) and above the floor, lost events, start-up; beside each row the peers of the same run (bpftrace, perf trace, strace, when installed) (root)
	$(GO) test -run '^$$' -bench . -benchtime 1x ./bench/

fuzz: ## fuzz the recording reader (FUZZTIME=30s)
	$(GO) test ./record -run '^$$' -fuzz FuzzReader -fuzztime $(or $(FUZZTIME),30s)

kernels: ## the kernel matrix: Debian's kernels (5.10 to 7.x, x86-64 and arm64) booted under qemu, the tracer checked in each (kernels/run; KERNELS="6.1 7.x" picks some)
	kernels/run $(KERNELS)

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

clean: ## remove the built binary
	rm -f strace.ebpf
