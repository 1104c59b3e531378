package agent

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/runtime"
)

// errResourceInit marks a task that cannot start because something it
// references (a secret, an environment file, registry credentials) cannot
// be read; its text is ECS's stop reason for that.
var errResourceInit = errors.New("ResourceInitializationError")

// secretEnvPrefix prefixes the server's environment variables that hold
// secrets: SLIPWAY_SECRET_DB_PASSWORD answers valueFrom "db-password".
const secretEnvPrefix = "SLIPWAY_SECRET_"

// Bounds on what one secret or environment file may make the agent read:
// Secrets Manager's and SSM's own maximum value size, and 1 MiB per file.
const (
	maxSecretBytes  = 64 << 10
	maxEnvFileBytes = 1 << 20
)

// secretsManagerARN is arn:PARTITION:secretsmanager:REGION:ACCOUNT:secret:NAME
// with optional :json-key:version-stage:version-id after it.
var secretsManagerARN = regexp.MustCompile(`^arn:[^:]+:secretsmanager:[^:]*:[^:]*:secret:([^:]+)(?::([^:]*)(?::([^:]*)(?::([^:]*))?)?)?$`)

// ssmARN is arn:PARTITION:ssm:REGION:ACCOUNT:parameter/NAME.
var ssmARN = regexp.MustCompile(`^arn:[^:]+:ssm:[^:]*:[^:]*:parameter/(.+)$`)

// s3ARN is arn:PARTITION:s3:::BUCKET/KEY.
var s3ARN = regexp.MustCompile(`^arn:[^:]+:s3:::([^/]+)/(.+)$`)

// secretsARNSuffix is the random suffix Secrets Manager adds to a secret's
// name in its ARN (-AbCdEf).
var secretsARNSuffix = regexp.MustCompile(`-[A-Za-z0-9]{6}$`)

// secretSource resolves what task definitions reference from secret stores
// Slipway does not have, from things on this machine instead:
//
//   - secrets[].valueFrom: a Secrets Manager ARN (…:secret:NAME, optionally
//     with :json-key), an SSM parameter ARN (…:parameter/NAME) or name
//     (NAME, /path/NAME), or file:///absolute/path. A NAME is looked up as
//     the server's variable SLIPWAY_SECRET_<NAME> (upper case, every
//     character other than a letter or digit as _), else as the file
//     DIR/NAME (the secrets directory; NAME may hold slashes, never "..").
//     A Secrets Manager name is also tried without its six-character ARN
//     suffix. With a json-key the value must be a JSON object and the key's
//     value is used.
//   - environmentFiles[].value: an S3 object ARN (arn:aws:s3:::BUCKET/KEY)
//     read as the file DIR/s3/BUCKET/KEY, or file:///absolute/path.
//   - repositoryCredentials.credentialsParameter: a secret as above whose
//     value is {"username": ..., "password": ...}.
type secretSource struct {
	dir    string
	getenv func(string) string
}

// resolve returns the value valueFrom names.
func (s secretSource) resolve(valueFrom string) (string, error) {
	if path, ok := strings.CutPrefix(valueFrom, "file://"); ok {
		return readSecretFile(path, maxSecretBytes)
	}
	name, jsonKey := valueFrom, ""
	if m := secretsManagerARN.FindStringSubmatch(valueFrom); m != nil {
		if m[3] != "" || m[4] != "" {
			return "", fmt.Errorf("secret %s: version stages and ids are not supported here: each secret has one value", valueFrom)
		}
		name, jsonKey = m[1], m[2]
	} else if m := ssmARN.FindStringSubmatch(valueFrom); m != nil {
		name = m[1]
	}
	value, err := s.lookup(strings.TrimPrefix(name, "/"))
	if errors.Is(err, os.ErrNotExist) && secretsARNSuffix.MatchString(name) {
		value, err = s.lookup(secretsARNSuffix.ReplaceAllString(strings.TrimPrefix(name, "/"), ""))
	}
	if err != nil {
		return "", fmt.Errorf("secret %s: %w", valueFrom, err)
	}
	if jsonKey == "" {
		return value, nil
	}
	var obj map[string]any
	if err := json.Unmarshal([]byte(value), &obj); err != nil {
		return "", fmt.Errorf("secret %s: json key %q asked for, but the value is not a JSON object", valueFrom, jsonKey)
	}
	v, ok := obj[jsonKey]
	if !ok {
		return "", fmt.Errorf("secret %s: the JSON value has no key %q", valueFrom, jsonKey)
	}
	if str, ok := v.(string); ok {
		return str, nil
	}
	b, _ := json.Marshal(v)
	return string(b), nil
}

