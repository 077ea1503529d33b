package search

// shrinker simplifies one failing schedule. A candidate is kept when its
// replay still breaks the same property and its re-recorded schedule is
// simpler (fewer non-zero draws, then a smaller sum, then fewer draws);
// the re-recording is what makes the moves compose: after a draw is
// zeroed, the run may draw more or fewer times, and the next move works on
// what the run really drew.
//
// The moves, repeated until none helps (a fixpoint) or the budget of
// replays is spent:
//
//  1. zero chunks of the non-zero draws, halving the chunk size from half
//     of them down to one (delta debugging, Zeller and Hildebrandt 2002);
//  2. delete single draws, shifting the later ones one earlier (a message
//     that no longer exists takes its draws with it);
//  3. lower each remaining value, by binary search, toward 0;
//  4. zero pairs of draws (two faults that only fail together).
type shrinker struct {
	prop     Property
	property string
	budget   int
	runs     int
	cur      []int
}

// try replays candidate v and adopts it when it still fails the same way
// and is simpler. It reports whether it adopted v.
func (s *shrinker) try(v []int) bool {
	if s.runs >= s.budget {
		return false
	}
	s.runs++
	t := replay(s.prop, v, Shrinking)
	if !t.failed || t.property != s.property {
		return false
	}
	nv := trimZeros(t.Draws().Values())
	if !simpler(nv, s.cur) {
		return false
	}
	s.cur = nv
	return true
}

func (s *shrinker) shrink(values []int) []int {
	// Canonicalise: what the failing run really drew.
	s.cur = trimZeros(append([]int(nil), values...))
	for improved := true; improved && s.runs < s.budget; {
		improved = s.zeroChunks()
		improved = s.deleteDraws() || improved
		improved = s.lowerValues() || improved
		if !improved {
			improved = s.zeroPairs()
		}
	}
	return s.cur
}

func (s *shrinker) nonZero() []int {
	var idx []int
	for i, v := range s.cur {
		if v != 0 {
			idx = append(idx, i)
		}
	}
	return idx
}

func (s *shrinker) zeroChunks() bool {
	improved := false
	for size := len(s.nonZero()) / 2; size >= 1; size /= 2 {
		for start := 0; ; {
			nz := s.nonZero()
			if start >= len(nz) || s.runs >= s.budget {
				break
			}
			trial := append([]int(nil), s.cur...)
			for _, i := range nz[start:min(start+size, len(nz))] {
				trial[i] = 0
			}
			if s.try(trial) {
				improved = true // same start: the next chunk slid into place
				continue
			}
			start += size
		}
	}
	return improved
}

func (s *shrinker) deleteDraws() bool {
	improved := false
	for i := 0; i < len(s.cur) && s.runs < s.budget; i++ {
		if s.cur[i] == 0 && (i+1 >= len(s.cur) || s.cur[i+1] == 0) {
			// Deleting a zero only matters when it shifts a non-zero
			// draw into its place.
			continue
		}
		trial := append(append([]int(nil), s.cur[:i]...), s.cur[i+1:]...)
		if s.try(trial) {
			improved = true
			i--
		}
	}
	return improved
}

func (s *shrinker) lowerValues() bool {
	improved := false
	for i := 0; i < len(s.cur) && s.runs < s.budget; i++ {
		if s.cur[i] <= 1 {
			continue
		}
		// Binary search for the smallest value that still fails,
		// assuming (as is usual) that larger values are wilder.
		lo, hi := 1, s.cur[i]-1
		for lo <= hi && i < len(s.cur) {
			mid := (lo + hi) / 2
			trial := append([]int(nil), s.cur...)
			trial[i] = mid
			if s.try(trial) {
				improved = true
				hi = mid - 1
			} else {
				lo = mid + 1
			}
		}
	}
	return improved
}

func (s *shrinker) zeroPairs() bool {
	improved := false
	nz := s.nonZero()
	for a := 0; a < len(nz); a++ {
		for b := a + 1; b < len(nz); b++ {
			if s.runs >= s.budget {
				return improved
			}
			i, j := nz[a], nz[b]
			if i >= len(s.cur) || j >= len(s.cur) || s.cur[i] == 0 || s.cur[j] == 0 {
				continue
			}
			trial := append([]int(nil), s.cur...)
			trial[i], trial[j] = 0, 0
			if s.try(trial) {
				improved = true
			}
		}
	}
	return improved
}

// simpler orders schedules: fewer non-zero draws, then a smaller sum of
// values, then fewer draws.
func simpler(a, b []int) bool {
	na, nb, sa, sb := 0, 0, 0, 0
	for _, v := range a {
		if v != 0 {
			na++
		}
		sa += v
	}
	for _, v := range b {
		if v != 0 {
			nb++
		}
		sb += v
	}
	if na != nb {
		return na < nb
	}
	if sa != sb {
		return sa < sb
	}
	return len(a) < len(b)
}

func trimZeros(v []int) []int {
	for len(v) > 0 && v[len(v)-1] == 0 {
		v = v[:len(v)-1]
	}
	return v
}
