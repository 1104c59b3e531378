package runtime

import (
	"slices"
	"sync"
	"testing"
)

func TestLiveSet(t *testing.T) {
	var l LiveSet[int]
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() { l.Add(i); l.Add(i) })
	}
	wg.Wait()
	l.Remove(3)
	l.Remove(42)
	got := l.List()
	slices.Sort(got)
	if !slices.Equal(got, []int{0, 1, 2, 4, 5, 6, 7}) {
		t.Errorf("List = %v", got)
	}
}
