// Package network holds the one network model every protocol's world runs
// on: a Net decides each message's fate from a latency distribution, a loss
// and a duplication probability (both off after GST), per-link FIFO or free
// reordering, bandwidth with per-link or per-sender queues, regions with
// latency and bandwidth tables, a topology, and the partitions and one-way
// cuts that fault plans switch on and off.
//
// Every random decision is one labelled draw from the sim.Choices in the
// sim.Link, made so that 0 is the benign outcome: 0 delivers, 0 does not
// duplicate, 0 is the fastest delay (so messages keep their send order).
// Self-sends and messages over a missing link draw nothing. Messages a
// partition or cut drops draw nothing either, unless Options.DrawDropped
// asks them to make the draws they would have made, so that a search
// shrinking the fault away does not shift the draws after them.
package network

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"simulate/sim"
)

// Drop reasons a Net puts in sim.Fate.Reason, and so in traces.
const (
	ReasonLoss      = "loss"
	ReasonPartition = "partition"
	ReasonCut       = "cut"
	ReasonNoLink    = "no-link"
)

// ppm is the resolution of loss and duplication probabilities: one in a
// million. A probability is drawn as an integer in [0, ppm).
const ppm = 1_000_000

// Options configure a Net. The zero Options is a perfect network: no
// delay, no loss, no duplication, complete graph.
type Options struct {
	// Latency is the delay distribution of every link.
	Latency Latency `json:"latency"`
	// Loss is the probability in [0, 1] that a message is lost. It is the
	// baseline: SetLoss changes it for a loss window and Heal restores it.
	Loss float64 `json:"loss,omitempty"`
	// Duplicate is the probability in [0, 1] that a delivered message is
	// delivered a second time, after its own independently drawn delay.
	Duplicate float64 `json:"duplicate,omitempty"`
	// FIFO makes every link first-in first-out: a message never arrives
	// before one sent earlier on the same (from, to) link. Without it,
	// messages on a link may overtake each other whenever their drawn
	// delays allow, as over UDP.
	FIFO bool `json:"fifo,omitempty"`
	// GST, when positive, is the global stabilisation time: from then on
	// no message is lost (whatever the baseline or a loss window says) and
	// none is duplicated, so the network is synchronous, every delay being
	// bounded by the latency table (and the queues). The draws are still
	// made, so a message's draws do not depend on which side of GST it
	// falls. Partitions and cuts are the fault plan's to heal.
	GST sim.Time `json:"gst,omitempty"`
	// Bandwidth is every link's speed in bits per second; 0 is unlimited.
	// A message that has a size (implements Sizer) takes its transmission
	// time on top of the latency and waits for the messages ahead of it on
	// its link, so a big message holds up the next one.
	Bandwidth int64 `json:"bandwidth_bps,omitempty"`
	// Uplink makes the sender's whole upload one queue: a message waits for
	// everything its sender sent before, to anyone, instead of only what
	// went over the same (from, to) link.
	Uplink bool `json:"uplink,omitempty"`
	// Regions, if set, places every node in a region (drawn from
	// Regions.Distribution with RegionSeed): a message between regions i
	// and j takes Latency[i][j] (a Pareto draw around it when
	// Regions.ParetoSteps > 1) on top of the Latency distribution's delay,
	// and its link's bandwidth is min(Upload[i], Download[j]), which
	// replaces Bandwidth.
	Regions    *Regions `json:"regions,omitempty"`
	RegionSeed uint64   `json:"region_seed,omitempty"`
	// DrawDropped makes a message that a partition or cut drops make the
	// draws it would have made had it got through. Then a search that
	// shrinks a partition away does not shift the meaning of every draw
	// after it, which keeps the rest of a counterexample in place; without
	// it a fault plan costs no draws.
	DrawDropped bool `json:"draw_dropped,omitempty"`
	// Unpartitioned lists nodes that no partition separates from anyone:
	// the clients of a replicated service, say, when the experiment is
	// about a split among the servers. Cuts still apply to them.
	Unpartitioned []sim.NodeID `json:"unpartitioned,omitempty"`
	// Topology is the graph of links; nil means the complete graph. It is
	// not serialised: a scenario records how to rebuild it (degree, seed).
	Topology *Topology `json:"-"`
	// PCT, when set, adds the PCT delay strategy on top of the drawn
	// delays (see PCT); nil leaves the draws and delays as they were.
	PCT *PCT `json:"pct,omitempty"`
}

