package scheduler

import (
	"encoding/json"

	"github.com/slipway-dev/slipway/internal/model"
)

// StrategyItem is one provider of a capacity provider strategy as the
// split sees it.
type StrategyItem struct {
	Provider     string
	Base, Weight int
}

// SplitByStrategy names the capacity provider of each of n new tasks, by
// ECS's rule for a capacity provider strategy: the provider with a base
// first gets tasks until it runs base of them; beyond the bases, tasks go
// to the providers in proportion to their weights (a weight of 0 gets
// none), each next task to the provider furthest below its share, ties to
// the earlier provider of the strategy. have is how many tasks each
// provider runs already (of the service's deployment, or 0 for RunTask),
// so a service that scales keeps its split. With no weight at all, tasks
// beyond the base go to the base's provider, or else the first one.
func SplitByStrategy(items []StrategyItem, have map[string]int, n int) []string {
	if len(items) == 0 || n <= 0 {
		return nil
	}
	count := make([]int, len(items))
	fallback := 0
	for i, it := range items {
		count[i] = have[it.Provider]
		if it.Base > 0 {
			fallback = i
		}
	}
	out := make([]string, 0, n)
	for range n {
		i := nextProvider(items, count, fallback)
		count[i]++
		out = append(out, items[i].Provider)
	}
	return out
}

// nextProvider is the index of the provider the next task goes to.
func nextProvider(items []StrategyItem, count []int, fallback int) int {
	for i, it := range items {
		if count[i] < it.Base {
			return i
		}
	}
	best := -1
	for i, it := range items {
		if it.Weight <= 0 {
			continue
		}
		// Beyond its base, provider i has count-base tasks; after this one
		// it would be at (count-base+1)/weight of its share. The lowest wins
		// (compared crosswise, in integers).
		if best < 0 || (beyond(items[i], count[i])+1)*items[best].Weight < (beyond(items[best], count[best])+1)*it.Weight {
			best = i
		}
	}
	if best < 0 {
		return fallback
	}
	return best
}

func beyond(it StrategyItem, count int) int { return max(count-it.Base, 0) }

// StrategyOf reads a stored capacityProviderStrategy (validated when it
// was accepted); weight and base default to 0, as in ECS.
func StrategyOf(raw json.RawMessage) []StrategyItem {
	var items []model.CapacityProviderStrategyItem
	if len(raw) == 0 || json.Unmarshal(raw, &items) != nil {
		return nil
	}
	out := make([]StrategyItem, 0, len(items))
	for _, it := range items {
		si := StrategyItem{Provider: it.CapacityProvider}
		if it.Base != nil {
			si.Base = *it.Base
		}
		if it.Weight != nil {
			si.Weight = *it.Weight
		}
		out = append(out, si)
	}
	return out
}
