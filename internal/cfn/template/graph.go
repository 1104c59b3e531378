package template

import "sort"

// Graph is the dependency graph of a template's resources: an edge from A to
// B means A depends on B (B must exist before A is created, and A must be
// gone before B is deleted).
type Graph struct {
	// Nodes are the resources, sorted.
	Nodes []string
	// Deps maps a resource to the resources it depends on, sorted.
	Deps map[string][]string
	// Dependents maps a resource to the resources that depend on it, sorted.
	Dependents map[string][]string
}

// StaticGraph is the graph over every resource and every reference, both
// branches of each Fn::If included: what ValidateTemplate checks for cycles.
func (t *Template) StaticGraph() (*Graph, error) {
	return t.graph(t.ResourceOrder, nil)
}

// graph builds the graph of the given resources; conds, if not nil, prunes
// the Fn::If branches not taken.
func (t *Template) graph(ids []string, conds map[string]bool) (*Graph, error) {
	g := &Graph{Deps: map[string][]string{}, Dependents: map[string][]string{}}
	in := make(map[string]bool, len(ids))
	for _, id := range ids {
		in[id] = true
	}
	for _, id := range ids {
		r := t.Resources[id]
		refs := map[string]bool{}
		for _, d := range r.DependsOn {
			refs[d] = true
		}
		for _, v := range []any{r.Properties, r.Metadata, r.CreationPolicy, r.UpdatePolicy} {
			if err := t.resourceRefs(v, conds, refs); err != nil {
				return nil, err
			}
		}
		for dep := range refs {
			if in[dep] {
				g.Deps[id] = append(g.Deps[id], dep)
				g.Dependents[dep] = append(g.Dependents[dep], id)
			}
		}
		g.Nodes = append(g.Nodes, id)
	}
	sort.Strings(g.Nodes)
	for _, m := range []map[string][]string{g.Deps, g.Dependents} {
		for k := range m {
			sort.Strings(m[k])
		}
	}
	if cyc := cycles(g.Nodes, g.Deps); len(cyc) > 0 {
		return nil, formatErr("Circular dependency between resources: %s", bracketList(cyc))
	}
	return g, nil
}

// Levels groups the resources for creation: every resource of a level
// depends only on resources of earlier levels, so a level's resources can be
// created in parallel. Each level is sorted.
func (g *Graph) Levels() [][]string {
	return g.levels(g.Deps)
}

// DeletionLevels groups the resources for deletion, dependents first.
func (g *Graph) DeletionLevels() [][]string {
	return g.levels(g.Dependents)
}

// CreationOrder is Levels flattened.
func (g *Graph) CreationOrder() []string { return flatten(g.Levels()) }

// DeletionOrder is DeletionLevels flattened.
func (g *Graph) DeletionOrder() []string { return flatten(g.DeletionLevels()) }

// levels is Kahn's algorithm, one level at a time. The graph is acyclic (the
// constructor checked), so every node is placed.
func (g *Graph) levels(before map[string][]string) [][]string {
	waiting := make(map[string]int, len(g.Nodes))
	after := map[string][]string{}
	for _, n := range g.Nodes {
		waiting[n] = len(before[n])
		for _, b := range before[n] {
			after[b] = append(after[b], n)
		}
	}
	var out [][]string
	var level []string
	for _, n := range g.Nodes {
		if waiting[n] == 0 {
			level = append(level, n)
		}
	}
	for len(level) > 0 {
		out = append(out, level)
		var next []string
		for _, n := range level {
			for _, m := range after[n] {
				if waiting[m]--; waiting[m] == 0 {
					next = append(next, m)
				}
			}
		}
		sort.Strings(next)
		level = next
	}
	return out
}

func flatten(levels [][]string) []string {
	var out []string
	for _, l := range levels {
		out = append(out, l...)
	}
	return out
}

// cycles returns the nodes that lie on a cycle (Tarjan's strongly connected
// components of more than one node, or a node that depends on itself), sorted.
func cycles(nodes []string, deps map[string][]string) []string {
	index := map[string]int{}
	low := map[string]int{}
	onStack := map[string]bool{}
	var stack, out []string
	next := 0
	var strong func(v string)
	strong = func(v string) {
		index[v], low[v] = next, next
		next++
		stack = append(stack, v)
		onStack[v] = true
		for _, w := range deps[v] {
			if _, seen := index[w]; !seen {
				strong(w)
				low[v] = min(low[v], low[w])
			} else if onStack[w] {
				low[v] = min(low[v], index[w])
			}
		}
		if low[v] != index[v] {
			return
		}
		var comp []string
		for {
			w := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			onStack[w] = false
			comp = append(comp, w)
			if w == v {
				break
			}
		}
		if len(comp) > 1 || selfLoop(v, deps) {
			out = append(out, comp...)
		}
	}
	for _, n := range nodes {
		if _, seen := index[n]; !seen {
			strong(n)
		}
	}
	sort.Strings(out)
	return out
}

func selfLoop(v string, deps map[string][]string) bool {
	for _, d := range deps[v] {
		if d == v {
			return true
		}
	}
	return false
}
