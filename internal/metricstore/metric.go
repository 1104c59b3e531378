package metricstore

import (
	"sort"
	"strings"
)

// Dimension is one name/value pair of a metric's identity.
type Dimension struct {
	Name, Value string
}

// Metric identifies a metric as CloudWatch does: namespace, name and the
// set of its dimensions (order does not matter; use NewMetric to sort them).
type Metric struct {
	Namespace, Name string
	// Dimensions are sorted by Name (names are unique within a metric).
	Dimensions []Dimension
}

// NewMetric returns the Metric with its dimensions sorted by name.
func NewMetric(namespace, name string, dims ...Dimension) Metric {
	d := append([]Dimension(nil), dims...)
	sort.Slice(d, func(i, j int) bool { return d[i].Name < d[j].Name })
	return Metric{Namespace: namespace, Name: name, Dimensions: d}
}

// key is the metric's identity as one string; the separators cannot occur
// in names (the operations layer refuses control characters).
func (m Metric) key() string {
	var b strings.Builder
	b.WriteString(m.Namespace)
	b.WriteByte(0)
	b.WriteString(m.Name)
	for _, d := range m.Dimensions {
		b.WriteByte(1)
		b.WriteString(d.Name)
		b.WriteByte(2)
		b.WriteString(d.Value)
	}
	return b.String()
}

// Equal reports whether both name the same metric.
func (m Metric) Equal(o Metric) bool { return m.key() == o.key() }

// Dimension returns the value of the dimension called name.
func (m Metric) Dimension(name string) (string, bool) {
	for _, d := range m.Dimensions {
		if d.Name == name {
			return d.Value, true
		}
	}
	return "", false
}
