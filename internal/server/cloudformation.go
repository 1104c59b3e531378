package server

import (
	"context"
	"net/http"

	"github.com/slipway-dev/slipway/internal/api/awsproto"
	"github.com/slipway-dev/slipway/internal/api/cloudformation"
	"github.com/slipway-dev/slipway/internal/cfn/providers"
	"github.com/slipway-dev/slipway/internal/cfn/stack"
	"github.com/slipway-dev/slipway/internal/ops/ecsops"
	"github.com/slipway-dev/slipway/internal/ops/elbops"
	"github.com/slipway-dev/slipway/internal/state"
)

// startCloudFormation makes the home region's stack engine and runs it
// until ctx ends.
func (s *Server) startCloudFormation(ctx context.Context) {
	s.cfn = s.newCloudFormation(s.st, s.ecsOps, s.elbOps, providers.Alarms{Ops: s.cw.ops})
	s.runCloudFormation(ctx, s.cfn)
}

// newCloudFormation makes a stack engine over st's region (its stacks in
// the region's buckets, ids and ARNs of its region), with a provider for
// each type Slipway runs, acting on the region's ECS and ELB operations.
// alarms makes AWS::CloudWatch::Alarm resources.
func (s *Server) newCloudFormation(st *state.State, ecsOps *ecsops.Ops, elbOps *elbops.Service, alarms stack.Provider) *stack.Engine {
	return stack.New(stack.Options{Store: st.Store(), Region: st.Partition.Region, Account: st.Partition.Account, Logger: s.cfg.Logger,
		Providers: map[string]stack.Provider{
			"AWS::Logs::LogGroup":                       providers.LogGroups{Ops: s.logsOps},
			"AWS::CloudWatch::Alarm":                    alarms,
			"AWS::ECS::Cluster":                         providers.ECSClusters{Ops: ecsOps},
			"AWS::ECS::TaskDefinition":                  providers.ECSTaskDefinitions{Ops: ecsOps},
			"AWS::ECS::Service":                         providers.ECSServices{Ops: ecsOps},
			"AWS::ECS::TaskSet":                         providers.ECSTaskSets{Ops: ecsOps},
			"AWS::ECS::PrimaryTaskSet":                  providers.ECSPrimaryTaskSets{Ops: ecsOps},
			"AWS::ElasticLoadBalancingV2::LoadBalancer": providers.LoadBalancers{Ops: elbOps},
			"AWS::ElasticLoadBalancingV2::TargetGroup":  providers.TargetGroups{Ops: elbOps},
			"AWS::ElasticLoadBalancingV2::Listener":     providers.Listeners{Ops: elbOps},
			"AWS::ElasticLoadBalancingV2::ListenerRule": providers.ListenerRules{Ops: elbOps},
		}})
}

// runCloudFormation runs e until ctx ends.
func (s *Server) runCloudFormation(ctx context.Context, e *stack.Engine) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := e.Run(ctx); err != nil {
			s.cfg.Logger.Error("cloudformation stopped", "err", err)
		}
	}()
}

// registerCloudFormation serves CloudFormation's Query API, each region its
// own stacks (the home region's engine is s.cfn).
func (s *Server) registerCloudFormation(router *awsproto.Router) {
	home := cloudformation.New(s.cfn, s.cfg.Logger)
	router.HandleQuery(awsproto.QueryAPI{Version: cloudformation.Version, Namespace: cloudformation.Namespace,
		SigningName: cloudformation.SigningName}, s.regionalQuery(cloudformation.Namespace, func(rg *regional) http.Handler {
		if rg.cfnAPI == nil {
			return home
		}
		return rg.cfnAPI
	}))
}

// CloudFormation is the home region's stack engine, for in-process tools.
func (s *Server) CloudFormation() *stack.Engine { return s.cfn }
