package ecsops

import (
	"strings"

	"github.com/slipway-dev/slipway/internal/awserr"
)

// ECS error codes of refused operations.
const (
	CodeUnsupportedFeature = "UnsupportedFeatureException"
	CodeNoUpdateAvailable  = "NoUpdateAvailableException"
)

// Refusal is the error of an ECS operation Slipway does not serve, in one
// of the exceptions ECS documents for that operation, with what to do
// instead; nil for any other name. Operations that need AWS-only services
// are refused for good; the others until Slipway serves them.
func Refusal(op string) error {
	switch {
	case op == "ExecuteCommand":
		return awserr.New(CodeClient, "ExecuteCommand needs AWS Systems Manager Session Manager, which Slipway does not have: "+
			"run `docker exec` on the task's container (docker runtime) or a shell on this machine (process runtime).")
	case strings.HasSuffix(op, "ExpressGatewayService"):
		return awserr.New(CodeUnsupportedFeature, "Express gateway services are provisioned by AWS (load balancer, certificates, DNS, IAM) "+
			"and are not available in Slipway: create the service with CreateService and its load balancer with the ELBv2 API.")
	case op == "UpdateContainerAgent":
		return awserr.New(CodeNoUpdateAvailable, "The Slipway agent is part of the slipway binary and has no separate update: upgrade slipway itself.")
	case strings.HasPrefix(op, "RegisterDaemon") || strings.HasSuffix(op, "DaemonTaskDefinition") || op == "ListDaemonTaskDefinitions":
		return awserr.New(CodeClient, "ECS daemons are not supported by Slipway yet: run a service with the DAEMON scheduling strategy.")
	case strings.Contains(op, "Daemon"):
		return awserr.New(CodeUnsupportedFeature, "ECS daemons are not supported by Slipway yet: run a service with the DAEMON scheduling strategy.")
	case op == "PutAttributes" || op == "DeleteAttributes" || op == "ListAttributes":
		return awserr.New(CodeClient, "Custom attributes are not supported by Slipway yet: the agent sets each container instance's attributes.")
	case op == "UpdateContainerInstancesState":
		return awserr.New(CodeClient, "UpdateContainerInstancesState is not supported by Slipway yet: `slipway down` drains this machine's instance.")
	case op == "DiscoverPollEndpoint" || op == "RegisterContainerInstance" || op == "DeregisterContainerInstance" || strings.HasPrefix(op, "Submit"):
		return awserr.New(CodeClient, "%s is the ECS container agent's: Slipway's agent is built in and registers itself; "+
			"the ECS agent cannot join a Slipway cluster.", op)
	}
	return nil
}
