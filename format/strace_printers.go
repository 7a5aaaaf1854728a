package format

import (
	"strconv"
	"time"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
	"github.com/strace-ebpf/strace.ebpf/syscalls"
)

// The printers, found through the syscall table (syscalls/input/printers.tsv):
// an argument's Printer indexes argPrinters, a syscall's Printer indexes
// callPrinters and, when its Ret is RetPrinter, retPrinters. A test fails
// when an id of the table has no entry. (Assigned in init: the printers call
// back into the generic argument printer, an initialization cycle for a
// package-level literal.)
var (
	// argPrinters render the memory captured for an argument.
	argPrinters [syscalls.NumPrinters]func(c *call, d, b []byte) []byte
	// callPrinters render every argument of calls whose arguments depend
	// on each other (named clone arguments, execve's argv, ioctl and
	// fcntl whose third argument depends on the command).
	callPrinters [syscalls.NumCallPrinters]func(c *call)
	// retPrinters render the return values strace annotates.
	retPrinters [syscalls.NumCallPrinters]func(c *call, d []byte) []byte
)

func init() {
	argPrinters = [...]func(c *call, d, b []byte) []byte{
		syscalls.PrintStat:         appendStat,
		syscalls.PrintStatx:        appendStatx,
		syscalls.PrintStatfs:       appendStatfs,
		syscalls.PrintTimespec:     appendTimespec,
		syscalls.PrintTimespecPair: appendTimespecPair,
		syscalls.PrintTimeval:      appendTimeval,
		syscalls.PrintTimevalPair:  appendTimevalPair,
		syscalls.PrintTimezone:     appendTimezone,
		syscalls.PrintItimerval:    appendItimerval,
		syscalls.PrintItimerspec:   appendItimerspec,
		syscalls.PrintRusage:       appendRusage,
		syscalls.PrintTms:          appendTms,
		syscalls.PrintTimeT: func(c *call, d, b []byte) []byte {
			if len(b) < 8 {
				return d
			}
			d = append(d, '[')
			d = strconv.AppendInt(d, int64(le.Uint64(b)), 10)
			return append(d, ']')
		},
		syscalls.PrintUtimbuf:   appendUtimbuf,
		syscalls.PrintRlimit:    appendRlimit,
		syscalls.PrintSigset:    func(c *call, d, b []byte) []byte { return appendSigset(d, b) },
		syscalls.PrintSigaction: appendSigaction,
		syscalls.PrintSiginfo: func(c *call, d, b []byte) []byte {
			if len(b) < 4 {
				return d
			}
			return appendSiginfo(d, int(int32(le.Uint32(b))), b)
		},
		syscalls.PrintStack:          appendStackT,
		syscalls.PrintPselectSigmask: appendPselectSigmask,
		syscalls.PrintIntPair:        appendIntPair,
		syscalls.PrintWaitStatus:     appendWaitStatusPtr,
		syscalls.PrintUtsname:        appendUtsname,
		syscalls.PrintSockaddr:       func(c *call, d, b []byte) []byte { return appendSockaddr(d, b) },
		syscalls.PrintEpollEvent:     appendEpollEvent,
		syscalls.PrintSysinfo:        appendSysinfo,
		syscalls.PrintCapHeader:      appendCapHeader,
		syscalls.PrintCapData:        appendCapData,
		syscalls.PrintSchedParam:     appendSchedParam,
		syscalls.PrintPollfd:         appendPollfds,
		syscalls.PrintCloneArgs:      func(c *call, d, b []byte) []byte { return c.appendCloneArgs(d, b, c.ev.Args[1]) },
		syscalls.PrintGidArray:       appendGidArray,
	}
	callPrinters = [...]func(c *call){
		syscalls.CallExecve:    func(c *call) { c.execve(0) },
		syscalls.CallExecveat:  func(c *call) { c.execve(1) },
		syscalls.CallClone:     (*call).clone,
		syscalls.CallClone3:    (*call).clone3,
		syscalls.CallGroups:    (*call).groups,
		syscalls.CallSockopt:   (*call).sockopt,
		syscalls.CallAffinity:  (*call).affinity,
		syscalls.CallMmap:      (*call).mmap,
		syscalls.CallOpen:      func(c *call) { c.open(0) },
		syscalls.CallOpenat:    func(c *call) { c.open(1) },
		syscalls.CallIoctl:     (*call).ioctl,
		syscalls.CallFcntl:     (*call).fcntl,
		syscalls.CallRseq:      (*call).rseq,
		syscalls.CallGetrandom: (*call).getrandom,
		syscalls.CallWait4:     (*call).wait4,
		syscalls.CallArchPrctl: (*call).archPrctl,
		syscalls.CallPrctl:     (*call).prctl,
		syscalls.CallFutex:     (*call).futex,
		syscalls.CallUmask:     func(c *call) { c.addf(false, func(d []byte) []byte { return appendOctal(d, c.arg(0)) }) },
		syscalls.CallGetcwd:    (*call).getcwd,
		syscalls.CallAccept:    func(c *call) { c.sockaddrOut(true) },
		syscalls.CallSockname:  func(c *call) { c.sockaddrOut(false) },
		syscalls.CallRecvfrom:  (*call).recvfrom,
		syscalls.CallSocket:    (*call).socket,
		syscalls.CallLseek:     (*call).lseek,
		syscalls.CallPoll:      (*call).poll,
		syscalls.CallIov:       (*call).iov,
		syscalls.CallEpollWait: (*call).epollWait,
		syscalls.CallMsg:       (*call).msg,
		syscalls.CallMmsg:      (*call).mmsg,
		syscalls.CallSelect:    (*call).selectArgs,
		syscalls.CallRtSigreturn: func(c *call) {
			c.addf(false, func(d []byte) []byte {
				if b, ok := c.data(0, event.BufIn); ok && len(b) >= 8 {
					d = append(d, "{mask="...)
					d = appendSigset(d, b[:8])
					return append(d, '}')
				}
				return d
			})
		},
		syscalls.CallReadlink:      func(c *call) { c.readlink(0) },
		syscalls.CallReadlinkat:    func(c *call) { c.readlink(1) },
		syscalls.CallGetdents:      (*call).getdents,
		syscalls.CallFaccessat2:    (*call).faccessat2,
		syscalls.CallStatx:         (*call).statx,
		syscalls.CallPipe:          func(c *call) { c.generic(0) },
		syscalls.CallSetTidAddress: func(c *call) { c.addf(false, func(d []byte) []byte { return appendPtr(d, c.ev.Args[0]) }) },
		syscalls.CallExitGroup: func(c *call) {
			c.addf(false, func(d []byte) []byte { return strconv.AppendInt(d, int64(int32(c.ev.Args[0])), 10) })
		},
	}
	retPrinters = [syscalls.NumCallPrinters]func(c *call, d []byte) []byte{
		syscalls.CallPrctl:  prctlRet,
		syscalls.CallFcntl:  fcntlRet,
		syscalls.CallPoll:   pollRet,
		syscalls.CallSelect: selectRet,
	}
}

