package metricstore

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/testutil"
)

const crashEnv = "METRICSTORE_CRASH_WRITER"

// TestMain lets the test binary act as the writer that TestCrashSafety kills.
func TestMain(m *testing.M) {
	if path := os.Getenv(crashEnv); path != "" {
		crashWriter(path)
		return
	}
	os.Exit(m.Run())
}

// crashWriter writes one sample per series per round and flushes, printing
// the round once it is durable, until it is killed.
func crashWriter(path string) {
	s, err := Open(Options{Path: path})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	base := time.Now().Truncate(time.Hour)
	for round := 1; ; round++ {
		var batch []Sample
		for i := 0; i < 50; i++ {
			batch = append(batch, Sample{Metric: NewMetric("Crash", "m"+strconv.Itoa(i)), Time: base, Value: Value(1)})
		}
		if err := s.Put(batch); err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		if err := s.Flush(); err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		fmt.Println("durable", round)
	}
}

// TestCrashSafety kills a writer with SIGKILL in the middle of its writes:
// the file opens again and holds at least every round the writer reported
// durable, and never a partial round.
func TestCrashSafety(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	exe, _ := os.Executable()
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), crashEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 1024)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	durable := 0
	testutil.Eventually(t, 20*time.Second, func() (bool, string) {
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					return true, "writer exited"
				}
				if strings.HasPrefix(l, "error") {
					t.Fatal(l)
				}
				durable, _ = strconv.Atoi(strings.TrimPrefix(l, "durable "))
			default:
				return durable >= 20, fmt.Sprintf("%d rounds durable", durable)
			}
		}
	})
	_ = cmd.Process.Signal(syscall.SIGKILL)
	_ = cmd.Wait()
	for l := range lines { // rounds reported before the kill landed
		if n, err := strconv.Atoi(strings.TrimPrefix(l, "durable ")); err == nil {
			durable = n
		}
	}
	s := open(t, path, nil)
	defer s.Close()
	if len(s.List()) != 50 {
		t.Fatalf("%d series after the crash, want 50", len(s.List()))
	}
	base := time.Now().Truncate(time.Hour)
	var first float64
	for i := 0; i < 50; i++ {
		w, err := s.Query(Query{Metric: NewMetric("Crash", "m"+strconv.Itoa(i)), Start: base, End: base.Add(time.Hour), Period: time.Hour})
		if err != nil || len(w) != 1 {
			t.Fatalf("m%d: %v, %v", i, w, err)
		}
		n := w[0].Value.Count
		if n < float64(durable) || n > float64(durable+1) {
			t.Errorf("m%d has %v samples; %d rounds were durable", i, n, durable)
		}
		if i == 0 {
			first = n
		} else if n != first {
			t.Errorf("m%d has %v samples, m0 %v: a round was half written", i, n, first)
		}
	}
}
