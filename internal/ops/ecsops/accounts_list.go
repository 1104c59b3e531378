package ecsops

import (
	"context"

	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
	"github.com/slipway-dev/slipway/internal/store"
)

// ListAccountSettingsInput is ListAccountSettings' input.
type ListAccountSettingsInput struct {
	// Name, when given, lists only that setting.
	Name string `json:"name"`
	// Value, when given (with Name), lists only settings of that value.
	Value string `json:"value"`
	// PrincipalARN is whose settings to list; empty means the caller (the
	// root user).
	PrincipalARN string `json:"principalArn"`
	// EffectiveSettings lists what applies to the principal (its own
	// settings, else the account defaults, else ECS's) rather than only
	// the settings it has set.
	EffectiveSettings bool   `json:"effectiveSettings"`
	NextToken         string `json:"nextToken"`
	MaxResults        *int   `json:"maxResults"`
}

// ListAccountSettingsOutput is ListAccountSettings' output.
type ListAccountSettingsOutput struct {
	// Settings are in ECS's SettingName order; never nil.
	Settings  []Setting
	NextToken string
}

// ListAccountSettings lists a principal's settings, 10 a page at most.
func (s *Ops) ListAccountSettings(ctx context.Context, in *ListAccountSettingsInput) (*ListAccountSettingsOutput, error) {
	limit, after, err := pageParams(in.MaxResults, in.NextToken, 10, 10)
	if err != nil {
		return nil, apiErr(err)
	}
	if in.Value != "" && in.Name == "" {
		return nil, invalidParam("name must be specified with value.")
	}
	if _, ok := model.AccountSettingSpec(in.Name); in.Name != "" && !ok {
		return nil, settingNameErr()
	}
	out := &ListAccountSettingsOutput{}
	err = s.st.View(ctx, func(tx state.Tx) error {
		principal, err := principalOf(tx.Partition, in.PrincipalARN)
		if err != nil {
			return err
		}
		keys, settings := []string{}, []Setting{}
		for _, spec := range model.AccountSettingSpecs {
			if in.Name != "" && spec.Name != in.Name {
				continue
			}
			set, found, err := listedSetting(tx, principal, spec, in.EffectiveSettings)
			if err != nil {
				return err
			}
			if found && (in.Value == "" || set.Value == in.Value) {
				keys, settings = append(keys, spec.Name), append(settings, settingOf(set))
			}
		}
		page, next := paginate(keys, after, limit)
		out.Settings, out.NextToken = settings[page.start:page.end], next
		return nil
	})
	if err != nil {
		return nil, apiErr(err)
	}
	return out, nil
}

// listedSetting is the setting ListAccountSettings shows for principal:
// the effective one, or only the principal's own.
func listedSetting(tx state.Tx, principal string, spec model.SettingSpec, effective bool) (model.AccountSetting, bool, error) {
	if effective {
		set, err := effectiveSetting(tx, principal, spec)
		return set, err == nil, err
	}
	set, err := store.GetJSON[model.AccountSetting](tx, bucketAccountSettings, settingKey(principal, spec.Name))
	if isStoreNotFound(err) {
		return set, false, nil
	}
	return set, err == nil, err
}
