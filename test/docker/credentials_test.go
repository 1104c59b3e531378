package docker

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/slipway-dev/slipway/internal/server"
)

// registry stands in for a private registry, which cannot be reached from
// here: it asks for basic authentication as registries do, records the
// credentials the engine sends, and knows no image.
type registry struct {
	mu    sync.Mutex // protects auths
	auths []string
}

func (g *registry) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	auth := r.Header.Get("Authorization")
	if auth == "" {
		w.Header().Set("WWW-Authenticate", `Basic realm="slipway-test"`)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	g.mu.Lock()
	g.auths = append(g.auths, auth)
	g.mu.Unlock()
	if r.URL.Path == "/v2/" {
		w.WriteHeader(http.StatusOK)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusNotFound)
	_, _ = w.Write([]byte(`{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}`))
}

func (g *registry) sent() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.auths...)
}

// TestRepositoryCredentialsReachThePull: a container definition's
// repositoryCredentials name a secret in the secrets directory; its
// username and password reach the registry the image is pulled from
// (through the engine), and the failed pull stops the task with ECS's
// CannotPullContainerError saying what to do.
func TestRepositoryCredentialsReachThePull(t *testing.T) {
	t.Parallel()
	reg := &registry{}
	srv := httptest.NewServer(reg) // on 127.0.0.1: the engine speaks plain HTTP to loopback registries
	t.Cleanup(srv.Close)
	secrets := t.TempDir()
	write(t, filepath.Join(secrets, "registry-creds"), `{"username":"deployer","password":"s3cret"}`)
	s := newSite(t, server.RuntimeDocker, func(c *server.Config) { c.SecretsDir = secrets })

	image := strings.TrimPrefix(srv.URL, "http://") + "/private/app:1"
	td := s.register(&awsecs.RegisterTaskDefinitionInput{Family: aws.String("private"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("app"), Image: aws.String(image), MemoryReservation: aws.Int32(16),
			RepositoryCredentials: &ecstypes.RepositoryCredentials{
				CredentialsParameter: aws.String("arn:aws:secretsmanager:us-east-1:000000000000:secret:registry-creds-AbCdEf")}}}})
	task := s.waitStatus(s.run(td, 1, nil), "STOPPED", time.Minute)[0]
	reason := aws.ToString(task.StoppedReason)
	if task.StopCode != ecstypes.TaskStopCodeTaskFailedToStart || !strings.HasPrefix(reason, `CannotPullContainerError: pull image "`+image+`"`) ||
		!strings.Contains(reason, "docker tag IMAGE "+image) || !strings.Contains(reason, "docker load") {
		t.Errorf("stop %s %q; want TaskFailedToStart with CannotPullContainerError and what to do", task.StopCode, reason)
	}
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte("deployer:s3cret"))
	auths := reg.sent()
	if len(auths) == 0 {
		t.Fatal("the registry was never sent credentials")
	}
	for _, a := range auths {
		if a != want {
			t.Errorf("the registry was sent %q, want the secret's credentials %q", a, want)
		}
	}
}
