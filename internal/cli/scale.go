package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/spf13/cobra"
)

// maxScaleCount is the largest desired count `slipway scale` accepts, ECS's
// quota of tasks per service.
const maxScaleCount = 5000

// scaleFlags are the flags of `slipway scale`.
type scaleFlags struct {
	timeout time.Duration
	noWait  bool
}

func newScaleCmd(g *globals) *cobra.Command {
	var f scaleFlags
	cmd := &cobra.Command{
		Use:   "scale SERVICE N",
		Short: "Set a service's desired count and follow it to steady state",
		Long: `Sets the service's desired count (UpdateService with desiredCount only: the
task definition and deployment settings stay) and shows the tasks live until
the service runs N healthy tasks of one deployment, then ends with one line.

When the service has an Application Auto Scaling target and N is outside its
[min, max], scale says so and proceeds: autoscaling moves the count back
within the bounds at its next scaling activity.

Exit code 0 once the service is steady at N; 1 when --timeout passes first
(the service goes on scaling on the server).`,
		Example: `  slipway scale talk 3
  slipway scale talk 0 --no-wait`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := strconv.Atoi(args[1])
			if err != nil || n < 0 || n > maxScaleCount {
				return fmt.Errorf("%w: N must be a whole number of tasks from 0 to %d, not %q", ErrUsage, maxScaleCount, args[1])
			}
			return g.scale(cmd.Context(), args[0], int32(n), f)
		},
	}
	cmd.Flags().DurationVar(&f.timeout, "timeout", defaultDeployTimeout, "give up following after this long (exit 1; the service goes on scaling)")
	cmd.Flags().BoolVar(&f.noWait, "no-wait", false, "set the desired count and return without following it")
	return cmd
}

func (g *globals) scale(ctx context.Context, service string, n int32, f scaleFlags) error {
	c, err := g.deployClients(ctx)
	if err != nil {
		return err
	}
	sc, err := g.autoscalingClient(ctx)
	if err != nil {
		return err
	}
	svc, err := g.describeService(ctx, c.ecs, service)
	if err != nil {
		return err
	}
	name := aws.ToString(svc.ServiceName)
	if err := g.warnOutOfBounds(ctx, homeRegionScaling{sc}, name, n); err != nil {
		return err
	}
	src := newSnapshotSource(c.ecs, c.elb, newStatsClient(g.metricsEndpoint()), g.cluster)
	fw := newFollower(src, g.newProgressView(), name)
	fw.prime(ctx, svc)
	out, err := c.ecs.UpdateService(ctx, &awsecs.UpdateServiceInput{Cluster: aws.String(g.cluster), Service: aws.String(name), DesiredCount: aws.Int32(n)})
	if err != nil {
		return fmt.Errorf("scaling service %s: %w", name, g.explain(err))
	}
	g.note("Set the desired count of %s from %d to %d.", name, svc.DesiredCount, n)
	if f.noWait {
		g.note("Not following it (--no-wait); watch it with `slipway services` and `slipway events %s`.", name)
		return nil
	}
	fw.id, fw.following, fw.revision = primaryDeployment(out.Service), primaryDeployment(out.Service), shortARN(aws.ToString(out.Service.TaskDefinition))
	r, err := g.followScale(ctx, fw, n, f.timeout)
	if err != nil {
		return fmt.Errorf("following the scaling of %s (it goes on on the server; check it with `slipway services`): %w", name, g.explain(err))
	}
	g.scaleVerdict(r)
	switch {
	case r.steady:
		return nil
	case ctx.Err() != nil:
		return exitCode(130)
	default:
		return exitCode(1)
	}
}

// warnOutOfBounds prints one line when the service has a scalable target
// whose [min, max] does not hold n; scaling proceeds regardless.
func (g *globals) warnOutOfBounds(ctx context.Context, sc scalingReader, service string, n int32) error {
	targets, err := scalableTargets(ctx, sc, g.cluster, []string{service})
	if err != nil {
		return fmt.Errorf("reading the scalable target of %s: %w", service, g.explain(err))
	}
	t, ok := targets[scalingResourceID(g.cluster, service)]
	if !ok {
		return nil
	}
	lo, hi := aws.ToInt32(t.MinCapacity), aws.ToInt32(t.MaxCapacity)
	if n < lo || n > hi {
		fmt.Fprintf(g.stderr, "warning: %d is outside the autoscaling bounds [%d, %d] of %s: autoscaling will move it back within them (change them with `aws application-autoscaling register-scalable-target`); scaling anyway.\n",
			n, lo, hi, service)
	}
	return nil
}

