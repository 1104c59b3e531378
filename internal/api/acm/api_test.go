package acm

import (
	"context"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sdk "github.com/aws/aws-sdk-go-v2/service/acm"
	"github.com/aws/aws-sdk-go-v2/service/acm/types"
	"github.com/aws/smithy-go"

	"github.com/slipway-dev/slipway/internal/api/awsproto"
	"github.com/slipway-dev/slipway/internal/awserr"
	"github.com/slipway-dev/slipway/internal/ops/acmops"
	"github.com/slipway-dev/slipway/internal/store"
	"github.com/slipway-dev/slipway/internal/testutil"
)

const (
	region  = "us-east-1"
	account = "000000000000"
)

// users is a fake of the listeners' side: which load balancers use which
// certificates.
type users struct {
	mu sync.Mutex
	m  map[string][]string
}

func (u *users) CertificateUsers(context.Context) (map[string][]string, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	out := map[string][]string{}
	for k, v := range u.m {
		out[k] = slices.Clone(v)
	}
	return out, nil
}

func (u *users) set(cert string, lbs ...string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.m[cert] = lbs
}

type fixture struct {
	c     *sdk.Client
	svc   *acmops.Service
	users *users
	dir   string
	url   string
}

// newFixture serves ACM on 127.0.0.1:0, SigV4 checked, over a bbolt store and
// keys in a temporary directory, with an aws-sdk-go-v2 client for it.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	dir := t.TempDir()
	db, err := store.OpenBolt(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	keys, err := acmops.OpenKeys(filepath.Join(dir, "acm"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	u := &users{m: map[string][]string{}}
	svc := acmops.New(db, keys, acmops.Options{Region: region, Account: account, Users: u})
	creds, err := awsproto.LoadCredentials("", "AKIDTEST:secret")
	if err != nil {
		t.Fatal(err)
	}
	router := awsproto.NewRouter(awsproto.NewVerifier(creds, []string{region}, nil), nil, slog.New(slog.DiscardHandler))
	router.HandleJSON(awsproto.JSONAPI{TargetPrefix: TargetPrefix, SigningName: SigningName}, New(svc, nil))
	srv := httptest.NewServer(router)
	t.Cleanup(srv.Close)
	c := sdk.New(sdk.Options{Region: region, BaseEndpoint: aws.String(srv.URL), HTTPClient: testutil.SDKHTTPClient(),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""), RetryMaxAttempts: 1})
	return &fixture{c: c, svc: svc, users: u, dir: dir, url: srv.URL}
}

// wantCode fails unless err (from the SDK, or from the operations called in
// process) is the AWS error code, with a message containing msg.
func wantCode(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if e, ok := awserr.As(err); ok {
		if e.Code != code || !strings.Contains(e.Message, msg) {
			t.Fatalf("got %v, want %s containing %q", err, code, msg)
		}
		return
	}
	if !errors.As(err, &ae) || ae.ErrorCode() != code || !strings.Contains(ae.ErrorMessage(), msg) {
		t.Fatalf("got %v, want %s containing %q", err, code, msg)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(fmt.Sprintf("unexpected error: %v", err))
	}
	return v
}

func TestImportDescribeGetReimportDelete(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	p := newPKI(t)
	key := rsaKey(t)
	cert, keyPEM := p.leaf(key, time.Now().Add(24*time.Hour), "www.example.com", "example.com")
	chain := append(append([]byte{}, p.interPEM...), p.rootPEM...)
	imp := must(f.c.ImportCertificate(ctx, &sdk.ImportCertificateInput{Certificate: cert, PrivateKey: keyPEM,
		CertificateChain: chain, Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("web")}}}))
	arn := aws.ToString(imp.CertificateArn)
	if !strings.HasPrefix(arn, "arn:aws:acm:us-east-1:000000000000:certificate/") || len(arn) != len("arn:aws:acm:us-east-1:000000000000:certificate/")+36 {
		t.Fatalf("ARN %s", arn)
	}

	d := must(f.c.DescribeCertificate(ctx, &sdk.DescribeCertificateInput{CertificateArn: &arn})).Certificate
	if aws.ToString(d.DomainName) != "www.example.com" || !slices.Equal(d.SubjectAlternativeNames, []string{"www.example.com", "example.com"}) ||
		d.Status != types.CertificateStatusIssued || d.Type != types.CertificateTypeImported || d.KeyAlgorithm != "RSA-2048" ||
		aws.ToString(d.SignatureAlgorithm) != "SHA256WITHECDSA" || aws.ToString(d.Issuer) != "Test Org" ||
		aws.ToString(d.Subject) != "CN=www.example.com" || d.ImportedAt == nil || d.CreatedAt != nil || d.IssuedAt != nil ||
		d.NotBefore == nil || d.NotAfter == nil || d.InUseBy == nil || len(d.InUseBy) != 0 ||
		d.RenewalEligibility != types.RenewalEligibilityIneligible || !strings.Contains(aws.ToString(d.Serial), ":") {
		t.Fatalf("describe: %+v", d)
	}
	if len(d.KeyUsages) != 2 || d.KeyUsages[0].Name != types.KeyUsageNameDigitalSignature ||
		len(d.ExtendedKeyUsages) != 1 || d.ExtendedKeyUsages[0].Name != types.ExtendedKeyUsageNameTlsWebServerAuthentication ||
		aws.ToString(d.ExtendedKeyUsages[0].OID) != "1.3.6.1.5.5.7.3.1" {
		t.Fatalf("usages: %+v %+v", d.KeyUsages, d.ExtendedKeyUsages)
	}

	g := must(f.c.GetCertificate(ctx, &sdk.GetCertificateInput{CertificateArn: &arn}))
	if aws.ToString(g.Certificate) != string(cert) || aws.ToString(g.CertificateChain) != string(chain) {
		t.Fatalf("get: %q %q", aws.ToString(g.Certificate), aws.ToString(g.CertificateChain))
	}
	tls, err := f.svc.Certificate(ctx, arn)
	if err != nil || len(tls.Certificate) != 3 {
		t.Fatalf("resolver: %d certificates, %v", len(tls.Certificate), err)
	}

	// Re-import: same ARN, tags kept, new certificate served.
	cert2, key2 := p.leaf(key, time.Now().Add(72*time.Hour), "www.example.com")
	_, err = f.c.ImportCertificate(ctx, &sdk.ImportCertificateInput{CertificateArn: &arn, Certificate: cert2, PrivateKey: key2,
		Tags: []types.Tag{{Key: aws.String("x")}}})
	wantCode(t, err, "InvalidParameterException", "reimporting")
	re := must(f.c.ImportCertificate(ctx, &sdk.ImportCertificateInput{CertificateArn: &arn, Certificate: cert2, PrivateKey: key2}))
	if aws.ToString(re.CertificateArn) != arn {
		t.Fatalf("reimport ARN %s", aws.ToString(re.CertificateArn))
	}
	g = must(f.c.GetCertificate(ctx, &sdk.GetCertificateInput{CertificateArn: &arn}))
	if aws.ToString(g.Certificate) != string(cert2) || g.CertificateChain != nil {
		t.Fatalf("after reimport: %+v", g)
	}
	tags := must(f.c.ListTagsForCertificate(ctx, &sdk.ListTagsForCertificateInput{CertificateArn: &arn})).Tags
	if len(tags) != 1 || aws.ToString(tags[0].Key) != "team" {
		t.Fatalf("tags after reimport: %+v", tags)
	}
	missing := "arn:aws:acm:us-east-1:000000000000:certificate/00000000-0000-4000-8000-000000000000"
	_, err = f.c.ImportCertificate(ctx, &sdk.ImportCertificateInput{CertificateArn: &missing, Certificate: cert2, PrivateKey: key2})
	wantCode(t, err, "ResourceNotFoundException", "Could not find certificate "+missing)

	// In use by a listener: not deleted, and InUseBy names the load balancer.
	lbARN := "arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/web/0123456789abcdef"
	f.users.set(arn, lbARN)
	d = must(f.c.DescribeCertificate(ctx, &sdk.DescribeCertificateInput{CertificateArn: &arn})).Certificate
	if !slices.Equal(d.InUseBy, []string{lbARN}) {
		t.Fatalf("InUseBy %v", d.InUseBy)
	}
	_, err = f.c.DeleteCertificate(ctx, &sdk.DeleteCertificateInput{CertificateArn: &arn})
	wantCode(t, err, "ResourceInUseException", lbARN)
	f.users.set(arn)
	must(f.c.DeleteCertificate(ctx, &sdk.DeleteCertificateInput{CertificateArn: &arn}))
	_, err = f.c.DescribeCertificate(ctx, &sdk.DescribeCertificateInput{CertificateArn: &arn})
	wantCode(t, err, "ResourceNotFoundException", "Could not find certificate")
	_, err = f.c.DeleteCertificate(ctx, &sdk.DeleteCertificateInput{CertificateArn: &arn})
	wantCode(t, err, "ResourceNotFoundException", "Could not find certificate")
	if _, err := f.svc.Certificate(ctx, arn); !errors.Is(err, acmops.ErrNotFound) {
		t.Fatalf("resolver after delete: %v", err)
	}
}

