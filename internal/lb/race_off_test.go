//go:build !race

package lb

// raceEnabled: the race detector inflates memory, so budgets are not asserted.
const raceEnabled = false
