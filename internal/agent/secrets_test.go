package agent

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slipway-dev/slipway/internal/model"
)

func TestSecretSourceResolvesNamesFromTheEnvironmentAndTheDirectory(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "db-password"), "s3cret\n")
	writeFile(t, filepath.Join(dir, "prod", "db"), `{"user":"app","port":5432}`)
	writeFile(t, filepath.Join(dir, "s3", "bucket", "path", "app.env"), "# settings\n\nA=1\nB=two=2\n")
	writeFile(t, filepath.Join(dir, "registry"), `{"username":"u","password":"p"}`)
	env := map[string]string{"SLIPWAY_SECRET_API_TOKEN": "from-env"}
	s := secretSource{dir: dir, getenv: func(k string) string { return env[k] }}

	for valueFrom, want := range map[string]string{
		"db-password": "s3cret",
		"arn:aws:secretsmanager:us-east-1:123456789012:secret:db-password-AbCdEf": "s3cret",
		"arn:aws:ssm:eu-west-1:123456789012:parameter/db-password":                "s3cret",
		"/db-password": "s3cret",
		"api-token":    "from-env",
		"arn:aws:ssm:us-east-1:1:parameter/api.token":              "from-env",
		"arn:aws:secretsmanager:us-east-1:1:secret:prod/db:user::": "app",
		"arn:aws:secretsmanager:us-east-1:1:secret:prod/db:port":   "5432",
		"file://" + filepath.Join(dir, "db-password"):              "s3cret",
	} {
		got, err := s.resolve(valueFrom)
		if err != nil || got != want {
			t.Errorf("resolve(%q) = %q, %v; want %q", valueFrom, got, err, want)
		}
	}
	for valueFrom, part := range map[string]string{
		"missing":       "SLIPWAY_SECRET_MISSING",
		"../etc/passwd": "not a usable secret name",
		"arn:aws:secretsmanager:us-east-1:1:secret:prod/db:user:AWSPREVIOUS:": "version stages",
		"arn:aws:secretsmanager:us-east-1:1:secret:prod/db:nokey":             "no key",
	} {
		if _, err := s.resolve(valueFrom); err == nil || !strings.Contains(err.Error(), part) {
			t.Errorf("resolve(%q): %v, want an error about %q", valueFrom, err, part)
		}
	}
	lines, err := s.envFile("arn:aws:s3:::bucket/path/app.env")
	if err != nil || strings.Join(lines, ";") != "A=1;B=two=2" {
		t.Errorf("envFile: %v %v", lines, err)
	}
	auth, err := s.registryAuth(&model.RepositoryCredentials{CredentialsParameter: "registry"})
	if err != nil || auth.Username != "u" || auth.Password != "p" {
		t.Errorf("registryAuth: %+v %v", auth, err)
	}
}

func TestSpecFailsWithResourceInitializationErrorOnAMissingSecret(t *testing.T) {
	cd := model.ContainerDefinition{Name: "web", Image: "i"}
	cd.Secrets = []model.Secret{{Name: "X", ValueFrom: "nowhere"}}
	_, err := buildSpec(model.Task{}, model.TaskDefinition{}, cd, specInputs{secrets: secretSource{dir: t.TempDir(), getenv: os.Getenv}})
	if !errors.Is(err, errResourceInit) || !strings.HasPrefix(err.Error(), "ResourceInitializationError: unable to pull secrets or registry auth: secret nowhere") {
		t.Errorf("buildSpec: %v", err)
	}
}

func TestContainerEnvironmentLastOneWins(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "f.env"), "A=file\nB=file\n")
	writeFile(t, filepath.Join(dir, "s"), "secret")
	cd := model.ContainerDefinition{Name: "web", Environment: []model.KeyValuePair{{Name: "B", Value: "env"}, {Name: "C", Value: "env"}}}
	cd.EnvironmentFiles = []model.EnvironmentFile{{Value: "file://" + filepath.Join(dir, "f.env"), Type: "s3"}}
	cd.Secrets = []model.Secret{{Name: "C", ValueFrom: "s"}}
	t1 := model.Task{Overrides: []byte(`{"containerOverrides":[{"name":"web","environment":[{"name":"D","value":"override"}]}]}`)}
	env, err := containerEnv(t1, cd, specInputs{metadataURI: "http://m", region: "r", secrets: secretSource{dir: dir, getenv: os.Getenv}})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(env[:4], ";")
	if got != "A=file;B=env;C=secret;D=override" {
		t.Errorf("environment %v", env)
	}
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}
