package pos

import "simulate/sim"

// Day is the unit of coin age: coins × days held.
const Day = 24 * sim.Hour

// CoinAge is coins held for held, in coin-days: every coin held for a day
// earns one coin-day, as the course notes define it (100 coins for 30 days
// is 3,000 coin-days).
func CoinAge(coins float64, held sim.Time) float64 {
	return coins * float64(held) / float64(Day)
}

// Interest is what minting a block pays for consuming coinDays of coin age
// at yearly rate: every 365 coin-days consumed earn rate coins. The notes'
// example: 3,000 coin-days at 5 % a year give 3000 × 0.05 / 365 = 0.41
// coins.
func Interest(coinDays, rate float64) float64 { return coinDays * rate / 365 }

// ages is the coin-age state of one chain: each validator's coins and when
// its coin age last reset (its last block on the chain, or genesis).
// Every block has its own, copied from its parent's, since forks disagree.
type ages struct {
	coins []float64
	last  []sim.Time
	// consumed and interest are what this block's producer consumed and
	// earned (zero for genesis).
	consumed, interest float64
}

// weight returns validator id's coin-age share of the chain at now: its
// coin age over everyone's.
func (a *ages) weight(id int, now sim.Time) float64 {
	total := 0.0
	for i := range a.coins {
		total += CoinAge(a.coins[i], now-a.last[i])
	}
	if total <= 0 {
		return 0
	}
	return CoinAge(a.coins[id], now-a.last[id]) / total
}

// mint returns the state after validator id makes a block at now: its
// coin age is consumed, paid as interest at rate, and reset.
func (a *ages) mint(id int, now sim.Time, rate float64) *ages {
	b := &ages{coins: append([]float64(nil), a.coins...), last: append([]sim.Time(nil), a.last...)}
	b.consumed = CoinAge(a.coins[id], now-a.last[id])
	b.interest = Interest(b.consumed, rate)
	b.coins[id] += b.interest
	b.last[id] = now
	return b
}
