package ecs

import "github.com/slipway-dev/slipway/internal/ops/ecsops"

// The account settings' JSON shapes, member for member as ECS sends them.

type settingOut struct {
	Name         string `json:"name"`
	Value        string `json:"value"`
	PrincipalARN string `json:"principalArn"`
	Type         string `json:"type"`
}

func settingWire(s ecsops.Setting) settingOut {
	return settingOut{Name: s.Name, Value: s.Value, PrincipalARN: s.PrincipalARN, Type: s.Type}
}

type settingResult struct {
	Setting settingOut `json:"setting"`
}

func settingResultOut(s *ecsops.Setting) any { return settingResult{Setting: settingWire(*s)} }

type listSettingsResp struct {
	Settings  []settingOut `json:"settings"`
	NextToken string       `json:"nextToken,omitempty"`
}

func listSettingsOut(o *ecsops.ListAccountSettingsOutput) any {
	resp := listSettingsResp{Settings: make([]settingOut, 0, len(o.Settings)), NextToken: o.NextToken}
	for _, s := range o.Settings {
		resp.Settings = append(resp.Settings, settingWire(s))
	}
	return resp
}
