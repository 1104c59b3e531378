package testutil

import (
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"
)

// GetOK fetches url until it answers 200 or timeout passes (a container
// may not listen yet), and returns the body.
func GetOK(t testing.TB, url string, timeout time.Duration) string {
	t.Helper()
	var body string
	Eventually(t, timeout, func() (bool, string) {
		resp, err := http.Get(url)
		if err != nil {
			return false, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		body = string(b)
		return resp.StatusCode == http.StatusOK, fmt.Sprintf("%s: %d %s", url, resp.StatusCode, b)
	})
	return body
}
