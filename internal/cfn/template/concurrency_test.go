package template

import (
	"sync"
	"testing"
)

// An Evaluator is shared by the engine's workers: resolving every resource
// at once from several goroutines is safe (run with -race).
func TestEvaluatorConcurrentUse(t *testing.T) {
	ev := featureEvaluator(t, map[string]string{"Image": "nginx", "Env": "prod"})
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, id := range ev.ActiveResources() {
				if _, err := ev.Properties(id, featureResolver{}); err != nil {
					t.Error(err)
				}
				if _, err := ev.PreviewProperties(id, nil); err != nil {
					t.Error(err)
				}
			}
			if _, err := ev.Outputs(featureResolver{}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
}
