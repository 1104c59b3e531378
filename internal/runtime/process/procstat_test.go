package process

import (
	"errors"
	"os"
	"testing"
)

func TestParseProcStat(t *testing.T) {
	// A command name with spaces and parentheses must not shift the fields.
	line := "4242 (we ird) (name) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 100 18446744073709551615\n"
	st, err := parseProcStat([]byte(line))
	if err != nil {
		t.Fatal(err)
	}
	if st.state != 'S' || st.startTime != 987654 || st.exited() {
		t.Errorf("got %+v", st)
	}
	if _, err := parseProcStat([]byte("4242 (x) S 1 2")); err == nil {
		t.Error("short line parsed")
	}
}

func TestIdentify(t *testing.T) {
	id, err := identify(os.Getpid())
	if err != nil || id.StartTime == 0 {
		t.Fatalf("identify(self) = %+v, %v", id, err)
	}
	if !id.alive() {
		t.Error("self not alive")
	}
	id.StartTime++
	if id.alive() {
		t.Error("alive with a wrong start time")
	}
	if _, err := readProcStat(1 << 30); !errors.Is(err, errNoProcess) {
		t.Errorf("readProcStat(no such pid) = %v, want errNoProcess", err)
	}
}
