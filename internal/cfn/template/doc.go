// Package template reads CloudFormation templates and evaluates them, with no
// I/O of its own: it is the pure half of Slipway's CloudFormation, on which the
// stack engine (CreateStack, UpdateStack, change sets) is built.
//
//   - Parse decodes a template body in JSON or YAML (with YAML's short-form
//     tags such as !Ref and !GetAtt) into a Template, checking its sections as
//     CloudFormation's ValidateTemplate does, with CloudFormation's messages.
//   - Template.Check adds the checks that need the resource-type catalog
//     (unknown types, Fn::GetAtt attributes).
//   - NewEvaluator binds a Template to parameter values, pseudo parameters
//     and lookups (exports, availability zones, SSM parameters), evaluates the
//     Conditions section, and resolves any part of the template (resource
//     properties, outputs) given a Resolver for the resources' physical ids and
//     attributes. A reference to a resource that has no physical id yet is
//     reported as an *UnresolvedError, or in preview mode (change sets) becomes
//     CloudFormation's "{{changeSet:KNOWN_AFTER_APPLY}}".
//   - Evaluator.Properties resolves any declared resource; the engine asks
//     Evaluator.Active first (a resource whose Condition is false does not
//     exist).
//   - References and PropertyReferences say what a value refers to
//     (parameters, resources, attributes), and DiffProperties lists what
//     changed between two resolved property maps, path by path: the stuff of
//     a change set's Details.
//   - Graph orders the resources by their explicit (DependsOn) and implicit
//     (Ref, Fn::GetAtt, Fn::Sub) dependencies in parallel levels, detects cycles
//     and gives the reverse order for deletion.
//   - Summarize gives what ValidateTemplate and GetTemplateSummary return,
//     including the capabilities the template needs; RequireCapabilities applies
//     CloudFormation's InsufficientCapabilities rule.
//
// Values in a parsed template are plain Go values: map[string]any, []any,
// string, json.Number, bool and nil. Intrinsic functions are single-key maps
// ({"Ref": "X"}, {"Fn::GetAtt": ["A", "B"]}), whichever syntax the template
// used. Errors are *awserr.Error values (code ValidationError, or
// InsufficientCapabilitiesException) in CloudFormation's words, whose cause is
// one of this package's sentinels.
package template