// scaleResult is how following a scaling ended.
type scaleResult struct {
	steady   bool
	service  string
	revision string
	want     int32
	counts   string // the primary deployment's tasks, as the view shows them
	duration time.Duration
	// movedTo, when not -1, is the desired count another actor set while
	// we followed (autoscaling moving it back within its bounds).
	movedTo int32
}

// followScale polls until the service is steady at n: one deployment, n
// tasks running and healthy, none starting or draining. The follower's
// view shows each poll.
func (g *globals) followScale(ctx context.Context, fw *follower, n int32, timeout time.Duration) (scaleResult, error) {
	r := scaleResult{service: fw.service, revision: fw.revision, want: n, movedTo: -1}
	deadline := fw.start.Add(timeout)
	lastOK := time.Now()
	tick := time.NewTicker(fw.interval)
	defer tick.Stop()
	for {
		snap, err := fw.src.snapshot(ctx, fw.service)
		switch {
		case err == nil:
			lastOK = time.Now()
			fw.show(snap)
			rows := snap.rows(fw.id, fw.following)
			if len(rows) > 0 {
				r.counts = rows[0].counts()
			}
			if snap.service.DesiredCount != n {
				// Someone else set the count: autoscaling keeping it within
				// its bounds, or another client. Following n is moot.
				r.movedTo, r.duration = snap.service.DesiredCount, time.Since(fw.start)
				return r, nil
			}
			if steadyAt(rows, n) {
				r.steady, r.duration = true, time.Since(fw.start)
				return r, nil
			}
		case ctx.Err() != nil:
		case time.Since(lastOK) > apiOutage:
			return r, fmt.Errorf("%w: %w", errLostTrack, err)
		}
		if time.Now().After(deadline) {
			r.duration = time.Since(fw.start)
			return r, nil
		}
		select {
		case <-ctx.Done():
			r.duration = time.Since(fw.start)
			return r, nil
		case <-tick.C:
		}
	}
}

// steadyAt reports whether rows are one deployment with n tasks running
// and healthy and none starting, draining or left over.
func steadyAt(rows []revisionRow, n int32) bool {
	if len(rows) != 1 {
		return false
	}
	r := rows[0]
	return r.Desired == int(n) && r.Running == int(n) && r.Healthy == int(n) && r.Pending == 0 && r.Draining == 0
}

// scaleVerdict prints the one line that ends a scale (a JSON object with
// --output json).
func (g *globals) scaleVerdict(r scaleResult) {
	d := seconds(r.duration)
	line := fmt.Sprintf("STEADY in %s: %s runs %d tasks of %s", d, r.service, r.want, r.revision)
	switch {
	case r.movedTo >= 0:
		line = fmt.Sprintf("MOVED after %s: the desired count of %s is now %d, not %d (set by autoscaling or another client; see `slipway events %s`)",
			d, r.service, r.movedTo, r.want, r.service)
	case !r.steady:
		line = fmt.Sprintf("NOT STEADY after %s: %s wants %d tasks of %s, has %s; it goes on on the server: watch it with `slipway services` and `slipway events %s`",
			d, r.service, r.want, r.revision, r.counts, r.service)
	}
	if g.output != "json" {
		fmt.Fprintln(g.stdout, line)
		return
	}
	_ = json.NewEncoder(g.stdout).Encode(struct {
		Steady          bool    `json:"steady"`
		Service         string  `json:"service"`
		DesiredCount    int32   `json:"desiredCount"`
		Revision        string  `json:"revision"`
		DurationSeconds float64 `json:"durationSeconds"`
		Verdict         string  `json:"verdict"`
	}{r.steady, r.service, r.want, r.revision, round1(r.duration), line})
}
