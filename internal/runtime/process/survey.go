package process

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Survey is what a state directory holds, as seen without taking it over.
type Survey struct {
	// Containers counts the container directories (those with a config).
	Containers int
	// RunningShims are the pids of the shims that still run a container.
	RunningShims []int
}

// SurveyStateDir looks at a StateDir without a Runtime: no ports are held and
// no lock is taken, so it may run while nothing else is decided (the server
// uses it at start-up to tell whether a data directory held a store). A
// missing directory holds nothing.
func SurveyStateDir(stateDir string) (Survey, error) {
	var s Survey
	entries, err := os.ReadDir(stateDir)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return s, fmt.Errorf("surveying containers: %w", err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join(stateDir, e.Name())
		if _, err := os.Stat(filepath.Join(dir, configFileName)); err != nil {
			continue
		}
		s.Containers++
		id, ok, err := readIdentity(dir)
		if err != nil || !ok {
			continue
		}
		if _, exited, err := readStatus(dir); err == nil && !exited && id.Shim.alive() {
			s.RunningShims = append(s.RunningShims, id.Shim.PID)
		}
	}
	return s, nil
}
