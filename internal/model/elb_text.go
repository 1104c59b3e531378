package model

import (
	"regexp"
	"strings"
)

// visibleASCII reports whether s holds only printable ASCII without spaces
// (0x21-0x7e): what a URL component, a header value Slipway writes or an
// echoed identifier may contain. Control characters above all (CR and LF
// would end a header line and start another) never pass.
func visibleASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// printable reports whether s has no control characters (C0, DEL, C1) and
// is valid UTF-8: for values that are matched or echoed, never written into
// a header.
func printable(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\uFFFD' {
			return false
		}
	}
	return true
}

// redirectHostPattern is a redirect's Host as ELB takes it: a host name,
// which may be or contain #{host} (the requested host).
var redirectHostPattern = regexp.MustCompile(`^([A-Za-z0-9.-]|#\{host\})+$`)

// placeholders are the keywords a redirect may use in its components.
var placeholders = []string{"#{protocol}", "#{host}", "#{port}", "#{path}", "#{query}"}

// validateRedirectText refuses what a redirect's Location header must not
// carry: control characters (header injection), spaces and non-ASCII bytes
// (not valid in a URL, which ELB does not percent-encode), and in the host
// anything but a host name or #{host}.
func validateRedirectText(r *RedirectConfig) error {
	for _, f := range []struct{ name, v string }{{"protocol", r.Protocol}, {"port", r.Port}, {"host", r.Host}, {"path", r.Path}, {"query", r.Query}} {
		if !visibleASCII(f.v) {
			return elbInvalid("Redirect %s %q can only contain printable ASCII characters without spaces", f.name, f.v)
		}
		rest := f.v
		for _, p := range placeholders {
			rest = strings.ReplaceAll(rest, p, "")
		}
		if strings.Contains(rest, "#{") {
			return elbInvalid("Redirect %s %q uses an unknown keyword: use #{protocol}, #{host}, #{port}, #{path} or #{query}", f.name, f.v)
		}
	}
	if !redirectHostPattern.MatchString(r.Host) {
		return elbInvalid("Redirect host %q must be a host name (letters, digits, '.' and '-') or contain #{host}", r.Host)
	}
	return nil
}
