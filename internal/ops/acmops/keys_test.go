package acmops

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestKeysAreCreatedOncePrivateAndDurable(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "acm")
	k1, err := OpenKeys(dir, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{caKeyFile, sealFile} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v %v, want mode 0600", name, fi.Mode(), err)
		}
	}
	if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o700 {
		t.Fatalf("dir mode %v", fi.Mode())
	}
	sealed := k1.seal("arn:a", []byte("key"))
	k2, err := OpenKeys(dir, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(k1.ca.certPEM, k2.ca.certPEM) {
		t.Fatal("a second open made a new root")
	}
	if got, err := k2.open("arn:a", sealed); err != nil || string(got) != "key" {
		t.Fatalf("open after reopen: %q %v", got, err)
	}
	if bytes.Contains(sealed, []byte("key")) {
		t.Fatal("the sealed key holds the plaintext")
	}
	// A sealed key copied into another record does not open.
	if _, err := k2.open("arn:b", sealed); !errors.Is(err, ErrKeys) {
		t.Fatalf("open under another ARN: %v", err)
	}
}

func TestCARootRecreatedWhenOnlyTheKeyWasWritten(t *testing.T) {
	dir := t.TempDir()
	k1, err := OpenKeys(dir, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, caCertFile)); err != nil {
		t.Fatal(err)
	}
	k2, err := OpenKeys(dir, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if !publicKeyMatches(k2.ca.cert, k1.ca.key) {
		t.Fatal("the new root is not for the same key")
	}
	if err := os.WriteFile(filepath.Join(dir, caKeyFile), []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenKeys(dir, time.Now()); !errors.Is(err, ErrKeys) {
		t.Fatalf("a damaged CA key: %v", err)
	}
}