func TestImportRefusals(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	p := newPKI(t)
	key := ecKey(t)
	cert, keyPEM := p.leaf(key, time.Now().Add(24*time.Hour), "a.example.com")
	_, otherKey := p.leaf(ecKey(t), time.Now().Add(24*time.Hour), "b.example.com")
	expired, _ := p.leaf(key, time.Now().Add(-time.Minute), "a.example.com")
	cases := []struct {
		name      string
		in        sdk.ImportCertificateInput
		code, msg string
	}{
		{"key too big", sdk.ImportCertificateInput{Certificate: cert, PrivateKey: make([]byte, 5121)}, "ValidationException",
			"at 'privateKey' failed to satisfy constraint: Member must have length less than or equal to 5120"},
		{"certificate too big", sdk.ImportCertificateInput{Certificate: make([]byte, 32769), PrivateKey: keyPEM}, "ValidationException",
			"Member must have length less than or equal to 32768"},
		{"two certificates", sdk.ImportCertificateInput{Certificate: append(append([]byte{}, cert...), p.interPEM...), PrivateKey: keyPEM},
			"ValidationException", "The certificate field contains more than one certificate."},
		{"not PEM", sdk.ImportCertificateInput{Certificate: []byte("hello"), PrivateKey: keyPEM}, "ValidationException", "not PEM-encoded"},
		{"wrong key", sdk.ImportCertificateInput{Certificate: cert, PrivateKey: otherKey}, "ValidationException",
			"The private key does not match the public key in the certificate."},
		{"expired", sdk.ImportCertificateInput{Certificate: expired, PrivateKey: keyPEM}, "ValidationException", "expired"},
		{"chain in the wrong order", sdk.ImportCertificateInput{Certificate: cert, PrivateKey: keyPEM,
			CertificateChain: append(append([]byte{}, p.rootPEM...), p.interPEM...)}, "ValidationException",
			"Could not validate the certificate with the certificate chain"},
		{"reserved tag", sdk.ImportCertificateInput{Certificate: cert, PrivateKey: keyPEM,
			Tags: []types.Tag{{Key: aws.String("aws:x")}}}, "InvalidTagException", "aws:"},
		{"bad ARN", sdk.ImportCertificateInput{CertificateArn: aws.String("not-an-arn-at-all-really"), Certificate: cert, PrivateKey: keyPEM},
			"ValidationException", "at 'certificateArn' failed to satisfy constraint: Member must satisfy regular expression pattern"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.c.ImportCertificate(ctx, &c.in)
			wantCode(t, err, c.code, c.msg)
		})
	}
	// What the SDKs check before sending, the operations check too.
	_, err := f.svc.ImportCertificate(ctx, &acmops.ImportCertificateInput{Certificate: cert})
	wantCode(t, err, "ValidationException", "1 validation error detected: Value null at 'privateKey' failed to satisfy constraint: Member must not be null")
	list := must(f.c.ListCertificates(ctx, &sdk.ListCertificatesInput{Includes: &types.Filters{KeyTypes: []types.KeyAlgorithm{"EC_prime256v1"}}}))
	if len(list.CertificateSummaryList) != 0 {
		t.Fatalf("a refused import was stored: %+v", list.CertificateSummaryList)
	}
}

