package session

// --container NAME|ID: a container of Podman, CRI-O, Docker or containerd,
// found in the runtimes' state on disk (no socket, no client library): the
// container's id and names, then the pid of its first process, whose cgroup
// is the container's. docs/containers.md says why and what each runtime
// needs.

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/strace-ebpf/strace.ebpf/engine"
)

// stateRoot prefixes every runtime state path (tests point it at a tree of
// their own).
var stateRoot = "/"

// The runtimes' state on disk.
const (
	// containers/storage (Podman, CRI-O): every container's id and names.
	storageContainers = "var/lib/containers/storage/overlay-containers/containers.json"
	// ... and, while it runs, its first process's pid (conmon's --container-pidfile).
	storageRun = "run/containers/storage/overlay-containers"
	// Docker: each container's config, with its name.
	dockerContainers = "var/lib/docker/containers"
	// containerd's runc shims (Docker's "moby" namespace among them): a
	// directory per namespace, one per running container, with init.pid
	// and the OCI bundle's config.json.
	containerdTasks = "run/containerd/io.containerd.runtime.v2.task"
)

// container is one container found in a runtime's state.
type container struct {
	runtime string   // "podman/cri-o", "docker", "containerd"
	id      string   // the full id
	names   []string // its names ("web", "k8s.io/abc", a pod's container name)
	pid     int      // its first process; 0 when it is not running
}

// resolveContainer finds the cgroup of the running container named, or
// whose id (or an unambiguous prefix of it) is, name.
func resolveContainer(name string) (engine.Cgroup, error) {
	all, looked := listContainers()
	var found []container
	for _, c := range all {
		if c.id == name || (len(name) >= 4 && strings.HasPrefix(c.id, name)) || contains(c.names, name) {
			found = append(found, c)
		}
	}
	switch {
	case len(found) == 0:
		return engine.Cgroup{}, fmt.Errorf("finding container %s: no container of that name or id in %s", name, strings.Join(looked, ", "))
	case len(found) > 1:
		var ids []string
		for _, c := range found {
			ids = append(ids, c.runtime+" "+short(c.id))
		}
		return engine.Cgroup{}, fmt.Errorf("finding container %s: %d containers match (%s): give more of the id", name, len(found), strings.Join(ids, ", "))
	}
	c := found[0]
	if c.pid <= 0 || !alive(c.pid) {
		return engine.Cgroup{}, fmt.Errorf("finding container %s: %s container %s is %w", name, c.runtime, short(c.id), errNotRunning)
	}
	cg, err := engine.CgroupOfPID(c.pid)
	if err != nil {
		return engine.Cgroup{}, fmt.Errorf("finding container %s: the cgroup of its process %d: %w", name, c.pid, err)
	}
	cg.Name = c.id
	if len(c.names) > 0 {
		cg.Name = c.names[0]
	}
	cg.ContainerID, cg.Running = c.id, true
	return cg, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func short(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// alive says process pid exists (and is not a zombie waiting for its
// parent: a container whose process exited is not running).
func alive(pid int) bool {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return false
	}
	i := strings.LastIndexByte(string(b), ')')
	return i >= 0 && i+2 < len(b) && b[i+2] != 'Z'
}

// readPid reads a pid file.
func readPid(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0
	}
	return pid
}

// listContainers lists the containers of every runtime whose state is on
// this machine, and the places looked in.
func listContainers() ([]container, []string) {
	var all []container
	var looked []string
	at := func(p string) string { return filepath.Join(stateRoot, p) }

	// Podman and CRI-O (containers/storage).
	looked = append(looked, at(storageContainers))
	if b, err := os.ReadFile(at(storageContainers)); err == nil {
		var cs []struct {
			ID    string   `json:"id"`
			Names []string `json:"names"`
		}
		if json.Unmarshal(b, &cs) == nil {
			for _, c := range cs {
				pid := readPid(filepath.Join(at(storageRun), c.ID, "userdata", "pidfile"))
				all = append(all, container{runtime: "podman/cri-o", id: c.ID, names: c.Names, pid: pid})
			}
		}
	}

	// containerd's tasks, per namespace: Docker's are in "moby".
	looked = append(looked, at(containerdTasks))
	tasks := map[string]int{} // id -> pid, for Docker's names
	nss, _ := os.ReadDir(at(containerdTasks))
	for _, ns := range nss {
		ids, _ := os.ReadDir(filepath.Join(at(containerdTasks), ns.Name()))
		for _, id := range ids {
			dir := filepath.Join(at(containerdTasks), ns.Name(), id.Name())
			pid := readPid(filepath.Join(dir, "init.pid"))
			if ns.Name() == "moby" {
				tasks[id.Name()] = pid
				continue
			}
			c := container{runtime: "containerd", id: id.Name(), pid: pid,
				names: []string{ns.Name() + "/" + id.Name()}}
			c.names = append(c.names, criNames(filepath.Join(dir, "config.json"))...)
			all = append(all, c)
		}
	}

	// Docker: names from its own state, pids from containerd's.
	looked = append(looked, at(dockerContainers))
	ds, _ := os.ReadDir(at(dockerContainers))
	for _, d := range ds {
		var cfg struct {
			Name  string
			State struct{ Pid int }
		}
		b, err := os.ReadFile(filepath.Join(at(dockerContainers), d.Name(), "config.v2.json"))
		if err != nil || json.Unmarshal(b, &cfg) != nil {
			continue
		}
		pid, ok := tasks[d.Name()]
		if !ok {
			pid = cfg.State.Pid
		}
		all = append(all, container{runtime: "docker", id: d.Name(), names: []string{strings.TrimPrefix(cfg.Name, "/")}, pid: pid})
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].runtime < all[j].runtime })
	return all, looked
}

// criNames are the names crictl shows for a container of containerd's CRI
// plugin, from its OCI bundle's annotations: the container's name, and
// pod/container.
func criNames(configJSON string) []string {
	b, err := os.ReadFile(configJSON)
	if err != nil {
		return nil
	}
	var spec struct {
		Annotations map[string]string `json:"annotations"`
	}
	if json.Unmarshal(b, &spec) != nil {
		return nil
	}
	a := spec.Annotations
	var names []string
	if n := a["io.kubernetes.cri.container-name"]; n != "" {
		names = append(names, n)
		if pod := a["io.kubernetes.cri.sandbox-name"]; pod != "" {
			names = append(names, pod+"/"+n)
		}
	}
	return names
}
