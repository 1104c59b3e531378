package l4

import "time"

// workerIdle is how long a worker goroutine waits for more work before it ends.
const workerIdle = 10 * time.Second

// workers reuse goroutines for connections. A connection's goroutine dials
// through net's deep call chain, so a fresh goroutine grows (and copies) its
// stack several times for every connection; a worker keeps the stack it grew,
// which the profile showed to be about a tenth of the CPU spent per connection.
type workers struct {
	work chan func() // unbuffered: a send succeeds only when a worker is idle
}

func newWorkers() *workers { return &workers{work: make(chan func())} }

// spawn runs f on an idle worker, or on a new one. Every worker is in d.wg and
// ends when Run stops or after workerIdle without work.
func (d *DataPlane) spawn(f func()) {
	select {
	case d.workers.work <- f:
		return
	default:
	}
	d.wg.Add(1)
	go d.worker(f)
}

func (d *DataPlane) worker(f func()) {
	defer d.wg.Done()
	idle := time.NewTimer(workerIdle)
	defer idle.Stop()
	for {
		f()
		idle.Reset(workerIdle)
		select {
		case f = <-d.workers.work:
		case <-idle.C:
			return
		case <-d.stopped:
			return
		}
	}
}
