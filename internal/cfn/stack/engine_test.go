package stack_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slipway-dev/slipway/internal/awserr"
	"github.com/slipway-dev/slipway/internal/cfn/providers"
	"github.com/slipway-dev/slipway/internal/cfn/stack"
	"github.com/slipway-dev/slipway/internal/logstore"
	"github.com/slipway-dev/slipway/internal/ops/logsops"
	"github.com/slipway-dev/slipway/internal/store"
	"github.com/slipway-dev/slipway/internal/testutil"
)

var ctx = context.Background()

// world is an engine over a real store and a real CloudWatch Logs
// operations layer.
type world struct {
	t      *testing.T
	dir    string
	db     *store.Bolt
	logs   *logsops.Service
	e      *stack.Engine
	cancel context.CancelFunc
	done   chan error
	// wrap, if set, wraps the log group provider (to hold a call).
	wrap func(stack.Provider) stack.Provider
	// now, if set, is the engine's clock.
	now func() time.Time
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{t: t, dir: t.TempDir()}
	ls, err := logstore.Open(t.TempDir(), logstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ls.Close() })
	w.logs = logsops.New(ls, logsops.Options{Region: "eu-central-1", Account: "123456789012"})
	w.start()
	t.Cleanup(w.stop)
	return w
}

func (w *world) start() {
	w.t.Helper()
	db, err := store.OpenBolt(w.dir)
	if err != nil {
		w.t.Fatal(err)
	}
	w.db = db
	var lg stack.Provider = providers.LogGroups{Ops: w.logs}
	if w.wrap != nil {
		lg = w.wrap(lg)
	}
	w.e = stack.New(stack.Options{Store: db, Region: "eu-central-1", Account: "123456789012", Now: w.now,
		Providers: map[string]stack.Provider{"AWS::Logs::LogGroup": lg}})
	runCtx, cancel := context.WithCancel(context.Background())
	w.cancel, w.done = cancel, make(chan error, 1)
	go func() { w.done <- w.e.Run(runCtx) }()
}

func (w *world) stop() {
	if w.cancel == nil {
		return
	}
	w.cancel()
	if err := <-w.done; err != nil {
		w.t.Error(err)
	}
	w.cancel = nil
	w.db.Close()
}

// wait polls until the stack reaches a status that is not in progress and
// returns it.
func (w *world) wait(name string) stack.Stack {
	w.t.Helper()
	var s stack.Stack
	testutil.Eventually(w.t, 10*time.Second, func() (bool, string) {
		ss, err := w.e.DescribeStacks(ctx, name)
		if err != nil {
			return false, err.Error()
		}
		s = ss[0]
		return !strings.HasSuffix(s.Status, "_IN_PROGRESS"), s.Status
	})
	return s
}

func (w *world) groups() map[string]*int {
	out, err := w.logs.DescribeLogGroups(ctx, &logsops.DescribeLogGroupsInput{})
	if err != nil {
		w.t.Fatal(err)
	}
	m := map[string]*int{}
	for _, g := range out.LogGroups {
		m[g.LogGroupName] = g.RetentionInDays
	}
	return m
}

func (w *world) statuses(name string) []string {
	evs, err := w.e.Events(ctx, name)
	if err != nil {
		w.t.Fatal(err)
	}
	var out []string
	for i := len(evs) - 1; i >= 0; i-- {
		s := evs[i].LogicalID + " " + evs[i].Status
		if evs[i].Reason != "" {
			s += " " + evs[i].Reason
		}
		out = append(out, s)
	}
	return out
}

const logsTemplate = `
Parameters:
  Days: {Type: Number, Default: 7}
  Name: {Type: String, Default: app}
Resources:
  VPC:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16}
  Group:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: !Sub '${Name}-${VPC}'
      RetentionInDays: !Ref Days
  Unnamed:
    Type: AWS::Logs::LogGroup
    DeletionPolicy: Retain
Outputs:
  GroupArn:
    Value: !GetAtt Group.Arn
    Export: {Name: !Sub '${AWS::StackName}:GroupArn'}
`

func params(kv ...string) []stack.ParameterInput {
	var out []stack.ParameterInput
	for i := 0; i < len(kv); i += 2 {
		out = append(out, stack.ParameterInput{Key: kv[i], Value: kv[i+1]})
	}
	return out
}

