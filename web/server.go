package web

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"kuzot/backtest"
	"kuzot/config"
	"kuzot/index"
	"kuzot/store"
)

// Alerts is what the web needs of the alerting engine: the press office
// acknowledges and resolves alerts through it, so that the change is
// written with its notifications (the Slack thread hears of it).
type Alerts interface {
	Acknowledge(ctx context.Context, id, actor, comment string) error
	Resolve(ctx context.Context, id, actor, comment string) error
}

// Deps are what a Server is built from.
type Deps struct {
	Config *config.Config
	Store  *store.Store
	Index  *index.Index
	// Rules are the compiled rules and scoring of Config, for backtests.
	Rules *backtest.Set
	// Alerts acknowledges and resolves alerts; nil makes those requests
	// fail with 503.
	Alerts Alerts
	// Metrics, when set, are the metrics the crawler and the alerting
	// engine feed; New registers the store's collector on them. Nil means
	// New makes its own (see Server.Metrics).
	Metrics *Metrics
	Log     *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Server is the web UI and API.
type Server struct {
	cfg     *config.Config
	st      *store.Store
	idx     *index.Index
	rules   *backtest.Set
	alerts  Alerts
	metrics *Metrics
	log     *slog.Logger
	now     func() time.Time
	loc     *time.Location

	pages   map[string]*template.Template
	static  http.Handler
	limiter *loginLimiter
	handler http.Handler

	cacheMu sync.Mutex
	cache   map[string]cached
}

type cached struct {
	at time.Time
	v  any
}

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// New builds a Server. Config, Store, Index and Rules are required.
func New(d Deps) (*Server, error) {
	if d.Config == nil || d.Store == nil || d.Index == nil || d.Rules == nil {
		return nil, errors.New("web: Config, Store, Index and Rules are required")
	}
	s := &Server{cfg: d.Config, st: d.Store, idx: d.Index, rules: d.Rules, alerts: d.Alerts, metrics: d.Metrics,
		log: d.Log, now: d.Now, loc: d.Config.Location(), cache: map[string]cached{}}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.metrics == nil {
		s.metrics = NewMetrics()
	}
	if err := s.metrics.collectStore(d.Store, d.Index); err != nil {
		return nil, err
	}
	var err error
	if s.pages, err = s.parseTemplates(); err != nil {
		return nil, err
	}
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, fmt.Errorf("web: static files: %w", err)
	}
	s.static = http.StripPrefix("/static/", http.FileServerFS(sub))
	s.limiter = newLoginLimiter()
	s.handler = s.routes()
	return s, nil
}

// Handler is the whole UI and API, with security headers on every
// response.
func (s *Server) Handler() http.Handler { return s.handler }

// Metrics are the server's metrics: hand them to the crawler and the
// alerting engine to feed.
func (s *Server) Metrics() *Metrics { return s.metrics }

// methods routes one path by request method, answering others with 405
// and the Allow header. HEAD is served by GET.
type methods map[string]http.HandlerFunc

