package docker

import (
	"context"
	"fmt"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/pkg/authconfig"
	"github.com/moby/moby/api/types/registry"
	"github.com/moby/moby/client"

	"github.com/slipway-dev/slipway/internal/runtime"
)

// ensureImage makes sure ref is on this machine: an image that is there is
// used as it is (no registry is asked whether it is current, so images
// built or loaded locally just work); a missing one is pulled. A pull that
// fails stops the task with ECS's CannotPullContainerError and says what to
// do instead.
func (r *Runtime) ensureImage(ctx context.Context, ref string, auth *runtime.RegistryAuth) error {
	_, err := r.cli.ImageInspect(ctx, ref)
	if err == nil {
		return nil
	}
	if !cerrdefs.IsNotFound(err) {
		return fmt.Errorf("%w: inspecting image %q: %s", runtime.ErrCannotStart, ref, engineMessage(err))
	}
	start := time.Now()
	if err := r.pull(ctx, ref, auth); err != nil {
		return fmt.Errorf("%w: pull image %q: %s. The image is not on this machine and could not be pulled: "+
			"build or load it here and name it %q (`docker tag IMAGE %s`, or `docker load -i IMAGE.tar` of an image saved with that name)",
			runtime.ErrCannotPull, ref, engineMessage(err), ref, ref)
	}
	r.log.Info("image pulled", "image", ref, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

func (r *Runtime) pull(ctx context.Context, ref string, auth *runtime.RegistryAuth) error {
	ctx, cancel := context.WithTimeout(ctx, pullTimeout)
	defer cancel()
	opts := client.ImagePullOptions{}
	if auth != nil {
		enc, err := authconfig.Encode(registry.AuthConfig{Username: auth.Username, Password: auth.Password})
		if err != nil {
			return err
		}
		opts.RegistryAuth = enc
	}
	res, err := r.cli.ImagePull(ctx, ref, opts)
	if err != nil {
		return err
	}
	return res.Wait(ctx)
}
