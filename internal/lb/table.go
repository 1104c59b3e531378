package lb

import (
	"hash/fnv"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/slipway-dev/slipway/internal/lb/oidcauth"
)

// Action kinds.
const (
	actForward = iota
	actFixed
	actRedirect
)

// routes is the immutable routing table of one listener for one config version.
// Requests load it once (atomic.Pointer) and use it for their whole exchange.
type routes struct {
	version uint64
	arn     string
	port    int
	https   bool
	rules   []rule
	def     *action
	set     listenerSettings   // the listener's and its load balancer's attributes
	auth    []*oidcauth.Action // the actions' authenticators; nil: none
}

// action is a compiled terminal action.
type action struct {
	kind     int
	groups   []weightedGroup
	total    int // sum of weights
	stick    GroupStickiness
	fixed    fixedResp
	redirect Redirect
	code     int              // redirect status
	auth     *oidcauth.Action // authenticate-oidc before the routing action; nil: none
}

type weightedGroup struct {
	g      *group
	weight int
}

type fixedResp struct {
	status      int
	contentType string
	body        string
}

// group is a target group as one config version sees it.
type group struct {
	arn       string
	st        *groupState
	targets   []*backend // registered, in config order
	lor       bool
	stick     Stickiness
	byCookie  map[string]*backend
	tgCookie  string // AWSALBTG value naming this group
	protocol  string
	slowStart time.Duration
}

// groupState is what a target group keeps across versions: the round-robin cursor
// and the statistics of ELB errors that had no target plus departed targets.
type groupState struct {
	arn   string
	rr    atomicCounter
	stats counters // ELB errors without a target (503 no targets etc.)
	mu    sync.Mutex
	gone  map[string]Counts // by revision: counters of targets that left the group
}

// route finds the action for a request: the first matching rule by priority, else default.
func (rt *routes) route(v *matchView) *action {
	for i := range rt.rules {
		if rt.rules[i].match(v) {
			return rt.rules[i].act
		}
	}
	return rt.def
}

// compiler builds one version's routes from a validated Config.
type compiler struct {
	groups map[string]*group
	oidc   *oidcCompiler
}

func (c *compiler) action(as []Action) *action {
	sorted := append([]Action(nil), as...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Order < sorted[j].Order })
	// An authenticate action comes before the routing action (validated).
	if a := sorted[0]; a.Type == ActionAuthenticateOIDC && len(sorted) > 1 {
		out := c.terminal(sorted[1])
		if out.auth = c.oidc.compile(a.AuthenticateOIDC); out.auth == nil {
			// Never forward what should have been authenticated.
			return &action{kind: actFixed, fixed: fixedResp{status: 500, contentType: "text/html", body: errorPage(500)}}
		}
		return out
	}
	return c.terminal(sorted[0])
}

// terminal compiles a routing action.
func (c *compiler) terminal(a Action) *action {
	switch a.Type {
	case "fixed-response":
		st, _ := strconv.Atoi(a.FixedResponse.StatusCode)
		ct := a.FixedResponse.ContentType
		if ct == "" {
			ct = "text/plain; charset=utf-8"
		}
		return &action{kind: actFixed, fixed: fixedResp{status: st, contentType: ct, body: a.FixedResponse.MessageBody}}
	case "redirect":
		code := 301
		if a.Redirect.StatusCode == "HTTP_302" {
			code = 302
		}
		return &action{kind: actRedirect, redirect: *a.Redirect, code: code}
	}
	out := &action{kind: actForward, stick: a.Stickiness}
	for _, w := range a.Forward {
		weight := w.Weight
		if len(a.Forward) == 1 {
			weight = 1 // a single group takes everything whatever its weight
		}
		out.groups = append(out.groups, weightedGroup{g: c.groups[w.ARN], weight: weight})
		out.total += weight
	}
	return out
}

func compileRoutes(version uint64, l *Listener, c *compiler) *routes {
	if c.oidc != nil {
		c.oidc.signer = loadBalancerARN(l.ARN)
	}
	rt := &routes{
		version: version,
		arn:     l.ARN,
		port:    l.Port,
		https:   l.Protocol == "HTTPS",
		rules:   compileRules(l.Rules, c.action),
		def:     c.action(l.DefaultActions),
	}
	rt.auth = listenerAuth(rt)
	return rt
}

// usedGroups lists the target groups some listener action forwards to; only their
// targets are health checked, the rest are "unused" (Target.NotInUse).
func usedGroups(cfg *Config) map[string]bool {
	used := map[string]bool{}
	mark := func(as []Action) {
		for _, a := range as {
			for _, w := range a.Forward {
				used[w.ARN] = true
			}
		}
	}
	for _, l := range cfg.Listeners {
		mark(l.DefaultActions)
		for _, r := range l.Rules {
			mark(r.Actions)
		}
	}
	return used
}

func groupCookie(arn string) string {
	h := fnv.New64a()
	h.Write([]byte(arn))
	return strconv.FormatUint(h.Sum64(), 36)
}
