// Package plot draws the experiments' curves (gonum.org/v1/plot) as SVG or
// PNG: measured points with error bars beside the published or analytic
// curve they should match. Every series has a style of its own besides its
// colour — a marker shape for measured points, a dash pattern for curves —
// so a figure reads in grey print and for colour-blind readers, and the
// legend sits below the chart, where it covers no data.
package plot

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Styles given to series in turn, so that no two measured series share a
// marker and no two curves a dash pattern. Curves that are not Dashed
// start solid; Dashed ones start with short dashes.
var (
	glyphs = []draw.GlyphDrawer{draw.CircleGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{},
		draw.PyramidGlyph{}, draw.RingGlyph{}, draw.BoxGlyph{}, draw.CrossGlyph{}, draw.PlusGlyph{}}
	solidDashes = [][]float64{nil, {10, 3}, {10, 3, 2, 3}, {14, 3, 3, 3, 3, 3}, {18, 4}}
	shortDashes = [][]float64{{5, 3}, {1.5, 2.5}, {6, 2, 1.5, 2}, {3, 5}, {1.5, 5}}
)

func dashes(pattern []float64) []vg.Length {
	var out []vg.Length
	for _, d := range pattern {
		out = append(out, vg.Points(d))
	}
	return out
}

const (
	figureWidth  = 7 * vg.Inch
	chartHeight  = 4.5 * vg.Inch
	legendMargin = 6 // points around the legend
)

// Series is one named set of points. A series with Err draws error bars
// (measured values); one without draws a line (published or analytic).
type Series struct {
	Name   string
	X, Y   []float64
	Err    []float64 // optional: one standard error per point
	Dashed bool
	// Group, when positive, colours the series by group rather than by
	// position, so a measured series and the curve it should match share
	// a colour.
	Group int
}

// Figure is a titled chart with labelled axes.
type Figure struct {
	Title, XLabel, YLabel string
	LogY                  bool
	// LegendBottom is kept for callers written when the legend sat inside
	// the chart; the legend is now always below it.
	LegendBottom bool
	Series       []Series
}

// Write renders f to w in format "svg" or "png".
func Write(w io.Writer, format string, f Figure) error {
	p := plot.New()
	p.Title.Text = f.Title
	p.X.Label.Text = f.XLabel
	p.Y.Label.Text = f.YLabel
	type entry struct {
		name  string
		thumb plot.Thumbnailer
	}
	var entries []entry
	p.Add(plotter.NewGrid())
	nMeasured, nSolid, nDashed := 0, 0, 0
	if f.LogY {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	}
	for i, s := range f.Series {
		if len(s.X) != len(s.Y) || (s.Err != nil && len(s.Err) != len(s.Y)) {
			return fmt.Errorf("plot: series %q has mismatched lengths", s.Name)
		}
		pts := make(plotter.XYs, 0, len(s.X))
		var errs plotter.YErrors
		for j := range s.X {
			if f.LogY && s.Y[j] <= 0 {
				continue // log scale cannot show zero
			}
			pts = append(pts, plotter.XY{X: s.X[j], Y: s.Y[j]})
			if s.Err != nil {
				lo := s.Err[j]
				if f.LogY && s.Y[j]-lo <= 0 {
					lo = s.Y[j] * 0.9
				}
				errs = append(errs, struct{ Low, High float64 }{lo, s.Err[j]})
			}
		}
		if len(pts) == 0 {
			continue
		}
		color := plotColor(i)
		if s.Group > 0 {
			color = plotColor(s.Group - 1)
		}
		if s.Err != nil {
			sc, err := plotter.NewScatter(pts)
			if err != nil {
				return err
			}
			sc.Color = color
			sc.Radius = vg.Points(3)
			sc.Shape = glyphs[nMeasured%len(glyphs)]
			nMeasured++
			p.Add(sc)
			entries = append(entries, entry{s.Name, sc})
			eb, err := plotter.NewYErrorBars(errorPoints{pts, errs})
			if err != nil {
				return err
			}
			eb.CapWidth = vg.Points(4)
			eb.LineStyle.Color = color
			eb.LineStyle.Width = vg.Points(1)
			p.Add(eb)
			continue
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			return err
		}
		l.Color = color
		l.Width = vg.Points(1.5)
		if s.Dashed {
			l.Dashes = dashes(shortDashes[nDashed%len(shortDashes)])
			nDashed++
		} else {
			l.Dashes = dashes(solidDashes[nSolid%len(solidDashes)])
			nSolid++
		}
		p.Add(l)
		entries = append(entries, entry{s.Name, l})
	}
	// The legend goes below the chart, its entries in two columns when
	// there are more than four.
	ncols := 1
	if len(entries) > 4 {
		ncols = 2
	}
	perCol := (len(entries) + ncols - 1) / ncols
	var cols []plot.Legend
	legendH := vg.Length(0)
	for c := 0; c < ncols && c*perCol < len(entries); c++ {
		leg := plot.NewLegend()
		leg.Top, leg.Left = true, true
		leg.ThumbnailWidth = vg.Points(28) // wide enough to tell dash patterns apart
		leg.Padding = vg.Points(2)
		for _, e := range entries[c*perCol : min(len(entries), (c+1)*perCol)] {
			leg.Add(e.name, e.thumb)
		}
		if h := leg.Rectangle(draw.Canvas{}).Size().Y; h > legendH {
			legendH = h
		}
		cols = append(cols, leg)
	}
	if legendH > 0 {
		legendH += 2 * vg.Points(legendMargin)
	}
	cw, err := draw.NewFormattedCanvas(figureWidth, chartHeight+legendH, format)
	if err != nil {
		return err
	}
	dc := draw.New(cw)
	// A right margin keeps the last tick label inside the picture.
	p.Draw(draw.Crop(dc, 0, -vg.Points(12), legendH, 0))
	for i, c := range cols {
		area := dc
		area.Min.X += vg.Points(legendMargin) + vg.Length(i)*figureWidth/vg.Length(ncols)
		area.Max.X = area.Min.X + figureWidth/vg.Length(ncols)
		area.Max.Y = area.Min.Y + legendH - vg.Points(legendMargin)
		c.Draw(area)
	}
	_, err = cw.WriteTo(w)
	return err
}

// FormatOf picks the format from a file name: ".png" or ".svg".
func FormatOf(path string) (string, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".svg":
		return "svg", nil
	case ".png":
		return "png", nil
	}
	return "", fmt.Errorf("--plot %q: the file name must end in .svg or .png", path)
}

// errorPoints joins points and their error bars for plotter.NewYErrorBars.
type errorPoints struct {
	plotter.XYs
	plotter.YErrors
}
