package awsproto

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// ErrBadCredentials reports a credentials file or variable that cannot be parsed.
var ErrBadCredentials = errors.New("bad credentials")

// Credentials maps access key ids to secret access keys. A nil or empty
// Credentials means authentication is off.
type Credentials map[string]string

// Secret returns the secret key of id.
func (c Credentials) Secret(id string) (string, bool) {
	s, ok := c[id]
	return s, ok
}

// ParseCredentials reads one "ACCESS_KEY_ID SECRET_ACCESS_KEY" pair per line
// (separated by whitespace or a colon); blank lines and lines starting with #
// are ignored.
func ParseCredentials(r io.Reader) (Credentials, error) {
	creds := Credentials{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if err := creds.addPair(line); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
	}
	return creds, sc.Err()
}

// ParseCredentialList parses "ID:SECRET,ID2:SECRET2", the form of the
// SLIPWAY_CREDENTIALS environment variable.
func ParseCredentialList(s string) (Credentials, error) {
	creds := Credentials{}
	for _, pair := range strings.Split(s, ",") {
		if pair = strings.TrimSpace(pair); pair == "" {
			continue
		}
		if err := creds.addPair(pair); err != nil {
			return nil, err
		}
	}
	return creds, nil
}

func (c Credentials) addPair(s string) error {
	id, secret, ok := strings.Cut(s, ":")
	if !ok {
		f := strings.Fields(s)
		if len(f) != 2 {
			return fmt.Errorf("%w: want ACCESS_KEY_ID SECRET_ACCESS_KEY", ErrBadCredentials)
		}
		id, secret = f[0], f[1]
	}
	id, secret = strings.TrimSpace(id), strings.TrimSpace(secret)
	if id == "" || secret == "" {
		return fmt.Errorf("%w: empty access key id or secret", ErrBadCredentials)
	}
	c[id] = secret
	return nil
}

// LoadCredentials merges the file at path (if path is not "") and the list in
// envList (if not ""). The result is empty when neither is given.
func LoadCredentials(path, envList string) (Credentials, error) {
	creds := Credentials{}
	if path != "" {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("credentials file: %w", err)
		}
		defer f.Close()
		fromFile, err := ParseCredentials(f)
		if err != nil {
			return nil, fmt.Errorf("credentials file %s: %w", path, err)
		}
		for k, v := range fromFile {
			creds[k] = v
		}
	}
	if envList != "" {
		fromEnv, err := ParseCredentialList(envList)
		if err != nil {
			return nil, fmt.Errorf("SLIPWAY_CREDENTIALS: %w", err)
		}
		for k, v := range fromEnv {
			creds[k] = v
		}
	}
	return creds, nil
}
