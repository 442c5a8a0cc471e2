package main

import (
	"database/sql"
	"fmt"
	"io"
	"time"

	"github.com/restsql/restsql/export"
	"github.com/restsql/restsql/incremental"
)

// startIncremental starts the run of --incremental COLUMN --state PATH:
// the query gets "COLUMN >= last mark", and the encoders drop the rows
// the runs before wrote (see package incremental).
func (o *exportOptions) startIncremental() error {
	switch {
	case o.incremental == "" && o.state == "":
		return nil
	case o.incremental == "" || o.state == "":
		return fmt.Errorf("export: --incremental COLUMN and --state FILE go together")
	}
	run, err := incremental.Start(o.state, o.incremental, o.query)
	if err != nil {
		return err
	}
	o.inc, o.query = run, run.Query
	return nil
}

// newEncoder is export.NewEncoder, filtered by the incremental run.
func (o *exportOptions) newEncoder(format export.Format, w io.Writer, cols []export.Column) (export.Encoder, error) {
	enc, err := export.NewEncoder(format, w, cols)
	if err != nil || o.inc == nil {
		return enc, err
	}
	return export.Filtered(enc, cols, o.inc)
}

// commitIncremental saves the new mark, once every file is complete.
func (o *exportOptions) commitIncremental(stderr io.Writer) error {
	if o.inc == nil {
		return nil
	}
	if err := o.inc.Commit(time.Now()); err != nil {
		return err
	}
	st := o.inc.Next()
	fmt.Fprintf(stderr, "incremental: %d new %s; %s %v saved to %s\n", st.Rows, plural(st.Rows, "row"), st.Column, markText(st.Mark), o.state)
	return nil
}

func markText(v any) any {
	if t, ok := v.(time.Time); ok {
		return t.Format(time.RFC3339Nano)
	}
	if v == nil {
		return "(no mark yet)"
	}
	return v
}

// writeFiltered is export.WriteFile through the incremental run's filter.
func writeFiltered(o *exportOptions, format export.Format, rows *sql.Rows, p *export.Progress) error {
	cols, err := export.ColumnsOf(rows)
	if err != nil {
		return err
	}
	f, err := export.Create(o.out)
	if err != nil {
		return err
	}
	defer f.Abort()
	enc, err := o.newEncoder(format, f, cols)
	if err != nil {
		return err
	}
	if _, err := export.Copy(rows, enc, p); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	return f.Commit()
}
