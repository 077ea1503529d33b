package generals

import (
	"fmt"
	"strings"
)

// Value is an order: Retreat or Attack. Retreat is the zero value because it
// is the default the algorithms fall back to for a missing message or a
// tied vote.
type Value uint8

// The two orders.
const (
	Retreat Value = iota
	Attack
)

// Not returns the opposite order: what a lying traitor says.
func (v Value) Not() Value { return 1 - v&1 }

// String renders the order as a word.
func (v Value) String() string {
	if v == Attack {
		return "attack"
	}
	return "retreat"
}

// MarshalText renders the order as "attack" or "retreat" so scenarios and
// JSON output read as words.
func (v Value) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// UnmarshalText parses "attack" or "retreat".
func (v *Value) UnmarshalText(b []byte) error {
	x, err := ParseValue(string(b))
	if err != nil {
		return err
	}
	*v = x
	return nil
}

// ParseValue reads "attack" or "retreat".
func ParseValue(s string) (Value, error) {
	switch strings.ToLower(s) {
	case "attack":
		return Attack, nil
	case "retreat":
		return Retreat, nil
	}
	return Retreat, fmt.Errorf("order %q: want attack or retreat", s)
}

// Algorithm names one of the two algorithms of the paper.
type Algorithm string

// The algorithms.
const (
	// OM is the oral-messages algorithm OM(m): the receiver knows who sent a
	// message but not whether its content is true.
	OM Algorithm = "om"
	// SM is the signed-messages algorithm SM(m): orders carry a chain of
	// unforgeable signatures starting with the commander's.
	SM Algorithm = "sm"
)

// ParseAlgorithm reads "om" or "sm".
func ParseAlgorithm(s string) (Algorithm, error) {
	switch a := Algorithm(strings.ToLower(s)); a {
	case OM, SM:
		return a, nil
	}
	return "", fmt.Errorf("algorithm %q: want om or sm", s)
}

// Name renders the algorithm with its parameter, e.g. "OM(2)".
func (a Algorithm) Name(m int) string { return fmt.Sprintf("%s(%d)", strings.ToUpper(string(a)), m) }

// Strategy is how a traitor behaves. Each is a node implementation; what
// it means in detail differs between OM and SM because under SM a traitor
// cannot forge the orders it relays.
type Strategy string

// The traitor strategies.
const (
	// Honest follows the protocol. A traitor may behave well; the search
	// draws it as the boring 0, so shrinking turns off every traitor whose
	// lies the failure does not need.
	Honest Strategy = "honest"
	// Lie sends the opposite of the order the traitor got from the
	// commander (a traitor commander: the opposite of its order), to
	// everyone. Under SM a lieutenant's lie is a forgery, which loyal
	// generals reject.
	Lie Strategy = "lie"
	// Split equivocates: generals in the lower half of the ids are told
	// attack, the rest retreat. Under SM a lieutenant relays to the lower
	// half only and withholds from the rest.
	Split Strategy = "split"
	// Random picks each message's content from the node's own seeded
	// stream (under SM a lieutenant relays, withholds or forges at random).
	Random Strategy = "random"
	// Silent sends nothing; receivers fall back to the default order.
	Silent Strategy = "silent"
	// Collude coordinates all colluding traitors to maximise disagreement:
	// they split the loyal lieutenants into two fixed camps and tell one
	// camp attack and the other retreat, consistently, in every round.
	// Under SM the traitor commander signs attack for one camp and passes a
	// signed retreat down the chain of colluders, who deliver it to the
	// other camp as late as the rounds allow.
	Collude Strategy = "collude"
	// Crashed is no strategy a traitor is given: Judge names so a general
	// a fault plan (or check byzantine's swarm) crashed and left down. A
	// general that stops is faulty in the paper's sense, so it counts
	// against m like a traitor, and the conditions judge only the others.
	Crashed Strategy = "crashed"
)

// Strategies lists every strategy, Honest first (draw 0 is the boring one).
var Strategies = []Strategy{Honest, Lie, Split, Random, Silent, Collude}

// Nasty lists the strategies a plain run draws from: every traitor in
// `simulate byzantine` actually misbehaves.
var Nasty = []Strategy{Lie, Split, Random, Silent, Collude}

// ParseStrategy reads a strategy name.
func ParseStrategy(s string) (Strategy, error) {
	for _, x := range Strategies {
		if string(x) == strings.ToLower(s) {
			return x, nil
		}
	}
	names := make([]string, len(Strategies))
	for i, x := range Strategies {
		names[i] = string(x)
	}
	return "", fmt.Errorf("strategy %q: want one of %s", s, strings.Join(names, ", "))
}

// Bug is a teaching bug: a plausible mistake that breaks the algorithm, so
// tests can show the properties really are checked.
type Bug string

// The teaching bugs.
const (
	// NoBug is the algorithm of the paper.
	NoBug Bug = ""
	// BugTrustCommander: lieutenants decide the first order they accept and
	// relay nothing — as if one round were enough.
	BugTrustCommander Bug = "trust-commander"
	// BugSkipVerify (SM): lieutenants do not check signatures, so a
	// traitor's forged order counts.
	BugSkipVerify Bug = "skip-verify"
)