// argPrinter returns the printer of argument a, or nil.
func argPrinter(a *syscalls.Arg) func(c *call, d, b []byte) []byte {
	if int(a.Printer) < len(argPrinters) {
		return argPrinters[a.Printer]
	}
	return nil
}

func fcntlRet(c *call, d []byte) []byte {
	switch int32(c.ev.Args[1]) {
	case 1: // F_GETFD
		d = appendHexNum(d, uint64(c.ev.Ret))
		if c.ev.Ret&1 != 0 {
			d = append(d, " (flags FD_CLOEXEC)"...)
		}
		return d
	case 3: // F_GETFL
		d = appendHexNum(d, uint64(c.ev.Ret))
		d = append(d, " (flags "...)
		d = append(d, c.s.tab.Flags("open_flags").Format(uint64(c.ev.Ret))...)
		return append(d, ')')
	case 0, 1030: // F_DUPFD, F_DUPFD_CLOEXEC
		return c.appendFd(d, c.ev.Ret)
	}
	return strconv.AppendInt(d, c.ev.Ret, 10)
}

// dateZone is the zone of strace's date comments: the local one, as strace
// (tests set UTC).
var dateZone = time.Local

// appendDate appends strace's date comment for a time in seconds and a
// fraction of digits decimal places (0 for none): " /* 2001-09-09T01:46:40.000005+0000 */".
func appendDate(d []byte, sec int64, frac int64, digits int) []byte {
	t := time.Unix(sec, 0).In(dateZone)
	d = append(d, " /* "...)
	d = t.AppendFormat(d, "2006-01-02T15:04:05")
	if digits > 0 {
		d = append(d, '.')
		var buf [20]byte
		s := strconv.AppendInt(buf[:0], frac, 10)
		for n := len(s); n < digits; n++ {
			d = append(d, '0')
		}
		d = append(d, s...)
	}
	d = t.AppendFormat(d, "-0700")
	return append(d, " */"...)
}

