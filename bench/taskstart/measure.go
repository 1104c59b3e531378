package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/moby/moby/client"

	"github.com/slipway-dev/slipway/internal/runtime/process"
	"github.com/slipway-dev/slipway/internal/server"
	"github.com/slipway-dev/slipway/internal/testutil"
)

// talkImage is the image the Docker variants run.
const talkImage = "slipway-bench/talk-service:taskstart"

// pollInterval is how often a started task's status is read.
const pollInterval = 5 * time.Millisecond

// bench holds what every variant uses: the built binaries and images.
type bench struct {
	dir    string
	talk   string
	holder string
	docker *client.Client
}

// prepare builds talk-service (and for Docker its image and a static
// slipway for the awsvpc network holder).
func prepare(ctx context.Context, vs []variant) (*bench, error) {
	dir, err := os.MkdirTemp("", "slipway-bench-taskstart")
	if err != nil {
		return nil, err
	}
	b := &bench{dir: dir}
	if b.talk, err = testutil.BuildTalkService(dir); err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(vs, func(v variant) bool { return v.runtime == server.RuntimeDocker }) {
		return b, nil
	}
	if b.docker, err = client.New(client.FromEnv); err != nil {
		return nil, err
	}
	if err := testutil.BuildImage(ctx, b.docker, talkImage, b.talk); err != nil {
		return nil, err
	}
	if b.holder, err = testutil.BuildPackage(dir, "./cmd/slipway", "slipway"); err != nil {
		return nil, err
	}
	return b, nil
}

func (b *bench) close() {
	if b.docker != nil {
		b.docker.Close()
	}
	os.RemoveAll(b.dir)
}

// measure starts a server of the variant and times n task starts; the
// first task (images, the holder image) is a warm-up and not counted.
func (b *bench) measure(ctx context.Context, v variant, n, batch int, logger *slog.Logger) (result, error) {
	shim, err := process.DefaultShimCommand()
	if err != nil {
		return result{}, err
	}
	srv, err := server.Start(ctx, server.Config{APIAddr: "127.0.0.1:0", DataDir: filepath.Join(b.dir, v.name), LBHost: "127.0.0.1",
		Runtime: v.runtime, ShimCommand: shim, HolderBinary: b.holder, Logger: logger})
	if err != nil {
		return result{}, err
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		_ = srv.StopAllTasks(sctx)
		_ = srv.Close()
	}()
	c := awsecs.New(awsecs.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL()),
		Credentials: credentials.NewStaticCredentialsProvider("x", "x", "")})
	td, network, err := b.register(ctx, c, v)
	if err != nil {
		return result{}, err
	}
	if _, err := runAndWait(ctx, c, v, td, network, 1); err != nil { // warm-up
		return result{}, err
	}
	res := result{v: v}
	for len(res.starts) < n {
		d, err := runAndWait(ctx, c, v, td, network, min(batch, n-len(res.starts)))
		if err != nil {
			return result{}, err
		}
		res.starts = append(res.starts, d...)
	}
	res.peer, res.peerName, err = b.peer(ctx, v, n)
	return res, err
}

func (b *bench) register(ctx context.Context, c *awsecs.Client, v variant) (string, *ecstypes.NetworkConfiguration, error) {
	cd := ecstypes.ContainerDefinition{Name: aws.String("web"), Image: aws.String(b.talk), MemoryReservation: aws.Int32(32)}
	if v.runtime == server.RuntimeDocker {
		cd.Image = aws.String(talkImage)
	}
	in := &awsecs.RegisterTaskDefinitionInput{Family: aws.String("talk"), ContainerDefinitions: []ecstypes.ContainerDefinition{cd}}
	var network *ecstypes.NetworkConfiguration
	switch v.mode {
	case "awsvpc":
		in.NetworkMode = ecstypes.NetworkModeAwsvpc
		network = &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{Subnets: []string{"subnet-bench"}}}
		in.ContainerDefinitions[0].PortMappings = []ecstypes.PortMapping{{ContainerPort: aws.Int32(8080)}}
	case "host":
		in.NetworkMode = ecstypes.NetworkModeHost // each task listens on a PORT of its own (see runAndWait)
	default:
		in.ContainerDefinitions[0].PortMappings = []ecstypes.PortMapping{{ContainerPort: aws.Int32(8080)}}
	}
	out, err := c.RegisterTaskDefinition(ctx, in)
	if err != nil {
		return "", nil, err
	}
	return aws.ToString(out.TaskDefinition.TaskDefinitionArn), network, nil
}

// runAndWait runs count tasks with one RunTask and returns each one's time
// from the call to the first answer that says it is RUNNING.
func runAndWait(ctx context.Context, c *awsecs.Client, v variant, td string, network *ecstypes.NetworkConfiguration, count int) ([]time.Duration, error) {
	in := &awsecs.RunTaskInput{TaskDefinition: aws.String(td), Count: aws.Int32(int32(count)), NetworkConfiguration: network}
	if v.mode == "host" {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		in.Count = aws.Int32(1)
		count = 1
		in.Overrides = &ecstypes.TaskOverride{ContainerOverrides: []ecstypes.ContainerOverride{{Name: aws.String("web"),
			Environment: []ecstypes.KeyValuePair{{Name: aws.String("PORT"), Value: aws.String(strconv.Itoa(port))}}}}}
	}
	start := time.Now()
	out, err := c.RunTask(ctx, in)
	if err != nil {
		return nil, err
	}
	if len(out.Tasks) != count {
		return nil, fmt.Errorf("RunTask started %d tasks: %+v", len(out.Tasks), out.Failures)
	}
	pending := map[string]bool{}
	var arns []string
	for _, t := range out.Tasks {
		pending[aws.ToString(t.TaskArn)] = true
		arns = append(arns, aws.ToString(t.TaskArn))
	}
	var took []time.Duration
	deadline := time.Now().Add(2 * time.Minute)
	for len(pending) > 0 {
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%d tasks not RUNNING after 2 minutes", len(pending))
		}
		time.Sleep(pollInterval)
		d, err := c.DescribeTasks(ctx, &awsecs.DescribeTasksInput{Tasks: arns})
		if err != nil {
			return nil, err
		}
		for _, t := range d.Tasks {
			arn := aws.ToString(t.TaskArn)
			switch aws.ToString(t.LastStatus) {
			case "RUNNING":
				if pending[arn] {
					took = append(took, time.Since(start))
					delete(pending, arn)
				}
			case "STOPPED":
				return nil, fmt.Errorf("task %s stopped: %s", arn, aws.ToString(t.StoppedReason))
			}
		}
	}
	return took, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// peer times n starts of the same thing without Slipway: fork and exec of
// talk-service, or the engine's create and start of its image (with a
// published port, and for awsvpc after a second container whose network it
// joins).
func (b *bench) peer(ctx context.Context, v variant, n int) ([]time.Duration, string, error) {
	if v.runtime != server.RuntimeDocker {
		return b.peerExec(n)
	}
	return b.peerDocker(ctx, v, n)
}

func (b *bench) peerExec(n int) ([]time.Duration, string, error) {
	var out []time.Duration
	for range n {
		cmd := exec.Command(b.talk)
		cmd.Env = []string{"PORT=0", "HOST=127.0.0.1"}
		cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
		start := time.Now()
		if err := cmd.Start(); err != nil {
			return nil, "", err
		}
		out = append(out, time.Since(start))
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}
	return out, "fork+exec of talk-service", nil
}

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }
