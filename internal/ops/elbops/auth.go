package elbops

import (
	"github.com/slipway-dev/slipway/internal/lb/oidcauth"
	"github.com/slipway-dev/slipway/internal/model"
	"github.com/slipway-dev/slipway/internal/state"
)

// prepareAuth readies the authenticate actions about to be stored on
// listener l in place of old (nil for a new rule or listener): ELB's
// listener-protocol rule, UseExistingClientSecret resolved from old, and
// the installation's keys made once (in the same transaction, so the
// syncer never compiles an authenticate action without them).
func prepareAuth(tx state.Tx, l model.Listener, actions, old []model.ELBAction) error {
	if !model.HasAuthenticate(actions) {
		return nil
	}
	if err := model.CheckAuthenticateProtocol(l.Protocol, actions); err != nil {
		return err
	}
	if err := model.UseExistingClientSecrets(actions, old); err != nil {
		return err
	}
	return tx.EnsureELBAuthKeys(generateAuthKeys)
}

// checkRulesAuth refuses a protocol change that would leave a listener's
// rules authenticating on a listener that is not HTTPS.
func checkRulesAuth(tx state.Tx, l model.Listener) error {
	if l.Protocol == "HTTPS" {
		return nil
	}
	rules, err := tx.Rules(l.ARN)
	if err != nil {
		return err
	}
	for _, r := range rules {
		if err := model.CheckAuthenticateProtocol(l.Protocol, r.Actions); err != nil {
			return err
		}
	}
	return nil
}

func generateAuthKeys() (model.ELBAuthKeys, error) {
	id, sk, der, err := oidcauth.GenerateKeys()
	return model.ELBAuthKeys{KeyID: id, SessionKey: sk, SigningKey: der}, err
}
