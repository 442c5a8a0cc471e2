//go:build race

package openapi

// raceEnabled is set when the tests run with -race, which makes the corpus
// test ten times slower: it then imports a smaller sample.
const raceEnabled = true