func TestCreateUpdateDelete(t *testing.T) {
	w := newWorld(t)
	id, err := w.e.CreateStack(ctx, &stack.CreateInput{StackName: "web", TemplateBody: logsTemplate})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(id, "arn:aws:cloudformation:eu-central-1:123456789012:stack/web/") {
		t.Errorf("stack id %s", id)
	}
	s := w.wait("web")
	if s.Status != stack.StatusCreateComplete {
		t.Fatalf("status %s %s\n%s", s.Status, s.StatusReason, strings.Join(w.statuses("web"), "\n"))
	}
	_, rs, _ := w.e.Resources(ctx, "web")
	phys := map[string]string{}
	for _, r := range rs {
		phys[r.LogicalID] = r.PhysicalID
	}
	group := "app-" + phys["VPC"]
	if phys["Group"] != group || !strings.HasPrefix(phys["Unnamed"], "web-Unnamed-") {
		t.Errorf("physical ids %v", phys)
	}
	if g := w.groups(); g[group] == nil || *g[group] != 7 || len(g) != 2 {
		t.Errorf("log groups %v", g)
	}
	if len(s.Outputs) != 1 || s.Outputs[0].Value != "arn:aws:logs:eu-central-1:123456789012:log-group:"+group+":*" {
		t.Errorf("outputs %v", s.Outputs)
	}
	want := []string{"web CREATE_IN_PROGRESS User Initiated", "VPC CREATE_IN_PROGRESS", "Unnamed CREATE_IN_PROGRESS",
		"VPC CREATE_COMPLETE", "Unnamed CREATE_COMPLETE", "Group CREATE_IN_PROGRESS", "Group CREATE_COMPLETE", "web CREATE_COMPLETE"}
	if got := w.statuses("web"); !sameSet(got, want) || got[0] != want[0] || got[len(got)-1] != want[len(want)-1] {
		t.Errorf("events\n%s", strings.Join(got, "\n"))
	}

	// The same template and parameters: nothing to do.
	_, err = w.e.UpdateStack(ctx, &stack.UpdateInput{StackName: "web", UsePreviousTemplate: true})
	if !errors.Is(err, stack.ErrNoUpdates) || err.Error() != "ValidationError: No updates are to be performed." {
		t.Errorf("no-op update: %v", err)
	}
	// A new retention updates in place.
	if _, err := w.e.UpdateStack(ctx, &stack.UpdateInput{StackName: "web", UsePreviousTemplate: true, Parameters: params("Days", "14")}); err != nil {
		t.Fatal(err)
	}
	if s := w.wait("web"); s.Status != stack.StatusUpdateComplete {
		t.Fatalf("update: %s %s", s.Status, s.StatusReason)
	}
	if g := w.groups(); *g[group] != 14 {
		t.Errorf("retention %v", *g[group])
	}
	// A new name replaces: the new group is made, the old one deleted at cleanup.
	if _, err := w.e.UpdateStack(ctx, &stack.UpdateInput{StackName: "web", UsePreviousTemplate: true,
		Parameters: []stack.ParameterInput{{Key: "Days", UsePreviousValue: true}, {Key: "Name", Value: "api"}}}); err != nil {
		t.Fatal(err)
	}
	if s := w.wait("web"); s.Status != stack.StatusUpdateComplete {
		t.Fatalf("replace: %s %s\n%s", s.Status, s.StatusReason, strings.Join(w.statuses("web"), "\n"))
	}
	g := w.groups()
	if _, ok := g[group]; ok || g["api-"+phys["VPC"]] == nil || *g["api-"+phys["VPC"]] != 14 {
		t.Errorf("after replacement %v", g)
	}
	ev := w.statuses("web")
	if !contains(ev, "Group UPDATE_IN_PROGRESS Requested update requires the creation of a new physical resource; hence creating one.") ||
		!contains(ev, "web UPDATE_COMPLETE_CLEANUP_IN_PROGRESS") || !contains(ev, "Group DELETE_COMPLETE") {
		t.Errorf("replacement events\n%s", strings.Join(ev, "\n"))
	}

	if err := w.e.DeleteStack(ctx, &stack.DeleteInput{StackName: "web"}); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, 10*time.Second, func() (bool, string) {
		ss, err := w.e.DescribeStacks(ctx, id)
		return err == nil && ss[0].Status == stack.StatusDeleteComplete, ss[0].Status
	})
	if g := w.groups(); len(g) != 1 || !hasKey(g, phys["Unnamed"]) {
		t.Errorf("after delete (Unnamed is retained) %v", g)
	}
	if !contains(w.statuses(id), "Unnamed DELETE_SKIPPED") {
		t.Errorf("no DELETE_SKIPPED: %v", w.statuses(id))
	}
	if _, err := w.e.DescribeStacks(ctx, "web"); err == nil || err.Error() != "ValidationError: Stack with id web does not exist" {
		t.Errorf("describe deleted by name: %v", err)
	}
	if x, _ := w.e.Exports(ctx); len(x) != 0 {
		t.Errorf("exports left %v", x)
	}
}

