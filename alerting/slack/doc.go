// Package slack delivers alerts to a Slack channel as Block Kit messages,
// through a bot token (threads, replies, broadcasts) or an incoming webhook,
// and serves the endpoint that Slack calls when Acknowledge or Resolve is
// pressed on an alert.
package slack
