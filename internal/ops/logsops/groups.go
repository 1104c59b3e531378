package logsops

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/slipway-dev/slipway/internal/awserr"
	"github.com/slipway-dev/slipway/internal/logstore"
)

// CreateLogGroup creates a log group. Its events never expire until a retention
// policy is put. kmsKeyId and logGroupClass are stored and echoed (nothing is
// encrypted with KMS here, and every class supports every feature);
// deletionProtectionEnabled is honoured by DeleteLogGroup.
func (s *Service) CreateLogGroup(_ context.Context, in *CreateLogGroupInput) error {
	v := &validation{}
	v.groupName("logGroupName", in.LogGroupName, true)
	if in.KMSKeyID != "" {
		v.str("kmsKeyId", in.KMSKeyID, 0, maxKMSKeyLen, nil, "")
	}
	v.tags("tags", in.Tags, 1)
	v.enum("logGroupClass", in.LogGroupClass, groupClasses)
	if err := v.err(); err != nil {
		return err
	}
	tags, err := withSystemTags(in.Tags, in.systemTags)
	if err != nil {
		return err
	}
	if strings.HasPrefix(in.LogGroupName, "aws/") {
		return awserr.New(codeInvalidParameter, "Log group names can't start with 'aws/': that prefix is reserved for AWS services.")
	}
	if len(s.store.Groups()) >= MaxLogGroups {
		return awserr.New(codeLimitExceeded, "Resource limit exceeded.")
	}
	class := in.LogGroupClass
	if class == "" {
		class = "STANDARD"
	}
	return storeErr(s.store.CreateGroup(logstore.GroupSettings{Name: in.LogGroupName, KMSKeyID: in.KMSKeyID,
		Class: class, DeletionProtection: in.DeletionProtectionEnabled != nil && *in.DeletionProtectionEnabled, Tags: tags}))
}

// DescribeLogGroups lists log groups, ASCII-sorted by name.
func (s *Service) DescribeLogGroups(_ context.Context, in *DescribeLogGroupsInput) (*DescribeLogGroupsOutput, error) {
	v := &validation{}
	v.groupName("logGroupNamePrefix", in.LogGroupNamePrefix, false)
	v.str("logGroupNamePattern", in.LogGroupNamePattern, 0, maxNameLen, anchored(`[\.\-_/#A-Za-z0-9]*`), `[\.\-_/#A-Za-z0-9]*`)
	if in.LogGroupIdentifiers != nil {
		v.listLen("logGroupIdentifiers", len(in.LogGroupIdentifiers), 1, maxGroupIdents)
		for _, id := range in.LogGroupIdentifiers {
			v.str("logGroupIdentifiers.member", id, 1, maxIdentLen, reGroupIdent, patGroupIdent)
		}
	}
	v.enum("logGroupClass", in.LogGroupClass, groupClasses)
	v.listLen("accountIdentifiers", len(in.AccountIdentifiers), 0, maxAccountIDs)
	v.intRange("limit", in.Limit, 1, maxDescribeLimit)
	v.nextToken("nextToken", in.NextToken)
	if err := v.err(); err != nil {
		return nil, err
	}
	if in.LogGroupNamePrefix != "" && in.LogGroupNamePattern != "" {
		return nil, awserr.New(codeInvalidParameter, "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.")
	}
	if in.LogGroupIdentifiers != nil && (in.LogGroupNamePrefix != "" || in.LogGroupNamePattern != "") {
		return nil, awserr.New(codeInvalidParameter, "logGroupIdentifiers cannot be combined with logGroupNamePrefix or logGroupNamePattern.")
	}
	after := ""
	if in.NextToken != "" {
		var err error
		if after, err = parseNameToken(in.NextToken); err != nil {
			return nil, err
		}
	}
	var names map[string]bool
	if in.LogGroupIdentifiers != nil {
		names = map[string]bool{}
		for _, id := range in.LogGroupIdentifiers {
			if g, ok := s.groupFromARN(id); ok {
				names[g] = true
			} else if !strings.HasPrefix(id, "arn:") {
				names[id] = true
			}
		}
	}
	limit := limitOr(in.Limit, maxDescribeLimit)
	out := &DescribeLogGroupsOutput{LogGroups: []LogGroup{}}
	for _, g := range s.store.Groups() {
		switch {
		case g.Name <= after,
			names != nil && !names[g.Name],
			!strings.HasPrefix(g.Name, in.LogGroupNamePrefix),
			!strings.Contains(g.Name, in.LogGroupNamePattern),
			in.LogGroupClass != "" && g.Class != in.LogGroupClass:
			continue
		}
		if len(out.LogGroups) == limit {
			out.NextToken = nameToken(out.LogGroups[limit-1].LogGroupName)
			break
		}
		out.LogGroups = append(out.LogGroups, s.logGroup(g))
	}
	return out, nil
}

