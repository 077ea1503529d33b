package faults

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"simulate/network"
	"simulate/sim"
)

// Budget bounds the faults a generated plan may contain, so that a protocol
// is only held to the guarantees it makes: at most MaxFaulty nodes faulty at
// once, and a calm, healed network after GST so that liveness can be
// checked.
//
// A node counts as faulty while it is crashed, while it is outside the main
// side of a partition (the largest group; between groups of equal size, the
// one holding the lowest node id), or while it is the source of a cut link
// (its messages to someone are lost, as if it omitted them). Loss windows
// make no node faulty: they are the asynchrony every protocol must survive
// before GST.
type Budget struct {
	// MaxFaulty is f: the most nodes faulty at any one time.
	MaxFaulty int `json:"max_faulty"`
	// GST is the global stabilisation time: faults start only before it and
	// every fault has ended (restarted, healed) by it. 0 means Horizon.
	GST sim.Time `json:"gst,omitempty"`
	// Horizon is the length of the run the plan is for.
	Horizon sim.Time `json:"horizon"`
	// Kinds lists the fault classes to draw from: crash, partition, cut,
	// loss. Nil means all four. Restarts and heals come with them.
	Kinds []Kind `json:"kinds,omitempty"`
	// MaxLoss is the worst loss probability of a loss window; 0 means 0.5.
	MaxLoss float64 `json:"max_loss,omitempty"`
}

// faultClasses are the kinds a Budget can enable, in the order Generate
// draws them (the order is part of the draw sequence, so keep it fixed).
var faultClasses = []Kind{KindCrash, KindPartition, KindCut, KindLoss}

func (b Budget) gst() sim.Time {
	if b.GST == 0 {
		return b.Horizon
	}
	return min(b.GST, b.Horizon)
}

func (b Budget) enabled(k Kind) bool { return b.Kinds == nil || slices.Contains(b.Kinds, k) }

func (b Budget) maxLoss() float64 {
	if b.MaxLoss == 0 {
		return 0.5
	}
	return b.MaxLoss
}

// Validate reports a user-facing error if b makes no sense for n nodes.
func (b Budget) Validate(n int) error {
	switch {
	case n <= 0:
		return fmt.Errorf("fault budget: the run needs at least one node, got %d", n)
	case b.MaxFaulty < 0 || b.MaxFaulty > n:
		return fmt.Errorf("fault budget: max faulty %d must be between 0 and the %d nodes", b.MaxFaulty, n)
	case b.Horizon <= 0:
		return fmt.Errorf("fault budget: horizon %s must be positive", b.Horizon)
	case b.GST < 0 || b.GST > b.Horizon:
		return fmt.Errorf("fault budget: GST %s must be between 0 and the horizon %s", b.GST, b.Horizon)
	}
	if err := network.ValidateProbability("max loss", b.MaxLoss); err != nil {
		return fmt.Errorf("fault budget: %v", err)
	}
	for _, k := range b.Kinds {
		if !slices.Contains(faultClasses, k) {
			return fmt.Errorf("fault budget: kind %q is not a fault class (want crash, partition, cut or loss)", k)
		}
	}
	return nil
}

// slots is the time grid of generated plans: every fault starts and ends on
// one of slots+1 evenly spaced instants from 0 to GST. A coarse grid keeps
// shrunk plans readable ("crash n2 from slot 3 to 5") and still separates
// faults finely enough for any timeout a protocol sets.
const slots = 64

// levels is the number of swarm rate levels per fault class: 0 off, then
// calm, moderate, storm.
const levels = 4

