package lb

import (
	"crypto/tls"
	"fmt"
	"slices"
)

// TLSPolicy is what a TLS listener negotiates with clients: its security
// policy's TLS versions and TLS 1.0-1.2 cipher suites, in Go's terms (the
// control plane maps ELB's predefined policies, model.SSLPolicy). TLS 1.3
// always offers Go's three suites, which are ELB's. The zero value is TLS
// 1.2 and 1.3 with Go's default suites.
type TLSPolicy struct {
	Name       string // ELB's policy name, for logs and errors
	MinVersion uint16 // tls.VersionTLS10 ... tls.VersionTLS13; 0: TLS 1.2
	MaxVersion uint16 // 0: TLS 1.3
	// CipherSuites are the TLS 1.0-1.2 suites offered; empty with a Name
	// means none (a TLS 1.3-only policy), empty without one Go's defaults.
	CipherSuites []CipherSuite
}

// CipherSuite is one TLS 1.0-1.2 suite of a policy: Go's id and the
// OpenSSL name ELB lists it by (the x-amzn-tls-cipher-suite header's value).
type CipherSuite struct {
	ID   uint16
	Name string
}

// knownVersions are the TLS versions a policy may name.
var knownVersions = []uint16{tls.VersionTLS10, tls.VersionTLS11, tls.VersionTLS12, tls.VersionTLS13}

// Validate reports a policy a data plane cannot apply: an unknown version,
// versions out of order, or a suite Go does not implement.
func (p TLSPolicy) Validate() error {
	for _, v := range []uint16{p.MinVersion, p.MaxVersion} {
		if v != 0 && !slices.Contains(knownVersions, v) {
			return fmt.Errorf("TLS policy %s: unknown TLS version %#x", p.Name, v)
		}
	}
	if p.MinVersion != 0 && p.MaxVersion != 0 && p.MinVersion > p.MaxVersion {
		return fmt.Errorf("TLS policy %s: minimum version above maximum", p.Name)
	}
	for _, s := range p.CipherSuites {
		if !goSuite(s.ID) || s.Name == "" || !headerSafe(s.Name) {
			return fmt.Errorf("TLS policy %s: cipher suite %#x %q", p.Name, s.ID, s.Name)
		}
	}
	return nil
}

// goSuite reports whether id is a TLS 1.0-1.2 suite crypto/tls implements.
func goSuite(id uint16) bool {
	for _, list := range [][]*tls.CipherSuite{tls.CipherSuites(), tls.InsecureCipherSuites()} {
		for _, s := range list {
			if s.ID == id && !slices.Equal(s.SupportedVersions, []uint16{tls.VersionTLS13}) {
				return true
			}
		}
	}
	return false
}

// ApplyTo sets c's versions and suites to the policy's.
func (p TLSPolicy) ApplyTo(c *tls.Config) {
	c.MinVersion, c.MaxVersion = p.MinVersion, p.MaxVersion
	if c.MinVersion == 0 {
		c.MinVersion = tls.VersionTLS12
	}
	c.CipherSuites = nil
	if len(p.CipherSuites) > 0 || p.Name != "" {
		c.CipherSuites = make([]uint16, 0, len(p.CipherSuites))
		for _, s := range p.CipherSuites {
			c.CipherSuites = append(c.CipherSuites, s.ID)
		}
	}
}

// Equal reports whether p and q negotiate the same.
func (p TLSPolicy) Equal(q TLSPolicy) bool {
	return p.Name == q.Name && p.MinVersion == q.MinVersion && p.MaxVersion == q.MaxVersion &&
		slices.Equal(p.CipherSuites, q.CipherSuites)
}

// Clone returns p with its own suite list, for a data plane that keeps it
// (a configuration's slices belong to its caller).
func (p TLSPolicy) Clone() TLSPolicy {
	p.CipherSuites = slices.Clone(p.CipherSuites)
	return p
}

// suiteName is the OpenSSL name of a negotiated suite: the policy's name for
// a TLS 1.0-1.2 suite; TLS 1.3's suites have the same name in both.
func (p TLSPolicy) suiteName(id uint16) string {
	for _, s := range p.CipherSuites {
		if s.ID == id {
			return s.Name
		}
	}
	return tls.CipherSuiteName(id)
}

// versionName is a TLS version's OpenSSL name (x-amzn-tls-version).
func versionName(v uint16) string {
	switch v {
	case tls.VersionTLS10:
		return "TLSv1"
	case tls.VersionTLS11:
		return "TLSv1.1"
	case tls.VersionTLS12:
		return "TLSv1.2"
	case tls.VersionTLS13:
		return "TLSv1.3"
	}
	return "unknown"
}
