package ecs

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

const (
	rootARN = "arn:aws:iam::000000000000:root"
	userARN = "arn:aws:iam::000000000000:user/dev"
)

func TestAccountSettingsEffectiveDefaultsAndOverrides(t *testing.T) {
	ctx := context.Background()
	c := newTestAPI(t, nil, nil).client
	// An account that set nothing: ECS's defaults, as the root's.
	all, err := c.ListAccountSettings(ctx, &awsecs.ListAccountSettingsInput{EffectiveSettings: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Settings) != 10 || all.NextToken == nil {
		t.Fatalf("first page: %d settings, token %v", len(all.Settings), all.NextToken)
	}
	if s := all.Settings[0]; s.Name != types.SettingNameServiceLongArnFormat || aws.ToString(s.Value) != "enabled" ||
		aws.ToString(s.PrincipalArn) != rootARN || s.Type != types.SettingTypeUser {
		t.Fatalf("serviceLongArnFormat: %+v", s)
	}
	rest, err := c.ListAccountSettings(ctx, &awsecs.ListAccountSettingsInput{EffectiveSettings: true, NextToken: all.NextToken})
	if err != nil || len(rest.Settings) != 1 || rest.NextToken != nil {
		t.Fatalf("second page: %+v %v", rest, err)
	}
	own, err := c.ListAccountSettings(ctx, &awsecs.ListAccountSettingsInput{})
	if err != nil || len(own.Settings) != 0 {
		t.Fatalf("nothing set: %+v %v", own, err)
	}
	// The account default, then a user's own setting over it.
	def, err := c.PutAccountSettingDefault(ctx, &awsecs.PutAccountSettingDefaultInput{Name: types.SettingNameContainerInsights, Value: aws.String("enhanced")})
	if err != nil || aws.ToString(def.Setting.PrincipalArn) != rootARN || aws.ToString(def.Setting.Value) != "enhanced" {
		t.Fatalf("default: %+v %v", def, err)
	}
	eff := func(principal string) string {
		t.Helper()
		out, err := c.ListAccountSettings(ctx, &awsecs.ListAccountSettingsInput{Name: types.SettingNameContainerInsights,
			PrincipalArn: aws.String(principal), EffectiveSettings: true})
		if err != nil || len(out.Settings) != 1 || aws.ToString(out.Settings[0].PrincipalArn) != principal {
			t.Fatalf("effective for %s: %+v %v", principal, out, err)
		}
		return aws.ToString(out.Settings[0].Value)
	}
	if got := eff(userARN); got != "enhanced" {
		t.Fatalf("user inherits %s", got)
	}
	if _, err := c.PutAccountSetting(ctx, &awsecs.PutAccountSettingInput{Name: types.SettingNameContainerInsights,
		Value: aws.String("disabled"), PrincipalArn: aws.String(userARN)}); err != nil {
		t.Fatal(err)
	}
	if got := eff(userARN); got != "disabled" {
		t.Fatalf("user's own setting: %s", got)
	}
	byValue, err := c.ListAccountSettings(ctx, &awsecs.ListAccountSettingsInput{Name: types.SettingNameContainerInsights,
		Value: aws.String("enhanced"), PrincipalArn: aws.String(userARN)})
	if err != nil || len(byValue.Settings) != 0 {
		t.Fatalf("value filter: %+v %v", byValue, err)
	}
	del, err := c.DeleteAccountSetting(ctx, &awsecs.DeleteAccountSettingInput{Name: types.SettingNameContainerInsights, PrincipalArn: aws.String(userARN)})
	if err != nil || aws.ToString(del.Setting.Value) != "disabled" {
		t.Fatalf("delete: %+v %v", del, err)
	}
	if got := eff(userARN); got != "enhanced" {
		t.Fatalf("after delete: %s", got)
	}
	// The account default feeds new clusters' containerInsights.
	cl, err := c.CreateCluster(ctx, &awsecs.CreateClusterInput{ClusterName: aws.String("insights")})
	if err != nil || len(cl.Cluster.Settings) != 1 || aws.ToString(cl.Cluster.Settings[0].Value) != "enhanced" {
		t.Fatalf("cluster settings: %+v %v", cl, err)
	}
}

func TestAccountSettingRefusals(t *testing.T) {
	ctx := context.Background()
	c := newTestAPI(t, nil, nil).client
	for name, in := range map[string]*awsecs.PutAccountSettingInput{
		"unknown name":        {Name: "fastMode", Value: aws.String("enabled")},
		"bad value":           {Name: types.SettingNameAwsvpcTrunking, Value: aws.String("on")},
		"long ARNs are on":    {Name: types.SettingNameTaskLongArnFormat, Value: aws.String("disabled")},
		"AWS-managed":         {Name: types.SettingNameGuardDutyActivate, Value: aws.String("enabled")},
		"FIPS off GovCloud":   {Name: types.SettingNameFargateFipsMode, Value: aws.String("enabled")},
		"root only":           {Name: types.SettingNameFargateTaskRetirementWaitPeriod, Value: aws.String("14"), PrincipalArn: aws.String(userARN)},
		"not a principal":     {Name: types.SettingNameAwsvpcTrunking, Value: aws.String("enabled"), PrincipalArn: aws.String("arn:aws:s3:::bucket")},
		"another account":     {Name: types.SettingNameAwsvpcTrunking, Value: aws.String("enabled"), PrincipalArn: aws.String("arn:aws:iam::111111111111:root")},
		"retirement not 0-14": {Name: types.SettingNameFargateTaskRetirementWaitPeriod, Value: aws.String("3")},
	} {
		_, err := c.PutAccountSetting(ctx, in)
		if err == nil {
			t.Fatalf("%s: accepted", name)
		}
		wantCode(t, err, "InvalidParameterException")
	}
	_, err := c.ListAccountSettings(ctx, &awsecs.ListAccountSettingsInput{Value: aws.String("enabled")})
	wantCode(t, err, "InvalidParameterException")
	_, err = c.ListAccountSettings(ctx, &awsecs.ListAccountSettingsInput{MaxResults: 11})
	wantCode(t, err, "InvalidParameterException")
	ok, err := c.PutAccountSetting(ctx, &awsecs.PutAccountSettingInput{Name: types.SettingNameFargateTaskRetirementWaitPeriod, Value: aws.String("14")})
	if err != nil || aws.ToString(ok.Setting.PrincipalArn) != rootARN {
		t.Fatalf("root's retirement period: %+v %v", ok, err)
	}
	gd, err := c.ListAccountSettings(ctx, &awsecs.ListAccountSettingsInput{Name: types.SettingNameGuardDutyActivate, EffectiveSettings: true})
	if err != nil || len(gd.Settings) != 1 || gd.Settings[0].Type != types.SettingTypeAwsManaged {
		t.Fatalf("guardDutyActivate: %+v %v", gd, err)
	}
}

func TestUpdateClusterAndSettings(t *testing.T) {
	ctx := context.Background()
	c := newTestAPI(t, nil, nil).client
	if _, err := c.CreateCluster(ctx, &awsecs.CreateClusterInput{ClusterName: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}
	up, err := c.UpdateClusterSettings(ctx, &awsecs.UpdateClusterSettingsInput{Cluster: aws.String("prod"),
		Settings: []types.ClusterSetting{{Name: types.ClusterSettingNameContainerInsights, Value: aws.String("enabled")}}})
	if err != nil || len(up.Cluster.Settings) != 1 || aws.ToString(up.Cluster.Settings[0].Value) != "enabled" {
		t.Fatalf("update settings: %+v %v", up, err)
	}
	cfg := &types.ClusterConfiguration{ExecuteCommandConfiguration: &types.ExecuteCommandConfiguration{
		KmsKeyId: aws.String("key-1"), Logging: types.ExecuteCommandLoggingDefault}}
	upd, err := c.UpdateCluster(ctx, &awsecs.UpdateClusterInput{Cluster: aws.String("prod"), Configuration: cfg})
	if err != nil || upd.Cluster.Configuration == nil || aws.ToString(upd.Cluster.Configuration.ExecuteCommandConfiguration.KmsKeyId) != "key-1" ||
		len(upd.Cluster.Settings) != 1 {
		t.Fatalf("update cluster: %+v %v", upd, err)
	}
	plain, err := c.DescribeClusters(ctx, &awsecs.DescribeClustersInput{Clusters: []string{"prod"}})
	if err != nil || len(plain.Clusters[0].Settings) != 0 || plain.Clusters[0].Configuration != nil {
		t.Fatalf("describe without include: %+v %v", plain, err)
	}
	full, err := c.DescribeClusters(ctx, &awsecs.DescribeClustersInput{Clusters: []string{"prod"},
		Include: []types.ClusterField{types.ClusterFieldSettings, types.ClusterFieldConfigurations}})
	if err != nil || len(full.Clusters[0].Settings) != 1 || full.Clusters[0].Configuration == nil {
		t.Fatalf("describe with include: %+v %v", full, err)
	}
	_, err = c.UpdateClusterSettings(ctx, &awsecs.UpdateClusterSettingsInput{Cluster: aws.String("prod"),
		Settings: []types.ClusterSetting{{Name: "speed", Value: aws.String("fast")}}})
	wantCode(t, err, "InvalidParameterException")
	_, err = c.UpdateClusterSettings(ctx, &awsecs.UpdateClusterSettingsInput{Cluster: aws.String("prod"),
		Settings: []types.ClusterSetting{{Name: types.ClusterSettingNameContainerInsights, Value: aws.String("on")}}})
	wantCode(t, err, "InvalidParameterException")
	_, err = c.UpdateCluster(ctx, &awsecs.UpdateClusterInput{Cluster: aws.String("nope")})
	wantCode(t, err, "ClusterNotFoundException")
	_, err = c.DescribeClusters(ctx, &awsecs.DescribeClustersInput{Include: []types.ClusterField{"EVERYTHING"}})
	wantCode(t, err, "InvalidParameterException")
}
