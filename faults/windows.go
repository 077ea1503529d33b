package faults

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"simulate/sim"
)

// CrashWindow is the --crash flag of every protocol: Node crashes At and,
// if Restart is positive, restarts then (around its durable storage). It
// is the JSON a scenario records ({"node":2,"at":..,"restart":..}) and
// turns into plan events with Plan.
type CrashWindow struct {
	Node    sim.NodeID `json:"node"`
	At      sim.Time   `json:"at"`
	Restart sim.Time   `json:"restart,omitempty"`
}

// String renders c the way ParseCrashWindow reads it: "2@50ms..120ms".
func (c CrashWindow) String() string {
	s := fmt.Sprintf("%d@%s", c.Node, c.At)
	if c.Restart > 0 {
		s += ".." + c.Restart.String()
	}
	return s
}

// Plan is c as fault plan events: a crash, and a restart if it has one.
func (c CrashWindow) Plan() Plan {
	p := Plan{Crash(c.At, c.Node)}
	if c.Restart > 0 {
		p = append(p, Restart(c.Restart, c.Node))
	}
	return p
}

// CrashSyntax is the --crash syntax, for usage messages.
const CrashSyntax = "NODE@AT[..RESTART], e.g. 2@50ms (down for good) or 2@50ms..120ms (back at 120ms)"

// ParseCrashWindow reads "NODE@AT[..RESTART]", e.g. "2@50ms" (down for
// good) or "2@50ms..120ms" (back at 120ms). The node's range is the
// scenario's to check.
func ParseCrashWindow(s string) (CrashWindow, error) {
	node, when, ok := strings.Cut(s, "@")
	id, err := strconv.Atoi(node)
	if !ok || err != nil || id < 0 {
		return CrashWindow{}, fmt.Errorf("crash %q: want %s", s, CrashSyntax)
	}
	at, back, err := parseWindow(when)
	if err != nil {
		return CrashWindow{}, fmt.Errorf("crash %q: %v", s, err)
	}
	return CrashWindow{Node: sim.NodeID(id), At: at, Restart: back}, nil
}

// PartitionWindow is the --partition flag of every protocol: the network
// splits into Groups from From until To (To zero: for good). As in
// network.Net.Partition, the nodes no group lists form one more group, so
// one group ("1,2@...") cuts those nodes off from the rest. It is the JSON
// a scenario records ({"groups":[[0,1],[2,3,4]],"from":..,"to":..}).
type PartitionWindow struct {
	Groups [][]sim.NodeID `json:"groups"`
	From   sim.Time       `json:"from"`
	To     sim.Time       `json:"to,omitempty"`
}

// PartitionSyntax is the --partition syntax, for usage messages.
const PartitionSyntax = "GROUP[|GROUP...]@FROM[..TO], e.g. 0,1|2,3,4@10ms..200ms, or 1,2@10ms..200ms to cut 1 and 2 off from the rest"

// Plan is p as fault plan events: a partition, and a heal if it ends.
func (p PartitionWindow) Plan() Plan {
	out := Plan{Partition(p.From, p.Groups...)}
	if p.To > 0 {
		out = append(out, Heal(p.To))
	}
	return out
}

// String renders p the way ParsePartitionWindow reads it:
// "0,1|2,3,4@10ms..200ms".
func (p PartitionWindow) String() string {
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

// ParsePartitionWindow reads "GROUP[|GROUP...]@FROM[..TO]", e.g.
// "0,1|2,3,4@10ms..200ms". Node ranges and overlaps are checked against
// the run's size by Plan.Validate (or the scenario).
func ParsePartitionWindow(s string) (PartitionWindow, error) {
	groups, when, ok := strings.Cut(s, "@")
	if !ok {
		return PartitionWindow{}, fmt.Errorf("partition %q: want %s", s, PartitionSyntax)
	}
	from, to, err := parseWindow(when)
	if err != nil {
		return PartitionWindow{}, fmt.Errorf("partition %q: %v", s, err)
	}
	p := PartitionWindow{From: from, To: to}
	for _, g := range strings.Split(groups, "|") {
		var ids []sim.NodeID
		for _, x := range strings.Split(g, ",") {
			id, err := strconv.Atoi(strings.TrimSpace(x))
			if err != nil || id < 0 {
				return PartitionWindow{}, fmt.Errorf("partition %q: %q is not a node number", s, x)
			}
			ids = append(ids, sim.NodeID(id))
		}
		p.Groups = append(p.Groups, ids)
	}
	return p, nil
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

// ReadPlan reads a fault plan from a JSON file (the --faults flag). Its
// errors are one line, naming the file.
func ReadPlan(path string) (Plan, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("fault plan %s: %v", path, err)
	}
	p, err := ParsePlan(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return p, nil
}
