package main

import (
	"fmt"

	"kuzot/alerting"
	"kuzot/config"
)

func (a *app) otherNotifier(r *config.Receiver) (alerting.Notifier, error) {
	return nil, fmt.Errorf("receiver kind %q is not supported yet", r.Kind())
}
