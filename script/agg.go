package script

import (
	"fmt"
	"math"
	"math/bits"
	"sort"
	"strconv"
	"strings"

	"go.starlark.net/starlark"
)

// aggKind is the kind of an aggregation, as in bpftrace's map functions.
type aggKind uint8

const (
	aggCount aggKind = iota
	aggSum
	aggStats
	aggHist
	aggLhist
)

var aggKindNames = [...]string{"count", "sum", "stats", "hist", "lhist"}

// Agg is an aggregation: a map from keys to counts, sums, statistics or
// histograms that prints like bpftrace's maps.
type Agg struct {
	kind    aggKind
	name    string
	lmin    int64 // lhist
	lmax    int64
	lstep   int64
	entries map[string]*aggEntry
	frozen  bool
	bound   map[string]*starlark.Builtin // methods bound once: m.add costs no allocation per call
}

type aggEntry struct {
	key     starlark.Value // None for the key-less entry
	label   string
	count   int64
	sum     int64
	min     int64
	max     int64
	buckets map[int]int64 // hist: log2 index (-1 negative, 0 zero); lhist: (v-min)/step, -1 below, n above
}

var (
	_ starlark.HasAttrs = (*Agg)(nil)
	_ starlark.Mapping  = (*Agg)(nil)
	_ starlark.Iterable = (*Agg)(nil)
	_ starlark.Sequence = (*Agg)(nil)
)

func (a *Agg) Type() string         { return "strace." + aggKindNames[a.kind] }
func (a *Agg) Freeze()              { a.frozen = true }
func (a *Agg) Truth() starlark.Bool { return len(a.entries) > 0 }
func (a *Agg) Hash() (uint32, error) {
	return 0, fmt.Errorf("unhashable type: %s", a.Type())
}
func (a *Agg) Len() int { return len(a.entries) }

func newAggBuiltin(kind aggKind) func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
	return func(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		a := &Agg{kind: kind, entries: map[string]*aggEntry{}}
		if kind == aggLhist {
			if err := starlark.UnpackArgs(b.Name(), args, kwargs, "min", &a.lmin, "max", &a.lmax, "step", &a.lstep, "name?", &a.name); err != nil {
				return nil, err
			}
			if a.lstep <= 0 || a.lmax <= a.lmin {
				return nil, fmt.Errorf("%s: want min < max and step > 0, got min=%d max=%d step=%d", b.Name(), a.lmin, a.lmax, a.lstep)
			}
			if (a.lmax-a.lmin)/a.lstep > 10000 {
				return nil, fmt.Errorf("%s: %d buckets is too many (at most 10000)", b.Name(), (a.lmax-a.lmin)/a.lstep)
			}
			return a, nil
		}
		if err := starlark.UnpackArgs(b.Name(), args, kwargs, "name?", &a.name); err != nil {
			return nil, err
		}
		return a, nil
	}
}

// keyLabel is how a key prints inside @name[...]: strings bare, tuples
// joined by ", ".
func keyLabel(k starlark.Value) string {
	switch k := k.(type) {
	case starlark.String:
		return string(k)
	case starlark.NoneType:
		return ""
	case starlark.Tuple:
		parts := make([]string, len(k))
		for i, x := range k {
			parts[i] = keyLabel(x)
		}
		return strings.Join(parts, ", ")
	}
	return k.String()
}

// lookupKey is the map key of k: the label, typed so that 1 and "1" differ.
func lookupKey(k starlark.Value) (string, error) {
	switch k := k.(type) {
	case starlark.String:
		return string(k), nil
	case starlark.NoneType:
		return "\x00none", nil
	}
	if _, err := k.Hash(); err != nil {
		return "", err
	}
	return "\x00" + k.Type() + "\x00" + k.String(), nil
}

