package stack

import (
	"crypto/rand"
	"fmt"
)

// newUUID returns a random (version 4) UUID: the last part of stack and
// change set ids, stack event ids and handler request tokens.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// stackARN is a stack's id: arn:aws:cloudformation:region:account:stack/name/uuid.
func (e *Engine) stackARN(name string) string {
	return fmt.Sprintf("arn:%s:cloudformation:%s:%s:stack/%s/%s", e.part.name, e.part.region, e.part.account, name, newUUID())
}

// changeSetARN is a change set's id.
func (e *Engine) changeSetARN(name string) string {
	return fmt.Sprintf("arn:%s:cloudformation:%s:%s:changeSet/%s/%s", e.part.name, e.part.region, e.part.account, name, newUUID())
}
