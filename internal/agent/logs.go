package agent

import (
	"io"
	"os"
	"strings"
)

// tailBytes bounds how much of a log file is read for a tail.
const tailBytes = 16 << 10

// logTail returns the last n lines of the stderr and stdout files of a
// container, stderr first, for a failure reason a person can act on.
func logTail(stdout, stderr string, n int) string {
	var parts []string
	for _, p := range []string{stderr, stdout} {
		if t := strings.TrimSpace(readTail(p)); t != "" {
			parts = append(parts, lastLines(t, n))
		}
	}
	return strings.Join(parts, "\n")
}

func readTail(path string) string {
	if path == "" {
		return ""
	}
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() > tailBytes {
		_, _ = f.Seek(-tailBytes, io.SeekEnd)
	}
	b, _ := io.ReadAll(io.LimitReader(f, tailBytes))
	return string(b)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
