"""The parts of `reconciler.client` (the one HTTP client) that stand on their own.

- `redaction`: what may be shown of a URL, a path or a message (no token, no
  incoming-webhook id), and the filter that keeps httpx's loggers clean;
- `pacing`: the request rate shared by all threads, the pause after a 429, and
  reading `Retry-After`;
- `answers`: an HTTP answer → its JSON, or the `ApiError` it means;
- `ping`: the ping answer → `ServerInfo`, or why the URL is not Mattermost;
- `credentials`: whether a token and a server URL can be used (never quoting the token).

Only `reconciler.client` uses them, and the command options check `credentials` before a
client is built.
"""
