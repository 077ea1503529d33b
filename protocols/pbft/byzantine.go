package pbft

import (
	"fmt"
	"strings"

	"simulate/report"
	"simulate/sim"
)

// The generals' traitors against PBFT: `simulate byzantine --protocol
// pbft` runs the byzantine command's scenario (n generals, m traitors, a
// strategy) as n replicas with m Byzantine ones, and judges agreement and
// validity as PBFT defines them. What the command does with its flags is
// here, beside the protocol, so the CLI only parses and prints.

// StrategyForGenerals maps the generals' traitor strategies onto PBFT's: a
// liar or a splitter equivocates, a silent traitor stays silent, colluders
// collude. PBFT's own strategy names are accepted as they are; with none
// given ("" or "random"), each traitor's strategy is drawn from the run's
// named set-up stream "pbft byzantine strategies".
func StrategyForGenerals(name string, seed uint64, traitors int) (string, error) {
	switch name {
	case "lie", "split":
		return Equivocate, nil
	case "silent":
		return Silent, nil
	case "collude":
		return Collude, nil
	case "", "random":
		r := sim.SetupStream(seed, "pbft byzantine strategies")
		var out []string
		for i := 0; i < traitors; i++ {
			out = append(out, Strategies[1+r.IntN(len(Strategies)-1)]) // never "honest"
		}
		return strings.Join(out, ","), nil
	}
	if ValidStrategy(name) {
		return name, nil
	}
	return "", fmt.Errorf("--strategy %q: want lie, split, silent, collude, random or a PBFT strategy (%s)", name, strings.Join(Strategies, ", "))
}

// GeneralsScenario is the PBFT scenario of the byzantine command: n
// replicas (0: 3m+1), m traitors playing strategy (StrategyForGenerals),
// and a 3 ms jitter so that the traitors' messages race the honest ones.
func GeneralsScenario(n, m int, strategy string, seed uint64) (Scenario, error) {
	if m < 0 {
		return Scenario{}, fmt.Errorf("--traitors %d: want 0 or more", m)
	}
	if n == 0 {
		n = 3*m + 1
	}
	if n < 2 || m >= n {
		return Scenario{}, fmt.Errorf("--generals %d with --traitors %d: want at least 2 replicas and fewer traitors than replicas", n, m)
	}
	strat, err := StrategyForGenerals(strategy, seed, m)
	if err != nil {
		return Scenario{}, err
	}
	s := Default()
	s.Replicas, s.Traitors, s.Strategy = n, m, strat
	if m == 0 {
		s.Strategy = ""
	}
	s.Jitter = 3 * sim.Millisecond
	return s, s.Validate()
}

// GeneralsResult is `simulate byzantine --protocol pbft --format json`:
// the keys of the generals' output where they mean the same thing.
type GeneralsResult struct {
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
	Hash       string            `json:"trace_hash"`
}

// Generals is a run of s (from GeneralsScenario) told in the generals'
// terms: the JSON document and the table.
func Generals(s Scenario, seed uint64, o Outcome) (GeneralsResult, report.Table) {
	n, m := s.Replicas, s.Traitors
	guaranteed := n >= 3*m+1
	verdict := generalsVerdict(n, m, o, guaranteed)
	dec := map[string]string{}
	for _, r := range o.PerReplica {
		dec[fmt.Sprintf("n%d", r.ID)] = strings.Join(nonEmpty(r.Committed), " ")
	}
	res := GeneralsResult{
		Generals: n, Traitors: m, TraitorIDs: o.TraitorIDs, Strategies: o.Strategies, Algorithm: "pbft",
		Agreement: o.Agreement, Validity: o.Validity, Completed: o.Completed, Requests: o.Requests,
		Messages: o.Messages, Decisions: dec, Guaranteed: guaranteed, Verdict: verdict, Hash: o.Hash,
	}
	t := report.Table{
		Title:  fmt.Sprintf("Byzantine generals on PBFT: %d replicas, %d traitor(s), %d client requests, seed %d", n, m, o.Requests, seed),
		Header: []string{"replica", "loyal", "strategy", "executed", "committed (sequence 1, 2, ...)"},
	}
	for _, r := range o.PerReplica {
		loyal, strategy := "yes", "-"
		if r.Role != Honest {
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
	return res, t
}

func generalsVerdict(n, m int, o Outcome, guaranteed bool) string {
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

// RunWithResult runs s and returns both PBFT's outcome and the kernel's
// result (a driver that traces or checks determinism needs the second).
func RunWithResult(s Scenario, seed uint64, tracer sim.Tracer) (Outcome, sim.Result, error) {
	st, err := NewSetup(s, seed)
	if err != nil {
		return Outcome{}, sim.Result{}, err
	}
	cfg := st.Config()
	cfg.Tracer = tracer
	w := sim.New(cfg)
	res := w.Run()
	return st.Outcome(w, res), res, nil
}
