package docker

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/slipway-dev/slipway/internal/server"
)

// TestOutOfMemoryKillIsRecordedAsECSDoes: a container over its memory limit
// is killed by the kernel; the task stops with ECS's reasons and exit code.
func TestOutOfMemoryKillIsRecordedAsECSDoes(t *testing.T) {
	t.Parallel()
	s := newSite(t, server.RuntimeDocker)
	td := s.register(&awsecs.RegisterTaskDefinitionInput{Family: aws.String("hog"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("hog"), Image: aws.String(probeImage),
			Command: []string{"hog"}, Memory: aws.Int32(16)}}})
	task := s.waitStatus(s.run(td, 1, nil), "STOPPED", time.Minute)[0]
	c := task.Containers[0]
	if task.StopCode != ecstypes.TaskStopCodeEssentialContainerExited || aws.ToString(task.StoppedReason) != "Essential container in task exited" ||
		aws.ToInt32(c.ExitCode) != 137 || aws.ToString(c.Reason) != "OutOfMemoryError: Container killed due to memory usage" {
		t.Errorf("task stop %s %q, container exit %d %q; want ECS's OutOfMemoryError with 137",
			task.StopCode, aws.ToString(task.StoppedReason), aws.ToInt32(c.ExitCode), aws.ToString(c.Reason))
	}
}

// TestMissingImageStopsWithCannotPull: an image that is neither here nor
// pullable stops the task with ECS's CannotPullContainerError and says what
// to do.
func TestMissingImageStopsWithCannotPull(t *testing.T) {
	t.Parallel()
	s := newSite(t, server.RuntimeDocker)
	image := "340754841610.dkr.ecr.eu-west-1.amazonaws.com/not-built-here:latest"
	td := s.register(&awsecs.RegisterTaskDefinitionInput{Family: aws.String("missing"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("web"), Image: aws.String(image), MemoryReservation: aws.Int32(32)}}})
	task := s.waitStatus(s.run(td, 1, nil), "STOPPED", time.Minute)[0]
	reason := aws.ToString(task.StoppedReason)
	if task.StopCode != ecstypes.TaskStopCodeTaskFailedToStart || !strings.HasPrefix(reason, `CannotPullContainerError: pull image "`+image+`"`) ||
		!strings.Contains(reason, "docker tag IMAGE "+image) || !strings.Contains(reason, "docker load") {
		t.Errorf("stop %s %q; want TaskFailedToStart with CannotPullContainerError and what to do", task.StopCode, reason)
	}
	if c := task.Containers[0]; !strings.HasPrefix(aws.ToString(c.Reason), "CannotPullContainerError") || aws.ToString(c.LastStatus) != "STOPPED" {
		t.Errorf("container %s %q", aws.ToString(c.LastStatus), aws.ToString(c.Reason))
	}
}
