package nakamoto

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"

	"simulate/protocols/chain"
	"simulate/sim"
)

// RelaySimBlock names SimBlock's relay and node model (Scenario.Relay):
// what `simulate nakamoto --preset simblock` runs. Each choice below is
// SimBlock's (dsg-titech/simblock: settings/SimulationConfiguration,
// settings/NetworkConfiguration, node/Node, simulator/Network,
// simulator/Main), so a SimBlock user can map their parameters:
//
//   - Relay (Node.sendInv, receiveMessage): a node that learns a block
//     announces it with an inv to every neighbour; a neighbour that lacks
//     it and is not already fetching it answers with a getdata (SimBlock's
//     RecMessageTask) and fetches it from that one peer only. Small
//     messages take the link's latency plus 10 ms
//     (AbstractMessageTask.getInterval).
//   - One upload at a time (Node.messageQue, sendNextBlockMessage): a
//     node serves block requests in arrival order, each taking
//     size·8 / (bandwidth/1000) ms plus 2 ms of processing, where the
//     bandwidth is min(upload of the sender's region, download of the
//     receiver's); the next upload starts when the previous one has
//     arrived, latency included, as SimBlock's BlockMessageTask.run does.
//   - Compact block relay (CBR_USAGE_RATE 0.964, COMPACT_BLOCK_SIZE 18 kB,
//     CBR_FAILURE_RATE_FOR_CONTROL_NODE 0.13 and _FOR_CHURN_NODE 0.27,
//     CHURN_NODE_RATE 0.976): between two CBR nodes a block travels as an
//     18 kB compact block; the receiver rebuilds it unless it fails (at its
//     own failure rate), and then asks for the missing transactions
//     (getblocktxn), which its peer queues and sends as a fraction of the
//     block drawn from SimBlock's CBR_FAILURE_BLOCK_SIZE_DISTRIBUTION of
//     the sender's kind.
//   - Latency (Network.getLatency): each message's latency is a fresh draw
//     from a Pareto distribution with shape 0.2·mean and scale mean − 5 ms
//     around the regions' mean, rounded to the millisecond, drawn by the
//     sender from its own stream (SimBlock's single random stream).
//   - Nodes (Main.makeNodes): each draws its mining power from a normal
//     distribution of mean 400,000 and standard deviation 100,000
//     hashes/ms, at least 1 (AVERAGE_MINING_POWER, STDEV_OF_MINING_POWER),
//     and its number of outbound connections from SimBlock's degree table
//     (DEGREE_DISTRIBUTION_BITCOIN_2015); the CBR and churn nodes are
//     exactly the tables' shares of the nodes, placed at random.
//
// All of these set-up draws come from named set-up streams of the seed,
// and every message still crosses the run's network.Net, so fault plans
// apply to them.
const RelaySimBlock = "simblock"

// SimBlockPublished is what SimBlock itself measured on its default
// Bitcoin settings (commit 5fc7f9f, 1,000 nodes, 535,000-byte blocks):
// the mean over blocks of the time to reach 50, 90 and 100 % of the
// nodes. `simulate nakamoto --preset simblock` prints it beside its own.
var SimBlockPublished = struct {
	Nodes, BlockSize int
	P50, P90, P100   sim.Time
}{1000, 535_000, 980 * sim.Millisecond, 2200 * sim.Millisecond, 4650 * sim.Millisecond}

// Relays lists the relay models a Scenario may name ("" is push: a node
// sends every new block to every neighbour at once, each link with its
// own bandwidth queue).
var Relays = []string{"", "push", RelaySimBlock}

// simBlockDegreeCDF is the cumulative distribution of a node's number of
// outbound links: entry i is P(outbound degree <= i+1) (SimBlock's
// DEGREE_DISTRIBUTION_BITCOIN_2015, after Miller et al., "Discovering
// bitcoin's public topology and influential nodes", 2015; degree 16 never
// occurs).
var simBlockDegreeCDF = [...]float64{
	0.025, 0.050, 0.075, 0.10, 0.20, 0.30, 0.40, 0.50, 0.60, 0.70,
	0.80, 0.85, 0.90, 0.95, 0.97, 0.97, 0.98, 0.99, 0.995, 1.0,
}