func TestCreateFailureRollsBack(t *testing.T) {
	w := newWorld(t)
	if _, err := w.e.CreateStack(ctx, &stack.CreateInput{StackName: "bad", TemplateBody: logsTemplate, Parameters: params("Days", "2")}); err != nil {
		t.Fatal(err)
	}
	s := w.wait("bad")
	if s.Status != stack.StatusRollbackComplete {
		t.Fatalf("status %s", s.Status)
	}
	ev := w.statuses("bad")
	if !contains(ev, "bad ROLLBACK_IN_PROGRESS The following resource(s) failed to create: [Group]. Rollback requested by user.") {
		t.Errorf("events\n%s", strings.Join(ev, "\n"))
	}
	failed := ""
	for _, e := range ev {
		if strings.HasPrefix(e, "Group CREATE_FAILED ") {
			failed = e
		}
	}
	if !strings.Contains(failed, `Resource handler returned message: "1 validation error detected: Value '2' at 'retentionInDays'`) ||
		!strings.Contains(failed, "HandlerErrorCode: InvalidRequest)") {
		t.Errorf("failure reason %q", failed)
	}
	if g := w.groups(); len(g) != 1 { // Unnamed is Retain: kept, as CloudFormation keeps it
		t.Errorf("groups after rollback %v", g)
	}
	// A ROLLBACK_COMPLETE stack can only be deleted.
	_, err := w.e.UpdateStack(ctx, &stack.UpdateInput{StackName: "bad", UsePreviousTemplate: true})
	if !errors.Is(err, stack.ErrStackBusy) || !strings.Contains(err.Error(), "is in ROLLBACK_COMPLETE state and can not be updated.") {
		t.Errorf("update of rolled back: %v", err)
	}
	// The name stays taken until deleted.
	_, err = w.e.CreateStack(ctx, &stack.CreateInput{StackName: "bad", TemplateBody: logsTemplate})
	if ae, ok := awserr.As(err); !ok || ae.Code != "AlreadyExistsException" || ae.Message != "Stack [bad] already exists" {
		t.Errorf("create again: %v", err)
	}
}

func TestUpdateFailureRollsBack(t *testing.T) {
	w := newWorld(t)
	if _, err := w.e.CreateStack(ctx, &stack.CreateInput{StackName: "app", TemplateBody: logsTemplate}); err != nil {
		t.Fatal(err)
	}
	w.wait("app")
	before := w.groups()
	// The new name replaces Group (made first), then the bad retention fails it.
	if _, err := w.e.UpdateStack(ctx, &stack.UpdateInput{StackName: "app", UsePreviousTemplate: true, Parameters: params("Days", "2", "Name", "new")}); err != nil {
		t.Fatal(err)
	}
	s := w.wait("app")
	if s.Status != stack.StatusUpdateRollbackComplete {
		t.Fatalf("status %s %s\n%s", s.Status, s.StatusReason, strings.Join(w.statuses("app"), "\n"))
	}
	if after := w.groups(); len(after) != len(before) {
		t.Errorf("groups before %v after %v", before, after)
	}
	if p := s.Current.Parameters; p[0].Value != "7" || p[1].Value != "app" {
		t.Errorf("parameters after rollback %v", p)
	}
	ev := w.statuses("app")
	if !contains(ev, "app UPDATE_ROLLBACK_IN_PROGRESS The following resource(s) failed to update: [Group]. ") ||
		!contains(ev, "app UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS") || !contains(ev, "app UPDATE_ROLLBACK_COMPLETE") {
		t.Errorf("events\n%s", strings.Join(ev, "\n"))
	}
}

