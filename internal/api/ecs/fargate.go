package ecs

import (
	"encoding/json"

	"github.com/slipway-dev/slipway/internal/model"
)

// What ECS shows of the Fargate platform and of awsvpc networking where the
// records hold nothing: Fargate's current platform version and family, and
// an awsvpc configuration's assignPublicIp default.
const (
	platformLatest     = "LATEST"
	fargatePlatform    = "1.4.0" // what LATEST resolves to
	fargateFamily      = "Linux"
	assignPublicIPNone = "DISABLED"
)

// resolvedPlatform is the platform version a Fargate deployment or task
// runs: the one asked for, LATEST's when none or LATEST was.
func resolvedPlatform(asked string) string {
	if asked == "" || asked == platformLatest {
		return fargatePlatform
	}
	return asked
}

// networkConfigurationWire is a network configuration as ECS answers it:
// with assignPublicIp (DISABLED unless given). Anything else is passed on.
func networkConfigurationWire(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 {
		return raw
	}
	var nc map[string]map[string]json.RawMessage
	if json.Unmarshal(raw, &nc) != nil || nc["awsvpcConfiguration"] == nil {
		return raw
	}
	if _, ok := nc["awsvpcConfiguration"]["assignPublicIp"]; ok {
		return raw
	}
	nc["awsvpcConfiguration"]["assignPublicIp"] = json.RawMessage(`"` + assignPublicIPNone + `"`)
	b, err := json.Marshal(nc)
	if err != nil {
		return raw
	}
	return b
}

// fargateTaskWire adds what ECS shows on a Fargate task, and leaves out
// the container instance, which ECS never shows for one.
func fargateTaskWire(out *taskOut, t model.Task) {
	if t.LaunchType != model.LaunchTypeFargate {
		return
	}
	out.ContainerInstanceARN = nil
	out.PlatformVersion, out.PlatformFamily = resolvedPlatform(t.PlatformVersion), fargateFamily
	es := t.EphemeralStorage
	if es == nil {
		es = &model.EphemeralStorage{SizeInGiB: model.FargateEphemeralStorageGiB}
	}
	out.EphemeralStorage, out.FargateEphemeralStorage = es, es
}
