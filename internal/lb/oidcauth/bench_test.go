package oidcauth

import (
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/lb/oidcauth/oidctest"
)

// BenchmarkSession is what an authenticated request pays: opening and
// checking its session cookie.
func BenchmarkSession(b *testing.B) {
	p := oidctest.New(b)
	id, sk, der, _ := GenerateKeys()
	keys, _ := ParseKeys(id, sk, der)
	a, err := New(Config{Issuer: p.Issuer(), AuthorizationEndpoint: p.Issuer() + "/authorize", TokenEndpoint: p.Issuer() + "/token",
		UserInfoEndpoint: p.Issuer() + "/userinfo", ClientID: p.ClientID, ClientSecret: p.ClientSecret}, keys, NewClient(p.Roots()))
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	data, _ := a.sign([]byte(`{"sub":"user-1","email":"user@example.com","name":"Test User"}`), now.Add(time.Hour))
	res := a.loggedIn(&Session{ActionID: a.ID, Expiry: now.Add(time.Hour), AccessToken: "at-user-1", Subject: "user-1", Data: data}, lbHost, "/")
	j := jar{}
	for _, c := range res.SetCookies {
		k, v := cookieKV(c)
		if v != "" {
			j[k] = v
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, ok := a.Session(j.lookup, now); !ok {
			b.Fatal("no session")
		}
	}
}

func cookieKV(setCookie string) (string, string) {
	for i := 0; i < len(setCookie); i++ {
		if setCookie[i] == '=' {
			rest := setCookie[i+1:]
			for k := 0; k < len(rest); k++ {
				if rest[k] == ';' {
					return setCookie[:i], rest[:k]
				}
			}
			return setCookie[:i], rest
		}
	}
	return setCookie, ""
}
