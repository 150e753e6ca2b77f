package alerting

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"kuzot/analysis"
)

// DefaultWindow is how long a story stays open to new articles after its
// last one: news of an event is picked up by other outlets and followed up
// within a few days.
const DefaultWindow = 72 * time.Hour

// LeadWords is how many words of the body make an Item's Lead.
const LeadWords = 60

// Item is what grouping needs of an article.
type Item struct {
	ID        int64
	Outlet    string
	Lang      string // "ru", "ky" or "en"; detected from the text when empty
	Title     string
	Lead      string // the first ~60 words of the body (see Lead)
	Published time.Time
}

// Lead returns the first LeadWords words of an article's body, the part
// that names the event: who, where and what. The rest of an article is
// background that differs between outlets and blurs the comparison.
func Lead(body string) string {
	n, inWord := 0, false
	for i, r := range body {
		space := r == ' ' || r == '\n' || r == '\t' || r == '\r' || r == '\u00a0'
		if !space && !inWord {
			if n == LeadWords {
				return strings.TrimSpace(body[:i])
			}
			n++
		}
		inWord = !space
	}
	return strings.TrimSpace(body)
}

// Story is the articles about one event. A Grouper owns its stories: read
// them, do not change them.
type Story struct {
	ID       string    // "s" and the id of its first article: stable across a rebuild
	Articles []int64   // in the order they were added
	Outlets  []string  // distinct, in the order they first appear
	First    time.Time // first publication
	Last     time.Time // last publication

	seq   uint64              // creation order: ties go to the older story
	docs  []*doc              // fingerprints of its articles, the first and the latest maxDocs-1
	terms map[string]struct{} // every term indexed for it, to unindex it on expiry
	bands map[uint64]struct{} // every LSH bucket it is in
}

// doc is the fingerprint of one article.
type doc struct {
	terms  []term   // distinct grouping terms of title and lead, by hash
	title  []uint64 // hashes of the title's grouping terms, sorted
	outlet string
	sig    [numHashes]uint32
	place  uint16 // regions of the places it names

	w   []float64 // weights of its terms (see Grouper.weights)
	wAt uint64    // Grouper.added when w was computed
}

// term is a grouping term of an article.
type term struct {
	key  string
	hash uint64 // of key: articles keep their terms in its order and compare them by it
	name bool   // a name or a number in this article
}

// MinHash and LSH banding: 12 bands of 3 rows put two articles whose
// shingle sets have a Jaccard similarity of 0.5 in a shared bucket with
// probability 0.8, and of 0.8 with probability 0.9998, while unrelated
// articles (J < 0.1) meet in about 1% of pairs, and are then told apart by
// their estimated similarity.
const (
	numHashes   = 36
	bandRows    = 3
	numBands    = numHashes / bandRows
	shingleSize = 3
)

// Limits that bound the cost of an Add and the memory of a Grouper.
const (
	maxDocs       = 32      // fingerprints kept per story for comparison
	queryTerms    = 24      // rarest terms of an article looked up in the index
	maxCandidates = 32      // stories scored in full per article
	maxDFTerms    = 1 << 18 // document frequencies kept before they are halved
	normRefresh   = 64      // articles added before an article's term weights are recomputed
)

