package server

import (
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
)

const metadataAddrFile = "metadata-addr"

// metadataAddr returns where the task metadata endpoint should listen: the
// address used by the previous run of this data directory when the
// configured address asks for any port, so that containers adopted after a
// restart keep a working ECS_CONTAINER_METADATA_URI_V4. If that address is
// taken now, the configured one is used (and adopted containers lose their
// endpoint, which is logged).
func metadataAddr(dataDir, configured string, logger *slog.Logger) string {
	if !strings.HasSuffix(configured, ":0") {
		return configured
	}
	b, err := os.ReadFile(filepath.Join(dataDir, metadataAddrFile))
	if err != nil {
		return configured
	}
	prev := strings.TrimSpace(string(b))
	ln, err := net.Listen("tcp", prev)
	if err != nil {
		logger.Warn("task metadata address of the previous run is taken; adopted tasks lose their metadata endpoint", "addr", prev, "err", err)
		return configured
	}
	ln.Close()
	return prev
}

func saveMetadataAddr(dataDir, addr string) {
	tmp := filepath.Join(dataDir, metadataAddrFile+".tmp")
	if os.WriteFile(tmp, []byte(addr+"\n"), 0o600) == nil {
		_ = os.Rename(tmp, filepath.Join(dataDir, metadataAddrFile))
	}
}