func TestCustomNamedReplacementFails(t *testing.T) {
	w := newWorld(t)
	body := "Parameters:\n  D: {Type: String}\nResources:\n  SG:\n    Type: AWS::EC2::SecurityGroup\n    Properties: {GroupName: web, GroupDescription: !Ref D}\n"
	if _, err := w.e.CreateStack(ctx, &stack.CreateInput{StackName: "n", TemplateBody: body, Parameters: params("D", "one")}); err != nil {
		t.Fatal(err)
	}
	w.wait("n")
	if _, err := w.e.UpdateStack(ctx, &stack.UpdateInput{StackName: "n", UsePreviousTemplate: true, Parameters: params("D", "two")}); err != nil {
		t.Fatal(err)
	}
	if s := w.wait("n"); s.Status != stack.StatusUpdateRollbackComplete {
		t.Fatalf("status %s", s.Status)
	}
	want := "SG UPDATE_FAILED CloudFormation cannot update a stack when a custom-named resource requires replacing. Rename web and update the stack again."
	if ev := w.statuses("n"); !contains(ev, want) {
		t.Errorf("events\n%s", strings.Join(ev, "\n"))
	}
}

// heldProvider holds each Create until released, to interrupt an
// operation.
type heldProvider struct {
	stack.Provider
	entered chan struct{}
	once    sync.Once
	// pass lets calls through (the stack's creation) until it is cleared.
	pass atomic.Bool
}

func (h *heldProvider) Create(ctx context.Context, req *stack.Request) (*stack.Result, error) {
	if h.pass.Load() {
		return h.Provider.Create(ctx, req)
	}
	h.once.Do(func() { close(h.entered) })
	<-ctx.Done()
	return nil, ctx.Err()
}

func TestCancelUpdateStackRollsBack(t *testing.T) {
	w := newWorld(t)
	held := &heldProvider{entered: make(chan struct{})}
	held.pass.Store(true)
	w.stop()
	w.wrap = func(p stack.Provider) stack.Provider { held.Provider = p; return held }
	w.start()
	if _, err := w.e.CreateStack(ctx, &stack.CreateInput{StackName: "c", TemplateBody: logsTemplate}); err != nil {
		t.Fatal(err)
	}
	w.wait("c")
	if err := w.e.CancelUpdateStack(ctx, "c"); err == nil || !strings.Contains(err.Error(), "CancelUpdateStack cannot be called from current stack status") {
		t.Errorf("cancel at rest: %v", err)
	}
	held.pass.Store(false)
	// A new name replaces Group: its creation is held until cancelled.
	if _, err := w.e.UpdateStack(ctx, &stack.UpdateInput{StackName: "c", UsePreviousTemplate: true, Parameters: params("Name", "other")}); err != nil {
		t.Fatal(err)
	}
	<-held.entered
	if err := w.e.CancelUpdateStack(ctx, "c"); err != nil {
		t.Fatal(err)
	}
	s := w.wait("c")
	ev := w.statuses("c")
	if s.Status != stack.StatusUpdateRollbackComplete || !contains(ev, "c UPDATE_ROLLBACK_IN_PROGRESS Stack update cancelled") ||
		!contains(ev, "Group UPDATE_FAILED Resource update cancelled") {
		t.Fatalf("%s\n%s", s.Status, strings.Join(ev, "\n"))
	}
	if g := w.groups(); len(g) != 2 {
		t.Errorf("groups %v", g)
	}
}

func TestRestartMidCreateRollsBack(t *testing.T) {
	w := newWorld(t)
	held := &heldProvider{entered: make(chan struct{})}
	w.stop()
	w.wrap = func(p stack.Provider) stack.Provider { held.Provider = p; return held }
	w.start()
	if _, err := w.e.CreateStack(ctx, &stack.CreateInput{StackName: "cut", TemplateBody: logsTemplate}); err != nil {
		t.Fatal(err)
	}
	<-held.entered
	w.stop() // the process ends while a log group is being made
	w.wrap = nil
	w.start()
	s := w.wait("cut")
	if s.Status != stack.StatusRollbackComplete {
		t.Fatalf("after restart %s %s", s.Status, s.StatusReason)
	}
	ev := w.statuses("cut")
	if !contains(ev, "cut ROLLBACK_IN_PROGRESS Slipway restarted while the operation was in progress") {
		t.Errorf("events\n%s", strings.Join(ev, "\n"))
	}
	if g := w.groups(); len(g) != 0 {
		t.Errorf("groups left %v", g)
	}
}