// SimBlock's node-model constants (SimulationConfiguration).
const (
	simBlockMiningPowerMean   = 400_000
	simBlockMiningPowerStdDev = 100_000
	simBlockCBRUsage          = 0.964
	simBlockChurnNodes        = 0.976
	simBlockCompactSize       = 18_000
	simBlockCBRFailControl    = 0.13
	simBlockCBRFailChurn      = 0.27
	simBlockProcessing        = 2 * sim.Millisecond
	simBlockSmallMessage      = 10 * sim.Millisecond
)

// share is one entry of a run-length table: count equally likely entries
// of fraction frac.
type share struct {
	frac  float64
	count int
}

// simBlockFailedChurn is CBR_FAILURE_BLOCK_SIZE_DISTRIBUTION_FOR_CHURN_NODE
// as a run-length table: the share of the block a churn node sends when a
// peer's compact block failed (its 979 equally likely entries). The
// control nodes' table holds 0.01 only.
var simBlockFailedChurn = []share{
	{0.01, 546}, {0.02, 66}, {0.03, 39}, {0.04, 27}, {0.05, 21}, {0.06, 17},
	{0.07, 14}, {0.08, 12}, {0.09, 11}, {0.10, 10}, {0.11, 9}, {0.12, 8},
	{0.13, 7}, {0.14, 7}, {0.15, 6}, {0.16, 6}, {0.17, 5}, {0.18, 5},
	{0.19, 5}, {0.20, 4}, {0.21, 4}, {0.22, 4}, {0.23, 4}, {0.24, 4},
	{0.25, 3}, {0.26, 3}, {0.27, 3}, {0.28, 3}, {0.29, 3}, {0.30, 3},
	{0.31, 3}, {0.32, 3}, {0.33, 2}, {0.34, 2}, {0.35, 2}, {0.36, 2},
	{0.37, 2}, {0.38, 2}, {0.39, 2}, {0.40, 2}, {0.41, 2}, {0.42, 2},
	{0.43, 2}, {0.44, 2}, {0.45, 2}, {0.46, 2}, {0.47, 2}, {0.48, 2},
	{0.49, 1}, {0.50, 1}, {0.51, 1}, {0.52, 1}, {0.53, 1}, {0.54, 1},
	{0.55, 1}, {0.56, 1}, {0.57, 1}, {0.58, 1}, {0.59, 1}, {0.60, 1},
	{0.61, 1}, {0.62, 1}, {0.63, 1}, {0.64, 1}, {0.65, 1}, {0.66, 1},
	{0.67, 1}, {0.68, 1}, {0.69, 1}, {0.70, 1}, {0.71, 1}, {0.72, 1},
	{0.73, 1}, {0.74, 1}, {0.75, 1}, {0.76, 1}, {0.77, 1}, {0.78, 1},
	{0.79, 1}, {0.80, 1}, {0.81, 1}, {0.82, 1}, {0.83, 1}, {0.84, 1},
	{0.85, 1}, {0.86, 1}, {0.87, 1}, {0.88, 1}, {0.89, 1}, {0.90, 1},
	{0.91, 1}, {0.92, 1}, {0.93, 1}, {0.94, 1}, {0.95, 1}, {0.96, 1},
}

// simBlockFailedChurnN is the number of entries of simBlockFailedChurn.
var simBlockFailedChurnN = func() int {
	n := 0
	for _, s := range simBlockFailedChurn {
		n += s.count
	}
	return n
}()