// Generate draws a plan for n nodes within b, taking every decision from c.
//
// Swarm testing, as in TigerBeetle's VOPR: for each fault class the run
// first draws a rate level ("swarm crash rate": 0 off, 1 calm .. 3 storm),
// then a number of episodes up to 3×level, so across seeds some runs have
// no faults of a class and some have many, and combinations vary. Each
// episode is a start slot, a length (1 to 16 slots) and its target (a node
// to crash; up to min(f, n/2) nodes to cut off by a partition; 1 to 3
// one-way links to cut; a loss probability from MaxLoss/10 to MaxLoss).
// Crashes end in a restart, network episodes in a heal, so everything is
// over by GST. Network episodes never overlap (a heal ends them all), and an
// episode that would overlap one, crash a crashed node or push the faulty
// count above MaxFaulty is skipped; its draws are still made, so skipping
// never shifts later draws.
//
// Every draw 0 gives the empty plan: rates 0 switch every class off. The
// plan is sorted by time; at one instant, ends come before starts.
// Generate clamps an invalid budget rather than failing; check it with
// Budget.Validate first to report bad input.
func Generate(c sim.Choices, n int, b Budget) Plan {
	gst := b.gst()
	if n <= 0 || gst <= 0 {
		return nil
	}
	g := &generator{c: c, n: n, f: min(max(b.MaxFaulty, 0), n), gst: gst, maxLoss: min(max(b.maxLoss(), 0), 1)}
	for _, k := range faultClasses {
		if !b.enabled(k) || !g.possible(k) {
			continue
		}
		level := c.Intn("swarm "+string(k)+" rate", levels)
		if level == 0 {
			continue
		}
		count := c.Intn(string(k)+" episodes", 1+3*level)
		for i := 0; i < count; i++ {
			g.episode(k, i)
		}
	}
	return g.plan()
}

type generator struct {
	c       sim.Choices
	n, f    int
	gst     sim.Time
	maxLoss float64
	eps     []episode
}

// episode is one admitted fault over the slots [start, end).
type episode struct {
	start, end int
	kind       Kind
	faulty     []sim.NodeID // nodes the episode makes faulty, sorted
	begin      []Event      // at start (times filled in by plan)
	finish     Event        // at end
}

func (g *generator) possible(k Kind) bool {
	switch k {
	case KindCrash:
		return g.f >= 1
	case KindPartition, KindCut:
		return g.f >= 1 && g.n >= 2
	}
	return g.maxLoss > 0
}

func (g *generator) time(slot int) sim.Time {
	return sim.Time(int64(g.gst) * int64(slot) / slots)
}

func (g *generator) draw(k Kind, i int, what string, n int) int {
	return g.c.Intn(fmt.Sprintf("%s #%d %s", k, i, what), n)
}

func (g *generator) episode(k Kind, i int) {
	start := g.draw(k, i, "start slot", slots)
	end := min(start+1+g.draw(k, i, "length", slots/4), slots)
	e := episode{start: start, end: end, kind: k}
	switch k {
	case KindCrash:
		node := sim.NodeID(g.draw(k, i, "node", g.n))
		e.faulty = []sim.NodeID{node}
		e.begin = []Event{{Kind: KindCrash, Node: node}}
		e.finish = Event{Kind: KindRestart, Node: node}
	case KindPartition:
		size := 1 + g.draw(k, i, "size", min(g.f, g.n/2))
		taken := make([]bool, g.n)
		group := make([]sim.NodeID, 0, size)
		for j := 0; j < size; j++ {
			// Probe upward from the drawn id to the next node not yet taken,
			// so every draw names a member and draws stay in [0, n).
			id := g.draw(k, i, fmt.Sprintf("member %d", j), g.n)
			for taken[id] {
				id = (id + 1) % g.n
			}
			taken[id] = true
			group = append(group, sim.NodeID(id))
		}
		slices.Sort(group)
		groups := [][]sim.NodeID{group}
		e.faulty = partitionFaulty(g.n, groups)
		e.begin = []Event{{Kind: KindPartition, Groups: groups}}
		e.finish = Event{Kind: KindHeal}
	case KindCut:
		links := 1 + g.draw(k, i, "links", 3)
		for j := 0; j < links; j++ {
			from := g.draw(k, i, fmt.Sprintf("link %d from", j), g.n)
			// 0 is the next node up: every draw is a real link, never a self-cut.
			to := (from + 1 + g.draw(k, i, fmt.Sprintf("link %d to", j), g.n-1)) % g.n
			e.begin = append(e.begin, Event{Kind: KindCut, From: sim.NodeID(from), To: sim.NodeID(to)})
			e.faulty = append(e.faulty, sim.NodeID(from))
		}
		slices.Sort(e.faulty)
		e.faulty = slices.Compact(e.faulty)
		e.finish = Event{Kind: KindHeal}
	case KindLoss:
		p := g.maxLoss * float64(1+g.draw(k, i, "p tenths", 10)) / 10
		e.begin = []Event{{Kind: KindLoss, P: p}}
		e.finish = Event{Kind: KindHeal}
	}
	if g.time(e.start) == g.time(e.end) {
		return // too short to exist on a tiny GST; its end would sort before its start
	}
	if g.admit(e) {
		g.eps = append(g.eps, e)
	}
}

