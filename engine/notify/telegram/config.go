package telegram

import (
	"github.com/firebreak-dev/firebreak/engine/config"
	"github.com/firebreak-dev/firebreak/engine/notify"
)

// DefaultAPIURL is the Bot API's base URL.
const DefaultAPIURL = "https://api.telegram.org"

// Config is a Telegram channel: a bot's token (a secret), the chat it
// writes to, and how its text is parsed.
type Config struct {
	BotToken notify.Secret
	// ChatID is a chat's number or a channel's @name.
	ChatID string
	// ParseMode is HTML (default) or MarkdownV2.
	ParseMode string
	// APIURL is the Bot API's base; empty is DefaultAPIURL.
	APIURL string
}

// FromOptions reads a telegram channel's configuration, its token from the
// environment or a file.
func FromOptions(o config.ChannelOptions, read notify.SecretReader) (Config, error) {
	tok, err := notify.ReadSecret(read, "bot_token", o.BotTokenEnv, o.BotTokenFile)
	return Config{BotToken: tok, ChatID: o.ChatID, ParseMode: o.ParseMode, APIURL: o.APIURL}, err
}
