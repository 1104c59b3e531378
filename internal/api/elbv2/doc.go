// Package elbv2 serves the Elastic Load Balancing v2 Query API (version
// 2015-12-01) for application and network load balancers: load balancers,
// target groups, listeners and their attributes, targets and their health,
// rules and tags (docs/elbv2.md has what each setting does here), with ELB's parameters, XML shapes, validation and error codes,
// so that the AWS CLI and SDKs work against it with --endpoint-url.
//
// This package is the wire only: it decodes each Query form into the input
// of an operation of package elbops, calls it, and encodes the output in
// ELB's XML (or the *awserr.Error in ELB's error shape). Validation,
// quotas, idempotency, pagination and every read and write of state are
// elbops', which CloudFormation and the console call too. What stays here
// is what belongs to the Query protocol: Action dispatch, member names,
// list and structure flattening, integers and booleans that do not decode
// (ValidationError), which members were sent at all, and the XML shapes.
//
// Differences from ELB that follow from running on one host:
//
//   - Listener ports are unique across all load balancers (DuplicateListener),
//     because every listener binds on this host.
//   - Subnets, security groups, VPC, scheme and IP address type are stored and
//     echoed; they have no effect. The DNS name has ELB's shape but does not
//     resolve here: clients connect to this host on the listener's port.
//   - Authentication actions (authenticate-oidc, authenticate-cognito,
//     jwt-validation), regular-expression conditions, gateway load
//     balancers and lambda/alb target types are refused, because
//     pretending to honour them would change what traffic reaches a target.
//
// # HTTPS and TLS certificates
//
// A listener's CertificateArn is an ACM certificate ARN (Slipway's ACM,
// internal/ops/acmops: imported or requested certificates; CertificateNotFound
// when it has none by that ARN; a re-import reaches the data planes at the
// next sync) or, as a shortcut, a file URL naming a PEM certificate chain;
// its private key is beside it with the extension replaced by ".key", or is
// named after a '#':
//
//	file:///etc/slipway/tls/site.pem                        key: /etc/slipway/tls/site.key
//	file:///etc/slipway/tls/site.pem#/etc/slipway/keys/k.pem key: /etc/slipway/keys/k.pem
//
// Paths must be absolute and name regular files of at most 1 MiB (package
// certfile: devices, FIFOs and directories are refused without being
// read). CreateListener and ModifyListener (elbops) load the pair and answer
// CertificateNotFound, in the same words whatever is wrong with the files,
// when it does not load. The load-balancer syncer reads each file once and
// again when it changes (it looks at every sync and every 10 s), and hands
// the data planes the PEM, not the paths. SSL policies are echoed; TLS
// settings are Go's defaults.
package elbv2