// Grouper assigns articles to stories. It is not safe for concurrent use.
//
// An article joins the best-scoring story active within the window when the
// score clears a threshold, and opens a new story otherwise. The score of an
// article against a story is its best against the story's articles (the
// first and the latest ones, up to maxDocs):
//
//   - a near-duplicate (a re-publication, a lightly edited copy) is
//     recognised by MinHash over word shingles, found through LSH buckets;
//   - the same event in other words shares rare terms: place and person
//     names, institutions, numbers. Terms are weighted by an inverse
//     document frequency estimated online from the articles seen, names and
//     numbers three times more, and the score is the cosine similarity of
//     the two weighted term sets. Two articles that name places in
//     different regions of the country are different events whatever else
//     they share.
//
// Candidates come from an inverted index from rare terms to stories and
// from the LSH buckets, so the cost of an Add does not grow with the number
// of stories. Call Expire now and then (say hourly) to forget the stories
// that can take no new article.
type Grouper struct {
	window time.Duration

	// Tuned on testdata/stories.yaml; fields so that the tests can vary them.
	threshold  float64 // score to join a story
	nameBoost  float64 // weight factor of names and numbers
	minShared  int     // rare terms two articles must share to be compared
	rareFrac   float64 // a term is rare when its weight ≥ rareFrac × the weight of a term seen once
	dupJaccard float64 // estimated shingle Jaccard of a near-duplicate
	maxDFTerms int

	seq       uint64   // stories opened
	added     uint64   // articles added
	active    []*Story // in creation order
	byArticle map[int64]*Story
	postings  map[string][]*Story // term → stories holding it
	buckets   map[uint64][]*Story // LSH band key → stories

	df   map[string]uint32 // document frequency of each term, halved when it grows too big
	docs float64           // articles counted in df, halved with it
}

// NewGrouper returns a Grouper whose stories accept articles published
// within window of their span; window ≤ 0 means DefaultWindow.
func NewGrouper(window time.Duration) *Grouper {
	if window <= 0 {
		window = DefaultWindow
	}
	return &Grouper{
		window:     window,
		threshold:  0.325,
		nameBoost:  3,
		minShared:  2,
		rareFrac:   0.5,
		dupJaccard: 0.5,
		maxDFTerms: maxDFTerms,
		byArticle:  make(map[int64]*Story),
		postings:   make(map[string][]*Story),
		buckets:    make(map[uint64][]*Story),
		df:         make(map[string]uint32),
	}
}

// Add puts an article into the story of its event, or opens a new story,
// and reports whether it did. An article joins a story only if it was
// published within the window of the story's span (from window before its
// first article to window after its last), so a late follow-up or an
// article that arrives out of order still finds its story. Adding an
// article id a second time changes nothing and returns its story.
func (g *Grouper) Add(it Item) (s *Story, isNew bool) {
	if s, ok := g.byArticle[it.ID]; ok {
		return s, false
	}
	d := g.fingerprint(it)
	g.added++
	g.count(d)
	s = g.match(d, it.Published)
	if s == nil {
		g.seq++
		s = &Story{
			ID:    "s" + strconv.FormatInt(it.ID, 10),
			First: it.Published,
			Last:  it.Published,
			seq:   g.seq,
			terms: make(map[string]struct{}),
			bands: make(map[uint64]struct{}),
		}
		g.active = append(g.active, s)
		isNew = true
	}
	s.add(it, d)
	g.byArticle[it.ID] = s
	g.index(s, d)
	return s, isNew
}

// Stories returns the active stories in the order they were opened.
func (g *Grouper) Stories() []*Story {
	return slices.Clone(g.active)
}

// Expire forgets stories whose last article is older than now − window:
// no new article can join them any more, and memory stays bounded by the
// stories of one window.
func (g *Grouper) Expire(now time.Time) {
	cutoff := now.Add(-g.window)
	terms := make(map[string]struct{})
	bands := make(map[uint64]struct{})
	dead := make(map[*Story]bool)
	g.active = slices.DeleteFunc(g.active, func(s *Story) bool {
		if !s.Last.Before(cutoff) {
			return false
		}
		dead[s] = true
		for t := range s.terms {
			terms[t] = struct{}{}
		}
		for b := range s.bands {
			bands[b] = struct{}{}
		}
		for _, id := range s.Articles {
			delete(g.byArticle, id)
		}
		return true
	})
	if len(dead) == 0 {
		return
	}
	isDead := func(s *Story) bool { return dead[s] }
	for t := range terms {
		if p := slices.DeleteFunc(g.postings[t], isDead); len(p) > 0 {
			g.postings[t] = p
		} else {
			delete(g.postings, t)
		}
	}
	for b := range bands {
		if p := slices.DeleteFunc(g.buckets[b], isDead); len(p) > 0 {
			g.buckets[b] = p
		} else {
			delete(g.buckets, b)
		}
	}
}

