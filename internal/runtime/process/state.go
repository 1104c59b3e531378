package process

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/slipway-dev/slipway/internal/runtime"
)

// configFileName holds the containerConfig in the container directory.
const configFileName = "container.json"

// stateVersion is the version of savedState; Adopt refuses others.
const stateVersion = 1

// layoutVersion marks container directories that List can classify: the config holds
// the bindings, the shim holds the directory lock from before it starts until it
// exits, and it writes identity.json before the application can outlive it
// unrecorded. Directories of older servers (no layout field) lack all of that; List
// leaves them to the agent's records.
const layoutVersion = 2

// containerConfig is what the server tells the shim, and what a later server reads
// back to Exec in the container's context (or to List it). It is written once,
// before the shim starts.
type containerConfig struct {
	Layout        int    `json:"layout,omitempty"`
	TaskARN       string `json:"taskArn,omitempty"`
	TaskID        string `json:"taskId,omitempty"`
	ContainerName string `json:"containerName,omitempty"`
	// StoreID is runtime.Spec.StoreID: the store whose agent started the container.
	StoreID string `json:"storeId,omitempty"`
	// Path is the resolved executable; Args is argv, Args[0] as the task gave it.
	Path string   `json:"path"`
	Args []string `json:"args"`
	Env  []string `json:"env"`
	// Dir is the absolute working directory.
	Dir         string `json:"dir"`
	Stdout      string `json:"stdout"`
	Stderr      string `json:"stderr"`
	LogMaxBytes int64  `json:"logMaxBytes"`
	// Bindings are the host ports allocated before the shim started, so that List
	// can hold them again without the server's records.
	Bindings []runtime.Binding `json:"bindings,omitempty"`
	// Cgroups are the container's cgroups (see Limits): the shim moves the
	// application into them.
	Cgroups []string `json:"cgroups,omitempty"`
	// MemoryLimit is the hard memory limit its cgroups hold it to (its own
	// or its task's, the lower), for the task metadata endpoint's /stats;
	// 0 when none.
	MemoryLimit int64 `json:"memoryLimit,omitempty"`
}

// writeConfig stores cfg in the container directory dir. The file is private (0600):
// the environment may hold secrets.
func writeConfig(dir string, cfg containerConfig) error {
	b, err := json.Marshal(cfg)
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(dir, configFileName), b)
}

// readConfig loads the containerConfig from the container directory dir.
func readConfig(dir string) (containerConfig, error) {
	var cfg containerConfig
	b, err := os.ReadFile(filepath.Join(dir, configFileName))
	if err != nil {
		return cfg, err
	}
	if err := json.Unmarshal(b, &cfg); err != nil {
		return cfg, fmt.Errorf("%s: %w", configFileName, err)
	}
	return cfg, nil
}

// savedState is the process runtime's runtime.State: enough to find the container
// directory and to recognise the shim and the application across pid reuse.
type savedState struct {
	Version int `json:"version"`
	// Dir is the container directory (config, identity, exit status, shim log).
	Dir string `json:"dir"`
	// Shim and App are zero only in states List made for a directory whose shim
	// never recorded them (it never started, or died starting the application).
	Shim     procIdentity      `json:"shim"`
	App      procIdentity      `json:"app"`
	Bindings []runtime.Binding `json:"bindings,omitempty"`
}

func (s savedState) encode() runtime.State {
	b, err := json.Marshal(s)
	if err != nil {
		panic(fmt.Sprintf("process: encoding state: %v", err)) // plain data: cannot fail
	}
	return b
}

func decodeState(state runtime.State) (savedState, error) {
	var s savedState
	if err := json.Unmarshal(state, &s); err != nil {
		return s, fmt.Errorf("%w: %w", runtime.ErrInvalidState, err)
	}
	if s.Version != stateVersion || s.Dir == "" || s.Shim.PID < 0 || !filepath.IsAbs(s.Dir) {
		return s, fmt.Errorf("%w: not a process runtime state (version %d)", runtime.ErrInvalidState, s.Version)
	}
	return s, nil
}
