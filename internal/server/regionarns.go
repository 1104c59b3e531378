package server

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"

	"github.com/slipway-dev/slipway/internal/api/awsproto"
	"github.com/slipway-dev/slipway/internal/model"
)

// ecsReferenceMembers are the request members of ECS's operations that
// name ECS resources (the service model's top-level string and string-list
// members that take an ARN). ECS answers an ARN of another region in them
// with InvalidParameterException "Invalid Region in ARN", whatever the
// operation, before it looks anything up; ELB's lookups are by whole ARN,
// so another region's is simply not found.
var ecsReferenceMembers = []string{
	"capacityProvider", "capacityProviderArns", "capacityProviders", "cluster", "clusterArn", "clusters",
	"containerInstance", "containerInstanceArn", "containerInstances", "primaryTaskSet", "resourceArn",
	"service", "serviceArn", "serviceDeploymentArn", "serviceDeploymentArns", "serviceRevisionArns", "services",
	"task", "taskDefinition", "taskDefinitions", "taskSet", "taskSets", "tasks",
}

// ecsForeignARN returns the first ECS ARN of another region than region in
// body's reference members ("" when there is none, or body is not a JSON
// object: the ECS handler answers that).
func ecsForeignARN(body []byte, region string) string {
	var in map[string]json.RawMessage
	if json.Unmarshal(body, &in) != nil {
		return ""
	}
	for _, member := range ecsReferenceMembers {
		raw, ok := in[member]
		if !ok {
			continue
		}
		var refs []string
		var one string
		if json.Unmarshal(raw, &one) == nil {
			refs = []string{one}
		} else if json.Unmarshal(raw, &refs) != nil {
			continue
		}
		for _, ref := range refs {
			if a, ok := model.ParseARN(ref); ok && a.Service == "ecs" && a.Region != region {
				return ref
			}
		}
	}
	return ""
}

// refuseForeignECSARNs answers a request naming another region's ECS ARN
// as ECS does, and passes the others to next.
func refuseForeignECSARNs(region string, next http.Handler, w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, awsproto.MaxBodyBytes+1))
	if err != nil {
		awsproto.WriteJSONError(w, awsproto.ClientError("SerializationException", "%v", err), "InternalFailure")
		return
	}
	if ecsForeignARN(body, region) != "" {
		awsproto.WriteJSONError(w, awsproto.ClientError("InvalidParameterException", "Invalid Region in ARN"), "InternalFailure")
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	next.ServeHTTP(w, r)
}