func TestListCertificatesFiltersAndPages(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	p := newPKI(t)
	var rsaARNs []string
	for i := range 3 {
		cert, key := p.leaf(rsaKey(t), time.Now().Add(24*time.Hour), fmt.Sprintf("rsa%d.example.com", i))
		rsaARNs = append(rsaARNs, aws.ToString(must(f.c.ImportCertificate(ctx, &sdk.ImportCertificateInput{Certificate: cert, PrivateKey: key})).CertificateArn))
	}
	cert, key := p.leaf(ecKey(t), time.Now().Add(24*time.Hour), "ec.example.com")
	ecARN := aws.ToString(must(f.c.ImportCertificate(ctx, &sdk.ImportCertificateInput{Certificate: cert, PrivateKey: key})).CertificateArn)

	// Without keyTypes ACM lists RSA_1024 and RSA_2048 certificates only.
	all := must(f.c.ListCertificates(ctx, &sdk.ListCertificatesInput{})).CertificateSummaryList
	if len(all) != 3 {
		t.Fatalf("default list: %d certificates", len(all))
	}
	s := all[0]
	if s.KeyAlgorithm != types.KeyAlgorithmRsa2048 || s.Type != types.CertificateTypeImported || s.Status != types.CertificateStatusIssued ||
		aws.ToBool(s.InUse) || s.ImportedAt == nil || s.NotAfter == nil || len(s.SubjectAlternativeNameSummaries) != 1 {
		t.Fatalf("summary: %+v", s)
	}
	ec := must(f.c.ListCertificates(ctx, &sdk.ListCertificatesInput{Includes: &types.Filters{KeyTypes: []types.KeyAlgorithm{types.KeyAlgorithmEcPrime256v1}}})).CertificateSummaryList
	if len(ec) != 1 || aws.ToString(ec[0].CertificateArn) != ecARN || ec[0].KeyAlgorithm != types.KeyAlgorithmEcPrime256v1 {
		t.Fatalf("EC filter: %+v", ec)
	}
	none := must(f.c.ListCertificates(ctx, &sdk.ListCertificatesInput{CertificateStatuses: []types.CertificateStatus{types.CertificateStatusExpired}})).CertificateSummaryList
	if len(none) != 0 {
		t.Fatalf("EXPIRED filter: %+v", none)
	}
	code := must(f.c.ListCertificates(ctx, &sdk.ListCertificatesInput{Includes: &types.Filters{
		ExtendedKeyUsage: []types.ExtendedKeyUsageName{types.ExtendedKeyUsageNameCodeSigning}}})).CertificateSummaryList
	if len(code) != 0 {
		t.Fatalf("CODE_SIGNING filter: %+v", code)
	}

	// Pages of one, by creation time, newest first.
	var got []string
	pager := sdk.NewListCertificatesPaginator(f.c, &sdk.ListCertificatesInput{MaxItems: aws.Int32(1), SortBy: types.SortByCreatedAt,
		SortOrder: types.SortOrderDescending})
	for pager.HasMorePages() {
		out := must(pager.NextPage(ctx))
		if len(out.CertificateSummaryList) > 1 {
			t.Fatalf("page of %d", len(out.CertificateSummaryList))
		}
		for _, c := range out.CertificateSummaryList {
			got = append(got, aws.ToString(c.CertificateArn))
		}
	}
	want := slices.Clone(rsaARNs)
	slices.Reverse(want)
	if !slices.Equal(got, want) {
		t.Fatalf("pages %v, want %v", got, want)
	}
	_, err := f.c.ListCertificates(ctx, &sdk.ListCertificatesInput{MaxItems: aws.Int32(1001)})
	wantCode(t, err, "ValidationException", "at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 1000")
	_, err = f.c.ListCertificates(ctx, &sdk.ListCertificatesInput{NextToken: aws.String("!!")})
	wantCode(t, err, "InvalidArgsException", "nextToken")
}