// admit checks e against the episodes already admitted.
func (g *generator) admit(e episode) bool {
	for _, o := range g.eps {
		if o.end <= e.start || e.end <= o.start {
			continue
		}
		if e.kind.network() && o.kind.network() {
			return false
		}
		if e.kind == KindCrash && o.kind == KindCrash && e.faulty[0] == o.faulty[0] {
			return false
		}
	}
	if len(e.faulty) == 0 {
		return true
	}
	for s := e.start; s < e.end; s++ {
		union := slices.Clone(e.faulty)
		for _, o := range g.eps {
			if o.start <= s && s < o.end {
				union = append(union, o.faulty...)
			}
		}
		slices.Sort(union)
		if len(slices.Compact(union)) > g.f {
			return false
		}
	}
	return true
}

func (g *generator) plan() Plan {
	type timed struct {
		at    sim.Time
		phase int // 0 for an end, 1 for a start: ends first at one instant
		e     Event
	}
	var all []timed
	for _, ep := range g.eps {
		for _, b := range ep.begin {
			b.At = g.time(ep.start)
			all = append(all, timed{b.At, 1, b})
		}
		f := ep.finish
		f.At = g.time(ep.end)
		all = append(all, timed{f.At, 0, f})
	}
	slices.SortStableFunc(all, func(a, b timed) int {
		return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.phase, b.phase))
	})
	var p Plan
	for _, t := range all {
		p = append(p, t.e)
	}
	return p
}

// partitionFaulty lists, sorted, the nodes outside the main side of a
// partition: the largest group, ties going to the group with the lowest id.
// Unlisted nodes form one more group, as in network.Net.Partition.
func partitionFaulty(n int, groups [][]sim.NodeID) []sim.NodeID {
	side := make([]int, n)
	for i := range side {
		side[i] = len(groups)
	}
	for gi, g := range groups {
		for _, id := range g {
			side[id] = gi
		}
	}
	size := make([]int, len(groups)+1)
	for _, s := range side {
		size[s]++
	}
	// Scanning nodes in id order, the first group to reach the largest
	// size is the one holding the lowest id among the largest groups.
	biggest := slices.Max(size)
	main := -1
	for _, s := range side {
		if size[s] == biggest {
			main = s
			break
		}
	}
	var out []sim.NodeID
	for id, s := range side {
		if s != main {
			out = append(out, sim.NodeID(id))
		}
	}
	return out
}

// planState is the world as a plan leaves it at some instant.
type planState struct {
	n       int
	crashed []bool
	groups  [][]sim.NodeID // nil: no partition
	cuts    [][2]sim.NodeID
	lossy   bool // a loss window is open
	dupy    bool // a duplication window is open
}

func (s *planState) apply(e Event) {
	switch e.Kind {
	case KindCrash:
		s.crashed[e.Node] = true
	case KindRestart:
		s.crashed[e.Node] = false
	case KindPartition:
		s.groups = e.Groups
	case KindCut:
		s.cuts = append(s.cuts, [2]sim.NodeID{e.From, e.To})
	case KindLoss:
		s.lossy = true
	case KindDuplicate:
		s.dupy = true
	case KindHeal:
		s.groups, s.cuts, s.lossy, s.dupy = nil, nil, false, false
	}
}

// faulty lists the faulty nodes, sorted.
func (s *planState) faulty() []sim.NodeID {
	bad := make([]bool, s.n)
	for id, c := range s.crashed {
		bad[id] = bad[id] || c
	}
	if s.groups != nil {
		for _, id := range partitionFaulty(s.n, s.groups) {
			bad[id] = true
		}
	}
	for _, c := range s.cuts {
		bad[c[0]] = true
	}
	var out []sim.NodeID
	for id, b := range bad {
		if b {
			out = append(out, sim.NodeID(id))
		}
	}
	return out
}

