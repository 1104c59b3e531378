package docker

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/client"

	"github.com/slipway-dev/slipway/internal/runtime"
)

// execOutputLimit bounds what Exec returns, as the engine bounds a health
// probe's output: its first 4 KiB.
const execOutputLimit = 4 << 10

// logTailBytes bounds the log tail read for a failure reason.
const logTailBytes = 16 << 10

// Exec runs argv in the container (its environment, user and working
// directory), returning its exit code and the start of its output.
func (h *handle) Exec(ctx context.Context, argv []string) (int, []byte, error) {
	if len(argv) == 0 || argv[0] == "" {
		return -1, nil, fmt.Errorf("exec: %w: empty command", runtime.ErrInvalidSpec)
	}
	if h.exited() {
		return -1, nil, fmt.Errorf("exec %s: %w", argv[0], runtime.ErrGone)
	}
	created, err := h.rt.cli.ExecCreate(ctx, h.id, client.ExecCreateOptions{Cmd: argv, AttachStdout: true, AttachStderr: true})
	if err != nil {
		return -1, nil, fmt.Errorf("exec %s: %s", argv[0], engineMessage(err))
	}
	att, err := h.rt.cli.ExecAttach(ctx, created.ID, client.ExecAttachOptions{})
	if err != nil {
		return -1, nil, fmt.Errorf("exec %s: %s", argv[0], engineMessage(err))
	}
	defer att.Close()
	stop := context.AfterFunc(ctx, att.Close) // unblocks the copy when ctx ends
	defer stop()
	out := &headBuffer{max: execOutputLimit}
	_, cerr := stdcopy.StdCopy(out, out, att.Reader)
	if ctx.Err() != nil {
		return -1, out.Bytes(), fmt.Errorf("exec %s: %w", argv[0], ctx.Err())
	}
	if cerr != nil {
		return -1, out.Bytes(), fmt.Errorf("exec %s: reading its output: %w", argv[0], cerr)
	}
	insp, err := h.rt.cli.ExecInspect(ctx, created.ID, client.ExecInspectOptions{})
	if err != nil {
		return -1, out.Bytes(), fmt.Errorf("exec %s: %s", argv[0], engineMessage(err))
	}
	return insp.ExitCode, out.Bytes(), nil
}

// headBuffer keeps the first max bytes written to it and discards the rest.
type headBuffer struct {
	bytes.Buffer
	max int
}

func (b *headBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.Len(); room > 0 {
		b.Buffer.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// LogTail returns the last n lines of the container's output, stderr first,
// for a failure reason a person can act on. The engine keeps the output
// until the container is removed.
func (h *handle) LogTail(ctx context.Context, n int) string {
	rc, err := h.rt.cli.ContainerLogs(ctx, h.id, client.ContainerLogsOptions{ShowStdout: true, ShowStderr: true, Tail: strconv.Itoa(n)})
	if err != nil {
		return ""
	}
	defer rc.Close()
	var stdout, stderr bytes.Buffer
	_, _ = stdcopy.StdCopy(&stdout, &stderr, io.LimitReader(rc, logTailBytes))
	var parts []string
	for _, b := range []*bytes.Buffer{&stderr, &stdout} {
		if s := strings.TrimSpace(b.String()); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "\n")
}
