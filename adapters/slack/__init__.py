"""Slack adapter: slack-bolt in HTTP mode, translating Slack payloads to neutral events and
neutral outcomes to Block Kit. Nothing outside this package knows Slack's vocabulary."""