// Validate reports a user-facing error for probabilities outside [0, 1] and
// invalid latencies. The CLI turns it into exit status 2.
func (o Options) Validate() error {
	if err := ValidateProbability("loss", o.Loss); err != nil {
		return err
	}
	if err := ValidateProbability("duplicate", o.Duplicate); err != nil {
		return err
	}
	switch {
	case o.GST < 0:
		return fmt.Errorf("gst %s: must not be negative", o.GST)
	case o.Bandwidth < 0:
		return fmt.Errorf("bandwidth %d bit/s: must not be negative", o.Bandwidth)
	}
	if o.Regions != nil {
		if err := o.Regions.Validate(); err != nil {
			return err
		}
	}
	return o.Latency.Validate()
}

// ValidateProbability returns an error naming what unless p is in [0, 1].
func ValidateProbability(what string, p float64) error {
	if math.IsNaN(p) || p < 0 || p > 1 {
		return fmt.Errorf("%s probability %v: must be between 0 and 1", what, p)
	}
	return nil
}

// Net is a sim.Model: a network of n nodes whose links share one latency
// distribution, loss and duplication probability. Partitions, cuts and loss
// windows change it during a run (through World.At, usually from a fault
// plan). A Net holds per-run state (FIFO arrival times, partitions), so each
// run needs its own; the Topology may be shared.
type Net struct {
	n     int
	opts  Options
	table []sim.Time
	topo  *Topology

	lossPPM int
	dupPPM  int

	// group[i] is node i's side of the current partition; nil when there
	// is none.
	group []int32
	// cuts holds the one-way cuts, keyed by linkKey. Only looked up, never
	// iterated, so its order cannot leak into behaviour.
	cuts map[uint64]struct{}
	// last holds, under FIFO, the latest scheduled arrival per link. A map
	// rather than an n×n table so that 10,000 nodes cost only the links
	// actually used.
	last map[uint64]sim.Time
	// free[i] marks a node no partition separates (Options.Unpartitioned);
	// nil when there are none.
	free []bool

	// queues hold when each directed link (or, under Uplink, each sender:
	// uplink[from]) finishes sending; used only when a bandwidth is set.
	queues Queues
	uplink []sim.Time
	// windows are partitions the Net switches on and off itself, by the
	// time of each message (PartitionDuring).
	windows []window
	// of is each node's region and quant[i][j] region pair (i, j)'s latency
	// quantiles (nil without Pareto steps); of is nil without regions.
	of    []uint8
	quant [][][]sim.Time
	// pct is the PCT strategy's state; nil without Options.PCT.
	pct *pctState
}

// New builds a Net of n nodes. It returns the validation error for bad
// options, and an error if the topology is for a different number of nodes.
func New(n int, opts Options) (*Net, error) {
	if n <= 0 {
		return nil, fmt.Errorf("network: need at least one node, got %d", n)
	}
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	topo := opts.Topology
	if topo == nil {
		topo = Complete(n)
	}
	if topo.N() != n {
		return nil, fmt.Errorf("network: topology has %d nodes, network has %d", topo.N(), n)
	}
	net := &Net{
		n:       n,
		opts:    opts,
		table:   opts.Latency.Table(),
		topo:    topo,
		lossPPM: toPPM(opts.Loss),
		dupPPM:  toPPM(opts.Duplicate),
		cuts:    map[uint64]struct{}{},
	}
	if opts.FIFO {
		net.last = map[uint64]sim.Time{}
	}
	for _, id := range opts.Unpartitioned {
		if id < 0 || int(id) >= n {
			return nil, fmt.Errorf("network: unpartitioned node %d out of range [0, %d)", id, n)
		}
		if net.free == nil {
			net.free = make([]bool, n)
		}
		net.free[id] = true
	}
	if opts.Uplink {
		net.uplink = make([]sim.Time, n)
	}
	if opts.PCT != nil {
		net.pct = &pctState{cfg: *opts.PCT}
	}
	if r := opts.Regions; r != nil {
		net.of = r.Assign(n, opts.RegionSeed)
		if r.ParetoSteps > 1 {
			k := len(r.Names)
			net.quant = make([][][]sim.Time, k)
			for i := range k {
				net.quant[i] = make([][]sim.Time, k)
				for j := range k {
					net.quant[i][j] = ParetoQuantiles(r.Latency[i][j], r.ParetoSteps)
				}
			}
		}
	}
	return net, nil
}

