package scheduler

import (
	"strings"
	"testing"
)

func TestSplitByStrategy(t *testing.T) {
	for _, tc := range []struct {
		name  string
		items []StrategyItem
		have  map[string]int
		n     int
		want  string
	}{
		{"base first, then weights 1:4 (ECS's example)", []StrategyItem{{"A", 1, 1}, {"B", 0, 4}}, nil, 6, "A B B B A B"},
		{"equal weights alternate", []StrategyItem{{"FARGATE", 0, 1}, {"FARGATE_SPOT", 0, 1}}, nil, 4, "FARGATE FARGATE_SPOT FARGATE FARGATE_SPOT"},
		{"base larger than n", []StrategyItem{{"A", 0, 1}, {"B", 5, 1}}, nil, 3, "B B B"},
		{"weight 0 only takes its base", []StrategyItem{{"A", 2, 0}, {"B", 0, 1}}, nil, 4, "A A B B"},
		{"no weights: beyond the base to the base's provider", []StrategyItem{{"A", 0, 0}, {"B", 1, 0}}, nil, 3, "B B B"},
		{"no weights, no base: the first", []StrategyItem{{"A", 0, 0}, {"B", 0, 0}}, nil, 2, "A A"},
		{"existing tasks keep the ratio", []StrategyItem{{"A", 0, 1}, {"B", 0, 3}}, map[string]int{"B": 3}, 4, "A B B A"},
		{"a met base is not refilled", []StrategyItem{{"A", 2, 1}, {"B", 0, 1}}, map[string]int{"A": 2}, 2, "A B"},
		{"nothing to place", []StrategyItem{{"A", 0, 1}}, nil, 0, ""},
	} {
		got := strings.Join(SplitByStrategy(tc.items, tc.have, tc.n), " ")
		if got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
