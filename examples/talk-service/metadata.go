package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// ErrMetadata marks a failed task-metadata request.
var ErrMetadata = errors.New("task metadata")

// metadataAttempts and metadataBackoff bound the start-up fetch of the task ARN: the
// agent may publish the endpoint a moment after the container starts.
const (
	metadataAttempts = 10
	metadataBackoff  = 200 * time.Millisecond
)

// fetchTaskARN asks the ECS task metadata endpoint v4 (GET {uri}/task) for the task
// ARN, retrying with doubling delays, up to attempts times.
func fetchTaskARN(ctx context.Context, client *http.Client, uri string, attempts int, backoff time.Duration) (string, error) {
	var err error
	for i := range attempts {
		var arn string
		if arn, err = getTaskARN(ctx, client, uri); err == nil {
			return arn, nil
		}
		if i == attempts-1 {
			break
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(backoff << min(i, 4)):
		}
	}
	return "", err
}

func getTaskARN(ctx context.Context, client *http.Client, uri string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(uri, "/")+"/task", nil)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrMetadata, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrMetadata, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("%w: %s", ErrMetadata, resp.Status)
	}
	var task struct{ TaskARN string }
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&task); err != nil {
		return "", fmt.Errorf("%w: decoding: %w", ErrMetadata, err)
	}
	if task.TaskARN == "" {
		return "", fmt.Errorf("%w: response has no TaskARN", ErrMetadata)
	}
	return task.TaskARN, nil
}