func TestChangeSets(t *testing.T) {
	w := newWorld(t)
	cs, err := w.e.CreateChangeSet(ctx, &stack.ChangeSetInput{StackName: "cs", ChangeSetName: "first", ChangeSetType: "CREATE", TemplateBody: logsTemplate})
	if err != nil {
		t.Fatal(err)
	}
	if cs.Status != "CREATE_COMPLETE" || len(cs.Changes) != 3 || cs.Changes[0].Action != "Add" {
		t.Fatalf("create change set %+v", cs)
	}
	if ss, _ := w.e.DescribeStacks(ctx, "cs"); ss[0].Status != stack.StatusReviewInProgress {
		t.Errorf("stack %s", ss[0].Status)
	}
	if err := w.e.ExecuteChangeSet(ctx, "cs", "first", false, ""); err != nil {
		t.Fatal(err)
	}
	if s := w.wait("cs"); s.Status != stack.StatusCreateComplete {
		t.Fatalf("executed: %s", s.Status)
	}
	got, _ := w.e.ChangeSet(ctx, "cs", cs.ID)
	if got.ExecutionStatus != "EXECUTE_COMPLETE" {
		t.Errorf("execution status %s", got.ExecutionStatus)
	}
	same, err := w.e.CreateChangeSet(ctx, &stack.ChangeSetInput{StackName: "cs", ChangeSetName: "same", UsePreviousTemplate: true})
	if err != nil || same.Status != "FAILED" || same.StatusReason != "The submitted information didn't contain changes. Submit different information to create a change set." {
		t.Errorf("no-change change set %+v %v", same, err)
	}
	upd, err := w.e.CreateChangeSet(ctx, &stack.ChangeSetInput{StackName: "cs", ChangeSetName: "days", UsePreviousTemplate: true, Parameters: params("Days", "30")})
	if err != nil {
		t.Fatal(err)
	}
	if len(upd.Changes) != 1 {
		t.Fatalf("changes %+v", upd.Changes)
	}
	c := upd.Changes[0]
	d := c.Details[0]
	if c.Action != "Modify" || c.LogicalID != "Group" || c.Replacement != "False" || d.Name != "RetentionInDays" ||
		d.ChangeSource != "ParameterReference" || d.CausingEntity != "Days" || d.BeforeValue != "7" || d.AfterValue != "30" || d.RequiresRecreation != "Never" {
		t.Errorf("change %+v", c)
	}
	err = w.e.ExecuteChangeSet(ctx, "cs", "same", false, "")
	if ae, ok := awserr.As(err); !ok || ae.Code != "InvalidChangeSetStatus" {
		t.Errorf("execute failed change set: %v", err)
	}
	if err := w.e.ExecuteChangeSet(ctx, "cs", "days", false, ""); err != nil {
		t.Fatal(err)
	}
	if s := w.wait("cs"); s.Status != stack.StatusUpdateComplete {
		t.Fatalf("executed update: %s", s.Status)
	}
	if list, _ := w.e.ChangeSets(ctx, "cs"); len(list) != 1 || list[0].Name != "days" {
		t.Errorf("change sets after execution %v", list)
	}
}

