package resourcetype

import (
	"crypto/rand"
	"strings"
)

// suffixLength is the length of the random part of a generated name.
const suffixLength = 12

const (
	upperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	lowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789"
	mixedAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
)

// GeneratedName is the name CloudFormation gives a resource whose name
// property is absent: "{stack}-{logicalId}-{random}", the stack and logical
// id shortened alike when the whole would exceed the type's limit (a target
// group in stack "reflectoring-service" becomes
// "reflector-TargetGro-AbCdEfGhIjKl").
// random must be suffixLength characters; RandomSuffix makes one.
func GeneratedName(rule NameRule, stack, logicalID, random string) string {
	name := stack + "-" + logicalID + "-" + random
	if rule.MaxLength > 0 && len(name) > rule.MaxLength {
		budget := rule.MaxLength - len(random) - 2
		s, l := budget/2, budget-budget/2
		if len(logicalID) < l {
			s += l - len(logicalID)
			l = len(logicalID)
		}
		if len(stack) < s {
			l += s - len(stack)
			s = len(stack)
		}
		name = stack[:min(s, len(stack))] + "-" + logicalID[:min(l, len(logicalID))] + "-" + random
	}
	if rule.Lowercase {
		name = strings.ToLower(name)
	}
	return name
}

// RandomSuffix returns suffixLength random characters for GeneratedName.
// Lower-case types get lower-case suffixes; others mixed case, as
// CloudFormation generates them today.
func RandomSuffix(lowercase bool) string {
	if lowercase {
		return randomString(lowerAlnum, suffixLength)
	}
	return randomString(mixedAlnum, suffixLength)
}

// randomString draws n characters of alphabet from crypto/rand, without
// modulo bias.
func randomString(alphabet string, n int) string {
	out := make([]byte, 0, n)
	buf := make([]byte, n*2)
	limit := 256 - 256%len(alphabet)
	for len(out) < n {
		_, _ = rand.Read(buf)
		for _, b := range buf {
			if int(b) < limit && len(out) < n {
				out = append(out, alphabet[int(b)%len(alphabet)])
			}
		}
	}
	return string(out)
}