// appendTimePair renders utimes' and utimensat's two times, each with its
// date comment: "[{tv_sec=1, tv_usec=5} /* ... */, {...} /* ... */]".
// utimensat's UTIME_NOW and UTIME_OMIT show as strace prints them.
func appendTimePair(d, b []byte, sub string, digits int) []byte {
	if len(b) < 32 {
		return d
	}
	d = append(d, '[')
	for i := 0; i < 2; i++ {
		if i > 0 {
			d = append(d, ", "...)
		}
		e := b[16*i:]
		sec, frac := int64(le.Uint64(e)), int64(le.Uint64(e[8:]))
		if digits == 9 {
			switch frac {
			case utimeNow:
				d = append(d, "UTIME_NOW"...)
				continue
			case utimeOmit:
				d = append(d, "UTIME_OMIT"...)
				continue
			}
		}
		d = appendSecPair(d, e, sub)
		d = appendDate(d, sec, frac, fracDigits(frac, digits))
	}
	return append(d, ']')
}

// utimensat's special tv_nsec values.
const (
	utimeNow  = (1 << 30) - 1
	utimeOmit = (1 << 30) - 2
)

// fracDigits returns how many decimals strace's date comment shows: none
// for a whole second.
func fracDigits(frac int64, digits int) int {
	if frac == 0 {
		return 0
	}
	return digits
}

func appendTimespecPair(c *call, d, b []byte) []byte {
	return appendTimePair(d, b, ", tv_nsec=", 9)
}

func appendTimevalPair(c *call, d, b []byte) []byte {
	return appendTimePair(d, b, ", tv_usec=", 6)
}

// appendUtimbuf renders utime's times: "{actime=1000000000 /* ... */, modtime=...}".
func appendUtimbuf(c *call, d, b []byte) []byte {
	if len(b) < 16 {
		return d
	}
	d = append(d, "{actime="...)
	t := int64(le.Uint64(b))
	d = strconv.AppendInt(d, t, 10)
	d = appendDate(d, t, 0, 0)
	d = append(d, ", modtime="...)
	t = int64(le.Uint64(b[8:]))
	d = strconv.AppendInt(d, t, 10)
	d = appendDate(d, t, 0, 0)
	return append(d, '}')
}

func appendTimezone(c *call, d, b []byte) []byte {
	if len(b) < 8 {
		return d
	}
	d = append(d, "{tz_minuteswest="...)
	d = strconv.AppendInt(d, int64(int32(le.Uint32(b))), 10)
	d = append(d, ", tz_dsttime="...)
	d = strconv.AppendInt(d, int64(int32(le.Uint32(b[4:]))), 10)
	return append(d, '}')
}

// appendInterval renders a {it_interval, it_value} pair of 16-byte times.
func appendInterval(d, b []byte, sub string) []byte {
	if len(b) < 32 {
		return d
	}
	d = append(d, "{it_interval="...)
	d = appendSecPair(d, b, sub)
	d = append(d, ", it_value="...)
	d = appendSecPair(d, b[16:], sub)
	return append(d, '}')
}