// unhealed says what is still wrong, or "" if nothing is.
func (s *planState) unhealed() string {
	var what []string
	for id, c := range s.crashed {
		if c {
			what = append(what, fmt.Sprintf("n%d is still crashed", id))
		}
	}
	if s.groups != nil {
		what = append(what, "a partition is in force")
	}
	if len(s.cuts) > 0 {
		what = append(what, "a link is cut")
	}
	if s.lossy {
		what = append(what, "a loss window is open")
	}
	if s.dupy {
		what = append(what, "a duplication window is open")
	}
	return strings.Join(what, ", ")
}

// walk replays a valid plan in the order the kernel applies it (by time,
// then list order) and calls fn after each instant with the state then.
// It stops early if fn returns false.
func (p Plan) walk(n int, fn func(at sim.Time, s *planState) bool) {
	order := make([]int, len(p))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(p[a].At, p[b].At) })
	s := &planState{n: n, crashed: make([]bool, n)}
	for i := 0; i < len(order); {
		at := p[order[i]].At
		for ; i < len(order) && p[order[i]].At == at; i++ {
			s.apply(p[order[i]])
		}
		if !fn(at, s) {
			return
		}
	}
}

// PeakFaulty returns the largest number of nodes faulty at once under p in
// a run of n nodes (see Budget for what counts as faulty). p must be valid
// for n.
func (p Plan) PeakFaulty(n int) int {
	peak := 0
	p.walk(n, func(_ sim.Time, s *planState) bool {
		peak = max(peak, len(s.faulty()))
		return true
	})
	return peak
}

// CheckBudget reports an error, in one line, if p breaks b in a run of n
// nodes: a fault class b does not enable, more than MaxFaulty nodes faulty
// at once, a new fault at or after GST, or something still broken at GST.
// It accepts hand-written plans as well as generated ones.
func (p Plan) CheckBudget(n int, b Budget) error {
	if err := p.Validate(n); err != nil {
		return err
	}
	gst := b.gst()
	for i, e := range p {
		class := e.Kind
		switch e.Kind {
		case KindRestart:
			class = KindCrash
		case KindHeal:
			continue
		}
		if !b.enabled(class) {
			return fmt.Errorf("fault plan: event %d (%s): the budget does not allow %s faults", i, e, class)
		}
		if e.At >= gst && e.Kind != KindRestart {
			return fmt.Errorf("fault plan: event %d (%s) is at or after GST %s: no new faults after GST", i, e, gst)
		}
	}
	var over error
	unhealed := "" // what is still broken after the last instant at or before GST
	p.walk(n, func(at sim.Time, s *planState) bool {
		if f := s.faulty(); len(f) > b.MaxFaulty {
			over = fmt.Errorf("fault plan: at %s, %d nodes are faulty (%s), the budget allows %d", at, len(f), nodeList(f), b.MaxFaulty)
			return false
		}
		if at <= gst {
			unhealed = s.unhealed()
		}
		return true
	})
	if over != nil {
		return over
	}
	if unhealed != "" {
		return fmt.Errorf("fault plan: at GST %s, %s", gst, unhealed)
	}
	return nil
}

func nodeList(ids []sim.NodeID) string {
	var parts []string
	for _, id := range ids {
		parts = append(parts, fmt.Sprintf("n%d", id))
	}
	return strings.Join(parts, " ")
}

// swarmDuplication are the duplication rates a swarm draws from; index
// 0, no duplication, is the calm network.
var swarmDuplication = []float64{0, 0.1, 0.3}

// SwarmDuplication draws a run's duplication rate from c, as every
// protocol's swarm does (one draw, "swarm dup level"; 0 is the calm
// network): none, 10 % or 30 % of messages delivered twice.
func SwarmDuplication(c sim.Choices) float64 {
	return swarmDuplication[c.Intn("swarm dup level", len(swarmDuplication))]
}

// SortByTime orders p by time, keeping the order of events at one
// instant: what a plan assembled from several sources needs before
// Apply prints it in a counterexample.
func (p Plan) SortByTime() {
	slices.SortStableFunc(p, func(a, b Event) int { return cmp.Compare(a.At, b.At) })
}