func TestTags(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	arn := aws.ToString(must(f.c.RequestCertificate(ctx, &sdk.RequestCertificateInput{DomainName: aws.String("tags.example.com"),
		KeyAlgorithm: types.KeyAlgorithmEcPrime256v1})).CertificateArn)
	must(f.c.AddTagsToCertificate(ctx, &sdk.AddTagsToCertificateInput{CertificateArn: &arn, Tags: []types.Tag{
		{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("b"), Value: aws.String("2")}, {Key: aws.String("c")}}}))
	must(f.c.AddTagsToCertificate(ctx, &sdk.AddTagsToCertificateInput{CertificateArn: &arn, Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("9")}}}))
	// A value given must match for the tag to go.
	must(f.c.RemoveTagsFromCertificate(ctx, &sdk.RemoveTagsFromCertificateInput{CertificateArn: &arn, Tags: []types.Tag{
		{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("b")}}}))
	tags := must(f.c.ListTagsForCertificate(ctx, &sdk.ListTagsForCertificateInput{CertificateArn: &arn})).Tags
	if len(tags) != 2 || aws.ToString(tags[0].Key) != "a" || aws.ToString(tags[0].Value) != "9" || aws.ToString(tags[1].Key) != "c" || tags[1].Value != nil {
		t.Fatalf("tags %+v", tags)
	}
	many := make([]types.Tag, 49)
	for i := range many {
		many[i] = types.Tag{Key: aws.String(fmt.Sprintf("k%d", i))}
	}
	_, err := f.c.AddTagsToCertificate(ctx, &sdk.AddTagsToCertificateInput{CertificateArn: &arn, Tags: many})
	wantCode(t, err, "TooManyTagsException", "50")
	_, err = f.c.AddTagsToCertificate(ctx, &sdk.AddTagsToCertificateInput{CertificateArn: &arn, Tags: []types.Tag{{Key: aws.String("aws:x")}}})
	wantCode(t, err, "InvalidTagException", "aws:")
	err = f.svc.AddTagsToCertificate(ctx, &acmops.TagsInput{CertificateArn: arn})
	wantCode(t, err, "ValidationException", "Value null at 'tags' failed to satisfy constraint: Member must not be null")
	other := "arn:aws:acm:eu-west-1:000000000000:certificate/00000000-0000-4000-8000-000000000000"
	_, err = f.c.ListTagsForCertificate(ctx, &sdk.ListTagsForCertificateInput{CertificateArn: &other})
	wantCode(t, err, "ResourceNotFoundException", "Could not find certificate")
	_, err = f.c.ListTagsForCertificate(ctx, &sdk.ListTagsForCertificateInput{CertificateArn: aws.String("arn:aws:acm:us-east-1:000000000000:other/x")})
	wantCode(t, err, "InvalidArnException", "is not a valid certificate ARN")
}

