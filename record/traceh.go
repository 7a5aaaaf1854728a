package record

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
)

// traceH is the C description of the format. The Go side is checked
// against it by compiling it (TestTraceHLayout) and by a C reader
// (TestTraceHReader).
const traceH = `/*
 * trace.h - the strace.ebpf "bin" recording format, version @VERSION@.
 *
 * Written by strace.ebpf -l bin; docs/binary-format.md in the strace.ebpf
 * sources is the full specification. All integers are little-endian; every
 * record and header item starts at a multiple of 8 bytes, so these structs
 * can be overlaid on a mapped file on a little-endian machine.
 *
 * Layout of a file:
 *
 *   struct trace_file_header               magic, version, header_size
 *   header items up to header_size         struct trace_meta + payload, each
 *                                          padded to 8: architecture, kernel
 *                                          release, command line, options,
 *                                          the syscall table
 *   records                                struct trace_record prefix:
 *                                          size (of the whole record, a
 *                                          multiple of 8) and kind
 *   struct trace_end                       once, last: the number of records
 *
 * Syscall, exit and signal records share struct trace_syscall.
 *
 * A reader skips the header with header_size, then walks the records by
 * their size. A file without a trace_end was cut short.
 */
#ifndef STRACE_EBPF_TRACE_H
#define STRACE_EBPF_TRACE_H

#include <stdint.h>

#define TRACE_MAGIC        "@MAGIC@" /* 8 bytes, no NUL */
#define TRACE_MAGIC_LEN    8
#define TRACE_VERSION      @VERSION@
#define TRACE_COMM_LEN     @COMM@
#define TRACE_PAD8(n)      (((n) + 7u) & ~7u)
#define TRACE_MAX_RECORD   @MAXREC@u /* readers reject larger records */
#define TRACE_MAX_HEADER   @MAXHDR@u

/* struct trace_file_header.audit_arch, from linux/audit.h (0 if other). */
#define TRACE_AUDIT_ARCH_X86_64  0xC000003Eu
#define TRACE_AUDIT_ARCH_AARCH64 0xC00000B7u

struct trace_file_header {          /* at offset 0, @FILEHDR@ bytes */
	char     magic[TRACE_MAGIC_LEN]; /* TRACE_MAGIC */
	uint32_t version;               /* TRACE_VERSION; newer files: refuse */
	uint32_t header_size;           /* bytes from offset 0 to the first record */
	uint64_t boot_offset_ns;        /* add to ts: wall clock, ns since the epoch */
	uint32_t audit_arch;            /* TRACE_AUDIT_ARCH_* */
	uint32_t reserved;
};

/* Header items, between the file header and header_size. */
enum trace_meta_type {
	TRACE_META_ARCH    = @MARCH@, /* architecture, GOARCH spelling: "amd64" */
	TRACE_META_KERNEL  = @MKERNEL@, /* kernel release (uname -r) */
	TRACE_META_ARGV    = @MARGV@, /* command line: NUL-terminated words */
	TRACE_META_OPTION  = @MOPTION@, /* key NUL value NUL */
	TRACE_META_SYSCALL = @MSYSCALL@, /* struct trace_meta_syscall */
	/* readers skip types they do not know */
};

struct trace_meta {                 /* @METAHDR@ bytes */
	uint16_t type;                  /* enum trace_meta_type */
	uint16_t reserved;
	uint32_t len;                   /* payload bytes, without padding */
	/* payload: len bytes, then zeros up to TRACE_PAD8(len) */
};

struct trace_meta_syscall {         /* payload of TRACE_META_SYSCALL */
	int32_t  nr;
	uint16_t nargs;                 /* at most 6 */
	uint16_t reserved;
	/* name NUL, then nargs times: argument name NUL, C type NUL */
};

/* Records, after the header. */
enum trace_record_kind {
	TRACE_SYSCALL = @KSYSCALL@, /* struct trace_syscall */
	TRACE_LOST    = @KLOST@, /* struct trace_lost */
	TRACE_END     = @KEND@, /* struct trace_end */
	TRACE_EXIT    = @KEXIT@, /* struct trace_syscall: a traced thread exited;
	                    * ret is its wait status, nr and args unused */
	TRACE_SIGNAL  = @KSIGNAL@, /* struct trace_syscall: a signal was delivered;
	                    * nr is the signal, data item 0 the siginfo */
};

struct trace_record {               /* common prefix of every record */
	uint32_t size;                  /* whole record in bytes, multiple of 8 */
	uint16_t kind;                  /* enum trace_record_kind */
	uint16_t flags;
};

/* struct trace_syscall.flags */
#define TRACE_FLAG_NORETURN   0x1 /* never returned (exit, execve); ret meaningless */
#define TRACE_FLAG_UNFINISHED 0x2 /* still blocked when tracing ended */
#define TRACE_FLAG_COMPAT     0x10 /* version 3: made in 32-bit mode; nr and args are i386's */
#define TRACE_FLAG_INJECTED   0x20 /* -e inject=: the tracer gave ret; the call never ran */
#define TRACE_FLAG_DELAYED    0x40 /* -e inject=...:delay_enter=: held before it ran */
#define TRACE_FLAG_POKED      0x80 /* -e inject=...:poke_enter=: its argument memory overwritten */

struct trace_syscall {              /* @SYSCALLSZ@ bytes, then ndata items */
	uint32_t size;                  /* @SYSCALLSZ@ + the data items */
	uint16_t kind;                  /* TRACE_SYSCALL */
	uint16_t flags;                 /* TRACE_FLAG_* */
	uint32_t pid;                   /* thread group id */
	uint32_t tid;
	int32_t  nr;                    /* syscall number, see TRACE_META_SYSCALL */
	uint16_t ndata;                 /* struct trace_data items that follow */
	uint16_t cgroup;                /* the target cgroup, N of header option "cgroup.N"; 0: none */
	uint64_t ts;                    /* enter time, ns since the trace started */
	uint64_t duration;              /* ns from enter to exit, 0 if no return */
	uint64_t args[6];               /* raw argument registers */
	int64_t  ret;                   /* return value; -4095..-1 is -errno */
	char     comm[TRACE_COMM_LEN];  /* NUL-padded; no NUL when 16 long */
};

/* struct trace_data.kind */
#define TRACE_DATA_STR       @DSTR@ /* string read at enter, NUL not included */
#define TRACE_DATA_BUF_IN    @DBUFIN@ /* input buffer read at enter */
#define TRACE_DATA_BUF_OUT   @DBUFOUT@ /* output buffer or struct read at exit */
#define TRACE_DATA_STR_TRUNC @DSTRTRUNC@ /* string cut at the capture limit */
#define TRACE_DATA_STACK     @DSTACK@ /* version 2: the call's stack (-k), struct trace_stack */
#define TRACE_DATA_FD        @DFD@ /* version 3: what a descriptor referred to (-y), struct trace_fd */

struct trace_data {                 /* @DATAHDR@ bytes */
	uint8_t  arg;                   /* argument position, 0 to 5 */
	uint8_t  kind;                  /* TRACE_DATA_* */
	uint16_t reserved;
	uint32_t len;                   /* bytes, without padding */
	/* len bytes, then zeros up to TRACE_PAD8(len) */
};

struct trace_stack {                /* @STACKHDR@ bytes: a TRACE_DATA_STACK item's bytes */
	uint32_t nframes;               /* struct trace_frame entries that follow */
	uint32_t reserved;
};

struct trace_frame {                /* @FRAMEHDR@ bytes, then the names, padded to 8 */
	uint64_t addr;                  /* address in the process, innermost frame first */
	uint64_t offset;                /* addr's offset in the module's file */
	uint64_t symoff;                /* addr's offset from the symbol's start */
	uint16_t module_len;            /* bytes of the module's path that follow, 0 unknown */
	uint16_t symbol_len;            /* bytes of the symbol after it, 0 unknown */
	uint32_t reserved;
	/* module, then symbol (no NULs), then zeros up to
	   TRACE_PAD8(sizeof(struct trace_frame) + module_len + symbol_len) */
};

struct trace_fd {                   /* @FDHDR@ bytes: a TRACE_DATA_FD item's bytes, then its names */
	uint64_t ino;                   /* inode number */
	uint32_t fd;                    /* the descriptor */
	uint32_t magic;                 /* the file system's magic (pipefs, sockfs, anon_inodefs) */
	uint16_t mode;                  /* the inode's mode */
	uint8_t  flags;                 /* 1 the return value's (at exit), 2 deleted, 4 path cut at
	                                   its top, 8 pseudo file (its one name follows), 16 unix peer */
	uint8_t  family;                /* a socket's address family */
	uint16_t protocol;              /* a socket's protocol */
	uint16_t type;                  /* a socket's type */
	uint16_t sport;                 /* local port, host order */
	uint16_t dport;                 /* remote port, network order */
	uint32_t rdev;                  /* a device's number (major << 20 | minor) */
	uint8_t  saddr[16];             /* local address; netlink: the port id */
	uint8_t  daddr[16];             /* remote address; unix: the peer's inode (8 bytes) */
	/* a file's path names from the leaf up, each NUL-terminated; a bound
	   unix socket's sun_path bytes */
};

struct trace_lost {                 /* @LOSTSZ@ bytes */
	uint32_t size;                  /* @LOSTSZ@ */
	uint16_t kind;                  /* TRACE_LOST */
	uint16_t flags;
	uint32_t pid;
	uint32_t tid;
	uint64_t ts;
	uint64_t n;                     /* events dropped since the previous one */
};

struct trace_end {                  /* @ENDSZ@ bytes, the last record */
	uint32_t size;                  /* @ENDSZ@ */
	uint16_t kind;                  /* TRACE_END */
	uint16_t flags;
	uint64_t records;               /* records before it, end excluded */
};

#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
_Static_assert(sizeof(struct trace_file_header) == @FILEHDR@, "trace_file_header");
_Static_assert(sizeof(struct trace_meta) == @METAHDR@, "trace_meta");
_Static_assert(sizeof(struct trace_meta_syscall) == @METASC@, "trace_meta_syscall");
_Static_assert(sizeof(struct trace_syscall) == @SYSCALLSZ@, "trace_syscall");
_Static_assert(sizeof(struct trace_data) == @DATAHDR@, "trace_data");
_Static_assert(sizeof(struct trace_stack) == @STACKHDR@, "trace_stack");
_Static_assert(sizeof(struct trace_frame) == @FRAMEHDR@, "trace_frame");
_Static_assert(sizeof(struct trace_fd) == @FDHDR@, "trace_fd");
_Static_assert(sizeof(struct trace_lost) == @LOSTSZ@, "trace_lost");
_Static_assert(sizeof(struct trace_end) == @ENDSZ@, "trace_end");
#endif

#endif /* STRACE_EBPF_TRACE_H */
`

