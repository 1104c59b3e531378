package clock

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"
)

func TestScale(t *testing.T) {
	if c := Real(); c.Scale() != 1 || c.Scaled() || c.Real(time.Minute) != time.Minute {
		t.Fatalf("zero clock: scale %v, Real(1m) %v", c.Scale(), c.Real(time.Minute))
	}
	c, err := New(60)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Scaled() || c.Real(time.Minute) != time.Second || c.Service(time.Second) != time.Minute {
		t.Errorf("scale 60: Real(1m) = %v, Service(1s) = %v", c.Real(time.Minute), c.Service(time.Second))
	}
	if d := time.Since(c.Now()); d < 0 || d > time.Second {
		t.Errorf("Now is not the wall clock: off by %v", d)
	}
	for _, bad := range []float64{0, 0.5, -1, MaxScale + 1, math.NaN(), math.Inf(1)} {
		if _, err := New(bad); !errors.Is(err, ErrBadScale) {
			t.Errorf("New(%v) = %v, want ErrBadScale", bad, err)
		}
	}
}

func TestSleep(t *testing.T) {
	c, _ := New(3600)
	if err := c.Sleep(context.Background(), time.Hour); err != nil { // one real second at most
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("Sleep with a cancelled context = %v", err)
	}
}
