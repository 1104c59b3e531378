package model

import "strings"

// Listener limits and defaults ELB applies to application load balancers.
const (
	MaxListenersPerALB = 50
	// DefaultSSLPolicy is the policy ELB gives HTTPS listeners created
	// without one.
	DefaultSSLPolicy = "ELBSecurityPolicy-2016-08"
)

// Listener is a port of a load balancer with its default actions. Its
// default rule (DescribeRules' "default") is the listener itself.
type Listener struct {
	ARN             string                `json:"arn"`
	LoadBalancerARN string                `json:"loadBalancerArn"`
	Port            int                   `json:"port"`
	Protocol        string                `json:"protocol"`
	Certificates    []ListenerCertificate `json:"certificates,omitempty"`
	// SSLPolicy and ALPNPolicy are echoed: TLS settings are Go's.
	SSLPolicy      string      `json:"sslPolicy,omitempty"`
	ALPNPolicy     []string    `json:"alpnPolicy,omitempty"`
	DefaultActions []ELBAction `json:"defaultActions"`
	DefaultRuleARN string      `json:"defaultRuleArn"`
}

// ListenerCertificate names a certificate of an HTTPS listener; see
// CheckCertificateName for what its ARN may be here.
type ListenerCertificate struct {
	ARN       string `json:"arn"`
	IsDefault bool   `json:"isDefault"`
}

// ValidateListener checks port, protocol, certificates and SSL policy as
// ELB does for application load balancers. Actions are checked separately
// (NormalizeActions) because their target groups must be looked up.
func (l *Listener) ValidateListener() error {
	if l.Port < 1 || l.Port > 65535 {
		return elbInvalid("Port '%d' must be between 1 and 65535", l.Port)
	}
	if err := ValidateALPNPolicy(l.ALPNPolicy); err != nil {
		return err
	}
	switch l.Protocol {
	case ProtocolHTTP:
		// ELB ignores neither: certificates and a policy make no sense on HTTP.
		if len(l.Certificates) > 0 || l.SSLPolicy != "" {
			return elbErr(ELBInvalidConfiguration, "Certificates and SSL policies can only be specified for HTTPS listeners")
		}
	case ProtocolHTTPS:
		return l.validateTLS()
	case "":
		return elbInvalid("A listener protocol must be specified")
	default:
		return elbErr(ELBUnsupportedProtocol, "Protocol '%s' is not supported for application load balancers: use HTTP or HTTPS", l.Protocol)
	}
	return nil
}

func (l *Listener) validateTLS() error {
	switch len(l.Certificates) {
	case 0:
		return elbInvalid("A certificate must be specified for HTTPS listeners")
	case 1:
	default:
		// Further certificates are added with AddListenerCertificates in ELB.
		return elbErr(ELBTooManyCertificates, "A listener can have only one default certificate")
	}
	l.Certificates[0].IsDefault = true
	if err := CheckCertificateName(l.Certificates[0].ARN); err != nil {
		return err
	}
	if l.SSLPolicy == "" {
		l.SSLPolicy = DefaultSSLPolicy
	}
	if !strings.HasPrefix(l.SSLPolicy, "ELBSecurityPolicy-") || len(l.SSLPolicy) > 128 || !visibleASCII(l.SSLPolicy) {
		return elbErr(ELBSSLPolicyNotFound, "SSL policy '%s' not found", l.SSLPolicy)
	}
	return nil
}
