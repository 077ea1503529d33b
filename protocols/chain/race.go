package chain

import (
	"fmt"

	"simulate/sim"
)

// The double-spend race, as proof of work (package nakamoto) and proof of
// stake (package pos) both run it: an attacker pays a merchant on the
// public chain while building a private chain that spends the same coins
// elsewhere, and the run ends when the payment is reversed or the attacker
// gives up. The observations name how far the race got.
const (
	// ObsConfirmed: the merchant saw the payment confirmed.
	ObsConfirmed = "confirmed"
	// ObsReversed: a reorganisation took the confirmed payment away.
	ObsReversed = "reversed"
	// ObsPublish: the attacker published its private chain.
	ObsPublish = "publish"
	// ObsGiveUp: the attacker fell too far behind and stopped.
	ObsGiveUp = "giveup"
)

// Merchant is the payee of a double spend: it hands over the goods once the
// payment has Z confirmations (observation "confirmed") and notices when a
// reorganisation takes the payment away ("reversed").
type Merchant struct {
	Z         int
	confirmed bool
	reversed  bool
}

// Check looks at the merchant's chain, now ending at tip.
func (m *Merchant) Check(ctx sim.Context, tip *Block) {
	if !m.confirmed && Confirmed(tip, m.Z) {
		m.confirmed = true
		ctx.Observe(ObsConfirmed, tip.Height, tip.ShortHash())
	}
	if m.confirmed && !m.reversed && tip.ChainFlags&FlagSpend != 0 {
		m.reversed = true
		ctx.Observe(ObsReversed, tip.Height, tip.ShortHash())
	}
}

// Spend is the double spender's move, made whenever the public tip pub or
// the private tip priv moves: once the public chain holds the payment z
// deep and the private chain is heavier, p sends every block of private
// (the private chain from the fork, oldest first) and the race is over;
// giveUp blocks behind (0: never) the attacker stops. It returns whether
// the attacker is done.
func (p *Peer) Spend(ctx sim.Context, z, giveUp int, pub, priv BlockID, private []BlockID) bool {
	s := p.Tree.Store
	pb, pv := s.Get(pub), s.Get(priv)
	switch {
	case Confirmed(pb, z) && s.Heavier(priv, pub):
		for _, id := range private {
			p.Send(ctx, s.Get(id), -1)
		}
		ctx.Observe(ObsPublish, pv.Height, pv.ShortHash())
		return true
	case giveUp > 0 && pb.Height-pv.Height >= giveUp:
		ctx.Observe(ObsGiveUp, pb.Height-pv.Height, pb.ShortHash())
		return true
	}
	return false
}

// RaceOver is a race world's Stop: the last observation reversed the
// payment or gave up.
func RaceOver(w *sim.World) bool {
	obs := w.Observations()
	if len(obs) == 0 {
		return false
	}
	k := obs[len(obs)-1].Kind
	return k == ObsReversed || k == ObsGiveUp
}

// RaceResult is how a finished double-spend race ended, what every
// chain protocol's race outcome reports first (see RaceEnd).
type RaceResult struct {
	// Success: the merchant saw Z confirmations and then lost the payment.
	Success bool `json:"success"`
	// GaveUp: the attacker fell GiveUp blocks behind and stopped.
	GaveUp bool `json:"gave_up"`
}

// RaceEnd reads how a finished race ended from its observations: whether
// the attacker succeeded (the payment was reversed) and whether it gave up.
func RaceEnd(obs []sim.Observation) RaceResult {
	var success, gaveUp bool
	for _, ob := range obs {
		switch ob.Kind {
		case ObsReversed:
			success = true
		case ObsGiveUp:
			gaveUp = true
		}
	}
	return RaceResult{Success: success, GaveUp: gaveUp}
}

// ValidateRace reports the first thing wrong with the sides of a double
// spend race, as proof of work's and proof of stake's races both check
// them: the attacker's weight q (what names it: "share", "stake") in
// (0, 1), the merchant's confirmations z at least minZ, and at least one
// honest node (who: "miner", "validator").
func ValidateRace(q float64, what string, z, minZ, honest int, who string) error {
	switch {
	case !(q > 0 && q < 1):
		return fmt.Errorf("attacker %s q must be in (0, 1), got %v", what, q)
	case z < minZ && minZ == 0:
		return fmt.Errorf("confirmations z must not be negative, got %d", z)
	case z < minZ:
		return fmt.Errorf("confirmations z must be at least %d, got %d", minZ, z)
	case honest < 1:
		return fmt.Errorf("need at least one honest %s, got %d", who, honest)
	}
	return nil
}
