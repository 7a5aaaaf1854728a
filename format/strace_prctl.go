package format

import (
	"bytes"
	"strconv"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
)

// prctl's options, as strace decodes them (linux/prctl.h).
const (
	prSetPdeathsig       = 1
	prGetPdeathsig       = 2
	prGetDumpable        = 3
	prSetDumpable        = 4
	prGetKeepcaps        = 7
	prSetKeepcaps        = 8
	prGetFpemu           = 9
	prSetFpemu           = 10
	prGetFpexc           = 11
	prSetFpexc           = 12
	prGetTiming          = 13
	prSetTiming          = 14
	prSetName            = 15
	prGetName            = 16
	prGetEndian          = 19
	prSetEndian          = 20
	prGetSeccomp         = 21
	prSetSeccomp         = 22
	prCapbsetRead        = 23
	prCapbsetDrop        = 24
	prSetTimerslack      = 29
	prGetTimerslack      = 30
	prTaskPerfDisable    = 31
	prTaskPerfEnable     = 32
	prSetChildSubreaper  = 36
	prGetChildSubreaper  = 37
	prSetNoNewPrivs      = 38
	prGetTIDAddress      = 40
	prSetThpDisable      = 41
	prCapAmbient         = 47
	prSetIOFlusher       = 57
	prSetPtracer         = 0x59616d61
	prSetVMA             = 0x53564d41
	prSetMM              = 35
	prSetVMAAnonName     = 0
	prCapAmbientClearAll = 4
)

// suidDump names the values of PR_SET_DUMPABLE and PR_GET_DUMPABLE.
var suidDump = []string{"SUID_DUMP_DISABLE", "SUID_DUMP_USER", "SUID_DUMP_ROOT"}

// prctl prints the arguments each option uses, the way strace's prctl.c
// does: names for options, capabilities, signals and dump modes, the
// strings of PR_SET_NAME and PR_GET_NAME, numbers behind pointers at exit,
// and the rest of the arguments in hex.
func (c *call) prctl() {
	ev := c.ev
	opt := uint32(ev.Args[0])
	arg := func(i int) uint64 { return ev.Args[i] }
	c.addf(false, func(d []byte) []byte { return c.appendFlags(d, "prctl_option", uint64(opt)) })
	hexFrom := func(first int) {
		for i := first; i < 5; i++ {
			c.addf(false, func(d []byte) []byte { return appendHexNum(d, arg(i)) })
		}
	}
	u := func(i int) { c.addf(false, func(d []byte) []byte { return strconv.AppendUint(d, arg(i), 10) }) }
	enum := func(i int, table string) {
		c.addf(false, func(d []byte) []byte { return c.appendFlags(d, table, arg(i)) })
	}
	// out prints, at exit, the value of n bytes arg2 points to, in
	// brackets, as render says.
	out := func(n int, render func(d, b []byte) []byte) {
		c.addf(true, func(d []byte) []byte {
			if b, ok := c.data(1, event.BufOut); ok && len(b) >= n && !c.failed() {
				return append(render(append(d, '['), b), ']')
			}
			return appendPtr(d, arg(1))
		})
	}
	switch opt {
	case prGetKeepcaps, prGetSeccomp, prGetTimerslack, prGetTiming, prGetDumpable, prTaskPerfDisable, prTaskPerfEnable:
	case prGetChildSubreaper, prGetEndian, prGetFpemu, prGetFpexc:
		out(4, func(d, b []byte) []byte { return strconv.AppendUint(d, uint64(le.Uint32(b)), 10) })
	case prGetTIDAddress:
		out(8, func(d, b []byte) []byte { return appendPtr(d, le.Uint64(b)) })
	case prGetPdeathsig:
		out(4, func(d, b []byte) []byte { return appendSignal(d, int(int32(le.Uint32(b)))) })
	case prGetName:
		c.addf(true, func(d []byte) []byte {
			if b, ok := c.data(1, event.BufOut); ok && !c.failed() {
				if i := bytes.IndexByte(b, 0); i >= 0 {
					b = b[:i]
				}
				return appendQuoted(d, b, false)
			}
			return appendPtr(d, arg(1))
		})
	case prSetName:
		c.addf(false, func(d []byte) []byte {
			b, ok := c.data(1, event.Str, event.StrTrunc)
			if !ok {
				return appendPtr(d, arg(1))
			}
			if len(b) > 15 { // TASK_COMM_LEN - 1
				return append(appendQuoted(d, b[:15], false), "..."...)
			}
			return appendQuoted(d, b, false)
		})
	case prSetChildSubreaper, prSetEndian, prSetFpemu, prSetFpexc, prSetKeepcaps, prSetTiming:
		u(1)
	case prSetDumpable:
		c.addf(false, func(d []byte) []byte {
			if v := arg(1); v < uint64(len(suidDump)) {
				return append(d, suidDump[v]...)
			} else {
				return append(appendHexNum(d, v), " /* SUID_DUMP_??? */"...)
			}
		})
	case prCapbsetRead, prCapbsetDrop:
		enum(1, "capability")
	case prCapAmbient:
		enum(1, "pr_cap_ambient")
		if a := arg(1); a >= 1 && a < prCapAmbientClearAll {
			enum(2, "capability")
			hexFrom(3)
		} else {
			hexFrom(2)
		}
	case prSetPdeathsig:
		c.addf(false, func(d []byte) []byte {
			if v := arg(1); v <= 128 {
				return appendSignal(d, int(v))
			}
			return strconv.AppendUint(d, arg(1), 10)
		})
	case prSetPtracer:
		c.addf(false, func(d []byte) []byte {
			if int32(arg(1)) == -1 {
				return append(d, "PR_SET_PTRACER_ANY"...)
			}
			return strconv.AppendInt(d, int64(int32(arg(1))), 10)
		})
	case prSetSeccomp:
		enum(1, "seccomp_mode")
		switch arg(1) {
		case 1: // SECCOMP_MODE_STRICT
		case 2: // SECCOMP_MODE_FILTER: the filter program
			c.addf(false, func(d []byte) []byte { return c.appendSeccompFprog(d, 2, arg(2)) })
		default:
			hexFrom(2)
		}
	case prSetTimerslack:
		c.addf(false, func(d []byte) []byte { return strconv.AppendInt(d, int64(arg(1)), 10) })
	case prSetNoNewPrivs, prSetThpDisable, prSetIOFlusher:
		u(1)
		hexFrom(2)
	case prSetVMA:
		c.addf(false, func(d []byte) []byte {
			if arg(1) == prSetVMAAnonName {
				return append(d, "PR_SET_VMA_ANON_NAME"...)
			}
			return append(appendHexNum(d, arg(1)), " /* PR_SET_VMA_??? */"...)
		})
		if arg(1) == prSetVMAAnonName {
			c.addf(false, func(d []byte) []byte { return appendPtr(d, arg(2)) })
			u(3)
			c.addf(false, func(d []byte) []byte { return appendPtr(d, arg(4)) })
		} else {
			hexFrom(2)
		}
	case prSetMM:
		enum(1, "pr_set_mm")
		hexFrom(2)
	default:
		hexFrom(1)
	}
}

// prctlRet decorates PR_GET_DUMPABLE's result with its name, as strace.
func prctlRet(c *call, d []byte) []byte {
	d = strconv.AppendInt(d, c.ev.Ret, 10)
	if uint32(c.ev.Args[0]) == prGetDumpable && c.ev.Ret >= 0 && c.ev.Ret < int64(len(suidDump)) {
		d = append(d, " ("...)
		d = append(d, suidDump[c.ev.Ret]...)
		d = append(d, ')')
	}
	return d
}
