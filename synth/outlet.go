package synth

import "math"

// outlets are invented news sites and Telegram channels, biggest first:
// each gets a Zipf share of the archive (the first about a sixth, the last
// a few hundredths of a percent), split over the languages it publishes in.
// They are invented so that no real outlet is credited with generated text.
var outlets = []struct {
	name       string
	ru, ky, en float64 // the outlet's mix of languages
}{
	{"bishkek-times.kg", 0.9, 0.1, 0},
	{"kabar-ordo.kg", 0.4, 0.6, 0},
	{"ala-too24.kg", 0.7, 0.3, 0},
	{"erkin-soz.kg", 0.1, 0.9, 0},
	{"akyl-press.kg", 0.8, 0, 0.2},
	{"t.me/kg_novosti", 1, 0, 0},
	{"tynchtyk.media", 0, 1, 0},
	{"osh-kabar.kg", 0.4, 0.6, 0},
	{"chuy-today.kg", 1, 0, 0},
	{"naryn-news.kg", 0.2, 0.8, 0},
	{"kg-economist.kg", 0.9, 0, 0.1},
	{"dariger.kg", 0.5, 0.5, 0},
	{"med-vestnik.kg", 1, 0, 0},
	{"talas-info.kg", 0, 1, 0},
	{"issyk-kol.media", 0.5, 0.5, 0},
	{"batken24.kg", 0.3, 0.7, 0},
	{"jalal-abad.today", 0.4, 0.6, 0},
	{"t.me/bishkek_live", 1, 0, 0},
	{"t.me/kabarlar_kg", 0, 1, 0},
	{"kyrgyz-daily.com", 0.2, 0, 0.8},
	{"central-asia-wire.com", 0, 0, 1},
	{"zhany-agym.kg", 0, 1, 0},
	{"polit-kg.info", 1, 0, 0},
	{"sport-kg.net", 0.6, 0.4, 0},
	{"kun-tartibi.kg", 0, 1, 0},
	{"segodnya.kg", 1, 0, 0},
	{"vechernyaya-stolitsa.kg", 1, 0, 0},
	{"tokmok-news.kg", 0.6, 0.4, 0},
	{"karakol-press.kg", 0.5, 0.5, 0},
	{"uzgen.info", 0, 1, 0},
	{"kant-gazeta.kg", 1, 0, 0},
	{"t.me/osh_online", 0.5, 0.5, 0},
	{"el-sozu.kg", 0, 1, 0},
	{"region-kg.org", 0.7, 0.3, 0},
	{"delo-kg.com", 1, 0, 0},
	{"jashtar.media", 0, 1, 0},
	{"kyzyl-kiya.kg", 0.5, 0.5, 0},
	{"balykchy.info", 0.5, 0.5, 0},
	{"kg-business.news", 0.7, 0, 0.3},
	{"t.me/tez_kabar", 0, 1, 0},
}

// outletTable draws the outlet of an article in one language.
type outletTable struct {
	idx []int
	cum []float64
}

func newOutletTable(lang int) outletTable {
	var t outletTable
	sum := 0.0
	for i, o := range outlets {
		share := [3]float64{o.ru, o.ky, o.en}[lang]
		if share == 0 {
			continue
		}
		sum += share * math.Pow(float64(i+1), -1.1)
		t.idx = append(t.idx, i)
		t.cum = append(t.cum, sum)
	}
	return t
}

func (t *outletTable) draw(r *rng) string {
	x := r.float() * t.cum[len(t.cum)-1]
	for i, c := range t.cum {
		if x < c {
			return outlets[t.idx[i]].name
		}
	}
	return outlets[t.idx[len(t.idx)-1]].name
}
