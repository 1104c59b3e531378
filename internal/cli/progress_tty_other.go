//go:build !unix

package cli

import "io"

// isTerminal is false where we do not detect terminals: progress is then
// printed one line per change, which works everywhere.
func isTerminal(io.Writer) bool { return false }

// terminalWidth is the width assumed for the progress block.
func terminalWidth(io.Writer) int { return 80 }
