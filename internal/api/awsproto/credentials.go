package awsproto

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"strings"
	"unicode"
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

// ParseCredentials reads one key pair per line: the access key id, a
// separator (the first ':' or run of whitespace) and the secret access key.
// Only that first separator splits, so a secret may contain ':'; it may not
// contain whitespace. Blank lines and lines starting with # are ignored.
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
// SLIPWAY_CREDENTIALS environment variable: pairs split at commas, each at
// its first ':' (a secret may contain ':' but not ',').
func ParseCredentialList(s string) (Credentials, error) {
	creds := Credentials{}
	for i, pair := range strings.Split(s, ",") {
		if pair = strings.TrimSpace(pair); pair == "" {
			continue
		}
		if err := creds.addPair(pair); err != nil {
			return nil, fmt.Errorf("pair %d: %w", i+1, err)
		}
	}
	return creds, nil
}

// addPair adds "ID<sep>SECRET", split at the first ':' or whitespace. The
// error never repeats the secret.
func (c Credentials) addPair(s string) error {
	i := strings.IndexFunc(s, func(r rune) bool { return r == ':' || unicode.IsSpace(r) })
	if i < 0 {
		return fmt.Errorf("%w: want ACCESS_KEY_ID SECRET_ACCESS_KEY (or ID:SECRET)", ErrBadCredentials)
	}
	id, secret := s[:i], strings.TrimSpace(s[i+1:])
	switch {
	case id == "" || secret == "":
		return fmt.Errorf("%w: empty access key id or secret", ErrBadCredentials)
	case strings.ContainsFunc(secret, unicode.IsSpace):
		return fmt.Errorf("%w: the secret of %s contains whitespace; want one ACCESS_KEY_ID SECRET_ACCESS_KEY pair per line", ErrBadCredentials, id)
	}
	c[id] = secret
	return nil
}

// LoadCredentials merges the file at path (if path is not "") and the list in
// envList (if not ""). The result is empty when neither is given; a source
// that is given but holds no key pair is an error, so that a mistyped file
// or variable cannot turn authentication off.
func LoadCredentials(path, envList string) (Credentials, error) {
	creds := Credentials{}
	if path != "" {
		fromFile, err := readCredentialsFile(path)
		if err != nil {
			return nil, err
		}
		maps.Copy(creds, fromFile)
	}
	if envList != "" {
		fromEnv, err := ParseCredentialList(envList)
		if err != nil {
			return nil, fmt.Errorf("SLIPWAY_CREDENTIALS: %w", err)
		}
		if len(fromEnv) == 0 {
			return nil, fmt.Errorf("SLIPWAY_CREDENTIALS: %w: it holds no ID:SECRET pair; unset it to run without credentials", ErrBadCredentials)
		}
		maps.Copy(creds, fromEnv)
	}
	return creds, nil
}

// maxCredentialsFile bounds the credentials file (a few thousand keys).
const maxCredentialsFile = 1 << 20

func readCredentialsFile(path string) (Credentials, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("credentials file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxCredentialsFile+1))
	if err != nil {
		return nil, fmt.Errorf("credentials file %s: %w", path, err)
	}
	if len(data) > maxCredentialsFile {
		return nil, fmt.Errorf("credentials file %s: %w: larger than %d bytes", path, ErrBadCredentials, maxCredentialsFile)
	}
	creds, err := ParseCredentials(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("credentials file %s: %w", path, err)
	}
	if len(creds) == 0 {
		return nil, fmt.Errorf("credentials file %s: %w: it holds no key pair (want ACCESS_KEY_ID SECRET_ACCESS_KEY lines); fix it, or leave out --credentials-file to run without credentials",
			path, ErrBadCredentials)
	}
	return creds, nil
}
