package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// progressFrame is what one poll shows.
type progressFrame struct {
	Elapsed time.Duration
	Service string
	// Deployment is the deployment we started, of Revision; Following the
	// one watched now (the circuit breaker's rollback once ours failed).
	Deployment, Revision, Following string
	Rows                            []revisionRow
	Traffic                         []revisionShare // nil: no figures
	Events                          []types.ServiceEvent
	// Stage is a traffic-shifting deployment's lifecycle stage.
	Stage string
}

// progressView shows a followed deployment: frames while it runs, then the
// outcome as one final line.
type progressView interface {
	frame(progressFrame)
	done(outcome)
}

// newProgressView picks the display: JSON lines with --output json, a
// block redrawn in place on a terminal, else one line per change.
func (g *globals) newProgressView() progressView {
	switch {
	case g.output == "json":
		return &jsonView{w: g.stdout}
	case isTerminal(g.stdout):
		return &ttyView{w: g.stdout, width: terminalWidth(g.stdout)}
	default:
		return &lineView{w: g.stdout}
	}
}

// title is the first line of the live block.
func (f progressFrame) title() string {
	rev, target := f.Revision, ""
	for _, r := range f.Rows {
		if r.Deployment == f.Following {
			target = r.Revision
		}
	}
	if f.Following != f.Deployment {
		return fmt.Sprintf("%s: %s failed, rolling back to %s (%s)  %s", f.Service, rev, target, f.Following, seconds(f.Elapsed))
	}
	stage := ""
	if f.Stage != "" {
		stage = " " + f.Stage
	}
	return fmt.Sprintf("%s: deploying %s (%s)%s  %s", f.Service, rev, f.Deployment, stage, seconds(f.Elapsed))
}

func (r revisionRow) line() string {
	return fmt.Sprintf("%-12s %-8s %s", r.Revision, r.Role, r.counts())
}

func trafficLine(shares []revisionShare) string {
	if len(shares) == 0 {
		return ""
	}
	var parts []string
	var rate float64
	for _, s := range shares {
		parts = append(parts, fmt.Sprintf("%s %.0f%%", s.Revision, 100*s.Share))
		rate += s.PerSec
	}
	return fmt.Sprintf("traffic: %s (%.0f req/s)", strings.Join(parts, " · "), rate)
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.1fs", d.Seconds()) }

// ttyView redraws a few lines in place with ANSI escapes; events scroll
// above them.
type ttyView struct {
	w     io.Writer
	width int
	drawn int
}

func (v *ttyView) frame(f progressFrame) {
	var b strings.Builder
	if v.drawn > 0 {
		fmt.Fprintf(&b, "\x1b[%dA\x1b[J", v.drawn) // up to the block's first line, clear below
	}
	for _, e := range f.Events {
		b.WriteString(fit(eventLine(e), v.width) + "\n")
	}
	lines := []string{f.title()}
	for _, r := range f.Rows {
		lines = append(lines, "  "+r.line())
	}
	if t := trafficLine(f.Traffic); t != "" {
		lines = append(lines, "  "+t)
	}
	for _, l := range lines {
		b.WriteString(fit(l, v.width) + "\n")
	}
	v.drawn = len(lines)
	_, _ = io.WriteString(v.w, b.String())
}

func (v *ttyView) done(o outcome) { writeVerdict(v.w, o) }

// fit cuts a line to the terminal's width so that a redraw moves up exactly
// as many lines as it drew.
func fit(s string, width int) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if width <= 1 || utf8.RuneCountInString(s) < width {
		return s
	}
	r := []rune(s)
	return string(r[:width-2]) + "…"
}

func eventLine(e types.ServiceEvent) string {
	return aws.ToTime(e.CreatedAt).Local().Format("15:04:05") + " " + eventText(e)
}

// eventText is an event's message on one line, with target group ARNs cut
// to their names: the full ARN says nothing more while a deploy runs.
func eventText(e types.ServiceEvent) string {
	msg := strings.ReplaceAll(aws.ToString(e.Message), "\n", " ")
	const marker = "(target-group arn:"
	for {
		i := strings.Index(msg, marker)
		if i < 0 {
			return msg
		}
		end := strings.IndexByte(msg[i:], ')')
		if end < 0 {
			return msg
		}
		arn := msg[i+len("(target-group ") : i+end]
		msg = msg[:i] + "(target-group " + targetGroupName(arn) + msg[i+end:]
	}
}

// targetGroupName is the name in a target group ARN
// (...:targetgroup/NAME/ID).
func targetGroupName(arn string) string {
	parts := strings.Split(arn, "/")
	if len(parts) >= 3 {
		return parts[len(parts)-2]
	}
	return arn
}

// lineView prints events as they come and a status line whenever the tasks'
// counts change (not for the clock or traffic alone: no spam in logs).
type lineView struct {
	w         io.Writer
	last      string
	following string
}

