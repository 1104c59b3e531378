package model

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
	// SSLPolicy and ALPNPolicy are applied by the data planes (lbsync maps
	// them with SSLPolicy.TLSConfig and ALPNProtocols).
	SSLPolicy      string      `json:"sslPolicy,omitempty"`
	ALPNPolicy     []string    `json:"alpnPolicy,omitempty"`
	DefaultActions []ELBAction `json:"defaultActions"`
	DefaultRuleARN string      `json:"defaultRuleArn"`
	// Attributes holds every attribute ELB lists for the listener's
	// protocol, defaults filled in (see listenerAttributeTable); nil in
	// records written before attributes existed, read as the defaults.
	Attributes map[string]string `json:"attributes,omitempty"`
}

// IsNetwork reports whether the listener has a network load balancer's
// protocol (TCP, TLS, UDP or TCP_UDP), served by the layer-4 data plane.
func (l Listener) IsNetwork() bool { return IsNetworkProtocol(l.Protocol) }

// IsNetworkProtocol reports whether p is a network load balancer's
// listener or target group protocol.
func IsNetworkProtocol(p string) bool {
	switch p {
	case ProtocolTCP, ProtocolTLS, ProtocolUDP, ProtocolTCPUDP:
		return true
	}
	return false
}

// ListenerCertificate names a certificate of an HTTPS listener; see
// CheckCertificateName for what its ARN may be here.
type ListenerCertificate struct {
	ARN       string `json:"arn"`
	IsDefault bool   `json:"isDefault"`
}

// ValidateListener checks port, protocol, certificates, SSL and ALPN
// policy as ELB does, and fills in the attributes of the listener's
// protocol. Whether the protocol suits the load balancer's type is checked
// with the load balancer (CheckListenerProtocol); actions are checked
// separately (NormalizeActions) because their target groups must be
// looked up.
func (l *Listener) ValidateListener() error {
	if l.Port < 1 || l.Port > 65535 {
		return elbInvalid("Port '%d' must be between 1 and 65535", l.Port)
	}
	if err := ValidateALPNPolicy(l.ALPNPolicy); err != nil {
		return err
	}
	// ELB: an ALPN policy belongs to TLS listeners of network load balancers.
	if len(l.ALPNPolicy) > 0 && l.Protocol != ProtocolTLS {
		return elbErr(ELBALPNPolicyNotFound, "ALPN policies can only be specified for TLS listeners")
	}
	defer l.keepAttributes()
	switch l.Protocol {
	case ProtocolHTTP, ProtocolTCP, ProtocolUDP, ProtocolTCPUDP:
		// ELB ignores neither: certificates and a policy make no sense without TLS.
		if len(l.Certificates) > 0 || l.SSLPolicy != "" {
			return elbErr(ELBInvalidConfiguration, "Certificates and SSL policies can only be specified for HTTPS and TLS listeners")
		}
	case ProtocolHTTPS, ProtocolTLS:
		return l.validateTLS()
	case "":
		return elbInvalid("A listener protocol must be specified")
	default:
		return elbErr(ELBUnsupportedProtocol, "Protocol '%s' is not supported: use HTTP or HTTPS (application load balancers), TCP, TLS, UDP or TCP_UDP (network load balancers)", l.Protocol)
	}
	return nil
}

// CheckListenerProtocol refuses a listener protocol the load balancer's
// type does not have: HTTP and HTTPS for application, TCP, TLS, UDP and
// TCP_UDP for network load balancers.
func CheckListenerProtocol(lbType, protocol string) error {
	if IsNetworkProtocol(protocol) != (lbType == ALBTypeNetwork) {
		return elbErr(ELBUnsupportedProtocol, "Protocol '%s' is not supported for load balancer type '%s'", protocol, lbType)
	}
	return nil
}

// validateTLS checks a TLS or HTTPS listener's certificates and policy.
// The first certificate is the default one; the others were added with
// AddListenerCertificates and are chosen by SNI.
func (l *Listener) validateTLS() error {
	if len(l.Certificates) == 0 {
		return elbInvalid("A certificate must be specified for %s listeners", l.Protocol)
	}
	l.Certificates[0].IsDefault = true
	for i := range l.Certificates[1:] {
		l.Certificates[i+1].IsDefault = false
	}
	if err := CheckCertificateName(l.Certificates[0].ARN); err != nil {
		return err
	}
	if l.SSLPolicy == "" {
		l.SSLPolicy = DefaultSSLPolicy
	}
	if _, ok := LookupSSLPolicy(l.SSLPolicy); !ok {
		return elbErr(ELBSSLPolicyNotFound, "SSL policy '%s' not found", l.SSLPolicy)
	}
	return nil
}

// SetDefaultCertificate makes given (one certificate, or none to clear
// them all) the listener's default certificate, keeping the certificates
// added with AddListenerCertificates; more than one is TooManyCertificates,
// as ELB answers (further certificates are added, not given here).
func (l *Listener) SetDefaultCertificate(given []ListenerCertificate) error {
	switch len(given) {
	case 0:
		l.Certificates = nil
		return nil
	case 1:
	default:
		return elbErr(ELBTooManyCertificates, "A listener can have only one default certificate")
	}
	out := []ListenerCertificate{{ARN: given[0].ARN, IsDefault: true}}
	for _, c := range l.SNICertificates() {
		if c.ARN != given[0].ARN {
			out = append(out, c)
		}
	}
	l.Certificates = out
	return nil
}

// DefaultCertificates returns the listener's default certificate (none or
// one): what DescribeListeners shows.
func (l Listener) DefaultCertificates() []ListenerCertificate {
	if len(l.Certificates) == 0 {
		return nil
	}
	return l.Certificates[:1]
}

// SNICertificates returns the certificates added with
// AddListenerCertificates (all but the default).
func (l Listener) SNICertificates() []ListenerCertificate {
	if len(l.Certificates) < 2 {
		return nil
	}
	return l.Certificates[1:]
}
