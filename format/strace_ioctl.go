package format

import "strconv"

// ioctlArgKind is how strace 6.1 prints the third argument of an ioctl
// whose command it knows but whose argument this format does not decode:
// its decoders print a pointer's address (NULL) when they cannot read it,
// some commands take no argument, some a number; a command without a
// decoder gets the argument in hex ("0", "0x3").
type ioctlArgKind uint8

const (
	ioctlHex    ioctlArgKind = iota // no decoder: %#lx
	ioctlNone                       // no argument shown
	ioctlPtr                        // a pointer strace follows: NULL or the address
	ioctlDec                        // a number in decimal (a descriptor, a size, a flag)
	ioctlTcflsh                     // TCFLSH's queue selector
	ioctlTcxonc                     // TCXONC's action
)

// ioctlArgs are the argument kinds of the commands of the ioctl_cmd table
// (strace's term.c, sock.c, block.c, loop.c, fs_x_ioctl.c, fs_f_ioctl.c,
// fs_0x94_ioctl.c, perf_ioctl.c, seccomp_ioctl.c), by name.
var ioctlArgs = map[string]ioctlArgKind{
	// Terminals.
	"TCSBRK": ioctlDec, "TCSBRKP": ioctlDec, "TIOCSCTTY": ioctlDec, "TCFLSH": ioctlTcflsh, "TCXONC": ioctlTcxonc,
	"TIOCNOTTY": ioctlNone, "TIOCEXCL": ioctlNone, "TIOCNXCL": ioctlNone, "TIOCSBRK": ioctlNone, "TIOCCBRK": ioctlNone,
	"TIOCCONS": ioctlNone, "TIOCVHANGUP": ioctlNone,
	"TCGETA": ioctlPtr, "TCSETA": ioctlPtr, "TCSETAW": ioctlPtr, "TCSETAF": ioctlPtr, "TCGETS2": ioctlPtr,
	"TCSETS2": ioctlPtr, "TCSETSW2": ioctlPtr, "TCSETSF2": ioctlPtr, "TIOCSTI": ioctlPtr, "TIOCMGET": ioctlPtr,
	"TIOCMBIS": ioctlPtr, "TIOCMBIC": ioctlPtr, "TIOCMSET": ioctlPtr, "TIOCGSOFTCAR": ioctlPtr, "TIOCSSOFTCAR": ioctlPtr,
	"TIOCSETD": ioctlPtr, "TIOCGETD": ioctlPtr, "TIOCGPTN": ioctlPtr, "TIOCSPTLCK": ioctlPtr, "TIOCGDEV": ioctlPtr,
	"TIOCGPKT": ioctlPtr, "TIOCGPTLCK": ioctlPtr, "TIOCGEXCL": ioctlPtr, "TIOCPKT": ioctlPtr, "TIOCLINUX": ioctlPtr,
	// Sockets: struct ifreq and ifconf, ints.
	"SIOCGIFCONF": ioctlPtr, "SIOCGIFNAME": ioctlPtr, "SIOCGIFINDEX": ioctlPtr, "SIOCGIFFLAGS": ioctlPtr,
	"SIOCSIFFLAGS": ioctlPtr, "SIOCGIFADDR": ioctlPtr, "SIOCSIFADDR": ioctlPtr, "SIOCGIFDSTADDR": ioctlPtr,
	"SIOCSIFDSTADDR": ioctlPtr, "SIOCGIFBRDADDR": ioctlPtr, "SIOCSIFBRDADDR": ioctlPtr, "SIOCGIFNETMASK": ioctlPtr,
	"SIOCSIFNETMASK": ioctlPtr, "SIOCGIFMETRIC": ioctlPtr, "SIOCSIFMETRIC": ioctlPtr, "SIOCGIFMTU": ioctlPtr,
	"SIOCSIFMTU": ioctlPtr, "SIOCSIFNAME": ioctlPtr, "SIOCGIFHWADDR": ioctlPtr, "SIOCSIFHWADDR": ioctlPtr,
	"SIOCGIFSLAVE": ioctlPtr, "SIOCSIFSLAVE": ioctlPtr, "SIOCGIFTXQLEN": ioctlPtr, "SIOCSIFTXQLEN": ioctlPtr,
	"SIOCGIFMAP": ioctlPtr, "SIOCSIFMAP": ioctlPtr, "FIOSETOWN": ioctlPtr, "SIOCSPGRP": ioctlPtr,
	"FIOGETOWN": ioctlPtr, "SIOCGPGRP": ioctlPtr, "SIOCATMARK": ioctlPtr, "SIOCBRADDBR": ioctlPtr,
	"SIOCBRDELBR": ioctlPtr, "SIOCGSTAMP": ioctlPtr, "SIOCGSTAMPNS": ioctlPtr,
	// Block devices.
	"BLKRRPART": ioctlNone, "BLKFLSBUF": ioctlNone, "BLKTRACESTART": ioctlNone, "BLKTRACESTOP": ioctlNone,
	"BLKTRACETEARDOWN": ioctlNone, "BLKRASET": ioctlDec, "BLKFRASET": ioctlDec,
	"BLKROSET": ioctlPtr, "BLKROGET": ioctlPtr, "BLKGETSIZE": ioctlPtr, "BLKRAGET": ioctlPtr, "BLKFRAGET": ioctlPtr,
	"BLKSECTGET": ioctlPtr, "BLKSSZGET": ioctlPtr, "BLKBSZGET": ioctlPtr, "BLKBSZSET": ioctlPtr,
	"BLKGETSIZE64": ioctlPtr, "BLKTRACESETUP": ioctlPtr, "BLKDISCARD": ioctlPtr, "BLKIOMIN": ioctlPtr,
	"BLKIOOPT": ioctlPtr, "BLKALIGNOFF": ioctlPtr, "BLKPBSZGET": ioctlPtr, "BLKDISCARDZEROES": ioctlPtr,
	"BLKSECDISCARD": ioctlPtr, "BLKROTATIONAL": ioctlPtr, "BLKZEROOUT": ioctlPtr,
	// Loop devices.
	"LOOP_SET_FD": ioctlDec, "LOOP_CHANGE_FD": ioctlDec, "LOOP_CLR_FD": ioctlNone, "LOOP_SET_CAPACITY": ioctlNone,
	"LOOP_CTL_GET_FREE": ioctlNone, "LOOP_SET_DIRECT_IO": ioctlDec, "LOOP_SET_BLOCK_SIZE": ioctlDec,
	"LOOP_CTL_ADD": ioctlDec, "LOOP_CTL_REMOVE": ioctlDec, "LOOP_SET_STATUS": ioctlPtr, "LOOP_GET_STATUS": ioctlPtr,
	"LOOP_SET_STATUS64": ioctlPtr, "LOOP_GET_STATUS64": ioctlPtr, "LOOP_CONFIGURE": ioctlPtr,
	// File systems.
	"FS_IOC_GETFLAGS": ioctlPtr, "FS_IOC_SETFLAGS": ioctlPtr, "FS_IOC32_GETFLAGS": ioctlPtr, "FS_IOC32_SETFLAGS": ioctlPtr,
	"FS_IOC_FSGETXATTR": ioctlPtr, "FS_IOC_FSSETXATTR": ioctlPtr, "FS_IOC_FIEMAP": ioctlPtr, "FICLONERANGE": ioctlPtr,
	"FIDEDUPERANGE": ioctlPtr, "FS_IOC_GETFSLABEL": ioctlPtr, "FS_IOC_SETFSLABEL": ioctlPtr,
	"FIFREEZE": ioctlNone, "FITHAW": ioctlNone,
	// perf events.
	"PERF_EVENT_IOC_REFRESH": ioctlDec, "PERF_EVENT_IOC_SET_OUTPUT": ioctlDec, "PERF_EVENT_IOC_SET_BPF": ioctlDec,
	"PERF_EVENT_IOC_PAUSE_OUTPUT": ioctlDec, "PERF_EVENT_IOC_PERIOD": ioctlPtr, "PERF_EVENT_IOC_SET_FILTER": ioctlPtr,
	"PERF_EVENT_IOC_ID": ioctlPtr, "PERF_EVENT_IOC_QUERY_BPF": ioctlPtr, "PERF_EVENT_IOC_MODIFY_ATTRIBUTES": ioctlPtr,
	// seccomp user notifications.
	"SECCOMP_IOCTL_NOTIF_RECV": ioctlPtr, "SECCOMP_IOCTL_NOTIF_SEND": ioctlPtr, "SECCOMP_IOCTL_NOTIF_ID_VALID": ioctlPtr,
	"SECCOMP_IOCTL_NOTIF_ADDFD": ioctlPtr,
}

