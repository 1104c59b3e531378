package oidcauth

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Cookie limits, as ALB's: a session cookie is cut into shards NAME-0,
// NAME-1, ... of at most shardSize bytes each, at most maxShards of them.
const (
	shardSize = 4000
	maxShards = 4
	// NonceCookie binds a login's state to the browser that started it.
	NonceCookie = "AWSELBAuthNonce"
	// nonceLifetime bounds a login: the IdP must call back within it.
	nonceLifetime = 15 * time.Minute
)

// errSealed means a sealed value was missing, forged, tampered with or
// expired; its detail never reaches the client.
var errSealed = errors.New("oidcauth: invalid sealed value")

// seal encrypts and authenticates plain, bound to aad; the result is
// base64url (cookie- and URL-safe).
func seal(aead cipher.AEAD, aad string, plain []byte) string {
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
	rand.Read(nonce)
	return base64.RawURLEncoding.EncodeToString(aead.Seal(nonce, nonce, plain, []byte(aad)))
}

// open reverses seal.
func open(aead cipher.AEAD, aad string, sealed []byte) ([]byte, error) {
	raw := make([]byte, base64.RawURLEncoding.DecodedLen(len(sealed)))
	n, err := base64.RawURLEncoding.Decode(raw, sealed)
	if err != nil {
		return nil, errSealed
	}
	if n < aead.NonceSize()+aead.Overhead() {
		return nil, errSealed
	}
	plain, err := aead.Open(raw[aead.NonceSize():aead.NonceSize()], raw[:aead.NonceSize()], raw[aead.NonceSize():n], []byte(aad))
	if err != nil {
		return nil, errSealed
	}
	return plain, nil
}

// newAEAD is AES-256-GCM with key; safe for concurrent use.
func newAEAD(key []byte) cipher.AEAD {
	block, err := aes.NewCipher(key) // key is always 32 bytes (Keys.subkey)
	if err != nil {
		panic(err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return aead
}

// readShards joins the shards NAME-0.. of a session cookie; nil when
// there is none or there are more than maxShards.
func readShards(cookie func(string) []byte, name string) []byte {
	var out []byte
	for i := 0; ; i++ {
		v := cookie(name + "-" + strconv.Itoa(i))
		if v == nil {
			return out
		}
		if i == maxShards {
			return nil
		}
		out = append(out, v...)
	}
}

// shardCookies cuts value into Set-Cookie values NAME-i, and expires the
// shards a longer earlier session may have left, so that a read never
// joins old and new.
func shardCookies(name, value string, expires time.Time) ([]string, bool) {
	n := (len(value) + shardSize - 1) / shardSize
	if n > maxShards {
		return nil, false
	}
	out := make([]string, 0, maxShards)
	for i := 0; i < maxShards; i++ {
		shard := ""
		if i < n {
			shard = value[i*shardSize : min(len(value), (i+1)*shardSize)]
			out = append(out, setCookie(name+"-"+strconv.Itoa(i), shard, expires))
			continue
		}
		out = append(out, setCookie(name+"-"+strconv.Itoa(i), "", time.Unix(0, 0)))
	}
	return out, true
}

// setCookie is one Set-Cookie header value; the listener is HTTPS, so the
// cookie is Secure, and scripts have no business reading it.
func setCookie(name, value string, expires time.Time) string {
	var b strings.Builder
	b.WriteString(name)
	b.WriteByte('=')
	b.WriteString(value)
	b.WriteString("; Expires=")
	b.WriteString(expires.UTC().Format("Mon, 02 Jan 2006 15:04:05 GMT"))
	b.WriteString("; Path=/; Secure; HttpOnly")
	return b.String()
}

// headerSafe reports whether s can be written into a header as it is:
// visible ASCII and spaces, nothing else.
func headerSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}
