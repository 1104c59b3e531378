package model

import (
	"strings"
	"testing"
)

func TestRunSettingsAreValidatedAtRegistration(t *testing.T) {
	ok := `{"family":"f","volumes":[{"name":"data"},{"name":"host","host":{"sourcePath":"/srv"}},
		{"name":"dv","dockerVolumeConfiguration":{"scope":"shared","autoprovision":true,"driver":"local"}}],
		"containerDefinitions":[{"name":"a","image":"i","user":"1000:1000","readonlyRootFilesystem":true,
		"ulimits":[{"name":"nofile","softLimit":1024,"hardLimit":4096}],"dockerLabels":{"team":"x"},
		"linuxParameters":{"initProcessEnabled":true},"mountPoints":[{"sourceVolume":"data","containerPath":"/data"}],
		"secrets":[{"name":"S","valueFrom":"arn:aws:ssm:us-east-1:1:parameter/s"}],
		"environmentFiles":[{"value":"arn:aws:s3:::b/k.env","type":"s3"}]},
		{"name":"b","image":"i","essential":false,"volumesFrom":[{"sourceContainer":"a","readOnly":true}]}]}`
	_, spec, err := NormalizeTaskDefinition([]byte(ok))
	if err != nil {
		t.Fatal(err)
	}
	a := spec.ContainerDefinitions[0]
	if !a.InitProcessEnabled() || a.User != "1000:1000" || len(spec.Volumes) != 3 || spec.Volume("dv").DockerVolumeConfiguration.ScopeOrDefault() != VolumeScopeShared {
		t.Errorf("spec %+v", spec)
	}
	for name, c := range map[string]struct{ doc, part string }{
		"unknown volume": {`{"family":"f","containerDefinitions":[{"name":"a","image":"i","mountPoints":[{"sourceVolume":"x","containerPath":"/x"}]}]}`, "source volume 'x'"},
		"relative path":  {`{"family":"f","volumes":[{"name":"v"}],"containerDefinitions":[{"name":"a","image":"i","mountPoints":[{"sourceVolume":"v","containerPath":"x"}]}]}`, "absolute"},
		"efs":            {`{"family":"f","volumes":[{"name":"v","efsVolumeConfiguration":{"fileSystemId":"fs-1"}}],"containerDefinitions":[{"name":"a","image":"i"}]}`, "EFS"},
		"both kinds":     {`{"family":"f","volumes":[{"name":"v","host":{},"dockerVolumeConfiguration":{}}],"containerDefinitions":[{"name":"a","image":"i"}]}`, "both"},
		"autoprovision":  {`{"family":"f","volumes":[{"name":"v","dockerVolumeConfiguration":{"autoprovision":true}}],"containerDefinitions":[{"name":"a","image":"i"}]}`, "shared scope"},
		"volumesFrom":    {`{"family":"f","containerDefinitions":[{"name":"a","image":"i","volumesFrom":[{"sourceContainer":"z"}]}]}`, "'z'"},
		"ulimit":         {`{"family":"f","containerDefinitions":[{"name":"a","image":"i","ulimits":[{"name":"files","softLimit":1,"hardLimit":1}]}]}`, "'files'"},
		"soft over hard": {`{"family":"f","containerDefinitions":[{"name":"a","image":"i","ulimits":[{"name":"nofile","softLimit":2,"hardLimit":1}]}]}`, "exceeds"},
		"secret":         {`{"family":"f","containerDefinitions":[{"name":"a","image":"i","secrets":[{"name":"S"}]}]}`, "valueFrom"},
		"env file type":  {`{"family":"f","containerDefinitions":[{"name":"a","image":"i","environmentFiles":[{"value":"x","type":"file"}]}]}`, "type s3"},
		"registry creds": {`{"family":"f","containerDefinitions":[{"name":"a","image":"i","repositoryCredentials":{}}]}`, "credentialsParameter"},
	} {
		if _, _, err := NormalizeTaskDefinition([]byte(c.doc)); err == nil || !strings.Contains(err.Error(), c.part) {
			t.Errorf("%s: %v, want an error about %q", name, err, c.part)
		}
	}
}

func TestAwsvpcTasksReserveNoHostPorts(t *testing.T) {
	_, spec, err := NormalizeTaskDefinition([]byte(`{"family":"f","networkMode":"awsvpc","containerDefinitions":[{"name":"a","image":"i","portMappings":[{"containerPort":8080}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if r := ReservationOf(spec); len(r.HostPorts) != 0 {
		t.Errorf("an awsvpc task reserves host ports %v; its ports are on its own address", r.HostPorts)
	}
	task := NewTask(Partition{Region: "eu-west-1", Account: "1"}, NewTaskInput{Cluster: "c", Definition: TaskDefinition{Spec: spec},
		Network: &AwsvpcConfiguration{Subnets: []string{"subnet-9"}}})
	eni := task.ENI()
	if eni == nil || eni.Status != AttachmentPrecreated || eni.Detail(DetailSubnetID) != "subnet-9" || task.Address() != "" {
		t.Fatalf("new task's attachment %+v", eni)
	}
	eni.Attach("127.100.3.4", RegionOf(task.ARN))
	if task.Address() != "127.100.3.4" || eni.Status != AttachmentAttached || eni.Detail(DetailMACAddress) != "02:00:7f:64:03:04" ||
		eni.Detail(DetailPrivateDNSName) != "ip-127-100-3-4.eu-west-1.compute.internal" || !strings.HasPrefix(eni.Detail(DetailNetworkInterfaceID), "eni-") {
		t.Errorf("attached: %+v", eni)
	}
}
