package pbft_test

import (
	"fmt"
	"testing"

	"simulate/protocols/pbft"
)

// BenchmarkPBFT is requests committed per second of wall time: one op is a
// whole run of 100 requests (one client, checkpoints every 4) on a calm
// network with no traitors, at n = 4 and n = 16.
func BenchmarkPBFT(b *testing.B) {
	for _, n := range []int{4, 16} {
		b.Run(fmt.Sprintf("replicas=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			s := pbft.Default()
			s.Replicas, s.Traitors, s.Strategy, s.Requests = n, 0, "", 100
			msgs := 0
			for i := 0; i < b.N; i++ {
				o, err := pbft.Run(s, uint64(i+1), nil)
				if err != nil || o.Completed != s.Requests {
					b.Fatalf("run %d: %v, %d of %d completed", i, err, o.Completed, s.Requests)
				}
				msgs += o.Messages
			}
			sec := b.Elapsed().Seconds()
			b.ReportMetric(float64(b.N*s.Requests)/sec, "requests/s")
			b.ReportMetric(float64(msgs)/sec, "msgs/s")
		})
	}
}
