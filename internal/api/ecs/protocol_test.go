package ecs

import (
	"context"
	"testing"

	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/slipway-dev/slipway/internal/api/awsproto"
)

func TestProtocolErrors(t *testing.T) {
	api := newTestAPI(t, nil, nil)
	status, out := rawCall(t, api.url, "LaunchRockets", `{}`)
	if status != 400 || out["__type"] != "UnknownOperationException" {
		t.Fatalf("unknown op: %d %v", status, out)
	}
	status, out = rawCall(t, api.url, "ListClusters", `{"maxResults": `)
	if status != 400 || out["__type"] != "SerializationException" {
		t.Fatalf("malformed: %d %v", status, out)
	}
	status, out = rawCall(t, api.url, "ListClusters", `{"maxResults": "ten"}`)
	if status != 400 || out["__type"] != "SerializationException" {
		t.Fatalf("wrong type: %d %v", status, out)
	}
}

func TestSignatureRequiredWhenCredentialsConfigured(t *testing.T) {
	ctx := context.Background()
	api := newTestAPI(t, nil, awsproto.Credentials{"AKIDTEST": "secret"})
	if _, err := api.client.ListClusters(ctx, &awsecs.ListClustersInput{}); err != nil {
		t.Fatalf("valid signature refused: %v", err)
	}
	_, err := newClient(api.url, "AKIDTEST", "wrong").ListClusters(ctx, &awsecs.ListClustersInput{})
	wantCode(t, err, "InvalidSignatureException")
	_, err = newClient(api.url, "AKIDOTHER", "secret").ListClusters(ctx, &awsecs.ListClustersInput{})
	wantCode(t, err, "UnrecognizedClientException")
	status, out := rawCallAuth(t, api.url, "ListClusters", `{}`, "")
	if status != 400 || out["__type"] != "MissingAuthenticationTokenException" {
		t.Fatalf("unsigned: %d %v", status, out)
	}
}
