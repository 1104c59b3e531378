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
// is present, else the executable named by Image (tag dropped). An Image that is a
// registry reference cannot be run here: that is an error that points to the Docker
// runtime.
func commandLine(spec runtime.Spec) ([]string, error) {
	if len(spec.EntryPoint)+len(spec.Command) > 0 {
		argv := make([]string, 0, len(spec.EntryPoint)+len(spec.Command))
		argv = append(append(argv, spec.EntryPoint...), spec.Command...)
		if argv[0] == "" {
			return nil, fmt.Errorf("%w: %w: empty executable name", runtime.ErrCannotStart, runtime.ErrInvalidSpec)
		}
		return argv, nil
	}
	if err := checkLocalImage(spec.Image); err != nil {
		return nil, err
	}
	name := imageExecutable(spec.Image)
	if name == "" {
		return nil, fmt.Errorf("%w: %w: neither entryPoint, command nor image names an executable",
			runtime.ErrCannotStart, runtime.ErrInvalidSpec)
	}
	return []string{name}, nil
}

// imageExecutable turns an image name into an executable name by dropping a ":tag",
// so that one task definition ("talk-service:v2") can serve the docker and the process
// runtime alike.
func imageExecutable(image string) string {
	if i := strings.LastIndexByte(image, ':'); i >= 0 && !strings.Contains(image[i+1:], "/") {
		image = image[:i]
	}
	return image
}

// checkLocalImage refuses images the process runtime cannot honour: a reference
// to a registry (its first component is a host, as Docker tells them: it has a
// "." or a ":" or is "localhost") names an image to pull, and a digest
// ("name@sha256:...") pins content that an executable on this machine cannot be
// checked against. Either would otherwise be run as a path, or have its digest
// ignored.
func checkLocalImage(image string) error {
	name, _, digest := strings.Cut(image, "@")
	first, _, slash := strings.Cut(name, "/")
	var why string
	switch {
	case slash && first != "." && first != ".." && (strings.ContainsAny(first, ".:") || first == "localhost"):
		why = "is an image in a registry, and the process runtime pulls no images: it runs executables on this machine"
	case digest:
		why = "pins a digest, which the process runtime cannot check an executable against"
	default:
		return nil
	}
	base := imageExecutable(name[strings.LastIndexByte(name, '/')+1:])
	return fmt.Errorf("%w: %w: image %q %s; run it on the Docker runtime (slipway server --runtime docker), or name an executable on the server's PATH as its image (%q) or in entryPoint",
		runtime.ErrCannotStart, runtime.ErrInvalidSpec, image, why, base)
}

// imageHint is added to "executable not found" when the executable came from an
// image name with a slash (a path here, but perhaps a Docker Hub image).
func imageHint(spec runtime.Spec) string {
	if len(spec.EntryPoint)+len(spec.Command) > 0 || !strings.Contains(spec.Image, "/") || filepath.IsAbs(spec.Image) {
		return ""
	}
	return fmt.Sprintf(" (image %q is taken as a path; if it is an image to pull, use the Docker runtime: slipway server --runtime docker)", spec.Image)
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
