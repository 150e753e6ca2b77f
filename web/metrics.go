package web

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"kuzot/index"
	"kuzot/store"
)

// Metrics are Kuzot's Prometheus metrics, served on /metrics. The gauges
// of what is stored (articles, alerts, outbox, index lag, matches) are read
// from the store and the index at each scrape; the counters and the
// histogram are fed by the parts that see the events, through the methods
// below. A nil *Metrics is valid and records nothing, so a part can be
// built without metrics in tests.
type Metrics struct {
	reg        *prometheus.Registry
	fetches    *prometheus.CounterVec
	detection  prometheus.Histogram
	deliveries *prometheus.CounterVec
	matches    *prometheus.CounterVec
}

// NewMetrics makes the metrics on their own registry (with the Go runtime
// and process collectors).
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		fetches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kuzot_fetches_total",
			Help: "Polls of sources, by source id and outcome (ok, not_modified, http_503, error...).",
		}, []string{"source", "status"}),
		detection: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "kuzot_detection_latency_seconds",
			Help: "Time from an article's publication to the alert it raised or joined.",
			// From a minute to a day: a crisis found within minutes is the goal.
			Buckets: []float64{60, 120, 300, 600, 900, 1800, 3600, 2 * 3600, 4 * 3600, 8 * 3600, 24 * 3600},
		}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kuzot_notifications_total",
			Help: "Notification delivery attempts, by receiver and outcome (delivered, retry, failed).",
		}, []string{"receiver", "outcome"}),
		matches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kuzot_rule_matches_total",
			Help: "Articles scored as matching a rule since start, by rule and decision (digest, alert, critical).",
		}, []string{"rule", "decision"}),
	}
	m.reg.MustRegister(m.fetches, m.detection, m.deliveries, m.matches,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Fetch counts one poll of a source with its outcome: the crawler calls it
// after each poll with the source's id and its store.SourceState status
// made a label ("ok", "not_modified", "http_503", "error").
func (m *Metrics) Fetch(source, status string) {
	if m == nil {
		return
	}
	m.fetches.WithLabelValues(source, status).Inc()
}

// Detected observes the latency of one detection: the time from an
// article's publication to the alert it raised or joined. The alerting
// engine calls it once per article it adds to an alert.
func (m *Metrics) Detected(latency time.Duration) {
	if m == nil {
		return
	}
	m.detection.Observe(max(latency, 0).Seconds())
}

// Delivery counts one delivery attempt of a notification to a receiver:
// outcome is "delivered", "retry" or "failed" (given up).
func (m *Metrics) Delivery(receiver, outcome string) {
	if m == nil {
		return
	}
	m.deliveries.WithLabelValues(receiver, outcome).Inc()
}

// RuleMatched counts an article scored as matching a rule, with the
// decision (digest, alert or critical): the scoring pipeline calls it.
func (m *Metrics) RuleMatched(rule, decision string) {
	if m == nil {
		return
	}
	m.matches.WithLabelValues(rule, decision).Inc()
}

// Registry is where the metrics are registered, for a part that wants to
// add its own.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

func (m *Metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// collectStore registers the collector reading the store and the index.
// Registering twice (a second Server on the same Metrics) is refused by
// the registry; the first collector keeps serving.
func (m *Metrics) collectStore(st *store.Store, x *index.Index) error {
	err := m.reg.Register(&storeCollector{st: st, idx: x})
	if _, dup := err.(prometheus.AlreadyRegisteredError); dup {
		return nil
	}
	return err
}

// storeCollector reads the gauges at each scrape.
type storeCollector struct {
	st  *store.Store
	idx *index.Index
}

var (
	descArticles = prometheus.NewDesc("kuzot_articles_stored", "Articles in the store.", nil, nil)
	descIndexed  = prometheus.NewDesc("kuzot_articles_indexed", "Articles in the search index.", nil, nil)
	descLag      = prometheus.NewDesc("kuzot_index_lag_articles",
		"Articles stored but not yet searchable: the store's count minus the index's.", nil, nil)
	descLastID  = prometheus.NewDesc("kuzot_index_last_id", "The highest article id indexed.", nil, nil)
	descAlerts  = prometheus.NewDesc("kuzot_alerts", "Alerts by severity and status.", []string{"severity", "status"}, nil)
	descOutbox  = prometheus.NewDesc("kuzot_outbox_items", "Notifications in the outbox by state.", []string{"state"}, nil)
	descDepth   = prometheus.NewDesc("kuzot_outbox_depth", "Notifications waiting to be delivered.", nil, nil)
	descFailed  = prometheus.NewDesc("kuzot_outbox_failed", "Notifications given up after their retries.", nil, nil)
	descMatched = prometheus.NewDesc("kuzot_matched_articles", "Articles in the index matching a rule of a category (digest or above).",
		[]string{"category"}, nil)
	descUp = prometheus.NewDesc("kuzot_store_up", "1 when the store answered the scrape, 0 when it failed.", nil, nil)
)

func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descArticles, descIndexed, descLag, descLastID, descAlerts, descOutbox, descDepth, descFailed, descMatched, descUp} {
		ch <- d
	}
}

func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	up := 1.0
	fail := func(d *prometheus.Desc, err error) {
		up = 0
		ch <- prometheus.NewInvalidMetric(d, err)
	}
	n, err := c.st.CountArticles(ctx)
	if err != nil {
		fail(descArticles, err)
	} else {
		gauge(descArticles, float64(n))
	}
	if d, err := c.idx.DocCount(); err != nil {
		fail(descIndexed, err)
	} else {
		gauge(descIndexed, float64(d))
		if err == nil {
			gauge(descLag, float64(max(int64(n)-int64(d), 0)))
		}
	}
	gauge(descLastID, float64(c.idx.LastID()))

	alerts, err := c.st.AlertCounts(ctx)
	if err != nil {
		fail(descAlerts, err)
	} else {
		// Every combination is reported, zeros too, so that a query over
		// the series sees a fall to zero.
		for _, sev := range []string{"low", "medium", "high", "critical"} {
			for _, st := range statuses {
				gauge(descAlerts, float64(alerts[[2]string{sev, st}]), sev, st)
			}
		}
	}
	ob, err := c.st.OutboxCounts(ctx)
	if err != nil {
		fail(descOutbox, err)
	} else {
		for _, st := range []string{store.OutboxPending, store.OutboxDelivered, store.OutboxFailed, store.OutboxSkipped, store.OutboxSummarised} {
			gauge(descOutbox, float64(ob[st]), st)
		}
		gauge(descDepth, float64(ob[store.OutboxPending]))
		gauge(descFailed, float64(ob[store.OutboxFailed]))
	}
	res, err := c.idx.Search(ctx, index.Request{Size: 1, Facets: []string{index.FieldCategory}})
	if err != nil {
		fail(descMatched, err)
	} else {
		for _, fc := range res.Facets[index.FieldCategory] {
			gauge(descMatched, float64(fc.Count), fc.Value)
		}
	}
	gauge(descUp, up)
}
