// Command restsql-bench measures restsql against a hand-written gjson loop,
// a naive encoding/json loop and the transfer floor, on a local API server,
// and prints a table of times, rows/s, allocations per row and peak heap,
// then issue 8's targets with PASS or FAIL.
//
// Usage:
//
//	go run ./bench/cmd/restsql-bench                      # every scenario (about a minute)
//	go run ./bench/cmd/restsql-bench -quick               # CI-sized, a few seconds
//	go run ./bench/cmd/restsql-bench -scenario scan,memory -runs 7
//	go run ./bench/cmd/restsql-bench -scenario custom -rows 50000 -page-size 500 \
//	    -latency 2ms -pagination cursor -width 12 -max-concurrency 8
//	go run ./bench/cmd/restsql-bench -markdown > table.md
//	go run ./bench/cmd/restsql-bench -profile -pagination cursor   # print the restsql profile
//	go run ./bench/cmd/restsql-bench -scenario parallel -cpuprofile cpu.out
//	go run ./bench/cmd/restsql-bench -scenario serve -runs 9 -markdown   # pgx and JDBC through restsql serve, PostgreSQL 15
//
// The exit status is 1 when a target fails (with -check) or a run fails.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/restsql/restsql"
	"github.com/restsql/restsql/bench"
	"github.com/restsql/restsql/server"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "restsql-bench:", err)
		}
		os.Exit(1)
	}
}

// serveLoopback runs restsql serve on cfg in this process, on a port of
// 127.0.0.1 (no users file: trust), for the serve scenario.
func serveLoopback(cfg *restsql.Config) (string, func(), error) {
	srv, err := server.New(server.Config{Driver: cfg})
	if err != nil {
		return "", nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		srv.Close()
		return "", nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	return ln.Addr().String(), func() {
		cancel()
		<-done
		srv.Close()
	}, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("restsql-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	scenarios := fs.String("scenario", strings.Join(bench.Scenarios, ","), "comma-separated scenarios: "+strings.Join(bench.Scenarios, ", ")+", or serve, custom")
	quick := fs.Bool("quick", false, "CI-sized scenarios: fewer rows and pages, one run each")
	runs := fs.Int("runs", 0, "runs of each reader; the median is reported (0 = 9 for scan, 3 for the others, 1 with -quick)")
	markdown := fs.Bool("markdown", false, "print Markdown tables")
	check := fs.Bool("check", false, "exit with status 1 when a target fails")
	verbose := fs.Bool("v", false, "print each run's time on stderr")
	profile := fs.Bool("profile", false, "print the restsql profile of the custom server and exit")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the whole run (server and readers) to this file")
	var custom bench.Config
	fs.IntVar(&custom.Rows, "rows", 200_000, "custom: rows")
	fs.IntVar(&custom.PageSize, "page-size", 1000, "custom: rows per page")
	fs.DurationVar(&custom.Latency, "latency", 0, "custom: latency added to each response")
	fs.StringVar(&custom.Pagination, "pagination", bench.PagePage, "custom: page, offset, cursor or nextURL")
	fs.IntVar(&custom.Width, "width", bench.DefaultWidth, "custom: columns per row")
	fs.BoolVar(&custom.NoTotal, "no-total", false, "custom: leave the total out of page and offset bodies")
	mc := fs.Int("max-concurrency", 4, "custom: restsql MaxConcurrency")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if *profile {
		custom.Rows = 1 // the profile does not depend on the rows
		s, err := bench.NewServer(custom)
		if err != nil {
			return err
		}
		defer s.Close()
		_, err = io.WriteString(stdout, s.Profile())
		return err
	}
	opts := bench.Options{Quick: *quick, Runs: *runs, Custom: custom, CustomMaxConcurrency: *mc, Serve: serveLoopback}
	for _, s := range strings.Split(*scenarios, ",") {
		if s = strings.TrimSpace(s); s != "" {
			opts.Scenarios = append(opts.Scenarios, s)
		}
	}
	if *verbose {
		opts.Progress = stderr
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	start := time.Now()
	reports, err := bench.Run(ctx, opts)
	bench.WriteReports(stdout, reports, *markdown)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "restsql-bench: done in %v\n", time.Since(start).Round(time.Millisecond))
	if failed := bench.Failed(reports); *check && len(failed) > 0 {
		return fmt.Errorf("%d target(s) failed", len(failed))
	}
	return nil
}