// lookup finds a named secret in the server's environment or the directory.
func (s secretSource) lookup(name string) (string, error) {
	if v := s.getenv(secretEnvName(name)); v != "" {
		return v, nil
	}
	path, err := s.inDir(name)
	if err != nil {
		return "", err
	}
	v, err := readSecretFile(path, maxSecretBytes)
	if errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("%w: set %s in the server's environment or write it to %s", os.ErrNotExist, secretEnvName(name), path)
	}
	return v, err
}

// inDir is name's file in the secrets directory; it never leaves it.
func (s secretSource) inDir(name string) (string, error) {
	clean := filepath.Clean("/" + name)
	if name == "" || clean != "/"+name {
		return "", fmt.Errorf("%q is not a usable secret name", name)
	}
	if s.dir == "" {
		return "", fmt.Errorf("%w: no secrets directory is configured", os.ErrNotExist)
	}
	return filepath.Join(s.dir, clean), nil
}

// secretEnvName is the server variable that holds the secret name.
func secretEnvName(name string) string {
	return secretEnvPrefix + strings.Map(func(c rune) rune {
		switch {
		case c >= 'a' && c <= 'z':
			return c - 'a' + 'A'
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
			return c
		}
		return '_'
	}, name)
}

// envFile returns the VARIABLE=VALUE lines of an environment file, as ECS
// reads them: blank lines and lines starting with # are skipped, values are
// taken literally.
func (s secretSource) envFile(value string) ([]string, error) {
	path, ok := strings.CutPrefix(value, "file://")
	if !ok {
		m := s3ARN.FindStringSubmatch(value)
		if m == nil {
			return nil, fmt.Errorf("environment file %s: not an S3 object ARN (arn:aws:s3:::BUCKET/KEY) or file:// path", value)
		}
		var err error
		if path, err = s.inDir(filepath.Join("s3", m[1], m[2])); err != nil {
			return nil, fmt.Errorf("environment file %s: %w", value, err)
		}
	}
	body, err := readSecretFile(path, maxEnvFileBytes)
	if err != nil {
		return nil, fmt.Errorf("environment file %s: %w", value, err)
	}
	var out []string
	sc := bufio.NewScanner(strings.NewReader(body))
	sc.Buffer(make([]byte, 0, 64<<10), maxEnvFileBytes)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if k, _, ok := strings.Cut(line, "="); !ok || k == "" {
			return nil, fmt.Errorf("environment file %s: line %q is not VARIABLE=VALUE", value, line)
		}
		out = append(out, line)
	}
	return out, sc.Err()
}

// registryAuth reads repositoryCredentials.
func (s secretSource) registryAuth(rc *model.RepositoryCredentials) (*runtime.RegistryAuth, error) {
	if rc == nil {
		return nil, nil
	}
	v, err := s.resolve(rc.CredentialsParameter)
	if err != nil {
		return nil, fmt.Errorf("repository credentials: %w", err)
	}
	var creds struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if err := json.Unmarshal([]byte(v), &creds); err != nil || creds.Username == "" {
		return nil, fmt.Errorf("repository credentials %s: the value must be {\"username\": ..., \"password\": ...}", rc.CredentialsParameter)
	}
	return &runtime.RegistryAuth{Username: creds.Username, Password: creds.Password}, nil
}

// readSecretFile reads an absolute path of at most limit bytes, without the
// newline editors leave at its end.
func readSecretFile(path string, limit int64) (string, error) {
	if !filepath.IsAbs(path) {
		return "", fmt.Errorf("%s is not an absolute path", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return "", err
	}
	if int64(len(b)) > limit {
		return "", fmt.Errorf("%s is larger than %d bytes", path, limit)
	}
	return string(bytes.TrimSuffix(bytes.TrimSuffix(b, []byte("\n")), []byte("\r"))), nil
}
