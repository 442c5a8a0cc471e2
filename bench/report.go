package bench

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"text/tabwriter"
)

// Machine describes the machine a report was measured on: CPU count and
// model, GOMAXPROCS, Go version, OS and architecture, and the load average
// (other processes compete for the CPUs).
func Machine() string {
	model := ""
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				model = ", " + strings.TrimSpace(v)
				break
			}
		}
		f.Close()
	}
	load := ""
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(b)); len(f) >= 3 {
			load = fmt.Sprintf("; load average %s %s %s", f[0], f[1], f[2])
		}
	}
	return fmt.Sprintf("nproc %d%s, GOMAXPROCS %d, %s %s/%s%s", runtime.NumCPU(), model, runtime.GOMAXPROCS(0), runtime.Version(), runtime.GOOS, runtime.GOARCH, load)
}

// table is a report table: text (aligned columns) or Markdown.
type table struct {
	header []string
	rows   [][]string
}

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

func (t *table) write(w io.Writer, markdown bool) {
	if markdown {
		fmt.Fprintf(w, "| %s |\n|%s\n", strings.Join(t.header, " | "), strings.Repeat(" --- |", len(t.header)))
		for _, r := range t.rows {
			fmt.Fprintf(w, "| %s |\n", strings.Join(r, " | "))
		}
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(t.header, "\t"))
	for _, r := range t.rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	tw.Flush()
}

// WriteReports writes the reports' tables, then every target with its
// result: aligned text, or Markdown when markdown is set.
func WriteReports(w io.Writer, reports []Report, markdown bool) {
	heading := func(s string) {
		if markdown {
			fmt.Fprintf(w, "\n### %s\n\n", s)
		} else {
			fmt.Fprintf(w, "\n== %s\n", s)
		}
	}
	para := func(s string) {
		if markdown {
			fmt.Fprintf(w, "%s\n\n", s)
		} else {
			fmt.Fprintf(w, "%s\n", s)
		}
	}
	for _, r := range reports {
		heading(r.Name)
		para(r.Setup)
		if len(r.Results) > 0 {
			t := &table{header: []string{"reader", "time (median)", "best", "CPU", "rows/s", "MB/s", "allocs/row", "B/row", "peak heap", "requests", "new conns"}}
			for _, res := range r.Results {
				m := res.Median
				t.add(res.Reader, ms(m.Elapsed).String(), ms(res.Best.Elapsed).String(), ms(m.CPU).String(), thousands(int64(m.RowsPerSec())),
					fmt.Sprintf("%.0f", float64(m.Server.Bytes)/1e6/m.Elapsed.Seconds()),
					fmt.Sprintf("%.2f", m.AllocsPerRow()), fmt.Sprintf("%.0f", m.BytesPerRow()),
					mib(res.PeakHeap), thousands(m.Server.Requests), thousands(m.Server.Conns))
			}
			t.write(w, markdown)
		}
		if len(r.Lookups) > 0 {
			t := &table{header: []string{"query", "rows", "requests (want)", "at once (want)", "new conns", "time", "bound"}}
			for _, l := range r.Lookups {
				t.add(l.Name, fmt.Sprintf("%d (%d)", l.Rows, l.WantRows), fmt.Sprintf("%d (%d)", l.Requests, l.WantRequests),
					fmt.Sprintf("%d (%d)", l.PeakInFlight, l.WantInFlight), strconv.FormatInt(l.Conns, 10), ms(l.Elapsed).String(), l.Bound.String())
			}
			t.write(w, markdown)
			if markdown {
				fmt.Fprintln(w)
			}
			for _, l := range r.Lookups {
				if markdown {
					fmt.Fprintf(w, "- %s: `%s`\n", l.Name, l.SQL)
				} else {
					fmt.Fprintf(w, "  %s: %s\n", l.Name, l.SQL)
				}
			}
		}
		if len(r.Notes) > 0 && markdown {
			fmt.Fprintln(w)
		}
		for _, n := range r.Notes {
			if markdown {
				fmt.Fprintf(w, "- %s\n", n)
			} else {
				fmt.Fprintf(w, "note: %s\n", n)
			}
		}
	}
	var targets []Target
	for _, r := range reports {
		targets = append(targets, r.Targets...)
	}
	if len(targets) == 0 {
		return
	}
	heading("targets")
	para(Machine())
	t := &table{header: []string{"scenario", "target", "goal", "measured", "result"}}
	for _, tg := range targets {
		res := "PASS"
		if !tg.Pass {
			res = "FAIL"
		}
		t.add(tg.Scenario, tg.What, tg.Goal, tg.Measured, res)
	}
	t.write(w, markdown)
}
