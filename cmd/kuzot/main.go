// Command kuzot is Kuzot's single binary: the service (serve) and the tools
// an operator or analyst runs beside it. Each command lives in its own file;
// this one only picks the command.
package main

import (
	"fmt"
	"os"
)

func main() { os.Exit(run(os.Args[1:])) }

const usage = `kuzot — media monitoring and crisis alerts for a health press office

Usage:
  kuzot serve    [--config FILE]           poll sources on schedule until stopped (SIGINT/SIGTERM)
  kuzot crawl    --once [--backfill 7d]    poll every source once, store, exit
  kuzot sources  [--json]                  each source's health
  kuzot sources  check [--json]            fetch every source once and say which work
  kuzot search   QUERY [--json] [--since 30d] [--until DATE] [--outlet A,B] [--lang ky]
                 [--category C] [--sort date] [--limit 20] [--page 2] [--facet outlet,category,lang,date]
                                           search the archive in the rule language
  kuzot reindex                            rebuild the search index from the store
  kuzot rules    check                     compile the rules, list them by category
  kuzot rules    test FILE|URL [--json]    score one article: matches, score, evidence, decision
  kuzot rules    backtest [--since 30d] [--rule ID | --query Q] [--json]
                                           run rules over the archive: hits per day, what would alert
  kuzot rules    eval DIR [-v] [--json]    precision and recall per category on labelled articles
  kuzot alerts   [--json] [--status open,acknowledged|all] [--since 7d]
                                           alerts with their story's outlets
  kuzot alerts   ack ID | resolve ID [--by NAME] [--comment TEXT]
  kuzot alerts   show ID [--json]          one alert: articles, evidence, history
  kuzot alerts   outbox [--state failed,pending|all] [--json]
                                           notifications waiting, failed or delivered
  kuzot digest   preview [--html FILE] [--text] [--from DATE --to DATE]
                                           the weekly digest, without sending it
  kuzot digest   send [--from DATE --to DATE]   send the digest to digest.recipients (once per period)
  kuzot digest   status [--json]           digests sent, failed (with the error) or being sent
  kuzot report   --from DATE --to DATE [--format md|csv|xlsx] [--out FILE]
                                           the digest's figures for any period, as a table
  kuzot users    add NAME [--role viewer|analyst|admin] [--password-stdin] | list | passwd NAME | disable NAME
  kuzot tokens   add USER [--label L] | list | revoke ID      API tokens for machine use
  kuzot demo     [--listen 127.0.0.1:8080] [--pace 1]
                                           the whole service offline on local news sites, with the UI
  kuzot bench    latency [--articles 50] [--poll 2s] [--group-wait 30s]
                                           publication-to-Slack latency through the whole service

Every command takes --config FILE (default ./config.yaml, then $KUZOT_CONFIG)
and --log-level debug|info|warn|error.
`

func run(args []string) int {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usage)
		return 2
	}
	var err error
	switch cmd, rest := args[0], args[1:]; cmd {
	case "serve":
		err = cmdServe(rest)
	case "crawl":
		err = cmdCrawl(rest)
	case "sources":
		err = cmdSources(rest)
	case "search":
		err = cmdSearch(rest)
	case "reindex":
		err = cmdReindex(rest)
	case "rules":
		err = cmdRules(rest)
	case "digest":
		err = cmdDigest(rest)
	case "report":
		err = cmdReport(rest)
	case "alerts":
		err = cmdAlerts(rest)
	case "bench":
		err = cmdBench(rest)
	case "demo":
		err = cmdDemo(rest)
	case "users":
		err = cmdUsers(rest)
	case "tokens":
		err = cmdTokens(rest)
	case "help", "-h", "--help":
		fmt.Print(usage)
		return 0
	default:
		fmt.Fprintf(os.Stderr, "kuzot: unknown command %q (run kuzot help)\n", cmd)
		return 2
	}
	if err != nil {
		if err == errUsage {
			return 2
		}
		fmt.Fprintln(os.Stderr, "kuzot:", err)
		return 1
	}
	return 0
}
