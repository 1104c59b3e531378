package model

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
)

// ELBv2 ARN resource types.
const (
	ELBResourceLoadBalancer = "loadbalancer"
	ELBResourceTargetGroup  = "targetgroup"
	ELBResourceListener     = "listener"
	ELBResourceRule         = "listener-rule"
)

func (p Partition) elb(resource string) string {
	return fmt.Sprintf("arn:aws:elasticloadbalancing:%s:%s:%s", p.Region, p.Account, resource)
}

// LoadBalancerARN returns arn:aws:elasticloadbalancing:REGION:ACCOUNT:loadbalancer/app/NAME/ID.
func (p Partition) LoadBalancerARN(name, id string) string {
	return p.LoadBalancerARNOf(ALBTypeApplication, name, id)
}

// LoadBalancerARNOf returns the ARN of a load balancer of type lbType:
// ...:loadbalancer/app/NAME/ID for application and .../net/NAME/ID for
// network load balancers.
func (p Partition) LoadBalancerARNOf(lbType, name, id string) string {
	return p.elb("loadbalancer/" + elbTypePrefix(lbType) + "/" + name + "/" + id)
}

func elbTypePrefix(lbType string) string {
	if lbType == ALBTypeNetwork {
		return "net"
	}
	return "app"
}

// TargetGroupARN returns arn:aws:elasticloadbalancing:REGION:ACCOUNT:targetgroup/NAME/ID.
func (p Partition) TargetGroupARN(name, id string) string {
	return p.elb("targetgroup/" + name + "/" + id)
}

// ListenerARN returns the ARN of listener id of the load balancer lbARN:
// ...:listener/app/LBNAME/LBID/ID.
func ListenerARN(lbARN, id string) string {
	return strings.Replace(lbARN, ":loadbalancer/", ":listener/", 1) + "/" + id
}

// RuleARN returns the ARN of rule id of the listener listenerARN:
// ...:listener-rule/app/LBNAME/LBID/LID/ID.
func RuleARN(listenerARN, id string) string {
	return strings.Replace(listenerARN, ":listener/", ":listener-rule/", 1) + "/" + id
}

// NewELBID returns 16 random hex digits, the shape of the last segment of
// ELBv2 ARNs.
func NewELBID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// ELBResource is an ELBv2 ARN split into the names and ids it carries.
type ELBResource struct {
	// Type is one of the ELBResource* constants.
	Type string
	// Name is the load balancer's name (the target group's for target groups).
	Name string
	// Path is the resource after its type, e.g. "app/web/0123456789abcdef/fedcba9876543210"
	// for a listener; it is the storage key of the resource.
	Path string
	// LoadBalancerPath is "app/NAME/ID" of the owning load balancer (not for target groups).
	LoadBalancerPath string
	// ListenerPath is "app/NAME/LBID/LID" of the owning listener (rules only).
	ListenerPath string
}

// ParseELBARN splits an ELBv2 ARN of an application ("app/") or network
// ("net/") load balancer or of its parts; ok is false for anything else,
// including gateway load balancers ("gwy/"), which Slipway does not have.
func ParseELBARN(arn string) (ELBResource, bool) {
	a, ok := ParseARN(arn)
	if !ok || a.Service != "elasticloadbalancing" {
		return ELBResource{}, false
	}
	typ, path, _ := strings.Cut(a.Resource, "/")
	parts := strings.Split(path, "/")
	for _, s := range parts {
		if s == "" {
			return ELBResource{}, false
		}
	}
	r := ELBResource{Type: typ, Path: path}
	switch {
	case typ == ELBResourceTargetGroup && len(parts) == 2:
		r.Name = parts[0]
		return r, true
	case typ == ELBResourceLoadBalancer && len(parts) == 3 && isLBPrefix(parts[0]),
		typ == ELBResourceListener && len(parts) == 4 && isLBPrefix(parts[0]),
		typ == ELBResourceRule && len(parts) == 5 && isLBPrefix(parts[0]):
		r.Name = parts[1]
		r.LoadBalancerPath = strings.Join(parts[:3], "/")
		if typ == ELBResourceRule {
			r.ListenerPath = strings.Join(parts[:4], "/")
		}
		return r, true
	}
	return ELBResource{}, false
}

func isLBPrefix(p string) bool { return p == "app" || p == "net" }