func appendItimerval(c *call, d, b []byte) []byte { return appendInterval(d, b, ", tv_usec=") }

func appendItimerspec(c *call, d, b []byte) []byte { return appendInterval(d, b, ", tv_nsec=") }

// appendRusage renders a struct rusage as strace without -v: the two CPU
// times, then "...".
func appendRusage(c *call, d, b []byte) []byte {
	if len(b) < 32 {
		return d
	}
	d = append(d, "{ru_utime="...)
	d = appendTimeval(c, d, b)
	d = append(d, ", ru_stime="...)
	d = appendTimeval(c, d, b[16:])
	return append(d, ", ...}"...)
}

func appendTms(c *call, d, b []byte) []byte {
	if len(b) < 32 {
		return d
	}
	for i, name := range [...]string{"{tms_utime=", ", tms_stime=", ", tms_cutime=", ", tms_cstime="} {
		d = append(d, name...)
		d = appendClockTicks(d, int64(le.Uint64(b[8*i:])))
	}
	return append(d, '}')
}

// Versions of struct __user_cap_header_struct.
var capVersions = []bitName{{0x19980330, "_LINUX_CAPABILITY_VERSION_1"}, {0x20071026, "_LINUX_CAPABILITY_VERSION_2"}, {0x20080522, "_LINUX_CAPABILITY_VERSION_3"}}

func appendCapHeader(c *call, d, b []byte) []byte {
	if len(b) < 8 {
		return d
	}
	v := le.Uint32(b)
	d = append(d, "{version="...)
	named := false
	for _, n := range capVersions {
		if n.v == v {
			d = append(d, n.name...)
			named = true
		}
	}
	if !named {
		d = appendHexNum(d, uint64(v))
		d = append(d, " /* _LINUX_CAPABILITY_VERSION_??? */"...)
	}
	d = append(d, ", pid="...)
	d = strconv.AppendInt(d, int64(int32(le.Uint32(b[4:]))), 10)
	return append(d, '}')
}

// appendCapData renders capget's and capset's sets, one element for
// _LINUX_CAPABILITY_VERSION_1 (32 capabilities), two otherwise, as
// strace: "{effective=1<<CAP_CHOWN|1<<CAP_KILL, permitted=..., inheritable=0}".
func appendCapData(c *call, d, b []byte) []byte {
	if len(b) < 12 {
		return d
	}
	two := len(b) >= 24
	if h, ok := c.data(0, event.BufIn); ok && len(h) >= 4 && le.Uint32(h) == 0x19980330 {
		two = false
	}
	ft := c.s.tab.Flags("capability")
	for i, name := range [...]string{"{effective=", ", permitted=", ", inheritable="} {
		d = append(d, name...)
		lo, hi := le.Uint32(b[4*i:]), uint32(0)
		if two {
			hi = le.Uint32(b[12+4*i:])
		}
		d = appendCapBits(d, ft, uint64(hi)<<32|uint64(lo))
	}
	return append(d, '}')
}

// appendCapBits renders a capability set as strace's print_cap_bits.
func appendCapBits(d []byte, ft *syscalls.FlagTable, v uint64) []byte {
	if v == 0 {
		return append(d, '0')
	}
	first := true
	if ft != nil {
		for _, e := range ft.Entries {
			if e.Value < 0 || e.Value > 63 || v&(1<<e.Value) == 0 {
				continue
			}
			if !first {
				d = append(d, '|')
			}
			d = append(d, "1<<"...)
			d = append(d, e.Name...)
			first = false
			v &^= 1 << e.Value
		}
	}
	if v != 0 {
		if !first {
			d = append(d, '|')
		}
		d = appendHexNum(d, v)
		if first {
			d = append(d, " /* CAP_??? */"...)
		}
	}
	return d
}

// appendSchedParam renders a struct sched_param as strace 6 does: "[0]".
func appendSchedParam(c *call, d, b []byte) []byte {
	if len(b) < 4 {
		return d
	}
	d = append(d, '[')
	d = strconv.AppendInt(d, int64(int32(le.Uint32(b))), 10)
	return append(d, ']')
}