func (s *Story) add(it Item, d *doc) {
	s.Articles = append(s.Articles, it.ID)
	if !slices.Contains(s.Outlets, it.Outlet) {
		s.Outlets = append(s.Outlets, it.Outlet)
	}
	if it.Published.Before(s.First) {
		s.First = it.Published
	}
	if it.Published.After(s.Last) {
		s.Last = it.Published
	}
	// A story of hundreds of articles is compared through its first
	// article and its latest ones, which carry the event's current words.
	if len(s.docs) == maxDocs {
		s.docs = slices.Delete(s.docs, 1, 2)
	}
	s.docs = append(s.docs, d)
}

// inWindow reports whether an article published at t may join s.
func (g *Grouper) inWindow(s *Story, t time.Time) bool {
	return !t.Before(s.First.Add(-g.window)) && !t.After(s.Last.Add(g.window))
}

// index adds the terms and LSH buckets of d to the story's postings.
func (g *Grouper) index(s *Story, d *doc) {
	for _, t := range d.terms {
		if _, ok := s.terms[t.key]; !ok {
			s.terms[t.key] = struct{}{}
			g.postings[t.key] = append(g.postings[t.key], s)
		}
	}
	for b := range numBands {
		k := bandKey(b, &d.sig)
		if _, ok := s.bands[k]; !ok {
			s.bands[k] = struct{}{}
			g.buckets[k] = append(g.buckets[k], s)
		}
	}
}

// candidate is a story that shares a bucket or rare terms with an article.
type candidate struct {
	s     *Story
	dup   bool    // shares an LSH bucket
	rough float64 // weight of the rare query terms it shares
	hits  int     // how many
}

// match returns the story d joins, or nil.
func (g *Grouper) match(d *doc, t time.Time) *Story {
	cands := make(map[*Story]*candidate)
	get := func(s *Story) *candidate {
		c := cands[s]
		if c == nil {
			c = &candidate{s: s}
			cands[s] = c
		}
		return c
	}
	for b := range numBands {
		for _, s := range g.buckets[bandKey(b, &d.sig)] {
			if g.inWindow(s, t) {
				get(s).dup = true
			}
		}
	}
	w := g.weights(d)
	// Only rare terms are looked up: a common one would list a good part
	// of all stories, and a story must share rare terms to be joined.
	rare := g.rareWeight()
	q := make([]int, 0, len(d.terms))
	for i := range d.terms {
		if w[i] >= rare {
			q = append(q, i)
		}
	}
	slices.SortFunc(q, func(a, b int) int {
		return cmp.Or(cmp.Compare(w[b], w[a]), strings.Compare(d.terms[a].key, d.terms[b].key))
	})
	for _, i := range q[:min(len(q), queryTerms)] {
		for _, s := range g.postings[d.terms[i].key] {
			if g.inWindow(s, t) {
				c := get(s)
				c.rough += w[i]
				c.hits++
			}
		}
	}
	// A story that shares one rare term is not worth scoring: it needs
	// minShared to be joined.
	list := make([]*candidate, 0, len(cands))
	for _, c := range cands {
		if c.dup || c.hits >= g.minShared {
			list = append(list, c)
		}
	}
	slices.SortFunc(list, func(a, b *candidate) int {
		return cmp.Or(cmp.Compare(b.rough, a.rough), cmp.Compare(a.s.seq, b.s.seq))
	})
	var best *Story
	bestScore := 0.0
	for i, c := range list {
		if i >= maxCandidates && !c.dup {
			continue
		}
		score := 0.0
		for _, e := range c.s.docs {
			score = max(score, g.score(d, e, c.dup))
		}
		if score >= g.threshold && (best == nil || score > bestScore || score == bestScore && c.s.seq < best.seq) {
			best, bestScore = c.s, score
		}
	}
	return best
}

