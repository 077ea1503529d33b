package nakamoto

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"simulate/protocols/chain"
	"simulate/sim"
)

// Split is a network partition: from From until To (the heal) no message
// crosses between side A and side B, as when a country's links to the
// rest of the Internet are cut. Both sides keep mining on their own chain
// — the AP side of CAP: every miner stays available and neither side can
// know the other's blocks. At the heal, every node asks each neighbour
// across the cut for the blocks it lacks (GetBlocksMsg, Bitcoin's
// getheaders on reconnection), so the side with less work learns the
// heavier chain and reorganises onto it.
type Split struct {
	// Share is the hash-power share of side A: the first nodes, in id
	// order, whose shares add up closest to it (at least one node on each
	// side). Ignored when Nodes is set.
	Share float64 `json:"share,omitempty"`
	// Nodes, if set, lists side A's nodes.
	Nodes []int `json:"nodes,omitempty"`
	// From is when the cut begins; To when it heals.
	From sim.Time `json:"from"`
	To   sim.Time `json:"to"`
}

// ParseSplit reads SIDE@FROM..TO, where SIDE is side A's share of the hash
// power as a fraction or percentage ("0.3", "30%") or a comma-separated
// list of node ids ("0,1,2"): for example 30%@1h..2h.
func ParseSplit(text string) (*Split, error) {
	side, span, ok := strings.Cut(text, "@")
	from, to, ok2 := strings.Cut(span, "..")
	if !ok || !ok2 || side == "" {
		return nil, fmt.Errorf("partition %q: want SIDE@FROM..TO, e.g. 0.3@1h..2h (side A's hash share) or 0,1,2@1h..2h (its nodes)", text)
	}
	p := &Split{}
	switch {
	case strings.HasSuffix(side, "%"):
		v, err := strconv.ParseFloat(strings.TrimSuffix(side, "%"), 64)
		if err != nil {
			return nil, fmt.Errorf("partition %q: %q is not a percentage", text, side)
		}
		p.Share = v / 100
	case strings.Contains(side, "."):
		v, err := strconv.ParseFloat(side, 64)
		if err != nil {
			return nil, fmt.Errorf("partition %q: %q is not a fraction", text, side)
		}
		p.Share = v
	default:
		for _, f := range strings.Split(side, ",") {
			id, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil {
				return nil, fmt.Errorf("partition %q: %q is not a node id", text, f)
			}
			p.Nodes = append(p.Nodes, id)
		}
	}
	var err error
	if p.From, err = sim.ParseTime(from); err != nil {
		return nil, fmt.Errorf("partition %q: from: %v", text, err)
	}
	if p.To, err = sim.ParseTime(to); err != nil {
		return nil, fmt.Errorf("partition %q: to: %v", text, err)
	}
	return p, nil
}

// String writes p in ParseSplit's form.
func (p Split) String() string {
	side := strconv.FormatFloat(p.Share, 'f', -1, 64)
	if !strings.Contains(side, ".") {
		side += ".0"
	}
	if len(p.Nodes) > 0 {
		ids := make([]string, len(p.Nodes))
		for i, id := range p.Nodes {
			ids[i] = strconv.Itoa(id)
		}
		side = strings.Join(ids, ",")
	}
	return fmt.Sprintf("%s@%v..%v", side, p.From, p.To)
}

// validate checks p for a run of n miners.
func (p Split) validate(n int) error {
	switch {
	case n < 2:
		return fmt.Errorf("partition needs at least 2 miners")
	case p.From < 0 || p.To <= p.From:
		return fmt.Errorf("partition: want 0 <= from < to, got %v..%v", p.From, p.To)
	case p.To > 100_000*sim.Hour:
		return fmt.Errorf("partition: heal time %v is too far", p.To)
	case len(p.Nodes) == 0 && !(p.Share > 0 && p.Share < 1):
		return fmt.Errorf("partition: side A's share must be in (0, 1), got %v", p.Share)
	case len(p.Nodes) >= n:
		return fmt.Errorf("partition: side A must leave some of the %d miners on side B", n)
	}
	seen := map[int]bool{}
	for _, id := range p.Nodes {
		if id < 0 || id >= n {
			return fmt.Errorf("partition: node %d is not one of the %d miners", id, n)
		}
		if seen[id] {
			return fmt.Errorf("partition: node %d listed twice", id)
		}
		seen[id] = true
	}
	return nil
}

// SideA marks the nodes on side A, given the normalised hash shares.
func (p Split) SideA(shares []float64) []bool {
	n := len(shares)
	side := make([]bool, n)
	if len(p.Nodes) > 0 {
		for _, id := range p.Nodes {
			side[id] = true
		}
		return side
	}
	best, bestErr, cum := 1, math.Inf(1), 0.0
	for m := 1; m < n; m++ {
		cum += shares[m-1]
		if e := math.Abs(cum - p.Share); e < bestErr-1e-12 {
			best, bestErr = m, e
		}
	}
	for i := 0; i < best; i++ {
		side[i] = true
	}
	return side
}

