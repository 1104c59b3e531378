package state

import (
	"encoding/base64"
	"errors"
)

// ErrBadToken reports a nextToken that this server did not issue.
var ErrBadToken = errors.New("invalid nextToken")

// EncodeToken turns the last key of a page into an opaque nextToken.
func EncodeToken(key string) string {
	if key == "" {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(key))
}

// DecodeToken returns the key a nextToken stands for ("" for no token).
func DecodeToken(token string) (string, error) {
	if token == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) == 0 {
		return "", ErrBadToken
	}
	return string(b), nil
}
