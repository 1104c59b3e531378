package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/slipway-dev/slipway/internal/api/acm"
	"github.com/slipway-dev/slipway/internal/api/awsproto"
	"github.com/slipway-dev/slipway/internal/api/cloudformation"
	"github.com/slipway-dev/slipway/internal/api/ecs"
	"github.com/slipway-dev/slipway/internal/api/elbv2"
	logsapi "github.com/slipway-dev/slipway/internal/api/logs"
	"github.com/slipway-dev/slipway/internal/cfn/stack"
	"github.com/slipway-dev/slipway/internal/controller"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/ops/acmops"
	"github.com/slipway-dev/slipway/internal/ops/ecsops"
	"github.com/slipway-dev/slipway/internal/ops/elbops"
	"github.com/slipway-dev/slipway/internal/state"
)

// regional is what serves one region's ECS, Elastic Load Balancing, ACM
// and CloudFormation: its State (its own buckets and ARNs), their
// operations and wire handlers, and the controller of its services. The home region's is
// built from the Server's own fields; another region's the first time a
// request names it (or at start, when it was used before).
type regional struct {
	st         *state.State
	ecsAPI     http.Handler
	elbAPI     http.Handler
	acmAPI     http.Handler
	cfnAPI     http.Handler    // nil in the home region: registerCloudFormation serves s.cfn
	certs      *acmops.Service // the region's ACM, whose certificates its listeners take
	controller *controller.Controller
}

// regionSet holds the open regions' regional, by name.
type regionSet struct {
	mu     sync.Mutex // protects byName and closed
	byName map[string]*regional
	closed bool
}

// everyRegion are the APIs served in every region: ECS, ELBv2, ACM and
// CloudFormation, each region its own, and CloudWatch Logs, one store for
// all (the awslogs driver ships to its awslogs-region, and an ECS task
// definition names a group of any region). The others (CloudWatch,
// Application Auto Scaling) are served only in the home region, whose ECS
// operations they act on.
var everyRegion = map[string]bool{ecs.SigningName: true, elbv2.SigningName: true, logsapi.SigningName: true,
	acm.SigningName: true, cloudformation.SigningName: true}

// knownRegion bounds the regions served: the aws partition's, and the
// server's own --region whatever it is.
func (s *Server) knownRegion(region string) bool {
	return region == s.cfg.Region || model.IsAWSRegion(region)
}

// servedRegions lists the regions a signature may be scoped to.
func (s *Server) servedRegions() []string {
	out := model.AWSRegions()
	if !model.IsAWSRegion(s.cfg.Region) {
		out = append(out, s.cfg.Region)
	}
	return out
}

// checkRegion is the router's RegionCheck: an unknown region is refused as
// AWS refuses a credential scoped to a region its endpoint does not serve.
func (s *Server) checkRegion(service, region string) error {
	switch {
	case region == s.cfg.Region:
		return nil
	case !s.knownRegion(region):
		return awsproto.RegionRefusal("Credential should be scoped to a valid region, not '%.40s'. ", region)
	case !everyRegion[service]:
		return awsproto.RegionRefusal("Credential should be scoped to a valid region, not '%s'. Slipway serves %s only in its home region %s "+
			"(slipway server --region); ECS, Elastic Load Balancing, ACM, CloudFormation and CloudWatch Logs are served in every region.", region, service, s.cfg.Region)
	}
	return nil
}

// openRegions opens the home region's regional (from the Server's fields)
// and every other region used before, whose controllers start at once.
func (s *Server) openRegions(ctx context.Context, names []string) error {
	s.regional.byName = map[string]*regional{s.cfg.Region: {st: s.st,
		ecsAPI: ecs.New(s.ecsOps, s.cfg.Logger), elbAPI: elbv2.New(s.elbOps, s.cfg.Logger),
		acmAPI: acm.New(s.acm, s.cfg.Logger), certs: s.acm, controller: s.controller}}
	for _, name := range names {
		if _, err := s.region(ctx, name); err != nil {
			return err
		}
	}
	return nil
}

// region returns region's regional, opening it on first use: its records
// are created (the default cluster, as on a new data directory) and its
// controller started.
func (s *Server) region(ctx context.Context, name string) (*regional, error) {
	if name == "" {
		name = s.cfg.Region
	}
	s.regional.mu.Lock()
	defer s.regional.mu.Unlock()
	if rg, ok := s.regional.byName[name]; ok {
		return rg, nil
	}
	if s.regional.closed {
		return nil, errServerClosing
	}
	st, err := s.regions.Get(ctx, name)
	if err != nil {
		return nil, err
	}
	if err := ensureDefaultCluster(ctx, st); err != nil {
		return nil, err
	}
	ecsOps := ecsops.New(st, targetGroups{st}, ecsops.Options{Logger: s.cfg.Logger})
	elbOps := elbops.New(st, s.syncer, s.cfg.Logger)
	certs := s.newACM(st)
	elbOps.SetCertificates(certs)
	stacks := s.newCloudFormation(st, ecsOps, elbOps, homeRegionAlarms{home: s.cfg.Region})
	rg := &regional{st: st, ecsAPI: ecs.New(ecsOps, s.cfg.Logger), elbAPI: elbv2.New(elbOps, s.cfg.Logger),
		acmAPI: acm.New(certs, s.cfg.Logger), cfnAPI: cloudformation.New(stacks, s.cfg.Logger), certs: certs,
		controller: controller.New(st, s.syncer, s.regionControllerOptions(name))}
	rg.controller.Start()
	s.runCloudFormation(s.runCtx, stacks)
	s.regional.byName[name] = rg
	s.cfg.Logger.Info("region opened", "region", name)
	return rg, nil
}

