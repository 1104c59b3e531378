package lb

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// newCert makes a self-signed certificate for name and adds it to pool.
func newCert(t *testing.T, name string, pool *x509.CertPool) Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name}, DNSNames: []string{name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool.AddCert(cert)
	kder, _ := x509.MarshalECPrivateKey(key)
	return Certificate{Name: name, CertPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		KeyPEM: pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})}
}

func TestHTTPSWithSNIAndHTTP2(t *testing.T) {
	be := startBackend(t, "a", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Seen-Proto", r.Header.Get("X-Forwarded-Proto"))
		w.Write([]byte(r.Method + " " + r.URL.RequestURI() + " " + string(b)))
	})
	pool := x509.NewCertPool()
	def := newCert(t, "default.test", pool)
	api := newCert(t, "api.test", pool)
	d := newDP(t, Options{})
	port := freePort(t)
	lst := Listener{ARN: "https", Port: port, Protocol: "HTTPS", Certificates: []Certificate{def, api}, DefaultActions: forward("tg")}
	apply(t, d, Config{Version: 1, Listeners: []Listener{lst}, TargetGroups: []TargetGroup{tgroup("tg", false, be)}})
	addr := "127.0.0.1:" + strconv.Itoa(port)

	for sni, want := range map[string]string{"api.test": "api.test", "other.test": "default.test", "": "default.test"} {
		conn, err := tls.Dial("tcp", addr, &tls.Config{ServerName: sni, InsecureSkipVerify: true})
		if err != nil {
			t.Fatal(err)
		}
		if got := conn.ConnectionState().PeerCertificates[0].Subject.CommonName; got != want {
			t.Errorf("SNI %q got certificate %q", sni, got)
		}
		conn.Close()
	}
	for _, h2 := range []bool{true, false} {
		tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "api.test"}, ForceAttemptHTTP2: h2}
		if !h2 {
			tr.TLSClientConfig.NextProtos = []string{"http/1.1"}
			tr.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
		}
		c := &http.Client{Transport: tr, Timeout: 5 * time.Second}
		resp, err := c.Get("https://" + addr + "/x?y=1")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		wantProto := map[bool]string{true: "HTTP/2.0", false: "HTTP/1.1"}[h2]
		if resp.Proto != wantProto || string(body) != "GET /x?y=1 " || resp.Header.Get("X-Seen-Proto") != "https" {
			t.Errorf("h2=%v: %s %q %q", h2, resp.Proto, body, resp.Header.Get("X-Seen-Proto"))
		}
		// A body of unknown length (chunked over HTTP/1.1, DATA frames over h2).
		pr, pw := io.Pipe()
		go func() { io.WriteString(pw, strings.Repeat("z", 70000)); pw.Close() }()
		resp, err = c.Post("https://"+addr+"/p", "text/plain", pr)
		if err != nil {
			t.Fatal(err)
		}
		body, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(body) != "POST /p "+strings.Repeat("z", 70000) {
			t.Errorf("h2=%v post: %d bytes", h2, len(body))
		}
		tr.CloseIdleConnections()
	}
}
