package sim

import (
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Server is a simulated Skynamo instance speaking the public API v1.
type Server struct {
	opts      Options
	loc       *time.Location // the instance's local time zone
	started   time.Time      // wall clock at New; the instance clock runs from opts.Now
	endpoints map[string]*endpoint
	writes    map[string]map[string]*writeOp // collection path -> method
	st        *store
	fs        faultState
	// beh is the current Behaviour. It is stored while holding st.mu's
	// write lock; readers whose output depends on cached encodings or on
	// the list order load it while holding the read lock.
	beh atomic.Pointer[Behaviour]

	touchRng *rand.Rand // picks the customers TouchCustomers changes; guarded by st.mu
	mut      *mutator   // makes Mutate's changes; guarded by st.mu

	httpMu  sync.Mutex
	servers []*http.Server
}

// New builds an instance from o. Building is deterministic: the same Seed,
// sizes and Now give byte-identical data.
func New(o Options) *Server {
	o = o.withDefaults()
	s := &Server{
		opts:      o,
		loc:       instanceZone,
		started:   time.Now(),
		endpoints: make(map[string]*endpoint),
		writes:    writeOps(),
		touchRng:  rand.New(rand.NewPCG(uint64(o.Seed), streamTouch)),
	}
	s.fs.faults = o.Faults
	s.fs.rng = rand.New(rand.NewPCG(uint64(o.Seed), streamFaults))
	s.fs.perList = make(map[string]*atomic.Int64)
	s.fs.now = time.Now
	for _, ep := range endpoints() {
		s.endpoints[ep.name] = &ep
		s.fs.perList[ep.name] = new(atomic.Int64)
	}
	sd := seed(o, s.loc)
	s.st = sd.st
	s.mut = newMutator(sd, rand.New(rand.NewPCG(uint64(o.Seed), streamMutate)))
	s.SetBehaviour(o.Behaviour)
	return s
}

// behaviour is the current Behaviour; see Server.beh for when to call it.
func (s *Server) behaviour() *Behaviour { return s.beh.Load() }

// clock is the instance's current time: opts.Now plus the wall time elapsed
// since New, so changes made by tests land after the seeded data.
func (s *Server) clock() time.Time {
	return s.opts.Now.Add(time.Since(s.started)).In(s.loc)
}

// Listen serves in the background on addr (e.g. "127.0.0.1:0") and returns
// the base URL clients use, e.g. "http://127.0.0.1:PORT/v1/".
func (s *Server) Listen(addr string) (string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", err
	}
	hs := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	s.httpMu.Lock()
	s.servers = append(s.servers, hs)
	s.httpMu.Unlock()
	go func() { _ = hs.Serve(ln) }()

	tcp := ln.Addr().(*net.TCPAddr)
	host := tcp.IP.String()
	if tcp.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, strconv.Itoa(tcp.Port)) + "/v1/", nil
}

// Close stops every listener started by Listen.
func (s *Server) Close() error {
	s.httpMu.Lock()
	defer s.httpMu.Unlock()
	var errs []error
	for _, hs := range s.servers {
		errs = append(errs, hs.Close())
	}
	s.servers = nil
	return errors.Join(errs...)
}

// ServeHTTP answers in the order API Gateway does: route, then key, then
// usage plan and throttling, then the backend.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.fs.requests.Add(1)
	if !sleep(r.Context(), s.latency()) {
		return
	}
	rt, ok := s.resolve(r.Method, r.URL.EscapedPath())
	if !ok {
		writeMessage(w, http.StatusForbidden, "Missing Authentication Token")
		return
	}
	if !rt.single && rt.write == nil && !rt.integration {
		s.fs.perList[rt.ep.name].Add(1)
	}
	if r.Header.Get("x-api-key") != s.opts.APIKey || r.Header.Get("x-api-client") != s.opts.Instance {
		writeMessage(w, http.StatusForbidden, "Forbidden")
		return
	}
	if status, msg, retryAfter := s.injectFault(); status != 0 {
		if retryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(retryAfter))
		}
		writeMessage(w, status, msg)
		return
	}
	if rt.integration {
		s.serveIntegration(w, r)
		return
	}
	if rt.write != nil {
		s.serveWrite(w, r, rt.ep, rt.write)
		return
	}
	q := r.URL.Query()
	if rt.single {
		s.serveItem(w, rt, q)
		return
	}
	s.serveList(w, rt.ep, q)
}

func (s *Server) serveList(w http.ResponseWriter, ep *endpoint, q url.Values) {
	number, size, err := pageParams(q)
	if err != nil {
		writeMessage(w, http.StatusBadRequest, err.Error())
		return
	}
	var fs []filter
	var key string
	if raw := strings.TrimSpace(q.Get("filters")); raw != "" {
		if fs, key, err = parseFilters(raw, ep, s.loc); err != nil {
			writeMessage(w, http.StatusBadRequest, err.Error())
			return
		}
	}
	flags := flagParams(q, ep)
	if ch := s.behaviour().Churn; number > 1 && ch.Collection == ep.name && ch.active() {
		s.Mutate(ep.name, ch.Inserts, ch.Updates, ch.Deletes)
	}

	s.st.mu.RLock()
	b := s.behaviour()
	if b.LegacyVersion {
		flags |= encLegacy
	}
	c := s.st.cols[ep.name]
	recs := c.order(b.UnstableOrder)
	var idxs []int32
	if len(fs) > 0 {
		idxs = c.filtered(key, fs, recs, b.UnstableOrder)
	}
	body := appendPage(make([]byte, 0, 64+size*estimateSize(recs, flags)), recs, idxs, len(fs) > 0, number, size, flags)
	s.st.mu.RUnlock()
	writeBody(w, http.StatusOK, body)
}

// estimateSize guesses a record's encoded size from the first one, so a page
// buffer is allocated once. It encodes with the request's flags: any
// other encoding it cached could carry the wrong version name.
func estimateSize(recs []*record, f encFlags) int {
	if len(recs) == 0 {
		return 0
	}
	return len(recs[0].encoded(f|encNulls)) + 64
}

func (s *Server) serveItem(w http.ResponseWriter, rt route, q url.Values) {
	id, err := url.PathUnescape(rt.id)
	if err != nil {
		writeMessage(w, http.StatusBadRequest, "malformed path: "+err.Error())
		return
	}
	flags := flagParams(q, rt.ep)
	s.st.mu.RLock()
	defer s.st.mu.RUnlock()
	if s.behaviour().LegacyVersion {
		flags |= encLegacy
	}
	var rec *record
	if rt.byExternal {
		rec = s.st.invoicesByExternalID[id]
		if rec == nil {
			writeMessage(w, http.StatusNotFound, "No invoice with external id "+strconv.Quote(id)+" was found")
			return
		}
	} else {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			writeMessage(w, http.StatusBadRequest, "id must be an integer, not "+strconv.Quote(id))
			return
		}
		rec = s.st.cols[rt.ep.name].byID[n]
		if rec == nil {
			writeMessage(w, http.StatusNotFound, "No "+rt.ep.singular+" with id "+id+" was found")
			return
		}
	}
	writeBody(w, http.StatusOK, rec.encoded(flags))
}

func writeMessage(w http.ResponseWriter, status int, msg string) {
	writeBody(w, status, mustJSON(map[string]string{"message": msg}))
}

func writeBody(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
