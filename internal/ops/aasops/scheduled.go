package aasops

import (
	"context"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/store"
)

func checkScheduledActionName(member, name string) error {
	if err := checkString(member, name, 1, 256); err != nil {
		return err
	}
	bad := strings.HasPrefix(name, " ") || strings.HasSuffix(name, " ") || strings.ContainsAny(name, ":/|")
	for _, r := range name {
		bad = bad || r < 0x20 || (r >= 0x7f && r <= 0x9f)
	}
	if bad {
		return validation(name, member, `Member must satisfy regular expression pattern: (?!((^[ ]+.*)|(.*([\u0000-\u001f]|[\u007f-\u009f]|[:/|])+.*)|(.*[ ]+$))).+`)
	}
	return nil
}

// PutScheduledAction creates or updates a scheduled action; on an update,
// members left out keep their values.
func (s *Service) PutScheduledAction(ctx context.Context, in *PutScheduledActionInput) error {
	if _, _, err := checkTarget(in.ServiceNamespace, in.ResourceId, in.ScalableDimension); err != nil {
		return err
	}
	if err := checkScheduledActionName("scheduledActionName", in.ScheduledActionName); err != nil {
		return err
	}
	for member, v := range map[string]string{"schedule": in.Schedule, "timezone": in.Timezone} {
		if v != "" {
			if err := checkString(member, v, 1, 1600); err != nil {
				return err
			}
		}
	}
	if a := in.ScalableTargetAction; a != nil {
		for member, p := range map[string]*int{"scalableTargetAction.minCapacity": a.MinCapacity, "scalableTargetAction.maxCapacity": a.MaxCapacity} {
			if p != nil && *p < 0 {
				return validation(*p, member, "Member must have value greater than or equal to 0")
			}
		}
	}
	err := s.opts.Store.Update(ctx, func(tx store.Tx) error {
		if _, err := getTarget(tx, in.ResourceId); isNotFound(err) {
			return errNoTarget(in.ServiceNamespace, in.ResourceId, in.ScalableDimension)
		} else if err != nil {
			return err
		}
		a, err := getScheduled(tx, in.ResourceId, in.ScheduledActionName)
		switch {
		case isNotFound(err):
			n, err := countChildren(tx, bucketScheduled, in.ResourceId)
			if err != nil {
				return err
			}
			if n >= MaxScheduledActionsPerTarget {
				return errorf(CodeLimitExceeded, "You have reached the maximum number of scheduled actions (%d) for this scalable target.", MaxScheduledActionsPerTarget)
			}
			if in.Schedule == "" {
				return required("schedule")
			}
			id := model.NewUUID()
			a = Scheduled{ID: id, Name: in.ScheduledActionName, ResourceID: in.ResourceId,
				ARN: s.scheduledActionARN(id, in.ResourceId, in.ScheduledActionName), Created: s.now()}
		case err != nil:
			return err
		}
		if err := applyScheduled(&a, in, s.now()); err != nil {
			return err
		}
		return store.PutJSON(tx, bucketScheduled, childKey(a.ResourceID, a.Name), a)
	})
	return internal(err)
}

// applyScheduled merges an input into a stored action and validates it.
func applyScheduled(a *Scheduled, in *PutScheduledActionInput, now time.Time) error {
	changed := false
	if in.Schedule != "" {
		changed = changed || a.Schedule != in.Schedule
		a.Schedule = in.Schedule
	}
	if in.Timezone != "" {
		changed = changed || a.Timezone != in.Timezone
		a.Timezone = in.Timezone
	}
	if _, err := ParseSchedule(a.Schedule, a.Timezone); err != nil {
		return err
	}
	if in.StartTime != nil {
		t := in.StartTime.UTC()
		a.Start, changed = &t, true
	}
	if in.EndTime != nil {
		t := in.EndTime.UTC()
		a.End = &t
	}
	if a.Start != nil && a.End != nil && !a.End.After(*a.Start) {
		return invalid("The end time must be after the start time.")
	}
	if ta := in.ScalableTargetAction; ta != nil {
		if ta.MinCapacity != nil {
			a.Min = intPtr(*ta.MinCapacity)
		}
		if ta.MaxCapacity != nil {
			a.Max = intPtr(*ta.MaxCapacity)
		}
	}
	if a.Min == nil && a.Max == nil {
		return invalid("At least one of minimum capacity and maximum capacity should be provided")
	}
	if a.Min != nil && a.Max != nil && *a.Min > *a.Max {
		return invalid("Minimum capacity cannot be greater than maximum capacity")
	}
	if changed {
		// The new schedule counts from now on.
		a.Anchor, a.LastRun = now, time.Time{}
	}
	return nil
}

// DescribeScheduledActions lists scheduled actions in resource id and name order.
func (s *Service) DescribeScheduledActions(ctx context.Context, in *DescribeScheduledActionsInput) (*DescribeScheduledActionsOutput, error) {
	got, next, err := describeChildren(ctx, s, bucketScheduled, childFilter{ns: in.ServiceNamespace, rid: in.ResourceId,
		dim: in.ScalableDimension, names: in.ScheduledActionNames, namesMember: "scheduledActionNames", max: in.MaxResults,
		token: in.NextToken}, func(a Scheduled) (string, string) { return a.ResourceID, a.Name })
	if err != nil {
		return nil, err
	}
	out := &DescribeScheduledActionsOutput{ScheduledActions: make([]ScheduledAction, 0, len(got)), NextToken: next}
	for _, a := range got {
		out.ScheduledActions = append(out.ScheduledActions, ScheduledAction{ScheduledActionName: a.Name,
			ScheduledActionARN: a.ARN, ServiceNamespace: NamespaceECS, Schedule: a.Schedule, Timezone: a.Timezone,
			ResourceId: a.ResourceID, ScalableDimension: DimensionECSDesire, StartTime: a.Start, EndTime: a.End,
			ScalableTargetAction: ScalableTargetAction{MinCapacity: a.Min, MaxCapacity: a.Max}, CreationTime: a.Created})
	}
	return out, nil
}

// DeleteScheduledAction deletes a scheduled action.
func (s *Service) DeleteScheduledAction(ctx context.Context, in *DeleteScheduledActionInput) error {
	if _, _, err := checkTarget(in.ServiceNamespace, in.ResourceId, in.ScalableDimension); err != nil {
		return err
	}
	if err := checkString("scheduledActionName", in.ScheduledActionName, 1, 1600); err != nil {
		return err
	}
	err := s.opts.Store.Update(ctx, func(tx store.Tx) error {
		if _, err := getScheduled(tx, in.ResourceId, in.ScheduledActionName); isNotFound(err) {
			return notFound("No scheduled action found for service namespace: %s, resource ID: %s, scalable dimension: %s, scheduled action name: %s",
				in.ServiceNamespace, in.ResourceId, in.ScalableDimension, in.ScheduledActionName)
		} else if err != nil {
			return err
		}
		return tx.Delete(bucketScheduled, childKey(in.ResourceId, in.ScheduledActionName))
	})
	return internal(err)
}
