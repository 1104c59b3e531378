package stack

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/store"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// TestRootContinuesChildRollback: a child whose rollback failed
// (UPDATE_ROLLBACK_FAILED) cannot be continued on its own; the root's
// ContinueUpdateRollback continues it, and both end UPDATE_ROLLBACK_COMPLETE.
func TestRootContinuesChildRollback(t *testing.T) {
	ctx := context.Background()
	db, err := store.OpenBolt(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e := New(Options{Store: db, Region: "eu-central-1", Account: "123456789012"})
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- e.Run(runCtx) }()
	t.Cleanup(func() { cancel(); <-done })

	child := filepath.Join(t.TempDir(), "child.yaml")
	if err := os.WriteFile(child, []byte("Resources:\n  VPC:\n    Type: AWS::EC2::VPC\n    Properties: {CidrBlock: 10.0.0.0/16}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	parentID, err := e.CreateStack(ctx, &CreateInput{StackName: "root",
		TemplateBody: "Resources:\n  Net:\n    Type: AWS::CloudFormation::Stack\n    Properties: {TemplateURL: 'file://" + child + "'}\n"})
	if err != nil {
		t.Fatal(err)
	}
	settled := func(id string) *Stack {
		t.Helper()
		var s *Stack
		testutil.Eventually(t, 10*time.Second, func() (bool, string) {
			var err error
			if s, err = e.stackRecord(ctx, id); err != nil {
				return false, err.Error()
			}
			return atRest(s), s.Status
		})
		return s
	}
	if s := settled(parentID); s.Status != StatusCreateComplete {
		t.Fatalf("root %s %s", s.Status, s.StatusReason)
	}
	// Put both where a failed rollback leaves them: the child
	// UPDATE_ROLLBACK_FAILED, the root too with Net still to roll back.
	var childID string
	if err := e.update(ctx, func(t tx) error {
		rs, err := t.resources(parentID)
		if err != nil {
			return err
		}
		net := rs[0]
		childID = net.PhysicalID
		old := net.State
		net.Old, net.Status = &old, StatusUpdateFailed
		if err := t.putResource(&net); err != nil {
			return err
		}
		for _, id := range []string{parentID, childID} {
			s, err := t.stack(id)
			if err != nil {
				return err
			}
			prev := s.Current
			s.Status, s.Previous = StatusUpdateRollbackFailed, &prev
			if err := t.putStack(s); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := e.ContinueUpdateRollback(ctx, childID, nil); !errors.Is(err, ErrStackBusy) {
		t.Errorf("ContinueUpdateRollback of the child: %v", err)
	}
	if err := e.ContinueUpdateRollback(ctx, "root", nil); err != nil {
		t.Fatal(err)
	}
	if s := settled(parentID); s.Status != StatusUpdateRollbackComplete {
		t.Errorf("root %s %s", s.Status, s.StatusReason)
	}
	if s := settled(childID); s.Status != StatusUpdateRollbackComplete {
		t.Errorf("child %s %s", s.Status, s.StatusReason)
	}
}