// regionControllerOptions are the home region's controller's options,
// logging with the region.
func (s *Server) regionControllerOptions(region string) controller.Options {
	opts := s.controllerOpts
	opts.Logger = s.cfg.Logger.With("region", region)
	return opts
}

// openRegion returns region's regional when it is open, else nil; it
// opens none.
func (s *Server) openRegion(name string) *regional {
	s.regional.mu.Lock()
	defer s.regional.mu.Unlock()
	return s.regional.byName[name]
}

// errServerClosing refuses to open a region while the server stops.
var errServerClosing = errors.New("the server is stopping")

// closeRegions stops the controllers of the regions other than home
// (Close stops the home region's) and opens no more.
func (s *Server) closeRegions() error {
	s.regional.mu.Lock()
	s.regional.closed = true
	var errs []error
	for name, rg := range s.regional.byName {
		if name != s.cfg.Region {
			errs = append(errs, rg.controller.Close())
		}
	}
	s.regional.mu.Unlock()
	return errors.Join(errs...)
}

// regionalJSON serves a JSON API in every region: the request goes to the
// handler of the region its credential scope names.
func (s *Server) regionalJSON(pick func(*regional) http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rg, err := s.region(r.Context(), awsproto.RegionOf(r.Context()))
		if err != nil {
			awsproto.WriteJSONError(w, s.regionError(r, err), "InternalFailure")
			return
		}
		pick(rg).ServeHTTP(w, r)
	})
}

// regionalECS serves ECS in every region: the request goes to the handler
// of the region its credential scope names, unless it names another
// region's ECS ARN.
func (s *Server) regionalECS() http.Handler {
	return s.regionalJSON(func(rg *regional) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			refuseForeignECSARNs(rg.st.Partition.Region, rg.ecsAPI, w, r)
		})
	})
}

// regionalQuery serves a Query API answering in xmlns in every region:
// the request goes to the handler of the region its credential scope
// names.
func (s *Server) regionalQuery(xmlns string, pick func(*regional) http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rg, err := s.region(r.Context(), awsproto.RegionOf(r.Context()))
		if err != nil {
			awsproto.WriteXMLError(w, xmlns, s.regionError(r, err), "InternalFailure")
			return
		}
		pick(rg).ServeHTTP(w, r)
	})
}

// regionError logs why a region could not be opened and answers a
// server fault (the router refused unknown regions before).
func (s *Server) regionError(r *http.Request, err error) error {
	s.cfg.Logger.Error("region unavailable", "request_id", awsproto.RequestID(r.Context()),
		"region", awsproto.RegionOf(r.Context()), "err", err)
	return awsproto.Errorf(http.StatusServiceUnavailable, "ServiceUnavailable", "region %.40s is unavailable; retry", awsproto.RegionOf(r.Context()))
}

// eachRegion calls fn with home's transaction as a Tx of each open region,
// home first: for what spans this node's regions (its container
// instances and tasks).
func eachRegion(home state.Tx, fn func(state.Tx) error) error {
	for _, tx := range append([]state.Tx{home}, home.OtherRegions()...) {
		if err := fn(tx); err != nil {
			return err
		}
	}
	return nil
}

// homeRegionAlarms is AWS::CloudWatch::Alarm outside the home region:
// CloudWatch is served there only, so a stack of another region cannot
// make an alarm, and says why.
type homeRegionAlarms struct{ home string }

func (h homeRegionAlarms) refuse() error {
	return fmt.Errorf("%w: AWS::CloudWatch::Alarm: Slipway serves CloudWatch only in its home region %s; create the alarm in a stack there",
		stack.ErrUnsupported, h.home)
}

func (h homeRegionAlarms) Create(context.Context, *stack.Request) (*stack.Result, error) {
	return nil, h.refuse()
}

func (h homeRegionAlarms) Update(context.Context, *stack.Request) (*stack.Result, error) {
	return nil, h.refuse()
}

// Delete has nothing to delete: no alarm was made.
func (h homeRegionAlarms) Delete(context.Context, *stack.Request) error { return nil }
