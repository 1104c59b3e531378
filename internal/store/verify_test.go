package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// populated creates a store in a new directory with enough records for
// branch, leaf and freelist pages, closes it and returns the directory and
// the database's page layout.
func populated(t *testing.T) (string, pageMap) {
	t.Helper()
	dir := t.TempDir()
	s := openTest(t, dir)
	ctx := context.Background()
	for batch := range 4 {
		err := s.Update(ctx, func(tx Tx) error {
			for i := range 500 {
				k := fmt.Sprintf("task/%d/%04d", batch, i)
				if err := tx.Put("tasks", k, []byte(strings.Repeat("x", 150))); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// Deleting some records leaves free pages, so the freelist has ids.
	err := s.Update(ctx, func(tx Tx) error {
		for i := range 300 {
			if err := tx.Delete("tasks", fmt.Sprintf("task/1/%04d", i)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return dir, layout(t, filepath.Join(dir, FileName))
}

// pageMap is where the pages of each type are.
type pageMap struct {
	size   int
	byType map[string][]int
}

func layout(t *testing.T, path string) pageMap {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	m := pageMap{size: db.Info().PageSize, byType: map[string][]int{}}
	err = db.View(func(tx *bolt.Tx) error {
		for id := 0; ; id++ {
			p, err := tx.Page(id)
			if err != nil || p == nil {
				return err
			}
			m.byType[p.Type] = append(m.byType[p.Type], id)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range []string{"branch", "leaf", "freelist", "free"} {
		if len(m.byType[typ]) == 0 {
			t.Fatalf("the test database has no %s page: %v", typ, m.byType)
		}
	}
	return m
}

// patch writes b at page id, offset off of the database file in dir.
func (m pageMap) patch(t *testing.T, dir string, id, off int, b []byte) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(dir, FileName), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(b, int64(id*m.size+off)); err != nil {
		t.Fatal(err)
	}
}

func u64(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }

// TestDamagedDatabaseIsOneLineError damages a database in the ways disks
// and people do and checks that opening it is ErrCorrupt in one line, never
// a panic or a fault (which would end the test binary).
func TestDamagedDatabaseIsOneLineError(t *testing.T) {
	// Page header: id u64, flags u16, count u16, overflow u32; a branch
	// element: pos u32, ksize u32, pgid u64.
	const flagsOff, countOff, elemPgidOff = 8, 10, 16 + 8
	cases := []struct {
		name   string
		damage func(t *testing.T, dir string, m pageMap)
		want   string
	}{
		{"truncated", func(t *testing.T, dir string, m pageMap) {
			path := filepath.Join(dir, FileName)
			fi, _ := os.Stat(path)
			if err := os.Truncate(path, fi.Size()/2); err != nil {
				t.Fatal(err)
			}
		}, "truncated"},
		{"zeroed leaf page", func(t *testing.T, dir string, m pageMap) {
			m.patch(t, dir, m.byType["leaf"][0], 0, make([]byte, m.size))
		}, "bbolt failed"},
		{"branch pointing far beyond the file", func(t *testing.T, dir string, m pageMap) {
			m.patch(t, dir, m.byType["branch"][0], elemPgidOff, u64(1<<30)) // inside bbolt's address range, far outside the map: a fault
		}, "bbolt failed reading its pages"},
		{"freelist page of the wrong type", func(t *testing.T, dir string, m pageMap) {
			m.patch(t, dir, m.byType["freelist"][0], flagsOff, []byte{0x02, 0})
		}, "is not one"},
		{"freelist with an absurd count", func(t *testing.T, dir string, m pageMap) {
			fl := m.byType["freelist"][0]
			m.patch(t, dir, fl, countOff, []byte{0xff, 0xff})
			m.patch(t, dir, fl, 16, u64(1<<62))
		}, "claims 4611686018427387904 free pages"},
		{"freelist freeing a live page", func(t *testing.T, dir string, m pageMap) {
			m.patch(t, dir, m.byType["freelist"][0], 16, u64(uint64(m.byType["leaf"][0])))
		}, "consistency check"},
		{"both meta pages overwritten", func(t *testing.T, dir string, m pageMap) {
			m.patch(t, dir, 0, 16, []byte(strings.Repeat("garbage!", 8)))
			m.patch(t, dir, 1, 16, []byte(strings.Repeat("garbage!", 8)))
		}, "invalid database"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir, m := populated(t)
			tc.damage(t, dir, m)
			s, err := OpenBolt(dir)
			if err == nil {
				s.Close()
				t.Fatal("a damaged database opened")
			}
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("err = %v, want ErrCorrupt", err)
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") || !strings.Contains(msg, filepath.Join(dir, FileName)) || !strings.Contains(msg, tc.want) {
				t.Fatalf("error %q: want one line naming the file and %q", msg, tc.want)
			}
		})
	}
}

func TestNotADatabaseIsCorrupt(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte(strings.Repeat("not a database\n", 1000)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenBolt(dir); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("err = %v, want ErrCorrupt", err)
	}
}

func TestStoreIdentityIsKeptAndUnique(t *testing.T) {
	dir, _ := populated(t)
	a := openTest(t, dir)
	id := a.ID()
	a.Close()
	again := openTest(t, dir)
	defer again.Close()
	if again.ID() != id || len(id) != 32 {
		t.Fatalf("identity %q, then %q after reopening", id, again.ID())
	}
	other := openTest(t, t.TempDir())
	defer other.Close()
	if other.ID() == id {
		t.Fatal("two stores share an identity")
	}
}

// BenchmarkOpenVerified measures opening a store of 10,000 records of 1 KiB
// (about 12 MiB) with its verification (OpenBolt), beside bbolt's own open of
// the same file, which verifies nothing.
func BenchmarkOpenVerified(b *testing.B) {
	dir := b.TempDir()
	s, err := OpenBolt(dir)
	if err != nil {
		b.Fatal(err)
	}
	val := []byte(strings.Repeat("v", 1024))
	for batch := range 10 {
		err := s.Update(context.Background(), func(tx Tx) error {
			for i := range 1000 {
				if err := tx.Put("tasks", fmt.Sprintf("%d/%04d", batch, i), val); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	s.Close()
	b.Run("OpenBolt", func(b *testing.B) {
		for b.Loop() {
			s, err := OpenBolt(dir)
			if err != nil {
				b.Fatal(err)
			}
			s.Close()
		}
	})
	b.Run("bbolt.Open", func(b *testing.B) {
		for b.Loop() {
			db, err := bolt.Open(filepath.Join(dir, FileName), 0o600, &bolt.Options{Timeout: openTimeout})
			if err != nil {
				b.Fatal(err)
			}
			db.Close()
		}
	})
}
