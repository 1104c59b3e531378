package model

import (
	"fmt"
	"net/netip"
)

// MaxTargetsPerGroup is ELB's quota of targets per ALB target group.
const MaxTargetsPerGroup = 1000

// TargetDescription is one registered target of a target group.
type TargetDescription struct {
	ID               string `json:"id"`
	Port             int    `json:"port"`
	AvailabilityZone string `json:"availabilityZone,omitempty"`
	// Revision labels the target for statistics (e.g. "talk:3"); set by the
	// ECS service controller, never sent on the wire.
	Revision string `json:"revision,omitempty"`
}

// Key identifies a registration: the same id may be registered on several ports.
func (t TargetDescription) Key() string { return fmt.Sprintf("%s:%d", t.ID, t.Port) }

// NormalizeTargets fills in the target group's port for targets that give
// none and validates them as ELB does for tg's target type.
func (tg TargetGroup) NormalizeTargets(targets []TargetDescription) ([]TargetDescription, error) {
	if len(targets) == 0 {
		return nil, elbInvalid("At least one target must be specified")
	}
	if len(targets) > MaxTargetsPerRegisterTarget {
		return nil, elbErr(ELBTooManyTargets, "You've reached the limit on the number of targets per target group (%d)", MaxTargetsPerGroup)
	}
	out := make([]TargetDescription, len(targets))
	for i, t := range targets {
		if t.Port == 0 {
			t.Port = tg.Port
		}
		if t.ID == "" {
			return nil, elbInvalid("A target ID must be specified")
		}
		if len(t.ID) > maxELBIDLength || !visibleASCII(t.ID) || len(t.AvailabilityZone) > maxELBIDLength || !visibleASCII(t.AvailabilityZone) && t.AvailabilityZone != "" {
			return nil, elbErr(ELBInvalidTarget, "The target %q is not valid: ids and zones are 1 to %d printable ASCII characters", t.ID, maxELBIDLength)
		}
		if t.Port < 1 || t.Port > 65535 {
			return nil, elbInvalid("Port '%d' must be between 1 and 65535", t.Port)
		}
		if tg.TargetType == TargetTypeIP {
			ip, err := netip.ParseAddr(t.ID)
			if err != nil || ip.Zone() != "" {
				return nil, elbErr(ELBInvalidTarget, "The IP address '%s' is not a valid IP address", t.ID)
			}
			if ip.Is4() != (tg.IPAddressType != "ipv6") {
				return nil, elbErr(ELBInvalidTarget, "The IP address '%s' does not match the target group's IP address type '%s'", t.ID, tg.IPAddressType)
			}
		}
		out[i] = t
	}
	return out, nil
}
