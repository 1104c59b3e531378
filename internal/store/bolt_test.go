package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	bolt "go.etcd.io/bbolt"
)

type rec struct {
	Name string `json:"name"`
	N    int    `json:"n"`
}

func openTest(t *testing.T, dir string) *Bolt {
	t.Helper()
	s, err := OpenBolt(dir)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestBoltCRUDAndScan(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, t.TempDir())
	defer s.Close()
	err := s.Update(ctx, func(tx Tx) error {
		for i, k := range []string{"a/1", "a/2", "a/3", "b/1"} {
			if err := PutJSON(tx, "things", k, rec{Name: k, N: i}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.View(ctx, func(tx Tx) error {
		got, err := GetJSON[rec](tx, "things", "a/2")
		if err != nil || got.N != 1 {
			return fmt.Errorf("get a/2 = %+v, %v", got, err)
		}
		if _, err := tx.Get("things", "zz"); !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("missing key: %v", err)
		}
		if _, err := tx.Get("nobucket", "zz"); !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("missing bucket: %v", err)
		}
		all, err := ListJSON[rec](tx, "things", "a/")
		if err != nil || len(all) != 3 {
			return fmt.Errorf("list a/ = %v, %v", all, err)
		}
		var after []string
		err = ScanJSON(tx, "things", "a/", "a/1", func(k string, _ rec) bool {
			after = append(after, k)
			return true
		})
		if err != nil || fmt.Sprint(after) != "[a/2 a/3]" {
			return fmt.Errorf("scan after a/1 = %v, %v", after, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestBoltDurableAcrossReopenAndNotifies(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openTest(t, dir)
	ch, _ := s.Changes().Wait()
	var seq uint64
	if err := s.Update(ctx, func(tx Tx) error {
		var err error
		seq, err = tx.NextSequence("seq")
		if err != nil {
			return err
		}
		return PutJSON(tx, "things", "k", rec{Name: "x"})
	}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ch:
	default:
		t.Fatal("Update did not notify")
	}
	s.Close()
	if err := s.View(ctx, func(Tx) error { return nil }); !errors.Is(err, ErrClosed) {
		t.Fatalf("view after close: %v", err)
	}
	s = openTest(t, dir)
	defer s.Close()
	err := s.Update(ctx, func(tx Tx) error {
		if _, err := GetJSON[rec](tx, "things", "k"); err != nil {
			return err
		}
		next, err := tx.NextSequence("seq")
		if err == nil && next <= seq {
			err = fmt.Errorf("sequence went back: %d after %d", next, seq)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestBoltConcurrentBatchedWrites(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, t.TempDir())
	defer s.Close()
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.Update(ctx, func(tx Tx) error {
				return PutJSON(tx, "things", fmt.Sprintf("k%03d", i), rec{N: i})
			}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	_ = s.View(ctx, func(tx Tx) error {
		all, _ := ListJSON[rec](tx, "things", "k")
		if len(all) != 50 {
			t.Errorf("have %d records, want 50", len(all))
		}
		return nil
	})
}

func TestBoltRefusesNewerSchema(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	_ = s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte(metaBucket)).Put([]byte(schemaKey), []byte("99"))
	})
	s.Close()
	if _, err := OpenBolt(dir); !errors.Is(err, ErrSchemaTooNew) {
		t.Fatalf("open newer schema: %v", err)
	}
}

func TestBoltFailedWriteDoesNotFailOthers(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, t.TempDir())
	defer s.Close()
	bad := errors.New("refused")
	var wg sync.WaitGroup
	errs := make([]error, 20)
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.Update(ctx, func(tx Tx) error {
				if err := PutJSON(tx, "things", fmt.Sprintf("k%02d", i), rec{N: i}); err != nil {
					return err
				}
				if i%5 == 0 {
					return bad
				}
				return nil
			})
		}()
	}
	wg.Wait()
	_ = s.View(ctx, func(tx Tx) error {
		for i := range 20 {
			_, err := tx.Get("things", fmt.Sprintf("k%02d", i))
			if i%5 == 0 && (!errors.Is(errs[i], bad) || err == nil) {
				t.Errorf("failed write %d: err %v, stored %v", i, errs[i], err == nil)
			}
			if i%5 != 0 && (errs[i] != nil || err != nil) {
				t.Errorf("good write %d: err %v, read %v", i, errs[i], err)
			}
		}
		return nil
	})
}

func TestBoltReadOnlyUpdateDoesNotNotify(t *testing.T) {
	s := openTest(t, t.TempDir())
	defer s.Close()
	ch, _ := s.Changes().Wait()
	if err := s.Update(context.Background(), func(tx Tx) error {
		_, err := tx.Get("things", "nothing")
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ch:
		t.Fatal("an Update that wrote nothing woke the watchers")
	default:
	}
}
