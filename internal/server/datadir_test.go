package server

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/slipway-dev/slipway/internal/store"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// startErr starts a server on dir and returns its start-up error.
func startErr(t *testing.T, dir string) error {
	t.Helper()
	shim, env := testutil.ShimCommand()
	s, err := Start(context.Background(), Config{APIAddr: "127.0.0.1:0", DataDir: dir, ShimCommand: shim, ShimEnv: env})
	if err == nil {
		s.Close()
	}
	return err
}

// checkOneLine fails unless err is one line that names every want.
func checkOneLine(t *testing.T, err error, want ...string) {
	t.Helper()
	msg := err.Error()
	if strings.Contains(msg, "\n") {
		t.Errorf("error spans lines: %q", msg)
	}
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("error %q does not say %q", msg, w)
		}
	}
}

// TestLostStoreBesideTracesIsRefused: an emptied or deleted slipway.db next
// to what an earlier store left (its node id) is a start-up error naming the
// file and the way back, and the empty file is left as it was.
func TestLostStoreBesideTracesIsRefused(t *testing.T) {
	for _, emptied := range []bool{true, false} {
		dir := t.TempDir()
		start(t, Config{DataDir: dir}).Close()
		db := filepath.Join(dir, store.FileName)
		if emptied {
			if err := os.Truncate(db, 0); err != nil {
				t.Fatal(err)
			}
		} else if err := os.Remove(db); err != nil {
			t.Fatal(err)
		}
		err := startErr(t, dir)
		if !errors.Is(err, ErrStoreLost) {
			t.Fatalf("emptied=%v: err = %v, want ErrStoreLost", emptied, err)
		}
		state := "is missing"
		if emptied {
			state = "is empty"
		}
		checkOneLine(t, err, db+" "+state, "a node id", "from a backup", "mv "+dir)
		if fi, err := os.Stat(db); emptied && (err != nil || fi.Size() != 0) || !emptied && err == nil {
			t.Errorf("emptied=%v: the refused start touched %s: %v %v", emptied, db, fi, err)
		}
	}
}

// TestLostStoreBesideContainersIsRefused: without a node id, a container's
// directory or a task's log directory is evidence enough of a previous
// store; each is named in the refusal.
func TestLostStoreBesideContainersIsRefused(t *testing.T) {
	for trace, path := range map[string]string{
		"1 container directory": filepath.Join(containersDir, "c1", "container.json"),
		"1 task log directory":  filepath.Join(logsDir, "task-1", "web.log"),
	} {
		dir := t.TempDir()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, path)), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, path), []byte("{}"), 0o600); err != nil {
			t.Fatal(err)
		}
		err := startErr(t, dir)
		if !errors.Is(err, ErrStoreLost) {
			t.Fatalf("%s: err = %v, want ErrStoreLost", trace, err)
		}
		checkOneLine(t, err, filepath.Join(dir, store.FileName)+" is missing", trace, "from a backup")
		if _, err := os.Stat(filepath.Join(dir, store.FileName)); err == nil {
			t.Errorf("%s: the refused start created the store", trace)
		}
	}
}

// TestEmptyStoreWithoutTracesIsNew: a zero-length file with nothing beside it
// is what a crash during the very first start leaves: it becomes a new store.
func TestEmptyStoreWithoutTracesIsNew(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, store.FileName), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	start(t, Config{DataDir: dir})
}

func TestDamagedStoreIsOneLineError(t *testing.T) {
	dir := t.TempDir()
	start(t, Config{DataDir: dir}).Close()
	db := filepath.Join(dir, store.FileName)
	if err := os.WriteFile(db, []byte(strings.Repeat("overwritten\n", 2000)), 0o600); err != nil {
		t.Fatal(err)
	}
	err := startErr(t, dir)
	if !errors.Is(err, store.ErrCorrupt) {
		t.Fatalf("err = %v, want store.ErrCorrupt", err)
	}
	checkOneLine(t, err, db, "damaged", "from a backup", "mv "+dir)
}

func TestReadOnlyDataDirSaysSo(t *testing.T) {
	dir := t.TempDir()
	start(t, Config{DataDir: dir}).Close()
	makeReadOnly(t, dir)
	err := startErr(t, dir)
	if !errors.Is(err, ErrDataDirReadOnly) {
		t.Fatalf("err = %v, want ErrDataDirReadOnly", err)
	}
	checkOneLine(t, err, "read-only", dir)
}

// makeReadOnly makes dir read-only for this process until the test ends: a
// read-only bind mount when running as root (who may write anywhere else),
// else a mode without write permission.
func makeReadOnly(t *testing.T, dir string) {
	t.Helper()
	if os.Geteuid() != 0 {
		if err := os.Chmod(dir, 0o500); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(dir, 0o700) })
		return
	}
	if err := unix.Mount(dir, dir, "", unix.MS_BIND, ""); err != nil {
		t.Fatalf("bind mount %s (root without CAP_SYS_ADMIN?): %v", dir, err)
	}
	t.Cleanup(func() {
		if err := unix.Unmount(dir, 0); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	if err := unix.Mount("", dir, "", unix.MS_REMOUNT|unix.MS_BIND|unix.MS_RDONLY, ""); err != nil {
		t.Fatalf("remount %s read-only: %v", dir, err)
	}
}
