package docker

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"sync"
	"syscall"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/jsonstream"
	"github.com/moby/moby/client"

	"github.com/slipway-dev/slipway/internal/runtime"
)

// HolderArg is the hidden subcommand that runs as an awsvpc task's network
// holder: `slipway __netholder`, routed by the CLI to HolderMain.
const HolderArg = "__netholder"

// holderRepository names the network holder images; the tag is a hash of
// what they contain, so a new slipway binary builds a new image once.
const holderRepository = "slipway/netholder"

// holderRoot is where the holder binary sits in its image.
const holderRoot = "/slipway"

// maxHolderBinary bounds what is read into the holder image.
const maxHolderBinary = 512 << 20

// ErrHolderImage means the network holder image cannot be built.
var ErrHolderImage = errors.New("cannot build the awsvpc network holder image")

// HolderMain runs the network holder: it does nothing but keep the task's
// network namespace alive, and exits 0 on SIGTERM or SIGINT.
func HolderMain() int {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	<-sigs
	return 0
}

// holderImage builds, once per binary, the image FROM scratch that runs
// the holder binary. A static binary is copied alone; a dynamically linked
// one (slipway built with cgo) with its ELF interpreter and the shared
// libraries it needs, from the host.
type holderImage struct {
	binary string

	mu  sync.Mutex // protects tag
	tag string
}

func (r *Runtime) holderImage(ctx context.Context) (string, error) {
	h := &r.holder
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.tag != "" {
		return h.tag, nil
	}
	files, err := holderFiles(h.binary)
	if err != nil {
		return "", err
	}
	ctxTar, sum, err := buildContext(files)
	if err != nil {
		return "", err
	}
	tag := holderRepository + ":" + sum[:16]
	if _, err := r.cli.ImageInspect(ctx, tag); err == nil {
		h.tag = tag
		return tag, nil
	} else if !cerrdefs.IsNotFound(err) {
		return "", fmt.Errorf("%w: %w: %s", runtime.ErrCannotStart, ErrHolderImage, engineMessage(err))
	}
	res, err := r.cli.ImageBuild(ctx, bytes.NewReader(ctxTar), client.ImageBuildOptions{
		Tags: []string{tag}, Remove: true, ForceRemove: true, Dockerfile: "Dockerfile",
		Labels: map[string]string{labelRole: roleNetwork},
	})
	if err != nil {
		return "", fmt.Errorf("%w: %w: %s", runtime.ErrCannotStart, ErrHolderImage, engineMessage(err))
	}
	defer res.Body.Close()
	if err := readBuild(res.Body); err != nil {
		return "", fmt.Errorf("%w: %w: %w", runtime.ErrCannotStart, ErrHolderImage, err)
	}
	r.log.Info("built the awsvpc network holder image", "image", tag)
	h.tag = tag
	return tag, nil
}

// readBuild consumes a build's progress stream and returns its error, if any.
func readBuild(body io.Reader) error {
	dec := json.NewDecoder(body)
	for {
		var m jsonstream.Message
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return err
		}
		if m.Error != nil {
			return m.Error
		}
	}
}

// holderFiles maps image paths to host files: the binary at holderRoot and,
// when it is dynamically linked, its interpreter and libraries at their own
// paths.
func holderFiles(binary string) (map[string]string, error) {
	files := map[string]string{holderRoot: binary}
	f, err := elf.Open(binary)
	if err != nil {
		return nil, fmt.Errorf("%w: %w: %s is not an ELF executable: %w", runtime.ErrCannotStart, ErrHolderImage, binary, err)
	}
	defer f.Close()
	interp := ""
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			b, err := io.ReadAll(io.LimitReader(p.Open(), 4096))
			if err != nil {
				return nil, fmt.Errorf("%w: %w: reading the ELF interpreter of %s: %w", runtime.ErrCannotStart, ErrHolderImage, binary, err)
			}
			interp = string(bytes.TrimRight(b, "\x00"))
		}
	}
	if interp == "" {
		return files, nil // static
	}
	files[interp] = interp
	dirs := libraryDirs(interp)
	todo := []*elf.File{f}
	for len(todo) > 0 {
		cur := todo[0]
		todo = todo[1:]
		libs, err := cur.ImportedLibraries()
		if err != nil {
			return nil, fmt.Errorf("%w: %w: %w", runtime.ErrCannotStart, ErrHolderImage, err)
		}
		for _, lib := range libs {
			path, ok := findLibrary(lib, dirs)
			if !ok {
				return nil, fmt.Errorf("%w: %w: %s needs %s, which is in none of %v; build slipway with CGO_ENABLED=0 for a static binary",
					runtime.ErrCannotStart, ErrHolderImage, binary, lib, dirs)
			}
			if _, seen := files[path]; seen {
				continue
			}
			files[path] = path
			lf, err := elf.Open(path)
			if err != nil {
				return nil, fmt.Errorf("%w: %w: %w", runtime.ErrCannotStart, ErrHolderImage, err)
			}
			defer lf.Close()
			todo = append(todo, lf)
		}
	}
	return files, nil
}

// libraryDirs are where the dynamic linker looks on common distributions,
// the interpreter's own directory first.
func libraryDirs(interp string) []string {
	dirs := []string{filepath.Dir(interp)}
	for _, d := range []string{"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu",
		"/usr/lib/aarch64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib"} {
		if d != dirs[0] {
			dirs = append(dirs, d)
		}
	}
	return dirs
}

func findLibrary(name string, dirs []string) (string, bool) {
	for _, d := range dirs {
		p := filepath.Join(d, name)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p, true
		}
	}
	return "", false
}

// buildContext is the tar the image is built from: a Dockerfile FROM
// scratch copying rootfs/, and the files under rootfs/. It returns the tar
// and a hash of it, which names the image.
func buildContext(files map[string]string) ([]byte, string, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	dockerfile := fmt.Sprintf("FROM scratch\nCOPY rootfs/ /\nENTRYPOINT [%q]\n", holderRoot)
	if err := addFile(tw, "Dockerfile", []byte(dockerfile), 0o644); err != nil {
		return nil, "", err
	}
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	for _, p := range paths {
		b, err := readBounded(files[p])
		if err != nil {
			return nil, "", fmt.Errorf("%w: %w: %w", runtime.ErrCannotStart, ErrHolderImage, err)
		}
		if err := addFile(tw, filepath.Join("rootfs", p), b, 0o755); err != nil {
			return nil, "", err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, "", err
	}
	sum := sha256.Sum256(buf.Bytes())
	return buf.Bytes(), hex.EncodeToString(sum[:]), nil
}

// addFile writes one file into the tar with a fixed time, so that the
// same files always make the same tar (and image tag).
func addFile(tw *tar.Writer, name string, b []byte, mode int64) error {
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: mode, Size: int64(len(b)), Typeflag: tar.TypeReg}); err != nil {
		return err
	}
	_, err := tw.Write(b)
	return err
}

// readBounded reads a file (following symlinks) of at most maxHolderBinary.
func readBounded(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxHolderBinary+1))
	if err == nil && len(b) > maxHolderBinary {
		err = fmt.Errorf("%s is larger than %d bytes", path, maxHolderBinary)
	}
	return b, err
}
