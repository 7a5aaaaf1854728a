#!/bin/sh
# The workload recorded in workload.bin, which the examples' tests replay:
# opens that succeed and fail, execs in a process tree, a slow call, bytes
# read and written, and network connections (IPv4, IPv6, and the Unix socket of nscd).
cat /etc/hostname /nonexistent/file > /dev/null 2>&1
ls /tmp > /dev/null
sh -c 'sleep 0.05; true'
head -c 65536 /dev/zero > /tmp/strace-ebpf-example.out
cat /tmp/strace-ebpf-example.out > /dev/null
rm -f /tmp/strace-ebpf-example.out
bash -c 'exec 3<>/dev/tcp/127.0.0.1/9' 2>/dev/null
bash -c 'exec 3<>/dev/tcp/::1/9' 2>/dev/null
getent passwd root > /dev/null