func TestImportedExportBlocksDelete(t *testing.T) {
	w := newWorld(t)
	if _, err := w.e.CreateStack(ctx, &stack.CreateInput{StackName: "net", TemplateBody: logsTemplate}); err != nil {
		t.Fatal(err)
	}
	w.wait("net")
	if x, err := w.e.Exports(ctx); len(x) != 1 {
		t.Fatalf("exports %v %v", x, err)
	}
	user := "Resources:\n  G:\n    Type: AWS::Logs::LogGroup\n    Properties:\n      LogGroupName: !Select [5, !Split [':', !ImportValue 'net:GroupArn']]\n"
	if _, err := w.e.CreateStack(ctx, &stack.CreateInput{StackName: "svc", TemplateBody: user}); err != nil {
		t.Fatal(err)
	}
	if s := w.wait("svc"); s.Status != stack.StatusCreateComplete {
		t.Fatalf("svc %s %s", s.Status, s.StatusReason)
	}
	if imp, err := w.e.Imports(ctx, "net:GroupArn"); err != nil || len(imp) != 1 || imp[0] != "svc" {
		t.Errorf("imports %v %v", imp, err)
	}
	if err := w.e.DeleteStack(ctx, &stack.DeleteInput{StackName: "net"}); err != nil {
		t.Fatal(err)
	}
	if s := w.wait("net"); s.Status != stack.StatusDeleteFailed || s.StatusReason != "Export net:GroupArn cannot be deleted as it is in use by svc" {
		t.Errorf("delete net: %s %s", s.Status, s.StatusReason)
	}
	_, err := w.e.CreateStack(ctx, &stack.CreateInput{StackName: "x", TemplateBody: strings.Replace(user, "net:GroupArn", "nope", 1)})
	if err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("missing export: %v", err)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]int{}
	for _, x := range a {
		m[x]++
	}
	for _, x := range b {
		m[x]--
	}
	for _, n := range m {
		if n != 0 {
			return false
		}
	}
	return true
}

func hasKey[V any](m map[string]V, k string) bool {
	_, ok := m[k]
	return ok
}

func TestOnFailure(t *testing.T) {
	w := newWorld(t)
	if _, err := w.e.CreateStack(ctx, &stack.CreateInput{StackName: "keep", TemplateBody: logsTemplate, Parameters: params("Days", "2"),
		OnFailure: stack.OnFailureDoNothing}); err != nil {
		t.Fatal(err)
	}
	if s := w.wait("keep"); s.Status != stack.StatusCreateFailed || s.StatusReason != "The following resource(s) failed to create: [Group]. " {
		t.Errorf("DO_NOTHING: %s %q", s.Status, s.StatusReason)
	}
	id, err := w.e.CreateStack(ctx, &stack.CreateInput{StackName: "gone", TemplateBody: strings.Replace(logsTemplate, "app", "b", 1),
		Parameters: params("Days", "2"), OnFailure: stack.OnFailureDelete})
	if err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, 10*time.Second, func() (bool, string) {
		ss, err := w.e.DescribeStacks(ctx, id)
		return err == nil && ss[0].Status == stack.StatusDeleteComplete, ss[0].Status
	})
	ev := w.statuses(id)
	if !contains(ev, "gone ROLLBACK_IN_PROGRESS The following resource(s) failed to create: [Group]. Rollback requested by user.") ||
		!contains(ev, "gone DELETE_IN_PROGRESS User Initiated") {
		t.Errorf("DELETE events\n%s", strings.Join(ev, "\n"))
	}
	_, err = w.e.CreateStack(ctx, &stack.CreateInput{StackName: "x", TemplateBody: logsTemplate, DisableRollback: true, OnFailure: "DELETE"})
	if !errors.Is(err, stack.ErrInvalidInput) {
		t.Errorf("both: %v", err)
	}
}

func TestRestartMidUpdateRollsBack(t *testing.T) {
	w := newWorld(t)
	held := &heldProvider{entered: make(chan struct{})}
	held.pass.Store(true)
	w.stop()
	w.wrap = func(p stack.Provider) stack.Provider { held.Provider = p; return held }
	w.start()
	if _, err := w.e.CreateStack(ctx, &stack.CreateInput{StackName: "u", TemplateBody: logsTemplate}); err != nil {
		t.Fatal(err)
	}
	w.wait("u")
	before := w.groups()
	held.pass.Store(false)
	if _, err := w.e.UpdateStack(ctx, &stack.UpdateInput{StackName: "u", UsePreviousTemplate: true, Parameters: params("Name", "new", "Days", "14")}); err != nil {
		t.Fatal(err)
	}
	<-held.entered
	w.stop() // the process ends while Group's replacement is being made
	w.wrap = nil
	w.start()
	s := w.wait("u")
	ev := w.statuses("u")
	if s.Status != stack.StatusUpdateRollbackComplete || !contains(ev, "u UPDATE_ROLLBACK_IN_PROGRESS Slipway restarted while the operation was in progress") {
		t.Fatalf("%s\n%s", s.Status, strings.Join(ev, "\n"))
	}
	after := w.groups()
	if len(after) != len(before) {
		t.Errorf("groups before %v after %v", before, after)
	}
	for name, days := range before {
		if a, ok := after[name]; !ok || (days != nil && (a == nil || *a != *days)) {
			t.Errorf("group %s: before %v after %v", name, days, a)
		}
	}
}

