package format

import "github.com/strace-ebpf/strace.ebpf/internal/event"

// appendInjected is strace's note after the return value of a call the
// tracer tampered with (print_injected_note): " (INJECTED)" for an
// injected error or value, " (DELAYED)" for a delayed call.
func appendInjected(d []byte, fl event.Flags) []byte {
	if fl&(event.Injected|event.Delayed|event.Poked) == 0 {
		return d
	}
	switch {
	case fl&event.Injected != 0 && fl&event.Poked != 0:
		d = append(d, " (INJECTED: args, retval)"...)
	case fl&event.Poked != 0:
		d = append(d, " (INJECTED: args)"...)
	case fl&event.Injected != 0:
		d = append(d, " (INJECTED)"...)
	}
	if fl&event.Delayed != 0 {
		d = append(d, " (DELAYED)"...)
	}
	return d
}

// appendJSONInjected adds "injected" and "delayed" to a json call.
func appendJSONInjected(d []byte, fl event.Flags) []byte {
	if fl&event.Injected != 0 {
		d = append(d, `,"injected":true`...)
	}
	if fl&event.Delayed != 0 {
		d = append(d, `,"delayed":true`...)
	}
	if fl&event.Poked != 0 {
		d = append(d, `,"poked":true`...)
	}
	return d
}