// score is the similarity of two articles: 0 when they name places only
// in different regions, 1 for a near-duplicate, else the cosine of their
// weighted term sets, or 0 when they share fewer than minShared rare terms. A term
// weighs nameBoost times its weight when either article writes it as a
// name: a name that opens a sentence does not look like one.
func (g *Grouper) score(a, b *doc, maybeDup bool) float64 {
	// Places come first: a press release sent from two regions is a
	// near-duplicate of two events.
	if a.place != 0 && b.place != 0 && a.place&b.place == 0 {
		return 0
	}
	if maybeDup && sigJaccard(&a.sig, &b.sig) >= g.dupJaccard {
		return 1
	}
	// Two articles of one outlet whose titles share nothing are two
	// events: what their leads share may be the outlet's boilerplate
	// ("Есть тема? Пишите…"), which weighs a lot while few articles are
	// known.
	if a.outlet == b.outlet && a.outlet != "" && !shareAny(a.title, b.title) {
		return 0
	}
	wa, wb := g.weights(a), g.weights(b)
	boost := func(w float64, name bool) float64 {
		if name {
			return w * g.nameBoost
		}
		return w
	}
	rare := g.rareWeight()
	dot, na, nb, shared := 0.0, 0.0, 0.0, 0
	i, j := 0, 0
	for i < len(a.terms) || j < len(b.terms) {
		switch {
		case j == len(b.terms) || i < len(a.terms) && a.terms[i].hash < b.terms[j].hash:
			v := boost(wa[i], a.terms[i].name)
			na += v * v
			i++
		case i == len(a.terms) || b.terms[j].hash < a.terms[i].hash:
			v := boost(wb[j], b.terms[j].name)
			nb += v * v
			j++
		default:
			v := boost(wa[i], a.terms[i].name || b.terms[j].name)
			if v >= rare {
				shared++
			}
			v *= v
			dot += v
			na += v
			nb += v
			i++
			j++
		}
	}
	if shared < g.minShared {
		return 0
	}
	return dot / math.Sqrt(na*nb)
}

// shareAny reports whether two sorted hash lists have an element in common.
func shareAny(a, b []uint64) bool {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			return true
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return false
}

// weight is the inverse document frequency of a term, ln(1 + N/df): high
// for the names and numbers of one event, low for words of every article.
// A term no longer counted (its count was halved away) weighs as one seen
// once.
func (g *Grouper) weight(t string) float64 {
	return math.Log1p(max(g.docs, 1) / float64(max(g.df[t], 1)))
}

// rareWeight is the weight a term needs to count as rare: half that of a
// word seen once.
func (g *Grouper) rareWeight() float64 {
	return g.rareFrac * math.Log1p(max(g.docs, 1))
}

// weights returns the current weights of d's terms. Those of an article
// already in a story are kept for normRefresh articles: they drift slowly,
// and looking them up for every comparison would cost a map access per
// term.
func (g *Grouper) weights(d *doc) []float64 {
	if d.w == nil || g.added-d.wAt >= normRefresh {
		if d.w == nil {
			d.w = make([]float64, len(d.terms))
		}
		for i, t := range d.terms {
			d.w[i] = g.weight(t.key)
		}
		d.wAt = g.added
	}
	return d.w
}

// count adds an article's terms to the document frequencies. When more
// than maxDFTerms terms are counted, every count and the number of
// articles are halved and terms down to zero forgotten: memory stays
// bounded, the proportions that weights are made of stay, and old news
// fades from them.
func (g *Grouper) count(d *doc) {
	g.docs++
	for _, t := range d.terms {
		g.df[t.key]++
	}
	if len(g.df) <= g.maxDFTerms {
		return
	}
	for t, n := range g.df {
		if n /= 2; n == 0 {
			delete(g.df, t)
		} else {
			g.df[t] = n
		}
	}
	g.docs /= 2
}

