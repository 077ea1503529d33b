package trace

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestShiVizGolden(t *testing.T) { golden(t, "ids.shiviz", ShiViz(idTrace())) }

// TestShiVizParses reads the log back the way ShiViz does — with its own
// first-line expression (in Go's syntax) — and checks what ShiViz
// requires: every clock is JSON naming its host, and each host's own
// entry starts at 1 and rises by exactly one.
func TestShiVizParses(t *testing.T) {
	out := ShiViz(sample(t))
	lines := strings.SplitN(out, "\n", 3)
	require.Equal(t, ShiVizRegex, lines[0])
	require.Equal(t, "", lines[1], "the empty delimiter line: one execution")
	re := regexp.MustCompile(strings.ReplaceAll(lines[0], "(?<", "(?P<"))
	matches := re.FindAllStringSubmatch(lines[2], -1)
	require.Equal(t, strings.Count(lines[2], "\n")/2, len(matches))
	next := map[string]int{}
	for _, m := range matches {
		host, clock := m[re.SubexpIndex("host")], m[re.SubexpIndex("clock")]
		var vc map[string]int
		require.NoError(t, json.Unmarshal([]byte(clock), &vc), clock)
		next[host]++
		require.Equal(t, next[host], vc[host], "%s: %s", m[0], host)
	}
	require.Len(t, next, 2)
}
