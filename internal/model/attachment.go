package model

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"
)

// NetworkModeAwsvpc is the network mode in which every task has a network
// interface, and an address, of its own.
const NetworkModeAwsvpc = "awsvpc"

// The task attachment ECS reports for an awsvpc task's network interface,
// and the statuses Slipway moves it through.
const (
	AttachmentENI        = "ElasticNetworkInterface"
	AttachmentPrecreated = "PRECREATED"
	AttachmentAttached   = "ATTACHED"
	AttachmentDeleted    = "DELETED"
)

// Names of an ENI attachment's details, as ECS sends them.
const (
	DetailSubnetID           = "subnetId"
	DetailNetworkInterfaceID = "networkInterfaceId"
	DetailMACAddress         = "macAddress"
	DetailPrivateDNSName     = "privateDnsName"
	DetailPrivateIPv4Address = "privateIPv4Address"
)

// Attachment is a task attachment.
type Attachment struct {
	ID      string         `json:"id"`
	Type    string         `json:"type"`
	Status  string         `json:"status"`
	Details []KeyValuePair `json:"details"`
}

// NetworkInterface is a container's view of its task's network interface.
type NetworkInterface struct {
	AttachmentID       string `json:"attachmentId"`
	PrivateIPv4Address string `json:"privateIpv4Address"`
}

// NetworkConfiguration is RunTask's and a service's networkConfiguration.
type NetworkConfiguration struct {
	AwsvpcConfiguration *AwsvpcConfiguration `json:"awsvpcConfiguration,omitempty"`
}

// AwsvpcConfiguration names an awsvpc task's subnets and security groups.
// On one machine they select nothing; they are kept, and the first subnet
// is echoed in the task's attachment, as ECS reports it.
type AwsvpcConfiguration struct {
	Subnets        []string `json:"subnets"`
	SecurityGroups []string `json:"securityGroups,omitempty"`
	AssignPublicIP string   `json:"assignPublicIp,omitempty"`
}

// NewENIAttachment is the attachment of a new awsvpc task: PRECREATED in
// the first subnet, with no address yet.
func NewENIAttachment(cfg *AwsvpcConfiguration) Attachment {
	a := Attachment{ID: NewUUID(), Type: AttachmentENI, Status: AttachmentPrecreated, Details: []KeyValuePair{}}
	if cfg != nil && len(cfg.Subnets) > 0 {
		a.Details = append(a.Details, KeyValuePair{Name: DetailSubnetID, Value: cfg.Subnets[0]})
	}
	return a
}

// ENI returns the task's network interface attachment, or nil.
func (t *Task) ENI() *Attachment {
	for i := range t.Attachments {
		if t.Attachments[i].Type == AttachmentENI {
			return &t.Attachments[i]
		}
	}
	return nil
}

// Address is an awsvpc task's own address once assigned, else "".
func (t *Task) Address() string {
	if eni := t.ENI(); eni != nil {
		return eni.Detail(DetailPrivateIPv4Address)
	}
	return ""
}

// Detail returns the value of the named detail, or "".
func (a *Attachment) Detail(name string) string {
	for _, d := range a.Details {
		if d.Name == name {
			return d.Value
		}
	}
	return ""
}

func (a *Attachment) setDetail(name, value string) {
	for i := range a.Details {
		if a.Details[i].Name == name {
			a.Details[i].Value = value
			return
		}
	}
	a.Details = append(a.Details, KeyValuePair{Name: name, Value: value})
}

// Attach records the address the node gave the task and fills the details
// ECS reports for an attached interface: an interface id and MAC address
// derived from the attachment and the address, and the private DNS name
// EC2 would give that address in region.
func (a *Attachment) Attach(address, region string) {
	sum := sha256.Sum256([]byte(a.ID))
	a.setDetail(DetailNetworkInterfaceID, "eni-"+hex.EncodeToString(sum[:])[:17])
	a.setDetail(DetailMACAddress, macFor(address))
	a.setDetail(DetailPrivateDNSName, privateDNSName(address, region))
	a.setDetail(DetailPrivateIPv4Address, address)
	a.Status = AttachmentAttached
}

// macFor is a locally administered MAC address holding the IPv4 address.
func macFor(address string) string {
	ip, err := netip.ParseAddr(address)
	if err != nil || !ip.Is4() {
		return "02:00:00:00:00:00"
	}
	b := ip.As4()
	return fmt.Sprintf("02:00:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3])
}

// privateDNSName is EC2's name for a private address.
func privateDNSName(address, region string) string {
	host := "ip-" + strings.ReplaceAll(address, ".", "-")
	if region == "" || region == "us-east-1" {
		return host + ".ec2.internal"
	}
	return host + "." + region + ".compute.internal"
}

// RegionOf returns the region of an ARN (arn:PARTITION:SERVICE:REGION:...).
func RegionOf(arn string) string {
	parts := strings.SplitN(arn, ":", 5)
	if len(parts) < 5 {
		return ""
	}
	return parts[3]
}

// AwsvpcConfiguration returns the service's awsvpc configuration, or nil.
func (s *Service) AwsvpcConfiguration() *AwsvpcConfiguration {
	var nc NetworkConfiguration
	if len(s.NetworkConfiguration) == 0 || json.Unmarshal(s.NetworkConfiguration, &nc) != nil {
		return nil
	}
	return nc.AwsvpcConfiguration
}
