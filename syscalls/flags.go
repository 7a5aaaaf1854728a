package syscalls

import (
	"fmt"
	"runtime"
	"strconv"
	"strings"
)

// FlagStyle says how a FlagTable renders a value.
type FlagStyle uint8

const (
	// StyleBits renders a flag set: "O_RDONLY|O_CREAT|0x100000". Bits
	// inside EnumMask are an enum (O_ACCMODE, MAP_TYPE, SOCK_TYPE_MASK).
	StyleBits FlagStyle = iota
	// StyleEnum renders one named value: "SEEK_SET", or "0x9 /* SEEK_??? */".
	StyleEnum
	// StyleOctal renders a file mode in octal: "0644".
	StyleOctal
	// StyleDirfd renders a directory descriptor: "AT_FDCWD" or the number.
	StyleDirfd
	// StyleSignal renders a signal number: "SIGTERM" or the number.
	StyleSignal
	// StyleClone renders clone flags with the exit signal in the low byte:
	// "CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD".
	StyleClone
	// StyleEnumDec is StyleEnum with unknown values in decimal, as strace's
	// XLAT_STYLE_FMT_D: "153 /* SYSLOG_ACTION_??? */".
	StyleEnumDec
)

// FlagEntry is one named constant of a FlagTable.
type FlagEntry struct {
	Name  string
	Value int64
}

// FlagTable is the set of named constants an argument decoder uses, with
// the kernel ABI values of one architecture.
type FlagTable struct {
	Name     string // decoder name, e.g. "open_flags"
	Style    FlagStyle
	EnumMask uint64 // StyleBits: the bits holding an enum value instead of flags
	// Default is strace's comment for a value no constant names
	// (printflags' and printxval's dflt): "0x8 /* ?_OK */". Empty: an enum's
	// is its first constant's prefix and "???", a flag set's unknown bits
	// print bare.
	Default string
	Entries []FlagEntry
}

// LookupFlags returns the flag table called decoder (as in Arg.Decoder)
// for runtime.GOARCH, or nil when there is none. (It is not called Flags,
// the name of the Kind constant.)
func LookupFlags(decoder string) *FlagTable {
	return FlagsForArch(runtime.GOARCH, decoder)
}

// Flags returns the flag table called decoder (as in Arg.Decoder) with the
// values of the table's architecture, or nil when there is none.
func (t *Table) Flags(decoder string) *FlagTable {
	return FlagsForArch(t.arch, decoder)
}

// FlagsForArch returns the flag table called decoder for goarch ("amd64",
// "arm64", "i386": x86's values are the same in both modes), or nil when
// there is none.
func FlagsForArch(goarch, decoder string) *FlagTable {
	switch goarch {
	case "amd64", "i386":
		return flagTablesAMD64[decoder]
	case "arm64":
		return flagTablesARM64[decoder]
	}
	return nil
}

// Lookup returns the value of the constant called name.
func (t *FlagTable) Lookup(name string) (int64, bool) {
	for _, e := range t.Entries {
		if e.Name == name {
			return e.Value, true
		}
	}
	return 0, false
}

// enumName returns the name of enum value v, comparing the low 32 bits too
// when the constant is a (possibly negative) 32-bit value, since C int
// arguments arrive zero- or sign-extended.
func (t *FlagTable) enumName(v uint64, mask uint64) (string, bool) {
	for _, e := range t.Entries {
		ev := uint64(e.Value)
		if mask != 0 && ev&^mask != 0 {
			continue
		}
		if ev == v || (e.Value == int64(int32(e.Value)) && uint32(ev) == uint32(v) && (v>>32 == 0 || v>>32 == 0xffffffff)) {
			return e.Name, true
		}
	}
	return "", false
}

// unknown returns strace's comment for a value no constant names: the
// table's Default, or for an enum its first constant's prefix up to the
// first "_" ("0x9 /* SEEK_??? */").
func (t *FlagTable) unknown() string {
	if t.Default != "" || (t.Style != StyleEnum && t.Style != StyleEnumDec) || len(t.Entries) == 0 {
		return t.Default
	}
	n := t.Entries[0].Name
	if i := strings.Index(n, "_"); i > 0 {
		return n[:i+1] + "???"
	}
	return ""
}

