package oidcauth

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
)

// SessionKeySize is the size of the session-cookie key (AES-256).
const SessionKeySize = 32

// ErrKeys means the load balancer's keys could not be used.
var ErrKeys = errors.New("oidcauth: invalid keys")

// Keys are a load balancer installation's authentication keys: the
// session-cookie key (sessions and login states are sealed with it) and the
// ES256 key that signs x-amzn-oidc-data, named by KeyID.
type Keys struct {
	KeyID      string
	sessionKey []byte
	signing    *ecdsa.PrivateKey
}

// GenerateKeys makes a new key set: a random key id (a UUID, as ALB's), a
// random session key and a P-256 signing key (PKCS#8 DER).
func GenerateKeys() (keyID string, sessionKey, signingKeyDER []byte, err error) {
	sessionKey = make([]byte, SessionKeySize)
	if _, err := rand.Read(sessionKey); err != nil {
		return "", nil, nil, err
	}
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", nil, nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return "", nil, nil, err
	}
	return newUUID(), sessionKey, der, nil
}

// newUUID is a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// ParseKeys checks and loads a key set made by GenerateKeys.
func ParseKeys(keyID string, sessionKey, signingKeyDER []byte) (*Keys, error) {
	if keyID == "" || len(sessionKey) != SessionKeySize {
		return nil, fmt.Errorf("%w: need a key id and a %d-byte session key", ErrKeys, SessionKeySize)
	}
	k, err := x509.ParsePKCS8PrivateKey(signingKeyDER)
	if err != nil {
		return nil, fmt.Errorf("%w: signing key: %w", ErrKeys, err)
	}
	priv, ok := k.(*ecdsa.PrivateKey)
	if !ok || priv.Curve != elliptic.P256() {
		return nil, fmt.Errorf("%w: the signing key is not ECDSA P-256", ErrKeys)
	}
	return &Keys{KeyID: keyID, sessionKey: append([]byte(nil), sessionKey...), signing: priv}, nil
}

// PublicKeyPEM is the signing key's public half as PEM (PKIX), the form
// ALB's public key endpoint serves for a key id.
func (k *Keys) PublicKeyPEM() ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(&k.signing.PublicKey)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// String names the key set without its secrets.
func (k *Keys) String() string { return "oidcauth.Keys(" + k.KeyID + ")" }

// subkey derives a purpose-bound key from the session key, so that a
// sealed login state can never be opened as a session or the reverse.
func (k *Keys) subkey(purpose string) []byte {
	h := sha256.New()
	h.Write(k.sessionKey)
	h.Write([]byte("slipway oidcauth " + purpose))
	return h.Sum(nil)
}

// fingerprint is a short stable id of a string, for binding sessions to
// the IdP and client that made them.
func fingerprint(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}
