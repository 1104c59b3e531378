package ecs

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/slipway-dev/slipway/internal/awserr"
	"github.com/slipway-dev/slipway/internal/ops/ecsops"
)

// ecsModel is botocore's ECS service model on this machine (compressed or not).
const ecsModel = "/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages/botocore/data/ecs/2014-11-13/service-2.json"

// modelOperations reads the service model's operations and the errors each
// documents; it skips (fails under CI=true) without the model.
func modelOperations(t *testing.T) map[string][]string {
	t.Helper()
	var doc struct {
		Operations map[string]struct {
			Errors []struct {
				Shape string `json:"shape"`
			} `json:"errors"`
		} `json:"operations"`
	}
	f, err := os.Open(ecsModel + ".gz")
	if err == nil {
		defer f.Close()
		gz, gzErr := gzip.NewReader(f)
		if gzErr != nil {
			t.Fatal(gzErr)
		}
		err = json.NewDecoder(gz).Decode(&doc)
	} else if raw, rerr := os.ReadFile(ecsModel); rerr == nil {
		err = json.Unmarshal(raw, &doc)
	}
	if err != nil || len(doc.Operations) == 0 {
		if os.Getenv("CI") == "true" {
			t.Fatalf("botocore ECS model: %v", err)
		}
		t.Skipf("no botocore ECS model here: %v", err)
	}
	out := map[string][]string{}
	for name, op := range doc.Operations {
		for _, e := range op.Errors {
			out[name] = append(out[name], e.Shape)
		}
	}
	return out
}

// Every operation of ECS's service model is either served or refused with
// one of the exceptions the model documents for it.
func TestEveryModelOperationIsServedOrRefused(t *testing.T) {
	h := New(ecsops.New(nil, nil, ecsops.Options{}), nil)
	for name, errs := range modelOperations(t) {
		if _, served := h.ops[name]; served {
			continue
		}
		err := ecsops.Refusal(name)
		if err == nil {
			t.Errorf("%s is neither served nor refused", name)
			continue
		}
		e, _ := awserr.As(err)
		if code := e.Code; !slices.Contains(errs, code) {
			t.Errorf("%s is refused with %s, which its model does not list (%v)", name, code, errs)
		}
	}
}

func TestRefusedOperationsAnswerECSExceptions(t *testing.T) {
	api := newTestAPI(t, nil, nil)
	_, err := api.client.ExecuteCommand(context.Background(), &awsecs.ExecuteCommandInput{Command: aws.String("sh"),
		Interactive: true, Task: aws.String("t")})
	wantCode(t, err, "ClientException")
	_, err = api.client.UpdateContainerAgent(context.Background(), &awsecs.UpdateContainerAgentInput{ContainerInstance: aws.String("i")})
	wantCode(t, err, "NoUpdateAvailableException")
	status, body := rawCall(t, api.url, "DescribeExpressGatewayService", `{"serviceArn":"x"}`)
	if status != 400 || !strings.HasSuffix(body["__type"].(string), "UnsupportedFeatureException") || body["message"] == "" {
		t.Fatalf("express gateway: %d %v", status, body)
	}
}
