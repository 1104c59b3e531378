package state

import (
	"context"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/store"
)

func TestServiceCacheNeverLeaksEditsOrServesStaleRecords(t *testing.T) {
	db, err := store.OpenBolt(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st := New(db, model.Partition{Region: "us-east-1", Account: "1"}, nil)
	ctx := context.Background()
	svc := model.Service{Name: "talk", DesiredCount: 1}
	svc.StartDeployment(1, "td:1", time.Now())
	if err := st.Update(ctx, func(tx Tx) error { return tx.PutService("c", svc) }); err != nil {
		t.Fatal(err)
	}
	read := func() model.Service {
		var s model.Service
		if err := st.View(ctx, func(tx Tx) error { s, err = tx.Service("c", "talk"); return err }); err != nil {
			t.Fatal(err)
		}
		return s
	}
	first := read()
	first.Deployments[0].DesiredCount = 99 // an edit the caller does not store
	first.AddEvent(time.Now(), "not stored")
	if again := read(); again.Deployments[0].DesiredCount != 1 || len(again.Events) != 0 {
		t.Fatalf("an unstored edit leaked through the cache: %+v", again)
	}
	svc.DesiredCount = 5
	if err := st.Update(ctx, func(tx Tx) error { return tx.PutService("c", svc) }); err != nil {
		t.Fatal(err)
	}
	if got := read(); got.DesiredCount != 5 {
		t.Fatalf("stale record served: desired %d", got.DesiredCount)
	}
}