// Eclipse is an eclipse attack (Heilman et al., "Eclipse Attacks on
// Bitcoin's Peer-to-Peer Network", 2015): the attacker holds every
// connection of the victim, so everything the victim hears comes through
// it, Delay late. The victim keeps mining on a tip the rest of the network
// has already built on, wasting its hash power, and trusts confirmations
// the rest of the network has already overtaken — a merchant whose node
// is eclipsed can be paid with coins that are spent elsewhere.
type Eclipse struct {
	// Victim is the eclipsed node.
	Victim int `json:"victim"`
	// Delay is how long the attacker holds every message to the victim.
	Delay sim.Time `json:"delay"`
}

func (e Eclipse) validate(n int) error {
	switch {
	case n < 2:
		return fmt.Errorf("eclipse needs at least 2 miners")
	case e.Victim < 0 || e.Victim >= n:
		return fmt.Errorf("eclipse victim %d is not one of the %d miners", e.Victim, n)
	case e.Delay < 0 || e.Delay > 10_000*sim.Hour:
		return fmt.Errorf("eclipse delay must be between 0 and 10000h, got %v", e.Delay)
	}
	return nil
}

// eclipseModel adds the attacker's delay to every message to the victim.
type eclipseModel struct {
	inner  sim.Model
	victim sim.NodeID
	delay  sim.Time
}

// Route implements sim.Model.
func (m *eclipseModel) Route(l sim.Link) sim.Fate {
	f := m.inner.Route(l)
	if l.To == m.victim && l.From != m.victim && !f.Drop {
		f.Delay += m.delay
		f.DupDelay += m.delay
	}
	return f
}

// EclipseWasteModel is the share of an eclipsed victim's blocks expected
// to go stale: a victim block is wasted when an honest block was found in
// the Delay before it, which the victim had not yet been shown — with
// honest blocks a Poisson process of rate (1-share)/interval,
// 1 - exp(-(1-share)·delay/interval). Races with ordinary propagation
// delay add a little.
func EclipseWasteModel(share float64, delay, interval sim.Time) float64 {
	return 1 - math.Exp(-(1-share)*float64(delay)/float64(interval))
}

// PartitionStats is what a partition did to the chain.
type PartitionStats struct {
	From sim.Time `json:"from_ns"`
	To   sim.Time `json:"to_ns"`
	// SideA and ShareA are side A's number of nodes and hash share.
	SideA  int     `json:"side_a_nodes"`
	ShareA float64 `json:"side_a_share"`
	// Healed is true when the run went on past the heal.
	Healed bool `json:"healed"`
	// MinedA and MinedB are the blocks each side mined during the split.
	MinedA int `json:"mined_a"`
	MinedB int `json:"mined_b"`
	// Winner is the side whose split-time blocks the final main chain
	// holds: "A", "B", "both" (natural forks only) or "none".
	Winner string `json:"winner"`
	// Orphaned counts the blocks mined during the split that ended off the
	// main chain: the losing side's work, thrown away at the heal.
	Orphaned int `json:"orphaned"`
	// TxsOrphaned counts the transactions in those blocks: confirmations
	// that disappeared in the reorganisation.
	TxsOrphaned int64 `json:"txs_orphaned"`
	// TxsReturned counts the transactions the orphaned blocks held that
	// the winning chain did not hold at the heal: back to the pool, to be
	// mined again.
	TxsReturned int64 `json:"txs_returned"`
	// Reorgs counts the tip switches after the heal that abandoned a block
	// mined during the split; DeepestReorg is the deepest of them.
	Reorgs       int `json:"reorgs"`
	DeepestReorg int `json:"deepest_reorg"`
	// Converge is the time from the heal until the last node abandoned
	// the losing side's blocks (0 if nobody had to).
	Converge sim.Time `json:"converge_ns"`
	// Converged is true when every node ended on a tip of the most work.
	Converged bool `json:"converged"`
}

// EclipseStats is what the eclipse attacker did to its victim.
type EclipseStats struct {
	Victim int      `json:"victim"`
	Delay  sim.Time `json:"delay_ns"`
	// Share is the victim's hash share.
	Share float64 `json:"share"`
	// Mined counts the victim's blocks; Wasted those off the main chain.
	Mined  int `json:"mined"`
	Wasted int `json:"wasted"`
	// MaxLag and MeanLag measure, at every moment a block was found, how
	// many blocks the victim's tip was behind the highest block mined.
	MaxLag  int     `json:"max_lag_blocks"`
	MeanLag float64 `json:"mean_lag_blocks"`
	// ViewDelay is the mean time from a main-chain block's mining until
	// the victim had it.
	ViewDelay sim.Time `json:"view_delay_ns"`
	// Reversed is the deepest reorganisation the victim went through: a
	// payment it saw with that many confirmations could have been undone.
	Reversed int `json:"reversed_confirmations"`
}

