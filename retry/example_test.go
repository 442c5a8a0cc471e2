package retry_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/restsql/restsql/retry"
	"github.com/restsql/restsql/retry/retrytest"
)

// A 503 with Retry-After: 2, then success: Do waits the two seconds the
// server asked for (on a fake clock here) and tries again.
func ExampleDo() {
	clock := retrytest.NewClock(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	policy := &retry.Policy{MaxRetries: 3, Clock: clock}
	calls := 0
	body, err := retry.Do(context.Background(), policy, func(ctx context.Context) (string, error) {
		calls++
		if calls == 1 {
			wait, _ := retry.ParseRetryAfter("2", clock.Now())
			return "", retry.TemporaryAfter(errors.New("503 Service Unavailable"), wait)
		}
		return `[{"id":1}]`, nil
	})
	fmt.Println(body, err, calls, clock.Sleeps())
	// Output: [{"id":1}] <nil> 2 [2s]
}
