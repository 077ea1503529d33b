package main

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/spf13/cobra"

	"simulate/protocols/pbft"
	"simulate/report"
	"simulate/sim"
)

// pbftStrategyFor maps the generals' traitor strategies onto PBFT's: a
// liar or a splitter equivocates, a silent traitor stays silent, colluders
// collude. PBFT's own strategy names are accepted as they are; with none
// given, each traitor's strategy is drawn from the seed.
func pbftStrategyFor(name string, seed uint64, traitors int) (string, error) {
	switch name {
	case "lie", "split":
		return pbft.Equivocate, nil
	case "silent":
		return pbft.Silent, nil
	case "collude":
		return pbft.Collude, nil
	case "", "random":
		r := rand.New(rand.NewPCG(seed, 0xb12a))
		var out []string
		for i := 0; i < traitors; i++ {
			out = append(out, pbft.Strategies[1+r.IntN(len(pbft.Strategies)-1)]) // never "honest"
		}
		return strings.Join(out, ","), nil
	}
	if pbft.ValidStrategy(name) {
		return name, nil
	}
	return "", fmt.Errorf("--strategy %q: want lie, split, silent, collude, random or a PBFT strategy (%s)", name, strings.Join(pbft.Strategies, ", "))
}

// pbftByzantineResult is `simulate byzantine --protocol pbft --format json`:
// the keys of the generals' output where they mean the same thing.
type pbftByzantineResult struct {
	Generals   int               `json:"generals"`
	Traitors   int               `json:"traitors"`
	TraitorIDs []int             `json:"traitor_ids"`
	Strategies []string          `json:"strategies"`
	Algorithm  string            `json:"algorithm"`
	Agreement  bool              `json:"agreement"`
	Validity   bool              `json:"validity"`
	Completed  int               `json:"completed"`
	Requests   int               `json:"requests"`
	Messages   int               `json:"messages"`
	Decisions  map[string]string `json:"decisions"`
	Guaranteed bool              `json:"guaranteed"`
	Verdict    string            `json:"verdict"`
	Hash       string            `json:"hash"`
}

// runByzantinePBFT runs the byzantine command's traitor scenario on PBFT:
// n = --generals replicas (default 3m+1) with m = --traitors Byzantine
// replicas, agreement and validity judged as PBFT defines them.
func runByzantinePBFT(cmd *cobra.Command, g *globals, generals, traitors int, strategy string) error {
	m := traitors
	if m < 0 {
		return badInput("--traitors %d: want 0 or more", m)
	}
	n := generals
	if n == 0 {
		n = 3*m + 1
	}
	if n < 2 || m >= n {
		return badInput("--generals %d with --traitors %d: want at least 2 replicas and fewer traitors than replicas", n, m)
	}
	strat, err := pbftStrategyFor(strategy, g.seed, m)
	if err != nil {
		return badInput("%v", err)
	}
	s := pbft.Default()
	s.Replicas, s.Traitors, s.Strategy = n, m, strat
	if m == 0 {
		s.Strategy = ""
	}
	s.Jitter = 3 * sim.Millisecond
	if err := s.Validate(); err != nil {
		return badInput("%v", err)
	}
	var o pbft.Outcome
	if _, err := execute(g, "pbft", s, func(tracer sim.Tracer) sim.Result {
		var res sim.Result
		o, res = runPBFTWithResult(s, g.seed, tracer)
		return res
	}); err != nil {
		return err
	}
	guaranteed := n >= 3*m+1
	verdict := pbftVerdict(n, m, o, guaranteed)
	w := cmd.OutOrStdout()
	dec := map[string]string{}
	for _, r := range o.PerReplica {
		dec[fmt.Sprintf("n%d", r.ID)] = strings.Join(nonEmpty(r.Committed), " ")
	}
	if g.format == "json" {
		return report.WriteJSON(w, pbftByzantineResult{
			Generals: n, Traitors: m, TraitorIDs: o.TraitorIDs, Strategies: o.Strategies, Algorithm: "pbft",
			Agreement: o.Agreement, Validity: o.Validity, Completed: o.Completed, Requests: o.Requests,
			Messages: o.Messages, Decisions: dec, Guaranteed: guaranteed, Verdict: verdict, Hash: o.Hash,
		})
	}
	t := report.Table{
		Title:  fmt.Sprintf("Byzantine generals on PBFT: %d replicas, %d traitor(s), %d client requests, seed %d", n, m, o.Requests, g.seed),
		Header: []string{"replica", "loyal", "strategy", "executed", "committed (sequence 1, 2, ...)"},
	}
	for _, r := range o.PerReplica {
		loyal, strategy := "yes", "-"
		if r.Role != "honest" {
			loyal, strategy = "TRAITOR", r.Role
		}
		t.Rows = append(t.Rows, []string{fmt.Sprintf("n%d", r.ID), loyal, strategy, fmt.Sprint(r.Executed), shortList(r.Committed, 6)})
	}
	t.Notes = []string{
		fmt.Sprintf("agreement (IC1: no two honest replicas commit different requests at one sequence number): %s", heldBroken(o.Agreement)),
		fmt.Sprintf("validity (IC2: every committed request is one a client sent): %s", heldBroken(o.Validity)),
		fmt.Sprintf("requests completed: %d of %d; view changes: %d; messages: %d", o.Completed, o.Requests, o.ViewChanges, o.Messages),
		"verdict: " + verdict,
	}
	return report.Write(w, g.format, t)
}

func pbftVerdict(n, m int, o pbft.Outcome, guaranteed bool) string {
	switch {
	case guaranteed && o.Agreement && o.Validity:
		return fmt.Sprintf("n = %d ≥ 3f+1 = %d: PBFT's quorums of 2f+1 intersect in an honest replica, so %d traitor(s) cannot split the honest ones; they held.", n, 3*m+1, m)
	case guaranteed:
		return fmt.Sprintf("n = %d ≥ 3f+1 = %d, yet a property broke: that is a bug (or a teaching bug switched on).", n, 3*m+1)
	case o.Agreement && o.Validity:
		return fmt.Sprintf("n = %d < 3f+1 = %d: nothing guarantees safety with %d traitor(s); this run happened to hold (try simulate check pbft).", n, 3*m+1, m)
	default:
		return fmt.Sprintf("n = %d < 3f+1 = %d: quorums no longer intersect in an honest replica, and %d traitor(s) broke safety.", n, 3*m+1, m)
	}
}

func heldBroken(ok bool) string {
	if ok {
		return "held"
	}
	return "BROKEN"
}

func nonEmpty(xs []string) []string {
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		if x == "" {
			x = "·"
		}
		out = append(out, x)
	}
	return out
}

// shortList shows the first k entries of a committed sequence.
func shortList(xs []string, k int) string {
	ys := nonEmpty(xs)
	if len(ys) > k {
		return strings.Join(ys[:k], " ") + fmt.Sprintf(" … (%d)", len(ys))
	}
	return strings.Join(ys, " ")
}

// runPBFTWithResult runs s and returns both PBFT's outcome and the kernel's
// result (which execute needs for traces and determinism checks).
func runPBFTWithResult(s pbft.Scenario, seed uint64, tracer sim.Tracer) (pbft.Outcome, sim.Result) {
	st, err := pbft.NewSetup(s, seed)
	if err != nil {
		return pbft.Outcome{}, sim.Result{} // Validate ran first; unreachable
	}
	cfg := st.Config()
	cfg.Tracer = tracer
	w := sim.New(cfg)
	res := w.Run()
	return st.Outcome(w, res), res
}
