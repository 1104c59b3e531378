package testutil

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/moby/moby/client"
)

// RequireDocker returns a client of the Docker Engine on this machine; with
// none, it skips the test, or fails it when CI=true (RequireInCI).
func RequireDocker(t testing.TB) *client.Client {
	t.Helper()
	cli, err := client.New(client.FromEnv)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err = cli.Ping(ctx, client.PingOptions{NegotiateAPIVersion: true})
		cancel()
	}
	if err != nil {
		RequireInCI(t, fmt.Sprintf("a Docker Engine (%v)", err))
	}
	t.Cleanup(func() { cli.Close() })
	return cli
}

// BuildImage builds an image FROM scratch named tag holding binary at
// /name (name is the binary's base name), with that as its ENTRYPOINT.
// Building the same binary again is cheap: the engine's build cache keeps it.
func BuildImage(ctx context.Context, cli *client.Client, tag, binary string) error {
	b, err := os.ReadFile(binary)
	if err != nil {
		return err
	}
	name := filepath.Base(binary)
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	files := []struct {
		name string
		body []byte
		mode int64
	}{
		{"Dockerfile", fmt.Appendf(nil, "FROM scratch\nCOPY %s /%s\nENTRYPOINT [\"/%s\"]\n", name, name, name), 0o644},
		{name, b, 0o755},
	}
	for _, f := range files {
		if err := tw.WriteHeader(&tar.Header{Name: f.name, Mode: f.mode, Size: int64(len(f.body)), Typeflag: tar.TypeReg}); err != nil {
			return err
		}
		if _, err := tw.Write(f.body); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	res, err := cli.ImageBuild(ctx, &buf, client.ImageBuildOptions{Tags: []string{tag}, Remove: true, ForceRemove: true})
	if err != nil {
		return fmt.Errorf("building %s: %w", tag, err)
	}
	defer res.Body.Close()
	dec := json.NewDecoder(res.Body)
	for {
		var m struct {
			ErrorDetail *struct{ Message string } `json:"errorDetail"`
		}
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return fmt.Errorf("building %s: %w", tag, err)
		}
		if m.ErrorDetail != nil {
			return fmt.Errorf("building %s: %s", tag, m.ErrorDetail.Message)
		}
	}
}