// partitionStats measures the partition after the run.
func (r *Run) partitionStats(res sim.Result, main []BlockID) *PartitionStats {
	net, s, p := r.Net, r.Net.Store, r.Scenario.Partition
	ps := &PartitionStats{From: p.From, To: p.To, Reorgs: r.meter.partReorgs, DeepestReorg: r.meter.partDeepest}
	for i, a := range net.sideA {
		if a {
			ps.SideA++
			ps.ShareA += r.shares[i]
		}
	}
	ps.Healed = res.End >= p.To
	var onMain chain.Bitset
	for _, id := range main {
		onMain.Set(id)
	}
	var maxEnd int64
	sides := map[bool]bool{}
	for id := BlockID(1); int(id) < s.Len(); id++ {
		b := s.Get(id)
		if b.Time < p.From || b.Time >= p.To || b.Miner < 0 || int(b.Miner) >= len(net.sideA) {
			continue
		}
		a := net.sideA[b.Miner]
		if a {
			ps.MinedA++
		} else {
			ps.MinedB++
		}
		if onMain.Has(id) {
			sides[a] = true
			continue
		}
		ps.Orphaned++
		ps.TxsOrphaned += int64(b.TxCount)
		maxEnd = max(maxEnd, b.TxEnd)
	}
	switch {
	case sides[true] && sides[false]:
		ps.Winner = "both"
	case sides[true]:
		ps.Winner = "A"
	case sides[false]:
		ps.Winner = "B"
	default:
		ps.Winner = "none"
	}
	// The winning chain at the heal: its last block mined before it.
	w := main[0]
	for _, id := range main {
		if s.Get(id).Time < p.To {
			w = id
		}
	}
	ps.TxsReturned = max(0, maxEnd-s.Get(w).TxEnd)
	if r.meter.partReorgs > 0 {
		ps.Converge = r.meter.partLast - p.To
	}
	ps.Converged = r.Converged() == nil
	return ps
}

// eclipseStats measures the eclipse after the run.
func (r *Run) eclipseStats(main []BlockID) *EclipseStats {
	net, s, e := r.Net, r.Net.Store, r.Scenario.Eclipse
	es := &EclipseStats{Victim: e.Victim, Delay: e.Delay, Share: r.shares[e.Victim], MaxLag: r.meter.lagMax, Reversed: r.meter.victimDeepest}
	if m := r.meter; m.lagN > 0 {
		es.MeanLag = float64(m.lagSum) / float64(m.lagN)
	}
	var onMain chain.Bitset
	for _, id := range main {
		onMain.Set(id)
	}
	for id := BlockID(1); int(id) < s.Len(); id++ {
		if s.Get(id).Miner == net.victim {
			es.Mined++
			if !onMain.Has(id) {
				es.Wasted++
			}
		}
	}
	var sum sim.Time
	n := 0
	for _, id := range main[1:] {
		b := s.Get(id)
		if b.Miner == net.victim || int(id) >= len(r.meter.victimSaw) || r.meter.victimSaw[id] == 0 {
			continue
		}
		sum += r.meter.victimSaw[id] - b.Time
		n++
	}
	if n > 0 {
		es.ViewDelay = sum / sim.Time(n)
	}
	return es
}

// Converged reports, after a run, whether the longest-chain rule brought
// every node to a tip with the most work of any node's tip: all on one
// tip, unless several tie for the most work (then the next block decides).
// It returns nil or the first node that was left behind, in words.
func (r *Run) Converged() error {
	s := r.Net.Store
	var most uint64
	for _, nd := range r.Nodes {
		most = max(most, s.Get(nd.tip).CumWork)
	}
	for _, nd := range r.Nodes {
		if t := s.Get(nd.tip); t.CumWork < most {
			return fmt.Errorf("n%d ended on a lighter chain (height %d, %s) than the heaviest tip", nd.ID, t.Height, t.ShortHash())
		}
	}
	return nil
}

// ExpectedOrphaned is the simple model of what a partition of length T
// costs when side A holds share of the hash power and blocks come every
// interval: each side mines a Poisson number of blocks, X with mean
// share·T/interval and Y with mean (1-share)·T/interval, and at the heal
// the side with fewer loses all of its own, so E[min(X, Y)] blocks are
// orphaned (on a tie the next block decides, and the loser's X = Y go).
// It is also the expected depth of the deepest reorganisation. It leaves
// out forks from propagation delay and blocks mined in a race after the
// heal, so the simulated values sit a little above it.
func ExpectedOrphaned(share float64, length, interval sim.Time) float64 {
	a := share * float64(length) / float64(interval)
	b := (1 - share) * float64(length) / float64(interval)
	// E[min(X,Y)] = sum_{k>=1} P(X>=k) P(Y>=k).
	ta, tb := 1-math.Exp(-a), 1-math.Exp(-b) // P(X>=1), P(Y>=1)
	pa, pb := math.Exp(-a), math.Exp(-b)     // P(X=0), P(Y=0)
	sum := 0.0
	for k := 1; k < 10_000 && ta > 1e-13 && tb > 1e-13; k++ {
		sum += ta * tb
		// P(X>=k+1) = P(X>=k) - P(X=k)
		pa *= a / float64(k)
		pb *= b / float64(k)
		ta -= pa
		tb -= pb
	}
	return sum
}
