package syscalls

import (
	"strconv"
	"strings"
	"sync"
)

type errnoInfo struct {
	nr      int
	name    string
	message string
}

type signalInfo struct {
	nr   int
	name string
}

// errnoIndex maps errno numbers to their entries of errnos.
var errnoIndex = sync.OnceValue(func() map[int]*errnoInfo {
	m := make(map[int]*errnoInfo, len(errnos))
	for i := range errnos {
		m[errnos[i].nr] = &errnos[i]
	}
	return m
})

// ErrnoName returns the name of errno, such as "ENOENT", or "" when it is
// unknown (strace prints those as the bare number).
func ErrnoName(errno int) string {
	if e := errnoIndex()[errno]; e != nil {
		return e.name
	}
	return ""
}

// ErrnoMessage returns the glibc strerror text of errno, such as "No such
// file or directory", as strace prints it; "" when errno is unknown.
func ErrnoMessage(errno int) string {
	if e := errnoIndex()[errno]; e != nil {
		return e.message
	}
	return ""
}

// ErrnoByName returns the number of the errno called name ("ENOENT"). The
// aliases EWOULDBLOCK, EDEADLOCK and ENOTSUP are accepted too.
func ErrnoByName(name string) (int, bool) {
	switch name {
	case "EWOULDBLOCK":
		name = "EAGAIN"
	case "EDEADLOCK":
		name = "EDEADLK"
	case "ENOTSUP":
		name = "EOPNOTSUPP"
	}
	for _, e := range errnos {
		if e.name == name {
			return e.nr, true
		}
	}
	return 0, false
}

// Realtime signal range of the kernel ABI (not glibc's, which reserves the
// first two).
const (
	sigRTMin = 32
	sigRTMax = 64
)

// SignalName returns strace's name of signal sig: "SIGKILL", "SIGRTMIN"
// for 32 and "SIGRT_3" for 35 (strace's spelling of SIGRTMIN+3); "" when
// sig is not a signal number.
func SignalName(sig int) string {
	for _, s := range signals {
		if s.nr == sig {
			return s.name
		}
	}
	switch {
	case sig == sigRTMin:
		return "SIGRTMIN"
	case sig > sigRTMin && sig <= sigRTMax:
		return "SIGRT_" + strconv.Itoa(sig-sigRTMin)
	}
	return ""
}

// SignalByName returns the number of a signal given as "KILL", "SIGKILL",
// "9", "SIGRTMIN", "SIGRTMIN+3", "RTMIN+3" or "SIGRT_3"; names are
// case-insensitive.
func SignalByName(name string) (int, bool) {
	if n, err := strconv.Atoi(name); err == nil {
		return n, n > 0 && n <= sigRTMax
	}
	up := strings.ToUpper(name)
	if !strings.HasPrefix(up, "SIG") {
		up = "SIG" + up
	}
	switch up {
	case "SIGIOT":
		up = "SIGABRT"
	case "SIGPOLL":
		up = "SIGIO"
	case "SIGUNUSED":
		up = "SIGSYS"
	case "SIGRTMIN":
		return sigRTMin, true
	case "SIGRTMAX":
		return sigRTMax, true
	}
	for _, s := range signals {
		if s.name == up {
			return s.nr, true
		}
	}
	for _, prefix := range []string{"SIGRTMIN+", "SIGRT_"} {
		if rest, ok := strings.CutPrefix(up, prefix); ok {
			if n, err := strconv.Atoi(rest); err == nil && n >= 0 && sigRTMin+n <= sigRTMax {
				return sigRTMin + n, true
			}
		}
	}
	return 0, false
}
