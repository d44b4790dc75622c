package skynamo

import (
	"errors"
	"fmt"
)

// ErrBudgetExceeded matches (errors.Is) a request refused because the run's
// request budget (ClientOptions.MaxRequests) is used up. The request was not
// sent. Like the quota, it stops a pull with the pages received kept: see
// IsPartialStop.
var ErrBudgetExceeded = errors.New("the request budget is used up (--max-requests)")

// BudgetError is the error of a request the budget refused.
type BudgetError struct {
	Max          int64  // the budget
	Method, Path string // the request that was not sent
}

func (e *BudgetError) Error() string {
	return fmt.Sprintf("the request budget of %d is used up (--max-requests)", e.Max)
}

// Is lets errors.Is(err, ErrBudgetExceeded) see through a BudgetError.
func (e *BudgetError) Is(target error) bool { return target == ErrBudgetExceeded }

// IsPartialStop says whether err stopped a run on purpose, with whatever it
// had pulled worth keeping: the token's quota or the run's request budget is
// used up. Retrying now will not help, and the next run can resume from the
// pages kept. Callers keep what they have and report a partial result;
// other errors are failures.
func IsPartialStop(err error) bool {
	return errors.Is(err, ErrQuotaExceeded) || errors.Is(err, ErrBudgetExceeded)
}

// Budget returns how many requests the client has sent (retries included)
// and the most it may send (0 = unlimited).
func (c *Client) Budget() (used, max int64) {
	return c.requests.Load(), c.maxRequests
}

// spend counts one request about to be sent against the budget, or refuses
// it. The count is taken before checking, so parallel requests can never
// together go past the budget; a refused request gives its count back.
func (c *Client) spend(method, path string) error {
	n := c.requests.Add(1)
	if c.maxRequests > 0 && n > c.maxRequests {
		c.requests.Add(-1)
		return &BudgetError{Max: c.maxRequests, Method: method, Path: path}
	}
	return nil
}
