// Package e2e holds Slipway's end-to-end tests: they build the real slipway
// and talk-service binaries, start `slipway server` as a subprocess and drive
// it with the real AWS CLI, as a user would. The tests live in _test.go files;
// this file only names the package.
package e2e
