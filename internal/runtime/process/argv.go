package process

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/slipway-dev/slipway/internal/runtime"
)

// commandLine returns the container's argv: EntryPoint followed by Command when either
// is present, else the executable named by Image (tag and digest dropped).
func commandLine(spec runtime.Spec) ([]string, error) {
	if len(spec.EntryPoint)+len(spec.Command) > 0 {
		argv := make([]string, 0, len(spec.EntryPoint)+len(spec.Command))
		argv = append(append(argv, spec.EntryPoint...), spec.Command...)
		if argv[0] == "" {
			return nil, fmt.Errorf("%w: %w: empty executable name", runtime.ErrCannotStart, runtime.ErrInvalidSpec)
		}
		return argv, nil
	}
	name := imageExecutable(spec.Image)
	if name == "" {
		return nil, fmt.Errorf("%w: %w: neither entryPoint, command nor image names an executable",
			runtime.ErrCannotStart, runtime.ErrInvalidSpec)
	}
	return []string{name}, nil
}

// imageExecutable turns an image reference into an executable name by dropping a
// "@digest" and a ":tag", so that one task definition ("talk-service:v2") can serve the
// docker and the process runtime alike.
func imageExecutable(image string) string {
	if i := strings.IndexByte(image, '@'); i >= 0 {
		image = image[:i]
	}
	if i := strings.LastIndexByte(image, ':'); i >= 0 && !strings.Contains(image[i+1:], "/") {
		image = image[:i]
	}
	return image
}

// workingDir returns the absolute working directory for a container: WorkingDir
// resolved against the server's working directory (which is also the default).
func workingDir(dir string) (string, error) {
	cwd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("%w: server working directory: %w", runtime.ErrCannotStart, err)
	}
	if dir == "" {
		return cwd, nil
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(cwd, dir)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return "", fmt.Errorf("%w: %w: working directory: %w", runtime.ErrCannotStart, runtime.ErrInvalidSpec, err)
	}
	if !fi.IsDir() {
		return "", fmt.Errorf("%w: %w: working directory %s is not a directory",
			runtime.ErrCannotStart, runtime.ErrInvalidSpec, dir)
	}
	return dir, nil
}

// resolveExecutable finds the file to execute for argv[0] = name. A name with a slash
// is a path, relative ones against dir (absolute); a name without one is searched in
// pathList (a $PATH value), skipping empty and relative entries as Go's exec.LookPath
// does by default, so that a container never runs a file from an unexpected directory.
func resolveExecutable(name, pathList, dir string) (string, error) {
	if strings.Contains(name, "/") {
		path := name
		if !filepath.IsAbs(path) {
			path = filepath.Join(dir, path)
		}
		if err := checkExecutable(path); err != nil {
			return "", err
		}
		return path, nil
	}
	for _, d := range filepath.SplitList(pathList) {
		if d == "" || !filepath.IsAbs(d) {
			continue
		}
		path := filepath.Join(d, name)
		if err := checkExecutable(path); err == nil {
			return path, nil
		}
	}
	return "", fmt.Errorf("%w in $PATH: %s", runtime.ErrNotFound, name)
}

// checkExecutable reports why path cannot be executed, if it cannot.
func checkExecutable(path string) error {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %s", runtime.ErrNotFound, path)
	}
	if err != nil {
		return err
	}
	if fi.IsDir() || fi.Mode()&0o111 == 0 {
		return fmt.Errorf("%s: %w", path, fs.ErrPermission)
	}
	return nil
}
