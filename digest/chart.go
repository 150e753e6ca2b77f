package digest

import (
	"bytes"
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// chartCategories is how many categories the chart shows one by one; the
// rest are summed as "other".
const chartCategories = 5

// palette is distinguishable for the common colour blindnesses (Okabe–Ito).
var palette = []color.RGBA{
	{0xD5, 0x5E, 0x00, 0xff}, {0x00, 0x72, 0xB2, 0xff}, {0x00, 0x9E, 0x73, 0xff},
	{0xE6, 0x9F, 0x00, 0xff}, {0xCC, 0x79, 0xA7, 0xff}, {0x99, 0x99, 0x99, 0xff},
}

// Chart draws the daily mentions by category as stacked bars, a PNG of
// 720×300 pixels. label names a category in the reader's language.
func Chart(f *Figures, title string, label func(string) string) ([]byte, error) {
	// The section heading names the chart in the mail; title is its
	// alternative text.
	_ = title
	p := plot.New()
	p.Y.Min = 0
	p.Y.Tick.Marker = integerTicks{}
	p.Legend.Top = true
	p.Legend.Left = true
	p.Legend.XOffs = vg.Points(6)
	p.Legend.YOffs = vg.Points(-2)
	p.Legend.Padding = vg.Points(2)
	for _, st := range []*draw.TextStyle{&p.Legend.TextStyle, &p.X.Tick.Label, &p.Y.Tick.Label} {
		st.Font.Variant = "Sans"
		st.Font.Size = vg.Points(9)
	}

	var names []string
	for _, d := range f.Days {
		names = append(names, d.Date.Format("02.01"))
	}
	p.NominalX(names...)
	p.X.Min, p.X.Max = -0.6, float64(len(names))-0.4

	// The categories in the order of the period's table; the tail as one.
	var shown []string
	for _, c := range f.Categories {
		if c.Cur > 0 && len(shown) < chartCategories {
			shown = append(shown, c.Category)
		}
	}
	series := make([]plotter.Values, len(shown)+1)
	top := 0.0
	for i := range series {
		series[i] = make(plotter.Values, len(f.Days))
	}
	for d, day := range f.Days {
		other := day.Total()
		for i, c := range shown {
			series[i][d] = float64(day.Counts[c])
			other -= day.Counts[c]
		}
		series[len(shown)][d] = float64(other)
		top = max(top, float64(day.Total()))
	}
	width := vg.Points(max(4, min(28, 520/float64(max(1, len(f.Days))))))
	var below *plotter.BarChart
	for i, vs := range series {
		if i == len(shown) && sum(vs) == 0 {
			break
		}
		b, err := plotter.NewBarChart(vs, width)
		if err != nil {
			return nil, fmt.Errorf("digest: chart: %w", err)
		}
		b.LineStyle.Width = 0
		b.Color = palette[min(i, len(palette)-1)]
		if i == len(shown) {
			b.Color = palette[len(palette)-1]
		}
		if below != nil {
			b.StackOn(below)
		}
		p.Add(b)
		name := label("other")
		if i < len(shown) {
			name = label(shown[i])
		}
		p.Legend.Add(name, b)
		below = b
	}
	// Head room for the legend above the tallest bar.
	p.Y.Max = max(4, top*(1.15+0.09*float64(len(shown)+1)))

	c := vgimg.NewWith(vgimg.UseWH(vg.Points(540), vg.Points(225)), vgimg.UseDPI(96), vgimg.UseBackgroundColor(color.White))
	p.Draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("digest: chart: %w", err)
	}
	return buf.Bytes(), nil
}

func sum(vs plotter.Values) float64 {
	s := 0.0
	for _, v := range vs {
		s += v
	}
	return s
}

// integerTicks marks whole numbers only: mentions are counts.
type integerTicks struct{}

func (integerTicks) Ticks(min, max float64) []plot.Tick {
	step := 1.0
	for mult := 0; (max-min)/step > 6; mult++ {
		step = []float64{1, 2, 5}[mult%3] * math.Pow(10, float64(mult/3))
	}
	var ticks []plot.Tick
	for v := 0.0; v <= max; v += step {
		if v >= min {
			ticks = append(ticks, plot.Tick{Value: v, Label: fmt.Sprintf("%.0f", v)})
		}
	}
	return ticks
}
