package model

import (
	"strconv"
	"time"
)

// Load balancer attribute keys (DescribeLoadBalancerAttributes) that
// Slipway acts on or that other packages read; the others ELB lists are
// validated, stored and echoed (docs/elbv2.md says which is which).
const (
	LBAttrDeletionProtection = "deletion_protection.enabled"
	LBAttrCrossZone          = "load_balancing.cross_zone.enabled"
	LBAttrIdleTimeout        = "idle_timeout.timeout_seconds"
	LBAttrClientKeepAlive    = "client_keep_alive.seconds"
	LBAttrHTTP2              = "routing.http2.enabled"
	LBAttrDropInvalidHeaders = "routing.http.drop_invalid_header_fields.enabled"
	LBAttrXFFMode            = "routing.http.xff_header_processing.mode"
	LBAttrXFFClientPort      = "routing.http.xff_client_port.enabled"
	LBAttrPreserveHost       = "routing.http.preserve_host_header.enabled"
	LBAttrTLSHeaders         = "routing.http.x_amzn_tls_version_and_cipher_suite.enabled"
	LBAttrDesyncMitigation   = "routing.http.desync_mitigation_mode"
	LBAttrSecondaryIPs       = "secondary_ips.auto_assigned.per_subnet"
)

// s3LogAttrs are the S3 log settings ELB lists: there is no S3 here, so
// turning one on is refused (see checkS3Logs) and the rest are echoed.
var s3LogAttrs = []string{"access_logs.s3", "connection_logs.s3", "health_check_logs.s3"}

// lbCommonAttributes are the attributes of every load balancer type.
func lbCommonAttributes(scheme string) attrTable {
	t := attrTable{
		LBAttrDeletionProtection:     {def: "false", check: boolAttr},
		"access_logs.s3.enabled":     {def: "false", check: boolAttr},
		"access_logs.s3.bucket":      {def: ""},
		"access_logs.s3.prefix":      {def: ""},
		"zonal_shift.config.enabled": {def: "false", check: boolAttr},
		// ELB: false for internet-facing, true for internal load balancers.
		"ipv6.deny_all_igw_traffic": {def: strconv.FormatBool(scheme == ALBSchemeInternal), check: boolAttr},
	}
	return t
}

// lbAttributeTable returns the attributes ELB lists for a load balancer of
// type lbType and scheme.
func lbAttributeTable(lbType, scheme string) attrTable {
	t := lbCommonAttributes(scheme)
	if lbType == ALBTypeNetwork {
		t[LBAttrCrossZone] = attrSpec{def: "false", check: boolAttr}
		t["dns_record.client_routing_policy"] = attrSpec{def: "any_availability_zone",
			check: enumAttr("availability_zone_affinity", "partial_availability_zone_affinity", "any_availability_zone")}
		t[LBAttrSecondaryIPs] = attrSpec{def: "0", check: intRange(0, 7)}
		return t
	}
	// ELB: cross-zone load balancing is always on for application load
	// balancers ("can't be changed").
	t[LBAttrCrossZone] = attrSpec{def: "true", check: enumAttr("true")}
	// The HTTP data plane applies these (lbsync, lb.LoadBalancer), except
	// the desync mitigation mode, whose other modes it cannot (docs/elbv2.md).
	t[LBAttrIdleTimeout] = attrSpec{def: "60", check: intRange(1, 4000)}
	t[LBAttrClientKeepAlive] = attrSpec{def: "3600", check: intRange(60, 604800)}
	t["connection_logs.s3.enabled"] = attrSpec{def: "false", check: boolAttr}
	t["connection_logs.s3.bucket"] = attrSpec{def: ""}
	t["connection_logs.s3.prefix"] = attrSpec{def: ""}
	t["health_check_logs.s3.enabled"] = attrSpec{def: "false", check: boolAttr}
	t["health_check_logs.s3.bucket"] = attrSpec{def: ""}
	t["health_check_logs.s3.prefix"] = attrSpec{def: ""}
	t[LBAttrDesyncMitigation] = onlyDefault("defensive", enumAttr("monitor", "defensive", "strictest"))
	t[LBAttrDropInvalidHeaders] = attrSpec{def: "false", check: boolAttr}
	t[LBAttrPreserveHost] = attrSpec{def: "false", check: boolAttr}
	t[LBAttrTLSHeaders] = attrSpec{def: "false", check: boolAttr}
	t[LBAttrXFFClientPort] = attrSpec{def: "false", check: boolAttr}
	t[LBAttrXFFMode] = attrSpec{def: "append", check: enumAttr("append", "preserve", "remove")}
	t[LBAttrHTTP2] = attrSpec{def: "true", check: boolAttr}
	t["waf.fail_open.enabled"] = attrSpec{def: "false", check: boolAttr}
	return t
}

