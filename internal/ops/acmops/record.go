package acmops

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/internal/awserr"
	"github.com/slipway-dev/slipway/internal/store"
)

// bucket holds one record per certificate, keyed by ARN (ARNs carry the
// region and account, so regions' certificates are apart).
const bucket store.Bucket = "acm_certificates"

// ErrNotFound is the cause of every answer about a certificate that does not
// exist; callers outside ACM (the load balancer) classify with errors.Is.
var ErrNotFound = errors.New("acm: certificate not found")

// record is a stored certificate. What the certificate itself says (names,
// validity, algorithms) is read from CertPEM when it is described, so the
// record cannot disagree with it.
type record struct {
	ARN      string `json:"arn"`
	Type     string `json:"type"`
	CertPEM  string `json:"certificate"`
	ChainPEM string `json:"chain,omitempty"`
	// SealedKey is the private key (PEM), sealed with Keys.seal for ARN.
	SealedKey []byte    `json:"sealedKey"`
	CreatedAt time.Time `json:"createdAt"`
	// ImportedAt is the last (re-)import's time, IMPORTED only.
	ImportedAt time.Time `json:"importedAt,omitzero"`
	// IssuedAt is when the local CA issued it, AMAZON_ISSUED only.
	IssuedAt time.Time `json:"issuedAt,omitzero"`
	Tags     []Tag     `json:"tags,omitempty"`
	// Requested is what RequestCertificate was asked for.
	Requested *requested `json:"requested,omitempty"`
}

// requested is what RequestCertificate was given, for DescribeCertificate
// and for answering a repeated IdempotencyToken with the same ARN.
type requested struct {
	Names            []string           `json:"names"`
	ValidationMethod string             `json:"validationMethod"`
	ValidationDomain map[string]string  `json:"validationDomain,omitempty"`
	Options          CertificateOptions `json:"options"`
	IdempotencyToken string             `json:"idempotencyToken,omitempty"`
	KeyAlgorithm     string             `json:"keyAlgorithm"`
}

// parsed is a record with its certificate decoded.
type parsed struct {
	record
	cert *x509.Certificate
}

func (r record) parse() (parsed, error) {
	certs, err := parseCertificates([]byte(r.CertPEM))
	if err != nil {
		return parsed{}, fmt.Errorf("acm: stored certificate %s: %w", r.ARN, err)
	}
	return parsed{record: r, cert: certs[0]}, nil
}

// arnPrefix is the ARN of this account's and region's certificates, up to
// the id.
func (s *Service) arnPrefix() string {
	return fmt.Sprintf("arn:aws:acm:%s:%s:certificate/", s.region, s.acct)
}

// newARN is a new certificate ARN with a random (version 4) UUID.
func (s *Service) newARN() string {
	var u [16]byte
	_, _ = rand.Read(u[:])
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("%s%x-%x-%x-%x-%x", s.arnPrefix(), u[0:4], u[4:6], u[6:8], u[8:10], u[10:])
}

// notFound is ACM's answer for a certificate that does not exist.
func notFound(arn string) error {
	return awserr.Wrap(ErrNotFound, codeNotFound, "Could not find certificate %s.", arn)
}

// checkARN validates a certificate ARN member and says whether it names a
// certificate of this account and region (ResourceNotFoundException when
// it is another's, InvalidArnException when it is no certificate's).
func (s *Service) checkARN(member, arn string) error {
	v := &validation{}
	v.arn(member, arn)
	if err := v.err(); err != nil {
		return err
	}
	parts := strings.SplitN(arn, ":", 6)
	if parts[1] != "aws" || !strings.HasPrefix(parts[5], "certificate/") {
		return awserr.Wrap(ErrNotFound, codeInvalidArn, "The ARN %s is not a valid certificate ARN.", arn)
	}
	if !strings.HasPrefix(arn, s.arnPrefix()) {
		return notFound(arn)
	}
	return nil
}

// get reads the record of arn in tx.
func get(tx store.Tx, arn string) (record, error) {
	r, err := store.GetJSON[record](tx, bucket, arn)
	if errors.Is(err, store.ErrNotFound) {
		return record{}, notFound(arn)
	}
	return r, err
}

// lookup validates arn and reads its record.
func (s *Service) lookup(ctx context.Context, member, arn string) (record, error) {
	if err := s.checkARN(member, arn); err != nil {
		return record{}, err
	}
	var r record
	err := s.st.View(ctx, func(tx store.Tx) error {
		var err error
		r, err = get(tx, arn)
		return err
	})
	return r, err
}

// update validates arn and changes its record in one transaction.
func (s *Service) update(ctx context.Context, member, arn string, fn func(*record) error) error {
	if err := s.checkARN(member, arn); err != nil {
		return err
	}
	return s.st.Update(ctx, func(tx store.Tx) error {
		r, err := get(tx, arn)
		if err != nil {
			return err
		}
		if err := fn(&r); err != nil {
			return err
		}
		return store.PutJSON(tx, bucket, arn, r)
	})
}

// all returns this account's and region's records in ARN order.
func (s *Service) all(ctx context.Context) ([]record, error) {
	var out []record
	err := s.st.View(ctx, func(tx store.Tx) error {
		var err error
		out, err = store.ListJSON[record](tx, bucket, s.arnPrefix())
		return err
	})
	return out, err
}

// count is how many certificates tx holds for this account and region.
func (s *Service) count(tx store.Tx) (int, error) {
	n := 0
	err := tx.Scan(bucket, s.arnPrefix(), "", func(string, []byte) (bool, error) { n++; return true, nil })
	return n, err
}

// KeyPair returns the certificate (followed by its chain) and its private
// key, PEM-encoded, for a listener to serve; the error wraps ErrNotFound
// when arn names no certificate here.
func (s *Service) KeyPair(ctx context.Context, arn string) (certPEM, keyPEM []byte, err error) {
	r, err := s.lookup(ctx, "certificateArn", arn)
	if err != nil {
		return nil, nil, err
	}
	key, err := s.keys.open(r.ARN, r.SealedKey)
	if err != nil {
		return nil, nil, err
	}
	chain := r.CertPEM
	if r.ChainPEM != "" {
		chain = strings.TrimRight(chain, "\n") + "\n" + r.ChainPEM
	}
	return []byte(chain), key, nil
}

// Certificate is KeyPair as a tls.Certificate.
func (s *Service) Certificate(ctx context.Context, arn string) (tls.Certificate, error) {
	certPEM, keyPEM, err := s.KeyPair(ctx, arn)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.X509KeyPair(certPEM, keyPEM)
}
