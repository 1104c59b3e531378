package model

import (
	"encoding/json"
	"strconv"
	"time"
)

// NewTaskInput names what a new task is made of.
type NewTaskInput struct {
	Cluster     string
	ClusterARN  string
	Definition  TaskDefinition
	InstanceARN string
	Group       string
	StartedBy   string
	LaunchType  string
	Overrides   json.RawMessage
	Service     string
	Deployment  string
	// CapacityProvider is the provider the task runs on, when it was placed
	// by a capacity provider strategy; LaunchType then follows it.
	CapacityProvider string
	// Network is the awsvpc configuration of an awsvpc task.
	Network *AwsvpcConfiguration
	Now     time.Time
}

// NewTask returns a task in PROVISIONING with desired status RUNNING, its
// containers PENDING, as ECS creates tasks for RunTask and for services.
func NewTask(p Partition, in NewTaskInput) Task {
	id := NewID()
	arn := p.TaskARN(in.Cluster, id)
	spec := in.Definition.Spec
	t := Task{
		ARN: arn, ClusterARN: in.ClusterARN, TaskDefinitionARN: in.Definition.ARN,
		ContainerInstanceARN: in.InstanceARN, Group: in.Group, StartedBy: in.StartedBy,
		LastStatus: TaskProvisioning, DesiredStatus: TaskRunning, HealthStatus: HealthUnknown,
		CPU: spec.CPU, Memory: spec.Memory, LaunchType: in.LaunchType, Overrides: in.Overrides,
		CreatedAt: Ptr(in.Now),
		Internal: TaskInternal{
			ID: id, Cluster: in.Cluster, Service: in.Service, DeploymentID: in.Deployment,
			Reserved: ReservationOf(spec),
		},
	}
	if in.CapacityProvider != "" {
		t.CapacityProviderName, t.LaunchType = in.CapacityProvider, ProviderLaunchType(in.CapacityProvider)
	}
	if t.LaunchType == LaunchTypeFargate {
		t.EphemeralStorage = &EphemeralStorage{SizeInGiB: FargateEphemeralStorageGiB}
		if spec.EphemeralStorage != nil && spec.EphemeralStorage.SizeInGiB > 0 {
			t.EphemeralStorage.SizeInGiB = spec.EphemeralStorage.SizeInGiB
		}
	}
	if t.LaunchType == "" {
		t.LaunchType = "EC2"
	}
	t.Attachments = []Attachment{}
	if spec.NetworkMode == NetworkModeAwsvpc {
		t.Attachments = append(t.Attachments, NewENIAttachment(in.Network))
		t.Internal.Network = in.Network
	}
	for _, cd := range spec.ContainerDefinitions {
		c := Container{
			ContainerARN: p.ContainerARN(in.Cluster, id, NewUUID()), TaskARN: arn, Name: cd.Name,
			Image: cd.Image, LastStatus: TaskPending, NetworkBindings: []NetworkBinding{},
			NetworkInterfaces: []NetworkInterface{},
		}
		if cd.CPU > 0 {
			c.CPU = strconv.Itoa(cd.CPU)
		}
		if cd.Memory != nil {
			c.Memory = strconv.Itoa(*cd.Memory)
		}
		if cd.MemoryReservation != nil {
			c.MemoryReservation = strconv.Itoa(*cd.MemoryReservation)
		}
		if cd.HealthCheck != nil {
			c.HealthStatus = HealthUnknown
		}
		t.Containers = append(t.Containers, c)
	}
	return t
}

// ReservationOf is what a task of spec reserves: the task-level cpu and
// memory when set, else the sum of its containers' (memoryReservation
// before memory), and every fixed host port. An awsvpc task reserves no
// host port: its ports are on an address of its own.
func ReservationOf(spec TaskSpec) Reservation {
	var r Reservation
	r.CPU, _ = strconv.Atoi(spec.CPU)
	r.Memory, _ = strconv.Atoi(spec.Memory)
	sumCPU, sumMem := 0, 0
	for _, c := range spec.ContainerDefinitions {
		sumCPU += c.CPU
		switch {
		case c.MemoryReservation != nil:
			sumMem += *c.MemoryReservation
		case c.Memory != nil:
			sumMem += *c.Memory
		}
		for _, pm := range c.PortMappings {
			if pm.HostPort != 0 && spec.NetworkMode != NetworkModeAwsvpc {
				r.HostPorts = append(r.HostPorts, pm.HostPort)
			}
		}
	}
	if r.CPU == 0 {
		r.CPU = sumCPU
	}
	if r.Memory == 0 {
		r.Memory = sumMem
	}
	return r
}
