package ecsops

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
	"github.com/slipway-dev/slipway/internal/store"
)

// Account settings. Every caller acts as the account's root user (Slipway
// has no IAM), so a setting put without principalArn, and every
// PutAccountSettingDefault, is the root's: the account's default, which a
// user's or role's own setting overrides. Effects:
//   - the long ARN formats are always on (Slipway mints only long ARNs, as
//     ECS now does for every account): "disabled" is refused;
//   - containerInsights is the value a new cluster's containerInsights
//     setting takes when CreateCluster does not give one;
//   - awsvpcTrunking, tagResourceAuthorization (no IAM to authorize
//     against), fargateTaskRetirementWaitPeriod, fargateEventWindows and
//     defaultLogDriverMode (the agent ships logs alike in either mode)
//     have no meaning here: stored and echoed;
//   - guardDutyActivate is AWS-managed and read-only; fargateFIPSMode can
//     only be changed in the AWS GovCloud (US) Regions.

// bucketAccountSettings holds principal ARN | setting name → model.AccountSetting.
const bucketAccountSettings store.Bucket = "ecs_account_settings"

func settingKey(principal, name string) string { return principal + "|" + name }

func isStoreNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

// Setting is an account setting as ECS answers it.
type Setting struct {
	model.AccountSetting
	// Type is model.SettingTypeUser or model.SettingTypeAWSManaged.
	Type string
}

func settingOf(s model.AccountSetting) Setting {
	spec, _ := model.AccountSettingSpec(s.Name)
	return Setting{AccountSetting: s, Type: spec.SettingType()}
}

// effectiveSetting resolves a setting for principal: its own, else the
// root's (the account default), else ECS's default; it is answered as the
// principal's, as ECS answers effective settings.
func effectiveSetting(tx state.Tx, principal string, spec model.SettingSpec) (model.AccountSetting, error) {
	for _, p := range []string{principal, tx.Partition.RootARN()} {
		s, err := store.GetJSON[model.AccountSetting](tx, bucketAccountSettings, settingKey(p, spec.Name))
		if err == nil {
			s.PrincipalARN = principal
			return s, nil
		} else if !isStoreNotFound(err) {
			return model.AccountSetting{}, err
		}
	}
	return model.AccountSetting{Name: spec.Name, Value: spec.Default, PrincipalARN: principal}, nil
}

func settingNameErr() error {
	names := make([]string, 0, len(model.AccountSettingSpecs))
	for _, s := range model.AccountSettingSpecs {
		names = append(names, s.Name)
	}
	return invalidParam("name must be one of %s.", strings.Join(names, ", "))
}

// principalOf resolves principalArn (empty: the caller, the root user) and
// checks that it is an IAM principal of this account.
func principalOf(p model.Partition, arn string) (string, error) {
	if arn == "" {
		return p.RootARN(), nil
	}
	account, ok := model.PrincipalAccount(arn)
	if !ok {
		return "", invalidParam("principalArn must be the ARN of an IAM user, an IAM role or the root user.")
	}
	if account != p.Account {
		return "", invalidParam("principalArn must be a principal of account %s.", p.Account)
	}
	return arn, nil
}

// checkSettingChange applies ECS's rules for changing a setting.
func checkSettingChange(p model.Partition, name, value, principal string) (model.SettingSpec, error) {
	spec, ok := model.AccountSettingSpec(name)
	if !ok {
		return spec, settingNameErr()
	}
	switch {
	case spec.Type == model.SettingTypeAWSManaged:
		return spec, invalidParam("%s is managed by AWS and is read-only.", name)
	case name == model.SettingFargateFIPSMode && !strings.HasPrefix(p.Region, "us-gov-"):
		return spec, invalidParam("fargateFIPSMode can only be changed in the AWS GovCloud (US) Regions.")
	case spec.RootOnly && principal != p.RootARN():
		return spec, invalidParam("%s can only be set for the root user.", name)
	}
	if value == "" {
		return spec, nil
	}
	if !slices.Contains(spec.Values, value) {
		return spec, invalidParam("value for %s must be one of %s.", name, strings.Join(spec.Values, ", "))
	}
	if strings.HasSuffix(name, "LongArnFormat") && value == "disabled" {
		return spec, invalidParam("The long ARN format can no longer be disabled: every %s ARN is in the long format.",
			strings.TrimSuffix(name, "LongArnFormat"))
	}
	return spec, nil
}

// PutAccountSettingInput is PutAccountSetting's input.
type PutAccountSettingInput struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	// PrincipalARN is an IAM user, role or root ARN of this account; empty
	// means the caller (the root user).
	PrincipalARN string `json:"principalArn"`
}

// PutAccountSetting sets a setting for one principal.
func (s *Ops) PutAccountSetting(ctx context.Context, in *PutAccountSettingInput) (*Setting, error) {
	return s.putSetting(ctx, in.Name, in.Value, in.PrincipalARN)
}

// PutAccountSettingDefaultInput is PutAccountSettingDefault's input.
type PutAccountSettingDefaultInput struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// PutAccountSettingDefault sets the account's default (the root user's
// setting), which every principal without its own setting gets.
func (s *Ops) PutAccountSettingDefault(ctx context.Context, in *PutAccountSettingDefaultInput) (*Setting, error) {
	return s.putSetting(ctx, in.Name, in.Value, "")
}

// putSetting stores a setting of principalARN (empty: the root user).
func (s *Ops) putSetting(ctx context.Context, name, value, principalARN string) (*Setting, error) {
	if value == "" {
		return nil, invalidParam("value must be specified.")
	}
	var set model.AccountSetting
	err := s.st.Update(ctx, func(tx state.Tx) error {
		principal, err := principalOf(tx.Partition, principalARN)
		if err != nil {
			return err
		}
		if _, err := checkSettingChange(tx.Partition, name, value, principal); err != nil {
			return err
		}
		set = model.AccountSetting{Name: name, Value: value, PrincipalARN: principal}
		return store.PutJSON(tx, bucketAccountSettings, settingKey(principal, name), set)
	})
	if err != nil {
		return nil, apiErr(err)
	}
	s.log.Info("account setting put", "name", name, "value", value, "principal", set.PrincipalARN)
	out := settingOf(set)
	return &out, nil
}

// DeleteAccountSettingInput is DeleteAccountSetting's input.
type DeleteAccountSettingInput struct {
	Name         string `json:"name"`
	PrincipalARN string `json:"principalArn"`
}

// DeleteAccountSetting removes a principal's own setting, which then falls
// back to the account default (or, for the root user, ECS's default). It
// answers with the removed setting, or the effective one when the
// principal had none (the call is idempotent).
func (s *Ops) DeleteAccountSetting(ctx context.Context, in *DeleteAccountSettingInput) (*Setting, error) {
	var out Setting
	err := s.st.Update(ctx, func(tx state.Tx) error {
		principal, err := principalOf(tx.Partition, in.PrincipalARN)
		if err != nil {
			return err
		}
		spec, err := checkSettingChange(tx.Partition, in.Name, "", principal)
		if err != nil {
			return err
		}
		key := settingKey(principal, in.Name)
		set, err := store.GetJSON[model.AccountSetting](tx, bucketAccountSettings, key)
		if isStoreNotFound(err) {
			set, err = effectiveSetting(tx, principal, spec)
			out = settingOf(set)
			return err
		} else if err != nil {
			return err
		}
		out = settingOf(set)
		return tx.Delete(bucketAccountSettings, key)
	})
	if err != nil {
		return nil, apiErr(err)
	}
	return &out, nil
}
