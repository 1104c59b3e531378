package model

import "crypto/tls"

// SSLPolicy is one of ELB's predefined security policies: the TLS versions
// and cipher suites (OpenSSL names, in ELB's priority order) a TLS or HTTPS
// listener negotiates, and the load balancer types that offer it.
type SSLPolicy struct {
	Name      string
	Protocols []string // "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"
	Ciphers   []string
	Types     []string // "application", "network"
}

// TLS 1.3 suites (ELB lists them for its TLS13 policies).
var tls13Ciphers = []string{"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"}

// Cipher lists of ELB's policies, named for the policy that introduced them.
var (
	// ciphers2016: ELBSecurityPolicy-2016-08 and the policies that keep its list.
	ciphers2016 = []string{
		"ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES128-SHA256", "ECDHE-RSA-AES128-SHA256",
		"ECDHE-ECDSA-AES128-SHA", "ECDHE-RSA-AES128-SHA", "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
		"ECDHE-ECDSA-AES256-SHA384", "ECDHE-RSA-AES256-SHA384", "ECDHE-RSA-AES256-SHA", "ECDHE-ECDSA-AES256-SHA",
		"AES128-GCM-SHA256", "AES128-SHA256", "AES128-SHA", "AES256-GCM-SHA384", "AES256-SHA256", "AES256-SHA",
	}
	// ciphersTLS12: ELBSecurityPolicy-TLS-1-2-2017-01 (no SHA-1 suites).
	ciphersTLS12 = []string{
		"ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES128-SHA256", "ECDHE-RSA-AES128-SHA256",
		"ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-ECDSA-AES256-SHA384", "ECDHE-RSA-AES256-SHA384",
		"AES128-GCM-SHA256", "AES128-SHA256", "AES256-GCM-SHA384", "AES256-SHA256",
	}
	// ciphersFS: ELBSecurityPolicy-FS-2018-06 (forward secrecy: ECDHE only).
	ciphersFS = []string{
		"ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES128-SHA256", "ECDHE-RSA-AES128-SHA256",
		"ECDHE-ECDSA-AES128-SHA", "ECDHE-RSA-AES128-SHA", "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
		"ECDHE-ECDSA-AES256-SHA384", "ECDHE-RSA-AES256-SHA384", "ECDHE-RSA-AES256-SHA", "ECDHE-ECDSA-AES256-SHA",
	}
	// ciphersFSRes: ELBSecurityPolicy-FS-1-2-Res-2019-08 (ECDHE, no SHA-1).
	ciphersFSRes = ciphersTLS12[:8]
	// ciphersGCM: ELBSecurityPolicy-FS-1-2-Res-2020-10 (ECDHE with AES-GCM only).
	ciphersGCM = []string{"ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384"}
)

var (
	tls10to12 = []string{"TLSv1", "TLSv1.1", "TLSv1.2"}
	tls11to12 = []string{"TLSv1.1", "TLSv1.2"}
	tls12     = []string{"TLSv1.2"}
	tls12to13 = []string{"TLSv1.2", "TLSv1.3"}
	bothTypes = []string{ALBTypeApplication, ALBTypeNetwork}
)

func with13(c []string) []string { return append(append([]string{}, tls13Ciphers...), c...) }

// sslPolicies are ELB's predefined policies for application and network
// load balancers (the FIPS and post-quantum variants are not offered: Go's
// TLS stack here is not a FIPS module).
var sslPolicies = []SSLPolicy{
	{"ELBSecurityPolicy-TLS13-1-2-Res-2021-06", tls12to13, with13(ciphersGCM), bothTypes},
	{"ELBSecurityPolicy-TLS13-1-2-2021-06", tls12to13, with13(ciphersFSRes), bothTypes},
	{"ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06", tls12to13, with13(ciphersTLS12), bothTypes},
	{"ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06", tls12to13, with13(ciphers2016), bothTypes},
	{"ELBSecurityPolicy-TLS13-1-1-2021-06", []string{"TLSv1.1", "TLSv1.2", "TLSv1.3"}, with13(ciphers2016), bothTypes},
	{"ELBSecurityPolicy-TLS13-1-0-2021-06", []string{"TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"}, with13(ciphers2016), bothTypes},
	{"ELBSecurityPolicy-TLS13-1-3-2021-06", []string{"TLSv1.3"}, tls13Ciphers, bothTypes},
	{"ELBSecurityPolicy-2016-08", tls10to12, ciphers2016, bothTypes},
	{"ELBSecurityPolicy-TLS-1-0-2015-04", tls10to12, append(append([]string{}, ciphers2016...), "DES-CBC3-SHA"), bothTypes},
	{"ELBSecurityPolicy-TLS-1-1-2017-01", tls11to12, ciphers2016, bothTypes},
	{"ELBSecurityPolicy-TLS-1-2-2017-01", tls12, ciphersTLS12, bothTypes},
	{"ELBSecurityPolicy-TLS-1-2-Ext-2018-06", tls12, ciphers2016, bothTypes},
	{"ELBSecurityPolicy-FS-2018-06", tls10to12, ciphersFS, bothTypes},
	{"ELBSecurityPolicy-FS-1-1-2019-08", tls11to12, ciphersFS, bothTypes},
	{"ELBSecurityPolicy-FS-1-2-2019-08", tls12, ciphersFS, bothTypes},
	{"ELBSecurityPolicy-FS-1-2-Res-2019-08", tls12, ciphersFSRes, bothTypes},
	{"ELBSecurityPolicy-FS-1-2-Res-2020-10", tls12, ciphersGCM, bothTypes},
	{"ELBSecurityPolicy-2015-05", tls10to12, ciphers2016, []string{ALBTypeApplication}},
}

