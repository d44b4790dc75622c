package skynamo

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// ErrQuotaExceeded matches (errors.Is) an API answer 429 "Limit Exceeded": the
// token's usage-plan quota is used up, and retrying will not help until the
// quota resets. A pull stopped by it keeps what it already got.
var ErrQuotaExceeded = errors.New("the API key's request quota is used up (429 Limit Exceeded)")

// Gateway messages that mean something specific (FACTS.md, "Connection").
const (
	msgMissingToken    = "Missing Authentication Token"
	msgForbidden       = "Forbidden"
	msgTooManyRequests = "Too Many Requests"
	msgLimitExceeded   = "Limit Exceeded"
)

// APIError is a non-2xx answer of the API.
type APIError struct {
	Status   int    // HTTP status code
	Message  string // the "message" of the JSON body, or the body's start
	Method   string // of the request, e.g. "GET"
	Path     string // of the request, relative to the API base, e.g. "/customers"
	Attempts int    // how many times the request was sent (retries included)
	// EarlierMayHaveApplied: an earlier attempt failed in a way the API
	// may have processed it (5xx, a lost connection, a timeout), not only
	// throttled before it reached the API.
	EarlierMayHaveApplied bool
	// Body is the raw answer, kept so a caller can map a 400's per-item
	// "errors" back to the items it sent.
	Body []byte
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: the API answered %d %s", e.Method, e.Path, e.Status, e.Message)
	if hint := e.hint(); hint != "" {
		b.WriteString(": ")
		b.WriteString(hint)
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (gave up after %d attempts)", e.Attempts)
	}
	return b.String()
}

func (e *APIError) hint() string {
	switch {
	case e.Status == http.StatusForbidden && e.Message == msgMissingToken:
		return "this is a wrong path or method, not a bad key"
	case e.Status == http.StatusForbidden:
		return "check SKYNAMO_API_KEY and SKYNAMO_INSTANCE_NAME"
	case e.isQuota():
		return "the API key's request quota is used up; retrying will not help until it resets"
	case e.Status == http.StatusTooManyRequests:
		return "the API kept throttling; try again later or lower the concurrency"
	}
	return ""
}

// Is lets errors.Is(err, ErrQuotaExceeded) see through an APIError while the
// caller still gets Status and Path with errors.As.
func (e *APIError) Is(target error) bool {
	return target == ErrQuotaExceeded && e.isQuota()
}

func (e *APIError) isQuota() bool {
	return e.Status == http.StatusTooManyRequests && e.Message == msgLimitExceeded
}

// retryable says whether sending the same request again may succeed.
func (e *APIError) retryable() bool {
	switch e.Status {
	case http.StatusTooManyRequests:
		return !e.isQuota()
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// newAPIError reads the gateway's {"message": ...} or, for a 400, the
// server's message and first item error, so Error() can show it.
func newAPIError(method, path string, status int, body []byte) *APIError {
	e := &APIError{Status: status, Method: method, Path: path, Body: body}
	var parsed struct {
		Message string `json:"message"`
		Errors  []struct {
			Index  int             `json:"index"`
			Detail json.RawMessage `json:"detail"`
		} `json:"errors"`
	}
	if json.Unmarshal(body, &parsed) == nil && parsed.Message != "" {
		e.Message = parsed.Message
		if len(parsed.Errors) > 0 {
			first := parsed.Errors[0]
			e.Message += fmt.Sprintf(" (item %d: %s", first.Index, compactDetail(first.Detail))
			if more := len(parsed.Errors) - 1; more > 0 {
				e.Message += fmt.Sprintf("; %d more item(s) failed", more)
			}
			e.Message += ")"
		}
		return e
	}
	text := strings.Join(strings.Fields(string(body)), " ")
	if len(text) > 200 {
		text = text[:200] + "..."
	}
	if text == "" {
		text = http.StatusText(status)
	}
	e.Message = text
	return e
}

// compactDetail renders an item error's detail (a list of strings in
// practice) as one line.
func compactDetail(raw json.RawMessage) string {
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		return strings.Join(list, "; ")
	}
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return one
	}
	return string(raw)
}

// RetryAfterError is a request the server asked to retry only after a wait
// longer than ClientOptions.MaxRetryAfter: rather than hold the run (and,
// from cron, overlap the next one), the client stops and says so.
type RetryAfterError struct {
	Method, Path string
	Page         int           // page_number of a list request; 0 if none
	Wait         time.Duration // what the server's Retry-After asked for
	Max          time.Duration // ClientOptions.MaxRetryAfter
	Err          error         // the answer that carried the Retry-After
}

func (e *RetryAfterError) Error() string {
	page := ""
	if e.Page > 0 {
		page = fmt.Sprintf(" page %d", e.Page)
	}
	return fmt.Sprintf("%s %s%s: the API asked to wait %s before retrying (Retry-After), more than the %s the client waits at most; stopped instead of waiting",
		e.Method, e.Path, page, e.Wait, e.Max)
}

func (e *RetryAfterError) Unwrap() error { return e.Err }
