package state

import (
	"context"
	"testing"

	"github.com/slipway-dev/slipway/internal/model"
)

// TestELBAuthKeysAreTheInstallations: the keys made through any region's
// State are the one set every region reads, and are made only once.
func TestELBAuthKeysAreTheInstallations(t *testing.T) {
	r, db := openRegions(t, t.TempDir(), "us-east-1")
	defer db.Close()
	ctx := context.Background()
	west, err := r.Get(ctx, "us-west-2")
	if err != nil {
		t.Fatal(err)
	}
	made := 0
	gen := func(id string) func() (model.ELBAuthKeys, error) {
		return func() (model.ELBAuthKeys, error) {
			made++
			return model.ELBAuthKeys{KeyID: id, SessionKey: make([]byte, 32), SigningKey: []byte{1}}, nil
		}
	}
	for _, st := range []*State{west, r.Home()} {
		if err := st.Update(ctx, func(tx Tx) error { return tx.EnsureELBAuthKeys(gen("k-" + st.Partition.Region)) }); err != nil {
			t.Fatal(err)
		}
	}
	for _, st := range []*State{r.Home(), west} {
		err := st.View(ctx, func(tx Tx) error {
			k, ok, err := tx.ELBAuthKeys()
			if !ok || k.KeyID != "k-us-west-2" {
				t.Errorf("%s reads %v %q", st.Partition.Region, ok, k.KeyID)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if made != 1 {
		t.Fatalf("keys made %d times", made)
	}
}
