package server

import (
	"context"

	"github.com/slipway-dev/slipway/internal/api/awsproto"
	"github.com/slipway-dev/slipway/internal/api/cloudformation"
	"github.com/slipway-dev/slipway/internal/cfn/providers"
	"github.com/slipway-dev/slipway/internal/cfn/stack"
)

// startCloudFormation makes the stack engine over the store, with a
// provider for each type Slipway runs, and runs it until ctx ends.
func (s *Server) startCloudFormation(ctx context.Context) {
	s.cfn = stack.New(stack.Options{Store: s.db, Region: s.cfg.Region, Account: s.cfg.Account, Logger: s.cfg.Logger,
		Providers: map[string]stack.Provider{
			"AWS::Logs::LogGroup":                       providers.LogGroups{Ops: s.logsOps},
			"AWS::CloudWatch::Alarm":                    providers.Alarms{Ops: s.cw.ops},
			"AWS::ECS::Cluster":                         providers.ECSClusters{Ops: s.ecsOps},
			"AWS::ECS::TaskDefinition":                  providers.ECSTaskDefinitions{Ops: s.ecsOps},
			"AWS::ECS::Service":                         providers.ECSServices{Ops: s.ecsOps},
			"AWS::ECS::TaskSet":                         providers.ECSTaskSets{Ops: s.ecsOps},
			"AWS::ECS::PrimaryTaskSet":                  providers.ECSPrimaryTaskSets{Ops: s.ecsOps},
			"AWS::ElasticLoadBalancingV2::LoadBalancer": providers.LoadBalancers{Ops: s.elbOps},
			"AWS::ElasticLoadBalancingV2::TargetGroup":  providers.TargetGroups{Ops: s.elbOps},
			"AWS::ElasticLoadBalancingV2::Listener":     providers.Listeners{Ops: s.elbOps},
			"AWS::ElasticLoadBalancingV2::ListenerRule": providers.ListenerRules{Ops: s.elbOps},
		}})
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := s.cfn.Run(ctx); err != nil {
			s.cfg.Logger.Error("cloudformation stopped", "err", err)
		}
	}()
}

// registerCloudFormation serves CloudFormation's Query API.
func (s *Server) registerCloudFormation(router *awsproto.Router) {
	router.HandleQuery(awsproto.QueryAPI{Version: cloudformation.Version, Namespace: cloudformation.Namespace,
		SigningName: cloudformation.SigningName}, cloudformation.New(s.cfn, s.cfg.Logger))
}

// CloudFormation is the stack engine, for in-process tools.
func (s *Server) CloudFormation() *stack.Engine { return s.cfn }
