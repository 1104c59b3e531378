package lblink

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

// gatherDelimited gathers g's metric families as delimited protobuf, the
// Prometheus exposition format that loses nothing.
func gatherDelimited(g prometheus.Gatherer) ([]byte, error) {
	if g == nil {
		return nil, nil
	}
	families, err := g.Gather()
	if err != nil {
		return nil, fmt.Errorf("gathering metrics: %w", err)
	}
	var buf bytes.Buffer
	enc := expfmt.NewEncoder(&buf, expfmt.NewFormat(expfmt.TypeProtoDelim))
	for _, f := range families {
		if err := enc.Encode(f); err != nil {
			return nil, fmt.Errorf("encoding metrics: %w", err)
		}
	}
	return buf.Bytes(), nil
}

// parseDelimited decodes what gatherDelimited encoded.
func parseDelimited(b []byte) ([]*dto.MetricFamily, error) {
	dec := expfmt.NewDecoder(bytes.NewReader(b), expfmt.NewFormat(expfmt.TypeProtoDelim))
	var out []*dto.MetricFamily
	for {
		f := new(dto.MetricFamily)
		err := dec.Decode(f)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("decoding the data plane's metrics: %w", err)
		}
		out = append(out, f)
	}
}
