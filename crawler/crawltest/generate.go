package crawltest

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Words the generator draws from: invented everyday news vocabulary, so
// generated articles look like Russian and Kyrgyz news to an analyser.
var (
	ruWords = strings.Fields(`министерство здравоохранения больница врач пациент область город Бишкек Ош
		сообщили журналистам заявил представитель ведомства в течение недели жители района ремонт дороги
		школа учителя родители вопрос бюджет средства программа проект развитие граждане служба работа
		проверка результаты комиссия решение встреча правительство президент парламент депутаты закон
		сегодня вчера утром вечером около тысяч сомов году месяце новый старый центр отделение здание`)
	kyWords = strings.Fields(`саламаттык сактоо министрлиги оорукана дарыгер бейтап облусу шаары Бишкек Ош
		маалымдады журналисттерге билдирди өкүлү жума ичинде тургундары району жол оңдоо мектеп мугалимдер
		ата-энелер маселе бюджет каражат программа долбоор өнүгүү жарандар кызмат иш текшерүү натыйжалар
		комиссия чечим жолугушуу өкмөт президент парламент депутаттар мыйзам бүгүн кечээ эртең менен
		кечинде миң сом жылы айында жаңы эски борбор бөлүм имарат`)
)

// Generate returns n articles with ids from first, one every step before
// end (the last is published at end), about a third of them in Kyrgyz.
func Generate(first, n int, end time.Time, step time.Duration, seed uint64) []Article {
	rng := rand.New(rand.NewPCG(seed, 7))
	out := make([]Article, n)
	for i := range out {
		words := ruWords
		if rng.IntN(3) == 0 {
			words = kyWords
		}
		paras := make([]string, 3+rng.IntN(5))
		for p := range paras {
			paras[p] = sentence(rng, words, 25+rng.IntN(40))
		}
		out[i] = Article{
			ID:        first + i,
			Title:     fmt.Sprintf("%s №%d", sentence(rng, words, 6+rng.IntN(6)), first+i),
			Body:      paras,
			Published: end.Add(-time.Duration(n-1-i) * step).Truncate(time.Second),
			Author:    "Редакция",
		}
	}
	return out
}

// sentence strings n words, earlier words of the list drawn more often, as
// in real text.
func sentence(rng *rand.Rand, words []string, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		// Squaring a uniform draw favours the front of the list.
		f := rng.Float64()
		w := words[int(f*f*float64(len(words)))]
		if i == 0 {
			w = strings.ToUpper(w[:2]) + w[2:]
		} else {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	b.WriteByte('.')
	return b.String()
}
