package generals_test

import (
	"testing"

	"simulate/protocols/generals"
	"simulate/sim"
)

// BenchmarkOM runs OM(3) among 33 generals, 3 of them traitors drawn
// from seed 1 as `simulate byzantine --generals 33 --traitors 3` does
// (893,824 messages), and reports the cost per message: time and bytes
// allocated. Run it with
//
//	go test -run '^$' -bench OM -benchmem ./protocols/generals/
func BenchmarkOM(b *testing.B) {
	s := (&generals.Search{Generals: 33, Traitors: 3, Algorithm: generals.OM}).Plain(1).Resolve(&sim.ReplayChoices{})
	var msgs int
	for b.Loop() {
		msgs += generals.RunSeed(s, 1, nil).Result.Sent
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(msgs), "ns/msg")
}
