package process

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// identityFileName holds the identityRecord the shim writes in the container directory.
const identityFileName = "identity.json"

// identityRecord names the shim and the application across pid reuse. The shim writes
// it itself, once the application runs and before it reports to the server, so that
// a container is recognisable from its directory alone, whether or not the server
// lived to record the State that Start returned.
type identityRecord struct {
	Shim procIdentity `json:"shim"`
	App  procIdentity `json:"app"`
}

// writeIdentity records id in the container directory dir atomically and durably.
func writeIdentity(dir string, id identityRecord) error {
	b, err := json.Marshal(id)
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(dir, identityFileName), b)
}

// readIdentity returns the recorded identity, ok=false when none was recorded.
func readIdentity(dir string) (identityRecord, bool, error) {
	var id identityRecord
	b, err := os.ReadFile(filepath.Join(dir, identityFileName))
	if errors.Is(err, fs.ErrNotExist) {
		return id, false, nil
	}
	if err != nil {
		return id, false, err
	}
	if err := json.Unmarshal(b, &id); err != nil {
		return id, false, fmt.Errorf("%s: %w", identityFileName, err)
	}
	if id.Shim.PID <= 0 || id.App.PID <= 0 {
		return id, false, fmt.Errorf("%s: no pids recorded", identityFileName)
	}
	return id, true, nil
}
