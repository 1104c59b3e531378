// Package acm serves the AWS Certificate Manager API (JSON 1.1, target prefix
// CertificateManager, signed for "acm") over the typed operations of package
// acmops: it decodes each request into the operation's input, calls it, and
// encodes the output or the *awserr.Error in ACM's JSON shapes. It holds no
// logic of its own.
package acm

import (
	"log/slog"

	"github.com/slipway-dev/slipway/internal/api/awsproto"
	"github.com/slipway-dev/slipway/internal/ops/acmops"
)

// TargetPrefix is the X-Amz-Target prefix of ACM operations; SigningName is
// the service its requests are signed for. Register the handler with
// router.HandleJSON(awsproto.JSONAPI{TargetPrefix: acm.TargetPrefix,
// SigningName: acm.SigningName}, handler).
const (
	TargetPrefix = "CertificateManager"
	SigningName  = "acm"
)

// New returns the handler of ACM's operations over svc.
func New(svc *acmops.Service, logger *slog.Logger) *awsproto.JSONHandler {
	return &awsproto.JSONHandler{TargetPrefix: TargetPrefix, ServerFault: "InternalFailure", Logger: logger, Ops: map[string]awsproto.JSONOp{
		"ImportCertificate":         awsproto.Op(svc.ImportCertificate, func(o *acmops.ImportCertificateOutput) any { return arnOut{o.CertificateArn} }),
		"RequestCertificate":        awsproto.Op(svc.RequestCertificate, func(o *acmops.RequestCertificateOutput) any { return arnOut{o.CertificateArn} }),
		"DescribeCertificate":       awsproto.Op(svc.DescribeCertificate, describeOut),
		"ListCertificates":          awsproto.Op(svc.ListCertificates, listOut),
		"GetCertificate":            awsproto.Op(svc.GetCertificate, getOut),
		"DeleteCertificate":         awsproto.NoOutput(svc.DeleteCertificate),
		"AddTagsToCertificate":      awsproto.NoOutput(svc.AddTagsToCertificate),
		"RemoveTagsFromCertificate": awsproto.NoOutput(svc.RemoveTagsFromCertificate),
		"ListTagsForCertificate":    awsproto.Op(svc.ListTagsForCertificate, tagsOut),
		"ExportCertificate":         awsproto.Op(svc.ExportCertificate, exportOut),
	}}
}