// MustNew is New for options known to be valid (tests, examples); it panics
// on an error.
func MustNew(n int, opts Options) *Net {
	net, err := New(n, opts)
	if err != nil {
		panic(err)
	}
	return net
}

func toPPM(p float64) int { return int(math.Round(p * ppm)) }

func (net *Net) linkKey(from, to sim.NodeID) uint64 {
	return uint64(from)*uint64(net.n) + uint64(to)
}

// Options returns the options the Net was built with (the baseline that
// Heal restores).
func (net *Net) Options() Options { return net.opts }

// Topology returns the Net's graph of links.
func (net *Net) Topology() *Topology { return net.topo }

// Neighbors lists id's neighbours in the topology, in increasing order:
// whom a gossip protocol relays to. Do not modify the slice.
func (net *Net) Neighbors(id sim.NodeID) []sim.NodeID { return net.topo.Neighbors(id) }

// Reserve tells the Net the graph its sized messages will mostly travel
// (peers[i]: node i's neighbours, sorted), so it lays their link queues out
// together instead of growing them one by one. It is only a hint: every
// link is queued just the same and a run is identical with or without it.
// Call it before the run.
func (net *Net) Reserve(peers [][]sim.NodeID) {
	if net.uplink == nil {
		net.queues.Reserve(peers)
	}
}

// RegionOf returns the region of every node (indexes into
// Options.Regions' tables), or nil without regions. Do not modify it.
func (net *Net) RegionOf() []uint8 { return net.of }

// LinkBandwidth is the speed of the link from a to b in bits/s (0:
// unlimited): the regions' min(upload, download) or Options.Bandwidth.
func (net *Net) LinkBandwidth(a, b sim.NodeID) int64 {
	if r := net.opts.Regions; r != nil {
		return min(r.Upload[net.of[a]], r.Download[net.of[b]])
	}
	return net.opts.Bandwidth
}

// Stable reports whether t is at or after GST (never, without one).
func (net *Net) Stable(t sim.Time) bool { return net.opts.GST > 0 && t >= net.opts.GST }

// separated reports whether the current partition keeps a and b apart.
func (net *Net) separated(a, b sim.NodeID) bool {
	if net.group == nil || net.group[a] == net.group[b] {
		return false
	}
	return net.free == nil || (!net.free[a] && !net.free[b])
}

// Warm implements sim.Warmer: it starts loading the sender's link queues.
func (net *Net) Warm(from sim.NodeID) {
	if net.uplink == nil {
		net.queues.warm(from)
	}
}

