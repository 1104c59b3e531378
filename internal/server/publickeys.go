package server

import (
	"net/http"

	"github.com/slipway-dev/slipway/internal/lb/oidcauth"
	"github.com/slipway-dev/slipway/internal/state"
)

// PublicKeysPath is where the metrics listener serves the public key that
// verifies x-amzn-oidc-data, by key id (the JWT header's kid): Slipway's
// equivalent of ALB's https://public-keys.auth.elb.REGION.amazonaws.com/KID,
// answered in the same form (a PEM public key).
const PublicKeysPath = "/slipway/elb/public-keys/"

// withPublicKeys adds the public key endpoint to h.
func withPublicKeys(h http.Handler, st *state.State) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", h)
	mux.HandleFunc("GET "+PublicKeysPath+"{kid}", func(w http.ResponseWriter, r *http.Request) {
		var pemKey []byte
		err := st.View(r.Context(), func(tx state.Tx) error {
			k, ok, err := tx.ELBAuthKeys()
			if err != nil || !ok || k.KeyID != r.PathValue("kid") {
				return err
			}
			keys, err := oidcauth.ParseKeys(k.KeyID, k.SessionKey, k.SigningKey)
			if err != nil {
				return err
			}
			pemKey, err = keys.PublicKeyPEM()
			return err
		})
		switch {
		case err != nil:
			http.Error(w, "state unavailable", http.StatusInternalServerError)
		case pemKey == nil:
			http.NotFound(w, r)
		default:
			w.Header().Set("Content-Type", "application/x-pem-file")
			w.Write(pemKey)
		}
	})
	return mux
}
