package controller

// maxTaskWritesPerPass bounds how many tasks one pass of one service
// creates or changes, and so the length of its write transaction: a service
// of ECS's maximum size (5,000 tasks) scales in batches, a pass every
// minPassGap, instead of holding the store's writer for every task at once,
// and other writes keep their latency. The write of each batch wakes the
// next pass, so a batch costs no more wall time than the gap.
const maxTaskWritesPerPass = 100

// maxIDsPerEvent is how many task ids one "has started"/"has stopped" event
// lists; more make further events, as ECS reports tasks in groups.
const maxIDsPerEvent = 10

// reserve makes task i one the pass writes, spending the pass's write
// budget the first time. Callers reserve before they change the task; when
// the budget is spent it reports false and the change waits for the next
// pass (which re-plans from the stored state, so nothing is lost).
func (p *pass) reserve(i int) bool {
	if p.changed[i] {
		return true
	}
	if p.budget == 0 {
		return false
	}
	p.budget--
	p.changed[i] = true
	return true
}
