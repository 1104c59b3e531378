package state

import (
	"context"
	"testing"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/store"
)

func TestTaskCacheNeverLeaksEditsOrServesStaleRecords(t *testing.T) {
	db, err := store.OpenBolt(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st := New(db, model.Partition{Region: "us-east-1", Account: "1"}, nil)
	ctx := context.Background()
	task := model.Task{LastStatus: model.TaskRunning, Internal: model.TaskInternal{ID: "t1", Cluster: "c",
		Targets: []model.TaskTarget{{TargetGroupARN: "tg", State: model.TargetRegistered}}},
		Containers: []model.Container{{Name: "app", NetworkBindings: []model.NetworkBinding{{HostPort: 8080}}}}}
	if err := st.Update(ctx, func(tx Tx) error { return tx.PutTask(task) }); err != nil {
		t.Fatal(err)
	}
	read := func() (one model.Task, all []model.Task) {
		err := st.View(ctx, func(tx Tx) error {
			var err error
			if one, err = tx.Task("c", "t1"); err != nil {
				return err
			}
			all, err = tx.Tasks("c")
			return err
		})
		if err != nil || len(all) != 1 {
			t.Fatalf("read: %d tasks, %v", len(all), err)
		}
		return one, all
	}
	one, all := read()
	for _, got := range []model.Task{one, all[0]} {
		// Edits the caller does not store.
		got.Internal.Targets[0].State = model.TargetDeregistered
		got.Containers[0].NetworkBindings[0].HostPort = 1
		got.Containers[0].Name = "edited"
	}
	if again, _ := read(); again.Internal.Targets[0].State != model.TargetRegistered ||
		again.Containers[0].NetworkBindings[0].HostPort != 8080 || again.Containers[0].Name != "app" {
		t.Fatalf("an unstored edit leaked through the cache: %+v", again)
	}
	task.LastStatus = model.TaskStopped
	if err := st.Update(ctx, func(tx Tx) error { return tx.PutTask(task) }); err != nil {
		t.Fatal(err)
	}
	if got, all := read(); got.LastStatus != model.TaskStopped || all[0].LastStatus != model.TaskStopped {
		t.Fatalf("stale record served: %s", got.LastStatus)
	}
	if err := st.Update(ctx, func(tx Tx) error { return tx.DeleteTask("c", "t1") }); err != nil {
		t.Fatal(err)
	}
	if n := len(st.tasks.m); n != 0 {
		t.Fatalf("a deleted task stays cached (%d entries)", n)
	}
}
