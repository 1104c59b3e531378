package process

import (
	"os"
	"os/exec"
	"testing"
	"time"
)

func TestParseUsage(t *testing.T) {
	line := "4242 (we ird) (name) S 1 4242 4242 0 -1 4194560 100 0 0 0 150 50 7 3 20 0 1 0 987654 1000 25 18446744073709551615\n"
	u, ok := parseUsage([]byte(line), 987654)
	if !ok || u.CPUTime != 2100*time.Millisecond || u.MemoryBytes != 25*pageSize {
		t.Errorf("parseUsage = %+v, %v", u, ok)
	}
	if _, ok := parseUsage([]byte(line), 1); ok {
		t.Error("a recycled pid (other start time) was measured")
	}
}

func TestReadUsageOfSelf(t *testing.T) {
	id, err := identify(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	for end := time.Now().Add(30 * time.Millisecond); time.Now().Before(end); { // burn a little CPU
	}
	var buf []byte
	buf = make([]byte, 0, 512)
	u, ok := readUsage(id, &buf)
	if !ok || u.CPUTime <= 0 || u.MemoryBytes < 1<<20 {
		t.Errorf("usage of the test process: %+v, %v", u, ok)
	}
}

// BenchmarkUsage200 measures reading the usage of 200 running processes,
// what the recorder asks of the process runtime per tick for 200 tasks.
func BenchmarkUsage200(b *testing.B) {
	var ids []procIdentity
	for i := 0; i < 200; i++ {
		cmd := exec.Command("sleep", "600")
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
		id, err := identify(cmd.Process.Pid)
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, id)
	}
	buf := make([]byte, 0, 512)
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		for _, id := range ids {
			if _, ok := readUsage(id, &buf); !ok {
				b.Fatal("process gone")
			}
		}
	}
}
