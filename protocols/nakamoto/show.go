package nakamoto

import (
	"fmt"
	"simulate/protocols/chain"

	"simulate/report"
	"simulate/scenario"
	"simulate/sim"
)

// Output is `simulate nakamoto --format json` (docs/json.md).
type Output struct {
	Scenario Scenario `json:"scenario"`
	Seed     uint64   `json:"seed"`
	Hash     string   `json:"trace_hash"`
	Stats    Stats    `json:"stats"`
	// Blocks are the last main-chain blocks, in real proof-of-work mode.
	Blocks []PowBlock `json:"blocks,omitempty"`
}

// PowBlock is one main-chain block of a real proof-of-work run, with the
// work its miner did to find it.
type PowBlock struct {
	Height int    `json:"height"`
	Miner  int    `json:"miner"`
	Nonce  uint64 `json:"nonce"`
	Hashes uint64 `json:"hashes_tried"`
	Zeros  int    `json:"leading_zero_bits"`
	Hash   string `json:"hash"`
}

// show is a run's presentation: the table of `simulate nakamoto`, the
// last blocks' hashes with real proof of work, and its documented JSON
// document (docs/json.md).
func show(r *Run, seed uint64, res sim.Result, st Stats) scenario.Shown {
	o := Output{Scenario: r.Scenario, Seed: seed, Hash: res.HashString(), Stats: st}
	if r.Scenario.RealPoW {
		o.Blocks = lastBlocks(r, 5)
	}
	tables := []report.Table{table(o)}
	if r.Scenario.RealPoW {
		tables = append(tables, powTable(r.Scenario, o.Blocks))
	}
	return scenario.Shown{Tables: tables, JSON: o}
}

func lastBlocks(r *Run, n int) []PowBlock {
	st := r.Net.Store
	chain := st.Chain(r.MainTip())
	var out []PowBlock
	for _, id := range chain[max(1, len(chain)-n):] {
		b := st.Get(id)
		out = append(out, PowBlock{Height: b.Height, Miner: int(b.Miner), Nonce: b.Nonce, Hashes: b.Hashes, Zeros: LeadingZeroBits(b.Hash), Hash: b.HashHex()})
	}
	return out
}

func table(o Output) report.Table {
	s, st := o.Scenario, o.Stats
	bw := "unlimited bandwidth"
	if s.Bandwidth > 0 {
		bw = fmt.Sprintf("%g Mbit/s", float64(s.Bandwidth)/1e6)
	}
	graph := fmt.Sprintf("degree %d", s.Degree)
	if s.Outbound > 0 {
		graph = fmt.Sprintf("%d outbound connections each", s.Outbound)
	}
	if s.Relay == RelaySimBlock {
		graph = "SimBlock's relay and node model"
	}
	links := fmt.Sprintf("delay %v, %s", chain.ShortTime(s.Delay), bw)
	if s.Regions != nil {
		links = fmt.Sprintf("latency and bandwidth of %d regions", len(s.Regions.Names))
	}
	t, add := chain.Measures(fmt.Sprintf("Nakamoto consensus: %d miners, %v interval, %s blocks, %s, %s, seed %d",
		s.Miners, chain.ShortTime(s.Interval), chain.SizeWords(s.BlockSize), graph, links, o.Seed))
	if s.Bug != "" {
		t.Title += ", bug " + s.Bug
	}
	add("chain height", fmt.Sprint(st.Height))
	add("blocks mined", fmt.Sprint(st.Mined))
	add("stale blocks", fmt.Sprintf("%d (stale rate %.2f%%)", st.Stale, 100*st.StaleRate))
	add("forks", fmt.Sprint(st.Forks))
	add("reorganisations", fmt.Sprintf("%d (deepest %d)", st.Reorgs, st.MaxReorgDepth))
	add("mean block interval", chain.ShortTime(st.MeanInterval))
	if s.Regions != nil || s.Outbound > 0 {
		add("propagation to 50% / 90% of nodes", fmt.Sprintf("mean %s / %s", chain.ShortTime(st.Propagation50), chain.ShortTime(st.Propagation90)))
	}
	add("propagation to all nodes", fmt.Sprintf("mean %s, max %s", chain.ShortTime(st.Propagation), chain.ShortTime(st.MaxPropagation)))
	if s.Relay == RelaySimBlock && s.Miners == SimBlockPublished.Nodes && s.BlockSize == SimBlockPublished.BlockSize {
		add("SimBlock's own run, same settings", fmt.Sprintf("%s / %s to 50%% / 90%%, %s to all",
			chain.ShortTime(SimBlockPublished.P50), chain.ShortTime(SimBlockPublished.P90), chain.ShortTime(SimBlockPublished.P100)))
	}
	add("transactions in the chain", fmt.Sprint(st.Txs))
	add("throughput", fmt.Sprintf("%.2f tx/s (offered %.2f tx/s)", st.Throughput, s.TxRate))
	chain.AddConfirmations(add, st.Confirmations)
	chain.AddVerdicts(add, st.CommonPrefix, "all nodes", st.Agree)
	var notes []string
	if p := st.Partition; p != nil {
		notes = append(notes, partitionRows(s, p, st, add)...)
	}
	if e := st.Eclipse; e != nil {
		notes = append(notes, eclipseRows(s, e, add)...)
	}
	if s.Retarget > 0 {
		add("difficulty (last block)", fmt.Sprintf("%.3g× the initial", st.Difficulty))
	}
	if st.Hashes > 0 {
		add("hashes tried", fmt.Sprint(st.Hashes))
	}
	add("tip", st.TipHash[:16])
	t.Notes = []string{
		"A fork is a second block on the same parent; the one left off the main chain is stale.",
		"Confirmation latency: from a transaction's arrival until node 0 holds the block k-1 above the one including it, on the final main chain.",
		fmt.Sprintf("Common prefix: no honest node ever held a chain whose blocks %d deep were not on every later chain.", st.CommonPrefix.K),
	}
	t.Notes = append(t.Notes, notes...)
	return *t
}