// SimBlockOutbound draws each of n nodes' outbound connections as
// SimBlock's Main.makeRandomListFollowDistribution does: exactly the
// degree table's share of the nodes gets each degree (rounded down, the
// rest the largest degree), in an order shuffled by the seed's "simblock
// degrees" set-up stream.
func SimBlockOutbound(n int, seed uint64) []int {
	out := make([]int, 0, n)
	prev := 0.0
	for i, c := range simBlockDegreeCDF {
		for k := 0; k < int(float64(n)*(c-prev)) && len(out) < n; k++ {
			out = append(out, i+1)
		}
		prev = c
	}
	for len(out) < n {
		out = append(out, len(simBlockDegreeCDF))
	}
	r := sim.SetupStream(seed, "simblock degrees")
	r.Shuffle(n, func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// SimBlockShares draws n nodes' mining power as SimBlock's genMiningPower
// does — normal, mean 400,000 and s.d. 100,000 hashes/ms, at least 1 —
// from the seed's "simblock mining power" set-up stream.
func SimBlockShares(n int, seed uint64) []float64 {
	r := sim.SetupStream(seed, "simblock mining power")
	out := make([]float64, n)
	for i := range out {
		out[i] = max(math.Floor(r.NormFloat64()*simBlockMiningPowerStdDev+simBlockMiningPowerMean), 1)
	}
	return out
}

// simBlockFlags marks exactly share·n of n nodes true, at places shuffled
// by the named set-up stream (SimBlock's makeRandomList).
func simBlockFlags(n int, share float64, seed uint64, name string) []bool {
	out := make([]bool, n)
	for i := 0; i < int(float64(n)*share); i++ {
		out[i] = true
	}
	r := sim.SetupStream(seed, name)
	r.Shuffle(n, func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// sbKind is what a SimBlock relay message carries.
type sbKind uint8

const (
	sbInv         sbKind = iota + 1 // announces a block
	sbGetData                       // asks for an announced block
	sbCompact                       // an 18 kB compact block
	sbGetBlockTxn                   // asks for the transactions a compact block missed
	sbBlock                         // the block (or, after a compact block failed, its missing part)
)

var sbKindNames = [...]string{"", "inv", "getdata", "cmpctblock", "getblocktxn", "block"}

// sbMsg is a SimBlock relay message. Its sender computed its whole delay
// (latency, transmission, processing), which relayModel applies: the
// sender must know when an upload ends to start the next.
type sbMsg struct {
	Kind  sbKind
	ID    BlockID
	Delay sim.Time
}

// AppendDigest implements sim.Message.
func (m sbMsg) AppendDigest(b []byte) []byte {
	b = append(b, 'S', byte(m.Kind))
	b = binary.BigEndian.AppendUint32(b, uint32(m.ID))
	return binary.BigEndian.AppendUint64(b, uint64(m.Delay))
}

func (m sbMsg) String() string { return fmt.Sprintf("%s{#%d}", sbKindNames[m.Kind], m.ID) }

// relayModel applies the delay a SimBlock relay message's sender computed,
// after the run's network.Net has decided its fate (a fault plan's
// partition or loss still drops it).
type relayModel struct{ inner sim.Model }

// Route implements sim.Model.
func (m relayModel) Route(l sim.Link) sim.Fate {
	f := m.inner.Route(l)
	if s, ok := l.Msg.(sbMsg); ok && !f.Drop {
		f.Delay, f.DupDelay = s.Delay, s.Delay
	}
	return f
}

// sbNet is the run-wide part of the SimBlock model: the regions' tables,
// each node's region, and which nodes use compact blocks and churn.
type sbNet struct {
	regions   *chain.Regions
	of        []uint8
	cbr       []bool
	churn     []bool
	blockSize int
}

// latency draws the latency of one message from a to b (Network.getLatency).
func (s *sbNet) latency(r randFloat, a, b sim.NodeID) sim.Time {
	mean := float64(s.regions.Latency[s.of[a]][s.of[b]] / sim.Millisecond)
	shape, scale := 0.2*mean, mean-5
	if shape <= 0 || scale <= 0 {
		return sim.Time(mean) * sim.Millisecond
	}
	u := r.Float64()
	for u == 0 {
		u = r.Float64()
	}
	return sim.Time(math.Round(scale/math.Pow(u, 1/shape))) * sim.Millisecond
}

// transmission is how long size bytes take from a to b, processing
// included (Node.sendNextBlockMessage): whole milliseconds, as SimBlock's
// integer arithmetic gives them.
func (s *sbNet) transmission(size int, a, b sim.NodeID) sim.Time {
	bw := min(s.regions.Upload[s.of[a]], s.regions.Download[s.of[b]]) / 1000 // bits per ms
	return sim.Time(int64(size)*8/max(bw, 1))*sim.Millisecond + simBlockProcessing
}

// failedSize is the part of the block a node sends after a compact block
// failed at its peer (Node.getFailedBlockSize).
func (s *sbNet) failedSize(r randFloat, sender sim.NodeID) int {
	if !s.churn[sender] {
		return int(float64(s.blockSize) * 0.01)
	}
	k := int(r.Float64() * float64(simBlockFailedChurnN))
	for _, e := range simBlockFailedChurn {
		if k < e.count {
			return int(float64(s.blockSize) * e.frac)
		}
		k -= e.count
	}
	return int(float64(s.blockSize) * simBlockFailedChurn[len(simBlockFailedChurn)-1].frac)
}

// randFloat is the part of a node's random stream the model draws from.
type randFloat interface{ Float64() float64 }

// upload is one queued block request.
type upload struct {
	to   sim.NodeID
	id   BlockID
	kind sbKind // sbCompact, sbBlock, or sbGetBlockTxn for the missing part
}

// uploadDoneTag is the tag of the timer that fires when a node's upload
// has arrived and it may start the next.
type uploadDoneTag struct{}

// sbNode is one node's part of the SimBlock model.
type sbNode struct {
	downloading chain.Bitset
	queue       []upload
	sending     bool
}

// announce sends an inv for b to every neighbour.
func (n *Node) announce(ctx sim.Context, b *Block) {
	sb := n.net.sb
	for _, q := range n.net.Peers[n.ID] {
		ctx.Send(q, sbMsg{Kind: sbInv, ID: b.ID, Delay: sb.latency(ctx.Rand(), n.ID, q) + simBlockSmallMessage})
	}
}

// small sends a small message (getdata, getblocktxn) to peer to.
func (n *Node) small(ctx sim.Context, to sim.NodeID, kind sbKind, id BlockID) {
	ctx.Send(to, sbMsg{Kind: kind, ID: id, Delay: n.net.sb.latency(ctx.Rand(), n.ID, to) + simBlockSmallMessage})
}

// deliverSimBlock handles a SimBlock relay message.
func (n *Node) deliverSimBlock(ctx sim.Context, from sim.NodeID, m sbMsg) {
	st, sb := &n.sb, n.net.sb
	switch m.Kind {
	case sbInv:
		if !n.Knows(m.ID) && !st.downloading.Has(m.ID) {
			st.downloading.Set(m.ID)
			n.small(ctx, from, sbGetData, m.ID)
		}
	case sbGetData:
		kind := sbBlock
		if sb.cbr[n.ID] && sb.cbr[from] {
			kind = sbCompact
		}
		n.enqueue(ctx, upload{to: from, id: m.ID, kind: kind})
	case sbGetBlockTxn:
		n.enqueue(ctx, upload{to: from, id: m.ID, kind: sbGetBlockTxn})
	case sbCompact:
		fail := simBlockCBRFailControl
		if sb.churn[n.ID] {
			fail = simBlockCBRFailChurn
		}
		if ctx.Rand().Float64() <= fail {
			n.small(ctx, from, sbGetBlockTxn, m.ID)
			return
		}
		n.gotBlock(ctx, from, m.ID)
	case sbBlock:
		n.gotBlock(ctx, from, m.ID)
	}
}

// enqueue queues an upload and starts it if the node is idle.
func (n *Node) enqueue(ctx sim.Context, u upload) {
	n.sb.queue = append(n.sb.queue, u)
	if !n.sb.sending {
		n.nextUpload(ctx)
	}
}

// nextUpload starts the first queued upload; the node is busy until it
// arrives.
func (n *Node) nextUpload(ctx sim.Context) {
	st, sb := &n.sb, n.net.sb
	if len(st.queue) == 0 {
		st.sending = false
		return
	}
	u := st.queue[0]
	st.queue = slices.Delete(st.queue, 0, 1)
	size, kind := n.net.Store.Get(u.id).Size, u.kind
	switch u.kind {
	case sbCompact:
		size = simBlockCompactSize
	case sbGetBlockTxn:
		size, kind = sb.failedSize(ctx.Rand(), n.ID), sbBlock
	}
	d := sb.latency(ctx.Rand(), n.ID, u.to) + sb.transmission(size, n.ID, u.to)
	ctx.Send(u.to, sbMsg{Kind: kind, ID: u.id, Delay: d})
	st.sending = true
	ctx.After(d, uploadDoneTag{})
}

// gotBlock takes a block that arrived through the SimBlock relay.
func (n *Node) gotBlock(ctx sim.Context, from sim.NodeID, id BlockID) {
	old := n.tip
	n.receive(ctx, from, id, func(b *Block, from sim.NodeID) {
		n.announce(ctx, b)
		n.consider(ctx, b)
	})
	if n.tip != old {
		n.switched(ctx, old)
	}
}

// buildSimBlock prepares the SimBlock model for a run of s with seed: the
// regions' copy the network.Net places nodes with (mean latencies only:
// the senders draw each message's), and the compact-block and churn
// nodes.
func buildSimBlock(s Scenario, seed uint64) *sbNet {
	return &sbNet{
		regions:   s.Regions,
		cbr:       simBlockFlags(s.Miners, simBlockCBRUsage, seed, "simblock cbr nodes"),
		churn:     simBlockFlags(s.Miners, simBlockChurnNodes, seed, "simblock churn nodes"),
		blockSize: s.BlockSize,
	}
}