// hex renders v as C's "%#llx": "0" for 0.
func hex(v uint64) string {
	if v == 0 {
		return "0"
	}
	return "0x" + strconv.FormatUint(v, 16)
}

// Format renders v as strace does: "O_RDONLY|O_CLOEXEC", unknown bits as
// "0x...", enum values by name, unknown ones as "0x9 /* SEEK_??? */".
// Callers pass the argument as the kernel saw it; int arguments may carry
// their sign extension.
func (t *FlagTable) Format(v uint64) string {
	if t == nil {
		return fmt.Sprintf("%#x", v)
	}
	switch t.Style {
	case StyleEnum:
		if name, ok := t.enumName(v, 0); ok {
			return name
		}
		if d := t.unknown(); d != "" {
			return hex(v) + " /* " + d + " */"
		}
		return hex(v)
	case StyleEnumDec:
		if name, ok := t.enumName(v, 0); ok {
			return name
		}
		s := strconv.FormatInt(int64(int32(v)), 10)
		if d := t.unknown(); d != "" {
			return s + " /* " + d + " */"
		}
		return s
	case StyleOctal:
		return fmt.Sprintf("%#03o", v)
	case StyleDirfd:
		if name, ok := t.enumName(v, 0); ok {
			return name
		}
		return strconv.Itoa(int(int32(v)))
	case StyleSignal:
		if name := SignalName(int(int32(v))); name != "" {
			return name
		}
		return strconv.Itoa(int(int32(v)))
	case StyleClone:
		sig := v & 0xff
		s := t.formatBits(v&^0xff, 0)
		if sig == 0 {
			return s
		}
		name := SignalName(int(sig))
		if name == "" {
			name = strconv.FormatUint(sig, 10)
		}
		if s == "0" {
			return name
		}
		return s + "|" + name
	}
	return t.formatBits(v, t.EnumMask)
}

func (t *FlagTable) formatBits(v, mask uint64) string {
	var parts []string
	if mask != 0 {
		if name, ok := t.enumName(v&mask, mask); ok {
			parts = append(parts, name)
		} else if v&mask != 0 {
			// strace prints the enum part with printxval, the flags
			// with printflags: "0x99 /* SOCK_??? */|SOCK_CLOEXEC".
			if t.Default != "" {
				parts = append(parts, hex(v&mask)+" /* "+t.Default+" */")
			} else {
				parts = append(parts, fmt.Sprintf("%#x", v&mask))
			}
		}
	}
	named := len(parts)
	rest := v &^ mask
	for _, e := range t.Entries {
		ev := uint64(e.Value)
		if ev == 0 || ev&mask != 0 {
			continue
		}
		if rest&ev == ev {
			parts = append(parts, e.Name)
			rest &^= ev
		}
	}
	if rest != 0 {
		if len(parts) == named && t.Default != "" {
			// strace's printflags: no constant matched.
			parts = append(parts, hex(rest)+" /* "+t.Default+" */")
		} else {
			parts = append(parts, hex(rest))
		}
	}
	if len(parts) == 0 {
		if mask == 0 {
			for _, e := range t.Entries {
				if e.Value == 0 {
					return e.Name
				}
			}
		}
		return "0"
	}
	return strings.Join(parts, "|")
}

// SigsetString renders a signal mask as strace does: "[INT TERM]", "[]",
// and, when more than half of the signals are set, the complement:
// "~[KILL STOP]" ("~[]" for all). Bit n-1 stands for signal n.
func SigsetString(mask uint64) string {
	invert := false
	n := 0
	for m := mask; m != 0; m &= m - 1 {
		n++
	}
	if n > 32 {
		invert = true
		mask = ^mask
	}
	var b strings.Builder
	if invert {
		b.WriteByte('~')
	}
	b.WriteByte('[')
	first := true
	for sig := 1; sig <= sigRTMax; sig++ {
		if mask&(1<<(sig-1)) == 0 {
			continue
		}
		if !first {
			b.WriteByte(' ')
		}
		first = false
		name := SignalName(sig)
		if name == "" {
			name = strconv.Itoa(sig)
		}
		b.WriteString(strings.TrimPrefix(name, "SIG"))
	}
	b.WriteByte(']')
	return b.String()
}
