// Package model holds Slipway's domain types — ECS clusters, task definitions,
// services, deployments, tasks and container instances — with their
// validation, defaults and ARN formats. It does no I/O.
package model

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
)

// Partition names the region and account that ARNs are minted in.
type Partition struct {
	Region  string
	Account string
}

// Defaults for the region and account ARNs are minted in, as the CLI flags
// --region and --account-id default them.
const (
	DefaultRegion  = "us-east-1"
	DefaultAccount = "000000000000"
)

func (p Partition) ecs(resource string) string {
	return fmt.Sprintf("arn:aws:ecs:%s:%s:%s", p.Region, p.Account, resource)
}

// ClusterARN returns arn:aws:ecs:REGION:ACCOUNT:cluster/NAME.
func (p Partition) ClusterARN(name string) string { return p.ecs("cluster/" + name) }

// TaskDefinitionARN returns arn:aws:ecs:REGION:ACCOUNT:task-definition/FAMILY:REV.
func (p Partition) TaskDefinitionARN(family string, rev int) string {
	return p.ecs(fmt.Sprintf("task-definition/%s:%d", family, rev))
}

// ServiceARN returns the long-format service ARN, which names the cluster.
func (p Partition) ServiceARN(cluster, name string) string {
	return p.ecs("service/" + cluster + "/" + name)
}

// TaskARN returns arn:aws:ecs:REGION:ACCOUNT:task/CLUSTER/ID.
func (p Partition) TaskARN(cluster, id string) string { return p.ecs("task/" + cluster + "/" + id) }

// ContainerARN returns arn:aws:ecs:REGION:ACCOUNT:container/CLUSTER/TASKID/UUID.
func (p Partition) ContainerARN(cluster, taskID, id string) string {
	return p.ecs("container/" + cluster + "/" + taskID + "/" + id)
}

// ContainerInstanceARN returns arn:aws:ecs:REGION:ACCOUNT:container-instance/CLUSTER/ID.
func (p Partition) ContainerInstanceARN(cluster, id string) string {
	return p.ecs("container-instance/" + cluster + "/" + id)
}

// ServiceDeploymentARN returns arn:aws:ecs:REGION:ACCOUNT:service-deployment/CLUSTER/SERVICE/ID.
func (p Partition) ServiceDeploymentARN(cluster, service, id string) string {
	return p.ecs("service-deployment/" + cluster + "/" + service + "/" + id)
}

// ParsedARN is an ARN split into its parts.
type ParsedARN struct {
	Service, Region, Account string
	// Resource is everything after the account, e.g. "task/default/abc".
	Resource string
}

// ParseARN splits an ARN; ok is false when s is not one.
func ParseARN(s string) (ParsedARN, bool) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] == "" {
		return ParsedARN{}, false
	}
	return ParsedARN{Service: parts[2], Region: parts[3], Account: parts[4], Resource: parts[5]}, true
}

// ResourceType returns the part of Resource before the first "/".
func (a ParsedARN) ResourceType() string {
	t, _, _ := strings.Cut(a.Resource, "/")
	return t
}

// LastSegment returns the part of Resource after the last "/".
func (a ParsedARN) LastSegment() string { return a.Resource[strings.LastIndex(a.Resource, "/")+1:] }

// NewID returns 32 random hex digits, the shape of ECS task and container
// instance ids.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// NewUUID returns a random version-4 UUID, the shape of container ids and
// event ids.
func NewUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
