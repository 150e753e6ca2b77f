package index_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"kuzot/index"
	"kuzot/store"
)

// day0 is the first day of the test corpus, a Monday, in UTC.
var day0 = time.Date(2026, 11, 2, 6, 0, 0, 0, time.UTC)

// article is one corpus entry: key names it in the tests.
type article struct {
	key, outlet, lang, title, body string
	day                            int
}

// corpus is written for these tests: short news items in Russian and
// Kyrgyz about the health system, with word forms spread across articles,
// and some that share words with them but are about something else.
var corpus = []article{
	{"ru-error", "kaktus.media", "ru", "Врачебная ошибка в роддоме Бишкека",
		"Роженице по ошибке ввели антисептик. Минздрав начал проверку, двух врачей отстранили от работы. Врачи роддома отказались от комментариев.", 0},
	{"ru-doctors", "24.kg", "ru", "В больнице Оша не хватает врачей",
		"Главный врач больницы сообщил, что в больнице работают лишь пять терапевтов. Пациенты ждут приема врача по нескольку часов.", 1},
	{"ru-xray", "akipress.org", "ru", "Рентген-аппарат стоит под снегом во дворе больницы",
		"Дорогостоящий рентгеновский аппарат уже месяц стоит под снегом во дворе Нарынской больницы. В больнице говорят, что нет помещения.", 2},
	{"ru-football", "sport.kg", "ru", "Ошибка вратаря стоила команде победы",
		"Вратарь допустил грубую ошибку на последней минуте матча. Тренер назвал игру команды достойной.", 3},
	{"ru-arrest", "kloop.kg", "ru", "Задержан главный врач районной больницы",
		"Сотрудники ГКНБ задержали главного врача по подозрению в вымогательстве денег у пациентов за бесплатные операции.", 4},
	{"ky-hospital", "azattyk.org", "ky", "Ооруканада дарыгерлер жетишпейт",
		"Нарын облустук ооруканасында дарыгерлер жетишпейт. Бейтаптар ооруканадан узун кезекте күтүшөт. Ооруканага жаңы дарыгер келген жок.", 5},
	{"ky-medicine", "kabar.kg", "ky", "Дарыканаларда дары-дармек тартыш",
		"Ош шаарынын дарыканаларында инсулин жетишпейт. Бейтаптын туугандары дары-дармекти Бишкектен алып келишүүдө.", 6},
	{"ky-doctor", "azattyk.org", "ky", "Дарыгер бейтаптан акча талап кылган",
		"Ооруканасынын дарыгери бейтаптан операция үчүн акча талап кылганы айтылды. Министрлик текшерүү баштады.", 7},
	{"en-outbreak", "24.kg", "en", "Measles outbreak reported in Chui region",
		"Doctors reported a measles outbreak in two villages. The ministry is vaccinating children.", 8},
	{"ru-covid", "kaktus.media", "ru", "COVID-19: число заболевших выросло",
		"За неделю выявлено 120 случаев COVID-19. Больницы переходят на особый режим.", 9},
	{"ru-near", "24.kg", "ru", "Пациентка умерла после операции",
		"По словам родственников, врачи слишком долго не начинали операцию. Ошибка, по их мнению, стоила ей жизни.", 10},
	{"ru-yo", "kaktus.media", "ru", "Врач отвёз пациентку на своём автомобиле",
		"Скорая не приехала, и врач отвёз пациентку в больницу сам.", 11},
}

// openCorpus stores the corpus in a new SQLite file, opens an index over
// it and syncs. It returns the index, the store and the ids by key.
func openCorpus(t testing.TB) (*index.Index, *store.Store, map[string]int64) {
	return openStored(t, corpus)
}

// openArticles is openCorpus over other articles.
func openArticles(t testing.TB, arts []article) (*index.Index, map[string]int64) {
	x, _, ids := openStored(t, arts)
	return x, ids
}

func openStored(t testing.TB, arts []article) (*index.Index, *store.Store, map[string]int64) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.Open(ctx, filepath.Join(dir, "kuzot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ids := storeCorpus(t, st, arts)
	x, err := index.Open(filepath.Join(dir, "index"), st, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	if n, err := x.Sync(ctx, nil); err != nil || n != len(arts) {
		t.Fatalf("Sync = %d, %v; want %d articles", n, err, len(arts))
	}
	return x, st, ids
}

func storeCorpus(t testing.TB, st *store.Store, arts []article) map[string]int64 {
	t.Helper()
	var batch []*store.Article
	for _, a := range arts {
		batch = append(batch, &store.Article{
			URL: fmt.Sprintf("https://%s/news/%s", a.outlet, a.key), SourceID: a.outlet, Outlet: a.outlet, Lang: a.lang,
			Title: a.title, Body: a.body, Published: day0.Add(time.Duration(a.day) * 24 * time.Hour),
			Fetched: day0, ContentHash: "hash-" + a.key,
		})
	}
	res, err := st.SaveArticles(context.Background(), batch)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	for i, r := range res {
		if !r.Inserted {
			t.Fatalf("article %s not inserted: %+v", arts[i].key, r)
		}
		ids[arts[i].key] = r.ID
	}
	return ids
}

func quietLog() *slog.Logger { return logTo(io.Discard) }

func logTo(w io.Writer) *slog.Logger { return slog.New(slog.NewTextHandler(w, nil)) }
