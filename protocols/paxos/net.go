package paxos

import (
	"fmt"
	"strconv"
	"strings"

	"simulate/sim"
)

// Net is this package's own small network model: a base latency plus a
// drawn jitter, loss and duplication until GST, and timed partitions. (The
// shared network package will replace it.) Every draw is arranged so that 0
// is the boring outcome: no extra delay, delivered, not duplicated.
type Net struct {
	Latency sim.Time
	// Jitter is the largest extra delay, drawn in steps of JitterStep
	// (DefaultJitterStep if 0).
	Jitter     sim.Time
	JitterStep sim.Time
	// Loss and Dup are per-message probabilities in thousandths.
	Loss, Dup int
	// GST, if positive, is when the network stabilises: no loss and no
	// duplication from then on (delays stay bounded throughout).
	GST        sim.Time
	Partitions []Partition
}

// DefaultJitterStep is the resolution of drawn delays when none is given.
const DefaultJitterStep = 100 * sim.Microsecond

// Route implements sim.Model.
func (n *Net) Route(l sim.Link) sim.Fate {
	if l.From == l.To {
		return sim.Fate{} // a node's message to itself never leaves the machine
	}
	// Every message makes the same three draws (drop, delay, duplicate),
	// whatever the rates, whatever the first draw said and whether or not
	// a partition stops it, so that changing one decision never shifts the
	// meaning of the draws after it: rapid can then shrink a schedule one
	// decision at a time.
	drop := l.Choices.Intn(label("drop", l), 1000)
	delay := n.jitter(l)
	dup := l.Choices.Intn(label("dup", l), 1000)
	for _, p := range n.Partitions {
		if p.Active(l.Now) && p.Separates(l.From, l.To) {
			return sim.Fate{Drop: true, Reason: "partition"}
		}
	}
	unstable := n.GST <= 0 || l.Now < n.GST
	if unstable && drop >= 1000-n.Loss {
		return sim.Fate{Drop: true, Reason: "loss"}
	}
	f := sim.Fate{Delay: n.Latency + delay}
	if unstable && dup >= 1000-n.Dup {
		// The copy trails the original by one base latency.
		f.Duplicate, f.DupDelay = true, f.Delay+n.Latency
	}
	return f
}

func (n *Net) jitter(l sim.Link) sim.Time {
	if n.Jitter <= 0 {
		return 0
	}
	step := n.JitterStep
	if step <= 0 {
		step = DefaultJitterStep
	}
	return sim.Time(l.Choices.Intn(label("delay", l), int(n.Jitter/step)+1)) * step
}

// label names a draw for recordings and rapid; "" when the Choices ignore
// labels, so ordinary seeded runs allocate nothing for it.
func label(what string, l sim.Link) string {
	if !sim.Labelled(l.Choices) {
		return ""
	}
	return what + " n" + strconv.Itoa(int(l.From)) + "->n" + strconv.Itoa(int(l.To))
}

// Partition cuts the network into groups from From until To (To zero:
// forever). Nodes in different groups cannot talk; a node in no group talks
// to everyone.
type Partition struct {
	Groups [][]sim.NodeID `json:"groups"`
	From   sim.Time       `json:"from"`
	To     sim.Time       `json:"to,omitempty"`
}

// Active reports whether the partition is in force at t.
func (p Partition) Active(t sim.Time) bool { return t >= p.From && (p.To <= 0 || t < p.To) }

// Separates reports whether a and b are in different groups.
func (p Partition) Separates(a, b sim.NodeID) bool {
	ga, gb := p.group(a), p.group(b)
	return ga >= 0 && gb >= 0 && ga != gb
}

func (p Partition) group(id sim.NodeID) int {
	for i, g := range p.Groups {
		for _, x := range g {
			if x == id {
				return i
			}
		}
	}
	return -1
}

// String renders p the way ParsePartition reads it: "0,1|2,3,4@10ms..200ms".
func (p Partition) String() string {
	gs := make([]string, len(p.Groups))
	for i, g := range p.Groups {
		ids := make([]string, len(g))
		for j, x := range g {
			ids[j] = strconv.Itoa(int(x))
		}
		gs[i] = strings.Join(ids, ",")
	}
	s := strings.Join(gs, "|") + "@" + p.From.String()
	if p.To > 0 {
		s += ".." + p.To.String()
	}
	return s
}

// ParsePartition reads "GROUP|GROUP@FROM[..TO]", e.g. "0,1|2,3,4@10ms..200ms".
func ParsePartition(s string) (Partition, error) {
	groups, when, ok := strings.Cut(s, "@")
	if !ok {
		return Partition{}, fmt.Errorf("partition %q: want GROUP|GROUP@FROM[..TO], e.g. 0,1|2,3,4@10ms..200ms", s)
	}
	from, to, err := parseWindow(when)
	if err != nil {
		return Partition{}, fmt.Errorf("partition %q: %v", s, err)
	}
	var p Partition
	p.From, p.To = from, to
	for _, g := range strings.Split(groups, "|") {
		var ids []sim.NodeID
		for _, x := range strings.Split(g, ",") {
			id, err := strconv.Atoi(strings.TrimSpace(x))
			if err != nil || id < 0 {
				return Partition{}, fmt.Errorf("partition %q: %q is not a node number", s, x)
			}
			ids = append(ids, sim.NodeID(id))
		}
		p.Groups = append(p.Groups, ids)
	}
	if len(p.Groups) < 2 {
		return Partition{}, fmt.Errorf("partition %q: needs at least two groups separated by |", s)
	}
	return p, nil
}

// Crash takes Node down At and, if Restart is positive, brings it back then.
type Crash struct {
	Node    sim.NodeID `json:"node"`
	At      sim.Time   `json:"at"`
	Restart sim.Time   `json:"restart,omitempty"`
}

// String renders c the way ParseCrash reads it: "2@50ms..120ms".
func (c Crash) String() string {
	s := fmt.Sprintf("%d@%s", c.Node, c.At)
	if c.Restart > 0 {
		s += ".." + c.Restart.String()
	}
	return s
}

// ParseCrash reads "NODE@AT[..RESTART]", e.g. "2@50ms" (down for good) or
// "2@50ms..120ms" (back at 120ms).
func ParseCrash(s string) (Crash, error) {
	node, when, ok := strings.Cut(s, "@")
	id, err := strconv.Atoi(node)
	if !ok || err != nil || id < 0 {
		return Crash{}, fmt.Errorf("crash %q: want NODE@AT[..RESTART], e.g. 2@50ms..120ms", s)
	}
	at, back, err := parseWindow(when)
	if err != nil {
		return Crash{}, fmt.Errorf("crash %q: %v", s, err)
	}
	return Crash{Node: sim.NodeID(id), At: at, Restart: back}, nil
}

func parseWindow(s string) (from, to sim.Time, err error) {
	a, b, two := strings.Cut(s, "..")
	if from, err = parseNonNeg(a); err != nil {
		return 0, 0, err
	}
	if two {
		if to, err = parseNonNeg(b); err != nil {
			return 0, 0, err
		}
		if to <= from {
			return 0, 0, fmt.Errorf("end %s is not after start %s", to, from)
		}
	}
	return from, to, nil
}

func parseNonNeg(s string) (sim.Time, error) {
	t, err := sim.ParseTime(s)
	if err != nil {
		return 0, fmt.Errorf("bad time %q", s)
	}
	if t < 0 {
		return 0, fmt.Errorf("negative time %q", s)
	}
	return t, nil
}