// Route implements sim.Model. It decides, in this order: a self-send is
// delivered at once; a message over a missing link, across a partition or
// over a cut link is dropped (no draw); otherwise it draws the region
// latency (with Pareto steps), the delay, loss and duplication, waits
// behind the messages ahead of it in its link's (or sender's) queue when
// it has a size and the link a bandwidth, and under FIFO is held back
// until after the last one scheduled on its link. From GST on, loss and
// duplication are drawn but ignored.
func (net *Net) Route(l sim.Link) sim.Fate {
	if l.From == l.To {
		return sim.Fate{}
	}
	if !net.topo.Linked(l.From, l.To) {
		return sim.Fate{Drop: true, Reason: ReasonNoLink}
	}
	c := l.Choices
	if c == nil {
		c = sim.Boring{}
	}
	reason := ""
	if net.separated(l.From, l.To) || (net.windows != nil && net.windowed(l.From, l.To, l.Now)) {
		reason = ReasonPartition
	} else if len(net.cuts) > 0 {
		if _, cut := net.cuts[net.linkKey(l.From, l.To)]; cut {
			reason = ReasonCut
		}
	}
	if reason != "" {
		if net.opts.DrawDropped {
			net.draws(c, l.From, l.To)
		}
		return sim.Fate{Drop: true, Reason: reason}
	}
	// Every message makes the same draws whatever their values (delay,
	// then loss, then duplication and the copy's delay), so when shrinking
	// turns a loss into a delivery the draws after it keep their meaning
	// and rapid can remove the loss without disturbing the rest.
	var base sim.Time
	if net.of != nil {
		ra, rb := net.of[l.From], net.of[l.To]
		if net.quant != nil {
			base = net.quant[ra][rb][c.Intn(label(c, "latency", l.From, l.To), len(net.quant[ra][rb]))]
		} else {
			base = net.opts.Regions.Latency[ra][rb]
		}
	}
	f := sim.Fate{Delay: base + net.delay(c, "delay", l.From, l.To)}
	if net.pct != nil {
		f.Delay += net.pct.extra(c, l.From)
	}
	lost := chance(c, net.lossPPM, "loss", l.From, l.To)
	if net.dupPPM > 0 && net.dupPPM < ppm {
		f.Duplicate = chance(c, net.dupPPM, "dup", l.From, l.To)
		f.DupDelay = base + net.delay(c, "dup delay", l.From, l.To)
	} else if net.dupPPM >= ppm {
		f.Duplicate = true
		f.DupDelay = base + net.delay(c, "dup delay", l.From, l.To)
	}
	if net.Stable(l.Now) {
		lost, f.Duplicate = false, false
	}
	// A message with a size occupies its link (or its sender's uplink) for
	// its transmission time, lost or not: it was sent. Its copy, if any, is
	// the network's doing and sends nothing more.
	if size, ok := l.Msg.(Sizer); ok {
		if tx := Transmission(size.WireSize(), net.LinkBandwidth(l.From, l.To)); tx > 0 {
			var until *sim.Time
			if net.uplink != nil {
				until = &net.uplink[l.From]
			} else {
				until = net.queues.Busy(l.From, l.To)
			}
			start := max(l.Now, *until)
			*until = start + tx
			wait := start - l.Now + tx
			f.Delay += wait
			f.DupDelay += wait
		}
	}
	if lost {
		return sim.Fate{Drop: true, Reason: ReasonLoss}
	}
	if !f.Duplicate {
		f.DupDelay = 0
	}
	if net.last != nil {
		k := net.linkKey(l.From, l.To)
		last := net.last[k]
		arrive := max(l.Now+f.Delay, last)
		f.Delay = arrive - l.Now
		if f.Duplicate {
			// The copy is a later arrival on the same link, so it too must
			// not overtake the messages before it.
			arrive = max(l.Now+f.DupDelay, arrive)
			f.DupDelay = arrive - l.Now
		}
		net.last[k] = arrive
	}
	return f
}

// draws makes, and forgets, the draws a message from → to makes when it
// gets through (DrawDropped).
func (net *Net) draws(c sim.Choices, from, to sim.NodeID) {
	if net.quant != nil {
		ra, rb := net.of[from], net.of[to]
		c.Intn(label(c, "latency", from, to), len(net.quant[ra][rb]))
	}
	net.delay(c, "delay", from, to)
	chance(c, net.lossPPM, "loss", from, to)
	if net.dupPPM > 0 {
		chance(c, net.dupPPM, "dup", from, to)
		net.delay(c, "dup delay", from, to)
	}
}

// chance draws whether an event of probability p (in parts per million)
// happens. It happens iff the draw lands in the top p of its range, so the
// draw 0 never triggers it; certain and impossible events draw nothing.
// The range is a thousand when p is a whole number of thousandths (the
// usual case, and the resolution the protocols' own models drew at, which
// keeps shrunk schedules short to read) and a million otherwise. A seeded
// PCG stream gives the same outcome either way.
func chance(c sim.Choices, p int, kind string, from, to sim.NodeID) bool {
	if p <= 0 {
		return false
	}
	if p >= ppm {
		return true
	}
	if p%perThousand == 0 {
		return c.Intn(label(c, kind, from, to), ppm/perThousand) >= (ppm-p)/perThousand
	}
	return c.Intn(label(c, kind, from, to), ppm) >= ppm-p
}

