package plot

import (
	"bytes"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestWriteSVGAndPNG(t *testing.T) {
	f := Figure{Title: "t", XLabel: "x", YLabel: "y", LogY: true, Series: []Series{
		{Name: "measured", X: []float64{1, 2, 3}, Y: []float64{0.1, 0.01, 0}, Err: []float64{0.01, 0.02, 0}},
		{Name: "exact", X: []float64{1, 2, 3}, Y: []float64{0.1, 0.01, 0.001}, Dashed: true},
	}}
	var svg, png bytes.Buffer
	require.NoError(t, Write(&svg, "svg", f))
	require.Contains(t, svg.String(), "<svg")
	require.Contains(t, svg.String(), "measured")
	require.NoError(t, Write(&png, "png", f))
	require.Equal(t, "\x89PNG", png.String()[:4])
	_, err := FormatOf("a.jpg")
	require.Error(t, err)
	bad := Figure{Series: []Series{{X: []float64{1}, Y: nil}}}
	require.Error(t, Write(&svg, "svg", bad))
}

var svgTextAt = regexp.MustCompile(`<text x="[-\d.]+" y="(-?[\d.]+)"[^>]*\n?[^>]*>([^<]*)</text>`)

// TestLegendBelowAndStylesDistinct: the legend sits below the chart (every
// series name lower than the x axis label), and series that share a colour
// differ in marker or dash pattern.
func TestLegendBelowAndStylesDistinct(t *testing.T) {
	f := Figure{Title: "t", XLabel: "the x axis", YLabel: "y", Series: []Series{
		{Name: "a measured", X: []float64{1, 2, 3}, Y: []float64{1, 2, 3}, Err: []float64{0.1, 0.1, 0.1}, Group: 1},
		{Name: "a exact", X: []float64{1, 2, 3}, Y: []float64{1, 2, 3}, Group: 1},
		{Name: "b measured", X: []float64{1, 2, 3}, Y: []float64{2, 3, 4}, Err: []float64{0.1, 0.1, 0.1}, Group: 1},
		{Name: "b exact", X: []float64{1, 2, 3}, Y: []float64{2, 3, 4}, Group: 1},
		{Name: "bound", X: []float64{1, 3}, Y: []float64{0, 4}, Dashed: true, Group: 1},
	}}
	var buf bytes.Buffer
	require.NoError(t, Write(&buf, "svg", f))
	svg := buf.String()
	// gonum's SVG flips the y axis: a text's height above the bottom is -y.
	height := map[string]float64{}
	for _, m := range svgTextAt.FindAllStringSubmatch(svg, -1) {
		y, err := strconv.ParseFloat(m[1], 64)
		require.NoError(t, err)
		height[m[2]] = -y
	}
	require.Contains(t, height, "the x axis")
	for _, s := range f.Series {
		require.Contains(t, height, s.Name)
		require.Less(t, height[s.Name], height["the x axis"], "%q is below the chart", s.Name)
	}
	// Three curves in one colour: three dash patterns (solid has none).
	dashes := map[string]bool{}
	for _, m := range regexp.MustCompile(`stroke-dasharray:([\d.,]+)`).FindAllStringSubmatch(svg, -1) {
		dashes[m[1]] = true
	}
	require.Len(t, dashes, 2, "a exact is solid; b exact and bound get patterns of their own")
}
