package model

import (
	"fmt"
	"regexp"
	"slices"
)

// ECS account setting names (SettingName).
const (
	SettingServiceLongARNFormat           = "serviceLongArnFormat"
	SettingTaskLongARNFormat              = "taskLongArnFormat"
	SettingContainerInstanceLongARNFormat = "containerInstanceLongArnFormat"
	SettingAwsvpcTrunking                 = "awsvpcTrunking"
	SettingContainerInsights              = "containerInsights"
	SettingFargateFIPSMode                = "fargateFIPSMode"
	SettingTagResourceAuthorization       = "tagResourceAuthorization"
	SettingFargateTaskRetirementWait      = "fargateTaskRetirementWaitPeriod"
	SettingGuardDutyActivate              = "guardDutyActivate"
	SettingDefaultLogDriverMode           = "defaultLogDriverMode"
	SettingFargateEventWindows            = "fargateEventWindows"
)

// Setting types: who manages a setting.
const (
	SettingTypeUser       = "user"
	SettingTypeAWSManaged = "aws_managed"
)

// AccountSetting is one ECS account setting of one principal (a user, a
// role or the account's root user, whose settings are the account's
// defaults).
type AccountSetting struct {
	Name         string `json:"name"`
	Value        string `json:"value"`
	PrincipalARN string `json:"principalArn"`
}

// SettingSpec is what ECS accepts for one setting and what an account that
// never set it gets.
type SettingSpec struct {
	Name    string
	Values  []string
	Default string
	// Type is SettingTypeAWSManaged for read-only settings.
	Type string
	// RootOnly settings can only be set for the root user.
	RootOnly bool
}

// AccountSettingSpecs are ECS's settings in its SettingName order, with the
// defaults ECS applies today: long ARNs are mandatory, tag authorization
// is on and log drivers default to non-blocking.
var AccountSettingSpecs = []SettingSpec{
	{Name: SettingServiceLongARNFormat, Values: []string{"enabled", "disabled"}, Default: "enabled"},
	{Name: SettingTaskLongARNFormat, Values: []string{"enabled", "disabled"}, Default: "enabled"},
	{Name: SettingContainerInstanceLongARNFormat, Values: []string{"enabled", "disabled"}, Default: "enabled"},
	{Name: SettingAwsvpcTrunking, Values: []string{"enabled", "disabled"}, Default: "disabled"},
	{Name: SettingContainerInsights, Values: []string{"enabled", "disabled", "enhanced"}, Default: "disabled"},
	{Name: SettingFargateFIPSMode, Values: []string{"enabled", "disabled"}, Default: "disabled"},
	{Name: SettingTagResourceAuthorization, Values: []string{"on", "off"}, Default: "on"},
	{Name: SettingFargateTaskRetirementWait, Values: []string{"0", "7", "14"}, Default: "7", RootOnly: true},
	{Name: SettingGuardDutyActivate, Values: []string{"enabled", "disabled"}, Default: "disabled", Type: SettingTypeAWSManaged},
	{Name: SettingDefaultLogDriverMode, Values: []string{"blocking", "non-blocking"}, Default: "non-blocking"},
	{Name: SettingFargateEventWindows, Values: []string{"enabled", "disabled"}, Default: "disabled"},
}

// AccountSettingSpec returns the spec of a setting name.
func AccountSettingSpec(name string) (SettingSpec, bool) {
	i := slices.IndexFunc(AccountSettingSpecs, func(s SettingSpec) bool { return s.Name == name })
	if i < 0 {
		return SettingSpec{}, false
	}
	return AccountSettingSpecs[i], true
}

// SettingType is the type ECS reports for the setting.
func (s SettingSpec) SettingType() string {
	if s.Type != "" {
		return s.Type
	}
	return SettingTypeUser
}

// RootARN is the ARN of the account's root user: the principal of the
// account's default settings, and the one every Slipway caller acts as
// (there is no IAM here).
func (p Partition) RootARN() string { return fmt.Sprintf("arn:aws:iam::%s:root", p.Account) }

var principalPattern = regexp.MustCompile(`^arn:aws:iam::(\d{12}):(root|(user|role)/[\w+=,.@/-]{1,512})$`)

// PrincipalAccount returns the account of an IAM principal ARN (a user, a
// role or root) and whether it is one.
func PrincipalAccount(arn string) (string, bool) {
	m := principalPattern.FindStringSubmatch(arn)
	if m == nil {
		return "", false
	}
	return m[1], true
}
