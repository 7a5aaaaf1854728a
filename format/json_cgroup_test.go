package format

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/strace-ebpf/strace.ebpf/internal/event"
)

// TestJSONCgroup: in a trace by cgroup, every kind of task event carries
// the cgroup id and, for a container or unit, its name; the schema
// documents both. Without them (a plain trace) neither appears.
func TestJSONCgroup(t *testing.T) {
	raw, err := os.ReadFile("../docs/json-schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var schema map[string]any
	if err := json.Unmarshal(raw, &schema); err != nil {
		t.Fatal(err)
	}
	v := validator{root: schema}
	evs := machineEvents()
	for i := range evs {
		if evs[i].Kind == event.Lost {
			continue
		}
		evs[i].Cgroup, evs[i].Container = 4242, "web"
		if i%2 == 1 {
			evs[i].Container = "" // a plain --cgroup
		}
	}
	for i, line := range bytes.Split(bytes.TrimSuffix(jsonLines(t, evs), []byte("\n")), []byte("\n")) {
		var obj map[string]any
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.UseNumber()
		if err := dec.Decode(&obj); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if err := v.check(schema, obj, "$"); err != nil {
			t.Errorf("line %d: %v\n%s", i+1, err, line)
		}
		if evs[i].Kind == event.Lost {
			continue
		}
		want := map[string]any{"cgroup": json.Number("4242")}
		if evs[i].Container != "" {
			want["container"] = "web"
		}
		got := map[string]any{"cgroup": obj["cgroup"]}
		if c, ok := obj["container"]; ok {
			got["container"] = c
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("line %d (-want +got):\n%s", i+1, diff)
		}
	}
	if plain := jsonLines(t, machineEvents()); bytes.Contains(plain, []byte(`"cgroup"`)) || bytes.Contains(plain, []byte(`"container"`)) {
		t.Errorf("a trace not by cgroup has cgroup fields:\n%s", plain)
	}
}
