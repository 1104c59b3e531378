package certfile

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// writePair writes a self-signed certificate as dir/name.pem and its key
// beside it as dir/name.key, modified at mtime, and returns the file:// ARN
// naming them.
func writePair(t *testing.T, dir, name string, mtime time.Time) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalECPrivateKey(key)
	certPath := filepath.Join(dir, name+".pem")
	if err := os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	keyPath := filepath.Join(dir, name+".key")
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{certPath, keyPath} {
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	return "file://" + certPath
}

// loadWithin runs Load with a deadline, so a read that blocks (a FIFO) or
// never ends (a device) fails the test instead of hanging it.
func loadWithin(t *testing.T, arn string) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { _, err := Load(arn); done <- err }()
	select {
	case err := <-done:
		return err
	case <-time.After(5 * time.Second):
		t.Fatalf("%s: Load is still reading after 5s", arn)
		return nil
	}
}

func TestOnlyRegularFilesOfBoundedSizeLoad(t *testing.T) {
	dir := t.TempDir()
	good := writePair(t, dir, "site", time.Now())
	if _, err := Load(good); err != nil {
		t.Fatalf("a valid pair: %v", err)
	}
	fifo := filepath.Join(dir, "fifo.pem")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.pem")
	if err := os.WriteFile(big, make([]byte, MaxFileBytes+1), 0o600); err != nil {
		t.Fatal(err)
	}
	notPEM := filepath.Join(dir, "junk.pem")
	if err := os.WriteFile(notPEM, []byte("junk"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, arn := range []string{
		"file:///dev/zero", "file:///dev/null", "file://" + dir, "file://" + fifo, "file://" + filepath.Join(dir, "missing.pem"),
		"file://" + big, "file://" + notPEM, good + "#" + fifo, good + "#/dev/zero", "file:relative.pem",
	} {
		err := loadWithin(t, arn)
		if !errors.Is(err, ErrUnusable) {
			t.Errorf("%s: %v", arn, err)
		}
	}
	// /dev/zero is refused before it is opened: for what it is, not for
	// what reading it would have given.
	if err := loadWithin(t, "file:///dev/zero"); !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("/dev/zero: %v", err)
	}
}

func TestCacheReadsAFileOnceAndAgainWhenItChanges(t *testing.T) {
	dir := t.TempDir()
	hourAgo := time.Now().Add(-time.Hour)
	arn := writePair(t, dir, "site", hourAgo)
	c := NewCache()
	reads := 0
	c.read = func(path string) ([]byte, os.FileInfo, error) { reads++; return readFile(path) }
	first, err := c.Load(arn)
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		if _, err := c.Load(arn); err != nil {
			t.Fatal(err)
		}
	}
	if reads != 2 {
		t.Fatalf("6 loads read the certificate and key %d times, want 2", reads)
	}
	// A renewal writes a new pair; the next Load reads it.
	writePair(t, dir, "site", hourAgo.Add(time.Second))
	renewed, err := c.Load(arn)
	if err != nil || string(renewed.CertPEM) == string(first.CertPEM) || reads != 4 {
		t.Fatalf("renewed: %d reads, same certificate %v, %v", reads, string(renewed.CertPEM) == string(first.CertPEM), err)
	}
	// A pair written just now may still be rewritten within the same clock
	// tick: it is read again until its time is well past.
	fresh := writePair(t, dir, "fresh", time.Now())
	for range 2 {
		if _, err := c.Load(fresh); err != nil {
			t.Fatal(err)
		}
	}
	if reads != 8 {
		t.Fatalf("a just-written pair was trusted from the cache (%d reads, want 8)", reads)
	}
	// A file that stops loading is never served from the cache.
	if err := os.Remove(filepath.Join(dir, "site.key")); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Load(arn); !errors.Is(err, ErrUnusable) {
		t.Fatalf("a removed key still loads: %v", err)
	}
}
