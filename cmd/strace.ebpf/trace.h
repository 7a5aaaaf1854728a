/*
 * trace.h - the strace.ebpf "bin" recording format, version 1.
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

#define TRACE_MAGIC        "SEBPFREC" /* 8 bytes, no NUL */
#define TRACE_MAGIC_LEN    8
#define TRACE_VERSION      1
#define TRACE_COMM_LEN     16
#define TRACE_PAD8(n)      (((n) + 7u) & ~7u)
#define TRACE_MAX_RECORD   16777216u /* readers reject larger records */
#define TRACE_MAX_HEADER   16777216u

/* struct trace_file_header.audit_arch, from linux/audit.h (0 if other). */
#define TRACE_AUDIT_ARCH_X86_64  0xC000003Eu
#define TRACE_AUDIT_ARCH_AARCH64 0xC00000B7u

struct trace_file_header {          /* at offset 0, 32 bytes */
	char     magic[TRACE_MAGIC_LEN]; /* TRACE_MAGIC */
	uint32_t version;               /* TRACE_VERSION; newer files: refuse */
	uint32_t header_size;           /* bytes from offset 0 to the first record */
	uint64_t boot_offset_ns;        /* add to ts: wall clock, ns since the epoch */
	uint32_t audit_arch;            /* TRACE_AUDIT_ARCH_* */
	uint32_t reserved;
};

/* Header items, between the file header and header_size. */
enum trace_meta_type {
	TRACE_META_ARCH    = 1, /* architecture, GOARCH spelling: "amd64" */
	TRACE_META_KERNEL  = 2, /* kernel release (uname -r) */
	TRACE_META_ARGV    = 3, /* command line: NUL-terminated words */
	TRACE_META_OPTION  = 4, /* key NUL value NUL */
	TRACE_META_SYSCALL = 5, /* struct trace_meta_syscall */
	/* readers skip types they do not know */
};

struct trace_meta {                 /* 8 bytes */
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
	TRACE_SYSCALL = 1, /* struct trace_syscall */
	TRACE_LOST    = 2, /* struct trace_lost */
	TRACE_END     = 3, /* struct trace_end */
	TRACE_EXIT    = 4, /* struct trace_syscall: a traced thread exited;
	                    * ret is its wait status, nr and args unused */
	TRACE_SIGNAL  = 5, /* struct trace_syscall: a signal was delivered;
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

struct trace_syscall {              /* 112 bytes, then ndata items */
	uint32_t size;                  /* 112 + the data items */
	uint16_t kind;                  /* TRACE_SYSCALL */
	uint16_t flags;                 /* TRACE_FLAG_* */
	uint32_t pid;                   /* thread group id */
	uint32_t tid;
	int32_t  nr;                    /* syscall number, see TRACE_META_SYSCALL */
	uint16_t ndata;                 /* struct trace_data items that follow */
	uint16_t reserved;
	uint64_t ts;                    /* enter time, ns since the trace started */
	uint64_t duration;              /* ns from enter to exit, 0 if no return */
	uint64_t args[6];               /* raw argument registers */
	int64_t  ret;                   /* return value; -4095..-1 is -errno */
	char     comm[TRACE_COMM_LEN];  /* NUL-padded; no NUL when 16 long */
};

/* struct trace_data.kind */
#define TRACE_DATA_STR       1 /* string read at enter, NUL not included */
#define TRACE_DATA_BUF_IN    2 /* input buffer read at enter */
#define TRACE_DATA_BUF_OUT   3 /* output buffer or struct read at exit */
#define TRACE_DATA_STR_TRUNC 4 /* string cut at the capture limit */

struct trace_data {                 /* 8 bytes */
	uint8_t  arg;                   /* argument position, 0 to 5 */
	uint8_t  kind;                  /* TRACE_DATA_* */
	uint16_t reserved;
	uint32_t len;                   /* bytes, without padding */
	/* len bytes, then zeros up to TRACE_PAD8(len) */
};

struct trace_lost {                 /* 32 bytes */
	uint32_t size;                  /* 32 */
	uint16_t kind;                  /* TRACE_LOST */
	uint16_t flags;
	uint32_t pid;
	uint32_t tid;
	uint64_t ts;
	uint64_t n;                     /* events dropped since the previous one */
};

struct trace_end {                  /* 16 bytes, the last record */
	uint32_t size;                  /* 16 */
	uint16_t kind;                  /* TRACE_END */
	uint16_t flags;
	uint64_t records;               /* records before it, end excluded */
};

#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
_Static_assert(sizeof(struct trace_file_header) == 32, "trace_file_header");
_Static_assert(sizeof(struct trace_meta) == 8, "trace_meta");
_Static_assert(sizeof(struct trace_meta_syscall) == 8, "trace_meta_syscall");
_Static_assert(sizeof(struct trace_syscall) == 112, "trace_syscall");
_Static_assert(sizeof(struct trace_data) == 8, "trace_data");
_Static_assert(sizeof(struct trace_lost) == 32, "trace_lost");
_Static_assert(sizeof(struct trace_end) == 16, "trace_end");
#endif

#endif /* STRACE_EBPF_TRACE_H */
