package cgroupstat

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

const mountinfoV1 = `31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
35 31 0:32 /outer /sys/fs/cgroup/mem\040ory rw,relatime - cgroup cgroup rw,memory
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw`

func TestParseV1AgainstMountRoots(t *testing.T) {
	m := parseMountinfo(mountinfoV1)
	cg, err := m.parse("4:memory:/outer/docker/abc\n2:cpu,cpuacct:/docker/abc\n0::/docker/abc\n")
	if err != nil || cg.Version != 1 || cg.CPUDir != "/sys/fs/cgroup/cpu,cpuacct/docker/abc" || cg.MemoryDir != "/sys/fs/cgroup/mem ory/docker/abc" {
		t.Errorf("parse = %+v, %v", cg, err)
	}
	if _, err := m.parse("4:memory:/elsewhere/abc\n2:cpu,cpuacct:/docker/abc\n"); !errors.Is(err, ErrUnreachable) {
		t.Errorf("a cgroup outside the mount's root: %v, want ErrUnreachable", err)
	}
}

func TestParseV2(t *testing.T) {
	m := parseMountinfo("25 1 0:22 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n")
	cg, err := m.parse("0::/system.slice/docker-abc.scope\n")
	if err != nil || cg.Version != 2 || cg.CPUDir != "/sys/fs/cgroup/system.slice/docker-abc.scope" || cg.MemoryDir != cg.CPUDir {
		t.Errorf("parse = %+v, %v", cg, err)
	}
	if _, err := (Mounts{}).parse("0::/x\n"); !errors.Is(err, ErrUnreachable) {
		t.Errorf("no mounts: %v", err)
	}
}

func write(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRead(t *testing.T) {
	v1, v2 := t.TempDir(), t.TempDir()
	write(t, v1, map[string]string{"cpuacct.usage": "2500000000\n", "memory.usage_in_bytes": "10485760\n",
		"memory.stat": "cache 4096\ninactive_file 1\ntotal_inactive_file 2097152\n"})
	write(t, v2, map[string]string{"cpu.stat": "usage_usec 1500000\nuser_usec 1000000\n", "memory.current": "8388608\n",
		"memory.stat": "anon 1\nactive_file 7\ninactive_file 1048576\n"})
	var buf []byte
	s, err := Cgroup{Version: 1, CPUDir: v1, MemoryDir: v1}.Read(&buf)
	if err != nil || s.CPU != 2500*time.Millisecond || s.MemoryUsage != 10<<20 || s.WorkingSet() != 8<<20 {
		t.Errorf("v1 sample %+v, %v", s, err)
	}
	s, err = Cgroup{Version: 2, CPUDir: v2, MemoryDir: v2}.Read(&buf)
	if err != nil || s.CPU != 1500*time.Millisecond || s.WorkingSet() != 7<<20 {
		t.Errorf("v2 sample %+v, %v", s, err)
	}
	if _, err := (Cgroup{Version: 2, CPUDir: t.TempDir()}).Read(&buf); !errors.Is(err, ErrUnreachable) {
		t.Errorf("a removed cgroup: %v, want ErrUnreachable", err)
	}
}

// TestOwnCgroup reads the test process's own cgroup, where the machine has
// one with cpu and memory accounting.
func TestOwnCgroup(t *testing.T) {
	m, err := ReadMounts()
	if err != nil {
		t.Fatal(err)
	}
	cg, err := m.Of(os.Getpid(), "")
	if errors.Is(err, ErrUnreachable) {
		t.Skipf("no cgroup accounting here: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	var buf []byte
	s, err := cg.Read(&buf)
	if err != nil || s.CPU <= 0 || s.MemoryUsage == 0 {
		t.Errorf("own cgroup %+v: %+v, %v", cg, s, err)
	}
	if _, err := m.Of(os.Getpid(), "no-such-container-id"); !errors.Is(err, ErrUnreachable) {
		t.Errorf("a cgroup not naming the container: %v", err)
	}
}

func TestHostTotals(t *testing.T) {
	d, err := parseSystemCPU([]byte("cpu  100 2 30 400 5 6 7 8 0 0\n"))
	if err != nil || d != 550*clockTick {
		t.Errorf("parseSystemCPU = %v, %v", d, err)
	}
	if _, err := parseSystemCPU([]byte("intr 1 2\n")); err == nil {
		t.Error("a line other than cpu was accepted")
	}
	if d, err := SystemCPU(); err != nil || d <= 0 {
		t.Errorf("SystemCPU = %v, %v", d, err)
	}
	if m, err := HostMemory(); err != nil || m < 64<<20 {
		t.Errorf("HostMemory = %v, %v", m, err)
	}
}