// ioctlName returns the name of ioctl command cmd in the ioctl_cmd table,
// or "".
func (c *call) ioctlName(cmd uint32) string {
	if ft := c.s.tab.Flags("ioctl_cmd"); ft != nil {
		for _, e := range ft.Entries {
			if uint32(e.Value) == cmd {
				return e.Name
			}
		}
	}
	return ""
}

// ioctlArgDefault adds ioctl's third argument as strace prints it for a
// command this format does not decode further.
func (c *call) ioctlArgDefault(name string) {
	v := c.ev.Args[2]
	kind, known := ioctlArgs[name]
	switch {
	case !known:
		c.addf(false, func(d []byte) []byte { return appendHexNum(d, v) })
	case kind == ioctlNone:
	case kind == ioctlPtr:
		c.addf(true, func(d []byte) []byte { return appendPtr(d, v) })
	case kind == ioctlDec:
		c.addf(false, func(d []byte) []byte { return strconv.AppendInt(d, int64(int32(v)), 10) })
	case kind == ioctlTcflsh:
		c.addf(false, func(d []byte) []byte { return appendXval(d, "tcflsh_options", uint64(uint32(v)), "TC???") })
	case kind == ioctlTcxonc:
		c.addf(false, func(d []byte) []byte { return appendXval(d, "tcxonc_options", uint64(uint32(v)), "TC???") })
	}
}
