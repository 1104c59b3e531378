package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/spf13/cobra"

	"github.com/slipway-dev/slipway/internal/server"
)

// Demo settings: steady load well within what a small machine serves, and
// bounds that end a stuck demo long before anyone wonders.
const (
	demoRate           = 60 // requests per second
	demoConns          = 4
	demoStepTimeout    = 2 * time.Minute
	demoCleanupTimeout = 30 * time.Second
	// demoServeRequests is how many requests a revision answers before the
	// next deployment: about two seconds of load.
	demoServeRequests = 120
)

func newDemoCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "demo",
		Short: "Show a zero-downtime deploy, a circuit-breaker rollback and a canary failing back on this machine, then clean up",
		Long: `Starts an embedded Slipway in a temporary directory (127.0.0.1, free ports), builds
examples/talk-service, and through the ECS and ELBv2 APIs creates a load balancer
and a service of 3 tasks. Under steady load it deploys v2, then a broken v3 that
the deployment circuit breaker rolls back. Then it switches the service to a
CANARY strategy with a CloudWatch alarm on the green target group's
HTTPCode_Target_5XX_Count and deploys a v4 that answers half its requests with
500: the alarm fails the canary back from its 10% share (the embedded server
runs at --time-scale 60, so the alarm's one-minute period lasts a second). It
reports the requests served and failed per revision, and how many failed while
the canary had its share. Everything is stopped and removed at the end, on
Ctrl-C too.

Run it from a Slipway checkout: go run ./cmd/slipway demo
Exit code 0 when v2 completed, v3 was rolled back, the canary failed back, no
request failed in the rolling acts and the canary's failures were all its own
and within its share of the load over the detection time.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return g.demo(cmd.Context()) },
	}
}

// demo is one run of `slipway demo`: what it started, to clean up.
type demo struct {
	g     *globals // where the demo prints
	api   *globals // the same, pointed at the embedded server
	start time.Time
	dir   string
	srv   *server.Server
	c     deployClients
	lb    demoLB
	load  *loadGen
}

// demoResult is what the demo measured.
type demoResult struct {
	v2, v3 outcome
	canary canaryResult
	// rolling is the client's count before the canary act; client is all of it.
	rolling  loadResult
	client   loadResult
	requests *requestReport // nil when the figures were unavailable
}

func (g *globals) demo(ctx context.Context) error {
	d := &demo{g: g, start: time.Now()}
	res, err := d.run(ctx)
	d.cleanup()
	return d.verdict(ctx, res, err)
}

// step prints one line of what the demo does, with the time since it began.
func (d *demo) step(format string, args ...any) {
	fmt.Fprintf(d.g.stdout, "==> %s  [%s]\n", fmt.Sprintf(format, args...), seconds(time.Since(d.start)))
}

func (d *demo) run(ctx context.Context) (demoResult, error) {
	var res demoResult
	if err := d.setUp(ctx); err != nil {
		return res, err
	}
	stats := newSnapshotSource(d.c.ecs, d.c.elb, newStatsClient(d.api.metricsEndpoint()), d.api.cluster)
	svc, err := d.api.describeService(ctx, d.c.ecs, "talk")
	if err != nil {
		return res, err
	}
	base := stats.sampleStats(ctx, svc)
	d.step("sending %d requests/s over %d keep-alive connections to %s", demoRate, demoConns, d.load.url)
	if err := d.serve(ctx, "talk:1"); err != nil {
		return res, err
	}
	if res.v2, err = d.deploy(ctx, "v2", "TALK_VERSION=v2"); err != nil {
		return res, err
	}
	if err := d.serve(ctx, res.v2.Revision); err != nil {
		return res, err
	}
	if res.v3, err = d.deploy(ctx, "a broken v3 (it exits at start)", "TALK_VERSION=v3", "TALK_CRASH_AT_START=true"); err != nil {
		return res, err
	}
	res.rolling = d.load.snapshot()
	if res.canary, err = d.canary(ctx); err != nil {
		return res, err
	}
	res.client = d.load.stop()
	if end := stats.sampleStats(ctx, svc); base != nil && end != nil {
		res.requests = base.delta(end)
	}
	d.summary(res)
	return res, nil
}

// setUp starts the server, builds the service and creates everything up to
// a steady service of 3 tasks with load running against it.
func (d *demo) setUp(ctx context.Context) error {
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	root, err := findModuleRoot(wd)
	if err != nil {
		return err
	}
	if d.dir, err = os.MkdirTemp("", "slipway-demo-"); err != nil {
		return fmt.Errorf("creating the demo's temporary directory: %w", err)
	}
	// The canary act shows a CloudWatch alarm failing the canary back; the
	// built-in analysis, as fast, would race it.
	d.srv, err = server.Start(ctx, server.Config{APIAddr: "127.0.0.1:0", DataDir: filepath.Join(d.dir, "data"), LBHost: "127.0.0.1",
		TimeScale: demoTimeScale, Analysis: "off"})
	if err != nil {
		return fmt.Errorf("starting the embedded server: %w", err)
	}
	api := *d.g
	api.endpoint, api.metricsURL, api.cluster = d.srv.URL(), d.srv.MetricsURL(), "default"
	d.api = &api
	d.step("Slipway running on %s (state in %s)", d.srv.URL(), d.dir)
	t := time.Now()
	binary, err := buildTalkService(ctx, root, d.dir)
	if err != nil {
		return err
	}
	d.step("built examples/talk-service in %s", seconds(time.Since(t)))
	if d.c, err = d.api.deployClients(ctx); err != nil {
		return err
	}
	return d.createService(ctx, binary)
}

// createService registers talk:1, creates the load balancing and the
// service, follows its first deployment and starts the load.
func (d *demo) createService(ctx context.Context, binary string) error {
	taskDef, err := registerTalk(ctx, d.c.ecs, binary)
	if err != nil {
		return d.api.explain(err)
	}
	if d.lb, err = createLoadBalancing(ctx, d.c.elb); err != nil {
		return d.api.explain(err)
	}
	d.step("registered %s; load balancer listening on %s, health checks on /health every 5s", shortARN(taskDef), d.lb.url)
	fw := d.api.newFollower(d.c, "talk")
	fw.prime(ctx, types.Service{})
	svc, err := createTalkService(ctx, d.c.ecs, taskDef, d.lb)
	if err != nil {
		return d.api.explain(err)
	}
	d.step("created service talk: 3 tasks of %s, circuit breaker with rollback on", shortARN(taskDef))
	o, err := fw.follow(ctx, primaryDeployment(&svc), taskDef, demoStepTimeout)
	if err != nil {
		return err
	}
	if !o.OK() {
		return fmt.Errorf("the service's first deployment ended %s: %s", o.State, o.Reason)
	}
	d.load = startLoad(ctx, d.lb.url+"/talk", demoRate, demoConns)
	return nil
}

// serve lets the current revision answer a share of the load before the
// next step, so that every revision shows in the traffic figures.
func (d *demo) serve(ctx context.Context, revision string) error {
	t := time.Now()
	if err := d.load.waitAnswered(ctx, demoServeRequests, demoStepTimeout); err != nil {
		return err
	}
	d.step("%s answered %d requests in %s", revision, demoServeRequests, seconds(time.Since(t)))
	return nil
}

// newFollower makes a follower of service with g's display.
func (g *globals) newFollower(c deployClients, service string) *follower {
	return newFollower(newSnapshotSource(c.ecs, c.elb, newStatsClient(g.metricsEndpoint()), g.cluster), g.newProgressView(), service)
}

// deploy registers talk with env changed in container web and follows the
// deployment as `slipway deploy` does.
func (d *demo) deploy(ctx context.Context, what string, env ...string) (outcome, error) {
	svc, err := d.api.describeService(ctx, d.c.ecs, "talk")
	if err != nil {
		return outcome{}, err
	}
	in, err := deriveTaskDefinition(ctx, d.c.ecs, aws.ToString(svc.TaskDefinition), containerChange{container: "web", env: env})
	if err != nil {
		return outcome{}, d.api.explain(err)
	}
	reg, err := d.c.ecs.RegisterTaskDefinition(ctx, in)
	if err != nil {
		return outcome{}, d.api.explain(err)
	}
	taskDef := aws.ToString(reg.TaskDefinition.TaskDefinitionArn)
	d.step("deploying %s: %s with %s", what, shortARN(taskDef), strings.Join(env, " "))
	o, err := d.api.updateAndFollow(ctx, d.c, svc, taskDef, followFlags{timeout: demoStepTimeout})
	if err == nil && o.State == outcomeInterrupted {
		err = ctx.Err() // Ctrl-C: straight to the cleanup
	}
	return o, err
}

// summary prints the requests per revision as the load balancer and the
// load generator saw them.
func (d *demo) summary(res demoResult) {
	d.step("summary of the traffic while the load ran:")
	if res.requests != nil {
		seen := map[string]bool{}
		for _, r := range res.requests.Revisions {
			seen[r.Revision] = true
			fmt.Fprintf(d.g.stdout, "      %-8s %6d served, %d failed\n", r.Revision, r.Served, r.Failed)
		}
		if rev := res.v3.Revision; rev != "" && !seen[rev] {
			fmt.Fprintf(d.g.stdout, "      %-8s %6d served (its tasks never became healthy, so it got no traffic)\n", rev, 0)
		}
		if res.requests.NoTarget > 0 {
			fmt.Fprintf(d.g.stdout, "      %d failed with no healthy target\n", res.requests.NoTarget)
		}
		fmt.Fprintln(d.g.stdout, "      (load balancer counts; failed = 5xx sent to clients, by a target or the load balancer)")
	}
	fmt.Fprintf(d.g.stdout, "      load generator: %s\n", res.client)
	c := res.canary
	fmt.Fprintf(d.g.stdout, "      canary: green carried %d%% of production traffic for %s until the alarm failed it back; %d of %d requests failed meanwhile, %d of them answered by %s (bound %d%% x 50%% x %d/s x (detection + 1 s) = %.0f)\n",
		demoCanaryPercent, seconds(c.detection()), c.load.Failed, c.load.Total(), c.load.FailedBy[demoCanaryVersion], demoCanaryVersion, demoCanaryPercent, demoRate, c.failBound())
}

// cleanup stops the load and every task, closes the server and removes the
// temporary directory, whatever happened before (Ctrl-C included).
func (d *demo) cleanup() {
	t := time.Now()
	var errs []error
	if d.load != nil {
		d.load.stop()
	}
	if d.srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), demoCleanupTimeout)
		errs = append(errs, d.srv.StopAllTasks(ctx))
		errs = append(errs, d.srv.StopDataPlane(ctx))
		cancel()
		errs = append(errs, d.srv.Close())
	}
	if d.dir != "" {
		errs = append(errs, os.RemoveAll(d.dir))
	}
	if err := errors.Join(errs...); err != nil {
		d.step("cleanup incomplete: %v (look for leftover talk-service processes and %s)", err, d.dir)
		return
	}
	if d.srv != nil {
		d.step("cleaned up: tasks stopped, server closed, %s removed (%s)", d.dir, seconds(time.Since(t)))
	}
}

// verdict prints the demo's one final line and returns its exit status.
func (d *demo) verdict(ctx context.Context, res demoResult, err error) error {
	total := seconds(time.Since(d.start))
	switch {
	case ctx.Err() != nil:
		fmt.Fprintf(d.g.stdout, "demo INTERRUPTED after %s; everything it started was stopped and removed\n", total)
		return exitCode(130)
	case err != nil:
		fmt.Fprintf(d.g.stdout, "demo FAILED after %s: %v\n", total, err)
		return exitCode(1)
	}
	if problems := res.problems(); len(problems) > 0 {
		fmt.Fprintf(d.g.stdout, "demo FAILED in %s: %s\n", total, strings.Join(problems, "; "))
		return exitCode(1)
	}
	served := res.client.Total()
	if res.requests != nil {
		served = res.requests.Served()
	}
	c := res.canary
	fmt.Fprintf(d.g.stdout, "demo PASSED in %s: v2 completed in %s; broken v3 failed and was rolled back to %s in %s; the 500ing %s canary failed back after %s at %d%%; %d requests served, 0 failed in the rolling acts, %d of %d during the failing canary, all on the canary's %d%%\n",
		total, seconds(res.v2.Duration), res.v3.RolledBackTo, seconds(res.v3.Duration), demoCanaryVersion, seconds(c.detection()), demoCanaryPercent,
		served, c.load.Failed, c.load.Total(), demoCanaryPercent)
	return nil
}

// problems lists what did not go as the demo expects.
func (r demoResult) problems() []string {
	var p []string
	if !r.v2.OK() {
		p = append(p, fmt.Sprintf("the v2 deployment ended %s, want COMPLETED", r.v2.State))
	}
	if r.v3.State != outcomeRolledBack || r.v3.RolledBackTo != r.v2.Revision {
		p = append(p, fmt.Sprintf("the broken v3 deployment ended %s (rolled back to %q), want FAILED and rolled back to %s", r.v3.State, r.v3.RolledBackTo, r.v2.Revision))
	}
	p = append(p, r.canary.problems(r.v2.Revision)...)
	if r.client.Total() == 0 {
		p = append(p, "the load generator sent no request")
	}
	if r.rolling.Failed > 0 {
		p = append(p, fmt.Sprintf("%d of %d requests failed at the client during the rolling acts (%s)", r.rolling.Failed, r.rolling.Total(), strings.Join(r.rolling.FirstErrs, " | ")))
	}
	if r.requests == nil {
		p = append(p, "the load balancer's statistics were unavailable")
		return p
	}
	if r.requests.NoTarget > 0 {
		p = append(p, fmt.Sprintf("the load balancer answered %d requests with no healthy target", r.requests.NoTarget))
	}
	for _, rev := range r.requests.Revisions {
		if rev.Failed > 0 && rev.Revision != r.canary.outcome.Revision {
			p = append(p, fmt.Sprintf("the load balancer counted %d failed requests of %s", rev.Failed, rev.Revision))
		}
	}
	return p
}

// problems lists what did not go as the canary act expects: failed back by
// the alarm to blue, every failure on the canary, within the bound.
func (r canaryResult) problems(blue string) []string {
	var p []string
	if r.outcome.State != outcomeRolledBack || r.outcome.RolledBackTo != blue || !strings.Contains(r.outcome.Reason, demoAlarm) {
		p = append(p, fmt.Sprintf("the canary deployment ended %s (rolled back to %q: %s), want it failed back to %s by alarm %s",
			r.outcome.State, r.outcome.RolledBackTo, r.outcome.Reason, blue, demoAlarm))
	}
	if r.detection() == 0 {
		p = append(p, "the production rule never sent the canary its share and then none again")
	}
	if onCanary := r.load.FailedBy[demoCanaryVersion]; r.load.Failed != onCanary {
		p = append(p, fmt.Sprintf("%d requests failed during the canary but only %d were answered by the canary (%s)",
			r.load.Failed, onCanary, strings.Join(r.load.FirstErrs, " | ")))
	}
	if bound := r.failBound(); float64(r.load.Failed) > bound*1.5+5 {
		p = append(p, fmt.Sprintf("%d requests failed during the canary, more than the bound %.0f", r.load.Failed, bound))
	}
	return p
}
