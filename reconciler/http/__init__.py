"""The parts of `reconciler.client` (the one HTTP client) that stand on their own.

- `redaction`: what may be shown of a URL, a path or a message (no token, no
  incoming-webhook id), and the filter that keeps httpx's loggers clean;
- `pacing`: the request rate shared by all threads, the pause after a 429, and
  reading `Retry-After`;
- `answers`: an HTTP answer → its JSON, or the `ApiError` it means;
- `ping`: the ping answer → `ServerInfo`, or why the URL is not Mattermost.

Only `reconciler.client` uses them.
"""