// perThousand is a thousandth in parts per million.
const perThousand = ppm / 1000

// delay draws an index into the latency table; 0 is the fastest delay.
func (net *Net) delay(c sim.Choices, kind string, from, to sim.NodeID) sim.Time {
	if len(net.table) == 1 {
		return net.table[0]
	}
	return net.table[c.Intn(label(c, kind, from, to), len(net.table))]
}

// label names a draw, e.g. "loss n0->n2", for recordings and rapid's shrunk
// output; for Choices that ignore labels it is "" (no allocation).
func label(c sim.Choices, kind string, from, to sim.NodeID) string {
	if !sim.Labelled(c) {
		return ""
	}
	var buf [40]byte
	b := append(buf[:0], kind...)
	b = append(b, " n"...)
	b = strconv.AppendInt(b, int64(from), 10)
	b = append(b, "->n"...)
	b = strconv.AppendInt(b, int64(to), 10)
	return string(b)
}

// ValidateGroups reports an error if groups is not a valid partition of
// nodes 0..n-1: an id out of range or an id listed twice.
func ValidateGroups(n int, groups [][]sim.NodeID) error {
	// seen[id] is 1 + the group id is in, 0 while unseen.
	seen := make([]int, n)
	for gi, g := range groups {
		for _, id := range g {
			if id < 0 || int(id) >= n {
				return fmt.Errorf("partition group %d: node %d out of range [0, %d)", gi, id, n)
			}
			if seen[id] != 0 {
				prev := seen[id] - 1
				if prev == gi {
					return fmt.Errorf("partition group %d: node %d listed twice", gi, id)
				}
				return fmt.Errorf("partition: node %d is in groups %d and %d", id, prev, gi)
			}
			seen[id] = gi + 1
		}
	}
	return nil
}

// Partition splits the network: nodes in different groups cannot exchange
// messages (dropped with reason "partition"). Nodes not listed in any group
// together form one more group, so Partition([]sim.NodeID{3}) isolates node
// 3 from everyone else and Partition(minority) cuts a minority off from the
// rest. A new partition replaces the previous one; cuts are kept. It panics
// on groups that ValidateGroups rejects: fault plans validate them first.
func (net *Net) Partition(groups ...[]sim.NodeID) {
	if err := ValidateGroups(net.n, groups); err != nil {
		panic("network: " + err.Error())
	}
	if net.group == nil {
		net.group = make([]int32, net.n)
	}
	rest := int32(len(groups))
	for i := range net.group {
		net.group[i] = rest
	}
	for gi, g := range groups {
		for _, id := range g {
			net.group[id] = int32(gi)
		}
	}
}

// window is a partition in force over [from, to): group[i] is node i's
// side.
type window struct {
	from, to sim.Time
	group    []int32
}

// PartitionDuring splits the network into groups (unlisted nodes form one
// more group, as in Partition) for the messages sent from from until to
// (to 0: for good). Unlike Partition, which a fault plan calls at a time
// through the world, the Net applies it by each message's send time, so it
// needs no world event and leaves no trace line: for a scenario whose world
// is built from a sim.Config alone. Windows add to any partition and cut in
// force; Heal does not end them. It panics on groups ValidateGroups
// rejects.
func (net *Net) PartitionDuring(from, to sim.Time, groups ...[]sim.NodeID) {
	if err := ValidateGroups(net.n, groups); err != nil {
		panic("network: " + err.Error())
	}
	w := window{from: from, to: to, group: make([]int32, net.n)}
	for i := range w.group {
		w.group[i] = int32(len(groups))
	}
	for gi, g := range groups {
		for _, id := range g {
			w.group[id] = int32(gi)
		}
	}
	net.windows = append(net.windows, w)
}

// windowed reports whether a partition window in force at now keeps a and
// b apart.
func (net *Net) windowed(a, b sim.NodeID, now sim.Time) bool {
	for _, w := range net.windows {
		if now >= w.from && (w.to <= 0 || now < w.to) && w.group[a] != w.group[b] {
			return net.free == nil || (!net.free[a] && !net.free[b])
		}
	}
	return false
}

