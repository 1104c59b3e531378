package elbops

import (
	"context"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// viewRecord reads one record in a read transaction; errors are ELB's.
func viewRecord[T any](ctx context.Context, st *state.State, get func(state.Tx) (T, error)) (T, error) {
	var v T
	err := st.View(ctx, func(tx state.Tx) (err error) {
		v, err = get(tx)
		return err
	})
	return v, fail(err)
}

// updateRecord reads one record, lets change modify it and stores it with
// put, in one transaction: nothing is stored when change fails. It
// returns the record as stored; errors are ELB's.
func updateRecord[T any](ctx context.Context, st *state.State, get func(state.Tx) (T, error), put func(state.Tx, T) error, change func(*T) error) (T, error) {
	var out T
	err := st.Update(ctx, func(tx state.Tx) error {
		v, err := get(tx)
		if err != nil {
			return err
		}
		if err := change(&v); err != nil {
			return err
		}
		out = v
		return put(tx, v)
	})
	return out, fail(err)
}

// Getters of the records by ARN, for viewRecord and updateRecord.
func loadBalancerByARN(arn string) func(state.Tx) (model.ALB, error) {
	return func(tx state.Tx) (model.ALB, error) { return tx.LoadBalancer(arn) }
}

func listenerByARN(arn string) func(state.Tx) (model.Listener, error) {
	return func(tx state.Tx) (model.Listener, error) { return tx.Listener(arn) }
}

func targetGroupByARN(arn string) func(state.Tx) (model.TargetGroup, error) {
	return func(tx state.Tx) (model.TargetGroup, error) { return tx.TargetGroup(arn) }
}
