package skynamo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// DefaultMaxAttempts bounds how often one request is sent before its error is
// returned: with the default backoff the last wait is about 30 s, so a run of
// bad luck costs minutes, not hours.
const DefaultMaxAttempts = 8

// ClientOptions are the parts of a Client that tests and hosts replace.
type ClientOptions struct {
	// HTTP sends the requests; nil means a client whose timeout is
	// Config.Timeout.
	HTTP *http.Client
	// Backoff is the wait before retry number attempt (1 = first retry);
	// nil means exponential backoff with full jitter (FullJitterBackoff).
	Backoff func(attempt int) time.Duration
	// Sleep waits d or until ctx ends; nil means a real timer. Tests pass
	// InstantSleep so that fault tests never sleep. The throttle's pacing
	// uses it too unless Throttle.Sleep is set.
	Sleep func(ctx context.Context, d time.Duration) error
	// MaxAttempts bounds sends per request (0 = DefaultMaxAttempts).
	MaxAttempts int
	// MaxRetryAfter is the longest Retry-After the client waits (0 = one
	// minute); a server asking for more stops the request with a
	// *RetryAfterError.
	MaxRetryAfter time.Duration
	// MaxRequests is the run's request budget, retries included (0 =
	// unlimited). Requests past it fail with ErrBudgetExceeded unsent.
	MaxRequests int64
	// Throttle tunes the adaptive throttle shared by all requests.
	Throttle ThrottleOptions
	// Logf reports retries; nil = silent.
	Logf func(format string, args ...any)
	// Trace hears about every request sent, retries included, once its
	// answer is in (a host's --verbose); nil = silent. It runs on the
	// request's goroutine, so several may call it at once.
	Trace func(RequestTrace)
}

// RequestTrace is one request as sent and answered. It holds no header, so
// neither the API key nor the instance's name can leak through it.
type RequestTrace struct {
	Method   string
	Path     string     // e.g. "/customers"
	Query    url.Values // page_number, filters, ...
	Attempt  int        // 1 for the first send, 2 for the first retry
	Status   int        // the HTTP status; 0 when no answer came
	Duration time.Duration
	Err      error // nil for a 2xx answer
}

// Client talks to one Skynamo instance. It is safe for concurrent use.
type Client struct {
	cfg      Config
	base     *url.URL
	http     *http.Client
	backoff  func(int) time.Duration
	sleep    func(context.Context, time.Duration) error
	attempts int
	maxAfter time.Duration
	logf     func(string, ...any)
	trace    func(RequestTrace)
	limiter  *limiter

	requests    atomic.Int64
	maxRequests int64
}

// NewClient builds a client for cfg. cfg.APIBase must be an absolute URL, as
// LoadConfig makes it; an empty one means DefaultAPIBase.
func NewClient(cfg Config, opt ClientOptions) (*Client, error) {
	if cfg.APIBase == "" {
		cfg.APIBase = DefaultAPIBase
	}
	if !strings.HasSuffix(cfg.APIBase, "/") {
		cfg.APIBase += "/"
	}
	base, err := url.Parse(cfg.APIBase)
	if err != nil || base.Host == "" {
		return nil, fmt.Errorf("API base %q is not an absolute URL", cfg.APIBase)
	}
	if err := checkHeaderValue(KeyAPIKey, cfg.APIKey); err != nil {
		return nil, err
	}
	if err := checkHeaderValue(KeyInstance, cfg.Instance); err != nil {
		return nil, err
	}
	if cfg.Concurrency < 1 {
		cfg.Concurrency = DefaultConcurrency
	}
	if cfg.PageSize < 1 || cfg.PageSize > MaxPageSize {
		cfg.PageSize = MaxPageSize
	}
	c := &Client{
		cfg:      cfg,
		base:     base,
		http:     opt.HTTP,
		backoff:  opt.Backoff,
		sleep:    opt.Sleep,
		attempts: opt.MaxAttempts,
		maxAfter: opt.MaxRetryAfter,
		logf:     opt.Logf,
		trace:    opt.Trace,

		maxRequests: opt.MaxRequests,
	}
	if c.http == nil {
		c.http = newHTTPClient(cfg)
	}
	if c.backoff == nil {
		c.backoff = FullJitterBackoff(500*time.Millisecond, 30*time.Second)
	}
	if c.sleep == nil {
		c.sleep = sleepContext
	}
	if c.attempts < 1 {
		c.attempts = DefaultMaxAttempts
	}
	if c.maxAfter <= 0 {
		c.maxAfter = time.Minute
	}
	if c.logf == nil {
		c.logf = func(string, ...any) {}
	}
	throttle := opt.Throttle
	if throttle.Sleep == nil {
		throttle.Sleep = c.sleep
	}
	c.limiter = newLimiter(cfg.Concurrency, throttle, c.logf)
	return c, nil
}

