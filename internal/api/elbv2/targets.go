package elbv2

import "github.com/slipway-dev/slipway/internal/ops/elbops"

func decodeTargetList(f form) ([]elbops.TargetDescription, error) {
	var out []elbops.TargetDescription
	for _, t := range f.List("Targets") {
		port, err := intPtr(t, "Port")
		if err != nil {
			return nil, err
		}
		out = append(out, elbops.TargetDescription{ID: t.Str("Id"), Port: port, AvailabilityZone: t.Str("AvailabilityZone")})
	}
	return out, nil
}

func decodeTargets(f form) (*elbops.TargetsInput, error) {
	targets, err := decodeTargetList(f)
	return &elbops.TargetsInput{TargetGroupARN: f.Str("TargetGroupArn"), Targets: targets}, err
}

func decodeDescribeTargetHealth(f form) (*elbops.DescribeTargetHealthInput, error) {
	targets, err := decodeTargetList(f)
	return &elbops.DescribeTargetHealthInput{TargetGroupARN: f.Str("TargetGroupArn"), Targets: targets}, err
}

type targetHealthResult struct {
	TargetHealthDescriptions list[wireTargetHealthDescription]
}

func encodeTargetHealth(o *elbops.DescribeTargetHealthOutput) any {
	res := targetHealthResult{TargetHealthDescriptions: list[wireTargetHealthDescription]{Member: []wireTargetHealthDescription{}}}
	for _, d := range o.TargetHealthDescriptions {
		res.TargetHealthDescriptions.Member = append(res.TargetHealthDescriptions.Member, wireTargetHealthDescription{
			Target:          wireTargetDescription{Id: d.Target.ID, Port: d.Target.Port, AvailabilityZone: d.Target.AvailabilityZone},
			HealthCheckPort: d.HealthCheckPort,
			TargetHealth:    wireTargetHealth(d.TargetHealth),
		})
	}
	return res
}
