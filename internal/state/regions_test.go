package state

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/store"
)

func openRegions(t *testing.T, dir, home string) (*Regions, *store.Bolt) {
	t.Helper()
	db, err := store.OpenBolt(dir)
	if err != nil {
		t.Fatal(err)
	}
	r := NewRegions(db, model.Partition{Region: home, Account: "000000000000"}, model.IsAWSRegion, nil)
	return r, db
}

func putCluster(t *testing.T, st *State, name string) {
	t.Helper()
	err := st.Update(context.Background(), func(tx Tx) error {
		return tx.PutCluster(model.Cluster{Name: name, ARN: tx.Partition.ClusterARN(name), Status: model.ClusterActive})
	})
	if err != nil {
		t.Fatal(err)
	}
}

func clusterARNs(t *testing.T, st *State) []string {
	t.Helper()
	var out []string
	err := st.View(context.Background(), func(tx Tx) error {
		cs, err := tx.Clusters()
		for _, c := range cs {
			out = append(out, c.ARN)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRegionsKeepRecordsApart: two regions hold records of the same name
// apart, each with its own ARNs; the home region's buckets are those of a
// single-region store; a restart opens every region used; an unknown
// region and a changed home region are refused.
func TestRegionsKeepRecordsApart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	r, db := openRegions(t, dir, "us-east-1")
	if _, err := r.Load(ctx); err != nil {
		t.Fatal(err)
	}
	eu, err := r.Get(ctx, "eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	putCluster(t, r.Home(), "web")
	putCluster(t, eu, "web")
	putCluster(t, eu, "batch")
	if got := clusterARNs(t, r.Home()); !slices.Equal(got, []string{"arn:aws:ecs:us-east-1:000000000000:cluster/web"}) {
		t.Errorf("home clusters %v", got)
	}
	want := []string{"arn:aws:ecs:eu-west-1:000000000000:cluster/batch", "arn:aws:ecs:eu-west-1:000000000000:cluster/web"}
	if got := clusterARNs(t, eu); !slices.Equal(got, want) {
		t.Errorf("eu-west-1 clusters %v", got)
	}
	// The home region reads the buckets a State of New does.
	if got := clusterARNs(t, New(db, model.Partition{Region: "us-east-1", Account: "000000000000"}, nil)); len(got) != 1 {
		t.Errorf("a single-region State sees %v", got)
	}
	err = r.Home().View(ctx, func(tx Tx) error {
		others := tx.OtherRegions()
		if len(others) != 1 || others[0].Partition.Region != "eu-west-1" {
			t.Errorf("OtherRegions = %v", others)
			return nil
		}
		cs, err := others[0].Clusters()
		if len(cs) != 2 {
			t.Errorf("eu-west-1 seen from home: %v", cs)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Get(ctx, "xx-nowhere-1"); !errors.Is(err, ErrUnknownRegion) {
		t.Errorf("unknown region: %v", err)
	}
	db.Close()

	r, db = openRegions(t, dir, "us-east-1")
	names, err := r.Load(ctx)
	if err != nil || !slices.Equal(names, []string{"us-east-1", "eu-west-1"}) {
		t.Fatalf("Load after restart = %v, %v", names, err)
	}
	all := r.All()
	if len(all) != 2 || len(clusterARNs(t, all[1])) != 2 {
		t.Errorf("eu-west-1 after restart: %d regions", len(all))
	}
	db.Close()

	r, db = openRegions(t, dir, "eu-west-1")
	defer db.Close()
	if _, err := r.Load(ctx); !errors.Is(err, ErrHomeRegionChanged) {
		t.Errorf("Load with another home region: %v", err)
	}
}
