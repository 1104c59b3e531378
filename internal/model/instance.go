package model

// LocalHost is this machine as the load balancer reaches its tasks: instance
// targets are dialled at it, and the process runtime tells its tasks to bind
// it (HOST), so that their ports are not exposed on every interface.
const LocalHost = "127.0.0.1"

// Container instance statuses.
const (
	InstanceActive   = "ACTIVE"
	InstanceDraining = "DRAINING"
)

// ContainerInstance is a node that runs tasks: in the embedded default, the
// machine running `slipway server`.
type ContainerInstance struct {
	ARN                 string           `json:"containerInstanceArn"`
	EC2InstanceID       string           `json:"ec2InstanceId"`
	Status              string           `json:"status"`
	AgentConnected      bool             `json:"agentConnected"`
	RegisteredAt        Time             `json:"registeredAt"`
	RegisteredResources []Resource       `json:"registeredResources"`
	VersionInfo         VersionInfo      `json:"versionInfo"`
	Attributes          []Attribute      `json:"attributes"`
	Version             int64            `json:"version"`
	Internal            InstanceInternal `json:"internal"`
}

// Resource is a registered or remaining resource of a container instance.
type Resource struct {
	Name           string   `json:"name"`
	Type           string   `json:"type"`
	IntegerValue   int      `json:"integerValue,omitempty"`
	StringSetValue []string `json:"stringSetValue,omitempty"`
}

// VersionInfo names the agent that runs on the instance.
type VersionInfo struct {
	AgentVersion  string `json:"agentVersion"`
	AgentHash     string `json:"agentHash,omitempty"`
	DockerVersion string `json:"dockerVersion,omitempty"`
}

// Attribute is a container instance attribute.
type Attribute struct {
	Name  string `json:"name"`
	Value string `json:"value,omitempty"`
}

// InstanceInternal is Slipway's bookkeeping on a container instance.
type InstanceInternal struct {
	ID      string `json:"id"`
	Cluster string `json:"cluster"`
	// Runtime names the runtime its agent uses: process or docker.
	Runtime string `json:"runtime"`
	// ShutdownDrain marks an instance DRAINING because its server is going
	// down (`slipway down`); the server's next start makes it ACTIVE again.
	ShutdownDrain bool `json:"shutdownDrain,omitempty"`
}
