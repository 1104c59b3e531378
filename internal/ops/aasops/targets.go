package aasops

import (
	"context"
	"fmt"
	"slices"

	"github.com/slipway-dev/slipway/internal/store"
)

// RegisterScalableTarget registers an ECS service's desired count as a
// scalable target, or updates one: members left out keep their values.
func (s *Service) RegisterScalableTarget(ctx context.Context, in *RegisterScalableTargetInput) (*RegisterScalableTargetOutput, error) {
	cluster, service, err := checkTarget(in.ServiceNamespace, in.ResourceId, in.ScalableDimension)
	if err != nil {
		return nil, err
	}
	for member, p := range map[string]*int{"minCapacity": in.MinCapacity, "maxCapacity": in.MaxCapacity} {
		if p != nil && *p < 0 {
			return nil, validation(*p, member, "Member must have value greater than or equal to 0")
		}
	}
	if in.RoleARN != "" {
		if err := checkString("roleARN", in.RoleARN, 1, 1600); err != nil {
			return nil, err
		}
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	active, err := s.opts.Services.ServiceActive(ctx, cluster, service)
	if err != nil {
		return nil, internal(err)
	}
	if !active {
		return nil, invalid("ECS service doesn't exist: %s", in.ResourceId)
	}
	var out Target
	err = s.opts.Store.Update(ctx, func(tx store.Tx) error {
		t, err := getTarget(tx, in.ResourceId)
		switch {
		case isNotFound(err):
			if in.MinCapacity == nil || in.MaxCapacity == nil {
				return invalid("MinCapacity and MaxCapacity are required when registering a new scalable target.")
			}
			n := 0
			if err := tx.Scan(bucketTargets, "", "", func(string, []byte) (bool, error) { n++; return true, nil }); err != nil {
				return err
			}
			if n >= MaxTargets {
				return errorf(CodeLimitExceeded, "You have reached the maximum number of scalable targets (%d) for ECS services.", MaxTargets)
			}
			id := newTargetID()
			t = Target{ID: id, ARN: s.targetARN(id), ResourceID: in.ResourceId, Cluster: cluster, Service: service,
				RoleARN: s.defaultRoleARN(), Created: s.now()}
		case err != nil:
			return err
		}
		oldMin, oldMax, isNew := t.Min, t.Max, t.BoundsChanged.IsZero()
		if in.MinCapacity != nil {
			t.Min = *in.MinCapacity
		}
		if in.MaxCapacity != nil {
			t.Max = *in.MaxCapacity
		}
		if isNew || t.Min != oldMin || t.Max != oldMax {
			t.BoundsChanged = s.now()
		}
		if t.Min > t.Max {
			return invalid("Minimum capacity cannot be greater than maximum capacity")
		}
		if in.RoleARN != "" {
			t.RoleARN = in.RoleARN
		}
		if ss := in.SuspendedState; ss != nil {
			setIf(&t.SuspendIn, ss.DynamicScalingInSuspended)
			setIf(&t.SuspendOut, ss.DynamicScalingOutSuspended)
			setIf(&t.SuspendScheduled, ss.ScheduledScalingSuspended)
		}
		merged, err := mergeTags(t.Tags, in.Tags)
		if err != nil {
			return err
		}
		t.Tags = merged
		out = t
		return store.PutJSON(tx, bucketTargets, t.ResourceID, t)
	})
	if err != nil {
		return nil, internal(err)
	}
	s.log.Info("scalable target registered", "resource", out.ResourceID, "min", out.Min, "max", out.Max)
	return &RegisterScalableTargetOutput{ScalableTargetARN: out.ARN}, nil
}

func setIf(dst *bool, p *bool) {
	if p != nil {
		*dst = *p
	}
}

// DescribeScalableTargets lists targets, in resource id order.
func (s *Service) DescribeScalableTargets(ctx context.Context, in *DescribeScalableTargetsInput) (*DescribeScalableTargetsOutput, error) {
	if err := checkFilter(in.ServiceNamespace, "", in.ScalableDimension); err != nil {
		return nil, err
	}
	if len(in.ResourceIds) > 50 {
		return nil, validation(len(in.ResourceIds), "resourceIds", "Member must have length less than or equal to 50")
	}
	for i, rid := range in.ResourceIds {
		if err := checkString(fmt.Sprintf("resourceIds.%d.member", i+1), rid, 1, 1600); err != nil {
			return nil, err
		}
	}
	limit, err := checkMaxResults(in.MaxResults)
	if err != nil {
		return nil, err
	}
	var list []Target
	err = s.opts.Store.View(ctx, func(tx store.Tx) error {
		return store.ScanJSON(tx, bucketTargets, "", "", func(_ string, t Target) bool {
			if len(in.ResourceIds) == 0 || slices.Contains(in.ResourceIds, t.ResourceID) {
				list = append(list, t)
			}
			return true
		})
	})
	if err != nil {
		return nil, internal(err)
	}
	got, next, err := page(list, func(t Target) string { return t.ResourceID }, false, in.NextToken, limit)
	if err != nil {
		return nil, err
	}
	out := &DescribeScalableTargetsOutput{ScalableTargets: make([]ScalableTarget, 0, len(got)), NextToken: next}
	for _, t := range got {
		out.ScalableTargets = append(out.ScalableTargets, targetView(t))
	}
	return out, nil
}

func targetView(t Target) ScalableTarget {
	return ScalableTarget{ServiceNamespace: NamespaceECS, ResourceId: t.ResourceID, ScalableDimension: DimensionECSDesire,
		MinCapacity: t.Min, MaxCapacity: t.Max, RoleARN: t.RoleARN, CreationTime: t.Created, ScalableTargetARN: t.ARN,
		SuspendedState: SuspendedState{DynamicScalingInSuspended: boolPtr(t.SuspendIn),
			DynamicScalingOutSuspended: boolPtr(t.SuspendOut), ScheduledScalingSuspended: boolPtr(t.SuspendScheduled)}}
}

// DeregisterScalableTarget deregisters a target with its scaling policies
// (and their alarms) and scheduled actions; its activities stay for their
// six weeks.
func (s *Service) DeregisterScalableTarget(ctx context.Context, in *TargetInput) error {
	if _, _, err := checkTarget(in.ServiceNamespace, in.ResourceId, in.ScalableDimension); err != nil {
		return err
	}
	var owned []string
	err := s.opts.Store.Update(ctx, func(tx store.Tx) error {
		owned = owned[:0]
		if _, err := getTarget(tx, in.ResourceId); isNotFound(err) {
			return notFound("No scalable target found for service namespace: %s, resource ID: %s, scalable dimension: %s",
				in.ServiceNamespace, in.ResourceId, in.ScalableDimension)
		} else if err != nil {
			return err
		}
		err := store.ScanJSON(tx, bucketPolicies, childPrefix(in.ResourceId), "", func(_ string, p Policy) bool {
			owned = append(owned, p.AlarmNames...)
			return true
		})
		if err != nil {
			return err
		}
		for _, b := range []store.Bucket{bucketPolicies, bucketScheduled} {
			if err := deleteChildren(tx, b, in.ResourceId); err != nil {
				return err
			}
		}
		return tx.Delete(bucketTargets, in.ResourceId)
	})
	if err != nil {
		return internal(err)
	}
	s.deleteOwnedAlarms(ctx, owned)
	s.log.Info("scalable target deregistered", "resource", in.ResourceId)
	return nil
}