// fingerprint analyses an article's title and lead into its grouping terms
// and its MinHash signature.
func (g *Grouper) fingerprint(it Item) *doc {
	lang := it.Lang
	if lang != analysis.Russian && lang != analysis.Kyrgyz && lang != analysis.English {
		lang = analysis.DetectLanguage(it.Title + "\n" + it.Lead)
	}
	d := &doc{outlet: it.Outlet}
	for i := range d.sig {
		d.sig[i] = math.MaxUint32
	}
	var sh shingler
	names := make(map[string]bool)
	var terms []string
	for ti, text := range []string{it.Title, it.Lead} {
		for _, tok := range analysis.Analyze(text, lang) {
			sh.push(tok.Term, &d.sig)
			if stopWords[tok.Form] || utf8.RuneCountInString(tok.Form) < 2 {
				continue
			}
			k := key(tok.Term, lang)
			terms = append(terms, k)
			if ti == 0 {
				d.title = append(d.title, hashString(k))
			}
			d.place |= regionOf[k]
			if isName(text, tok) {
				names[k] = true
			}
		}
	}
	sh.flush(&d.sig)
	slices.Sort(d.title)
	d.title = slices.Compact(d.title)
	for _, k := range sortedSet(terms) {
		d.terms = append(d.terms, term{k, hashString(k), names[k]})
	}
	slices.SortFunc(d.terms, func(a, b term) int { return cmp.Compare(a.hash, b.hash) })
	return d
}

// key is the grouping term of a word stemmed in lang. A Kyrgyz stem is
// stemmed again as Russian and both lose what tells their spellings apart,
// so that the loanwords and names that carry an event across the two
// languages agree: операциясы and операции, Абдыраимова and Абдыраимовой,
// Жалал-Абадда and Джалал-Абаде, Нарын облусу and Нарынской. Frequent
// words of Kyrgyz health news take the key of their Russian translation.
func key(t, lang string) string {
	k := foldKey(t, lang)
	if lang == analysis.Kyrgyz {
		if ru, ok := kyToRu[k]; ok {
			return ru
		}
	}
	return k
}

// foldKey is key without the translation table.
func foldKey(t, lang string) string {
	if !analysis.IsCyrillic(t) {
		return t
	}
	if lang == analysis.Kyrgyz {
		// The adjective of a loanword or a name is the word itself here:
		// электрондук, медициналык, бишкектик.
		for _, suf := range kyAdjective {
			// Not from a short word: Сокулук is a name, not соку-лук; nor
			// from a Russian noun that only looks like one: антисептик.
			if strings.HasSuffix(t, suf) && utf8.RuneCountInString(t)-utf8.RuneCountInString(suf) >= 5 && !ruNounsInIk[t] {
				t = t[:len(t)-len(suf)]
				break
			}
		}
		t = analysis.Stem(t, analysis.Russian)
	}
	t = crossFold.Replace(t)
	n := utf8.RuneCountInString(t)
	switch {
	case n >= 4 && strings.HasSuffix(t, "ск"):
		// A Russian adjective made of a place name keeps the name:
		// нарынск, кадамжайск.
		t = analysis.Stem(t[:len(t)-len("ск")], analysis.Russian)
	case n >= 5 && (strings.HasSuffix(t, "ов") || strings.HasSuffix(t, "ев")):
		// Snowball takes -ов of a surname for an ending in one form and not
		// in another: Жумабеков, Жумабекова; Kyrgyz keeps it: Исаевди.
		t = t[:len(t)-len("ов")]
	}
	return t
}

// kyAdjective are the shapes of the Kyrgyz suffix -лык, which makes an
// adjective or an abstract noun, with -дык, -тык and their harmony.
var kyAdjective = strings.Fields("лык лик лук лүк дык дик дук дүк тык тик тук түк")

// ruNounsInIk are Russian loanwords of health news whose -тик/-лик ending
// is part of the word, not the Kyrgyz adjective suffix.
var ruNounsInIk = map[string]bool{
	"антисептик": true, "антибиотик": true, "диабетик": true, "анестетик": true, "паралитик": true,
	"алкоголик": true, "эпилептик": true, "политик": true, "статистик": true, "диагностик": true,
}

var crossFold = strings.NewReplacer("дж", "ж", "ү", "у", "ө", "о", "ң", "н")

// formKeys returns the keys of the words of text in lang.
func formKeys(text, lang string, f func(string, string) string) []string {
	var keys []string
	for _, tok := range analysis.Analyze(text, lang) {
		keys = append(keys, f(tok.Term, lang))
	}
	return keys
}

