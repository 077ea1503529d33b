// Package plot draws the experiments' curves (gonum.org/v1/plot) as SVG or
// PNG: measured points with error bars beside the published or analytic
// curve they should match.
package plot

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
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
	// LegendBottom moves the legend to the bottom left, for falling curves.
	LegendBottom bool
	Series       []Series
}

// Write renders f to w in format "svg" or "png".
func Write(w io.Writer, format string, f Figure) error {
	p := plot.New()
	p.Title.Text = f.Title
	p.X.Label.Text = f.XLabel
	p.Y.Label.Text = f.YLabel
	p.Legend.Top = true
	p.Legend.Left = true // the curves here rise to the right
	if f.LegendBottom {
		p.Legend.Top = false
	}
	p.Add(plotter.NewGrid())
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
			p.Add(sc)
			p.Legend.Add(s.Name, sc)
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
			l.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
		}
		p.Add(l)
		p.Legend.Add(s.Name, l)
	}
	wt, err := p.WriterTo(7*vg.Inch, 4.5*vg.Inch, format)
	if err != nil {
		return err
	}
	_, err = wt.WriteTo(w)
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