// newHTTPClient keeps one idle connection per parallel page request: the
// default of 2 would close and reopen (with a TLS handshake, against the
// real API) most connections after every round of pages.
func newHTTPClient(cfg Config) *http.Client {
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = max(cfg.Concurrency, 2)
	return &http.Client{Timeout: timeout, Transport: transport}
}

// Config returns the configuration the client was built with.
func (c *Client) Config() Config { return c.cfg }

// Requests returns how many HTTP requests the client has sent, retries
// included: each one counts against the token's quota.
func (c *Client) Requests() int64 { return c.requests.Load() }

// Throttle reports where the adaptive throttle stands: how far 429s
// brought concurrency and rate down.
func (c *Client) Throttle() ThrottleState { return c.limiter.State() }

// Get sends a GET and returns the body of a 2xx answer.
func (c *Client) Get(ctx context.Context, path string, query url.Values) ([]byte, error) {
	return c.do(ctx, http.MethodGet, path, query, nil, nil)
}

// Send sends a write (POST, PUT, PATCH, DELETE) with a JSON body and returns
// the body of a 2xx answer. A POST is retried only when the gateway
// throttled it (429 Too Many Requests): after a 5xx or a timeout it may have
// been applied, and sending it again could create duplicates.
func (c *Client) Send(ctx context.Context, method, path string, query url.Values, body []byte) ([]byte, error) {
	return c.do(ctx, method, path, query, body, nil)
}

