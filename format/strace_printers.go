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
		syscalls.PrintFlock:          func(c *call, d, b []byte) []byte { return c.appendFlock(d, b, false) },
		syscalls.PrintLoff:           appendLoff,
		syscalls.PrintLoffInout:      appendLoff,
		syscalls.PrintIntOut:         appendIntOut,
		syscalls.PrintUidOut:         appendUidOut,
		syscalls.PrintMqAttr:         appendMqAttr,
		syscalls.PrintSigevent:       appendSigevent,
		syscalls.PrintSchedAttr:      appendSchedAttr,
		syscalls.PrintOpenHow:        appendOpenHow,
		syscalls.PrintIovec:          func(c *call, d, _ []byte) []byte { return c.appendIov(d, c.cur, false) },
		syscalls.PrintIoUringParams:  appendIoUringParams,
		syscalls.PrintMpolModeOut:    appendMpolModeOut,
		syscalls.PrintNodemask:       appendNodemask,
		syscalls.PrintFdArray:        appendFdArray,
		syscalls.PrintSeccompUargs:   appendSeccompUargs,
	}
	callPrinters = [...]func(c *call){
		syscalls.CallExecve:          func(c *call) { c.execve(0) },
		syscalls.CallExecveat:        func(c *call) { c.execve(1) },
		syscalls.CallClone:           (*call).clone,
		syscalls.CallClone3:          (*call).clone3,
		syscalls.CallGroups:          (*call).groups,
		syscalls.CallSockopt:         (*call).sockopt,
		syscalls.CallAffinity:        (*call).affinity,
		syscalls.CallMmap:            (*call).mmap,
		syscalls.CallMmap2:           (*call).mmap2,
		syscalls.CallOpen:            func(c *call) { c.open(0) },
		syscalls.CallOpenat:          func(c *call) { c.open(1) },
		syscalls.CallIoctl:           (*call).ioctl,
		syscalls.CallFcntl:           (*call).fcntl,
		syscalls.CallRseq:            (*call).rseq,
		syscalls.CallGetrandom:       (*call).getrandom,
		syscalls.CallWait4:           (*call).wait4,
		syscalls.CallArchPrctl:       (*call).archPrctl,
		syscalls.CallMembarrier:      (*call).membarrier,
		syscalls.CallReboot:          (*call).reboot,
		syscalls.CallMremap:          (*call).mremap,
		syscalls.CallMknod:           func(c *call) { c.mknod(1) },
		syscalls.CallMknodat:         func(c *call) { c.mknod(2) },
		syscalls.CallMount:           (*call).mount,
		syscalls.CallIoprioGet:       func(c *call) { c.generic(0); c.generic(1) },
		syscalls.CallIoprioSet:       (*call).ioprioSet,
		syscalls.CallSeccomp:         (*call).seccomp,
		syscalls.CallMempolicy:       (*call).mempolicy,
		syscalls.CallPersonality:     (*call).personality,
		syscalls.CallSwapon:          (*call).swapon,
		syscalls.CallQuotactl:        (*call).quotactl,
		syscalls.CallRestartSyscall:  (*call).restartSyscall,
		syscalls.CallIoUringRegister: (*call).ioUringRegister,
		syscalls.CallPrctl:           (*call).prctl,
		syscalls.CallFutex:           (*call).futex,
		syscalls.CallUmask:           func(c *call) { c.addf(false, func(d []byte) []byte { return appendOctal(d, c.arg(0)&0xffff) }) },
		syscalls.CallGetcwd:          (*call).getcwd,
		syscalls.CallAccept:          func(c *call) { c.sockaddrOut(true) },
		syscalls.CallSockname:        func(c *call) { c.sockaddrOut(false) },
		syscalls.CallRecvfrom:        (*call).recvfrom,
		syscalls.CallSocket:          (*call).socket,
		syscalls.CallLseek:           (*call).lseek,
		syscalls.CallPoll:            (*call).poll,
		syscalls.CallIov:             (*call).iov,
		syscalls.CallEpollWait:       (*call).epollWait,
		syscalls.CallMsg:             (*call).msg,
		syscalls.CallMmsg:            (*call).mmsg,
		syscalls.CallSelect:          (*call).selectArgs,
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
		syscalls.CallMqOpen:        (*call).mqOpen,
		syscalls.CallExitGroup: func(c *call) {
			c.addf(false, func(d []byte) []byte { return strconv.AppendInt(d, int64(int32(c.ev.Args[0])), 10) })
		},
	}
	retPrinters = [syscalls.NumCallPrinters]func(c *call, d []byte) []byte{
		syscalls.CallPrctl:       prctlRet,
		syscalls.CallFcntl:       fcntlRet,
		syscalls.CallPoll:        pollRet,
		syscalls.CallSelect:      selectRet,
		syscalls.CallIoprioGet:   ioprioGetRet,
		syscalls.CallMembarrier:  membarrierRet,
		syscalls.CallPersonality: personalityRet,
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
		return c.appendFdAt(d, c.ev.Ret, true)
	case 1034: // F_GET_SEALS
		d = appendHexNum(d, uint64(c.ev.Ret))
		if c.ev.Ret != 0 {
			d = append(d, " (seals "...)
			d = c.appendFlags(d, "seals", uint64(c.ev.Ret))
			d = append(d, ')')
		}
		return d
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
	if digits > 0 && frac > 0 { // strace prints no zero fraction
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

// valPrinters render an argument's value, not memory it points to (a
// uid_t of -1), by the same printer ids as argPrinters.
var valPrinters = [syscalls.NumPrinters]func(c *call, d []byte, v uint64) []byte{
	syscalls.PrintUid: func(c *call, d []byte, v uint64) []byte { return appendUid(d, uint32(v)) },
}

// appendUid renders a uid or gid as strace: -1 for (uid_t)-1, which
// chown and setresuid take as "unchanged".
func appendUid(d []byte, v uint32) []byte {
	if v == ^uint32(0) {
		return append(d, "-1"...)
	}
	return strconv.AppendUint(d, uint64(v), 10)
}

// appendIntOut renders a 4-byte int the kernel stored: "[3]".
func appendIntOut(c *call, d, b []byte) []byte {
	if len(b) < 4 {
		return d
	}
	d = append(d, '[')
	if c.sc.Args[c.cur].Signed || c.sc.Args[c.cur].Decoder == "timer_t" {
		d = strconv.AppendInt(d, int64(int32(le.Uint32(b))), 10)
	} else {
		d = strconv.AppendUint(d, uint64(le.Uint32(b)), 10)
	}
	return append(d, ']')
}

func appendUidOut(c *call, d, b []byte) []byte {
	if len(b) < 4 {
		return d
	}
	d = append(d, '[')
	d = appendUid(d, le.Uint32(b))
	return append(d, ']')
}

// appendLoff renders an offset the kernel reads: "[0]".
func appendLoff(c *call, d, b []byte) []byte {
	if len(b) < 8 {
		return d
	}
	d = append(d, '[')
	d = strconv.AppendInt(d, int64(le.Uint64(b)), 10)
	return append(d, ']')
}

// updatePrinters render, at exit, what the kernel wrote back into a
// StructInOut argument, after " => ", as strace prints sendfile's offset:
// "[0] => [10]". The enter part is the argPrinters entry.
// b is nil when the kernel side has nothing from the exit (an unfinished
// call).
var updatePrinters = [syscalls.NumPrinters]func(c *call, d, b []byte) []byte{
	syscalls.PrintLoffInout: func(c *call, d, b []byte) []byte {
		if len(b) < 8 || c.failed() {
			return d
		}
		d = append(d, " => "...)
		return appendLoff(c, d, b)
	},
	syscalls.PrintIoUringParams: appendIoUringParamsOut,
}

// appendIoUringParams renders what io_uring_setup reads of its struct
// io_uring_params at enter, as strace 6.1; the struct is closed at exit
// (appendIoUringParamsOut).
func appendIoUringParams(c *call, d, b []byte) []byte {
	if len(b) < 120 {
		return appendHexNum(d, c.ev.Args[c.cur])
	}
	u := func(off int) uint32 { return le.Uint32(b[off:]) }
	flags := u(8)
	d = append(d, "{flags="...)
	d = c.appendFlags(d, "uring_setup_flags", uint64(flags))
	d = append(d, ", sq_thread_cpu="...)
	d = appendHexNum(d, uint64(u(12)))
	d = append(d, ", sq_thread_idle="...)
	d = strconv.AppendUint(d, uint64(u(16)), 10)
	const attachWQ = 1 << 5
	if flags&attachWQ != 0 {
		d = append(d, ", wq_fd="...)
		d = c.appendFd(d, int64(int32(u(24))))
	}
	if u(28)|u(32)|u(36) != 0 {
		d = append(d, ", resv=["...)
		for i := 0; i < 3; i++ {
			if i > 0 {
				d = append(d, ", "...)
			}
			d = appendHexNum(d, uint64(u(28+4*i)))
		}
		d = append(d, ']')
	}
	return d
}

// appendIoUringParamsOut renders what the kernel filled in, and closes
// the struct.
func appendIoUringParamsOut(c *call, d, b []byte) []byte {
	if len(b) < 120 {
		return append(d, '}')
	}
	u := func(off int) uint32 { return le.Uint32(b[off:]) }
	d = append(d, ", sq_entries="...)
	d = strconv.AppendUint(d, uint64(u(0)), 10)
	d = append(d, ", cq_entries="...)
	d = strconv.AppendUint(d, uint64(u(4)), 10)
	d = append(d, ", features="...)
	d = c.appendFlags(d, "uring_setup_features", uint64(u(20)))
	for _, ring := range [...]struct {
		name   string
		off    int
		fields [7]string
	}{
		{", sq_off={", 40, [7]string{"head=", ", tail=", ", ring_mask=", ", ring_entries=", ", flags=", ", dropped=", ", array="}},
		{", cq_off={", 80, [7]string{"head=", ", tail=", ", ring_mask=", ", ring_entries=", ", overflow=", ", cqes=", ", flags="}},
	} {
		d = append(d, ring.name...)
		for i, f := range ring.fields {
			d = append(d, f...)
			d = strconv.AppendUint(d, uint64(u(ring.off+4*i)), 10)
		}
		if r := u(ring.off + 28); r != 0 {
			d = append(d, ", resv1="...)
			d = appendHexNum(d, uint64(r))
		}
		if r := le.Uint64(b[ring.off+32:]); r != 0 {
			d = append(d, ", resv2="...)
			d = appendHexNum(d, r)
		}
		d = append(d, '}')
	}
	return append(d, '}')
}

// appendFlock renders a struct flock; with pid, its l_pid too (F_GETLK's
// answer).
func (c *call) appendFlock(d, b []byte, pid bool) []byte {
	if len(b) < 32 {
		return d
	}
	d = append(d, "{l_type="...)
	d = c.appendFlags(d, "flock_type", uint64(le.Uint16(b)))
	d = append(d, ", l_whence="...)
	d = c.appendFlags(d, "whence", uint64(le.Uint16(b[2:])))
	d = append(d, ", l_start="...)
	d = strconv.AppendInt(d, int64(le.Uint64(b[8:])), 10)
	d = append(d, ", l_len="...)
	d = strconv.AppendInt(d, int64(le.Uint64(b[16:])), 10)
	if pid {
		d = append(d, ", l_pid="...)
		d = strconv.AppendInt(d, int64(int32(le.Uint32(b[24:]))), 10)
	}
	return append(d, '}')
}

// appendMqAttr renders a struct mq_attr (four longs, then padding).
func appendMqAttr(c *call, d, b []byte) []byte {
	if len(b) < 32 {
		return d
	}
	d = append(d, "{mq_flags="...)
	d = c.appendFlags(d, "mq_flags", le.Uint64(b))
	d = append(d, ", mq_maxmsg="...)
	d = strconv.AppendInt(d, int64(le.Uint64(b[8:])), 10)
	d = append(d, ", mq_msgsize="...)
	d = strconv.AppendInt(d, int64(le.Uint64(b[16:])), 10)
	d = append(d, ", mq_curmsgs="...)
	d = strconv.AppendInt(d, int64(le.Uint64(b[24:])), 10)
	return append(d, '}')
}

// struct sigevent's sigev_notify values that carry a signal.
const (
	sigevSignal   = 0
	sigevThread   = 2
	sigevThreadID = 4
)

// appendSigevent renders a struct sigevent as strace's print_sigevent:
// the value when its pointer is not NULL, the signal, the notification
// and what it needs.
func appendSigevent(c *call, d, b []byte) []byte {
	if len(b) < 32 {
		return d
	}
	val := le.Uint64(b)
	signo := int32(le.Uint32(b[8:]))
	notify := int32(le.Uint32(b[12:]))
	d = append(d, '{')
	if val != 0 {
		d = append(d, "sigev_value={sival_int="...)
		d = strconv.AppendInt(d, int64(int32(val)), 10)
		d = append(d, ", sival_ptr="...)
		d = appendPtr(d, val)
		d = append(d, "}, "...)
	}
	d = append(d, "sigev_signo="...)
	switch notify {
	case sigevSignal, sigevThread, sigevThreadID:
		d = appendSignal(d, int(signo))
	default:
		d = strconv.AppendUint(d, uint64(uint32(signo)), 10)
	}
	d = append(d, ", sigev_notify="...)
	d = c.appendFlags(d, "sigev_notify", uint64(uint32(notify)))
	switch notify {
	case sigevThreadID:
		d = append(d, ", sigev_notify_thread_id="...)
		d = strconv.AppendInt(d, int64(int32(le.Uint32(b[16:]))), 10)
	case sigevThread:
		d = append(d, ", sigev_notify_function="...)
		d = appendPtr(d, le.Uint64(b[16:]))
		d = append(d, ", sigev_notify_attributes="...)
		d = appendPtr(d, le.Uint64(b[24:]))
	}
	return append(d, '}')
}

// sched_attr sizes: SCHED_ATTR_SIZE_VER0 (no utilization clamps) and VER1.
const (
	schedAttrV0 = 48
	schedAttrV1 = 56
)

// appendSchedAttr renders a struct sched_attr as strace's print_sched_attr:
// as many fields as its size says (the kernel's, for sched_getattr).
func appendSchedAttr(c *call, d, b []byte) []byte {
	if len(b) < 4 {
		return d
	}
	size := le.Uint32(b)
	set := c.sc.Args[c.cur].Kind == syscalls.StructIn
	if set && size == 0 {
		size = schedAttrV0
	}
	d = append(d, "{size="...)
	d = strconv.AppendUint(d, uint64(le.Uint32(b)), 10)
	if size < schedAttrV0 || len(b) < schedAttrV0 {
		return append(d, '}')
	}
	policy := le.Uint32(b[4:])
	flags := le.Uint64(b[8:])
	const keepPolicy, keepParams = 0x08, 0x10
	if !set || int32(policy) < 0 || flags&(keepPolicy|keepParams) == 0 {
		d = append(d, ", sched_policy="...)
		d = c.appendFlags(d, "sched_policy", uint64(policy))
	}
	d = append(d, ", sched_flags="...)
	d = c.appendFlags(d, "sched_flags", flags)
	if !set || flags&keepParams == 0 {
		d = append(d, ", sched_nice="...)
		d = strconv.AppendInt(d, int64(int32(le.Uint32(b[16:]))), 10)
		d = append(d, ", sched_priority="...)
		d = strconv.AppendUint(d, uint64(le.Uint32(b[20:])), 10)
		for _, f := range [...]struct {
			name string
			off  int
		}{{", sched_runtime=", 24}, {", sched_deadline=", 32}, {", sched_period=", 40}} {
			d = append(d, f.name...)
			d = strconv.AppendUint(d, le.Uint64(b[f.off:]), 10)
		}
	}
	if size >= schedAttrV1 && len(b) >= schedAttrV1 {
		d = append(d, ", sched_util_min="...)
		d = strconv.AppendUint(d, uint64(le.Uint32(b[48:])), 10)
		d = append(d, ", sched_util_max="...)
		d = strconv.AppendUint(d, uint64(le.Uint32(b[52:])), 10)
	}
	return append(d, '}')
}

// appendOpenHow renders openat2's struct open_how: flags, the mode when
// it matters, resolve.
func appendOpenHow(c *call, d, b []byte) []byte {
	if len(b) < 24 || c.ev.Args[3] < 24 {
		return appendPtr(d, c.ev.Args[c.cur])
	}
	flags, mode := le.Uint64(b), le.Uint64(b[8:])
	const oCreat, oTmpfile = 0o100, 0o20000000
	d = append(d, "{flags="...)
	d = c.appendFlags(d, "open_flags", flags)
	if flags&(oCreat|oTmpfile) != 0 || mode != 0 {
		d = append(d, ", mode="...)
		d = appendOctal(d, mode)
	}
	d = append(d, ", resolve="...)
	d = c.appendFlags(d, "resolve_flags", le.Uint64(b[16:]))
	return append(d, '}')
}

// mqOpen prints mq_open as strace: the mode and the attributes only with
// O_CREAT.
func (c *call) mqOpen() {
	c.generic(0)
	c.generic(1)
	const oCreat = 0o100
	if c.ev.Args[1]&oCreat != 0 {
		c.generic(2)
		c.generic(3)
	}
}
