package lbtarget

import (
	"fmt"
	"strconv"
)

// CheckTargets checks a target group's registered targets: each has an id
// and a port (its own, else the group's defaultPort) in 1..65535, and none is
// registered twice. idPort reads a target's id and own port.
func CheckTargets[T any](defaultPort int, targets []T, idPort func(T) (string, int)) error {
	seen := make(map[string]bool, len(targets))
	for _, t := range targets {
		id, port := idPort(t)
		if port == 0 {
			port = defaultPort
		}
		if id == "" || port < 1 || port > 65535 {
			return fmt.Errorf("target %q port %d", id, port)
		}
		k := id + ":" + strconv.Itoa(port)
		if seen[k] {
			return fmt.Errorf("target %s registered twice", k)
		}
		seen[k] = true
	}
	return nil
}