// do sends one request with retries; every attempt is counted against the
// budget and, if given, added to counter (the caller's own tally).
func (c *Client) do(ctx context.Context, method, path string, query url.Values, body []byte, counter *atomic.Int64) ([]byte, error) {
	target := c.resolve(path, query)
	var lastErr error
	maybeApplied := false // an earlier attempt may have reached the API
	for attempt := 1; ; attempt++ {
		data, retryAfter, err := c.attempt(ctx, request{method: method, path: path, query: query, target: target, body: body, attempt: attempt}, counter)
		if err == nil {
			return data, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var apiErr *APIError
		isAPI := errors.As(err, &apiErr)
		if isAPI {
			apiErr.Attempts = attempt
			apiErr.EarlierMayHaveApplied = maybeApplied
		}
		if !c.shouldRetry(method, err) {
			return nil, err
		}
		lastErr = err
		maybeApplied = maybeApplied || (isAPI && apiErr.Status >= 500) || (!isAPI && !unreachable(err))
		limit := c.attempts
		if unreachable(err) {
			// Nothing answered at all: a server restarting is back within
			// seconds, a wrong address or a dead network is not, and minutes
			// of backoff would only hide the message.
			limit = min(limit, unreachableAttempts)
		}
		if attempt >= limit {
			if isAPI {
				return nil, apiErr
			}
			return nil, fmt.Errorf("%w (gave up after %d attempts)", lastErr, attempt)
		}
		wait := c.backoff(attempt)
		if retryAfter > c.maxAfter {
			page, _ := strconv.Atoi(query.Get("page_number"))
			return nil, &RetryAfterError{Method: method, Path: path, Page: page, Wait: retryAfter, Max: c.maxAfter, Err: err}
		}
		if retryAfter > 0 {
			wait = retryAfter
		}
		c.logf("%s %s: %v; retry %d of %d in %s", method, path, shortError(err), attempt, limit-1, wait.Round(time.Millisecond))
		if err := c.sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// request is one send of a request: what attempt needs to send and trace it.
type request struct {
	method, path string
	query        url.Values
	target       string // the whole URL
	body         []byte
	attempt      int
}

// attempt sends the request once, within the throttle and the budget. The
// slot is held only while the request is out, not during a retry's backoff.
func (c *Client) attempt(ctx context.Context, r request, counter *atomic.Int64) ([]byte, time.Duration, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	t, err := c.limiter.Acquire(ctx)
	if err != nil {
		return nil, 0, err
	}
	if err := c.spend(r.method, r.path); err != nil {
		c.limiter.Release(t, outcomeNeutral)
		return nil, 0, err
	}
	if counter != nil {
		counter.Add(1)
	}
	start := time.Now()
	data, status, retryAfter, err := c.once(ctx, r.method, r.path, r.target, r.body)
	c.limiter.Release(t, throttleOutcome(err))
	if c.trace != nil {
		c.trace(RequestTrace{Method: r.method, Path: r.path, Query: r.query, Attempt: r.attempt,
			Status: status, Duration: time.Since(start), Err: err})
	}
	return data, retryAfter, err
}

// throttleOutcome sorts a result for the throttle: only the gateway's
// throttling lowers the rate, and only a served answer is a sign of calm.
func throttleOutcome(err error) outcome {
	if err == nil {
		return outcomeAnswered
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		return outcomeNeutral
	}
	switch {
	case apiErr.Status == http.StatusTooManyRequests && !apiErr.isQuota():
		return outcomeThrottled
	case apiErr.Status == http.StatusTooManyRequests || apiErr.Status >= 500:
		return outcomeNeutral
	}
	return outcomeAnswered
}

func (c *Client) shouldRetry(method string, err error) bool {
	if errors.Is(err, ErrBudgetExceeded) {
		return false
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		if method == http.MethodPost {
			return apiErr.Status == http.StatusTooManyRequests && !apiErr.isQuota()
		}
		return apiErr.retryable()
	}
	if permanentNetworkError(err) {
		return false
	}
	// Network errors and timeouts: the request may never have arrived.
	return method != http.MethodPost
}

// unreachableAttempts bounds the tries of a request that found nobody
// listening.
const unreachableAttempts = 3

// unreachable reports a request that could not even connect.
func unreachable(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// permanentNetworkError spots failures that no retry can mend: a host name
// that does not exist. Eight attempts at it would only delay the message.
func permanentNetworkError(err error) bool {
	var dns *net.DNSError
	return errors.As(err, &dns) && dns.IsNotFound
}

// checkHeaderValue refuses a value net/http would refuse to send, naming
// the setting instead of failing every request with a header error.
func checkHeaderValue(setting, v string) error {
	for i := 0; i < len(v); i++ {
		if b := v[i]; b < 0x20 && b != '\t' || b == 0x7f {
			return fmt.Errorf("%s contains a line break or control character at position %d; check how it was pasted", setting, i+1)
		}
	}
	return nil
}

// once sends the request a single time and returns the answer's body and
// status (0 when none came).
func (c *Client) once(ctx context.Context, method, path, target string, body []byte) ([]byte, int, time.Duration, error) {
	var reader io.Reader
	if body != nil {
		reader = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, reader)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("%s %s: %w", method, path, err)
	}
	req.Header.Set("x-api-client", c.cfg.Instance)
	req.Header.Set("x-api-key", c.cfg.APIKey)
	req.Header.Set("accept", "application/json")
	if body != nil {
		req.Header.Set("content-type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, 0, 0, &networkError{method: method, path: path, err: err}
	}
	defer resp.Body.Close()
	data, err := readBody(resp)
	if err != nil {
		return nil, resp.StatusCode, 0, fmt.Errorf("%s %s: reading the answer: %w", method, path, err)
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return data, resp.StatusCode, 0, nil
	}
	return nil, resp.StatusCode, retryAfter(resp.Header.Get("Retry-After")), newAPIError(method, path, resp.StatusCode, data)
}

// networkError is a request that got no answer. Its text names the request
// once ("GET /customers: dial tcp 127.0.0.1:1: connection refused"), not the
// whole URL with its query again as net/http's *url.Error does; the
// *url.Error stays reachable through Unwrap.
type networkError struct {
	method, path string
	err          error
}

func (e *networkError) Error() string {
	var urlErr *url.Error
	if errors.As(e.err, &urlErr) {
		return fmt.Sprintf("%s %s: %v", e.method, e.path, urlErr.Err)
	}
	return fmt.Sprintf("%s %s: %v", e.method, e.path, e.err)
}

func (e *networkError) Unwrap() error { return e.err }

// resolve joins a path like "/customers" to the base ".../v1/".
func (c *Client) resolve(path string, query url.Values) string {
	u := *c.base
	u.Path = strings.TrimSuffix(c.base.Path, "/") + "/" + strings.TrimPrefix(path, "/")
	u.RawQuery = query.Encode()
	return u.String()
}

// shortError keeps retry log lines to one line without the URL repeated.
func shortError(err error) string {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return fmt.Sprintf("%d %s", apiErr.Status, apiErr.Message)
	}
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		return urlErr.Err.Error()
	}
	return err.Error()
}

// readBody reads the answer into a buffer of its announced size: list pages
// are a few hundred kilobytes, and io.ReadAll would grow and copy its buffer
// several times for each.
func readBody(resp *http.Response) ([]byte, error) {
	const maxPresize = 64 << 20 // do not trust a huge Content-Length blindly
	if n := resp.ContentLength; n > 0 && n <= maxPresize {
		data := make([]byte, n)
		if _, err := io.ReadFull(resp.Body, data); err != nil {
			return nil, err
		}
		return data, nil
	}
	return io.ReadAll(resp.Body)
}
