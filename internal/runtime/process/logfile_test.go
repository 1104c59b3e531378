package process

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBoundedLogRotates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "stdout.log")
	l, err := openBoundedLog(path, 20, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	write := func(s string) {
		if n, err := l.Write([]byte(s)); n != len(s) || err != nil {
			t.Fatalf("Write = %d, %v", n, err)
		}
	}
	read := func(p string) string { b, _ := os.ReadFile(p); return string(b) }

	write("line one\nline two\n") // 18 bytes fit
	write("line three\n")         // does not fit: rotates first
	if got := read(path + ".1"); got != "line one\nline two\n" {
		t.Errorf(".1 = %q", got)
	}
	if got := read(path); got != "line three\n" {
		t.Errorf("current = %q", got)
	}
	// A chunk with a newline inside is cut after the newline.
	write("abc\ndefghijk")
	if got := read(path + ".1"); got != "line three\nabc\n" {
		t.Errorf(".1 after cut = %q", got)
	}
	if got := read(path); got != "defghijk" {
		t.Errorf("current after cut = %q", got)
	}
	// A huge write keeps only its tail, and neither file passes the bound.
	write(strings.Repeat("y", 95) + "z")
	if got := read(path); len(got) > 20 || !strings.HasSuffix(got, "z") {
		t.Errorf("current after huge write = %q", got)
	}
	if got := read(path + ".1"); len(got) > 20 {
		t.Errorf(".1 after huge write has %d bytes", len(got))
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}

	// Reopening appends and counts the existing size.
	l, _ = openBoundedLog(path, 20, slog.New(slog.DiscardHandler))
	before := read(path)
	l.Write([]byte(strings.Repeat("q", 20-len(before))))
	if got := read(path); len(got) != 20 || !strings.HasPrefix(got, before) {
		t.Errorf("after reopen = %q", got)
	}
	l.Close()
}
