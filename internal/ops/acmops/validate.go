package acmops

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/slipway-dev/slipway/internal/awserr"
)

// ACM error codes.
const (
	codeValidation       = "ValidationException"
	codeInvalidParameter = "InvalidParameterException"
	codeInvalidArn       = "InvalidArnException"
	codeNotFound         = "ResourceNotFoundException"
	codeInUse            = "ResourceInUseException"
	codeTooManyTags      = "TooManyTagsException"
	codeInvalidTag       = "InvalidTagException"
	codeLimitExceeded    = "LimitExceededException"
	codeInvalidArgs      = "InvalidArgsException"
)

// Member constraints of the service model (botocore's acm 2015-12-08).
const (
	patArn            = `arn:[\w+=/,.@-]+:acm:[\w+=/,.@-]*:[0-9]+:[\w+=,.@-]+(/[\w+=,.@-]+)*`
	patPcaArn         = `arn:[\w+=/,.@-]+:acm-pca:[\w+=/,.@-]*:[0-9]+:[\w+=,.@-]+(/[\w+=,.@-]+)*`
	patDomain         = `(\*\.)?(((?!-)[A-Za-z0-9-]{0,62}[A-Za-z0-9])\.)+((?!-)[A-Za-z0-9-]{1,62}[A-Za-z0-9])`
	patTag            = `[\p{L}\p{Z}\p{N}_.:\/=+\-@]*`
	patIdempotency    = `\w+`
	patNextToken      = `[\u0009\u000A\u000D\u0020-\u00FF]*`
	minArnLen         = 20
	maxArnLen         = 2048
	maxCertBytes      = 32768
	maxKeyBytes       = 5120
	maxChainBytes     = 2097152
	maxTags           = 50
	maxTagKeyLen      = 128
	maxTagValueLen    = 256
	maxDomainLen      = 253
	maxSANs           = 100
	maxIdempotencyLen = 32
	maxNextTokenLen   = 10000
	maxMaxItems       = 1000
	minPassphrase     = 4
	maxPassphrase     = 128
)

var (
	reArn         = anchored(patArn)
	rePcaArn      = anchored(patPcaArn)
	reTag         = anchored(patTag)
	reIdempotency = anchored(patIdempotency)
	// reNextToken is patNextToken in RE2's escapes.
	reNextToken = anchored(`[\x{0009}\x{000A}\x{000D}\x{0020}-\x{00FF}]*`)
	// reDomainLabel stands in for patDomain, whose (?!-) lookahead RE2 has
	// not: labels of letters, digits and hyphens that neither start nor end
	// with a hyphen, at least two of them, an optional leading "*.".
	reDomainLabel = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`)
)

// anchored matches a whole value, as the service applies its patterns.
func anchored(p string) *regexp.Regexp { return regexp.MustCompile(`^(?:` + p + `)$`) }

// validation collects member-constraint violations and reports them all at
// once, in ACM's words: "1 validation error detected: Value 'x' at
// 'domainName' failed to satisfy constraint: Member must ...".
type validation struct{ errs []string }

func (v *validation) fail(value any, member, constraint string) {
	shown := "null"
	if value != nil {
		shown = fmt.Sprintf("'%v'", value)
	}
	v.errs = append(v.errs, fmt.Sprintf("Value %s at '%s' failed to satisfy constraint: %s", shown, member, constraint))
}

func (v *validation) err() error {
	switch n := len(v.errs); n {
	case 0:
		return nil
	case 1:
		return awserr.New(codeValidation, "1 validation error detected: %s", v.errs[0])
	default:
		return awserr.New(codeValidation, "%d validation errors detected: %s", n, strings.Join(v.errs, "; "))
	}
}

// str checks a string's length (in characters) and pattern.
func (v *validation) str(member, s string, minLen, maxLen int, re *regexp.Regexp, pattern string) {
	n := utf8.RuneCountInString(s)
	switch {
	case n < minLen:
		v.fail(s, member, fmt.Sprintf("Member must have length greater than or equal to %d", minLen))
	case maxLen > 0 && n > maxLen:
		v.fail(s, member, fmt.Sprintf("Member must have length less than or equal to %d", maxLen))
	case re != nil && !re.MatchString(s):
		v.fail(s, member, "Member must satisfy regular expression pattern: "+pattern)
	}
}

// blob checks a required blob's length; blobs are never quoted back.
func (v *validation) blob(member string, b []byte, required bool, maxLen int) {
	switch {
	case b == nil && required:
		v.fail(nil, member, "Member must not be null")
	case b != nil && len(b) < 1:
		v.fail("java.nio.HeapByteBuffer[pos=0 lim=0 cap=0]", member, "Member must have length greater than or equal to 1")
	case len(b) > maxLen:
		v.fail(fmt.Sprintf("java.nio.HeapByteBuffer[pos=0 lim=%d cap=%d]", len(b), len(b)), member,
			fmt.Sprintf("Member must have length less than or equal to %d", maxLen))
	}
}

// arn checks a required certificate ARN.
func (v *validation) arn(member, s string) {
	if s == "" {
		v.fail(nil, member, "Member must not be null")
		return
	}
	v.str(member, s, minArnLen, maxArnLen, reArn, patArn)
}

// domain checks a domain name against the DomainNameString constraints.
func (v *validation) domain(member, s string) {
	if utf8.RuneCountInString(s) < 1 || utf8.RuneCountInString(s) > maxDomainLen {
		v.str(member, s, 1, maxDomainLen, nil, "")
		return
	}
	labels := strings.Split(strings.TrimPrefix(s, "*."), ".")
	ok := len(labels) >= 2
	for _, l := range labels {
		ok = ok && reDomainLabel.MatchString(l)
	}
	if !ok {
		v.fail(s, member, "Member must satisfy regular expression pattern: "+patDomain)
	}
}

func (v *validation) enum(member, s string, allowed []string) {
	if s != "" && !slices.Contains(allowed, s) {
		v.fail(s, member, "Member must satisfy enum value set: ["+strings.Join(allowed, ", ")+"]")
	}
}

func (v *validation) listLen(member string, n, lo, hi int) {
	switch {
	case n < lo:
		v.fail(fmt.Sprintf("[%d items]", n), member, fmt.Sprintf("Member must have length greater than or equal to %d", lo))
	case n > hi:
		v.fail(fmt.Sprintf("[%d items]", n), member, fmt.Sprintf("Member must have length less than or equal to %d", hi))
	}
}

// tags checks a tag list that is required (or given).
func (v *validation) tags(member string, tags []Tag, required bool) {
	if tags == nil {
		if required {
			v.fail(nil, member, "Member must not be null")
		}
		return
	}
	v.listLen(member, len(tags), 1, maxTags)
	for i, t := range tags {
		m := fmt.Sprintf("%s.%d.member", member, i+1)
		if t.Key == "" {
			v.fail(nil, m+".key", "Member must not be null")
		} else {
			v.str(m+".key", t.Key, 1, maxTagKeyLen, reTag, patTag)
		}
		if t.Value != nil {
			v.str(m+".value", *t.Value, 0, maxTagValueLen, reTag, patTag)
		}
	}
}
