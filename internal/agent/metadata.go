package agent

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/slipway-dev/slipway/internal/model"
)

// metadataServer serves ECS's task metadata endpoint version 4: each
// container gets ECS_CONTAINER_METADATA_URI_V4 = http://ADDR/v4/<token>,
// answering "/" (the container) and "/task" (the task) in ECS's shapes.
type metadataServer struct {
	ln     net.Listener
	srv    *http.Server
	logger *slog.Logger

	mu     sync.Mutex // protects tokens
	tokens map[string]metaEntry
}

type metaEntry struct {
	r         *runner
	container string
}

func newMetadataServer(addr string, logger *slog.Logger) (*metadataServer, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	m := &metadataServer{ln: ln, logger: logger, tokens: map[string]metaEntry{}}
	m.srv = &http.Server{Handler: http.HandlerFunc(m.handle), ReadHeaderTimeout: 5 * time.Second}
	return m, nil
}

func (m *metadataServer) addr() string { return m.ln.Addr().String() }

func (m *metadataServer) uri(token string) string { return "http://" + m.addr() + "/v4/" + token }

func (m *metadataServer) serve() {
	if err := m.srv.Serve(m.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		m.logger.Error("metadata endpoint stopped", "err", err)
	}
}

func (m *metadataServer) close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return m.srv.Shutdown(ctx)
}

func (m *metadataServer) add(token string, r *runner, container string) {
	m.mu.Lock()
	m.tokens[token] = metaEntry{r: r, container: container}
	m.mu.Unlock()
}

func (m *metadataServer) remove(token string) {
	m.mu.Lock()
	delete(m.tokens, token)
	m.mu.Unlock()
}

func (m *metadataServer) handle(w http.ResponseWriter, req *http.Request) {
	rest, ok := strings.CutPrefix(req.URL.Path, "/v4/")
	token, sub, _ := strings.Cut(rest, "/")
	m.mu.Lock()
	e, found := m.tokens[token]
	m.mu.Unlock()
	if !ok || !found || req.Method != http.MethodGet {
		http.NotFound(w, req)
		return
	}
	t := e.r.current()
	var body any
	switch sub {
	case "":
		body = containerMetadata(t, e.r.td, e.container)
	case "task":
		body = taskMetadata(t, e.r.td)
	default:
		http.NotFound(w, req)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(body)
}

type metaContainer struct {
	DockerID      string            `json:"DockerId"`
	Name          string            `json:"Name"`
	DockerName    string            `json:"DockerName"`
	Image         string            `json:"Image"`
	ImageID       string            `json:"ImageID"`
	Labels        map[string]string `json:"Labels"`
	DesiredStatus string            `json:"DesiredStatus"`
	KnownStatus   string            `json:"KnownStatus"`
	Limits        map[string]int    `json:"Limits"`
	CreatedAt     *time.Time        `json:"CreatedAt,omitempty"`
	StartedAt     *time.Time        `json:"StartedAt,omitempty"`
	Type          string            `json:"Type"`
	ContainerARN  string            `json:"ContainerARN"`
	ExitCode      *int              `json:"ExitCode,omitempty"`
	Health        map[string]string `json:"Health,omitempty"`
	Networks      []metaNetwork     `json:"Networks"`
	Ports         []metaPort        `json:"Ports,omitempty"`
}

type metaNetwork struct {
	NetworkMode   string   `json:"NetworkMode"`
	IPv4Addresses []string `json:"IPv4Addresses"`
}

type metaPort struct {
	ContainerPort int    `json:"ContainerPort"`
	Protocol      string `json:"Protocol"`
	HostPort      int    `json:"HostPort"`
	HostIP        string `json:"HostIp"`
}

func containerMetadata(t model.Task, td model.TaskDefinition, name string) metaContainer {
	c := t.Container(name)
	if c == nil {
		c = &model.Container{Name: name}
	}
	out := metaContainer{
		DockerID: c.RuntimeID, Name: name, DockerName: "ecs-" + td.Family + "-" + strconv.Itoa(td.Revision) + "-" + name,
		Image: c.Image, ImageID: c.Image, DesiredStatus: t.DesiredStatus, KnownStatus: c.LastStatus,
		Labels: map[string]string{
			"com.amazonaws.ecs.cluster":                 t.ClusterARN,
			"com.amazonaws.ecs.container-name":          name,
			"com.amazonaws.ecs.task-arn":                t.ARN,
			"com.amazonaws.ecs.task-definition-family":  td.Family,
			"com.amazonaws.ecs.task-definition-version": strconv.Itoa(td.Revision),
		},
		Limits: map[string]int{}, Type: "NORMAL", ContainerARN: c.ContainerARN, ExitCode: c.ExitCode,
		Networks: []metaNetwork{{NetworkMode: "host", IPv4Addresses: []string{"127.0.0.1"}}},
	}
	if c.HealthStatus != "" {
		out.Health = map[string]string{"status": c.HealthStatus}
	}
	if t.CreatedAt != nil {
		out.CreatedAt = &t.CreatedAt.Time
	}
	if t.StartedAt != nil {
		out.StartedAt = &t.StartedAt.Time
	}
	for _, b := range c.NetworkBindings {
		out.Ports = append(out.Ports, metaPort{ContainerPort: b.ContainerPort, Protocol: b.Protocol, HostPort: b.HostPort, HostIP: b.BindIP})
	}
	return out
}

type metaTask struct {
	Cluster          string          `json:"Cluster"`
	TaskARN          string          `json:"TaskARN"`
	Family           string          `json:"Family"`
	Revision         string          `json:"Revision"`
	DesiredStatus    string          `json:"DesiredStatus"`
	KnownStatus      string          `json:"KnownStatus"`
	Containers       []metaContainer `json:"Containers"`
	PullStartedAt    *time.Time      `json:"PullStartedAt,omitempty"`
	PullStoppedAt    *time.Time      `json:"PullStoppedAt,omitempty"`
	AvailabilityZone string          `json:"AvailabilityZone,omitempty"`
	LaunchType       string          `json:"LaunchType"`
	ServiceName      string          `json:"ServiceName,omitempty"`
}

func taskMetadata(t model.Task, td model.TaskDefinition) metaTask {
	out := metaTask{
		Cluster: t.ClusterARN, TaskARN: t.ARN, Family: td.Family, Revision: strconv.Itoa(td.Revision),
		DesiredStatus: t.DesiredStatus, KnownStatus: t.LastStatus, LaunchType: t.LaunchType,
		ServiceName: t.Internal.Service, Containers: []metaContainer{},
	}
	if t.PullStartedAt != nil {
		out.PullStartedAt = &t.PullStartedAt.Time
	}
	if t.PullStoppedAt != nil {
		out.PullStoppedAt = &t.PullStoppedAt.Time
	}
	for _, cd := range td.Spec.ContainerDefinitions {
		out.Containers = append(out.Containers, containerMetadata(t, td, cd.Name))
	}
	return out
}