// kyToRu maps the keys of Kyrgyz words of health news to those of their
// Russian translations: an article in Kyrgyz and one in Russian about the
// same event share its names and numbers, and with this table also what
// happened and where (оорукана and больница, кармалды and задержан).
// A word of several translations takes the most frequent one.
var kyToRu = func() map[string]string {
	m := make(map[string]string)
	for _, line := range strings.Split(strings.TrimSpace(`
оорукана больница
бейтапкана больница
дарыгер врач
медайым медсестра
бейтап пациент
оорулуу больной
оору болезнь
бала дети
наристе новорожденный
каза умер
төрөт роды
кармалды задержан
пара взятка
акча деньги
миң тысяча
тез скорая
жардам помощь
өрт пожар
мектеп школа
окуучу ученик
ууланды отравились
кызамык корь
күйдүргү язва
кутурма бешенство
кургак туберкулез
сарык гепатит
дары лекарство
дарыкана аптека
эмдөө прививка
саламаттык здравоохранения
текшерүү проверка
ката ошибка
кылмыш уголовное
жаштагы летний
жашар летний
облус область
шаар город
шаардык городской
аял женщина
келин женщина
эркек мужчина
киши человек
тууган родственник
апа мать
жүрөк сердце
кан кровь
суу вода
бошотулду уволен
башкы главный
сабашты избили
бузук сломан
бузулуп сломался
иштебейт работает
жылуулук отопление
казан котел
казанкана котельная
суук холод
тумоо грипп
ашкана столовая
ичеги кишечная
жасалма поддельный
кампа склад
кезек очередь
жетишсиз нехватка
Түркия Турция
Казакстан Казахстан
УКМК ГКНБ
ӨКМ МЧС
ҮМБ ЦСМ
милдеттүү обязательного
камсыздандыруу страхования
сом сомов
доллар долларов
`), "\n") {
		ky, ru, _ := strings.Cut(line, " ")
		kk := formKeys(ky, analysis.Kyrgyz, foldKey)
		rk := formKeys(ru, analysis.Russian, foldKey)
		if len(kk) == 1 && len(rk) == 1 && kk[0] != rk[0] {
			m[kk[0]] = rk[0]
		}
	}
	return m
}()

// regionOf maps the keys of Kyrgyzstan's regions, cities and districts to
// a bit of their region. Two articles that name places, none of them in a
// common region, are about different events: a death in a hospital of Ош
// and one in Нарын the same day are two stories.
var regionOf = func() map[string]uint16 {
	m := make(map[string]uint16)
	for i, line := range strings.Split(strings.TrimSpace(`
Бишкек бишкекский столица столичный
Ош ошский Ноокат Узген Араван Суйский Карасуулук Кульджа
Джалал Жалал Абад Сузак Коргон Ноокен Аксы Кумыр
Баткен Сулюкта Лейлек Кадамжай Исфана
Нарын нарынский Кочкор Кочкорка Талаа Талаинский Жумгал Башинский Баетов
Талас таласский Буура Бакай
Кульский Ысык Каракол Балыкчы Чолпон Тюп Огуз
Чуй Чуйский Чүй Токмок Балта Балтинский Сокулук Аламудун Кемин Кеминский Ивановка
`), "\n") {
		// A compound name is known by its part that is not a common word:
		// Абад of Джалал-Абад, Балта of Кара-Балта, not Кара. A name is
		// the same in both languages and keyed as both; a Russian
		// adjective only as Russian, or Kyrgyz would make junk of it.
		for _, form := range strings.Fields(line) {
			langs := []string{analysis.Russian, analysis.Kyrgyz}
			if strings.HasSuffix(form, "ский") || strings.HasPrefix(form, "столи") {
				langs = langs[:1]
			}
			for _, lang := range langs {
				for _, k := range formKeys(form, lang, key) {
					m[k] |= 1 << i
				}
			}
		}
	}
	return m
}()

