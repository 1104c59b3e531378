// Package lbtarget is what both data planes (internal/lb for HTTP, internal/l4
// for TCP, TLS and UDP) do with the targets of their target groups in the same
// way: check a group's registered targets, schedule health checks as ELB does,
// parse an HTTP check's success codes, time a draining target's drain, and
// deliver target health changes in order. The targets themselves (what a probe
// dials, what counts as in flight, what a drain closes) stay each data plane's
// own.
package lbtarget
