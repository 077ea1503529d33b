package plot

import (
	"bytes"
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
