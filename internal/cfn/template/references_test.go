package template

import "testing"

// What a change set needs to say why a property changes: seed 000's image
// change reaches the task definition through the ImageUrl parameter, and
// the service through the task definition.
func TestPropertyReferences(t *testing.T) {
	tpl := mustParse(t, string(readTestdata(t, "corpus/reflectoring/service.yml")))
	td := tpl.PropertyReferences("TaskDefinition")
	wantEqual(t, td["ContainerDefinitions"], References{Parameters: []string{"ContainerCpu", "ContainerMemory", "ContainerPort", "ImageUrl", "ServiceName"}})
	svc := tpl.PropertyReferences("Service")
	wantEqual(t, svc["TaskDefinition"], References{Resources: []string{"TaskDefinition"}})
	wantEqual(t, svc["LaunchType"], References{})
	f := mustParse(t, string(readTestdata(t, "corpus/features.yaml")))
	wantEqual(t, f.References(f.Outputs["ClusterArn"].Value), References{Attributes: []string{"Cluster.Arn"}})
	wantEqual(t, f.References(f.Resources["Task"].Metadata), References{})
	wantEqual(t, f.References(map[string]any{"Fn::Sub": "${Env}-${Logs.Arn}-${Cluster}"}),
		References{Parameters: []string{"Env"}, Resources: []string{"Cluster"}, Attributes: []string{"Logs.Arn"}})
	if tpl.PropertyReferences("Nope") != nil {
		t.Fatal("references of an undeclared resource")
	}
}
