//go:build !unix

package certfile

// openFlags: elsewhere the Stat before the open is the only guard.
const openFlags = 0