// routes builds the mux. Every route but /healthz, /login and /static/
// goes through auth.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	handle := func(pattern string, m methods) {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			method := r.Method
			if method == http.MethodHead {
				method = http.MethodGet
			}
			h, ok := m[method]
			if !ok {
				var allow []string
				for k := range m {
					allow = append(allow, k)
				}
				w.Header().Set("Allow", strings.Join(sortStrings(allow), ", "))
				s.fail(w, r, http.StatusMethodNotAllowed, "method %s is not allowed here", r.Method)
				return
			}
			h(w, r)
		})
	}
	viewer := func(h http.HandlerFunc) http.HandlerFunc { return s.auth(store.RoleViewer, h) }
	analyst := func(h http.HandlerFunc) http.HandlerFunc { return s.auth(store.RoleAnalyst, h) }
	admin := func(h http.HandlerFunc) http.HandlerFunc { return s.auth(store.RoleAdmin, h) }

	// Open to all.
	handle("/healthz", methods{"GET": s.healthz})
	handle("/login", methods{"GET": s.loginPage, "POST": s.login})
	mux.Handle("GET /static/", s.staticHandler())
	// Browsers ask for /favicon.ico on their own; it must not be sent to
	// the login page (that would start a second login form).
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		r.URL.Path = "/static/favicon.svg"
		s.staticHandler().ServeHTTP(w, r)
	})

	// JSON API.
	handle("/api/me", methods{"GET": viewer(s.apiMe)})
	handle("/api/search", methods{"GET": viewer(s.apiSearch)})
	handle("/api/search.csv", methods{"GET": viewer(s.searchCSV)})
	handle("/api/articles/{id}", methods{"GET": viewer(s.apiArticle)})
	handle("/api/alerts", methods{"GET": viewer(s.apiAlerts)})
	handle("/api/alerts/{id}", methods{"GET": viewer(s.apiAlert)})
	handle("/api/alerts/{id}/ack", methods{"POST": analyst(s.apiAck)})
	handle("/api/alerts/{id}/resolve", methods{"POST": analyst(s.apiResolve)})
	handle("/api/stories/{id}", methods{"GET": viewer(s.apiStory)})
	handle("/api/sources", methods{"GET": viewer(s.apiSources)})
	handle("/api/rules", methods{"GET": viewer(s.apiRules)})
	handle("/api/rules/backtest", methods{"GET": analyst(s.apiBacktest), "POST": analyst(s.apiBacktest)})
	handle("/api/", methods{"GET": viewer(s.notFound), "POST": viewer(s.notFound)})
	handle("/metrics", methods{"GET": viewer(s.metrics.handler().ServeHTTP)})

	// HTML UI.
	handle("/{$}", methods{"GET": viewer(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/alerts", http.StatusSeeOther)
	})})
	handle("/logout", methods{"POST": viewer(s.logout)})
	handle("/settings/lang", methods{"POST": viewer(s.setLang)})
	handle("/search", methods{"GET": viewer(s.searchPage)})
	handle("/search.csv", methods{"GET": viewer(s.searchCSV)})
	handle("/alerts", methods{"GET": viewer(s.alertsPage)})
	handle("/alerts/{id}", methods{"GET": viewer(s.alertPage)})
	handle("/alerts/{id}/ack", methods{"POST": analyst(s.ackForm)})
	handle("/alerts/{id}/resolve", methods{"POST": analyst(s.resolveForm)})
	handle("/articles/{id}", methods{"GET": viewer(s.articlePage)})
	handle("/stories/{id}", methods{"GET": viewer(s.storyPage)})
	handle("/rules", methods{"GET": viewer(s.rulesPage)})
	handle("/rules/edit", methods{"GET": analyst(s.ruleEditPage), "POST": analyst(s.ruleEditPage)})
	handle("/sources", methods{"GET": viewer(s.sourcesPage)})
	handle("/users", methods{"GET": admin(s.usersPage), "POST": admin(s.addUser)})
	handle("/users/{id}/disable", methods{"POST": admin(s.disableUser)})
	handle("/users/{id}/tokens", methods{"POST": admin(s.addToken)})
	handle("/tokens/{id}/revoke", methods{"POST": admin(s.revokeToken)})
	// Anything else is unknown, but only a signed-in user is told so.
	handle("/", methods{"GET": viewer(s.notFound), "POST": viewer(s.notFound)})

	return s.secure(s.limitBody(mux))
}

func (s *Server) staticHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		s.static.ServeHTTP(w, r)
	})
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, http.StatusNotFound, "%s: no such page", r.URL.Path)
}

// healthz answers 200 when the store answers.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if _, err := s.st.SourceStates(ctx); err != nil {
		s.log.Error("health check: store", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "store unavailable"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "index_last_id": s.idx.LastID()})
}

// maxBody bounds every request body: forms and JSON are small.
const maxBody = 64 << 10

func (s *Server) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > maxBody {
			s.fail(w, r, http.StatusRequestEntityTooLarge, "request body of %d bytes is over the limit of %d", r.ContentLength, maxBody)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		next.ServeHTTP(w, r)
	})
}

// contentSecurityPolicy allows only the server's own scripts, styles and
// images, in no frame.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// secure sets the security headers of every response.
func (s *Server) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		// Links lead to outlets' sites: they learn nothing of the UI.
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		if !strings.HasPrefix(r.URL.Path, "/static/") {
			h.Set("Cache-Control", "no-store")
		}
		if r.TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// cachedValue returns what fn computed within the last ttl under key, or
// computes it anew. Per-rule and per-source histograms cost a search
// each; a page reloaded by several people is computed once.
func (s *Server) cachedValue(key string, ttl time.Duration, fn func() (any, error)) (any, error) {
	s.cacheMu.Lock()
	c, ok := s.cache[key]
	s.cacheMu.Unlock()
	if ok && s.now().Sub(c.at) < ttl {
		return c.v, nil
	}
	v, err := fn()
	if err != nil {
		return nil, err
	}
	s.cacheMu.Lock()
	s.cache[key] = cached{at: s.now(), v: v}
	s.cacheMu.Unlock()
	return v, nil
}
