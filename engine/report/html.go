package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strings"
	"time"
)

//go:embed report.html.tmpl
var htmlSource string

// page is the one HTML template; html/template escapes every value for
// its context, so no outside text becomes markup.
var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"ts":       func(t time.Time) string { return t.UTC().Format(timeFormat) },
	"date":     dateOf,
	"ms":       fmtMS,
	"join":     strings.Join,
	"yesno":    yesNo,
	"blockno":  blockText,
	"gasno":    gasText,
	"status":   func(t Transaction) string { return t.statusText() },
	"fee":      func(t Transaction) string { return t.feeText() },
	"dash":     orDash,
	"contains": strings.Contains,
}).Parse(htmlSource))

// WriteHTML writes the report as one self-contained HTML page: inline CSS
// and an inline SVG timeline, no script, no external resource, so it can
// be mailed, archived and opened offline.
func WriteHTML(w io.Writer, r *Report) error {
	if err := page.Execute(w, htmlView{Report: r, Title: r.title(), SVG: timelineSVG(r)}); err != nil {
		return fmt.Errorf("report: rendering HTML: %w", err)
	}
	return nil
}

type htmlView struct {
	*Report
	Title string
	SVG   svgView
}

// svgView is the timeline drawn as lanes, one per category, with a dot
// per record at its time.
type svgView struct {
	Width, Height int
	AxisY         int
	Lanes         []svgLane
	Dots          []svgDot
	Ticks         []svgTick
}

type svgLane struct {
	Label string
	Y     int
}

type svgDot struct {
	X, Y  int
	Class string
	Title string
}

type svgTick struct {
	X     int
	Label string
}

// laneOrder is the order of the lanes, top to bottom: the response's path.
var laneOrder = []string{CatAlert, CatDecision, CatGuard, CatRefused, CatAction, CatApproval, CatTransaction, CatNotification, CatIncident, CatRecovery, CatOther}

const (
	svgLeft   = 120
	svgRight  = 24
	svgWidth  = 960
	laneGap   = 28
	svgTop    = 18
	svgBottom = 34
)

func timelineSVG(r *Report) svgView {
	v := svgView{Width: svgWidth}
	var cats []string
	for _, c := range laneOrder {
		if slices.ContainsFunc(r.Timeline, func(e Entry) bool { return e.Category == c }) {
			cats = append(cats, c)
		}
	}
	for i, c := range cats {
		v.Lanes = append(v.Lanes, svgLane{Label: c, Y: svgTop + i*laneGap})
	}
	v.AxisY = svgTop + len(cats)*laneGap
	v.Height = v.AxisY + svgBottom
	if len(r.Timeline) == 0 {
		return v
	}
	t0, t1 := r.Timeline[0].Time, r.Timeline[0].Time
	for _, e := range r.Timeline {
		if e.Time.Before(t0) {
			t0 = e.Time
		}
		if e.Time.After(t1) {
			t1 = e.Time
		}
	}
	span := t1.Sub(t0)
	plot := svgWidth - svgLeft - svgRight
	x := func(t time.Time) int {
		if span <= 0 {
			return svgLeft + plot/2
		}
		return svgLeft + int(float64(plot)*float64(t.Sub(t0))/float64(span))
	}
	for _, e := range r.Timeline {
		y := svgTop + slices.Index(cats, e.Category)*laneGap
		v.Dots = append(v.Dots, svgDot{X: x(e.Time), Y: y, Class: "c-" + e.Category,
			Title: fmt.Sprintf("#%d %s %s: %s", e.Seq, e.Time.Format(timeFormat), e.Kind, e.Summary)})
	}
	for i := 0; i <= 4; i++ {
		at := t0.Add(time.Duration(float64(span) * float64(i) / 4))
		label := at.Format("15:04:05.000")
		if i > 0 {
			label = "+" + fmtMS(millis(at.Sub(t0)))
		}
		v.Ticks = append(v.Ticks, svgTick{X: x(at), Label: label})
		if span <= 0 {
			break
		}
	}
	return v
}
