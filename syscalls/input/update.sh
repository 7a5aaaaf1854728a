#!/bin/bash
# update.sh refreshes the machine-derived inputs of package syscalls.
#
# It needs this machine (Debian linux-libc-dev headers, gcc, python3 and a
# mounted tracefs; run as root), which is why its output is committed: the
# generator (go generate ./syscalls) reads only the files in this directory.
#
# Written here:
#   numbers_amd64.tsv  nr, name       from <x86_64-linux-gnu/asm/unistd_64.h>
#   numbers_arm64.tsv  nr, name       from <asm-generic/unistd.h> with arm64's __ARCH_WANT_* set
#   numbers_i386.tsv   nr, name       from <x86_64-linux-gnu/asm/unistd_32.h> (32-bit calls on amd64)
#   protos.tsv         name, idx, argname, C type   from /sys/kernel/tracing/events/syscalls/sys_enter_*/format
#   errno.tsv          nr, name, strerror text      from <asm-generic/errno*.h> and glibc's strerror
#   signals.tsv        nr, name                     from <x86_64-linux-gnu/asm/signal.h>
#   args.tsv           rows for new pointer/fd arguments are appended with a guessed
#                      kind; existing rows (hand-curated) are never changed.
# Hand-curated, never written here: numbers_extra.tsv, protos_extra.tsv, protos_arm64.tsv, protos_i386.tsv,
# strace.tsv, structs.tsv, noreturn.tsv, errno_extra.tsv, flags_spec.tsv, flags_arm64.tsv.
# Also written: flags.tsv (values of the constants listed in flags_spec.tsv).
set -euo pipefail
cd "$(dirname "$0")"

tracing=/sys/kernel/tracing
if [ ! -d "$tracing/events/syscalls" ]; then
	mount -t tracefs nodev "$tracing"
fi

export LC_ALL=C

awk '/^#define __NR_/{sub("__NR_","",$2); print $3"\t"$2}' \
	/usr/include/x86_64-linux-gnu/asm/unistd_64.h | sort -n > numbers_amd64.tsv
awk '/^#define __NR_/{sub("__NR_","",$2); print $3"\t"$2}' \
	/usr/include/x86_64-linux-gnu/asm/unistd_32.h | sort -n > numbers_i386.tsv

# arm64's arch/arm64/include/uapi/asm/unistd.h selections (Linux 6.1).
printf '%s\n' \
	'#define __BITS_PER_LONG 64' \
	'#define __ARCH_WANT_RENAMEAT' \
	'#define __ARCH_WANT_NEW_STAT' \
	'#define __ARCH_WANT_SET_GET_RLIMIT' \
	'#define __ARCH_WANT_TIME32_SYSCALLS' \
	'#define __ARCH_WANT_SYS_CLONE3' \
	'#define __ARCH_WANT_MEMFD_SECRET' \
	'#include <asm-generic/unistd.h>' |
	gcc -E -dM -x c - | awk '
		/^#define __NR3264_/ { sub("__NR3264_", "", $2); v[$2] = $3; next }
		/^#define __NR_/ { sub("__NR_", "", $2); n[$2] = $3 }
		END {
			for (k in n) {
				x = n[k]
				if (x ~ /^__NR3264_/) { sub("__NR3264_", "", x); x = v[x] }
				if (k == "syscalls" || k == "arch_specific_syscall") continue
				print x "\t" k
			}
		}' | sort -n > numbers_arm64.tsv

for d in "$tracing"/events/syscalls/sys_enter_*; do
	n=${d##*/sys_enter_}
	{ grep -E '^\s*field:' "$d/format" | grep -v 'common_\|__syscall_nr' || true; } |
		sed -E 's/^\s*field:(.*);\s*offset.*/\1/' |
		awk -v n="$n" '{
			name = $NF; sub(/^\*+/, "", name)
			t = $0; sub(/[ \t]*[^ \t]+$/, "", t)
			print n "\t" NR-1 "\t" name "\t" t
		}'
done | sort -t "$(printf '\t')" -k1,1 -k2,2n > protos.tsv

python3 - <<'PY'
import os, re
names = {}
for f in ("/usr/include/asm-generic/errno-base.h", "/usr/include/asm-generic/errno.h"):
    for line in open(f):
        m = re.match(r"#define\s+(E[A-Z0-9]+)\s+(\d+)\b", line)
        if m:
            names.setdefault(int(m.group(2)), m.group(1))
with open("errno.tsv", "w") as out:
    for nr in sorted(names):
        out.write("%d\t%s\t%s\n" % (nr, names[nr], os.strerror(nr)))

sigs = {}
for line in open("/usr/include/x86_64-linux-gnu/asm/signal.h"):
    m = re.match(r"#define\s+(SIG[A-Z0-9]+)\s+(\d+)\b", line)
    if m and m.group(1) not in ("SIGRTMIN", "SIGRTMAX", "SIGSTKSZ", "MINSIGSTKSZ"):
        sigs.setdefault(int(m.group(2)), m.group(1))
with open("signals.tsv", "w") as out:
    for nr in sorted(sigs):
        out.write("%d\t%s\n" % (nr, sigs[nr]))
PY

python3 ./bootstrap_args.py
python3 ./flags_values.py
