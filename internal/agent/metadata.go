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
// answering "/" (the container), "/task" (the task), "/stats" and
// "/task/stats" in ECS's shapes. It listens on loopback, and also on the
// address where containers with a network namespace of their own reach the
// host (Docker's bridge gateway; see containerListener).
type metadataServer struct {
	ln     net.Listener
	srv    *http.Server
	logger *slog.Logger

	// extra are further listeners, by host (the bridge gateway); written
	// before serve starts.
	extra map[string]net.Listener

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
	m := &metadataServer{ln: ln, logger: logger, tokens: map[string]metaEntry{}, extra: map[string]net.Listener{}}
	m.srv = &http.Server{Handler: http.HandlerFunc(m.handle), ReadHeaderTimeout: 5 * time.Second}
	return m, nil
}

func (m *metadataServer) addr() string { return m.ln.Addr().String() }

// uri is a container's metadata URI on host ("" for loopback).
func (m *metadataServer) uri(token, host string) string {
	addr := m.addr()
	if ln, ok := m.extra[host]; ok {
		addr = ln.Addr().String()
	}
	return "http://" + addr + "/v4/" + token
}

// listenAlso listens on host as well, on the loopback listener's port when
// it is free there.
func (m *metadataServer) listenAlso(host string) error {
	_, port, _ := net.SplitHostPort(m.addr())
	ln, err := net.Listen("tcp", net.JoinHostPort(host, port))
	if err != nil {
		ln, err = net.Listen("tcp", net.JoinHostPort(host, "0"))
	}
	if err != nil {
		return err
	}
	m.extra[host] = ln
	return nil
}

func (m *metadataServer) serve() {
	for _, ln := range m.extra {
		go func() {
			if err := m.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				m.logger.Error("metadata endpoint stopped", "addr", ln.Addr().String(), "err", err)
			}
		}()
	}
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
	case "stats":
		body = e.r.containerStats(req.Context(), e.container)
	case "task/stats":
		body = e.r.taskStats(req.Context())
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
	AttachmentIndex *int     `json:"AttachmentIndex,omitempty"`
	NetworkMode     string   `json:"NetworkMode"`
	IPv4Addresses   []string `json:"IPv4Addresses"`
	MACAddress      string   `json:"MACAddress,omitempty"`
	PrivateDNSName  string   `json:"PrivateDNSName,omitempty"`
	SubnetCIDR      string   `json:"IPv4SubnetCIDRBlock,omitempty"`
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
		Networks: metadataNetworks(t, td),
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