// Cut breaks the one-way link from → to: messages from from to to are
// dropped with reason "cut", while to → from still works. It panics on ids
// out of range.
func (net *Net) Cut(from, to sim.NodeID) {
	if from < 0 || int(from) >= net.n || to < 0 || int(to) >= net.n {
		panic(fmt.Sprintf("network: cut n%d->n%d out of range [0, %d)", from, to, net.n))
	}
	net.cuts[net.linkKey(from, to)] = struct{}{}
}

// SetLoss sets the loss probability until the next SetLoss or Heal: a loss
// window. It panics on p outside [0, 1]; fault plans validate p first.
func (net *Net) SetLoss(p float64) {
	if err := ValidateProbability("loss", p); err != nil {
		panic("network: " + err.Error())
	}
	net.lossPPM = toPPM(p)
}

// SetDuplicate sets the duplication probability until the next
// SetDuplicate or Heal: a duplication window. It panics on p outside
// [0, 1]; fault plans validate p first.
func (net *Net) SetDuplicate(p float64) {
	if err := ValidateProbability("duplicate", p); err != nil {
		panic("network: " + err.Error())
	}
	net.dupPPM = toPPM(p)
}

// Duplicate returns the current duplication probability.
func (net *Net) Duplicate() float64 { return float64(net.dupPPM) / ppm }

// SetBaseline changes the loss and duplication probabilities the Net was
// built with, the ones Heal restores: for a scenario that draws its rates
// during set-up, after the Net was handed to the world but before any
// message. It panics on probabilities outside [0, 1].
func (net *Net) SetBaseline(loss, dup float64) {
	net.SetLoss(loss)
	net.SetDuplicate(dup)
	net.opts.Loss, net.opts.Duplicate = loss, dup
}

// Loss returns the current loss probability.
func (net *Net) Loss() float64 { return float64(net.lossPPM) / ppm }

// Heal ends every partition, cut, loss and duplication window: the
// network is back to the options it was built with. FIFO order and the
// bandwidth queues are kept across a heal.
func (net *Net) Heal() {
	net.group = nil
	clear(net.cuts)
	net.lossPPM = toPPM(net.opts.Loss)
	net.dupPPM = toPPM(net.opts.Duplicate)
}

// Reachable reports whether a message from → to can currently get through
// structurally: the link exists, no partition separates them and it is not
// cut. It ignores loss.
func (net *Net) Reachable(from, to sim.NodeID) bool {
	if from == to {
		return true
	}
	if !net.topo.Linked(from, to) {
		return false
	}
	if net.separated(from, to) {
		return false
	}
	_, cut := net.cuts[net.linkKey(from, to)]
	return !cut
}

// Healed reports whether no partition, cut, loss or duplication window is
// in force.
func (net *Net) Healed() bool {
	return net.group == nil && len(net.cuts) == 0 && net.lossPPM == toPPM(net.opts.Loss) && net.dupPPM == toPPM(net.opts.Duplicate)
}

// GroupsString renders a partition for traces, listing the implicit group
// of unlisted nodes last, e.g. "{n0 n1} | {n2 n3} | rest {n4}" (or just
// its size when it is large). Groups are
// shown in the order given, members sorted.
func GroupsString(n int, groups [][]sim.NodeID) string {
	var b strings.Builder
	listed := make([]bool, n)
	write := func(g []sim.NodeID) {
		g = slices.Clone(g)
		slices.Sort(g)
		b.WriteByte('{')
		for i, id := range g {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteByte('n')
			b.WriteString(strconv.Itoa(int(id)))
		}
		b.WriteByte('}')
	}
	for i, g := range groups {
		if i > 0 {
			b.WriteString(" | ")
		}
		write(g)
		for _, id := range g {
			if id >= 0 && int(id) < n {
				listed[id] = true
			}
		}
	}
	var rest []sim.NodeID
	for i, l := range listed {
		if !l {
			rest = append(rest, sim.NodeID(i))
		}
	}
	if len(rest) > 0 {
		if len(groups) > 0 {
			b.WriteString(" | ")
		}
		if len(rest) > 16 {
			// A big network's majority side would swamp the trace line.
			fmt.Fprintf(&b, "rest (%d nodes)", len(rest))
		} else {
			b.WriteString("rest ")
			write(rest)
		}
	}
	return b.String()
}
