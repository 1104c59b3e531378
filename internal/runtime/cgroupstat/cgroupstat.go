// Package cgroupstat reads a control group's CPU and memory accounting
// straight from the cgroup file system, as the Docker Engine's stats do,
// for cgroup v1 (the cpuacct and memory hierarchies) and v2 (the unified
// hierarchy). A sample is three small reads and no fork, so a runtime can
// measure hundreds of containers every few seconds.
//
// A process's cgroup is found from /proc/<pid>/cgroup and the cgroup mounts
// of /proc/self/mountinfo (Mounts), so any cgroup driver and cgroup parent
// work; the paths are those of the reader's cgroup namespace, which is why
// a mount whose root lies outside a path cannot be used (ErrUnreachable).
package cgroupstat

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// ErrUnreachable means the cgroup cannot be read from here: no cgroup file
// system with the needed controllers, another cgroup or pid namespace (a
// remote engine, a server in a container), or the process is gone.
var ErrUnreachable = errors.New("cgroup accounting unreachable")

// maxFile bounds what is read of one accounting file (memory.stat is the
// largest, about 1.5 KiB with cgroup v2).
const maxFile = 8 << 10

// Sample is one reading of a cgroup.
type Sample struct {
	// CPU is the CPU time the cgroup's processes have used (user and
	// system), cumulative.
	CPU time.Duration
	// MemoryUsage is the cgroup's memory use including page cache
	// (memory.usage_in_bytes, memory.current).
	MemoryUsage uint64
	// InactiveFile is the page cache the kernel reclaims first
	// (total_inactive_file, inactive_file of memory.stat).
	InactiveFile uint64
}

// WorkingSet is the memory use less the inactive page cache: what `docker
// stats` shows and ECS counts as a container's memory.
func (s Sample) WorkingSet() uint64 {
	if s.InactiveFile < s.MemoryUsage {
		return s.MemoryUsage - s.InactiveFile
	}
	return s.MemoryUsage
}

// Cgroup names the accounting files of one cgroup.
type Cgroup struct {
	// Version is 1 or 2.
	Version int
	// CPUDir and MemoryDir are its directories (the same with cgroup v2).
	CPUDir, MemoryDir string
}

// Mounts are the cgroup file systems mounted here: one per cgroup v1
// hierarchy (by controller) and the unified one.
type Mounts struct {
	v1      map[string]mount // by controller (and name=...): cpu, cpuacct, memory, ...
	v1all   []mount          // every v1 hierarchy
	unified *mount
}

type mount struct{ root, point string }

// ReadMounts reads the cgroup mounts of this process's mount namespace.
func ReadMounts() (Mounts, error) {
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return Mounts{}, fmt.Errorf("%w: %w", ErrUnreachable, err)
	}
	return parseMountinfo(string(b)), nil
}

// parseMountinfo picks the cgroup mounts of a mountinfo: fields 4 and 5 are
// the mount's root and mount point, the file system type and its options
// follow the " - " separator.
func parseMountinfo(s string) Mounts {
	m := Mounts{v1: map[string]mount{}}
	for _, line := range strings.Split(s, "\n") {
		pre, post, ok := strings.Cut(line, " - ")
		f, g := strings.Fields(pre), strings.Fields(post)
		if !ok || len(f) < 5 || len(g) < 3 {
			continue
		}
		mt := mount{root: f[3], point: unescape(f[4])}
		switch g[0] {
		case "cgroup2":
			if m.unified == nil {
				m.unified = &mt
			}
		case "cgroup":
			m.v1all = append(m.v1all, mt)
			for _, opt := range strings.Split(g[2], ",") {
				if _, seen := m.v1[opt]; !seen {
					m.v1[opt] = mt
				}
			}
		}
	}
	return m
}

// unescape undoes mountinfo's octal escapes of spaces and the like.
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// Version is the cgroup version cpu and memory are accounted in here: 1
// when the v1 cpu, cpuacct and memory hierarchies are mounted, else 2 when
// the unified hierarchy is, else 0.
func (m Mounts) Version() int {
	_, cpu := m.v1["cpu"]
	_, acct := m.v1["cpuacct"]
	_, mem := m.v1["memory"]
	switch {
	case cpu && acct && mem:
		return 1
	case m.unified != nil:
		return 2
	}
	return 0
}

// Dir is the directory of the cgroup at path (absolute, as
// /proc/<pid>/cgroup names cgroups) in the hierarchy of a v1 controller, or
// in the unified hierarchy when ctrl is "".
func (m Mounts) Dir(ctrl, path string) (string, error) {
	if ctrl == "" {
		if m.unified == nil {
			return "", fmt.Errorf("%w: no cgroup v2 hierarchy", ErrUnreachable)
		}
		return m.unified.dir(path)
	}
	mt, ok := m.v1[ctrl]
	if !ok {
		return "", fmt.Errorf("%w: no cgroup v1 %s hierarchy", ErrUnreachable, ctrl)
	}
	return mt.dir(path)
}

// V1Dirs are the directories of the cgroup at path in every v1 hierarchy
// (where a cgroup driver creates a container's cgroup), those whose mount
// shows it.
func (m Mounts) V1Dirs(path string) []string {
	var out []string
	for _, mt := range m.v1all {
		if d, err := mt.dir(path); err == nil {
			out = append(out, d)
		}
	}
	return out
}