// LoadBalancerAttributeDefaults returns ELB's defaults for every attribute
// of a load balancer of type lbType and scheme.
func LoadBalancerAttributeDefaults(lbType, scheme string) map[string]string {
	return lbAttributeTable(lbType, scheme).defaults()
}

// AttributeList returns every attribute of a, defaults filled in, sorted by key.
func (a ALB) AttributeList() []TargetGroupAttribute {
	return sortedAttributes(lbAttributeTable(a.Type, a.Scheme), a.Attributes)
}

// SetAttributes validates attrs as ELB does for a's type and applies them;
// a is unchanged when it returns an error.
func (a *ALB) SetAttributes(attrs []TargetGroupAttribute) error {
	t := lbAttributeTable(a.Type, a.Scheme)
	next, err := t.apply(a.Attributes, attrs, func(key string) error {
		if _, ok := lbAttributeTable(otherLBType(a.Type), a.Scheme)[key]; ok {
			return elbErr(ELBInvalidConfiguration, "The attribute '%s' is not supported for %s load balancers", key, a.Type)
		}
		return elbInvalid("Load balancer attribute key '%s' is not recognized", key)
	})
	if err != nil {
		return err
	}
	if err := checkS3Logs(next); err != nil {
		return err
	}
	// ELB: "After you set this value, you can't decrease it."
	if a.IsNetwork() {
		before, _ := strconv.Atoi(a.Attribute(LBAttrSecondaryIPs))
		after, _ := strconv.Atoi(next[LBAttrSecondaryIPs])
		if after < before {
			return elbErr(ELBInvalidConfiguration, "The number of secondary IP addresses per subnet cannot be decreased from '%d' to '%d'", before, after)
		}
	}
	a.Attributes = next
	return nil
}

func otherLBType(t string) string {
	if t == ALBTypeNetwork {
		return ALBTypeApplication
	}
	return ALBTypeNetwork
}

// checkS3Logs refuses turning on access, connection or health check logs:
// ELB writes them to an S3 bucket, and there is none here to write to.
func checkS3Logs(attrs map[string]string) error {
	for _, prefix := range s3LogAttrs {
		if attrs[prefix+".enabled"] == "true" {
			return elbErr(ELBInvalidConfiguration,
				"The attribute '%s.enabled' cannot be 'true': Slipway has no S3 to write logs to (the data plane's statistics are at /slipway/lb/stats)", prefix)
		}
	}
	return nil
}

// Attribute returns the value of key, or ELB's default when it is unset.
func (a ALB) Attribute(key string) string {
	if v, ok := a.Attributes[key]; ok {
		return v
	}
	return lbAttributeTable(a.Type, a.Scheme)[key].def
}

// DeletionProtection is deletion_protection.enabled: DeleteLoadBalancer
// refuses while it is on.
func (a ALB) DeletionProtection() bool { return a.Attribute(LBAttrDeletionProtection) == "true" }

// CrossZone is load_balancing.cross_zone.enabled (always true for
// application load balancers).
func (a ALB) CrossZone() bool { return a.Attribute(LBAttrCrossZone) == "true" }

// IdleTimeout is idle_timeout.timeout_seconds of an application load
// balancer (0 for network load balancers, whose listeners have
// tcp.idle_timeout.seconds instead).
func (a ALB) IdleTimeout() time.Duration {
	n, _ := strconv.Atoi(a.Attribute(LBAttrIdleTimeout))
	return time.Duration(n) * time.Second
}

// ClientKeepAlive is client_keep_alive.seconds of an application load
// balancer: how long a client connection may be kept open in all.
func (a ALB) ClientKeepAlive() time.Duration {
	n, _ := strconv.Atoi(a.Attribute(LBAttrClientKeepAlive))
	return time.Duration(n) * time.Second
}

// HTTP2 is routing.http2.enabled: HTTPS listeners offer HTTP/2.
func (a ALB) HTTP2() bool { return a.Attribute(LBAttrHTTP2) == "true" }

// DropInvalidHeaderFields is routing.http.drop_invalid_header_fields.enabled.
func (a ALB) DropInvalidHeaderFields() bool { return a.Attribute(LBAttrDropInvalidHeaders) == "true" }

// PreserveHostHeader is routing.http.preserve_host_header.enabled.
func (a ALB) PreserveHostHeader() bool { return a.Attribute(LBAttrPreserveHost) == "true" }

// XFFMode is routing.http.xff_header_processing.mode (append, preserve, remove).
func (a ALB) XFFMode() string { return a.Attribute(LBAttrXFFMode) }

// XFFClientPort is routing.http.xff_client_port.enabled.
func (a ALB) XFFClientPort() bool { return a.Attribute(LBAttrXFFClientPort) == "true" }

// TLSHeaders is routing.http.x_amzn_tls_version_and_cipher_suite.enabled.
func (a ALB) TLSHeaders() bool { return a.Attribute(LBAttrTLSHeaders) == "true" }
