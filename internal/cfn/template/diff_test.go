package template

import "testing"

// Seed 000's update: a new ImageUrl changes one value of the task
// definition, and nothing else.
func TestDiffPropertiesImageOnly(t *testing.T) {
	tpl := mustParse(t, string(readTestdata(t, "corpus/reflectoring/service.yml")))
	params := map[string]string{"StackName": "net", "ServiceName": "hello", "ImageUrl": "docker.io/reflectoring/aws-hello-world:latest"}
	exports := exportMap{"net:ECSTaskExecutionRole": "arn:role", "net:VPCId": "vpc-1", "net:PublicListener": "arn:l",
		"net:ClusterName": "c", "net:ECSSecurityGroup": "sg-1", "net:PublicSubnetOne": "subnet-1", "net:PublicSubnetTwo": "subnet-2"}
	props := func(image string) map[string]any {
		params["ImageUrl"] = image
		ev, err := NewEvaluator(tpl, Inputs{Parameters: params, Pseudo: testPseudo, Exports: exports})
		if err != nil {
			t.Fatal(err)
		}
		p, err := ev.Properties("TaskDefinition", nil)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	before, after := props("docker.io/reflectoring/aws-hello-world:latest"), props("docker.io/reflectoring/aws-hello-world:v3")
	wantEqual(t, DiffProperties(before, after), []PropertyDiff{{
		Property: "ContainerDefinitions", Path: "/Properties/ContainerDefinitions/0/Image",
		Before: "docker.io/reflectoring/aws-hello-world:latest", After: "docker.io/reflectoring/aws-hello-world:v3",
	}})
	if d := DiffProperties(before, props("docker.io/reflectoring/aws-hello-world:latest")); len(d) != 0 {
		t.Fatalf("no change, yet %v", d)
	}
}

func TestDiffPropertiesShapes(t *testing.T) {
	before := map[string]any{"Port": "80", "Tags": []any{"a"}, "Gone": 1, "M": map[string]any{"a/b": 1}}
	after := map[string]any{"Port": 80, "Tags": []any{"a", "b"}, "New": true, "M": map[string]any{"a/b": 2}}
	got := DiffProperties(before, after)
	wantEqual(t, len(got), 4)
	wantEqual(t, got[0], PropertyDiff{Property: "Gone", Path: "/Properties/Gone", Before: 1})
	wantEqual(t, got[1].Path, "/Properties/M/a~1b")
	wantEqual(t, got[2], PropertyDiff{Property: "New", Path: "/Properties/New", After: true})
	wantEqual(t, got[3].Path, "/Properties/Tags")
}