// SSLPolicies returns ELB's predefined security policies, newest first.
func SSLPolicies() []SSLPolicy { return sslPolicies }

// LookupSSLPolicy returns the policy named name.
func LookupSSLPolicy(name string) (SSLPolicy, bool) {
	for _, p := range sslPolicies {
		if p.Name == name {
			return p, true
		}
	}
	return SSLPolicy{}, false
}

// tlsVersions maps ELB's protocol names to Go's versions.
var tlsVersions = map[string]uint16{"TLSv1": tls.VersionTLS10, "TLSv1.1": tls.VersionTLS11, "TLSv1.2": tls.VersionTLS12, "TLSv1.3": tls.VersionTLS13}

// goCipherSuites maps the OpenSSL names of TLS 1.0-1.2 suites to Go's.
// Go has no ECDHE AES-256 CBC-SHA384 and no RSA AES-256 CBC-SHA256 suites,
// so those of a policy are not offered (TLS 1.3 suites are always Go's
// three, which are ELB's).
var goCipherSuites = map[string]uint16{
	"ECDHE-ECDSA-AES128-GCM-SHA256": tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	"ECDHE-RSA-AES128-GCM-SHA256":   tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	"ECDHE-ECDSA-AES128-SHA256":     tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
	"ECDHE-RSA-AES128-SHA256":       tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,
	"ECDHE-ECDSA-AES128-SHA":        tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
	"ECDHE-RSA-AES128-SHA":          tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
	"ECDHE-ECDSA-AES256-GCM-SHA384": tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	"ECDHE-RSA-AES256-GCM-SHA384":   tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	"ECDHE-RSA-AES256-SHA":          tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
	"ECDHE-ECDSA-AES256-SHA":        tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
	"AES128-GCM-SHA256":             tls.TLS_RSA_WITH_AES_128_GCM_SHA256,
	"AES128-SHA256":                 tls.TLS_RSA_WITH_AES_128_CBC_SHA256,
	"AES128-SHA":                    tls.TLS_RSA_WITH_AES_128_CBC_SHA,
	"AES256-GCM-SHA384":             tls.TLS_RSA_WITH_AES_256_GCM_SHA384,
	"AES256-SHA":                    tls.TLS_RSA_WITH_AES_256_CBC_SHA,
	"DES-CBC3-SHA":                  tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA,
}

// TLSConfig returns the versions and TLS 1.0-1.2 cipher suites of the
// policy in Go's terms, for a data plane's tls.Config (MinVersion,
// MaxVersion, CipherSuites).
func (p SSLPolicy) TLSConfig() (minVersion, maxVersion uint16, suites []uint16) {
	for _, name := range p.Protocols {
		v := tlsVersions[name]
		if minVersion == 0 || v < minVersion {
			minVersion = v
		}
		maxVersion = max(maxVersion, v)
	}
	for _, c := range p.Ciphers {
		if id, ok := goCipherSuites[c]; ok {
			suites = append(suites, id)
		}
	}
	return minVersion, maxVersion, suites
}

// GoCipherSuite returns Go's id of a TLS 1.0-1.2 suite by the OpenSSL name
// ELB's policies list it by; false for a suite Go does not implement.
func GoCipherSuite(name string) (uint16, bool) {
	id, ok := goCipherSuites[name]
	return id, ok
}

// ALPNProtocols returns the ALPN preference list of one of ELB's ALPN
// policies (Network Load Balancers guide, "ALPN policies"): nil for None
// (ALPN is not negotiated) or no policy.
func ALPNProtocols(policy string) []string {
	switch policy {
	case "HTTP1Only":
		return []string{"http/1.1", "http/1.0"}
	case "HTTP2Only":
		return []string{"h2"}
	case "HTTP2Optional":
		return []string{"http/1.1", "http/1.0", "h2"}
	case "HTTP2Preferred":
		return []string{"h2", "http/1.1", "http/1.0"}
	}
	return nil
}
