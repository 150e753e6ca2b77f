// Package telegram delivers alerts to a Telegram chat through a bot's
// sendMessage, in HTML with the matched words in bold; the updates and
// status of an alert are silent replies to its first message.
package telegram
