package lbsync

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/slipway-dev/slipway/internal/model"
)

// acmSource is a fake CertificateSource: certificates by ARN.
type acmSource struct {
	mu    sync.Mutex
	pairs map[string][2][]byte
}

func (a *acmSource) KeyPair(_ context.Context, arn string) ([]byte, []byte, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	p, ok := a.pairs[arn]
	if !ok {
		return nil, nil, errors.New("no such certificate")
	}
	return p[0], p[1], nil
}

// An ACM ARN is served with what the CertificateSource gives, and a change
// there (a re-import) reaches the planes at the next sync; an ARN the source
// does not know leaves the listener out, in ELB's words.
func TestACMCertificatesThroughTheSource(t *testing.T) {
	st := newState(t)
	f := newFixture(t, st)
	tg := f.targetGroup("web", 8080)
	const arn = "arn:aws:acm:us-east-1:000000000000:certificate/11111111-1111-4111-8111-111111111111"
	const missing = "arn:aws:acm:us-east-1:000000000000:certificate/22222222-2222-4222-8222-222222222222"
	read := func(path string) []byte {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	dir := t.TempDir()
	cert := writeCert(t, dir)
	src := &acmSource{pairs: map[string][2][]byte{arn: {read(cert), read(strings.TrimSuffix(cert, ".pem") + ".key")}}}
	f.httpsListener(8443, arn, forward(map[string]int{tg.ARN: 1}))
	f.httpsListener(9443, missing, forward(map[string]int{tg.ARN: 1}))
	plane := newFakePlane()
	s := New(st, []DataPlane{plane}, quietLogger())
	s.SetCertificates(src)
	mustSync(t, s)
	ls := plane.lastConfig().Listeners
	if len(ls) != 1 || ls[0].Port != 8443 || string(ls[0].Certificates[0].CertPEM) != string(read(cert)) {
		t.Fatalf("listeners = %+v", ls)
	}
	if code, reason := s.LoadBalancerState(f.lb.ARN); code != model.ALBStateImpaired || !strings.Contains(reason, "Certificate '"+missing+"' not found") {
		t.Fatalf("state = %s %q", code, reason)
	}
	cert2 := writeCert(t, t.TempDir())
	src.mu.Lock()
	src.pairs[arn] = [2][]byte{read(cert2), read(strings.TrimSuffix(cert2, ".pem") + ".key")}
	src.mu.Unlock()
	mustSync(t, s)
	if got := string(plane.lastConfig().Listeners[0].Certificates[0].CertPEM); got != string(read(cert2)) {
		t.Fatal("the re-imported certificate did not reach the plane")
	}
}