// isName reports whether a token is a name: capitalised inside a sentence,
// written in capitals (ГКНБ, ФОМС), or a number.
func isName(text string, tok analysis.Token) bool {
	w := text[tok.Start:tok.End]
	r, _ := utf8.DecodeRuneInString(w)
	if unicode.IsDigit(r) {
		return true
	}
	if !unicode.IsUpper(r) {
		return false
	}
	upper := 0
	for _, r := range w {
		if unicode.IsUpper(r) {
			upper++
		}
	}
	if upper >= 2 {
		return true
	}
	// Capitalised after the start of a sentence, a name may be any word.
	for i := tok.Start; i > 0; {
		r, size := utf8.DecodeLastRuneInString(text[:i])
		switch {
		case r == '.' || r == '!' || r == '?' || r == ':' || r == '—':
			return false
		case unicode.IsSpace(r) || strings.ContainsRune("«»\"'(-–", r):
			i -= size
		default:
			return true
		}
	}
	return false
}

func sortedSet(s []string) []string {
	slices.Sort(s)
	return slices.Compact(s)
}

// stopWords are folded function words of Russian and Kyrgyz news that
// carry nothing of an event. Frequent content words need no list: their
// weight is low.
var stopWords = func() map[string]bool {
	m := make(map[string]bool)
	for _, w := range strings.Fields(`
		в во на не ни и а но да или что чтобы как так же ли бы это этот эта эти этого этой
		тот та те того том с со к ко у о об от до из за для по при про над под без
		его ее их ему ей им он она оно они мы вы я ты был была было были быть будет есть нет
		также уже еще после перед через между который которая которое которые которых которого
		которой которым кто где когда только все всего всех свой своей своего свои более около
		жана менен үчүн бул ал алар анын аны ага аларды да де деп эле бир болуп болгон болду
		ошол ошондой тарабынан боюнча кийин мурда дагы же бирок эмес экен экенин жок бар өз
		азыр ушул ар бардык дейт деди айтымында маалыматында маалыматы
		the a an of in on at to for and or is are was were by with from`) {
		m[w] = true
	}
	return m
}()

// shingler feeds the hashes of consecutive terms, shingleSize at a time,
// into a MinHash signature.
type shingler struct {
	win  [shingleSize]uint64
	n    int
	full bool
}

func (sh *shingler) push(term string, sig *[numHashes]uint32) {
	copy(sh.win[:], sh.win[1:])
	sh.win[shingleSize-1] = hashString(term)
	if sh.n++; sh.n >= shingleSize {
		sh.full = true
		sh.minHash(sig)
	}
}

// flush hashes a text shorter than one shingle as a single shingle.
func (sh *shingler) flush(sig *[numHashes]uint32) {
	if !sh.full && sh.n > 0 {
		sh.minHash(sig)
	}
}

func (sh *shingler) minHash(sig *[numHashes]uint32) {
	x := uint64(0)
	for _, h := range sh.win {
		x = mix64(x ^ h)
	}
	for i := range sig {
		if v := uint32(mix64(x^hashSeeds[i]) >> 32); v < sig[i] {
			sig[i] = v
		}
	}
}

// sigJaccard estimates the Jaccard similarity of two shingle sets from
// their signatures: the share of positions where the minima agree.
func sigJaccard(a, b *[numHashes]uint32) float64 {
	n := 0
	for i := range a {
		if a[i] == b[i] {
			n++
		}
	}
	return float64(n) / numHashes
}

// bandKey is the LSH bucket of band b of a signature.
func bandKey(b int, sig *[numHashes]uint32) uint64 {
	x := mix64(uint64(b) + 1)
	for _, v := range sig[b*bandRows : (b+1)*bandRows] {
		x = mix64(x ^ uint64(v))
	}
	return x
}

// hashSeeds are the seeds of the MinHash functions: fixed, so that a
// signature is the same in every process and a rebuild gives the same
// stories.
var hashSeeds = func() (s [numHashes]uint64) {
	for i := range s {
		s[i] = mix64(uint64(i+1) * 0x9e3779b97f4a7c15)
	}
	return s
}()

// hashString is 64-bit FNV-1a.
func hashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// mix64 is the SplitMix64 finaliser: a cheap, well-spread bijection.
func mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}
