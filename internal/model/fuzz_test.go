package model

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

// taskDefSeeds are task definitions in the shapes people register: the
// seeds' Fargate and EC2 examples, the talk-service one, and edge cases of
// ECS's sizes, ports, health checks and dependencies.
var taskDefSeeds = []string{
	`{"family":"talk","containerDefinitions":[{"name":"web","image":"talk-service","portMappings":[{"containerPort":8080}]}]}`,
	`{"family":"aws101-todo-app","cpu":"256","memory":"512","requiresCompatibilities":["FARGATE"],"networkMode":"awsvpc",
	  "executionRoleArn":"arn:aws:iam::1:role/x","containerDefinitions":[{"cpu":256,"memory":512,"name":"app","image":"todo:latest",
	  "portMappings":[{"containerPort":8080}],"logConfiguration":{"logDriver":"awslogs","options":{"awslogs-group":"g"}}}]}`,
	`{"family":"api","networkMode":"bridge","taskRoleArn":"r","containerDefinitions":[{"name":"api","image":"x","essential":true,
	  "privileged":true,"memoryReservation":128,"portMappings":[{"containerPort":80,"protocol":"tcp"}],
	  "environment":[{"name":"ApplicationVersion","value":"1"}]}]}`,
	`{"family":"f","cpu":"1 vCPU","memory":"2 GB","containerDefinitions":[{"name":"a","image":"i","cpu":"128","memory":"256"}]}`,
	`{"family":"f","cpu":"0.25 vCPU","memory":"0.5GB","containerDefinitions":[{"name":"a","image":"i"}]}`,
	`{"family":"f","networkMode":"host","containerDefinitions":[{"name":"a","image":"i","portMappings":[{"containerPort":80},{"containerPort":53,"protocol":"udp"}]}]}`,
	`{"family":"f","containerDefinitions":[{"name":"a","image":"i","healthCheck":{"command":["CMD-SHELL","curl -f localhost"],"startPeriod":5}}]}`,
	`{"family":"f","containerDefinitions":[{"name":"init","image":"i","essential":false},{"name":"app","image":"i",
	  "dependsOn":[{"containerName":"init","condition":"SUCCESS"}],"stopTimeout":10}]}`,
	`{"family":"f","tags":[{"key":"k","value":"v"}],"volumes":[{"name":"v"}],"containerDefinitions":[{"name":"a","image":"i","someFutureField":{"x":1.50}}]}`,
	`{"family":"f","containerDefinitions":[{"name":"a","image":"i"},{"name":"a","image":"i"}]}`,
	`{"family":"f","containerDefinitions":[{"name":"a","image":"i","essential":false}]}`,
	`{"family":"f","containerDefinitions":[{"name":"a","image":"i","portMappings":[{"containerPort":80,"hostPort":8080},{"containerPort":81,"hostPort":8080}]}]}`,
	`{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64,"memoryReservation":128}]}`,
	`{"family":"","containerDefinitions":[]}`, `{"family":"bad name!"}`, `{}`, `[]`, `null`, `{"family":"f","cpu":"lots"}`,
}

// maxFuzzDoc bounds fuzz inputs; the seeds are far smaller.
const maxFuzzDoc = 4096

// FuzzNormalizeTaskDefinition: normalisation never panics; what it accepts
// normalises again to the same document and spec (so a stored definition
// reads back as registered) with an essential container and unique names;
// what it refuses is a *ValidationError with an ECS error code.
func FuzzNormalizeTaskDefinition(f *testing.F) {
	for _, s := range taskDefSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if len(raw) > maxFuzzDoc {
			// Larger inputs only exercise the JSON decoder's buffering, and the
			// fuzzer spends its time minimising them instead of exploring.
			t.Skip("larger than any task definition worth exploring")
		}
		doc, spec, err := NormalizeTaskDefinition(raw)
		if err != nil {
			checkValidationError(t, err)
			return
		}
		again, spec2, err := NormalizeTaskDefinition(doc)
		if err != nil {
			t.Fatalf("normalised document %s is refused: %v", doc, err)
		}
		if !bytes.Equal(doc, again) {
			t.Fatalf("not idempotent:\nfirst  %s\nsecond %s", doc, again)
		}
		if !reflect.DeepEqual(spec, spec2) {
			t.Fatalf("spec changed on re-normalisation:\nfirst  %+v\nsecond %+v", spec, spec2)
		}
		checkSpecInvariants(t, spec)
	})
}

func checkValidationError(t *testing.T, err error) {
	t.Helper()
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error %T is not a *ValidationError: %v", err, err)
	}
	switch ve.Kind {
	case "ClientException", "InvalidParameterException", "SerializationException":
	default:
		t.Fatalf("error kind %q: %v", ve.Kind, err)
	}
	if ve.Message == "" || !errors.Is(err, ErrInvalid) {
		t.Fatalf("error %+v has no message or does not match ErrInvalid", ve)
	}
}

func checkSpecInvariants(t *testing.T, spec TaskSpec) {
	t.Helper()
	if !ValidName(spec.Family) || len(spec.ContainerDefinitions) == 0 {
		t.Fatalf("accepted family %q with %d containers", spec.Family, len(spec.ContainerDefinitions))
	}
	names := map[string]bool{}
	essential := false
	for _, c := range spec.ContainerDefinitions {
		if names[c.Name] || !ValidName(c.Name) || c.Image == "" {
			t.Fatalf("accepted container %q (image %q) in %+v", c.Name, c.Image, spec.ContainerDefinitions)
		}
		names[c.Name] = true
		essential = essential || c.IsEssential()
	}
	if !essential {
		t.Fatalf("accepted a definition without an essential container: %+v", spec)
	}
}

// TestTaskSizeMustBePositiveInteger: task-level cpu and memory are a whole
// number of units (or "N vCPU" / "N GB"); a value that rounds to zero or is
// not a number must be refused, not stored as "0" or as a negative size.
func TestTaskSizeMustBePositiveInteger(t *testing.T) {
	for _, v := range []string{`".1"`, `"0.0001"`, `"NaN"`, `"nan"`, `"0x1p-2"`} {
		raw := `{"family":"f","cpu":` + v + `,"containerDefinitions":[{"name":"a","image":"i"}]}`
		doc, _, err := NormalizeTaskDefinition([]byte(raw))
		if err == nil {
			t.Errorf("cpu %s accepted as %s", v, doc)
			continue
		}
		checkValidationError(t, err)
	}
}
