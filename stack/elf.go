package stack

import (
	"debug/elf"
	"debug/gosym"
	"encoding/hex"
	"path/filepath"
	"sort"
)

// object is what the symbolizer needs of one ELF file.
type object struct {
	loads []elf.ProgHeader // PT_LOAD segments
	syms  []sym            // function symbols by address; the first of equal addresses kept
	gotab *gosym.Table     // Go binaries without a symbol table: their pclntab
	cfi   *ehFrame         // nil without .eh_frame

	// What was found for an address, by address: a process makes its
	// calls from a few places, and every stack repeats their frames.
	rules map[uint64]cfiEntry
	names map[uint64]symEntry
}

type cfiEntry struct {
	rules frameRules
	ra    uint64
	ok    bool
}

type symEntry struct {
	name string
	off  uint64
}

// cacheMax bounds each per-file cache; a full one starts over.
const cacheMax = 1 << 16

type sym struct {
	value uint64
	name  string
}

type fileCache struct {
	objs map[string]*object // by path; nil when unreadable
}

func newFileCache() *fileCache { return &fileCache{objs: make(map[string]*object)} }

// DebugDir is where separate debug files are looked up by build id
// (.build-id/xx/rest.debug), as gdb and perf do.
var DebugDir = "/usr/lib/debug"

func (c *fileCache) get(path string) *object {
	if o, ok := c.objs[path]; ok {
		return o
	}
	o := loadObject(path)
	c.objs[path] = o
	return o
}

func loadObject(path string) *object {
	if path == "" || path[0] != '/' {
		return nil
	}
	f, err := elf.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	o := &object{}
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD {
			o.loads = append(o.loads, p.ProgHeader)
		}
	}
	syms := funcSyms(f)
	if !hasSymtab(f) {
		// A stripped file: its debug file's full table too, when
		// installed. The file's own names come first, so that an
		// address keeps the exported name strace -k shows (__open64,
		// not __libc_open64), and the debug file names the rest.
		if id := buildID(f); len(id) > 2 {
			if df, err := elf.Open(filepath.Join(DebugDir, ".build-id", id[:2], id[2:]+".debug")); err == nil {
				syms = append(syms, funcSyms(df)...)
				df.Close()
			}
		}
	}
	o.syms = sortSyms(syms)
	if len(o.syms) == 0 {
		o.gotab = goTable(f)
	}
	o.cfi = parseEhFrame(f)
	return o
}

func hasSymtab(f *elf.File) bool {
	s := f.Section(".symtab")
	return s != nil && s.Type == elf.SHT_SYMTAB
}

// funcSyms lists the defined functions of .symtab and .dynsym in file
// order. Of several names for one address the first in the file wins
// (sortSyms), as in libunwind, which strace -k uses: __open64, not open.
func funcSyms(f *elf.File) []sym {
	var out []sym
	add := func(ss []elf.Symbol, err error) {
		if err != nil {
			return
		}
		for _, s := range ss {
			if elf.ST_TYPE(s.Info) == elf.STT_FUNC && s.Section != elf.SHN_UNDEF && s.Value != 0 {
				out = append(out, sym{s.Value, s.Name})
			}
		}
	}
	// In section order, as libunwind walks them.
	for _, sec := range f.Sections {
		switch sec.Type {
		case elf.SHT_SYMTAB:
			add(f.Symbols())
		case elf.SHT_DYNSYM:
			add(f.DynamicSymbols())
		}
	}
	return out
}

// sortSyms sorts by address and keeps the first name of each address.
func sortSyms(out []sym) []sym {
	sort.SliceStable(out, func(i, j int) bool { return out[i].value < out[j].value })
	n := 0
	for i := range out {
		if n > 0 && out[n-1].value == out[i].value {
			continue
		}
		out[n] = out[i]
		n++
	}
	return out[:n]
}

func buildID(f *elf.File) string {
	s := f.Section(".note.gnu.build-id")
	if s == nil {
		return ""
	}
	b, err := s.Data()
	if err != nil || len(b) < 16 {
		return ""
	}
	namesz := f.ByteOrder.Uint32(b)
	descsz := f.ByteOrder.Uint32(b[4:])
	off := 12 + (int(namesz)+3)&^3
	if off+int(descsz) > len(b) {
		return ""
	}
	return hex.EncodeToString(b[off : off+int(descsz)])
}

// goTable reads a Go binary's pclntab, which names functions even when the
// symbol table was stripped.
func goTable(f *elf.File) *gosym.Table {
	s := f.Section(".gopclntab")
	if s == nil {
		return nil
	}
	data, err := s.Data()
	if err != nil {
		return nil
	}
	var text uint64
	if t := f.Section(".text"); t != nil {
		text = t.Addr
	}
	tab, err := gosym.NewTable(nil, gosym.NewLineTable(data, text))
	if err != nil {
		return nil
	}
	return tab
}

// vaddr converts a file offset to the address the file's symbols use.
func (o *object) vaddr(off uint64) (uint64, bool) {
	for _, p := range o.loads {
		if off >= p.Off && off < p.Off+p.Filesz {
			return off - p.Off + p.Vaddr, true
		}
	}
	return 0, false
}

// symbolize names the function at vaddr: the nearest function symbol at or
// below it, as libunwind does.
func (o *object) symbolize(vaddr uint64) (string, uint64, bool) {
	if e, ok := o.names[vaddr]; ok {
		return e.name, e.off, e.name != ""
	}
	name, off, ok := o.lookupSym(vaddr)
	if o.names == nil || len(o.names) >= cacheMax {
		o.names = make(map[uint64]symEntry)
	}
	o.names[vaddr] = symEntry{name, off}
	return name, off, ok
}

// rulesAt is the call-frame rules at vaddr, cached.
func (o *object) rulesAt(vaddr uint64) (frameRules, uint64, bool) {
	if o.cfi == nil {
		return frameRules{}, 0, false
	}
	if e, ok := o.rules[vaddr]; ok {
		return e.rules, e.ra, e.ok
	}
	r, ra, ok := o.cfi.find(vaddr)
	if o.rules == nil || len(o.rules) >= cacheMax {
		o.rules = make(map[uint64]cfiEntry)
	}
	o.rules[vaddr] = cfiEntry{r, ra, ok}
	return r, ra, ok
}

func (o *object) lookupSym(vaddr uint64) (string, uint64, bool) {
	i := sort.Search(len(o.syms), func(i int) bool { return o.syms[i].value > vaddr })
	if i > 0 {
		s := o.syms[i-1]
		return s.name, vaddr - s.value, true
	}
	if o.gotab != nil {
		if fn := o.gotab.PCToFunc(vaddr); fn != nil {
			return fn.Name, vaddr - fn.Entry, true
		}
	}
	return "", 0, false
}