func TestRequestCertificateFromLocalCA(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	in := &sdk.RequestCertificateInput{DomainName: aws.String("app.example.com"), ValidationMethod: types.ValidationMethodDns,
		SubjectAlternativeNames: []string{"app.example.com", "*.app.example.com"}, IdempotencyToken: aws.String("tok1"),
		Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("dev")}}}
	arn := aws.ToString(must(f.c.RequestCertificate(ctx, in)).CertificateArn)
	again := aws.ToString(must(f.c.RequestCertificate(ctx, in)).CertificateArn)
	if again != arn {
		t.Fatalf("same IdempotencyToken, new certificate: %s, %s", arn, again)
	}
	d := must(f.c.DescribeCertificate(ctx, &sdk.DescribeCertificateInput{CertificateArn: &arn})).Certificate
	if d.Status != types.CertificateStatusIssued || d.Type != types.CertificateTypeAmazonIssued || d.KeyAlgorithm != "RSA-2048" ||
		aws.ToString(d.Issuer) != "Slipway" || d.CreatedAt == nil || d.IssuedAt == nil || d.ImportedAt != nil ||
		!slices.Equal(d.SubjectAlternativeNames, []string{"app.example.com", "*.app.example.com"}) || len(d.DomainValidationOptions) != 2 ||
		d.Options == nil || d.Options.CertificateTransparencyLoggingPreference != types.CertificateTransparencyLoggingPreferenceEnabled {
		t.Fatalf("describe: %+v", d)
	}
	dv := d.DomainValidationOptions[1]
	if aws.ToString(dv.DomainName) != "*.app.example.com" || dv.ValidationStatus != types.DomainStatusSuccess ||
		dv.ValidationMethod != types.ValidationMethodDns || dv.ResourceRecord == nil || dv.ResourceRecord.Type != types.RecordTypeCname ||
		!strings.HasSuffix(aws.ToString(dv.ResourceRecord.Name), ".app.example.com.") {
		t.Fatalf("validation: %+v", dv)
	}
	if d.NotAfter.Sub(*d.NotBefore) != 395*24*time.Hour {
		t.Fatalf("validity %s", d.NotAfter.Sub(*d.NotBefore))
	}

	// The certificate verifies against the CA's root for each of its names.
	g := must(f.c.GetCertificate(ctx, &sdk.GetCertificateInput{CertificateArn: &arn}))
	if aws.ToString(g.CertificateChain) != string(f.svc.RootPEM()) {
		t.Fatalf("chain is not the root")
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(f.svc.RootPEM())
	b, _ := pem.Decode([]byte(aws.ToString(g.Certificate)))
	leaf := must(x509.ParseCertificate(b.Bytes))
	for _, name := range []string{"app.example.com", "x.app.example.com"} {
		if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, DNSName: name}); err != nil {
			t.Fatalf("verify %s: %v", name, err)
		}
	}

	// Export: refused unless requested with Export ENABLED.
	_, err := f.c.ExportCertificate(ctx, &sdk.ExportCertificateInput{CertificateArn: &arn, Passphrase: []byte("secret")})
	wantCode(t, err, "ValidationException", "cannot be exported")
	_, err = f.c.ExportCertificate(ctx, &sdk.ExportCertificateInput{CertificateArn: &arn, Passphrase: []byte("abc")})
	wantCode(t, err, "ValidationException", "Value '*** Sensitive Data Redacted ***' at 'passphrase'")

	// Refusals.
	_, err = f.c.RequestCertificate(ctx, &sdk.RequestCertificateInput{DomainName: aws.String("-bad.example.com")})
	wantCode(t, err, "ValidationException", "at 'domainName' failed to satisfy constraint: Member must satisfy regular expression pattern")
	_, err = f.c.RequestCertificate(ctx, &sdk.RequestCertificateInput{DomainName: aws.String("a.example.com"),
		CertificateAuthorityArn: aws.String("arn:aws:acm-pca:us-east-1:000000000000:certificate-authority/x")})
	wantCode(t, err, "InvalidParameterException", "Private certificate authorities")
	_, err = f.c.RequestCertificate(ctx, &sdk.RequestCertificateInput{DomainName: aws.String("a.example.com"), KeyAlgorithm: types.KeyAlgorithmRsa4096})
	wantCode(t, err, "ValidationException", "Key algorithm RSA_4096 is not supported")
	_, err = f.c.RequestCertificate(ctx, &sdk.RequestCertificateInput{DomainName: aws.String("a.example.com"),
		DomainValidationOptions: []types.DomainValidationOption{{DomainName: aws.String("a.example.com"), ValidationDomain: aws.String("other.com")}}})
	wantCode(t, err, "InvalidDomainValidationOptionsException", "other.com")
}

