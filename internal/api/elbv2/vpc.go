package elbv2

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// defaultVpcID is the VPC ELB reports for a load balancer: ELB always
// sends the VpcId of its subnets' VPC, and Slipway has no VPCs, so each
// account and region has one stable id of AWS's form (vpc- and 17 hex
// digits), derived from the load balancer's ARN.
func defaultVpcID(lbARN string) string {
	parts := strings.SplitN(lbARN, ":", 6)
	if len(parts) < 5 {
		return ""
	}
	sum := sha256.Sum256([]byte(parts[3] + ":" + parts[4]))
	return "vpc-" + hex.EncodeToString(sum[:])[:17]
}