// partitionRows adds the partition's rows to a table and returns its notes.
func partitionRows(s Scenario, p *PartitionStats, st Stats, add func(k, v string)) []string {
	add("partition", fmt.Sprintf("side A: %d of %d nodes, %.1f%% of the hash power, cut %s..%s", p.SideA, s.Miners, 100*p.ShareA, chain.ShortTime(p.From), chain.ShortTime(p.To)))
	if !p.Healed {
		add("heal", "the run ended before the partition healed")
	}
	add("blocks mined during the split", fmt.Sprintf("side A %d, side B %d; the main chain kept %s", p.MinedA, p.MinedB, winnerWords(p.Winner)))
	add("blocks orphaned at the heal", fmt.Sprintf("%d (model %.2f)", p.Orphaned, ExpectedOrphaned(p.ShareA, p.To-p.From, s.Interval)))
	add("transactions in orphaned blocks", fmt.Sprintf("%d (%d not in the winning chain at the heal: back to the pool)", p.TxsOrphaned, p.TxsReturned))
	add("reorganisations after the heal", fmt.Sprintf("%d (deepest %d blocks)", p.Reorgs, p.DeepestReorg))
	conv := chain.ShortTime(p.Converge)
	switch {
	case !p.Converged:
		conv = "never: some nodes stayed on a lighter chain"
	case p.Reorgs == 0:
		conv = "no node had to reorganise"
	}
	add("time to converge after the heal", conv)
	add(fmt.Sprintf("transactions confirmed (k=%d) on two branches", s.K), fmt.Sprint(st.DoubleConfirmed))
	return []string{
		"Partition: no message crosses the cut until the heal; both sides keep mining (the AP side of CAP). At the heal every node asks its neighbours across the cut for the blocks it missed (a block locator, as Bitcoin's getheaders), and the side with less work reorganises onto the heavier chain.",
		"model: each side mines a Poisson number of blocks (means share·T/interval and (1-share)·T/interval) and the side with fewer loses them all: E[min(X, Y)]. It leaves out forks from propagation delay and races after the heal. A model, not a measurement.",
	}
}

func winnerWords(w string) string {
	switch w {
	case "A", "B":
		return "side " + w + "'s"
	case "both":
		return "blocks of both sides"
	}
	return "none of them"
}

// eclipseRows adds the eclipse's rows to a table and returns its notes.
func eclipseRows(s Scenario, e *EclipseStats, add func(k, v string)) []string {
	add("eclipse victim", fmt.Sprintf("n%d, %.1f%% of the hash power, every message to it %s late", e.Victim, 100*e.Share, chain.ShortTime(e.Delay)))
	wasted := "-"
	if e.Mined > 0 {
		wasted = fmt.Sprintf("%.0f%%", 100*float64(e.Wasted)/float64(e.Mined))
	}
	add("victim's blocks wasted", fmt.Sprintf("%d of %d (%s; model %.0f%%)", e.Wasted, e.Mined, wasted, 100*EclipseWasteModel(e.Share, e.Delay, s.Interval)))
	add("blocks the victim was behind", fmt.Sprintf("mean %.2f, at most %d", e.MeanLag, e.MaxLag))
	add("victim's view delay", chain.ShortTime(e.ViewDelay))
	add("confirmations the victim saw reversed", fmt.Sprint(e.Reversed))
	return []string{
		"Eclipse: the attacker holds every connection of the victim and passes each message on late, so the victim mines on tips the network has already built on and trusts confirmations that are overtaken: a merchant behind it can be paid with coins spent elsewhere.",
		"model (wasted): a victim block is wasted when an honest block came in the delay before it, 1 - exp(-(1-share)·delay/interval); a victim block on a stale tip sometimes wins anyway, so the measurement sits a little below. A model, not a measurement.",
	}
}

func powTable(s Scenario, blocks []PowBlock) report.Table {
	t := report.Table{
		Name:   "blocks",
		Title:  fmt.Sprintf("Last blocks of the main chain: double SHA-256 of the header below a target of %d leading zero bits", s.PoWBits),
		Header: []string{"height", "miner", "nonce", "hashes tried", "zero bits", "block hash"},
	}
	for _, b := range blocks {
		t.Rows = append(t.Rows, []string{fmt.Sprint(b.Height), fmt.Sprintf("n%d", b.Miner), fmt.Sprint(b.Nonce), fmt.Sprint(b.Hashes), fmt.Sprint(b.Zeros), b.Hash})
	}
	t.Notes = []string{fmt.Sprintf("Each nonce tried succeeds with probability 2^-%d, so a block takes about %d hashes; the hash power decides who gets there first.", s.PoWBits, 1<<s.PoWBits)}
	return t
}