func TestExportCertificate(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	arn := aws.ToString(must(f.c.RequestCertificate(ctx, &sdk.RequestCertificateInput{DomainName: aws.String("export.example.com"),
		KeyAlgorithm: types.KeyAlgorithmEcSecp384r1, Options: &types.CertificateOptions{Export: types.CertificateExportEnabled}})).CertificateArn)
	out := must(f.c.ExportCertificate(ctx, &sdk.ExportCertificateInput{CertificateArn: &arn, Passphrase: []byte("correct horse")}))
	keyPEM := aws.ToString(out.PrivateKey)
	if !strings.HasPrefix(keyPEM, "-----BEGIN ENCRYPTED PRIVATE KEY-----") || aws.ToString(out.CertificateChain) != string(f.svc.RootPEM()) {
		t.Fatalf("export: %q", keyPEM)
	}
	if _, err := exec.LookPath("openssl"); err != nil {
		testutil.RequireInCI(t, "openssl")
	}
	path := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(path, []byte(keyPEM), 0o600); err != nil {
		t.Fatal(err)
	}
	plain, err := exec.Command("openssl", "pkey", "-in", path, "-passin", "pass:correct horse").Output()
	if err != nil {
		t.Fatalf("openssl cannot decrypt the exported key: %v", err)
	}
	b, _ := pem.Decode(plain)
	key := must(x509.ParsePKCS8PrivateKey(b.Bytes))
	cb, _ := pem.Decode([]byte(aws.ToString(out.Certificate)))
	cert := must(x509.ParseCertificate(cb.Bytes))
	if !key.(crypto.Signer).Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(cert.PublicKey) {
		t.Fatal("the exported key is not the certificate's")
	}
	if _, err := exec.Command("openssl", "pkey", "-in", path, "-passin", "pass:wrong").Output(); err == nil {
		t.Fatal("a wrong passphrase decrypted the key")
	}
}
