// Package logstore is the durable store behind Slipway's CloudWatch Logs API: log
// groups, their streams, and the streams' events with their timestamps and
// ingestion times, kept with retention and within a bound on disk.
//
// # Why segment files, not bbolt
//
// Events are written at tens of thousands per second and almost never changed;
// they leave in bulk, by age. bbolt is a copy-on-write B+tree: each commit rewrites
// the leaf pages it touches and their parents and fsyncs twice (data, then meta),
// so storing a batch of small events costs several pages of writes per commit, the
// file never shrinks after retention deletes, and its freelist grows with the churn.
// An append-only segment costs one write of the batch's own bytes and one fsync,
// shared by every append that arrives meanwhile (group commit); retention and the
// disk bound delete whole files. So events live in segment files and only the
// catalog (groups, streams, settings, tags) lives in a small bbolt file, which
// changes on group and stream operations and when a segment is created or deleted,
// never per append.
//
// # Layout
//
//	DIR/catalog.db                   groups, streams, id counters, saved cursors (bbolt)
//	DIR/segments/g<group id>/<seq>.seg  the group's segments, seq a store-wide counter
//
// A segment holds the group's events as blocks, one per append (see block.go for
// the format): a checksummed header with the stream, the event count, the smallest
// and largest timestamps and the ingestion time, an optional cursor, then the
// events. When a segment reaches Options.SegmentBytes or Options.SegmentAge it is
// sealed with a footer listing its blocks, and the group's next append starts a new
// one. A group's events are interleaved across its streams in its segments; each
// stream's index is a sorted list of chunks (runs of its blocks in one segment),
// kept in memory at 8 bytes per block and rebuilt at Open from the footers.
//
// # Durability and crashes
//
// Append returns once its block is fsynced; only then is it indexed and readable.
// Open seals any segment that was being written when the process died: it verifies
// every block's checksum and cuts the file after the last whole block (a torn block
// was never acknowledged). Group and stream operations are bbolt transactions;
// deleting a group removes it from the catalog first and its directory after, and
// Open removes directories no group owns.
//
// Append may carry a cursor (an opaque position in the events' source, such as a
// container's log file), stored atomically with the events: after a crash, Cursor
// says exactly which lines a shipper had stored, so it resumes without losing or
// repeating any.
//
// # Order, positions and ids
//
// Reads return events ordered by timestamp, then by ingestion (Position), as
// CloudWatch Logs returns them; appends need not be in timestamp order. A Position
// also serves as a page token and gives each event its id (Position.EventID).
//
// # Retention and the bound
//
// Reads never return events older than their group's retention. Run deletes every
// sealed segment whose newest event is past it, and seals active segments older
// than SegmentAge so that they can go too; so expired events stay on disk at most
// SegmentAge plus ExpireInterval beyond their retention.
//
// The segments never take more than Options.MaxBytes (plus one segment being
// written per group): when an append takes the store past it, whole segments are
// deleted, oldest first whatever their group, until the store is under 90% of the
// bound, and a warning is logged for each. Appends never fail or wait because the
// store is full: the oldest events give way. Deleted streams' events leave the
// index at once and the disk with their segments.
package logstore
