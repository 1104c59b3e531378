package e2e

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/slipway-dev/slipway/internal/testutil"
)

// site is one test's installation: a data directory that outlives server
// restarts, its own copy of talk-service (so that this test's task processes
// are told apart from other tests' by their executable) and the AWS CLI's
// home directory.
type site struct {
	dir     string
	dataDir string
	talk    string
	home    string
	// keyID and secret are what the AWS CLI signs with.
	keyID, secret string
	started       int
	servers       []*server
	// env is added to its servers' environment.
	env []string
	// tls, when set, makes servers serve the API over HTTPS with its
	// certificate (the test passes the flags), trusted by the CLI.
	tls *testutil.TestCA
}

func newSite(t *testing.T) *site {
	t.Helper()
	dir := t.TempDir()
	s := &site{
		dir:     dir,
		dataDir: filepath.Join(dir, "data"),
		talk:    filepath.Join(dir, "bin", "talk-service"),
		home:    filepath.Join(dir, "home"),
		keyID:   "AKIDE2EDUMMY",
		secret:  "dummy-secret",
	}
	for _, d := range []string{s.dataDir, filepath.Dir(s.talk), s.home} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := copyFile(talkBin, s.talk, 0o755); err != nil {
		t.Fatal(err)
	}
	return s
}

// writeFile writes content into the site's directory and returns its path.
func (s *site) writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(s.dir, name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func copyFile(from, to string, mode os.FileMode) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copy %s: %w", from, err)
	}
	return out.Close()
}
