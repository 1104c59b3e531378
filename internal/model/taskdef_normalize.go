package model

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// namePattern is ECS's rule for family and container names: up to 255
// letters, digits, hyphens and underscores.
var namePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,255}$`)

// doc is a decoded JSON object whose numbers are kept as json.Number, so that
// fields Slipway does not interpret are echoed exactly as given.
type doc = map[string]any

// Registration is a validated RegisterTaskDefinition request.
type Registration struct {
	// Document is the definition ECS would echo (see NormalizeTaskDefinition).
	Document json.RawMessage
	Spec     TaskSpec
	Tags     []Tag
}

// responseOnlyFields are TaskDefinition fields ECS computes; a request that
// carries them has them ignored, so they never shadow the computed values.
var responseOnlyFields = []string{"taskDefinitionArn", "revision", "status", "registeredAt", "deregisteredAt",
	"registeredBy", "requiresAttributes", "compatibilities", "deleteRequestedAt"}

// NormalizeTaskDefinition validates a RegisterTaskDefinition request (without
// its tags) the way ECS does and returns the document ECS would echo: every
// given field unchanged, plus ECS's defaults (essential true, protocol tcp,
// health-check timings, empty lists), with cpu and memory in ECS's canonical
// types (task level: strings of CPU units and MiB; container level: integers).
func NormalizeTaskDefinition(raw []byte) (json.RawMessage, TaskSpec, error) {
	r, err := NormalizeRegistration(raw)
	return r.Document, r.Spec, err
}

// NormalizeRegistration is NormalizeTaskDefinition that also returns the
// request's tags, decoding the request once.
func NormalizeRegistration(raw []byte) (Registration, error) {
	if err := checkRegistrationSize(raw); err != nil {
		return Registration{}, err
	}
	var d doc
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&d); err != nil || d == nil {
		return Registration{}, &ValidationError{Kind: "SerializationException", Message: "task definition must be a JSON object"}
	}
	tags, err := takeTags(d)
	if err != nil {
		return Registration{}, err
	}
	for _, k := range responseOnlyFields {
		delete(d, k)
	}
	if err := normalizeTaskLevel(d); err != nil {
		return Registration{}, err
	}
	out, err := json.Marshal(d)
	if err != nil {
		return Registration{}, fmt.Errorf("encode task definition: %w", err)
	}
	if len(out) > MaxTaskDefinitionBytes {
		return Registration{}, taskDefinitionTooLarge(len(out))
	}
	var spec TaskSpec
	if err := json.Unmarshal(out, &spec); err != nil {
		return Registration{}, serializationError(err)
	}
	if err := validateSpec(&spec); err != nil {
		return Registration{}, err
	}
	return Registration{Document: out, Spec: spec, Tags: tags}, nil
}

// takeTags removes the request's tags from the document and decodes them.
func takeTags(d doc) ([]Tag, error) {
	raw, ok := d["tags"]
	delete(d, "tags")
	if !ok || raw == nil {
		return nil, nil
	}
	b, _ := json.Marshal(raw)
	var tags []Tag
	if err := json.Unmarshal(b, &tags); err != nil {
		return nil, serializationError(err)
	}
	return tags, ValidateTags(tags)
}

func serializationError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return &ValidationError{Kind: "SerializationException",
			Message: fmt.Sprintf("Cannot deserialize value of type %s for field %q", te.Type, te.Field)}
	}
	return &ValidationError{Kind: "SerializationException", Message: err.Error()}
}

func normalizeTaskLevel(d doc) error {
	family, _ := d["family"].(string)
	if family == "" {
		return clientErr("Family cannot be blank.")
	}
	if !namePattern.MatchString(family) {
		return clientErr("Family contains invalid characters: up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are allowed.")
	}
	if err := checkEnum(d, "networkMode", "bridge", "host", "awsvpc", "none"); err != nil {
		return err
	}
	for _, k := range []string{"cpu", "memory"} {
		if err := normalizeTaskSize(d, k); err != nil {
			return err
		}
	}
	if err := checkEnumList(d, "requiresCompatibilities", "EC2", "FARGATE", "EXTERNAL", "MANAGED_INSTANCES"); err != nil {
		return err
	}
	for _, k := range []string{"volumes", "placementConstraints"} {
		if _, ok := d[k]; !ok {
			d[k] = []any{}
		}
	}
	defs, ok := d["containerDefinitions"].([]any)
	if !ok || len(defs) == 0 {
		return clientErr("Container list cannot be empty.")
	}
	if len(defs) > MaxContainersPerTaskDefinition {
		return clientErr("Too many containers.")
	}
	mode, _ := d["networkMode"].(string)
	for _, c := range defs {
		cd, ok := c.(doc)
		if !ok {
			return &ValidationError{Kind: "SerializationException", Message: "containerDefinitions must be a list of objects"}
		}
		if err := normalizeContainer(cd, mode); err != nil {
			return err
		}
	}
	return nil
}

func checkEnum(d doc, key string, allowed ...string) error {
	v, present := d[key]
	if !present {
		return nil
	}
	s, _ := v.(string)
	for _, a := range allowed {
		if s == a {
			return nil
		}
	}
	return paramErr("Invalid %s: %v. Valid values are %s.", key, v, strings.Join(allowed, ", "))
}

func checkEnumList(d doc, key string, allowed ...string) error {
	list, _ := d[key].([]any)
	for _, v := range list {
		if err := checkEnum(doc{key: v}, key, allowed...); err != nil {
			return err
		}
	}
	return nil
}

// sizePattern is a task-level size as ECS takes it: a decimal number,
// optionally with a unit (vCPU for cpu, GB for memory).
var sizePattern = regexp.MustCompile(`^([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]*)$`)

// normalizeTaskSize turns task-level cpu ("256", 256, "1 vCPU") and memory
// ("512", 512, "1GB", "1 GB") into ECS's canonical strings of units and MiB.
// The result must be a whole number of at least 1.
func normalizeTaskSize(d doc, key string) error {
	v, ok := d[key]
	if !ok || v == nil {
		return nil
	}
	m := sizePattern.FindStringSubmatch(strings.TrimSpace(fmt.Sprint(v)))
	if m == nil {
		return clientErr("Invalid '%s' setting for task.", key)
	}
	mult := 1.0
	switch unit := strings.ToLower(m[2]); {
	case unit == "":
	case key == "cpu" && unit == "vcpu", key == "memory" && unit == "gb":
		mult = 1024
	default:
		return clientErr("Invalid '%s' setting for task.", key)
	}
	f, err := strconv.ParseFloat(m[1], 64)
	n := math.Round(f * mult)
	if err != nil || n < 1 || n > 1<<31 {
		return clientErr("Invalid '%s' setting for task.", key)
	}
	d[key] = strconv.Itoa(int(n))
	return nil
}

// containerInt normalises an integer field given as a number or a numeric
// string, as ECS accepts cpu and memory in either form.
func containerInt(cd doc, key, name string) error {
	v, ok := cd[key]
	if !ok || v == nil {
		return nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(fmt.Sprint(v)))
	if err != nil || n < 0 {
		return clientErr("Invalid '%s' setting for container '%s'.", key, name)
	}
	cd[key] = n
	return nil
}

func normalizeContainer(cd doc, mode string) error {
	name, _ := cd["name"].(string)
	if name == "" {
		return clientErr("Container.name should not be null or empty.")
	}
	if !namePattern.MatchString(name) {
		return clientErr("Container.name contains invalid characters: up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are allowed.")
	}
	if img, _ := cd["image"].(string); strings.TrimSpace(img) == "" {
		return clientErr("Container.image should not be null or empty.")
	}
	if _, ok := cd["essential"]; !ok {
		cd["essential"] = true
	}
	if _, ok := cd["cpu"]; !ok {
		cd["cpu"] = 0
	}
	for _, k := range []string{"cpu", "memory", "memoryReservation"} {
		if err := containerInt(cd, k, name); err != nil {
			return err
		}
	}
	for _, k := range []string{"environment", "mountPoints", "volumesFrom", "portMappings"} {
		if _, ok := cd[k]; !ok {
			cd[k] = []any{}
		}
	}
	if pms, ok := cd["portMappings"].([]any); ok {
		for _, p := range pms {
			pm, ok := p.(doc)
			if !ok {
				continue // a type error, reported when the typed spec is decoded
			}
			if _, ok := pm["protocol"]; !ok {
				pm["protocol"] = "tcp"
			}
			_, hasHost := pm["hostPort"]
			switch {
			case hasHost || pm["containerPort"] == nil:
			case mode == "awsvpc" || mode == "host":
				pm["hostPort"] = pm["containerPort"]
			default: // bridge: a dynamic host port, which ECS answers as 0
				pm["hostPort"] = 0
			}
		}
	}
	if hc, ok := cd["healthCheck"].(doc); ok {
		for k, def := range map[string]int{"interval": 30, "timeout": 5, "retries": 3} {
			if _, ok := hc[k]; !ok {
				hc[k] = def
			}
		}
	}
	return nil
}

// ValidName reports whether s is a valid ECS name for a cluster, service,
// family or container: 1-255 letters, digits, hyphens and underscores.
func ValidName(s string) bool { return namePattern.MatchString(s) }
