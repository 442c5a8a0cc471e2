package retry_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/restsql/restsql/retry"
)

// FuzzParseRetryAfter: any header value parses without a panic to a wait
// that is never negative.
func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"0", "120", " 7 ", "99999999999999999999999", "-1", "1.5", "",
		epoch.Format(http.TimeFormat), epoch.Format(time.RFC850), epoch.Format(time.ANSIC),
		"Wed, 21 Oct 2015 07:28:00 GMT", "Mon, 01 Jan 0001 00:00:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := retry.ParseRetryAfter(s, epoch)
		if d < 0 {
			t.Fatalf("ParseRetryAfter(%q) = %v, negative", s, d)
		}
		if !ok && d != 0 {
			t.Fatalf("ParseRetryAfter(%q) = %v, false", s, d)
		}
	})
}