var traceHText = strings.NewReplacer(
	"@VERSION@", fmt.Sprint(Version),
	"@DFD@", fmt.Sprint(DataFd),
	"@FDHDR@", fmt.Sprint(event.FdInfoSize),
	"@MAGIC@", Magic,
	"@COMM@", fmt.Sprint(commSize),
	"@MAXREC@", fmt.Sprint(MaxRecordSize),
	"@MAXHDR@", fmt.Sprint(MaxHeaderSize),
	"@FILEHDR@", fmt.Sprint(fileHeaderSize),
	"@METAHDR@", fmt.Sprint(metaHeaderSize),
	"@METASC@", fmt.Sprint(metaSyscallSize),
	"@MARCH@", fmt.Sprint(MetaArch),
	"@MKERNEL@", fmt.Sprint(MetaKernel),
	"@MARGV@", fmt.Sprint(MetaArgv),
	"@MOPTION@", fmt.Sprint(MetaOption),
	"@MSYSCALL@", fmt.Sprint(MetaSyscall),
	"@KSYSCALL@", fmt.Sprint(KindSyscall),
	"@KLOST@", fmt.Sprint(KindLost),
	"@KEND@", fmt.Sprint(KindEnd),
	"@KEXIT@", fmt.Sprint(KindExit),
	"@KSIGNAL@", fmt.Sprint(KindSignal),
	"@SYSCALLSZ@", fmt.Sprint(syscallFixedSize),
	"@DATAHDR@", fmt.Sprint(dataHeaderSize),
	"@DSTR@", fmt.Sprint(DataStr),
	"@DBUFIN@", fmt.Sprint(DataBufIn),
	"@DBUFOUT@", fmt.Sprint(DataBufOut),
	"@DSTRTRUNC@", fmt.Sprint(DataStrTrunc),
	"@DSTACK@", fmt.Sprint(DataStack),
	"@STACKHDR@", fmt.Sprint(stackHeaderSize),
	"@FRAMEHDR@", fmt.Sprint(frameHeaderSize),
	"@LOSTSZ@", fmt.Sprint(lostSize),
	"@ENDSZ@", fmt.Sprint(endSize),
).Replace(traceH)

// TraceH returns the C header describing the recording format.
func TraceH() []byte { return []byte(traceHText) }

// WriteTraceH creates dir/trace.h holding TraceH, as the original
// strace.ebpf did on start with -l bin. It never overwrites and never
// follows a symlink: when dir already has a trace.h (or anything else by
// that name, a planted symlink included) it returns false and no error. Any
// other failure (an unwritable directory, a full disk) returns false and the
// error; callers skip trace.h then rather than fail the trace. A partly
// written file is removed.
func WriteTraceH(dir string) (written bool, err error) {
	name := filepath.Join(dir, "trace.h")
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, 0o644)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return false, nil
		}
		return false, fmt.Errorf("creating trace.h: %w", err)
	}
	_, err = f.WriteString(traceHText)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return false, fmt.Errorf("writing %s: %w", name, err)
	}
	return true, nil
}
