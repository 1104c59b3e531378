package process

import (
	"os"
	"os/exec"
	"testing"
	"time"
)

func TestStatusRoundTrip(t *testing.T) {
	dir := t.TempDir()
	if _, ok, err := readStatus(dir); ok || err != nil {
		t.Fatalf("readStatus on empty dir = %v, %v", ok, err)
	}
	cmd := exec.Command("/bin/sh", "-c", "kill -KILL $$")
	cmd.Run()
	finished := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := writeStatus(dir, waitRecord(cmd.ProcessState, finished)); err != nil {
		t.Fatal(err)
	}
	st, ok, err := readStatus(dir)
	if !ok || err != nil || st.ExitCode == nil || *st.ExitCode != 137 || st.Signal != "SIGKILL" ||
		st.Reason != "signal: killed" || !st.FinishedAt.Equal(finished) {
		t.Errorf("readStatus = %+v, %v, %v", st, ok, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
}

func TestTailBuffer(t *testing.T) {
	b := &tailBuffer{max: 5}
	b.Write([]byte("abc"))
	b.Write([]byte("defg"))
	if got := string(b.bytes()); got != "cdefg" {
		t.Errorf("tail = %q", got)
	}
	b.Write([]byte("0123456789"))
	if got := string(b.bytes()); got != "56789" {
		t.Errorf("tail = %q", got)
	}
}

func TestDirPrefix(t *testing.T) {
	got := dirPrefix("abc/../def", "web 1")
	if got != "abc_.._def.web_1" {
		t.Errorf("dirPrefix = %q", got)
	}
	if got := dirPrefix("", ""); got != "container" {
		t.Errorf("empty dirPrefix = %q", got)
	}
}