func (s *Service) logGroup(g logstore.GroupInfo) LogGroup {
	lg := LogGroup{LogGroupName: g.Name, CreationTime: g.CreatedMs, ARN: s.GroupARN(g.Name), LogGroupARN: s.GroupARNBare(g.Name),
		StoredBytes: g.StoredBytes, KMSKeyID: g.KMSKeyID, LogGroupClass: g.Class, DeletionProtectionEnabled: g.DeletionProtection}
	if g.RetentionDays > 0 {
		lg.RetentionInDays = ptr(g.RetentionDays)
	}
	return lg
}

func limitOr(limit *int, def int) int {
	if limit == nil {
		return def
	}
	return *limit
}

// DeleteLogGroup deletes a log group and all its events, unless deletion
// protection is on.
func (s *Service) DeleteLogGroup(_ context.Context, in *DeleteLogGroupInput) error {
	v := &validation{}
	v.groupName("logGroupName", in.LogGroupName, true)
	if err := v.err(); err != nil {
		return err
	}
	g, err := s.store.Group(in.LogGroupName)
	if err != nil {
		return storeErr(err)
	}
	if g.DeletionProtection {
		return awserr.New(codeValidation, "Log group %s has deletion protection enabled: disable it before deleting the log group.", in.LogGroupName)
	}
	return storeErr(s.store.DeleteGroup(in.LogGroupName))
}

// PutRetentionPolicy sets how many days a group keeps its events. Events older
// than that are no longer returned at once, and are deleted within about an hour.
func (s *Service) PutRetentionPolicy(_ context.Context, in *PutRetentionPolicyInput) error {
	v := &validation{}
	v.groupName("logGroupName", in.LogGroupName, true)
	switch {
	case in.RetentionInDays == nil:
		v.fail(nil, "retentionInDays", "Member must not be null")
	case !slices.Contains(retentionDays, *in.RetentionInDays):
		v.fail(*in.RetentionInDays, "retentionInDays", "Member must satisfy enum value set: "+intList(retentionDays))
	}
	if err := v.err(); err != nil {
		return err
	}
	return s.setRetention(in.LogGroupName, *in.RetentionInDays)
}

// DeleteRetentionPolicy makes a group keep its events forever.
func (s *Service) DeleteRetentionPolicy(_ context.Context, in *DeleteRetentionPolicyInput) error {
	v := &validation{}
	v.groupName("logGroupName", in.LogGroupName, true)
	if err := v.err(); err != nil {
		return err
	}
	return s.setRetention(in.LogGroupName, 0)
}

func (s *Service) setRetention(group string, days int) error {
	err := s.store.UpdateGroup(group, func(g *logstore.GroupSettings) error {
		g.RetentionDays = days
		return nil
	})
	if err == nil {
		s.log.Info("log group retention set", "group", group, "days", days)
	}
	return storeErr(err)
}

func intList(ns []int) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = strconv.Itoa(n)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
