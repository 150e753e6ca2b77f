// Package alerting turns rule matches into alerts the press office can act
// on: stories across outlets, alert lifecycle, routing, outbox.
//
// Only stories exist for now: a Grouper puts each new article into the story
// of the same event, across outlets, days and the Russian and Kyrgyz press,
// so that one event makes one alert that grows as other outlets pick it up.
// The alert lifecycle, routing and the outbox are still to come (issue 5).
package alerting
