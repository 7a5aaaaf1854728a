package session

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/strace-ebpf/strace.ebpf/engine"
)

// sleeperInCgroup starts a process in a cgroup of its own, made for the
// test under the first writable hierarchy, and returns its pid and the
// cgroup's id.
func sleeperInCgroup(t *testing.T) (int, uint64) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("making a cgroup needs root")
	}
	var dir string
	for _, root := range []string{"/sys/fs/cgroup/unified", "/sys/fs/cgroup/pids", "/sys/fs/cgroup"} {
		if _, err := os.Stat(filepath.Join(root, "cgroup.procs")); err != nil {
			continue
		}
		d := filepath.Join(root, fmt.Sprintf("strace-ebpf-ctr-%d", os.Getpid()))
		if os.Mkdir(d, 0o755) == nil {
			dir = d
			break
		}
	}
	if dir == "" {
		t.Skip("no writable cgroup hierarchy")
	}
	cmd := exec.Command("sh", "-c", fmt.Sprintf("echo $$ > %s/cgroup.procs && exec sleep 60", dir))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		for range 50 {
			if os.Remove(dir) == nil {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
	for range 500 {
		b, _ := os.ReadFile(filepath.Join(dir, "cgroup.procs"))
		if strings.TrimSpace(string(b)) == strconv.Itoa(cmd.Process.Pid) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	c, err := engine.ResolveCgroup(dir)
	if err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid, c.ID
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestResolveContainer: each runtime's state on disk, laid out as the
// runtime lays it out (in a directory of the test's), leads from a
// container's name or id to the cgroup of its running process; a stopped
// one, an unknown one and an ambiguous prefix are refused, naming what was
// looked for.
func TestResolveContainer(t *testing.T) {
	pid, cgid := sleeperInCgroup(t)
	root := t.TempDir()
	old := stateRoot
	stateRoot = root
	t.Cleanup(func() { stateRoot = old })

	const (
		podID   = "aaaa1111bbbb2222cccc3333dddd4444eeee5555ffff6666aaaa7777bbbb8888"
		podStop = "aaaa9999bbbb2222cccc3333dddd4444eeee5555ffff6666aaaa7777bbbb8888"
		dockID  = "d0c4e7a1d0c4e7a1d0c4e7a1d0c4e7a1d0c4e7a1d0c4e7a1d0c4e7a1d0c4e7a1"
	)
	// Podman / CRI-O: containers/storage's list, conmon's pid file.
	writeFile(t, filepath.Join(root, storageContainers),
		fmt.Sprintf(`[{"id":%q,"names":["web"]},{"id":%q,"names":["stopped"]}]`, podID, podStop))
	writeFile(t, filepath.Join(root, storageRun, podID, "userdata", "pidfile"), strconv.Itoa(pid))
	// Docker: its config with the name, containerd's moby task with the pid.
	writeFile(t, filepath.Join(root, dockerContainers, dockID, "config.v2.json"), `{"Name":"/db","State":{"Pid":0}}`)
	writeFile(t, filepath.Join(root, containerdTasks, "moby", dockID, "init.pid"), strconv.Itoa(pid))
	// containerd (crictl's k8s.io namespace): the bundle's CRI annotations.
	writeFile(t, filepath.Join(root, containerdTasks, "k8s.io", "c0ffee", "init.pid"), strconv.Itoa(pid))
	writeFile(t, filepath.Join(root, containerdTasks, "k8s.io", "c0ffee", "config.json"),
		`{"annotations":{"io.kubernetes.cri.container-name":"nginx","io.kubernetes.cri.sandbox-name":"frontend-7d4"}}`)

	for _, tt := range []struct{ name, wantName, wantID string }{
		{"web", "web", podID},
		{podID, "web", podID},
		{podID[:12], "web", podID},
		{"db", "db", dockID},
		{dockID[:8], "db", dockID},
		{"k8s.io/c0ffee", "k8s.io/c0ffee", "c0ffee"},
		{"nginx", "k8s.io/c0ffee", "c0ffee"},
		{"frontend-7d4/nginx", "k8s.io/c0ffee", "c0ffee"},
	} {
		c, err := resolveContainer(tt.name)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if c.ID != cgid || c.Name != tt.wantName || c.ContainerID != tt.wantID {
			t.Errorf("%s: cgroup %d name %q id %q, want cgroup %d name %q id %q", tt.name, c.ID, c.Name, c.ContainerID, cgid, tt.wantName, tt.wantID)
		}
	}

	for _, tt := range []struct{ name, want string }{
		{"stopped", "finding container stopped: podman/cri-o container aaaa9999bbbb is not running"},
		{"nosuch", "finding container nosuch: no container of that name or id in " + filepath.Join(root, storageContainers)},
		{"aaaa", "finding container aaaa: 2 containers match (podman/cri-o aaaa1111bbbb, podman/cri-o aaaa9999bbbb): give more of the id"},
	} {
		_, err := resolveContainer(tt.name)
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
		if tt.name == "stopped" && !errors.Is(err, errNotRunning) {
			t.Errorf("%s: %v does not wrap errNotRunning", tt.name, err)
		}
	}
}
