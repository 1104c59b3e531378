package logstore

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// crashDirEnv makes the test binary the writer of TestKillDuringAppendsLosesNothing.
const crashDirEnv = "LOGSTORE_CRASH_WRITER_DIR"

func TestMain(m *testing.M) {
	if dir := os.Getenv(crashDirEnv); dir != "" {
		os.Exit(crashWriter(dir))
	}
	os.Exit(m.Run())
}

// crashWriter appends batches of 100 events forever from 4 goroutines, printing
// "acked STREAM N" after each Append returns, until it is killed.
func crashWriter(dir string) int {
	s, err := Open(dir, Options{SegmentBytes: 64 << 10, MaxBytes: 64 << 20})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := s.CreateGroup(GroupSettings{Name: "g"}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	out := make(chan string, 64)
	for w := range 4 {
		name := fmt.Sprintf("s%d", w)
		if err := s.CreateStream("g", name); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		go func() {
			for n := 1; ; n++ {
				batch := make([]Event, 100)
				for i := range batch {
					batch[i] = Event{Timestamp: int64(n*100 + i), Message: []byte(fmt.Sprintf("%s batch %d event %d", name, n, i))}
				}
				if err := s.Append("g", name, batch, []byte(strconv.Itoa(n))); err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(1)
				}
				out <- fmt.Sprintf("acked %s %d", name, n)
			}
		}()
	}
	for line := range out {
		fmt.Println(line)
	}
	return 0
}

// TestKillDuringAppendsLosesNothing SIGKILLs a process in the middle of concurrent
// appends (segments rolling every 64 KiB), then reopens its store: every batch the
// process saw acknowledged is there, whole, and each stream's cursor names its last
// stored batch.
func TestKillDuringAppendsLosesNothing(t *testing.T) {
	dir := t.TempDir()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), crashDirEnv+"="+dir)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	acked := map[string]int{}
	sc := bufio.NewScanner(stdout)
	deadline := time.Now().Add(30 * time.Second)
	total := 0
	for total < 300 && sc.Scan() {
		var name string
		var n int
		if _, err := fmt.Sscanf(sc.Text(), "acked %s %d", &name, &n); err == nil {
			acked[name] = max(acked[name], n)
			total++
		}
		if time.Now().After(deadline) {
			break
		}
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	_ = cmd.Wait()
	if total < 300 {
		t.Fatalf("writer acknowledged only %d batches", total)
	}
	s := openTest(t, dir, Options{SegmentBytes: 64 << 10, MaxBytes: 64 << 20})
	for name, n := range acked {
		got := readAll(t, s, Query{Group: "g", Streams: []string{name}, Limit: 10000})
		if len(got) < n*100 || len(got)%100 != 0 {
			t.Fatalf("stream %s: %d events after the crash, %d batches were acknowledged (batches must be whole)", name, len(got), n)
		}
		for i, m := range got {
			if want := fmt.Sprintf("%s batch %d event %d", name, i/100+1, i%100); m != want {
				t.Fatalf("stream %s event %d = %q, want %q", name, i, m, want)
			}
		}
		c, ok, err := s.Cursor("g", name)
		if err != nil || !ok || c == nil {
			t.Fatalf("cursor of %s: %q %v %v", name, c, ok, err)
		}
		if cn, _ := strconv.Atoi(string(c)); cn != len(got)/100 {
			t.Fatalf("stream %s: cursor %s but %d batches stored", name, strings.TrimSpace(string(c)), len(got)/100)
		}
	}
}
