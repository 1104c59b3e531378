package acmops

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/awserr"
	"github.com/slipway-dev/slipway/internal/store"
)

func newServices(t *testing.T, opts ...Options) []*Service {
	t.Helper()
	dir := t.TempDir()
	db, err := store.OpenBolt(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	keys, err := OpenKeys(filepath.Join(dir, "acm"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var out []*Service
	for _, o := range opts {
		out = append(out, New(db, keys, o))
	}
	return out
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if e, ok := awserr.As(err); !ok || e.Code != code {
		t.Fatalf("got %v, want %s", err, code)
	}
}

func TestQuotaRefusesTheNextCertificate(t *testing.T) {
	svc := newServices(t, Options{Region: "us-east-1", Account: "000000000000", MaxCertificates: 2})[0]
	ctx := t.Context()
	for _, name := range []string{"a.example.com", "b.example.com"} {
		if _, err := svc.RequestCertificate(ctx, &RequestCertificateInput{DomainName: name, KeyAlgorithm: KeyECP256}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := svc.RequestCertificate(ctx, &RequestCertificateInput{DomainName: "c.example.com", KeyAlgorithm: KeyECP256})
	wantCode(t, err, codeLimitExceeded)
	iss, err := svc.keys.ca.issue([]string{"d.example.com"}, KeyECP256, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	_, err = svc.ImportCertificate(ctx, &ImportCertificateInput{Certificate: iss.certPEM, PrivateKey: iss.keyPEM})
	wantCode(t, err, codeLimitExceeded)
}

// Each region's certificates are its own, in one store.
func TestRegionsKeptApart(t *testing.T) {
	svcs := newServices(t, Options{Region: "us-east-1", Account: "000000000000"}, Options{Region: "eu-west-1", Account: "000000000000"})
	east, west := svcs[0], svcs[1]
	ctx := t.Context()
	out, err := east.RequestCertificate(ctx, &RequestCertificateInput{DomainName: "east.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if list, err := west.ListCertificates(ctx, &ListCertificatesInput{}); err != nil || len(list.CertificateSummaryList) != 0 {
		t.Fatalf("west lists %+v, %v", list, err)
	}
	_, err = west.DescribeCertificate(ctx, &CertificateArnInput{CertificateArn: out.CertificateArn})
	wantCode(t, err, codeNotFound)
	if list, err := east.ListCertificates(ctx, &ListCertificatesInput{}); err != nil || len(list.CertificateSummaryList) != 1 {
		t.Fatalf("east lists %+v, %v", list, err)
	}
}
