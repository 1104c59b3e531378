package logstore

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkAppend measures durable ingestion: batches of 1000 events of 100 bytes,
// as a shipper sends them, each Append fsynced. It reports lines/s.
func BenchmarkAppend(b *testing.B) {
	s, err := Open(b.TempDir(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if err := s.CreateGroup(GroupSettings{Name: "g"}); err != nil {
		b.Fatal(err)
	}
	if err := s.CreateStream("g", "a"); err != nil {
		b.Fatal(err)
	}
	batch := make([]Event, 1000)
	now := time.Now().UnixMilli()
	for i := range batch {
		batch[i] = Event{Timestamp: now, Message: fmt.Appendf(nil, "%-99d", i)}
	}
	b.SetBytes(int64(len(batch) * 100))
	b.ResetTimer()
	for range b.N {
		if err := s.Append("g", "a", batch, []byte("cursor")); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(batch))/b.Elapsed().Seconds(), "lines/s")
}