func (v *lineView) frame(f progressFrame) {
	at := fmt.Sprintf("[%6s]", seconds(f.Elapsed))
	for _, e := range f.Events {
		fmt.Fprintf(v.w, "%s %s\n", at, eventText(e))
	}
	if v.following != "" && f.Following != v.following {
		fmt.Fprintf(v.w, "%s %s\n", at, f.title())
	}
	v.following = f.Following
	var parts []string
	for _, r := range f.Rows {
		parts = append(parts, fmt.Sprintf("%s %s %s", r.Revision, r.Role, r.counts()))
	}
	key := strings.Join(parts, " | ")
	if f.Stage != "" {
		key = f.Stage + " | " + key
	}
	if key == v.last {
		return
	}
	v.last = key
	if t := trafficLine(f.Traffic); t != "" {
		key += " | " + t
	}
	fmt.Fprintf(v.w, "%s %s\n", at, key)
}

func (v *lineView) done(o outcome) { writeVerdict(v.w, o) }

// jsonView prints one JSON object per event and per change, and the outcome
// as the last line.
type jsonView struct {
	w    io.Writer
	last string
}

type jsonFrame struct {
	ElapsedSeconds float64         `json:"elapsedSeconds"`
	Deployment     string          `json:"deployment"`
	Following      string          `json:"following"`
	Rows           []revisionRow   `json:"tasks"`
	Traffic        []revisionShare `json:"traffic,omitempty"`
	Stage          string          `json:"stage,omitempty"`
}

type jsonEvent struct {
	Time    time.Time `json:"time"`
	Message string    `json:"event"`
}

type jsonOutcome struct {
	Outcome         string         `json:"outcome"`
	Service         string         `json:"service"`
	Deployment      string         `json:"deployment"`
	Revision        string         `json:"revision"`
	RolledBackTo    string         `json:"rolledBackTo,omitempty"`
	Reason          string         `json:"reason,omitempty"`
	DurationSeconds float64        `json:"durationSeconds"`
	Requests        *requestReport `json:"requests,omitempty"`
	Verdict         string         `json:"verdict"`
}

func (v *jsonView) frame(f progressFrame) {
	enc := json.NewEncoder(v.w)
	for _, e := range f.Events {
		_ = enc.Encode(jsonEvent{Time: aws.ToTime(e.CreatedAt), Message: aws.ToString(e.Message)})
	}
	key, _ := json.Marshal(f.Rows)
	if string(key)+f.Stage == v.last {
		return
	}
	v.last = string(key) + f.Stage
	_ = enc.Encode(jsonFrame{ElapsedSeconds: round1(f.Elapsed), Deployment: f.Deployment, Following: f.Following, Rows: f.Rows,
		Traffic: f.Traffic, Stage: f.Stage})
}

func (v *jsonView) done(o outcome) {
	_ = json.NewEncoder(v.w).Encode(jsonOutcome{Outcome: o.State, Service: o.Service, Deployment: o.Deployment,
		Revision: o.Revision, RolledBackTo: o.RolledBackTo, Reason: o.Reason, DurationSeconds: round1(o.Duration),
		Requests: o.Requests, Verdict: o.verdict()})
}

func round1(d time.Duration) float64 {
	return float64(d.Round(100*time.Millisecond)) / float64(time.Second)
}

// writeVerdict prints the failing task's output, if the reason carries it,
// then the one-line verdict.
func writeVerdict(w io.Writer, o outcome) {
	if _, tail := splitReason(o.Reason); tail != "" {
		fmt.Fprintln(w, "last output of the failed task:")
		for _, l := range strings.Split(strings.TrimRight(tail, "\n"), "\n") {
			fmt.Fprintln(w, "  | "+l)
		}
	}
	fmt.Fprintln(w, o.verdict())
}

// splitReason separates a rolloutStateReason's log tail (which the
// controller appends after "; last output:") from the rest.
func splitReason(reason string) (head, tail string) {
	head, tail, _ = strings.Cut(reason, "; last output:")
	return strings.Join(strings.Fields(head), " "), strings.TrimLeft(tail, "\n")
}

// verdict is the one line that ends a deploy: the outcome, the duration,
// why (unless it completed) and the requests per revision.
func (o outcome) verdict() string {
	why, _ := splitReason(o.Reason)
	d := seconds(o.Duration)
	var s string
	switch o.State {
	case outcomeCompleted:
		s = fmt.Sprintf("COMPLETED in %s: %s runs %s (deployment %s)", d, o.Service, o.Revision, o.Deployment)
	case outcomeRolledBack:
		s = fmt.Sprintf("FAILED, rolled back to %s in %s: %s did not deploy: %s", o.RolledBackTo, d, o.Revision, why)
	case outcomeFailed:
		s = fmt.Sprintf("FAILED in %s: %s did not deploy: %s (fix it and deploy again, or run `slipway rollback %s`)", d, o.Revision, why, o.Service)
	case outcomeReplaced:
		s = fmt.Sprintf("STOPPED after %s: %s", d, why)
	case outcomeTimedOut:
		s = fmt.Sprintf("TIMED OUT after %s: %s; watch it with `slipway services`, or go back with `slipway rollback %s`", d, why, o.Service)
	default:
		s = fmt.Sprintf("%s after %s: %s; watch it with `slipway services`", o.State, d, why)
	}
	if o.Requests != nil {
		s += "; " + o.Requests.String()
	}
	return s
}
