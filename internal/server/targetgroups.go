package server

import (
	"context"
	"errors"

	"github.com/slipway-dev/slipway/internal/state"
)

// targetGroups answers the ECS operations' question about a service's target
// groups from the ELB records.
type targetGroups struct{ st *state.State }

func (t targetGroups) TargetGroupInUse(ctx context.Context, arn string) (exists, attached bool, err error) {
	err = t.st.View(ctx, func(tx state.Tx) error {
		if _, err := tx.TargetGroup(arn); errors.Is(err, state.ErrTargetGroupNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		exists = true
		lbs, err := tx.TargetGroupLoadBalancers()
		attached = len(lbs[arn]) > 0
		return err
	})
	return exists, attached, err
}
