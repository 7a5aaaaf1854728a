#!/usr/bin/env python3
"""bootstrap_args.py keeps args.tsv complete; update.sh runs it.

1. Renames tracefs events to syscall names in protos.tsv (aliases.tsv).
2. Appends to args.tsv a row, with a guessed kind, for every argument that
   is a pointer or looks like a file descriptor and has no row yet. Rows
   already in args.tsv are hand-curated and kept as they are; edit args.tsv,
   not this script, to change a kind, size argument or decoder.

args.tsv columns: syscall, argument name, kind, size argument name ("-"
for none), decoder ("-" for none).
"""
import os

aliases = {}
for line in open("aliases.tsv"):
    if line.startswith("#") or not line.strip():
        continue
    name, event = line.rstrip("\n").split("\t")
    aliases[event] = name

rows = []
for line in open("protos.tsv"):
    f = line.rstrip("\n").split("\t")
    if len(f) != 4:
        continue
    f[0] = aliases.get(f[0], f[0])
    rows.append(f)
rows.sort(key=lambda f: (f[0], int(f[1])))
with open("protos.tsv", "w") as out:
    for f in rows:
        out.write("\t".join(f) + "\n")
for line in open("protos_extra.tsv"):
    if line.startswith("#") or not line.strip():
        continue
    rows.append(line.rstrip("\n").split("\t"))

PATHS = {"filename", "pathname", "path", "oldname", "newname", "specialfile",
         "special", "put_old", "new_root", "to_pathname", "from_pathname",
         "library", "dev_name", "dir_name"}
FDS = {"fd", "oldfd", "newfd", "fd_in", "fd_out", "in_fd", "out_fd", "fdin",
       "fdout", "epfd", "ufd", "pidfd", "ruleset_fd", "fildes", "group_fd",
       "fs_fd", "fanotify_fd", "mqdes", "kernel_fd", "initrd_fd"}
DIRFDS = {"dfd", "olddfd", "newdfd", "to_dfd", "from_dfd", "mountdirfd", "dirfd"}
PTRTYPES = {"cap_user_header_t", "cap_user_data_t", "const cap_user_data_t"}


def guess(name, arg, ctype):
    ptr = "*" in ctype or ctype in PTRTYPES
    if not ptr:
        if arg in FDS and "long" not in ctype:
            return ("Fd", "-", "-")
        if arg in FDS:
            return ("Fd", "-", "-")
        if arg in DIRFDS:
            return ("Dirfd", "-", "at_dirfd")
        return None
    if ctype.rstrip(" *") in ("const char", "char") and ctype.count("*") == 1:
        if arg in PATHS:
            return ("Path", "-", "-")
        if ctype.startswith("const"):
            return ("Str", "-", "-")
        return ("Ptr", "-", "-")
    if "char *const *" in ctype:
        return ("StrArray", "-", "-")
    base = ctype.replace("const ", "").rstrip(" *").strip()
    if base.startswith("struct ") or base.startswith("union "):
        return ("Ptr", "-", base.replace("__kernel_old_", "").replace("__kernel_", ""))
    return ("Ptr", "-", "-")


have = set()
lines = []
if os.path.exists("args.tsv"):
    for line in open("args.tsv"):
        lines.append(line.rstrip("\n"))
        f = line.split("\t")
        if len(f) >= 2 and not line.startswith("#"):
            have.add((f[0], f[1]))
for f in rows:
    name, _, arg, ctype = f
    if (name, arg) in have:
        continue
    g = guess(name, arg, ctype)
    if g is None:
        continue
    have.add((name, arg))
    lines.append("\t".join((name, arg) + g + ("-",)))
header = [l for l in lines if l.startswith("#")]
body = sorted(set(l for l in lines if l and not l.startswith("#")))
with open("args.tsv", "w") as out:
    for l in header + body:
        out.write(l + "\n")
