package export

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// File is an output file written atomically: writes go to a temporary
// file in the same directory, which Commit renames to the final path and
// Abort removes. Until Commit the final path is untouched.
type File struct {
	path string
	tmp  *os.File
	done bool
}

// Create starts writing the file at path. Its directory must exist.
func Create(path string) (*File, error) {
	dir, base := filepath.Split(path)
	if base == "" {
		return nil, fmt.Errorf("export: %q names a directory, not a file", path)
	}
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	return &File{path: path, tmp: tmp}, nil
}

// Name is the final path.
func (f *File) Name() string { return f.path }

// Write implements io.Writer.
func (f *File) Write(p []byte) (int, error) { return f.tmp.Write(p) }

// Commit flushes the file to disk and renames it to its final path,
// replacing any file there.
func (f *File) Commit() error {
	if f.done {
		return errors.New("export: file already committed or aborted")
	}
	f.done = true
	err := f.tmp.Sync()
	if cerr := f.tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.tmp.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(f.tmp.Name(), f.path)
	}
	if err != nil {
		os.Remove(f.tmp.Name())
		return fmt.Errorf("export: %s: %w", f.path, err)
	}
	return nil
}

// Abort removes the temporary file. It does nothing after Commit, so it
// can be deferred.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	f.tmp.Close()
	os.Remove(f.tmp.Name())
}
