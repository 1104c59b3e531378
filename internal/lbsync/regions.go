package lbsync

import (
	"reflect"

	"github.com/slipway-dev/slipway/internal/l4"
	"github.com/slipway-dev/slipway/internal/lb"
	"github.com/slipway-dev/slipway/internal/state"
)

// compileRegions compiles the routing of tx's region and of every other
// region open in the same transaction (state.Tx.OtherRegions): the data
// planes bind this host's ports for all of them, and ARNs, which carry
// their region, keep their load balancers and target groups apart. elbops
// refuses a listener port another region's listener holds, so ports never
// collide here. The regions come in a fixed order (home, then by name), so
// the same records compile to the same configuration.
func compileRegions(tx state.Tx) (lb.Config, l4.Config, error) {
	cfg, err := Compile(tx)
	if err != nil {
		return cfg, l4.Config{}, err
	}
	network, err := CompileNetwork(tx)
	if err != nil {
		return cfg, network, err
	}
	for _, t := range tx.OtherRegions() {
		c, err := Compile(t)
		if err != nil {
			return cfg, network, err
		}
		n, err := CompileNetwork(t)
		if err != nil {
			return cfg, network, err
		}
		appendSlices(&cfg, c)
		appendSlices(&network, n)
	}
	return cfg, network, nil
}

// appendSlices appends every slice field of src to dst's (*dst and src of
// one struct type): every list a configuration holds (listeners, target
// groups, load balancers, and any added later) is merged, none dropped.
func appendSlices[T any](dst *T, src T) {
	d, s := reflect.ValueOf(dst).Elem(), reflect.ValueOf(src)
	for i := range d.NumField() {
		if f := d.Field(i); f.Kind() == reflect.Slice {
			f.Set(reflect.AppendSlice(f, s.Field(i)))
		}
	}
}
