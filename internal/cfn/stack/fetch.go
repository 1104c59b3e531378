package stack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/slipway-dev/slipway/internal/cfn/template"
)

// Bounds on a TemplateURL and what it points at: CloudFormation's
// templateURL length (1-5120) and its 1 MB quota for a template at a URL.
const (
	maxTemplateURLLength = 5120
	// FetchTimeout bounds one TemplateURL fetch (connect, headers and body).
	FetchTimeout = 10 * time.Second
)

// Fetcher reads the template a TemplateURL names.
type Fetcher interface {
	Fetch(ctx context.Context, rawURL string) ([]byte, error)
}

// URLFetcher fetches file:// paths readable by the server and http(s) URLs
// the server can reach (S3 URLs too, if they are public: Slipway signs no
// request), reading at most template.MaxTemplateBytes within FetchTimeout.
type URLFetcher struct {
	// Client is the HTTP client (a client with FetchTimeout when nil).
	Client *http.Client
}

// Fetch implements Fetcher.
func (f URLFetcher) Fetch(ctx context.Context, rawURL string) ([]byte, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidInput, err)
	}
	ctx, cancel := context.WithTimeout(ctx, FetchTimeout)
	defer cancel()
	var body io.ReadCloser
	switch u.Scheme {
	case "file":
		fh, err := os.Open(u.Path)
		if err != nil {
			return nil, err
		}
		body = fh
	case "http", "https":
		c := f.Client
		if c == nil {
			c = &http.Client{Timeout: FetchTimeout}
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
		if err != nil {
			return nil, err
		}
		resp, err := c.Do(req)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode != http.StatusOK {
			resp.Body.Close()
			return nil, fmt.Errorf("GET answered %s", resp.Status)
		}
		body = resp.Body
	default:
		return nil, fmt.Errorf("%w: scheme %q", ErrInvalidInput, u.Scheme)
	}
	defer body.Close()
	b, err := io.ReadAll(io.LimitReader(body, template.MaxTemplateBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > template.MaxTemplateBytes {
		return nil, errTooLarge
	}
	return b, nil
}

var errTooLarge = fmt.Errorf("%w: template larger than %d bytes", ErrInvalidInput, template.MaxTemplateBytes)

// source is the template an operation names: its TemplateBody (at most
// 51,200 bytes) or the template at its TemplateURL (at most 1 MB). Given
// both, CloudFormation's API reference says only TemplateBody is used.
func (e *Engine) source(ctx context.Context, body, rawURL string) (string, error) {
	switch {
	case body == "" && rawURL != "":
		if len(rawURL) > maxTemplateURLLength {
			return "", validation(ErrInvalidInput, "1 validation error detected: Value at 'templateURL' failed to satisfy constraint: Member must have length less than or equal to %d", maxTemplateURLLength)
		}
		b, err := e.fetch.Fetch(ctx, rawURL)
		if err != nil {
			if errors.Is(err, errTooLarge) {
				return "", validation(ErrInvalidInput, "Template may not exceed %d bytes in size.", template.MaxTemplateBytes)
			}
			return "", validation(ErrInvalidInput, "TemplateURL must be a file:// path readable by the Slipway server or an http(s) URL it can reach: %s: %v", rawURL, err)
		}
		if len(b) == 0 {
			return "", validation(ErrInvalidInput, "Template format error: the template at %s is empty", rawURL)
		}
		return string(b), nil
	case body == "":
		return "", validation(ErrInvalidInput, "Either Template URL or Template Body must be specified.")
	case len(body) > template.MaxTemplateBodyBytes:
		return "", validation(ErrInvalidInput, "1 validation error detected: Value at 'templateBody' failed to satisfy constraint: Member must have length less than or equal to %d", template.MaxTemplateBodyBytes)
	}
	return body, nil
}