func TestDetectStackDrift(t *testing.T) {
	w := newWorld(t)
	if _, err := w.e.CreateStack(ctx, &stack.CreateInput{StackName: "d", TemplateBody: logsTemplate}); err != nil {
		t.Fatal(err)
	}
	w.wait("d")
	id, err := w.e.DetectStackDrift(ctx, "d")
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := w.e.Detection(ctx, id); d.StackDriftStatus != stack.DriftInSync {
		t.Errorf("in sync: %+v", d)
	}
	_, rs, _ := w.e.Resources(ctx, "d")
	var group string
	for _, r := range rs {
		if r.LogicalID == "Group" {
			group = r.PhysicalID
		}
	}
	thirty := 30
	if err := w.logs.PutRetentionPolicy(ctx, &logsops.PutRetentionPolicyInput{LogGroupName: group, RetentionInDays: &thirty}); err != nil {
		t.Fatal(err)
	}
	id, err = w.e.DetectStackDrift(ctx, "d")
	if err != nil {
		t.Fatal(err)
	}
	d, err := w.e.Detection(ctx, id)
	if err != nil || d.StackDriftStatus != stack.DriftDrifted || d.DriftedCount != 1 {
		t.Fatalf("drifted: %+v %v", d, err)
	}
	got := map[string]stack.ResourceDrift{}
	for _, r := range d.Resources {
		got[r.LogicalID] = r
	}
	g := got["Group"]
	if g.Status != stack.DriftModified || len(g.Differences) != 1 || g.Differences[0].Path != "/Properties/RetentionInDays" ||
		g.Differences[0].Expected != "7" || g.Differences[0].Actual != "30" {
		t.Errorf("Group drift %+v", g)
	}
	if got["Unnamed"].Status != stack.DriftInSync || got["VPC"].Status != stack.DriftNotChecked {
		t.Errorf("others %+v", got)
	}
	if err := w.logs.DeleteLogGroup(ctx, &logsops.DeleteLogGroupInput{LogGroupName: group}); err != nil {
		t.Fatal(err)
	}
	id, _ = w.e.DetectStackDrift(ctx, "d")
	if d, _ := w.e.Detection(ctx, id); d.Resources[0].LogicalID != "Group" || d.Resources[0].Status != stack.DriftDeleted {
		t.Errorf("deleted: %+v", d.Resources)
	}
}

// TestCreationTimeout: a creation still making resources when its
// TimeoutInMinutes has passed is cancelled and rolls back with
// CloudFormation's reason.
func TestCreationTimeout(t *testing.T) {
	w := newWorld(t)
	held := &heldProvider{entered: make(chan struct{})}
	// Each reading of the engine's clock is a minute after the previous
	// one: the creation's 1-minute deadline has passed when it starts.
	var minutes atomic.Int64
	start := time.Now()
	w.stop()
	w.wrap = func(p stack.Provider) stack.Provider { held.Provider = p; return held }
	w.now = func() time.Time { return start.Add(time.Duration(minutes.Add(1)) * time.Minute) }
	w.start()
	if _, err := w.e.CreateStack(ctx, &stack.CreateInput{StackName: "slow", TemplateBody: logsTemplate, TimeoutInMinutes: 1}); err != nil {
		t.Fatal(err)
	}
	s := w.wait("slow")
	ev := w.statuses("slow")
	if s.Status != stack.StatusRollbackComplete ||
		!contains(ev, "slow ROLLBACK_IN_PROGRESS Stack creation time exceeded the specified timeout. Rollback requested by user.") {
		t.Fatalf("%s\n%s", s.Status, strings.Join(ev, "\n"))
	}
	if g := w.groups(); len(g) != 0 {
		t.Errorf("groups left: %v", g)
	}
}
