package server

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/slipway-dev/slipway/internal/lb/oidcauth"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
	"github.com/slipway-dev/slipway/internal/store"
)

func TestPublicKeyEndpoint(t *testing.T) {
	db, err := store.OpenBolt(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	st := state.New(db, model.Partition{Region: "us-east-1", Account: "123456789012"}, nil)
	srv := httptest.NewServer(withPublicKeys(http.NotFoundHandler(), st))
	t.Cleanup(srv.Close)
	status := func(kid string) (int, []byte) {
		resp, err := http.Get(srv.URL + PublicKeysPath + kid)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	if code, _ := status("none"); code != 404 {
		t.Fatalf("no keys yet: %d", code)
	}
	var kid string
	err = st.Update(context.Background(), func(tx state.Tx) error {
		return tx.EnsureELBAuthKeys(func() (model.ELBAuthKeys, error) {
			id, sk, der, err := oidcauth.GenerateKeys()
			kid = id
			return model.ELBAuthKeys{KeyID: id, SessionKey: sk, SigningKey: der}, err
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	code, body := status(kid)
	block, _ := pem.Decode(body)
	if code != 200 || block == nil {
		t.Fatalf("key %s: %d %q", kid, code, body)
	}
	if _, err := x509.ParsePKIXPublicKey(block.Bytes); err != nil {
		t.Fatal(err)
	}
	if code, _ := status("other"); code != 404 {
		t.Fatalf("another key id: %d", code)
	}
}
