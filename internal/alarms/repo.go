package alarms

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/slipway-dev/slipway/internal/store"
)

// ErrNotFound reports an alarm that does not exist.
var ErrNotFound = errors.New("alarm not found")

const (
	bucketAlarms  store.Bucket = "cw_alarms"
	bucketHistory store.Bucket = "cw_alarm_history"
)

// HistoryRetention is how long history items are kept (CloudWatch: 30 days).
const HistoryRetention = 30 * 24 * time.Hour

// MaxHistoryPerAlarm bounds one alarm's history; the oldest items go first.
const MaxHistoryPerAlarm = 1000

// getAlarm reads one alarm.
func getAlarm(tx store.Tx, name string) (Alarm, error) {
	a, err := store.GetJSON[Alarm](tx, bucketAlarms, name)
	if errors.Is(err, store.ErrNotFound) {
		return a, fmt.Errorf("%w: %s: %w", ErrNotFound, name, err)
	}
	return a, err
}

func putAlarm(tx store.Tx, a Alarm) error { return store.PutJSON(tx, bucketAlarms, a.Name, a) }

// listAlarms returns every alarm in name order.
func listAlarms(tx store.Tx) ([]Alarm, error) { return store.ListJSON[Alarm](tx, bucketAlarms, "") }

// historyPrefix is the key prefix of an alarm's history items; the NUL
// cannot occur in alarm names (the operations layer refuses control
// characters), so one alarm's prefix is never another's.
func historyPrefix(name string) string { return name + "\x00" }

// addHistory appends an item and drops the alarm's oldest beyond the bound.
func addHistory(tx store.Tx, it HistoryItem) error {
	seq, err := tx.NextSequence(bucketHistory)
	if err != nil {
		return err
	}
	key := fmt.Sprintf("%s%016x%016x", historyPrefix(it.AlarmName), it.Timestamp.UnixNano(), seq)
	if err := store.PutJSON(tx, bucketHistory, key, it); err != nil {
		return err
	}
	var keys []string
	err = tx.Scan(bucketHistory, historyPrefix(it.AlarmName), "", func(k string, _ []byte) (bool, error) {
		keys = append(keys, k)
		return true, nil
	})
	if err != nil || len(keys) <= MaxHistoryPerAlarm {
		return err
	}
	for _, k := range keys[:len(keys)-MaxHistoryPerAlarm] {
		if err := tx.Delete(bucketHistory, k); err != nil {
			return err
		}
	}
	return nil
}

// HistoryFilter selects history items.
type HistoryFilter struct {
	// AlarmName selects one alarm's items ("" for all).
	AlarmName string
	// Type selects one HistoryItemType ("" for all).
	Type string
	// Start and End bound the timestamps (zero: unbounded).
	Start, End time.Time
	// Ascending orders oldest first (default newest first).
	Ascending bool
}

// readHistory returns the items matching f, ordered as f asks.
func readHistory(tx store.Tx, f HistoryFilter) ([]HistoryItem, error) {
	prefix := ""
	if f.AlarmName != "" {
		prefix = historyPrefix(f.AlarmName)
	}
	var out []HistoryItem
	err := store.ScanJSON(tx, bucketHistory, prefix, "", func(_ string, it HistoryItem) bool {
		if (f.Type == "" || it.Type == f.Type) &&
			(f.Start.IsZero() || !it.Timestamp.Before(f.Start)) &&
			(f.End.IsZero() || it.Timestamp.Before(f.End)) {
			out = append(out, it)
		}
		return true
	})
	sort.SliceStable(out, func(i, j int) bool {
		if f.Ascending {
			return out[i].Timestamp.Before(out[j].Timestamp)
		}
		return out[j].Timestamp.Before(out[i].Timestamp)
	})
	return out, err
}

// pruneHistory deletes items older than cutoff.
func pruneHistory(tx store.Tx, cutoff time.Time) error {
	var old []string
	err := store.ScanJSON(tx, bucketHistory, "", "", func(k string, it HistoryItem) bool {
		if it.Timestamp.Before(cutoff) {
			old = append(old, k)
		}
		return true
	})
	if err != nil {
		return err
	}
	for _, k := range old {
		if err := tx.Delete(bucketHistory, k); err != nil {
			return err
		}
	}
	return nil
}

// HasActionPrefix reports whether any action of a starts with prefix
// (DescribeAlarms ActionPrefix).
func (a *Alarm) HasActionPrefix(prefix string) bool {
	for _, list := range [][]string{a.OKActions, a.AlarmActions, a.InsufficientDataActions} {
		for _, arn := range list {
			if strings.HasPrefix(arn, prefix) {
				return true
			}
		}
	}
	return false
}
