package generals

import (
	"fmt"
	"strings"

	"simulate/report"
	"simulate/sim"
)

// ClosedForm is the number of messages s's algorithm sends among loyal
// generals, printed beside the run's count.
func ClosedForm(s Scenario) int {
	if s.Algorithm == SM {
		return SMMessages(s.Generals, s.Rounds)
	}
	return OMMessages(s.Generals, s.Rounds)
}

// Table presents a run of seed as `simulate byzantine` prints it: every
// general's role and decision, then IC1, IC2 and the camps, the messages
// beside the closed form, what the traitors said (lies, from Explain; may
// be nil) and the verdict in terms of n ≥ 3m+1.
func (o Outcome) Table(seed uint64, lies []string) report.Table {
	s := o.Scenario
	cmdr := "loyal"
	if !s.CommanderLoyal() {
		cmdr = "a traitor"
	}
	t := report.Table{
		Title: fmt.Sprintf("Byzantine generals: %s, %d generals, %s, seed %d; the commander n0 is %s, its order %s",
			s.Algorithm.Name(s.Rounds), s.Generals, plural(len(s.Traitors), "traitor"), seed, cmdr, s.Order),
		Header: []string{"general", "role", "loyal", "strategy", "decision"},
	}
	for i := 0; i < s.Generals; i++ {
		id := sim.NodeID(i)
		role := "lieutenant"
		if id == Commander {
			role = "commander"
		}
		loyal, strat, dec := "yes", "-", "-"
		if st, traitor := s.Traitor(id); traitor {
			loyal, strat = "TRAITOR", string(st)
		} else if v, ok := o.Decisions[id]; ok {
			dec = v.String()
			if id == Commander {
				dec += " (its order)"
			}
		}
		t.Rows = append(t.Rows, []string{fmt.Sprintf("n%d", i), role, loyal, strat, dec})
	}
	t.Notes = append(t.Notes, o.ic1Line(), o.ic2Line(), fmt.Sprintf("messages: %d sent; %s among %d loyal generals sends %d", o.Messages(), s.Algorithm.Name(s.Rounds), s.Generals, ClosedForm(s)))
	if len(lies) > 0 {
		const show = 6
		t.Notes = append(t.Notes, "what the traitors said:")
		for i, l := range lies {
			if i == show {
				t.Notes = append(t.Notes, fmt.Sprintf("  … and %d more (see --trace FILE, then simulate replay --show FILE)", len(lies)-show))
				break
			}
			t.Notes = append(t.Notes, "  "+l)
		}
	}
	t.Notes = append(t.Notes, "verdict: "+o.Verdict())
	return t
}

func (o Outcome) ic1Line() string {
	loyal := o.LoyalLieutenants()
	switch {
	case len(loyal) < 2:
		return "IC1 agreement: held (vacuously: fewer than two loyal lieutenants)"
	case o.Agreement:
		return fmt.Sprintf("IC1 agreement: held — every loyal lieutenant decided %s", o.Decisions[loyal[0]])
	}
	return "IC1 agreement: FAILED — " + o.camps()
}

func (o Outcome) ic2Line() string {
	s := o.Scenario
	switch {
	case !s.CommanderLoyal():
		return "IC2 validity: not applicable — the commander is a traitor, so it speaks only of loyal commanders"
	case o.Validity:
		return fmt.Sprintf("IC2 validity: held — the loyal commander ordered %s and every loyal lieutenant followed", s.Order)
	}
	return fmt.Sprintf("IC2 validity: FAILED — the loyal commander ordered %s, but %s", s.Order, o.camps())
}

func (o Outcome) camps() string {
	var camps [2][]string
	for _, id := range o.LoyalLieutenants() {
		v := o.Decisions[id]
		camps[v] = append(camps[v], fmt.Sprintf("n%d", id))
	}
	var parts []string
	for _, v := range []Value{Attack, Retreat} {
		if len(camps[v]) > 0 {
			parts = append(parts, fmt.Sprintf("%s decided %s", strings.Join(camps[v], ", "), v))
		}
	}
	return strings.Join(parts, "; ")
}