func toInt64(v starlark.Value) (int64, bool) {
	switch v := v.(type) {
	case starlark.Int:
		if n, ok := v.Int64(); ok {
			return n, true
		}
		if u, ok := v.Uint64(); ok {
			return int64(min(u, math.MaxInt64)), true
		}
	case starlark.Float:
		return int64(v), true
	case starlark.Bool:
		if v {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

func (a *Agg) entry(key starlark.Value) (*aggEntry, error) {
	k, err := lookupKey(key)
	if err != nil {
		return nil, err
	}
	e := a.entries[k]
	if e == nil {
		if a.frozen {
			return nil, fmt.Errorf("cannot insert into frozen %s", a.Type())
		}
		e = &aggEntry{key: key, label: keyLabel(key), min: math.MaxInt64, max: math.MinInt64}
		if a.kind >= aggHist {
			e.buckets = map[int]int64{}
		}
		a.entries[k] = e
	}
	return e, nil
}

func (a *Agg) add(key starlark.Value, v int64) error {
	if a.frozen {
		return fmt.Errorf("cannot add to frozen %s", a.Type())
	}
	e, err := a.entry(key)
	if err != nil {
		return err
	}
	if a.kind == aggCount {
		e.count += v
	} else {
		e.count++
	}
	e.sum += v
	e.min = min(e.min, v)
	e.max = max(e.max, v)
	switch a.kind {
	case aggHist:
		e.buckets[log2Bucket(v)]++
	case aggLhist:
		e.buckets[a.linBucket(v)]++
	}
	return nil
}

func log2Bucket(v int64) int {
	if v < 0 {
		return -1
	}
	return bits.Len64(uint64(v)) // 0 -> 0, 1 -> 1, 2..3 -> 2, 4..7 -> 3
}

func (a *Agg) nbuckets() int { return int((a.lmax - a.lmin + a.lstep - 1) / a.lstep) }

func (a *Agg) linBucket(v int64) int {
	if v < a.lmin {
		return -1
	}
	if v >= a.lmax {
		return a.nbuckets()
	}
	return int((v - a.lmin) / a.lstep)
}

// value is what m[key] and items() give for an entry.
func (a *Agg) value(e *aggEntry) starlark.Value {
	switch a.kind {
	case aggCount, aggHist, aggLhist:
		return starlark.MakeInt64(e.count)
	case aggSum:
		return starlark.MakeInt64(e.sum)
	}
	d := starlark.NewDict(5)
	d.SetKey(starlark.String("count"), starlark.MakeInt64(e.count))
	d.SetKey(starlark.String("min"), starlark.MakeInt64(e.min))
	d.SetKey(starlark.String("avg"), starlark.MakeInt64(e.avg()))
	d.SetKey(starlark.String("max"), starlark.MakeInt64(e.max))
	d.SetKey(starlark.String("total"), starlark.MakeInt64(e.sum))
	return d
}

func (e *aggEntry) avg() int64 {
	if e.count == 0 {
		return 0
	}
	return e.sum / e.count
}

// rank is what entries sort by: the sum for sum maps, the count otherwise.
func (a *Agg) rank(e *aggEntry) int64 {
	if a.kind == aggSum {
		return e.sum
	}
	return e.count
}

// sorted returns the entries by rank, descending when desc, ties by label.
func (a *Agg) sorted(desc bool) []*aggEntry {
	es := make([]*aggEntry, 0, len(a.entries))
	for _, e := range a.entries {
		es = append(es, e)
	}
	sort.Slice(es, func(i, j int) bool {
		ri, rj := a.rank(es[i]), a.rank(es[j])
		if ri != rj {
			return (ri < rj) != desc
		}
		return es[i].label < es[j].label
	})
	return es
}

func (a *Agg) Get(k starlark.Value) (starlark.Value, bool, error) {
	key, err := lookupKey(k)
	if err != nil {
		return nil, false, err
	}
	e, ok := a.entries[key]
	if !ok {
		return nil, false, nil
	}
	return a.value(e), true, nil
}

func (a *Agg) Iterate() starlark.Iterator {
	es := a.sorted(true)
	keys := make([]starlark.Value, len(es))
	for i, e := range es {
		keys[i] = e.key
	}
	return starlark.NewList(keys).Iterate()
}

// String renders the aggregation as bpftrace prints its maps, smallest
// first, without a final newline.
func (a *Agg) String() string {
	var b strings.Builder
	es := a.sorted(false)
	for i, e := range es {
		head := "@" + a.name
		if _, none := e.key.(starlark.NoneType); !none {
			head += "[" + e.label + "]"
		}
		switch a.kind {
		case aggCount, aggSum:
			fmt.Fprintf(&b, "%s: %d", head, a.rank(e))
		case aggStats:
			fmt.Fprintf(&b, "%s: count %d, min %d, avg %d, max %d, total %d", head, e.count, e.min, e.avg(), e.max, e.sum)
		default:
			if i > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(head + ":\n")
			a.writeHist(&b, e)
		}
		if i < len(es)-1 {
			b.WriteByte('\n')
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

const histBarWidth = 52

func (a *Agg) writeHist(b *strings.Builder, e *aggEntry) {
	lo, hi := math.MaxInt, math.MinInt
	var top int64
	for i, n := range e.buckets {
		lo, hi = min(lo, i), max(hi, i)
		top = max(top, n)
	}
	for i := lo; i <= hi; i++ {
		n := e.buckets[i]
		bar := 0
		if top > 0 {
			bar = int(n * histBarWidth / top)
		}
		fmt.Fprintf(b, "%-16s %8d |%s%s|\n", a.bucketLabel(i), n, strings.Repeat("@", bar), strings.Repeat(" ", histBarWidth-bar))
	}
}

func (a *Agg) bucketLabel(i int) string {
	if a.kind == aggLhist {
		switch {
		case i < 0:
			return "(..., " + strconv.FormatInt(a.lmin, 10) + ")"
		case i >= a.nbuckets():
			return "[" + strconv.FormatInt(a.lmax, 10) + ", ...)"
		}
		lo := a.lmin + int64(i)*a.lstep
		return "[" + strconv.FormatInt(lo, 10) + ", " + strconv.FormatInt(min(lo+a.lstep, a.lmax), 10) + ")"
	}
	switch i {
	case -1:
		return "(..., 0)"
	case 0:
		return "[0]"
	case 1:
		return "[1]"
	}
	return "[" + sizeLabel(uint64(1)<<(i-1)) + ", " + sizeLabel(uint64(1)<<i) + ")"
}

// sizeLabel prints powers of two as bpftrace does: 512, 1K, 2M.
func sizeLabel(v uint64) string {
	suffixes := []string{"", "K", "M", "G", "T", "P", "E"}
	i := 0
	for v >= 1024 && v%1024 == 0 && i < len(suffixes)-1 {
		v /= 1024
		i++
	}
	return strconv.FormatUint(v, 10) + suffixes[i]
}

// Methods of aggregations.
var aggMethods = map[string]*starlark.Builtin{
	"add":   starlark.NewBuiltin("add", aggAdd),
	"get":   starlark.NewBuiltin("get", aggGet),
	"items": starlark.NewBuiltin("items", aggItems),
	"keys":  starlark.NewBuiltin("keys", aggKeys),
	"top":   starlark.NewBuiltin("top", aggTop),
	"total": starlark.NewBuiltin("total", aggTotal),
	"clear": starlark.NewBuiltin("clear", aggClear),
}

// AggMethods is the sorted list of the methods of aggregations.
func AggMethods() []string { return sortedKeys(aggMethods) }

func (a *Agg) Attr(name string) (starlark.Value, error) {
	if b, ok := a.bound[name]; ok {
		return b, nil
	}
	if m, ok := aggMethods[name]; ok {
		if a.bound == nil {
			a.bound = map[string]*starlark.Builtin{}
		}
		b := m.BindReceiver(a)
		a.bound[name] = b
		return b, nil
	}
	return nil, nil
}

func (a *Agg) AttrNames() []string { return AggMethods() }

func aggOf(b *starlark.Builtin) *Agg { return b.Receiver().(*Agg) }

// m.add(key=None, n=1) for count; m.add(value) or m.add(key, value) for the
// others.
func aggAdd(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	a := aggOf(b)
	if len(kwargs) > 0 {
		return nil, fmt.Errorf("%s.add: takes no keyword arguments", a.Type())
	}
	var key starlark.Value = starlark.None
	var val starlark.Value
	switch {
	case a.kind == aggCount && len(args) <= 2:
		val = starlark.MakeInt(1)
		if len(args) >= 1 {
			key = args[0]
		}
		if len(args) == 2 {
			val = args[1]
		}
	case a.kind != aggCount && len(args) == 1:
		val = args[0]
	case a.kind != aggCount && len(args) == 2:
		key, val = args[0], args[1]
	default:
		return nil, fmt.Errorf("%s.add: got %d arguments, want %s", a.Type(), len(args), map[bool]string{true: "key and optional count", false: "value or key and value"}[a.kind == aggCount])
	}
	n, ok := toInt64(val)
	if !ok {
		return nil, fmt.Errorf("%s.add: got %s value, want int", a.Type(), val.Type())
	}
	if err := a.add(key, n); err != nil {
		return nil, fmt.Errorf("%s.add: %w", a.Type(), err)
	}
	return starlark.None, nil
}

func aggGet(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	a := aggOf(b)
	var key starlark.Value = starlark.None
	var def starlark.Value = starlark.None
	if err := starlark.UnpackPositionalArgs(a.Type()+".get", args, kwargs, 0, &key, &def); err != nil {
		return nil, err
	}
	v, ok, err := a.Get(key)
	if err != nil {
		return nil, fmt.Errorf("%s.get: %w", a.Type(), err)
	}
	if !ok {
		return def, nil
	}
	return v, nil
}

func (a *Agg) itemList(n int) *starlark.List {
	es := a.sorted(true)
	if n > 0 && n < len(es) {
		es = es[:n]
	}
	l := make([]starlark.Value, len(es))
	for i, e := range es {
		l[i] = starlark.Tuple{e.key, a.value(e)}
	}
	return starlark.NewList(l)
}

func aggItems(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	a := aggOf(b)
	if err := starlark.UnpackPositionalArgs(a.Type()+".items", args, kwargs, 0); err != nil {
		return nil, err
	}
	return a.itemList(0), nil
}

func aggTop(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	a := aggOf(b)
	n := 10
	if err := starlark.UnpackArgs(a.Type()+".top", args, kwargs, "n?", &n); err != nil {
		return nil, err
	}
	return a.itemList(n), nil
}

func aggKeys(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	a := aggOf(b)
	if err := starlark.UnpackPositionalArgs(a.Type()+".keys", args, kwargs, 0); err != nil {
		return nil, err
	}
	es := a.sorted(true)
	l := make([]starlark.Value, len(es))
	for i, e := range es {
		l[i] = e.key
	}
	return starlark.NewList(l), nil
}

func aggTotal(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	a := aggOf(b)
	if err := starlark.UnpackPositionalArgs(a.Type()+".total", args, kwargs, 0); err != nil {
		return nil, err
	}
	var n int64
	for _, e := range a.entries {
		n += a.rank(e)
	}
	return starlark.MakeInt64(n), nil
}

func aggClear(t *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	a := aggOf(b)
	if err := starlark.UnpackPositionalArgs(a.Type()+".clear", args, kwargs, 0); err != nil {
		return nil, err
	}
	if a.frozen {
		return nil, fmt.Errorf("%s.clear: frozen", a.Type())
	}
	clear(a.entries)
	return starlark.None, nil
}