// Of finds the cgroup of a running process from /proc/<pid>/cgroup. When
// mustContain is not empty, the cgroup's path must contain it (a container
// id), which proves the pid is the process meant and not one of another pid
// namespace that happens to have that number.
func (m Mounts) Of(pid int, mustContain string) (Cgroup, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cgroup")
	if err != nil {
		return Cgroup{}, fmt.Errorf("%w: %w", ErrUnreachable, err)
	}
	cg, err := m.parse(string(b))
	if err == nil && mustContain != "" && (!strings.Contains(cg.CPUDir, mustContain) || !strings.Contains(cg.MemoryDir, mustContain)) {
		err = fmt.Errorf("%w: process %d's cgroup %s is not that of %s", ErrUnreachable, pid, cg.MemoryDir, mustContain)
	}
	return cg, err
}

// parse resolves the lines of a /proc/<pid>/cgroup ("id:controllers:path")
// against the mounts: cgroup v1's cpuacct and memory hierarchies when both
// are mounted, else the unified hierarchy.
func (m Mounts) parse(s string) (Cgroup, error) {
	paths := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(s), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		for _, ctrl := range strings.Split(parts[1], ",") {
			paths[ctrl] = parts[2]
		}
	}
	cpu, okc := m.v1["cpuacct"]
	mem, okm := m.v1["memory"]
	if cp, ok := paths["cpuacct"]; ok && okc && okm {
		c, errc := cpu.dir(cp)
		d, errm := mem.dir(paths["memory"])
		if err := errors.Join(errc, errm); err != nil {
			return Cgroup{}, err
		}
		return Cgroup{Version: 1, CPUDir: c, MemoryDir: d}, nil
	}
	if p, ok := paths[""]; ok && m.unified != nil {
		d, err := m.unified.dir(p)
		if err != nil {
			return Cgroup{}, err
		}
		return Cgroup{Version: 2, CPUDir: d, MemoryDir: d}, nil
	}
	return Cgroup{}, fmt.Errorf("%w: no mounted cgroup hierarchy accounts cpu and memory", ErrUnreachable)
}

// dir is the directory of the cgroup at path (as /proc/<pid>/cgroup names
// it) in this mount, which shows the hierarchy below its root.
func (mt mount) dir(path string) (string, error) {
	rel := path
	if mt.root != "/" {
		var ok bool
		if rel, ok = strings.CutPrefix(path, mt.root); !ok || (rel != "" && rel[0] != '/') {
			return "", fmt.Errorf("%w: cgroup %s lies outside the mount of %s at %s", ErrUnreachable, path, mt.root, mt.point)
		}
	}
	return filepath.Join(mt.point, rel), nil
}

// Read takes one sample. buf is scratch space reused between calls.
func (c Cgroup) Read(buf *[]byte) (Sample, error) {
	if cap(*buf) < maxFile {
		*buf = make([]byte, 0, maxFile)
	}
	var s Sample
	if c.Version == 1 {
		ns, err := readUint(filepath.Join(c.CPUDir, "cpuacct.usage"), buf)
		if err != nil {
			return s, err
		}
		s.CPU = time.Duration(ns)
		if s.MemoryUsage, err = readUint(filepath.Join(c.MemoryDir, "memory.usage_in_bytes"), buf); err != nil {
			return s, err
		}
		s.InactiveFile, err = readKey(filepath.Join(c.MemoryDir, "memory.stat"), "total_inactive_file", buf)
		return s, err
	}
	us, err := readKey(filepath.Join(c.CPUDir, "cpu.stat"), "usage_usec", buf)
	if err != nil {
		return s, err
	}
	s.CPU = time.Duration(us) * time.Microsecond
	if s.MemoryUsage, err = readUint(filepath.Join(c.MemoryDir, "memory.current"), buf); err != nil {
		return s, err
	}
	s.InactiveFile, err = readKey(filepath.Join(c.MemoryDir, "memory.stat"), "inactive_file", buf)
	return s, err
}

// read reads a small file into buf.
func read(path string, buf *[]byte) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnreachable, err)
	}
	defer f.Close()
	b := (*buf)[:cap(*buf)]
	n := 0
	for n < len(b) {
		k, err := f.Read(b[n:])
		n += k
		if err != nil || k == 0 {
			break
		}
	}
	if n == len(b) {
		return nil, fmt.Errorf("%s: longer than %d bytes", path, len(b))
	}
	return b[:n], nil
}

func readUint(path string, buf *[]byte) (uint64, error) {
	b, err := read(path, buf)
	if err != nil {
		return 0, err
	}
	v, err := strconv.ParseUint(string(bytes.TrimSpace(b)), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	return v, nil
}

// readKey reads the value of "key value" in a flat keyed file (cpu.stat,
// memory.stat); 0 when the key is absent.
func readKey(path, key string, buf *[]byte) (uint64, error) {
	b, err := read(path, buf)
	if err != nil {
		return 0, err
	}
	return keyed(b, key), nil
}

// keyed finds key's value in the lines of b.
func keyed(b []byte, key string) uint64 {
	for len(b) > 0 {
		line := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		if len(line) > len(key) && line[len(key)] == ' ' && string(line[:len(key)]) == key {
			v, _ := strconv.ParseUint(string(line[len(key)+1:]), 10, 64)
			return v
		}
	}
	return 0
}
