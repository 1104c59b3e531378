package stack

import (
	"context"
	"regexp"

	"github.com/slipway-dev/slipway/internal/cfn/template"
)

// ParameterInput is a parameter as CreateStack, UpdateStack and
// CreateChangeSet take it.
type ParameterInput struct {
	Key, Value       string
	UsePreviousValue bool
}

// stackNamePattern is CloudFormation's rule for stack names.
var stackNamePattern = regexp.MustCompile(`^[a-zA-Z][-a-zA-Z0-9]{0,127}$`)

func checkStackName(name string) error {
	if !stackNamePattern.MatchString(name) {
		return validation(ErrInvalidInput, "1 validation error detected: Value '%s' at 'stackName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*|arn:[-a-zA-Z0-9:/._+]*", name)
	}
	return nil
}

// prepared is a configuration checked as CloudFormation checks it before
// it accepts an operation.
type prepared struct {
	cfg Config
	t   *template.Template
	ev  *template.Evaluator
}

// prepare parses and checks a template, binds the parameters (taking
// UsePreviousValue ones from prev) and applies the capabilities rule. The
// caller then previews every resource (preview, or the planner does it), so
// that a bad reference or a missing export fails the call rather than the
// operation.
func (e *Engine) prepare(ctx context.Context, name, id, body string, params []ParameterInput, prev []Parameter, cfg Config) (*prepared, error) {
	if body == "" {
		return nil, validation(ErrInvalidInput, "Either Template URL or Template Body must be specified.")
	}
	t, err := e.parse(body)
	if err != nil {
		return nil, err
	}
	values := map[string]string{}
	old := paramMap(prev)
	for _, p := range params {
		if p.UsePreviousValue {
			v, ok := old[p.Key]
			if !ok {
				return nil, validation(ErrInvalidInput, "Invalid input for parameter key %s. Cannot specify usePreviousValue as true for a parameter key not in the previous template", p.Key)
			}
			values[p.Key] = v
			continue
		}
		values[p.Key] = p.Value
	}
	if err := template.RequireCapabilities(t.Summarize().Capabilities, cfg.Capabilities); err != nil {
		return nil, err
	}
	o := &op{e: e, ctx: ctx, stack: &Stack{ID: id, Name: name}, res: map[string]*Resource{}, exports: map[string]Export{}, imported: map[string]bool{}}
	if err := e.view(ctx, func(t tx) error {
		xs, err := t.exports()
		for _, x := range xs {
			o.exports[x.Name] = x
		}
		return err
	}); err != nil {
		return nil, err
	}
	ev, err := template.NewEvaluator(t, template.Inputs{Parameters: values, Pseudo: e.pseudo(name, id), Exports: o})
	if err != nil {
		return nil, err
	}
	if _, err := ev.Graph(); err != nil {
		return nil, err
	}
	cfg.Template = body
	cfg.Parameters = nil
	for _, pv := range ev.ParameterValues() {
		cfg.Parameters = append(cfg.Parameters, Parameter{Key: pv.Key, Value: pv.Value, ResolvedValue: pv.ResolvedValue, NoEcho: pv.NoEcho})
	}
	return &prepared{cfg: cfg, t: t, ev: ev}, nil
}

// preview resolves every resource's properties as far as they can be
// before anything exists.
func (p *prepared) preview() error {
	for _, id := range p.ev.ActiveResources() {
		if _, err := p.ev.PreviewProperties(id, nobody{}); err != nil {
			return err
		}
	}
	return nil
}

// parse reads a template and applies the checks that need the type table.
func (e *Engine) parse(body string) (*template.Template, error) {
	t, err := template.Parse([]byte(body))
	if err != nil {
		return nil, err
	}
	if err := t.Check(e.cat); err != nil {
		return nil, err
	}
	return t, nil
}

// nobody is a Resolver that knows no resource: previews show
// KnownAfterApply for every resource reference.
type nobody struct{}

func (nobody) Ref(string) (any, bool)            { return nil, false }
func (nobody) GetAtt(string, string) (any, bool) { return nil, false }
