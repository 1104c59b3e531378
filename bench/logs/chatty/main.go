// Command chatty is the chatty container of bench/logs: it writes RATE lines per
// second (default 60000) of about 100 bytes to stdout, each numbered ("seq=N"),
// in one write per millisecond, as a buffered logger does, until it is stopped.
// SIGSTOP and SIGCONT pause it without a burst afterwards.
package main

import (
	"bufio"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

func main() {
	rate, err := strconv.Atoi(os.Getenv("RATE"))
	if err != nil || rate <= 0 {
		rate = 60000
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, os.Interrupt)
	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	tick := time.NewTicker(time.Millisecond)
	last := time.Now()
	line := make([]byte, 0, 128)
	owed := 0.0 // lines due but not written yet
	for seq := 0; ; {
		select {
		case <-stop:
			w.Flush()
			return
		case now := <-tick.C:
			// At most 100 ms of lines per tick: after a pause (SIGSTOP, as the
			// benchmark pauses it) it goes on at its rate rather than in a burst.
			owed += min(now.Sub(last).Seconds(), 0.1) * float64(rate)
			last = now
			for ; owed >= 1; owed-- {
				seq++
				line = append(line[:0], "seq="...)
				line = strconv.AppendInt(line, int64(seq), 10)
				line = append(line, ` level=info msg="request handled" method=GET path=/talk status=200 bytes=1234 ms=3`...)
				line = append(line, '\n')
				w.Write(line)
			}
			w.Flush()
		}
	}
}
