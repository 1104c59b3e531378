package cgroupstat

import (
	"fmt"
	"os"
	"testing"
)

// BenchmarkRead200 reads 200 cgroups, what measuring 200 one-container
// tasks costs the Docker runtime per recorder tick. The cgroups are made
// for the benchmark (empty, below the machine's root cgroup), which needs a
// cgroup file system the benchmark may write.
func BenchmarkRead200(b *testing.B) {
	m, err := ReadMounts()
	if err != nil {
		b.Skip(err)
	}
	base := fmt.Sprintf("/slipway-bench-%d", os.Getpid())
	var cgs []Cgroup
	var made []string
	defer func() {
		for i := len(made) - 1; i >= 0; i-- {
			_ = os.Remove(made[i])
		}
	}()
	mk := func(ctrl, p string) string {
		d, err := m.Dir(ctrl, p)
		if err != nil {
			b.Skip(err)
		}
		if err := os.Mkdir(d, 0o755); err != nil {
			b.Skip("cannot make cgroups here: ", err)
		}
		made = append(made, d)
		return d
	}
	for i := -1; i < 200; i++ {
		p := base
		if i >= 0 {
			p = fmt.Sprintf("%s/c%d", base, i)
		}
		var cg Cgroup
		switch m.Version() {
		case 1:
			cg = Cgroup{Version: 1, CPUDir: mk("cpuacct", p), MemoryDir: mk("memory", p)}
		case 2:
			d := mk("", p)
			cg = Cgroup{Version: 2, CPUDir: d, MemoryDir: d}
			if i < 0 {
				_ = os.WriteFile(d+"/cgroup.subtree_control", []byte("+cpu +memory"), 0)
			}
		default:
			b.Skip("no cgroup accounting here")
		}
		if i >= 0 {
			cgs = append(cgs, cg)
		}
	}
	var buf []byte
	for b.Loop() {
		for _, cg := range cgs {
			if _, err := cg.Read(&buf); err != nil {
				b.Fatal(err)
			}
		}
	}
}
