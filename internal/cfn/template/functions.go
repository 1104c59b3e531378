package template

import "strings"

// Intrinsic function names, as they appear as the single key of a map.
const (
	fnRef          = "Ref"
	fnCondition    = "Condition"
	fnGetAtt       = "Fn::GetAtt"
	fnSub          = "Fn::Sub"
	fnJoin         = "Fn::Join"
	fnSelect       = "Fn::Select"
	fnSplit        = "Fn::Split"
	fnIf           = "Fn::If"
	fnEquals       = "Fn::Equals"
	fnAnd          = "Fn::And"
	fnOr           = "Fn::Or"
	fnNot          = "Fn::Not"
	fnFindInMap    = "Fn::FindInMap"
	fnImportValue  = "Fn::ImportValue"
	fnGetAZs       = "Fn::GetAZs"
	fnBase64       = "Fn::Base64"
	fnCidr         = "Fn::Cidr"
	fnLength       = "Fn::Length"
	fnToJSONString = "Fn::ToJsonString"
	fnTransform    = "Fn::Transform"
	fnForEach      = "Fn::ForEach"
)

// Transforms CloudFormation hosts. Slipway honours AWS::LanguageExtensions
// (the functions it adds are implemented here) and refuses the others.
const (
	TransformLanguageExtensions = "AWS::LanguageExtensions"
	TransformServerless         = "AWS::Serverless-2016-10-31"
	TransformInclude            = "AWS::Include"
)

// Pseudo parameters.
const (
	PseudoAccountID        = "AWS::AccountId"
	PseudoRegion           = "AWS::Region"
	PseudoStackName        = "AWS::StackName"
	PseudoStackID          = "AWS::StackId"
	PseudoPartition        = "AWS::Partition"
	PseudoURLSuffix        = "AWS::URLSuffix"
	PseudoNoValue          = "AWS::NoValue"
	PseudoNotificationARNs = "AWS::NotificationARNs"
)

// IsPseudoParameter reports whether name is one of the pseudo parameters.
func IsPseudoParameter(name string) bool {
	switch name {
	case PseudoAccountID, PseudoRegion, PseudoStackName, PseudoStackID, PseudoPartition,
		PseudoURLSuffix, PseudoNoValue, PseudoNotificationARNs:
		return true
	}
	return false
}

// baseFunctions are the functions usable in any template; the language
// extensions add Fn::Length and Fn::ToJsonString.
var baseFunctions = []string{
	fnBase64, fnGetAtt, fnGetAZs, fnImportValue, fnJoin, fnSplit, fnFindInMap,
	fnSelect, fnRef, fnEquals, fnIf, fnNot, fnCondition, fnAnd, fnOr, fnSub, fnCidr,
}

// asFunction reports whether v is a function call: a map of one key that is
// Ref, Condition or starts with "Fn::". inCondition says whether the
// Condition key is a function in this place (it is only inside conditions).
func asFunction(v any, inCondition bool) (name string, arg any, ok bool) {
	m, isMap := v.(map[string]any)
	if !isMap || len(m) != 1 {
		return "", nil, false
	}
	for k, a := range m {
		if k == fnRef || strings.HasPrefix(k, "Fn::") || (inCondition && k == fnCondition) {
			return k, a, true
		}
	}
	return "", nil, false
}

// unsupportedFunction is CloudFormation's message for a function it does not
// know in this template (Fn::Length without the language extensions, say).
func (t *Template) unsupportedFunction(name string) error {
	fns := append([]string(nil), baseFunctions...)
	if t.languageExtensions() {
		fns = append(fns, fnLength, fnToJSONString)
	}
	return templateErr("Encountered unsupported function: %s Supported functions are: [%s]", name, strings.Join(fns, ", "))
}
